"""The embedded event store: one SQLite file in a folder, versioned, atomic, deduplicating.

Why SQLite (see docs/store.md for the comparison): it ships with Python, every write is one
ACID transaction (a killed process leaves the previous store whole), WAL lets the page read
while an ingest writes, ``BEGIN IMMEDIATE`` + ``busy_timeout`` serialises two ingesting
processes without losing rows, and the R*Tree module answers bounding-box queries over
millions of points in milliseconds.

Layout (schema version :data:`SCHEMA_VERSION`): ``events`` (one row per distinct event, JSON
text for actors and sources), ``events_rtree`` (the points), ``aliases`` (ids of reports merged
into an event), ``articles`` (every ingested article by sha256), ``meta`` (schema version,
program). ``PRAGMA user_version`` and ``PRAGMA application_id`` mark the file as ours.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import threading
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from geo.geodesy import haversine_km
from geo.model import ATTACK_TYPES, EVENT_COLUMNS, EVENT_TYPES, Event, Evidence

#: The schema this program writes. Older files are migrated, newer ones refused.
SCHEMA_VERSION = 1
#: ``PRAGMA application_id`` of a conflict-map store ("CMAP"): tells our file from any SQLite.
APPLICATION_ID = 0x434D4150
#: File name of the database inside the store folder.
DB_NAME = "events.sqlite"
#: Datasets whose events are merged across reports. Imported datasets (UCDP, ACLED) are
#: curated records with stable ids: two of them on the same day and place are two events.
MERGE_DATASETS = frozenset({"news"})
#: Types for which two undated reports at the same place are the same thing (a base, a
#: crossing exists; an attack without a date cannot be matched to another).
UNDATED_MERGE_TYPES = frozenset({"base", "border_crossing"})
#: Merge radius and date slack.
MERGE_KM = 25.0
MERGE_DAYS = 1
#: Page cache per connection (KiB) and memory-mapped read window (bytes). 256 MiB keeps the
#: page's process under 1 GB resident on a 1M-event store (docs/map.md: RSS 0.55 GB vs 1.10 GB
#: at 1 GiB) for broad facet counts 1.2-1.6x slower; selective queries are unaffected.
CACHE_KIB = 65_536
MMAP_BYTES = 256 << 20
#: A bbox with fewer R*Tree hits than this drives the query through the R*Tree.
RTREE_PROBE = 20_000
#: Rows per executemany batch on the bulk path (bounds memory, not transactions).
BULK_BATCH = 20_000
#: Filters whose facets one store keeps (a page session uses a handful).
FACET_CACHE_SIZE = 32
#: What :meth:`EventStore.facets` can count.
FACET_FIELDS = ("total", "drawable", "by_type", "by_dataset", "by_country", "actors",
                "by_day", "date_min", "date_max", "bounds")

# Columns of ``events`` written from an Event, in INSERT order (``rid`` is the rowid).
_STORED = (
    "event_id", "event_type", "date", "date_start", "date_end", "time_precision", "place",
    "place_name", "place_id", "place_kind", "country", "lat", "lon", "geo_precision", "killed",
    "wounded", "actors", "evidence", "evidence_start", "evidence_end", "source", "confidence",
    "aggregate", "dataset", "notes", "sources", "place_key",
)
# Columns read back for an Event / a frame row (same order as EVENT_COLUMNS, "id" = event_id).
_READ = tuple("event_id" if c == "id" else c for c in EVENT_COLUMNS)

_SCHEMA_V1 = f"""
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

#: Version 0, the prototype layout (no meta table, user_version 0): each event one JSON blob.
V0_TABLES = {"events": {"id", "properties"}, "articles": {"key", "source", "title",
                                                         "published", "path"}}


class StoreError(Exception):
    """A store that cannot be opened or written; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class AddResult:
    """What one ``add_events`` call did."""

    added: int = 0
    merged: int = 0
    unchanged: int = 0
    article_seen: bool = False


# --- small pure helpers -----------------------------------------------------------------------

#: Apostrophes and transliteration marks (hamza, ayn) dropped inside names: "Qa'im" = "Qaim".
_APOSTROPHES = frozenset("'’‘`´ʼʻʿʾ")


def fold(text: str | None) -> str:
    """Case- and accent-insensitive form of a text, so "Al-Qa'im" and "al qaim" compare equal."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = "".join(ch if ch.isalnum() else " " for ch in bare if ch not in _APOSTROPHES)
    return " ".join(words.split())


def _casefold(text: str | None) -> str:
    """SQL function for the text filter: Unicode-correct lower case (SQLite's is ASCII only)."""
    return text.casefold() if text else ""


def _family(event_type: str) -> frozenset[str]:
    """Types an event may merge with: every attack type is one family, others stand alone."""
    return ATTACK_TYPES if event_type in ATTACK_TYPES else frozenset({event_type})


def _iso_day(value: str | date, what: str) -> str:
    """An ISO day string from a str or date; the filters compare ISO strings."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _date_range(text: str) -> tuple[str, str]:
    """First and last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date can mean."""
    parts = text.split("-")
    if len(parts) == 1 and len(parts[0]) == 4 and parts[0].isdigit():
        year = int(parts[0])
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        first = date(int(parts[0]), int(parts[1]), 1)
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first.isoformat(), (nxt - timedelta(days=1)).isoformat()
    day = date.fromisoformat(text).isoformat()
    return day, day


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _place_rank(ev: Event) -> int:
    """Lower is more precise: a point with ACLED code 1 beats code 3, any point beats none."""
    if not ev.has_point:
        return 9
    return ev.geo_precision if ev.geo_precision is not None else 4


def _time_rank(ev: Event) -> int:
    return ev.time_precision if ev.time_precision is not None else (4 if ev.date_start else 9)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    """Filters accept one value or several."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


# --- the store --------------------------------------------------------------------------------

class Filters(TypedDict, total=False):
    """The filters of :meth:`EventStore.query`, ``query_frame`` and ``count``, all optional.

    ``since``/``until`` keep events whose date range overlaps them; ``bbox`` is (west, south,
    east, north), west > east crossing the antimeridian; ``types``, ``datasets``,
    ``countries`` take one value or several; ``actors`` (any of) and ``text`` (place, place
    name, evidence, actors) match case-insensitive substrings; ``min_fatalities`` compares
    ``killed``. Events a date or bbox filter cannot judge (undated, unlocated) pass only when
    ``include_undated`` / ``include_unlocated`` (default True). Bad values raise ValueError.
    """

    types: str | Iterable[str] | None
    since: str | date | None
    until: str | date | None
    bbox: Sequence[float] | None
    datasets: str | Iterable[str] | None
    countries: str | Iterable[str] | None
    actors: str | Iterable[str] | None
    text: str | None
    min_fatalities: int | None
    include_undated: bool
    include_unlocated: bool
    limit: int | None


class EventStore:
    """A folder holding ``events.sqlite``: see the module docstring and docs/store.md."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = 60.0) -> None:
        # absolute: the snapshot reader opens the file by URI, which needs an absolute path
        self.path = self._db_path(Path(path).expanduser().absolute(), create)
        self._lock = threading.RLock()
        self._timeout = timeout
        self._conn = self._connect(create)
        # facets() answers per filter, valid while the store is unchanged (see facets)
        self._facet_cache: dict[str, dict[str, Any]] = {}
        self._facet_stamp: tuple[int, int] | None = None
        # columns(): the snapshot and the change stamp it was read at; a background read
        self._columns: tuple[tuple[int, int], EventColumns] | None = None
        self._column_thread: threading.Thread | None = None

    # --- opening ------------------------------------------------------------------------------

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
            state = self._inspect(conn)  # refuse before changing anything in the file
            if state == "empty" and not create:
                raise StoreError(f"{self.path}: empty database, not an event store (create=False)")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")  # big reads stay in memory
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.create_function("cm_fold", 1, _casefold, deterministic=True)
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

    def _meta_version(self, conn: sqlite3.Connection, tables: set[str]) -> int | None:
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
                self._create_schema(conn)
            while state not in ("current", "empty"):
                version = int(state[1:])
                MIGRATIONS[version](conn)
                self._write_meta(conn, version + 1)
                state = self._inspect(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA_V1.split(";"):
            if statement.strip():
                conn.execute(statement)
        EventStore._write_meta(conn, 1)
        _raise_span(conn, 0)

    @staticmethod
    def _write_meta(conn: sqlite3.Connection, version: int) -> None:
        """user_version and the meta table say the same thing; a disagreement means damage."""
        conn.execute(f"PRAGMA user_version = {int(version)}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [("schema_version", str(version)), ("program", "conflict-map"),
                ("written_by_schema", str(SCHEMA_VERSION)), ("updated_at", now)]
        conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", rows)
        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('created_at', ?)", (now,))

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        return int(self._read(lambda c: c.execute("PRAGMA user_version").fetchone()[0]))

    def _require_open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self.path}: store is closed")
        return self._conn

    def _read(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._lock:
            conn = self._require_open()
            try:
                return fn(conn)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: read failed: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock up front, so concurrent writers queue
        (busy_timeout) instead of failing on upgrade; rolled back on any error."""
        with self._lock:
            conn = self._require_open()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot lock for writing: {exc}") from None
            try:
                yield conn
                conn.execute(_BUMP_GENERATION)
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: write failed: {exc}") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # --- writing ------------------------------------------------------------------------------

    def add_events(self, events: Iterable[Event], *, article_key: str | None = None,
                   article: dict | None = None) -> AddResult:
        """Store events in one transaction: new ones added, reports of a stored event merged
        into it, known ids left alone. An article already stored (by ``article_key``, its
        sha256) adds nothing."""
        with self._write() as conn:
            if article_key and conn.execute(
                    "SELECT 1 FROM articles WHERE key = ?", (article_key,)).fetchone():
                return AddResult(article_seen=True)
            added = merged = unchanged = span = 0
            bulk: list[tuple] = []
            for ev in events:
                start, end = self._check(ev)
                if start and start != end:
                    span = max(span, _span_days(start, end))
                if ev.dataset not in MERGE_DATASETS:
                    bulk.append(self._row(ev, start, end))
                    if len(bulk) >= BULK_BATCH:
                        n = self._insert_bulk(conn, bulk)
                        added, unchanged, bulk = added + n, unchanged + len(bulk) - n, []
                    continue
                outcome = self._add_one(conn, self._normalise(ev))
                added += outcome == "added"
                merged += outcome == "merged"
                unchanged += outcome == "unchanged"
            if bulk:
                n = self._insert_bulk(conn, bulk)
                added, unchanged = added + n, unchanged + len(bulk) - n
            _raise_span(conn, span)
            if article_key:
                self._record_article(conn, article_key, article or {}, added + merged + unchanged)
            return AddResult(added, merged, unchanged, False)

    def replace_event(self, event_id: str, event: Event) -> str:
        """Overwrite a stored event (a user corrected its place or date) atomically; the old id
        stays an alias of the row. Returns the id the event is stored under now."""
        new = self._normalise(event)
        with self._write() as conn:
            rid = self._rid(conn, event_id)
            if rid is None:
                raise StoreError(f"{self.path}: no event {event_id!r} to replace")
            other = self._rid(conn, new.event_id)
            if other is not None and other != rid:
                raise StoreError(f"{self.path}: event {new.event_id!r} already stored as another "
                                 "event")
            old_id = conn.execute("SELECT event_id FROM events WHERE rid = ?",
                                  (rid,)).fetchone()[0]
            self._update_row(conn, rid, new)
            _raise_span(conn, _span_days(new.date_start, new.date_end))
            conn.execute("DELETE FROM aliases WHERE event_id = ?", (new.event_id,))
            if old_id != new.event_id:
                conn.execute("INSERT OR REPLACE INTO aliases(event_id, rid) VALUES (?, ?)",
                             (old_id, rid))
            return new.event_id

    def _normalise(self, ev: Event) -> Event:
        """The event as stored: validated, date range filled, first report in ``sources``."""
        start, end = self._check(ev)
        changes: dict[str, Any] = {}
        if (start, end) != (ev.date_start, ev.date_end):
            changes.update(date_start=start, date_end=end)
        if not ev.sources and (ev.evidence or ev.source):
            changes["sources"] = [Evidence(ev.evidence, ev.evidence_start, ev.evidence_end,
                                           ev.source)]
        return replace(ev, **changes) if changes else ev

    def _check(self, ev: Event) -> tuple[str | None, str | None]:
        """Refuse bad input (never store it half-right); return the ISO day range the event
        covers, from ``date`` when date_start/date_end are not given."""
        if not isinstance(ev, Event):
            raise StoreError(f"{self.path}: expected an Event, got {type(ev).__name__}")
        if ev.event_type not in EVENT_TYPES:
            raise StoreError(f"{self.path}: unknown event_type {ev.event_type!r}")
        if (ev.lat is None) != (ev.lon is None):
            raise StoreError(f"{self.path}: event {ev.event_id} has only one of lat/lon")
        if ev.has_point and not (-90 <= ev.lat <= 90 and -180 <= ev.lon <= 180):  # type: ignore
            raise StoreError(f"{self.path}: event {ev.event_id} has lat/lon out of range "
                             f"({ev.lat}, {ev.lon})")
        start, end = ev.date_start, ev.date_end
        try:
            if not start and not end and ev.date:
                start, end = _date_range(ev.date)
            start, end = start or end, end or start
            if start:
                start = date.fromisoformat(start).isoformat()
                end = start if end == start else date.fromisoformat(end).isoformat()
        except (ValueError, TypeError):
            raise StoreError(f"{self.path}: event {ev.event_id} has a bad date "
                             f"({ev.date!r}, {ev.date_start!r}..{ev.date_end!r})") from None
        if start and end and start > end:
            raise StoreError(f"{self.path}: event {ev.event_id} ends before it starts "
                             f"({start}..{end})")
        return start, end

    @staticmethod
    def _row(ev: Event, start: str | None = None, end: str | None = None) -> tuple:
        """The INSERT tuple; ``start``/``end`` (from _check) override the event's range, and an
        event without sources gets its own evidence as the first one, without copying it."""
        place_key = None if ev.has_point else (fold(ev.place_name or ev.place) or None)
        if ev.sources:
            sources = [{k: getattr(src, k) for k in _EVIDENCE_FIELDS} for src in ev.sources]
        elif ev.evidence or ev.source:
            sources = [{"text": ev.evidence, "start": ev.evidence_start, "end": ev.evidence_end,
                        "source": ev.source, "title": "", "published": None}]
        else:
            sources = []
        return (
            ev.event_id, ev.event_type, ev.date, start or ev.date_start, end or ev.date_end,
            ev.time_precision, ev.place, ev.place_name, ev.place_id, ev.place_kind, ev.country,
            ev.lat, ev.lon, ev.geo_precision, ev.killed, ev.wounded, _dumps(list(ev.actors)),
            ev.evidence, ev.evidence_start, ev.evidence_end, ev.source, float(ev.confidence),
            int(bool(ev.aggregate)), ev.dataset, ev.notes, _dumps(sources), place_key,
        )

    def _insert_bulk(self, conn: sqlite3.Connection, rows: Sequence[tuple]) -> int:
        """Imports: dedupe by event_id only, one executemany, points indexed in one statement
        (new rows are exactly those above the largest rowid before the insert)."""
        before = conn.execute("SELECT coalesce(max(rid), 0) FROM events").fetchone()[0]
        total = conn.total_changes
        conn.executemany(_INSERT_IGNORE, rows)
        added = conn.total_changes - total
        conn.execute("INSERT INTO events_rtree SELECT rid, lon, lon, lat, lat FROM events "
                     "WHERE rid > ? AND lat IS NOT NULL", (before,))
        return added

    def _add_one(self, conn: sqlite3.Connection, ev: Event) -> str:
        eid = ev.event_id
        if self._rid(conn, eid) is not None:
            return "unchanged"
        match = self._merge_candidate(conn, ev)
        if match is None:
            cur = conn.execute(_INSERT, self._row(ev))
            if ev.has_point:
                conn.execute("INSERT INTO events_rtree VALUES (?, ?, ?, ?, ?)",
                             (cur.lastrowid, ev.lon, ev.lon, ev.lat, ev.lat))
            return "added"
        rid, stored = match
        combined = merge_events(stored, ev)
        conn.execute("INSERT OR REPLACE INTO aliases(event_id, rid) VALUES (?, ?)", (eid, rid))
        if combined == stored:
            return "unchanged"
        self._update_row(conn, rid, combined)
        return "merged"

    def _update_row(self, conn: sqlite3.Connection, rid: int, ev: Event) -> None:
        sets = ", ".join(f"{c} = ?" for c in _STORED)
        conn.execute(f"UPDATE events SET {sets} WHERE rid = ?", (*self._row(ev), rid))
        conn.execute("DELETE FROM events_rtree WHERE rid = ?", (rid,))
        if ev.has_point:
            conn.execute("INSERT INTO events_rtree VALUES (?, ?, ?, ?, ?)",
                         (rid, ev.lon, ev.lon, ev.lat, ev.lat))

    @staticmethod
    def _rid(conn: sqlite3.Connection, event_id: str) -> int | None:
        row = conn.execute("SELECT rid FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            row = conn.execute("SELECT rid FROM aliases WHERE event_id = ?",
                               (event_id,)).fetchone()
        return row[0] if row else None

    def _merge_candidate(self, conn: sqlite3.Connection, ev: Event) -> tuple[int, Event] | None:
        """The stored event this report describes, if any: same family, aggregate flag and
        dataset, place within MERGE_KM (R*Tree box, then haversine) or the same place id or
        name, dates overlapping or at most MERGE_DAYS apart. The nearest wins."""
        family = sorted(_family(ev.event_type))
        # unary + keeps SQLite off the low-selectivity dataset index (it picked it, and scanned
        # every news event for each report)
        where = [f"e.event_type IN ({','.join('?' * len(family))})", "+e.aggregate = ?",
                 "+e.dataset = ?"]
        params: list[Any] = [*family, int(bool(ev.aggregate)), ev.dataset]
        if ev.date_start:
            where.append("e.date_start IS NOT NULL AND e.date_start <= ? AND e.date_end >= ?")
            params += [_shift(ev.date_end, MERGE_DAYS), _shift(ev.date_start, -MERGE_DAYS)]
        elif ev.event_type in UNDATED_MERGE_TYPES:
            where.append("e.date_start IS NULL")
        else:
            return None
        cond = " AND ".join(where)
        found: dict[int, tuple] = {}
        for sql, extra in self._place_probes(ev):
            for row in conn.execute(f"SELECT e.rid, {_READ_SQL} {sql} AND {cond}",
                                    (*extra, *params)):
                found[row[0]] = row
        best: tuple[float, int, int] | None = None
        for rid, row in found.items():
            stored = _event_from_row(row[1:])
            dist = self._place_distance(ev, stored)
            if dist is None:
                continue
            gap = _date_gap(ev, stored)
            key = (dist, gap, rid)
            if best is None or key < best:
                best = key
        if best is None:
            return None
        return best[2], _event_from_row(found[best[2]][1:])

    @staticmethod
    def _place_probes(ev: Event) -> list[tuple[str, list[Any]]]:
        """FROM ... WHERE fragments that fetch events possibly at the same place."""
        probes: list[tuple[str, list[Any]]] = []
        if ev.place_id:
            probes.append(("FROM events e WHERE e.place_id = ?", [ev.place_id]))
        if ev.has_point:
            dlat = MERGE_KM / 111.0
            dlon = MERGE_KM / (111.0 * max(math.cos(math.radians(ev.lat)), 0.01))  # type: ignore
            lon: float = ev.lon  # type: ignore[assignment]
            # a radius crossing the antimeridian also looks at the other side, shifted 360°
            centres = [lon]
            if lon + dlon > 180:
                centres.append(lon - 360)
            if lon - dlon < -180:
                centres.append(lon + 360)
            for centre in centres:
                probes.append((
                    "FROM events_rtree r CROSS JOIN events e ON e.rid = r.rid "  # R*Tree drives
                    "WHERE r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? "
                    "AND r.max_lat >= ?",
                    [centre + dlon, centre - dlon, ev.lat + dlat, ev.lat - dlat],  # type: ignore
                ))
        else:
            key = fold(ev.place_name or ev.place)
            if key:
                probes.append(("FROM events e WHERE e.place_key = ? AND e.lat IS NULL", [key]))
        return probes

    @staticmethod
    def _place_distance(ev: Event, stored: Event) -> float | None:
        """Kilometres between two reports' places, 0 for the same place; None: not the same."""
        if ev.place_id and ev.place_id == stored.place_id:
            return 0.0
        if ev.has_point and stored.has_point:
            km = haversine_km(ev.lat, ev.lon, stored.lat, stored.lon)  # type: ignore[arg-type]
            return km if km <= MERGE_KM else None
        if not ev.has_point and not stored.has_point:
            key = fold(ev.place_name or ev.place)
            if key and key == fold(stored.place_name or stored.place):
                return 0.0
        return None

    @staticmethod
    def _record_article(conn: sqlite3.Connection, key: str, article: dict, n_events: int) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        conn.execute(
            "INSERT INTO articles(key, source, title, published, path, added_at, events) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, *(None if article.get(k) is None else str(article[k])
                    for k in ("source", "title", "published", "path")), now, n_events),
        )

    # --- reading ------------------------------------------------------------------------------

    def query(self, **filters: Unpack[Filters]) -> list[Event]:
        """Events matching every given filter (see :class:`Filters`), in date order (undated
        first)."""
        q = _parse_query(**filters)
        rows = self._read(lambda c: c.execute(*self._select_sql(c, q)).fetchall())
        return [_event_from_row(r[1:]) for r in rows]

    def query_frame(self, **filters: Unpack[Filters]) -> pd.DataFrame:
        """The rows of :meth:`query` as a DataFrame (columns EVENT_COLUMNS), built straight
        from SQLite tuples: no Event objects, so the map can load millions of rows."""
        q = _parse_query(**filters)
        rows = self._read(lambda c: c.execute(*self._select_sql(c, q)).fetchall())
        return rows_to_frame(rows, with_rid=True)

    def count(self, **filters: Unpack[Filters]) -> int:
        """How many events :meth:`query` would return (the parts are disjoint: counts add)."""
        q = _parse_query(**filters)

        def fetch(conn: sqlite3.Connection) -> int:
            return sum(conn.execute(f"SELECT count(*) FROM events e WHERE {where}",
                                    params).fetchone()[0]
                       for where, params in self._parts(conn, q))
        n = int(self._read(fetch))
        return n if q.limit is None else min(n, q.limit)

    def _select_sql(self, conn: sqlite3.Connection, q: _Query) -> tuple[str, list[Any]]:
        """One statement: the disjoint parts as UNION ALL (each planned on its own, so each
        can use its index), sorted by date then insertion."""
        parts = self._parts(conn, q)
        selects = [f"SELECT e.rid AS rid, {_READ_SQL} FROM events e WHERE {where}"
                   for where, _ in parts]
        params = [p for _, ps in parts for p in ps]
        sql = f"SELECT * FROM ({' UNION ALL '.join(selects)}) ORDER BY date_start, rid"
        if q.limit is not None:
            sql += " LIMIT ?"
            params.append(q.limit)
        return sql, params

    def _parts(self, conn: sqlite3.Connection, q: _Query) -> list[tuple[str, list[Any]]]:
        """WHERE clauses whose union is the answer. Splitting "dated in range OR undated" and
        "in bbox OR unlocated" into separate parts keeps every part index-friendly: SQLite
        plans an OR with IS NULL as a full scan."""
        dates: list[tuple[str, list[Any]]] = [("1", [])]
        if q.since is not None or q.until is not None:
            clauses, params = ["e.date_start IS NOT NULL"], []
            if q.until is not None:
                clauses.append("e.date_start <= ?")
                params.append(q.until)
            if q.since is not None:
                clauses.append("e.date_end >= ?")
                params.append(q.since)
                span = self._max_span(conn)
                if span is not None:  # bounds the (event_type, date_start) index range below
                    clauses.append("e.date_start >= ?")
                    params.append(_shift(q.since, -span))
            dates = [(" AND ".join(clauses), params)]
            if q.include_undated:
                dates.append(("e.date_start IS NULL", []))
        elif not q.include_undated:
            dates = [("e.date_start IS NOT NULL", [])]
        places: list[tuple[str, list[Any]]] = [("1", [])]
        if q.spans is not None:
            places = [self._bbox_sql(conn, q.spans)]
            if q.include_unlocated:
                places.append(("e.lat IS NULL", []))
        elif not q.include_unlocated:
            places = [("e.lat IS NOT NULL", [])]
        parts = []
        for dwhere, dparams in dates:
            for pwhere, pparams in places:
                where = " AND ".join([*q.common, dwhere, pwhere])
                parts.append((where, [*q.common_params, *dparams, *pparams]))
        return parts

    @staticmethod
    def _bbox_sql(conn: sqlite3.Connection,
                  spans: tuple[tuple[float, float, float, float], ...]) -> tuple[str, list[Any]]:
        """Points in the box. The R*Tree drives the query when the box is selective (probed
        with a LIMIT); a box holding most points is cheaper as a column test on rows the
        type/date index already narrowed. R*Tree keeps 32-bit floats, so the exact test stays."""
        clauses, params = [], []
        for west, east, south, north in spans:
            box = [west - 1e-4, east + 1e-4, south - 1e-4, north + 1e-4]
            hits = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM events_rtree WHERE min_lon >= ? AND "
                "max_lon <= ? AND min_lat >= ? AND max_lat <= ? LIMIT ?)",
                (*box, RTREE_PROBE)).fetchone()[0]
            exact = "e.lon BETWEEN ? AND ? AND e.lat BETWEEN ? AND ?"
            if hits < RTREE_PROBE:
                clauses.append("(e.rid IN (SELECT rid FROM events_rtree WHERE min_lon >= ? AND "
                               f"max_lon <= ? AND min_lat >= ? AND max_lat <= ?) AND {exact})")
                params += box
            else:
                clauses.append(f"({exact})")
            params += [west, east, south, north]
        return "(" + " OR ".join(clauses) + ")", params

    @staticmethod
    def _max_span(conn: sqlite3.Connection) -> int | None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'max_span_days'").fetchone()
        return int(row[0]) if row else None

    def __len__(self) -> int:
        return int(self._read(lambda c: c.execute("SELECT count(*) FROM events").fetchone()[0]))

    def get(self, event_id: str) -> Event | None:
        """The event stored under this id, or under which a report with this id was merged."""
        def fetch(conn: sqlite3.Connection) -> Event | None:
            rid = self._rid(conn, event_id)
            if rid is None:
                return None
            row = conn.execute(f"SELECT {_READ_SQL} FROM events e WHERE e.rid = ?",
                               (rid,)).fetchone()
            return _event_from_row(row)
        return self._read(fetch)

    def articles(self) -> list[dict]:
        """Every ingested article: key (sha256), source, title, published, path, added_at,
        events (how many events it reported)."""
        def fetch(conn: sqlite3.Connection) -> list[dict]:
            cur = conn.execute("SELECT key, source, title, published, path, added_at, events "
                               "FROM articles ORDER BY added_at, key")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur]
        return self._read(fetch)

    def stats(self) -> dict[str, Any]:
        """Counts by type and dataset, located/undated counts, date range, articles."""
        def fetch(conn: sqlite3.Connection) -> dict[str, Any]:
            one = conn.execute(
                "SELECT count(*), min(date_start), max(date_end), count(lat), count(date_start) "
                "FROM events").fetchone()
            by_type = dict(conn.execute(
                "SELECT event_type, count(*) FROM events GROUP BY event_type ORDER BY 2 DESC"))
            by_dataset = dict(conn.execute(
                "SELECT dataset, count(*) FROM events GROUP BY dataset ORDER BY 2 DESC"))
            n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            return {
                "events": one[0], "by_type": by_type, "by_dataset": by_dataset,
                "date_min": one[1], "date_max": one[2], "located": one[3],
                "unlocated": one[0] - one[3], "undated": one[0] - one[4],
                "articles": n_articles, "schema_version": SCHEMA_VERSION,
                "path": str(self.path),
            }
        return self._read(fetch)

    # --- facets and bins (the map page at scale) ----------------------------------------------

    def facets(self, *, types: str | Iterable[str] | None = None,
               since: str | date | None = None, until: str | date | None = None,
               bbox: Sequence[float] | None = None, datasets: str | Iterable[str] | None = None,
               countries: str | Iterable[str] | None = None,
               actors: str | Iterable[str] | None = None, text: str | None = None,
               min_fatalities: int | None = None, include_undated: bool = True,
               include_unlocated: bool = True,
               fields: Iterable[str] | None = None) -> dict[str, Any]:
        """What a page shows about the events :meth:`query` would return, without loading them.

        Keys (``fields`` picks some; default all, see :data:`FACET_FIELDS`): ``total``;
        ``drawable`` (located and not aggregate: what a map can draw as a point);
        ``by_type``, ``by_dataset``, ``by_country``, ``actors`` (value -> events, commonest
        first); ``by_day`` (first day -> events, for timelines); ``date_min``/``date_max``
        (first and last day any event can mean); ``bounds`` (south, west, north, east of the
        located events, or None). Each is its own small SQL aggregate, so SQLite can answer
        most from an index, and answers are cached per filter until the store changes
        (``PRAGMA data_version`` sees other connections' commits, ``total_changes`` this
        one's): a page re-rendering with the same filters pays nothing."""
        q = _parse_query(types, since, until, bbox, datasets, countries, actors, text,
                         min_fatalities, include_undated, include_unlocated, None)
        wanted = FACET_FIELDS if fields is None else tuple(dict.fromkeys(fields))
        unknown = [f for f in wanted if f not in FACET_FIELDS]
        if unknown:
            raise ValueError(f"unknown facet(s): {', '.join(map(str, unknown))}; known: "
                             f"{', '.join(FACET_FIELDS)}")

        def fetch(conn: sqlite3.Connection) -> dict[str, Any]:
            key = f"facets|{q!r}|{','.join(sorted(wanted))}"
            return _copy_facets(self._cached(conn, key, lambda: self._facets(conn, q,
                                                                                set(wanted))))
        return self._read(fetch)

    def _cached(self, conn: sqlite3.Connection, key: str, compute: Callable[[], Any]) -> Any:
        """An answer kept until the store changes: ``PRAGMA data_version`` moves when another
        connection commits, ``total_changes`` when this one writes. Callers copy it out."""
        stamp = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
        if self._facet_stamp != stamp:
            self._facet_cache.clear()
            self._facet_stamp = stamp
        if key not in self._facet_cache:
            if len(self._facet_cache) >= FACET_CACHE_SIZE:
                self._facet_cache.pop(next(iter(self._facet_cache)))
            self._facet_cache[key] = compute()
        return self._facet_cache[key]

    def _facets(self, conn: sqlite3.Connection, q: _Query, wanted: set[str]) -> dict[str, Any]:
        counts: dict[str, dict] = {k: {} for k in ("by_type", "by_dataset", "by_country",
                                                   "by_day", "actors")}
        total = drawable = 0
        first = last = None
        box: list[Any] = [None, None, None, None]
        columns = {"by_type": "event_type", "by_dataset": "dataset", "by_country": "country"}
        for where, params in self._parts(conn, q):
            if wanted & {"total", "by_day", "date_min"}:
                for day, n in conn.execute(f"SELECT e.date_start, count(*) FROM events e "
                                           f"WHERE {where} GROUP BY 1", params):
                    total += n
                    if day is not None:
                        _bump(counts["by_day"], day, n)
                        first = _least(first, day)
            if "date_max" in wanted:
                last = _greatest(last, conn.execute(
                    f"SELECT max(e.date_end) FROM events e WHERE {where}", params).fetchone()[0])
            if "drawable" in wanted:
                drawable += conn.execute(
                    f"SELECT count(*) FROM events e WHERE {where} AND e.lat IS NOT NULL "
                    "AND e.aggregate = 0", params).fetchone()[0]
            if "bounds" in wanted:
                one = conn.execute(
                    "SELECT min(e.lat), min(e.lon), max(e.lat), max(e.lon) FROM events e "
                    f"WHERE {where} AND e.lat IS NOT NULL", params).fetchone()
                box = [_least(box[0], one[0]), _least(box[1], one[1]),
                       _greatest(box[2], one[2]), _greatest(box[3], one[3])]
            for name, column in columns.items():
                if name in wanted:
                    for value, n in conn.execute(
                            f"SELECT e.{column}, count(*) FROM events e WHERE {where} "
                            f"AND e.{column} IS NOT NULL GROUP BY 1", params):
                        _bump(counts[name], value, n)
            if "actors" in wanted:
                # counted in Python: a GROUP BY on the JSON text sorts every row (slower)
                texts = Counter(r[0] for r in conn.execute(
                    f"SELECT e.actors FROM events e WHERE {where}", params))
                for text, n in texts.items():
                    for actor in set(json.loads(text) if text else []):
                        _bump(counts["actors"], str(actor), n)
        out: dict[str, Any] = {
            "total": total, "drawable": drawable, **counts, "date_min": first,
            "date_max": last,
            "bounds": None if box[0] is None else tuple(float(v) for v in box)}
        return {k: v for k, v in out.items() if k in wanted}

    def bins(self, cell_deg: float, *, types: str | Iterable[str] | None = None,
             since: str | date | None = None, until: str | date | None = None,
             bbox: Sequence[float] | None = None, datasets: str | Iterable[str] | None = None,
             countries: str | Iterable[str] | None = None,
             actors: str | Iterable[str] | None = None, text: str | None = None,
             min_fatalities: int | None = None, include_undated: bool = True) -> pd.DataFrame:
        """The drawable events (located, not aggregate) matching the filters, counted in square
        cells of ``cell_deg`` degrees: one row per (cell, event type) with columns ``row``,
        ``col`` (cell indices from 90S/180W), ``event_type``, ``n``, ``lat``, ``lon`` (mean
        position of those events). A map too full to draw every point draws these instead;
        their ``n`` add up to the drawable count of :meth:`facets` for the same filters.
        Cached like :meth:`facets`: a page panning at one zoom asks once."""
        cell = _cell_size(cell_deg)
        q = _parse_query(types, since, until, bbox, datasets, countries, actors, text,
                         min_fatalities, include_undated, False, None)

        def compute(conn: sqlite3.Connection) -> list[tuple]:
            out: list[tuple] = []
            for where, params in self._parts(conn, q):
                out += conn.execute(
                    "SELECT CAST((e.lat + 90.0) / ? AS INTEGER) AS r, "
                    "CAST((e.lon + 180.0) / ? AS INTEGER) AS c, e.event_type, count(*), "
                    f"avg(e.lat), avg(e.lon) FROM events e WHERE {where} AND e.aggregate = 0 "
                    "GROUP BY 1, 2, 3", [cell, cell, *params]).fetchall()
            return out
        rows = self._read(lambda c: self._cached(c, f"bins|{cell!r}|{q!r}",
                                                 lambda: compute(c)))
        frame = pd.DataFrame(rows, columns=["row", "col", "event_type", "n", "lat", "lon"])
        if frame.empty:
            return frame.astype({"row": "int64", "col": "int64", "n": "int64",
                                 "lat": "float64", "lon": "float64"})
        # parts are disjoint, but one cell may come from several parts: merge them
        frame["wlat"], frame["wlon"] = frame["lat"] * frame["n"], frame["lon"] * frame["n"]
        frame = frame.groupby(["row", "col", "event_type"], as_index=False)[
            ["n", "wlat", "wlon"]].sum()
        frame["lat"], frame["lon"] = frame["wlat"] / frame["n"], frame["wlon"] / frame["n"]
        return frame.drop(columns=["wlat", "wlon"])

    def generation(self) -> int:
        """The store's write generation: every write of events through this class, from any
        connection or process, raises it. So a page can key what it derives from a query on
        the store's path and generation (read before the query: a write in between only files
        newer answers under an older key, which no later reader asks for)."""
        return self._read(_generation)

    def _change_stamp(self) -> tuple[int, int]:
        """What :meth:`facets` keys its cache on: moves with any commit, here or elsewhere."""
        def fetch(conn: sqlite3.Connection) -> tuple[int, int]:
            return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes
        return self._read(fetch)

    def columns(self, *, wait: bool = True) -> EventColumns | None:
        """Every event's filterable columns as numpy arrays (:class:`EventColumns`), kept
        until the store changes (the stamp of :meth:`facets`). About 45 MB for a million
        events; it answers :meth:`fast_bins` in tens of milliseconds where a GROUP BY over
        hundreds of thousands of rows takes seconds. Reading it takes seconds at that size
        (one scan), on its own connection so other reads do not wait, unless a process saved
        it for the store as it is (:meth:`_read_columns`). ``wait=False`` returns a saved one
        at once, else None, and starts the scan in a background thread."""
        stamp = self._change_stamp()
        with self._lock:
            if self._columns is not None and self._columns[0] == stamp:
                return self._columns[1]
            reading = self._column_thread is not None and self._column_thread.is_alive()
        if reading and not wait:
            return None
        cols = self._read_columns(scan=wait)
        if cols is None:
            with self._lock:
                if self._column_thread is None or not self._column_thread.is_alive():
                    self._column_thread = threading.Thread(
                        target=self._read_columns_quietly, name="cm-columns", daemon=True)
                    self._column_thread.start()
            return None
        with self._lock:
            if self._change_stamp() == stamp:  # no commit while reading: valid for stamp
                self._columns = (stamp, cols)
        return cols

    def _read_columns(self, scan: bool = True) -> EventColumns | None:
        """The snapshot from a read-only connection of its own, in one read transaction
        (WAL: a consistent view while writers go on), without the memory map; None when it
        is not saved and not to be scanned (``scan=False``).

        Kept on disk beside the database too (:meth:`_columns_file`), so a new process (the
        page after a restart) loads it in a fraction of a second instead of scanning every
        row (4.4 s for a million events). The file is named after what the read transaction
        sees: the store's write generation (every write through this class bumps it), the
        number of events and the largest row id. A file that cannot be written (a read-only
        folder) or read back is not an error: the scan is the answer."""
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True,
                                   timeout=self._timeout)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open for reading: {exc}") from None
        try:
            conn.execute("BEGIN")
            saved = self._columns_file(conn)
            with suppress(*_UNREADABLE):
                return EventColumns.load(saved)
            if not scan:
                return None
            cols = EventColumns.read(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: read failed: {exc}") from None
        finally:
            conn.close()
        with suppress(OSError):
            cols.save(saved)
            for old in saved.parent.glob(f"{self.path.name}.columns-*.npz"):
                if old != saved:
                    old.unlink(missing_ok=True)
        return cols

    def _columns_file(self, conn: sqlite3.Connection) -> Path:
        """Where the snapshot of what ``conn``'s read transaction sees is kept."""
        n, top = conn.execute("SELECT count(*), coalesce(max(rid), 0) FROM events").fetchone()
        return self.path.with_name(f"{self.path.name}.columns-{_generation(conn)}-{n}-{top}.npz")

    def _read_columns_quietly(self) -> None:
        """Background read: a store closed or changed meanwhile is the next call's business."""
        with suppress(StoreError):
            self.columns()

    def fast_bins(self, cell_deg: float, *, types: str | Iterable[str] | None = None,
                  since: str | date | None = None, until: str | date | None = None,
                  bbox: Sequence[float] | None = None,
                  datasets: str | Iterable[str] | None = None,
                  countries: str | Iterable[str] | None = None,
                  actors: str | Iterable[str] | None = None, text: str | None = None,
                  min_fatalities: int | None = None, include_undated: bool = True,
                  wait: bool = True) -> pd.DataFrame:
        """:meth:`bins`, answered from the :meth:`columns` snapshot with numpy (same rows;
        mean positions equal to rounding). Filters on ``actors`` or ``text`` need the JSON and
        text columns the snapshot leaves out: those go to :meth:`bins` (SQL), and so does
        every call while the snapshot is being read when ``wait=False``."""
        cell = _cell_size(cell_deg)
        q = _parse_query(types, since, until, bbox, datasets, countries, actors, text,
                         min_fatalities, include_undated, False, None)
        cols = None if actors is not None or text else self.columns(wait=wait)
        if cols is None:
            return self.bins(cell_deg, types=types, since=since, until=until, bbox=bbox,
                             datasets=datasets, countries=countries, actors=actors, text=text,
                             min_fatalities=min_fatalities, include_undated=include_undated)
        keep = cols.mask(types=_as_list(types), datasets=_as_list(datasets),
                         countries=_as_list(countries), since=q.since, until=q.until,
                         spans=q.spans, min_fatalities=min_fatalities,
                         include_undated=q.include_undated) & cols.drawable
        return cols.bins(cell, keep)

    def integrity_check(self) -> str:
        """SQLite's full check ("ok" when whole); slow on big stores, for tests and `doctor`."""
        return str(self._read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0]))


# --- merging ----------------------------------------------------------------------------------

def merge_events(stored: Event, new: Event) -> Event:
    """One event from two reports of it: every source, union of actors, the larger casualty
    figures, the more precise date and place, the higher confidence. Ties keep ``stored``."""
    seen = {(s.source, s.start, s.end) for s in stored.sources}
    sources = list(stored.sources)
    for s in new.sources:
        if (s.source, s.start, s.end) not in seen:
            seen.add((s.source, s.start, s.end))
            sources.append(s)
    actors = list(dict.fromkeys([*stored.actors, *new.actors]))
    out = replace(stored, sources=sources, actors=actors,
                  killed=_greatest(stored.killed, new.killed),
                  wounded=_greatest(stored.wounded, new.wounded),
                  confidence=max(stored.confidence, new.confidence))
    if stored.event_type == "other_attack" and new.event_type in ATTACK_TYPES:
        out = replace(out, event_type=new.event_type)  # the specific attack type is the news
    if _time_rank(new) < _time_rank(stored):
        out = replace(out, date=new.date, date_start=new.date_start, date_end=new.date_end,
                      time_precision=new.time_precision)
    if _place_rank(new) < _place_rank(stored):
        out = replace(out, place=new.place, place_name=new.place_name, place_id=new.place_id,
                      place_kind=new.place_kind, country=new.country or out.country,
                      lat=new.lat, lon=new.lon, geo_precision=new.geo_precision)
    if new.notes and new.notes not in out.notes:
        out = replace(out, notes=f"{out.notes} | {new.notes}" if out.notes else new.notes)
    return out


def _span_days(start: str | None, end: str | None) -> int:
    """Days between an event's first and last possible day (0 for a day or undated)."""
    if not start or not end or start == end:
        return 0
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def _raise_span(conn: sqlite3.Connection, span: int) -> None:
    """Keep meta.max_span_days an upper bound of every stored range: queries use it to bound
    the date index from below (date_start >= since - span)."""
    conn.execute("INSERT INTO meta(key, value) VALUES ('max_span_days', ?) ON CONFLICT(key) "
                 "DO UPDATE SET value = "
                 "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", (int(span),))


def _date_gap(a: Event, b: Event) -> int:
    """Days between two date ranges (0 when they overlap or both are undated)."""
    if not a.date_start or not b.date_start:
        return 0
    if a.date_start > b.date_end:  # type: ignore[operator]
        return (date.fromisoformat(a.date_start) - date.fromisoformat(b.date_end)).days  # type: ignore
    if b.date_start > a.date_end:  # type: ignore[operator]
        return (date.fromisoformat(b.date_start) - date.fromisoformat(a.date_end)).days  # type: ignore
    return 0


def _bump(counts: dict, key: Any, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def _least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b)


def _greatest(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b)


def _cell_size(cell_deg: Any) -> float:
    try:
        cell = float(cell_deg)
    except (TypeError, ValueError):
        raise ValueError(f"cell size must be a number of degrees, got {cell_deg!r}") from None
    if not (0 < cell <= 180):
        raise ValueError(f"cell size must be in (0, 180] degrees, got {cell_deg!r}")
    return cell


def _encode(values: Sequence[Any], index: dict[Any, int]) -> np.ndarray:
    """Codes of ``values`` in ``index`` (value -> code, grown as new values appear; None ->
    -1): one factorize per chunk, a dict lookup per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    lookup = np.array([index.setdefault(u, len(index)) for u in uniques] + [-1], dtype=np.int32)
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def _sorted_codes(codes: np.ndarray, index: dict[Any, int]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes renumbered so they order as their values do (bins then come out in the order
    SQL's GROUP BY gives), and the values."""
    names = sorted(index, key=str)
    remap = np.empty(len(index) + 1, dtype=np.int32)
    for new, name in enumerate(names):
        remap[index[name]] = new
    remap[-1] = -1
    return remap[codes], tuple(str(n) for n in names)


def _day_numbers(days: Sequence[Any], index: dict[Any, int]) -> np.ndarray:
    """ISO days as ``date.toordinal`` numbers, -1 for none; each distinct day parsed once."""
    codes, uniques = pd.factorize(np.asarray(days, dtype=object), use_na_sentinel=True)
    lookup = np.array([index.setdefault(u, date.fromisoformat(str(u)).toordinal())
                       for u in uniques] + [-1], dtype=np.int32)
    return lookup[codes]


#: The snapshot's SQL: every event, the columns the page filters and bins on.
_COLUMNS_SQL = ("SELECT lat, lon, event_type, date_start, date_end, dataset, country, killed, "
                "aggregate FROM events")
#: Rows converted at a time while reading the snapshot (bounds the Python objects alive).
COLUMN_CHUNK = 131_072
#: What loading a snapshot file that is missing, cut short or not ours raises.
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
#: EventColumns fields holding the distinct values the codes point into.
_NAME_FIELDS = frozenset({"types", "datasets", "countries"})


def _generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


#: Run in every write transaction: the generation the snapshot files are named after.
_BUMP_GENERATION = ("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1")


@dataclass(frozen=True, eq=False)
class EventColumns:
    """Every stored event's filterable columns as numpy arrays, one entry per event: what
    the map page filters and bins on, without SQL (see :meth:`EventStore.columns`).

    Strings are codes into a tuple of distinct values (-1: none); days are
    ``date.toordinal`` numbers (-1: undated); unknown killed is NaN; unlocated events have
    NaN lat/lon. ``drawable``: located and not aggregate (what a map draws as a point)."""

    lat: np.ndarray
    lon: np.ndarray
    drawable: np.ndarray
    type_code: np.ndarray
    types: tuple[str, ...]
    start: np.ndarray
    end: np.ndarray
    dataset_code: np.ndarray
    datasets: tuple[str, ...]
    country_code: np.ndarray
    countries: tuple[str, ...]
    killed: np.ndarray

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> EventColumns:
        """One scan of ``events``, converted chunk by chunk (the rows of a million events
        as Python tuples would take over a gigabyte)."""
        names: list[dict[Any, int]] = [{}, {}, {}]  # event_type, dataset, country
        days: dict[Any, int] = {}
        parts: list[list[np.ndarray]] = []
        cur = conn.execute(_COLUMNS_SQL)
        while rows := cur.fetchmany(COLUMN_CHUNK):
            lat, lon, etype, start, end, dataset, country, killed, aggregate = zip(*rows,
                                                                                  strict=True)
            parts.append([
                np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64),
                _encode(etype, names[0]), _day_numbers(start, days), _day_numbers(end, days),
                _encode(dataset, names[1]), _encode(country, names[2]),
                np.array(killed, dtype=np.float64),
                np.array([bool(a) for a in aggregate], dtype=bool)])
        columns = ([np.concatenate(c) for c in zip(*parts, strict=True)] if parts else
                   [np.array([], dtype=d) for d in (np.float64, np.float64, np.int32, np.int32,
                                                    np.int32, np.int32, np.int32, np.float64,
                                                    bool)])
        lat, lon, etype, start, end, dataset, country, killed, aggregate = columns
        type_code, types = _sorted_codes(etype, names[0])
        dataset_code, datasets = _sorted_codes(dataset, names[1])
        country_code, countries = _sorted_codes(country, names[2])
        return cls(lat=lat, lon=lon, drawable=~np.isnan(lat) & ~np.isnan(lon) & ~aggregate,
                   type_code=type_code, types=types, start=start, end=end,
                   dataset_code=dataset_code, datasets=datasets, country_code=country_code,
                   countries=countries, killed=killed)

    def __len__(self) -> int:
        return len(self.lat)

    def save(self, path: Path) -> None:
        """Write the arrays to ``path`` (.npz), atomically: a reader sees all or nothing."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        arrays = {f.name: (np.array(v, dtype=str) if isinstance(v, tuple) else v)
                  for f in fields(self) for v in [getattr(self, f.name)]}
        try:
            with tmp.open("wb") as out:
                np.savez(out, **arrays)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> EventColumns:
        """What :meth:`save` wrote (one of :data:`_UNREADABLE` when it cannot)."""
        with np.load(path, allow_pickle=False) as data:
            values = {f.name: data[f.name] for f in fields(cls)}
        lengths = {len(v) for k, v in values.items() if k not in _NAME_FIELDS}
        if len(lengths) != 1:
            raise ValueError(f"{path}: arrays of different lengths")
        return cls(**{k: tuple(str(x) for x in v) if k in _NAME_FIELDS else v
                      for k, v in values.items()})

    @staticmethod
    def _member(codes: np.ndarray, names: tuple[str, ...], wanted: list[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(names)}
        return np.isin(codes, [index[w] for w in wanted if w in index])

    def mask(self, *, types: list[str] | None = None, datasets: list[str] | None = None,
             countries: list[str] | None = None, since: str | None = None,
             until: str | None = None,
             spans: tuple[tuple[float, float, float, float], ...] | None = None,
             min_fatalities: int | None = None, include_undated: bool = True,
             include_unlocated: bool = True) -> np.ndarray:
        """The events :meth:`EventStore.query` would return for these filters (validated
        ones: ISO days, bbox spans as ``_parse_query`` makes them), as a boolean array."""
        keep = np.ones(len(self), dtype=bool)
        for codes, names, wanted in ((self.type_code, self.types, types),
                                     (self.dataset_code, self.datasets, datasets),
                                     (self.country_code, self.countries, countries)):
            if wanted is not None:
                keep &= self._member(codes, names, wanted)
        if min_fatalities is not None:
            keep &= self.killed >= int(min_fatalities)  # NaN (unknown) compares False
        dated = self.start >= 0
        if since is not None or until is not None:
            in_range = dated.copy()
            if until is not None:
                in_range &= self.start <= date.fromisoformat(until).toordinal()
            if since is not None:
                in_range &= self.end >= date.fromisoformat(since).toordinal()
            keep &= in_range | (~dated if include_undated else False)
        elif not include_undated:
            keep &= dated
        located = ~np.isnan(self.lat)
        if spans is not None:
            inside = np.zeros(len(self), dtype=bool)
            for west, east, south, north in spans:
                inside |= ((self.lon >= west) & (self.lon <= east) & (self.lat >= south)
                           & (self.lat <= north))
            keep &= inside | (~located if include_unlocated else False)
        elif not include_unlocated:
            keep &= located
        return keep

    def bins(self, cell: float, keep: np.ndarray) -> pd.DataFrame:
        """Counts per (cell, type) of the ``keep`` events, as :meth:`EventStore.bins` gives
        them (cell indices truncated like SQLite's CAST, rows sorted by row, col, type)."""
        lat, lon, code = self.lat[keep], self.lon[keep], self.type_code[keep]
        if not len(lat):
            return pd.DataFrame({"row": np.array([], np.int64), "col": np.array([], np.int64),
                                 "event_type": np.array([], object),
                                 "n": np.array([], np.int64), "lat": np.array([], float),
                                 "lon": np.array([], float)})
        row = ((lat + 90.0) / cell).astype(np.int64)
        col = ((lon + 180.0) / cell).astype(np.int64)
        r0, c0 = row.min(), col.min()
        n_cols, n_types = int(col.max() - c0 + 1), len(self.types)
        key = ((row - r0) * n_cols + (col - c0)) * n_types + code
        if int(key.max()) < 4 * len(key) + 1_000_000:  # dense enough: count by index
            n = np.bincount(key)
            used = np.flatnonzero(n)
            n = n[used]
            sum_lat = np.bincount(key, weights=lat)[used]
            sum_lon = np.bincount(key, weights=lon)[used]
        else:
            used, inverse = np.unique(key, return_inverse=True)
            n = np.bincount(inverse)
            sum_lat = np.bincount(inverse, weights=lat)
            sum_lon = np.bincount(inverse, weights=lon)
        cells, type_index = np.divmod(used, n_types)
        rows, cols = np.divmod(cells, n_cols)
        return pd.DataFrame({"row": rows + r0, "col": cols + c0,
                             "event_type": np.array(self.types, dtype=object)[type_index],
                             "n": n.astype(np.int64), "lat": sum_lat / n, "lon": sum_lon / n})


def _copy_facets(f: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change without touching the cached answer, dicts by count."""
    out = dict(f)
    for key in ("by_type", "by_dataset", "by_country", "actors"):
        if key in f:
            out[key] = dict(sorted(f[key].items(), key=lambda kv: (-kv[1], str(kv[0]))))
    if "by_day" in f:
        out["by_day"] = dict(sorted(f["by_day"].items()))
    return out


# --- rows, frames and filters -----------------------------------------------------------------

_READ_SQL = ", ".join(f"e.{c}" for c in _READ)
_INSERT = (f"INSERT INTO events({', '.join(_STORED)}) "
           f"VALUES ({', '.join('?' * len(_STORED))})")
_INSERT_IGNORE = _INSERT.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)
_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
_INT_COLUMNS = ("time_precision", "geo_precision", "killed", "wounded", "evidence_start",
                "evidence_end")


def _event_from_row(row: Sequence[Any]) -> Event:
    d = dict(zip(EVENT_COLUMNS, row, strict=True))
    d.pop("id")
    d["actors"] = json.loads(d["actors"]) if d["actors"] else []
    d["sources"] = [Evidence(**s) for s in json.loads(d["sources"] or "[]")]
    d["aggregate"] = bool(d["aggregate"])
    return Event(**d)


def rows_to_frame(rows: list[tuple], *, with_rid: bool = False) -> pd.DataFrame:
    """DataFrame with EVENT_COLUMNS from SQLite rows (led by the rowid when ``with_rid``).
    Built column-wise from the tuples: JSON decoded once per cell (actor lists, which repeat a
    lot, once per distinct text and copied), nullable integers as pandas Int64 (a missing
    casualty count is not zero)."""
    offset = 1 if with_rid else 0
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(EVENT_COLUMNS) + offset)
    data = dict(zip(EVENT_COLUMNS, columns[offset:], strict=True))
    decode = json.JSONDecoder().decode
    memo: dict[str, list] = {}
    actors = []
    for text in data["actors"]:
        if text not in memo:
            memo[text] = decode(text) if text else []
        actors.append(list(memo[text]))
    data["actors"] = actors
    data["sources"] = [decode(v) if v else [] for v in data["sources"]]
    frame = pd.DataFrame({col: pd.Series(data[col], dtype=_FRAME_DTYPES.get(col, object))
                          for col in EVENT_COLUMNS})
    frame["aggregate"] = frame["aggregate"].astype(bool)
    return frame


_FRAME_DTYPES: dict[str, str] = {
    **dict.fromkeys(_INT_COLUMNS, "Int64"), "lat": "float64", "lon": "float64",
    "confidence": "float64", "aggregate": "bool",
}


@dataclass(frozen=True, slots=True)
class _Query:
    """Validated filters: the clauses every part shares, and the date/bbox/flags that split
    the query into parts."""

    common: tuple[str, ...]
    common_params: tuple[Any, ...]
    since: str | None
    until: str | None
    spans: tuple[tuple[float, float, float, float], ...] | None
    include_undated: bool
    include_unlocated: bool
    limit: int | None


def _parse_query(types: Any = None, since: Any = None, until: Any = None, bbox: Any = None,
                 datasets: Any = None, countries: Any = None, actors: Any = None,
                 text: str | None = None, min_fatalities: int | None = None,
                 include_undated: bool = True, include_unlocated: bool = True,
                 limit: int | None = None) -> _Query:
    """Check the filters before touching the database; bad values raise ValueError."""
    common: list[str] = []
    params: list[Any] = []
    for column, values in (("event_type", _as_list(types)), ("dataset", _as_list(datasets)),
                           ("country", _as_list(countries))):
        if values is not None:
            common.append(f"e.{column} IN ({','.join('?' * len(values))})" if values else "0")
            params += values
    actor_list = _as_list(actors)
    if actor_list is not None:
        ors = " OR ".join(["instr(cm_fold(e.actors), ?) > 0"] * len(actor_list))
        common.append(f"({ors})" if actor_list else "0")
        params += [a.casefold() for a in actor_list]
    if text:
        common.append("instr(cm_fold(coalesce(e.place, '') || ' ' || coalesce(e.place_name, '')"
                      " || ' ' || e.evidence || ' ' || e.sources || ' ' || e.actors), ?) > 0")
        params.append(str(text).casefold())
    if min_fatalities is not None:
        common.append("e.killed >= ?")
        params.append(int(min_fatalities))
    if limit is not None and int(limit) < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    since_day = None if since is None else _iso_day(since, "since")
    until_day = None if until is None else _iso_day(until, "until")
    if since_day and until_day and since_day > until_day:
        raise ValueError(f"since {since_day} is after until {until_day}")
    return _Query(tuple(common), tuple(params), since_day, until_day,
                  None if bbox is None else _bbox_spans(bbox), bool(include_undated),
                  bool(include_unlocated), None if limit is None else int(limit))


def _bbox_spans(bbox: Sequence[float]) -> tuple[tuple[float, float, float, float], ...]:
    """(west, east, south, north) spans of a bbox; west > east crosses the antimeridian."""
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(f"bbox must be (west, south, east, north), got {bbox!r}") from None
    if not (-90 <= south <= north <= 90) or not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(f"bbox {tuple(bbox)!r} is not (west, south, east, north) in degrees")
    if west <= east:
        return ((west, east, south, north),)
    return ((west, 180.0, south, north), (-180.0, east, south, north))


# --- migrations -------------------------------------------------------------------------------

def _migrate_v0(conn: sqlite3.Connection) -> None:
    """v0 (prototype: events(id, properties JSON), articles without added_at) -> v1 tables.
    Runs inside the opener's transaction: a crash leaves the v0 file as it was."""
    conn.execute("ALTER TABLE events RENAME TO events_v0")
    conn.execute("ALTER TABLE articles RENAME TO articles_v0")
    EventStore._create_schema(conn)
    conn.execute("PRAGMA user_version = 0")  # _upgrade writes the new version after this step
    insert = _INSERT_IGNORE
    batch: list[tuple] = []
    for (props,) in conn.execute("SELECT properties FROM events_v0 ORDER BY rowid").fetchall():
        ev = Event.from_properties(json.loads(props))
        if not ev.sources and (ev.evidence or ev.source):
            ev = replace(ev, sources=[Evidence(ev.evidence, ev.evidence_start, ev.evidence_end,
                                               ev.source)])
        if not ev.date_start and ev.date:
            with suppress(ValueError):  # a v0 date we cannot read stays undated, not lost
                first, last = _date_range(ev.date)
                ev = replace(ev, date_start=first, date_end=last)
        batch.append(EventStore._row(ev))
    conn.executemany(insert, batch)
    conn.execute("INSERT INTO events_rtree SELECT rid, lon, lon, lat, lat FROM events "
                 "WHERE lat IS NOT NULL")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("INSERT INTO articles(key, source, title, published, path, added_at, events) "
                 "SELECT key, source, title, published, path, ?, 0 FROM articles_v0", (now,))
    span = conn.execute("SELECT max(julianday(date_end) - julianday(date_start)) "
                        "FROM events").fetchone()[0]
    _raise_span(conn, int(math.ceil(span or 0)))
    conn.execute("DROP TABLE events_v0")
    conn.execute("DROP TABLE articles_v0")


#: from-version -> step to the next version. A new schema adds one entry here.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {0: _migrate_v0}
