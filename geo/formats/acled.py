"""ACLED CSV in and out.

ACLED (Armed Conflict Location & Event Data) is the common exchange format for conflict
events, so the project reads it (:func:`read_acled`) and writes its own events in it
(:func:`write_acled`). The type mapping is one table each way: :data:`SUB_EVENT_TYPES` in,
:data:`geo.model.EVENT_TYPES` out; docs/import-export.md shows both.
"""

from __future__ import annotations

import calendar
import csv
import re
import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TextIO

from geo.formats.base import (
    ImportResult,
    RowError,
    Source,
    country_from_name,
    country_table,
    parse_code,
    parse_coordinate,
    parse_count,
    read_csv_table,
)
from geo.model import EVENT_TYPES, Event, Evidence

#: ACLED's column order (2023 layout, after the disorder_type/civilian_targeting/tags change).
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
#: Columns an ACLED file must have; the others are read when present.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "event_type", "sub_event_type", "latitude", "longitude",
)

#: ACLED sub_event_type (lower case) -> our event type. A value "@shelling" or "@air" means
#: the type depends on the notes (see _type_from_notes). Sub-event types not listed here
#: (protests, riots, arrests, agreements, looting, "Other", ...) are skipped and counted.
SUB_EVENT_TYPES: dict[str, str] = {
    "air/drone strike": "@air",
    "shelling/artillery/missile attack": "@shelling",
    "remote explosive/landmine/ied": "bombing",
    "suicide bomb": "bombing",
    "grenade": "other_attack",
    "chemical weapon": "other_attack",
    "armed clash": "armed_clash",
    "attack": "other_attack",
    "non-state actor overtakes territory": "territory_change",
    "government regains territory": "territory_change",
    "non-violent transfer of territory": "territory_change",
    "headquarters or base established": "base",
}
_DRONE = re.compile(r"\b(drones?|UAVs?|unmanned aerial)\b", re.I)
_MISSILE = re.compile(r"\b(missiles?|ballistic)\b", re.I)
_ROCKET = re.compile(r"\b(rockets?|katyushas?|grad)\b", re.I)

#: ACLED event_type -> disorder_type, for writing.
DISORDER_TYPES: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Strategic developments": "Strategic developments",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y")


def read_acled(source: Source) -> list[Event]:
    """Events from an ACLED CSV; unmapped sub-event types and bad rows are skipped."""
    return load_acled(source).events


def load_acled(source: Source) -> ImportResult:
    """Events from an ACLED CSV, with counts of the rows skipped and fields blanked."""
    table = read_csv_table(source, REQUIRED_COLUMNS, "ACLED")
    result = ImportResult(rows=len(table.rows))
    for row in table.rows:
        try:
            result.events.append(_event(row, result))
        except RowError as exc:
            result.skipped[exc.reason] += 1
    return result


def acled_event_type(sub_event_type: str, notes: str = "") -> str | None:
    """Our type for an ACLED sub_event_type (the notes decide drone vs air; rocket, missile or
    else shelling)."""
    mapped = SUB_EVENT_TYPES.get(" ".join(sub_event_type.lower().split()))
    if mapped == "@air":
        return "drone_strike" if _DRONE.search(notes) else "air_strike"
    if mapped == "@shelling":
        if _MISSILE.search(notes):
            return "missile_attack"
        return "rocket_attack" if _ROCKET.search(notes) else "shelling"
    return mapped


def _event(row: dict[str, str], result: ImportResult) -> Event:
    """One ACLED row as an Event (raises RowError to skip it)."""
    acled_id = row["event_id_cnty"]
    if not acled_id:
        raise RowError("missing event_id_cnty")
    if not row["sub_event_type"]:
        raise RowError("missing sub_event_type")
    notes = row.get("notes", "")
    event_type = acled_event_type(row["sub_event_type"], notes)
    if event_type is None:
        raise RowError(f"sub_event_type not mapped: {row['sub_event_type']}")
    day = _parse_day(row["event_date"])
    time_precision = parse_code(row.get("time_precision", ""), range(1, 4))
    if time_precision is None:
        time_precision = 1
        if row.get("time_precision"):
            result.blanked["bad time_precision (read as 1)"] += 1
    date_str, start, end = _date_range(day, time_precision)
    lat = parse_coordinate(row["latitude"], "latitude", 90.0)
    lon = parse_coordinate(row["longitude"], "longitude", 180.0)
    killed = parse_count(row.get("fatalities", ""))
    if killed is None and row.get("fatalities"):
        result.blanked["bad fatalities"] += 1
    geo_precision = parse_code(row.get("geo_precision", ""), range(1, 4))
    src = f"ACLED:{acled_id}"
    location = row.get("location") or None
    actor1, actor2 = row.get("actor1", "").strip() or None, row.get("actor2", "").strip() or None
    assoc1, assoc2 = _assoc(row.get("assoc_actor_1", "")), _assoc(row.get("assoc_actor_2", ""))
    return Event(
        event_type=event_type, date=date_str, date_start=start.isoformat(),
        date_end=end.isoformat(), time_precision=time_precision, place=location,
        place_name=location, country=_country(row), lat=lat, lon=lon,
        geo_precision=geo_precision, killed=killed,
        actors=_actors(actor1, assoc1, actor2, assoc2), actor1=actor1, actor2=actor2,
        evidence=notes, evidence_end=len(notes), source=src, confidence=0.9, dataset="acled",
        notes=(f"ACLED {acled_id}: {row['event_type']} / {row['sub_event_type']} -> "
               f"{event_type}; time_precision {time_precision}; geo_precision "
               f"{geo_precision if geo_precision is not None else '?'}"),
        sources=[Evidence(text=notes, start=0, end=len(notes), source=src,
                          title=row.get("source", ""), published=day.isoformat())],
    )


def _assoc(cell: str) -> list[str]:
    """ACLED's associated actors: names separated by semicolons."""
    return [name.strip() for name in cell.split(";") if name.strip()]


def _actors(actor1: str | None, assoc1: list[str], actor2: str | None,
            assoc2: list[str]) -> list[str]:
    """Every actor named, each once, side by side: actor1, its associates, actor2, its
    associates (the order :func:`acled_row` reads the sides back from)."""
    named: dict[str, None] = {}
    for name in (actor1, *assoc1, actor2, *assoc2):
        if name:
            named.setdefault(name, None)
    return list(named)


def _sides(event: Event) -> tuple[str, list[str], str, list[str]]:
    """ACLED's actor1, assoc_actor_1, actor2 and assoc_actor_2 of an event.

    With roles: actor1 is the actor that acted, else the one that claimed the attack (ACLED
    codes a claimed attack to its claimant); actor2 the one it hit; of the other actors, those
    listed after actor2 are its associates and the rest actor1's. Without roles (events from
    before them): the first two actors, the others associates of the first, as before.
    """
    actors = [a for a in event.actors if a]
    first = event.actor1 or event.claimant
    second = event.actor2
    if first is None and second is None:
        return (actors[0] if actors else "", actors[2:],
                actors[1] if len(actors) > 1 else "", [])
    others = [a for a in actors if a not in (first, second)]
    after = actors[actors.index(second) + 1:] if second in actors else []
    assoc2 = [a for a in others if a in after]
    assoc1 = [a for a in others if a not in assoc2]
    return first or "", assoc1, second or "", assoc2


def _parse_day(value: str) -> date:
    """ACLED writes ISO days in recent exports and "08 January 2020" in older ones."""
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError("bad event_date")


def _date_range(day: date, precision: int) -> tuple[str, date, date]:
    """ACLED codes a week as its middle day (precision 2) and a month as a day in it (3)."""
    if precision == 2:
        return day.isoformat(), day - timedelta(days=3), day + timedelta(days=3)
    if precision == 3:
        last = calendar.monthrange(day.year, day.month)[1]
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1), day.replace(day=last)
    return day.isoformat(), day, day


def _country(row: dict[str, str]) -> str | None:
    """ISO2 from the country name, else ACLED's numeric ISO code."""
    by_name = country_from_name(row.get("country", "")) if row.get("country") else None
    if by_name:
        return by_name
    numeric = parse_count(row.get("iso", ""))
    return country_table().by_numeric.get(numeric) if numeric is not None else None


# --- writing -----------------------------------------------------------------------------

def write_acled(events: Iterable[Event], out: str | Path | TextIO) -> int:
    """Write events as ACLED CSV rows (header first); returns the number of rows written.

    Events ACLED cannot hold are left out: no date, no point, a type outside EVENT_TYPES, or
    a status other than "reported" (a planned, threatened or denied attack is not an event).
    Unknown fatalities are written empty rather than 0, so "not reported" stays distinct.
    """
    stamp = str(int(time.time()))
    rows = [r for r in (acled_row(e, stamp) for e in events) if r is not None]
    if isinstance(out, str | Path):
        with Path(out).open("w", encoding="utf-8", newline="") as fh:
            _write_rows(fh, rows)
    else:
        _write_rows(out, rows)
    return len(rows)


def _write_rows(fh: TextIO, rows: list[dict[str, str]]) -> None:
    """RFC 4180 CSV: CRLF line ends, so a lone CR or LF inside a field is quoted, and no NUL
    characters (no CSV reader takes them back)."""
    writer = csv.DictWriter(fh, fieldnames=ACLED_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: v.replace("\x00", "") for k, v in row.items()} for row in rows)


def acled_row(event: Event, timestamp: str = "") -> dict[str, str] | None:
    """One event as an ACLED row, or None when ACLED cannot hold it (see write_acled)."""
    if event.event_type not in EVENT_TYPES or not event.has_point:
        return None
    if (event.status or "reported") != "reported":
        return None  # planned, threatened or denied: not an event ACLED codes
    day = _event_day(event)
    if day is None:
        return None
    acled_type, sub_type = EVENT_TYPES[event.event_type]
    precision = event.time_precision or (1 if len(event.date or "") == 10 else 3)
    actor1, assoc1, actor2, assoc2 = _sides(event)
    country = event.country or ""
    table = country_table()
    src = event.source
    event_id = src.removeprefix("ACLED:") if src.startswith("ACLED:") else event.event_id
    return {
        "event_id_cnty": event_id, "event_date": day.isoformat(), "year": str(day.year),
        "time_precision": str(precision), "disorder_type": DISORDER_TYPES[acled_type],
        "event_type": acled_type, "sub_event_type": sub_type,
        "actor1": actor1, "assoc_actor_1": "; ".join(assoc1),
        "inter1": "", "actor2": actor2, "assoc_actor_2": "; ".join(assoc2),
        "inter2": "", "interaction": "", "civilian_targeting": "",
        "iso": str(table.numeric_of.get(country, "")), "region": "",
        "country": table.name_of.get(country, ""), "admin1": "", "admin2": "", "admin3": "",
        "location": event.place_name or event.place or "",
        "latitude": f"{event.lat:.6f}", "longitude": f"{event.lon:.6f}",
        "geo_precision": "" if event.geo_precision is None else str(event.geo_precision),
        "source": src, "source_scale": "", "notes": event.evidence,
        "fatalities": "" if event.killed is None else str(event.killed), "tags": "",
        "timestamp": timestamp,
    }


def _event_day(event: Event) -> date | None:
    """The day ACLED's event_date needs: the date itself, mid-month for a month, else start."""
    text = event.date or ""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:7]), 15)
        if event.date_start:
            return date.fromisoformat(event.date_start[:10])
        if len(text) == 4:
            return date(int(text), 7, 1)
    except ValueError as exc:
        raise ValueError(f"event {event.event_id}: bad date {text!r}") from exc
    return None
