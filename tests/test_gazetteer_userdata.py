"""A user's own gazetteer files: GeoNames country dumps and CSVs of sites, kept in the store's
folder and compiled into the index once (the fixtures are test values in those layouts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.gazetteer.userdata import (
    UserGazetteerError,
    add_user_file,
    read_user_file,
    user_files,
)

HERE = Path(__file__).parent / "fixtures" / "gazetteer"
DUMP = HERE / "IQ_sample.txt"
SITES = HERE / "user_sites.csv"


def test_geonames_dump_rows_become_places():
    got = {p.id: p for p in read_user_file(DUMP)}
    assert set(got) == {"geonames:99000001", "geonames:99000002", "geonames:99000004"}  # no hill
    town, base, district = (got[f"geonames:9900000{i}"] for i in (1, 2, 4))
    assert (town.kind, town.country, town.lat, town.lon) == ("town", "IQ", 33.41, 43.31)
    assert "Qaryat Tajriba" in town.aliases and "قرية تجربة" in town.aliases
    assert base.kind == "military_base" and district.kind == "region"
    assert "GeoNames" in town.source and "CC BY" in town.licence


def test_csv_rows_become_places():
    camp, village = read_user_file(SITES)
    assert (camp.name, camp.kind, camp.country) == ("Camp Example Seven", "military_base", "IQ")
    assert camp.aliases == ("Example Seven Base", "CES-7")
    assert (village.kind, village.aliases) == ("town", ())


@pytest.mark.parametrize("name, content, message", [
    ("bad.txt", "1\t2\t3\n", "line 1: 3 tab-separated fields"),
    ("bad.csv", "place,x,y\nA,1,2\n", "header must start name,lat,lon"),
    ("bad2.csv", "name,lat,lon\nA,north,2\n", "line 2: not a coordinate"),
    ("bad3.csv", "name,lat,lon,kind\nA,1,2,castle\n", "line 2: unknown kind 'castle'"),
    ("bad4.csv", "name,lat,lon\nA,95,2\n", "out of range"),
])
def test_bad_files_name_the_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserGazetteerError, match=message):
        add_user_file(tmp_path / "store", path)
    assert user_files(tmp_path / "store") == []  # nothing kept


def test_add_keeps_a_copy_in_the_store(tmp_path):
    target, count = add_user_file(tmp_path / "store", SITES)
    assert count == 2 and target == tmp_path / "store" / "gazetteer" / "user_sites.csv"
    assert target.read_bytes() == SITES.read_bytes()
    assert user_files(tmp_path / "store") == [target]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def test_gazetteer_add_rebuilds_the_index_once_and_geocode_finds_the_places(tmp_path):
    """The real command on a fresh store and cache: the index is rebuilt with the user's
    places, and a later process loads it from the cache without building again."""
    store, cache = tmp_path / "store", tmp_path / "cache"
    env = {**{k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_DEBUG"},
           "CONFLICT_MAP_STORE": str(store), "CONFLICT_MAP_CACHE": str(cache)}
    add_user_file(store, SITES)  # a second file already kept: one rebuild covers both
    out = _cli("gazetteer", "add", str(DUMP), env=env)
    assert out.returncode == 0, out.stderr
    assert "3 places kept" in out.stdout and "index rebuilt" in out.stdout
    built = sorted(p.name for p in cache.glob("gazetteer-*.pickle"))
    assert len(built) == 2  # the index and its transliteration part
    found = _cli("geocode", "Qaryat Tajriba", "Camp Tajribah", "CES-7", "--country", "IQ",
                 "--json", env=env)
    assert found.returncode == 0, found.stderr
    village, camp, site = (json.loads(line) for line in found.stdout.splitlines())
    assert village[0]["id"] == "geonames:99000001" and village[0]["lat"] == 33.41
    assert camp[0]["id"] == "geonames:99000002" and camp[0]["kind"] == "military_base"
    assert site[0]["name"] == "Camp Example Seven"
    assert sorted(p.name for p in cache.glob("gazetteer-*.pickle")) == built  # no rebuild
    listed = _cli("gazetteer", "list", env=env)
    assert "IQ_sample.txt" in listed.stdout and "user_sites.csv" in listed.stdout


def test_gazetteer_add_bad_input_is_one_line(tmp_path):
    env = {**os.environ, "CONFLICT_MAP_STORE": str(tmp_path / "store")}
    env.pop("CONFLICT_MAP_DEBUG", None)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon\nX,1,\n", encoding="utf-8")
    for path in (bad, tmp_path / "missing.txt"):
        out = _cli("gazetteer", "add", str(path), env=env)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in out.stderr
