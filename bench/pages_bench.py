"""``python -m bench.pages_bench [DIR ...] [--reader NAME ...] [--split dev|test|all]``:
HTML article readers compared on saved news pages with known answers.

A page set is a folder holding ``expected.jsonl`` (one record a page: ``file`` under
``pages/``, ``title``, ``published``, ``byline``, ``text`` as a list of paragraphs,
``furniture`` strings that must not be in the text; see tests/fixtures/pages/make_pages.py)
and the pages. For each reader it prints, over the pages: main-text precision and recall
(word tokens, counted with multiplicity, micro-averaged; the headline line is left out of
both sides), pages whose title / date / byline is right, furniture strings left in the text,
and speed in pages per second (each page read ``--repeat`` times, best run).

``--events`` also extracts events from each reader's article of each page and scores them
against the news set's gold events (tests/fixtures/news/gold_*.jsonl, matched as
``geo.extract.evaluate`` does), beside the article's own text file (``txt``): furniture left
in shows up as spurious events, a lost paragraph as missed ones, a wrong date as misdated ones.

Readers: ``ours`` (geo.articles as it is: trafilatura's main text, our parser's title, URL
and date), ``stdlib`` (our html.parser reader alone, as before trafilatura), and
``trafilatura`` (trafilatura.bare_extraction with its own metadata, comments off).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"
_WORD = re.compile(r"\w+")


@dataclass
class Reading:
    text: str
    title: str
    published: str | None  # ISO day
    byline: str | None  # None: the reader does not report one


def _stdlib(html: str) -> Reading:
    from geo.articles.pages import article_from_html
    a = article_from_html(html, "page", None, None, "utf-8", main_text=None)
    return Reading(a.text, a.title, a.published.isoformat() if a.published else None, None)


def _ours(html: str) -> Reading:
    from geo.articles import article_from_text
    a = article_from_text(html, source="page")
    byline = getattr(a, "byline", None)
    return Reading(a.text, a.title, a.published.isoformat() if a.published else None, byline)


def _trafilatura(html: str) -> Reading:
    import trafilatura
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None:
        return Reading("", "", None, "")
    return Reading(doc.text or "", doc.title or "", doc.date, doc.author or "")


READERS: dict[str, Callable[[str], Reading]] = {
    "ours": _ours, "stdlib": _stdlib, "trafilatura": _trafilatura,
}


def _tokens(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in _WORD.findall(unicodedata.normalize("NFC", text)))


def _without_title(text: str, title: str) -> str:
    norm = " ".join(title.split())
    return "\n".join(line for line in text.split("\n") if " ".join(line.split()) != norm)


def _same_title(got: str, want: str) -> bool:
    return " ".join(got.split()).casefold() == " ".join(want.split()).casefold()


@dataclass
class Score:
    pages: int = 0
    hit: int = 0  # expected tokens found
    got: int = 0  # extracted tokens
    want: int = 0  # expected tokens
    titles: int = 0
    dates: int = 0
    bylines: int = 0
    byline_pages: int = 0
    reports_byline: bool = False
    furniture: int = 0
    furniture_total: int = 0
    failed: int = 0
    seconds: float = 0.0

    def row(self, name: str) -> str:
        p = self.hit / self.got if self.got else 0.0
        r = self.hit / self.want if self.want else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        by = f"{self.bylines}/{self.byline_pages}" if self.reports_byline else "n/a"
        speed = self.pages / self.seconds if self.seconds else 0.0
        return (f"{name:<12} {self.pages:>5} {p:>6.3f} {r:>6.3f} {f1:>6.3f} "
                f"{self.titles:>3}/{self.pages:<3} {self.dates:>3}/{self.pages:<3} {by:>7} "
                f"{self.furniture:>4}/{self.furniture_total:<4} {self.failed:>4} {speed:>8.1f}")


HEADER = (f"{'reader':<12} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'title':>7} "
          f"{'date':>7} {'byline':>7} {'furniture':>9} {'fail':>4} {'pages/s':>8}")


def load(folder: Path, split: str) -> list[tuple[dict, str]]:
    records = [json.loads(line) for line in
               (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [(r, (folder / "pages" / r["file"]).read_text(encoding="utf-8")) for r in records
            if split == "all" or r.get("split", "dev") == split]


def score(reader: Callable[[str], Reading], pages: list[tuple[dict, str]], repeat: int,
          verbose: bool = False) -> Score:
    s = Score()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _record, html in pages:
            with contextlib.suppress(ValueError):
                reader(html)
        best = min(best, time.perf_counter() - start)
    s.seconds = best
    for record, html in pages:
        s.pages += 1
        want = _tokens("\n".join(record["text"]))
        s.want += sum(want.values())
        s.furniture_total += len(record["furniture"])
        if record.get("byline"):
            s.byline_pages += 1
        try:
            got = reader(html)
        except ValueError:
            s.failed += 1
            continue
        text = _without_title(got.text, record["title"])
        toks = _tokens(text)
        s.got += sum(toks.values())
        s.hit += sum((toks & want).values())
        s.titles += _same_title(got.title, record["title"])
        s.dates += got.published == record["published"]
        if got.byline is not None:
            s.reports_byline = True
            if record.get("byline"):
                s.bylines += got.byline.strip().casefold() == record["byline"].casefold()
        left = [f for f in record["furniture"] if f in text]
        s.furniture += len(left)
        if verbose:
            miss = sum((want - toks).values())
            extra = sum((toks - want).values())
            flags = "".join((" title" * (not _same_title(got.title, record["title"])),
                             " date" * (got.published != record["published"])))
            print(f"  {record['file']:<70} missing {miss:>4} extra {extra:>4}{flags}"
                  f"{'  left: ' + '; '.join(left) if left else ''}")
            if not _same_title(got.title, record["title"]):
                print(f"      title {got.title!r}")
    return s


def _article(name: str, html: str):  # -> geo.articles.Article
    from geo.articles import article_from_text
    from geo.articles.pages import article_from_html
    if name == "stdlib":
        return article_from_html(html, "page", None, None, "utf-8", main_text=None)
    if name == "ours":
        return article_from_text(html, source="page")
    got = _trafilatura(html)  # trafilatura's text and date, cleaned as pasted text
    from datetime import date as day
    return article_from_text(got.text, source="page",
                             published=day.fromisoformat(got.published) if got.published
                             else None)


def events_table(folder: Path, pages: list[tuple[dict, str]], names: list[str]) -> None:
    """Events from each reader's article against the gold events of the page's article."""
    from geo.articles import read_article
    from geo.config import Settings
    from geo.extract.evaluate import Score, load_gold, score_article
    from geo.pipeline import load_extractor

    news = folder.parent / "news"
    gold: dict[str, list[dict]] = {}
    for part in ("gold_dev.jsonl", "gold_test.jsonl"):
        for g in load_gold(news / part):
            gold.setdefault(g["article"], []).append(g)
    extractor = load_extractor(Settings())
    print(f"{'events':<12} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6} "
          f"{'place':>6} {'date':>6}")
    for name in ["txt", *names]:
        total = Score()
        for record, html in pages:
            txt = Path(record["from"]).name
            if name == "txt":
                article = read_article(news / "articles" / txt)
            else:
                try:
                    article = _article(name, html)
                except ValueError:
                    article = None
            predicted = extractor.extract(article) if article is not None else []
            total.add(score_article(gold.get(txt, []), predicted,
                                    article.text if article is not None else ""))
        place = total.place_ok / total.place_checked if total.place_checked else 0.0
        when = total.date_ok / total.date_checked if total.date_checked else 0.0
        print(f"{name:<12} {total.gold:>5} {total.predicted:>5} {total.matched:>5} "
              f"{total.precision:>6.3f} {total.recall:>6.3f} {total.f1:>6.3f} {place:>6.3f} "
              f"{when:>6.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, default=[DEFAULT_SET])
    parser.add_argument("--reader", action="append", choices=sorted(READERS))
    parser.add_argument("--split", default="all", choices=("dev", "test", "all"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    parser.add_argument("--events", action="store_true",
                        help="also extract events and score them against the gold events")
    args = parser.parse_args(argv)
    names = args.reader or list(READERS)
    for folder in args.sets:
        pages = load(folder, args.split)
        print(f"{folder} ({args.split}: {len(pages)} pages, "
              f"{sum(len(h) for _, h in pages) / 1e6:.2f} MB), {date.today()}")
        print(HEADER)
        for name in names:
            s = score(READERS[name], pages, args.repeat, verbose=args.verbose)
            print(s.row(name))
        if args.events:
            events_table(folder, pages, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
