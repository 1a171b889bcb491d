"""The Streamlit page: filters, the map, the table, the timeline, downloads, adding articles.

``app.py`` calls :func:`main`. The page reads everything from the event store named by
``Settings`` (``CONFLICT_MAP_STORE``) and asks the store itself to filter, so every count shown
is the store's own answer. Filter state lives in the URL (``st.query_params``) so a view can be
shared as a link. Pure helpers (filters <-> URL, store arguments, timeline, nearest sites, the
map's view and plan) are module functions so tests can call them without a browser.

At scale the page never loads every row: the sidebar, the counts and the timeline come from
``EventStore.facets`` (SQL GROUP BYs, cached until the store changes), the table shows the first
:data:`TABLE_ROWS`, downloads are built only when clicked, and when more events match than a
browser can draw (``Settings.map_max_points``) the map shows
the store's per-cell counts for the current view (``EventStore.bins``), refined as the user pans
and zooms, and the events themselves once the view holds few enough.
"""

from __future__ import annotations

import dataclasses
import html
import json
import math
import re
import zlib
from collections.abc import (
    Callable,
    Collection,
    Hashable,
    Iterable,
    Mapping,
    MutableMapping,
    Sequence,
)
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

import folium
import pandas as pd
import streamlit as st
from geopy.distance import geodesic
from streamlit_folium import st_folium

from geo.articles import (
    Article,
    ArticleError,
    article_from_bytes,
    article_from_text,
)
from geo.config import Settings
from geo.extract import Extractor
from geo.formats import flat_frame, to_geojson
from geo.gazetteer import Gazetteer
from geo.geodesy import haversine_km
from geo.inputs import printable
from geo.model import SITE_KINDS, Event, Place
from geo.pipeline import seed_store_if_empty, store_article
from geo.store import EventStore
from geo.web.mapview import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    FOCUS_MESSAGE,
    MAX_ZOOM,
    TYPE_STYLES,
    EventLayers,
    FocusOnMessage,
    base_map,
    build_map,
    cell_degrees,
    escape_text,
    event_groups,
    event_layer_data,
    popup_html,
    split_drawable,
)

#: Columns of the events table, in order.
TABLE_COLUMNS = ("date", "event_type", "place_name", "country", "killed", "wounded", "actors",
                 "dataset", "evidence", "id")
#: Query-string keys of the filters (short, so shared links stay readable).
Q_TYPES, Q_SINCE, Q_UNTIL, Q_ACTORS, Q_COUNTRIES, Q_DATASETS = (
    "type", "since", "until", "actor", "country", "dataset")
Q_TEXT, Q_MIN_KILLED, Q_UNDATED, Q_TILES = "q", "min_killed", "undated", "tiles"

#: Rows of the events table (sortable in the browser; more would only slow the page down).
TABLE_ROWS = 2_000
#: Store facets the sidebar needs (whole store: cached until the store changes) and those
#: the count line, the timeline and the map need for the filtered events.
SIDEBAR_FACETS = ("total", "by_type", "by_dataset", "by_country", "actors", "date_min",
                  "date_max")
VIEW_FACETS = ("total", "drawable", "by_day", "bounds")
#: Up to this zoom the page asks the store for the cells of every filtered event (a few
#: thousand rows, cached) and cuts out the view; closer in, only the view's box is counted.
WHOLE_BINS_MAX_ZOOM = 6
#: The map's size on the page, used to turn a centre and zoom into a bounding box.
MAP_HEIGHT_PX, MAP_WIDTH_PX = 560, 1100


class FilterError(ValueError):
    """A filter value in the URL that cannot be understood."""


@dataclass(frozen=True)
class Filters:
    """What the sidebar asks of the store. ``None``/empty means "no filter on this field"."""

    types: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    text: str = ""
    min_fatalities: int | None = None
    include_undated: bool = True
    online_tiles: bool = False

    def store_kwargs(self, stored_types: Collection[str] = ()) -> dict[str, Any]:
        """Keyword arguments for ``EventStore.query_frame``/``count``. Types that include
        every one of ``stored_types`` (the store's) are no filter, and are left out: SQLite
        then plans without the type index (on a million events, counting the drawable ones
        took 2.8 s with the list of every type, 0.4 s without)."""
        kwargs: dict[str, Any] = {"include_undated": self.include_undated}
        if self.types is not None and not (stored_types and set(self.types) >= set(stored_types)):
            kwargs["types"] = list(self.types)
        if self.since is not None:
            kwargs["since"] = self.since
        if self.until is not None:
            kwargs["until"] = self.until
        if self.actors:
            kwargs["actors"] = list(self.actors)
        if self.countries:
            kwargs["countries"] = list(self.countries)
        if self.datasets:
            kwargs["datasets"] = list(self.datasets)
        if self.text.strip():
            kwargs["text"] = self.text.strip()
        if self.min_fatalities:
            kwargs["min_fatalities"] = self.min_fatalities
        return kwargs


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def _parse_day(value: str | None, key: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"URL parameter {key}={value!r} is not a YYYY-MM-DD date") from None


def filters_from_query(params: Mapping[str, Sequence[str]]) -> Filters:
    """Filters from query parameters (each key -> all its values, as ``get_all`` gives)."""
    types = tuple(params.get(Q_TYPES) or ()) or None
    if types is not None:
        if types == ("none",):
            types = ()
        unknown = [t for t in types if t not in TYPE_STYLES]
        if unknown:
            raise FilterError(f"unknown event type in URL: {', '.join(unknown)}")
    min_killed = _one(params, Q_MIN_KILLED)
    try:
        min_fatalities = int(min_killed) if min_killed else None
    except ValueError:
        raise FilterError(f"URL parameter {Q_MIN_KILLED}={min_killed!r} is not a number") from None
    if min_fatalities is not None and min_fatalities < 0:
        raise FilterError(f"URL parameter {Q_MIN_KILLED} must be >= 0, got {min_fatalities}")
    since, until = _parse_day(_one(params, Q_SINCE), Q_SINCE), _parse_day(
        _one(params, Q_UNTIL), Q_UNTIL)
    if since and until and since > until:
        raise FilterError(f"URL date range is reversed: {since} > {until}")
    return Filters(
        types=types, since=since, until=until,
        actors=tuple(params.get(Q_ACTORS) or ()),
        countries=tuple(params.get(Q_COUNTRIES) or ()),
        datasets=tuple(params.get(Q_DATASETS) or ()),
        text=_one(params, Q_TEXT) or "",
        min_fatalities=min_fatalities or None,
        include_undated=_one(params, Q_UNDATED) != "0",
        online_tiles=_one(params, Q_TILES) == "1",
    )


def filters_to_query(f: Filters) -> dict[str, str | list[str]]:
    """Query parameters for ``f``; default values are left out so links stay short."""
    q: dict[str, str | list[str]] = {}
    if f.types is not None:
        q[Q_TYPES] = list(f.types) or ["none"]
    if f.since:
        q[Q_SINCE] = f.since.isoformat()
    if f.until:
        q[Q_UNTIL] = f.until.isoformat()
    for key, values in ((Q_ACTORS, f.actors), (Q_COUNTRIES, f.countries),
                        (Q_DATASETS, f.datasets)):
        if values:
            q[key] = list(values)
    if f.text.strip():
        q[Q_TEXT] = f.text.strip()
    if f.min_fatalities:
        q[Q_MIN_KILLED] = str(f.min_fatalities)
    if not f.include_undated:
        q[Q_UNDATED] = "0"
    if f.online_tiles:
        q[Q_TILES] = "1"
    return q


# --- derived views ----------------------------------------------------------------------------

def timeline(frame: pd.DataFrame) -> pd.DataFrame:
    """Events per week (spans under ~4 months) or per month, by the first day they can mean."""
    if frame.empty or "date_start" not in frame:
        return pd.DataFrame(columns=["events"])
    days = frame["date_start"].dropna().astype(str).value_counts()
    return timeline_from_days(days.to_dict())


def table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The events table: readable columns, actors joined, evidence cut to a line."""
    if frame.empty:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    out = frame[list(TABLE_COLUMNS)].copy()
    out["event_type"] = out["event_type"].map(lambda t: TYPE_STYLES[t].label
                                              if t in TYPE_STYLES else t)
    out["place_name"] = out["place_name"].fillna(frame["place"])
    out["actors"] = [", ".join(a) if isinstance(a, list) else "" for a in frame["actors"]]
    out["evidence"] = out["evidence"].fillna("").str.slice(0, 160)
    return out.reset_index(drop=True)


def reference_places(frame: pd.DataFrame, kinds: Iterable[str]) -> list[Place]:
    """Stored base / crossing events as places, so "nearest" works even without a gazetteer."""
    kinds = set(kinds)
    out = []
    for row in frame.to_dict("records"):
        if row["event_type"] in kinds and pd.notna(row["lat"]) and pd.notna(row["lon"]):
            out.append(Place(id=f"event:{row['id']}",
                             name=row.get("place_name") or row.get("place") or "?",
                             kind=row.get("place_kind") or row["event_type"],
                             country=row.get("country") or "", lat=float(row["lat"]),
                             lon=float(row["lon"]), source="event store"))
    return out


def nearest_place(places: Iterable[Place], lat: float, lon: float,
                  exclude_id: str | None = None) -> tuple[Place, float] | None:
    """The place closest to (lat, lon) and its geodesic distance in km (WGS84 ellipsoid)."""
    best: tuple[Place, float] | None = None
    for place in places:
        if not place.has_point or place.id == exclude_id:
            continue
        km = geodesic((lat, lon), (place.lat, place.lon)).km
        if best is None or km < best[1]:
            best = (place, km)
    return best


def distance_sentence(subject: str, found: tuple[Place, float] | None, what: str) -> str:
    """E.g. "al-Qaim: 8 km from Al-Qaim border crossing (border crossing)"."""
    if found is None:
        return f"{subject}: no known {what} to measure from"
    place, km = found
    return f"{subject}: {km:,.1f} km from {place.name} ({what})"


def highlight_article(text: str, events: Iterable[tuple[int, int]],
                      places: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped article text with event evidence spans in ``<mark class='cm-event'>`` and place
    names in ``<b class='cm-place'>`` (a place inside an evidence sentence gets both). One
    sweep over the spans' ends: time linear in the text and the spans."""
    n = len(text)
    change: dict[int, list[int]] = {}  # offset -> [events opening - closing, places ...]
    for kind, spans in ((0, events), (1, places)):
        for s, e in spans:
            if 0 <= s < e <= n:
                change.setdefault(s, [0, 0])[kind] += 1
                change.setdefault(e, [0, 0])[kind] -= 1
    cuts = sorted({0, n, *change})
    out, open_events, open_places = [], 0, 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        opened = change.get(start, (0, 0))
        open_events, open_places = open_events + opened[0], open_places + opened[1]
        piece = html.escape(text[start:end]).replace("\n", "<br>")
        if open_places:
            piece = f"<b class='cm-place'>{piece}</b>"
        if open_events:
            piece = f"<mark class='cm-event'>{piece}</mark>"
        out.append(piece)
    return "".join(out)


def with_place(event: Event, place: Place) -> Event:
    """The event moved to another gazetteer place (the user's correction)."""
    return dataclasses.replace(
        event, place_id=place.id, place_name=place.name, place_kind=place.kind,
        country=place.country or event.country, lat=place.lat, lon=place.lon,
        geo_precision=1 if place.kind not in {"region", "country"} else 3,
        notes=(event.notes + "; " if event.notes else "") + f"place chosen by user: {place.id}",
    )


def timeline_from_days(by_day: Mapping[str, int]) -> pd.DataFrame:
    """Events per week (spans under ~4 months) or per month from counts per first day (the
    store's ``facets()["by_day"]``): the page never needs the rows for its chart."""
    if not by_day:
        return pd.DataFrame(columns=["events"])
    days = pd.Series(list(by_day.values()),
                     index=pd.to_datetime(list(by_day.keys()), errors="coerce"))
    days = days[days.index.notna()]
    if days.empty:
        return pd.DataFrame(columns=["events"])
    weekly = (days.index.max() - days.index.min()).days < 120
    freq = "W-MON" if weekly else "MS"
    starts = days.index.to_period("W" if weekly else "M").start_time
    counts = days.groupby(starts).sum()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=freq)
    out = counts.reindex(full, fill_value=0).sort_index().astype(int).to_frame("events")
    out.index.name = "week" if weekly else "month"
    return out


@dataclass(frozen=True)
class View:
    """What the map shows: centre, zoom and the (west, south, east, north) box."""

    lat: float
    lon: float
    zoom: int
    bbox: tuple[float, float, float, float]


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inverse_mercator(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def view_box(lat: float, lon: float, zoom: int, width_px: int = MAP_WIDTH_PX,
             height_px: int = MAP_HEIGHT_PX) -> tuple[float, float, float, float]:
    """The (west, south, east, north) a ``width_px`` x ``height_px`` Web Mercator map shows
    around a centre; longitudes are clamped to [-180, 180]."""
    deg_per_px = 360.0 / (256.0 * 2 ** zoom)
    half_lon = width_px / 2 * deg_per_px
    half_y = math.radians(height_px / 2 * deg_per_px)
    y = _mercator_y(lat)
    south, north = _inverse_mercator(y - half_y), _inverse_mercator(y + half_y)
    return (max(lon - half_lon, -180.0), max(south, -90.0), min(lon + half_lon, 180.0),
            min(north, 90.0))


def snap_view(lat: float, lon: float, zoom: int) -> View:
    """A view whose centre sits on a 4-pixel grid. Why: the map reports its view back after
    every redraw, up to half a pixel off; snapping makes that report land on the same view,
    so a redraw does not ask for another one."""
    zoom = int(min(max(zoom, 2), MAX_ZOOM))
    step = 4 * 360.0 / (256.0 * 2 ** zoom)
    lon = round(lon / step) * step
    lat = _inverse_mercator(round(_mercator_y(lat) / math.radians(step)) * math.radians(step))
    lat, lon = round(lat, 6), round(max(min(lon, 180.0), -180.0), 6)
    return View(lat, lon, zoom, view_box(lat, lon, zoom))


def view_from_state(state: Any) -> View | None:
    """The view the map last reported (st_folium's ``center`` and ``zoom``), or None."""
    if not isinstance(state, Mapping):
        return None
    center, zoom = state.get("center"), state.get("zoom")
    try:
        lat, lon, z = float(center["lat"]), float(center["lng"]), int(zoom)  # type: ignore
    except (TypeError, KeyError, ValueError):
        return None
    lon = (lon + 180.0) % 360.0 - 180.0  # a map panned round the world reports lon > 180
    return snap_view(lat, lon, z)


def fit_view(bounds: Sequence[float] | None) -> View:
    """The view showing (south, west, north, east) whole at the largest zoom that fits."""
    if not bounds:
        return snap_view(*DEFAULT_CENTER, DEFAULT_ZOOM)
    south, west, north, east = (float(v) for v in bounds)
    lat = _inverse_mercator((_mercator_y(south) + _mercator_y(north)) / 2)
    lon = (west + east) / 2
    zoom = 2
    for z in range(2, 12):
        w, s, e, n = view_box(lat, lon, z)
        if w <= west and e >= east and s <= south and n >= north:
            zoom = z
    return snap_view(lat, lon, zoom)


def _cells_in(bins: pd.DataFrame, cell: float,
              box: tuple[float, float, float, float]) -> pd.DataFrame:
    """The cells of ``bins`` that touch the (west, south, east, north) box."""
    west, south, east, north = box
    rows = (bins["row"] * cell - 90.0, (bins["row"] + 1) * cell - 90.0)
    cols = (bins["col"] * cell - 180.0, (bins["col"] + 1) * cell - 180.0)
    keep = (rows[1] >= south) & (rows[0] <= north) & (cols[1] >= west) & (cols[0] <= east)
    return bins[keep].reset_index(drop=True)


@dataclass(frozen=True)
class MapPlan:
    """What the map draws: every matching point, the points in view, or counted cells."""

    mode: str  # "all" (every drawable event), "view" (the points in view) or "bins"
    layers: EventLayers | None  # the events drawn one by one ("all" and "view" modes)
    bins: pd.DataFrame | None  # EventStore.bins rows, in "bins" mode
    view: View | None  # None in "all" mode: the map fits the events itself
    in_view: int  # drawable events the drawn layers stand for


def plan_map(store: EventStore, kwargs: Mapping[str, Any], drawable: int, budget: int,
             view: View | None, bounds: Sequence[float] | None) -> MapPlan:
    """Decide what to draw. Up to ``budget`` drawable events in all: every one, as before.
    Above it: the current ``view`` (else one fitting ``bounds``), its box padded by half a
    screen each way so a small pan still has data; cells of the zoom's size when the box holds
    more than ``budget``, else its events."""
    generation = store.generation()  # before the queries: it keys the layers made of them
    if drawable <= budget:
        layers = event_layers_of(store, generation, kwargs,
                                 lambda: drawable_points(store, kwargs))
        return MapPlan("all", layers, None, None, layers.count)
    view = view or fit_view(bounds)
    west, south, east, north = view.bbox
    pad_lon, pad_lat = (east - west) / 2, (north - south) / 2
    box = (max(west - pad_lon, -180.0), max(south - pad_lat, -90.0),
           min(east + pad_lon, 180.0), min(north + pad_lat, 90.0))
    bin_kwargs = {k: v for k, v in kwargs.items() if k != "include_unlocated"}
    cell = cell_degrees(view.zoom)
    # from the store's numpy snapshot (tens of ms) once it is read; SQL until then (the first
    # call starts reading it in the background)
    if view.zoom <= WHOLE_BINS_MAX_ZOOM:
        # the whole filtered set, cached by the store: panning at this zoom costs nothing
        bins = _cells_in(store.fast_bins(cell, wait=False, **bin_kwargs), cell, box)
    else:
        bins = store.fast_bins(cell, bbox=box, wait=False, **bin_kwargs)
    in_view = int(bins["n"].sum()) if not bins.empty else 0
    if in_view > budget:
        return MapPlan("bins", None, bins, view, in_view)
    in_box = {**kwargs, "bbox": box}
    layers = event_layers_of(store, generation, in_box, lambda: drawable_points(store, in_box))
    return MapPlan("view", layers, None, view, layers.count)


def drawable_points(store: EventStore, kwargs: Mapping[str, Any]) -> pd.DataFrame:
    """The events ``kwargs`` selects that the map can draw as points."""
    return split_drawable(store.query_frame(**{**kwargs, "include_unlocated": False}))[0]


def filters_key(kwargs: Mapping[str, Any]) -> str:
    """The store filters ``kwargs`` as a key for what the page keeps of them."""
    return repr(sorted(kwargs.items()))


# --- cached resources -------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def open_store(store_dir: str) -> EventStore:
    """One store connection per process and store folder (SQLite WAL allows concurrent reads)."""
    return EventStore(store_dir)


def event_layers_of(store: EventStore, generation: int, kwargs: Mapping[str, Any],
                    points: Callable[[], pd.DataFrame]) -> EventLayers:
    """The map layers of the drawable events ``kwargs`` selects from ``store`` at
    ``generation`` (:meth:`EventStore.generation`, read before any query); ``points`` queries
    them, only when they are not kept yet. Kept per store, generation and filters: every run
    of the page draws the map again (a held first run and its rerun, a row selected in the
    table, a form filled in), and making the layers is most of what building a big map takes
    (0.6 of 0.64 s at 10,000 events; the query 0.15-0.2 s more)."""
    return kept_event_layers(str(store.path), generation, filters_key(kwargs), points)


@st.cache_resource(max_entries=4, show_spinner=False)
def kept_event_layers(path: str, generation: int, filters: str,
                      _points: Callable[[], pd.DataFrame]) -> EventLayers:
    """:func:`event_layers_of`'s cache: the leading underscore keeps the query out of the key
    (path, generation and filters stand for it). The layers are shared, never changed.
    ``kept_event_layers.clear()`` empties it (the map bench times views as first asked)."""
    return event_layer_data(_points())


def table_rows_of(store: EventStore, generation: int, kwargs: Mapping[str, Any],
                  limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events ``kwargs`` selects (the first ``limit`` by date, or all) and the events
    table made of them (:func:`table_frame`), kept like the map's layers: a rerun at the same
    filters (a row selected) read and shaped every row again (0.2 s at 10,000 events)."""
    return kept_table_rows(str(store.path), generation, filters_key(kwargs), limit,
                           lambda: store.query_frame(**kwargs, limit=limit))


@st.cache_resource(max_entries=2, show_spinner=False)
def kept_table_rows(path: str, generation: int, filters: str, limit: int | None,
                    _query: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`table_rows_of`'s cache (2 entries: the 20,000 events of the point budget are
    about 40 MB of rows and table). The frames are shared, never changed."""
    frame = _query()
    return frame, table_frame(frame)


@st.cache_resource(show_spinner="Filling the store from seeds/ ...")
def seed_once(settings: Settings) -> int:
    """Fill an empty store from ``seeds/`` once per process, so a fresh start shows a map."""
    return int(seed_store_if_empty(settings) or 0)


@st.cache_resource(show_spinner="Loading the gazetteer ...")
def load_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer, loaded once per process (its pickle cache makes that about a second)."""
    return Gazetteer.load(settings)


#: The region whose gazetteer sites and crossings are drawn for context (the basemap's extent).
REFERENCE_CENTER, REFERENCE_KM = (33.0, 42.5), 1300.0


def reference_places_of(gazetteer: Gazetteer) -> tuple[list[Place], list[Place]]:
    """(sites, crossings) of the gazetteer around Iraq and Syria, for the reference layers."""
    sites = [p for p, _km in gazetteer.nearest(*REFERENCE_CENTER, kinds=SITE_KINDS,
                                               limit=5000, max_km=REFERENCE_KM)]
    crossings = [p for p, _km in gazetteer.nearest(*REFERENCE_CENTER, kinds={"border_crossing"},
                                                   limit=5000, max_km=REFERENCE_KM)]
    return sites, crossings


@st.cache_resource(show_spinner=False)
def reference_layers(_gazetteer: Gazetteer, settings: Settings) -> tuple[list[Place], list[Place]]:
    """:func:`reference_places_of`, once per process. ``settings`` keys the cache (the
    leading underscore keeps the gazetteer out of the key)."""
    return reference_places_of(_gazetteer)


#: Half-widths (degrees) of the boxes searched, in turn, for stored bases/crossings near an
#: event: the nearest is almost always in the first, and a box keeps the read small at scale.
NEAREST_BOXES = (1.0, 4.0, 15.0)
#: Candidates re-measured on the ellipsoid after the quick great-circle ranking.
NEAREST_CANDIDATES = 8


def stored_places_near(store: EventStore, lat: float, lon: float,
                       event_type: str) -> list[Place]:
    """Stored events of ``event_type`` near a point as places, from the smallest box of
    :data:`NEAREST_BOXES` holding any, the closest few by great-circle distance."""
    for half in NEAREST_BOXES:
        box = (max(lon - half, -180.0), max(lat - half, -90.0), min(lon + half, 180.0),
               min(lat + half, 90.0))
        frame = store.query_frame(types=[event_type], bbox=box, include_unlocated=False)
        places = reference_places(frame, {event_type})
        if places:
            places.sort(key=lambda p: haversine_km(lat, lon, p.lat, p.lon))  # type: ignore
            return places[:NEAREST_CANDIDATES]
    return []


def nearest_from(gazetteer: Gazetteer | None, store: EventStore, lat: float, lon: float,
                 kinds: Iterable[str], event_type: str,
                 exclude_id: str) -> tuple[Place, float] | None:
    """Nearest gazetteer place of ``kinds`` or stored event of ``event_type``, geodesic km.

    The gazetteer's own ``nearest`` and the store's box search rank by great-circle distance;
    their few best are re-measured on the WGS84 ellipsoid."""
    pool = stored_places_near(store, lat, lon, event_type)
    if gazetteer is not None:
        pool += [p for p, _km in gazetteer.nearest(lat, lon, kinds=set(kinds), limit=5)]
    return nearest_place(pool, lat, lon, exclude_id)


# --- the page ---------------------------------------------------------------------------------

def _type_order(t: str) -> int:
    return list(TYPE_STYLES).index(t) if t in TYPE_STYLES else 99


def _init_state_from_url(present_types: Iterable[str]) -> None:
    """Once per session: the URL's filters become the widgets' values."""
    if st.session_state.get("_cm_url_loaded"):
        return
    st.session_state["_cm_url_loaded"] = True
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    try:
        f = filters_from_query(params)
    except FilterError as exc:
        st.session_state["_cm_url_error"] = str(exc)
        f = Filters()
    st.session_state["f_types"] = (list(f.types) if f.types is not None
                                   else sorted(present_types, key=_type_order))
    st.session_state["f_actors"] = list(f.actors)
    st.session_state["f_countries"] = list(f.countries)
    st.session_state["f_datasets"] = list(f.datasets)
    st.session_state["f_text"] = f.text
    st.session_state["f_min_killed"] = f.min_fatalities or 0
    st.session_state["f_undated"] = f.include_undated
    st.session_state["f_tiles"] = f.online_tiles
    if f.since or f.until:
        st.session_state["f_dates_url"] = (f.since, f.until)


def _date_bounds(facets: Mapping[str, Any]) -> tuple[date, date] | None:
    """First and last day the store's events can mean (from its facets, not its rows)."""
    if not facets.get("date_min"):
        return None
    lo = date.fromisoformat(facets["date_min"])
    return lo, max(lo, date.fromisoformat(facets["date_max"] or facets["date_min"]))


def _follow_new_types(present: set[str]) -> None:
    """Types that appear in the store after the session started (an added article) are
    selected too, unless the user had narrowed the selection."""
    known = st.session_state.get("_cm_known_types")
    st.session_state["_cm_known_types"] = present
    if known is None or present <= known:
        return
    chosen = list(st.session_state.get("f_types", []))
    if set(chosen) >= known:
        st.session_state["f_types"] = chosen + sorted(present - set(chosen))


def _follow_date_bounds(lo: date, hi: date) -> None:
    """The date widget starts at the store's full range (or the URL's range) and follows the
    range as events are added, unless the user had narrowed it."""
    url_range = st.session_state.pop("f_dates_url", None)
    old = st.session_state.get("_cm_date_bounds")
    st.session_state["_cm_date_bounds"] = (lo, hi)
    if url_range:
        st.session_state["f_dates"] = (url_range[0] or lo, url_range[1] or hi)
    elif "f_dates" not in st.session_state or st.session_state["f_dates"] == old:
        st.session_state["f_dates"] = (lo, hi)


def _counted(counts: Mapping[str, int], chosen: Iterable[str]) -> list[str]:
    """Options of a multiselect: the store's values, commonest first, plus any chosen value
    the store no longer has (a shared link), so the widget keeps it."""
    return list(dict.fromkeys([*counts, *chosen]))


def sidebar_filters(facets: Mapping[str, Any]) -> Filters:
    """The sidebar: every filter, with counts from the store's facets."""
    sb = st.sidebar
    sb.header("Filters")
    by_type = facets["by_type"]
    _follow_new_types(set(by_type))
    type_options = sorted(set(by_type) | set(st.session_state.get("f_types", [])),
                          key=_type_order)
    types = sb.multiselect(
        "Event types", type_options, key="f_types",
        format_func=lambda t: f"{TYPE_STYLES[t].label if t in TYPE_STYLES else t} "
                              f"({by_type.get(t, 0):,})")
    since = until = None
    bounds = _date_bounds(facets)
    if bounds:
        lo, hi = bounds
        _follow_date_bounds(lo, hi)
        current = st.session_state["f_dates"]
        picked = sb.date_input("Date range", key="f_dates",
                               min_value=min(lo, current[0]) if current else lo,
                               max_value=max(hi, current[-1]) if current else hi)
        if isinstance(picked, Sequence) and len(picked) == 2:
            since = picked[0] if picked[0] > lo else None
            until = picked[1] if picked[1] < hi else None
    include_undated = sb.checkbox("Include undated events", key="f_undated")
    multis = {}
    for key, label, counts in (("f_actors", "Actors", facets["actors"]),
                               ("f_countries", "Country", facets["by_country"]),
                               ("f_datasets", "Dataset / source", facets["by_dataset"])):
        options = _counted(counts, st.session_state.get(key, []))
        multis[key] = sb.multiselect(label, options, key=key,
                                     format_func=lambda v, c=counts: f"{v} ({c.get(v, 0):,})")
    text = sb.text_input("Search text (place, evidence, source, actor)", key="f_text")
    min_killed = sb.number_input("Minimum killed", min_value=0, step=1, key="f_min_killed")
    online = sb.checkbox("Online OpenStreetMap tiles (needs internet)", key="f_tiles")
    return Filters(
        types=tuple(types), since=since, until=until, actors=tuple(multis["f_actors"]),
        countries=tuple(multis["f_countries"]), datasets=tuple(multis["f_datasets"]),
        text=text, min_fatalities=int(min_killed) or None, include_undated=include_undated,
        online_tiles=online,
    )


def _sync_url(f: Filters, all_types: Iterable[str]) -> None:
    q = filters_to_query(f)
    if f.types is not None and set(f.types) == set(all_types):
        q.pop(Q_TYPES, None)  # "all types" is the default: keep the link short
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in q.items()}
    if current != wanted:
        st.query_params.from_dict(q)


def _selected_row(table: pd.DataFrame, state: Any) -> dict[str, Any] | None:
    try:
        rows = state.selection.rows
    except AttributeError:
        return None
    return table.iloc[rows[0]].to_dict() if rows and rows[0] < len(table) else None


#: The zoom a selected event is shown at.
FOCUS_ZOOM = 11


def _focus_point(focus: dict[str, Any] | None) -> tuple[float, float] | None:
    """The point of a selected event, None when there is none or it has no point."""
    if focus is None or pd.isna(focus.get("lat")) or pd.isna(focus.get("lon")):
        return None
    return float(focus["lat"]), float(focus["lon"])


def _focus_view(focus: dict[str, Any] | None) -> View | None:
    """A newly selected table row centres the map on its event (once: the user may pan on)."""
    point = _focus_point(focus)
    if point is None or st.session_state.get("_cm_focus_id") == focus["id"]:
        return None
    st.session_state["_cm_focus_id"] = focus["id"]
    return snap_view(*point, FOCUS_ZOOM)


@dataclass
class MapFigure:
    """What the page hands ``st_folium`` for a plan: the map and, for a map that stays put
    from view to view, the view's layers and where to put the map."""

    map: folium.Map
    groups: list[folium.FeatureGroup] | None  # None: the events are in the map itself
    center: tuple[float, float] | None
    zoom: int | None


def map_figure(plan: MapPlan, reference: tuple[list[Place], list[Place]], *,
               online_tiles: bool = False, legend_types: Sequence[str] = (),
               put: View | None = None) -> MapFigure:
    """The map of a plan, with gazetteer sites and crossings for context (what
    :func:`render_map` draws; ``bench/map_bench.py`` times this same function).

    With every event drawn ("all") the map holds them and fits them; a selected event is
    shown by a message to the map (:func:`focus_map`). Otherwise the map itself does not
    depend on the view (a fixed start, moved by ``center``/``zoom``), so its script, and with
    it streamlit-folium's component key, stays the same from view to view: the browser keeps
    the map, its basemap and reference layers, and swaps only the view's groups
    (``legend_types``: the types the legend lists). ``put`` is where the page puts the map
    (:func:`map_placement`; default the plan's view)."""
    sites, crossings = reference
    if plan.view is None:
        m = build_map([], sites=sites, crossings=crossings, online_tiles=online_tiles,
                      layers=plan.layers)
        FocusOnMessage().add_to(m)
        return MapFigure(m, None, None, None)
    m = base_map(sites=sites, crossings=crossings, online_tiles=online_tiles,
                 center=DEFAULT_CENTER, zoom=DEFAULT_ZOOM, legend_types=legend_types)
    put = put or plan.view
    return MapFigure(m, event_groups([], plan.bins, layers=plan.layers),
                     (put.lat, put.lon), put.zoom)


#: What a map holding every point reports on a session's held first run (st_folium's
#: ``returned_objects``): its WMS layers, of which it has none. streamlit-folium sends the list
#: at the map's first move, [] against None before, and never again, since it stays []: one
#: report, which reruns the page whole, and no rerun on later pans. The first move comes once
#: the map is drawn, when its frame takes its height (Leaflet redraws at the new size; a
#: map that fits its events moves as well). streamlit-folium keeps the ``returned_objects`` a
#: map was created with, whatever later runs pass (:func:`asks_drawn_report` says what).
REPORT_DRAWN = ["selected_layers"]
#: Session key of :func:`asks_drawn_report`: the map (store generation, filters and basemap)
#: whose held first run asked for the drawn report.
ASKED_REPORT = "_cm_asked_report"


def asks_drawn_report(state: MutableMapping[str, Any], map_key: Hashable | None,
                      held: bool) -> bool:
    """Whether this run's map of every point (``map_key``: its store generation, filters and
    basemap choice; None when the run draws no such map) asks for :data:`REPORT_DRAWN`.

    A held first run's map does, and so do later runs while they draw that same map, for
    their map to be the same element: Streamlit then sends a reference to the map the
    browser has, not the map again (the arguments differed only in this list: 4.2 MB sent
    again at 10,000 events). Any other map asks for nothing, and the first is forgotten:
    drawn again later, it would be a new map, which would report again."""
    if held:
        state[ASKED_REPORT] = map_key
    elif state.get(ASKED_REPORT) != map_key:
        state.pop(ASKED_REPORT, None)
    return map_key is not None and state.get(ASKED_REPORT) == map_key


def render_map(plan: MapPlan, f: Filters, reference: tuple[list[Place], list[Place]],
               focus: dict[str, Any] | None, legend_types: Sequence[str] = (),
               put: View | None = None, report_drawn: bool = False,
               map_key: Hashable = None) -> None:
    """The map of :func:`map_figure`. With every event drawn the map reports nothing back (no
    reruns on pans), but that it is drawn when ``report_drawn``, and goes to a selected event
    (``focus``) once per map (``map_key``: its store generation, filters and basemap);
    otherwise it reports its centre and zoom, so the next run sends the cells or points of the
    new view as feature groups, and the map stays at ``put``'s command."""
    fig = map_figure(plan, reference, online_tiles=f.online_tiles, legend_types=legend_types,
                     put=put)
    if fig.groups is None:
        st_folium(fig.map, key="cm_map", height=MAP_HEIGHT_PX, use_container_width=True,
                  returned_objects=REPORT_DRAWN if report_drawn else [], render=False)  # below
        point = _focus_point(focus)
        if point is not None:
            focus_map(*point, FOCUS_ZOOM, f"{focus['id']} {zlib.crc32(repr(map_key).encode()):08x}")
        return
    st_folium(fig.map, key="cm_map", height=MAP_HEIGHT_PX, use_container_width=True,
              returned_objects=["center", "zoom", "bounds"], center=fig.center, zoom=fig.zoom,
              feature_group_to_add=fig.groups,
              layer_control=folium.LayerControl(collapsed=True),
              # the map renders its elements itself; a render of the whole HTML page around
              # it (discarded by st_folium) cost 0.65 s per view on the reference layers, and
              # 0.15 s more for a map holding 10,000 points
              render=False)


#: The page's side of :class:`mapview.FocusOnMessage`: asks every frame of the page, every
#: 150 ms for at most 20 s (the map's frame may still be loading), until the map answers.
_FOCUS_SCRIPT = """<script>
(function () {
  var msg = %s, start = Date.now(), done = false;
  window.addEventListener("message", function (e) {
    var d = e.data;
    if (d && d.type === msg.type + ":done" && d.id === msg.id) { done = true; }
  });
  (function ask() {
    if (done || Date.now() - start > 20000) { return; }
    var frames = window.parent.frames;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i] !== window) { frames[i].postMessage(msg, window.origin); }
    }
    setTimeout(ask, 150);
  })();
})();
</script>"""


def focus_map(lat: float, lon: float, zoom: int, focus_id: str) -> None:
    """Puts the map of every point at a selected event by a message to its frame, not by
    st_folium's ``center``: a map whose arguments change is sent again (4.4 MB at 10,000
    events); a message moves the map the browser has. ``focus_id`` names the event and the
    map: the same pair asks once (the user may pan on), a new map again."""
    msg = {"type": FOCUS_MESSAGE, "id": focus_id, "lat": lat, "lon": lon, "zoom": zoom}
    # at the foot of the sidebar, one pixel high: in the page it pushed the table down
    st.sidebar.iframe(_FOCUS_SCRIPT % json.dumps(msg), height=1)


def render_selected(event_row: dict[str, Any], store: EventStore,
                    gazetteer: Gazetteer | None) -> None:
    """Details of the selected event and the nearest base and border crossing."""
    st.markdown(popup_html(event_row), unsafe_allow_html=True)
    if pd.isna(event_row.get("lat")) or pd.isna(event_row.get("lon")):
        st.info("This event has no point: no distances.")
        return
    lat, lon = float(event_row["lat"]), float(event_row["lon"])
    subject = str(event_row.get("place_name") or event_row.get("place") or "event")
    own = f"event:{event_row['id']}"
    base = nearest_from(gazetteer, store, lat, lon, SITE_KINDS, "base", own)
    crossing = nearest_from(gazetteer, store, lat, lon, {"border_crossing"},
                            "border_crossing", own)
    st.markdown(f"<div id='cm-nearest'>{escape_text(distance_sentence(subject, base, 'base'))}"
                f"<br>{escape_text(distance_sentence(subject, crossing, 'border crossing'))}"
                "</div>", unsafe_allow_html=True)


def render_downloads(store: EventStore, kwargs: Mapping[str, Any], total: int) -> None:
    """The filtered events as GeoJSON and CSV (the export module's formats), read from the
    store only when a button is clicked: a million rows are not built on every rerun."""
    def geojson() -> str:
        return json.dumps(to_geojson(store.query_frame(**kwargs)), ensure_ascii=False)

    def csv() -> str:
        return flat_frame(store.query_frame(**kwargs), actors_sep="; ").to_csv(
            index=False, lineterminator="\n")

    col1, col2 = st.columns(2)
    col1.download_button(f"Download GeoJSON ({total:,} events)", geojson,
                         file_name="events.geojson", mime="application/geo+json",
                         key="cm_dl_geojson", on_click="ignore")
    col2.download_button(f"Download CSV ({total:,} events)", csv, file_name="events.csv",
                         mime="text/csv", key="cm_dl_csv", on_click="ignore")


def render_add_article(store: EventStore, settings: Settings, gazetteer: Gazetteer) -> None:
    """Paste or upload an article, review its events and places, add them to the store."""
    with st.expander("Add an article", expanded=bool(st.session_state.get("cm_draft"))):
        pasted = st.text_area("Paste the article text", key="cm_paste", height=150)
        # no type= filter: Streamlit would raise its own exception for another suffix (a
        # crafted request); read_upload names the problem in one line instead
        upload = st.file_uploader(
            f"... or upload a .txt / .html file (at most {settings.max_article_bytes:,} bytes)",
            key="cm_upload")
        if st.button("Read the article", key="cm_read"):
            st.session_state.pop("cm_draft", None)
            try:
                article = _read_input(pasted, upload, settings)
            except ArticleError as exc:
                st.error(str(exc))
                return
            with st.spinner(f"Reading {len(article.text):,} characters ..."):
                st.session_state["cm_draft"] = {
                    "article": article, "events": Extractor(gazetteer).extract(article),
                    "places": [(m.start, m.end) for m in gazetteer.find_mentions(
                        article.text[:PREVIEW_CHARS])]}
        draft = st.session_state.get("cm_draft")
        if draft:
            _review_draft(store, draft, gazetteer)


#: File types :func:`read_upload` accepts (it checks them: the uploader itself takes any file).
UPLOAD_SUFFIXES = (".txt", ".html", ".htm")
#: Longest upload name kept as the article's label (a name is a label, never a path).
UPLOAD_NAME_CHARS = 120


def upload_label(name: str) -> str:
    """The upload's name as the page shows and records it: its last path part only (a browser
    may send ``../../x.txt`` or ``C:\\x.txt``), control characters escaped, cut to
    :data:`UPLOAD_NAME_CHARS`. Why: it labels the article; it never names a file."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = printable(base)[:UPLOAD_NAME_CHARS]
    return base if base.strip(". ") else "upload"


def read_upload(name: str, data: bytes, settings: Settings) -> Article:
    """An uploaded file's bytes as an article, read as ``read_article`` reads a file (same
    encodings, binary test and HTML cleaning) but from memory: uploads are never written to
    disk. Raises :class:`ArticleError` with one line naming the upload and the problem."""
    label = upload_label(name)
    suffix = PurePath(label).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ArticleError(f"{label}: not a .txt or .html file")
    limit = settings.max_article_bytes
    if len(data) > limit:
        raise ArticleError(f"{label}: too large ({len(data):,} bytes; the limit is {limit:,})")
    if not data.strip():
        raise ArticleError(f"{label}: empty file")
    return article_from_bytes(data, label)


def read_pasted(text: str, settings: Settings) -> Article:
    """Pasted text as an article, refused when empty or over ``max_article_bytes``."""
    if not text.strip():
        raise ArticleError("no article: paste text or upload a file")
    size = len(text.encode("utf-8", errors="replace"))
    if size > settings.max_article_bytes:
        raise ArticleError(f"pasted text: too large ({size:,} bytes; the limit is "
                           f"{settings.max_article_bytes:,})")
    return article_from_text(text, source="pasted text")


def _read_input(pasted: str, upload: Any, settings: Settings) -> Article:
    """The article to read: the upload first (held in memory by Streamlit), else the paste."""
    if upload is not None:
        return read_upload(upload.name, upload.getvalue(), settings)
    return read_pasted(pasted, settings)


#: The most characters of a draft shown highlighted, and the most events listed one by one
#: with a place to correct: a long page is reviewed by its start, the rest added as read, so
#: the page stays quick whatever the article's length.
PREVIEW_CHARS = 50_000
REVIEW_EVENTS = 50


def _review_draft(store: EventStore, draft: dict[str, Any], gazetteer: Gazetteer) -> None:
    article, events = draft["article"], draft["events"]
    shown = article.text[:PREVIEW_CHARS]
    spans = [(e.evidence_start, min(e.evidence_end, len(shown))) for e in events
             if e.evidence_start < len(shown)]
    st.markdown(f"**{escape_text(article.title or article.source)}**: {len(events)} event(s)")
    for note in draft_notes(article, events):
        st.info(note)
    st.markdown(
        "<div class='cm-article' style='max-height:300px;overflow:auto;border:1px solid #ddd;"
        f"padding:6px'>{highlight_article(shown, spans, draft['places'])}</div>",
        unsafe_allow_html=True)
    chosen: list[Event] = []
    for i, event in enumerate(events[:REVIEW_EVENTS]):
        label = TYPE_STYLES.get(event.event_type)
        st.markdown(f"{i + 1}. **{escape_text(label.label if label else event.event_type)}**, "
                    f"{escape_text(event.date or 'undated')}: “{escape_text(event.evidence)}”")
        chosen.append(_place_picker(i, event, gazetteer))
    chosen += events[REVIEW_EVENTS:]
    if chosen and st.button(f"Add {len(chosen)} event(s) to the store", key="cm_add",
                            type="primary"):
        result = store_article(store, article, chosen)
        st.session_state.pop("cm_draft", None)
        st.session_state["cm_added"] = (
            "this article is already in the store" if result.article_seen else
            f"added {result.added}, merged {result.merged}, unchanged {result.unchanged}")
        st.rerun()


def draft_notes(article: Article, events: Sequence[Event]) -> list[str]:
    """What the reader should know before adding a draft: a legacy encoding, no publication
    date (relative dates then stay unresolved), no events found (nothing to add)."""
    notes = []
    if article.encoding != "utf-8":
        notes.append(f"{article.source}: not UTF-8; read as {article.encoding}.")
    if article.published is None:
        notes.append("No publication date found (no DATE: line, dateline or page metadata): "
                     "relative dates such as 'on Tuesday' are left undated.")
    if not events:
        notes.append("No events found in this text (the extractor reads English news "
                     "reports): nothing to add.")
    if len(article.text) > PREVIEW_CHARS:
        notes.append(f"A long article: its first {PREVIEW_CHARS:,} of {len(article.text):,} "
                     "characters are shown.")
    if len(events) > REVIEW_EVENTS:
        notes.append(f"{len(events):,} events: the first {REVIEW_EVENTS} are listed to "
                     "review; the others are added as read.")
    return notes


def _place_picker(i: int, event: Event, gazetteer: Gazetteer) -> Event:
    """A select box of gazetteer candidates for the event's place; returns the chosen event."""
    if not event.place:
        return event
    candidates = gazetteer.candidates(event.place, country=event.country,
                                      context=event.evidence, limit=8)
    places = [c.place for c in candidates]
    if event.place_id and all(p.id != event.place_id for p in places):
        stored = gazetteer.get(event.place_id)
        if stored is not None:
            places.insert(0, stored)
    if len(places) < 2:
        return event
    current = next((k for k, p in enumerate(places) if p.id == event.place_id), 0)
    pick = st.selectbox(
        f"Place for “{event.place}”", range(len(places)), index=current, key=f"cm_place_{i}",
        format_func=lambda k: f"{places[k].name} ({places[k].kind}, {places[k].country}, "
                              f"{places[k].lat:.3f}, {places[k].lon:.3f})")
    return event if places[pick].id == event.place_id else with_place(event, places[pick])


def _counts_line(facets: Mapping[str, Any], total_all: int, plan: MapPlan) -> str:
    """The count line above the map; its data attributes are what the tests read."""
    total, drawable = facets["total"], facets["drawable"]
    where = {"all": f"{drawable:,} on the map",
             "view": f"{drawable:,} with a point, {plan.in_view:,} of them drawn in this view",
             "bins": f"{drawable:,} with a point, {plan.in_view:,} of them counted in cells "
                     "in this view (zoom in to see them one by one)"}[plan.mode]
    return (f"<span id='cm-counts' data-total='{total}' data-drawn='{drawable}' "
            f"data-listed='{total - drawable}' data-mode='{plan.mode}' "
            f"data-in-view='{plan.in_view}'>**{total:,}** of {total_all:,} events match: "
            f"{where}, {total - drawable:,} without a point</span>")


#: Session keys of :func:`map_placement`: the view the page last put the map at, and the
#: map it put it in.
PUT_VIEW, PUT_MAP = "_cm_put_view", "_cm_put_map"


def map_placement(state: MutableMapping[str, Any], view: View, map_id: Hashable,
                  moved_by_page: bool) -> View:
    """Where the page tells the map to be (``st_folium``'s ``center``/``zoom``): ``view`` when
    the page moves the map itself (``moved_by_page``: a selected event), when the map is a new
    one (``map_id``: what its script depends on; a new script is a new map in the browser, which
    starts at ``view``) or on the session's first map; otherwise the same as last time.

    Why not the view the map just reported: streamlit-folium moves the map whenever the centre
    or zoom it is sent differs from the last one, and an answer can arrive after the user has
    moved on, so it pulled the map back to where it had been. On the 1M store two answers in
    flight sent the map to and fro between two views for good (docs/map.md)."""
    if moved_by_page or state.get(PUT_MAP) != map_id or PUT_VIEW not in state:
        state[PUT_MAP], state[PUT_VIEW] = map_id, view
    return state[PUT_VIEW]


@st.fragment
def map_of_view(store: EventStore, kwargs: dict[str, Any], facets: dict[str, Any],
                total_all: int, budget: int, f: Filters,
                reference: tuple[list[Place], list[Place]],
                legend_types: Sequence[str] = ()) -> None:
    """The count line and the map of the current view, as a fragment: a pan or zoom reruns
    only this, not the table, timeline and downloads below (measured: the whole page took
    4-6 s per move on a million events, mostly the browser redrawing what had not changed)."""
    focus = st.session_state.pop("_cm_focus_view", None)
    reported = view_from_state(st.session_state.get("cm_map"))
    view = focus or reported
    plan = plan_map(store, kwargs, facets["drawable"], budget, view, facets["bounds"])
    st.markdown(_counts_line(facets, total_all, plan), unsafe_allow_html=True)
    put = map_placement(st.session_state, plan.view, (f.online_tiles, tuple(legend_types)),
                        focus is not None)
    render_map(plan, f, reference, None, legend_types, put)
    if release_below_map(st.session_state, reported is not None):
        st.rerun(scope="app")


def map_of_all(layers: EventLayers, facets: dict[str, Any], total_all: int, f: Filters,
               reference: tuple[list[Place], list[Place]], focus: dict[str, Any] | None,
               report_drawn: bool = False, map_key: Hashable = None) -> None:
    """The count line and the map of every drawable event (at most the point budget of
    them), from their map ``layers`` (:func:`event_layers_of`); ``report_drawn``: see
    :data:`REPORT_DRAWN`; ``focus``, ``map_key``: see :func:`render_map`."""
    st.session_state.pop(PUT_MAP, None)  # this map is not the one that stays put
    plan = MapPlan("all", layers, None, None, facets["drawable"])
    st.markdown(_counts_line(facets, total_all, plan), unsafe_allow_html=True)
    render_map(plan, f, reference, focus, report_drawn=report_drawn, map_key=map_key)


#: Session keys of :func:`hold_below_map`: a run has happened; the page below the map is held.
RAN, HOLD = "_cm_ran", "_cm_hold"


def hold_below_map(state: MutableMapping[str, Any]) -> bool:
    """Whether this run draws the page only down to the map: a session's first run.

    Why: the browser draws the page on one thread, the map's frame included. On a fresh page
    the events table and the timeline (with its chart code) held the map's frame back by
    0.4-1.7 s. The map's first report means it is drawn: a map that stays put reports its
    view, and :func:`release_below_map` reruns the whole page; a map holding every point
    reports once (:data:`REPORT_DRAWN`), which reruns the whole page by itself. Any later run
    draws everything, so a map that never reports leaves the page one filter change from
    whole."""
    state[HOLD] = RAN not in state
    state[RAN] = True
    return state[HOLD]


def release_below_map(state: MutableMapping[str, Any], map_reported: bool) -> bool:
    """True once, when a map that :func:`hold_below_map` waits for has reported its view."""
    if state.get(HOLD) and map_reported:
        state[HOLD] = False
        return True
    return False


def legend_of(facets: Mapping[str, Any], f: Filters) -> list[str]:
    """The event types a map that stays put lists in its legend: the stored ones chosen."""
    return sorted(t for t in facets["by_type"] if f.types is None or t in f.types)


def render(settings: Settings) -> None:
    """The whole page."""
    st.title("Conflict map")
    seed_once(settings)
    store = open_store(str(settings.store_dir))
    gazetteer = load_gazetteer(settings)
    reference = reference_layers(gazetteer, settings)
    budget = settings.map_max_points
    everything = store.facets(fields=SIDEBAR_FACETS)
    _init_state_from_url(everything["by_type"])
    if st.session_state.get("_cm_url_error"):
        st.warning(f"Ignored the link's filters: {st.session_state['_cm_url_error']}")
    f = sidebar_filters(everything)
    _sync_url(f, everything["by_type"])
    if st.session_state.get("cm_added"):
        st.success(f"Article: {st.session_state.pop('cm_added')}")

    kwargs = f.store_kwargs(everything["by_type"])
    generation = store.generation()  # before the queries: it keys what is made of them
    facets = store.facets(**kwargs, fields=VIEW_FACETS)
    small = facets["drawable"] <= budget

    held = hold_below_map(st.session_state)
    map_key = (generation, filters_key(kwargs), f.online_tiles) if small else None
    report = asks_drawn_report(st.session_state, map_key, held)
    if held:
        if small:  # the layers kept by an earlier session need no query
            layers = event_layers_of(store, generation, kwargs,
                                     lambda: drawable_points(store, kwargs))
            map_of_all(layers, facets, everything["total"], f, reference, None, report, map_key)
        else:
            map_of_view(store, kwargs, facets, everything["total"], budget, f, reference,
                        legend_of(everything, f))
        st.caption("The events table and the timeline follow once the map is drawn.")
        return
    # every matching row only when the map draws them all anyway; else the first rows
    frame, table = table_rows_of(store, generation, kwargs, None if small else TABLE_ROWS)
    focus_state = st.session_state.get("cm_table")
    focus = _selected_row(table, focus_state) if focus_state is not None else None
    focus_event = (frame[frame["id"] == focus["id"]].iloc[0].to_dict()
                   if focus is not None and (frame["id"] == focus["id"]).any() else None)
    if focus_event is None:
        st.session_state.pop("_cm_focus_id", None)
    if small:
        layers = event_layers_of(store, generation, kwargs,
                                 lambda: split_drawable(frame)[0])  # the table's rows
        map_of_all(layers, facets, everything["total"], f, reference, focus_event, report,
                   map_key)
    else:
        st.session_state["_cm_focus_view"] = _focus_view(focus_event)
        map_of_view(store, kwargs, facets, everything["total"], budget, f, reference,
                    legend_of(everything, f))

    listed = split_drawable(frame)[1]
    n_listed = facets["total"] - facets["drawable"]
    if n_listed:
        shown = "" if len(listed) == n_listed else f", the first {len(listed):,} listed"
        with st.expander(f"{n_listed:,} event(s) without a point (country-only or aggregate)"
                         f"{shown}"):
            st.dataframe(table_frame(listed), hide_index=True, width="stretch")

    st.subheader("Events")
    if len(table) < facets["total"]:
        st.caption(f"The first {len(table):,} of {facets['total']:,} events by date: narrow "
                   "the filters, or download them all below.")
    st.dataframe(table, key="cm_table", on_select="rerun", selection_mode="single-row",
                 hide_index=True, width="stretch")
    if focus_event is not None:
        render_selected(focus_event, store, gazetteer)

    st.subheader("Timeline")
    tl = timeline_from_days(facets["by_day"])
    if tl.empty:
        st.caption("No dated events.")
    else:
        st.bar_chart(tl, y="events")
    render_downloads(store, kwargs, facets["total"])
    render_add_article(store, settings, gazetteer)


def main() -> None:
    """Entry point for ``streamlit run app.py``."""
    st.set_page_config(page_title="Conflict map", layout="wide")
    render(Settings.from_env())

