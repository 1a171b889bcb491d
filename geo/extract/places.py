"""Places for each sentence: the gazetteer's mentions, resolved with the article's geography.

:func:`resolve_places` gives every sentence of an article the places it names (a
:class:`Resolved` each), ranked with the article's countries, the places already resolved and
whether the sentence is about a base, and marks how each is named: "near X" (geo_precision 2),
"27 km north of X" (a reference point), "remain in X" (forces stay), "Hamid from X" (an
origin). :func:`locations` then says where a sentence's events happen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace

from geo.extract import kinds, lexicon
from geo.extract.mentions import POINT_KINDS, Resolved, Sentence, is_specific
from geo.extract.spans import SpanSet
from geo.gazetteer import Candidate, Gazetteer
from geo.gazetteer.demonyms import find_demonym_countries
from geo.geodesy import haversine_km
from geo.model import SITE_KINDS, Place
from geo.text.names import fold
from geo.text.search import finditer_at_leads, pattern_leads, search_lower

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
    r"|\b(?:which|that|it)\s+(?:lies|is\s+located|sits|is)\s+(?:near|close\s+to|next\s+to)\s+"
    r"(?:the\s+)?$"
)
#: A region word after a name or a list of names: "Aleppo and Raqqa governorates".
_REGION_AFTER = re.compile(r"^(?:\s*(?:,|and)\s*[A-Z][\w'’-]*)*\s+(?:governorates?|provinces?|"
                           r"oblasts?|regions?|districts?|states?|counties|county)\b", re.I)
#: Words between a place and the place that contains it: " in ", " district of ", ", in ".
_CONTAINED_GAP = re.compile(r"(?i)\s*,?\s*(?:in|of|inside|within|part\s+of)\s+(?:the\s+)?"
                            r"(?:greater\s+)?(?:(?:city|town|capital|province|district|area)\s+"
                            r"of\s+)?|\s+(?:district|neighbou?rhood|quarter|area|suburb)\s+of\s+"
                            r"(?:the\s+)?")
#: Between a name the gazetteer lacks and the known place that contains it: ", a village in
#: the central", " in Chin State's", " (Tyre district)", ", Hpakant Township, ".
_UNKNOWN_IN = re.compile(
    r"(?i)(?:\s*,\s*(?:a|an|the)\s+(?:[\w'’-]+\s+){0,3}?(?:in|near|of|outside)\s+"
    r"|\s+(?:in|near|outside|within|of)\s+"
    r"|\s*,\s*(?:(?:about|some)\s+)?(?:\d+\s*(?:km|kilometres|kilometers|miles)\s+)?"
    r"(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+of\s+)"
    r"(?:the\s+)?(?:[\w'’-]+\s+){0,2}?|\s*\(\s*"
    r"|\s*,\s*(?:[A-Z][\w'’-]*\s+){1,3}(?:Township|District|Province),\s*")
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
#: Not where something happens: a time zone ("11:30 a.m. Sanaa time"), a sea or a strait
#: named after a town ("the Gulf of Aden", "Bab el-Mandeb Strait"), a venue of talks or a
#: ceremony ("talks in Kunming", "celebrations in Moscow"), a war named by its place ("the
#: war in Gaza", "the Israel-Hamas war"), a cause one stands for ("its support for Gaza",
#: "solidarity with Kyiv").
_NOT_PLACE_AFTER = re.compile(r"\s+(?:time|Strait|Straits|Sea|Gulf|Bay|Canal|war|War)\b")
_NOT_PLACE_BEFORE = re.compile(
    r"(?i)\b(?:(?:gulf|sea|strait|straits|bay)\s+of\s+(?:the\s+)?"
    r"|(?:talks|summit|meeting|conference|negotiations|ceremony|celebrations?|funeral|rally|"
    r"protests?|demonstrations?|parade|visit|trip|speech)\s+(?:held\s+|taking\s+place\s+)?"
    r"(?:in|at)\s+(?:the\s+)?"
    r"|(?:war|conflict|crisis|genocide)\s+in\s+(?:the\s+)?"
    r"|(?:support|solidarity|sympathy|backing)\s+(?:for|with|of)\s+(?:the\s+)?(?:people\s+of\s+)?)$")
#: Sentence openings that refer back to a place named before ("The place was...").
ANAPHOR = re.compile(
    r"^\s*(?:The|This|That)\s+(?:(?:air|military|army|naval|US|American|former)\s+)?"
    r"(?:place|town|city|village|site|base|foundation|area|space|region|"
    r"location|camp|airfield|facility|district)\b|^\s*It\s+(?:was|had|has|fell)\b"
)
#: Where someone comes from, not where "the base" of the sentence is: "Hamid from Sacramento,
#: California, worked at the base".
_ORIGIN_BEFORE = re.compile(r"(?i)\b(?:from|native\s+of)\s+$")
#: Where forces stay, not where they leave: "withdraw from Hasakah ...; remain in Deir ez-Zor".
_STAY_BEFORE = re.compile(r"(?i)\b(?:remain|stay)(?:s|ed|ing)?\s+(?:in|at)\s+(?:the\s+)?$")
#: Every pattern of the "base" concept (ambiguous words included): a quick test that a text
#: cannot hold a base trigger, built from the lexicon so the two never disagree.
_BASE_WORDS = re.compile(r"\b(?:" + "|".join(
    p for concept, (patterns, _) in lexicon.TRIGGERS.items()
    if concept.removesuffix("_context") == "base" for p in patterns) + r")\b", re.IGNORECASE)
_BASE_LEADS = pattern_leads(_BASE_WORDS.pattern, re.IGNORECASE)
#: Trigger concepts that name what a place is and so count inside its name.
_KIND_WORDS = frozenset({"base", "crossing"})
#: Two mentions of one place this close are one mention ("Qayara Airfield West, known as
#: Q-West"); further apart they may be in two clauses of two events.
_SAME_MENTION = 40


def resolve_places(gazetteer: Gazetteer, text: str, sentences: list[Sentence],
                    triggers: list[list[lexicon.Trigger]],
                    dateline: tuple[int, int] = (0, 0),
                    sites: kinds.Sites | None = None,
                    actors: list[lexicon.Actor] | None = None) -> None:
    """Resolves every mention in its sentence, with the article's countries and base context.

    A mention is dropped when it names an actor ("the US", "IS"), a country that is not
    where something happens ("Iraq's parliament"), or a place in a country the article
    never names (a small namesake abroad), or is in the wire ``dateline`` (its
    country still counts); a place after "north of", or a town named by its part
    ("Baghdad's Tayaran Square"), is a reference point, dropped when its sentence names
    another place.
    """
    starts = [s.start for s in sentences]
    about_bases = base_sentences(sentences, triggers)

    def sentence_of(offset: int) -> int:
        return max(0, bisect_right(starts, offset) - 1)

    if actors is None:
        actors = lexicon.find_actors(text)
    in_actor = SpanSet((a.start, a.end) for a in actors)
    mentions = [m for m in gazetteer.resolve_mentions(
                    text, prefer_sites_at=lambda at: sentence_of(at) in about_bases)
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
                        for p in gazetteer.lookup(m.surface)
                        if p.kind == "region" and p.id not in {c.place.id for c in regions}]
            cands = tuple(regions) or cands
        best = _pick(cands, countries, after, gazetteer)
        if best is None or whose and best.place.kind not in ("city", "town"):
            continue
        if best.place.kind == "country" and not _LOCATIVE.search(before):
            continue  # "Iraq military bases": not where an event happens
        cues = _cues(before)
        if _SPEAKER_AFTER.match(text, m.end) or cues & _SPEAKER_CUES \
                and _SPEAKER_BEFORE.search(before):
            continue  # "Café owners in Mosul said", "Ankara says": the speaker's place
        if _NOT_PLACE_AFTER.match(text, m.end) or cues & _NOT_PLACE_CUES \
                and _NOT_PLACE_BEFORE.search(before):
            continue  # "Sanaa time", "the Gulf of Aden", "talks in Kunming", "war in Gaza"
        if _is_capital(best) and not _PLACE_CUE.search(before) \
                and not _listed_after_place(sent, text, m.start):
            continue  # "Washington had struck back", "accused Moscow": the government
        if "between" in cues and _between_far(text, sent, m, best.place, gazetteer, countries):
            continue  # "friction between Washington and Tehran": no place of an event
        if any(p.place and p.place.id == best.place.id and m.start - p.end < _SAME_MENTION
               for p in sent.places):
            continue  # "Qayara Airfield West, known as Q-West": one place
        ambiguous = len(m.candidates) > 1 and m.candidates[1].score > best.score - 1.0
        sent.places.append(_with_flags(Resolved(
            m.start, m.end, m.surface, best.place, 0.5 if ambiguous else 1.0,
            tuple(best.reasons)), before, cues, bool(whose)))
    _named_by_kind(text, sentences, triggers, in_actor,
                   kinds.Sites(gazetteer) if sites is None else sites)


def _named_by_kind(text: str, sentences: list[Sentence],
                   triggers: list[list[lexicon.Trigger]], in_actor: SpanSet,
                   sites: kinds.Sites) -> None:
    """Sites named by kind and town, names the gazetteer lacks, and "the city" (see
    :mod:`geo.extract.kinds`), sentence by sentence in article order. ``sites``: the
    gazetteer's sites, read once by the caller for all its articles."""
    memory = kinds.KindMemory()
    for sent, found in zip(sentences, triggers, strict=True):
        kinds.sites_by_kind(sites, sent, text)
        if found:
            new = [r for r in kinds.unknown_places(sent) if not in_actor.overlaps(r.start, r.end)]
            new += kinds.kind_references(sent, memory)
            sent.places += [_with_flags(r, text[max(sent.start, r.start - 60):r.start])
                            for r in new]
            sent.places.sort(key=lambda p: p.start)
        for res in sent.places:
            if res.reasons and res.reasons[-1].endswith("named before"):
                continue
            memory.remember(res, text, sent)


#: A reporting verb right after a place: the place is the speaker's ("residents in Mosul
#: said", "..., Ankara says", "Kinshasa rules out talks").
_SPEAKER_AFTER = re.compile(
    r"(?:,\s*)?\s+(?:(?:has|have|had|also|later|then)\s+)?(?:said|says|say|told|tells|reported|"
    r"reports|claimed|claims|announced|announces|confirmed|confirms|stated|states|added|"
    r"warned|warns|denied|denies|accused|accuses|blamed|blames|insisted|alleged|alleges|"
    r"rules\s+out|ruled\s+out|responded|retaliated|vowed|vows|threatened|condemned|"
    r"condemns|rejected|rejects|called|calls|urged|urges|demanded|demands|struck\s+back|"
    r"had\s+struck|has\s+struck|agreed|agrees|signed|signs|sent|sends|wants|hopes)\b")
#: "according to officials in Baghdad", "sources in Kyiv told": the speaker's place.
_SPEAKER_BEFORE = re.compile(
    r"(?i)\b(?:according\s+to\s+(?:[\w'’-]+\s+){0,3}?(?:in|from)|(?:officials?|sources?|"
    r"residents?|witnesses|activists|spokes(?:man|woman|person)|correspondents?|reporters?|"
    r"journalists?|diplomats?|analysts?|monitors?|doctors?|medics?)\s+(?:based\s+)?(?:in|from))"
    r"\s+(?:the\s+)?$")
#: What before a capital makes it a place (else "Washington", "Moscow", "Ankara" name the
#: government): a locative preposition, an event verb, "the capital,".
_PLACE_CUE = re.compile(
    r"(?i)\b(?:in|at|near|on|onto|over|into|outside|towards?|around|across|inside|from|"
    r"against|of|to|within|targeted|targeting|hit|hits|struck|strike|strikes|attacked|bombed|"
    r"shelled|captured|seized|took|entered|recaptured|retook|liberated|reached|left|fled|"
    r"capital,|city,|city\s+of)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$")


def _is_capital(cand: Candidate) -> bool:
    return cand.place.kind == "city" and any(r.startswith("national capital")
                                             for r in cand.reasons)


def _listed_after_place(sent: Sentence, text: str, start: int) -> bool:
    """A name right after a place of the sentence in a list ("strikes on Sanaa and Hodeidah",
    "hit Kyiv, Kharkiv and Odesa"): it is a place as the first one is."""
    if not sent.places:
        return False
    last = sent.places[-1]
    return 0 < start - last.end <= 6 and bool(_LIST_GAP.fullmatch(text, last.end, start))


_LIST_GAP = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


#: "between A and B": two places far apart or in two countries tell no event's place.
_BETWEEN_FIRST = re.compile(r"(?i)\bbetween\s+(?:the\s+)?$")
_AND_NEXT = re.compile(r"\s+and\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})")
_BETWEEN_KM = 150.0


def _between_far(text: str, sent: Sentence, m, place: Place, gazetteer: Gazetteer,
                 countries: set[str]) -> bool:
    """A name in "between A and B" when A and B lie in two countries or far apart: a
    relation or a border ("between Washington and Tehran", "the crossing between Gaza and
    Egypt"), not where something happened."""
    before = text[max(sent.start, m.start - 30):m.start]
    if _BETWEEN_FIRST.search(before):
        other = _AND_NEXT.match(text, m.end)
        names = other.group(1) if other else None
    else:
        prev = _BETWEEN_SECOND_NAME.search(before)
        names = prev.group(1) if prev else None
    if not names:
        return False
    others = [p for p in gazetteer.lookup(names) if p.kind in ("city", "town", "country", "region")]
    if not others:
        return False
    o = others[0]
    if o.country != place.country:
        return True
    return bool(o.has_point and place.has_point
                and haversine_km(o.lat, o.lon, place.lat, place.lon) > _BETWEEN_KM)


_BETWEEN_SECOND_NAME = re.compile(
    r"(?i)\bbetween\s+(?:the\s+)?((?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*){0,3})\s+and\s+"
    r"(?:the\s+)?$")


def _with_flags(res: Resolved, before: str, cues: frozenset[str] | None = None,
                whose: bool = False) -> Resolved:
    """``res`` with what the words before it say: near, a reference point, stay, origin
    (``cues``: :func:`_cues` of ``before``, which says which patterns can match)."""
    cues = _cues(before) if cues is None else cues
    if not cues & _FLAG_CUES and not whose:
        return res
    return replace(res, near=bool(cues & _NEAR_CUES and _NEAR.search(before)),
                   reference=whose or bool(cues & _REFERENCE_CUES and (
                       _REFERENCE.search(before) or _BETWEEN_SECOND.search(before))),
                   stay=bool(cues & _STAY_CUES and _STAY_BEFORE.search(before)),
                   origin=bool(cues & _ORIGIN_CUES and _ORIGIN_BEFORE.search(before)))


_WORDS = re.compile(r"[A-Za-z]+")
_DIRECTIONS = ("north", "south", "east", "west")


def _cues(before: str) -> frozenset[str]:
    """The lower-case words of the text before a mention, with "direction" for a compass
    word ("north-east", "southwestern") and "number" for a number: every pattern read on
    that text needs one of its cue words, so the others are not tried."""
    words = {w.lower() for w in _WORDS.findall(before)}
    if any(w.startswith(_DIRECTIONS) for w in words):
        words.add("direction")
    if any(c.isdigit() for c in before):
        words.add("number")
    return frozenset(words)


#: The words without which each pattern before a mention cannot match.
_NEAR_CUES = frozenset({"near", "nearby", "outside", "close", "around", "vicinity", "direction",
                        "outskirts", "edge", "between", "number"})
_REFERENCE_CUES = frozenset({"direction", "between", "lies", "located", "sits", "is"})
_STAY_CUES = frozenset({"remain", "remains", "remained", "remaining", "stay", "stays",
                        "stayed", "staying"})
_ORIGIN_CUES = frozenset({"from", "native"})
_FLAG_CUES = _NEAR_CUES | _REFERENCE_CUES | _STAY_CUES | _ORIGIN_CUES
_SPEAKER_CUES = frozenset({"according", "official", "officials", "source", "sources",
                           "resident", "residents", "witnesses", "activists", "spokesman",
                           "spokeswoman", "spokesperson", "correspondent", "correspondents",
                           "reporter", "reporters", "journalist", "journalists", "diplomat",
                           "diplomats", "analyst", "analysts", "monitor", "monitors", "doctor",
                           "doctors", "medic", "medics"})
_NOT_PLACE_CUES = frozenset({"gulf", "sea", "strait", "straits", "bay", "talks", "summit",
                             "meeting", "conference", "negotiations", "ceremony", "celebration",
                             "celebrations", "funeral", "rally", "protest", "protests",
                             "demonstration", "demonstrations", "parade", "visit", "trip",
                             "speech", "war", "conflict", "crisis", "genocide", "support",
                             "solidarity", "sympathy", "backing"})


def without_references(places: list[Resolved]) -> list[Resolved]:
    """``places`` less the reference points ("north of Baghdad", "Baghdad's Tayaran Square")
    when another specific place is named among them: the event is there, not at the town
    that locates it. Read per clause: "withdrew from X, west of Avdiivka, ... after Russian
    forces captured Avdiivka" keeps the first Avdiivka for the withdrawal."""
    if any(not p.reference and is_specific(p) for p in places):
        return [p for p in places if not p.reference]
    return places


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
        if (not countries or c.place.country in countries or not c.place.country
                or c.place.kind == "country"
                or c.place.kind == "city" and not _variant(c) and not _alias_abroad(c)):
            return c
    return None


def _variant(c: Candidate) -> bool:
    """Matched by a transliteration variant or another spelling ("Mambasa" -> Mombasa): abroad,
    a look-alike, not the place."""
    return any(r.startswith(("transliteration variant", "name or alias spelled"))
               for r in c.reasons)


def _alias_abroad(c: Candidate) -> bool:
    """Matched only by an alias ("Adan" -> Aden): abroad, trusted for a capital or a city of a
    million, not for a smaller namesake of a place the text names in its own country."""
    return any(r.startswith("alias") for r in c.reasons) and c.place.population < 1_000_000 \
        and not any(r.startswith("national capital") for r in c.reasons)


def outside_places(triggers: list[lexicon.Trigger], sent: Sentence) -> list[lexicon.Trigger]:
    """Event words that are not part of a place name ("the town of Hit"); base and crossing
    words stay ("Camp Taji", "K-1 Air Base", "the al-Qaim border crossing" say what the place
    is)."""
    spans = [(p.start - sent.start, p.end - sent.start) for p in sent.places]
    return [t for t in triggers if t.concept in _KIND_WORDS
            or not any(s < t.end and t.start < e for s, e in spans)]


def drop_containers(sent: Sentence, places: list[Resolved]) -> list[Resolved]:
    """"the Green Zone in Baghdad", "Sadr City district of Baghdad": the second place contains
    the first, so it is not a second location; a site without a point takes the container's
    point as "near" (geo_precision 2)."""
    ordered = sorted(places, key=lambda p: p.start)
    out = list(ordered)
    for inner, outer in zip(ordered, ordered[1:], strict=False):
        if inner.place is None and outer.place is not None and _UNKNOWN_IN.fullmatch(
                sent.text[inner.end - sent.start:outer.start - sent.start]):
            # "Pazi Gyi, a village in the central Sagaing region": Sagaing contains it
            out[out.index(inner)] = replace(inner, container=outer.place, reasons=(
                *inner.reasons, f"in {outer.place.name}"))
            if outer in out:
                out.remove(outer)
            continue
        if not (is_specific(inner) and is_specific(outer) and inner.place is not None
                and outer.place is not None and outer.place.has_point):
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


def locations(places: list[Resolved]) -> list[Resolved]:
    """Where a sentence's events happen: specific places, else regions, else countries.

    A country that contains a named place is not a second location ("al-Qaim ... in Iraq").
    """
    resolved = [p for p in places if p.place is not None and p.place.kind != "river"]
    unknown = [p for p in places if p.place is None and p.surface]
    specific = [p for p in resolved if p.place.kind in POINT_KINDS] + unknown
    regions = [p for p in resolved if p.place.kind == "region"]
    if specific:
        return specific + [r for r in regions if not any(
            p.place is not None and _within(p.place, r.place) for p in specific)]
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


def base_sentences(sentences: list[Sentence], triggers: list[list[lexicon.Trigger]],
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
