"""Store: ingest of N synthetic events through ``EventStore.add_events`` in batches, the median
latency of a type + date + bounding-box query (``count`` and ``query_frame``), ``count()`` of
everything, and the size on disk.

The events look like an imported dataset (``dataset="ucdp"``: the bulk path; curated records
are not merged), spread over 2015-2024 and the Iraq-Syria box 29-42N 35-49E, with an evidence
sentence and one source each, as stored rows of real imports have.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bench.common import Figure, dir_size, median_time
from geo.model import EVENT_TYPES, Event, Evidence

PART = "store"
TYPES = tuple(EVENT_TYPES)
ACTORS = ("Kataib Hezbollah", "Islamic State", "US-led coalition", "Turkish Armed Forces",
          "Syrian Democratic Forces", "Iraqi Security Forces")
#: The benchmark query: two strike types, one year, a box around Baghdad.
QUERY = {"types": ["air_strike", "drone_strike"], "since": "2019-01-01",
         "until": "2019-12-31", "bbox": (43.5, 33.0, 44.8, 34.0)}
TARGET_MS = 200.0


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


def fill_store(path: Path, n: int, batch: int = 100_000, seed: int = 0) -> float:
    """Adds ``n`` synthetic events in calls of ``batch``; returns the seconds spent in
    ``add_events`` (making the Event objects is not timed)."""
    from geo.store import EventStore

    spent = 0.0
    with EventStore(path) as store:
        for offset in range(0, n, batch):
            events = list(synthetic_events(min(batch, n - offset), seed, offset))
            t0 = time.perf_counter()
            store.add_events(events)
            spent += time.perf_counter() - t0
    return spent


def run(n: int = 1_000_000, batch: int = 100_000, repeats: int = 7,
        folder: Path | None = None) -> list[Figure]:
    """Every store figure over a fresh store of ``n`` events (in a temporary folder unless
    ``folder`` is given)."""
    from geo.store import EventStore

    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        where = Path(folder or tmp) / "store"
        spent = fill_store(where, n, batch)
        with EventStore(where) as store:
            count_s, rows = median_time(lambda: store.count(**QUERY), repeats)
            frame_s, frame = median_time(lambda: store.query_frame(**QUERY), repeats)
            all_s, total = median_time(store.count, repeats)
        size = dir_size(where)
    ms = 1000 * max(count_s, frame_s)
    return [
        Figure(PART, f"add_events {n:,} in batches of {batch:,}", spent, "s"),
        Figure(PART, "ingest rate", n / spent, "events/s"),
        Figure(PART, f"count(type+date+bbox) -> {rows} rows, median of {repeats}",
               1000 * count_s, "ms", f"<= {TARGET_MS:.0f} ms", 1000 * count_s <= TARGET_MS),
        Figure(PART, f"query_frame(type+date+bbox) -> {len(frame)} rows, median",
               1000 * frame_s, "ms", f"<= {TARGET_MS:.0f} ms", ms <= TARGET_MS),
        Figure(PART, f"count() of all {total:,}, median", 1000 * all_s, "ms"),
        Figure(PART, "size on disk (closed, WAL checkpointed)", size / 1e6, "MB"),
        Figure(PART, "bytes per event", size / max(1, n), "B"),
    ]
