"""The ``conflict-map`` command: the contract that tests, scripts and the app rely on.

Every failure the user can cause ends with exit code 2 and one line on stderr naming the file
and the problem (``CONFLICT_MAP_DEBUG=1`` shows the traceback instead).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date

from geo.config import Settings
from geo.inputs import printable

EXPORT_FORMATS = ("geojson", "csv", "jsonl", "geoparquet", "gpkg", "acled")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(x) for x in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bbox must be W,S,E,N numbers: {value!r}") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise argparse.ArgumentTypeError(f"bbox out of range (W,S,E,N): {value!r}")
    return w, s, e, n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="conflict-map",
        description="Offline-first conflict map: news articles to events on a map.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("geocode", help="ranked gazetteer candidates for place names")
    g.add_argument("names", nargs="+", metavar="NAME")
    g.add_argument("--country", help="ISO 3166 alpha-2 code of the expected country")
    g.add_argument("--context", default="", help="text around the name (base words, places)")
    g.add_argument("--limit", type=int, default=5)
    g.add_argument("--json", action="store_true", help="one JSON line per name, in order")

    x = sub.add_parser("extract", help="events found in articles (nothing is stored)")
    x.add_argument("paths", nargs="+", metavar="PATH")
    x.add_argument("--published", type=_iso_date, help="publication date (YYYY-MM-DD)")
    x.add_argument("--format", choices=("geojson", "jsonl", "csv"), default="geojson")
    x.add_argument("--workers", type=int, default=1)

    i = sub.add_parser("ingest", help="extract events and add them to the store")
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.add_argument("--store", help="store folder (default: $CONFLICT_MAP_STORE or var/store)")
    i.add_argument("--published", type=_iso_date, help="publication date (YYYY-MM-DD)")
    i.add_argument("--workers", type=int, default=None,
                   help="extraction processes (default 1; Dask workers with --dask: 2)")
    i.add_argument("--dask", metavar="OUT_DIR",
                   help="run on Dask and write a month-partitioned GeoParquet dataset here "
                        "instead of the store")
    i.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --dask: an existing Dask scheduler (default: a local cluster)")

    e = sub.add_parser("export", help="write stored events to a file or stdout")
    e.add_argument("--store")
    e.add_argument("--format", choices=EXPORT_FORMATS, default="geojson")
    e.add_argument("--out", help="output file (text formats default to stdout)")
    e.add_argument("--type", action="append", dest="types", metavar="T",
                   help="event type (repeatable)")
    e.add_argument("--since", type=_iso_date)
    e.add_argument("--until", type=_iso_date)
    e.add_argument("--bbox", type=_bbox, help="W,S,E,N in degrees")
    e.add_argument("--dataset", action="append", dest="datasets", metavar="NAME",
                   help="news, ucdp or acled (repeatable)")

    v = sub.add_parser("evaluate", help="precision and recall against gold events")
    v.add_argument("--gold", required=True)
    v.add_argument("--articles", required=True)
    v.add_argument("--json", action="store_true")
    v.add_argument("--unmatched", action="store_true",
                   help="also list each missed gold event and each unmatched prediction")

    m = sub.add_parser("import", help="import a UCDP GED or ACLED CSV into the store")
    m.add_argument("file", metavar="FILE")
    m.add_argument("--from", dest="fmt", choices=("ucdp", "acled"), required=True)
    m.add_argument("--store")

    s = sub.add_parser("seed", help="fill an empty store from seeds/ (what the app does)")
    s.add_argument("--store")

    t = sub.add_parser("stats", help="what the store holds")
    t.add_argument("--store")
    return p


# --- commands -------------------------------------------------------------------------------------

def cmd_geocode(args: argparse.Namespace, settings: Settings) -> int:
    from geo.gazetteer import Gazetteer

    gaz = Gazetteer.load(settings)
    for name in args.names:
        cands = gaz.candidates(name, country=args.country, context=args.context,
                               limit=max(1, args.limit))
        if args.json:
            print(json.dumps([{
                "name": c.place.name, "kind": c.place.kind, "country": c.place.country,
                "lat": c.place.lat, "lon": c.place.lon, "source": c.place.source,
                "id": c.place.id, "score": round(c.score, 3), "reasons": list(c.reasons),
            } for c in cands], ensure_ascii=False))
            continue
        print(f"{name}: " + ("unresolved (no gazetteer entry)" if not cands else
                             f"{len(cands)} candidate(s)"))
        for rank, c in enumerate(cands, 1):
            pl = c.place
            where = f"{pl.lat:.5f}, {pl.lon:.5f}" if pl.has_point else "no point"
            print(f"  {rank}. {pl.name} ({pl.kind}, {pl.country or '-'}) {where}  {pl.id}  "
                  f"score {c.score:.2f}  [{'; '.join(c.reasons)}]")
    return 0


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


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from geo.pipeline import ingest_paths
    from geo.store import EventStore

    if args.dask:
        return _ingest_dask(args, settings)
    if args.scheduler:
        raise ValueError("--scheduler needs --dask OUT_DIR")
    with EventStore(settings.store_dir) as store:
        summary = ingest_paths(args.paths, store, settings, published=args.published,
                               workers=args.workers or 1, progress=True)
    for err in summary.errors:
        print(f"conflict-map: error: {err}", file=sys.stderr)
    if summary.articles > summary.failed:  # nothing read: the errors say it all
        print(f"{summary.line()} (store: {settings.store_dir})", file=sys.stderr)
    return 2 if summary.failed else 0


def _ingest_dask(args: argparse.Namespace, settings: Settings) -> int:
    from geo.distributed import ingest_dask

    summary = ingest_dask(args.paths, args.dask, scheduler=args.scheduler,
                          n_workers=args.workers or 2, published=args.published,
                          settings=settings)
    for err in summary.errors:
        print(f"conflict-map: error: {err}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return 2 if summary.failed else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from geo.formats import write_events
    from geo.store import EventStore

    _require_store(settings)
    with EventStore(settings.store_dir, create=False) as store:
        frame = store.query_frame(
            types=args.types, since=args.since, until=args.until, bbox=args.bbox,
            datasets=args.datasets, include_undated=args.since is None and args.until is None,
            include_unlocated=args.bbox is None)
    write_events(frame, args.format, args.out)
    if args.out:
        print(f"{len(frame)} events written to {args.out}", file=sys.stderr)
    return 0


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


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from geo.formats import load_dataset
    from geo.store import EventStore

    result = load_dataset(args.file, args.fmt)
    with EventStore(settings.store_dir) as store:
        added = store.add_events(result.events)
    print(f"{args.file}: {result.summary()}; "
          f"{added.added} added, {added.merged} merged, {added.unchanged} already stored",
          file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from geo.pipeline import seed_store_if_empty

    n = seed_store_if_empty(settings)
    print(f"seeded {n} events into {settings.store_dir}" if n else
          f"store {settings.store_dir} already holds events: not seeded", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from geo.store import EventStore

    _require_store(settings)
    with EventStore(settings.store_dir, create=False) as store:
        print(json.dumps(store.stats(), indent=2, default=str))
    return 0


def _require_store(settings: Settings) -> None:
    if not settings.store_dir.exists():
        raise ValueError(f"{settings.store_dir}: no store here (run 'conflict-map ingest' first)")


COMMANDS = {"geocode": cmd_geocode, "extract": cmd_extract, "ingest": cmd_ingest,
            "export": cmd_export, "evaluate": cmd_evaluate, "import": cmd_import,
            "seed": cmd_seed, "stats": cmd_stats}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env().with_store(getattr(args, "store", None))
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        print("conflict-map: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # output piped into `head`: not an error
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI promises one line, never a traceback
        if os.environ.get("CONFLICT_MAP_DEBUG"):
            raise
        msg = printable(" ".join(str(exc).split())) or type(exc).__name__
        print(f"conflict-map: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
