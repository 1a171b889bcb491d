"""Sentences that go on about the event just reported.

"The rocket attack killed an American contractor..." adds its counts to the attack before;
"The rockets hit the Basmaya base" moves an attack first placed only near a town to the site;
"It is the first time since the war began that a missile has hit the airport" and "The strike
landed just as Russia was preparing ... celebrations in Moscow" tell no new event. A sentence
that opens on the attack before and names another kind of attack ("The assault opened with a
car bomb") or other targets of it ("... a wave of attacks that also targeted Kyiv and Kharkiv")
tells new events, dated (and, without a place of their own, placed) as the attack before.
"""

from __future__ import annotations

import re

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.build import evidence, set_place
from geo.extract.merge import add_note, max_count
from geo.extract.places import Resolved, Sentence
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.geodesy import haversine_km
from geo.model import Event

#: A sentence that opens on the attack just reported: "The rocket attack killed ...",
#: "Tuesday's attack", "It was the deadliest ...", "It is the first time since ...".
_FOLLOW_UP = re.compile(
    r"^\W*(?:(?:The|This|That|It|Both|Its|Their)|(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|Yesterday|Today|Sunday)['’]s)\s+(?:[\w-]+\s+){0,2}?(?:attacks?|assaults?|"
    r"strikes?|airstrikes?|bombing|bombardment|explosion|blast|raids?|barrage|salvo|shelling|"
    r"rockets?|missiles?|drones?|shells?|shellfire|fighting|clashes|battle)\b"
    r"|^\W*(?:It|They)\s+(?:killed|wounded|injured)\b"
    r"|^\W*(?:It|This|That)\s+(?:is|was|marks?|marked)\s+(?:the|a)\s+(?:first|second|third|"
    r"fourth|fifth|latest|deadliest|bloodiest|largest|biggest|worst|most|\w+est)\b")
#: "the assault", "this attack", "Tuesday's strike": a reference to a reported event.
_DEFINITE_BEFORE = re.compile(
    r"(?i)(?:\b(?:the|this|that|these|those)\s+(?:same\s+)?(?:[\w-]+\s+){0,2}"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today)['’]s\s+"
    r"(?:[\w-]+\s+){0,2})$")
#: Words saying a sentence that opens on the attack before tells more targets of it.
_MORE_TARGETS = re.compile(r"(?i)\b(?:also|another|others|as\s+well)\b")
#: How far from the attack before a place named in a sentence about it may be and still be
#: where it happened (a site "near" a town it was first placed at).
_NEAR_KM = 60.0


def follow_up(sentence: str, last_type: str, triggers: list[lexicon.Trigger]) -> str | None:
    """How a sentence goes on about the attack just reported, if it does: "opening" when it
    opens on it ("The rocket attack killed...", "The rockets hit the Basmaya base") and states
    no attack of another kind ("The attack ... was followed by US air strikes" is a new
    event); "reference" when it names attacks only with a definite article ("...said the
    assault killed 34", "In response to this attack, ... in Idlib"); else None."""
    kinds = dict(ATTACK_CONCEPTS)
    attacks = [t for t in triggers if t.concept in kinds]
    m = _FOLLOW_UP.search(sentence)
    if m:
        new_kind = any(t.start >= m.end() and t.concept != "attack"
                       and kinds[t.concept] != last_type for t in attacks)
        return None if new_kind else "opening"
    if attacks and all(_DEFINITE_BEFORE.search(sentence[max(0, t.start - 30):t.start])
                       for t in attacks):
        return "reference"
    return None


def opens_on_it(sentence: str) -> bool:
    """The sentence opens on the attack just reported (whatever else it tells)."""
    return _FOLLOW_UP.search(sentence) is not None


def more_targets(sentence: str) -> bool:
    """"... a wave of Russian attacks that also targeted the capital, Kyiv": new targets."""
    return _MORE_TARGETS.search(sentence) is not None


def near_it(event: Event, res: Resolved) -> bool:
    """A place of the sentence close enough to the attack before to be where it happened."""
    place = res.place
    if place is None or not place.has_point or not event.has_point:
        return place is not None and event.country is not None and place.country == event.country
    return haversine_km(event.lat, event.lon, place.lat, place.lon) <= _NEAR_KM


def add_follow_up(event: Event, sent: Sentence, article: Article,
                  site: Resolved | None) -> None:
    """"The rocket attack killed an American contractor...": counts for the attack before;
    "The rockets hit the Basmaya base": the site of an attack first placed only "near" a town."""
    casualties = lexicon.find_casualties(sent.text)
    if site is not None:
        event.place = site.surface
        set_place(event, site)
        add_note(event, f"place '{site.surface}' from the next sentence")
    elif casualties.killed is None and casualties.wounded is None:
        return
    event.killed = max_count(event.killed, casualties.killed)
    event.wounded = max_count(event.wounded, casualties.wounded)
    event.sources.append(evidence(article, sent))
    add_note(event, "counts from the next sentence")
