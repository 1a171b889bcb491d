"""Place names on the offline basemap: capitals and major cities, more as the user zooms in.

The names (``data/basemap/places.csv``, from GeoNames: see its SOURCES.md) carry the zoom from
which each may be drawn (capitals from the first, smaller towns only closer in) and come in
order of importance (capitals, then by population). At every zoom and pan the browser places
them in that order and skips a name whose box would overlap one already placed, so the map
shows the most important names that fit, as printed maps do. They sit in a pane of their own
above the basemap and under every overlay (:data:`LABEL_PANE`), and take no pointer: events
and cells stay on top and clickable.
"""

from __future__ import annotations

import csv
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from geo.config import BASEMAP_DATA_DIR
from geo.web.map.style import MapInputError
from geo.web.map.text import escape_text

#: The place names' file in ``data/basemap``.
PLACES_FILE = "places.csv"
#: Their pane: above the basemap's (250), under the overlays (400) and markers (600).
LABEL_PANE, LABEL_Z = "cm-labels", 260
#: Their layer's name in the layer control.
PLACE_NAMES_LAYER = "Place names (GeoNames)"
#: Pixels per character of a name (11 px sans-serif; capitals are 12 px bold), for the
#: boxes that keep names apart.
CHAR_PX, CAPITAL_CHAR_PX = 6.0, 7.0


def read_places() -> list[list[Any]]:
    """The place names as rows ``[lat, lon, escaped name, min zoom, capital 0/1, name
    length]``, in the file's order (the order they are placed in)."""
    path = BASEMAP_DATA_DIR / PLACES_FILE
    if not path.is_file():
        raise MapInputError(f"basemap layer missing: {path}")
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            try:
                lat, lon, zoom = float(rec["lat"]), float(rec["lon"]), int(rec["min_zoom"])
                capital = int(rec["capital"])
            except (KeyError, TypeError, ValueError):
                raise MapInputError(f"{path}: bad row {rec!r}") from None
            rows.append([lat, lon, escape_text(rec["name"]), zoom, capital, len(rec["name"])])
    return rows


class PlaceNames(MacroElement):
    """The names of :func:`read_places` as Leaflet markers with a text icon, shown and hidden
    by one JS function on every zoom and pan: a name is shown when the zoom has reached its
    own and its box (:data:`CHAR_PX` per character) overlaps no name placed before it. The
    map's container gets ``data-cm-place-names`` (how many are shown), for tests."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var names = {{ this.rows|tojson }}, map = null;
            var style = 'white-space:nowrap;color:#333;text-shadow:0 0 2px #fff,0 0 2px #fff,'
                + '0 0 3px #fff;font:';
            var markers = names.map(function (r) {
                var dot = '<span style="display:inline-block;width:5px;height:5px;'
                    + 'margin-right:3px;border-radius:50%;vertical-align:1px;background:'
                    + (r[4] ? '#222;box-shadow:0 0 0 1.5px #fff,0 0 0 2.5px #222' : '#555')
                    + '"></span>';
                var html = '<span style="' + style
                    + (r[4] ? 'bold 12px/14px sans-serif' : '11px/14px sans-serif') + '">'
                    + dot + r[2] + '</span>';
                return L.marker([r[0], r[1]], {
                    pane: {{ this.pane|tojson }}, interactive: false, keyboard: false,
                    icon: L.divIcon({className: 'cm-place-label', html: html, iconSize: null,
                                     iconAnchor: [3, 7]})});
            });
            var place = function () {
                if (!map) { return; }
                var zoom = map.getZoom(), view = map.getBounds().pad(0.2), taken = [];
                for (var i = 0; i < names.length; i++) {
                    var r = names[i], show = false;
                    if (r[3] <= zoom && view.contains([r[0], r[1]])) {
                        var p = map.latLngToLayerPoint([r[0], r[1]]);
                        var w = 10 + r[5] * (r[4] ? {{ this.capital_px }} : {{ this.char_px }});
                        var box = [p.x - 5, p.y - 9, p.x + w, p.y + 9];
                        show = taken.every(function (b) {
                            return box[2] < b[0] || box[0] > b[2] || box[3] < b[1]
                                || box[1] > b[3];
                        });
                        if (show) { taken.push(box); }
                    }
                    if (show !== group.hasLayer(markers[i])) {
                        if (show) { group.addLayer(markers[i]); }
                        else { group.removeLayer(markers[i]); }
                    }
                }
                map.getContainer().dataset.cmPlaceNames = taken.length;
            };
            var attach = function () {
                map = group._map;
                map.on('zoomend moveend', place);
                place();
            };
            group.on('add', attach);
            group.on('remove', function () {
                if (!map) { return; }
                map.off('zoomend moveend', place);
                delete map.getContainer().dataset.cmPlaceNames;
                map = null;
            });
            if (group._map) { attach(); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__()
        self._name = "PlaceNames"
        self.rows = rows
        self.pane = LABEL_PANE
        self.char_px, self.capital_px = CHAR_PX, CAPITAL_CHAR_PX


def add_place_names(m: folium.Map) -> folium.FeatureGroup:
    """The basemap's place names (:class:`PlaceNames`) in a layer of their own, in their own
    pane (:data:`LABEL_PANE`)."""
    folium.map.CustomPane(LABEL_PANE, z_index=LABEL_Z, pointer_events=False).add_to(m)
    group = folium.FeatureGroup(name=PLACE_NAMES_LAYER, overlay=True, control=True, show=True)
    PlaceNames(read_places()).add_to(group)
    group.add_to(m)
    return group
