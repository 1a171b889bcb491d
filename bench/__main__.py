"""``python -m bench [gazetteer|extract|store|map ...] [--n N] ...`` prints one table.

With no part named, every part runs with the issue's sizes (the full run takes about an hour on
two cores, most of it extraction; ``--n`` shortens it). Figures and the machine are printed, so
a run pasted into docs/performance.md is self-describing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bench import extract_bench, gazetteer_bench, long_bench, map_bench, store_bench
from bench.common import Figure, machine, table

PARTS = ("gazetteer", "extract", "long", "store", "map")


def _runners(args: argparse.Namespace) -> dict[str, Callable[[], list[Figure]]]:
    sizes = tuple(int(s) for s in args.map_sizes.split(",") if s.strip())
    long_sizes = tuple(int(s) for s in args.long_sizes.split(",") if s.strip())
    return {
        "gazetteer": lambda: gazetteer_bench.run(n=args.lookups),
        "extract": lambda: extract_bench.run(n=args.n, seed=args.seed, workers=args.workers),
        "long": lambda: long_bench.run(sizes=long_sizes),
        "store": lambda: store_bench.run(n=args.events, batch=args.batch),
        "map": lambda: map_bench.run(sizes=sizes, browser=not args.no_browser),
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("parts", nargs="*", metavar="PART",
                        help=f"any of {', '.join(PARTS)} (default: all)")
    parser.add_argument("--n", type=int, default=10_000, help="generated articles to extract")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--workers", type=int, default=None, help="all-cores run (default: nproc)")
    parser.add_argument("--lookups", type=int, default=20_000, help="gazetteer queries per run")
    parser.add_argument("--events", type=int, default=1_000_000, help="store size")
    parser.add_argument("--batch", type=int, default=100_000, help="events per add_events call")
    parser.add_argument("--map-sizes", default="1000,10000,100000,1000000",
                        help="comma-separated stored-event counts for the map")
    parser.add_argument("--long-sizes", default=",".join(map(str, long_bench.SIZES)),
                        help="comma-separated article sizes in bytes for the long-article part")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    args = parser.parse_args(argv)
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        parser.error(f"unknown part {unknown[0]!r}: choose from {', '.join(PARTS)}")
    for name in ("n", "lookups", "events", "batch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    runners = _runners(args)
    figures: list[Figure] = []
    for part in args.parts or PARTS:
        print(f"running {part} ...", file=sys.stderr, flush=True)
        figures += runners[part]()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
