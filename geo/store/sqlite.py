"""The embedded event store: one SQLite file in a folder, versioned, atomic, deduplicating.

Why SQLite (see docs/store.md for the comparison): it ships with Python, every write is one
ACID transaction (a killed process leaves the previous store whole), WAL lets the page read
while an ingest writes, ``BEGIN IMMEDIATE`` + ``busy_timeout`` serialises two ingesting
processes without losing rows, and the R*Tree module answers bounding-box queries over
millions of points in milliseconds.

Layout (schema version :data:`SCHEMA_VERSION`, :mod:`geo.store.sqlite_schema`): ``events``
(one row per distinct event, JSON text for actors and sources), ``events_rtree`` (the
points), ``aliases`` (ids of reports merged into an event), ``articles`` (every ingested
article by sha256), ``meta`` (schema version, program). ``PRAGMA user_version`` and
``PRAGMA application_id`` mark the file as ours. Writing is :mod:`geo.store.sqlite_writes`,
reading :mod:`geo.store.queries` and :mod:`geo.store.facets` (shared with PostGIS).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from geo.geodesy import haversine_km
from geo.store.base import AddResult, Filters, StoreError
from geo.store.facets import BUMP_GENERATION, FacetMixin, generation_of
from geo.store.filters import Spans
from geo.store.monitoring import MonitorMixin
from geo.store.queries import QueryMixin
from geo.store.rules import date_range, fold, merge_events
from geo.store.snapshot import UNREADABLE, EventColumns
from geo.store.sqlite_schema import (
    APPLICATION_ID,
    DB_NAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    SqliteOpening,
)
from geo.store.sqlite_writes import SqliteWrites

__all__ = ["APPLICATION_ID", "DB_NAME", "MIGRATIONS", "RTREE_PROBE", "SCHEMA_VERSION",
           "AddResult", "EventColumns", "EventStore", "Filters", "StoreError", "date_range",
           "fold", "haversine_km", "merge_events"]

#: A bbox with fewer R*Tree hits than this drives the query through the R*Tree.
RTREE_PROBE = 20_000


class EventStore(SqliteOpening, SqliteWrites, QueryMixin, FacetMixin, MonitorMixin):
    """A folder holding ``events.sqlite``: see the module docstring and docs/store.md."""

    def __init__(self, path: str | Path, *, create: bool = True, timeout: float = 60.0) -> None:
        # absolute: the snapshot reader opens the file by URI, which needs an absolute path
        self.path = self._db_path(Path(path).expanduser().absolute(), create)
        self.location = str(self.path)
        self._lock = threading.RLock()
        self._timeout = timeout
        self._conn: sqlite3.Connection | None = self._connect(create)
        self._init_caches()

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

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
    def _write(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock up front, so concurrent writers queue
        (busy_timeout) instead of failing on upgrade; rolled back on any error. ``bump``:
        the write changes events (the generation moves)."""
        with self._lock:
            conn = self._require_open()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot lock for writing: {exc}") from None
            try:
                yield conn
                if bump:
                    conn.execute(BUMP_GENERATION)
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: write failed: {exc}") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def integrity_check(self) -> str:
        """SQLite's full check ("ok" when whole); slow on big stores, for tests and `doctor`."""
        return str(self._read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0]))

    def _stats_extra(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "path": str(self.path)}

    # --- dialect hooks of the shared readers --------------------------------------------------

    @staticmethod
    def _bbox_sql(conn: sqlite3.Connection, spans: Spans) -> tuple[str, list[Any]]:
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

    def _stamp(self, conn: sqlite3.Connection) -> tuple[int, int]:
        """``PRAGMA data_version`` moves when another connection commits, ``total_changes``
        when this one writes."""
        return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes

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
            with suppress(*UNREADABLE):
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
        return self.path.with_name(f"{self.path.name}.columns-{generation_of(conn)}-{n}-{top}.npz")
