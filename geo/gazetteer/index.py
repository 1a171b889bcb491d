"""The gazetteer: exact lookup, ranked candidates with reasons, and place names in text.

The index is compiled once from every source (:mod:`geo.gazetteer.build`) and cached on disk
(:mod:`geo.gazetteer.cache`) as columns plus key -> postings maps
(:mod:`geo.gazetteer.columns`), so loading takes a tenth of a second and a lookup is a hash
and a dict access. :class:`Gazetteer` is the facade over the parts: the records
(:mod:`~geo.gazetteer.records`), name matching (:mod:`~geo.gazetteer.matching`), ranking
with reasons (:mod:`~geo.gazetteer.ranking`) and scanning text (:mod:`~geo.gazetteer.scan`).
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from geo.config import GAZETTEER_DATA_DIR, Settings
from geo.gazetteer.cache import (
    cache_key,
    dump_atomic,
    prune_caches,
    read_common_words,
    skeleton_path,
)
from geo.gazetteer.columns import GazetteerError, KeyIndex, compile_state
from geo.gazetteer.containment import place_sites, site_word
from geo.gazetteer.document import DocumentResolver, article_countries
from geo.gazetteer.matching import Matcher
from geo.gazetteer.ranking import Candidate, Ranker, country_set
from geo.gazetteer.records import PlaceTable
from geo.gazetteer.scan import Mention, PreferSites, Scanner, TextScan
from geo.model import Place

__all__ = ["Candidate", "Gazetteer", "GazetteerError", "Mention", "cache_key",
           "read_common_words"]

log = logging.getLogger(__name__)


class Gazetteer:
    """Every place known offline, indexed by normalised name keys."""

    def __init__(self, state: dict) -> None:
        self.table = PlaceTable(state)
        self.matcher = Matcher(self.table)
        self.ranker = Ranker(self.table, self.matcher)
        self.scanner = Scanner(self.table, self.matcher, self.ranker)
        self.documents = DocumentResolver(self.table, self.ranker, self.scanner)

    # --- building and loading -------------------------------------------------------------

    @classmethod
    def load(cls, settings: Settings, data_dir: Path = GAZETTEER_DATA_DIR) -> Gazetteer:
        """The cached index for the current sources and the user's own gazetteer files (in
        the store's folder), building and caching it when stale."""
        from geo.gazetteer.build import source_files
        from geo.gazetteer.userdata import user_files

        user = user_files(settings.store_dir)
        key = cache_key(source_files(data_dir, user))
        path = Path(settings.cache_dir) / f"gazetteer-{key}.pickle"
        if path.is_file() and skeleton_path(path).is_file():
            try:
                with path.open("rb") as fh:
                    gazetteer = cls(pickle.load(fh))
                gazetteer.table.skeleton_path = skeleton_path(path)
                return gazetteer
            except (OSError, pickle.UnpicklingError, EOFError, KeyError) as exc:
                log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
        gazetteer = cls.build(data_dir, user)
        try:
            gazetteer._save(path)
        except OSError as exc:  # a read-only cache folder slows the next start, nothing more
            log.warning("could not cache the gazetteer in %s: %s", path.parent, exc)
        return gazetteer

    @classmethod
    def build(cls, data_dir: Path = GAZETTEER_DATA_DIR, user: Iterable[Path] = ()
              ) -> Gazetteer:
        """Compile every source into a fresh index (tens of seconds; see :meth:`load`)."""
        from geo.gazetteer.build import build

        return cls(compile_state(build(data_dir, user), read_common_words(data_dir)))

    def _save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        dump_atomic(self._skeletons(), skeleton_path(path))
        dump_atomic(self.table.state(), path)
        self.table.skeleton_path = skeleton_path(path)
        prune_caches(path.parent, keep=path)

    def _skeletons(self) -> KeyIndex:
        return self.table.skeletons()

    # --- records --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.table)

    def place(self, i: int) -> Place:
        """The i-th record as a Place (made from the columns once, then reused)."""
        return self.table.place(i)

    def get(self, place_id: str) -> Place | None:
        """The place with this id ("geonames:98182", "ourairports:ORAA"), or None."""
        return self.table.get(place_id)

    def country_name(self, iso2: str) -> str:
        """The country's name for an ISO alpha-2 code ("" when unknown)."""
        return self.table.country_names.get(iso2.upper(), "")

    def lookup(self, name: str) -> list[Place]:
        """Places whose name or alias matches exactly after normalisation, most populous first."""
        return self.table.lookup(name)

    def nearest(self, lat: float, lon: float, kinds: Collection[str] | None = None,
                limit: int = 5, max_km: float | None = None) -> list[tuple[Place, float]]:
        """The closest located places (optionally of some kinds) with their distance in km."""
        return self.table.nearest(lat, lon, kinds, limit, max_km)

    # --- ranking --------------------------------------------------------------------------

    def candidates(self, name: str, country: str | Iterable[str] | None = None,
                   context: str = "", near: Sequence[tuple[float, float]] = (),
                   prefer_sites: bool = False, limit: int = 10,
                   within: str | Iterable[str] | None = None) -> list[Candidate]:
        """Places a name may mean, best first, each with the reasons for its score.

        ``country``: ISO alpha-2 code(s) the text is about (a hint: such places rank
        higher); ``within``: code(s) of the only countries whose places may answer (a filter,
        geopy's ``country_codes``); ``context``: the sentence or article around the name
        (base words and named regions/countries count); ``near``: points of places already
        resolved nearby; ``prefer_sites``: the sentence is about a base. A name that matches
        nothing gives ``[]``: never a guess.
        """
        if not name or not name.strip():
            return []
        ctx = self.ranker.context(country, context, near, prefer_sites)
        ctx.own_keys = self.table.keys(name)
        found = self.ranker.rank(name, ctx, limit, country_set(within))
        if context and site_word(name):  # "Royal Street": the city the context puts it in
            at = context.lower().find(name.lower())
            if at >= 0:
                doc = self.documents.analyse(context, country_set(country))
                found = place_sites(context, at, at + len(name), found, doc.mentions)
                found = [c for c in found if not within or c.place.country in
                         country_set(within)]
        return found[:limit]

    # --- text -----------------------------------------------------------------------------

    def find_mentions(self, text: str, countries: Iterable[str] = (),
                      prefer_sites_at: PreferSites = None) -> list[Mention]:
        """Place names in a text, longest match first, gated against ordinary words.

        ``countries``: ISO codes the article is about (small towns and common-word names need
        them or a locative word); ``prefer_sites_at``: offsets (or a predicate on the mention's
        start) where the sentence is about a base.
        """
        if not isinstance(text, str):
            raise GazetteerError(f"find_mentions needs text, got {type(text).__name__}")
        return self._scan(TextScan(text), frozenset(c.upper() for c in countries),
                          prefer_sites_at)

    def _scan(self, scan: TextScan, article: frozenset[str],
              prefer_sites_at: PreferSites) -> list[Mention]:
        return self.scanner.scan(scan, article, prefer_sites_at)

    def resolve_mentions(self, text: str, countries: Iterable[str] = (),
                         prefer_sites_at: PreferSites = None) -> list[Mention]:
        """Document-level resolution: find mentions, infer the article's countries, re-rank.

        The article's countries are the ``countries`` given, plus countries named in the text
        or implied by a demonym ("Iraqi forces"), plus the countries of mentions whose best
        candidate clearly wins. Mentions are then found
        again with those countries, and each is ranked near the unambiguous places.
        """
        if not isinstance(text, str):
            raise GazetteerError(f"resolve_mentions needs text, got {type(text).__name__}")
        return self.documents.analyse(text, countries, prefer_sites_at).mentions

    def resolve_spans(self, text: str, spans: Sequence[tuple[int, int]],
                      countries: Iterable[str] = (), limit: int = 10,
                      within: str | Iterable[str] | None = None) -> list[list[Candidate]]:
        """Ranked candidates for spans of a text that are known to be place names (gold
        spans, a user's selection), each in the context of the whole text resolved at once:
        its countries, the clear places near the span and the words around it. ``within``:
        only places in these countries answer."""
        if not isinstance(text, str):
            raise GazetteerError(f"resolve_spans needs text, got {type(text).__name__}")
        for start, end in spans:
            if not 0 <= start < end <= len(text):
                raise GazetteerError(f"span {start}-{end} is not inside the text")
        doc = self.documents.analyse(text, countries)
        return self.documents.resolve_spans(doc, spans, limit, country_set(within))

    @staticmethod
    def article_countries(mentions: Iterable[Mention]) -> set[str]:
        """Countries named in the mentions or holding their clearly best candidate."""
        return article_countries(mentions)
