"""Store.facets and Store.bins against what query_frame returns, on a real store of synthetic
events (clustered, with undated, country-only and aggregate ones), once per store (SQLite and
PostGIS: tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from geo.model import Event
from geo.store import open_store
from geo.web.mapview import split_drawable
from tests.synthetic_events import synthetic_event, synthetic_events

N = 3_000


def fill(location: str, n: int, batch: int = 1_000) -> int:
    """What tests.synthetic_events.fill_store does, into a store of any kind."""
    added = 0
    with open_store(location) as store:
        for offset in range(0, n, batch):
            added += store.add_events(synthetic_events(min(batch, n - offset), 0,
                                                       offset)).added
    return added


@pytest.fixture(scope="module")
def store_dir(fresh_location) -> str:
    path = fresh_location()
    assert fill(path, N) > N * 0.9
    return path


FILTERS = [
    {},
    {"types": ["air_strike", "bombing"]},
    {"since": "2016-01-01", "until": "2018-12-31"},
    {"since": "2016-01-01", "until": "2018-12-31", "include_undated": False},
    {"countries": ["SY"], "min_fatalities": 2},
    {"actors": ["Islamic State"], "datasets": ["acled", "news"]},
    {"bbox": (43.0, 32.5, 45.0, 34.5)},
    {"bbox": (43.0, 32.5, 45.0, 34.5), "include_unlocated": False},
    {"text": "baghdad district 1"},
    {"types": []},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
def test_facets_agree_with_the_rows(store_dir: str, filters: dict):
    with open_store(store_dir) as store:
        frame = store.query_frame(**filters)
        facets = store.facets(**filters)
    drawn, _listed = split_drawable(frame)
    assert facets["total"] == len(frame)
    assert facets["drawable"] == len(drawn)
    assert facets["by_type"] == dict(Counter(frame["event_type"]))
    assert facets["by_dataset"] == dict(Counter(frame["dataset"]))
    assert facets["by_country"] == dict(Counter(frame["country"].dropna()))
    actors = Counter(a for lst in frame["actors"] for a in set(lst))
    assert facets["actors"] == dict(actors)
    assert facets["by_day"] == dict(Counter(frame["date_start"].dropna()))
    if frame["date_start"].notna().any():
        assert facets["date_min"] == frame["date_start"].min()
        assert facets["date_max"] == frame["date_end"].max()
    else:
        assert facets["date_min"] is None
    located = frame[frame["lat"].notna()]
    if located.empty:
        assert facets["bounds"] is None
    else:
        assert facets["bounds"] == (located["lat"].min(), located["lon"].min(),
                                    located["lat"].max(), located["lon"].max())
    # commonest first: the sidebar lists them in this order
    assert list(facets["by_type"].values()) == sorted(facets["by_type"].values(), reverse=True)


def test_facets_fields_pick_what_is_counted(store_dir: str):
    with open_store(store_dir) as store:
        full = store.facets(types=["bombing"])
        some = store.facets(types=["bombing"], fields=["total", "by_day"])
        assert some == {"total": full["total"], "by_day": full["by_day"]}
        with pytest.raises(ValueError, match="unknown facet"):
            store.facets(fields=["volcanoes"])


def test_facets_follow_changes_from_any_connection(fresh_location):
    path = fresh_location()
    fill(path, 200)
    with open_store(path) as reader, open_store(path) as writer:
        before = reader.facets()
        assert reader.facets() == before  # cached answer, same content
        reader.facets()["by_type"].clear()  # a caller's change does not reach the cache
        assert reader.facets() == before
        new = Event("base", place="Test base", place_name="Test base", country="IQ",
                    lat=33.0, lon=44.0, dataset="ucdp", evidence="A test base.",
                    source="test")
        assert writer.add_events([new]).added == 1  # another connection writes
        after = reader.facets()
        assert after["total"] == before["total"] + 1
        assert after["by_type"]["base"] == before["by_type"].get("base", 0) + 1
        reader.add_events([synthetic_event(10_000)])  # and this one
        assert reader.facets()["total"] == before["total"] + 2


def test_bad_filters_are_refused(store_dir: str):
    with open_store(store_dir) as store:
        with pytest.raises(ValueError, match="not an ISO date"):
            store.facets(since="March")
        with pytest.raises(ValueError, match="bbox"):
            store.bins(1.0, bbox=(1, 2, 3))
        for bad in (0, -1, 200, "big"):
            with pytest.raises(ValueError, match="cell size"):
                store.bins(bad)


@pytest.mark.parametrize("cell", [0.05, 0.5, 3.0, 180.0])
@pytest.mark.parametrize("filters", FILTERS[:8], ids=[str(f) for f in FILTERS[:8]])
def test_bins_sum_to_the_drawable_count(store_dir: str, cell: float, filters: dict):
    filters = {k: v for k, v in filters.items() if k != "include_unlocated"}
    with open_store(store_dir) as store:
        bins = store.bins(cell, **filters)
        facets = store.facets(**filters, include_unlocated=False)
        drawn, _ = split_drawable(store.query_frame(**filters, include_unlocated=False))
    assert int(bins["n"].sum()) == facets["drawable"] == len(drawn)
    if bins.empty:
        return
    assert not bins.duplicated(["row", "col", "event_type"]).any()
    # every cell's events lie in that cell, and the mean position too
    drawn = drawn.assign(row=((drawn["lat"] + 90) // cell).astype(int),
                         col=((drawn["lon"] + 180) // cell).astype(int))
    expected = drawn.groupby(["row", "col", "event_type"]).size()
    got = bins.set_index(["row", "col", "event_type"])["n"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    assert ((bins["lat"] + 90) // cell == bins["row"]).all()
    assert ((bins["lon"] + 180) // cell == bins["col"]).all()
