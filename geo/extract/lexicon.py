"""Words: event triggers, actors, casualty counts, number words and sentence spans.

No place names live here (the gazetteer owns them). Every vocabulary is one table of canonical
concept -> patterns, so that machine-paraphrased ("spun") copies are read by ordinary synonym
handling: "foundation" is a base when the sentence is about forces, "hand about" is "hand
over", "tumble into the hands of" is "fall into the hands of", "Preferred Mobilisation Forces"
is the PMF and "Us citizens" are Americans. Matching is on the original text, so every span
returned is a character offset into the text given.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from geo.text.search import (
    LeadIndex,
    Leads,
    finditer_at_lead_starts,
    pattern_leads,
    search_lower,
)

# --- numbers ------------------------------------------------------------------------------------

UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000}
#: Counts larger than this are not plausible for one event and are rejected as misreadings: a
#: million or more in one statement is a war's total, a typo or spam, never one event's count.
MAX_CASUALTIES = 999_999
_NUMBER_WORD = "|".join(sorted([*UNITS, *SCALES], key=len, reverse=True))
#: A number in digits ("5,200", "14") or words ("twenty-five", "a dozen", "two hundred").
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:(?:a|an)\s+(?:dozen|hundred|thousand|million)\b"
    rf"|(?:{_NUMBER_WORD})\b)(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD})\b)*)"
)


def number_from_words(text: str) -> int | None:
    """The number written in ``text`` ("5,200", "twenty-five", "a dozen", "two hundred and
    five"), or ``None`` for vague or unreadable amounts ("dozens", "a few", "several")."""
    words = text.strip().lower().replace(",", "") if re.fullmatch(
        r"\s*\d{1,3}(?:,\d{3})+\s*", text) else text.strip().lower()
    if re.fullmatch(r"\d+", words):
        return int(words)
    tokens = [t for t in re.split(r"[\s-]+", words) if t and t != "and"]
    if tokens[:1] in (["a"], ["an"]) and len(tokens) > 1:
        tokens[0] = "one"
    if not tokens or any(t not in UNITS and t not in SCALES for t in tokens):
        return None
    total, current = 0, 0
    for token in tokens:
        if token in UNITS:
            current += UNITS[token]
        elif token in ("hundred", "dozen"):
            current = max(current, 1) * (100 if token == "hundred" else 12)
        else:
            total += max(current, 1) * SCALES[token]
            current = 0
    return total + current


# --- triggers -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trigger:
    """A word or phrase that signals an event concept, with its span in the sentence."""

    concept: str
    start: int
    end: int
    text: str


#: Words that make a sentence about armed forces (needed before "foundation", "facility",
#: "leave" and friends count as military vocabulary).
MILITARY_CONTEXT = re.compile(
    r"(?i)\b(?:troops?|forces?|military|army|armed|soldiers?|personnel|coalition|militia\w*|"
    r"artillery|rockets?|missiles?|attack\w*|assault\w*|convoys?|bases?|garrison|marines?|"
    r"air\s*force|drones?|strikes?|US|U\.S\.|American|Pentagon|defen[cs]e)\b"
)

#: concept -> (patterns, needs military context). Order matters: earlier concepts claim their
#: words first ("air strike" is an air strike, not also an attack).
TRIGGERS: dict[str, tuple[tuple[str, ...], bool]] = {
    "air_strike": ((
        r"air\s*-?\s*strikes?", r"air\s+raids?", r"air\s+(?:attacks?|assaults?)", r"airstrikes?",
        r"war\s*planes?", r"fighter\s+jets?", r"jets", r"bomb(?:ed|ing)\s+from\s+the\s+air",
        r"aerial\s+(?:bombardment|bombing|attacks?)", r"(?<!suicide\s)bombers?",
        r"helicopter\s+gunships?",
    ), False),
    "drone": ((r"drones?", r"UAVs?", r"unmanned(?:\s+aerial|\s+aircraft|\s+vehicles?)*"), False),
    "missile": ((r"missiles?", r"ballistic", r"cruise\s+missiles?"), False),
    "rocket": ((r"rockets?", r"Katyushas?", r"rocket-propelled"), False),
    # an aircraft names an air strike's kind, not an attack ("aircraft landed at Erbil")
    "aircraft": ((r"(?<!anti-)(?<!anti\s)aircraft",), False),
    "bombing": ((
        r"IEDs?", r"improvised\s+explosive\s+devices?", r"roadside\s+bombs?", r"car\s+bombs?",
        r"suicide\s+(?:bomb(?:er|ing)s?|attack(?:er)?s?|vests?)", r"explosions?", r"bombings?",
        r"blasts?", r"explosives?", r"landmines?",
    ), False),
    "clash": ((
        r"clash(?:es|ed|ing)?", r"fighting", r"firefights?", r"gun\s*-?\s*battles?",
        r"skirmish(?:es)?", r"exchanges?\s+of\s+fire", r"exchanged\s+fire",
    ), False),
    "capture": ((
        r"captur(?:e|es|ed|ing)", r"seiz(?:e|es|ed|ing|ure)", r"re-?captur(?:e|es|ed|ing)",
        r"(?:take|takes|took|taken|taking)\s+(?:full\s+)?(?:control|handle|management|charge)",
        r"(?:fall|falls|fell|fallen|falling|tumble|tumbles|tumbled|drop|drops|dropped)\s+"
        r"(?:in)?to(?:\s+the\s+hands\s+of)?",
        r"re-?tak(?:e|es|en|ing)", r"retook", r"(?:taken|took|take|get|got|won|win)\s+"
        r"(?:back|again)", r"liberat(?:e|es|ed|ing|ion)", r"over-?r(?:an|un|unning)",
        r"driven\s+out", r"expelled",
    ), False),
    "handover": ((
        r"hand(?:s|ed|ing)?\s+(?:over|about)", r"hand-?overs?", r"handed\s+to",
        r"hand(?:s|ed|ing)?\s+(?:it|them|the\s+\w+|\w+)\s+(?:over|back)\s+to",
        # "handing the base to Iraqi forces" (the base word stays a base word)
        r"hand(?:s|ed|ing)?(?=\s+(?:the\s+|its\s+|their\s+)?(?:(?:air\s*)?base|site|camp|"
        r"facility|compound|garrison|positions?)\s+to\b)",
        r"transfer(?:s|red|ring)?", r"turn(?:s|ed|ing)?\s+over", r"hand(?:s|ed|ing)?\s+back",
        r"returned\s+to\s+(?:Iraqi|Syrian|government)",
        # "Iraqi forces took over the Qayyarah airbase from the coalition": received it
        r"t(?:ook|ake|akes|aking|aken)\s+over(?=\s+(?:[\w'’-]+\s+){0,5}?from\s+(?:the\s+)?"
        r"(?:US|U\.S\.|American|coalition|international|foreign))",
    ), False),
    "withdrawal": ((
        r"withdr(?:aw|aws|awn|awing|awal|awals|ew)", r"pull(?:s|ed|ing)?\s+(?:out|back)",
        r"pull-?out", r"draw\s*-?\s*down", r"redeploy(?:s|ed|ing|ment)?",
        r"relocat(?:e|es|ed|ing|ion)", r"evacuat(?:e|es|ed|ing|ion)",
    ), False),
    "withdrawal_context": ((
        # "left" only before a place or a base word: "the blast left 14 wounded" is no exit
        r"leav(?:e|es|ing)", r"depart(?:s|ed|ing|ure)?", r"go(?:es|ing)?\s+away",
        r"left(?=\s+(?:(?:the|their|its|his|her)\s+)?(?:(?-i:[A-Z])|bases?\b|camps?\b|"
        r"positions?\b|garrison\b|country\b|town\b|city\b|area\b))",
        r"exit(?:s|ed|ing)?", r"move(?:d)?\s+(?:out|forces)", r"vacat(?:e|es|ed|ing)",
        r"clos(?:e|es|ed|ing|ure|ures)",
    ), True),
    "crossing": ((
        r"border\s+crossings?", r"crossing\s+points?", r"border\s+posts?",
        r"cross(?:ed|es|ing)?\s+(?:the\s+border|into)", r"crossings?",
    ), False),
    "base": ((
        r"air\s*bases?", r"bases?", r"camps?", r"garrisons?", r"outposts?", r"airfields?",
        r"forward\s+operating\s+bases?", r"FOBs?", r"barracks", r"installations?",
    ), False),
    "base_context": ((r"foundations?", r"facilit(?:y|ies)", r"compounds?"), True),
    "attack": ((
        r"attack(?:s|ed|ing|ers?)?", r"assault(?:s|ed|ing)?", r"strikes?", r"struck", r"striking",
        r"raids?", r"raided", r"hit(?:s|ting)?", r"shell(?:s|ed|ing)", r"targeted", r"targeting",
        r"bombard(?:ed|ment|ing)?", r"ambush(?:ed|es)?",
        r"fired\s+(?:[\w-]+\s+){0,3}?(?:at|on|into)", r"opened\s+fire",
        r"mortars?(?:\s+(?:rounds?|shells?|fire))?", r"artillery(?:\s+fire)?",
        r"snipers?", r"shot\s+dead", r"gunned\s+down",
    ), False),
}
#: The concepts find_triggers reports.
CONCEPTS: tuple[str, ...] = (
    "base", "rocket", "missile", "drone", "air_strike", "aircraft", "bombing", "clash",
    "attack", "withdrawal", "handover", "capture", "crossing",
)
_TRIGGER_RES: tuple[tuple[str, re.Pattern[str], bool, Leads | None], ...] = tuple(
    (concept.removesuffix("_context"), re.compile(pattern, re.IGNORECASE), needs_context,
     pattern_leads(pattern, re.IGNORECASE))
    for concept, (pats, needs_context) in TRIGGERS.items()
    for pattern in [r"\b(?:" + "|".join(pats) + r")\b"]
)
_TRIGGER_LEADS = LeadIndex([leads for *_, leads in _TRIGGER_RES])


def find_triggers(sentence: str) -> list[Trigger]:
    """Event words in ``sentence``, each with its canonical concept (see :data:`CONCEPTS`).

    Ambiguous words ("foundation", "facility", "leave", "close") count only in a sentence
    about armed forces. Spans never overlap; earlier concepts in :data:`TRIGGERS` win.
    """
    military: bool | None = None  # searched for when a concept needs it
    low = search_lower(sentence)
    found: list[Trigger] = []
    taken = _Spans()
    present, starts = _TRIGGER_LEADS.find(sentence, low)
    for bit, (concept, regex, needs_context, leads) in zip(_TRIGGER_LEADS.bits, _TRIGGER_RES,
                                                           strict=True):
        if not present & bit:
            continue  # most sentences hold words of two or three concepts: skip the others
        if needs_context:
            if military is None:
                military = MILITARY_CONTEXT.search(sentence) is not None
            if not military:
                continue
        matches = regex.finditer(sentence) if leads is None else \
            finditer_at_lead_starts(regex, sentence, low, starts[bit])
        for m in matches:
            if taken.add(m.start(), m.end()):
                found.append(Trigger(concept, m.start(), m.end(), m[0]))
    return sorted(found, key=lambda t: t.start)


class _Spans:
    """Non-overlapping spans, sorted: as they never overlap, their ends are sorted too, so one
    bisection finds the only span a new one could overlap (scanning them all is quadratic on a
    long text full of matches)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Adds ``[start, end)`` unless it overlaps a span already held; True when added."""
        i = bisect.bisect_left(self.starts, end)
        if i and self.ends[i - 1] > start:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


# --- actors -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """An armed actor named in a text: canonical name, span, and "target" when it is attacked."""

    name: str
    start: int
    end: int
    text: str
    role: str = ""  # "" or "target"


_NATIONAL_FORCE = (
    r"(?:\s+and\s+\w+)?\s+(?:Armed\s+Forces|Air\s+Forces?|Army|army|military|forces|Forces|"
    r"troops|soldiers?|service\s*members?|servicemen|personnel|warplanes|jets|navy|Navy|"
    r"marines|Marines|special\s+forces|medics?)\b"
)
#: canonical name -> patterns (case-sensitive: "US" is not "us", "IS" is not "is").
ACTORS: dict[str, tuple[str, ...]] = {
    "Kataib Hezbollah": (
        r"Kata['’]?ib\s+Hez?b[ou]llah", r"Kata['’]?ib\s+Hizb(?:u|a)llah", r"KH",
    ),
    "Asaib Ahl al-Haq": (r"Asa['’]?ib\s+Ahl\s+al-Haq", r"AAH"),
    "al-Nujaba": (r"(?:Harakat\s+)?[Aa]l-Nujaba", r"Nujaba"),
    "PMF": (
        r"(?:Popular|Preferred|Well-known|Common)\s+Mobili[sz]ation\s+(?:Forces|Units|Front)",
        r"PMF", r"PMU", r"(?:al-)?Hashd(?:\s+al-Sha['’]?a?bi)?",
    ),
    "IRGC": (
        r"(?i:Islamic\s+Revolution(?:ary)?\s+Guards?\s+Corps)", r"IRGC",
        r"(?i:Revolution(?:ary)?\s+Guards?(?:\s+Corps)?)", r"Quds\s+Force",
    ),
    "IS": (
        r"(?:the\s+)?Islamic\s+(?:State|Condition)(?:\s+(?:of\s+Iraq\s+and\s+(?:Syria|the\s+"
        r"Levant)|group|militant\s+group))?", r"ISIS", r"ISIL", r"Daesh", r"Da['’]esh", r"IS",
    ),
    "Coalition": (
        r"Combined\s+Joint\s+Task\s+Force\s+[–-]\s+Operation\s+Inherent\s+Resolve",
        r"CJTF-OIR", r"Operation\s+Inherent\s+Resolve", r"OIR", r"NATO", r"[Cc]oalition",
    ),
    "US forces": (
        r"U\.S\.(?:-led)?", r"US(?:-led|-backed)?", r"United\s+States(?:\s+Forces)?",
        r"Americans?", r"Us\s+citizens", r"(?i:People\s+in\s+america)", r"Pentagon",
        r"CENTCOM", r"(?:US\s+)?Central\s+Command",
    ),
    "Iraqi forces": (
        r"Iraqi\s+(?:[Ss]ecurity|[Ss]afety|[Pp]rotection|[Aa]rmed)\s+[Ff]orces",
        r"Iraqi" + _NATIONAL_FORCE.replace(r"(?:\s+and\s+\w+)?", ""), r"ISF",
        r"(?:Iraqi\s+)?Joint\s+Operations?\s+Command", r"Iraq['’]s\s+(?:military|army)",
    ),
    "Turkish forces": (
        r"Turkish\s+Armed\s+Forces", r"Turkish(?=" + _NATIONAL_FORCE + ")", r"TSK",
    ),
    "SNA": (r"Syrian\s+National\s+Army", r"SNA", r"Turkish-backed\s+(?:opposition|rebels)"),
    "SDF": (r"Syrian\s+Democratic\s+Forces", r"SDF", r"YPG", r"People['’]s\s+Protection\s+Units"),
    "Syrian forces": (
        r"Syrian\s+Arab\s+(?:Army|Air\s+Force)", r"SAA", r"Syrian\s+Air\s+Force",
        r"Syrian\s+(?:government|regime)\s+forces", r"Syrian(?=" + _NATIONAL_FORCE + ")",
    ),
    "Russian forces": (
        r"Russian\s+Air\s+Force", r"Russian(?=" + _NATIONAL_FORCE + ")", r"Wagner(?:\s+Group)?",
    ),
    "UK forces": (
        r"British(?=" + _NATIONAL_FORCE + ")", r"UK\s+forces", r"Royal\s+(?:Army\s+Medical\s+"
        r"Corps|Air\s+Force|Navy|Marines)", r"RAF",
    ),
    "Ukrainian forces": (
        r"Ukrainian(?=" + _NATIONAL_FORCE + ")", r"Armed\s+Forces\s+of\s+Ukraine",
    ),
    "Israel (IDF)": (
        r"IDF", r"Israel\s+Defen[cs]e\s+Forces", r"Israeli(?=" + _NATIONAL_FORCE + ")",
        r"Israel",
    ),
    "Hezbollah": (r"Hez?b[ou]llah", r"Hizb(?:u|a)llah"),
    "Hamas": (r"Hamas",),
    "Houthis": (r"Houthis?", r"Ansar\s*Allah"),
    "Iran": (r"Iran(?![-\w])", r"Iran['’]s", r"Iranian(?!-backed)(?=\s+(?:government|regime))"),
}
_ACTOR_RES: tuple[tuple[str, re.Pattern[str], Leads | None], ...] = tuple(
    (name, re.compile(pattern), pattern_leads(pattern))
    for name, pats in ACTORS.items()
    for pattern in [r"(?<![\w-])(?:" + "|".join(pats) + r")(?![\w])"]
)
_ACTOR_LEADS = LeadIndex([leads for *_, leads in _ACTOR_RES])
_TARGET_CUE = re.compile(
    r"(?i)\b(?:against|on|at|targeting|targeted|target|hit|struck|killing|killed|wounding|"
    r"housing|hosting|host|hosts|house)\s+(?:the\s+|a\s+|an\s+|two\s+|several\s+)?$"
)

#: "blamed on X", "claimed by X": X is the perpetrator even after a target cue word.
_BLAME_CUE = re.compile(r"(?i)\b(?:blamed|blame|pinned|claimed|carried\s+out)\s+(?:on|by)\s+$")


def find_actors(text: str) -> list[Actor]:
    """Armed actors named in ``text``, canonical names from :data:`ACTORS`, in text order.

    ``role`` is "target" when the mention directly follows a cue such as "against", "on",
    "targeting" or "housing" ("an attack on US forces"); otherwise it is left empty: who did
    what to whom needs the extractor's view of the whole sentence.
    """
    found: list[Actor] = []
    taken = _Spans()
    low = search_lower(text)
    present, starts = _ACTOR_LEADS.find(text, low)
    matches = sorted(
        ((m.start(), -len(m[0]), name, m)
         for bit, (name, regex, leads) in zip(_ACTOR_LEADS.bits, _ACTOR_RES, strict=True)
         # a text names a few actors at most, and each only where its leading words are
         if present & bit
         for m in (regex.finditer(text) if leads is None
                   else finditer_at_lead_starts(regex, text, low, starts[bit]))),
        key=lambda t: (t[0], t[1]),
    )
    for start, _, name, m in matches:
        if not taken.add(start, m.end()):
            continue
        before = text[max(0, start - 40):start]
        is_target = _TARGET_CUE.search(before) and not _BLAME_CUE.search(before)
        role = "target" if is_target else ""
        found.append(Actor(name, start, m.end(), m[0], role))
    return found


# --- casualties ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Casualties:
    """Killed and wounded counts stated in a sentence (``None``: not stated or vague)."""

    killed: int | None = None
    wounded: int | None = None
    #: (start, end, "killed" | "wounded") of each statement read.
    spans: tuple[tuple[int, int, str], ...] = field(default_factory=tuple)


KILL_WORDS = r"(?:killed|killing|kills|kill|dead|died|die|dies|deaths?|lives\s+lost|slain|lost)"
WOUND_WORDS = r"(?:wounded|wounding|wounds|wound|injured|injuring|injures|injure|injuries|hurt)"
#: Nouns for people, so "killed 3 associates" is a count and "killed on 3 January" is not.
PERSON_NOUNS = (
    r"(?:people|persons?|folks|civilians?|soldiers?|troops|personnel|members?|servicem[ae]n|"
    r"service\s*members?|contractors?|Americans?|associates|officers?|officials?|fighters?|"
    r"militants?|insurgents?|militiam[ae]n|others|men|women|children|kids|guards?|police(?:m[ae]n)?|"
    r"medics?|staff|workers?|employees?|citizens|individuals|Iraqis|Syrians|Kurds|Turks|"
    r"Iranians|Britons|marines|Marines|advis[eo]rs?|trainers?|pilots?|crew|commanders?|recruits|"
    r"passengers|residents|villagers|victims|casualties|journalists?|agents?|operatives?|"
    r"sailors|airmen|guardsmen|protesters|demonstrators|gunmen|jihadists?)"
)
_QUALIFIER = (
    r"(?:(?:at\s+least|more\s+than|over|about|around|some|nearly|almost|up\s+to|as\s+many\s+as|"
    r"an\s+estimated|approximately|roughly|a\s+total\s+of|another|a\s+further|the|only|just)"
    r"\s+){0,4}"  # bounded: "at least at least ..." must not be re-read from every word
)
_VAGUE = r"(?:a\s+few|few|several|some|many|dozens|scores|hundreds|thousands|numerous|multiple)"
_RANGE_TAIL = rf"(?:\s*(?:-|–|to|or)\s*{NUMBER})?"
#: Words between a number and its noun ("two community law enforcement officers"); verbs and
#: prepositions stop it, so "two assaults on the base" is not a group of people.
_FILLER = (
    r"(?:\s+(?!(?:and|or|with|in|on|at|by|from|to|were|was|is|are|who|which|that|while|when|"
    r"killed|killing|wounded|wounding|injured|dead|died|rockets?|missiles?|have|has|had|been|"
    r"being|be|left)\b)(?!" + NUMBER + r"\b)[\w'’.-]+)"
)
#: One counted group: "two Americans", "a British soldier", "14 others", "36 to 60 soldiers".
_GROUP = re.compile(
    rf"(?P<q>{_QUALIFIER})(?:(?P<n>{NUMBER}){_RANGE_TAIL}|(?P<v>{_VAGUE}\b)|"
    rf"(?P<a>\b(?:a|an|one)\b))(?P<rest>{_FILLER}{{0,5}}?\s+{PERSON_NOUNS}\b)?",
    re.IGNORECASE,
)
#: What may follow a bare number that counts people ("at least 7 killed", "wounding 14.").
_BARE_NUMBER_END = re.compile(
    r"(?i)\s*(?:$|[,.;:)\](\[]|(?:and|or|in|on|at|when|while|during|after|including|as|were|was|"
    r"are|have|had|killed|dead|died|wounded|injured|people)\b)"
)
_ADVERBS = (
    r"(?:\s+(?:seriously|critically|severely|fatally|lightly|slightly|badly|also|reportedly))?"
)
#: Person nouns right after a group's own ("two American troops": the group ends at the first).
_MORE_NOUNS = re.compile(rf"(?:\s+{PERSON_NOUNS}\b)*", re.IGNORECASE)
_SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|as\s+well\s+as\s+|plus\s+)")


def find_casualties(sentence: str) -> Casualties:
    """Killed and wounded counts in ``sentence``.

    Reads "killed two Americans and a British soldier" (3), "at least 7 killed" (7), "wounding
    14 others" (14), "the loss of 34 Turkish soldiers" (34) and "injuries on an estimated 36 to
    60 soldiers" (36, the lower bound). "At least N" and "more than N" give N. Vague amounts
    ("a few", "dozens", "several") give ``None``, also when a list mixes them with numbers,
    because a partial sum would be a wrong count. Counts above :data:`MAX_CASUALTIES` are
    rejected as implausible. When a sentence states the same kind twice, the larger count is
    kept (restatements are common; adding them would double count).
    """
    results: dict[str, list[int | None]] = {"killed": [], "wounded": []}
    spans: list[tuple[int, int, str]] = []
    low = search_lower(sentence)
    for kind, words in (("killed", KILL_WORDS), ("wounded", WOUND_WORDS)):
        # every statement ends with (count then verb) or starts with (verb then count) one of
        # the kind's words: most sentences have none, and the heavy patterns are skipped
        if not any(word in low for word in _CUE_NEEDS[kind]):
            continue
        bound = _cue_bound(_CUE_WORDS[kind], sentence)
        if bound < 0:
            continue
        statements = (_verb_then_count(sentence, words, kind)
                      + _count_then_verb(sentence, kind, bound))
        for start, end, count in statements:
            if any(start < e and s < end and k == kind for s, e, k in spans):
                continue
            spans.append((start, end, kind))
            results[kind].append(count)
    return Casualties(
        killed=_combine(results["killed"]), wounded=_combine(results["wounded"]),
        spans=tuple(sorted(spans)),
    )


#: Where a statement of each kind can be: a superset of the leads of _verb_then_count and the
#: verbs that end _count_then_verb (the loss of, a death toll: killed).
_CUE_WORDS: dict[str, re.Pattern[str]] = {
    "killed": re.compile(rf"(?i)\b(?:{KILL_WORDS}|the\s+loss\s+of|(?:death|casualty)\s+toll)"),
    "wounded": re.compile(rf"(?i)\b{WOUND_WORDS}"),
}


#: One of these is in every match of _CUE_WORDS[kind] (lower case): a quick test before it.
_CUE_NEEDS: dict[str, frozenset[str]] = {
    "killed": pattern_leads(KILL_WORDS, re.IGNORECASE).folded | {"loss", "casualty"},
    "wounded": pattern_leads(WOUND_WORDS, re.IGNORECASE).folded,
}


def _cue_bound(cue: re.Pattern[str], sentence: str) -> int:
    """End of the last match of ``cue`` in ``sentence``, or -1 when there is none: every
    kill (wound) word starts before it, even one inside a longer match ("lives lost")."""
    last = -1
    for m in cue.finditer(sentence):
        last = m.end()
    return last


def _combine(counts: list[int | None]) -> int | None:
    known = [c for c in counts if c is not None]
    return max(known) if known else None


def _group_count(m: re.Match[str], after: str) -> tuple[bool, int | None]:
    """(is a group of people, its count or None when vague) for one _GROUP match."""
    if not m["rest"] and (m["a"] or m["v"] or not _BARE_NUMBER_END.match(after)):
        return False, None
    if m["v"]:
        return True, None
    if m["a"]:
        return True, 1
    return True, number_from_words(m["n"])


def _read_groups(text: str) -> tuple[int, int | None] | None:
    """A list of counted groups at the start of ``text``: (length read, total or None)."""
    pos, total, vague, groups = 0, 0, False, 0
    while True:
        m = _GROUP.match(text, pos)
        if not m or m.end() == pos:
            break
        is_people, count = _group_count(m, text[m.end():])
        if not is_people:
            break
        groups += 1
        vague = vague or count is None
        total += count or 0
        pos = _MORE_NOUNS.match(text, m.end()).end()  # "two American| troops and a Briton"
        sep = _SEPARATOR.match(text, pos)
        nxt = _GROUP.match(text, sep.end()) if sep else None
        if not sep or not nxt or not _group_count(nxt, text[nxt.end():])[0]:
            break
        pos = sep.end()
    if not groups:
        return None
    return pos, (None if vague or total > MAX_CASUALTIES else total)


def _verb_then_count(sentence: str, words: str, kind: str) -> list[tuple[int, int, int | None]]:
    """"killed two Americans", "seriously wounded two associates", "the loss of 34 soldiers",
    "injuries on an estimated 36 to 60 soldiers", "a death toll of 25"."""
    lead = rf"\b{words}{_ADVERBS}(?:\s+(?:on|to|of|among))?\s+"
    if kind == "killed":
        lead += (r"|\bthe\s+loss\s+of\s+(?:life\s+of\s+)?|\b(?:death|casualty)\s+toll\s+"
                 r"(?:of|at|to|rose\s+to|reached)\s+")
    found = []
    for m in re.finditer(rf"(?i:{lead})", sentence):
        read = _read_groups(sentence[m.end():])
        if read is not None:
            found.append((m.start(), m.end() + read[0], read[1]))
    return found


_AUX = (
    r"(?:\[\w{1,4}\]|\s+(?:were|was|are|is|have|has|had|been|being|be|reportedly|thought|"
    r"believed|said|feared|confirmed|to|left|later|also|all|both|now|got|reported))*"
)
_COUNT_START = re.compile(
    rf"(?i)(?<![\w,.]){_QUALIFIER}(?:{NUMBER}|\b(?:a|an|one)\b|\b{_VAGUE}\b)"
)


def _count_tail(words: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?i:(?:\s+(?:of|from)\s+(?:the\s+)?[\w'’-]+(?:\s+[\w'’-]+){{0,4}}?)?"
        rf"(?:(?:\s*,|\s+and|\s+or)?{_FILLER}){{0,6}}?{_AUX}{_ADVERBS}\s*\b{words}\b)"
    )


#: What follows a counted group up to the kill (wound) word that closes the statement.
_COUNT_TAILS: dict[str, re.Pattern[str]] = {
    "killed": _count_tail(KILL_WORDS), "wounded": _count_tail(WOUND_WORDS),
}


def _count_then_verb(sentence: str, kind: str, bound: int) -> list[tuple[int, int, int | None]]:
    """"at least 7 killed", "A US contractor was killed", "Three coalition soldiers were
    killed", "two service members dead", "14 others wounded".

    ``bound``: no kind's word starts at or after it, so no statement can start there either.
    """
    tail = _COUNT_TAILS[kind]
    found: list[tuple[int, int, int | None]] = []
    read_until = -1  # a list of groups is read once, not again from each of its numbers
    for start_match in _COUNT_START.finditer(sentence):
        start = start_match.start()
        if start >= bound:
            break
        if start < read_until:
            continue
        read = _read_groups(sentence[start:])
        if read is None:
            continue
        read_until = start + read[0]
        m = tail.match(sentence, read_until)
        if m:
            found.append((start, m.end(), read[1]))
    return found


# --- spun text ----------------------------------------------------------------------------------

#: Paraphrase-tool substitutions seen in spun copies -> the usual wording. Used for display and
#: for readers that do not need offsets; the matchers above already accept these variants.
SPUN_PHRASES: dict[str, str] = {
    r"\bPreferred\s+Mobili([sz])ation\s+Forces\b": r"Popular Mobili\1ation Forces",
    r"\bIslamic\s+Condition\b": "Islamic State",
    r"\bUs\s+citizens\b": "Americans",
    r"\bPeople\s+in\s+america\b": "Americans",
    r"\bhand\s+about\b": "hand over",
    r"\btumble\s+into\s+the\s+hands\s+of\b": "fall into the hands of",
    r"\btaken\s+again\b": "taken back",
    r"\btook\s+handle\s+of\b": "took control of",
    r"\bthis\s+7\s+days\b": "this week",
    r"\bfinal\s+yr\b": "last year",
    r"\bpreviously\s+this\s+year\b": "earlier this year",
    r"\bSupply\s+backlink\b": "Source link",
    r"\bsafety\s+forces\b": "security forces",
}


def normalise_spun(text: str) -> str:
    """``text`` with known paraphrase-tool substitutions put back (offsets change)."""
    for pattern, usual in SPUN_PHRASES.items():
        text = re.sub(pattern, usual, text)
    return text


