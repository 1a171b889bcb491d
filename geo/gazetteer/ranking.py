"""Ranking a name's candidates: an additive score whose every part comes with a reason.

So the map and the extractor can say why "Kirkuk" became K-1 Air Base (a base context) or
Paris became Paris, Texas (the article names Texas). The parts are listed in
``docs/gazetteer.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
)
from geo.gazetteer.matching import Matcher, Matches
from geo.gazetteer.records import PlaceTable
from geo.geodesy import PointGrid
from geo.model import PLACE_KINDS, SITE_KINDS, Place
from geo.text.names import fold, strip_article

MATCH_REASON = {NAME: "exact name", ALIAS: "alias", SITE_CORE: "site name",
                CONTEXT: "base-context name", FUZZY: "transliteration variant",
                SITE_FALLBACK: "no such site known; the place it is named after",
                RESPELLED: "name or alias spelled another way",
                DEMONYM: "demonym of the place", ABBREVIATION: "abbreviation of the place",
                PEOPLE: "the people's region, in a text about its country"}
MATCH_SCORE = {NAME: 3.0, ALIAS: 2.5, SITE_CORE: 2.8, CONTEXT: 1.0, FUZZY: 1.0,
               SITE_FALLBACK: 2.0, RESPELLED: 2.0, DEMONYM: 3.0, ABBREVIATION: 3.0,
               PEOPLE: 3.0}

def is_variant(c: Candidate) -> bool:
    """A candidate matched only by its transliteration key."""
    return bool(c.reasons) and c.reasons[0].startswith(MATCH_REASON[FUZZY])


def supported(c: Candidate) -> bool:
    """The text supports the candidate's place: a place named near it, or its region named
    in the text (its country alone is not enough for a loose variant)."""
    return any(r.startswith("context names its region") or "a region of the text" in r
               or "km from a place named nearby" in r for r in c.reasons)


#: Words that put a sentence in a base/military context (with the spun synonym "foundation").
BASE_CONTEXT = re.compile(
    r"\b(bases?|air ?bases?|camps?|garrisons?|air ?fields?|troops|forces|soldiers|coalition|"
    r"military|personnel|service ?members|foundations?|installations?|outposts?|barracks|"
    r"compound)\b", re.IGNORECASE,
)
#: How far a place named nearby can be and still rank a candidate (150 km and a margin for
#: rounding: the bonus itself stops at 150 km).
NEAR_KM = 155.0
_REGION = PLACE_KINDS.index("region")
_TOWN_CODES = frozenset({PLACE_KINDS.index("city"), PLACE_KINDS.index("town")})
_KIND_BONUS = {"country": 2.5, "area": 2.5, "military_base": 0.8, "airport": 0.6, "airfield": 0.4,
               "border_crossing": 0.4, "river": 1.5, "facility": 0.5}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked answer for a name: the place, its score and why it scored so."""

    place: Place
    score: float
    reasons: tuple[str, ...]
    #: None: the place itself; 2: a street, building or site the gazetteer lacks, inside
    #: this place (an event's geo_precision 2, "near a place / part of it")
    precision: int | None = None


@dataclass(slots=True)
class RankContext:
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
    #: folded names of the first-level regions the whole text names or places its clear
    #: places in ("the article is about Tennessee"): they pick among namesakes
    regions: frozenset[str] = frozenset()
    #: points of the plausible places of every name of the text, each with that name's key:
    #: a place near another name's place is likely the one meant (document level)
    joint: PointGrid[str] | None = None
    own_key: str = ""


def near_grid(points: Iterable[tuple[float, float]]) -> PointGrid[tuple[float, float]]:
    """The distinct points of places named nearby, for :meth:`Ranker.context_score`."""
    return PointGrid(((la, lo, (la, lo)) for la, lo in dict.fromkeys(points)), NEAR_KM)


NO_NEAR: PointGrid[tuple[float, float]] = PointGrid((), NEAR_KM)


def country_set(country: str | Iterable[str] | None) -> frozenset[str]:
    """ISO codes, upper-cased, from one code, several or none."""
    if country is None:
        return frozenset()
    if isinstance(country, str):
        return frozenset({country.upper()}) if country else frozenset()
    return frozenset(c.upper() for c in country if c)


class Ranker:
    """Scores the places a name matches, with the reasons for each part of the score."""

    def __init__(self, table: PlaceTable, matcher: Matcher) -> None:
        self.table = table
        self.matcher = matcher
        self._static_cache: dict[int, tuple[str, float, tuple[str, ...]]] = {}

    def context(self, country: str | Iterable[str] | None, context: str,
                near: Sequence[tuple[float, float]], prefer_sites: bool) -> RankContext:
        return RankContext(countries=country_set(country),
                           context_key=f" {fold(context)} " if context else "  ",
                           near=near_grid(near) if near else NO_NEAR,
                           base=prefer_sites or bool(BASE_CONTEXT.search(context)))

    def rank(self, name: str, ctx: RankContext, limit: int,
             within: frozenset[str] = frozenset()) -> list[Candidate]:
        """The candidates of a name (transliteration variants when nothing else matches);
        ``within``: only places in these countries."""
        found, region_word = self.matcher.matches(name, within)
        if region_word:
            ctx.region_word = True
        if any(how == PEOPLE for how in found.values()):
            # "Kurdish" is the Kurdistan Region only in a text about Iraq: Kurds live in
            # four countries, and the adjective alone says none of them
            allowed = ctx.countries | within
            found = {i: how for i, how in found.items()
                     if how != PEOPLE or self.table.countries[i] in allowed}
        if found and all(how == FUZZY for how in found.values()):
            # a loose variant is no answer unless it lies in a country the text is about
            # ("Al Mada'in" is not Medan, Indonesia): a weak match abroad misleads; and only
            # where names are transliterated from another script (Irbil, Kharkov), not for a
            # misspelt town of an English-speaking country
            allowed = (ctx.countries | within) & self.table.transliterated
            found = {i: how for i, how in found.items() if self.table.countries[i] in allowed}
        return self.ranked(found, ctx, limit)

    def ranked(self, matches: Matches, ctx: RankContext, limit: int) -> list[Candidate]:
        """Matched places scored in a context, best first."""
        table = self.table
        scored = [self.score(i, how, ctx) for i, how in matches.items()]
        if len(scored) > 1:
            scored = self._regions_or_cities(scored, ctx)
        scored.sort(key=lambda t: (-t[0], -table.pop[t[2]], table.ids[t[2]]))
        return [Candidate(table.place(i), round(s, 3), reasons)
                for s, reasons, i in scored[:limit]]

    def _regions_or_cities(self, scored: list[tuple[float, tuple[str, ...], int]],
                           ctx: RankContext) -> list[tuple[float, tuple[str, ...], int]]:
        """In a text about its country, or ten times as populous as any town of its name, a
        first-level region ("Florida", "Ontario") outranks towns named after it (+1.5),
        unless its own country has a city of that name with a twentieth of its people or more:
        then the region is named after its city ("Kirkuk", "Baghdad"), and the bare name means
        the city. And the text's clear places lying in it say the text is about it (+2.0)."""
        t = self.table
        towns: dict[str, int] = {}  # the largest town of that name per country
        for _, _, i in scored:
            if t.kinds[i] in _TOWN_CODES:
                towns[t.countries[i]] = max(towns.get(t.countries[i], 0), t.pop[i])
        largest = max(towns.values(), default=0)
        out = []
        for s, reasons, i in scored:
            city = towns.get(t.countries[i])
            named_after = city is not None and city >= 0.05 * t.pop[i]
            if (t.kinds[i] == _REGION and t.records[i].split("\x1e", 1)[0] == t.admin1[i]
                    and not named_after and not ctx.region_word):
                extra = []
                if t.countries[i] in ctx.countries or t.pop[i] >= 10 * largest:
                    s += 1.5
                    extra.append("first-level region over towns named after it (+1.5)")
                if t.fold(t.admin1[i]) in ctx.regions:
                    s += 2.0
                    extra.append("the text's places lie in it (+2.0)")
                reasons = (*reasons, *extra)
            out.append((s, reasons, i))
        return out

    def score(self, i: int, how: int, ctx: RankContext) -> tuple[float, tuple[str, ...], int]:
        kind, score, head = self._static_score(i, how, ctx.region_word)
        reasons = list(head)
        score += self.context_score(i, kind, how, ctx, reasons)
        if math.isnan(self.table.lat[i]):
            score -= 1.0
            reasons.append("no coordinates (-1.0)")
        return score, tuple(reasons), i

    def _static_score(self, i: int, how: int, region_word: bool
                      ) -> tuple[str, float, tuple[str, ...]]:
        """Kind, match + prominence score and their reasons: the part of a score that does not
        depend on the text around the name, cached (a place is ranked again and again)."""
        cache_key = (i << 5) | (how << 1) | region_word
        found = self._static_cache.get(cache_key)
        if found is None:
            if len(self._static_cache) > 200_000:
                self._static_cache.clear()
            kind = PLACE_KINDS[self.table.kinds[i]]
            score = MATCH_SCORE[how]
            reasons = [f"{MATCH_REASON[how]} (+{score:.1f})"]
            score += self._prominence(i, kind, region_word, reasons)
            found = self._static_cache[cache_key] = (kind, score, tuple(reasons))
        return found

    def _prominence(self, i: int, kind: str, region_word: bool, reasons: list[str]) -> float:
        pop = self.table.pop[i]
        score = 0.0
        if pop > 0:
            weight = 0.22 if kind == "region" else 0.35  # a region's population is a sum
            score += weight * math.log10(pop + 1)
            reasons.append(f"population {pop:,} (+{weight * math.log10(pop + 1):.1f})")
        bonus = _KIND_BONUS.get(kind, 0.0)
        if kind == "region":
            bonus = 2.0 if region_word else 0.0
        if bonus:
            score += bonus
            reasons.append(f"kind {kind} (+{bonus:.1f})")
        if i in self.table.capitals:
            score += 0.8
            reasons.append("national capital (+0.8)")
        return score

    def context_score(self, i: int, kind: str, how: int, ctx: RankContext,
                      reasons: list[str]) -> float:
        table = self.table
        score = 0.0
        country = table.countries[i]
        if country and country in ctx.countries:
            score += 3.0
            reasons.append(f"in {country}, a country of the text (+3.0)")
        inside = kind not in ("region", "country", "area") or (
            kind == "region" and table.admin1[i] and table.records[i].split("\x1e", 1)[0]
            != table.admin1[i])  # a county: inside its state
        named = False
        for label, name in (("region", table.admin1[i]),
                            ("country", table.country_names.get(country, ""))):
            key = table.fold(name)
            if (key and inside and f" {key} " in ctx.context_key
                    and key not in ctx.own_keys and strip_article(key) not in ctx.own_keys):
                score += 2.5
                reasons.append(f"context names its {label} {name} (+2.5)")
                named = True
                break
        if not named and inside and ctx.regions and table.admin1[i]:
            key = table.fold(table.admin1[i])
            if key in ctx.regions and key not in ctx.own_keys:
                score += 2.0
                reasons.append(f"in {table.admin1[i]}, a region of the text (+2.0)")
        if ctx.joint is not None:
            d = min((km for km, key in ctx.joint.within(table.lat[i], table.lon[i])
                     if key != ctx.own_key), default=None)
        else:
            d = ctx.near.nearest_km(table.lat[i], table.lon[i], exclude=ctx.own) \
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
