"""Store commands: ``ingest``, ``export``, ``import``, ``seed``, ``stats``.

``--store`` (else ``$CONFLICT_MAP_STORE``, else ``var/store``) is a folder for the embedded
SQLite store or a ``postgresql://`` URL for a shared PostGIS one; anything else that looks
like a URL is a one-line error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geo.commands.args import bbox, iso_date, require_store
from geo.config import SEEDS_DIR, Settings
from geo.model import STATUSES

if TYPE_CHECKING:
    from geo.store import Store

EXPORT_FORMATS = ("geojson", "csv", "jsonl", "geoparquet", "gpkg", "acled")
STORE_HELP = ("store folder or postgresql://user@host/db URL (default: $CONFLICT_MAP_STORE or "
              "var/store)")


def store_location(args: argparse.Namespace, settings: Settings) -> str | Path:
    """The store named by ``--store`` exactly as typed (a URL keeps its ``//``), else the
    settings' (``$CONFLICT_MAP_STORE`` or the default folder)."""
    return getattr(args, "store", None) or settings.store_dir


def open_cli_store(args: argparse.Namespace, settings: Settings, *,
                   create: bool = True) -> Store:
    """The store the command works on; ``create=False``: one that must exist already."""
    from geo.store import is_url, open_store

    location = store_location(args, settings)
    if not create and not is_url(location):
        require_store(settings)
    return open_store(location, create=create)


def store_name(args: argparse.Namespace, settings: Settings) -> str:
    """The store for messages (a URL without its password)."""
    from geo.store import describe

    return describe(store_location(args, settings))


def register(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    i = add_parser("ingest", help="extract events and add them to the store")
    i.add_argument("paths", nargs="+", metavar="PATH")
    i.add_argument("--store", help=STORE_HELP)
    i.add_argument("--published", type=iso_date, help="publication date (YYYY-MM-DD)")
    i.add_argument("--workers", type=int, default=None,
                   help="extraction processes (default 1; Dask workers with --dask: 2)")
    i.add_argument("--dask", metavar="OUT_DIR",
                   help="run on Dask and write a month-partitioned GeoParquet dataset here "
                        "instead of the store")
    i.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --dask: an existing Dask scheduler (default: a local cluster)")
    i.set_defaults(handler=cmd_ingest)

    e = add_parser("export", help="write stored events to a file or stdout")
    e.add_argument("--store", help=STORE_HELP)
    e.add_argument("--format", choices=EXPORT_FORMATS, default="geojson")
    e.add_argument("--out", help="output file (text formats default to stdout)")
    e.add_argument("--type", action="append", dest="types", metavar="T",
                   help="event type (repeatable)")
    e.add_argument("--since", type=iso_date)
    e.add_argument("--until", type=iso_date)
    e.add_argument("--bbox", type=bbox, help="W,S,E,N in degrees")
    e.add_argument("--dataset", action="append", dest="datasets", metavar="NAME",
                   help="news, ucdp or acled (repeatable)")
    e.add_argument("--status", action="append", dest="statuses", choices=STATUSES,
                   help="only events of this status (repeatable; default every status)")
    e.set_defaults(handler=cmd_export)

    m = add_parser("import", help="import a UCDP GED or ACLED CSV into the store")
    m.add_argument("file", metavar="FILE")
    m.add_argument("--from", dest="fmt", choices=("ucdp", "acled"), required=True)
    m.add_argument("--store", help=STORE_HELP)
    m.set_defaults(handler=cmd_import)

    s = add_parser("seed", help="fill an empty store from seeds/ (what the app does)")
    s.add_argument("--store", help=STORE_HELP)
    s.set_defaults(handler=cmd_seed)

    t = add_parser("stats", help="what the store holds")
    t.add_argument("--store", help=STORE_HELP)
    t.set_defaults(handler=cmd_stats)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from geo.pipeline import ingest_paths

    if args.dask:
        return _ingest_dask(args, settings)
    if args.scheduler:
        raise ValueError("--scheduler needs --dask OUT_DIR")
    with open_cli_store(args, settings) as store:
        summary = ingest_paths(args.paths, store, settings, published=args.published,
                               workers=args.workers or 1, progress=True)
    for err in summary.errors:
        print(f"conflict-map: error: {err}", file=sys.stderr)
    if summary.articles > summary.failed:  # nothing read: the errors say it all
        print(f"{summary.line()} (store: {store_name(args, settings)})", file=sys.stderr)
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

    with open_cli_store(args, settings, create=False) as store:
        frame = store.query_frame(
            types=args.types, since=args.since, until=args.until, bbox=args.bbox,
            datasets=args.datasets, statuses=args.statuses,
            include_undated=args.since is None and args.until is None,
            include_unlocated=args.bbox is None)
    write_events(frame, args.format, args.out)
    if args.out:
        print(f"{len(frame)} events written to {args.out}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from geo.formats import load_dataset

    result = load_dataset(args.file, args.fmt)
    with open_cli_store(args, settings) as store:
        added = store.add_events(result.events)
    print(f"{args.file}: {result.summary()}; "
          f"{added.added} added, {added.merged} merged, {added.unchanged} already stored",
          file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from geo.pipeline import ingest_paths

    with open_cli_store(args, settings) as store:  # what pipeline.seed_store_if_empty does
        empty = not len(store) and not store.articles() and SEEDS_DIR.is_dir()
        n = ingest_paths([SEEDS_DIR], store, settings).added if empty else 0
    name = store_name(args, settings)
    print(f"seeded {n} events into {name}" if n else
          f"store {name} already holds events: not seeded", file=sys.stderr)
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    with open_cli_store(args, settings, create=False) as store:
        print(json.dumps(store.stats(), indent=2, default=str))
    return 0
