"""The shared event store: a PostgreSQL database with PostGIS, for a team.

The same schema versions, validation, deduplication, merging, filters, facets and exports as
the embedded SQLite store (the readers and writers are the same code, :mod:`geo.store.queries`,
:mod:`geo.store.facets`, :mod:`geo.store.writes`); what differs is here and in
:mod:`geo.store.postgis_schema` / :mod:`geo.store.postgis_writes`.

* Every write is one transaction holding a transaction-level advisory lock: writers from any
  number of processes or machines queue, so a report is merged into the event another writer
  has just stored instead of duplicating it, and nothing is lost.
* Every read is one ``REPEATABLE READ, READ ONLY`` transaction: a reader sees whole articles
  only (an article's events are one write), and a page's counts and rows agree.
* Bounding boxes use a GiST index on the point as geometry; merge probes the geography GiST
  index with ``ST_DWithin``; the other filters are the same SQL as SQLite's.

Needs ``psycopg`` 3 (imported when a PostGIS store is opened, so the SQLite default needs
nothing beyond the standard library).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from geo.store.base import StoreError
from geo.store.facets import BUMP_GENERATION, FacetMixin, generation_of
from geo.store.filters import Spans
from geo.store.monitoring import MonitorMixin
from geo.store.postgis_schema import LOCK_KEY, SCHEMA_VERSION, inspect, upgrade
from geo.store.postgis_writes import PostgisWrites
from geo.store.queries import QueryMixin
from geo.store.snapshot import COLUMN_CHUNK, EventColumns


def redact(url: str) -> str:
    """The URL without its password, for messages and ``stats()``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class _Conn:
    """A psycopg connection that takes the shared SQL: ``?`` placeholders (the shared SQL has
    no literal ``%`` or ``?``), ``execute`` returning the cursor, ``executemany``, ``copy``."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self.raw.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Any) -> Any:
        cur = self.raw.cursor()
        cur.executemany(sql.replace("?", "%s"), rows)
        return cur

    def copy(self, sql: str) -> Any:
        return self.raw.cursor().copy(sql)


class _Streaming:
    """What :meth:`EventColumns.read` scans through: a server-side cursor, so a million rows
    arrive a chunk at a time instead of all at once."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str) -> Any:
        cur = self.raw.cursor(name="cm_columns")
        cur.itersize = COLUMN_CHUNK
        cur.execute(sql)
        return cur


class PostgisStore(PostgisWrites, QueryMixin, FacetMixin, MonitorMixin):
    """A PostgreSQL database (``postgresql://user@host:port/db``) holding an event store."""

    _SQL_TRUE = "TRUE"
    _SQL_FALSE = "FALSE"
    _ACTOR_CLAUSE = "strpos(e.fold_actors, ?) > 0"
    _TEXT_CLAUSE = "strpos(e.fold_text, ?) > 0"
    _ORDER_BY = "ORDER BY date_start NULLS FIRST, rid"
    _CELL_SQL = ("floor((e.lat + 90.0) / ?)::integer AS r, "
                 "floor((e.lon + 180.0) / ?)::integer AS c")
    # not max(e.date_end): PostgreSQL answers that by walking the date_end index down from
    # the latest day until a row passes the filters (seconds at 1M events for a 2019 filter);
    # on an expression it reads the filtered rows from the index the filters use (ms)
    _DATE_MAX = "max(e.date_end || '')"

    def __init__(self, url: str, *, create: bool = True, timeout: float = 60.0) -> None:
        self._url = url
        self.location = redact(url)
        self._timeout = timeout
        self._lock = threading.RLock()
        self._conn: _Conn | None = None
        self._connect(create)
        self._init_caches()

    # --- connecting ---------------------------------------------------------------------------

    def _open_raw(self) -> Any:
        try:
            import psycopg
        except ImportError:
            raise StoreError(f"{self.location}: a PostGIS store needs psycopg 3 "
                             "(pip install 'psycopg[binary]')") from None
        try:
            return psycopg.connect(self._url, autocommit=True,
                                   connect_timeout=max(1, int(self._timeout)))
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: cannot connect: {_one_line(exc)}") from None

    def _connect(self, create: bool) -> None:
        import psycopg

        raw = self._open_raw()
        conn = _Conn(raw)
        try:
            conn.execute(f"SET lock_timeout = {int(self._timeout * 1000)}")
            state = inspect(conn, self.location)  # refuse before changing anything
            if state == "empty" and not create:
                raise StoreError(f"{self.location}: no event store here (create=False)")
            if state != "current":
                upgrade(conn, self.location)
        except psycopg.Error as exc:
            raw.close()
            raise StoreError(f"{self.location}: cannot open: {_one_line(exc)}") from None
        except BaseException:
            raw.close()
            raise
        self._conn = conn

    def _require_open(self) -> _Conn:
        if self._conn is None:
            raise StoreError(f"{self.location}: store is closed")
        if self._conn.raw.broken:  # the server went away and came back: one new connection
            self._conn.raw.close()
            self._conn = None
            self._connect(create=False)
        return self._conn  # type: ignore[return-value]

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.raw.close()
                self._conn = None

    def __enter__(self) -> PostgisStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PostgisStore({self.location!r})"

    @property
    def schema_version(self) -> int:
        return int(self._read(lambda c: c.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]))

    def _read(self, fn: Callable[[_Conn], Any]) -> Any:
        """``fn`` in one read-only snapshot transaction."""
        import psycopg

        with self._lock:
            conn = self._require_open()
            try:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                try:
                    return fn(conn)
                finally:
                    conn.execute("ROLLBACK")
            except psycopg.Error as exc:
                raise StoreError(f"{self.location}: read failed: {_one_line(exc)}") from None

    @contextmanager
    def _write(self, bump: bool = True) -> Iterator[_Conn]:
        """One READ COMMITTED transaction under the store's advisory lock (writers queue; each
        statement then sees every earlier writer's commit); rolled back on any error."""
        import psycopg

        with self._lock:
            conn = self._require_open()
            try:
                conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                conn.execute("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
            except psycopg.Error as exc:
                self._rollback(conn)
                raise StoreError(f"{self.location}: cannot lock for writing: "
                                 f"{_one_line(exc)}") from None
            try:
                yield conn
                if bump:
                    conn.execute(BUMP_GENERATION)
                conn.execute("COMMIT")
            except psycopg.Error as exc:
                self._rollback(conn)
                raise StoreError(f"{self.location}: write failed: {_one_line(exc)}") from None
            except BaseException:
                self._rollback(conn)
                raise

    @staticmethod
    def _rollback(conn: _Conn) -> None:
        if not conn.raw.broken:
            conn.execute("ROLLBACK")

    def integrity_check(self) -> str:
        """"ok", or what is inconsistent: the schema, aliases pointing nowhere, points that do
        not match lat/lon."""
        def fetch(conn: _Conn) -> str:
            problems = []
            if inspect(conn, self.location) != "current":
                problems.append("schema is not current")
            dangling = conn.execute("SELECT count(*) FROM aliases a LEFT JOIN events e "
                                    "ON e.rid = a.rid WHERE e.rid IS NULL").fetchone()[0]
            if dangling:
                problems.append(f"{dangling} aliases of no event")
            bad = conn.execute("SELECT count(*) FROM events WHERE (geog IS NULL) <> "
                               "(lat IS NULL)").fetchone()[0]
            if bad:
                problems.append(f"{bad} points not matching lat/lon")
            return "; ".join(problems) or "ok"
        return str(self._read(fetch))

    def _stats_extra(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "path": self.location}

    # --- dialect hooks of the shared readers --------------------------------------------------

    @staticmethod
    def _bbox_sql(conn: _Conn, spans: Spans) -> tuple[str, list[Any]]:
        """Points in the box: the GiST index on the point as geometry (exact for points,
        edges included), and the same column test as SQLite's."""
        clauses, params = [], []
        for west, east, south, north in spans:
            clauses.append("(e.geog::geometry && ST_MakeEnvelope(?, ?, ?, ?, 4326) AND "
                           "e.lon BETWEEN ? AND ? AND e.lat BETWEEN ? AND ?)")
            params += [west, south, east, north, west, east, south, north]
        return "(" + " OR ".join(clauses) + ")", params

    @staticmethod
    def _actor_texts(conn: _Conn, where: str, params: list[Any]) -> Counter:
        """Grouped on the server: one row per distinct actors text, not one per event."""
        return Counter(dict(conn.execute(
            f"SELECT e.actors, count(*) FROM events e WHERE {where} GROUP BY 1",
            params).fetchall()))

    @staticmethod
    def _stamp(conn: _Conn) -> tuple[int]:
        """The write generation: every write transaction of events raises it."""
        return (generation_of(conn),)

    def _read_columns(self, scan: bool = True) -> EventColumns | None:
        """The snapshot from a connection of its own in one snapshot transaction (other reads
        do not wait), through a server-side cursor. Nothing is kept on disk for a shared
        database: ``scan=False`` is None (the background read starts)."""
        if not scan:
            return None
        import psycopg

        raw = self._open_raw()
        try:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return EventColumns.read(_Streaming(raw))
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: read failed: {_one_line(exc)}") from None
        finally:
            raw.close()
