"""The event store against real SQLite files and real PostGIS databases: versions, merging,
filters, crashes, concurrency. Tests taking ``store`` or ``corpus_store`` run once per store
(tests/conftest.py); the others are about the SQLite file itself."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.model import EVENT_COLUMNS, EVENT_TYPES, Event, Evidence
from geo.store import Store, open_store
from geo.store.sqlite import (
    APPLICATION_ID,
    DB_NAME,
    SCHEMA_VERSION,
    AddResult,
    EventColumns,
    EventStore,
    StoreError,
    fold,
    haversine_km,
)

PROJECT = Path(__file__).resolve().parent.parent


def attack(**kw: object) -> Event:
    """A rocket attack on K-1 Air Base as an article would report it; fields overridable."""
    base = dict(event_type="rocket_attack", date="2019-12-27", date_start="2019-12-27",
                date_end="2019-12-27", time_precision=1, place="K-1 Air Base",
                place_name="K-1 Air Base", place_id="ourairports:ORKK", place_kind="military_base",
                country="IQ", lat=35.5125, lon=44.28417, geo_precision=1, killed=1, wounded=None,
                actors=["Kata'ib Hezbollah"], evidence="Rockets hit K-1 Air Base.",
                evidence_start=10, evidence_end=35, source="a.txt", confidence=0.6)
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


@pytest.fixture()
def store(fresh_location) -> Store:
    with open_store(fresh_location()) as s:
        yield s


# --- opening, versions, refusal -----------------------------------------------------------

def test_creates_folder_and_marks_version(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    with EventStore(folder) as s:
        assert len(s) == 0
        assert s.schema_version == SCHEMA_VERSION
    db = folder / DB_NAME
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["schema_version"] == str(SCHEMA_VERSION)
    conn.close()


def test_reopen_keeps_events(tmp_path: Path) -> None:
    with EventStore(tmp_path) as s:
        s.add_events([attack()])
    with EventStore(tmp_path, create=False) as s:
        assert len(s) == 1
        assert s.get(attack().event_id) is not None


def test_create_false_on_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no event store"):
        EventStore(tmp_path / "nothing", create=False)
    assert not (tmp_path / "nothing").exists()


def _refused(db: Path, match: str) -> None:
    before = db.read_bytes()
    with pytest.raises(StoreError, match=match) as info:
        EventStore(db.parent)
    assert str(db) in str(info.value)
    assert "\n" not in str(info.value)
    assert db.read_bytes() == before  # never overwritten


def test_text_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    db.write_text("id,event_type\n1,rocket_attack\n", encoding="utf-8")
    _refused(db, "not a SQLite database")


def test_newer_version_is_refused(tmp_path: Path) -> None:
    with EventStore(tmp_path) as s:
        s.add_events([attack()])
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                 (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _refused(db, "newer than this program")


def test_meta_disagreeing_with_user_version_is_refused(tmp_path: Path) -> None:
    with EventStore(tmp_path):
        pass
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _refused(db, "corrupt store")


def test_foreign_sqlite_is_refused(tmp_path: Path) -> None:
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id INTEGER, path TEXT)")
    conn.execute("INSERT INTO photos VALUES (1, 'x.jpg')")
    conn.commit()
    conn.close()
    _refused(db, "not an event store")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    _refused(db, "another application")


def test_damaged_database_is_refused(tmp_path: Path) -> None:
    with EventStore(tmp_path) as s:
        s.add_events([attack()])
    db = tmp_path / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # destroy the schema page, keep the header
    db.write_bytes(bytes(data))
    _refused(db, "not a readable SQLite database|corrupt|not an event store")


def test_v0_store_is_migrated(tmp_path: Path) -> None:
    """A prototype (v0) store built by hand: events as JSON blobs, no meta, user_version 0."""
    db = tmp_path / DB_NAME
    old = [attack(), attack(event_type="base", date=None, date_start=None, date_end=None,
                            time_precision=None, evidence="The base hosts US troops.",
                            evidence_start=50),
           attack(place="Qaim", place_name="Al-Qāʼim", place_id=None, lat=None, lon=None,
                  geo_precision=None, date="2019-12", date_start=None, date_end=None,
                  time_precision=3, source="b.txt")]
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE events (id TEXT PRIMARY KEY, properties TEXT NOT NULL)")
    conn.execute("CREATE TABLE articles (key TEXT PRIMARY KEY, source TEXT, title TEXT, "
                 "published TEXT, path TEXT)")
    for ev in old:
        props = ev.to_properties()
        props.pop("sources")  # the prototype did not keep them
        conn.execute("INSERT INTO events VALUES (?, ?)", (ev.event_id, json.dumps(props)))
    conn.execute("INSERT INTO articles VALUES ('abc', 'a.txt', 'K-1', '2019-12-28', 'a.txt')")
    conn.commit()
    conn.close()

    with EventStore(tmp_path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert len(s) == 3
        for ev in old:
            got = s.get(ev.event_id)
            assert got is not None and got.place == ev.place and got.actors == ev.actors
            assert got.sources and got.sources[0].text == ev.evidence
        monthly = s.get(old[2].event_id)
        assert (monthly.date_start, monthly.date_end) == ("2019-12-01", "2019-12-31")
        assert s.count(bbox=(44, 35, 45, 36), include_unlocated=False) == 2
        assert s.count(since="2019-12-27", until="2019-12-27", include_undated=False) == 2
        assert s.count(since="2019-12-15", until="2019-12-15", include_undated=False) == 1
        assert [a["key"] for a in s.articles()] == ["abc"]
        assert s.add_events([attack(source="c.txt")], article_key="abc").article_seen
        assert s.integrity_check() == "ok"
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "events_v0" not in tables and "meta" in tables
    conn.close()
    with EventStore(tmp_path, create=False) as s:  # a migrated store opens as current
        assert len(s) == 3


# --- adding, dedupe, merging -----------------------------------------------------------------

def test_round_trip_keeps_every_field(store: Store) -> None:
    ev = attack(actors=["Kata'ib Hezbollah", "ISIS (alleged) ☪"], notes="place: curated; ü",
                sources=[Evidence("Rockets hit K-1 Air Base.", 10, 35, "a.txt", "Título",
                                  "2019-12-28")],
                wounded=6, aggregate=False, dataset="news")
    assert store.add_events([ev]) == AddResult(added=1, merged=0, unchanged=0,
                                               article_seen=False)
    assert store.get(ev.event_id) == ev
    assert store.query() == [ev]
    frame = store.query_frame()
    assert list(frame.columns) == list(EVENT_COLUMNS)
    row = frame.iloc[0]
    assert row["id"] == ev.event_id and row["actors"] == ev.actors
    assert row["sources"] == [s.to_dict() for s in ev.sources]
    assert row["killed"] == 1 and row["wounded"] == 6


def test_same_article_twice_adds_nothing(store: Store) -> None:
    meta = {"source": "https://example.org/k1", "title": "K-1 attack", "published": "2019-12-28",
            "path": "articles/k1.txt"}
    first = store.add_events([attack(), attack(event_type="base", evidence_start=90)],
                             article_key="sha-1", article=meta)
    assert (first.added, first.article_seen) == (2, False)
    again = store.add_events([attack(), attack(event_type="base", evidence_start=90)],
                             article_key="sha-1", article=meta)
    assert again == AddResult(0, 0, 0, True)
    assert len(store) == 2
    (art,) = store.articles()
    assert art["key"] == "sha-1" and art["title"] == "K-1 attack" and art["events"] == 2


def test_identical_event_id_is_unchanged(store: Store) -> None:
    store.add_events([attack()])
    assert store.add_events([attack()]) == AddResult(0, 0, 1, False)
    assert len(store) == 1


def test_reports_of_one_attack_merge(store: Store) -> None:
    first = attack(geo_precision=2, time_precision=2, date="2019-12", date_start="2019-12-26",
                   date_end="2019-12-28", lat=35.47, lon=44.39, place="near Kirkuk",
                   place_id=None, killed=1, confidence=0.4, actors=["Kata'ib Hezbollah"])
    second = attack(event_type="other_attack", source="b.txt", evidence="A US contractor died.",
                    killed=None, wounded=6, confidence=0.9, actors=["ISIS", "Kata'ib Hezbollah"])
    assert haversine_km(first.lat, first.lon, second.lat, second.lon) < 25
    store.add_events([first], article_key="a")
    result = store.add_events([second], article_key="b")
    assert result == AddResult(0, 1, 0, False)
    (merged,) = store.query()
    assert merged.event_type == "rocket_attack"  # the specific attack type is kept
    assert [s.source for s in merged.sources] == ["a.txt", "b.txt"]
    assert merged.actors == ["Kata'ib Hezbollah", "ISIS"]
    assert (merged.killed, merged.wounded, merged.confidence) == (1, 6, 0.9)
    assert (merged.lat, merged.lon, merged.geo_precision) == (second.lat, second.lon, 1)
    assert (merged.date, merged.time_precision) == ("2019-12-27", 1)
    assert store.get(second.event_id) == merged  # the merged report's id finds the event
    # the rtree follows the better place
    assert store.count(bbox=(44.28, 35.51, 44.29, 35.52), include_unlocated=False) == 1
    assert store.count(bbox=(44.38, 35.46, 44.40, 35.48), include_unlocated=False) == 0
    # the same second report again: its evidence is already there
    assert store.add_events([second]) == AddResult(0, 0, 1, False)
    third = replace(second, evidence_start=99, killed=3)
    assert store.add_events([third]).merged == 1
    final = store.query()[0]
    assert final.killed == 3 and len(final.sources) == 3


def test_duplicate_evidence_is_not_appended(store: Store) -> None:
    store.add_events([attack()])
    twin = attack(event_type="air_strike", confidence=0.7)  # same source+start+end
    assert store.add_events([twin]).merged == 1
    assert len(store.query()[0].sources) == 1


@pytest.mark.parametrize("other", [
    attack(lat=35.5125 + 0.28, lon=44.28417, place_id=None, source="b.txt"),  # ~31 km north
    attack(date="2019-12-30", date_start="2019-12-30", date_end="2019-12-30", source="b.txt"),
    attack(event_type="base", source="b.txt"),
    attack(aggregate=True, source="b.txt"),
    attack(dataset="acled", source="ACLED:IRQ1"),
])
def test_distinct_events_do_not_merge(store: Store, other: Event) -> None:
    store.add_events([attack()])
    assert store.add_events([other]).added == 1
    assert len(store) == 2


def test_merge_edges(store: Store) -> None:
    """Within 25 km and one day merges; undated merges only for bases and crossings; two
    unlocated reports merge on the folded place name."""
    near = attack(lat=35.5125 + 0.2, lon=44.28417, place_id=None, source="b.txt",
                  date="2019-12-28", date_start="2019-12-28", date_end="2019-12-28")
    store.add_events([attack(), near])
    assert len(store) == 1
    undated = dict(date=None, date_start=None, date_end=None, time_precision=None)
    store.add_events([attack(event_type="bombing", source="x", **undated),
                      attack(event_type="bombing", source="y", **undated)])
    assert store.count(types="bombing") == 2
    store.add_events([attack(event_type="base", source="x", **undated),
                      attack(event_type="base", source="y", place_id="geonames:1", **undated)])
    assert store.count(types="base") == 1
    nowhere = dict(lat=None, lon=None, place_id=None, geo_precision=None, place_name=None)
    store.add_events([attack(event_type="withdrawal", place="Al-Qa'im", source="x", **nowhere),
                      attack(event_type="withdrawal", place="al QAIM", source="y", **nowhere),
                      attack(event_type="withdrawal", place="Qaim city", source="z", **nowhere)])
    assert store.count(types="withdrawal") == 2
    assert fold("Al-Qāʼim") == fold("al qaim")


def test_imports_are_stable(store: Store) -> None:
    ged = [attack(dataset="ucdp", source=f"UCDP GED:{i}", evidence=f"GED row {i}",
                  lat=35 + i / 1000, lon=44.0) for i in range(50)]
    assert store.add_events(ged).added == 50  # same day, close places: still 50 events
    assert store.add_events(ged) == AddResult(0, 0, 50, False)
    assert len(store) == 50
    assert store.count(datasets="ucdp", bbox=(43.9, 34.9, 44.1, 35.1)) == 50


def test_bad_event_rolls_back_the_call(store: Store) -> None:
    good = [attack(source=f"s{i}") for i in range(3)]
    for bad, match in [(attack(event_type="riot"), "unknown event_type 'riot'"),
                       (attack(lat=95.0), "out of range"),
                       (attack(lon=None), "only one of lat/lon"),
                       (attack(date="27/12/2019", date_start=None, date_end=None), "bad date"),
                       (attack(date_start="2019-12-28", date_end="2019-12-01"), "ends before")]:
        with pytest.raises(StoreError, match=match):
            store.add_events([*good, bad], article_key="k")
        assert len(store) == 0 and store.articles() == []


def test_replace_event(store: Store) -> None:
    store.add_events([attack()])
    ev = store.get(attack().event_id)  # as the page holds it: sources filled in
    assert ev is not None and len(ev.sources) == 1
    fixed = replace(ev, place="Kirkuk", place_name="Kirkuk", place_id="geonames:94787",
                    lat=35.4681, lon=44.3922, geo_precision=1, notes="corrected by a user")
    new_id = store.replace_event(ev.event_id, fixed)
    assert new_id == fixed.event_id != ev.event_id
    assert len(store) == 1
    assert store.get(new_id) == fixed and store.get(ev.event_id) == fixed
    assert store.count(bbox=(44.39, 35.46, 44.40, 35.47), include_unlocated=False) == 1
    assert store.count(bbox=(44.28, 35.51, 44.29, 35.52), include_unlocated=False) == 0
    with pytest.raises(StoreError, match="no event 'nope'"):
        store.replace_event("nope", fixed)


# --- queries ------------------------------------------------------------------------------

def _corpus() -> list[Event]:
    """Events spread over places, dates, types and datasets, some undated or unlocated."""
    types = sorted(EVENT_TYPES)
    events = []
    for i in range(160):
        day = date(2019, 1, 1) + timedelta(days=(i * 37) % 700)
        located = i % 7 != 0
        dated = i % 11 != 0
        monthly = i % 5 == 0
        events.append(Event(
            event_type=types[i % len(types)],
            date=(day.strftime("%Y-%m") if monthly else day.isoformat()) if dated else None,
            time_precision=(3 if monthly else 1) if dated else None,
            place=["Kirkuk", "Dayr az-Zawr", "Ḥalab", "ERBİL", "Suva"][i % 5],
            country=["IQ", "SY", "SY", "IQ", "FJ"][i % 5],
            lat=(33 + (i * 0.13) % 6) if located else None,
            lon=([44.0, 40.0, 37.0, 43.9, 178.5][i % 5] + (i % 3) * 0.5) if located else None,
            killed=None if i % 4 == 0 else i % 9,
            actors=[["Islamic State"], ["US-led coalition", "SDF"], ["Kata'ib Hezbollah"],
                    []][i % 4],
            evidence=f"Report number {i} from Çağlayan desk.",
            source=f"https://example.org/{i}",
            dataset="ucdp" if i % 3 == 0 else "acled",
            status=["reported", "reported", "planned", "reported", "denied", "threatened"][i % 6],
        ))
    return events


def _expected(events: list[Event], f: dict) -> set[str]:
    """Brute force: the filter semantics written out in Python."""
    out = set()
    for ev in events:
        start, end = ev.date_start, ev.date_end
        if ev.date and not start:
            from geo.store.rules import date_range as _date_range
            start, end = _date_range(ev.date)
        if f.get("types") is not None and ev.event_type not in f["types"]:
            continue
        if f.get("since") or f.get("until"):
            if start is None:
                if not f.get("include_undated", True):
                    continue
            elif (f.get("since") and end < f["since"]) or (f.get("until") and start > f["until"]):
                continue
        elif not f.get("include_undated", True) and start is None:
            continue
        if f.get("bbox") is not None:
            w, s, e, n = f["bbox"]
            if ev.lat is None:
                if not f.get("include_unlocated", True):
                    continue
            elif not (s <= ev.lat <= n and ((w <= ev.lon <= e) if w <= e
                                            else (ev.lon >= w or ev.lon <= e))):
                continue
        elif not f.get("include_unlocated", True) and ev.lat is None:
            continue
        if f.get("datasets") is not None and ev.dataset not in f["datasets"]:
            continue
        if f.get("countries") is not None and ev.country not in f["countries"]:
            continue
        if f.get("actors") is not None and not any(
                a.casefold() in json.dumps(ev.actors, ensure_ascii=False,
                                           separators=(",", ":")).casefold()
                for a in f["actors"]):
            continue
        if f.get("text"):
            hay = " ".join([ev.place or "", ev.evidence, " ".join(ev.actors)]).casefold()
            if f["text"].casefold() not in hay:
                continue
        if f.get("min_fatalities") is not None and (ev.killed is None
                                                   or ev.killed < f["min_fatalities"]):
            continue
        if f.get("statuses") is not None and ev.status not in f["statuses"]:
            continue
        out.add(ev.event_id)
    return out


@pytest.fixture(scope="module")
def corpus_store(fresh_location) -> tuple[Store, list[Event]]:
    events = _corpus()
    s = open_store(fresh_location())
    s.add_events(events)
    yield s, events
    s.close()


days = st.dates(date(2018, 10, 1), date(2021, 2, 1)).map(date.isoformat)
filters = st.fixed_dictionaries({}, optional={
    "types": st.lists(st.sampled_from(sorted(EVENT_TYPES)), max_size=4),
    "since": days, "until": days,
    "bbox": st.sampled_from([(36, 32, 45, 40), (43.5, 33, 44.6, 36), (-180, -90, 180, 90),
                             (170, -30, -170, 0), (0, 0, 1, 1)]),
    "datasets": st.lists(st.sampled_from(["ucdp", "acled", "news"]), max_size=2),
    "countries": st.lists(st.sampled_from(["IQ", "SY", "FJ"]), max_size=2),
    "actors": st.lists(st.sampled_from(["islamic", "SDF", "hezbollah", "nobody"]), min_size=1,
                       max_size=2),
    "text": st.sampled_from(["kirkuk", "ḥalab", "erbİl".casefold(), "çağlayan", "number 7",
                             "sdf"]),
    "min_fatalities": st.integers(0, 9),
    "statuses": st.lists(st.sampled_from(["reported", "planned", "denied", "threatened"]),
                         max_size=2),
    "include_undated": st.booleans(), "include_unlocated": st.booleans(),
})


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
def test_filters_match_brute_force(corpus_store: tuple[Store, list[Event]], f: dict) -> None:
    store, events = corpus_store
    if f.get("since") and f.get("until") and f["since"] > f["until"]:
        with pytest.raises(ValueError, match="after until"):
            store.query(**f)
        return
    expected = _expected(events, f)
    got = store.query(**f)
    assert {e.event_id for e in got} == expected
    assert store.count(**f) == len(expected)
    frame = store.query_frame(**f)
    assert list(frame["id"]) == [e.event_id for e in got]
    dated = [e.date_start for e in got if e.date_start]
    assert dated == sorted(dated)


def test_query_limit_and_accepts_dates(corpus_store: tuple[Store, list[Event]]) -> None:
    store, _ = corpus_store
    full = store.query(since=date(2019, 3, 1), until="2019-06-30", include_undated=False)
    assert full and all(e.date_end > "2019-02-28" and e.date_start <= "2019-06-30" for e in full)
    assert store.query(since="2019-03-01", until="2019-06-30", include_undated=False,
                       limit=3) == full[:3]
    assert store.count(limit=5) == 5


def test_bbox_edges_are_exact(store: Store) -> None:
    store.add_events([attack(lat=35.0, lon=44.0, place_id=None, source="edge"),
                      attack(lat=35.00001, lon=44.5, place_id=None, source="out",
                             event_type="base")])
    assert store.count(bbox=(44.0, 34.0, 45.0, 35.0)) == 1  # on the edge: in; 1e-5 above: out


def test_antimeridian_bbox_and_merge(store: Store) -> None:
    fiji = dict(place_id=None, lat=-16.5, geo_precision=1)
    store.add_events([attack(lon=179.95, source="east", **fiji),
                      attack(lon=-179.95, source="west", **fiji),  # 10.7 km away: same event
                      attack(lon=0.0, source="greenwich", **fiji)])
    assert len(store) == 2
    assert len(store.get(attack(lon=179.95, source="east", **fiji).event_id).sources) == 2
    assert store.count(bbox=(179.0, -20, -179.0, -10)) == 1
    assert store.count(bbox=(-1, -20, 1, -10)) == 1
    assert store.count(bbox=(170, -20, 175, -10)) == 0


def test_bad_filters_raise(store: Store) -> None:
    with pytest.raises(ValueError, match="not an ISO date"):
        store.query(since="last week")
    with pytest.raises(ValueError, match="bbox"):
        store.query(bbox=(44, 36, 45, 35))
    with pytest.raises(ValueError, match="bbox must be"):
        store.count(bbox=(1, 2, 3))
    with pytest.raises(ValueError, match="limit"):
        store.query(limit=-1)


def test_stats(corpus_store: tuple[Store, list[Event]]) -> None:
    store, events = corpus_store
    st_ = store.stats()
    assert st_["events"] == len(events) == len(store)
    assert sum(st_["by_type"].values()) == len(events)
    assert st_["by_dataset"] == {"acled": 106, "ucdp": 54}
    assert st_["unlocated"] == sum(e.lat is None for e in events)
    assert st_["undated"] == sum(e.date is None for e in events)
    assert st_["date_min"] == "2019-01-01"


def test_closed_store_says_so(tmp_path: Path) -> None:
    s = EventStore(tmp_path)
    s.close()
    with pytest.raises(StoreError, match="closed"):
        len(s)


# --- crashes and concurrency --------------------------------------------------------------

_WRITER = textwrap.dedent("""
    import sys
    from geo.model import Event
    from geo.store import EventStore
    path, n, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    def events():
        for i in range(n):
            yield Event("air_strike", date="2020-01-%02d" % (1 + i % 28), place=f"p{i}",
                        lat=30 + (i % 1000) / 100, lon=40 + (i // 1000 % 100) / 100,
                        evidence=f"{tag} {i}", source=f"{tag}:{i}", dataset="ucdp")
    with EventStore(path) as s:
        print("ready", flush=True)
        r = s.add_events(events(), article_key=tag)
        print("done", r.added, flush=True)
""")


def _spawn(path: Path, n: int, tag: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(n), tag],
                            stdout=subprocess.PIPE, text=True, cwd=PROJECT)


def test_sigkill_mid_add_leaves_previous_store(tmp_path: Path) -> None:
    with EventStore(tmp_path) as s:
        s.add_events([attack(dataset="ucdp", source=f"UCDP GED:{i}") for i in range(5)]
                     + [attack(event_type="base")])
        before = len(s)
        assert before == 6
    proc = _spawn(tmp_path, 200_000, "big")
    assert proc.stdout.readline().strip() == "ready"
    wal = tmp_path / f"{DB_NAME}-wal"
    while proc.poll() is None and (not wal.exists() or wal.stat().st_size < 4_000_000):
        time.sleep(0.01)  # wait until the transaction is really writing pages
    assert proc.poll() is None, "the writer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with EventStore(tmp_path) as s:
        assert len(s) == before
        assert s.integrity_check() == "ok"
        assert s.articles() == []
        assert s.add_events([attack(dataset="ucdp", source="UCDP GED:after")]).added == 1


def test_two_processes_ingest_at_once(tmp_path: Path) -> None:
    EventStore(tmp_path).close()
    procs = [_spawn(tmp_path, 30_000, tag) for tag in ("one", "two")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all(o.strip() == "done 30000" for o in outs)
    with EventStore(tmp_path) as s:
        assert len(s) == 60_000
        assert {a["key"] for a in s.articles()} == {"one", "two"}
        assert s.count(text="one 29999") == 1 and s.count(text="two 0") >= 1
        assert s.integrity_check() == "ok"


def test_a_store_opened_by_a_relative_path_reads_its_snapshot(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    """The column snapshot opens the file by URI on its own connection: a relative store
    path ("var/store", as CONFLICT_MAP_STORE may give it) must work there too."""
    monkeypatch.chdir(tmp_path)
    with EventStore("relative/store") as store:
        store.add_events([attack()])
        assert store.path.is_absolute()
        assert len(store.columns().lat) == 1


def _same_columns(a: EventColumns, b: EventColumns) -> bool:
    return all(getattr(a, f) == getattr(b, f) if isinstance(getattr(a, f), tuple) else
               np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True)
               and getattr(a, f).dtype == getattr(b, f).dtype
               for f in ("lat", "lon", "drawable", "type_code", "types", "start", "end",
                         "dataset_code", "datasets", "country_code", "countries", "killed",
                         "status_code", "statuses"))


def elsewhere(**kw: object) -> Event:
    """Another event than :func:`attack` (another place and day): stored beside it."""
    fields = dict(date="2020-01-04", date_start="2020-01-04", date_end="2020-01-04",
                  place="Baghdad", place_name="Baghdad", place_id="geonames:98182",
                  place_kind="city", evidence="Rockets hit Baghdad.")
    return attack(**{**fields, **kw})


def _snapshot_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{DB_NAME}.columns-*.npz"))


def test_the_snapshot_is_kept_on_disk_for_the_next_process(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    """A new store object (the page after a restart) loads the saved snapshot instead of
    scanning; any write, from any connection, names a new one and the old file goes."""
    folder = tmp_path / "store"
    with EventStore(folder) as store:
        store.add_events([attack(), elsewhere(event_type="air_strike", lat=33.3, lon=44.4,
                                              country=None, killed=None)])
        scanned = store.columns()
    [saved] = _snapshot_files(folder)
    with monkeypatch.context() as m:
        m.setattr(EventColumns, "read", classmethod(lambda cls, conn: pytest.fail("scanned")))
        with EventStore(folder) as again:
            assert _same_columns(again.columns(), scanned)
        with EventStore(folder) as again:  # a page that does not wait gets it at once
            assert _same_columns(again.columns(wait=False), scanned)
    with EventStore(folder) as other:  # another connection writes
        other.add_events([elsewhere(lat=36.0, lon=43.1, place_id="geonames:99072", place="Mosul",
                                    place_name="Mosul", evidence="Rockets hit Mosul.")])
    with EventStore(folder) as store:
        fresh = store.columns()
        assert len(fresh) == 3 and int(fresh.drawable.sum()) == 3
        assert int(store.fast_bins(1.0)["n"].sum()) == store.facets()["drawable"] == 3
    [now] = _snapshot_files(folder)
    assert now != saved and not saved.exists()


def test_a_damaged_or_unwritable_snapshot_file_is_only_a_slower_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "store"
    with EventStore(folder) as store:
        store.add_events([attack()])
        good = store.columns()
    [saved] = _snapshot_files(folder)
    for damage in (b"", b"not a zip file", saved.read_bytes()[:100]):
        saved.write_bytes(damage)
        with EventStore(folder) as store:
            assert _same_columns(store.columns(), good)  # scanned again, and saved again
        assert EventColumns.load(saved) is not None
    saved.unlink()
    with monkeypatch.context() as m:
        m.setattr(EventColumns, "save", lambda self, path: (_ for _ in ()).throw(
            PermissionError(f"{path}: read-only folder")))
        with EventStore(folder) as store:
            assert _same_columns(store.columns(), good)
    assert _snapshot_files(folder) == [] and not list(folder.glob(".*.tmp"))


def test_every_write_from_any_connection_raises_the_generation(tmp_path: Path):
    """What the page keys the map layers it keeps on (``webapp.event_layers_of``)."""
    with EventStore(tmp_path) as page, EventStore(tmp_path) as ingest:
        first = page.generation()
        ingest.add_events([attack()])
        second = page.generation()
        assert second > first
        assert page.generation() == second  # reads do not move it
        page.add_events([elsewhere()])
        assert ingest.generation() > second
