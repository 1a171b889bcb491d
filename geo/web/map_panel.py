"""The map panel: the count line and the map, drawn by ``streamlit-folium``. Up to the point
budget the map holds every event; above it the map stays put and each view's cells or points
are sent beside it; a selected event moves the map by a message. A session's first run draws
the page only down to the map, and the map's first report brings the rest.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Hashable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.model import Place
from geo.store import Store
from geo.web.filters import Filters
from geo.web.mapview import (
    DEFAULT_CENTER,
    DEFAULT_ZOOM,
    FOCUS_MESSAGE,
    EventLayers,
    FocusOnMessage,
    base_map,
    build_map,
    event_groups,
)
from geo.web.plan import MapPlan, plan_map
from geo.web.views import MAP_HEIGHT_PX, View, snap_view, view_from_state

#: The zoom a selected event is shown at.
FOCUS_ZOOM = 11


def focus_point(focus: dict[str, Any] | None) -> tuple[float, float] | None:
    """The point of a selected event, None when there is none or it has no point."""
    if focus is None or pd.isna(focus.get("lat")) or pd.isna(focus.get("lon")):
        return None
    return float(focus["lat"]), float(focus["lon"])


def focus_view(focus: dict[str, Any] | None) -> View | None:
    """A newly selected table row centres the map on its event (once: the user may pan on)."""
    point = focus_point(focus)
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
        point = focus_point(focus)
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



def counts_line(facets: Mapping[str, Any], total_all: int, plan: MapPlan) -> str:
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
def map_of_view(store: Store, kwargs: dict[str, Any], facets: dict[str, Any],
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
    st.markdown(counts_line(facets, total_all, plan), unsafe_allow_html=True)
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
    st.markdown(counts_line(facets, total_all, plan), unsafe_allow_html=True)
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
