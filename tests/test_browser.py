"""The map page in a real browser: streamlit run + Debian chromium driven by Playwright.

Checked against what the store holds: markers and clusters drawn, the basemap's place names
(more closer in), an event type toggled and a date range narrowed, a popup's evidence
(escaped: hostile article text never runs), an uploaded article's events, the saved map
offline, no console errors and no request outside localhost. Saves the screenshot the README
shows (docs/screenshot.png). The map at scale (a selected row, counted cells, zooms, a large
store): tests/test_browser_scale.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.config import PROJECT_DIR, SEEDS_DIR
from geo.model import Event, Evidence
from geo.store import EventStore
from geo.web.mapview import BASEMAP_PANE, LABEL_PANE, save_map, split_drawable
from tests.browser_helpers import (
    MARKER_STATE_JS,
    Recorder,
    Server,
    assert_clean,
    click_until,
    launched_browser,
    map_frame,
    new_page,
    open_page,
    poll,
    settled_box,
    skip_module_without_browser,
    start_server,
    wait_for_counts,
    wait_for_markers,
    wait_until_idle,
)

SCREENSHOT = PROJECT_DIR / "docs" / "screenshot.png"

pytestmark = pytest.mark.browser

skip_module_without_browser()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_browser() as b:
        yield b


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


@pytest.fixture()
def page(browser: Any, server: Server) -> Iterator[tuple[Any, Recorder]]:
    with new_page(browser) as opened:
        yield opened


def _expected(store_dir: Path, **filters: Any) -> tuple[int, int]:
    """(events matching, events drawn) as the store answers the page's filters (by default,
    as the page: reported events only)."""
    filters.setdefault("statuses", ["reported"])
    with EventStore(store_dir) as store:
        frame = store.query_frame(**filters)
    return len(frame), len(split_drawable(frame)[0])


def test_markers_and_clusters_match_the_store(page, server, store_dir):
    pg, rec = page
    open_page(pg, server)
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
    assert_clean(rec, server)


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
    open_page(pg, server)
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
    assert_clean(rec, server)


def test_toggling_an_event_type_changes_the_count(page, server, store_dir):
    pg, rec = page
    open_page(pg, server)
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
    assert_clean(rec, server)


def test_narrowing_the_date_range_changes_the_count(page, server, store_dir):
    pg, rec = page
    open_page(pg, server, "?since=2020-03-01&until=2020-03-31&undated=0")
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
    assert_clean(rec, server)


def test_popup_shows_the_evidence_as_text(page, server, store_dir):
    pg, rec = page
    open_page(pg, server)
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
    assert_clean(rec, server)


def test_uploading_an_article_adds_its_events(page, server, store_dir, tmp_path):
    pg, rec = page
    open_page(pg, server)
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
    assert_clean(rec, server)


def _store_state(store_dir: Path) -> tuple[int, str, int]:
    """(events, SQLite's integrity check, articles): what a refused upload must not change."""
    with EventStore(store_dir) as store:
        return len(store), store.integrity_check(), len(store.articles())



def _open_upload(pg: Any, server: Server, store_dir: Path) -> None:
    open_page(pg, server)
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
    assert_clean(rec, server)


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
    shown = _expected(store_dir)[0]
    assert wait_for_counts(pg, shown)["total"] == shown
    assert_clean(rec, server)


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
    open_page(pg, server, "?q=Tikrit")
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
    assert_clean(rec, server)


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


