"""The map page at scale: facet counts, per-cell bins, and the numpy snapshot that answers
bins without SQL; all cached until the store changes.

One implementation for both stores; each defines ``_stamp(conn)`` (what moves when anything
commits), ``_read_columns(scan)`` (the snapshot, from its own connection) and ``_CELL_SQL``.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import date, datetime
from typing import Any

import pandas as pd

from geo.store.base import FACET_CACHE_SIZE, FACET_FIELDS, StoreError
from geo.store.filters import Query, cell_size, parse_query
from geo.store.queries import Conn
from geo.store.rules import as_list, bump, greatest, least
from geo.store.snapshot import EventColumns


def generation_of(conn: Conn) -> int:
    """The store's write generation (``meta.generation``) as ``conn`` sees it."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


#: Run in every write transaction: the generation the snapshot files are named after.
BUMP_GENERATION = ("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                   "DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)")


class FacetMixin:
    """``facets``, ``bins``, ``columns``, ``fast_bins``, ``generation``."""

    _read: Callable[[Callable[[Conn], Any]], Any]
    _parts: Callable[[Conn, Query], list[tuple[str, list[Any]]]]
    _lock: threading.RLock
    #: a bin's row and column from lat/lon and a cell size (two ``?``), truncated
    _CELL_SQL = ("CAST((e.lat + 90.0) / ? AS INTEGER) AS r, "
                 "CAST((e.lon + 180.0) / ? AS INTEGER) AS c")
    #: the last day of the filtered events
    _DATE_MAX = "max(e.date_end)"

    def _init_caches(self) -> None:
        # facets() answers per filter, valid while the store is unchanged (see facets)
        self._facet_cache: dict[str, Any] = {}
        self._facet_stamp: tuple | None = None
        # columns(): the snapshot and the change stamp it was read at; a background read
        self._columns: tuple[tuple, EventColumns] | None = None
        self._column_thread: threading.Thread | None = None

    def _stamp(self, conn: Conn) -> tuple:
        raise NotImplementedError

    def _read_columns(self, scan: bool = True) -> EventColumns | None:
        raise NotImplementedError

    # --- facets -------------------------------------------------------------------------------

    def facets(self, *, types: str | Iterable[str] | None = None,
               since: str | date | None = None, until: str | date | None = None,
               bbox: Sequence[float] | None = None, datasets: str | Iterable[str] | None = None,
               countries: str | Iterable[str] | None = None,
               actors: str | Iterable[str] | None = None, text: str | None = None,
               min_fatalities: int | None = None, include_undated: bool = True,
               include_unlocated: bool = True, statuses: str | Iterable[str] | None = None,
               added_since: str | date | datetime | None = None,
               fields: Iterable[str] | None = None) -> dict[str, Any]:
        """What a page shows about the events :meth:`query` would return, without loading them.

        Keys (``fields`` picks some; default all, see :data:`FACET_FIELDS`): ``total``;
        ``drawable`` (located and not aggregate: what a map can draw as a point);
        ``by_type``, ``by_dataset``, ``by_country``, ``by_status``, ``actors`` (value ->
        events, commonest first); ``by_day`` (first day -> events, for timelines);
        ``date_min``/``date_max`` (first and last day any event can mean); ``bounds``
        (south, west, north, east of the located events, or None). Each is its own small SQL
        aggregate, so the database can answer most from an index, and answers are cached per
        filter until the store changes (any commit, from any connection): a page
        re-rendering with the same filters pays nothing."""
        q = parse_query(types, since, until, bbox, datasets, countries, actors, text,
                        min_fatalities, include_undated, include_unlocated, None,
                        statuses=statuses, added_since=added_since)
        wanted = FACET_FIELDS if fields is None else tuple(dict.fromkeys(fields))
        unknown = [f for f in wanted if f not in FACET_FIELDS]
        if unknown:
            raise ValueError(f"unknown facet(s): {', '.join(map(str, unknown))}; known: "
                             f"{', '.join(FACET_FIELDS)}")

        def fetch(conn: Conn) -> dict[str, Any]:
            key = f"facets|{q!r}|{','.join(sorted(wanted))}"
            return copy_facets(self._cached(conn, key, lambda: self._facets(conn, q,
                                                                            set(wanted))))
        return self._read(fetch)

    def _cached(self, conn: Conn, key: str, compute: Callable[[], Any]) -> Any:
        """An answer kept until the store changes (:meth:`_stamp` moves). Callers copy it."""
        stamp = self._stamp(conn)
        if self._facet_stamp != stamp:
            self._facet_cache.clear()
            self._facet_stamp = stamp
        if key not in self._facet_cache:
            if len(self._facet_cache) >= FACET_CACHE_SIZE:
                self._facet_cache.pop(next(iter(self._facet_cache)))
            self._facet_cache[key] = compute()
        return self._facet_cache[key]

    def _facets(self, conn: Conn, q: Query, wanted: set[str]) -> dict[str, Any]:
        counts: dict[str, dict] = {k: {} for k in ("by_type", "by_dataset", "by_country",
                                                   "by_status", "by_day", "actors")}
        total = drawable = 0
        first = last = None
        box: list[Any] = [None, None, None, None]
        columns = {"by_type": "event_type", "by_dataset": "dataset", "by_country": "country",
                   "by_status": "status"}
        for where, params in self._parts(conn, q):
            if wanted & {"total", "by_day", "date_min"}:
                for day, n in conn.execute(f"SELECT e.date_start, count(*) FROM events e "
                                           f"WHERE {where} GROUP BY 1", params).fetchall():
                    total += n
                    if day is not None:
                        bump(counts["by_day"], day, n)
                        first = least(first, day)
            if "date_max" in wanted:
                last = greatest(last, conn.execute(
                    f"SELECT {self._DATE_MAX} FROM events e WHERE {where}",
                    params).fetchone()[0])
            if "drawable" in wanted:
                drawable += conn.execute(
                    f"SELECT count(*) FROM events e WHERE {where} AND e.lat IS NOT NULL "
                    "AND e.aggregate = 0", params).fetchone()[0]
            if "bounds" in wanted:
                one = conn.execute(
                    "SELECT min(e.lat), min(e.lon), max(e.lat), max(e.lon) FROM events e "
                    f"WHERE {where} AND e.lat IS NOT NULL", params).fetchone()
                box = [least(box[0], one[0]), least(box[1], one[1]),
                       greatest(box[2], one[2]), greatest(box[3], one[3])]
            for name, column in columns.items():
                if name in wanted:
                    for value, n in conn.execute(
                            f"SELECT e.{column}, count(*) FROM events e WHERE {where} "
                            f"AND e.{column} IS NOT NULL GROUP BY 1", params).fetchall():
                        bump(counts[name], value, n)
            if "actors" in wanted:
                texts = self._actor_texts(conn, where, params)
                for text, n in texts.items():
                    for actor in set(json.loads(text) if text else []):
                        bump(counts["actors"], str(actor), n)
        out: dict[str, Any] = {
            "total": total, "drawable": drawable, **counts, "date_min": first,
            "date_max": last,
            "bounds": None if box[0] is None else tuple(float(v) for v in box)}
        return {k: v for k, v in out.items() if k in wanted}

    @staticmethod
    def _actor_texts(conn: Conn, where: str, params: list[Any]) -> Counter:
        """How many events hold each distinct actors text. Counted in Python: SQLite's GROUP
        BY on the JSON text sorts every row (slower than reading them); PostgreSQL's hash
        aggregate is faster than sending every row (the PostGIS store's override)."""
        return Counter(r[0] for r in conn.execute(
            f"SELECT e.actors FROM events e WHERE {where}", params).fetchall())

    # --- bins ---------------------------------------------------------------------------------

    def bins(self, cell_deg: float, *, types: str | Iterable[str] | None = None,
             since: str | date | None = None, until: str | date | None = None,
             bbox: Sequence[float] | None = None, datasets: str | Iterable[str] | None = None,
             countries: str | Iterable[str] | None = None,
             actors: str | Iterable[str] | None = None, text: str | None = None,
             min_fatalities: int | None = None, include_undated: bool = True,
             statuses: str | Iterable[str] | None = None,
             added_since: str | date | datetime | None = None) -> pd.DataFrame:
        """The drawable events (located, not aggregate) matching the filters, counted in square
        cells of ``cell_deg`` degrees: one row per (cell, event type) with columns ``row``,
        ``col`` (cell indices from 90S/180W), ``event_type``, ``n``, ``lat``, ``lon`` (mean
        position of those events). A map too full to draw every point draws these instead;
        their ``n`` add up to the drawable count of :meth:`facets` for the same filters.
        Cached like :meth:`facets`: a page panning at one zoom asks once."""
        cell = cell_size(cell_deg)
        q = parse_query(types, since, until, bbox, datasets, countries, actors, text,
                        min_fatalities, include_undated, False, None, statuses=statuses,
                        added_since=added_since)

        def compute(conn: Conn) -> list[tuple]:
            out: list[tuple] = []
            for where, params in self._parts(conn, q):
                out += conn.execute(
                    f"SELECT {self._CELL_SQL}, e.event_type, count(*), "
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
        the store's location and generation (read before the query: a write in between only
        files newer answers under an older key, which no later reader asks for)."""
        return self._read(generation_of)

    # --- the snapshot -------------------------------------------------------------------------

    def _change_stamp(self) -> tuple:
        """What :meth:`facets` keys its cache on: moves with any commit, here or elsewhere."""
        return self._read(self._stamp)

    def columns(self, *, wait: bool = True) -> EventColumns | None:
        """Every event's filterable columns as numpy arrays (:class:`EventColumns`), kept
        until the store changes (the stamp of :meth:`facets`). About 45 MB for a million
        events; it answers :meth:`fast_bins` in tens of milliseconds where a GROUP BY over
        hundreds of thousands of rows takes seconds. Reading it takes seconds at that size
        (one scan), on its own connection so other reads do not wait, unless a process saved
        it for the store as it is (``_read_columns``). ``wait=False`` returns a saved one at
        once, else None, and starts the scan in a background thread."""
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
                  statuses: str | Iterable[str] | None = None,
                  added_since: str | date | datetime | None = None,
                  wait: bool = True) -> pd.DataFrame:
        """:meth:`bins`, answered from the :meth:`columns` snapshot with numpy (same rows;
        mean positions equal to rounding). Filters on ``actors``, ``text`` or ``added_since``
        need columns the snapshot leaves out: those go to :meth:`bins` (SQL), and so does
        every call while the snapshot is being read when ``wait=False``."""
        cell = cell_size(cell_deg)
        q = parse_query(types, since, until, bbox, datasets, countries, actors, text,
                        min_fatalities, include_undated, False, None, statuses=statuses,
                        added_since=added_since)
        sql_only = actors is not None or bool(text) or added_since is not None
        cols = None if sql_only else self.columns(wait=wait)
        if cols is None:
            return self.bins(cell_deg, types=types, since=since, until=until, bbox=bbox,
                             datasets=datasets, countries=countries, actors=actors, text=text,
                             min_fatalities=min_fatalities, include_undated=include_undated,
                             statuses=statuses, added_since=added_since)
        keep = cols.mask(types=as_list(types), datasets=as_list(datasets),
                         countries=as_list(countries), since=q.since, until=q.until,
                         spans=q.spans, min_fatalities=min_fatalities,
                         include_undated=q.include_undated,
                         statuses=as_list(statuses)) & cols.drawable
        return cols.bins(cell, keep)


def copy_facets(f: dict[str, Any]) -> dict[str, Any]:
    """A copy a caller may change without touching the cached answer, dicts by count."""
    out = dict(f)
    for key in ("by_type", "by_dataset", "by_country", "actors"):
        if key in f:
            out[key] = dict(sorted(f[key].items(), key=lambda kv: (-kv[1], str(kv[0]))))
    if "by_day" in f:
        out["by_day"] = dict(sorted(f["by_day"].items()))
    return out
