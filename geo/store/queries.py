"""Reading events back: the filters as SQL, rows, frames, counts, single events, stats.

One implementation for both stores. The SQL is written with ``?`` placeholders; what differs
between SQLite and PostgreSQL (the text match, the bounding-box probe, NULL ordering) is a
handful of class attributes and the ``_bbox_sql`` hook each store defines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Unpack

import pandas as pd

from geo.model import Event
from geo.store.base import Filters
from geo.store.filters import Query, Spans, parse_query
from geo.store.frames import rows_to_frame
from geo.store.rules import READ_SQL, event_from_row, shift

Conn = Any  # a DB-API connection: sqlite3.Connection, or the PostGIS store's wrapper


class QueryMixin:
    """``query``, ``query_frame``, ``count``, ``get``, ``articles``, ``stats``, ``len``.

    A store class mixing this in defines ``location``, ``_read(fn)``, ``_write()``,
    ``_bbox_sql(conn, spans)`` and the dialect attributes below."""

    location: str
    _read: Callable[[Callable[[Conn], Any]], Any]
    _write: Callable[[], AbstractContextManager[Conn]]
    #: always true / always false conditions
    _SQL_TRUE = "1"
    _SQL_FALSE = "0"
    #: case-insensitive substring of the actors' JSON text / of the searchable text
    _ACTOR_CLAUSE = "instr(cm_fold(e.actors), ?) > 0"
    _TEXT_CLAUSE = ("instr(cm_fold(coalesce(e.place, '') || ' ' || coalesce(e.place_name, '')"
                    " || ' ' || e.evidence || ' ' || e.sources || ' ' || e.actors), ?) > 0")
    #: the order of query(): undated first, then by first day, then insertion
    _ORDER_BY = "ORDER BY date_start, rid"

    def _bbox_sql(self, conn: Conn, spans: Spans) -> tuple[str, list[Any]]:
        raise NotImplementedError

    # --- rows ---------------------------------------------------------------------------------

    def query(self, **filters: Unpack[Filters]) -> list[Event]:
        """Events matching every given filter (see :class:`Filters`), in date order (undated
        first)."""
        q = parse_query(**filters)
        rows = self._read(lambda c: c.execute(*self._select_sql(c, q)).fetchall())
        return [event_from_row(r[1:]) for r in rows]

    def query_frame(self, **filters: Unpack[Filters]) -> pd.DataFrame:
        """The rows of :meth:`query` as a DataFrame (columns EVENT_COLUMNS), built straight
        from the database's tuples: no Event objects, so the map can load millions of rows."""
        q = parse_query(**filters)
        rows = self._read(lambda c: c.execute(*self._select_sql(c, q)).fetchall())
        return rows_to_frame(rows, with_rid=True)

    def count(self, **filters: Unpack[Filters]) -> int:
        """How many events :meth:`query` would return (the parts are disjoint: counts add)."""
        q = parse_query(**filters)

        def fetch(conn: Conn) -> int:
            return sum(conn.execute(f"SELECT count(*) FROM events e WHERE {where}",
                                    params).fetchone()[0]
                       for where, params in self._parts(conn, q))
        n = int(self._read(fetch))
        return n if q.limit is None else min(n, q.limit)

    def _select_sql(self, conn: Conn, q: Query) -> tuple[str, list[Any]]:
        """One statement: the disjoint parts as UNION ALL (each planned on its own, so each
        can use its index), sorted by date then insertion."""
        parts = self._parts(conn, q)
        selects = [f"SELECT e.rid AS rid, {READ_SQL} FROM events e WHERE {where}"
                   for where, _ in parts]
        params = [p for _, ps in parts for p in ps]
        sql = f"SELECT * FROM ({' UNION ALL '.join(selects)}) AS u {self._ORDER_BY}"
        if q.limit is not None:
            sql += " LIMIT ?"
            params.append(q.limit)
        return sql, params

    def _common(self, conn: Conn, q: Query) -> tuple[list[str], list[Any]]:
        """The clauses every part shares (type, dataset, country, actors, text, killed,
        status, time added). A status filter keeping every status ever stored is none."""
        common: list[str] = []
        params: list[Any] = []
        for column, values in (("event_type", q.types), ("dataset", q.datasets),
                               ("country", q.countries)):
            if values is not None:
                common.append(f"e.{column} IN ({','.join('?' * len(values))})" if values
                              else self._SQL_FALSE)
                params += values
        if q.actors is not None:
            ors = " OR ".join([self._ACTOR_CLAUSE] * len(q.actors))
            common.append(f"({ors})" if q.actors else self._SQL_FALSE)
            params += q.actors
        if q.text:
            common.append(self._TEXT_CLAUSE)
            params.append(q.text)
        if q.min_fatalities is not None:
            common.append("e.killed >= ?")
            params.append(q.min_fatalities)
        if q.statuses is not None and not self._all_statuses(conn, q.statuses):
            common.append(f"e.status IN ({','.join('?' * len(q.statuses))})" if q.statuses
                          else self._SQL_FALSE)
            params += q.statuses
        if q.added_since is not None:
            common.append("e.added_at >= ?")
            params.append(q.added_since)
        return common, params

    def _parts(self, conn: Conn, q: Query) -> list[tuple[str, list[Any]]]:
        """WHERE clauses whose union is the answer. Splitting "dated in range OR undated" and
        "in bbox OR unlocated" into separate parts keeps every part index-friendly: SQLite
        plans an OR with IS NULL as a full scan."""
        true = self._SQL_TRUE
        dates: list[tuple[str, list[Any]]] = [(true, [])]
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
                    params.append(shift(q.since, -span))
            dates = [(" AND ".join(clauses), params)]
            if q.include_undated:
                dates.append(("e.date_start IS NULL", []))
        elif not q.include_undated:
            dates = [("e.date_start IS NOT NULL", [])]
        places: list[tuple[str, list[Any]]] = [(true, [])]
        if q.spans is not None:
            places = [self._bbox_sql(conn, q.spans)]
            if q.include_unlocated:
                places.append(("e.lat IS NULL", []))
        elif not q.include_unlocated:
            places = [("e.lat IS NOT NULL", [])]
        common, common_params = self._common(conn, q)
        parts = []
        for dwhere, dparams in dates:
            for pwhere, pparams in places:
                where = " AND ".join([*common, dwhere, pwhere])
                parts.append((where, [*common_params, *dparams, *pparams]))
        return parts

    @staticmethod
    def _all_statuses(conn: Conn, statuses: tuple[str, ...]) -> bool:
        """Whether ``statuses`` holds every status the store has stored (meta.statuses)."""
        row = conn.execute("SELECT value FROM meta WHERE key = 'statuses'").fetchone()
        return row is not None and set(json.loads(row[0])) <= set(statuses)

    @staticmethod
    def _max_span(conn: Conn) -> int | None:
        row = conn.execute("SELECT value FROM meta WHERE key = 'max_span_days'").fetchone()
        return int(row[0]) if row else None

    # --- single events, articles, stats -------------------------------------------------------

    @staticmethod
    def _rid(conn: Conn, event_id: str) -> int | None:
        """The row an id names: the event's own, or the one a report with it merged into."""
        row = conn.execute("SELECT rid FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            row = conn.execute("SELECT rid FROM aliases WHERE event_id = ?",
                               (event_id,)).fetchone()
        return row[0] if row else None

    def __len__(self) -> int:
        return int(self._read(lambda c: c.execute("SELECT count(*) FROM events").fetchone()[0]))

    def get(self, event_id: str) -> Event | None:
        """The event stored under this id, or under which a report with this id was merged."""
        def fetch(conn: Conn) -> Event | None:
            rid = self._rid(conn, event_id)
            if rid is None:
                return None
            row = conn.execute(f"SELECT {READ_SQL} FROM events e WHERE e.rid = ?",
                               (rid,)).fetchone()
            return event_from_row(row)
        return self._read(fetch)

    def articles(self) -> list[dict]:
        """Every ingested article: key (sha256), source, title, published, path, added_at,
        events (how many events it reported)."""
        def fetch(conn: Conn) -> list[dict]:
            cur = conn.execute("SELECT key, source, title, published, path, added_at, events "
                               "FROM articles ORDER BY added_at, key")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur]
        return self._read(fetch)

    def _stats_extra(self) -> dict[str, Any]:
        """What a store adds to :meth:`stats` (its schema version and where it is)."""
        return {}

    def stats(self) -> dict[str, Any]:
        """Counts by type and dataset, located/undated counts, date range, articles."""
        def fetch(conn: Conn) -> dict[str, Any]:
            one = conn.execute(
                "SELECT count(*), min(date_start), max(date_end), count(lat), count(date_start) "
                "FROM events").fetchone()
            by_type = dict(conn.execute(
                "SELECT event_type, count(*) FROM events GROUP BY event_type ORDER BY 2 DESC"
            ).fetchall())
            by_dataset = dict(conn.execute(
                "SELECT dataset, count(*) FROM events GROUP BY dataset ORDER BY 2 DESC"
            ).fetchall())
            n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            return {
                "events": one[0], "by_type": by_type, "by_dataset": by_dataset,
                "date_min": one[1], "date_max": one[2], "located": one[3],
                "unlocated": one[0] - one[3], "undated": one[0] - one[4],
                "articles": n_articles, **self._stats_extra(),
            }
        return self._read(fetch)

