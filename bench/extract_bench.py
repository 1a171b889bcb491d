"""Extraction: articles/s and MB/s through ``geo.pipeline.extract_paths`` on one core and on
all cores (``workers=os.cpu_count()``), over the generated corpus and the dev articles.

The corpus is written once per (n, seed) under ``var/bench/corpus-<seed>`` (a prefix of a
larger corpus is reused: article i depends only on seed and i). Times include reading and
cleaning each file, as ``conflict-map ingest`` does; the index load is outside the one-core
timing and inside the all-cores one (each worker process loads it), which is what a user waits.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.common import Figure
from bench.corpus import write_corpus
from geo.config import PROJECT_DIR, Settings

PART = "extract"
DEV_ARTICLES = PROJECT_DIR / "tests" / "fixtures" / "dev" / "articles"
BENCH_DIR = PROJECT_DIR / "var" / "bench"
TARGET_PER_CORE = 200.0


def corpus(n: int, seed: int = 0, root: Path = BENCH_DIR) -> list[Path]:
    """The first ``n`` generated articles, writing any that are missing."""
    folder = root / f"corpus-{seed}"
    have = sorted(folder.glob("article_*.txt")) if folder.is_dir() else []
    if len(have) < n:
        return write_corpus(folder, n, seed)
    return have[:n]


def timed_extract(paths: list[Path], settings: Settings, workers: int,
                  extractor=None) -> tuple[float, int, int, int]:
    """Seconds, articles, events and failures of one ``extract_paths`` run over ``paths``."""
    from geo.pipeline import extract_paths

    t0 = time.perf_counter()
    articles = events = failed = 0
    for item in extract_paths(paths, settings, workers=workers, extractor=extractor):
        articles += 1
        events += len(item.events)
        failed += item.error is not None
    return time.perf_counter() - t0, articles, events, failed


def _figures(label: str, paths: list[Path], seconds: float, articles: int, events: int,
             per_core: bool, cores: int) -> list[Figure]:
    mb = sum(p.stat().st_size for p in paths) / 1e6
    rate = articles / seconds
    per = rate / cores
    target = f">= {TARGET_PER_CORE:.0f}/s per core" if per_core else ""
    return [
        Figure(PART, f"{label}: articles/s", rate, "art/s", target,
               per >= TARGET_PER_CORE if per_core else None),
        Figure(PART, f"{label}: MB/s", mb / seconds, "MB/s"),
        Figure(PART, f"{label}: events found", events, "events"),
    ]


def run(n: int = 10_000, seed: int = 0, workers: int | None = None,
        settings: Settings | None = None, root: Path = BENCH_DIR) -> list[Figure]:
    """One core and all cores over ``n`` generated articles, one core over the dev articles."""
    from geo.pipeline import load_extractor

    settings = settings or Settings()
    workers = workers or os.cpu_count() or 1
    paths = corpus(n, seed, root)
    dev = sorted(DEV_ARTICLES.glob("*.txt"))
    extractor = load_extractor(settings)
    figures: list[Figure] = []
    secs, arts, evs, _ = timed_extract(dev, settings, 1, extractor)
    figures += _figures(f"{len(dev)} dev articles, 1 core", dev, secs, arts, evs, False, 1)
    secs, arts, evs, failed = timed_extract(paths, settings, 1, extractor)
    if failed:
        raise RuntimeError(f"{failed} generated articles could not be read")
    one = arts / secs
    figures += _figures(f"{n} generated, 1 core", paths, secs, arts, evs, True, 1)
    if workers > 1:
        secs, arts, evs, _ = timed_extract(paths, settings, workers)
        figures += _figures(f"{n} generated, workers={workers}", paths, secs, arts, evs, True,
                            workers)
        figures.append(Figure(PART, f"speed-up workers={workers} / 1 core", arts / secs / one,
                              "x"))
    return figures
