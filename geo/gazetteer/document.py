"""Document-level resolution: a text's places resolved together.

The article's countries (given, named, implied by demonyms, or holding clearly won places)
and the points of its unambiguous places rank every mention; a span that the scanner did not
take (a name the caller knows is a place, e.g. a gold span) is ranked in the same context.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.gazetteer.demonyms import find_demonym_countries
from geo.gazetteer.ranking import Candidate, RankContext, Ranker, near_grid
from geo.gazetteer.records import PlaceTable
from geo.gazetteer.scan import Mention, PreferSites, Scanner, TextScan, at_offset
from geo.geodesy import PointGrid


@dataclass(slots=True)
class Document:
    """One text resolved as a whole: what ranks a name anywhere in it."""

    scan: TextScan
    mentions: list[Mention]
    countries: frozenset[str]
    near: PointGrid[tuple[float, float]]
    prefer_sites_at: PreferSites = None


def clear(m: Mention) -> bool:
    """The best candidate wins by a clear margin (or is alone)."""
    c = m.candidates
    return len(c) == 1 or (len(c) > 1 and c[0].score - c[1].score >= 2.0)


def article_countries(mentions: Iterable[Mention]) -> set[str]:
    """Countries named in the mentions or holding their clearly best candidate."""
    out: set[str] = set()
    for m in mentions:
        best = m.best
        if best and best.place.country and (best.place.kind == "country" or clear(m)):
            out.add(best.place.country)
    return out


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
        doc = Document(scan, mentions, frozenset(article), near, prefer_sites_at)
        if anchors:
            doc.mentions = [self._rerank(doc, m) for m in mentions]
        return doc

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
                           own_keys=self.table.keys(surface), own=own)

    def resolve_spans(self, doc: Document, spans: Sequence[tuple[int, int]],
                      limit: int = 10, within: frozenset[str] = frozenset()
                      ) -> list[list[Candidate]]:
        """Ranked candidates for spans of the document's text that the caller knows are
        place names: the mention found there, else the span's text ranked in the document's
        context (its countries, the places named near it, the words around it)."""
        at = {(m.start, m.end): m for m in doc.mentions}
        out = []
        for start, end in spans:
            m = at.get((start, end))
            if m is not None:
                found = [c for c in m.candidates if not within or c.place.country in within]
                if found:
                    out.append(found[:limit])
                    continue
            surface = doc.scan.text[start:end]
            ctx = self._context(doc, start, surface, own=None)
            out.append(self.ranker.rank(surface, ctx, limit, within))
        return out
