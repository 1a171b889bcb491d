"""Store: ingest of N synthetic events through ``add_events`` in batches, the median latency
of a type + date + bounding-box query (``count`` and ``query_frame``), ``count()`` of
everything, what the map page asks at that size (facets of everything, 1-degree bins, the
numpy snapshot), news reports merged one by one, and the size on disk; for the embedded
SQLite store, and with ``postgis`` for a PostGIS store filled the same way.

The events look like an imported dataset (``dataset="ucdp"``: the bulk path; curated records
are not merged), spread over 2015-2024 and the Iraq-Syria box 29-42N 35-49E, with an evidence
sentence and one source each, as stored rows of real imports have.

Both stores side by side: ``python -m bench.store_bench --events 1000000 --postgis auto``
(``auto``: a throwaway PostgreSQL/PostGIS cluster from ``scripts/postgis.sh``; or give a
``postgresql://`` URL of an empty database or schema).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.common import Figure, dir_size, machine, median_time, table
from geo.model import EVENT_TYPES, Event, Evidence

PART = "store"
TYPES = tuple(EVENT_TYPES)
ACTORS = ("Kataib Hezbollah", "Islamic State", "US-led coalition", "Turkish Armed Forces",
          "Syrian Democratic Forces", "Iraqi Security Forces")
#: The benchmark query: two strike types, one year, a box around Baghdad.
QUERY = {"types": ["air_strike", "drone_strike"], "since": "2019-01-01",
         "until": "2019-12-31", "bbox": (43.5, 33.0, 44.8, 34.0)}
TARGET_MS = 200.0
#: News reports merged (or added) one by one after the fill.
NEWS = 2_000
PROJECT = Path(__file__).resolve().parent.parent


def synthetic_events(n: int, seed: int = 0, offset: int = 0) -> Iterator[Event]:
    """``n`` located, dated events; event ``offset + i`` is the same for a seed whatever the
    batch it is made in."""
    day0 = date(2015, 1, 1)
    for i in range(offset, offset + n):
        rng = random.Random(seed * 1_000_003 + i)
        etype = rng.choice(TYPES)
        day = (day0 + timedelta(days=rng.randrange(3652))).isoformat()
        lat, lon = round(rng.uniform(29, 42), 5), round(rng.uniform(35, 49), 5)
        killed = rng.choice((None, 0, 1, 2, 3, 5, 12))
        text = (f"Synthetic report {i}: a {etype.replace('_', ' ')} near {lat:.2f}N {lon:.2f}E "
                f"on {day} was reported by local officials.")
        source = f"https://bench.example.org/ged/{i}"
        yield Event(
            event_type=etype, date=day, time_precision=1, place=f"Site {i % 5000}",
            place_name=f"Site {i % 5000}", place_id=f"bench:{i % 5000}", place_kind="town",
            country=rng.choice(("IQ", "SY")), lat=lat, lon=lon, geo_precision=1, killed=killed,
            actors=[rng.choice(ACTORS)], evidence=text, evidence_start=0,
            evidence_end=len(text), source=source, confidence=0.9, dataset="ucdp",
            sources=[Evidence(text, 0, len(text), source, "synthetic", day)],
        )


def news_reports(n: int, seed: int = 1) -> list[Event]:
    """``n`` news reports (each merge-checked against the store: the news path)."""
    out = []
    for ev in synthetic_events(n, seed, offset=10_000_000):
        ev.dataset, ev.source = "news", ev.source.replace("/ged/", "/news/")
        ev.sources = []
        out.append(ev)
    return out


def fill_store(path: str | Path, n: int, batch: int = 100_000, seed: int = 0) -> float:
    """Adds ``n`` synthetic events to the store at ``path`` (a folder or a URL) in calls of
    ``batch``; returns the seconds spent in ``add_events`` (making the Event objects is not
    timed)."""
    from geo.store import open_store

    spent = 0.0
    with open_store(path) as store:
        for offset in range(0, n, batch):
            events = list(synthetic_events(min(batch, n - offset), seed, offset))
            t0 = time.perf_counter()
            store.add_events(events)
            spent += time.perf_counter() - t0
    return spent


def _postgis_size(url: str) -> int:
    """Bytes of the store's tables with their indexes and TOAST in the URL's schema."""
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN "
            "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
            "c.relkind = 'r'").fetchone()[0])


def measure(where: str | Path, n: int, batch: int, repeats: int, part: str) -> list[Figure]:
    """Every figure of one store: filled at ``where`` (empty before), then asked."""
    from geo.store import is_url, open_store

    spent = fill_store(where, n, batch)
    with open_store(where) as store:
        count_s, rows = median_time(lambda: store.count(**QUERY), repeats)
        frame_s, frame = median_time(lambda: store.query_frame(**QUERY), repeats)
        all_s, total = median_time(store.count, repeats)
        store.facets(types=["bombing"])  # warm the planner and caches once, not the answer
        # three status filters that all keep every event: each answer is computed, not cached
        variants = iter([["reported"], ["reported", "planned"], ["reported", "denied"]] * 2)
        facet_s, _ = median_time(lambda: store.facets(statuses=next(variants)), 3)
        bins_s, _ = median_time(lambda: store.bins(1.0, statuses=next(variants)), 3)
        t0 = time.perf_counter()
        store.columns()
        columns_s = time.perf_counter() - t0
        news = news_reports(NEWS)
        t0 = time.perf_counter()
        for k in range(0, NEWS, 100):
            store.add_events(news[k:k + 100])
        news_s = time.perf_counter() - t0
    size = _postgis_size(str(where)) if is_url(where) else dir_size(Path(where))
    ms = 1000 * max(count_s, frame_s)
    return [
        Figure(part, f"add_events {n:,} in batches of {batch:,}", spent, "s"),
        Figure(part, "ingest rate", n / spent, "events/s"),
        Figure(part, f"count(type+date+bbox) -> {rows} rows, median of {repeats}",
               1000 * count_s, "ms", f"<= {TARGET_MS:.0f} ms", 1000 * count_s <= TARGET_MS),
        Figure(part, f"query_frame(type+date+bbox) -> {len(frame)} rows, median",
               1000 * frame_s, "ms", f"<= {TARGET_MS:.0f} ms", ms <= TARGET_MS),
        Figure(part, f"count() of all {total:,}, median", 1000 * all_s, "ms"),
        Figure(part, f"facets() of all {total:,} (statuses=reported, uncached), median of 3",
               1000 * facet_s, "ms"),
        Figure(part, "bins(1 degree) of all (statuses=reported, uncached), median of 3",
               1000 * bins_s, "ms"),
        Figure(part, "columns(): the map's snapshot, first read", columns_s, "s"),
        Figure(part, f"{NEWS:,} news reports merge-checked (20 calls of 100)",
               NEWS / news_s, "reports/s"),
        Figure(part, "size on disk" + (" (tables, indexes, TOAST)" if is_url(where) else
                                       " (closed, WAL checkpointed)"), size / 1e6, "MB"),
        Figure(part, "bytes per event", size / max(1, n), "B"),
    ]


def run(n: int = 1_000_000, batch: int = 100_000, repeats: int = 7,
        folder: Path | None = None, postgis: str | None = None) -> list[Figure]:
    """Every store figure over a fresh SQLite store of ``n`` events (in a temporary folder
    unless ``folder`` is given), then over ``postgis`` (an empty database or schema) if
    given."""
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        figures = measure(Path(folder or tmp) / "store", n, batch, repeats, PART)
    if postgis:
        figures += measure(postgis, n, batch, repeats, f"{PART}-postgis")
    return figures


def _throwaway_cluster(folder: Path) -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = subprocess.run(["bash", str(PROJECT / "scripts" / "postgis.sh"), "start",
                          str(folder), str(port)], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--postgis", metavar="URL|auto",
                        help="also a PostGIS store: an empty database/schema, or 'auto'")
    args = parser.parse_args(argv)
    cluster = None
    url = args.postgis
    if url == "auto":
        cluster = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        url = _throwaway_cluster(cluster)
    try:
        figures = run(n=args.events, batch=args.batch, repeats=args.repeats, postgis=url)
    finally:
        if cluster is not None:
            subprocess.run(["bash", str(PROJECT / "scripts" / "postgis.sh"), "stop",
                            str(cluster)], capture_output=True)
            shutil.rmtree(cluster, ignore_errors=True)
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
