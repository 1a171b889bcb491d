"""The SQLite store's file: its schema, how a file is recognised, refused, created and
migrated (docs/store.md, "Versions and migration").

Opening reads ``user_version``, ``application_id``, the table list and ``meta`` before
changing anything; older versions are migrated by :data:`MIGRATIONS`, in one
``BEGIN IMMEDIATE`` transaction, so a crash leaves the old file as it was.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from geo.model import Event, Evidence
from geo.store.base import StoreError
from geo.store.rules import STORED, STORED_V1, casefold, date_range, stored_row

#: The schema this program writes. Older files are migrated, newer ones refused.
SCHEMA_VERSION = 2
#: ``PRAGMA application_id`` of a conflict-map store ("CMAP"): tells our file from any SQLite.
APPLICATION_ID = 0x434D4150
#: File name of the database inside the store folder.
DB_NAME = "events.sqlite"
#: Page cache per connection (KiB) and memory-mapped read window (bytes). 256 MiB keeps the
#: page's process under 1 GB resident on a 1M-event store (docs/map.md: RSS 0.55 GB vs 1.10 GB
#: at 1 GiB) for broad facet counts 1.2-1.6x slower; selective queries are unaffected.
CACHE_KIB = 65_536
MMAP_BYTES = 256 << 20

#: A new row: the stored columns and the time it is added.
INSERT = (f"INSERT INTO events({', '.join(STORED)}, added_at) "
          f"VALUES ({', '.join('?' * (len(STORED) + 1))})")
INSERT_IGNORE = INSERT.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
_INSERT_V1 = (f"INSERT OR IGNORE INTO events({', '.join(STORED_V1)}) "
              f"VALUES ({', '.join('?' * len(STORED_V1))})")

#: Version 1. A new store is created as version 1 and migrated like an old one, so a new
#: store and a migrated one have the same tables.
SCHEMA_V1 = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE events (
    rid INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    date TEXT,
    date_start TEXT,
    date_end TEXT,
    time_precision INTEGER,
    place TEXT,
    place_name TEXT,
    place_id TEXT,
    place_kind TEXT,
    country TEXT,
    lat REAL,
    lon REAL,
    geo_precision INTEGER,
    killed INTEGER,
    wounded INTEGER,
    actors TEXT NOT NULL DEFAULT '[]',
    evidence TEXT NOT NULL DEFAULT '',
    evidence_start INTEGER NOT NULL DEFAULT 0,
    evidence_end INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT 0.5,
    aggregate INTEGER NOT NULL DEFAULT 0,
    dataset TEXT NOT NULL DEFAULT 'news',
    notes TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '[]',
    place_key TEXT
);
CREATE INDEX events_type_date ON events(event_type, date_start, date_end, lat, lon);
CREATE INDEX events_date_start ON events(date_start);
CREATE INDEX events_date_end ON events(date_end);
CREATE INDEX events_dataset ON events(dataset);
CREATE INDEX events_country ON events(country);
CREATE INDEX events_place_id ON events(place_id) WHERE place_id IS NOT NULL;
CREATE INDEX events_place_key ON events(place_key) WHERE place_key IS NOT NULL;
CREATE VIRTUAL TABLE events_rtree USING rtree(rid, min_lon, max_lon, min_lat, max_lat);
CREATE TABLE aliases (
    event_id TEXT PRIMARY KEY,
    rid INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_rid ON aliases(rid);
CREATE TABLE articles (
    key TEXT PRIMARY KEY,
    source TEXT,
    title TEXT,
    published TEXT,
    path TEXT,
    added_at TEXT NOT NULL,
    events INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = 1;
"""

#: Version 2: the report's status and ACLED's actor roles, when a row was added (what is
#: new since a visit), the status in the indexes the map's counts read (it shows reported
#: events: without it each count reads every row), ``meta.statuses`` (every status stored),
#: and the monitor's tables (feeds, entries seen, the watchlist, alerts, visits).
SCHEMA_V2_STEPS = """
ALTER TABLE events ADD COLUMN actor1 TEXT;
ALTER TABLE events ADD COLUMN actor2 TEXT;
ALTER TABLE events ADD COLUMN claimant TEXT;
ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'reported';
ALTER TABLE events ADD COLUMN added_at TEXT;
DROP INDEX events_type_date;
CREATE INDEX events_type_date ON events(event_type, date_start, date_end, lat, lon, status);
CREATE INDEX events_added_at ON events(added_at) WHERE added_at IS NOT NULL;
DROP INDEX events_date_start;
CREATE INDEX events_date_start ON events(date_start, status);
DROP INDEX events_dataset;
CREATE INDEX events_dataset ON events(dataset, status);
DROP INDEX events_country;
CREATE INDEX events_country ON events(country, status);
INSERT INTO meta(key, value) VALUES ('statuses', '["reported"]');
CREATE TABLE feeds (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT,
    etag TEXT,
    last_modified TEXT,
    added_at TEXT NOT NULL,
    last_polled_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    entries INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE entries (
    key TEXT PRIMARY KEY,
    feed TEXT NOT NULL,
    link TEXT,
    title TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    article_key TEXT,
    events INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX entries_feed ON entries(feed);
CREATE TABLE watchlist (
    name TEXT PRIMARY KEY,
    place_id TEXT,
    place_name TEXT,
    country TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    radius_km REAL NOT NULL,
    added_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    watch TEXT NOT NULL,
    rid INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    distance_km REAL NOT NULL,
    event_type TEXT,
    date TEXT,
    place_name TEXT,
    lat REAL,
    lon REAL,
    evidence TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (watch, rid)
);
CREATE INDEX alerts_created ON alerts(created_at);
CREATE TABLE visits (who TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;
"""

#: Version 0, the prototype layout (no meta table, user_version 0): each event one JSON blob.
V0_TABLES = {"events": {"id", "properties"}, "articles": {"key", "source", "title",
                                                         "published", "path"}}


def raise_span(conn: sqlite3.Connection, span: int) -> None:
    """Keep meta.max_span_days an upper bound of every stored range: queries use it to bound
    the date index from below (date_start >= since - span)."""
    conn.execute("INSERT INTO meta(key, value) VALUES ('max_span_days', ?) ON CONFLICT(key) "
                 "DO UPDATE SET value = "
                 "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", (int(span),))


def _run(conn: sqlite3.Connection, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def create_schema_v1(conn: sqlite3.Connection) -> None:
    """The version-1 tables (a new store then migrates like an old one)."""
    _run(conn, SCHEMA_V1)
    write_meta(conn, 1)
    raise_span(conn, 0)


def write_meta(conn: sqlite3.Connection, version: int) -> None:
    """user_version and the meta table say the same thing; a disagreement means damage."""
    conn.execute(f"PRAGMA user_version = {int(version)}")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [("schema_version", str(version)), ("program", "conflict-map"),
            ("written_by_schema", str(SCHEMA_VERSION)), ("updated_at", now)]
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", rows)
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?)", (now,))


class SqliteOpening:
    """Opening a store file: the path, the checks before touching it, create or migrate."""

    path: Path
    _timeout: float

    @staticmethod
    def _db_path(path: Path, create: bool) -> Path:
        """The database file: ``path`` itself when it is a file (or ends .sqlite/.db), else
        ``path/events.sqlite``; the folder is created on demand."""
        if path.is_file() or (not path.exists() and path.suffix in {".sqlite", ".db"}):
            db = path
        else:
            db = path / DB_NAME
        if not db.exists():
            if not create:
                raise StoreError(f"{db}: no event store here (create=False)")
            try:
                db.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{db.parent}: cannot create the store folder: {exc}") from None
        elif db.is_dir():
            raise StoreError(f"{db}: is a folder, not a database file")
        return db

    def _connect(self, create: bool) -> sqlite3.Connection:
        self._check_header()
        try:
            conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open: {exc}") from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            conn.execute("BEGIN")  # one read transaction: version and meta of one moment
            try:
                state = self._inspect(conn)  # refuse before changing anything in the file
            finally:
                conn.execute("COMMIT")
            if state == "empty" and not create:
                raise StoreError(f"{self.path}: empty database, not an event store (create=False)")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")  # big reads stay in memory
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.create_function("cm_fold", 1, casefold, deterministic=True)
            if state != "current":
                self._upgrade(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a readable SQLite database ({exc})") from None
        except StoreError:
            conn.close()
            raise
        return conn

    def _check_header(self) -> None:
        """A file that is not SQLite is refused by its first bytes, before SQLite touches it."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open("rb") as fh:
            head = fh.read(16)
        if head != b"SQLite format 3\x00":
            raise StoreError(f"{self.path}: not a SQLite database (refusing to overwrite it)")

    def _inspect(self, conn: sqlite3.Connection) -> str:
        """"empty", "current", or "v<N>" (older, to migrate); raises for files we must not touch."""
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == 0 and app == 0:
            if not tables:
                return "empty"
            if self._is_v0(conn, tables):
                return "v0"
            raise StoreError(f"{self.path}: SQLite file with tables {sorted(tables)} is not an "
                             "event store")
        if app != APPLICATION_ID:
            raise StoreError(f"{self.path}: SQLite file of another application "
                             f"(application_id {app}), not an event store")
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this program "
                             f"supports ({SCHEMA_VERSION}); upgrade conflict-map")
        if version < 1:
            raise StoreError(f"{self.path}: unknown schema version {version}")
        meta = self._meta_version(conn, tables)
        if meta != version:
            raise StoreError(f"{self.path}: corrupt store: user_version {version} but meta "
                             f"schema_version {meta}")
        return "current" if version == SCHEMA_VERSION else f"v{version}"

    @staticmethod
    def _meta_version(conn: sqlite3.Connection, tables: set[str]) -> int | None:
        if "meta" not in tables:
            return None
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            return int(row[0]) if row else None
        except ValueError:
            return None

    @staticmethod
    def _is_v0(conn: sqlite3.Connection, tables: set[str]) -> bool:
        if set(V0_TABLES) - tables:
            return False
        for name, cols in V0_TABLES.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({name})")}
            if not cols <= have:
                return False
        return True

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """Create or migrate under the write lock; another process may have done it meanwhile."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            state = self._inspect(conn)
            if state == "empty":
                create_schema_v1(conn)
                state = self._inspect(conn)
            while state != "current":
                version = int(state[1:])
                MIGRATIONS[version](conn)
                write_meta(conn, version + 1)
                state = self._inspect(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


# --- migrations -------------------------------------------------------------------------------

def _migrate_v0(conn: sqlite3.Connection) -> None:
    """v0 (prototype: events(id, properties JSON), articles without added_at) -> v1 tables.
    Runs inside the opener's transaction: a crash leaves the v0 file as it was."""
    conn.execute("ALTER TABLE events RENAME TO events_v0")
    conn.execute("ALTER TABLE articles RENAME TO articles_v0")
    create_schema_v1(conn)
    conn.execute("PRAGMA user_version = 0")  # _upgrade writes the new version after this step
    batch: list[tuple] = []
    for (props,) in conn.execute("SELECT properties FROM events_v0 ORDER BY rowid").fetchall():
        ev = Event.from_properties(json.loads(props))
        if not ev.sources and (ev.evidence or ev.source):
            ev = replace(ev, sources=[Evidence(ev.evidence, ev.evidence_start, ev.evidence_end,
                                               ev.source)])
        if not ev.date_start and ev.date:
            with suppress(ValueError):  # a v0 date we cannot read stays undated, not lost
                first, last = date_range(ev.date)
                ev = replace(ev, date_start=first, date_end=last)
        batch.append(stored_row(ev)[:len(STORED_V1)])
    conn.executemany(_INSERT_V1, batch)
    conn.execute("INSERT INTO events_rtree SELECT rid, lon, lon, lat, lat FROM events "
                 "WHERE lat IS NOT NULL")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("INSERT INTO articles(key, source, title, published, path, added_at, events) "
                 "SELECT key, source, title, published, path, ?, 0 FROM articles_v0", (now,))
    span = conn.execute("SELECT max(julianday(date_end) - julianday(date_start)) "
                        "FROM events").fetchone()[0]
    raise_span(conn, int(math.ceil(span or 0)))
    conn.execute("DROP TABLE events_v0")
    conn.execute("DROP TABLE articles_v0")


def _migrate_v1(conn: sqlite3.Connection) -> None:
    """v1 -> v2 in place (:data:`SCHEMA_V2_STEPS`): stored events keep every value, are
    ``reported``, with no actor roles and no time added (they are not new to anyone)."""
    _run(conn, SCHEMA_V2_STEPS)


#: from-version -> step to the next version. A new schema adds one entry here.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_v0, 1: _migrate_v1}
