"""Document-level resolution: a text's places resolved together.

The article's countries (given, named, implied by demonyms, or holding clearly won places)
and the points of its unambiguous places rank every mention; a span that the scanner did not
take (a name the caller knows is a place, e.g. a gold span) is ranked in the same context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.gazetteer.containment import place_sites
from geo.gazetteer.demonyms import find_demonym_countries
from geo.gazetteer.ranking import (
    NEAR_KM,
    Candidate,
    RankContext,
    Ranker,
    is_variant,
    near_grid,
    supported,
)
from geo.gazetteer.records import PlaceTable
from geo.gazetteer.scan import (
    Mention,
    PreferSites,
    Scanner,
    TextScan,
    abbreviated_region,
    at_offset,
)
from geo.geodesy import PointGrid

#: A town's state after its comma, abbreviated: "Paris, Tenn.", "Decatur, Ga.", "Waco, TX".
_AFTER_COMMA = re.compile(r"[A-Z][a-z]+,\s+((?:[A-Z][a-z]{0,4}\.\s?){1,2}|[A-Z]{2}\b)")


@dataclass(slots=True)
class Document:
    """One text resolved as a whole: what ranks a name anywhere in it."""

    scan: TextScan
    mentions: list[Mention]
    countries: frozenset[str]
    near: PointGrid[tuple[float, float]]
    prefer_sites_at: PreferSites = None
    #: folded first-level regions the text names or places its clear places in
    regions: frozenset[str] = frozenset()


def clear(m: Mention) -> bool:
    """The best candidate wins by a clear margin (or is alone)."""
    c = m.candidates
    return len(c) == 1 or (len(c) > 1 and c[0].score - c[1].score >= 2.0)


def article_countries(mentions: Iterable[Mention]) -> set[str]:
    """Countries named in the mentions or holding their clearly best candidate.

    A country's name that is also a place in a country the text's clear places lie in
    ("Georgia" in a text about Athens and Atlanta, "Palestine" in one about Texas) does not
    make the country one of the text's: that would decide the name for itself.
    """
    mentions = list(mentions)
    out: set[str] = set()
    named: list[Mention] = []
    for m in mentions:
        best = m.best
        if not best or not best.place.country:
            continue
        if best.place.kind == "country":
            named.append(m)
        elif clear(m):
            out.add(best.place.country)
    for m in named:
        rivals = [c for c in m.candidates[1:] if c.place.country in out]
        if not rivals:
            out.add(m.candidates[0].place.country)
    return out


def plausible(m: Mention, margin: float = 1.5, top: int = 4) -> list[Candidate]:
    """A mention's candidates within ``margin`` points of its best (at most ``top``)."""
    if not m.candidates:
        return []
    best = m.candidates[0].score
    return [c for c in m.candidates[:top] if best - c.score <= margin]


def dominant_countries(mentions: Sequence[Mention], share: float = 0.6) -> set[str]:
    """The country where most of a text's names may be (a plausible candidate of at least
    ``share`` of its distinct names, and of two or more): local news names ambiguous towns
    of one country ("Paris", "Huntsville", "Dublin") and no country at all."""
    names: dict[str, set[str]] = {}
    for m in mentions:
        countries = {c.place.country for c in plausible(m) if c.place.country}
        if countries:
            names.setdefault(m.surface.lower(), set()).update(countries)
    if len(names) < 2:
        return set()
    counts: dict[str, int] = {}
    for countries in names.values():
        for c in countries:
            counts[c] = counts.get(c, 0) + 1
    best = max(counts.values())
    return {c for c, n in counts.items() if n == best and n >= share * len(names)}


class DocumentResolver:
    """Finds and ranks a text's mentions with the article's geography."""

    def __init__(self, table: PlaceTable, ranker: Ranker, scanner: Scanner) -> None:
        self.table = table
        self.ranker = ranker
        self.scanner = scanner

    def analyse(self, text: str, countries: Iterable[str] = (),
                prefer_sites_at: PreferSites = None) -> Document:
        """Find mentions, infer the article's countries, re-rank near the clear places.

        The article's countries are the ``countries`` given, plus countries named in the text
        or implied by a demonym ("Iraqi forces"), plus the countries of mentions whose best
        candidate clearly wins. Mentions are then found again with those countries, and each
        is ranked near the unambiguous places.
        """
        article = {c.upper() for c in countries} | find_demonym_countries(text)
        scan = TextScan(text)
        first = self.scanner.scan(scan, frozenset(article), prefer_sites_at)
        before = len(article)
        article |= article_countries(first)
        # the same countries find the same mentions: only new countries need a second pass
        mentions = first if len(article) == before else self.scanner.scan(
            scan, frozenset(article), prefer_sites_at)
        anchors = [(m.best.place.lat, m.best.place.lon) for m in mentions
                   if m.best and clear(m) and m.best.place.has_point
                   and m.best.place.kind not in ("country", "region", "river")]
        near = near_grid(anchors)
        doc = Document(scan, mentions, frozenset(article), near, prefer_sites_at,
                       self._regions(text, mentions))
        if anchors or doc.regions:
            doc.mentions = [self._rerank(doc, m) for m in mentions]
        return doc

    def _regions(self, text: str, mentions: list[Mention]) -> frozenset[str]:
        """First-level regions of the text: named ("Texas"), abbreviated after a town's comma
        ("Paris, Tenn."), or holding a clearly resolved place."""
        t = self.table
        out: set[str] = set()
        for m in mentions:
            best = m.best
            if best is None:
                continue
            p = best.place
            if p.kind == "region" and p.admin1 == p.name:
                out.add(t.fold(p.name))
            elif clear(m) and p.admin1 and p.kind not in ("country", "area"):
                out.add(t.fold(p.admin1))
        for found in _AFTER_COMMA.finditer(text):
            named = abbreviated_region(t, t.fold(found[1]))
            if named:
                out.add(t.fold(named))
        return frozenset(out)

    def _rerank(self, doc: Document, m: Mention) -> Mention:
        # the caller decides which sentences are about a base; base words in the window
        # do not override that here
        ctx = self._context(doc, m.start, m.surface,
                            own=(m.best.place.lat, m.best.place.lon) if m.best else None)
        cands = self.ranker.rank(m.surface, ctx, 10)
        kept = {c.place.id for c in m.candidates}
        ranked = tuple(c for c in cands if c.place.id in kept) or m.candidates
        return Mention(m.start, m.end, m.surface, ranked)

    def _context(self, doc: Document, start: int, surface: str,
                 own: tuple[float, float] | None) -> RankContext:
        return RankContext(countries=doc.countries, context_key=doc.scan.context_key(start),
                           near=doc.near, base=at_offset(doc.prefer_sites_at, start),
                           own_keys=self.table.keys(surface), own=own, regions=doc.regions)

    def resolve_spans(self, doc: Document, spans: Sequence[tuple[int, int]],
                      limit: int = 10, within: frozenset[str] = frozenset()
                      ) -> list[list[Candidate]]:
        """Ranked candidates for spans of the document's text that the caller knows are
        place names (all of them, as a gold corpus gives them; the scanner's other mentions
        are left out, as the caller knows better).

        Each span is ranked with the text's countries, then all of them together near one
        another (:meth:`joint`); the countries and regions the spans then clearly mean
        rank them once more."""
        wanted = set(spans)
        at = {(m.start, m.end): m for m in doc.mentions if (m.start, m.end) in wanted}
        text = doc.scan.text
        for start, end in spans:
            if (start, end) not in at:
                surface = text[start:end]
                ctx = self._context(doc, start, surface, own=None)
                at[(start, end)] = Mention(start, end, surface,
                                           tuple(self.ranker.rank(surface, ctx, 10)))
        named = self.joint(doc, list(at.values()))
        countries = doc.countries | article_countries(named) | dominant_countries(named)
        again = Document(doc.scan, named, frozenset(countries),
                         doc.near, doc.prefer_sites_at,
                         doc.regions | self._regions(text, named))
        if again.countries != doc.countries or again.regions != doc.regions:
            named = self.joint(again, named)
        ranked = {(m.start, m.end): self._supported(m) for m in named}
        holders = [*named, *(m for m in doc.mentions if (m.start, m.end) not in ranked)]
        out = []
        for span in spans:
            cands = tuple(place_sites(text, *span, ranked[span].candidates, holders))
            if within:
                cands = tuple(c for c in cands if c.place.country in within)
                if not cands:  # the filter may leave only variants in the wanted countries
                    ctx = self._context(doc, span[0], text[span[0]:span[1]], own=None)
                    cands = tuple(self.ranker.rank(text[span[0]:span[1]], ctx, limit, within))
            out.append(list(cands[:limit]))
        return out

    @staticmethod
    def _supported(m: Mention) -> Mention:
        """A loose variant ("transliteration variant") answers in a text only where the text
        supports it: near another of its places, or in one of its regions. Elsewhere it is a
        guess, and a wrong place is worse than none."""
        best = m.best
        if best is None or not is_variant(best):
            return m
        if supported(best):
            return m
        return Mention(m.start, m.end, m.surface, ())

    def joint(self, doc: Document, mentions: Sequence[Mention]) -> list[Mention]:
        """Every mention ranked again near the plausible places of the text's other names:
        of "Huntsville" (Alabama, Texas, ...) and "Walker County" (Alabama, Texas, ...), the
        two that lie together. A name's plausible places are its located candidates within
        1.5 points of its best (at most four), leaving out countries, continents and
        first-level regions (their points say little about where a town is)."""
        t = self.table
        items = []
        for m in mentions:
            if not m.candidates:
                continue
            key = t.fold(m.surface)
            top = m.candidates[0].score
            for c in m.candidates[:4]:
                p = c.place
                if top - c.score > 1.5 or not p.has_point or p.kind in ("country", "area"):
                    continue
                if p.kind == "region" and p.admin1 == p.name:
                    continue
                items.append((p.lat, p.lon, key))
        grid: PointGrid[str] = PointGrid(items, NEAR_KM)
        out = []
        for m in mentions:
            if not m.candidates:
                out.append(m)
                continue
            ctx = self._context(doc, m.start, m.surface, own=None)
            ctx.joint, ctx.own_key = grid, t.fold(m.surface)
            cands = self.ranker.rank(m.surface, ctx, 10)
            kept = {c.place.id for c in m.candidates}
            ranked = tuple(c for c in cands if c.place.id in kept) or m.candidates
            out.append(Mention(m.start, m.end, m.surface, ranked))
        return out
