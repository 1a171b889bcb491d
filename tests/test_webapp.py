"""The Streamlit page: pure helpers, then the whole page through streamlit's AppTest."""

from __future__ import annotations

import json
import re
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit_folium import generate_js_hash

from geo.config import Settings
from geo.model import Event, Evidence, Place
from geo.store import EventStore
from geo.web import kept
from geo.web import page as webapp
from geo.web.mapview import event_layer_data, split_drawable
from geo.web.page import (
    REPORT_DRAWN,
    TABLE_ROWS,
    FilterError,
    Filters,
    asks_drawn_report,
    distance_sentence,
    filters_from_query,
    filters_to_query,
    fit_view,
    highlight_article,
    hold_below_map,
    map_placement,
    nearest_place,
    plan_map,
    release_below_map,
    snap_view,
    table_frame,
    timeline,
    timeline_from_days,
    view_box,
    view_from_state,
    with_place,
)
from tests.page_helpers import APP, page_after_the_map
from tests.synthetic_events import fill_store


def _ev(event_type: str, place: str, lat: float | None, lon: float | None, day: str | None,
        killed: int | None = None, actors: tuple[str, ...] = (), dataset: str = "news",
        evidence: str | None = None) -> Event:
    text = evidence or f"{event_type} at {place}"
    return Event(
        event_type, date=day, date_start=day, date_end=day, time_precision=1 if day else None,
        place=place, place_name=place, country="IQ", lat=lat, lon=lon,
        geo_precision=1 if lat is not None else None, killed=killed, actors=list(actors),
        evidence=text, source=f"https://example.org/{place}", dataset=dataset,
        sources=[Evidence(text, 0, len(text), f"https://example.org/{place}", place)])


#: Known events: 6 drawn, 1 country-only; 3 types drawn; dates in Jan and Mar 2020.
EVENTS = [
    _ev("rocket_attack", "Camp Taji", 33.52, 44.25, "2020-03-11", 2, ("Kataib Hezbollah",)),
    _ev("rocket_attack", "Ain al-Asad", 33.80, 42.44, "2020-01-08", 0, ("IRGC",), "acled"),
    _ev("air_strike", "Jurf al-Sakhar", 32.87, 44.12, "2020-03-13", 5, ("US forces",)),
    _ev("drone_strike", "Baghdad airport", 33.26, 44.23, "2020-01-03", 10, ("US forces",)),
    _ev("base", "al-Qaim", 34.37, 41.09, None),
    _ev("border_crossing", "Al-Qaim crossing", 34.40, 40.95, None),
    _ev("withdrawal", "Iraq", None, None, "2020-03-19", actors=("US forces",)),
]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("webapp_store")
    with EventStore(path) as store:
        result = store.add_events(EVENTS)
    assert result.added == len(EVENTS)
    return path


@pytest.fixture()
def app(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    return page_after_the_map()


def _counts(at: AppTest) -> dict[str, int]:
    for md in at.markdown:
        m = re.search(r"data-total='(\d+)' data-drawn='(\d+)' data-listed='(\d+)'", md.value)
        if m:
            return dict(zip(("total", "drawn", "listed"), map(int, m.groups()), strict=True))
    raise AssertionError("no count line on the page")


def _map_args(at: AppTest) -> dict:
    comps = at.get("component_instance")
    assert len(comps) == 1, "one st_folium map"
    return json.loads(comps[0].proto.json_args)


def _map_script(at: AppTest) -> str:
    """What the map draws: its own script and the layers sent beside it (feature groups)."""
    args = _map_args(at)
    return args["script"] + "\n" + (args.get("feature_group") or "")


def _markers(script: str) -> int:
    """Event markers in a map's script: ``folium.Marker``s, written with their point (the
    place names' one ``L.marker`` call takes its point from their rows)."""
    return len(re.findall(r"L\.marker\(\s*\[\s*-?\d", script))


def _expected(store_dir: Path, **kwargs) -> tuple[int, int]:
    with EventStore(store_dir) as store:
        frame = store.query_frame(**kwargs)
    drawn, _listed = split_drawable(frame)
    return len(frame), len(drawn)


# --- pure helpers -----------------------------------------------------------------------------

def test_filters_round_trip_through_the_url():
    f = Filters(types=("rocket_attack", "air_strike"), since=date(2020, 3, 1),
                until=date(2020, 3, 31), actors=("US forces",), countries=("IQ",),
                datasets=("news",), text="Taji", min_fatalities=2, include_undated=False,
                online_tiles=True, include_unreported=True)
    q = filters_to_query(f)
    params = {k: v if isinstance(v, list) else [v] for k, v in q.items()}
    assert filters_from_query(params) == f
    assert filters_to_query(Filters()) == {}
    assert filters_from_query({}) == Filters()
    # "no type at all" survives the link too
    assert filters_from_query({"type": ["none"]}).types == ()


@pytest.mark.parametrize(("params", "message"), [
    ({"type": ["volcano"]}, "unknown event type"),
    ({"since": ["March"]}, "not a YYYY-MM-DD date"),
    ({"since": ["2020-03-02"], "until": ["2020-03-01"]}, "reversed"),
    ({"min_killed": ["many"]}, "not a number"),
    ({"min_killed": ["-1"]}, ">= 0"),
])
def test_bad_url_filters_are_named(params, message):
    with pytest.raises(FilterError, match=message):
        filters_from_query(params)


def test_store_kwargs_match_the_store_api(store_dir: Path):
    f = Filters(types=("rocket_attack",), since=date(2020, 3, 1), min_fatalities=1)
    with EventStore(store_dir) as store:
        assert store.count(**f.store_kwargs()) == 1  # Camp Taji in March, with its dead


def test_every_stored_type_chosen_is_no_type_filter(store_dir: Path):
    with EventStore(store_dir) as store:
        stored = store.facets(fields=["by_type"])["by_type"]
        every = Filters(types=(*stored, "ambush"))  # and one the store does not hold
        assert "types" not in every.store_kwargs(stored)
        assert every.store_kwargs()["types"] == [*stored, "ambush"]  # store's types unknown
        assert store.count(**every.store_kwargs(stored)) == store.count(
            **every.store_kwargs()) == len(store)
        some = Filters(types=tuple(sorted(stored))[1:])
        assert store.count(**some.store_kwargs(stored)) < len(store)
        none = Filters(types=())
        assert none.store_kwargs(stored)["types"] == []
        assert store.count(**none.store_kwargs(stored)) == 0


def test_timeline_by_week_and_by_month():
    weekly = timeline(pd.DataFrame({"date_start": ["2020-03-02", "2020-03-04", "2020-03-20",
                                                   None]}))
    assert weekly.index.name == "week"
    assert weekly["events"].tolist() == [2, 0, 1]
    monthly = timeline(pd.DataFrame({"date_start": ["2019-12-30", "2020-01-08", "2020-06-01"]}))
    assert monthly.index.name == "month"
    assert monthly["events"].tolist() == [1, 1, 0, 0, 0, 0, 1]  # Dec..Jun
    assert timeline(pd.DataFrame({"date_start": [None]})).empty


def test_highlight_article_escapes_and_nests():
    text = "Intro. Rockets hit <Camp Taji> today.\nEnd <script>x</script>"
    start = text.index("Rockets")
    end = text.index("today.") + len("today.")
    place = (text.index("Camp"), text.index("Camp") + len("Camp Taji"))
    out = highlight_article(text, [(start, end)], [place])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<mark class='cm-event'><b class='cm-place'>Camp Taji&gt;</b></mark>" not in out
    assert "<mark class='cm-event'><b class='cm-place'>Camp Taji</b></mark>" in out
    assert out.startswith("Intro. <mark class='cm-event'>Rockets hit &lt;</mark>")
    assert "<br>" in out
    assert highlight_article("abc", [(5, 9)]) == "abc"  # spans outside the text are ignored


def test_nearest_place_is_geodesic():
    qaim = (34.37, 41.09)
    crossing = Place("x:1", "Abu Kamal–Al-Qa'im border crossing", "border_crossing", "IQ",
                     34.4, 40.96)
    far = Place("x:2", "Rabia", "border_crossing", "IQ", 36.8, 42.1)
    found = nearest_place([far, crossing, Place("x:3", "nowhere", "town", "IQ", None, None)],
                          *qaim)
    assert found is not None and found[0] is crossing
    assert 11.5 < found[1] < 13.0  # about 12 km on the ellipsoid
    assert nearest_place([crossing], *qaim, exclude_id="x:1") is None
    assert "12" in distance_sentence("al-Qaim", found, "border crossing")
    assert "no known base" in distance_sentence("al-Qaim", None, "base")


def test_with_place_moves_the_event():
    ev = EVENTS[0]
    moved = with_place(ev, Place("geonames:1", "Taji", "town", "IQ", 33.5, 44.3))
    assert (moved.lat, moved.lon, moved.place_id, moved.place_name) == (33.5, 44.3,
                                                                      "geonames:1", "Taji")
    assert moved.place == ev.place and "geonames:1" in moved.notes


def test_table_frame_is_readable(store_dir: Path):
    with EventStore(store_dir) as store:
        table = table_frame(store.query_frame())
    assert len(table) == len(EVENTS)
    assert "Rocket attack" in set(table["event_type"])
    assert "Kataib Hezbollah" in set(table["actors"])


# --- the page ---------------------------------------------------------------------------------

def test_page_counts_match_the_store(app: AppTest, store_dir: Path):
    at = app.run()
    assert not at.exception, at.exception
    total, drawn = _expected(store_dir)
    assert _counts(at) == {"total": total, "drawn": drawn, "listed": total - drawn}
    script = _map_script(at)
    assert _markers(script) == drawn
    assert "/app/static/vendor/leaflet/images/" in script
    # the country-only withdrawal is listed in an expander, not drawn
    assert any("without a point" in e.label for e in at.expander)


def test_filters_change_counts_and_url(app: AppTest, store_dir: Path):
    at = app.run()
    types = at.sidebar.pills(key="f_types")
    keep = [t for t in types.value if t != "rocket_attack"]
    at = types.set_value(keep).run()
    total, drawn = _expected(store_dir, types=keep)
    assert _counts(at)["total"] == total and _counts(at)["drawn"] == drawn
    assert _markers(_map_script(at)) == drawn
    assert at.query_params["type"] == keep
    at = at.sidebar.number_input(key="f_min_killed").set_value(5).run()
    total, drawn = _expected(store_dir, types=keep, min_fatalities=5)
    assert _counts(at)["total"] == total == 2  # air strike (5) and drone strike (10)
    assert at.query_params["min_killed"] in ("5", ["5"])
    at = at.sidebar.text_input(key="f_text").input("Jurf").run()
    assert _counts(at)["total"] == 1


def test_url_filters_open_the_shared_view(app: AppTest, store_dir: Path):
    app.query_params["since"] = "2020-03-01"
    app.query_params["until"] = "2020-03-31"
    app.query_params["undated"] = "0"
    at = app.run()
    assert not at.exception, at.exception
    total, drawn = _expected(store_dir, since="2020-03-01", until="2020-03-31",
                             include_undated=False)
    assert _counts(at) == {"total": total, "drawn": drawn, "listed": total - drawn}
    assert total == 3  # Camp Taji, Jurf al-Sakhar, the March withdrawal
    assert at.sidebar.checkbox(key="f_undated").value is False


def test_bad_url_is_reported_not_fatal(app: AppTest, store_dir: Path):
    app.query_params["since"] = "yesterday"
    at = app.run()
    assert not at.exception
    assert any("not a YYYY-MM-DD date" in w.value for w in at.warning)
    assert _counts(at)["total"] == _expected(store_dir)[0]


# --- at scale: facets, views, bins ------------------------------------------------------------

def test_max_points_from_the_environment():
    assert Settings.from_env({}).map_max_points == Settings().map_max_points == 20_000
    assert Settings.from_env({"CONFLICT_MAP_MAX_POINTS": " 250 "}).map_max_points == 250
    for bad, message in (("many", "not a whole number"), ("-3", ">= 0")):
        with pytest.raises(ValueError, match=message):
            Settings.from_env({"CONFLICT_MAP_MAX_POINTS": bad})


def test_timeline_from_day_counts_matches_the_rows():
    days = ["2019-12-30", "2020-01-08", "2020-01-08", "2020-06-01"]
    assert timeline_from_days(dict(pd.Series(days).value_counts())).equals(
        timeline(pd.DataFrame({"date_start": days})))
    assert timeline_from_days({}).empty


def test_a_reported_view_is_stable():
    """The map reports its view after each redraw up to half a pixel off: the page must land
    on the same view, or every redraw would ask for another one."""
    view = snap_view(35.123, 41.987, 7)
    px = 360.0 / (256 * 2 ** 7)
    for dlat, dlon in ((0.4 * px, -0.4 * px), (-0.45 * px, 0.3 * px), (0, 0)):
        state = {"center": {"lat": view.lat + dlat, "lng": view.lon + dlon}, "zoom": 7}
        assert view_from_state(state) == view
    west, south, east, north = view.bbox
    assert west < view.lon < east and south < view.lat < north
    assert view_from_state(None) is None and view_from_state({"zoom": 3}) is None
    assert view_from_state({"center": {"lat": 10, "lng": 370}, "zoom": 3}).lon == \
        pytest.approx(10, abs=2)


def test_fit_view_holds_the_bounds():
    bounds = (29.5, 35.0, 37.4, 48.5)
    view = fit_view(bounds)
    west, south, east, north = view.bbox
    assert west <= 35.0 and east >= 48.5 and south <= 29.5 and north >= 37.4
    closer = view_box(view.lat, view.lon, view.zoom + 1)
    assert not (closer[0] <= 35.0 and closer[2] >= 48.5 and closer[1] <= 29.5
                and closer[3] >= 37.4)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big_store")
    fill_store(path, 2_000)
    return path


def test_plan_draws_everything_under_the_budget(big_store: Path):
    with EventStore(big_store) as store:
        facets = store.facets()
        plan = plan_map(store, {}, facets["drawable"], facets["drawable"], None,
                        facets["bounds"])
    assert plan.mode == "all" and plan.view is None
    assert plan.layers is not None and plan.layers.count == plan.in_view == facets["drawable"]


def test_plan_bins_above_the_budget_and_counts_add_up(big_store: Path):
    with EventStore(big_store) as store:
        kwargs = {"types": ["armed_clash", "air_strike", "bombing"], "since": "2014-01-01"}
        facets = store.facets(**kwargs)
        plan = plan_map(store, kwargs, facets["drawable"], 100, None, facets["bounds"])
        assert plan.mode == "bins"
        # the first view fits every drawable event: the cells hold all of them
        assert int(plan.bins["n"].sum()) == plan.in_view == facets["drawable"]
        assert set(plan.bins["event_type"]) <= set(kwargs["types"])
        # zoomed into one hotspot the view holds few enough: its events, one by one
        close = snap_view(34.37, 41.09, 11)  # Al-Qaim
        plan = plan_map(store, kwargs, facets["drawable"], 100, close, facets["bounds"])
        assert plan.mode == "view" and plan.layers is not None and 0 < plan.in_view <= 100
        west, south, east, north = close.bbox
        pad_lon, pad_lat = (east - west) / 2, (north - south) / 2
        inside = store.facets(**kwargs, include_unlocated=False,
                              bbox=(west - pad_lon, south - pad_lat, east + pad_lon,
                                    north + pad_lat))
        assert plan.layers.count == plan.in_view == inside["drawable"]


def _bin_rows(script: str) -> list[list]:
    m = re.search(r"var rows = (\[.*?\]);\n", script, re.S)
    assert m, "no bin layer in the map script"
    return json.loads(m.group(1))


def test_page_aggregates_above_the_budget(big_store: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(big_store))
    monkeypatch.setenv("CONFLICT_MAP_MAX_POINTS", "50")
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    with EventStore(big_store) as store:
        facets = store.facets()
    counts = _counts(at)
    assert counts == {"total": facets["total"], "drawn": facets["drawable"],
                      "listed": facets["total"] - facets["drawable"]}
    script = _map_script(at)
    rows = _bin_rows(script)
    assert len(rows) > 1 and sum(r[2] for r in rows) == facets["drawable"]
    assert _markers(script) == 0 and "L.svg(" in script
    assert any(f"{rows[0][2]:,} events" in r[5] for r in rows[:1])
    # a session's first run draws the page down to the map: the rest follows its first report
    assert not at.dataframe and "once the map is drawn" in at.caption[-1].value
    at = at.run()
    assert _map_script(at) == script
    # the table shows the first rows only, and says so
    assert len(at.dataframe[-1].value) == min(TABLE_ROWS, facets["total"])
    # narrowing the filters below the budget draws the events themselves again
    at = at.sidebar.text_input(key="f_text").input("Mosul district 3").run()
    with EventStore(big_store) as store:
        small = store.facets(text="Mosul district 3")
    assert 0 < small["drawable"] <= 50
    assert _counts(at)["drawn"] == small["drawable"]
    assert "var rows = " not in _map_script(at)


def test_a_fresh_session_draws_the_map_first(store_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """Every point on the map: the first run draws down to the map, which asks to report
    once (REPORT_DRAWN); the run its report makes draws the whole page, with the very same
    map element (Streamlit sends a reference to it, not the map again). Another map asks for
    nothing, even the first one drawn again (it would be a new map, and report)."""
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    first = _map_args(at)
    assert first["returned_objects"] == REPORT_DRAWN
    assert not at.dataframe and "once the map is drawn" in at.caption[-1].value
    at = at.run()
    again = _map_args(at)
    assert {k: v for k, v in again.items() if k != "script"} == \
        {k: v for k, v in first.items() if k != "script"}
    # streamlit-folium keys the map by its script, random element names aside: same map
    # (a map of few events has a marker each, whose popups have random names)
    assert generate_js_hash(again["script"]) == generate_js_hash(first["script"])
    assert at.dataframe and not any("once the map is drawn" in c.value for c in at.caption)
    everything = at.sidebar.pills[0].value
    at.sidebar.pills[0].set_value(["rocket_attack"]).run()
    assert _map_args(at)["returned_objects"] == []
    at.sidebar.pills[0].set_value(everything).run()
    back = _map_args(at)
    assert back["returned_objects"] == []
    assert generate_js_hash(back["script"]) == generate_js_hash(first["script"])


def test_the_run_after_the_held_one_sends_the_same_map_element(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Above FAST_PATH_THRESHOLD events the map's script has no random names, so the run that
    follows the held one makes the very same element (arguments and all): Streamlit sends
    the browser a reference to the map it has, not 4 MB again at 10,000 events."""
    fill_store(tmp_path, 600)
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=180).run()
    first = at.get("component_instance")[0].proto
    assert json.loads(first.json_args)["returned_objects"] == REPORT_DRAWN
    at.run()
    assert at.dataframe and at.get("component_instance")[0].proto == first


def test_a_selected_row_moves_the_map_of_every_point_by_a_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Selecting a table row leaves the map element as it was (Streamlit sends a reference,
    not the map again) and adds a frame whose script asks the map to go to the event."""
    from streamlit.util import AttributeDictionary

    fill_store(tmp_path, 600)
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path))
    at = page_after_the_map().run()
    first = at.get("component_instance")[0].proto
    assert not at.get("iframe")
    at.session_state["cm_table"] = AttributeDictionary(
        {"selection": AttributeDictionary({"rows": [0], "columns": []})})
    at.run()
    assert not at.exception, at.exception
    assert at.get("component_instance")[0].proto == first
    [frame] = at.get("iframe")
    msg = json.loads(re.search(r"var msg = (\{.*?\}),", frame.proto.srcdoc)[1])
    with EventStore(tmp_path) as store:
        event = store.query_frame().iloc[0]  # the table's first row: the latest event
    assert msg["type"] == "conflict-map:focus" and msg["zoom"] == webapp.FOCUS_ZOOM
    assert (msg["lat"], msg["lon"]) == (event["lat"], event["lon"])
    assert msg["id"].startswith(event["id"])
    at.run()  # the same event on the same map: the same frame, which asks no more
    assert at.get("iframe")[0].proto == frame.proto
    at.checkbox(key="f_tiles").check().run()  # another basemap: a new map, which is asked again
    assert not at.exception, at.exception
    again = json.loads(re.search(r"var msg = (\{.*?\}),", at.get("iframe")[0].proto.srcdoc)[1])
    assert again["id"] != msg["id"] and again["lat"] == msg["lat"]


def test_only_the_held_runs_map_asks_for_the_drawn_report():
    state: dict = {}
    assert asks_drawn_report(state, "map", held=True)
    assert asks_drawn_report(state, "map", held=False)  # the same map: the same element
    assert not asks_drawn_report(state, "other", held=False)
    assert not asks_drawn_report(state, "map", held=False)  # drawn again: a new map
    assert not asks_drawn_report(state, None, held=True)  # a held first run drawing cells
    assert not asks_drawn_report(state, "map", held=False)


def test_the_page_below_a_reporting_map_waits_for_its_first_report():
    state: dict = {}
    assert hold_below_map(state)  # a session's first run
    assert not release_below_map(state, map_reported=False)  # the map is not drawn yet
    assert release_below_map(state, map_reported=True)  # drawn: rerun the whole page, once
    assert not release_below_map(state, map_reported=True)
    assert not hold_below_map(state)  # later runs draw everything
    assert not release_below_map(state, map_reported=True)
    state = {}
    assert hold_below_map(state)
    assert not hold_below_map(state)  # a map holding every point: its report reran the page
    assert not release_below_map(state, map_reported=True)


def test_a_new_view_keeps_the_map_and_swaps_its_layers(big_store: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """Above the budget the map's own script does not depend on the view: a pan or zoom
    sends new feature groups (cells, then points), and the browser keeps the map
    (streamlit-folium keys its component by the script) where the user put it: the centre and
    zoom sent stay those of the first view (an answer arriving after the user moved on must
    not pull the map back, see geo.web.map_panel.map_placement)."""
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(big_store))
    monkeypatch.setenv("CONFLICT_MAP_MAX_POINTS", "50")
    at = AppTest.from_file(APP, default_timeout=180).run()
    first = _map_args(at)
    assert "var rows = " in first["feature_group"] and "var rows = " not in first["script"]
    assert "L.control.layers" in first["layer_control"]
    at.session_state["cm_map"] = {"center": {"lat": 34.37, "lng": 41.09}, "zoom": 13}
    at = at.run()
    assert not at.exception, at.exception
    second = _map_args(at)
    # the component key streamlit-folium derives from the script (ids normalised): the same
    assert generate_js_hash(second["script"], "cm_map") == generate_js_hash(first["script"],
                                                                            "cm_map")
    assert second["feature_group"] != first["feature_group"]
    assert "var rows = " not in second["feature_group"]  # points now, no cells
    assert (second["center"], second["zoom"]) == (first["center"], first["zoom"])
    mode = re.search(r"data-mode='(\w+)' data-in-view='(\d+)'",
                     " ".join(m.value for m in at.markdown))
    assert mode and mode.group(1) == "view"
    n = int(mode.group(2))
    assert 0 < n <= 50
    assert second["feature_group"].count("L.marker(") == n


#: Filters the page's cells can carry, each compared between SQL and the numpy snapshot.
BIN_FILTERS = [
    {}, {"types": ["air_strike", "armed_clash"]}, {"types": []},
    {"since": "2016-01-01", "until": "2018-12-31"},
    {"since": "2016-01-01", "include_undated": False}, {"until": "2015-06-30"},
    {"bbox": (40.0, 32.0, 45.0, 37.0)}, {"bbox": (170.0, -10.0, -170.0, 10.0)},
    {"datasets": ["news"]}, {"countries": ["SY"]}, {"min_fatalities": 3},
    {"types": ["bombing", "rocket_attack"], "bbox": (43.9, 33.0, 44.6, 33.6),
     "until": "2019-01-01", "countries": ["IQ"]},
]


@pytest.mark.parametrize("cell", [3.0, 0.35, 0.02])
def test_fast_bins_equal_the_sql_bins(big_store: Path, cell: float):
    with EventStore(big_store) as store:
        for filters in BIN_FILTERS:
            sql = store.bins(cell, **filters).sort_values(["row", "col", "event_type"])
            sql = sql.reset_index(drop=True).astype({"row": "int64", "col": "int64",
                                                    "n": "int64"})
            fast = store.fast_bins(cell, **filters)
            key = ["row", "col", "event_type", "n"]
            assert fast[key].equals(sql[key]), filters
            assert fast["lat"].to_numpy() == pytest.approx(sql["lat"].to_numpy(), rel=1e-12)
            assert fast["lon"].to_numpy() == pytest.approx(sql["lon"].to_numpy(), rel=1e-12)
            drawable = store.facets(**filters, include_unlocated=False)["drawable"]
            assert int(fast["n"].sum()) == drawable, filters


def test_the_snapshot_follows_the_store(tmp_path: Path):
    """Built on first use (or in the background with wait=False, SQL answering meanwhile),
    kept while nothing changes, read again after a write from this or another connection;
    text and actor filters go to SQL."""
    path = tmp_path / "store"
    fill_store(path, 300)
    with EventStore(path) as store, EventStore(path) as other:
        cell = 1.0
        assert store.columns(wait=False) is None  # nothing read yet: a read starts
        assert int(store.fast_bins(cell, wait=False)["n"].sum()) == store.facets(
            include_unlocated=False)["drawable"]  # SQL answers meanwhile
        first = None
        for _ in range(1200):  # the background read finishes (no time asserted)
            first = store.columns(wait=False)
            if first is not None:
                break
            threading.Event().wait(0.05)
        assert first is not None and first is store.columns()  # kept
        assert len(first) == len(store)
        before = int(store.fast_bins(cell)["n"].sum())
        other.add_events([_ev("air_strike", "Hit", 33.64, 42.83, "2021-05-05")])
        assert store.columns() is not first  # another connection's commit is seen
        assert int(store.fast_bins(cell)["n"].sum()) == before + 1
        assert int(store.fast_bins(cell, text="Hit")["n"].sum()) == store.facets(
            text="Hit", include_unlocated=False)["drawable"]
        with pytest.raises(ValueError, match="cell size"):
            store.fast_bins(0)
        with pytest.raises(ValueError, match="bbox"):
            store.fast_bins(cell, bbox=(1, 2, 3))


def test_the_page_puts_the_map_only_where_it_means_to():
    state: dict = {}
    first, moved, focus = snap_view(34.0, 42.0, 6), snap_view(33.3, 44.4, 9), snap_view(
        34.37, 41.09, 11)
    assert map_placement(state, first, ("a",), False) == first  # the session's first map
    assert map_placement(state, moved, ("a",), False) == first  # the map's own report: stay
    assert map_placement(state, focus, ("a",), True) == focus  # a selected event: go there
    assert map_placement(state, moved, ("a",), False) == focus
    assert map_placement(state, moved, ("b",), False) == moved  # a new map starts at the view


def test_the_map_layers_are_made_once_per_store_generation_and_filters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Runs of the page that draw the same events reuse their map layers; a write to the
    store (a new generation) or other filters make new ones, which show the change."""
    with EventStore(tmp_path) as store:
        store.add_events(EVENTS[:3])
    made: list[int] = []

    def counted(points: pd.DataFrame, **kwargs: object) -> list:
        made.append(len(points))
        return event_layer_data(points, **kwargs)

    monkeypatch.setattr(kept, "event_layer_data", counted)
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=180).run()  # held first run
    at = at.run()  # the run the map's report makes: the whole page
    assert not at.exception, at.exception
    assert made == [3]
    with EventStore(tmp_path) as store:
        before = store.generation()
        store.add_events(EVENTS[3:4])  # the drone strike at Baghdad airport
        assert store.generation() > before
    at = at.run()
    assert made == [3, 4] and "Baghdad airport" in _map_script(at)
    at.sidebar.pills[0].set_value(["rocket_attack"]).run()
    assert made == [3, 4, 2]
    at.sidebar.pills[0].set_value(["rocket_attack"]).run()
    assert made == [3, 4, 2] and "Baghdad airport" not in _map_script(at)


def _count_queries(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The arguments of every EventStore.query_frame call from now on."""
    queried: list[dict] = []
    real = EventStore.query_frame

    def counted(self: EventStore, *args: object, **kwargs: object) -> pd.DataFrame:
        queried.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EventStore, "query_frame", counted)
    return queried


def test_the_table_rows_are_read_once_per_store_generation_and_filters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A rerun at the same filters (a row selected) reads no row again; a write to the store
    or other filters read the rows anew, and the table shows the change."""
    with EventStore(tmp_path) as store:
        store.add_events(EVENTS[:3])
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path))
    at = page_after_the_map().run()
    assert len(at.dataframe[-1].value) == 3
    queried = _count_queries(monkeypatch)
    at.run()
    assert not at.exception, at.exception
    assert queried == [] and len(at.dataframe[-1].value) == 3
    with EventStore(tmp_path) as store:
        store.add_events(EVENTS[3:4])  # the drone strike at Baghdad airport
    at.run()
    assert len(queried) >= 1 and len(at.dataframe[-1].value) == 4
    done = len(queried)
    at.sidebar.pills[0].set_value(["rocket_attack"]).run()
    assert len(queried) > done and len(at.dataframe[-1].value) == 2


def test_a_new_sessions_first_run_draws_kept_layers_without_a_query(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Another browser opening the page draws the map from the layers an earlier session
    kept: its held first run queries no event (the map's legend and fit come with them)."""
    with EventStore(tmp_path) as store:
        store.add_events(EVENTS[:3])
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path))
    first = AppTest.from_file(APP, default_timeout=180).run()
    queried = _count_queries(monkeypatch)
    second = AppTest.from_file(APP, default_timeout=180).run()
    assert not second.exception, second.exception
    assert queried == []
    ids = re.compile(r"[0-9a-f]{32}")  # folium's random element ids
    assert ids.sub("", _map_script(second)) == ids.sub("", _map_script(first))
    assert "Taji" in _map_script(second) and "fitBounds" in _map_script(second)
    second.run()  # the whole page: the table needs the rows
    assert queried


def test_a_view_of_points_keeps_its_layers_until_the_store_changes(tmp_path: Path):
    """The same view planned again (a rerun: a table row selected) reuses its map layers;
    another view, or a write to the store, makes new ones."""
    fill_store(tmp_path, 600)
    kwargs = {"types": ["armed_clash", "air_strike", "bombing"], "since": "2014-01-01"}
    close, beside = snap_view(34.37, 41.09, 11), snap_view(34.37, 41.5, 11)  # Al-Qaim
    with EventStore(tmp_path) as store:
        drawable = store.facets(**kwargs)["drawable"]
        first = plan_map(store, kwargs, drawable, 50, close, None)
        assert first.mode == "view" and first.layers is not None and first.in_view > 0
        assert plan_map(store, kwargs, drawable, 50, close, None).layers is first.layers
        other = plan_map(store, kwargs, drawable, 50, beside, None)
        assert other.mode == "view" and other.layers is not first.layers
        store.add_events([_ev("bombing", "al-Qaim", 34.37, 41.09, "2020-01-05")])
        again = plan_map(store, kwargs, drawable + 1, 50, close, None)
    assert again.layers is not first.layers and again.in_view == first.in_view + 1
