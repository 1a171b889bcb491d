"""Extraction quality against hand-made gold events (``gold.jsonl``, one JSON object a line).

Matching follows the dev set's rules: a prediction matches a gold event of the same article
when the types agree (``other_attack`` matches any attack type), the place agrees (within
25 km when both have coordinates, else by name) and the date agrees (within a day, or inside a
gold period such as "2019-10"; a gold event with no date accepts any). Pairs are matched one
to one, best first.

Only events the article reports count (``Event.status`` "reported"): a threat, a plan or a
denial is not a gold event, and the extractor keeps them marked, not as events.

Besides strict precision and recall, *place accuracy* and *date accuracy* are measured on
looser pairs (same type and the same evidence sentence), so a right event at a wrong place
counts against the place, not twice against recall.

Each article's score lists what the strict pairs left: the gold events missed and the events
predicted that match none, one line each with the evidence, so the figures can be checked.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path

from geo.articles import ArticleError, read_article
from geo.extract.extractor import Extractor
from geo.geodesy import haversine_km
from geo.model import ATTACK_TYPES, Event
from geo.text.names import fold

PLACE_KM = 25.0


@dataclass
class TypeCounts:
    """One event type's share of a score: its gold events and how many were found, its
    predictions and how many were right (a pair counts for the gold event's type on one side
    and the prediction's on the other: ``other_attack`` matches any attack)."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    right: int = 0

    @property
    def recall(self) -> float | None:
        return _ratio(self.found, self.gold)

    @property
    def precision(self) -> float | None:
        return _ratio(self.right, self.predicted)

    def add(self, other: TypeCounts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


#: The counts of a Score (what :meth:`Score.add` sums).
_COUNTS = ("gold", "predicted", "matched", "place_checked", "place_ok", "date_checked",
           "date_ok")


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    place_checked: int = 0
    place_ok: int = 0
    date_checked: int = 0
    date_ok: int = 0
    #: gold events no prediction matches, and predictions that match no gold event (per
    #: article; an overall score leaves them empty)
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    by_type: dict[str, TypeCounts] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def place_accuracy(self) -> float | None:
        return _ratio(self.place_ok, self.place_checked)

    @property
    def date_accuracy(self) -> float | None:
        return _ratio(self.date_ok, self.date_checked)

    def add(self, other: Score) -> None:
        """Adds the counts of ``other``, by type too (not its lists)."""
        for k in _COUNTS:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for t, c in other.by_type.items():
            self.by_type.setdefault(t, TypeCounts()).add(c)

    def as_dict(self, lists: bool = True) -> dict:
        d = asdict(self)
        if not lists:
            del d["missed"], d["spurious"]
        d.update(precision=round(self.precision, 3), recall=round(self.recall, 3),
                 f1=round(self.f1, 3),
                 place_accuracy=_round(self.place_accuracy),
                 date_accuracy=_round(self.date_accuracy))
        return d


@dataclass
class Report:
    articles: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(lists=False),
                "articles": {k: v.as_dict() for k, v in self.articles.items()},
                "errors": self.errors}

    def table(self) -> str:
        head = f"{'article':<52} {'gold':>4} {'pred':>4} {'match':>5} {'P':>5} {'R':>5} " \
               f"{'F1':>5} {'place':>5} {'date':>5}"
        rows = [head, "-" * len(head)]
        for name, s in [*self.articles.items(), ("OVERALL", self.overall)]:
            rows.append(f"{name[:52]:<52} {s.gold:>4} {s.predicted:>4} {s.matched:>5} "
                        f"{s.precision:>5.2f} {s.recall:>5.2f} {s.f1:>5.2f} "
                        f"{_fmt(s.place_accuracy):>5} {_fmt(s.date_accuracy):>5}")
        rows.extend(f"error: {e}" for e in self.errors)
        return "\n".join(rows)

    def type_table(self) -> str:
        """Recall and precision of each event type over every article."""
        head = f"{'event type':<20} {'gold':>4} {'found':>5} {'R':>5} {'pred':>4} {'right':>5} " \
               f"{'P':>5}"
        rows = [head, "-" * len(head)]
        for t, c in sorted(self.overall.by_type.items()):
            rows.append(f"{t:<20} {c.gold:>4} {c.found:>5} {_fmt(c.recall):>5} "
                        f"{c.predicted:>4} {c.right:>5} {_fmt(c.precision):>5}")
        return "\n".join(rows)

    def unmatched(self) -> str:
        """Every missed and spurious event, one line each, by article."""
        return "\n".join(f"{name}: {what} {line}" for name, s in self.articles.items()
                         for what, lines in (("missed", s.missed), ("spurious", s.spurious))
                         for line in lines)


def load_gold(path: str | Path) -> list[dict]:
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValueError(f"{p}: cannot read gold file ({exc.strerror or exc})") from None
    gold = []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{p}:{i}: not a JSON object ({exc.msg})") from None
        if not isinstance(item, dict) or "article" not in item or "event_type" not in item:
            raise ValueError(f"{p}:{i}: a gold event needs 'article' and 'event_type'")
        gold.append(item)
    return gold


def evaluate(gold_path: str | Path, articles_dir: str | Path, extractor: Extractor) -> Report:
    gold_by_article: dict[str, list[dict]] = defaultdict(list)
    for g in load_gold(gold_path):
        gold_by_article[g["article"]].append(g)
    report = Report()
    folder = Path(articles_dir)
    if not folder.is_dir():
        raise ValueError(f"{folder}: articles folder does not exist")
    for name in sorted(gold_by_article):
        try:
            article = read_article(folder / name)
        except ArticleError as exc:
            report.errors.append(str(exc))
            continue
        # threats, plans and denials are kept, marked, for the reader; the gold lists events
        reported = [e for e in extractor.extract(article) if e.status == "reported"]
        score = score_article(gold_by_article[name], reported, article.text)
        report.articles[name] = score
        report.overall.add(score)
    return report


def score_article(gold: list[dict], predicted: list[Event], text: str) -> Score:
    score = Score(gold=len(gold), predicted=len(predicted))
    strict = _pairs(gold, predicted, lambda g, p: _place_ok(g, p) is not False
                    and _date_ok(g, p) is not False)
    score.matched = len(strict)
    paired_gold, paired = {id(g) for g, _ in strict}, {id(p) for _, p in strict}
    for g in gold:
        c = score.by_type.setdefault(g["event_type"], TypeCounts())
        c.gold += 1
        c.found += id(g) in paired_gold
    for p in predicted:
        c = score.by_type.setdefault(p.event_type, TypeCounts())
        c.predicted += 1
        c.right += id(p) in paired
    score.missed = [_describe(g["event_type"], g.get("place"), g.get("date"), g.get("evidence"))
                    for g in gold if id(g) not in paired_gold]
    score.spurious = [_describe(p.event_type, p.place_name or p.place, p.date, p.evidence)
                      for p in predicted if id(p) not in paired]
    for g, p in _pairs(gold, predicted, lambda g, p: _same_sentence(g, p, text)
                       or _place_ok(g, p) is True):
        ok = _place_ok(g, p)
        if ok is not None:
            score.place_checked += 1
            score.place_ok += ok
        ok = _date_ok(g, p)
        if ok is not None:
            score.date_checked += 1
            score.date_ok += ok
    return score


def _describe(event_type: str, place: str | None, day: str | None, evidence: str | None) -> str:
    quote = " ".join((evidence or "").split())
    quote = quote if len(quote) <= 100 else quote[:99] + "…"
    return f"{event_type} at {place or '(no place)'} on {day or '(no date)'}: \"{quote}\""


def _pairs(gold: list[dict], predicted: list[Event], accept) -> list[tuple[dict, Event]]:
    """One-to-one pairs of compatible type that ``accept`` takes, most confident first."""
    taken: set[int] = set()
    pairs = []
    for g in gold:
        ranked = sorted(enumerate(predicted), key=lambda ip: (
            _place_ok(g, ip[1]) is not True, _date_ok(g, ip[1]) is not True, -ip[1].confidence))
        for i, p in ranked:
            if i not in taken and _type_ok(g["event_type"], p.event_type) and accept(g, p):
                taken.add(i)
                pairs.append((g, p))
                break
    return pairs


def _type_ok(gold_type: str, pred_type: str) -> bool:
    if gold_type == pred_type:
        return True
    attack = {gold_type, pred_type} <= ATTACK_TYPES
    return attack and "other_attack" in (gold_type, pred_type)


def _place_ok(g: dict, p: Event) -> bool | None:
    """Within 25 km when both have points; else by name; None when gold names no place."""
    if g.get("lat") is not None and p.has_point:
        return haversine_km(g["lat"], g["lon"], p.lat, p.lon) <= PLACE_KM
    names = [fold(x) for x in (g.get("place"), g.get("canonical_place")) if x]
    if not names:
        return None
    mine = [fold(x) for x in (p.place, p.place_name) if x]
    return any(a in b or b in a for a in names for b in mine if a and b)


def _date_ok(g: dict, p: Event) -> bool | None:
    if not g.get("date"):
        return None
    if not p.date_start:
        return False
    first, last = _period(g["date"])
    p_first, p_last = date.fromisoformat(p.date_start), date.fromisoformat(p.date_end)
    slack = timedelta(days=1)
    return p_first <= last + slack and p_last >= first - slack and \
        (p_last - p_first) <= max(last - first, timedelta(days=7))


def _period(value: str) -> tuple[date, date]:
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 3:
        d = date(*parts)
        return d, d
    if len(parts) == 2:
        y, m = parts
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return date(y, m, 1), nxt - timedelta(days=1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _same_sentence(g: dict, p: Event, text: str) -> bool:
    evidence = [g.get("evidence") or "", *(g.get("evidence_more") or [])]
    for ev in evidence:
        ev = ev.strip()
        if not ev:
            continue
        at = text.find(ev[:80])
        if at >= 0 and at < p.evidence_end and p.evidence_start < at + len(ev):
            return True
    return False


def _ratio(part: int, whole: int) -> float | None:
    """``part / whole``, None when there is nothing to measure."""
    return part / whole if whole else None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"
