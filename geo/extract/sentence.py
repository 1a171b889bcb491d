"""The events one sentence states: its clauses, each clause's event words, places, dates,
counts and actors.

A sentence is read clause by clause (:mod:`geo.extract.clauses`): "Hezbollah launched rockets
at Kiryat Shmona on Thursday, in retaliation for the deaths of two paramedics killed earlier
that day when Israeli strikes hit a health centre in Lebanon" is a rocket attack at Kiryat
Shmona on Thursday and an air strike in Lebanon the same day that killed two; the weapon of
one clause never types the other's event, and a count belongs to the clause (and the place)
it is told with. A clause that tells an earlier or later event ("after", "since", "in
response to") keeps its own places and dates: without any, its event is placed and dated by
nothing rather than by the main clause's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.build import actor_names, informative, new_event, set_roles
from geo.extract.clauses import Clause, clauses, status
from geo.extract.places import (
    POINT_KINDS,
    Resolved,
    Sentence,
    drop_containers,
    locations,
    without_references,
)
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.extract.when import listed_days, nearest_date
from geo.model import ATTACK_TYPES, SITE_KINDS, Event
from geo.text.date_base import DateRef
from geo.text.date_relative import RelativeDay
from geo.text.search import search_lower

#: Weapons whose mention with a verb of firing or hitting is an attack ("drones hit Kharkiv",
#: "launched missiles at Erbil"), without a word for the attack itself.
_FIRED_TYPES = frozenset({"rocket_attack", "missile_attack", "drone_strike"})
#: Statements about many attacks over a period: one aggregate event, not one at a place.
#: Every match holds one of _AGGREGATE_NOUNS.
_AGGREGATE_NOUNS = ("attacks", "assaults", "strikes", "incidents", "raids", "bombings",
                    "occasions")
_AGGREGATE = re.compile(
    r"(?i)\b(?:(?!(?:19|20)\d\d\b)\d[\d,]*|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|twenty|thirty|"
    r"dozens|scores|hundreds|several|numerous|multiple|a\s+(?:spate|series|wave|string)\s+of)"
    r"\s+(?:[\w-]+\s+){0,2}(?:attacks|assaults|strikes|incidents|raids|bombings|occasions)\b"
    r"|\bhave\s+been\s+(?:hit|targeted|attacked)\s+by\s+(?:\w+\s+)?(?:attacks|assaults)\b"
)
#: What makes a sentence about a border crossing an event there: it opens or closes, is
#: seized, or people or forces cross ("The crossing is a key route" is not one).
_CROSSING_ACTION = re.compile(
    r"(?i)\b(?:(?:re)?open(?:s|ed|ing)?|clos(?:e|es|ed|ing|ure)|shut(?:s|ting)?(?:\s+down)?|"
    r"seal(?:s|ed|ing)?|block(?:s|ed|ing|ade)?|seiz(?:e|es|ed|ing)|captur(?:e|es|ed|ing)|"
    r"took\s+control|taken|cross(?:ed|es|ing)?\s+(?:the\s+border|into|over)|through)\b")
#: Withdrawal words that also mean other things ("leave", "close"): they need a place after them.
_WEAK_WITHDRAWAL = re.compile(r"(?i)(?:leav|depart|go|exit|move|vacat|clos|fle|abandon|set)")
#: Words after a weak withdrawal word that make it something else: "close to", "leave for".
_NOT_WITHDRAWAL_AFTER = re.compile(
    r"(?i)^\s+(?:to|for|behind|(?:at\s+least\s+|more\s+than\s+|some\s+|about\s+)?(?:\d+|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|dozens|scores|hundreds|thousands|"
    r"many|several|a\s+(?:dozen|hundred))\b)")
#: Who is moved when "evacuate" is not a withdrawal of forces: "evacuating civilians".
_CIVILIANS_AFTER = re.compile(
    r"(?i)^\s+(?:(?:most|all|some|many|hundreds|thousands|dozens|\d[\d,]*)\s+(?:of\s+)?)?"
    r"(?:(?:its|their|the|his|her)\s+)?(?:civilians?|residents?|people|families|children|"
    r"patients|wounded|injured|staff|employees|workers|nationals|citizens|diplomats|"
    r"embassy|villagers|students|refugees)\b")
#: What follows a weapon word that names a target or a stock, not what was fired: "a ballistic
#: missile depot", "drone factories" (other weapon words in between are skipped).
_TARGET_AFTER_WEAPON = re.compile(
    r"(?i)(?:\s+(?:ballistic|cruise|missiles?|rockets?|drones?))*\s+(?:depots?|factor(?:y|ies)|"
    r"plants?|storage|stockpiles?|sites?|facilit(?:y|ies)|programs?|programmes?|production|"
    r"workshops?|warehouses?|defen[cs]e|systems?|launchers?|hangars?)\b")
#: A weapon that only supports the attack another names ("shelling ... with drones
#: supporting the barrage", "supported by Russian airstrikes").
_SUPPORT_BEFORE = re.compile(r"(?i)\b(?:supported|backed|covered|aided|assisted)\s+by\s+"
                             r"(?:[\w-]+\s+){0,2}$")
_SUPPORT_AFTER = re.compile(r"(?i)\s+(?:supporting|in\s+support|providing)\b")
_WEAPON_CONCEPTS = frozenset({"drone", "missile", "rocket"})
#: Two weapons of one attack, each an event of its own type: "Russian drones and missiles
#: struck Lviv", "drones and a ballistic missile".
_TWO_WEAPONS = re.compile(
    r"(?i)\b(drones?|UAVs?|missiles?|rockets?)\s+(?:and|as\s+well\s+as|plus)\s+"
    r"(?:an?\s+|\w+\s+){0,2}?(drones?|UAVs?|missiles?|rockets?|ballistic)\b")
_WEAPON_TYPE = {"drone": "drone_strike", "uav": "drone_strike", "missile": "missile_attack",
                "ballistic": "missile_attack", "rocket": "rocket_attack"}
#: "their attacks", "its raids": what an actor does in general, not one event.
_GENERIC_BEFORE = re.compile(r"(?i)\b(?:their|its|his|our|such)\s+(?:[\w-]+\s+)?$")
#: Verbs of firing or hitting: with a weapon they make an attack ("rockets came down on").
_HIT_VERB = re.compile(
    r"(?i)\b(?:hit|hits|struck|strike|strikes|fired|fires|launched|launches|landed|lands?|"
    r"impacted|targeted|targeting|slammed|rained|barrage|salvo|came\s+down|comes?\s+down|"
    r"fell|falling|crashed|exploded|intercepted|bombed|pounded|pound|aimed|killed|killing|"
    r"wounded|injured)\b")
#: Entering a place: a capture, or a handover when forces move in after others left.
_ENTRY = re.compile(r"(?i)^(?:mov|push|sweep|swept|march|advanc|roll|pour|br|enter|entry)")
#: Kind words right before "was taken" or "fell" that stand for the place: "the outpost was
#: taken", "the city fell".
_KIND_BEFORE = re.compile(r"(?i)\b(?:outpost|base|town|city|village|position|airport|camp|"
                          r"garrison|capital|stronghold|district|post)s?\s+$")
#: Words that say forces are at a site: a "base" event needs one.
_PRESENCE = re.compile(
    r"(?i)\b(?:host(?:s|ed|ing)?|hous(?:e|es|ed|ing)|station(?:ed|s)?|deploy(?:ed|ment|s)?|"
    r"based\s+(?:at|in)|presence|garrison(?:ed)?|troops|forces|personnel|soldiers?|marines|"
    r"advis[eo]rs|trainers|contractors?|servicem[ae]n|service\s+members|used\s+by|home\s+to|"
    r"run\s+by|run\s+the|base\s+(?:of|for)|headquarters\s+of)\b"
)
#: Hedges that lower confidence.
_HEDGE = re.compile(
    r"(?i)\b(?:conflicting\s+reports|reportedly|allegedly|unconfirmed|rumou?r|may\s+have|"
    r"it\s+is\s+not\s+(?:known|clear)|claimed)\b"
)


@dataclass
class Reading:
    """What the article has told before the sentence being read."""

    context_dates: list[DateRef] = field(default_factory=list)  # the paragraph's days
    line_date: DateRef | None = None  # a headline's or a live-blog entry's date
    last_day: date | None = None  # the day of the last dated event ("the following day")
    after_withdrawal: bool = False  # the sentence or the one before tells forces leaving
    relative_days: list[RelativeDay] = field(default_factory=list)  # of the sentence


    status: dict[int, str | None] = field(default_factory=dict)


def sentence_events(article: Article, sent: Sentence, places: list[Resolved],
                    sent_dates: list[DateRef], reading: Reading,
                    triggers: list[lexicon.Trigger],
                    found_actors: list[lexicon.Actor] | None = None) -> list[Event]:
    """Every event ``sent`` states, clause by clause (see the module's doc). ``found_actors``:
    the actors of the sentence (offsets in it), when the caller has them."""
    if not triggers:
        return []
    text = sent.text
    located = locations(drop_containers(sent, places))
    if found_actors is None:
        found_actors = lexicon.find_actors(text)
    actors = actor_names(found_actors)
    aggregate = _is_aggregate(text)
    hedged = bool(_HEDGE.search(text))
    parts = clauses(text, triggers)
    casualties = lexicon.find_casualties(text)
    own_time = [c for c in parts if c.own_time]
    shared_places = [p for p in located if not any(c.holds(p.start - sent.start) for c in own_time)]
    shared_dates = [d for d in sent_dates
                    if not any(c.holds(d.start - sent.start) for c in own_time)]
    out: list[Event] = []
    used_dates: set[int] = set()
    for part in parts:
        kinds = _kinds(sent, part, located, reading)
        if not kinds:
            continue
        mine = without_references([p for p in located if part.holds(p.start - sent.start)])
        targets_all = mine or ([] if part.own_time else without_references(shared_places))
        own_dates = [d for d in sent_dates if part.holds(d.start - sent.start)]
        dates = own_dates or ([] if part.own_time else shared_dates)
        relative = [r for r in reading.relative_days if part.holds(r.start)
                    and not any(d.start <= sent.start + r.start < d.end for d in sent_dates)]
        told = [(a, k, c) for (a, _, k), c in zip(casualties.spans, casualties.counts,
                                                      strict=True) if part.holds(a)]
        # a clause with its own subject has its own actors ("Ukrainian troops withdrew ...,
        # after Russian forces captured Avdiivka"); one without shares the sentence's
        own_actors = [a for a in found_actors if part.holds(a.start)]
        subject = part.triggers and any(a.start < part.triggers[0].start for a in own_actors)
        clause_actors = actor_names(own_actors) if subject else []
        several = len({k for k, _, _ in kinds}) > 1 and len(targets_all) > 1
        for etype, offset, state in kinds:
            lo, hi = _kind_span(kinds, offset, part) if several else (part.start, part.end)
            targets = [p for p in targets_all if lo <= p.start - sent.start < hi] or targets_all
            targets = _targets(etype, targets, located, sent, offset) or [None]
            counts = _counts(told, targets, sent) if etype in ATTACK_TYPES else {}
            date_refs, note = _dates(dates, own_dates, relative, reading, part, sent, offset,
                                     etype, used_dates)
            for res in targets:
                for date_ref in date_refs:
                    ev = new_event(article, sent, etype, res, date_ref,
                                   clause_actors or actors, hedged, note)
                    set_roles(ev, own_actors if clause_actors else found_actors)
                    ev.status = state
                    if etype in ATTACK_TYPES:
                        ev.killed, ev.wounded = counts.get(id(res), (None, None))
                        ev.aggregate = aggregate
                    if informative(ev):
                        out.append(ev)
    out.extend(_bases(article, sent, located, triggers, actors, hedged, aggregate))
    return _distinct(out)


def _distinct(events: list[Event]) -> list[Event]:
    """One event per type, place, date and status in a sentence (two clauses or two words of
    one report give it once)."""
    seen: set[tuple] = set()
    out = []
    for ev in events:
        key = (ev.event_type, ev.place_id or ev.place, ev.date, ev.status)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


# --- what each clause tells ---------------------------------------------------------------------

def _kinds(sent: Sentence, part: Clause, located: list[Resolved],
           reading: Reading) -> list[tuple[str, int, str]]:
    """(event type, trigger offset, status) of each event a clause states."""
    text = sent.text
    states = reading.status
    live = [t for t in part.triggers if states.get(t.start, "reported") is not None]
    out: list[tuple[str, int, str]] = []
    concepts = {t.concept for t in live
                if not _names_a_target(text, t) and not _supports(text, t)
                and not (t.concept in _WEAPON_CONCEPTS and _GENERIC_BEFORE.search(
                    text[max(0, t.start - 20):t.start]))}
    clause_text = " ".join(text[s:e] for s, e in part.spans) if len(part.spans) > 1 \
        else text[part.start:part.end]
    weapons = concepts & (_WEAPON_CONCEPTS | {"aircraft"})
    hit = bool(weapons) and _HIT_VERB.search(clause_text) is not None
    attack_type = next((ty for c, ty in ATTACK_CONCEPTS if c in concepts
                        and (c != "aircraft" or hit)), None)
    attack_words = [t for t in live if dict(ATTACK_CONCEPTS).get(t.concept)
                    and not _GENERIC_BEFORE.search(text[max(0, t.start - 20):t.start])]
    if attack_type and attack_words and (
            {"attack", "air_strike", "bombing", "clash", "shelling"} & concepts
            or attack_type in _FIRED_TYPES and hit):
        first = min(attack_words, key=lambda t: t.start)
        state = states.get(first.start, "reported") or "reported"
        types = (_two_weapons(clause_text) if len(weapons) > 1 else []) or [attack_type]
        out.extend((ty, first.start, state) for ty in types)
    for concept, etype in (("withdrawal", "withdrawal"), ("handover", "handover")):
        for t in live:
            if t.concept == concept and (not _WEAK_WITHDRAWAL.match(t.text)
                                         or _place_follows(sent, located, t)) \
                    and not (t.text.lower().startswith("evacuat")
                             and _CIVILIANS_AFTER.match(text[t.end:])):
                out.append((etype, t.start, states.get(t.start) or "reported"))
                break
    crossing = next((t for t in live if t.concept == "crossing"), None)
    if crossing and _CROSSING_ACTION.search(clause_text):
        out.append(("border_crossing", crossing.start, states.get(crossing.start) or "reported"))
    for t in live:
        state = states.get(t.start) or "reported"
        if t.concept == "capture":
            out.append(("territory_change", t.start, state))
        elif t.concept == "capture_after" and _place_follows(sent, located, t, reach=60):
            entry = _ENTRY.match(t.text) is not None
            out.append(("handover" if entry and reading.after_withdrawal else "territory_change",
                        t.start, state))
        elif t.concept == "capture_before" and _place_before(sent, located, t):
            out.append(("territory_change", t.start, state))
    return out


def _kind_span(kinds: list[tuple[str, int, str]], offset: int, part: Clause) -> tuple[int, int]:
    """Within a clause that tells events of two kinds at two places or more, each event word's
    part runs to the next event word of another kind: "handed over K-1 to Iraqi forces in
    March, and withdrew from Taqaddum in August" (the first from the clause's start)."""
    offsets = sorted({o for _, o, _ in kinds})
    i = offsets.index(offset)
    return (part.start if i == 0 else offset,
            offsets[i + 1] if i + 1 < len(offsets) else part.end)


def _targets(etype: str, targets: list[Resolved], located: list[Resolved], sent: Sentence,
             offset: int) -> list[Resolved]:
    if etype == "territory_change":  # "retake Mosul from IS": the object, if named
        after = [p for p in targets if p.start >= sent.start + offset]
        targets = after or targets
    if etype == "withdrawal":
        targets = [p for p in targets if not p.stay]
    if etype in ATTACK_TYPES:  # "fired rockets at Tel Aviv from Rafah": never at Rafah
        targets = [p for p in targets if not p.origin]
    if etype == "border_crossing":
        crossings = [p for p in located if p.place and p.place.kind == "border_crossing"]
        # "crossed the border into Niger": the country entered, when no crossing is named
        into = [p for p in located if p.place and p.place.kind == "country"
                and re.search(r"(?i)\binto\s+$", sent.text[max(0, p.start - sent.start - 6):
                                                         p.start - sent.start])]
        targets = crossings or into
    return targets


def _dates(dates: list[DateRef], own: list[DateRef],
           relative: list[RelativeDay], reading: Reading, part: Clause,
           sent: Sentence, offset: int, etype: str,
           used: set[int]) -> tuple[list[DateRef | None], str]:
    """The dates of one event word: its clause's (days listed with "and" each), else a day
    told relative to the event before ("the following day"), else the sentence's, else the
    line's or the paragraph's."""
    if own or (dates and not relative):
        listed = listed_days(dates, sent.text, sent.start)
        if len({d.first for d in listed}) > 1:
            return list(listed), ""
        ref = nearest_date(dates, sent.start + offset, used, many=etype == "territory_change")
        return [_end_of_range(ref, etype)], ""
    if relative and reading.last_day is not None:
        r = relative[0]
        day = reading.last_day + timedelta(days=r.days)
        return [DateRef(sent.start + r.start, sent.start + r.end, r.text,
                                  day.isoformat(), day, day, 1, "relative-to-event")], \
            f"{r.days:+d} days from the event before"
    if part.own_time:
        return [None], ""
    if reading.line_date is not None:
        return [reading.line_date], "the line's date"
    if reading.context_dates:
        return [reading.context_dates[-1]], "the paragraph's date"  # "The Pentagon later said"
    return [None], ""


#: Events dated by the end of a range: a change of control "from November 2012 until July
#: 2013" happened at its end; an attack or a battle is dated by its start.
_AT_RANGE_END = frozenset({"territory_change", "withdrawal", "handover"})


def _end_of_range(ref: DateRef | None, etype: str) -> DateRef | None:
    if ref is None or ref.head is None or ref.tail is None or ref.precision < 3:
        return ref
    return ref.tail if etype in _AT_RANGE_END else ref.head


def _counts(told: list[tuple[int, str, int | None]], targets: list[Resolved | None],
            sent: Sentence) -> dict[int | None, tuple[int | None, int | None]]:
    """The killed and wounded of each event of a clause (by ``id`` of its place), from the
    clause's statements ``told`` (offset, kind, count): when a clause tells two counts or
    more at two places or more, each goes to the place it is told nearest ("two fighters were
    killed in Al-Mayadeen, and five were wounded near Albu Kamal"), so a count belongs to one
    event; one count told of a list of places ("strikes in Syria and Iraq, which killed 25")
    is the list's."""
    placed = [t for t in targets if t is not None]
    split = len(placed) > 1 and len(told) > 1
    found: dict[int | None, dict[str, list[int]]] = {}
    for at, kind, count in told:
        owners = [min(placed, key=lambda t: abs(t.start - sent.start - at))] if split \
            else targets
        for owner in owners:
            if count is not None:
                found.setdefault(id(owner), {}).setdefault(kind, []).append(count)
    return {key: (max(k["killed"]) if k.get("killed") else None,
                  max(k["wounded"]) if k.get("wounded") else None)
            for key, k in found.items()}


def _bases(article: Article, sent: Sentence, located: list[Resolved],
           triggers: list[lexicon.Trigger], actors: list[str], hedged: bool,
           aggregate: bool) -> list[Event]:
    base_triggers = [t for t in triggers if t.concept == "base"]
    if not base_triggers or aggregate or not _PRESENCE.search(sent.text):
        return []
    out = []
    for res in located:
        if res.reference or res.place is None:
            continue  # "a base south of Baghdad": the base is not at Baghdad
        if res.place.kind in SITE_KINDS or res.place.kind in POINT_KINDS and (
                _adjacent(sent, res, base_triggers)
                or len(located) == 1 and not res.origin and _definite(sent, base_triggers)):
            out.append(new_event(article, sent, "base", res, None, actors, hedged))
    return out


# --- small tests ------------------------------------------------------------------------------

def _names_a_target(sentence: str, trigger: lexicon.Trigger) -> bool:
    """A weapon word that names what was hit or stored, not what was fired ("a ballistic
    missile depot were targeted"): it does not make the sentence's attack a missile attack."""
    return trigger.concept in _WEAPON_CONCEPTS and bool(
        _TARGET_AFTER_WEAPON.match(sentence, trigger.end))


def _supports(sentence: str, trigger: lexicon.Trigger) -> bool:
    """A weapon that supports the attack another names ("with drones supporting the
    barrage", "supported by Russian airstrikes"): it does not type it."""
    return trigger.concept in (_WEAPON_CONCEPTS | {"air_strike"}) and bool(
        _SUPPORT_BEFORE.search(sentence[max(0, trigger.start - 30):trigger.start])
        or _SUPPORT_AFTER.match(sentence, trigger.end))


def _two_weapons(text: str) -> list[str]:
    """The types of "drones and missiles" in one attack, or [] when one weapon is named."""
    m = _TWO_WEAPONS.search(text)
    if not m:
        return []
    kinds = [_WEAPON_TYPE[w.lower().rstrip("s")] for w in (m[1], m[2])]
    return list(dict.fromkeys(kinds)) if kinds[0] != kinds[1] else []


def _place_follows(sent: Sentence, places: list[Resolved], t: lexicon.Trigger,
                   reach: int = 40) -> bool:
    """A place named right after the trigger: "leave al-Qaim", "depart from Kirkuk"."""
    if _NOT_WITHDRAWAL_AFTER.match(sent.text[t.end:]):
        return False
    at = sent.start + t.end
    gap_end = at + reach
    stop = re.search(r"[.;:]|,\s+(?:which|who|when|after|before)\b", sent.text[t.end:t.end + reach])
    if stop:
        gap_end = at + stop.start()
    return any(at <= p.start <= gap_end for p in places if p.place is not None or p.surface)


def _place_before(sent: Sentence, places: list[Resolved], t: lexicon.Trigger) -> bool:
    """A place (or a kind word standing for one) right before the trigger: "before Goma
    fell", "The neighbouring Traunaing outpost was taken"."""
    at = sent.start + t.start
    if any(at - 14 <= p.end <= at for p in places):
        return True
    return bool(_KIND_BEFORE.search(sent.text[max(0, t.start - 20):t.start]))


def _definite(sent: Sentence, triggers: list[lexicon.Trigger]) -> bool:
    """"the base": a base the sentence's one place hosts ("flying at al-Qaim ... the base")."""
    return any(re.search(r"(?i)\bthe\s+$", sent.text[max(0, t.start - 5):t.start])
               for t in triggers)


def _is_aggregate(text: str) -> bool:
    low = search_lower(text)  # most sentences name no attacks in the plural
    return any(w in low for w in _AGGREGATE_NOUNS) and bool(_AGGREGATE.search(text))


def hit_verb(text: str) -> bool:
    return _HIT_VERB.search(text) is not None


def _adjacent(sent: Sentence, res: Resolved, triggers: list[lexicon.Trigger]) -> bool:
    """A base word within a few words of the place: "the Taji base", "base at al-Qaim"."""
    s, e = res.start - sent.start, res.end - sent.start
    for t in triggers:
        gap = sent.text[e:t.start] if t.start >= e else sent.text[t.end:s]
        if len(gap.split()) <= 3 and not re.search(r"[.;:]", gap):
            return True
    return False


def statuses(text: str, triggers: list[lexicon.Trigger]) -> dict[int, str | None]:
    """Each trigger's :func:`~geo.extract.clauses.status`, by its offset."""
    return {t.start: status(text, t) for t in triggers}
