"""The Folium map: the pieces of ``geo.web.map`` put together.

Every map feature is a self-contained piece that adds itself to a ``folium.Map``, in the manner
of folium's plugins (``geo.web.map``: ``basemap``, ``events`` (the event layers), ``bins`` (counted
cells), ``legend``, ``reference`` (gazetteer layers), ``assets`` (offline assets), ``focus``,
``popups``), so the Streamlit page, the CLI and tests compose the same pieces. This module
composes them: :func:`build_map` (the whole map), :func:`base_map` and :func:`event_groups` (a
map that stays put and the layers of each view sent beside it) and :func:`save_map` (a
standalone file), and re-exports the pieces' public names.

The map works with no network: the basemap is Natural Earth vector data shipped in
``data/basemap/`` and every JS/CSS/font asset folium would fetch from a CDN is pointed at the
copy vendored in ``static/vendor/`` (:func:`vendored`). Article text is untrusted:
everything shown in a popup, tooltip or legend goes through :func:`escape_text` first.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
import pandas as pd
from folium.plugins import MarkerCluster

from geo.model import Event, Place
from geo.web.map.assets import (
    APP_ASSET_BASE,
    MAP_SCRIPTS,
    MAP_SCRIPTS_BUNDLE,
    UNUSED_ASSETS,
    VENDOR_DIR,
    VENDORED_ASSETS,
    MapSetup,
    map_scripts_text,
    standalone_asset_base,
    vendored,
)
from geo.web.map.basemap import BASEMAP_PANE, BASEMAP_Z, add_basemap, add_online_tiles
from geo.web.map.bins import (
    BIN_PIXELS,
    BIN_RADIUS,
    BIN_TOP_TYPES,
    BINS_LAYER_NAME,
    BinLayer,
    add_bins,
    bin_cells,
    bin_popup,
    bin_radius,
    cell_degrees,
)
from geo.web.map.events import (
    FAST_PATH_THRESHOLD,
    UNREPORTED_OPACITY,
    ClusterData,
    EventCluster,
    EventLayerData,
    EventLayers,
    add_event_layer,
    cluster_data,
    event_layer_data,
)
from geo.web.map.focus import FOCUS_MESSAGE, FocusOnMessage
from geo.web.map.labels import LABEL_PANE, PLACE_NAMES_LAYER, PlaceNames, add_place_names
from geo.web.map.legend import Legend
from geo.web.map.popups import COMPACT_EVIDENCE_CHARS, popup_html, popup_parts, tooltip_text
from geo.web.map.records import (
    NO_ACTORS,
    REPORTED,
    UNDATED,
    UNKNOWN_COUNT,
    UNKNOWN_PLACE,
    actors_text,
    count_text,
    date_text,
    events_frame,
    is_drawable,
    place_text,
    split_drawable,
    status_of,
    type_text,
)
from geo.web.map.reference import PlaceLayer, add_reference_places
from geo.web.map.style import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    EVENT_LAYERS,
    LAYER_OF_TYPE,
    MAX_ZOOM,
    TYPE_STYLES,
    MapInputError,
    TypeStyle,
)
from geo.web.map.text import escape_text, highlight, highlight_parts

__all__ = [
    "APP_ASSET_BASE", "ATTRIBUTION", "BASEMAP_PANE", "BASEMAP_Z", "BINS_LAYER_NAME", "BIN_PIXELS",
    "BIN_RADIUS", "BIN_TOP_TYPES", "COMPACT_EVIDENCE_CHARS", "DEFAULT_CENTER", "DEFAULT_ZOOM",
    "EVENT_LAYERS", "FAST_PATH_THRESHOLD", "FOCUS_MESSAGE", "LABEL_PANE", "LAYER_OF_TYPE",
    "MAP_SCRIPTS", "MAP_SCRIPTS_BUNDLE", "MAX_ZOOM", "NO_ACTORS", "PLACE_NAMES_LAYER", "REPORTED",
    "TYPE_STYLES", "UNDATED", "UNKNOWN_COUNT", "UNKNOWN_PLACE", "UNREPORTED_OPACITY",
    "UNUSED_ASSETS", "VENDORED_ASSETS", "VENDOR_DIR", "BinLayer", "ClusterData", "EventCluster",
    "EventLayerData", "EventLayers", "FocusOnMessage", "Legend", "MapInputError", "MapSetup",
    "PlaceLayer", "PlaceNames", "TypeStyle", "actors_text", "add_basemap", "add_bins",
    "add_event_layer", "add_online_tiles", "add_place_names", "add_reference_places",
    "base_map", "bin_cells", "bin_popup", "bin_radius", "build_map", "cell_degrees",
    "cluster_data", "count_text", "date_text", "escape_text", "event_groups", "event_layer_data",
    "events_frame", "highlight", "highlight_parts", "is_drawable", "vendored",
    "map_scripts_text", "place_text", "popup_html", "popup_parts", "save_map", "split_drawable",
    "standalone_asset_base", "status_of", "tooltip_text", "type_text"
]

#: The map's data attribution (GeoNames' licence asks for it; Natural Earth's does not).
ATTRIBUTION = ("Basemap: Natural Earth (public domain); place names: GeoNames "
               "(geonames.org, CC BY 4.0)")


def event_groups(drawn: pd.DataFrame | Iterable[Event], bins: pd.DataFrame | None = None, *,
                 fast_threshold: int = FAST_PATH_THRESHOLD,
                 asset_base: str = APP_ASSET_BASE,
                 layers: EventLayers | None = None) -> list[folium.FeatureGroup]:
    """The events of one view as feature groups to send beside a map that stays put
    (``st_folium(feature_group_to_add=...)``): one group per :data:`EVENT_LAYERS` kind with
    events, or one group of counted cells. Why: a new view then swaps these layers in the
    open map instead of rebuilding the map, its basemap and reference layers (about 2 s).
    ``layers``: as in :func:`build_map`."""
    groups: list[folium.FeatureGroup] = []
    if bins is not None and not bins.empty:
        group = folium.FeatureGroup(name=BINS_LAYER_NAME, overlay=True, control=True)
        add_bins(group, bins)
        groups.append(group)
    if layers is None:
        layers = event_layer_data(split_drawable(events_frame(drawn))[0],
                                  fast_threshold=fast_threshold)
    for layer in layers.layers:
        group = folium.FeatureGroup(name=layer.name, overlay=True, control=True)
        add_event_layer(group, layer, asset_base)
        groups.append(group)
    return groups


def base_map(*, sites: Iterable[Place] = (), crossings: Iterable[Place] = (),
             online_tiles: bool = False, center: tuple[float, float], zoom: int,
             legend_types: Iterable[str], asset_base: str = APP_ASSET_BASE) -> folium.Map:
    """The map without events, for a page that sends each view's events as
    :func:`event_groups`: the basemap, reference layers and a fixed legend, no layer control
    (the caller adds one after the groups), and the marker-cluster assets the groups may
    need: the browser loads a map's scripts once, when it first draws it."""
    m = build_map([], sites=sites, crossings=crossings, online_tiles=online_tiles,
                  asset_base=asset_base, center=center, zoom=zoom, fit_to_events=False,
                  legend_types=legend_types, layer_control=False)
    vendored(MarkerCluster(name="marker cluster assets", control=False, show=False),
             asset_base).add_to(m)
    return m



def build_map(
    events: pd.DataFrame | Iterable[Event],
    *,
    sites: Iterable[Place] = (),
    crossings: Iterable[Place] = (),
    online_tiles: bool = False,
    asset_base: str = APP_ASSET_BASE,
    fast_threshold: int = FAST_PATH_THRESHOLD,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    fit_to_events: bool = True,
    height: str | int = "100%",
    bins: pd.DataFrame | None = None,
    legend_types: Iterable[str] | None = None,
    layer_control: bool = True,
    layers: EventLayers | None = None,
) -> folium.Map:
    """The conflict map of ``events`` (a store frame or ``Event`` objects).

    Located, non-aggregate events are drawn in toggleable clustered layers by kind; the rest
    are for the caller to list (:func:`split_drawable`). ``sites`` and ``crossings`` are
    gazetteer places drawn as reference layers. Nothing is fetched from the internet unless
    ``online_tiles`` adds the optional OpenStreetMap layer. ``bins`` (``Store.bins``
    counts) are drawn as counted circles, for views holding more events than a browser can
    draw one by one; the events passed are drawn as points beside them. ``legend_types``
    fixes the legend (default: the types drawn); ``layer_control=False`` leaves the layer
    control out, for a caller that adds its own after more layers (:func:`event_groups`).
    ``layers``: what :func:`event_layer_data` made of the drawable ones of these events
    before (a page keeps it between runs: most of the time a big map takes to build); the
    map then draws it and reads nothing of ``events``, which may be left empty.
    """
    if layers is None:
        layers = event_layer_data(split_drawable(events_frame(events))[0],
                                  fast_threshold=fast_threshold)
    m = vendored(folium.Map(
        location=center or DEFAULT_CENTER, zoom_start=zoom or DEFAULT_ZOOM, tiles=None,
        control_scale=True, prefer_canvas=False, height=height,
    ), asset_base)
    # With tiles=None folium gives max/min zoom to no one: without maxZoom Leaflet cannot
    # know the zoom range and marker clusters draw nothing.
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=2)
    MapSetup(asset_base, ATTRIBUTION).add_to(m)
    add_basemap(m)
    if online_tiles:
        add_online_tiles(m)
    add_reference_places(m, sites, name="Known bases and airfields (gazetteer)",
                         color="#0067a3")
    add_reference_places(m, crossings, name="Known border crossings (gazetteer)",
                         color="#436978")
    for layer in layers.layers:
        add_event_layer(m, layer, asset_base)
    shown = set(layers.types)
    if bins is not None and not bins.empty:
        add_bins(m, bins)
        shown |= set(bins["event_type"])
    Legend(sorted(shown if legend_types is None else set(legend_types))).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    if fit_to_events and center is None and layers.box is not None \
            and layers.centre is not None:
        south, west, north, east = layers.box
        if north - south > 0.05 or east - west > 0.05:
            m.fit_bounds([[south, west], [north, east]], padding=(30, 30), max_zoom=8)
        else:
            m.location = list(layers.centre)
    return m



def save_map(events: pd.DataFrame | Iterable[Event], out: str | Path, **kwargs: Any) -> Path:
    """Write a standalone HTML map that opens offline from disk, next to this project's
    ``static/vendor`` (assets are referenced by relative path, not copied)."""
    out = Path(out)
    if out.suffix.lower() not in {".html", ".htm"}:
        raise MapInputError(f"map output must be an .html file: {out}")
    kwargs.setdefault("asset_base", standalone_asset_base(out))
    m = build_map(events, **kwargs)
    out.parent.mkdir(parents=True, exist_ok=True)
    m.save(str(out))
    return out
