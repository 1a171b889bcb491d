"""The data model, named once: places, evidence and events.

Every stage speaks these types: the gazetteer returns :class:`Place`, the extractor returns
:class:`Event`, the store keeps them and the map draws them. ``Event.to_properties()`` is the
flat record used for GeoJSON properties, table rows and the store; ``Event.from_properties()``
reads it back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# --- vocabularies -----------------------------------------------------------------------------

#: Event types, each with the ACLED (event_type, sub_event_type) it corresponds to.
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "rocket_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "missile_attack": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "air_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "drone_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "bombing": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "armed_clash": ("Battles", "Armed clash"),
    "other_attack": ("Violence against civilians", "Attack"),
    "base": ("Strategic developments", "Headquarters or base established"),
    "withdrawal": ("Strategic developments", "Other"),
    "handover": ("Strategic developments", "Agreement"),
    "border_crossing": ("Strategic developments", "Other"),
    "territory_change": ("Battles", "Non-state actor overtakes territory"),
}

#: Types that count as an attack ("other_attack" matches any of them when comparing to gold).
ATTACK_TYPES: frozenset[str] = frozenset(
    {"rocket_attack", "missile_attack", "shelling", "air_strike", "drone_strike", "bombing",
     "armed_clash", "other_attack"}
)

#: What a report says of its event: it happened ("reported"), or someone plans, threatens or
#: denies it. Only reported events are events; the others are kept, marked, for the reader,
#: and the map leaves them out unless asked.
STATUSES: tuple[str, ...] = ("reported", "planned", "threatened", "denied")

#: Place kinds the gazetteer knows.
PLACE_KINDS: tuple[str, ...] = (
    "country", "region", "city", "town", "military_base", "airfield", "airport",
    "border_crossing", "river", "facility", "area",
)
#: Kinds that are sites hosting forces or aircraft (the "base" layer of the map).
SITE_KINDS: frozenset[str] = frozenset({"military_base", "airfield", "airport", "facility"})

#: geo_precision codes (ACLED's): 1 the site or town itself, 2 near it or part of a region,
#: 3 a region, placed at its centre. ``None`` with no point: country-only or unlocated.
GEO_PRECISION = {1: "site or town", 2: "near a place / part of a region", 3: "region centre"}
#: time_precision codes (ACLED's): 1 the day, 2 a week or a range of days, 3 a month or a year.
TIME_PRECISION = {1: "day", 2: "week or range", 3: "month or year"}


# --- places -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    id: str  # "<source>:<source_id>", e.g. "geonames:92138", "ourairports:ORAA"
    name: str
    kind: str  # one of PLACE_KINDS
    country: str  # ISO 3166-1 alpha-2, "" when none (rivers crossing borders)
    lat: float | None
    lon: float | None
    population: int = 0
    aliases: tuple[str, ...] = ()
    admin1: str = ""  # first-level region name, when known
    source: str = ""  # "GeoNames", "OurAirports", "curated", ...
    source_id: str = ""
    licence: str = ""
    #: (west, south, east, north) of an area (country, region, continent), else None; across
    #: the antimeridian west > east, as in GeoJSON
    bbox: tuple[float, float, float, float] | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


# --- events -----------------------------------------------------------------------------------

@dataclass(slots=True)
class Evidence:
    """Where a statement was read: the sentence, its offsets in the article, the source."""

    text: str
    start: int
    end: int
    source: str  # URL, else the file path, else "pasted text"
    title: str = ""
    published: str | None = None  # ISO date of the article, when known

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Event:
    """One event: a type at a place on a date, as an article states it."""

    event_type: str
    date: str | None = None  # "YYYY-MM-DD", "YYYY-MM" or "YYYY": as precise as the text allows
    date_start: str | None = None  # first day the date can mean (ISO day), for range filters
    date_end: str | None = None  # last day the date can mean (ISO day)
    time_precision: int | None = None  # 1 day, 2 week/range, 3 month/year, None undated
    place: str | None = None  # as written in the text
    place_name: str | None = None
    place_id: str | None = None
    place_kind: str | None = None
    country: str | None = None  # ISO alpha-2
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None
    killed: int | None = None
    wounded: int | None = None
    actors: list[str] = field(default_factory=list)
    #: ACLED's roles: the side that acted, the side it hit, and who claimed it (names as in
    #: ``actors``, which lists every actor named)
    actor1: str | None = None
    actor2: str | None = None
    claimant: str | None = None
    status: str = "reported"  # one of STATUSES
    evidence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0
    source: str = ""
    confidence: float = 0.5
    aggregate: bool = False
    dataset: str = "news"  # where the event comes from: "news" (extracted), "ucdp", "acled", ...
    notes: str = ""  # how fields were decided (place reasons, date rule), for transparency
    sources: list[Evidence] = field(default_factory=list)  # every report, the first one included

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def event_id(self) -> str:
        """A stable id from what the event is (type, place, date, first evidence)."""
        key = "|".join(
            str(x) for x in (self.event_type, self.place_id or self.place, self.date,
                             self.source, self.evidence_start, self.evidence)
        )
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def to_properties(self) -> dict[str, Any]:
        """A flat, JSON-ready dict (GeoJSON properties, table rows)."""
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sources"}
        d["id"] = self.event_id
        d["sources"] = [s.to_dict() for s in self.sources]
        return d

    @classmethod
    def from_properties(cls, props: dict[str, Any]) -> Event:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in props.items() if k in known}
        if isinstance(kwargs.get("actors"), str):
            kwargs["actors"] = json.loads(kwargs["actors"]) if kwargs["actors"] else []
        raw_sources = kwargs.get("sources") or []
        if isinstance(raw_sources, str):
            raw_sources = json.loads(raw_sources)
        kwargs["sources"] = [s if isinstance(s, Evidence) else Evidence(**s) for s in raw_sources]
        return cls(**kwargs)


#: Column order for tables and CSV: the GeoJSON property names of the core issue first, then
#: what schema version 2 of the store added (ACLED's actor roles and the report's status).
EVENT_COLUMNS: tuple[str, ...] = (
    "id", "event_type", "date", "time_precision", "place", "place_name", "place_id",
    "place_kind", "country", "lat", "lon", "geo_precision", "killed", "wounded", "actors",
    "evidence", "source", "confidence", "aggregate", "date_start", "date_end",
    "evidence_start", "evidence_end", "dataset", "notes", "sources",
    "actor1", "actor2", "claimant", "status",
)
