"""The legend: a Leaflet control in the map's corner with the colour and icon of each event type
drawn, by layer.
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

from geo.web.map.style import EVENT_LAYERS, TYPE_STYLES
from geo.web.map.text import escape_text


class Legend(MacroElement):
    """A box in the map's bottom left corner: colour and icon of each event type, by layer.

    A Leaflet control, not a box placed over the map: Leaflet stacks the controls of a
    corner, so the legend sits above the scale bar instead of covering it (it did, placed at
    a fixed offset), and clicks and scrolls on it do not move the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: 'bottomleft'});
            legend.onAdd = function () {
                var box = L.DomUtil.create('div', 'cm-legend leaflet-control');
                box.id = 'cm-legend';
                box.style.cssText = {{ this.css|tojson }};
                box.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )
    #: The box's style (the old fixed box's, less its position).
    css = ("background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px; "
           "font: 12px/1.35 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);")

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
