"""How the SQLite store writes rows and finds stored events near a report: the hooks of
:class:`geo.store.writes.WriteMixin` (points in the R*Tree, kept by hand)."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from typing import Any

from geo.model import Event
from geo.store.base import MERGE_KM
from geo.store.rules import STORED, fold, stored_row
from geo.store.sqlite_schema import INSERT, INSERT_IGNORE, raise_span
from geo.store.writes import WriteMixin


class SqliteWrites(WriteMixin):
    """``add_events`` and ``replace_event`` of :class:`geo.store.sqlite.EventStore`."""

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

    @staticmethod
    def _insert_row(conn: sqlite3.Connection, ev: Event, now: str) -> None:
        cur = conn.execute(INSERT, (*stored_row(ev), now))
        if ev.has_point:
            conn.execute("INSERT INTO events_rtree VALUES (?, ?, ?, ?, ?)",
                         (cur.lastrowid, ev.lon, ev.lon, ev.lat, ev.lat))

    @staticmethod
    def _update_row(conn: sqlite3.Connection, rid: int, ev: Event) -> None:
        sets = ", ".join(f"{c} = ?" for c in STORED)
        conn.execute(f"UPDATE events SET {sets} WHERE rid = ?", (*stored_row(ev), rid))
        conn.execute("DELETE FROM events_rtree WHERE rid = ?", (rid,))
        if ev.has_point:
            conn.execute("INSERT INTO events_rtree VALUES (?, ?, ?, ?, ?)",
                         (rid, ev.lon, ev.lon, ev.lat, ev.lat))

    @staticmethod
    def _raise_span(conn: sqlite3.Connection, span: int) -> None:
        raise_span(conn, span)

    @staticmethod
    def _place_probes(ev: Event) -> list[tuple[str, list[Any]]]:
        """The same place id; an R*Tree box of MERGE_KM around the point; or, unlocated, the
        same folded place name."""
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
