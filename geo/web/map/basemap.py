"""The offline basemap: Natural Earth countries, land borders and rivers from
``data/basemap/``, in a pane of their own under every overlay, and the names of capitals and
major cities above them (``labels``); and the optional online tiles.
"""

from __future__ import annotations

import json
from typing import Any

import folium

from geo.config import BASEMAP_DATA_DIR
from geo.web.map.labels import add_place_names
from geo.web.map.style import MAX_ZOOM, MapInputError


def _read_basemap(name: str) -> dict[str, Any]:
    path = BASEMAP_DATA_DIR / name
    if not path.is_file():
        raise MapInputError(f"basemap layer missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


#: The basemap's own pane, between the tiles (Leaflet's z-index 200) and the overlays (400):
#: in the overlay pane its opaque countries hid whatever an overlay drew below them in the
#: pane's order, such as the counted cells.
BASEMAP_PANE, BASEMAP_Z = "cm-basemap", 250


def add_basemap(m: folium.Map) -> folium.FeatureGroup:
    """The offline vector basemap: Natural Earth countries, land borders, rivers, and the
    place names of :func:`labels.add_place_names` (a layer of their own).

    It is the map's only background when there is no network, so the Iraq-Syria border and
    the Euphrates and Tigris must stand out on their own, and a user must find Baghdad or
    Kirkuk without clicking. It is drawn in its own pane, under every overlay
    (:data:`BASEMAP_PANE`).
    """
    folium.map.CustomPane(BASEMAP_PANE, z_index=BASEMAP_Z, pointer_events=True).add_to(m)
    group = folium.FeatureGroup(name="Basemap: countries, borders, rivers", overlay=True,
                                control=True, show=True)
    folium.GeoJson(
        _read_basemap("countries.geojson"), name="Countries",
        style_function=lambda _f: {"color": "#9a9a9a", "weight": 0.5, "fillColor": "#f4f1ea",
                                   "fillOpacity": 1.0},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        smooth_factor=1.0, pane=BASEMAP_PANE,
    ).add_to(group)
    folium.GeoJson(
        _read_basemap("rivers.geojson"), name="Rivers",
        style_function=lambda _f: {"color": "#4a90d9", "weight": 1.5, "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False), pane=BASEMAP_PANE,
    ).add_to(group)
    folium.GeoJson(
        _read_basemap("boundary_lines.geojson"), name="Borders",
        style_function=lambda _f: {"color": "#5a4a42", "weight": 2, "dashArray": "6 3",
                                   "opacity": 0.9}, pane=BASEMAP_PANE,
    ).add_to(group)
    group.add_to(m)
    add_place_names(m)
    return group


def add_online_tiles(m: folium.Map) -> folium.TileLayer:
    """OpenStreetMap tiles as an optional extra layer: needs the network, never required."""
    layer = folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=True, control=True,
        show=True, opacity=0.6, max_zoom=MAX_ZOOM,
    )
    layer.add_to(m)
    return layer
