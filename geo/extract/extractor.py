"""Events from an article: sentence by sentence, triggers + places + dates + counts.

The extractor reads each sentence of ``Article.text`` once:

1. *triggers* (``lexicon.find_triggers``) say what kind of event the sentence states
   (spun synonyms included: "assault", "foundation", "hand about", "tumble into the hands of");
2. *places* are the gazetteer mentions inside the sentence, resolved with the article's country,
   the places already resolved and whether the sentence is about a base; a sentence that names
   no place but opens with an anaphor ("The place was...", "The base...") refers to the last
   place the article named;
3. *dates* (``dates.find_dates``) found in the sentence, nearest to the trigger;
4. *counts* and *actors* from the sentence (``lexicon``).

One event per (type, place, date); two places give two events. Events of one article that are
the same (same type family and place, one of them undated or less specific) are merged, so a
caption's "rocket attack on Camp Taji" and the body's "two assaults on the Taji base last week"
become one rocket attack with the date. Every decision is written into ``Event.notes``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from geo.articles import Article
from geo.extract import lexicon
from geo.gazetteer import Candidate, Gazetteer
from geo.gazetteer.demonyms import find_demonym_countries
from geo.geodesy import PointGrid, haversine_km
from geo.model import ATTACK_TYPES, SITE_KINDS, Event, Evidence, Place
from geo.text import dates as dates_mod
from geo.text.names import fold
from geo.text.search import finditer_at_leads, pattern_leads, search_lower
from geo.text.sentences import split_sentences

#: Attack concepts, most specific first: the first one found in a sentence names its type.
ATTACK_CONCEPTS: tuple[tuple[str, str], ...] = (
    ("drone", "drone_strike"),
    ("missile", "missile_attack"),
    ("rocket", "rocket_attack"),
    ("air_strike", "air_strike"),
    ("bombing", "bombing"),
    ("clash", "armed_clash"),
    ("aircraft", "air_strike"),  # with a verb of hitting: "aircraft struck" (_hit_verb)
    ("attack", "other_attack"),
)
#: Type specificity when two reports of one event are merged (lower wins).
_TYPE_RANK = {t: i for i, t in enumerate(dict.fromkeys(t for _, t in ATTACK_CONCEPTS))}
#: Weapons whose mention with a verb of firing or hitting is an attack ("drones hit Kharkiv",
#: "launched missiles at Erbil"), without a word for the attack itself.
_FIRED_TYPES = frozenset({"rocket_attack", "missile_attack", "drone_strike"})

#: Words before a place that make its point approximate (geo_precision 2).
_NEAR = re.compile(
    r"(?i)\b(?:near|nearby|outside|close\s+to|around|in\s+the\s+vicinity\s+of|vicinity\s+of|"
    r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+of|"
    r"\d+\s*(?:km|kilometers|kilometres|miles)\s+(?:from|of)|"
    r"outskirts\s+of|edge\s+of|between)\s+(?:the\s+)?(?:\w+\s+){0,3}$"
)
#: The second end of a stretch ("on the highway between Nasiriyah and Samawah"): one event,
#: near the first end, not one at each.
_BETWEEN_SECOND = re.compile(r"(?i)\bbetween\s+(?:the\s+)?[\w'’-]+(?:\s+[\w'’-]+){0,3}\s+and\s+$")
#: "Iraq's parliament", "Iran's supreme leader": a possessive names an owner, not a location.
_POSSESSIVE = re.compile(r"^\s*['’]s?\b")
#: A town's possessive followed by a part of it: "Baghdad's Tayaran Square", "Mosul's old city".
_POSSESSIVE_PLACE = re.compile(
    r"['’]s\s+(?:(?-i:[A-Z])\w+(?:\s+(?-i:[A-Z])\w+)*\s+(?:Square|District|Quarter|"
    r"Neighbou?rhood|Street|Market|Bridge|Zone|City)|(?:old\s+city|outskirts|suburbs?|"
    r"district|neighbou?rhoods?|centre|center|market|airport)\b)", re.IGNORECASE)
#: A direction from a place: "north of Baghdad", "40 kilometers southeast of Baghdad".
_REFERENCE = re.compile(
    r"(?i)\b(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
    r"\s+of\s+(?:the\s+)?$"
)
#: A region word after a name or a list of names: "Aleppo and Raqqa governorates".
_REGION_AFTER = re.compile(r"^(?:\s*(?:,|and)\s*[A-Z][\w'’-]*)*\s+(?:governorates?|provinces?|"
                           r"oblasts?|regions?|districts?|states?|counties|county)\b", re.I)
#: Words between a place and the place that contains it: " in ", " district of ", ", in ".
_CONTAINED_GAP = re.compile(r"(?i)\s*,?\s*(?:in|of|inside|within)\s+(?:the\s+)?(?:(?:city|town|"
                            r"capital|province|district|area)\s+of\s+)?|\s+(?:district|"
                            r"neighbou?rhood|quarter|area|suburb)\s+of\s+(?:the\s+)?")
#: ", Iraq" right after a place name.
_TRAILING_COUNTRY = re.compile(r"^,\s+([A-Z][\w'’ -]{2,30}?)(?=[,.;)]|\s*$|\s+(?:on|in)\b)")
#: A locative preposition before a country name, allowing a list: "in both Syria and Iraq".
_LOCATIVE = re.compile(
    r"(?i)\b(?:in|into|from|across|inside|within|throughout|over|at|near|out\s+of)\s+"
    r"(?:(?:both|equally|the|northern|southern|eastern|western|central|north|south|east|west|"
    r"and|[A-Z][\w'’-]*),?\s+)*$"
)
#: A place name inside the name of an organisation or an operation: "The New York Times",
#: "Jerusalem Post", "Dawn of Idlib 2 Operation", "the Astana Process".
_ORG_AFTER = re.compile(r"\s+(?:\d+\s+)?(?:Times|Post|Daily|Journal|Herald|Tribune|Gazette|"
                        r"Observer|Chronicle|Telegraph|Examiner|Review|University|Institute|"
                        r"Operation|Offensive|Campaign|Accords?|Agreement|Protocol|Process|"
                        r"Conference|Declaration|Summit|Airways|Airlines)\b")
_ORG_BEFORE = re.compile(r"\bOperation\s+$")
#: Sentence openings that refer back to a place named before ("The place was...").
_ANAPHOR = re.compile(
    r"^\s*(?:The|This|That)\s+(?:(?:air|military|army|naval|US|American|former)\s+)?"
    r"(?:place|town|city|village|site|base|foundation|area|space|region|"
    r"location|camp|airfield|facility|district)\b|^\s*It\s+(?:was|had|has|fell)\b"
)
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
#: Trigger concepts that name what a place is and so count inside its name.
_KIND_WORDS = frozenset({"base", "crossing"})
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
#: Photo captions: their dates are when the picture was taken or released.
_CAPTION = re.compile(r"(?i)\b(?:this\s+photo|in\s+this\s+(?:photo|image|picture)|"
                      r"photo\s+(?:released|taken|provided)|file\s+-|file\s+photo|AP\s+Photo)\b")
#: Where someone comes from, not where "the base" of the sentence is: "Hamid from Sacramento,
#: California, worked at the base".
_ORIGIN_BEFORE = re.compile(r"(?i)\b(?:from|native\s+of)\s+$")
#: What follows a weapon word that names a target or a stock, not what was fired: "a ballistic
#: missile depot", "drone factories" (other weapon words in between are skipped).
_TARGET_AFTER_WEAPON = re.compile(
    r"(?i)(?:\s+(?:ballistic|cruise|missiles?|rockets?|drones?))*\s+(?:depots?|factor(?:y|ies)|"
    r"plants?|storage|stockpiles?|sites?|facilit(?:y|ies)|programs?|programmes?|production|"
    r"workshops?|warehouses?)\b")
_WEAPON_CONCEPTS = frozenset({"drone", "missile", "rocket"})
#: Where forces stay, not where they leave: "withdraw from Hasakah ...; remain in Deir ez-Zor".
_STAY_BEFORE = re.compile(r"(?i)\b(?:remain|stay)(?:s|ed|ing)?\s+(?:in|at)\s+(?:the\s+)?$")
#: A flattened infobox's date field (Wikipedia's, scraped): "Date" starting a line, glued to
#: its value or followed by a colon or the line's end ("DateMain combat phase:", "Date27
#: December 2019", "Date:"). Only near the top of a text, where infoboxes are.
_INFOBOX_DATE = re.compile(r"^Date(?:[A-Z0-9:]|[ \t]*$)", re.MULTILINE)
_INFOBOX_WITHIN = 4000
#: The text after an infobox: a line of prose, long and not a bullet.
_PROSE_LINE = re.compile(r"^(?![ \t]*•).{200,}$", re.MULTILINE)
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
#: Every pattern of the "base" concept (ambiguous words included): a quick test that a text
#: cannot hold a base trigger, built from the lexicon so the two never disagree.
_BASE_WORDS = re.compile(r"\b(?:" + "|".join(
    p for concept, (patterns, _) in lexicon.TRIGGERS.items()
    if concept.removesuffix("_context") == "base" for p in patterns) + r")\b", re.IGNORECASE)
_BASE_LEADS = pattern_leads(_BASE_WORDS.pattern, re.IGNORECASE)
#: How far apart an undated report of an attack in a town and a dated one in the same
#: article may be and still be one attack (the store merges across articles at 25 km).
_SAME_ATTACK_KM = 25.0
#: Kinds that are places where an event can happen at a point (not countries, rivers).
_POINT_KINDS = frozenset({"city", "town", "military_base", "airfield", "airport",
                          "border_crossing", "facility"})


@dataclass
class _Resolved:
    """A place mention in the article, resolved."""

    start: int
    end: int
    surface: str
    place: Place | None
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    near: bool = False  # "near X": geo_precision 2
    reference: bool = False  # "27 km north of X": X locates another place
    stay: bool = False  # "remain in X": forces stay there, they do not leave it
    origin: bool = False  # "Hamid from X": where someone comes from


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    places: list[_Resolved] = field(default_factory=list)


def infobox_period(text: str, date_refs: list[dates_mod.DateRef]
                   ) -> tuple[dates_mod.DateRef, tuple[int, int]] | None:
    """The period a flattened infobox gives as its Date, and the span from that field to the
    first line of prose. The infobox's bullets ("• Turkish Armed Forces ... capture Ras
    al-Ayn") are events of that period when they say no date of their own; ``time_precision``
    is the period's (a range of days: 2)."""
    field_ = _INFOBOX_DATE.search(text, 0, _INFOBOX_WITHIN)
    if field_ is None:
        return None
    period = next((d for d in date_refs if field_.start() <= d.start <= field_.end() + 80
                   and d.rule != "future"), None)
    if period is None:
        return None
    prose = _PROSE_LINE.search(text, period.end)
    return (replace(period, rule=f"{period.rule}, the infobox's date"),
            (field_.start(), prose.start() if prose else len(text)))


class _SpanSet:
    """Character spans, asked whether any overlaps a given span in logarithmic time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach: list[int] = []  # the furthest end of the spans up to each one
        for _, end in ordered:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self._starts, end)  # the spans that start before ``end``
        return before > 0 and self._reach[before - 1] > start


def _names_a_target(sentence: str, trigger: lexicon.Trigger) -> bool:
    """A weapon word that names what was hit or stored, not what was fired ("a ballistic
    missile depot were targeted"): it does not make the sentence's attack a missile attack."""
    return trigger.concept in _WEAPON_CONCEPTS and bool(
        _TARGET_AFTER_WEAPON.match(sentence, trigger.end))


def _in_bullet(text: str, offset: int, span: tuple[int, int]) -> bool:
    """``offset`` starts a bullet line ("• ...") inside ``span``."""
    return span[0] <= offset < span[1] and text[offset:offset + 1] == "•"


class Extractor:
    """Turns an :class:`~geo.articles.Article` into :class:`~geo.model.Event` objects."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    # --- public ---------------------------------------------------------------------------------

    def extract(self, article: Article) -> list[Event]:
        text = article.text
        sentences = [_Sentence(s, e, text[s:e]) for s, e in split_sentences(text)]
        # a wire dateline's date is the report's, its place where it was filed: no event's
        dateline_start, dateline_end = article.dateline
        date_refs = [d for d in dates_mod.find_dates(text, article.published)
                     if not dateline_start <= d.start < dateline_end]
        # each sentence's triggers, found once: base context, the follow-up test and the
        # events all read them
        found = [lexicon.find_triggers(s.text) for s in sentences]
        self._resolve_places(text, sentences, found, article.dateline)
        triggers = [_outside_places(t, s) for t, s in zip(found, sentences, strict=True)]
        date_starts = [d.start for d in date_refs]
        events: list[Event] = []
        last_place: _Resolved | None = None
        last_attack: Event | None = None
        context_dates: list[dates_mod.DateRef] = []  # dates of the paragraph so far
        infobox = infobox_period(text, date_refs)
        for i, sent in enumerate(sentences):
            if i and "\n" in text[sentences[i - 1].end:sent.start]:
                context_dates = []  # a new paragraph: earlier dates no longer apply
                if infobox and _in_bullet(text, sent.start, infobox[1]):
                    context_dates = [infobox[0]]  # the infobox's period, unless it says more
            places = sent.places
            if not [p for p in places if _is_specific(p)] and _ANAPHOR.search(sent.text) \
                    and last_place is not None:
                places = [replace(last_place, start=sent.start, end=sent.start, near=False,
                                  stay=False, origin=False)]
                places += sent.places
            sent_dates = [] if _CAPTION.search(sent.text) else date_refs[
                bisect_left(date_starts, sent.start):bisect_left(date_starts, sent.end)]
            follow = last_attack and _follow_up(sent.text, last_attack.event_type, triggers[i])
            if follow:
                sites = [p for p in places if _is_specific(p)]
                relocate = len(sites) == 1 and last_attack.geo_precision in (None, 2) \
                    and not sent_dates
                if not sites or relocate or follow == "reference":
                    _add_follow_up(last_attack, sent, article, sites[0] if relocate else None)
                    continue
            found = self._sentence_events(article, sent, places, sent_dates, context_dates,
                                          triggers[i])
            events.extend(found)
            last_attack = next((e for e in reversed(found) if e.event_type in ATTACK_TYPES
                                and not e.aggregate), last_attack)
            context_dates = (context_dates + [d for d in sent_dates if d.precision == 1
                                              and d.rule != "future"])[-3:]
            specific = [p for p in sent.places if _is_specific(p)]
            if specific:
                last_place = specific[-1]
        return _merge_within_article(events)

    # --- places ---------------------------------------------------------------------------------

    def _resolve_places(self, text: str, sentences: list[_Sentence],
                        triggers: list[list[lexicon.Trigger]],
                        dateline: tuple[int, int] = (0, 0)) -> None:
        """Resolves every mention in its sentence, with the article's countries and base context.

        A mention is dropped when it names an actor ("the US", "IS"), a country that is not
        where something happens ("Iraq's parliament"), or a place in a country the article
        never names (a small namesake abroad), or is in the wire ``dateline`` (its
        country still counts); a place after "north of", or a town named by its part
        ("Baghdad's Tayaran Square"), is a reference point, dropped when its sentence names
        another place.
        """
        starts = [s.start for s in sentences]
        base_sentences = _base_sentences(sentences, triggers)

        def sentence_of(offset: int) -> int:
            return max(0, bisect_right(starts, offset) - 1)

        in_actor = _SpanSet((a.start, a.end) for a in lexicon.find_actors(text))
        mentions = [m for m in self.gazetteer.resolve_mentions(
                        text, prefer_sites_at=lambda at: sentence_of(at) in base_sentences)
                    if m.candidates and not in_actor.overlaps(m.start, m.end)]
        countries = _article_countries(mentions)
        countries |= find_demonym_countries(text, places_only=True)
        for m in mentions:
            sent = sentences[sentence_of(m.start)]
            # "Baghdad's Tayaran Square": in Baghdad, unless the square is a place we know;
            # "Baghdad's governor": not a place
            whose = _POSSESSIVE_PLACE.match(text, m.end)
            if dateline[0] <= m.start < dateline[1] \
                    or _POSSESSIVE.match(text[m.end:m.end + 3]) and not whose \
                    or _ORG_AFTER.match(text[m.end:m.end + 20]) \
                    or _ORG_BEFORE.search(text[max(0, m.start - 20):m.start]):
                continue
            before = text[max(sent.start, m.start - 60):m.start]
            after = text[m.end:min(sent.end, m.end + 40)]
            cands = m.candidates
            if _REGION_AFTER.match(after):  # "Aleppo and Raqqa governorates"
                regions = [c for c in cands if c.place.kind == "region"]
                regions += [Candidate(p, 1.0, ("region word after the name",))
                            for p in self.gazetteer.lookup(m.surface)
                            if p.kind == "region" and p.id not in {c.place.id for c in regions}]
                cands = tuple(regions) or cands
            best = _pick(cands, countries, after, self.gazetteer)
            if best is None or whose and best.place.kind not in ("city", "town"):
                continue
            if best.place.kind == "country" and not _LOCATIVE.search(before):
                continue  # "Iraq military bases": not where an event happens
            if any(p.place and p.place.id == best.place.id for p in sent.places):
                continue  # "Qayara Airfield West, known as Q-West": one place
            ambiguous = len(m.candidates) > 1 and m.candidates[1].score > best.score - 1.0
            sent.places.append(_Resolved(
                m.start, m.end, m.surface, best.place, 0.5 if ambiguous else 1.0,
                tuple(best.reasons), near=bool(_NEAR.search(before)),
                reference=bool(whose or _REFERENCE.search(before)
                               or _BETWEEN_SECOND.search(before)),
                stay=bool(_STAY_BEFORE.search(before)),
                origin=bool(_ORIGIN_BEFORE.search(before))))
        for sent in sentences:
            if any(not p.reference and _is_specific(p) for p in sent.places):
                sent.places = [p for p in sent.places if not p.reference]

    # --- events ---------------------------------------------------------------------------------

    def _sentence_events(self, article: Article, sent: _Sentence, places: list[_Resolved],
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
        located = _locations(_drop_containers(sent, places))
        clauses = _clauses(kinds, located, sent)
        out: list[Event] = []
        used_dates: set[int] = set()
        for etype, offset in kinds:
            lo, hi = clauses.get(offset, (sent.start, sent.end))
            own_dates = [d for d in sent_dates if lo <= d.start < hi] or sent_dates
            date_refs = _listed_days(own_dates, sent.text, sent.start) or [_nearest_date(
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
                ev = self._event(article, sent, etype, res, date_ref, own or actors, hedged)
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
                if res.place and (res.place.kind in SITE_KINDS or res.place.kind in _POINT_KINDS
                                  and (_adjacent(sent, res, base_triggers)
                                       or len(located) == 1 and not res.origin
                                       and _definite(sent, base_triggers))):
                    out.append(self._event(article, sent, "base", res, None, actors, hedged))
        return out

    def _event(self, article: Article, sent: _Sentence, etype: str, res: _Resolved | None,
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
                _set_place(ev, res)
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


# --- helpers ------------------------------------------------------------------------------------

def _set_place(ev: Event, res: _Resolved) -> None:
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
    if ev.has_point or ev.place_kind in _POINT_KINDS:
        return True  # a known site, even one without coordinates
    if ev.place is None:  # no place at all: only a dated attack with a specific type
        return ev.date is not None and ev.event_type in ATTACK_TYPES and not ev.aggregate
    return ev.date is not None or ev.killed is not None or ev.wounded is not None


def _pick(candidates: Iterable, countries: set[str], after: str, gazetteer: Gazetteer):
    """The best candidate the article's geography allows, or None.

    "Rashidiya, Iraq": a country named right after the place decides. Otherwise a place in a
    country the article never names is accepted only if it is a city (100,000+ people) or a
    country itself: a small namesake abroad is a false match, not a guess worth mapping.
    """
    cands = list(candidates)
    named = _TRAILING_COUNTRY.match(after)
    if named:
        wanted = {p.country for p in gazetteer.lookup(named.group(1)) if p.kind == "country"}
        if wanted:
            cands = [c for c in cands if c.place.country in wanted]
    for c in cands:
        if (not countries or c.place.country in countries
                or c.place.kind in ("city", "country") or not c.place.country):
            return c
    return None


def _is_specific(res: _Resolved) -> bool:
    return res.place is not None and res.place.kind in _POINT_KINDS


def _outside_places(triggers: list[lexicon.Trigger], sent: _Sentence) -> list[lexicon.Trigger]:
    """Event words that are not part of a place name ("the town of Hit"); base and crossing
    words stay ("Camp Taji", "K-1 Air Base", "the al-Qaim border crossing" say what the place
    is)."""
    spans = [(p.start - sent.start, p.end - sent.start) for p in sent.places]
    return [t for t in triggers if t.concept in _KIND_WORDS
            or not any(s < t.end and t.start < e for s, e in spans)]


def _drop_containers(sent: _Sentence, places: list[_Resolved]) -> list[_Resolved]:
    """"the Green Zone in Baghdad", "Sadr City district of Baghdad": the second place contains
    the first, so it is not a second location; a site without a point takes the container's
    point as "near" (geo_precision 2)."""
    ordered = sorted(places, key=lambda p: p.start)
    out = list(ordered)
    for inner, outer in zip(ordered, ordered[1:], strict=False):
        if not (_is_specific(inner) and _is_specific(outer) and outer.place.has_point):
            continue
        gap = sent.text[inner.end - sent.start:outer.start - sent.start]
        if not _CONTAINED_GAP.fullmatch(gap):
            continue
        if inner.place.has_point:
            if haversine_km(inner.place.lat, inner.place.lon, outer.place.lat,
                            outer.place.lon) > 30:
                continue
        else:
            located = replace(outer.place, id=inner.place.id, name=inner.place.name,
                              kind=inner.place.kind)
            out[out.index(inner)] = replace(inner, place=located, near=True,
                                            reasons=(*inner.reasons, f"in {outer.place.name}"))
        if outer in out:
            out.remove(outer)
    return out


def _locations(places: list[_Resolved]) -> list[_Resolved]:
    """Where a sentence's events happen: specific places, else regions, else countries.

    A country that contains a named place is not a second location ("al-Qaim ... in Iraq").
    """
    resolved = [p for p in places if p.place is not None and p.place.kind != "river"]
    specific = [p for p in resolved if p.place.kind in _POINT_KINDS]
    regions = [p for p in resolved if p.place.kind == "region"]
    if specific:
        return specific + [r for r in regions if not any(_within(p.place, r.place)
                                                         for p in specific)]
    if regions:
        return regions
    return [p for p in resolved if p.place.kind == "country"]


def _within(place: Place, region: Place) -> bool:
    """Whether a place lies in a region: its admin1 says so, or (no boundaries here) it is in
    the region's country within 100 km of the region's point."""
    if place.admin1 and fold(place.admin1) == fold(region.name):
        return True
    if place.country != region.country or not (place.has_point and region.has_point):
        return False
    return haversine_km(place.lat, place.lon, region.lat, region.lon) <= 100


def _clauses(kinds: list[tuple[str, int]], located: list[_Resolved],
             sent: _Sentence) -> dict[int, tuple[int, int]]:
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


def _nearest_date(refs: list[dates_mod.DateRef], at: int, used: set[int],
                  many: bool) -> dates_mod.DateRef | None:
    """The date expression closest to the trigger; with ``many`` each trigger gets its own."""
    pool = [d for d in refs if d.rule != "future" or not many]
    if many:
        pool = [d for d in pool if id(d) not in used] or pool
    if not pool:
        return None
    best = min(pool, key=lambda d: (abs(d.start - at) + (0 if d.start >= at else 5), d.precision))
    used.add(id(best))
    return best


def _place_follows(sent: _Sentence, places: list[_Resolved], t: lexicon.Trigger) -> bool:
    """A place named right after the trigger: "leave al-Qaim", "depart from Kirkuk"."""
    if _NOT_WITHDRAWAL_AFTER.match(sent.text[t.end:]):
        return False
    at = sent.start + t.end
    return any(at <= p.start <= at + 40 for p in places if p.place is not None)


def _listed_days(refs: list[dates_mod.DateRef], text: str,
                 offset: int) -> list[dates_mod.DateRef]:
    """Days joined by "and": "on 11 March and 14 March 2020" are two events' dates."""
    days = [d for d in refs if d.precision == 1]
    if len(days) < 2:
        return []
    for a, b in zip(days, days[1:], strict=False):
        if not re.fullmatch(r"\s*(?:,|and|,\s*and|&)\s*(?:on\s+)?",
                            text[a.end - offset:b.start - offset]):
            return []
    return days


def _follow_up(sentence: str, last_type: str, triggers: list[lexicon.Trigger]) -> str | None:
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


def _add_follow_up(event: Event, sent: _Sentence, article: Article,
                   site: _Resolved | None) -> None:
    """"The rocket attack killed an American contractor...": counts for the attack before;
    "The rockets hit the Basmaya base": the site of an attack first placed only "near" a town."""
    casualties = lexicon.find_casualties(sent.text)
    if site is not None:
        event.place = site.surface
        _set_place(event, site)
        _add_note(event, f"place '{site.surface}' from the next sentence")
    elif casualties.killed is None and casualties.wounded is None:
        return
    event.killed = _max(event.killed, casualties.killed)
    event.wounded = _max(event.wounded, casualties.wounded)
    event.sources.append(Evidence(sent.text, sent.start, sent.end, article.source, article.title,
                                  article.published.isoformat() if article.published else None))
    _add_note(event, "counts from the next sentence")


def _definite(sent: _Sentence, triggers: list[lexicon.Trigger]) -> bool:
    """"the base": a base the sentence's one place hosts ("flying at al-Qaim ... the base")."""
    return any(re.search(r"(?i)\bthe\s+$", sent.text[max(0, t.start - 5):t.start])
               for t in triggers)


def _base_sentences(sentences: list[_Sentence], triggers: list[list[lexicon.Trigger]],
                    ) -> set[int]:
    """Sentences about a base: a base trigger in the sentence or the one before it.

    A base trigger of either sentence is one of the pair. The pair is read as one text only
    when it holds a base word that neither sentence alone makes a trigger (an ambiguous word,
    "foundation", with the armed forces named in the other sentence).
    """
    has_base = [any(t.concept == "base" for t in found) for found in triggers]
    words: dict[int, bool] = {}  # sentence -> holds a base word (each sentence read once)

    def base_word(j: int) -> bool:
        found = words.get(j)
        if found is None:
            text = sentences[j].text
            hits = finditer_at_leads(_BASE_WORDS, _BASE_LEADS, text,
                                             search_lower(text))
            found = words[j] = next(hits, None) is not None
        return found

    out: set[int] = set()
    for i, sent in enumerate(sentences):
        if has_base[i] or i and has_base[i - 1]:
            out.add(i)
        elif base_word(i) or i and base_word(i - 1):
            pair = (sentences[i - 1].text + " " if i else "") + sent.text
            if any(t.concept == "base" for t in lexicon.find_triggers(pair)):
                out.add(i)
    return out


def _is_aggregate(text: str) -> bool:
    low = search_lower(text)  # most sentences name no attacks in the plural
    return any(w in low for w in _AGGREGATE_NOUNS) and bool(_AGGREGATE.search(text))


def _hit_verb(text: str) -> bool:
    return bool(re.search(r"(?i)\b(?:hit|struck|fired|launched|landed|impacted|targeted|"
                          r"slammed|rained|barrage|salvo)\b", text))


def _adjacent(sent: _Sentence, res: _Resolved, triggers: list[lexicon.Trigger]) -> bool:
    """A base word within a few words of the place: "the Taji base", "base at al-Qaim"."""
    s, e = res.start - sent.start, res.end - sent.start
    for t in triggers:
        gap = sent.text[e:t.start] if t.start >= e else sent.text[t.end:s]
        if len(gap.split()) <= 3 and not re.search(r"[.;:]", gap):
            return True
    return False


def _article_countries(mentions: Iterable) -> set[str]:
    """Countries the article is about: those it names, and those of its unambiguous cities
    and sites (a town or region does not vote: a false match would vote for itself)."""
    out: set[str] = set()
    for m in mentions:
        top = m.candidates[0].place
        unambiguous = len({c.place.country for c in m.candidates}) == 1
        votes = top.kind == "country" or (top.kind == "city" or top.kind in SITE_KINDS) \
            and unambiguous
        if votes and top.country:
            out.add(top.country)
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _same_report(a: Event, b: Event) -> bool:
    """Two events of one article that describe the same thing."""
    same_family = (a.event_type == b.event_type
                   or a.event_type in ATTACK_TYPES and b.event_type in ATTACK_TYPES)
    if not same_family or a.aggregate != b.aggregate:
        return False
    if a.place_id is None or a.place_id != b.place_id or a.place_kind not in _POINT_KINDS:
        return False
    return a.date is None or b.date is None or a.date == b.date


def _merge_within_article(events: list[Event]) -> list[Event]:
    """Each event joins the first earlier one that reports the same thing (:func:`_same_report`),
    found through an index by type family and place, so an article of thousands of events
    costs time linear in their number."""
    merged: list[Event] = []
    reports: dict[tuple[str, bool, str], _Reports] = {}
    spans: dict[int, set[tuple[int, int]]] = {}
    for ev in events:
        if ev.place_id is None or ev.place_kind not in _POINT_KINDS:
            merged.append(ev)
            continue
        family = "attack" if ev.event_type in ATTACK_TYPES else ev.event_type
        at_place = reports.setdefault((family, ev.aggregate, ev.place_id), _Reports())
        twin = at_place.twin(ev)
        if twin is None:
            at_place.add(ev, len(merged))
            merged.append(ev)
            continue
        undated = twin.date is None
        _absorb(twin, ev, spans)
        if undated and twin.date is not None:
            at_place.dated(twin)
    return _fold_vague(merged, spans)


class _Reports:
    """The merged events of one type family at one place, in article order. A new report
    joins the first of them (:func:`_same_report`): when undated, the first of all; when
    dated, the first undated one or the first of its date, whichever is earlier."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}  # id(event) -> its position among the merged events
        self.first: Event | None = None
        self.undated: deque[Event] = deque()  # in article order
        self.by_date: dict[str, Event] = {}  # the first event of each date

    def add(self, ev: Event, position: int) -> None:
        self.order[id(ev)] = position
        self.first = self.first or ev
        if ev.date is None:
            self.undated.append(ev)
        else:
            self.by_date.setdefault(ev.date, ev)

    def twin(self, ev: Event) -> Event | None:
        if ev.date is None:
            return self.first
        found = [e for e in (self.undated[0] if self.undated else None,
                             self.by_date.get(ev.date)) if e is not None]
        return min(found, key=lambda e: self.order[id(e)], default=None)

    def dated(self, ev: Event) -> None:
        """``ev``, undated until now, took a date from a report it absorbed (only the first
        undated event ever absorbs one)."""
        assert self.undated[0] is ev
        self.undated.popleft()
        first = self.by_date.get(ev.date)
        if first is None or self.order[id(ev)] < self.order[id(first)]:
            self.by_date[ev.date] = ev


def _fold_vague(events: list[Event], spans: dict[int, set[tuple[int, int]]]) -> list[Event]:
    """Two loose reports of an attack that the article places more exactly elsewhere (often
    its headline's) become sources of that report, when it is the only one that fits:

    * one placed only by its country ("Turkish drone strike kills three SDF fighters in
      northeast Syria") is the attack placed in that country that shares a day or a count
      with it and contradicts none ("A Turkish drone struck a vehicle near Qamishli on Sunday,
      killing three");
    * an undated one in a town ("Rocket assault on Erbil kills contractor") is the dated
      attack within :data:`_SAME_ATTACK_KM` of it whose counts do not contradict it ("A
      rocket attack on a base in Erbil on Monday killed a contractor", at Erbil Air Base).

    The placed attacks are indexed by country and by point; a loose report that could be any
    of more than :data:`_MAX_LOOSE_FITS` of them is left as it is.
    """
    placed = [e for e in events if e.has_point and e.event_type in ATTACK_TYPES
              and not e.aggregate]
    by_country: dict[str | None, list[Event]] = {}
    for e in placed:
        by_country.setdefault(e.country, []).append(e)
    near: PointGrid[Event] | None = None
    out: list[Event] = []
    for ev in events:
        fits = None
        if ev.event_type in ATTACK_TYPES and not ev.aggregate:
            if ev.place_kind == "country":
                fits = _fits(ev, by_country.get(ev.country, ()), positive=True)
            elif ev.date is None and ev.place_kind in ("city", "town") and ev.has_point:
                if near is None:
                    near = PointGrid(((e.lat, e.lon, e) for e in placed), _SAME_ATTACK_KM)
                fits = _fits(ev, (e for _, e in near.within(ev.lat, ev.lon)
                                  if e.date is not None), positive=False)
        if fits is not None and len(fits) == 1:
            _absorb(fits[0], ev, spans)
            continue
        out.append(ev)
    return out


#: How many placed attacks a loose report is compared with before it is left alone.
_MAX_LOOSE_FITS = 200


def _fits(ev: Event, pool: Iterable[Event], positive: bool) -> list[Event] | None:
    """Up to two events of ``pool`` that agree with ``ev`` (two are enough to say it is not
    the only one), or None when ``pool`` is too large to read."""
    fits: list[Event] = []
    for n, e in enumerate(pool):
        if n == _MAX_LOOSE_FITS:
            return None
        if _agree(e, ev, positive=positive):
            fits.append(e)
            if len(fits) == 2:
                break
    return fits


def _agree(a: Event, b: Event, positive: bool = True) -> bool:
    """No day or count of one contradicts the other's, and (``positive``) both have the
    same day or count."""
    pairs = ((a.date, b.date), (a.killed, b.killed), (a.wounded, b.wounded))
    return ((not positive or any(x is not None and x == y for x, y in pairs))
            and all(x is None or y is None or x == y for x, y in pairs))


def _absorb(keep: Event, other: Event, spans: dict[int, set[tuple[int, int]]]) -> None:
    """Folds ``other`` into ``keep``: the more specific type and date, counts, actors, evidence.
    ``spans``: the evidence spans of each event that has absorbed another, by ``id``."""
    if _TYPE_RANK.get(other.event_type, 99) < _TYPE_RANK.get(keep.event_type, 99):
        keep.event_type = other.event_type
    if keep.date is None and other.date is not None:
        keep.date, keep.time_precision = other.date, other.time_precision
        keep.date_start, keep.date_end = other.date_start, other.date_end
    keep.killed = _max(keep.killed, other.killed)
    keep.wounded = _max(keep.wounded, other.wounded)
    keep.actors = _unique([*keep.actors, *other.actors])
    keep.confidence = max(keep.confidence, other.confidence)
    known = spans.get(id(keep))
    if known is None:
        known = spans[id(keep)] = {(s.start, s.end) for s in keep.sources}
    for s in other.sources:
        if (s.start, s.end) not in known:
            known.add((s.start, s.end))
            keep.sources.append(s)
    if other.notes and other.notes not in keep.notes:
        _add_note(keep, f"merged: {other.notes}" if keep.notes else other.notes)


#: Notes beyond this length are cut short ("; ..."): an event merged from thousands of
#: reports does not carry thousands of notes.
_NOTES_MAX = 2000


def _add_note(ev: Event, note: str) -> None:
    if len(ev.notes) < _NOTES_MAX:
        ev.notes = f"{ev.notes}; {note}" if ev.notes else note
    elif not ev.notes.endswith("; ..."):
        ev.notes += "; ..."


def _max(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else max(a, b)
