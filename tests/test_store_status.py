"""Schema version 2's fields, on both stores: the report's status (and the ``statuses=``
filter of every read path the map uses), ACLED's actor roles, when a row was added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geo.model import STATUSES, Event
from geo.store import PostgisStore, Store, StoreError, open_store
from geo.store.sqlite import EventStore


def report(i: int, **kw: object) -> Event:
    base = dict(event_type="air_strike", date=f"2021-03-{1 + i % 28:02d}", place=f"Town {i}",
                place_id=f"test:{i}", country="SY", lat=35.0 + (i % 40) / 10,
                lon=38.0 + (i // 40) / 10, geo_precision=1, killed=i % 5,
                actors=["Syrian Air Force"], evidence=f"Report {i}.", source=f"s{i}",
                status=STATUSES[i % len(STATUSES)])
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


@pytest.fixture()
def store(fresh_location) -> Store:
    with open_store(fresh_location()) as s:
        yield s


def test_both_stores_implement_the_interface(store: Store) -> None:
    assert isinstance(store, Store)
    assert isinstance(store, EventStore | PostgisStore)


def test_statuses_filter_every_read_path(store: Store) -> None:
    events = [report(i) for i in range(200)]
    store.add_events(events)
    want = {s: sum(e.status == s for e in events) for s in STATUSES}
    assert store.facets()["by_status"] == dict(sorted(want.items(), key=lambda kv: -kv[1]))
    for chosen in (["reported"], ["planned", "denied"], "threatened", []):
        names = [chosen] if isinstance(chosen, str) else chosen
        n = sum(want[s] for s in names)
        assert store.count(statuses=chosen) == n
        assert {e.status for e in store.query(statuses=chosen)} == set(names)
        frame = store.query_frame(statuses=chosen)
        assert len(frame) == n and set(frame["status"]) <= set(names)
        facets = store.facets(statuses=chosen)
        assert facets["total"] == facets["drawable"] == n
        for cell in (0.5, 5.0):
            assert int(store.bins(cell, statuses=chosen)["n"].sum()) == n
            fast = store.fast_bins(cell, statuses=chosen)
            assert fast[["row", "col", "event_type", "n"]].equals(
                store.bins(cell, statuses=chosen)[["row", "col", "event_type", "n"]])
    assert store.count() == len(events)  # default: every status
    cols = store.columns()
    assert set(cols.statuses) == set(STATUSES) and len(cols.status_code) == len(events)


def test_bad_statuses_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown status"):
        store.count(statuses=["rumoured"])
    with pytest.raises(ValueError, match="unknown status"):
        store.facets(statuses="rumoured")
    with pytest.raises(StoreError, match="unknown status 'rumoured'"):
        store.add_events([report(1, status="rumoured")])
    assert len(store) == 0


def test_a_threat_does_not_merge_with_the_attack(store: Store) -> None:
    attack = report(0, status="reported")
    threat = report(0, status="threatened", source="other", evidence="A threat to strike.")
    assert store.add_events([attack]).added == 1
    assert store.add_events([threat]).added == 1  # same place and day, another status
    again = report(0, status="reported", source="third", evidence="It was struck.")
    assert store.add_events([again]).merged == 1
    assert store.count(statuses="reported") == 1 and store.count(statuses="threatened") == 1


def test_actor_roles_round_trip_and_merge(store: Store) -> None:
    first = report(4, status="reported", actor1="Syrian Air Force", actor2=None,
                   claimant=None)
    second = report(4, status="reported", source="b", evidence="Another report.",
                    actor1="Russian Air Force", actor2="Civilians", claimant="SOHR")
    store.add_events([first])
    assert store.get(first.event_id).actor1 == "Syrian Air Force"
    assert store.add_events([second]).merged == 1
    merged = store.get(first.event_id)
    # the first report's role stays, the ones it left empty come from the second
    assert (merged.actor1, merged.actor2, merged.claimant) == (
        "Syrian Air Force", "Civilians", "SOHR")
    frame = store.query_frame()
    assert frame.loc[0, "claimant"] == "SOHR" and frame.loc[0, "status"] == "reported"


def test_added_since(store: Store) -> None:
    before = datetime.now(UTC) - timedelta(seconds=2)
    store.add_events([report(i * 41, status="reported") for i in range(5)])
    assert len(store) == 5
    assert store.count(added_since=before) == 5
    assert store.count(added_since=before.isoformat()) == 5
    assert store.count(added_since=datetime.now(UTC) + timedelta(hours=1)) == 0
    assert store.facets(added_since=before)["total"] == 5
    assert int(store.fast_bins(1.0, added_since=before)["n"].sum()) == 5
    with pytest.raises(ValueError, match="added_since"):
        store.count(added_since="yesterday")


def test_a_status_filter_keeping_every_stored_status_is_no_filter(store: Store) -> None:
    """The map asks for reported events; while the store holds nothing else the clause is
    dropped (it would cost a row lookup per event), and comes back with another status."""
    from geo.store.filters import parse_query

    def clauses() -> list[str]:
        q = parse_query(statuses=["reported"])
        return store._read(lambda c: store._common(c, q)[0])

    store.add_events([report(i * 41, status="reported") for i in range(3)])
    assert clauses() == [] and store.count(statuses="reported") == 3
    store.add_events([report(1000, status="planned")])
    assert clauses() == ["e.status IN (?)"] and store.count(statuses="reported") == 3
    assert store.count(statuses=["planned", "reported"]) == 4
