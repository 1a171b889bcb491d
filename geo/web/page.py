"""The Streamlit page: filters, the map, the table, the timeline, downloads, adding articles.

``app.py`` calls :func:`main`. The page reads everything from the event store named by
``Settings`` (``CONFLICT_MAP_STORE``) and asks the store itself to filter, so every count shown
is the store's own answer. Filter state lives in the URL (``st.query_params``) so a view can be
shared as a link.

The page's parts are modules of their own, each drawing one part or holding its pure helpers
(tests call those without a browser): ``filters`` (the filters and the URL), ``sidebar``,
``views`` and ``plan`` (what the map shows and draws), ``map_panel`` (the count line and the
map), ``table`` (the events table, the selected event, the nearest sites), ``timeline``,
``downloads``, ``add_article`` (paste or upload, review, add) and ``kept`` (what the page keeps
between runs). This module draws them in order (:func:`render`) and re-exports their public
names.

At scale the page never loads every row: the sidebar, the counts and the timeline come from
``Store.facets`` (SQL GROUP BYs, cached until the store changes), the table shows the first
:data:`TABLE_ROWS`, downloads are built only when clicked, and when more events match than a
browser can draw (``Settings.map_max_points``) the map shows the store's per-cell counts for
the current view (``Store.bins``), refined as the user pans and zooms, and the events
themselves once the view holds few enough.
"""

from __future__ import annotations

import streamlit as st

from geo.config import Settings
from geo.store import Store
from geo.web import monitor_panel
from geo.web.add_article import (
    PREVIEW_CHARS,
    REVIEW_EVENTS,
    UPLOAD_NAME_CHARS,
    UPLOAD_SUFFIXES,
    draft_notes,
    highlight_article,
    read_pasted,
    read_upload,
    render_add_article,
    upload_label,
    with_place,
)
from geo.web.downloads import render_downloads
from geo.web.filters import (
    Q_ACTORS,
    Q_COUNTRIES,
    Q_DATASETS,
    Q_MIN_KILLED,
    Q_SINCE,
    Q_TEXT,
    Q_TILES,
    Q_TYPES,
    Q_UNDATED,
    Q_UNTIL,
    FilterError,
    Filters,
    filters_from_query,
    filters_key,
    filters_to_query,
)
from geo.web.kept import (
    REFERENCE_CENTER,
    REFERENCE_KM,
    event_layers_of,
    kept_event_layers,
    kept_table_rows,
    load_gazetteer,
    open_store,
    reference_layers,
    reference_places_of,
    seed_once,
    table_rows_of,
)
from geo.web.map_panel import (
    ASKED_REPORT,
    FOCUS_ZOOM,
    HOLD,
    PUT_MAP,
    PUT_VIEW,
    RAN,
    REPORT_DRAWN,
    MapFigure,
    asks_drawn_report,
    counts_line,
    focus_map,
    focus_point,
    focus_view,
    hold_below_map,
    legend_of,
    map_figure,
    map_of_all,
    map_of_view,
    map_placement,
    release_below_map,
    render_map,
)
from geo.web.mapview import split_drawable
from geo.web.plan import WHOLE_BINS_MAX_ZOOM, MapPlan, drawable_points, plan_map
from geo.web.sidebar import init_state_from_url, sidebar_filters, sync_url
from geo.web.table import (
    NEAREST_BOXES,
    NEAREST_CANDIDATES,
    TABLE_COLUMNS,
    TABLE_ROWS,
    distance_sentence,
    nearest_from,
    nearest_place,
    reference_places,
    render_selected,
    render_table,
    render_unplaced,
    selected_row,
    stored_places_near,
    table_frame,
)
from geo.web.timeline import render_timeline, timeline, timeline_from_days
from geo.web.views import (
    MAP_HEIGHT_PX,
    MAP_WIDTH_PX,
    View,
    fit_view,
    snap_view,
    view_box,
    view_from_state,
)

__all__ = [
    "ASKED_REPORT", "FOCUS_ZOOM", "HOLD", "MAP_HEIGHT_PX", "MAP_WIDTH_PX", "NEAREST_BOXES",
    "NEAREST_CANDIDATES", "PREVIEW_CHARS", "PUT_MAP", "PUT_VIEW", "Q_ACTORS", "Q_COUNTRIES",
    "Q_DATASETS", "Q_MIN_KILLED", "Q_SINCE", "Q_TEXT", "Q_TILES", "Q_TYPES", "Q_UNDATED",
    "Q_UNTIL", "RAN", "REFERENCE_CENTER", "REFERENCE_KM", "REPORT_DRAWN", "REVIEW_EVENTS",
    "SIDEBAR_FACETS", "TABLE_COLUMNS", "TABLE_ROWS", "UPLOAD_NAME_CHARS", "UPLOAD_SUFFIXES",
    "VIEW_FACETS", "WHOLE_BINS_MAX_ZOOM", "FilterError", "Filters", "MapFigure", "MapPlan",
    "View", "asks_drawn_report", "counts_line", "distance_sentence", "draft_notes",
    "drawable_points", "event_layers_of", "filters_from_query", "filters_key",
    "filters_to_query", "fit_view", "focus_map", "focus_point", "focus_view",
    "highlight_article", "hold_below_map", "init_state_from_url", "kept_event_layers",
    "kept_table_rows", "legend_of", "load_gazetteer", "main", "map_figure", "map_of_all",
    "map_of_view", "map_placement", "nearest_from", "nearest_place", "open_store", "plan_map",
    "read_pasted", "read_upload", "reference_layers", "reference_places",
    "reference_places_of", "release_below_map", "render", "render_add_article",
    "render_downloads", "render_map", "render_selected", "render_table", "render_timeline",
    "render_unplaced", "seed_once", "selected_row", "sidebar_filters", "snap_view",
    "stored_places_near", "sync_url", "table_frame", "table_rows_of", "timeline",
    "timeline_from_days", "upload_label", "view_box", "view_from_state", "with_place",
]

#: Store facets the sidebar needs (whole store: cached until the store changes) and those
#: the count line, the timeline and the map need for the filtered events.
SIDEBAR_FACETS = ("total", "by_type", "by_dataset", "by_country", "actors", "date_min",
                  "date_max")
VIEW_FACETS = ("total", "drawable", "by_day", "bounds")


def render(settings: Settings) -> None:
    """The whole page."""
    st.title("Conflict map")
    seed_once(settings)
    store = open_store(str(settings.store_dir))
    gazetteer = load_gazetteer(settings)
    reference = reference_layers(gazetteer, settings)
    budget = settings.map_max_points
    everything = store.facets(fields=SIDEBAR_FACETS)
    init_state_from_url(everything["by_type"])
    if st.session_state.get("_cm_url_error"):
        st.warning(f"Ignored the link's filters: {st.session_state['_cm_url_error']}")
    f = sidebar_filters(everything)
    sync_url(f, everything["by_type"])
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
    focus = selected_row(table, focus_state) if focus_state is not None else None
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
        st.session_state["_cm_focus_view"] = focus_view(focus_event)
        map_of_view(store, kwargs, facets, everything["total"], budget, f, reference,
                    legend_of(everything, f))

    render_unplaced(split_drawable(frame)[1], facets["total"] - facets["drawable"])
    render_table(table, facets["total"])
    if focus_event is not None:
        render_selected(focus_event, store, gazetteer)
    render_timeline(facets["by_day"])
    render_downloads(store, kwargs, facets["total"])
    render_add_article(store, settings, gazetteer)
    render_monitor(store, generation, settings.page_refresh_seconds)


def render_monitor(store: Store, generation: int, refresh_seconds: int) -> None:
    """The monitor (``conflict-map watch``): new since the last visit, the feeds, the alerts;
    the page reruns by itself when a watcher stores events (checked every
    ``refresh_seconds``; 0: never)."""
    with st.expander(f"Monitor: {monitor_panel.alerts_badge(store)}"):
        monitor_panel.render_new_since_visit(store)
        monitor_panel.render_feeds(store)
        monitor_panel.render_alerts(store)
    if refresh_seconds:
        monitor_panel.rerun_on_change(store, every=refresh_seconds, drawn=generation)


def main() -> None:
    """Entry point for ``streamlit run app.py``."""
    st.set_page_config(page_title="Conflict map", layout="wide")
    render(Settings.from_env())
