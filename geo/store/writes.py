"""Writing events, the same way in both stores: add (dedupe by id, merge reports of one
event), replace (a user's correction), and the record of an ingested article.

Every call is one write transaction of the store (``_write()``): all or nothing, and two
writers, in one process or several, queue instead of interleaving, so a report is merged
into an event the other writer has just added instead of duplicating it. What differs
between SQLite and PostGIS (how a row and its point are written, how stored events near a
report are found) are the hooks at the end of :class:`WriteMixin`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from geo.model import Event
from geo.store.base import (
    BULK_BATCH,
    MERGE_DATASETS,
    MERGE_DAYS,
    UNDATED_MERGE_TYPES,
    AddResult,
    StoreError,
)
from geo.store.queries import Conn
from geo.store.rules import (
    READ_SQL,
    best_match,
    check_event,
    dumps,
    event_from_row,
    family,
    merge_events,
    normalise,
    shift,
    span_days,
    stored_row,
)


class WriteMixin:
    """``add_events`` and ``replace_event``."""

    location: str
    _write: Callable[[], AbstractContextManager[Conn]]
    _rid: Callable[[Conn, str], int | None]
    #: the merge probe's conditions on the flag and the dataset (SQLite: unary + keeps the
    #: planner off the low-selectivity dataset index, which it picked, scanning every news
    #: event for each report)
    _MERGE_FLAGS = ("+e.aggregate = ?", "+e.dataset = ?", "+e.status = ?")
    #: point a report's id at the row it merged into
    _ALIAS_SQL = "INSERT OR REPLACE INTO aliases(event_id, rid) VALUES (?, ?)"

    def add_events(self, events: Iterable[Event], *, article_key: str | None = None,
                   article: dict | None = None) -> AddResult:
        """Store events in one transaction: new ones added, reports of a stored event merged
        into it, known ids left alone. An article already stored (by ``article_key``, its
        sha256) adds nothing."""
        with self._write() as conn:
            if article_key and conn.execute(
                    "SELECT 1 FROM articles WHERE key = ?", (article_key,)).fetchone():
                return AddResult(article_seen=True)
            now = utc_now()
            added = merged = unchanged = span = 0
            bulk: list[tuple] = []
            statuses: set[str] = set()
            for ev in events:
                start, end = check_event(ev, self.location)
                statuses.add(ev.status)
                if start and start != end:
                    span = max(span, span_days(start, end))
                if ev.dataset not in MERGE_DATASETS:
                    bulk.append((*stored_row(ev, start, end), now))
                    if len(bulk) >= BULK_BATCH:
                        n = self._insert_bulk(conn, bulk)
                        added, unchanged, bulk = added + n, unchanged + len(bulk) - n, []
                    continue
                outcome = self._add_one(conn, normalise(ev, self.location), now)
                added += outcome == "added"
                merged += outcome == "merged"
                unchanged += outcome == "unchanged"
            if bulk:
                n = self._insert_bulk(conn, bulk)
                added, unchanged = added + n, unchanged + len(bulk) - n
            self._raise_span(conn, span)
            note_statuses(conn, statuses)
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
            self._raise_span(conn, span_days(new.date_start, new.date_end))
            note_statuses(conn, {new.status})
            conn.execute("DELETE FROM aliases WHERE event_id = ?", (new.event_id,))
            if old_id != new.event_id:
                conn.execute(self._ALIAS_SQL, (old_id, rid))
            return new.event_id

    def _add_one(self, conn: Conn, ev: Event, now: str) -> str:
        eid = ev.event_id
        if self._rid(conn, eid) is not None:
            return "unchanged"
        match = self._merge_candidate(conn, ev)
        if match is None:
            self._insert_row(conn, ev, now)
            return "added"
        rid, stored = match
        combined = merge_events(stored, ev)
        conn.execute(self._ALIAS_SQL, (eid, rid))
        if combined == stored:
            return "unchanged"
        self._update_row(conn, rid, combined)
        return "merged"

    def _merge_candidate(self, conn: Conn, ev: Event) -> tuple[int, Event] | None:
        """The stored event this report describes, if any: same family, aggregate flag,
        dataset and status, place within MERGE_KM (the store's spatial index, then
        haversine) or the same place id or name, dates overlapping or at most MERGE_DAYS
        apart. The nearest wins."""
        types = sorted(family(ev.event_type))
        where = [f"e.event_type IN ({','.join('?' * len(types))})", *self._MERGE_FLAGS]
        params: list[Any] = [*types, int(bool(ev.aggregate)), ev.dataset, ev.status]
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
                                    (*extra, *params)).fetchall():
                found[row[0]] = event_from_row(row[1:])
        return best_match(ev, found)

    # --- what each store writes its own way ---------------------------------------------------

    def _insert_bulk(self, conn: Conn, rows: Sequence[tuple]) -> int:
        """Add rows (:func:`stored_row` tuples and ``added_at``) whose ids are not stored;
        return how many."""
        raise NotImplementedError

    def _insert_row(self, conn: Conn, ev: Event, now: str) -> None:
        """Add one new event (added at ``now``), with its point in the spatial index."""
        raise NotImplementedError

    def _update_row(self, conn: Conn, rid: int, ev: Event) -> None:
        """Overwrite row ``rid`` with ``ev``; its point follows."""
        raise NotImplementedError

    def _place_probes(self, ev: Event) -> list[tuple[str, list[Any]]]:
        """``FROM events e ... WHERE ...`` fragments that fetch events possibly at the same
        place as ``ev`` (a superset: :func:`best_match` decides)."""
        raise NotImplementedError

    def _raise_span(self, conn: Conn, span: int) -> None:
        """Keep meta.max_span_days an upper bound of every stored range."""
        raise NotImplementedError


def note_statuses(conn: Conn, statuses: set[str]) -> None:
    """Keep ``meta.statuses`` a superset of every status stored: a ``statuses=`` filter that
    keeps all of them is no filter (the map asks for reported events; most stores hold
    nothing else, and the clause would cost a table lookup per row)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'statuses'").fetchone()
    have = set(json.loads(row[0])) if row else set()
    if statuses - have:
        conn.execute("INSERT INTO meta(key, value) VALUES ('statuses', ?) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", (dumps(sorted(have | statuses)),))


def utc_now() -> str:
    """Now, as the store writes the time a row is added (``added_at``) and the monitor's
    times: ISO 8601 in UTC to the microsecond, always six digits, so the text orders as the
    time does and "new since a visit" is not blurred by a second's resolution."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record_article(conn: Conn, key: str, article: dict, n_events: int) -> None:
    """The ``articles`` row of an ingested article (``added_at`` to the second, as in v1)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO articles(key, source, title, published, path, added_at, events) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (key, *(None if article.get(k) is None else str(article[k])
                for k in ("source", "title", "published", "path")), now, n_events),
    )
