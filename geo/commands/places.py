"""Gazetteer commands: ``geocode``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from geo.config import Settings


def register(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    g = add_parser("geocode", help="ranked gazetteer candidates for place names")
    g.add_argument("names", nargs="+", metavar="NAME")
    g.add_argument("--country", help="ISO 3166 alpha-2 code of the expected country")
    g.add_argument("--context", default="", help="text around the name (base words, places)")
    g.add_argument("--limit", type=int, default=5)
    g.add_argument("--json", action="store_true", help="one JSON line per name, in order")
    g.set_defaults(handler=cmd_geocode)


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
