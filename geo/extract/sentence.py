"""The events one sentence states: its event words, their clauses, places, dates, counts and
actors, and how a sentence goes on about the attack just reported."""

from __future__ import annotations

import re
from collections.abc import Iterable

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.merge import add_note, max_count
from geo.extract.places import (
    POINT_KINDS,
    Resolved,
    Sentence,
    drop_containers,
    locations,
)
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.extract.when import listed_days, nearest_date
from geo.model import ATTACK_TYPES, SITE_KINDS, Event, Evidence
from geo.text import dates as dates_mod
from geo.text.search import search_lower

#: Weapons whose mention with a verb of firing or hitting is an attack ("drones hit Kharkiv",
#: "launched missiles at Erbil"), without a word for the attack itself.
_FIRED_TYPES = frozenset({"rocket_attack", "missile_attack", "drone_strike"})
#: Statements about many attacks over a period: one aggregate event, not one at a place.
#: Every match holds one of _AGGREGATE_NOUNS.
_AGGREGATE_NOUNS = ("attacks", "assaults", "strikes", "incidents", "raids", "bombings")
_AGGREGATE = re.compile(
    r"(?i)\b(?:(?!(?:19|20)\d\d\b)\d[\d,]*|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|twenty|thirty|"
    r"dozens|scores|hundreds|several|numerous|multiple|a\s+(?:spate|series|wave|string)\s+of)"
    r"\s+(?:[\w-]+\s+){0,2}(?:attacks|assaults|strikes|incidents|raids|bombings)\b"
    r"|\bhave\s+been\s+(?:hit|targeted|attacked)\s+by\s+(?:\w+\s+)?(?:attacks|assaults)\b"
)
#: Where one clause of a sentence ends and another, with its own subject perhaps, begins.
_CLAUSE_BREAK = re.compile(
    r"(?i)(?:,\s+|\s+)(?:after|before|while|whereas|but|and\s+then)\s+|;\s+|,\s+and\s+")
#: What makes a sentence about a border crossing an event there: it opens or closes, is
#: seized, or people or forces cross ("The crossing is a key route" is not one).
_CROSSING_ACTION = re.compile(
    r"(?i)\b(?:(?:re)?open(?:s|ed|ing)?|clos(?:e|es|ed|ing|ure)|shut(?:s|ting)?(?:\s+down)?|"
    r"seal(?:s|ed|ing)?|block(?:s|ed|ing|ade)?|seiz(?:e|es|ed|ing)|captur(?:e|es|ed|ing)|"
    r"took\s+control|cross(?:ed|es|ing)?\s+(?:the\s+border|into|over))\b")
#: Withdrawal words that also mean other things ("leave", "close"): they need a place after them.
_WEAK_WITHDRAWAL = re.compile(r"(?i)(?:leav|depart|go|exit|move|vacat|clos)")
#: Words after a weak withdrawal word that make it something else: "close to", "leave for".
_NOT_WITHDRAWAL_AFTER = re.compile(r"(?i)^\s+(?:to|for|behind)\b")
#: What follows a weapon word that names a target or a stock, not what was fired: "a ballistic
#: missile depot", "drone factories" (other weapon words in between are skipped).
_TARGET_AFTER_WEAPON = re.compile(
    r"(?i)(?:\s+(?:ballistic|cruise|missiles?|rockets?|drones?))*\s+(?:depots?|factor(?:y|ies)|"
    r"plants?|storage|stockpiles?|sites?|facilit(?:y|ies)|programs?|programmes?|production|"
    r"workshops?|warehouses?)\b")
_WEAPON_CONCEPTS = frozenset({"drone", "missile", "rocket"})
#: A sentence that goes on about the attack just reported: "The rocket attack killed ...".
_FOLLOW_UP = re.compile(r"^\W*(?:The|This|That|It|Both)\s+(?:[\w-]+\s+){0,2}?(?:attacks?|"
                        r"assaults?|strikes?|airstrikes?|bombing|explosion|blast|raids?|barrage|"
                        r"rockets?|missiles?)\b|^\W*(?:It|They)\s+(?:killed|wounded|injured)\b")
#: Attacks that did not happen: threatened, planned, feared.
_IRREALIS = re.compile(r"(?i)\b(?:threaten\w*|vow\w*|warn\w*|plan\w*|intend\w*|would|could|"
                       r"might|prepar\w*|fear\w*|avoid\w*|prevent\w*)\s+(?:to\s+)?"
                       r"(?:\w+\s+){0,2}$")
#: "the assault", "this attack", "the most lethal attack": a reference to a reported event.
_DEFINITE_BEFORE = re.compile(r"(?i)\b(?:the|this|that)\s+(?:same\s+)?(?:[\w-]+\s+){0,2}$")
#: Words that say forces are at a site: a "base" event needs one.
_PRESENCE = re.compile(
    r"(?i)\b(?:host(?:s|ed|ing)?|hous(?:e|es|ed|ing)|station(?:ed|s)?|deploy(?:ed|ment|s)?|"
    r"based\s+(?:at|in)|presence|garrison(?:ed)?|troops|forces|personnel|soldiers?|marines|"
    r"advis[eo]rs|trainers|contractors?|servicem[ae]n|service\s+members)\b"
)
#: Hedges that lower confidence.
_HEDGE = re.compile(
    r"(?i)\b(?:conflicting\s+reports|reportedly|allegedly|unconfirmed|rumou?r|may\s+have|"
    r"it\s+is\s+not\s+(?:known|clear)|claimed)\b"
)


def _names_a_target(sentence: str, trigger: lexicon.Trigger) -> bool:
    """A weapon word that names what was hit or stored, not what was fired ("a ballistic
    missile depot were targeted"): it does not make the sentence's attack a missile attack."""
    return trigger.concept in _WEAPON_CONCEPTS and bool(
        _TARGET_AFTER_WEAPON.match(sentence, trigger.end))


def sentence_events(article: Article, sent: Sentence, places: list[Resolved],
                     sent_dates: list[dates_mod.DateRef],
                     context_dates: list[dates_mod.DateRef],
                     triggers: list[lexicon.Trigger]) -> list[Event]:
    if not triggers:
        return []
    concepts = {t.concept for t in triggers if not _names_a_target(sent.text, t)}
    kinds: list[tuple[str, int]] = []  # (event type, trigger offset in sentence)
    attack_type = next((t for c, t in ATTACK_CONCEPTS if c in concepts
                        and (c != "aircraft" or _hit_verb(sent.text))), None)
    if attack_type and ({"attack", "air_strike", "bombing", "clash"} & concepts
                        or attack_type in _FIRED_TYPES and _hit_verb(sent.text)):
        first = min(t.start for t in triggers if t.concept != "base")
        if not _IRREALIS.search(sent.text[max(0, first - 40):first]):
            kinds.append((attack_type, first))
    for concept, etype in (("withdrawal", "withdrawal"), ("handover", "handover")):
        for t in triggers:
            if t.concept == concept and (not _WEAK_WITHDRAWAL.match(t.text)
                                         or _place_follows(sent, places, t)):
                kinds.append((etype, t.start))
                break
    crossing = next((t for t in triggers if t.concept == "crossing"), None)
    if crossing and _CROSSING_ACTION.search(sent.text):
        kinds.append(("border_crossing", crossing.start))
    kinds.extend(("territory_change", t.start) for t in triggers if t.concept == "capture")
    base_triggers = [t for t in triggers if t.concept == "base"]

    casualties = lexicon.find_casualties(sent.text)
    found_actors = lexicon.find_actors(sent.text)
    actors = _actor_names(found_actors)
    several_kinds = len({etype for etype, _ in kinds}) > 1
    aggregate = _is_aggregate(sent.text)
    hedged = bool(_HEDGE.search(sent.text))
    located = locations(drop_containers(sent, places))
    clauses = _clauses(kinds, located, sent)
    out: list[Event] = []
    used_dates: set[int] = set()
    for etype, offset in kinds:
        lo, hi = clauses.get(offset, (sent.start, sent.end))
        own_dates = [d for d in sent_dates if lo <= d.start < hi] or sent_dates
        date_refs = listed_days(own_dates, sent.text, sent.start) or [nearest_date(
            own_dates, sent.start + offset, used_dates, many=etype == "territory_change")]
        if date_refs == [None] and context_dates:
            date_refs = [context_dates[-1]]  # "The Pentagon later said...": same day
        targets = [p for p in located if lo <= p.start < hi] or located or [None]
        if etype == "territory_change":  # "retake Mosul from IS": the object, if named
            targets = [p for p in located if p.start >= sent.start + offset] or targets
        if etype == "withdrawal":
            targets = [p for p in targets if p is None or not p.stay] or [None]
        if etype in ATTACK_TYPES:  # "fired rockets at Tel Aviv from Rafah": not at Rafah
            targets = [p for p in targets if p is None or not p.origin] or targets
        if etype == "border_crossing":
            targets = [p for p in located if p.place and p.place.kind == "border_crossing"]
        own = several_kinds and _clause_actors(found_actors, sent.text, offset)
        for res, date_ref in ((r, d) for r in targets for d in date_refs):
            ev = _event(article, sent, etype, res, date_ref, own or actors, hedged)
            if etype in ATTACK_TYPES:
                ev.killed, ev.wounded = casualties.killed, casualties.wounded
                ev.aggregate = aggregate
            if not _informative(ev):
                continue
            out.append(ev)
    if base_triggers and not aggregate and _PRESENCE.search(sent.text):
        for res in located:
            if res.reference:
                continue  # "a base south of Baghdad": the base is not at Baghdad
            if res.place and (res.place.kind in SITE_KINDS or res.place.kind in POINT_KINDS
                              and (_adjacent(sent, res, base_triggers)
                                   or len(located) == 1 and not res.origin
                                   and _definite(sent, base_triggers))):
                out.append(_event(article, sent, "base", res, None, actors, hedged))
    return out


def _event(article: Article, sent: Sentence, etype: str, res: Resolved | None,
           date_ref: dates_mod.DateRef | None, actors: list[str], hedged: bool) -> Event:
    ev = Event(
        event_type=etype, actors=list(actors), evidence=sent.text,
        evidence_start=sent.start, evidence_end=sent.end, source=article.source,
        sources=[Evidence(sent.text, sent.start, sent.end, article.source, article.title,
                          article.published.isoformat() if article.published else None)],
    )
    notes: list[str] = []
    if date_ref is not None:
        # a week or a range is dated by its first day, ACLED-style; the precision says so
        ev.date = date_ref.first.isoformat() if date_ref.precision == 2 else date_ref.date
        ev.time_precision = date_ref.precision
        ev.date_start, ev.date_end = date_ref.first.isoformat(), date_ref.last.isoformat()
        notes.append(f"date from '{date_ref.text}' ({date_ref.rule})")
    confidence = 0.5
    if res is not None:
        ev.place = res.surface
        if res.place is not None:
            set_place(ev, res)
            notes.append(f"place '{res.surface}' -> {res.place.name}: "
                         + ", ".join(res.reasons))
            confidence += 0.2 if res.score >= 1.0 else 0.1
        else:
            notes.append(f"place '{res.surface}' unresolved")
    if date_ref is not None:
        confidence += 0.1 if date_ref.precision == 1 else 0.05
    if hedged:
        confidence -= 0.2
        notes.append("hedged statement")
    ev.confidence = round(min(max(confidence, 0.05), 0.95), 2)
    ev.notes = "; ".join(notes)
    return ev


def set_place(ev: Event, res: Resolved) -> None:
    place = res.place
    assert place is not None
    ev.place_name, ev.place_id, ev.place_kind = place.name, place.id, place.kind
    ev.country = place.country or None
    if place.kind == "country" or not place.has_point:
        return  # country-only: no point
    ev.lat, ev.lon = place.lat, place.lon
    if place.kind == "region":
        ev.geo_precision = 3
    elif res.near or place.kind == "river":
        ev.geo_precision = 2
    else:
        ev.geo_precision = 1


def _informative(ev: Event) -> bool:
    """Worth reporting: a point, or else a date or a count (a country-only "the attacks" with
    neither is an allusion, not an event)."""
    if ev.has_point or ev.place_kind in POINT_KINDS:
        return True  # a known site, even one without coordinates
    if ev.place is None:  # no place at all: only a dated attack with a specific type
        return ev.date is not None and ev.event_type in ATTACK_TYPES and not ev.aggregate
    return ev.date is not None or ev.killed is not None or ev.wounded is not None


def _clauses(kinds: list[tuple[str, int]], located: list[Resolved],
             sent: Sentence) -> dict[int, tuple[int, int]]:
    """Where each event word's clause runs (text offsets), when a sentence tells events of
    two kinds at two places or more: "handed over K-1 to Iraqi forces in March, and withdrew
    from Taqaddum in August" is a handover at K-1 in March and a withdrawal from Taqaddum in
    August. A clause runs from its event word to the next one of another kind (the first
    from the sentence's start). Otherwise, no clauses: every event takes the whole sentence."""
    if len({etype for etype, _ in kinds}) < 2 or len(located) < 2:
        return {}
    offsets = sorted({offset for _, offset in kinds})
    bounds = [0, *offsets[1:], len(sent.text)]
    return {o: (sent.start + bounds[i], sent.start + bounds[i + 1]) for i, o in enumerate(offsets)}


def _actor_names(actors: Iterable[lexicon.Actor]) -> list[str]:
    """Each actor once, with its first role: "Houthis", "US forces (target)"."""
    named: dict[str, str] = {}
    for a in actors:
        named.setdefault(a.name, a.name + (" (target)" if a.role == "target" else ""))
    return list(named.values())


def _clause_actors(actors: list[lexicon.Actor], text: str, offset: int) -> list[str]:
    """The actors of the clause that holds the event word at ``offset``, when the clause
    names its own subject: "Ukrainian troops withdrew ..., after Russian forces captured
    Avdiivka" is a withdrawal by Ukraine's forces and a capture by Russia's. A clause without
    one shares the sentence's ("withdrew from al-Qaim after handing the base to Iraqi forces"):
    then nothing is returned."""
    start, end = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= offset:
            start = m.end()
        else:
            end = min(end, m.start())
            break
    own = [a for a in actors if start <= a.start < end]
    return _actor_names(own) if any(a.start < offset for a in own) else []


def _place_follows(sent: Sentence, places: list[Resolved], t: lexicon.Trigger) -> bool:
    """A place named right after the trigger: "leave al-Qaim", "depart from Kirkuk"."""
    if _NOT_WITHDRAWAL_AFTER.match(sent.text[t.end:]):
        return False
    at = sent.start + t.end
    return any(at <= p.start <= at + 40 for p in places if p.place is not None)


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
    event.sources.append(Evidence(sent.text, sent.start, sent.end, article.source, article.title,
                                  article.published.isoformat() if article.published else None))
    add_note(event, "counts from the next sentence")


def _definite(sent: Sentence, triggers: list[lexicon.Trigger]) -> bool:
    """"the base": a base the sentence's one place hosts ("flying at al-Qaim ... the base")."""
    return any(re.search(r"(?i)\bthe\s+$", sent.text[max(0, t.start - 5):t.start])
               for t in triggers)


def _is_aggregate(text: str) -> bool:
    low = search_lower(text)  # most sentences name no attacks in the plural
    return any(w in low for w in _AGGREGATE_NOUNS) and bool(_AGGREGATE.search(text))


def _hit_verb(text: str) -> bool:
    return bool(re.search(r"(?i)\b(?:hit|struck|fired|launched|landed|impacted|targeted|"
                          r"slammed|rained|barrage|salvo)\b", text))


def _adjacent(sent: Sentence, res: Resolved, triggers: list[lexicon.Trigger]) -> bool:
    """A base word within a few words of the place: "the Taji base", "base at al-Qaim"."""
    s, e = res.start - sent.start, res.end - sent.start
    for t in triggers:
        gap = sent.text[e:t.start] if t.start >= e else sent.text[t.end:s]
        if len(gap.split()) <= 3 and not re.search(r"[.;:]", gap):
            return True
    return False
