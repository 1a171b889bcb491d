"""Toponym resolution measured as the field measures it (Gritta et al. 2018, 2019).

Reads the XML of their corpora: LGL's format (``<article>`` with ``<text>`` and
``<toponyms>``, each ``<toponym>`` with ``<start>``, ``<end>``, ``<phrase>`` and a
``<gaztag>`` holding ``<name>``, ``<fclass>``, ``<fcode>``, ``<lat>``, ``<lon>``) and the
GeoWebNews variant (``<extractedName>``, ``<latitude>``, ``<longitude>`` in the toponym).
Each gold span is resolved with its whole article as context and gets one answer or none;
the report gives accuracy within 161 km, the median and mean error, the area under the
log-error curve, the share answered, the worst errors and the figures per feature class.
"""

from __future__ import annotations

import math
import statistics
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.geodesy import haversine_km

#: acc@161: within 100 miles, the field's usual threshold.
ACC_KM = 161.0
#: Half the Earth's circumference: the largest possible error, given to a span left unanswered
#: in the error-based figures (as Gritta et al. do).
MAX_ERROR_KM = 20_039.0

#: GeoNames feature codes and classes -> the classes reported.
_FEATURE_CLASS = {"A": "admin", "P": "city", "S": "site", "R": "street", "H": "water",
                  "L": "area", "T": "terrain", "V": "area", "U": "water"}


class CorpusError(ValueError):
    """The file is not a corpus in a format this reads."""


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    phrase: str
    lat: float
    lon: float
    #: "country", "region", "admin" (below first level), "city", "site", "street", ...
    feature: str = ""


@dataclass(frozen=True, slots=True)
class GoldArticle:
    docid: str
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a resolver said for one gold span: a point and what it is, or None."""

    lat: float
    lon: float
    label: str = ""


@dataclass(slots=True)
class Outcome:
    docid: str
    gold: GoldToponym
    answer: Answer | None

    @property
    def error_km(self) -> float | None:
        if self.answer is None:
            return None
        return haversine_km(self.gold.lat, self.gold.lon, self.answer.lat, self.answer.lon)


@dataclass(slots=True)
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    #: gold spans left out: no coordinates in the corpus, or a span outside the text
    skipped: int = 0
    #: a second accuracy threshold besides 161 km (UCDP's exact places: 25 km)
    km: float = ACC_KM

    def figures(self, outcomes: Sequence[Outcome] | None = None) -> dict[str, float | int]:
        """acc@161 over every gold span (an unanswered span counts as wrong, and as the
        largest error in the error figures), the same over the answered ones, the median and
        mean error, the AUC of the log-error curve, and the share answered."""
        items = self.outcomes if outcomes is None else outcomes
        n = len(items)
        answered = [o.error_km for o in items if o.answer is not None]
        errors = sorted([e for e in answered if e is not None]
                        + [MAX_ERROR_KM] * (n - len(answered)))
        within = sum(1 for e in answered if e is not None and e < ACC_KM)
        near = sum(1 for e in answered if e is not None and e <= self.km)
        return {
            "toponyms": n,
            "answered": len(answered),
            "share_answered": _ratio(len(answered), n),
            "acc161": _ratio(within, n),
            "acc161_of_answers": _ratio(within, len(answered)),
            "median_km": round(statistics.median(errors), 1) if errors else 0.0,
            "mean_km": round(statistics.fmean(errors), 1) if errors else 0.0,
            "median_km_of_answers": round(statistics.median(answered), 1) if answered else 0.0,
            "auc": round(auc(errors), 4),
            "km": self.km,
            "acc_km": _ratio(near, n),
            "acc_km_of_answers": _ratio(near, len(answered)),
        }

    def by_feature(self) -> dict[str, dict[str, float | int]]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if o.gold.feature:
                groups[o.gold.feature].append(o)
        return {k: self.figures(v) for k, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))}

    def worst(self, n: int = 10) -> list[Outcome]:
        """The largest errors, one per name and answer (a name repeated in an article
        would fill the list)."""
        answered = sorted((o for o in self.outcomes if o.answer is not None),
                          key=lambda o: -(o.error_km or 0.0))
        seen: set[tuple[str, str]] = set()
        out = []
        for o in answered:
            key = (o.gold.phrase, o.answer.label if o.answer else "")
            if key not in seen:
                seen.add(key)
                out.append(o)
        return out[:n]


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def auc(errors_km: Iterable[float]) -> float:
    """Area under the curve of sorted log errors, ``ln(1 + km)``, scaled by the largest
    possible one (``ln 20039``) and the number of intervals (the trapezoidal rule, as in
    Gritta et al.): 0 is perfect, 1 is every answer on the far side of the Earth."""
    ys = [math.log(1.0 + e) for e in sorted(errors_km)]
    if len(ys) < 2:
        return ys[0] / math.log(MAX_ERROR_KM) if ys else 0.0
    area = sum((a + b) / 2 for a, b in zip(ys, ys[1:], strict=False))
    return area / (math.log(MAX_ERROR_KM) * (len(ys) - 1))


# --- reading ----------------------------------------------------------------------------------

def read_corpus(path: Path, limit: int | None = None) -> tuple[list[GoldArticle], int]:
    """The articles of an LGL- or GeoWebNews-style XML file (or the place names of a UCDP
    GED CSV, see :func:`read_ucdp_names`), and how many gold spans were left out (no
    coordinates, or offsets outside the text)."""
    if path.suffix.lower() == ".csv":
        return read_ucdp_names(path, limit)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise CorpusError(f"{path}: not XML ({exc})") from None
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read ({exc.strerror or exc})") from None
    articles: list[GoldArticle] = []
    skipped = 0
    found = root.iter("article")
    for n, art in enumerate(found):
        if limit is not None and n >= limit:
            break
        text = art.findtext("text")
        if text is None:
            raise CorpusError(f"{path}: article {n + 1} has no <text>")
        toponyms = []
        for t in art.iter("toponym"):
            gold = _toponym(t, text)
            if gold is None:
                skipped += 1
            else:
                toponyms.append(gold)
        docid = art.get("docid") or art.get("id") or str(n)
        articles.append(GoldArticle(docid, text, tuple(toponyms)))
    if not articles:
        raise CorpusError(f"{path}: no <article> elements (not an LGL/GeoWebNews corpus)")
    return articles, skipped


def read_ucdp_names(path: Path, limit: int | None = None) -> tuple[list[GoldArticle], int]:
    """UCDP GED events located exactly (``where_prec`` 1) as gold names without text: the
    name is ``where_coordinates`` ("Al Fallūjah town"), the point ``latitude, longitude``.
    Rows of other precisions are not counted; rows without a name or point are skipped."""
    import csv

    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read ({exc})") from None
    if rows and not {"where_coordinates", "where_prec", "latitude", "longitude"} <= set(rows[0]):
        raise CorpusError(f"{path}: not a UCDP GED CSV (needs where_coordinates, where_prec, "
                          "latitude, longitude)")
    articles, skipped = [], 0
    for row in rows:
        if row.get("where_prec", "").strip() != "1":
            continue  # also the HXL hashtag row
        if limit is not None and len(articles) >= limit:
            break
        name = (row.get("where_coordinates") or "").strip()
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (TypeError, ValueError):
            skipped += 1
            continue
        if not name or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            skipped += 1
            continue
        articles.append(GoldArticle(row.get("id") or str(len(articles)), name,
                                    (GoldToponym(0, len(name), name, lat, lon, "exact place"),)))
    if not articles:
        raise CorpusError(f"{path}: no exactly located UCDP events (where_prec 1)")
    return articles, skipped


def _toponym(t: ET.Element, text: str) -> GoldToponym | None:
    try:
        start, end = int(t.findtext("start") or ""), int(t.findtext("end") or "")
    except ValueError:
        return None
    if not 0 <= start < end <= len(text):
        return None
    lat = _number(t, ("gaztag/lat", "latitude", "lat"))
    lon = _number(t, ("gaztag/lon", "longitude", "lon"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    phrase = (t.findtext("phrase") or t.findtext("extractedName") or text[start:end]).strip()
    return GoldToponym(start, end, phrase, lat, lon, _feature(t))


def _number(t: ET.Element, paths: Iterable[str]) -> float | None:
    for p in paths:
        value = t.findtext(p)
        if value not in (None, ""):
            try:
                number = float(value)
            except ValueError:
                return None
            return number if math.isfinite(number) else None
    return None


def _feature(t: ET.Element) -> str:
    """The class of the gold place: GeoNames' feature class and code where given."""
    fclass = (t.findtext("gaztag/fclass") or t.findtext("fclass") or "").strip().upper()
    fcode = (t.findtext("gaztag/fcode") or t.findtext("fcode") or "").strip().upper()
    if fclass == "A":
        if fcode.startswith("PCL"):
            return "country"
        if fcode == "ADM1":
            return "region"
    if fclass == "L" and fcode in ("CONT", "RGN"):
        return "large region"
    if fclass:
        return _FEATURE_CLASS.get(fclass, fclass.lower())
    kind = (t.findtext("type") or "").strip()
    return kind.lower()


# --- running ----------------------------------------------------------------------------------

#: (article text, gold spans) -> one answer or None per span, in order
Resolver = Callable[[str, Sequence[GoldToponym]], list[Answer | None]]


def evaluate(articles: Iterable[GoldArticle], resolve: Resolver, skipped: int = 0,
             km: float = ACC_KM) -> Report:
    report = Report(skipped=skipped, km=km)
    for art in articles:
        if not art.toponyms:
            continue
        answers = resolve(art.text, art.toponyms)
        if len(answers) != len(art.toponyms):
            raise ValueError(f"resolver gave {len(answers)} answers for {len(art.toponyms)} spans")
        report.outcomes += [Outcome(art.docid, g, a) for g, a in zip(art.toponyms, answers,
                                                                      strict=True)]
    return report


# --- the gazetteer as a resolver --------------------------------------------------------------

def _answer(cands: Sequence) -> Answer | None:
    for c in cands:
        if c.place.has_point:
            return Answer(c.place.lat, c.place.lon, f"{c.place.name} ({c.place.kind}, "
                                                    f"{c.place.country or '-'}) {c.place.id}")
    return None


def name_resolver(gazetteer, countries: Sequence[str] = ()) -> Resolver:
    """Each span's text asked on its own with the article as context: what a user gets from
    ``geocode NAME --context TEXT --limit 1`` (``--country``: only places there answer)."""
    def resolve(text: str, gold: Sequence[GoldToponym]) -> list[Answer | None]:
        out = []
        for g in gold:
            name = text[g.start:g.end]
            context = "" if name == text else text
            out.append(_answer(gazetteer.candidates(name, country=countries or None,
                                                    context=context, limit=1,
                                                    within=countries or None)))
        return out
    return resolve


def document_resolver(gazetteer, countries: Sequence[str] = ()) -> Resolver:
    """The article resolved at once (:meth:`Gazetteer.resolve_spans`): each span ranked with
    the article's countries and the clear places named near it."""
    def resolve(text: str, gold: Sequence[GoldToponym]) -> list[Answer | None]:
        ranked = gazetteer.resolve_spans(text, [(g.start, g.end) for g in gold],
                                         countries=countries, limit=3,
                                         within=countries or None)
        return [_answer(cands[:1]) for cands in ranked]
    return resolve


RESOLVERS = {"document": document_resolver, "name": name_resolver}
