"""Schema version 2 reached by migration: a real version-1 SQLite file written by the
version-1 program (tests/fixtures/store), a version-1 PostGIS store built with the version-1
DDL, and a new store of each kind, which must all end with the same tables and columns."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from geo.model import Event
from geo.store import StoreError, open_store
from geo.store import sqlite_schema as schema
from geo.store.sqlite import DB_NAME, SCHEMA_VERSION, EventStore

PROJECT = Path(__file__).resolve().parent.parent
V1 = Path(__file__).parent / "fixtures" / "store" / "v1.sqlite"
V1_EVENTS = Path(__file__).parent / "fixtures" / "store" / "v1_events.jsonl"


def _v1_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / DB_NAME
    shutil.copyfile(V1, db)
    return db


def _expected() -> list[Event]:
    return [Event.from_properties(json.loads(line))
            for line in V1_EVENTS.read_text(encoding="utf-8").splitlines()]


def _layout(db: Path) -> dict[str, list[tuple]]:
    """Every table's columns (name, type, not null, default) and every index's columns."""
    conn = sqlite3.connect(db)
    out: dict[str, list[tuple]] = {}
    for name, kind in conn.execute("SELECT name, type FROM sqlite_master WHERE type IN "
                                   "('table', 'index') AND name NOT LIKE 'sqlite_%' "
                                   "AND name NOT LIKE 'events_rtree_%'"):
        if kind == "table":
            out[name] = [r[1:5] for r in conn.execute(f"PRAGMA table_info({name})")]
        else:
            out[name] = [(r[2],) for r in conn.execute(f"PRAGMA index_info({name})")]
    conn.close()
    return out


def test_the_fixture_is_version_1() -> None:
    conn = sqlite3.connect(V1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "status" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    conn.close()


def test_a_v1_file_is_migrated_with_every_event_kept(tmp_path: Path) -> None:
    db = _v1_copy(tmp_path / "store")
    with EventStore(tmp_path / "store") as s:
        assert s.schema_version == SCHEMA_VERSION == 2
        got = s.query()
        assert got == _expected()  # every field, in the same order, and all reported
        assert {e.status for e in got} == {"reported"}
        assert s.count(statuses="reported") == len(got) == 60
        assert s.count(statuses=["planned", "denied"]) == 0
        assert s.count(added_since="2000-01-01") == 0  # migrated rows are new to no one
        assert s.integrity_check() == "ok"
        # merged reports' ids still find their event, known articles add nothing
        assert all(s.get(e.event_id) == e for e in got)
        key = s.articles()[0]["key"]
        assert s.add_events(got[:1], article_key=key).article_seen
        new = Event("air_strike", date="2024-05-01", place="Test", lat=33.0, lon=44.0,
                    evidence="A test strike.", source="test", status="reported",
                    actor1="Air force", claimant="Ministry")
        assert s.add_events([new]).added == 1
        assert s.count(added_since="2000-01-01") == 1
        assert s.get(new.event_id).claimant == "Ministry"
        assert s.feeds() == [] and s.watchlist() == [] and s.alerts() == []
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert dict(conn.execute("SELECT key, value FROM meta"))["schema_version"] == "2"
    conn.close()


def test_a_migrated_file_has_the_tables_of_a_new_one(tmp_path: Path) -> None:
    _v1_copy(tmp_path / "old")
    EventStore(tmp_path / "old").close()
    EventStore(tmp_path / "new").close()
    assert _layout(tmp_path / "old" / DB_NAME) == _layout(tmp_path / "new" / DB_NAME)


def test_a_failed_migration_leaves_the_v1_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = _v1_copy(tmp_path / "store")

    def half(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE events ADD COLUMN actor1 TEXT")
        raise StoreError(f"{db}: simulated crash mid-migration")

    monkeypatch.setitem(schema.MIGRATIONS, 1, half)
    with pytest.raises(StoreError, match="simulated crash"):
        EventStore(tmp_path / "store")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "actor1" not in {r[1] for r in conn.execute("PRAGMA table_info(events)")}
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 60
    conn.close()
    monkeypatch.undo()
    with EventStore(tmp_path / "store") as s:
        assert s.schema_version == 2 and len(s) == 60


_OPENER = textwrap.dedent("""
    import sys
    from geo.store import EventStore
    with EventStore(sys.argv[1]) as s:
        print(s.schema_version, len(s), flush=True)
""")


def test_two_processes_opening_a_v1_file_migrate_it_once(tmp_path: Path) -> None:
    _v1_copy(tmp_path / "store")
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(tmp_path / "store")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=PROJECT) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o[0].strip() for o in outs] == ["2 60", "2 60"]


# --- PostGIS ----------------------------------------------------------------------------------

def test_a_v1_postgis_store_is_migrated(pg_cluster) -> None:
    """A version-1 PostGIS store (the version-1 DDL, rows written as version 1 wrote them)
    opens as version 2 with its rows, and has the tables of a new store."""
    import psycopg

    from geo.store import postgis_schema as pg
    from geo.store.postgis import _Conn
    from geo.store.postgis_writes import folds
    from geo.store.rules import STORED_V1, stored_row

    old, new = pg_cluster.new_store_url(), pg_cluster.new_store_url()
    events = _expected()
    with psycopg.connect(old, autocommit=True) as raw:
        conn = _Conn(raw)
        conn.execute("BEGIN")
        pg.create_v1(conn)
        for ev in events:
            row = stored_row(ev)
            conn.execute(f"INSERT INTO events({', '.join(STORED_V1)}, fold_actors, fold_text) "
                         f"VALUES ({', '.join('?' * (len(STORED_V1) + 2))})",
                         (*row[:len(STORED_V1)], *folds(row)))
        conn.execute("COMMIT")
    with open_store(old) as s:
        assert s.schema_version == 2
        assert s.query() == sorted(events, key=lambda e: (e.date_start is not None,
                                                          e.date_start or ""))
        assert s.count(statuses="reported", bbox=(-180, -90, 180, 90),
                       include_unlocated=False) == sum(e.has_point for e in events)
        assert s.integrity_check() == "ok"
    open_store(new).close()

    def columns(url: str) -> list[tuple]:
        with psycopg.connect(url) as c:
            return c.execute(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "ORDER BY table_name, column_name").fetchall()
    assert columns(old) == columns(new)
    assert {c[0] for c in columns(new)} == set(pg.OUR_TABLES)


def test_a_newer_postgis_store_is_refused(pg_cluster) -> None:
    import psycopg

    url = pg_cluster.new_store_url()
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as c:
        c.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 9 is newer"):
        open_store(url)
