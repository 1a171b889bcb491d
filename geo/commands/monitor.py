"""Monitor commands: ``watch`` (feeds on a schedule), ``watchlist`` (places to alert near),
``alerts`` (what was alerted).

``watch`` prints each alert on stdout as it is recorded, one line per problem (a feed that is
down, malformed or not a feed; a page that cannot be read) on stderr while the other feeds go
on, and one log line per cycle on stderr. ``--once`` polls once and exits: 0, or 2 when a
source failed; without it the watch runs until interrupted, and a store that goes away (a
database restart) is one line per cycle until it is back.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.commands.store import STORE_HELP, open_cli_store, store_name
from geo.config import Settings


def register(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    w = add_parser("watch", help="poll feeds, folders or URL lists on a schedule into the store")
    w.add_argument("feeds", nargs="+", metavar="FEED",
                   help="an http(s) RSS/Atom feed, a feed file, a folder of saved pages, or "
                        "a file of article URLs (one per line)")
    w.add_argument("--every", default="15m", help="time between polls (15m, 90s, 1h; "
                                                  "default 15m)")
    w.add_argument("--once", action="store_true", help="poll once and exit")
    w.add_argument("--store", help=STORE_HELP)
    w.add_argument("--webhook", metavar="URL", help="also POST each alert as JSON to this URL")
    w.add_argument("--alerts-jsonl", metavar="FILE", help="also append each alert to this file")
    w.add_argument("--max-entries", type=int, default=100,
                   help="entries read per source per cycle (default 100; the rest wait)")
    w.add_argument("--timeout", type=float, default=10.0,
                   help="seconds a request may take (default 10)")
    w.add_argument("--host-delay", type=float, default=1.0,
                   help="seconds between two requests to one host (default 1)")
    w.set_defaults(handler=cmd_watch)

    wl = add_parser("watchlist", help="places whose surroundings raise alerts")
    sub = wl.add_subparsers(dest="action", required=True, metavar="ACTION")
    a = sub.add_parser("add", help="watch a place (resolved with the gazetteer)")
    a.add_argument("name", metavar="PLACE")
    a.add_argument("--radius", default="25km", help="alert radius (25km, 2500m, 10mi)")
    a.add_argument("--country", help="ISO alpha-2 code, to pick among namesakes")
    a.add_argument("--at", metavar="LAT,LON", help="the point, instead of the gazetteer's")
    a.add_argument("--store", help=STORE_HELP)
    ls = sub.add_parser("list", help="the watched places")
    ls.add_argument("--store", help=STORE_HELP)
    rm = sub.add_parser("remove", help="stop watching a place")
    rm.add_argument("name", metavar="PLACE")
    rm.add_argument("--store", help=STORE_HELP)
    wl.set_defaults(handler=cmd_watchlist)

    al = add_parser("alerts", help="alerts recorded near watched places, newest first")
    al.add_argument("--since", help="only alerts recorded at or after this ISO time")
    al.add_argument("--limit", type=int, default=20)
    al.add_argument("--json", action="store_true", help="one JSON object per line")
    al.add_argument("--store", help=STORE_HELP)
    al.set_defaults(handler=cmd_alerts)


def _sinks(args: argparse.Namespace, settings: Settings) -> list[Any]:
    from geo.monitor import JsonlSink, PrintSink, WebhookSink

    sinks: list[Any] = [PrintSink(sys.stdout)]
    if args.alerts_jsonl:
        sinks.append(JsonlSink(Path(args.alerts_jsonl).expanduser()))
    if args.webhook:
        sinks.append(WebhookSink(args.webhook, settings.user_agent, timeout=args.timeout))
    return sinks


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from geo.monitor import Monitor, WatchOptions, parse_every, source_for
    from geo.store import StoreError

    every = parse_every(args.every)
    options = WatchOptions(timeout=args.timeout, host_delay=args.host_delay,
                           max_entries=args.max_entries,
                           max_page_bytes=settings.max_article_bytes)
    sources = [source_for(f) for f in dict.fromkeys(args.feeds)]
    sinks = _sinks(args, settings)
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager stops it like Ctrl-C
    failed = False
    with open_cli_store(args, settings) as store:
        monitor = Monitor(store, sources, settings, options=options, sinks=sinks,
                          progress=True)
        print(f"watching {len(sources)} source(s) into {store_name(args, settings)}"
              + ("" if args.once else f", every {args.every}"), file=sys.stderr)
        try:
            while True:
                started = time.monotonic()
                try:
                    report = monitor.cycle()
                except StoreError as exc:
                    print(f"conflict-map: error: {exc}", file=sys.stderr)
                    if args.once:
                        return 2
                else:
                    for err in report.errors:
                        print(f"conflict-map: watch: {err}", file=sys.stderr)
                    print(report.line(), file=sys.stderr, flush=True)
                    failed = bool(report.failed_sources)
                if args.once:
                    break
                time.sleep(max(0.0, every - (time.monotonic() - started)))
        except KeyboardInterrupt:
            print(f"stopped after {monitor.cycles} cycle(s)", file=sys.stderr)
            return 0
    return 2 if failed else 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def cmd_watchlist(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "add":
        from geo.monitor import parse_radius

        radius = parse_radius(args.radius)  # a bad radius needs no gazetteer
        place = _point(args) if args.at else _resolve(args.name, args.country, settings)
        with open_cli_store(args, settings) as store:
            watch = store.add_watch(args.name, place["lat"], place["lon"], radius,
                                    place_id=place.get("id"), place_name=place.get("name"),
                                    country=place.get("country"))
        print(f"watching {_describe(watch)}", file=sys.stderr)
        return 0
    with open_cli_store(args, settings) as store:
        if args.action == "remove":
            if not store.remove_watch(args.name):
                raise ValueError(f"{args.name!r} is not on the watchlist "
                                 f"({', '.join(w['name'] for w in store.watchlist()) or 'empty'})")
            print(f"no longer watching {args.name}", file=sys.stderr)
            return 0
        for watch in store.watchlist():
            print(_describe(watch))
    return 0


def _point(args: argparse.Namespace) -> dict[str, Any]:
    try:
        lat, lon = (float(v) for v in args.at.split(","))
    except ValueError:
        raise ValueError(f"--at {args.at!r} is not LAT,LON") from None
    return {"lat": lat, "lon": lon, "name": args.name, "country": args.country}


def _resolve(name: str, country: str | None, settings: Settings) -> dict[str, Any]:
    """The gazetteer's best place with a point for ``name`` (sites preferred: a watched
    place is usually a base); never a guess: no candidate is an error."""
    from geo.gazetteer import Gazetteer

    gaz = Gazetteer.load(settings)
    found = [c for c in gaz.candidates(name, country=country, context=name, limit=5)
             if c.place.has_point]
    if not found:
        raise ValueError(f"{name!r}: no such place in the gazetteer (give --at LAT,LON, or "
                         "--country to pick among namesakes)")
    best = found[0].place
    others = ", ".join(f"{c.place.name} ({c.place.kind}, {c.place.country})"
                       for c in found[1:3])
    if others:
        print(f"{name}: chose {best.name} ({best.kind}, {best.country}) over {others}; "
              "--country or --at to choose another", file=sys.stderr)
    return {"lat": best.lat, "lon": best.lon, "id": best.id, "name": best.name,
            "country": best.country}


def _describe(watch: dict[str, Any]) -> str:
    place = watch.get("place_name") or watch["name"]
    where = f"{place} ({watch['country']})" if watch.get("country") else place
    return (f"{watch['name']}: {where} {watch['lat']:.5f}, {watch['lon']:.5f} within "
            f"{watch['radius_km']:g} km" + (f"  {watch['place_id']}" if watch.get("place_id")
                                            else ""))


def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    from geo.monitor.alerts import describe

    with open_cli_store(args, settings, create=False) as store:
        alerts = store.alerts(since=args.since, limit=max(1, args.limit))
    for alert in alerts:
        print(json.dumps(alert, ensure_ascii=False, sort_keys=True) if args.json
              else f"{alert['created_at']} {describe(alert)}")
    return 0
