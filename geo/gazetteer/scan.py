"""Place names in text: capitalised n-grams looked up in the index, gated against ordinary
words, person and organisation names, and small namesakes abroad (``docs/gazetteer.md``)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from geo.gazetteer.columns import CONTEXT, NAME, postings
from geo.gazetteer.demonyms import DEMONYMS
from geo.gazetteer.matching import Matcher, Matches
from geo.gazetteer.ranking import NO_NEAR, Candidate, RankContext, Ranker
from geo.gazetteer.records import PlaceTable
from geo.model import PLACE_KINDS, SITE_KINDS
from geo.text.names import fold, site_core, strip_article, tokens

#: offsets where a sentence is about a base, or a predicate on a mention's start
PreferSites = Callable[[int], bool] | Collection[int] | None

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
_CITY = PLACE_KINDS.index("city")
#: Characters each side of a name whose words rank its candidates (region and country names).
_WINDOW = 200
#: Runs of a text that fold() may make words of: everything but ASCII spaces and punctuation
#: (the ASCII apostrophes it drops stay inside: "Qa'im" is one word, "qaim").
_RUN = re.compile(r"[A-Za-z0-9'`\x80-\U0010ffff]+")
#: Generic geographic words: region names made of them ("Gulf", "Central", "North") stay gated.
GENERIC_GEO_WORDS = frozenset(re.split(r"\s+", (
    "gulf central north south east west northern southern eastern western coast coastal lakes "
    "lake islands island capital centre center upper lower middle highlands mountain mountains "
    "valley river plateau littoral interior frontier border delta plains bay")))
#: Kinds of place whose name may be ordinary words when the text points at it as a site.
_NAMED_SITE_KINDS = SITE_KINDS | {"border_crossing"}
#: in the countries a span's answer depends on: whether the article has any country at all
_ANY_COUNTRY = "*"


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


#: a name found at a token and how many tokens it spans, or None
_Found = tuple[Mention, int] | None


class TextScan:
    """One text being scanned: its tokens, which can start or continue a name, and the
    folded context around each offset, shared by every pass of document-level resolution."""

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


class Scanner:
    """Finds the place names of a text, longest match first, each with its ranked
    candidates (ranked with the article's countries, not yet with the points of its other
    places: that is document-level resolution)."""

    def __init__(self, table: PlaceTable, matcher: Matcher, ranker: Ranker) -> None:
        self.table = table
        self.matcher = matcher
        self.ranker = ranker

    def scan(self, scan: TextScan, article: frozenset[str],
             prefer_sites_at: PreferSites) -> list[Mention]:
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

    def _longest_at(self, scan: TextScan, i: int, article: frozenset[str],
                    prefer_sites_at: PreferSites) -> tuple[Mention, int] | None:
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

    def _compute_longest_at(self, scan: TextScan, i: int, article: frozenset[str],
                            prefer_sites_at: PreferSites, seen: set[str]
                            ) -> tuple[Mention, int] | None:
        """:meth:`_longest_at` without the memo; adds to ``seen`` the countries of every
        place the spans tried may mean.

        Only n-grams that can be names (see :meth:`TextScan.reach`) are looked up; the context
        of the start is built only for a span that matches a place.
        """
        text, spans = scan.text, scan.spans
        start = spans[i][0]
        base: bool | None = None
        matched = False
        for n in range(min(MAX_NGRAM, len(spans) - i, scan.reach(i) + 1), 0, -1):
            end = spans[i + n - 1][1]
            surface = text[start:end]
            found, region_word = self.matcher.exact(surface)  # no fuzzy matches in text
            if not found and surface.endswith(_POSSESSIVES):  # "Baghdad's": the name ends
                end -= 2
                surface = text[start:end]
                found, region_word = self.matcher.exact(surface)
            if not found:
                continue
            if base is None:
                base = at_offset(prefer_sites_at, start)
            matches = found if base else {k: v for k, v in found.items() if v != CONTEXT}
            if not matches:
                continue
            matched = True
            seen.update(self.table.countries[k] for k in matches)
            if not self._gate(text, start, end, surface, matches, article, seen):
                continue
            ctx = RankContext(countries=article, context_key=scan.context_key(start),
                              near=NO_NEAR, base=base, region_word=region_word,
                              own_keys=self.table.keys(surface))
            cands = tuple(self.ranker.ranked(matches, ctx, 10))
            return Mention(start, end, surface, cands), n
        if not matched:  # whatever the countries, no name starts here
            scan.no_match.add(i)
        return None

    def _gate(self, text: str, start: int, end: int, surface: str, matches: Matches,
              article: frozenset[str], seen: set[str]) -> bool:
        """Is this capitalised span a place here, not an ordinary word or part of a name?

        Adds :data:`_ANY_COUNTRY` to ``seen`` when the answer turns on whether the article
        has a country at all (its other dependence on the article is through the countries
        of ``matches``).
        """
        t = self.table
        key = t.fold(surface)
        letters = key.replace(" ", "")
        kinds = {PLACE_KINDS[t.kinds[k]] for k in matches}
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
        in_article = any(t.countries[k] in article for k in matches)
        words = key.split()
        if "." not in surface and all(len(w) > 1 and w in t.common for w in words):
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
                and not _inside_proper_name(text, start, end)
                and any(t.pop[k] >= 100_000
                        or (t.pop[k] >= SMALL_TOWN and t.countries[k] in article)
                        for k in named))
        if kinds & (SITE_KINDS | {"country", "river", "border_crossing"}) or any(
                t.pop[k] >= 1_000_000 and t.kinds[k] == _CITY for k in matches):
            return True
        if _inside_proper_name(text, start, end):
            return False  # "Quds Force", "Carla Babb"
        if "region" in kinds:
            return True
        big_enough = any(t.pop[k] >= SMALL_TOWN for k in matches)
        if not in_article and not any(t.pop[k] >= 100_000 for k in matches):
            seen.add(_ANY_COUNTRY)
            if article and not (locative and big_enough and not initial):
                return False  # a small foreign town in an article about elsewhere: a namesake
        return big_enough or locative or in_article

    def _trailing_support(self, text: str, end: int, matches: Matches) -> bool:
        """"Hit, Anbar" / "Mobile, Alabama": followed by the candidate's region or country."""
        if not text[end:end + 2].startswith((",", " in")):
            return False
        t = self.table
        after = fold(text[end:end + 40].lstrip(" ,"))
        after = after.removeprefix("in ")
        for k in matches:
            for name in (t.admin1[k], t.country_names.get(t.countries[k], "")):
                key = t.fold(name)
                bare = strip_article(key)
                if key and (after.startswith(key) or (bare and after.startswith(bare))):
                    return True
        named = abbreviated_region(t, after)  # "Paris, Tenn.", "Decatur, GA"
        return bool(named) and any(t.admin1[k] == named for k in matches)


def abbreviated_region(table: PlaceTable, after: str) -> str:
    """The region a folded text starts with by its abbreviation ("tenn", "w va", "ga"), or
    "": the state after a town's comma in US news."""
    words = after.split(" ", 2)
    for n in (2, 1):
        if len(words) < n:
            continue
        for p in postings(table.asked.get(" ".join(words[:n]))):
            if p & 3 == 1:
                return table.records[p >> 2].split("\x1e", 1)[0]
    return ""


def _inside_proper_name(text: str, start: int, end: int) -> bool:
    """A word next to another capitalised word ("Carla Babb") is part of a person's name;
    a possessive ends a name ("Iraq's Anbar province")."""
    prev = re.search(r"([A-Z][\w'’-]*)(?<!['’]s)\s$", text[max(0, start - 30):start])
    nxt = re.match(r"\s([A-Z][\w'’-]*)", text[end:end + 30])
    if prev and not _SENTENCE_END.search(text[max(0, start - 40):start - len(prev.group(0))]):
        return True
    return bool(nxt)


def _says_its_kind(key: str) -> bool:
    """A folded name that ends or starts with what it is ("abu kamal border crossing", "camp
    union"): words that mean a site when they follow a name."""
    return site_core(key)[1] or key.endswith((" border crossing", " crossing", " border post"))


def _capitalised(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit() or _article_hyphen(word)
                           or "\u0600" <= word[0] <= "\u06ff")


def _article_hyphen(word: str) -> bool:
    """"al-Asad", "ez-Zor": a lowercase article joined to a capitalised name."""
    head, sep, rest = word.partition("-")
    return bool(sep) and head.lower() in _INNER_LOWER and rest[:1].isupper()


def at_offset(prefer: PreferSites, offset: int) -> bool:
    """Whether ``prefer_sites_at`` says the sentence at ``offset`` is about a base."""
    if prefer is None:
        return False
    if callable(prefer):
        return bool(prefer(offset))
    return offset in prefer
