"""The store's rules, without a database: validating an event, the row it is stored as, the
row it is read from, and when and how two reports of one event merge.

Both stores (SQLite and PostGIS) apply exactly these functions, so they dedupe, merge and
refuse the same things.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from geo.geodesy import haversine_km
from geo.model import ATTACK_TYPES, EVENT_COLUMNS, EVENT_TYPES, STATUSES, Event, Evidence
from geo.store.base import MERGE_KM, StoreError

# Columns of ``events`` written from an Event, in INSERT order (``rid`` is the row id;
# ``added_at`` is written once, when the row is added). Schema version 1 had the first 27.
STORED = (
    "event_id", "event_type", "date", "date_start", "date_end", "time_precision", "place",
    "place_name", "place_id", "place_kind", "country", "lat", "lon", "geo_precision", "killed",
    "wounded", "actors", "evidence", "evidence_start", "evidence_end", "source", "confidence",
    "aggregate", "dataset", "notes", "sources", "place_key",
    "actor1", "actor2", "claimant", "status",
)
STORED_V1 = STORED[:27]
# Columns read back for an Event / a frame row (same order as EVENT_COLUMNS, "id" = event_id).
READ = tuple("event_id" if c == "id" else c for c in EVENT_COLUMNS)
READ_SQL = ", ".join(f"e.{c}" for c in READ)
EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))

#: Apostrophes and transliteration marks (hamza, ayn) dropped inside names: "Qa'im" = "Qaim".
_APOSTROPHES = frozenset("'’‘`´ʼʻʿʾ")


# --- small pure helpers -----------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Case- and accent-insensitive form of a text, so "Al-Qa'im" and "al qaim" compare equal."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = "".join(ch if ch.isalnum() else " " for ch in bare if ch not in _APOSTROPHES)
    return " ".join(words.split())


def casefold(text: str | None) -> str:
    """The text filter's case folding: Unicode-correct (SQLite's lower() is ASCII only)."""
    return text.casefold() if text else ""


def family(event_type: str) -> frozenset[str]:
    """Types an event may merge with: every attack type is one family, others stand alone."""
    return ATTACK_TYPES if event_type in ATTACK_TYPES else frozenset({event_type})


def iso_day(value: str | date, what: str) -> str:
    """An ISO day string from a str or date; the filters compare ISO strings."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def date_range(text: str) -> tuple[str, str]:
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


def shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def span_days(start: str | None, end: str | None) -> int:
    """Days between an event's first and last possible day (0 for a day or undated)."""
    if not start or not end or start == end:
        return 0
    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def date_gap(a: Event, b: Event) -> int:
    """Days between two date ranges (0 when they overlap or both are undated)."""
    if not a.date_start or not b.date_start:
        return 0
    if a.date_start > b.date_end:  # type: ignore[operator]
        return (date.fromisoformat(a.date_start) - date.fromisoformat(b.date_end)).days  # type: ignore
    if b.date_start > a.date_end:  # type: ignore[operator]
        return (date.fromisoformat(b.date_start) - date.fromisoformat(a.date_end)).days  # type: ignore
    return 0


def place_rank(ev: Event) -> int:
    """Lower is more precise: a point with ACLED code 1 beats code 3, any point beats none."""
    if not ev.has_point:
        return 9
    return ev.geo_precision if ev.geo_precision is not None else 4


def time_rank(ev: Event) -> int:
    return ev.time_precision if ev.time_precision is not None else (4 if ev.date_start else 9)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def as_list(value: str | Iterable[str] | None) -> list[str] | None:
    """Filters accept one value or several."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def bump(counts: dict, key: Any, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b)


def greatest(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b)


# --- events in, rows out ----------------------------------------------------------------------

def check_event(ev: Event, where: str) -> tuple[str | None, str | None]:
    """Refuse bad input (never store it half-right); return the ISO day range the event
    covers, from ``date`` when date_start/date_end are not given. ``where`` names the store
    in the message."""
    if not isinstance(ev, Event):
        raise StoreError(f"{where}: expected an Event, got {type(ev).__name__}")
    if ev.event_type not in EVENT_TYPES:
        raise StoreError(f"{where}: unknown event_type {ev.event_type!r}")
    if ev.status not in STATUSES:
        raise StoreError(f"{where}: event {ev.event_id} has an unknown status {ev.status!r} "
                         f"(one of {', '.join(STATUSES)})")
    if (ev.lat is None) != (ev.lon is None):
        raise StoreError(f"{where}: event {ev.event_id} has only one of lat/lon")
    if ev.has_point and not (-90 <= ev.lat <= 90 and -180 <= ev.lon <= 180):  # type: ignore
        raise StoreError(f"{where}: event {ev.event_id} has lat/lon out of range "
                         f"({ev.lat}, {ev.lon})")
    start, end = ev.date_start, ev.date_end
    try:
        if not start and not end and ev.date:
            start, end = date_range(ev.date)
        start, end = start or end, end or start
        if start:
            start = date.fromisoformat(start).isoformat()
            end = start if end == start else date.fromisoformat(end).isoformat()
    except (ValueError, TypeError):
        raise StoreError(f"{where}: event {ev.event_id} has a bad date "
                         f"({ev.date!r}, {ev.date_start!r}..{ev.date_end!r})") from None
    if start and end and start > end:
        raise StoreError(f"{where}: event {ev.event_id} ends before it starts "
                         f"({start}..{end})")
    return start, end


def normalise(ev: Event, where: str) -> Event:
    """The event as stored: validated, date range filled, first report in ``sources``."""
    start, end = check_event(ev, where)
    changes: dict[str, Any] = {}
    if (start, end) != (ev.date_start, ev.date_end):
        changes.update(date_start=start, date_end=end)
    if not ev.sources and (ev.evidence or ev.source):
        changes["sources"] = [Evidence(ev.evidence, ev.evidence_start, ev.evidence_end,
                                       ev.source)]
    return replace(ev, **changes) if changes else ev


def stored_row(ev: Event, start: str | None = None, end: str | None = None) -> tuple:
    """The INSERT tuple (columns :data:`STORED`); ``start``/``end`` (from check_event)
    override the event's range, and an event without sources gets its own evidence as the
    first one, without copying it."""
    place_key = None if ev.has_point else (fold(ev.place_name or ev.place) or None)
    if ev.sources:
        sources = [{k: getattr(src, k) for k in EVIDENCE_FIELDS} for src in ev.sources]
    elif ev.evidence or ev.source:
        sources = [{"text": ev.evidence, "start": ev.evidence_start, "end": ev.evidence_end,
                    "source": ev.source, "title": "", "published": None}]
    else:
        sources = []
    return (
        ev.event_id, ev.event_type, ev.date, start or ev.date_start, end or ev.date_end,
        ev.time_precision, ev.place, ev.place_name, ev.place_id, ev.place_kind, ev.country,
        ev.lat, ev.lon, ev.geo_precision, ev.killed, ev.wounded, dumps(list(ev.actors)),
        ev.evidence, ev.evidence_start, ev.evidence_end, ev.source, float(ev.confidence),
        int(bool(ev.aggregate)), ev.dataset, ev.notes, dumps(sources), place_key,
        ev.actor1, ev.actor2, ev.claimant, ev.status,
    )


def event_from_row(row: Sequence[Any]) -> Event:
    """An Event from a row of the :data:`READ` columns."""
    d = dict(zip(EVENT_COLUMNS, row, strict=True))
    d.pop("id")
    d["actors"] = json.loads(d["actors"]) if d["actors"] else []
    d["sources"] = [Evidence(**s) for s in json.loads(d["sources"] or "[]")]
    d["aggregate"] = bool(d["aggregate"])
    return Event(**d)


# --- merging ----------------------------------------------------------------------------------

def place_distance(ev: Event, stored: Event) -> float | None:
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


def best_match(ev: Event, found: dict[int, Event]) -> tuple[int, Event] | None:
    """Of the stored events a probe found (row id -> event), the one this report describes:
    the nearest place, then the closest date, then the oldest row."""
    best: tuple[float, int, int] | None = None
    for rid, stored in found.items():
        dist = place_distance(ev, stored)
        if dist is None:
            continue
        key = (dist, date_gap(ev, stored), rid)
        if best is None or key < best:
            best = key
    return None if best is None else (best[2], found[best[2]])


def merge_events(stored: Event, new: Event) -> Event:
    """One event from two reports of it: every source, union of actors, the larger casualty
    figures, the more precise date and place, the higher confidence, the actor roles the first
    report left empty. Ties keep ``stored``. (Reports of another status never merge: a threat
    is not the attack.)"""
    seen = {(s.source, s.start, s.end) for s in stored.sources}
    sources = list(stored.sources)
    for s in new.sources:
        if (s.source, s.start, s.end) not in seen:
            seen.add((s.source, s.start, s.end))
            sources.append(s)
    actors = list(dict.fromkeys([*stored.actors, *new.actors]))
    out = replace(stored, sources=sources, actors=actors,
                  killed=greatest(stored.killed, new.killed),
                  wounded=greatest(stored.wounded, new.wounded),
                  confidence=max(stored.confidence, new.confidence),
                  actor1=stored.actor1 or new.actor1, actor2=stored.actor2 or new.actor2,
                  claimant=stored.claimant or new.claimant)
    if stored.event_type == "other_attack" and new.event_type in ATTACK_TYPES:
        out = replace(out, event_type=new.event_type)  # the specific attack type is the news
    if time_rank(new) < time_rank(stored):
        out = replace(out, date=new.date, date_start=new.date_start, date_end=new.date_end,
                      time_precision=new.time_precision)
    if place_rank(new) < place_rank(stored):
        out = replace(out, place=new.place, place_name=new.place_name, place_id=new.place_id,
                      place_kind=new.place_kind, country=new.country or out.country,
                      lat=new.lat, lon=new.lon, geo_precision=new.geo_precision)
    if new.notes and new.notes not in out.notes:
        out = replace(out, notes=f"{out.notes} | {new.notes}" if out.notes else new.notes)
    return out
