"""The map page at scale in a real browser (streamlit run + Debian chromium): the map of
every point of 600 events (a selected row moves it by a message; the legend and the type
filter whole at the default window size), counted cells above a small point budget (zooms to
points, a late answer never moving the map), and a store of 200,000 events at the default
budget, where the zoom that drew nothing was seen (docs/map.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.store import EventStore
from geo.web.filters import Filters
from geo.web.mapview import BASEMAP_PANE, TYPE_STYLES, split_drawable
from geo.web.page import FOCUS_ZOOM, plan_map, snap_view
from tests.browser_helpers import (
    Recorder,
    Server,
    assert_clean,
    bin_state,
    is_drawn,
    launched_browser,
    map_frame,
    marker_state,
    new_page,
    open_page,
    page_mode,
    page_state,
    poll,
    settled_box,
    skip_module_without_browser,
    start_server,
    wait_for_counts,
    wait_for_markers,
    wait_until_idle,
    zoom_to,
)
from tests.synthetic_events import fill_store

pytestmark = pytest.mark.browser

skip_module_without_browser()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as b:
        yield b


#: The map's centre and zoom, read inside its frame.
VIEW_JS = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"


@pytest.fixture(scope="module")
def clustered_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """A store of 600 events: every point drawn, above mapview.FAST_PATH_THRESHOLD (the map's
    script has no random names, so a rerun can leave the map as it is)."""
    store = tmp_path_factory.mktemp("clustered_store")
    fill_store(store, 600)
    srv = start_server(store, tmp_path_factory.mktemp("clustered") / "streamlit.log")
    try:
        yield srv, store
    finally:
        srv.stop()


def test_a_selected_event_moves_the_map_without_sending_it_again(browser, clustered_server):
    """A table row selected on the map of every point: the map goes to the event at
    FOCUS_ZOOM by a message to its frame (mapview.FocusOnMessage), and the page does not send
    the map again (at 10,000 events that was 4.4 MB per click): no websocket frame after the
    click holds the map's script, and the map's frame is the same document."""
    server, store_dir = clustered_server
    with EventStore(store_dir) as store:
        drawable = split_drawable(store.query_frame())[0]
    points = set(zip(drawable["lat"], drawable["lon"], strict=True))
    with new_page(browser) as (pg, rec):
        frames: list[bytes] = []
        pg.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode())))
        open_page(pg, server)
        wait_for_markers(pg, len(drawable))
        grid = pg.get_by_test_id("stDataFrame").last
        grid.scroll_into_view_if_needed()
        bb = settled_box(pg, grid)
        wait_until_idle(pg)
        assert any(b"L.map(" in f for f in frames)  # the map came over the websocket
        map_frame(pg).evaluate("() => { window.__cm_mark = 1; }")
        before = map_frame(pg).evaluate(VIEW_JS)
        frames.clear()
        pg.mouse.click(bb["x"] + 15, bb["y"] + 35 + 17)  # the first row's selection cell
        pg.locator("#cm-nearest").wait_for(timeout=120_000)
        view = poll(lambda: map_frame(pg).evaluate(VIEW_JS),
                    lambda v: v[2] == FOCUS_ZOOM and any(
                        abs(v[0] - lat) < 1e-6 and abs(v[1] - lon) < 1e-6
                        for lat, lon in points), page=pg)
        assert view != before
        assert map_frame(pg).evaluate("() => window.__cm_mark") == 1
        # the asking frame takes no room from the page (the sidebar's foot, one pixel)
        asking = pg.get_by_test_id("stSidebar").locator("iframe")
        assert asking.count() == 1 and asking.bounding_box()["height"] <= 1
        assert frames and not any(b"L.map(" in f for f in frames)
        assert_clean(rec, server)


#: JS run on the page: in the sidebar widget labelled ``label``, how many boxes scroll their
#: content (taller content than box, overflow auto or scroll), and its options' labels.
WIDGET_BOX_JS = """(label) => {
    const labels = document.querySelectorAll(
        '[data-testid="stSidebar"] [data-testid="stWidgetLabel"]');
    const found = Array.from(labels).find(e => e.innerText.trim().startsWith(label));
    const box = found.closest('[data-testid="stElementContainer"]');
    const scrolled = Array.from(box.querySelectorAll('*')).filter(e => {
        const s = getComputedStyle(e);
        return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1; });
    return scrolled.length; }"""
#: JS run in the map frame: the legend's and the scale bar's boxes (left, top, right, bottom).
LEGEND_SCALE_JS = """() => [document.querySelector('#cm-legend'),
                            document.querySelector('.leaflet-control-scale')].map(e => {
    const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_legend_and_the_type_filter_show_whole(browser, clustered_server):
    """At the browser's default window size, on a store of 12 event types: the legend leaves
    the scale bar in sight (it covered it), and the event-type filter shows every type
    without a box to scroll (the multiselect's chips had to be scrolled inside their box)."""
    server, store_dir = clustered_server
    with EventStore(store_dir) as store:
        types = store.facets()["by_type"]
    assert len(types) >= 12
    context = browser.new_context()  # Playwright's default window: 1280 x 720
    pg = context.new_page()
    rec = Recorder()
    rec.attach(pg)
    try:
        open_page(pg, server)
        # once the map's frame has its height (it grows from 0 as the map loads)
        legend, scale = poll(lambda: map_frame(pg).evaluate(LEGEND_SCALE_JS),
                             lambda v: v[0][2] > v[0][0] and v[1][1] > 300, page=pg)
        assert not _overlap(legend, scale), (legend, scale)
        legend_text = map_frame(pg).locator("#cm-legend").inner_text()
        assert all(TYPE_STYLES[t].label in legend_text for t in types)
        wait_until_idle(pg)
        assert pg.evaluate(WIDGET_BOX_JS, "Event types") == 0
        sidebar = pg.get_by_test_id("stSidebar")
        for t in types:  # every type is there to click, none hidden in a scrolled box
            option = sidebar.get_by_role("button", name=f"{TYPE_STYLES[t].label} (")
            assert option.count() == 1 and option.is_visible(), t
        assert_clean(rec, server)
    finally:
        context.close()



#: The point budget of the binned-map test: small, so a small store is above it.
SMALL_BUDGET = 60


@pytest.fixture(scope="module")
def binned_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    store = tmp_path_factory.mktemp("binned_store")
    fill_store(store, 600)
    srv = start_server(store, tmp_path_factory.mktemp("binned") / "streamlit.log",
                       env={"CONFLICT_MAP_MAX_POINTS": str(SMALL_BUDGET)})
    try:
        yield srv, store
    finally:
        srv.stop()


#: JS run in the map frame: the centre of the largest counted cell (container pixels) and
#: whether a click there hits that cell.
BIGGEST_CELL_JS = """() => { const m = window.map; let best = null;
    m.eachLayer(l => { if (l instanceof L.CircleMarker && l._renderer instanceof L.SVG
                           && l._renderer !== m._renderer
                           && (!best || l.getRadius() > best.getRadius())) { best = l; } });
    const p = m.latLngToContainerPoint(best.getLatLng());
    return [p.x, p.y, document.elementFromPoint(p.x, p.y) === best._path]; }"""
#: JS run in the map frame: a point (container pixels) where the pointer meets a country of
#: the basemap, not a cell; null if there is none.
COUNTRY_SPOT_JS = f"""() => {{ const box = window.map.getContainer().getBoundingClientRect();
    for (let y = 30; y < box.height - 30; y += 12) {{
        for (let x = 60; x < box.width - 60; x += 12) {{
            const el = document.elementFromPoint(box.left + x, box.top + y);
            if (el && el.closest('.leaflet-{BASEMAP_PANE}-pane') && el.tagName === 'path'
                    && el.getAttribute('fill') !== 'none') {{ return [x, y]; }}
        }}
    }}
    return null; }}"""
TOOLTIP_TEXT_JS = """() => Array.from(document.querySelectorAll('.leaflet-tooltip'),
                                    e => e.innerText.trim()).filter(t => t)"""
POPUP_TEXT_JS = """() => Array.from(document.querySelectorAll('.leaflet-popup-content'),
                                    e => e.innerText)"""


def test_above_the_budget_the_map_draws_bins_then_points(browser, binned_server):
    """More drawable events than the budget: counted cells that hold them all; zoomed into
    one place: its events, one by one."""
    server, store_dir = binned_server
    with new_page(browser) as (pg, rec):
        open_page(pg, server)
        with EventStore(store_dir) as store:
            facets = store.facets()
        assert facets["drawable"] > SMALL_BUDGET
        assert wait_for_counts(pg, facets["total"])["drawn"] == facets["drawable"]
        assert page_mode(pg) == ("bins", facets["drawable"])
        state = poll(lambda: bin_state(pg), lambda s: bool(s) and s["events"] > 0, page=pg)
        assert state == {"bins": state["bins"], "events": facets["drawable"]}, state
        assert state["bins"] > 1
        assert marker_state(pg) == []  # no event markers: only counted circles
        # the cells are on top of the basemap (its opaque countries once hid them): the
        # biggest cell is what a click at its centre hits, and the click opens its popup
        x, y, hit = map_frame(pg).evaluate(BIGGEST_CELL_JS)
        assert hit
        frame_box = pg.locator("iframe").first.bounding_box()
        # between the cells the pointer reaches the countries: their names show on hover
        # (a canvas of cells took the pointer over the whole map)
        spot = map_frame(pg).evaluate(COUNTRY_SPOT_JS)
        assert spot is not None
        pg.mouse.move(frame_box["x"] + spot[0], frame_box["y"] + spot[1])
        assert poll(lambda: map_frame(pg).evaluate(TOOLTIP_TEXT_JS), bool, page=pg)
        pg.mouse.click(frame_box["x"] + x, frame_box["y"] + y)
        popup = poll(lambda: map_frame(pg).evaluate(POPUP_TEXT_JS), bool, page=pg)
        assert popup and "events here" in popup[0], popup
        # a fresh page is drawn down to the map first; the table follows the map's report
        assert poll(lambda: pg.get_by_test_id("stDataFrame").count(), bool, page=pg)
        assert "once the map is drawn" not in pg.get_by_test_id("stMain").inner_text()
        # zoom into Al-Qaim: the page is asked for that view and draws its events, in the
        # same map (its document is kept: only the event layers are swapped)
        map_frame(pg).evaluate("() => { window.__cm_kept = 1; "
                               "window.map.setView([34.37, 41.09], 11); return true; }")
        mode = poll(lambda: page_mode(pg), lambda m: m[0] == "view", page=pg)
        assert mode[0] == "view" and 0 < mode[1] <= SMALL_BUDGET, mode
        markers = wait_for_markers(pg, mode[1])
        assert sum(m["n"] for m in markers) == mode[1], markers
        assert map_frame(pg).evaluate("() => window.__cm_kept") == 1
        assert bin_state(pg) is None  # the cells left with their layer
        # the cells' renderer went with them (one SVG is left: the map's own, for the
        # reference places), the basemap still drawn
        assert map_frame(pg).evaluate(
            "() => document.querySelectorAll('.leaflet-overlay-pane svg').length") == 1
        assert map_frame(pg).evaluate(
            f"() => document.querySelectorAll('.leaflet-{BASEMAP_PANE}-pane path').length") > 50
        # the event layers are in the layer control
        labels = map_frame(pg).evaluate("() => Array.from(document.querySelectorAll("
                                        "'.leaflet-control-layers-overlays label'))"
                                        ".map(l => l.innerText.trim())")
        assert any(label in ("Attacks", "Bases and airfields") for label in labels), labels
        assert_clean(rec, server)


#: JS run in the map frame: go to view A, and the moment the map reports A (before the page
#: can answer) go on to view B, as a user moving on would. Every move that is not ours is
#: recorded: the page's answer to A arrives after the map has left A.
MOVE_ON_JS = """([a, b]) => {
    const m = window.map, S = window.Streamlit, send = S.setComponentValue;
    const go = (v) => { window.__cm_ours = 1; m.setView([v[0], v[1]], v[2], {animate: false});
                        window.__cm_ours = 0; };
    window.__cm_moves = [];
    m.on('movestart', () => { if (!window.__cm_ours) {
        window.__cm_moves.push([m.getCenter().lat, m.getCenter().lng, m.getZoom()]); } });
    S.setComponentValue = function (value) {
        send.apply(this, arguments);
        if (value && value.zoom === a[2] && !window.__cm_on) { window.__cm_on = 1; go(b); }
    };
    go(a);
    return true; }"""


def _moved_on(browser: Any, server: Server, store_dir: Path, budget: int) -> None:
    """Go to a dense view, and the moment the map reports it, on to a quiet one: the page's
    answer to the dense view arrives after the map has left it. No move may follow, and the
    page must end on the quiet view's points, drawn."""
    dense, quiet = DENSE_VIEW, (34.37, 41.09, 11)  # Baghdad at 9, Al-Qaim at 11
    want = _page_plan(store_dir, quiet, budget)
    assert want[0] == "view" and want[1] > 0, want
    assert _page_plan(store_dir, dense, budget)[0] == "bins"
    with new_page(browser) as (pg, rec):
        open_page(pg, server)
        poll(lambda: bin_state(pg), lambda s: bool(s) and s["events"] > 0, page=pg)
        map_frame(pg).evaluate(MOVE_ON_JS, [list(dense), list(quiet)])
        mode = poll(lambda: page_mode(pg), lambda m: m == want, page=pg)
        assert mode == want
        markers = wait_for_markers(pg, want[1])
        assert sum(m["n"] for m in markers) == want[1], markers
        pg.wait_for_timeout(2000)  # any late answer has arrived by now
        assert map_frame(pg).evaluate("() => window.__cm_moves") == []
        at = map_frame(pg).evaluate("() => [window.map.getCenter().lat, "
                                    "window.map.getCenter().lng, window.map.getZoom()]")
        assert at[2] == quiet[2] and abs(at[0] - quiet[0]) < 1e-6 and abs(at[1] - quiet[1]) < 1e-6
        assert page_mode(pg) == want
        assert_clean(rec, server)


def test_an_answer_to_a_view_the_map_has_left_does_not_move_it(browser, binned_server):
    """The page answers every view the map reports; an answer can arrive after the user has
    moved on. It must not pull the map back: on the 1M store the map went to and fro between
    two views for good, in points mode with no markers in sight (docs/map.md)."""
    server, store_dir = binned_server
    _moved_on(browser, server, store_dir, SMALL_BUDGET)


#: The large store of the zoom test: a fifth of the million-event store the zoom that drew
#: nothing was seen on, above the default point budget in most views (docs/map.md).
LARGE = 200_000
#: The two zooms of those sessions: to Baghdad at 9 (counted cells), then into a quieter
#: place at 12 (points); the bench makes the same (bench/map_bench.py).
DENSE_VIEW, POINTS_VIEW = (33.31, 44.37, 9), (35.6, 39.6, 12)


@pytest.fixture(scope="module")
def large_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    store = tmp_path_factory.mktemp("large_store")
    fill_store(store, LARGE, news=False, batch=100_000)
    srv = start_server(store, tmp_path_factory.mktemp("large") / "streamlit.log",
                       env={"CONFLICT_MAP_MAX_POINTS": "20000"})
    try:
        yield srv, store
    finally:
        srv.stop()


def _page_plan(store_dir: Path, view: tuple[float, float, int], budget: int) -> tuple[str, int]:
    """The count line the page must show for ``view`` on its default filters."""
    with EventStore(store_dir) as store:
        everything = store.facets(fields=["by_type"])
        kwargs = Filters().store_kwargs(everything["by_type"])
        facets = store.facets(**kwargs)
        plan = plan_map(store, kwargs, facets["drawable"], budget, snap_view(*view),
                        facets["bounds"])
    return plan.mode, plan.in_view


def test_on_a_large_store_an_answer_to_a_view_left_does_not_move_the_map(browser,
                                                                          large_server):
    """The same on 200,000 events at the default point budget: the zoom to Baghdad (cells),
    and the moment the map reports it, on into Al-Qaim (points). Before the fix the page's
    answer to Baghdad sent the map back to Baghdad's centre at the new zoom: points mode,
    and no marker in sight (docs/map.md, "The zoom that drew nothing")."""
    server, store_dir = large_server
    _moved_on(browser, server, store_dir, 20_000)


def test_on_a_large_store_a_zoom_to_points_draws_them(browser, large_server):
    """A fresh session on a store of 200,000 events: the first view in counted cells, a zoom
    to Baghdad at 9 (cells), then into a quiet place at 12, where the page switches to
    points: each zoom is drawn where the user put the map, and it stays there. On the 1M
    store this failed in 3 of 7 sessions by hand: the page's answer to an earlier view moved
    the map back (to the first view's centre), and the map went on to and fro between the
    views, in points mode with no marker in sight (docs/map.md, "The zoom that drew
    nothing"). Two sessions, as each starts with a held first run and its rerun."""
    server, store_dir = large_server
    dense = _page_plan(store_dir, DENSE_VIEW, 20_000)
    points = _page_plan(store_dir, POINTS_VIEW, 20_000)
    assert dense[0] == "bins" and points[0] == "view" and points[1] > 100, (dense, points)
    for _session in range(2):
        with new_page(browser) as (pg, rec):
            open_page(pg, server)
            first = poll(lambda: page_state(pg), lambda s: is_drawn(s[1], s[0]), page=pg)
            assert first[0][0] == "bins" and is_drawn(first[1], first[0]), first
            zoomed = zoom_to(pg, snap_view(*DENSE_VIEW), dense, 120)
            assert zoomed.drawn_s is not None and zoomed.stayed, zoomed
            zoomed = zoom_to(pg, snap_view(*POINTS_VIEW), points, 120)
            assert zoomed.drawn_s is not None and zoomed.stayed, zoomed
            markers = wait_for_markers(pg, points[1])
            assert sum(m["n"] for m in markers) == points[1], markers
            assert_clean(rec, server)
