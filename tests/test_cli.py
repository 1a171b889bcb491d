"""The CLI, run as a real process: the contract scripts and the app rely on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.formats.acled import read_acled
from geo.model import ATTACK_TYPES
from geo.store import EventStore

from .conftest import DEV, FIXTURES, SEED

UCDP_SAMPLE = FIXTURES / "ucdp" / "ucdp_ged_iraq_sample.csv"


def run(*args: str, store: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_DEBUG"}
    if store is not None:
        env["CONFLICT_MAP_STORE"] = str(store)
    proc = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_geocode_json_one_line_per_name_in_order():
    out = run("geocode", "al-Qaim", "Q-West", "Nowhereville Qq", "--json").stdout.splitlines()
    assert len(out) == 3
    qaim, qwest, nothing = (json.loads(line) for line in out)
    assert qaim[0]["country"] == "IQ"
    assert set(qaim[0]) >= {"name", "kind", "country", "lat", "lon", "source", "score"}
    assert abs(qwest[0]["lat"] - 35.767) < 0.05 and abs(qwest[0]["lon"] - 43.125) < 0.05
    assert nothing == []


def test_geocode_country_hint_and_text_output():
    fr = json.loads(run("geocode", "Paris", "--json", "--limit", "1").stdout)
    us = json.loads(run("geocode", "Paris", "--country", "US", "--json", "--limit", "1").stdout)
    assert fr[0]["country"] == "FR" and us[0]["country"] == "US"
    text = run("geocode", "Kirkuk").stdout
    assert text.startswith("Kirkuk: ") and "score" in text


def test_extract_seed_is_valid_geojson():
    fc = json.loads(run("extract", str(SEED)).stdout)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 10
    needed = {"event_type", "date", "time_precision", "place", "place_name", "place_id",
              "place_kind", "country", "geo_precision", "killed", "wounded", "actors",
              "evidence", "source", "confidence", "aggregate"}
    for f in fc["features"]:
        assert needed <= set(f["properties"])
        geom = f["geometry"]
        assert geom is None or (geom["type"] == "Point" and len(geom["coordinates"]) == 2)


def test_extract_published_overrides_and_csv(tmp_path):
    art = tmp_path / "a.txt"
    art.write_text("Rockets hit Camp Taji last week, killing one soldier.\n", encoding="utf-8")
    rows = run("extract", str(art), "--published", "2020-03-17", "--format", "csv").stdout
    assert "rocket_attack" in rows and "2020-03-09" in rows


def test_ingest_twice_adds_nothing_and_export_filters(tmp_path):
    store = tmp_path / "store"
    first = run("ingest", str(SEED), str(DEV / "articles"), store=store)
    assert "added" in first.stderr
    with EventStore(store) as s:
        n = len(s)
    assert n > 10
    run("ingest", str(SEED), store=store)
    with EventStore(store) as s:
        assert len(s) == n  # the same article again adds nothing

    fc = json.loads(run("export", "--type", "rocket_attack", "--since", "2019-10-01",
                        store=store).stdout)
    assert fc["features"]
    for f in fc["features"]:
        p = f["properties"]
        assert p["event_type"] == "rocket_attack"
        assert p["date_end"] is None or p["date_end"] >= "2019-10-01"

    bbox = json.loads(run("export", "--bbox", "43,33,45,36", "--store", str(store)).stdout)
    for f in bbox["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 43 <= lon <= 45 and 33 <= lat <= 36

    out = tmp_path / "events.parquet"
    run("export", "--format", "geoparquet", "--out", str(out), store=store)
    gdf = gpd.read_parquet(out)
    assert len(gdf) == n and gdf.crs.to_epsg() == 4326

    acled = tmp_path / "events_acled.csv"
    run("export", "--format", "acled", "--out", str(acled), "--type", "rocket_attack",
        store=store)
    back = read_acled(acled)
    # ACLED has one sub-event type for shelling, rockets and missiles: the notes decide
    assert back and all(e.event_type in ATTACK_TYPES and e.dataset == "acled" for e in back)

    gpkg = tmp_path / "events.gpkg"
    run("export", "--format", "gpkg", "--out", str(gpkg), store=store)
    assert len(gpd.read_file(gpkg)) == n


def test_import_ucdp_then_reimport_adds_nothing(tmp_path):
    store = tmp_path / "store"
    first = run("import", str(UCDP_SAMPLE), "--from", "ucdp", store=store)
    with EventStore(store) as s:
        n = s.count(datasets="ucdp")
    assert n > 50 and "added" in first.stderr
    run("import", str(UCDP_SAMPLE), "--from", "ucdp", store=store)
    with EventStore(store) as s:
        assert s.count(datasets="ucdp") == n


def test_evaluate_json_on_the_dev_set():
    report = json.loads(run("evaluate", "--gold", str(DEV / "gold.jsonl"), "--articles",
                            str(DEV / "articles"), "--json").stdout)
    assert report["overall"]["gold"] == 30
    assert 0 < report["overall"]["precision"] <= 1 and 0 < report["overall"]["recall"] <= 1
    assert len(report["articles"]) == 8
    assert "missed" not in report["overall"]
    by_type = report["overall"]["by_type"].values()  # the types add up to the whole
    assert sum(c["gold"] for c in by_type) == report["overall"]["gold"]
    assert sum(c["predicted"] for c in by_type) == report["overall"]["predicted"]
    assert sum(c["found"] for c in by_type) == sum(c["right"] for c in by_type) \
        == report["overall"]["matched"]
    for score in report["articles"].values():  # the lists are what the strict pairs left
        assert len(score["missed"]) == score["gold"] - score["matched"]
        assert len(score["spurious"]) == score["predicted"] - score["matched"]


def test_evaluate_lists_the_unmatched_events():
    args = ("evaluate", "--gold", str(DEV / "gold.jsonl"), "--articles", str(DEV / "articles"))
    report = json.loads(run(*args, "--json").stdout)
    lines = run(*args, "--unmatched").stdout.splitlines()
    assert any(line.startswith("event type") for line in lines)
    listed = [line for line in lines if ".txt: missed " in line or ".txt: spurious " in line]
    o = report["overall"]
    assert len(listed) == o["gold"] + o["predicted"] - 2 * o["matched"] > 0
    for name, score in report["articles"].items():
        for what in ("missed", "spurious"):
            assert [f"{name}: {what} {x}" for x in score[what]] == [
                line for line in listed if line.startswith(f"{name}: {what} ")]


@pytest.mark.parametrize("args, words", [
    (("extract", "/no/such/file.txt"), ("/no/such/file.txt",)),
    (("export", "--bbox", "1,2,3"), ("bbox",)),
    (("evaluate", "--gold", "/no/gold.jsonl", "--articles", "."), ("/no/gold.jsonl",)),
    (("import", "/no/file.csv", "--from", "acled"), ("/no/file.csv",)),
])
def test_errors_are_one_line(args, words, tmp_path):
    proc = run(*args, store=tmp_path / "store", check=False)
    if proc.returncode == 2 and proc.stderr.startswith("usage:"):
        # argparse usage errors: the last line names the problem
        assert words[0] in proc.stderr.splitlines()[-1]
        return
    assert_one_line_error(proc, *words)


def test_bad_files_in_a_folder_are_reported_and_the_rest_ingested(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "good.txt").write_text("Rockets hit Camp Taji on 11 March 2020.\n",
                                     encoding="utf-8")
    proc = run("ingest", str(folder), store=tmp_path / "store", check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "empty.txt" in proc.stderr and "binary.txt" in proc.stderr
    with EventStore(tmp_path / "store") as s:
        assert s.count(types="rocket_attack") == 1


def test_export_without_store_is_a_clear_error(tmp_path):
    proc = run("export", store=tmp_path / "missing", check=False)
    assert_one_line_error(proc, "no store")


def test_ingest_on_dask_writes_a_month_partitioned_dataset(tmp_path):
    out = tmp_path / "dataset"
    proc = run("ingest", str(SEED), "--dask", str(out), "--workers", "2")
    assert "events" in proc.stderr
    months = {p.name for p in out.iterdir() if p.is_dir()}
    assert "month=2019-12" in months and "month=undated" in months
    frame = gpd.read_parquet(out)
    assert len(frame) >= 10 and "rocket_attack" in set(frame["event_type"])


def test_scheduler_without_dask_is_a_clear_error(tmp_path):
    proc = run("ingest", str(SEED), "--scheduler", "tcp://127.0.0.1:1", store=tmp_path / "s",
               check=False)
    assert_one_line_error(proc, "--dask")
