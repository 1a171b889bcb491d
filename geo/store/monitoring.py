"""What the monitor keeps in the store (schema version 2): the feeds it polls with their last
success and error, every feed entry it has seen (so none is read twice, across restarts and
across the processes of a team), the watchlist, the alerts, and each user's last visit.

The same SQL for both stores. These writes do not raise the store's write generation: the
map's cached layers stay valid while a feed is polled and finds nothing new.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from geo.store.base import StoreError
from geo.store.filters import utc_instant
from geo.store.queries import Conn
from geo.store.writes import utc_now

#: Feed columns a poll may set.
FEED_FIELDS = ("title", "etag", "last_modified", "last_polled_at", "last_success_at",
               "last_error", "last_error_at")
#: What an alert tells (its ``rid`` is the store's own business).
_ALERT_COLUMNS = ("id, watch, event_id, distance_km, event_type, date, place_name, lat, lon, "
                  "evidence, source, created_at")
#: What an entry's outcome may be: read (stored once) or failed (tried again, up to a limit).
ENTRY_STATUSES = ("read", "failed")


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


class MonitorMixin:
    """Feeds, entries, watchlist, alerts and visits of a store."""

    location: str
    _read: Callable[[Callable[[Conn], Any]], Any]
    _write: Callable[..., AbstractContextManager[Conn]]
    _rid: Callable[[Conn, str], int | None]

    # --- feeds --------------------------------------------------------------------------------

    def feeds(self) -> list[dict[str, Any]]:
        """Every feed polled: url, kind, title, etag, last_modified, added_at,
        last_polled_at, last_success_at, last_error, last_error_at, entries, events."""
        return self._read(lambda c: _dicts(c.execute("SELECT * FROM feeds ORDER BY url")))

    def feed(self, url: str) -> dict[str, Any] | None:
        rows = self._read(lambda c: _dicts(c.execute("SELECT * FROM feeds WHERE url = ?",
                                                     (url,))))
        return rows[0] if rows else None

    def update_feed(self, url: str, kind: str, *, entries: int = 0, events: int = 0,
                    **fields: Any) -> None:
        """Record a poll of ``url``: the fields given (see :data:`FEED_FIELDS`; None clears
        one) and ``entries``/``events`` read from it this time (added to its totals)."""
        unknown = sorted(set(fields) - set(FEED_FIELDS))
        if unknown:
            raise ValueError(f"unknown feed field(s): {', '.join(unknown)}")
        with self._write(bump=False) as conn:
            conn.execute("INSERT INTO feeds(url, kind, added_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (url) DO NOTHING", (url, kind, utc_now()))
            sets = ["kind = ?", "entries = entries + ?", "events = events + ?",
                    *(f"{name} = ?" for name in fields)]
            conn.execute(f"UPDATE feeds SET {', '.join(sets)} WHERE url = ?",
                         (kind, int(entries), int(events), *fields.values(), url))

    # --- entries ------------------------------------------------------------------------------

    def seen_entries(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The entries recorded under any of ``keys`` (``guid:``, ``link:``, ``hash:`` ...):
        key -> its row (status, attempts, feed, link, title, article_key, events, error)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}

        def fetch(conn: Conn) -> dict[str, dict[str, Any]]:
            out: dict[str, dict[str, Any]] = {}
            for i in range(0, len(wanted), 500):
                part = wanted[i:i + 500]
                for row in _dicts(conn.execute(
                        f"SELECT * FROM entries WHERE key IN ({','.join('?' * len(part))})",
                        part)):
                    out[row["key"]] = row
            return out
        return self._read(fetch)

    def mark_entry(self, keys: Iterable[str], *, feed: str, status: str,
                   link: str | None = None, title: str | None = None,
                   article_key: str | None = None, events: int = 0,
                   error: str | None = None) -> None:
        """Record an entry under every key it is known by: read (never read again) or failed
        (``attempts`` counts the failures)."""
        if status not in ENTRY_STATUSES:
            raise ValueError(f"entry status must be one of {ENTRY_STATUSES}, got {status!r}")
        now = utc_now()
        with self._write(bump=False) as conn:
            for key in dict.fromkeys(keys):
                conn.execute(
                    "INSERT INTO entries(key, feed, link, title, status, attempts, article_key, "
                    "events, error, seen_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET status = excluded.status, "
                    "attempts = entries.attempts + 1, article_key = excluded.article_key, "
                    "events = excluded.events, error = excluded.error, "
                    "seen_at = excluded.seen_at",
                    (key, feed, link, title, status, article_key, int(events), error, now))

    # --- the watchlist ------------------------------------------------------------------------

    def add_watch(self, name: str, lat: float, lon: float, radius_km: float, *,
                  place_id: str | None = None, place_name: str | None = None,
                  country: str | None = None) -> dict[str, Any]:
        """Watch a place (a new radius for a name already watched replaces the old one)."""
        name = " ".join(str(name).split())
        if not name:
            raise StoreError(f"{self.location}: a watched place needs a name")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise StoreError(f"{self.location}: {name!r}: lat/lon out of range ({lat}, {lon})")
        if not 0 < radius_km <= 20_000:
            raise StoreError(f"{self.location}: {name!r}: radius must be in (0, 20000] km, "
                             f"got {radius_km}")
        with self._write(bump=False) as conn:
            conn.execute(
                "INSERT INTO watchlist(name, place_id, place_name, country, lat, lon, "
                "radius_km, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO "
                "UPDATE SET place_id = excluded.place_id, place_name = excluded.place_name, "
                "country = excluded.country, lat = excluded.lat, lon = excluded.lon, "
                "radius_km = excluded.radius_km",
                (name, place_id, place_name, country, float(lat), float(lon),
                 float(radius_km), utc_now()))
        return next(w for w in self.watchlist() if w["name"] == name)

    def watchlist(self) -> list[dict[str, Any]]:
        """Watched places: name, place_id, place_name, country, lat, lon, radius_km,
        added_at."""
        return self._read(lambda c: _dicts(c.execute("SELECT * FROM watchlist ORDER BY name")))

    def remove_watch(self, name: str) -> bool:
        """Stop watching ``name``; False when it was not watched. Its alerts stay."""
        with self._write(bump=False) as conn:
            cur = conn.execute("DELETE FROM watchlist WHERE name = ?",
                               (" ".join(str(name).split()),))
            return cur.rowcount > 0

    # --- alerts -------------------------------------------------------------------------------

    def record_alerts(self, alerts: Iterable[tuple[str, str, float]]) -> list[dict[str, Any]]:
        """Record (watch name, event id, distance km) alerts; returns the new ones, with the
        event's type, date, place, point, evidence and source as stored now. An event already
        alerted for that watch (under any id of its row: a second report merged into it) is
        not alerted again; an id the store does not hold is skipped."""
        now = utc_now()
        new_ids: list[int] = []
        with self._write(bump=False) as conn:
            for watch, event_id, km in alerts:
                rid = self._rid(conn, event_id)
                if rid is None or conn.execute(
                        "SELECT 1 FROM alerts WHERE watch = ? AND rid = ?",
                        (watch, rid)).fetchone():
                    continue
                conn.execute(
                    "INSERT INTO alerts(watch, rid, event_id, distance_km, event_type, date, "
                    "place_name, lat, lon, evidence, source, created_at) SELECT ?, rid, "
                    "event_id, ?, event_type, date, coalesce(place_name, place), lat, lon, "
                    "evidence, source, ? FROM events WHERE rid = ?",
                    (watch, float(km), now, rid))
                new_ids.append(conn.execute(
                    "SELECT id FROM alerts WHERE watch = ? AND rid = ?",
                    (watch, rid)).fetchone()[0])
        return self._alerts_by_id(new_ids)

    def _alerts_by_id(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return self._read(lambda c: _dicts(c.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE id IN ({','.join('?' * len(ids))}) "
            "ORDER BY id", ids)))

    def alerts(self, *, since: str | None = None, limit: int | None = None
               ) -> list[dict[str, Any]]:
        """Alerts, newest first: id, watch, event_id, distance_km, event_type, date,
        place_name, lat, lon, evidence, source, created_at; ``since`` (an ISO time) keeps
        those recorded at or after it."""
        sql = f"SELECT {_ALERT_COLUMNS} FROM alerts"
        params: list[Any] = []
        if since is not None:
            sql += " WHERE created_at >= ?"
            params.append(utc_instant(since, "since"))
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return self._read(lambda c: _dicts(c.execute(sql, params)))

    def alert_count(self, *, since: str | None = None) -> int:
        sql, params = "SELECT count(*) FROM alerts", []
        if since is not None:
            sql, params = sql + " WHERE created_at >= ?", [utc_instant(since, "since")]
        return int(self._read(lambda c: c.execute(sql, params).fetchone()[0]))

    # --- visits -------------------------------------------------------------------------------

    def last_visit(self, who: str = "default") -> str | None:
        """When ``who`` last opened the page (ISO UTC), or None for a first visit."""
        row = self._read(lambda c: c.execute("SELECT at FROM visits WHERE who = ?",
                                             (who,)).fetchone())
        return row[0] if row else None

    def mark_visit(self, who: str = "default", at: str | None = None) -> str | None:
        """Record a visit now (or ``at``); returns the previous one."""
        with self._write(bump=False) as conn:
            row = conn.execute("SELECT at FROM visits WHERE who = ?", (who,)).fetchone()
            conn.execute("INSERT INTO visits(who, at) VALUES (?, ?) ON CONFLICT (who) "
                         "DO UPDATE SET at = excluded.at",
                         (who, utc_instant(at, "visit") if at else utc_now()))
            return row[0] if row else None
