"""The Dask pipeline: a local cluster of two worker processes over the dev articles and the
seed writes a month-partitioned GeoParquet dataset holding exactly the events of the
single-process run, readable by DuckDB and geopandas."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import geopandas as gpd
import pytest

from geo.articles import ArticleError
from geo.distributed import (
    UNDATED,
    DistributedError,
    chunks,
    ingest_dask,
    month_of,
    write_partitions,
)
from geo.model import Event
from geo.pipeline import extract_paths
from tests.conftest import DEV, SEED

INPUTS = [DEV / "articles", SEED]
KEY_FIELDS = ("id", "event_type", "date", "place_id", "killed", "wounded", "evidence_start")


def _key(record: dict) -> tuple:
    out = []
    for f in KEY_FIELDS:
        v = record[f]
        missing = v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "<NA>"
        out.append(None if missing else str(v))
    return tuple(out)


@pytest.fixture(scope="module")
def single(settings, extractor) -> list[Event]:
    events: list[Event] = []
    for item in extract_paths(INPUTS, settings, extractor=extractor):
        assert item.error is None
        events.extend(item.events)
    assert len(events) > 20  # the comparison below means something
    return events


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("dask") / "events"
    summary = ingest_dask(INPUTS, out, n_workers=2, settings=settings, chunk_size=2)
    return out, summary


def test_dask_run_equals_single_process(dataset, single):
    out, summary = dataset
    assert summary.workers == 2
    assert summary.articles == 9 and summary.failed == 0
    assert summary.events == len(single)
    expected = sorted(_key(ev.to_properties()) for ev in single)
    got = gpd.read_parquet(out)
    assert sorted(_key(r) for r in got.to_dict("records")) == expected
    assert got.crs.to_epsg() == 4326
    located = got[got.geometry.notna()]
    assert (located.geometry.x.round(6) == located["lon"].round(6)).all()
    assert summary.months == got.groupby("month", observed=True).size().to_dict()


def test_dataset_is_hive_partitioned_by_month(dataset, single):
    out, summary = dataset
    folders = {p.name for p in out.iterdir()}
    assert folders == {f"month={m}" for m in summary.months}
    assert f"month={UNDATED}" in folders  # the seed states base events without a date
    assert all(p.name.startswith("part-") for p in out.glob("*/*.parquet"))
    assert summary.files == len(list(out.glob("*/*.parquet")))
    assert not list(out.parent.glob(".events.partial-*"))
    for ev in single:
        assert (out / f"month={month_of(ev)}").is_dir()


def test_duckdb_reads_the_dataset(dataset, single):
    out, _ = dataset
    con = duckdb.connect()
    rows = con.execute(
        "SELECT id, month, date_start FROM read_parquet(?, hive_partitioning = true)",
        [str(out / "*" / "*.parquet")]).fetchall()
    assert sorted(r[0] for r in rows) == sorted(ev.event_id for ev in single)
    for _id, month, start in rows:
        assert month == (start[:7] if start else UNDATED)
    march = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true) "
        "WHERE month = '2020-03' AND event_type = 'rocket_attack'",
        [str(out / "*" / "*.parquet")]).fetchone()[0]
    assert march == sum(1 for ev in single if month_of(ev) == "2020-03"
                        and ev.event_type == "rocket_attack")
    assert march > 0


def test_month_of_event_dates():
    assert month_of(Event("base")) == UNDATED
    assert month_of(Event("air_strike", date="2020-03-17", date_start="2020-03-17")) == "2020-03"
    assert month_of(Event("air_strike", date="2019", date_start="2019-01-01")) == "2019-01"
    assert month_of(Event("air_strike", date="2019")) == "2019-01"


def test_chunks_cover_every_file_in_order():
    files = [Path(f"/a/{i:03d}.txt") for i in range(130)]
    parts = chunks(files, n_workers=2)
    assert [f for part in parts for f in part] == [str(f) for f in files]
    assert max(len(p) for p in parts) <= 64 and len(parts) >= 8
    assert chunks(files[:1], 4) == [["/a/000.txt"]]


def test_parts_share_one_schema(tmp_path):
    """A part whose optional columns are all empty has the same types as a full one, so
    readers can concatenate the parts."""
    full = Event("air_strike", date="2020-01-03", date_start="2020-01-03",
                 date_end="2020-01-03", place="Baghdad", place_id="geonames:98182",
                 country="IQ", lat=33.34, lon=44.4, killed=2, actors=["US"])
    bare = Event("base", place="somewhere")
    write_partitions([full], tmp_path, "part-a")
    write_partitions([bare], tmp_path, "part-b")
    import pyarrow.parquet as pq

    a = pq.read_schema(tmp_path / "month=2020-01" / "part-a.parquet")
    b = pq.read_schema(tmp_path / f"month={UNDATED}" / "part-b.parquet")
    assert a.remove_metadata() == b.remove_metadata()
    assert len(gpd.read_parquet(tmp_path)) == 2


def test_refuses_a_non_empty_output_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.parquet").write_bytes(b"x")
    with pytest.raises(DistributedError, match="not empty"):
        ingest_dask([SEED], tmp_path / "out")


def test_missing_input_is_an_article_error(tmp_path):
    with pytest.raises(ArticleError):
        ingest_dask([tmp_path / "nope.txt"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_unreachable_scheduler(tmp_path):
    with pytest.raises(DistributedError, match="cannot reach Dask scheduler"):
        ingest_dask([SEED], tmp_path / "out", scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob(".out.partial-*"))
