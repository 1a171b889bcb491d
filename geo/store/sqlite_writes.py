"""Writing to the SQLite store: add (with dedupe and merging), replace, the article record.

Every call is one ``BEGIN IMMEDIATE`` transaction (see ``EventStore._write``): all or
nothing, and two writing processes queue instead of interleaving.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from geo.model import Event
from geo.store.base import (
    BULK_BATCH,
    MERGE_DATASETS,
    MERGE_DAYS,
    MERGE_KM,
    UNDATED_MERGE_TYPES,
    AddResult,
    StoreError,
)
from geo.store.rules import (
    READ_SQL,
    STORED,
    best_match,
    check_event,
    event_from_row,
    family,
    fold,
    merge_events,
    normalise,
    shift,
    span_days,
    stored_row,
)
from geo.store.sqlite_schema import INSERT, INSERT_IGNORE, raise_span


class SqliteWrites:
    """``add_events`` and ``replace_event`` of :class:`geo.store.sqlite.EventStore`."""

    location: str
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _rid: Callable[[sqlite3.Connection, str], int | None]

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
                start, end = check_event(ev, self.location)
                if start and start != end:
                    span = max(span, span_days(start, end))
                if ev.dataset not in MERGE_DATASETS:
                    bulk.append(stored_row(ev, start, end))
                    if len(bulk) >= BULK_BATCH:
                        n = self._insert_bulk(conn, bulk)
                        added, unchanged, bulk = added + n, unchanged + len(bulk) - n, []
                    continue
                outcome = self._add_one(conn, normalise(ev, self.location))
                added += outcome == "added"
                merged += outcome == "merged"
                unchanged += outcome == "unchanged"
            if bulk:
                n = self._insert_bulk(conn, bulk)
                added, unchanged = added + n, unchanged + len(bulk) - n
            raise_span(conn, span)
            if article_key:
                record_article(conn, article_key, article or {}, added + merged + unchanged)
            return AddResult(added, merged, unchanged, False)

    def replace_event(self, event_id: str, event: Event) -> str:
        """Overwrite a stored event (a user corrected its place or date) atomically; the old id
        stays an alias of the row. Returns the id the event is stored under now."""
        new = normalise(event, self.location)
        with self._write() as conn:
            rid = self._rid(conn, event_id)
            if rid is None:
                raise StoreError(f"{self.location}: no event {event_id!r} to replace")
            other = self._rid(conn, new.event_id)
            if other is not None and other != rid:
                raise StoreError(f"{self.location}: event {new.event_id!r} already stored as "
                                 "another event")
            old_id = conn.execute("SELECT event_id FROM events WHERE rid = ?",
                                  (rid,)).fetchone()[0]
            self._update_row(conn, rid, new)
            raise_span(conn, span_days(new.date_start, new.date_end))
            conn.execute("DELETE FROM aliases WHERE event_id = ?", (new.event_id,))
            if old_id != new.event_id:
                conn.execute("INSERT OR REPLACE INTO aliases(event_id, rid) VALUES (?, ?)",
                             (old_id, rid))
            return new.event_id

    @staticmethod
    def _insert_bulk(conn: sqlite3.Connection, rows: Sequence[tuple]) -> int:
        """Imports: dedupe by event_id only, one executemany, points indexed in one statement
        (new rows are exactly those above the largest rowid before the insert)."""
        before = conn.execute("SELECT coalesce(max(rid), 0) FROM events").fetchone()[0]
        total = conn.total_changes
        conn.executemany(INSERT_IGNORE, rows)
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
            cur = conn.execute(INSERT, stored_row(ev))
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

    @staticmethod
    def _update_row(conn: sqlite3.Connection, rid: int, ev: Event) -> None:
        sets = ", ".join(f"{c} = ?" for c in STORED)
        conn.execute(f"UPDATE events SET {sets} WHERE rid = ?", (*stored_row(ev), rid))
        conn.execute("DELETE FROM events_rtree WHERE rid = ?", (rid,))
        if ev.has_point:
            conn.execute("INSERT INTO events_rtree VALUES (?, ?, ?, ?, ?)",
                         (rid, ev.lon, ev.lon, ev.lat, ev.lat))

    def _merge_candidate(self, conn: sqlite3.Connection, ev: Event) -> tuple[int, Event] | None:
        """The stored event this report describes, if any: same family, aggregate flag and
        dataset, place within MERGE_KM (R*Tree box, then haversine) or the same place id or
        name, dates overlapping or at most MERGE_DAYS apart. The nearest wins."""
        types = sorted(family(ev.event_type))
        # unary + keeps SQLite off the low-selectivity dataset index (it picked it, and scanned
        # every news event for each report)
        where = [f"e.event_type IN ({','.join('?' * len(types))})", "+e.aggregate = ?",
                 "+e.dataset = ?"]
        params: list[Any] = [*types, int(bool(ev.aggregate)), ev.dataset]
        if ev.date_start:
            where.append("e.date_start IS NOT NULL AND e.date_start <= ? AND e.date_end >= ?")
            params += [shift(ev.date_end, MERGE_DAYS), shift(ev.date_start, -MERGE_DAYS)]
        elif ev.event_type in UNDATED_MERGE_TYPES:
            where.append("e.date_start IS NULL")
        else:
            return None
        cond = " AND ".join(where)
        found: dict[int, Event] = {}
        for sql, extra in self._place_probes(ev):
            for row in conn.execute(f"SELECT e.rid, {READ_SQL} {sql} AND {cond}",
                                    (*extra, *params)):
                found[row[0]] = event_from_row(row[1:])
        return best_match(ev, found)

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


def record_article(conn: Any, key: str, article: dict, n_events: int) -> None:
    """The ``articles`` row of an ingested article (the same SQL in both stores)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO articles(key, source, title, published, path, added_at, events) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, *(None if article.get(k) is None else str(article[k])
                for k in ("source", "title", "published", "path")), now, n_events),
    )
