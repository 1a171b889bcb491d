"""Event commands: ``extract``, ``evaluate``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from geo.commands.args import iso_date
from geo.config import Settings


def register(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    x = add_parser("extract", help="events found in articles (nothing is stored)")
    x.add_argument("paths", nargs="+", metavar="PATH")
    x.add_argument("--published", type=iso_date, help="publication date (YYYY-MM-DD)")
    x.add_argument("--format", choices=("geojson", "jsonl", "csv"), default="geojson")
    x.add_argument("--workers", type=int, default=1)
    x.set_defaults(handler=cmd_extract)

    v = add_parser("evaluate", help="precision and recall against gold events")
    v.add_argument("--gold", required=True)
    v.add_argument("--articles", required=True)
    v.add_argument("--json", action="store_true")
    v.add_argument("--unmatched", action="store_true",
                   help="also list each missed gold event and each unmatched prediction")
    v.set_defaults(handler=cmd_evaluate)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from geo.formats import write_events
    from geo.pipeline import extract_paths

    events, failed, read = [], 0, 0
    for item in extract_paths(args.paths, settings, published=args.published,
                              workers=args.workers, progress=True):
        read += 1
        if item.error:
            failed += 1
            print(f"conflict-map: error: {item.error}", file=sys.stderr)
        events.extend(item.events)
    write_events(events, args.format, None)
    if read > 1:
        print(f"{read} articles read ({failed} failed); {len(events)} events found",
              file=sys.stderr)
    return 2 if failed else 0


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from geo.extract import evaluate
    from geo.pipeline import load_extractor

    report = evaluate(args.gold, args.articles, load_extractor(settings))
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
        return 0
    print(report.table() + "\n\n" + report.type_table())
    if args.unmatched:
        print("\n" + report.unmatched())
    return 0
