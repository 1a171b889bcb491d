"""What the page shows of an event where it is not known, and of an event not reported as
having happened: one way everywhere (table, popup, tooltip), and planned, threatened and denied
events left out unless the sidebar asks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from geo.model import STATUSES, Event, Evidence
from geo.store import EventStore
from geo.web.filters import Filters, filters_from_query, filters_to_query
from geo.web.mapview import (
    UNREPORTED_OPACITY,
    build_map,
    cluster_data,
    events_frame,
    popup_html,
    tooltip_text,
)
from geo.web.table import table_frame
from tests.page_helpers import page_after_the_map


def _ev(event_type: str, place: str | None, day: str | None, killed: int | None,
        wounded: int | None = None, actors: tuple[str, ...] = (), lat: float | None = 33.5,
        lon: float | None = 44.2, status_: str = "reported") -> Event:
    text = f"{event_type} at {place}"
    return Event(event_type, date=day, date_start=day, date_end=day,
                 time_precision=1 if day else None, place=place, place_name=place,
                 country="IQ" if place else None, lat=lat, lon=lon,
                 geo_precision=1 if lat is not None else None, killed=killed, wounded=wounded,
                 actors=list(actors), evidence=text, source=f"https://example.org/{place}",
                 status=status_, sources=[Evidence(text, 0, len(text), "https://example.org/x",
                                                   place or "")])


#: An event with nothing known but its type and point, and one with everything known.
UNKNOWN = _ev("base", None, None, None)
KNOWN = _ev("rocket_attack", "Camp Taji", "2020-03-11", 2, 14, ("Kataib Hezbollah",))


def _cells(table: pd.DataFrame) -> set[str]:
    return {str(v) for v in table.to_numpy().ravel()}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shown_store")
    with EventStore(path) as store:
        assert store.add_events([UNKNOWN, KNOWN]).added == 2
    return path


def test_the_table_shows_unknowns_as_the_popup_does(store_dir: Path):
    """A stored event of unknown date, place, casualties and actors: the table says
    "undated", "unknown place", "?" and "not stated", as its popup does; never "None"."""
    with EventStore(store_dir) as store:
        frame = store.query_frame()
    table = table_frame(frame)
    row = table[table["event_type"] == "Base / airfield"].iloc[0]
    assert (row["date"], row["place_name"], row["killed"], row["wounded"], row["actors"]) == (
        "undated", "unknown place", "?", "?", "not stated")
    popup = popup_html(frame[frame["event_type"] == "base"].iloc[0].to_dict())
    for shown in ("undated", "unknown place", "killed ?, wounded ?", "not stated"):
        assert shown in popup, shown
    assert not _cells(table) & {"None", "nan", "NaN", "<NA>", "NaT"}, _cells(table)
    known = table[table["event_type"] == "Rocket attack"].iloc[0]
    assert (known["date"], known["killed"], known["wounded"]) == ("2020-03-11", "2", "14")
    assert tooltip_text(frame[frame["event_type"] == "base"].iloc[0].to_dict()) == (
        "Base / airfield: unknown place (undated)")


def test_the_page_table_has_no_none(store_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """The events table of the page (what st.dataframe is sent): no cell says None."""
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    at = page_after_the_map().run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert len(table) == 2 and "undated" in set(table["date"]) and "?" in set(table["killed"])
    assert not _cells(table) & {"None", "nan", "NaN", "<NA>", "NaT"}


def test_events_not_reported_are_marked_in_popup_table_and_map():
    planned = dataclasses.replace(KNOWN, status="planned")
    frame = events_frame([KNOWN, planned])
    table = table_frame(frame)
    assert list(table["event_type"]) == ["Rocket attack", "Rocket attack (planned)"]
    popups = [popup_html(r) for r in frame.to_dict("records")]
    assert "Status:" not in popups[0]
    assert "Rocket attack (planned)" in popups[1] and "Status: planned" in popups[1]
    assert "(planned)" in tooltip_text(frame.iloc[1].to_dict())
    # faded markers: a style of their own on the fast path, an opacity on a folium.Marker
    data = cluster_data(frame.to_dict("records"))
    assert [len(s) for s in data.styles] == [2, 3] and data.styles[1][2] == UNREPORTED_OPACITY
    html = build_map([KNOWN, planned]).get_root().render()
    assert html.count(f'"opacity": {UNREPORTED_OPACITY}') == 1


def test_only_reported_events_by_default_and_all_when_asked(tmp_path: Path):
    """The page's filter arguments ask the store for reported events only, unless the
    sidebar's control asks for every status."""
    default = Filters().store_kwargs()
    assert default["statuses"] == ["reported"]
    every = Filters(include_unreported=True).store_kwargs()
    assert "statuses" not in every
    with EventStore(tmp_path / "store") as store:
        assert store.add_events([  # four events, each at its own town
            dataclasses.replace(KNOWN, status=s, lat=KNOWN.lat + i, place=f"Town {i}",
                                place_name=f"Town {i}", source=f"https://example.org/{s}")
            for i, s in enumerate(STATUSES)]).added == len(STATUSES)
        assert list(store.query_frame(**default)["status"]) == ["reported"]
        assert store.count(**default) == store.facets(**default)["total"] == 1
        assert store.count(**every) == len(STATUSES)
    # the link keeps the choice
    asked = Filters(include_unreported=True)
    assert filters_to_query(asked) == {"unreported": "1"}
    assert filters_from_query({"unreported": ["1"]}) == asked


def test_the_page_leaves_out_unreported_events_unless_asked(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    """On a store that keeps an event's status (schema v2): a planned attack is neither on
    the map nor in the table by default; with the sidebar's control it is in both, marked."""
    planned = dataclasses.replace(KNOWN, event_type="bombing", place="Balad",
                                  place_name="Balad", lat=34.01, lon=44.15, date="2020-04-02",
                                  date_start="2020-04-02", date_end="2020-04-02",
                                  status="planned", evidence="Militants plan to bomb Balad.")
    with EventStore(tmp_path / "store") as store:
        assert store.add_events([KNOWN, planned]).added == 2  # two events, not one merged
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(tmp_path / "store"))
    at = page_after_the_map().run()
    assert list(at.dataframe[-1].value["event_type"]) == ["Rocket attack"]
    script = at.get("component_instance")[0].proto.json_args
    assert "plan to bomb" not in script
    at = at.sidebar.checkbox(key="f_unreported").check().run()
    table = at.dataframe[-1].value
    assert sorted(table["event_type"]) == ["Bombing (planned)", "Rocket attack"]
    assert "plan to bomb" in at.get("component_instance")[0].proto.json_args
    assert at.query_params["unreported"] in ("1", ["1"])
