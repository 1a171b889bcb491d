"""The extraction pipeline on Dask, writing a GeoParquet dataset partitioned by month.

For corpora larger than one machine: the article files are split into chunks, each chunk is one
Dask task that reads, extracts (one cached gazetteer index per worker process) and writes its
events as GeoParquet files, one per month, hive-style::

    out_dir/month=2020-03/part-00004.parquet
    out_dir/month=undated/part-00004.parquet

so the dataset never passes through the client's memory and Dask (``dask_geopandas`` /
``dask.dataframe.read_parquet``), DuckDB (``read_parquet('out/*/*.parquet',
hive_partitioning=true)``), Spark/Sedona and geopandas read it directly. The month is that of
``date_start`` (a year-only date falls in January of that year), ``undated`` when the event has
no date. Columns are :data:`geo.model.EVENT_COLUMNS` minus ``lat``/``lon`` handled as the
geometry (kept as columns too), with actors and sources as JSON text, as in
``conflict-map export --format geoparquet``; every file has the same Arrow schema.

The dataset holds every extracted report, one row per event the extractor returns (the same
rows as :func:`geo.pipeline.extract_paths`); merging reports of one event across articles is
the store's job (``EventStore.add_events``), which a reader can apply afterwards.

Without a scheduler address a ``LocalCluster`` of ``n_workers`` processes (one thread each: the
extractor is pure Python, threads would share one GIL) runs and is closed afterwards; with one,
the tasks go to that cluster, whose workers must see the article paths and ``out_dir`` (a shared
file system) and have this package installed. The dataset is written into a sibling folder and
renamed into place at the end, so a failed run never leaves a half-written ``out_dir``.
"""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from geo.articles import iter_article_paths
from geo.config import Settings
from geo.model import EVENT_COLUMNS, Event

UNDATED = "undated"
_STRING_COLUMNS = tuple(c for c in EVENT_COLUMNS if c not in {
    "time_precision", "geo_precision", "killed", "wounded", "evidence_start", "evidence_end",
    "lat", "lon", "confidence", "aggregate"})


class DistributedError(RuntimeError):
    """The Dask run cannot start or its output folder is not usable."""


@dataclass
class ChunkResult:
    """What one task did: counts, one-line errors, events per month, files written."""

    articles: int = 0
    failed: int = 0
    events: int = 0
    errors: list[str] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """The whole run: what was read, found and written, and where."""

    out_dir: Path
    articles: int = 0
    failed: int = 0
    events: int = 0
    files: int = 0
    months: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    workers: int = 0

    def line(self) -> str:
        return (f"{self.articles} articles read ({self.failed} failed) on {self.workers} Dask "
                f"workers; {self.events} events in {self.files} files over "
                f"{len(self.months)} month partitions under {self.out_dir}")


def month_of(event: Event) -> str:
    """The hive partition value of an event: ``YYYY-MM`` of its first possible day."""
    day = event.date_start or event.date
    if not day:
        return UNDATED
    return day[:7] if len(day) >= 7 else f"{day[:4]}-01"


def events_geoframe(events: Sequence[Event]):
    """The events as a GeoDataFrame with one fixed schema (strings stay strings when every value
    is missing), so parts written by different tasks concatenate."""
    from geo.formats import flat_frame, to_geodataframe

    frame = flat_frame(list(events))
    for col in _STRING_COLUMNS:
        frame[col] = frame[col].astype("string")
    return to_geodataframe(frame).pipe(_keep_text, frame)


def _keep_text(gdf, frame: pd.DataFrame):
    """``to_geodataframe`` re-reads actors/sources as lists: put the JSON text columns back."""
    for col in ("actors", "sources"):
        gdf[col] = frame[col].astype("string").to_numpy()
    return gdf


def write_partitions(events: Sequence[Event], out_dir: Path, part: str) -> dict[str, int]:
    """Writes ``out_dir/month=M/<part>.parquet`` for each month the events fall in."""
    by_month: dict[str, list[Event]] = {}
    for ev in events:
        by_month.setdefault(month_of(ev), []).append(ev)
    for month, group in sorted(by_month.items()):
        folder = out_dir / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        events_geoframe(group).to_parquet(folder / f"{part}.parquet", index=False)
    return {m: len(g) for m, g in by_month.items()}


@functools.lru_cache(maxsize=2)
def _worker_extractor(settings: Settings):
    """One extractor per worker process and settings: the index loads once, not per task."""
    from geo.pipeline import load_extractor

    return load_extractor(settings)


def extract_chunk(paths: Sequence[str], out_dir: str, part: str, settings: Settings,
                  published: date | None = None) -> ChunkResult:
    """One Dask task: extract the articles of a chunk and write their month partitions."""
    from geo.pipeline import extract_one

    extractor = _worker_extractor(settings)
    result = ChunkResult()
    events: list[Event] = []
    for p in paths:
        item = extract_one(extractor, Path(p), published)
        result.articles += 1
        if item.error:
            result.failed += 1
            result.errors.append(item.error)
            continue
        events.extend(item.events)
    result.events = len(events)
    result.months = write_partitions(events, Path(out_dir), part)
    result.files = [f"month={m}/{part}.parquet" for m in sorted(result.months)]
    return result


def chunks(files: Sequence[Path], n_workers: int, size: int | None = None) -> list[list[str]]:
    """Files split into tasks: about four per worker (load balance) and at most 64 files each
    (a lost worker costs little), in path order."""
    if size is None:
        size = max(1, min(64, -(-len(files) // max(1, n_workers * 4))))
    return [[str(f) for f in files[i:i + size]] for i in range(0, len(files), size)]


def _prepare_out(out_dir: Path) -> Path:
    """A fresh sibling folder to write into; refuses an ``out_dir`` that holds something."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise DistributedError(f"{out_dir}: output folder exists and is not empty")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def _client(scheduler: str | None, n_workers: int):
    """A Dask client for the given scheduler, or a fresh local cluster of worker processes;
    returns (client, cluster-or-None)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise DistributedError(f"cannot reach Dask scheduler {scheduler}: {exc}") from exc
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def ingest_dask(paths: Iterable[str | Path], out_dir: str | Path, *,
                scheduler: str | None = None, n_workers: int = 2,
                published: date | None = None, settings: Settings | None = None,
                chunk_size: int | None = None) -> Summary:
    """Extracts every article under ``paths`` on Dask and writes the month-partitioned
    GeoParquet dataset to ``out_dir`` (which must not exist or be empty).

    Raises ArticleError when a path does not exist or a folder holds no article, and
    DistributedError when the scheduler cannot be reached or ``out_dir`` is in use.
    """
    if n_workers < 1:
        raise DistributedError(f"n_workers must be at least 1, got {n_workers}")
    settings = settings or Settings()
    files = iter_article_paths(paths)
    out = Path(out_dir).resolve()
    staging = _prepare_out(out)
    try:
        client, cluster = _client(scheduler, n_workers)
        try:
            tasks = chunks(files, n_workers, chunk_size)
            futures = [client.submit(extract_chunk, chunk, str(staging), f"part-{i:05d}",
                                     settings, published, pure=False)
                       for i, chunk in enumerate(tasks)]
            results: list[ChunkResult] = client.gather(futures)
            workers = len(client.scheduler_info()["workers"])
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        summary = _summarise(results, out, workers)
        if out.exists():
            out.rmdir()  # empty (checked above)
        os.replace(staging, out)
        return summary
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _summarise(results: Iterable[ChunkResult], out: Path, workers: int) -> Summary:
    summary = Summary(out_dir=out, workers=workers)
    months: Counter[str] = Counter()
    for r in results:
        summary.articles += r.articles
        summary.failed += r.failed
        summary.events += r.events
        summary.files += len(r.files)
        summary.errors.extend(r.errors)
        months.update(r.months)
    summary.months = dict(sorted(months.items()))
    return summary
