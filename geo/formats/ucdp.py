"""UCDP Georeferenced Event Dataset (GED) CSV -> events.

UCDP GED (Sundberg & Melander 2013, CC BY 4.0) codes each fatal event with a type of violence,
a date range with a precision code, a point with a precision code, the two sides and a death
estimate. This module maps those codes onto the project's own :class:`~geo.model.Event`; the
tables are in docs/import-export.md. The HDX variant (a ``#tag`` row under the header) and the
plain UCDP download are both read.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from geo.formats.base import (
    ImportResult,
    RowError,
    Source,
    country_from_name,
    country_table,
    parse_code,
    parse_coordinate,
    parse_count,
    parse_iso_day,
    read_csv_table,
)
from geo.model import Event, Evidence

#: Columns a GED file must have for an event to be built.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "id", "type_of_violence", "side_a", "side_b", "where_prec", "where_coordinates",
    "latitude", "longitude", "country", "date_prec", "date_start", "date_end", "best",
)

#: UCDP type_of_violence -> (our event type, UCDP's label).
VIOLENCE_TYPES: dict[int, tuple[str, str]] = {
    1: ("armed_clash", "state-based"),
    2: ("armed_clash", "non-state"),
    3: ("other_attack", "one-sided"),
}
#: UCDP date_prec (1 day, 2 two-six days, 3 week, 4 month, 5 longer) -> our time_precision.
DATE_PRECISION: dict[int, int] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
#: UCDP where_prec -> our geo_precision; None means the row's point is not a place (no point).
#: 1 exact, 2 within 25 km, 3 second-order admin, 4 first-order admin, 5 between places or
#: along a line (river, road, border), 6 country, 7 international waters or airspace.
WHERE_PRECISION: dict[int, int | None] = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: None, 7: None}

#: Gleditsch-Ward country ids (UCDP's country_id) for when neither iso3 nor the name resolves.
GW_COUNTRIES: dict[int, str] = {
    2: "US", 20: "CA", 200: "GB", 220: "FR", 255: "DE", 260: "DE", 365: "RU", 369: "UA",
    371: "AM", 372: "GE", 373: "AZ", 432: "ML", 436: "NE", 439: "BF", 475: "NG", 482: "CF",
    483: "TD", 490: "CD", 500: "UG", 520: "SO", 530: "ET", 541: "MZ", 600: "MA", 615: "DZ",
    616: "TN", 620: "LY", 625: "SD", 626: "SS", 630: "IR", 640: "TR", 645: "IQ", 651: "EG",
    652: "SY", 660: "LB", 663: "JO", 666: "IL", 670: "SA", 678: "YE", 679: "YE", 680: "YE",
    690: "KW", 692: "BH", 694: "QA", 696: "AE", 698: "OM", 700: "AF", 750: "IN", 770: "PK",
    775: "MM", 840: "PH",
}
#: UCDP country names GeoNames spells differently (keys folded to a-z).
COUNTRY_ALIASES: dict[str, str] = {
    "drcongo": "CD", "congo": "CG", "bosniaherzegovina": "BA", "kingdomofeswatini": "SZ",
    "swaziland": "SZ", "macedoniafyr": "MK", "unitedstatesofamerica": "US", "turkey": "TR",
    "ivorycoast": "CI", "russiasovietunion": "RU", "yemennorthyemen": "YE", "zaire": "CD",
    "burma": "MM", "kampuchea": "KH", "rhodesia": "ZW", "malagasy": "MG",
}

#: Words in a source headline naming how an attack was carried out -> our event type. Used
#: only when every headline of the event names the same single method (see _refine_type).
METHOD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("drone_strike", re.compile(r"\b(drones?|UAVs?)\b", re.I)),
    ("air_strike", re.compile(r"\b(air ?strikes?|air raids?|warplanes?|jets?)\b", re.I)),
    ("missile_attack", re.compile(r"\bmissiles?\b", re.I)),
    ("rocket_attack", re.compile(r"\b(rockets?|katyushas?)\b", re.I)),
    ("bombing", re.compile(
        r"\b(bomb(s|ing|ings|er|ers|ed)?|IEDs?|booby[- ]trap\w*|explosives?|blasts?"
        r"|suicide (attack|attacker)s?)\b", re.I)),
)
#: Suffixes UCDP adds to where_coordinates, and the place kind each one means.
PLACE_SUFFIXES: dict[str, str] = {
    "town": "town", "village": "town", "city": "city", "province": "region",
    "governorate": "region", "district": "region", "region": "region", "river": "river",
}
EVIDENCE_CHARS = 200
MAX_SOURCES = 5


def read_ucdp(source: Source) -> list[Event]:
    """Events from a UCDP GED CSV; rows with a bad id, date or coordinate are skipped."""
    return load_ucdp(source).events


def load_ucdp(source: Source) -> ImportResult:
    """Events from a UCDP GED CSV, with counts of the rows skipped and fields blanked."""
    table = read_csv_table(source, REQUIRED_COLUMNS, "UCDP GED")
    result = ImportResult(rows=len(table.rows))
    for row in table.rows:
        try:
            result.events.append(_event(row, result))
        except RowError as exc:
            result.skipped[exc.reason] += 1
    return result


def _event(row: dict[str, str], result: ImportResult) -> Event:
    """One GED row as an Event (raises RowError to skip it)."""
    ucdp_id = row["id"].removesuffix(".0")
    if not ucdp_id:
        raise RowError("missing id")
    violence = parse_code(row["type_of_violence"], range(1, 4))
    if violence is None:
        raise RowError("bad type_of_violence")
    date_str, start, end, time_precision = _dates(row)
    geo_precision, lat, lon = _point(row)
    killed = parse_count(row["best"])
    if killed is None and row["best"]:
        result.blanked["bad best (deaths)"] += 1
    reports = _reports(row)
    headlines = [h for _, _, h in reports if h]
    default_type, label = VIOLENCE_TYPES[violence]
    event_type, method_note = _refine_type(default_type, headlines)
    place = row["where_coordinates"] or None
    place_name, place_kind = _place_name_kind(place, row["where_prec"])
    notes = (
        f"UCDP GED {ucdp_id}: type_of_violence {violence} ({label}) -> {default_type}"
        f"{method_note}; date_prec {row['date_prec'] or '?'}; where_prec "
        f"{row['where_prec'] or '?'}; deaths best {row['best'] or '?'} (low "
        f"{row.get('low') or '?'}, high {row.get('high') or '?'})"
    )
    if row.get("conflict_name"):
        notes += f"; conflict: {row['conflict_name']}"
    src = f"UCDP GED:{ucdp_id}"
    return Event(
        event_type=event_type, date=date_str, date_start=start.isoformat(),
        date_end=end.isoformat(), time_precision=time_precision, place=place,
        place_name=place_name, place_kind=place_kind, country=_country(row), lat=lat, lon=lon,
        geo_precision=geo_precision, killed=killed,
        actors=[a for a in (row["side_a"], row["side_b"]) if a],
        actor1=row["side_a"] or None, actor2=row["side_b"] or None,
        evidence=_short(headlines[0]) if headlines else "", source=src, confidence=0.9,
        dataset="ucdp", notes=notes,
        sources=[Evidence(text=_short(h), start=0, end=0, source=src, title=office,
                          published=day) for office, day, h in reports[:MAX_SOURCES]],
    )


def _dates(row: dict[str, str]) -> tuple[str, date, date, int]:
    """(date as precise as the range allows, first day, last day, our time_precision)."""
    start = parse_iso_day(row["date_start"], "date_start")
    end = parse_iso_day(row["date_end"], "date_end") if row["date_end"] else start
    if end < start:
        raise RowError("date_end before date_start")
    span = (end - start).days
    code = parse_code(row["date_prec"], range(1, 6))
    if code is not None:
        precision = DATE_PRECISION[code]
    else:
        precision = 1 if span == 0 else 2 if span <= 6 else 3
    return _date_label(start, end, precision), start, end, precision


def _date_label(start: date, end: date, precision: int) -> str:
    """The day if one; the month or year if the range is exactly that; else the first day."""
    if start == end:
        return start.isoformat()
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{start.year:04d}"
    same_month = (start.year, start.month) == (end.year, end.month)
    whole_month = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if same_month and (whole_month or precision == 3):
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()


def _point(row: dict[str, str]) -> tuple[int | None, float | None, float | None]:
    """(geo_precision, lat, lon); country-level and sea events get no point."""
    code = parse_code(row["where_prec"], range(1, 8))
    if code is None:
        raise RowError("bad where_prec")
    precision = WHERE_PRECISION[code]
    if precision is None:
        return None, None, None
    lat = parse_coordinate(row["latitude"], "latitude", 90.0)
    lon = parse_coordinate(row["longitude"], "longitude", 180.0)
    return precision, lat, lon


def _country(row: dict[str, str]) -> str | None:
    """ISO2 from iso3 (HDX files), else the country name, else the Gleditsch-Ward id."""
    table = country_table()
    iso3 = row.get("iso3", "").upper()
    if iso3 in table.by_iso3:
        return table.by_iso3[iso3]
    by_name = country_from_name(row["country"], COUNTRY_ALIASES) if row["country"] else None
    if by_name:
        return by_name
    gw = parse_count(row.get("country_id", ""))
    return GW_COUNTRIES.get(gw) if gw is not None else None


def _place_name_kind(place: str | None, where_prec: str) -> tuple[str | None, str | None]:
    """UCDP writes "Al Fallūjah town", "Nīnawá province": split the kind word off the name."""
    if not place:
        return None, None
    if parse_code(where_prec, range(1, 8)) == 6:
        return place, "country"
    head, _, last = place.rpartition(" ")
    kind = PLACE_SUFFIXES.get(last.lower())
    if head and kind:
        return head, kind
    return place, None


_QUOTED_ARTICLE = re.compile(r"^(.*?),(\d{4}-\d{2}-\d{2}),(.*)$", re.S)
_CITATION = re.compile(r"^(.*?)[ ,]+(\d{4}-\d{2}-\d{2})(?:[ ,]+(.*))?$", re.S)


def _reports(row: dict[str, str]) -> list[tuple[str, str | None, str]]:
    """Distinct (office or citation, ISO date, headline) of the event's sources, in order.

    Recent releases list sources as ``"Office,YYYY-MM-DD,Headline";"..."``; older ones as
    citations (``Reuters 2003-03-20``, ``r 25/2``, ``AP 2009-02-13 Headline; ...``), where
    the headline is often absent (""). The ``source_headline`` column is a fallback only: its
    ``;`` separator also occurs inside headlines.
    """
    out: list[tuple[str, str | None, str]] = []
    text = row.get("source_article", "").strip()
    if text.startswith('"'):
        items, pattern = re.split(r'"\s*;\s*"', text.strip('"')), _QUOTED_ARTICLE
    else:
        items, pattern = (text.split(";") if text else []), _CITATION
    for item in items:
        item = item.strip().strip('"').strip()
        m = pattern.match(item)
        entry = (m[1].strip(), m[2], (m[3] or "").strip()) if m else (item, None, "")
        if (entry[0] or entry[2]) and entry not in out:
            out.append(entry)
    if not any(h for _, _, h in out):
        office = row.get("source_office", "").split(";")[0]
        day = row.get("source_date", "")[:10] or None
        for h in row.get("source_headline", "").split(";"):
            entry = (office, day, h.strip())
            if entry[2] and entry not in out:
                out.append(entry)
    return out


def _refine_type(default: str, headlines: list[str]) -> tuple[str, str]:
    """A more specific attack type when every headline names the same single method.

    GED does not code the weapon; headlines often do ("Car bomb kills five in Kerbala").
    One headline naming a method while another does not, or two methods, keeps the UCDP type:
    the event may then be something else reported in the same article.
    """
    found: set[str] = set()
    for headline in headlines:
        methods = {t for t, pattern in METHOD_PATTERNS if pattern.search(headline)}
        if "drone_strike" in methods:
            methods.discard("air_strike")
        if len(methods) != 1:
            return default, ""
        found |= methods
    if len(found) != 1:
        return default, ""
    (method,) = found
    return method, f", refined to {method} (every source headline names it)"


def _short(text: str) -> str:
    """At most EVIDENCE_CHARS characters, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= EVIDENCE_CHARS:
        return text
    cut = text[:EVIDENCE_CHARS].rsplit(" ", 1)[0]
    return cut + "…"
