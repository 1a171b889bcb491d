"""Reference layers: gazetteer places (known bases, airfields, border crossings) as small
circles drawn by one JS loop over plain rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from geo.model import Place
from geo.web.map.text import escape_text


def add_reference_places(
    m: folium.Map, places: Iterable[Place], *, name: str, color: str
) -> folium.FeatureGroup:
    """Gazetteer places (known bases, airfields or crossings) as small circles.

    Circles, not pins: they are context, and they stay out of the marker pane that holds the
    events.
    """
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    rows = []
    for place in places:
        if not place.has_point:
            continue
        label = escape_text(f"{place.name} ({place.kind.replace('_', ' ')}, {place.country})")
        rows.append([round(float(place.lat), 6), round(float(place.lon), 6), label,
                     f"<b>{label}</b><br><small>{escape_text(place.source)} "
                     f"{escape_text(place.id)}</small>"])
    PlaceLayer(rows, color).add_to(group)
    group.add_to(m)
    return group


class PlaceLayer(MacroElement):
    """Reference places as small SVG circles with a tooltip and a popup, drawn by one JS
    loop over plain rows (lat, lon, escaped label, escaped popup HTML).

    Why not one ``folium.CircleMarker`` each: templating 300 of them (with their Popup and
    Tooltip elements) took 0.75 s per map build, paid on every view of the page at scale."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            {{ this.rows|tojson }}.forEach(function (r) {
                L.circleMarker([r[0], r[1]], {radius: 4, color: {{ this.color|tojson }},
                    weight: 1.5, fill: true, fillColor: '#ffffff', fillOpacity: 0.9})
                  .bindTooltip(r[2])
                  .bindPopup(r[3], {maxWidth: 300})
                  .addTo(group);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], color: str) -> None:
        super().__init__()
        self._name = "PlaceLayer"
        self.rows = rows
        self.color = color
