"""Gazetteer: process start to first answer (cold subprocess, cached index), lookups per
second for ``candidates()`` and ``lookup()``, resident memory.

Cold start is timed from the parent, around a fresh ``python -c`` that imports the package,
loads the cached index and answers one query: what a user of ``conflict-map geocode`` waits.
The index cache must exist (it is built on first use); :func:`run` loads it once first so a
stale cache is rebuilt outside the timing.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

from bench.common import Figure, median_time
from bench.corpus import load_names
from geo.config import Settings

PART = "gazetteer"

_COLD_SCRIPT = """
import json, time, resource
from geo.config import Settings
from geo.gazetteer import Gazetteer
g = Gazetteer.load(Settings(**json.loads({settings!r})))
answer = g.candidates("Baghdad", limit=1)
print(json.dumps({{"answer": answer[0].place.name if answer else None,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def cold_start(settings: Settings, repeats: int = 5) -> tuple[float, float, str]:
    """Median seconds from spawning a Python process to its first answer; its peak RSS (MB)."""
    script = _COLD_SCRIPT.format(settings=json.dumps({"cache_dir": str(settings.cache_dir)}))
    results: list[dict] = []

    def once() -> None:
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            raise RuntimeError(f"cold gazetteer process failed: {out.stderr.strip()[-300:]}")
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))

    seconds, _ = median_time(once, repeats)
    rss = sorted(r["rss_mb"] for r in results)[len(results) // 2]
    return seconds, rss, results[-1]["answer"] or ""


def query_names(n: int, seed: int = 0) -> list[str]:
    """``n`` queries drawn from real names, with some case and spelling variants and misses."""
    names = load_names()
    pool = list(names.bases + names.crossings + names.towns)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name = rng.choice(pool)
        r = rng.random()
        if r < 0.2:
            name = name.lower()
        elif r < 0.3:
            name = name.replace("-", " ")
        elif r < 0.35:
            name = name + "x"  # a miss
        out.append(name)
    return out


def throughput(fn, queries: list[str], repeats: int = 3) -> float:
    """Median calls per second of ``fn`` over the queries."""
    def loop() -> None:
        for q in queries:
            fn(q)

    seconds, _ = median_time(loop, repeats)
    return len(queries) / seconds


def run(n: int = 20_000, cold_repeats: int = 5, settings: Settings | None = None) -> list[Figure]:
    """Every gazetteer figure; ``n`` queries per throughput run."""
    from geo.gazetteer import Gazetteer

    settings = settings or Settings()
    t0 = time.perf_counter()
    gazetteer = Gazetteer.load(settings)  # builds the cache when stale, outside the timing
    warm_load = time.perf_counter() - t0
    cold, rss, answer = cold_start(settings, cold_repeats)
    queries = query_names(n)
    unique = list(dict.fromkeys(queries))
    first_pass = Gazetteer.load(settings)  # fresh object: per-name caches empty
    t0 = time.perf_counter()
    for q in unique:
        first_pass.candidates(q)
    cold_cand = len(unique) / (time.perf_counter() - t0)
    return [
        Figure(PART, f"cold process start to first answer ({answer})", cold, "s", "<= 1 s",
               cold <= 1.0),
        Figure(PART, "load cached index in a warm process", warm_load, "s"),
        Figure(PART, "peak RSS of that process", rss, "MB"),
        Figure(PART, f"candidates() on {len(unique)} distinct names, caches empty", cold_cand,
               "calls/s", ">= 100,000", cold_cand >= 100_000),
        _rate(f"candidates() x{n} (repeats, warm)", throughput(gazetteer.candidates, queries)),
        _rate(f"lookup() x{n} (repeats, warm)", throughput(gazetteer.lookup, queries)),
    ]


def _rate(name: str, per_second: float) -> Figure:
    return Figure(PART, name, per_second, "calls/s", ">= 100,000", per_second >= 100_000)
