"""Streets, buildings and sites that no gazetteer lists ("Royal Street", "Holy Redeemer
Church", "Marjory Stoneman Douglas High School"): the most specific place the text puts them
in, marked as containing them (``Candidate.precision`` 2, "near a place / part of it"), never
a namesake town somewhere else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from geo.gazetteer.ranking import Candidate
from geo.gazetteer.scan import Mention
from geo.geodesy import haversine_km
from geo.text.names import fold

#: Last words that say a name is a street, building or site ("X Street", "X High School").
_SITE_WORDS_TEXT = (
    "street st road rd avenue ave boulevard blvd lane drive highway freeway square plaza "
    "bridge school academy university college church cathedral chapel mosque synagogue "
    "temple shrine hospital clinic market bazaar mall stadium park hotel prison jail "
    "station embassy consulate building tower compound factory plant refinery port harbour "
    "harbor camp checkpoint roundabout")
SITE_WORDS = frozenset(_SITE_WORDS_TEXT.split())
#: Words before "park" that make it a protected area, not a town's park.
_WIDE_PARKS = frozenset({"national", "state", "regional", "provincial", "forest"})
#: Kinds of place that can contain a street or building.
_CONTAINER_KINDS = ("city", "town")
#: What joins a site to the place it is in: "Royal Street in New Orleans", "..., Parkland".
_JOIN_AFTER = re.compile(r"\s*(?:,|\bin\b|\bat\b|\bnear\b|\bof\b|\bon\b)\s*(?:the\s+)?",
                         re.IGNORECASE)
#: Farther than this from the container, a town bearing the site's name is a namesake.
NAMESAKE_KM = 50.0


def site_word(surface: str) -> str:
    """The site word a name ends with ("street" for "Royal Street"), or "". A national or
    state park is no site of a town ("Zion National Park")."""
    words = fold(surface).split()
    if len(words) < 2 or words[-1] not in SITE_WORDS:
        return ""
    if words[-1] == "park" and words[-2] in _WIDE_PARKS:
        return ""
    return words[-1]


def container(text: str, start: int, end: int, mentions: Sequence[Mention]) -> Mention | None:
    """The place the text puts the span in: the city or town named right after it ("in",
    ",", "at"), else right before it as a possessive ("Baghdad's Tahrir Square"), else the
    nearest one in its sentence; else none."""
    towns = [m for m in mentions if m.best and m.best.place.kind in _CONTAINER_KINDS
             and m.best.place.has_point and not (m.start < end and start < m.end)]
    if not towns:
        return None
    join = _JOIN_AFTER.match(text, end)
    if join:
        after = next((m for m in towns if m.start == join.end()), None)
        if after is not None:
            return after
    before = next((m for m in towns if m.end in (start - 3, start - 2)
                   and text[m.end:start].strip() in ("'s", "’s")), None)
    if before is not None:
        return before
    sentence = _sentence(text, start)
    inside = [m for m in towns if sentence[0] <= m.start < sentence[1]]
    if inside:
        return min(inside, key=lambda m: abs(m.start - start))
    return None  # a town named elsewhere in the text is a guess


def _sentence(text: str, at: int) -> tuple[int, int]:
    left = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at))
    right = min((i for i in (text.find(". ", at), text.find("\n", at)) if i >= 0),
                default=len(text))
    return left + 1, right


def contained(surface: str, holder: Mention) -> Candidate:
    """A candidate for a site that is not in the gazetteer: the place that contains it."""
    best = holder.best
    assert best is not None
    word = site_word(surface) or "place"
    reason = (f"inside {best.place.name}: the {word} itself is not in the gazetteer "
              f"(the text puts it there)")
    return Candidate(best.place, round(best.score - 1.0, 3), (reason,), precision=2)


def place_sites(text: str, start: int, end: int, cands: Sequence[Candidate],
                mentions: Sequence[Mention]) -> list[Candidate]:
    """The candidates of a span, or for a street, building or site that the gazetteer does
    not hold (nothing matches, or only towns of that name far from the place the text puts
    it in), the containing place."""
    surface = text[start:end]
    if not site_word(surface):
        return list(cands)
    holder = container(text, start, end, mentions)
    if holder is None or holder.best is None:
        return [c for c in cands if c.place.kind not in _CONTAINER_KINDS]
    home = holder.best.place
    kept = [c for c in cands if c.place.kind not in _CONTAINER_KINDS or (
        c.place.has_point and haversine_km(c.place.lat, c.place.lon, home.lat, home.lon)
        <= NAMESAKE_KM)]
    if kept:
        return kept
    return [contained(surface, holder)]

