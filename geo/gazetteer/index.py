"""The gazetteer index: exact lookup, ranked candidates with reasons, and place names in text.

The index is compiled once from every source (:mod:`geo.gazetteer_build`) and cached on disk as
column lists plus key -> postings maps (:class:`KeyIndex`: hash buckets decoded on first use),
so loading takes a tenth of a second and a lookup is a hash and a dict access. ``Place``
objects are made on demand from the columns.

Ranking is additive and explained: every score part comes with a reason string, so the map and
the extractor can say why "Kirkuk" became K-1 Air Base (a base context) or Paris became Paris,
Texas (the article names Texas).
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import math
import os
import pickle
import re
import tempfile
import zlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from geo.config import GAZETTEER_DATA_DIR, Settings
from geo.gazetteer.build import GENERIC_GEO_WORDS
from geo.gazetteer.demonyms import DEMONYMS, find_demonym_countries
from geo.geodesy import PointGrid
from geo.model import PLACE_KINDS, SITE_KINDS, Place
from geo.text.names import (
    fold,
    name_keys,
    respellings,
    site_core,
    skeleton,
    strip_article,
    tokens,
)

log = logging.getLogger(__name__)

#: Bump when the cached layout or the build rules change.
FORMAT_VERSION = 6
COMMON_WORDS_FILE = "common_words.txt"

# Match types stored in postings (posting = place index * 4 + match type).
# Match types 4 to 6 exist only at query time.
NAME, ALIAS, SITE_CORE, CONTEXT, FUZZY, SITE_FALLBACK, RESPELLED = 0, 1, 2, 3, 4, 5, 6
_MATCH_REASON = {NAME: "exact name", ALIAS: "alias", SITE_CORE: "site name",
                 CONTEXT: "base-context name", FUZZY: "transliteration variant",
                 SITE_FALLBACK: "no such site known; the place it is named after",
                 RESPELLED: "name or alias spelled another way"}
_MATCH_SCORE = {NAME: 3.0, ALIAS: 2.5, SITE_CORE: 2.8, CONTEXT: 1.0, FUZZY: 1.0,
                SITE_FALLBACK: 2.0, RESPELLED: 2.0}

#: Words that put a sentence in a base/military context (with the spun synonym "foundation").
BASE_CONTEXT = re.compile(
    r"\b(bases?|air ?bases?|camps?|garrisons?|air ?fields?|troops|forces|soldiers|coalition|"
    r"military|personnel|service ?members|foundations?|installations?|outposts?|barracks|"
    r"compound)\b", re.IGNORECASE,
)
#: Words after a name that say it is a region.
REGION_WORDS = ("province", "governorate", "region", "district", "oblast", "state", "county",
                "prefecture", "muhafazat")
_PLACE_NOUN_BEFORE = re.compile(
    r"\b(town|city|village|district|province|governorate|region|outskirts|suburbs?|port|"
    r"capital|area|hamlet|municipality)( of)?\s*$", re.IGNORECASE)
_LOCATIVE_BEFORE = re.compile(
    r"\b(in|at|near|outside|around|inside|from|to|into|toward|towards|across|of|"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)? of)\s+(?:the\s+)?$",
    re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Before a name that is part of a sea's: "the Gulf of Aden" is not Aden.
_WATER_BEFORE = re.compile(r"\b(gulf|sea|bay|straits?)\s+of\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(^|[.!?:;\n\"“”(\[]\s*)$")
#: The longest word _PLACE_NOUN_BEFORE or _LOCATIVE_BEFORE starts with ("municipality of",
#: "southwestern of"): where a match ending at the end of a text can start at the earliest.
_LONGEST_BEFORE_WORD = 15


def _ends_with(pattern: re.Pattern[str], before: str) -> bool:
    """``pattern.search(before)`` for the patterns of words before a name (_PLACE_NOUN_BEFORE,
    _LOCATIVE_BEFORE, _WATER_BEFORE, _SENTENCE_END), whose matches end at the end of
    ``before``: a word, then spaces (and "the") to the end. The search starts where such a
    match can start, not at every character of the text."""
    core = before.rstrip()
    if core[-3:].lower() == "the":  # "near the "
        core = core[:-3].rstrip()
    return pattern.search(before, max(0, len(core) - _LONGEST_BEFORE_WORD)) is not None
MONTHS_DAYS = _words(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun")
#: Words that are no place though some place may bear them: every demonym ("Iraqi"), and
#: adjectives of peoples, faiths and directions.
NOT_PLACE_WORDS = frozenset(d.lower() for d in DEMONYMS) | _words(
    "kurdish kurd kurds arab arabs sunni shia shiite christian muslim islamic "
    "western eastern northern southern")
#: Inner tokens that may be lowercase inside a multi-word name ("Ras al-Ayn", "Bay of Islands").
_INNER_LOWER = _words(
    "al el ad ed as es an en ar er at et az ez ash esh adh ath ul il bin ibn bani abu umm um "
    "de del della di da du des la le les los las of on upon the y van von der den ter zu sur in "
    "air base airbase airfield airport field army military international camp crossing border "
    "river governorate province")
#: A possessive at the end of a token ("Baghdad's Green Zone", "Syria’s Idlib"): tokens keep
#: their apostrophes ("Qa'im", "Ra's al-Ayn"), so a name is also tried without it.
_POSSESSIVES = ("'s", "’s")
#: Population under which a town needs the article's country or a locative word to count.
SMALL_TOWN = 5_000
MAX_NGRAM = 6
#: How far a place named nearby can be and still rank a candidate (150 km and a margin for
#: rounding: the bonus itself stops at 150 km).
_NEAR_KM = 155.0
_CITY = PLACE_KINDS.index("city")
#: Characters each side of a name whose words rank its candidates (region and country names).
_WINDOW = 200
#: Runs of a text that fold() may make words of: everything but ASCII spaces and punctuation
#: (the ASCII apostrophes it drops stay inside: "Qa'im" is one word, "qaim").
_RUN = re.compile(r"[A-Za-z0-9'`\x80-\U0010ffff]+")


class GazetteerError(RuntimeError):
    """The gazetteer cannot be built, loaded or queried as asked."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked answer for a name: the place, its score and why it scored so."""

    place: Place
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in text: offsets into the text and its ranked candidates."""

    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(slots=True)
class _Context:
    """Everything that ranks candidates besides the name itself."""

    countries: frozenset[str]
    context_key: str
    #: points of places named nearby (an empty grid: none); ``own``: the point of the name's
    #: own best place, no evidence for itself
    near: PointGrid[tuple[float, float]]
    base: bool
    region_word: bool = False
    #: keys of the name being ranked: the name itself in the context is no evidence
    own_keys: frozenset[str] = frozenset()
    own: tuple[float, float] | None = None


def _add(index: dict[str, list[int]], key: str, posting: int) -> None:
    if key:
        index.setdefault(key, []).append(posting)


def _freeze(index: dict[str, list[int]]) -> dict[str, int | tuple[int, ...]]:
    """Single postings as plain ints, others as deduplicated tuples (a compact pickle)."""
    out: dict[str, int | tuple[int, ...]] = {}
    for key, postings in index.items():
        unique = tuple(dict.fromkeys(postings))
        out[key] = unique[0] if len(unique) == 1 else unique
    return out


def _postings(value: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


class TextColumn:
    """Many strings stored as one string plus offsets: unpickles in milliseconds."""

    __slots__ = ("_data", "_offsets")

    def __init__(self, values: Iterable[str]) -> None:
        values = list(values)
        self._data = "".join(values)
        offsets = array("q", [0])
        total = 0
        for v in values:
            total += len(v)
            offsets.append(total)
        self._offsets = offsets

    def __getitem__(self, i: int) -> str:
        return self._data[self._offsets[i]:self._offsets[i + 1]]

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def __getstate__(self) -> tuple[str, array]:
        return self._data, self._offsets

    def __setstate__(self, state: tuple[str, array]) -> None:
        self._data, self._offsets = state


class KeyIndex:
    """A read-only key -> postings map that loads in milliseconds.

    Half a million keys unpickled as a dict take about half a second, most of a cold start.
    Here the keys are spread over hash buckets (CRC-32, stable across processes), each bucket
    stored as one string of its keys and the postings as one integer array; a bucket becomes
    a dict the first time a key in it is asked for. ``get`` answers as the frozen dict did: an
    int for one posting, a tuple for several, None for an unknown key.
    """

    __slots__ = ("_mask", "_keys", "_first", "_bounds", "_postings", "_decoded")

    def __init__(self, index: dict[str, int | tuple[int, ...]], keys_per_bucket: int = 16
                 ) -> None:
        buckets = 1 << max(0, (len(index) // keys_per_bucket).bit_length())
        grouped: list[list[str]] = [[] for _ in range(buckets)]
        for key in index:
            if "\x00" in key:
                raise GazetteerError(f"index key with a NUL character: {key!r}")
            grouped[_bucket(key, buckets - 1)].append(key)
        first, bounds, postings = array("I", [0]), array("I", [0]), array("I")
        for keys in grouped:
            for key in keys:
                value = index[key]
                postings.extend((value,) if isinstance(value, int) else value)
                bounds.append(len(postings))
            first.append(first[-1] + len(keys))
        self._setup(buckets - 1, ["\x00".join(keys) for keys in grouped], first, bounds, postings)

    def _setup(self, mask: int, keys: list[str], first: array, bounds: array,
               postings: array) -> None:
        self._mask, self._keys, self._first = mask, keys, first
        self._bounds, self._postings = bounds, postings
        self._decoded: list[dict[str, int | tuple[int, ...]] | None] = [None] * (mask + 1)

    def get(self, key: str) -> int | tuple[int, ...] | None:
        b = _bucket(key, self._mask)
        table = self._decoded[b]
        if table is None:
            table = self._decoded[b] = self._decode(b)
        return table.get(key)

    def _decode(self, b: int) -> dict[str, int | tuple[int, ...]]:
        text = self._keys[b]
        if self._first[b] == self._first[b + 1]:
            return {}
        bounds, postings = self._bounds, self._postings
        table: dict[str, int | tuple[int, ...]] = {}
        for k, key in enumerate(text.split("\x00"), self._first[b]):
            lo, hi = bounds[k], bounds[k + 1]
            table[key] = postings[lo] if hi - lo == 1 else tuple(postings[lo:hi])
        return table

    def __len__(self) -> int:
        return self._first[-1]

    def __getstate__(self) -> tuple:
        return self._mask, self._keys, self._first, self._bounds, self._postings

    def __setstate__(self, state: tuple) -> None:
        self._setup(*state)


def _bucket(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & mask


class Gazetteer:
    """Every place known offline, indexed by normalised name keys."""

    def __init__(self, state: dict) -> None:
        self._ids: TextColumn = state["ids"]
        #: per place "name RS aliases(US-joined) RS source_id": one slice makes a Place
        self._records: TextColumn = state["records"]
        self._kinds: bytes = state["kinds"]
        self._countries: TextColumn = state["countries"]
        self._lat: array = state["lat"]
        self._lon: array = state["lon"]
        self._pop: array = state["pop"]
        self._admin1: TextColumn = state["admin1"]
        self._source: array = state["source"]  # codes into _labels
        self._licence: array = state["licence"]
        self._labels: list[str] = state["labels"]
        self._capitals: frozenset[int] = state["capitals"]
        self._exact: KeyIndex = state["exact"]
        self._site: dict = state["site"]
        self._skeleton: KeyIndex | None = state.get("skeleton")
        self._skeleton_path: Path | None = None
        self._common: frozenset[str] = state["common"]
        self._country_names: dict[str, str] = state["country_names"]
        self._by_id: dict[str, int] | None = None
        self._place_cache: dict[int, Place] = {}
        self._key_cache: dict[str, frozenset[str]] = {}
        #: surface -> (non-fuzzy matches, region word seen): a name's matches depend on the
        #: name alone, and text repeats names (and tries every n-gram of capitalised words)
        self._match_cache: dict[str, tuple[dict[int, int], bool]] = {}
        self._fold_cache: dict[str, str] = {}
        self._static_cache: dict[int, tuple[str, float, tuple[str, ...]]] = {}

    # --- building and loading -------------------------------------------------------------

    @classmethod
    def load(cls, settings: Settings, data_dir: Path = GAZETTEER_DATA_DIR) -> Gazetteer:
        """The cached index for the current sources, building and caching it when stale."""
        from geo.gazetteer.build import source_files

        path = Path(settings.cache_dir) / f"gazetteer-{cache_key(source_files(data_dir))}.pickle"
        if path.is_file() and _skeleton_path(path).is_file():
            try:
                with path.open("rb") as fh:
                    gazetteer = cls(pickle.load(fh))
                gazetteer._skeleton_path = _skeleton_path(path)
                return gazetteer
            except (OSError, pickle.UnpicklingError, EOFError, KeyError) as exc:
                log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
        gazetteer = cls.build(data_dir)
        try:
            gazetteer._save(path)
        except OSError as exc:  # a read-only cache folder slows the next start, nothing more
            log.warning("could not cache the gazetteer in %s: %s", path.parent, exc)
        return gazetteer

    @classmethod
    def build(cls, data_dir: Path = GAZETTEER_DATA_DIR) -> Gazetteer:
        """Compile every source into a fresh index (tens of seconds; see :meth:`load`)."""
        from geo.gazetteer.build import build

        return cls(compile_state(build(data_dir), read_common_words(data_dir)))

    def _save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _dump_atomic(self._skeletons(), _skeleton_path(path))
        _dump_atomic(self._state(), path)
        self._skeleton_path = _skeleton_path(path)
        _prune_caches(path.parent, keep=path)

    def _skeletons(self) -> KeyIndex:
        """The transliteration index, read from its own cache file on first use."""
        if self._skeleton is None:
            if self._skeleton_path is None:
                raise GazetteerError("gazetteer transliteration index missing")
            with self._skeleton_path.open("rb") as fh:
                self._skeleton = pickle.load(fh)
        return self._skeleton

    def _state(self) -> dict:
        return {
            "ids": self._ids, "records": self._records, "kinds": self._kinds,
            "countries": self._countries, "lat": self._lat, "lon": self._lon, "pop": self._pop,
            "admin1": self._admin1, "source": self._source, "licence": self._licence,
            "labels": self._labels, "capitals": self._capitals,
            "exact": self._exact, "site": self._site,
            "common": self._common, "country_names": self._country_names,
        }

    # --- records --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    def place(self, i: int) -> Place:
        """The i-th record as a Place (made from the columns once, then reused)."""
        found = self._place_cache.get(i)
        if found is None:
            if len(self._place_cache) > 200_000:
                self._place_cache.clear()
            found = self._place_cache[i] = self._make_place(i)
        return found

    def _keys(self, name: str) -> frozenset[str]:
        found = self._key_cache.get(name)
        if found is None:
            if len(self._key_cache) > 100_000:
                self._key_cache.clear()
            found = self._key_cache[name] = frozenset(name_keys(name))
        return found

    def _fold(self, name: str) -> str:
        """``fold`` of a name asked for again and again (admin1 and country names, scored for
        every candidate; a span's text, gated wherever it occurs), cached."""
        found = self._fold_cache.get(name)
        if found is None:
            if len(self._fold_cache) > 100_000:
                self._fold_cache.clear()
            found = self._fold_cache[name] = fold(name)
        return found

    def _make_place(self, i: int) -> Place:
        lat, lon = self._lat[i], self._lon[i]
        name, aliases, source_id = self._records[i].split("\x1e")
        return Place(
            id=self._ids[i], name=name, kind=PLACE_KINDS[self._kinds[i]],
            country=self._countries[i], lat=None if math.isnan(lat) else lat,
            lon=None if math.isnan(lon) else lon, population=self._pop[i],
            aliases=tuple(aliases.split("\x1f")) if aliases else (),
            admin1=self._admin1[i], source=self._labels[self._source[i]], source_id=source_id,
            licence=self._labels[self._licence[i]],
        )

    def get(self, place_id: str) -> Place | None:
        """The place with this id ("geonames:98182", "ourairports:ORAA"), or None."""
        if self._by_id is None:
            self._by_id = {pid: i for i, pid in enumerate(self._ids)}
        i = self._by_id.get(place_id)
        return None if i is None else self.place(i)

    def country_name(self, iso2: str) -> str:
        """The country's name for an ISO alpha-2 code ("" when unknown)."""
        return self._country_names.get(iso2.upper(), "")

    def lookup(self, name: str) -> list[Place]:
        """Places whose name or alias matches exactly after normalisation, most populous first."""
        found = {p >> 2 for key in self._keys(name) for p in _postings(self._exact.get(key))}
        regions = PLACE_KINDS.index("region")
        order = sorted(found, key=lambda i: (self._kinds[i] == regions, -self._pop[i]))
        return [self.place(i) for i in order]

    def nearest(self, lat: float, lon: float, kinds: Collection[str] | None = None,
                limit: int = 5, max_km: float | None = None) -> list[tuple[Place, float]]:
        """The closest located places (optionally of some kinds) with their distance in km."""
        import numpy as np

        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"not a coordinate: {lat}, {lon}")
        lats = np.frombuffer(self._lat, dtype=np.float64)
        lons = np.frombuffer(self._lon, dtype=np.float64)
        p1, p2 = np.radians(lat), np.radians(lats)
        a = (np.sin((p2 - p1) / 2) ** 2
             + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
        dist = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        dist[np.isnan(dist)] = np.inf
        if kinds is not None:
            codes = np.frombuffer(self._kinds, dtype=np.uint8)
            wanted = [PLACE_KINDS.index(k) for k in kinds if k in PLACE_KINDS]
            dist[~np.isin(codes, wanted)] = np.inf
        order = np.argsort(dist, kind="stable")[:limit]
        return [(self.place(int(i)), float(dist[i])) for i in order
                if np.isfinite(dist[i]) and (max_km is None or dist[i] <= max_km)]

    # --- ranking --------------------------------------------------------------------------

    def candidates(self, name: str, country: str | Iterable[str] | None = None,
                   context: str = "", near: Sequence[tuple[float, float]] = (),
                   prefer_sites: bool = False, limit: int = 10) -> list[Candidate]:
        """Places a name may mean, best first, each with the reasons for its score.

        ``country``: ISO alpha-2 code(s) the text is about; ``context``: the sentence or
        article around the name (base words and named regions/countries count);
        ``near``: points of places already resolved nearby; ``prefer_sites``: the sentence is
        about a base. A name that matches nothing gives ``[]``: never a guess.
        """
        if not name or not name.strip():
            return []
        ctx = self._context(country, context, near, prefer_sites)
        ctx.own_keys = self._keys(name)
        return self._rank(name, ctx, limit)

    def _context(self, country: str | Iterable[str] | None, context: str,
                 near: Sequence[tuple[float, float]], prefer_sites: bool) -> _Context:
        if country is None:
            countries: frozenset[str] = frozenset()
        elif isinstance(country, str):
            countries = frozenset({country.upper()}) if country else frozenset()
        else:
            countries = frozenset(c.upper() for c in country if c)
        return _Context(countries=countries, context_key=f" {fold(context)} ",
                        near=_near_grid(near),
                        base=prefer_sites or bool(BASE_CONTEXT.search(context)))

    def _matches(self, name: str, ctx: _Context) -> dict[int, int]:
        """place index -> best (lowest) match type for a name."""
        found, region_word = self._exact_matches(name)
        if region_word:
            ctx.region_word = True
        if found:
            return found
        skel = skeleton(fold(name))
        if len(skel) < 5:
            return {}
        fuzzy: dict[int, int] = {}
        for p in _postings(self._skeletons().get(skel)):
            fuzzy.setdefault(p >> 2, FUZZY)
        return fuzzy

    def _exact_matches(self, name: str) -> tuple[dict[int, int], bool]:
        """Every match but transliteration variants, and whether a region word was stripped.

        Cached per name: the scanner tries each n-gram of capitalised words, and both passes
        of :meth:`resolve_mentions` and the re-ranking ask again. The dict is shared: read it.
        """
        cached = self._match_cache.get(name)
        if cached is None:
            if len(self._match_cache) > 200_000:
                self._match_cache.clear()
            cached = self._match_cache[name] = self._compute_matches(name)
        return cached

    def _compute_matches(self, name: str) -> tuple[dict[int, int], bool]:
        key = fold(name)
        found: dict[int, int] = {}
        region_word = False

        def take(postings: Iterable[int], forced: int | None = None) -> None:
            for p in postings:
                i, how = p >> 2, forced if forced is not None else p & 3
                if how < found.get(i, 99):
                    found[i] = how

        keys = self._keys(name)  # those of key as well: fold is idempotent
        for k in keys:
            take(_postings(self._exact.get(k)))
        core, had_site = site_core(key)
        if had_site:
            for k in name_keys(core):
                take(p for p in _postings(self._site.get(k)) if p & 3 == SITE_CORE)
                take((p for p in _postings(self._site.get(k)) if p & 3 == CONTEXT), SITE_CORE)
            if not found:  # "al-Qaim base" with no such base known: the town, marked as such
                for k in name_keys(core):
                    take(_postings(self._exact.get(k)), SITE_FALLBACK)
        else:
            for k in keys:
                take(p for p in _postings(self._site.get(k)) if p & 3 == CONTEXT)
        words = key.split()
        if not found and len(words) > 1 and words[-1] == "river":
            for k in name_keys(" ".join(words[:-1])):
                take(p for p in _postings(self._exact.get(k))
                     if PLACE_KINDS[self._kinds[p >> 2]] == "river")
        if not found and len(words) > 1 and words[-1] in REGION_WORDS:
            region_word = True
            for k in name_keys(" ".join(words[:-1])):
                take(p for p in _postings(self._exact.get(k))
                     if PLACE_KINDS[self._kinds[p >> 2]] == "region")
        if not found:  # "Tal Tamr" as GeoNames' "Tall Tamr": a name spelled another way
            for k in respellings(key):
                take(p for p in _postings(self._exact.get(k)) if p & 3 in (NAME, ALIAS))
            found = dict.fromkeys(found, RESPELLED)
        return found, region_word

    def _rank(self, name: str, ctx: _Context, limit: int) -> list[Candidate]:
        scored = [self._score(i, how, ctx) for i, how in self._matches(name, ctx).items()]
        scored.sort(key=lambda t: (-t[0], -self._pop[t[2]], self._ids[t[2]]))
        return [Candidate(self.place(i), round(s, 3), reasons) for s, reasons, i in scored[:limit]]

    def _score(self, i: int, how: int, ctx: _Context) -> tuple[float, tuple[str, ...], int]:
        kind, score, head = self._static_score(i, how, ctx.region_word)
        reasons = list(head)
        score += self._context_score(i, kind, how, ctx, reasons)
        if math.isnan(self._lat[i]):
            score -= 1.0
            reasons.append("no coordinates (-1.0)")
        return score, tuple(reasons), i

    def _static_score(self, i: int, how: int, region_word: bool
                      ) -> tuple[str, float, tuple[str, ...]]:
        """Kind, match + prominence score and their reasons: the part of a score that does not
        depend on the text around the name, cached (a place is ranked again and again)."""
        cache_key = (i << 4) | (how << 1) | region_word
        found = self._static_cache.get(cache_key)
        if found is None:
            if len(self._static_cache) > 200_000:
                self._static_cache.clear()
            kind = PLACE_KINDS[self._kinds[i]]
            score = _MATCH_SCORE[how]
            reasons = [f"{_MATCH_REASON[how]} (+{score:.1f})"]
            score += self._prominence(i, kind, region_word, reasons)
            found = self._static_cache[cache_key] = (kind, score, tuple(reasons))
        return found

    def _prominence(self, i: int, kind: str, region_word: bool, reasons: list[str]) -> float:
        pop = self._pop[i]
        score = 0.0
        if pop > 0:
            weight = 0.22 if kind == "region" else 0.35  # a region's population is a sum
            score += weight * math.log10(pop + 1)
            reasons.append(f"population {pop:,} (+{weight * math.log10(pop + 1):.1f})")
        bonus = {"country": 2.5, "military_base": 0.8, "airport": 0.6, "airfield": 0.4,
                 "border_crossing": 0.4, "river": 1.5, "facility": 0.5}.get(kind, 0.0)
        if kind == "region":
            bonus = 2.0 if region_word else 0.0
        if bonus:
            score += bonus
            reasons.append(f"kind {kind} (+{bonus:.1f})")
        if i in self._capitals:
            score += 0.8
            reasons.append("national capital (+0.8)")
        return score

    def _context_score(self, i: int, kind: str, how: int, ctx: _Context,
                       reasons: list[str]) -> float:
        score = 0.0
        country = self._countries[i]
        if country and country in ctx.countries:
            score += 3.0
            reasons.append(f"in {country}, a country of the text (+3.0)")
        for label, name in (("region", self._admin1[i]),
                            ("country", self._country_names.get(country, ""))):
            key = self._fold(name)
            if (key and kind not in ("region", "country") and f" {key} " in ctx.context_key
                    and key not in ctx.own_keys and strip_article(key) not in ctx.own_keys):
                score += 2.5
                reasons.append(f"context names its {label} {name} (+2.5)")
                break
        d = ctx.near.nearest_km(self._lat[i], self._lon[i], exclude=ctx.own) \
            if len(ctx.near) else None
        if d is not None:
            bonus = 2.0 if d <= 30 else 1.0 if d <= 150 else 0.0
            if bonus:
                score += bonus
                reasons.append(f"{d:.0f} km from a place named nearby (+{bonus:.1f})")
        site = kind in SITE_KINDS
        if ctx.base and site:
            score += 2.5
            reasons.append("base context prefers sites (+2.5)")
            if how == CONTEXT:
                score += 4.0
                reasons.append("base context: the name means this site (+4.0)")
        elif how == CONTEXT:
            score -= 1.0
            reasons.append("names this site only in a base context (-1.0)")
        return score

    # --- text -----------------------------------------------------------------------------

    def find_mentions(self, text: str, countries: Iterable[str] = (),
                      prefer_sites_at: Callable[[int], bool] | Collection[int] | None = None,
                      ) -> list[Mention]:
        """Place names in a text, longest match first, gated against ordinary words.

        ``countries``: ISO codes the article is about (small towns and common-word names need
        them or a locative word); ``prefer_sites_at``: offsets (or a predicate on the mention's
        start) where the sentence is about a base.
        """
        if not isinstance(text, str):
            raise GazetteerError(f"find_mentions needs text, got {type(text).__name__}")
        return self._scan(_Scan(text), frozenset(c.upper() for c in countries), prefer_sites_at)

    def _scan(self, scan: _Scan, article: frozenset[str],
              prefer_sites_at: Callable[[int], bool] | Collection[int] | None) -> list[Mention]:
        mentions: list[Mention] = []
        after = 0  # the first token after the last mention
        for i in scan.starts:  # a name starts with a capitalised word
            if i < after or i in scan.no_match:
                continue
            found = self._longest_at(scan, i, article, prefer_sites_at)
            if found is not None:
                mention, used = found
                mentions.append(mention)
                after = i + used
        return mentions

    def _longest_at(self, scan: _Scan, i: int, article: frozenset[str],
                    prefer_sites_at: Callable[[int], bool] | Collection[int] | None,
                    ) -> tuple[Mention, int] | None:
        """The longest name starting at token ``i`` that passes the gate, and its length.

        The article's countries reach the gate and the score only through the countries of
        the places a span may mean (and, at one step of the gate, whether the article has any
        country at all), so an earlier pass's answer stands when none of those was changed.
        """
        known = scan.found.get(i)
        if known is not None:
            before, countries, result = known
            if ((_ANY_COUNTRY not in countries or bool(before) == bool(article))
                    and not countries & (before ^ article)):
                return result
        seen: set[str] = set()
        result = self._compute_longest_at(scan, i, article, prefer_sites_at, seen)
        scan.found[i] = (article, frozenset(seen), result)
        return result

    def _compute_longest_at(self, scan: _Scan, i: int, article: frozenset[str],
                            prefer_sites_at: Callable[[int], bool] | Collection[int] | None,
                            seen: set[str]) -> tuple[Mention, int] | None:
        """:meth:`_longest_at` without the memo; adds to ``seen`` the countries of every
        place the spans tried may mean.

        Only n-grams that can be names (see :meth:`_Scan.reach`) are looked up; the context
        of the start is built only for a span that matches a place.
        """
        text, spans = scan.text, scan.spans
        start = spans[i][0]
        base: bool | None = None
        matched = False
        for n in range(min(MAX_NGRAM, len(spans) - i, scan.reach(i) + 1), 0, -1):
            end = spans[i + n - 1][1]
            surface = text[start:end]
            found, region_word = self._exact_matches(surface)  # no fuzzy matches in text
            if not found and surface.endswith(_POSSESSIVES):  # "Baghdad's": the name ends
                end -= 2
                surface = text[start:end]
                found, region_word = self._exact_matches(surface)
            if not found:
                continue
            if base is None:
                base = _at(prefer_sites_at, start)
            matches = found if base else {k: v for k, v in found.items() if v != CONTEXT}
            if not matches:
                continue
            matched = True
            seen.update(self._countries[k] for k in matches)
            if not self._gate(text, start, end, surface, matches, article, seen):
                continue
            ctx = _Context(countries=article, context_key=scan.context_key(start), near=_NO_NEAR,
                           base=base, region_word=region_word, own_keys=self._keys(surface))
            scored = [self._score(k, v, ctx) for k, v in matches.items()]
            scored.sort(key=lambda t: (-t[0], -self._pop[t[2]], self._ids[t[2]]))
            cands = tuple(Candidate(self.place(k), round(s, 3), r) for s, r, k in scored[:10])
            return Mention(start, end, surface, cands), n
        if not matched:  # whatever the countries, no name starts here
            scan.no_match.add(i)
        return None

    def _gate(self, text: str, start: int, end: int, surface: str, matches: dict[int, int],
              article: frozenset[str], seen: set[str]) -> bool:
        """Is this capitalised span a place here, not an ordinary word or part of a name?

        Adds :data:`_ANY_COUNTRY` to ``seen`` when the answer turns on whether the article
        has a country at all (its other dependence on the article is through the countries
        of ``matches``).
        """
        key = self._fold(surface)
        letters = key.replace(" ", "")
        kinds = {PLACE_KINDS[self._kinds[k]] for k in matches}
        if len(letters) <= 2 and not surface.replace("-", "").isupper():
            return False  # "Of", "Us": two-letter names only in capitals ("US", "K1", "TQ")
        if surface.isupper() and len(letters) <= 4 and not kinds & (SITE_KINDS | {"country"}):
            return False  # acronyms ("DER", "MON") are rarely towns
        before = text[max(0, start - 40):start]
        if before.rstrip()[-2:].lower() == "of" and _ends_with(_WATER_BEFORE, before):
            return False
        if _ends_with(_PLACE_NOUN_BEFORE, before) or self._trailing_support(text, end, matches):
            return True
        if key in MONTHS_DAYS or key in NOT_PLACE_WORDS:
            return False
        initial = _ends_with(_SENTENCE_END, before)
        locative = _ends_with(_LOCATIVE_BEFORE, before)
        in_article = any(self._countries[k] in article for k in matches)
        words = key.split()
        if "." not in surface and all(len(w) > 1 and w in self._common for w in words):
            if kinds & _NAMED_SITE_KINDS and (_says_its_kind(key) or not initial and (
                    locative or re.search(r"\bthe\s+$", before, re.IGNORECASE))):
                # "the Green Zone", "near Union III", "The Abu Kamal border crossing"
                return True
            # an ordinary word: only a place's own name, after a locative word, mid-sentence,
            # where the place is big or in the article's country, and not a generic word
            named = [k for k, how in matches.items() if how == NAME]
            return bool(
                named and not initial and locative
                and not all(w in GENERIC_GEO_WORDS for w in words)
                and not self._inside_proper_name(text, start, end)
                and any(self._pop[k] >= 100_000
                        or (self._pop[k] >= SMALL_TOWN and self._countries[k] in article)
                        for k in named))
        if kinds & (SITE_KINDS | {"country", "river", "border_crossing"}) or any(
                self._pop[k] >= 1_000_000 and self._kinds[k] == _CITY for k in matches):
            return True
        if self._inside_proper_name(text, start, end):
            return False  # "Quds Force", "Carla Babb"
        if "region" in kinds:
            return True
        big_enough = any(self._pop[k] >= SMALL_TOWN for k in matches)
        if not in_article and not any(self._pop[k] >= 100_000 for k in matches):
            seen.add(_ANY_COUNTRY)
            if article and not (locative and big_enough and not initial):
                return False  # a small foreign town in an article about elsewhere: a namesake
        return big_enough or locative or in_article

    def _trailing_support(self, text: str, end: int, matches: dict[int, int]) -> bool:
        """"Hit, Anbar" / "Mobile, Alabama": followed by the candidate's region or country."""
        if not text[end:end + 2].startswith((",", " in")):
            return False
        after = fold(text[end:end + 40].lstrip(" ,"))
        after = after.removeprefix("in ")
        for k in matches:
            for name in (self._admin1[k], self._country_names.get(self._countries[k], "")):
                key = self._fold(name)
                bare = strip_article(key)
                if key and (after.startswith(key) or (bare and after.startswith(bare))):
                    return True
        return False

    @staticmethod
    def _inside_proper_name(text: str, start: int, end: int) -> bool:
        """A word next to another capitalised word ("Carla Babb") is part of a person's name;
        a possessive ends a name ("Iraq's Anbar province")."""
        prev = re.search(r"([A-Z][\w'’-]*)(?<!['’]s)\s$", text[max(0, start - 30):start])
        nxt = re.match(r"\s([A-Z][\w'’-]*)", text[end:end + 30])
        if prev and not _SENTENCE_END.search(text[max(0, start - 40):start - len(prev.group(0))]):
            return True
        return bool(nxt)

    def resolve_mentions(self, text: str, countries: Iterable[str] = (),
                         prefer_sites_at: Callable[[int], bool] | Collection[int] | None = None,
                         ) -> list[Mention]:
        """Document-level resolution: find mentions, infer the article's countries, re-rank.

        The article's countries are the ``countries`` given, plus countries named in the text
        or implied by a demonym ("Iraqi forces"), plus the countries of mentions whose best
        candidate clearly wins. Mentions are then found
        again with those countries, and each is ranked near the unambiguous places.
        """
        if not isinstance(text, str):
            raise GazetteerError(f"resolve_mentions needs text, got {type(text).__name__}")
        article = {c.upper() for c in countries} | find_demonym_countries(text)
        scan = _Scan(text)
        first = self._scan(scan, frozenset(article), prefer_sites_at)
        before = len(article)
        article |= self.article_countries(first)
        # the same countries find the same mentions: only new countries need a second pass
        mentions = first if len(article) == before else self._scan(
            scan, frozenset(article), prefer_sites_at)
        anchors = [(m.best.place.lat, m.best.place.lon) for m in mentions
                   if m.best and _clear(m) and m.best.place.has_point
                   and m.best.place.kind not in ("country", "region", "river")]
        if not anchors:
            return mentions
        out = []
        near, countries = _near_grid(anchors), frozenset(article)
        for m in mentions:
            # the caller decides which sentences are about a base; base words in the window
            # do not override that here
            ctx = _Context(countries=countries, context_key=scan.context_key(m.start),
                           near=near, base=_at(prefer_sites_at, m.start),
                           own_keys=self._keys(m.surface),
                           own=(m.best.place.lat, m.best.place.lon) if m.best else None)
            cands = self._rank(m.surface, ctx, 10)
            kept = {c.place.id for c in m.candidates}
            ranked = tuple(c for c in cands if c.place.id in kept) or m.candidates
            out.append(Mention(m.start, m.end, m.surface, ranked))
        return out

    @staticmethod
    def article_countries(mentions: Iterable[Mention]) -> set[str]:
        """Countries named in the mentions or holding their clearly best candidate."""
        out: set[str] = set()
        for m in mentions:
            best = m.best
            if best and best.place.country and (best.place.kind == "country" or _clear(m)):
                out.add(best.place.country)
        return out


#: in the countries a span's answer depends on: whether the article has any country at all
_ANY_COUNTRY = "*"

#: a name found at a token and how many tokens it spans, or None
_Found = tuple[Mention, int] | None


class _Scan:
    """One text being scanned: its tokens, which can start or continue a name, and the
    folded context around each offset, shared by every pass of :meth:`resolve_mentions`."""

    __slots__ = ("text", "spans", "capital", "starts", "no_match", "found", "_reach", "_windows",
                 "_runs")

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = tokens(text)
        self.capital = [_capitalised(text[a:b]) for a, b in self.spans]
        #: tokens a name can start with, in text order
        self.starts = [i for i, cap in enumerate(self.capital) if cap]
        #: tokens where no span matches a place (the gate aside): later passes skip them
        self.no_match: set[int] = set()
        #: token -> (the article's countries, the countries of every place the span tried
        #: there could mean, the result): a later pass reuses it when no such country changed
        self.found: dict[int, tuple[frozenset[str], frozenset[str], _Found]] = {}
        self._reach: dict[int, int] = {}
        self._windows: dict[int, str] = {}
        self._runs: tuple[list[int], list[int], list[str]] | None = None

    def reach(self, i: int) -> int:
        """How many tokens after ``i`` may join it in a name (at most ``MAX_NGRAM - 1``).

        A span can be a name when every later word is capitalised or a lowercase inner word
        ("Ras al-Ayn", "Bay of Islands") and words are joined by a space or hyphen only, or
        follow an initial ("U.S. Embassy"): names do not run across punctuation or lines.
        """
        found = self._reach.get(i)
        if found is None:
            found = self._reach[i] = self._count_reach(i)
        return found

    def _count_reach(self, i: int) -> int:
        text, spans = self.text, self.spans
        last = min(len(spans) - 1, i + MAX_NGRAM - 1)
        j = i
        while j < last:
            a, b = spans[j], spans[j + 1]
            gap = text[a[1]:b[0]]
            abbreviation = b[0] - a[0] == 1 + len(gap) and gap in (".", ". ")  # "U.S. Embassy"
            if gap not in (" ", "-") and not abbreviation:
                break
            if not (self.capital[j + 1] or text[b[0]:b[1]].lower() in _INNER_LOWER):
                break
            j += 1
        return j - i

    def context_key(self, offset: int) -> str:
        """The folded window around an offset, padded with spaces for whole-word tests."""
        key = self._windows.get(offset)
        if key is None:
            key = self._windows[offset] = f" {self._fold_window(offset)} "
        return key

    def _fold_window(self, offset: int, width: int = _WINDOW) -> str:
        """``fold`` of the ``width`` characters each side of ``offset``, from the text's word
        runs folded once.

        fold() changes each character on its own (the one exception, Greek final sigma, is
        no place-name key), and ASCII punctuation and spaces only ever separate words; so a
        window's folded words are those of the runs between such characters, the runs cut
        at the window's edges folded again.
        """
        if self._runs is None:
            found = [m.span() for m in _RUN.finditer(self.text)]
            self._runs = ([a for a, _ in found], [b for _, b in found],
                          [_fold_run(self.text[a:b]) for a, b in found])
        starts, ends, folded = self._runs
        a, b = max(0, offset - width), offset + width
        lo, hi = bisect.bisect_right(ends, a), bisect.bisect_left(starts, b)
        words = folded[lo:hi]
        if words and starts[lo] < a:
            words[0] = _fold_run(self.text[a:ends[lo]])
        if words and ends[hi - 1] > b:
            words[-1] = _fold_run(self.text[max(a, starts[hi - 1]):b])
        return " ".join(w for w in words if w)


def _fold_run(run: str) -> str:
    if run.isascii():  # letters, digits and ASCII apostrophes: what fold() would do, faster
        return run.lower().replace("'", "").replace("`", "")
    return fold(run)


# --- module helpers ---------------------------------------------------------------------------

#: Kinds of place whose name may be ordinary words when the text points at it as a site.
_NAMED_SITE_KINDS = SITE_KINDS | {"border_crossing"}


def _says_its_kind(key: str) -> bool:
    """A folded name that ends or starts with what it is ("abu kamal border crossing", "camp
    union"): words that mean a site when they follow a name."""
    return site_core(key)[1] or key.endswith((" border crossing", " crossing", " border post"))


def _near_grid(points: Iterable[tuple[float, float]]) -> PointGrid[tuple[float, float]]:
    """The distinct points of places named nearby, for :meth:`Gazetteer._context_score`."""
    return PointGrid(((la, lo, (la, lo)) for la, lo in dict.fromkeys(points)), _NEAR_KM)


_NO_NEAR: PointGrid[tuple[float, float]] = PointGrid((), _NEAR_KM)


def _clear(m: Mention) -> bool:
    """The best candidate wins by a clear margin (or is alone)."""
    c = m.candidates
    return len(c) == 1 or (len(c) > 1 and c[0].score - c[1].score >= 2.0)


def _capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit() or _article_hyphen(word)
                           or "\u0600" <= word[0] <= "\u06ff")


def _article_hyphen(word: str) -> bool:
    """"al-Asad", "ez-Zor": a lowercase article joined to a capitalised name."""
    head, sep, rest = word.partition("-")
    return bool(sep) and head.lower() in _INNER_LOWER and rest[:1].isupper()


def _at(prefer: Callable[[int], bool] | Collection[int] | None, offset: int) -> bool:
    if prefer is None:
        return False
    if callable(prefer):
        return bool(prefer(offset))
    return offset in prefer


def _prune_caches(folder: Path, keep: Path, spare: int = 1) -> None:
    """Drop stale index caches, sparing the newest ``spare`` others (another checkout or
    process may still be using them)."""
    mains = sorted((p for p in folder.glob("gazetteer-*.pickle")
                    if not p.name.endswith("-skeleton.pickle") and p != keep),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in mains[spare:]:
        old.unlink(missing_ok=True)
        _skeleton_path(old).unlink(missing_ok=True)


def _skeleton_path(path: Path) -> Path:
    return path.with_name(path.stem + "-skeleton.pickle")


def _dump_atomic(obj: object, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def cache_key(files: Iterable[Path]) -> str:
    """A hash of the sources' sizes and mtimes plus the format version."""
    h = hashlib.sha1(f"v{FORMAT_VERSION}".encode())
    for f in files:
        st = f.stat() if f.exists() else None
        h.update(f"{f}:{st.st_size if st else -1}:{st.st_mtime_ns if st else -1}".encode())
    return h.hexdigest()[:16]


def read_common_words(data_dir: Path = GAZETTEER_DATA_DIR) -> frozenset[str]:
    """English words that are also place names ("hit", "mobile", "reading"): gated in text."""
    path = data_dir / COMMON_WORDS_FILE
    if not path.is_file():
        raise GazetteerError(f"gazetteer word list missing: {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def compile_state(compiled, common: frozenset[str]) -> dict:
    """Column lists and key indexes for a compiled build (what the cache stores)."""
    places: list[Place] = compiled.places
    exact: dict[str, list[int]] = {}
    site: dict[str, list[int]] = {}
    skel: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        names = [(p.name, NAME)] + [(a, ALIAS) for a in p.aliases]
        for text, how in names:
            for key in name_keys(text):
                _add(exact, key, i * 4 + how)
            if p.kind in SITE_KINDS:
                core, had = site_core(fold(text))
                if had:
                    for key in name_keys(core):
                        _add(site, key, i * 4 + SITE_CORE)
            if p.population >= 1000 or p.kind in SITE_KINDS | {"country", "region", "river"}:
                s = skeleton(fold(text))
                if len(s) >= 5:
                    _add(skel, s, i * 4 + how)
        for alias in compiled.context_aliases.get(p.id, ()):
            for key in name_keys(alias):
                _add(site, key, i * 4 + CONTEXT)
    nan = float("nan")
    labels = sorted({p.source for p in places} | {p.licence for p in places})
    code = {label: n for n, label in enumerate(labels)}
    return {
        "ids": TextColumn(p.id for p in places),
        "records": TextColumn(f"{p.name}\x1e{chr(31).join(p.aliases)}\x1e{p.source_id}"
                              for p in places),
        "labels": labels,
        "source": array("I", (code[p.source] for p in places)),
        "licence": array("I", (code[p.licence] for p in places)),
        "kinds": bytes(PLACE_KINDS.index(p.kind) for p in places),
        "countries": TextColumn(p.country for p in places),
        "lat": array("d", (nan if p.lat is None else p.lat for p in places)),
        "lon": array("d", (nan if p.lon is None else p.lon for p in places)),
        "pop": array("q", (p.population for p in places)),
        "admin1": TextColumn(p.admin1 for p in places),
        "capitals": frozenset(i for i, p in enumerate(places) if p.id in compiled.capitals),
        "exact": KeyIndex(_freeze(exact)), "site": _freeze(site),
        "skeleton": KeyIndex(_freeze(skel)),
        "common": common,
        "country_names": {p.country: p.name for p in places if p.kind == "country"},
    }
