"""The map page in a real browser: streamlit run + Debian chromium driven by Playwright.

Checked against what the store holds: markers and clusters drawn, an event type toggled and a
date range narrowed, a popup's evidence (escaped: hostile article text never runs), an uploaded
article's events, no console errors and no request outside localhost. Saves the screenshot
the README shows (docs/screenshot.png).
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_DIR, SEEDS_DIR
from geo.model import Event, Evidence
from geo.store import EventStore
from geo.web.mapview import BASEMAP_PANE, LABEL_PANE, TYPE_STYLES, save_map, split_drawable
from geo.web.page import FOCUS_ZOOM, plan_map, snap_view
from tests.browser_helpers import (
    MARKER_STATE_JS,
    Recorder,
    Server,
    bin_state,
    click_until,
    map_frame,
    marker_state,
    page_mode,
    poll,
    settled_box,
    start_server,
    wait_for_counts,
    wait_for_markers,
    wait_until_idle,
)
from tests.synthetic_events import fill_store

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Debian chromium is not installed (scripts/ensure-chromium.sh installs it)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]
SCREENSHOT = PROJECT_DIR / "docs" / "screenshot.png"

#: Article text that would run if it were not escaped: each sets window.__xss.
HOSTILE = ("Militants bombed the market in Tikrit <script>window.__xss = 1</script> "
           "<img src=x onerror=\"window.__xss = 2\"> ${window.__xss = 3} "
           "<a href=\"javascript:window.__xss = 4\">link</a>.")


def _ev(event_type: str, place: str, lat: float | None, lon: float | None, day: str | None,
        evidence: str | None = None, dataset: str = "news", source: str | None = None) -> Event:
    text = evidence or f"The {event_type.replace('_', ' ')} at {place} was reported."
    src = source or f"https://example.org/{place.replace(' ', '-')}"
    return Event(event_type, date=day, date_start=day, date_end=day,
                 time_precision=1 if day else None, place=place, place_name=place,
                 country="IQ", lat=lat, lon=lon, geo_precision=1 if lat is not None else None,
                 killed=1, wounded=2, actors=["Test actor"], evidence=text, source=src,
                 dataset=dataset, sources=[Evidence(text, 0, len(text), src, place)])


#: Places far enough apart not to cluster at the page's first zoom, except the three reports
#: at Ain al-Asad (one point: always one cluster of 3).
EVENTS = [
    _ev("rocket_attack", "Camp Taji", 33.52, 44.25, "2020-03-11"),
    _ev("rocket_attack", "Ain al-Asad", 33.80, 42.44, "2020-01-08", dataset="acled"),
    _ev("rocket_attack", "Ain al-Asad", 33.80, 42.44, "2020-01-09", dataset="acled"),
    _ev("rocket_attack", "Ain al-Asad", 33.80, 42.44, "2020-01-10", dataset="acled"),
    _ev("air_strike", "Jurf al-Sakhar", 32.87, 44.12, "2020-03-13"),
    _ev("drone_strike", "Balad", 34.01, 44.15, "2020-01-03"),
    _ev("bombing", "Tikrit", 34.61, 43.68, "2020-02-20", evidence=HOSTILE,
        source="javascript:window.__xss = 5"),
    _ev("base", "al-Qaim", 34.37, 41.09, None),
    _ev("border_crossing", "Al-Qaim crossing", 34.40, 40.95, None),
    _ev("withdrawal", "Iraq", None, None, "2020-03-19"),
]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser_store")
    with EventStore(path) as store:
        assert store.add_events(EVENTS).added == len(EVENTS)
    return path


@pytest.fixture(scope="module")
def server(store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(store_dir, tmp_path_factory.mktemp("server") / "streamlit.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def _new_page(browser: Any) -> Iterator[tuple[Any, Recorder]]:
    """A page in a fresh browser context (1400x1000) whose requests and errors are recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    rec = Recorder()
    rec.attach(pg)
    try:
        yield pg, rec
    finally:
        context.close()


@pytest.fixture()
def page(browser: Any, server: Server) -> Iterator[tuple[Any, Recorder]]:
    with _new_page(browser) as opened:
        yield opened


def _expected(store_dir: Path, **filters: Any) -> tuple[int, int]:
    """(events matching, events drawn) as the store answers the page's filters."""
    with EventStore(store_dir) as store:
        frame = store.query_frame(**filters)
    return len(frame), len(split_drawable(frame)[0])


def _open(pg: Any, server: Server, query: str = "") -> None:
    pg.goto(f"{server.url}/{query}", wait_until="domcontentloaded")
    pg.wait_for_selector("#cm-counts", timeout=240_000)


def _assert_clean(rec: Recorder, server: Server) -> None:
    assert rec.outside(server.url) == [], "requests outside localhost"
    assert rec.errors == [], "console errors"


def test_markers_and_clusters_match_the_store(page, server, store_dir):
    pg, rec = page
    _open(pg, server)
    total, drawn = _expected(store_dir)
    counts = wait_for_counts(pg, total)
    assert counts == {"total": total, "drawn": drawn, "listed": total - drawn}
    state = wait_for_markers(pg, drawn)
    assert isinstance(state, list) and sum(m["n"] for m in state) == drawn, state
    clusters = [m["n"] for m in state if m["cluster"]]
    assert clusters == [3], state  # the three Ain al-Asad reports
    assert len(state) == drawn - 2
    icons = " ".join(m.get("icon", "") for m in state)
    for icon in ("fa-rocket", "fa-jet-fighter", "fa-crosshairs", "fa-bomb", "fa-shield-halved",
                 "fa-road"):
        assert icon in icons, icon
    frame = pg.frame_locator("iframe[title='streamlit_folium.st_folium']")
    assert frame.locator("#cm-legend").inner_text().count("\n") >= 5
    # the basemap draws (SVG paths for countries, borders and rivers, in its own pane)
    assert frame.locator(f".leaflet-{BASEMAP_PANE}-pane path").count() > 50
    # a fresh page draws the map first; the table follows the map's report
    assert poll(lambda: pg.get_by_test_id("stDataFrame").count(), bool, page=pg)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOT))
    _assert_clean(rec, server)


#: JS run in the map frame: the place names shown (name, lat, lon), those drawn with a size.
PLACE_NAMES_JS = f"""() => {{ const out = [];
    window.map.eachLayer(l => {{
        if (l.options && l.options.pane === '{LABEL_PANE}' && l.getElement && l.getElement()) {{
            const r = l.getElement().getBoundingClientRect(), p = l.getLatLng();
            if (r.width > 0 && r.height > 0) {{
                out.push([l.getElement().innerText.trim(), p.lat, p.lng]); }} }} }});
    return out; }}"""
#: JS run in the map frame: the map's box (south, west, north, east).
BOUNDS_JS = """() => { const b = window.map.getBounds();
    return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"""


def _names_in(names: list[list[Any]], box: list[float]) -> set[str]:
    south, west, north, east = box
    return {n for n, lat, lon in names if south <= lat <= north and west <= lon <= east}


def _zoomed_names(pg: Any, lat: float, lon: float, zoom: int) -> list[list[Any]]:
    """The place names drawn once the map is at (lat, lon, zoom) and has placed them."""
    frame = map_frame(pg)
    frame.evaluate("([lat, lon, z]) => { delete window.map.getContainer().dataset.cmPlaceNames;"
                   " window.map.setView([lat, lon], z, {animate: false}); return true; }",
                   [lat, lon, zoom])
    poll(lambda: frame.evaluate("() => [window.map.getZoom(), "
                                "window.map.getContainer().dataset.cmPlaceNames]"),
         lambda v: v[0] == zoom and v[1] is not None, page=pg)
    return frame.evaluate(PLACE_NAMES_JS)


def test_the_basemap_names_capitals_and_cities_and_more_closer_in(page, server, store_dir):
    """Offline place names (data/basemap/places.csv): Baghdad and the cities around it are
    drawn; zoomed in, more names show in the same area; nothing is fetched for them."""
    pg, rec = page
    _open(pg, server)
    wait_for_markers(pg, _expected(store_dir)[1])
    names = poll(lambda: map_frame(pg).evaluate(PLACE_NAMES_JS), bool, page=pg)
    shown = {n for n, _lat, _lon in names}
    assert {"Baghdad", "Ramadi", "Samarra'"} <= shown, shown
    close = _zoomed_names(pg, 33.34, 44.40, 9)
    box = map_frame(pg).evaluate(BOUNDS_JS)
    far = _zoomed_names(pg, 33.34, 44.40, 6)
    near_names, far_names = _names_in(close, box), _names_in(far, box)
    assert "Baghdad" in far_names and "Baghdad" in near_names
    assert len(near_names) >= len(far_names) + 3, (far_names, near_names)
    assert {"Baqubah", "Al Fallujah", "Al Mahmudiyah"} <= near_names, near_names
    _assert_clean(rec, server)


def test_toggling_an_event_type_changes_the_count(page, server, store_dir):
    pg, rec = page
    _open(pg, server)
    total, drawn = _expected(store_dir)
    wait_for_markers(pg, drawn)
    sidebar = pg.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name=re.compile(r"^Rocket attack")).click()  # a pill: off
    with EventStore(store_dir) as store:
        keep = [t for t in store.stats()["by_type"] if t != "rocket_attack"]
    total, drawn = _expected(store_dir, types=keep)
    assert wait_for_counts(pg, total)["total"] == total
    state = wait_for_markers(pg, drawn)
    assert isinstance(state, list) and sum(m["n"] for m in state) == drawn, state
    assert not any(m["cluster"] for m in state)
    assert "type=" in pg.url  # the view is in the link
    _assert_clean(rec, server)


def test_narrowing_the_date_range_changes_the_count(page, server, store_dir):
    pg, rec = page
    _open(pg, server, "?since=2020-03-01&until=2020-03-31&undated=0")
    total, drawn = _expected(store_dir, since="2020-03-01", until="2020-03-31",
                             include_undated=False)
    assert (total, drawn) == (3, 2)  # Camp Taji, Jurf al-Sakhar; the withdrawal has no point
    assert wait_for_counts(pg, total)["total"] == total
    state = wait_for_markers(pg, drawn)
    assert isinstance(state, list) and len(state) == drawn, state
    # widen it again through the sidebar: undated events come back
    pg.get_by_test_id("stSidebar").get_by_text("Include undated events").click()
    total, drawn = _expected(store_dir, since="2020-03-01", until="2020-03-31")
    assert wait_for_counts(pg, total)["total"] == total
    assert sum(m["n"] for m in wait_for_markers(pg, drawn)) == drawn
    _assert_clean(rec, server)


def test_popup_shows_the_evidence_as_text(page, server, store_dir):
    pg, rec = page
    _open(pg, server)
    wait_for_markers(pg, _expected(store_dir)[1])
    frame = pg.frame_locator("iframe[title='streamlit_folium.st_folium']")
    frame.locator(".leaflet-marker-pane .awesome-marker:has(i.fa-bomb)").click()
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    text = popup.inner_text()
    assert "<script>window.__xss = 1</script>" in text
    assert "onerror" in text and "${window.__xss = 3}" in text
    assert "Tikrit" in popup.locator("mark").first.inner_text()
    assert "killed 1, wounded 2" in text and "Test actor" in text
    for tag in ("script", "img", "a[href^='javascript']"):
        assert popup.locator(tag).count() == 0, tag
    for f in pg.frames:
        assert f.evaluate("() => window.__xss") is None
    _assert_clean(rec, server)


def test_uploading_an_article_adds_its_events(page, server, store_dir, tmp_path):
    pg, rec = page
    _open(pg, server)
    total, drawn = _expected(store_dir)
    wait_for_markers(pg, drawn)
    seed = sorted(SEEDS_DIR.glob("*.txt"))[0]
    article = tmp_path / "article.txt"
    article.write_bytes(seed.read_bytes())
    pg.get_by_text("Add an article").click()
    pg.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(article))
    add = pg.get_by_role("button", name=re.compile(r"^Add \d+ event\(s\) to the store"))
    click_until(pg, pg.get_by_role("button", name="Read the article"), add.count, each=120)
    n_read = int(re.search(r"\d+", add.inner_text()).group())
    assert n_read > 0
    add.click()
    with EventStore(store_dir) as store:
        after = poll(lambda: len(store), lambda n: n > total, seconds=120)
    assert after > total
    total, drawn = _expected(store_dir)
    assert wait_for_counts(pg, total)["total"] == total
    state = wait_for_markers(pg, drawn)
    assert sum(m["n"] for m in state) == drawn
    _assert_clean(rec, server)


def _store_state(store_dir: Path) -> tuple[int, str, int]:
    """(events, SQLite's integrity check, articles): what a refused upload must not change."""
    with EventStore(store_dir) as store:
        return len(store), store.integrity_check(), len(store.articles())


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
    with _new_page(browser) as (pg, rec):
        frames: list[bytes] = []
        pg.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload if isinstance(payload, bytes) else payload.encode())))
        _open(pg, server)
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
        _assert_clean(rec, server)


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
        _open(pg, server)
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
        _assert_clean(rec, server)
    finally:
        context.close()


def _open_upload(pg: Any, server: Server, store_dir: Path) -> None:
    _open(pg, server)
    wait_for_markers(pg, _expected(store_dir)[1])
    pg.get_by_text("Add an article").click()
    wait_until_idle(pg)


def _errors(pg: Any) -> list[str]:
    """The page's error messages, and any exception it shows (so that a failed run says
    why rather than showing no message)."""
    return [e.inner_text() for e in pg.get_by_test_id("stAlertContentError").all()] + [
        f"exception: {e.inner_text()}" for e in pg.get_by_test_id("stException").all()]


def test_a_bad_upload_gets_one_error_and_the_store_is_unchanged(page, server, store_dir,
                                                                 tmp_path):
    """A binary file named ``../../../escaped.txt``: one error naming it, the store as it was,
    and no file of that name anywhere (uploads stay in memory)."""
    pg, rec = page
    _open_upload(pg, server, store_dir)
    before = _store_state(store_dir)
    payload = {"name": "../../../escaped.txt", "mimeType": "text/plain",
               "buffer": b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 16}
    pg.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(payload)
    pg.get_by_test_id("stFileChipName").first.wait_for()  # listed, then sent: a rerun
    poll(lambda: pg.get_by_test_id("stFileChipIconSpinner").count(), lambda n: n == 0,
         page=pg)
    errors = click_until(pg, pg.get_by_role("button", name="Read the article"),
                         lambda: _errors(pg))
    assert len(errors) == 1 and "escaped.txt: binary file, not text" in errors[0], errors
    assert "../" not in errors[0]
    assert _store_state(store_dir) == before and before[1] == "ok"
    for root in (PROJECT_DIR, store_dir, tmp_path.parent):
        assert not list(root.rglob("escaped.txt")), root
    _assert_clean(rec, server)


def test_a_100_mb_upload_is_refused_with_a_message(page, server, store_dir, tmp_path):
    """Over ``maxUploadSize`` (.streamlit/config.toml) the uploader itself refuses the file
    and says why; the page goes on working and the store is unchanged."""
    pg, rec = page
    _open_upload(pg, server, store_dir)
    before = _store_state(store_dir)
    big = tmp_path / "huge.txt"
    with big.open("wb") as out:
        out.truncate(100 * 1024 * 1024)  # sparse: 100 MB of NUL bytes, no disk used
    pg.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
    message = pg.get_by_text(re.compile(r"File must be [\d.]+ ?MB or smaller"))
    message.wait_for(timeout=60_000)
    errors = click_until(pg, pg.get_by_role("button", name="Read the article"),
                         lambda: _errors(pg))
    assert errors == ["no article: paste text or upload a file"], errors
    assert _store_state(store_dir) == before
    assert wait_for_counts(pg, before[0])["total"] == before[0]
    _assert_clean(rec, server)


def test_article_text_never_runs_in_the_preview_or_the_table(page, server, store_dir):
    """Hostile text pasted as an article: the highlighted-text view and the draft's event list
    show it as text. The events table and a selected event's details (HTML built by the page)
    show the stored hostile evidence as text. Nothing sets window.__xss."""
    pg, rec = page
    _open_upload(pg, server, store_dir)
    box = pg.get_by_label("Paste the article text")
    box.fill("DATE: 2020-02-21\n" + HOSTILE)
    box.blur()  # the text area's new value reruns the page
    view = pg.locator(".cm-article")
    click_until(pg, pg.get_by_role("button", name="Read the article"), view.count, each=120)
    text = view.inner_text()
    assert "<script>window.__xss = 1</script>" in text and "onerror" in text
    assert "javascript:window.__xss = 4" in text
    main = pg.get_by_test_id("stMain")
    for tag in ("script", "img", "a[href^='javascript']"):
        assert view.locator(tag).count() == 0, tag
        assert main.locator(f"[data-testid='stMarkdown'] {tag}").count() == 0, tag
    # the stored hostile event alone in the table, selected: its details are page HTML
    _open(pg, server, "?q=Tikrit")
    counts = wait_for_counts(pg, 1)
    assert counts["total"] == 1
    wait_for_markers(pg, counts["drawn"])
    grid = pg.get_by_test_id("stDataFrame").first
    grid.wait_for(timeout=60_000)
    bb = settled_box(pg, grid)  # the map's frame above takes its height when it loads
    wait_until_idle(pg)
    pg.mouse.click(bb["x"] + 15, bb["y"] + 35 + 17)  # the first row's selection cell
    details = pg.locator("#cm-nearest")
    details.wait_for(timeout=120_000)
    shown = main.inner_text()
    assert "<script>window.__xss = 1</script>" in shown and "${window.__xss = 3}" in shown
    for tag in ("script", "img", "a[href^='javascript']"):
        assert main.locator(f"[data-testid='stMarkdown'] {tag}").count() == 0, tag
    for frame in pg.frames:
        assert frame.evaluate("() => window.__xss") is None
    _assert_clean(rec, server)


@pytest.mark.parametrize("fast_threshold", [500, 0], ids=["markers", "fast-path"])
def test_saved_map_works_offline_from_disk(browser, tmp_path, fast_threshold):
    events = [e for e in EVENTS if e.lat is not None]
    out = save_map(events, tmp_path / "map.html", fast_threshold=fast_threshold)
    context = browser.new_context()
    pg = context.new_page()
    rec = Recorder()
    rec.attach(pg)
    try:
        pg.goto(out.as_uri())
        state = poll(lambda: pg.evaluate(MARKER_STATE_JS),
                     lambda s: sum(m["n"] for m in s) == len(events), page=pg)
        assert sum(m["n"] for m in state) == len(events), state
        assert [u for u in rec.requests if not u.startswith(("file:", "data:"))] == []
        assert rec.errors == []
        pg.locator(".leaflet-marker-pane .awesome-marker:has(i.fa-bomb)").click()
        popup = pg.locator(".leaflet-popup-content")
        popup.wait_for(timeout=30_000)
        assert "<script>window.__xss = 1</script>" in popup.inner_text()
        assert pg.evaluate("() => window.__xss") is None
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
    with _new_page(browser) as (pg, rec):
        _open(pg, server)
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
        _assert_clean(rec, server)


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


def test_an_answer_to_a_view_the_map_has_left_does_not_move_it(browser, binned_server):
    """The page answers every view the map reports; an answer can arrive after the user has
    moved on. It must not pull the map back: on the 1M store the map went to and fro between
    two views for good, in points mode with no markers in sight (docs/map.md)."""
    server, store_dir = binned_server
    with _new_page(browser) as (pg, rec):
        _open(pg, server)
        poll(lambda: bin_state(pg), lambda s: bool(s) and s["events"] > 0, page=pg)
        dense, quiet = (33.31, 44.37, 9), (34.37, 41.09, 11)
        map_frame(pg).evaluate(MOVE_ON_JS, [list(dense), list(quiet)])
        view = snap_view(*quiet)
        with EventStore(store_dir) as store:
            facets = store.facets()
            want = plan_map(store, {}, facets["drawable"], SMALL_BUDGET, view, facets["bounds"])
        assert want.mode == "view" and want.in_view > 0
        mode = poll(lambda: page_mode(pg), lambda m: m == ("view", want.in_view), page=pg)
        assert mode == ("view", want.in_view)
        markers = wait_for_markers(pg, want.in_view)
        assert sum(m["n"] for m in markers) == want.in_view, markers
        pg.wait_for_timeout(2000)  # any late answer has arrived by now
        assert map_frame(pg).evaluate("() => window.__cm_moves") == []
        at = map_frame(pg).evaluate("() => [window.map.getCenter().lat, "
                                    "window.map.getCenter().lng, window.map.getZoom()]")
        assert at[2] == quiet[2] and abs(at[0] - quiet[0]) < 1e-6 and abs(at[1] - quiet[1]) < 1e-6
        assert page_mode(pg) == ("view", want.in_view)
        _assert_clean(rec, server)
