"""A user's own gazetteer files, kept in the store's folder and compiled into the index.

GeoNames' free country files (``IQ.txt``, ``SY.txt``, ... or ``allCountries.txt``, from
download.geonames.org/export/dump, downloaded by the user: CC BY 4.0, "GeoNames,
geonames.org") list every village, hill and base that cities500 lacks. A CSV of
``name,lat,lon[,kind,country,aliases]`` holds a user's own sites. ``conflict-map gazetteer
add FILE`` checks a file, copies it to ``<store>/gazetteer/`` and rebuilds the index once;
the cache key covers these files, so every later start loads the rebuilt index.
"""

from __future__ import annotations

import csv
import math
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from geo.gazetteer.aliases import clean_aliases
from geo.model import PLACE_KINDS, Place

USER_DIR = "gazetteer"
GEONAMES_COLUMNS = 19
GEONAMES_LICENCE = "CC BY 4.0 (GeoNames, geonames.org)"
#: GeoNames feature codes of sites -> kinds
_SITE_CODES = {"MILB": "military_base", "INSM": "military_base", "AIRB": "military_base",
               "AIRF": "airfield", "AIRH": "airfield", "AIRP": "airport", "PSTB": "border_crossing",
               "BDGQ": "facility"}
#: Feature classes kept from a GeoNames file: administrative areas, populated places, sites,
#: streams (the rest, terrain and water bodies, rarely locate an event)
_KEPT_CLASSES = frozenset("APSH")
#: Population from which a populated place is a city, as in the build.
CITY_POPULATION = 100_000


class UserGazetteerError(ValueError):
    """A user gazetteer file that cannot be read; the message names the file and line."""


def user_dir(store_dir: Path) -> Path:
    return Path(store_dir) / USER_DIR


def user_files(store_dir: Path) -> list[Path]:
    """The user's gazetteer files, in name order (they key the index cache)."""
    folder = user_dir(store_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".txt", ".csv")
                  and p.is_file())


def read_user_places(paths: Iterable[Path], known: set[str]) -> list[Place]:
    """Every place of the user's files whose id is not ``known`` already (cities500 holds a
    GeoNames country file's towns: the packaged record stays)."""
    out: list[Place] = []
    for path in paths:
        for place in read_user_file(path):
            if place.id not in known:
                known.add(place.id)
                out.append(place)
    return out


def read_user_file(path: Path) -> Iterator[Place]:
    """The places of one file: a GeoNames dump (tab-separated, 19 columns) or a CSV."""
    if path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_geonames(path)


def _read_geonames(path: Path) -> Iterator[Place]:

    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise UserGazetteerError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            f = line.rstrip("\r\n").split("\t")
            if len(f) != GEONAMES_COLUMNS:
                raise UserGazetteerError(
                    f"{path} line {n}: {len(f)} tab-separated fields, a GeoNames dump has "
                    f"{GEONAMES_COLUMNS} (geonameid, name, asciiname, alternatenames, "
                    "latitude, longitude, feature class, feature code, country, ...)")
            if f[6] not in _KEPT_CLASSES or f[7].startswith("PCL"):
                continue
            lat, lon = _coordinate(f[4], f[5], path, n)
            pop = int(f[14]) if f[14].isdigit() else 0
            yield Place(
                id=f"geonames:{f[0]}", name=f[1], kind=_geonames_kind(f[6], f[7], pop),
                country=f[8], lat=lat, lon=lon, population=pop,
                aliases=clean_aliases(f[1], [a for a in f[3].split(",") if a] + [f[2]]),
                source=f"GeoNames ({path.name}, added by the user)", source_id=f[0],
                licence=GEONAMES_LICENCE)


def _geonames_kind(fclass: str, fcode: str, pop: int) -> str:
    if fclass == "P":
        return "city" if pop >= CITY_POPULATION else "town"
    if fclass == "A":
        return "region"
    if fclass == "H":
        return "river"
    return _SITE_CODES.get(fcode, "facility")


def _read_csv(path: Path) -> Iterator[Place]:
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UserGazetteerError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is None:
            return
        cols = [c.strip().lower() for c in header]
        if cols[:3] != ["name", "lat", "lon"]:
            raise UserGazetteerError(
                f"{path} line 1: the header must start name,lat,lon (then optionally kind, "
                f"country, aliases), got {','.join(header[:6])!r}")
        for n, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            values = dict(zip(cols, (c.strip() for c in row), strict=False))
            name = values.get("name", "")
            if not name:
                raise UserGazetteerError(f"{path} line {n}: no name")
            lat, lon = _coordinate(values.get("lat", ""), values.get("lon", ""), path, n)
            kind = values.get("kind") or "facility"
            if kind not in PLACE_KINDS:
                raise UserGazetteerError(f"{path} line {n}: unknown kind {kind!r} (one of "
                                         f"{', '.join(PLACE_KINDS)})")
            country = (values.get("country") or "").upper()
            if country and (len(country) != 2 or not country.isalpha()):
                raise UserGazetteerError(f"{path} line {n}: country must be an ISO alpha-2 "
                                         f"code, got {country!r}")
            aliases = tuple(a.strip() for a in (values.get("aliases") or "").split(";")
                            if a.strip())
            yield Place(
                id=f"user:{path.stem}:{n}", name=name, kind=kind, country=country, lat=lat,
                lon=lon, aliases=aliases, source=f"user file {path.name}",
                source_id=f"{path.name}:{n}", licence="the user's own")


def _coordinate(lat_text: str, lon_text: str, path: Path, n: int) -> tuple[float, float]:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise UserGazetteerError(f"{path} line {n}: not a coordinate: {lat_text!r}, "
                                 f"{lon_text!r}") from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        raise UserGazetteerError(f"{path} line {n}: coordinate out of range: {lat}, {lon}")
    return lat, lon


def add_user_file(store_dir: Path, path: Path) -> tuple[Path, int]:
    """Check a file (every line must read), copy it into the store's gazetteer folder, and
    return where it now is and how many places it holds. The index is rebuilt by the next
    :meth:`Gazetteer.load`."""
    if not path.is_file():
        raise UserGazetteerError(f"{path}: no such file")
    if path.suffix.lower() not in (".txt", ".csv"):
        raise UserGazetteerError(f"{path}: a GeoNames dump (.txt) or a CSV (.csv) is needed")
    count = sum(1 for _ in read_user_file(path))
    if count == 0:
        raise UserGazetteerError(f"{path}: no places in it")
    folder = user_dir(store_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.resolve() != path.resolve():
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target, count
