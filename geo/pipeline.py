"""Text to store, end to end: read articles, extract events, add them to the store.

Shared by the CLI (``extract``, ``ingest``, ``seed``) and the page (the first start fills the
store from ``seeds/``). ``workers > 1`` extracts in a process pool (forked workers share the
parent's loaded gazetteer index; under another start method each loads it once); the parent
process alone writes to the store.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.articles import Article, ArticleError, iter_article_paths, read_article
from geo.config import SEEDS_DIR, Settings
from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.model import Event
from geo.store import Store, open_store


@dataclass
class Extracted:
    """One article's outcome: its events, or the one-line reason it could not be read."""

    path: Path
    article: Article | None = None
    events: list[Event] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestSummary:
    articles: int = 0
    skipped_seen: int = 0
    failed: int = 0
    events_found: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.articles} articles read ({self.skipped_seen} already stored, "
                f"{self.failed} failed); {self.events_found} events found: {self.added} added, "
                f"{self.merged} merged into stored events, {self.unchanged} unchanged")


def load_extractor(settings: Settings) -> Extractor:
    return Extractor(Gazetteer.load(settings))


def extract_one(extractor: Extractor, path: Path, published: date | None = None,
                max_bytes: int = Settings.max_article_bytes) -> Extracted:
    try:
        article = read_article(path, published=published, max_bytes=max_bytes)
    except ArticleError as exc:
        return Extracted(path, error=str(exc))
    return Extracted(path, article, extractor.extract(article))


# Worker-process state: one extractor per process, built by the pool initializer.
_worker: Extractor | None = None
_max_bytes: int = Settings.max_article_bytes


def _init_worker(settings: Settings, extractor: Extractor | None) -> None:
    global _worker, _max_bytes  # noqa: PLW0603 - per-process cache of the loaded gazetteer
    _worker = extractor if extractor is not None else load_extractor(settings)
    _max_bytes = settings.max_article_bytes


def _pool(workers: int, settings: Settings, extractor: Extractor | None) -> ProcessPoolExecutor:
    """Worker processes with an extractor each. Forked workers inherit the parent's extractor
    (loaded here once; with whatever it has read lazily so far) without pickling it; under
    another start method ("spawn", "forkserver") the initializer's arguments are pickled, so
    each worker loads the cached index itself instead."""
    context = multiprocessing.get_context()
    forked = context.get_start_method() == "fork"
    shared = (extractor or load_extractor(settings)) if forked else None
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(settings, shared))


def _extract_in_worker(args: tuple[Path, date | None]) -> Extracted:
    assert _worker is not None
    return extract_one(_worker, *args, max_bytes=_max_bytes)


def extract_paths(paths: Iterable[str | Path], settings: Settings, *,
                  published: date | None = None, workers: int = 1,
                  extractor: Extractor | None = None, progress: bool = False,
                  ) -> Iterator[Extracted]:
    """Extracts every article under ``paths`` (files or folders), in path order.

    Raises ArticleError when a path does not exist or a folder holds no article.
    """
    files = iter_article_paths(paths)
    bar = _progress(len(files), progress)
    try:
        if workers > 1 and len(files) > 1:
            with _pool(min(workers, len(files)), settings, extractor) as pool:
                for item in pool.map(_extract_in_worker, [(f, published) for f in files],
                                     chunksize=_chunk_size(len(files), workers)):
                    bar.update(1)
                    yield item
            return
        for f in files:
            try:  # read first: a file that cannot be read needs no gazetteer
                article = read_article(f, published=published,
                                       max_bytes=settings.max_article_bytes)
            except ArticleError as exc:
                item = Extracted(f, error=str(exc))
            else:
                extractor = extractor or load_extractor(settings)
                item = Extracted(f, article, extractor.extract(article))
            bar.update(1)
            yield item
    finally:
        bar.close()


def _chunk_size(files: int, workers: int) -> int:
    """Articles per task: enough tasks that the last ones leave no worker idle for long
    (at most 16 articles, a fraction of a second), few enough that the pool's messages stay
    cheap."""
    return max(1, min(16, files // (workers * 16)))


def ingest_paths(paths: Iterable[str | Path], store: Store, settings: Settings, *,
                 published: date | None = None, workers: int = 1,
                 extractor: Extractor | None = None, progress: bool = False) -> IngestSummary:
    """Extracts and stores; an article already stored (same clean text) adds nothing."""
    summary = IngestSummary()
    for item in extract_paths(paths, settings, published=published, workers=workers,
                              extractor=extractor, progress=progress):
        summary.articles += 1
        if item.error or item.article is None:
            summary.failed += 1
            summary.errors.append(item.error or f"{item.path}: could not be read")
            continue
        summary.events_found += len(item.events)
        result = store_article(store, item.article, item.events)
        summary.skipped_seen += result.article_seen
        summary.added += result.added
        summary.merged += result.merged
        summary.unchanged += result.unchanged
    return summary


def store_article(store: Store, article: Article, events: list[Event]):
    """Adds one article's events in one transaction, keyed by the article's text hash."""
    meta = {"source": article.source, "title": article.title, "path": article.path,
            "published": article.published.isoformat() if article.published else None}
    return store.add_events(events, article_key=article.sha256, article=meta)


def seed_store_if_empty(settings: Settings, extractor: Extractor | None = None) -> int:
    """Fills an empty store from ``seeds/`` (a fresh start); returns the events added."""
    with open_store(settings.store_dir) as store:
        if len(store) or store.articles() or not SEEDS_DIR.is_dir():
            return 0
        summary = ingest_paths([SEEDS_DIR], store, settings, extractor=extractor)
        return summary.added


class _NoBar:
    def update(self, n: int) -> None:  # noqa: D102 - the same shape as tqdm's
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    """A tqdm bar on stderr for long runs (several files) when asked; otherwise nothing."""
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr, leave=False,
                disable=not sys.stderr.isatty() and not os.environ.get("CONFLICT_MAP_PROGRESS"))
