"""``python -m bench.dates_bench [--n N] [--dateparser-sentences N]``: our date parser
(``geo.text.dates.find_dates``) against ``dateparser`` (``search_dates``), on the project's
own material.

Accuracy: for every gold event with a date (tests/fixtures/news/gold_dev.jsonl and
gold_test.jsonl, tests/fixtures/dev/gold.jsonl), its evidence sentence is given to each parser
with the article's publication date (read by ``geo.articles``) as the reference
(dateparser: settings RELATIVE_BASE, PREFER_DATES_FROM='past'). A parser is *right* when one
of the dates it finds names the gold date (compared at the gold's precision: a gold month
is right for any day of it from dateparser, which always gives a day; ours must give at
least the gold's precision, with a week or a range of days read as its first day, as the
extractor does), *wrong* when it finds dates but none names it, *none* when it finds none.

Speed: sentences per second on the same evidence sentences, and on the sentences of the
bench corpus's first ``--n`` articles (``bench.extract_bench.corpus``); dateparser is timed
on the first ``--dateparser-sentences`` of those (it is far slower).

``dateparser`` is a bench-only dependency: without it the bench prints one line and stops.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
GOLD = (("news dev", FIXTURES / "news" / "gold_dev.jsonl", FIXTURES / "news" / "articles"),
        ("news test", FIXTURES / "news" / "gold_test.jsonl", FIXTURES / "news" / "articles"),
        ("dev", FIXTURES / "dev" / "gold.jsonl", FIXTURES / "dev" / "articles"))


@dataclass(frozen=True)
class Case:
    """One gold event's evidence sentence, its article's publication date and its date."""

    split: str
    article: str
    sentence: str
    published: date | None
    gold: str  # "YYYY-MM-DD", "YYYY-MM" or "YYYY"


def gold_cases() -> list[Case]:
    from geo.articles import read_article

    published: dict[Path, date | None] = {}
    cases = []
    for split, gold, folder in GOLD:
        for line in gold.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            ev = json.loads(line)
            if not ev.get("date") or not ev.get("evidence"):
                continue
            path = folder / ev["article"]
            if path not in published:
                published[path] = read_article(path).published
            cases.append(Case(split, ev["article"], ev["evidence"], published[path], ev["date"]))
    return cases


def ours(sentence: str, published: date | None) -> list[str]:
    """Our parser's dates of a sentence, as the extractor labels them."""
    from geo.text.dates import find_dates

    return [r.first.isoformat() if r.precision == 2 else r.date
            for r in find_dates(sentence, published)]


def dateparser_reader() -> Callable[[str, date | None], list[str]] | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None

    def read(sentence: str, published: date | None) -> list[str]:
        settings: dict[str, object] = {"PREFER_DATES_FROM": "past"}
        if published is not None:
            settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
        found = search_dates(sentence, languages=["en"], settings=settings) or []
        return [d.date().isoformat() for _, d in found]

    return read


def verdict(found: list[str], gold: str) -> str:
    if not found:
        return "none"
    return "right" if any(len(f) >= len(gold) and f[:len(gold)] == gold for f in found) \
        else "wrong"


def rate(read: Callable[[str, date | None], list[str]],
         items: list[tuple[str, date | None]]) -> float:
    """Sentences per second (best of three runs on small sets, one on large ones)."""
    best = float("inf")
    for _ in range(3 if len(items) < 2000 else 1):
        t0 = time.perf_counter()
        for sentence, published in items:
            read(sentence, published)
        best = min(best, time.perf_counter() - t0)
    return len(items) / best if best > 0 else float("inf")


def corpus_sentences(n: int) -> list[tuple[str, date | None]]:
    from bench.extract_bench import corpus
    from geo.articles import read_article
    from geo.text.sentences import split_sentences

    out = []
    for path in corpus(n):
        article = read_article(path)
        out += [(article.text[s:e], article.published) for s, e in split_sentences(article.text)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dates_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="bench corpus articles")
    parser.add_argument("--dateparser-sentences", type=int, default=2000,
                        help="corpus sentences dateparser is timed on")
    parser.add_argument("--show", type=int, default=0,
                        help="print up to N sentences where the two disagree")
    args = parser.parse_args(argv)
    other = dateparser_reader()
    if other is None:
        print("dates bench skipped: dateparser is not installed (pip install dateparser)")
        return 0
    import dateparser

    readers = {"ours": ours, f"dateparser {dateparser.__version__}": other}
    cases = gold_cases()
    counts: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in readers}
    answers: dict[str, list[tuple[list[str], str]]] = {name: [] for name in readers}
    for case in cases:
        for name, read in readers.items():
            found = read(case.sentence, case.published)
            v = verdict(found, case.gold)
            counts[name][(case.split, v)] += 1
            counts[name][("all", v)] += 1
            answers[name].append((found, v))
    items = [(c.sentence, c.published) for c in cases]
    bench_items = corpus_sentences(args.n)
    splits = [s for s, _, _ in GOLD] + ["all"]
    sizes = Counter(c.split for c in cases)
    sizes["all"] = len(cases)

    print(f"gold events with a date and evidence: {len(cases)} "
          f"({', '.join(f'{s} {sizes[s]}' for s in splits[:-1])}); "
          f"bench corpus: {args.n} articles, {len(bench_items)} sentences")
    head = ("parser", "set", "right", "wrong", "none", "gold sent/s", "corpus sent/s")
    rows = [head]
    for name, read in readers.items():
        gold_rate = rate(read, items)
        sample = bench_items if name == "ours" else bench_items[:args.dateparser_sentences]
        corpus_rate = rate(read, sample)
        for split in splits:
            c = counts[name]
            rows.append((name, f"{split} ({sizes[split]})",
                         *(str(c[(split, v)]) for v in ("right", "wrong", "none")),
                         f"{gold_rate:,.0f}" if split == "all" else "",
                         f"{corpus_rate:,.0f} ({len(sample)})" if split == "all" else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
    both = Counter((a[1], b[1]) for a, b in zip(*answers.values(), strict=True))
    print("ours x dateparser (right/wrong/none): "
          + ", ".join(f"{a}/{b} {n}" for (a, b), n in sorted(both.items())))
    shown = 0
    for case, a, b in zip(cases, *answers.values(), strict=True):
        if shown < args.show and a[1] != b[1]:
            shown += 1
            print(f"- {case.article} pub {case.published} gold {case.gold}: ours {a[1]} {a[0]}, "
                  f"dateparser {b[1]} {b[0]}\n    {case.sentence[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
