"""Gazetteer commands: ``geocode``, ``evaluate-places`` and ``gazetteer add|list``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from geo.config import Settings


def register(add_parser: Callable[..., argparse.ArgumentParser]) -> None:
    g = add_parser("geocode", help="ranked gazetteer candidates for place names")
    g.add_argument("names", nargs="+", metavar="NAME")
    g.add_argument("--country", help="ISO 3166 alpha-2 code(s), comma-separated: only places "
                                     "in these countries answer (geopy's country_codes)")
    g.add_argument("--context", default="", help="text around the name (base words, places)")
    g.add_argument("--limit", type=int, default=5)
    g.add_argument("--json", action="store_true", help="one JSON line per name, in order")
    g.set_defaults(handler=cmd_geocode)

    e = add_parser("evaluate-places",
                   help="toponym resolution on a gold corpus (LGL / GeoWebNews XML)")
    e.add_argument("corpus", type=Path, metavar="CORPUS.xml")
    e.add_argument("--json", action="store_true", help="the figures as one JSON object")
    e.add_argument("--limit", type=int, default=None, help="the first N articles only")
    e.add_argument("--country", help="ISO alpha-2 code(s), comma-separated: only places there "
                                     "answer (a filter, as geocode --country)")
    e.add_argument("--km", type=float, default=161.0,
                   help="a second accuracy threshold in km (e.g. 25 for UCDP's exact places)")
    e.add_argument("--method", choices=("document", "name"), default="document",
                   help="document: each span in its article resolved at once (default); "
                        "name: each span asked alone with the article as context")
    e.set_defaults(handler=cmd_evaluate_places)

    z = add_parser("gazetteer", help="your own gazetteer files (GeoNames country files, CSV)")
    actions = z.add_subparsers(dest="gazetteer_action", required=True, metavar="ACTION")
    a = actions.add_parser("add", help="check a GeoNames dump (IQ.txt, allCountries.txt) or a "
                                       "CSV of name,lat,lon[,kind,country,aliases], keep it in "
                                       "the store's folder and rebuild the index once")
    a.add_argument("file", type=Path, metavar="FILE")
    a.add_argument("--store", help="store folder (default: $CONFLICT_MAP_STORE or var/store)")
    a.set_defaults(handler=cmd_gazetteer_add)
    li = actions.add_parser("list", help="the gazetteer files kept in the store's folder")
    li.add_argument("--store")
    li.set_defaults(handler=cmd_gazetteer_list)


def cmd_geocode(args: argparse.Namespace, settings: Settings) -> int:
    from geo.gazetteer import Gazetteer

    gaz = Gazetteer.load(settings)
    countries = country_codes(args.country)
    for name in args.names:
        cands = gaz.candidates(name, country=countries or None, context=args.context,
                               limit=max(1, args.limit), within=countries or None)
        if args.json:
            print(json.dumps([{
                "name": c.place.name, "kind": c.place.kind, "country": c.place.country,
                "lat": c.place.lat, "lon": c.place.lon, "source": c.place.source,
                "id": c.place.id, "score": round(c.score, 3), "reasons": list(c.reasons),
                "precision": c.precision, "bbox": list(c.place.bbox) if c.place.bbox else None,
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


def country_codes(value: str | None) -> list[str]:
    """"IQ" or "iq,sy" -> ["IQ", "SY"]; a code that is not two letters is refused."""
    codes = [c.strip().upper() for c in (value or "").split(",") if c.strip()]
    for c in codes:
        if len(c) != 2 or not c.isalpha():
            raise ValueError(f"--country takes ISO 3166 alpha-2 codes (e.g. IQ), got {c!r}")
    return codes


def cmd_evaluate_places(args: argparse.Namespace, settings: Settings) -> int:
    from geo.gazetteer import Gazetteer
    from geo.gazetteer.evaluate import RESOLVERS, evaluate, read_corpus

    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be at least 1, got {args.limit}")
    if not args.km > 0:
        raise ValueError(f"--km must be a positive number of km, got {args.km}")
    articles, skipped = read_corpus(args.corpus, args.limit)
    gaz = Gazetteer.load(settings)
    resolver = RESOLVERS[args.method](gaz, country_codes(args.country))
    report = evaluate(articles, resolver, skipped, km=args.km)
    figures = report.figures()
    worst = [{"doc": o.docid, "phrase": o.gold.phrase, "feature": o.gold.feature,
              "gold": [o.gold.lat, o.gold.lon], "answer": o.answer.label if o.answer else None,
              "error_km": round(o.error_km or 0.0, 1)} for o in report.worst(10)]
    if args.json:
        print(json.dumps({"corpus": str(args.corpus), "method": args.method,
                          "articles": len(articles), "skipped": skipped, **figures,
                          "by_feature": report.by_feature(), "worst": worst},
                         ensure_ascii=False))
        return 0
    print(f"{args.corpus}: {len(articles)} articles, {figures['toponyms']} gold toponyms with "
          f"coordinates ({skipped} without), method {args.method}")
    print(f"  acc@161 km        {figures['acc161']:.1%}  (of answers: "
          f"{figures['acc161_of_answers']:.1%})")
    print(f"  answered          {figures['share_answered']:.1%}  ({figures['answered']})")
    print(f"  median error      {figures['median_km']:,.1f} km  (of answers: "
          f"{figures['median_km_of_answers']:,.1f} km)")
    print(f"  mean error        {figures['mean_km']:,.1f} km  (unanswered count 20,039 km)")
    print(f"  AUC (log error)   {figures['auc']:.3f}  (0 is perfect)")
    if args.km != 161.0:
        print(f"  within {args.km:g} km      {figures['acc_km']:.1%}  (of answers: "
              f"{figures['acc_km_of_answers']:.1%})")
    by_feature = report.by_feature()
    if by_feature:
        print("  per feature class:")
        for name, f in by_feature.items():
            print(f"    {name:<14} {f['toponyms']:>5}  acc@161 {f['acc161']:.1%}  answered "
                  f"{f['share_answered']:.1%}  median {f['median_km']:,.1f} km")
    print("  ten worst errors:")
    for w in worst:
        print(f"    {w['error_km']:>9,.1f} km  {w['phrase']!r} ({w['feature'] or '-'}, doc "
              f"{w['doc']}) -> {w['answer']}")
    return 0


def cmd_gazetteer_add(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from geo.gazetteer import Gazetteer
    from geo.gazetteer.userdata import add_user_file

    target, count = add_user_file(settings.store_dir, args.file)
    started = time.perf_counter()
    gaz = Gazetteer.load(settings)  # the cache key now covers the file: rebuilt once, here
    print(f"{args.file}: {count:,} places kept as {target}; index rebuilt with "
          f"{len(gaz):,} places in {time.perf_counter() - started:.0f} s")
    return 0


def cmd_gazetteer_list(args: argparse.Namespace, settings: Settings) -> int:
    from geo.gazetteer.userdata import user_dir, user_files

    files = user_files(settings.store_dir)
    if not files:
        print(f"no gazetteer files in {user_dir(settings.store_dir)}")
    for f in files:
        print(f"{f}  {f.stat().st_size:,} bytes")
    return 0
