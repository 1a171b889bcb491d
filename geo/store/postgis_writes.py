"""How the PostGIS store writes rows and finds stored events near a report: the hooks of
:class:`geo.store.writes.WriteMixin`. The point column is generated from lat/lon, so a row
and its point cannot disagree; imports are copied in with ``COPY``; merge candidates come
from the geography GiST index (``ST_DWithin`` on the sphere), then the same haversine test
as SQLite's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.model import Event
from geo.store.base import MERGE_KM
from geo.store.postgis_schema import raise_span
from geo.store.rules import STORED, casefold, fold, stored_row
from geo.store.writes import WriteMixin

#: Columns a new row is written with: the stored ones, when it is added, the folded texts.
_COLUMNS = (*STORED, "added_at", "fold_actors", "fold_text")
_INSERT = (f"INSERT INTO events({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_COLUMNS))})")
_UPDATE = ("UPDATE events SET " + ", ".join(f"{c} = ?" for c in (*STORED, "fold_actors",
                                                                   "fold_text"))
           + " WHERE rid = ?")
_I = {c: i for i, c in enumerate(STORED)}
#: Slack on the merge radius for the index probe (the exact test is haversine's).
_PROBE_M = MERGE_KM * 1000 + 100
#: Imports larger than this refresh the planner's statistics in the same transaction.
_ANALYZE_ROWS = 10_000


def folds(row: Sequence[Any]) -> tuple[str, str]:
    """``fold_actors`` and ``fold_text`` of a stored row: what SQLite's text filters compute
    with ``cm_fold`` on the fly (the same Unicode case folding of the same text)."""
    actors = row[_I["actors"]]
    text = (f"{row[_I['place']] or ''} {row[_I['place_name']] or ''} {row[_I['evidence']]} "
            f"{row[_I['sources']]} {actors}")
    return casefold(actors), casefold(text)


class PostgisWrites(WriteMixin):
    """``add_events`` and ``replace_event`` of :class:`geo.store.postgis.PostgisStore`."""

    _MERGE_FLAGS = ("e.aggregate = ?", "e.dataset = ?", "e.status = ?")
    _ALIAS_SQL = ("INSERT INTO aliases(event_id, rid) VALUES (?, ?) ON CONFLICT (event_id) "
                  "DO UPDATE SET rid = EXCLUDED.rid")

    def _insert_bulk(self, conn: Any, rows: Sequence[tuple]) -> int:
        """Imports: rows COPYed into a temporary table, then inserted in order where their id
        is new (``ON CONFLICT DO NOTHING``: an id given twice in one batch is added once)."""
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS cm_bulk AS SELECT 0::bigint AS ord, "
            f"{', '.join(_COLUMNS)} FROM events WITH NO DATA")
        conn.execute("TRUNCATE cm_bulk")
        with conn.copy(f"COPY cm_bulk (ord, {', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for i, row in enumerate(rows):
                copy.write_row((i, *row, *folds(row)))
        cur = conn.execute(f"INSERT INTO events({', '.join(_COLUMNS)}) SELECT "
                           f"{', '.join(_COLUMNS)} FROM cm_bulk ORDER BY ord "
                           "ON CONFLICT (event_id) DO NOTHING")
        added = max(cur.rowcount, 0)
        if len(rows) >= _ANALYZE_ROWS:
            conn.execute("ANALYZE events")
        return added

    def _insert_row(self, conn: Any, ev: Event, now: str) -> None:
        row = stored_row(ev)
        conn.execute(_INSERT, (*row, now, *folds(row)))

    def _update_row(self, conn: Any, rid: int, ev: Event) -> None:
        row = stored_row(ev)
        conn.execute(_UPDATE, (*row, *folds(row), rid))

    def _raise_span(self, conn: Any, span: int) -> None:
        raise_span(conn, span)

    @staticmethod
    def _place_probes(ev: Event) -> list[tuple[str, list[Any]]]:
        """The same place id; the geography index within MERGE_KM (on the sphere, as
        haversine; across the antimeridian by itself); or, unlocated, the same folded name."""
        probes: list[tuple[str, list[Any]]] = []
        if ev.place_id:
            probes.append(("FROM events e WHERE e.place_id = ?", [ev.place_id]))
        if ev.has_point:
            probes.append(("FROM events e WHERE ST_DWithin(e.geog, "
                           "ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, ?, false)",
                           [ev.lon, ev.lat, _PROBE_M]))
        else:
            key = fold(ev.place_name or ev.place)
            if key:
                probes.append(("FROM events e WHERE e.place_key = ? AND e.lat IS NULL", [key]))
        return probes
