"""The legend: a box in the map's corner with the colour and icon of each event type drawn,
by layer.
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

from geo.web.map.style import EVENT_LAYERS, TYPE_STYLES
from geo.web.map.text import escape_text


class Legend(MacroElement):
    """A fixed box in the map's corner: colour and icon of each event type, by layer."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="cm-legend" style="position: absolute; z-index: 1000; bottom: 24px; left: 10px;
             background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
             font: 12px/1.35 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);">
        {{ this.body }}
        </div>
        {% endmacro %}
        """
    )

    def __init__(self, types: Sequence[str] | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        shown = set(types) if types is not None else set(TYPE_STYLES)
        rows = []
        for layer, layer_types in EVENT_LAYERS:
            entries = [t for t in layer_types if t in shown]
            if not entries:
                continue
            rows.append(f"<div><b>{escape_text(layer)}</b></div>")
            for t in entries:
                s = TYPE_STYLES[t]
                rows.append(
                    f"<div class='cm-legend-item' data-type='{t}'>"
                    f"<span style='display:inline-block;width:16px;text-align:center;"
                    f"color:#fff;background:{s.hex};border-radius:3px;margin-right:4px'>"
                    f"<i class='fa fa-{s.icon}' style='font-size:10px'></i></span>"
                    f"{escape_text(s.label)}</div>"
                )
        self.body = "".join(rows)
