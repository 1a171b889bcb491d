"""Which places a name may mean, and how each matched: its own name, an alias, a site's core
name ("Camp Taji" -> Taji), a base-context name, a name spelled another way, or (only when
nothing else matches) a transliteration variant."""

from __future__ import annotations

from collections.abc import Iterable

from geo.gazetteer.columns import (
    ABBREVIATION,
    ALIAS,
    CONTEXT,
    DEMONYM,
    FUZZY,
    NAME,
    PEOPLE,
    RESPELLED,
    SITE_CORE,
    SITE_FALLBACK,
    postings,
)
from geo.gazetteer.records import PlaceTable
from geo.model import SITE_KINDS
from geo.text.names import fold, name_keys, respellings, site_core, skeleton

#: Words after a name that say it is a region.
REGION_WORDS = ("province", "governorate", "region", "district", "oblast", "state", "county",
                "prefecture", "muhafazat")

#: Words after a name that say it is a populated place ("Al Fallūjah town", UCDP's style).
TOWN_WORDS = ("town", "village", "city", "hamlet")

#: place index -> its best (lowest) match type for a name
Matches = dict[int, int]


class Matcher:
    """Name -> matched places, cached per name (text repeats names, and the scanner tries
    every n-gram of capitalised words)."""

    def __init__(self, table: PlaceTable) -> None:
        self.table = table
        #: surface -> (non-fuzzy matches, region word seen)
        self._cache: dict[str, tuple[Matches, bool]] = {}
        #: surface -> every match (variants when nothing else), for names asked again
        self._all: dict[str, tuple[Matches, bool]] = {}

    def matches(self, name: str, within: frozenset[str] = frozenset()
                ) -> tuple[Matches, bool]:
        """Every match, transliteration variants only when nothing else matches; and whether
        a region word was stripped ("Anbar province"). ``within``: only places in these
        countries (a filter, applied before the fallback to variants). Cached per name when
        no filter is given; the dict is shared: read it."""
        if not within:
            cached = self._all.get(name)
            if cached is None:
                if len(self._all) > 200_000:
                    self._all.clear()
                cached = self._all[name] = self._matches(name, within)
            return cached
        return self._matches(name, within)

    def _matches(self, name: str, within: frozenset[str]) -> tuple[Matches, bool]:
        found, region_word = self.exact(name)
        asked = self.asked(name)
        if asked:
            found = {**asked, **found}
        if within:
            found = {i: how for i, how in found.items() if self.table.countries[i] in within}
        if found:
            return found, region_word
        fuzzy = self.fuzzy(name)
        if within:
            fuzzy = {i: how for i, how in fuzzy.items() if self.table.countries[i] in within}
        return fuzzy, region_word

    def clear(self) -> None:
        """Forget every cached answer (after the index or a matcher part changed)."""
        self._cache.clear()
        self._all.clear()

    def asked(self, name: str) -> Matches:
        """Names that mean a place only when asked for as one: a demonym ("Russian" ->
        Russia) or an abbreviation ("Fla.", "FL" -> Florida). Never used on running text,
        where "Russian forces" says who, not where, and "IN" or "OK" are words."""
        key = fold(name)
        found: Matches = {}
        for p in postings(self.table.asked.get(key)):
            found.setdefault(p >> 2, (DEMONYM, ABBREVIATION, PEOPLE)[p & 3])
        if not found and key.endswith("s"):  # "Palestinians", "Americans"
            for p in postings(self.table.asked.get(key[:-1])):
                if p & 3 == 0:
                    found.setdefault(p >> 2, DEMONYM)
        return found

    def fuzzy(self, name: str) -> Matches:
        """Places whose transliteration key (:func:`skeleton`) is the name's; for a site's
        name ("Ain Assad Air Base"), sites whose key is that of its core name."""
        key = fold(name)
        fuzzy: Matches = {}
        skel = skeleton(key)
        if len(skel) >= 5:
            for p in postings(self.table.skeletons().get(skel)):
                fuzzy.setdefault(p >> 2, FUZZY)
        core, had_site = site_core(key)
        if had_site and not fuzzy:
            skel = skeleton(core)
            if len(skel) >= 5:
                for p in postings(self.table.skeletons().get(skel)):
                    if self.table.kind(p >> 2) in SITE_KINDS:
                        fuzzy.setdefault(p >> 2, FUZZY)
        return fuzzy

    def exact(self, name: str) -> tuple[Matches, bool]:
        """Every match but transliteration variants, and whether a region word was stripped.

        Cached per name: the scanner tries each n-gram of capitalised words, and both passes
        of document-level resolution and the re-ranking ask again. The dict is shared: read it.
        """
        cached = self._cache.get(name)
        if cached is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            cached = self._cache[name] = self._compute(name)
        return cached

    def _compute(self, name: str) -> tuple[Matches, bool]:
        table = self.table
        key = fold(name)
        found: Matches = {}
        region_word = False

        def take(items: Iterable[int], forced: int | None = None) -> None:
            for p in items:
                i, how = p >> 2, forced if forced is not None else p & 3
                if how < found.get(i, 99):
                    found[i] = how

        keys = table.keys(name)  # those of key as well: fold is idempotent
        for k in keys:
            take(postings(table.exact.get(k)))
        core, had_site = site_core(key)
        if had_site:
            for k in name_keys(core):
                take(p for p in postings(table.site.get(k)) if p & 3 == SITE_CORE)
                take((p for p in postings(table.site.get(k)) if p & 3 == CONTEXT), SITE_CORE)
            if not found:  # "al-Qaim base" with no such base known: the town, marked as such
                for k in name_keys(core):
                    take(postings(table.exact.get(k)), SITE_FALLBACK)
        else:
            for k in keys:
                take(p for p in postings(table.site.get(k)) if p & 3 == CONTEXT)
        words = key.split()
        if not found and len(words) > 1 and words[-1] == "river":
            for k in name_keys(" ".join(words[:-1])):
                take(p for p in postings(table.exact.get(k)) if table.kind(p >> 2) == "river")
        if not found and len(words) > 1 and words[-1] in REGION_WORDS:
            region_word = True
            for k in name_keys(" ".join(words[:-1])):
                take(p for p in postings(table.exact.get(k)) if table.kind(p >> 2) == "region")
        if not found and len(words) > 1 and words[-1] in TOWN_WORDS:
            for k in name_keys(" ".join(words[:-1])):
                take(p for p in postings(table.exact.get(k))
                     if table.kind(p >> 2) in ("city", "town"))
        if not found:  # "Tal Tamr" as GeoNames' "Tall Tamr": a name spelled another way
            for k in respellings(key):
                take(p for p in postings(table.exact.get(k)) if p & 3 in (NAME, ALIAS))
            found = dict.fromkeys(found, RESPELLED)
        return found, region_word
