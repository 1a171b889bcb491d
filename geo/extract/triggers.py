"""Event words: each trigger word or phrase with its canonical concept.

Every vocabulary is one table of concept -> patterns, so that machine-paraphrased ("spun")
copies are read by ordinary synonym handling: "foundation" is a base when the sentence is
about forces, "hand about" is "hand over", "tumble into the hands of" is "fall into the
hands of". Matching is on the original text: every span is an offset into the text given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.extract.spans import Spans
from geo.text.search import LeadIndex, Leads, finditer_at_lead_starts, pattern_leads, search_lower


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
        r"aerial\s+(?:bombardment|bombing|attacks?|strikes?)", r"(?<!suicide\s)bombers?",
        r"helicopter\s+gunships?", r"bombing\s+raids?", r"air\s+(?:power|support)",
        r"(?:guided|glide|barrel)\s+(?:aerial\s+)?bombs?", r"bombs?\s+dropped",
        r"dropp(?:ed|ing)\s+(?:[\w-]+\s+){0,2}?bombs?",
    ), False),
    "drone": ((r"drones?", r"UAVs?", r"unmanned(?:\s+aerial|\s+aircraft|\s+vehicles?)*"), False),
    "missile": ((r"missiles?", r"ballistic", r"cruise\s+missiles?"), False),
    "rocket": ((r"rockets?", r"Katyushas?", r"rocket-propelled"), False),
    # an aircraft names an air strike's kind, not an attack ("aircraft landed at Erbil")
    "aircraft": ((r"(?<!anti-)(?<!anti\s)aircraft",), False),
    # ACLED's shelling: artillery, mortars, tank fire ("shelled", "shellfire", "mortar rounds")
    "shelling": ((
        r"shell(?:s|ed|ing|fire)", r"mortars?(?:\s+(?:rounds?|shells?|fire|bombs?))?",
        r"artillery(?:\s+(?:fire|shells?|strikes?|barrages?|shelling))?", r"howitzers?",
        r"tank\s+(?:fire|shells?|rounds?)",
    ), False),
    "bombing": ((
        r"IEDs?", r"improvised\s+explosive\s+devices?", r"roadside\s+bombs?", r"car\s+bombs?",
        r"suicide\s+(?:bomb(?:er|ing)s?|attack(?:er)?s?|vests?)", r"explosions?", r"bombings?",
        r"blasts?", r"explosives?", r"landmines?",
    ), False),
    "clash": ((
        r"clash(?:es|ed|ing)?", r"fighting", r"firefights?", r"gun\s*-?\s*battles?",
        r"skirmish(?:es)?", r"exchanges?\s+of\s+(?:gun)?fire",
        r"exchang(?:ed|ing|e)\s+(?:gun)?fire",
        r"battl(?:es?|ed|ing)", r"fought",
        r"(?:beaten|driven|pushed|forced|thrown)\s+back", r"repel(?:led|s|ling)?",
        r"repuls(?:e|ed|es|ing)",
    ), False),
    "capture": ((
        r"captur(?:e|es|ed|ing)", r"seiz(?:e|es|ed|ing|ure)(?!\s+power)",
        r"re-?captur(?:e|es|ed|ing)",
        r"(?:take|takes|took|taken|taking)\s+(?:full\s+|operational\s+|complete\s+|total\s+|"
        r"effective\s+)?(?:control|handle|management|charge)",
        r"(?:fall|falls|fell|fallen|falling|tumble|tumbles|tumbled|drop|drops|dropped)\s+"
        r"(?:in)?to(?:\s+the\s+hands\s+of)?",
        r"re-?tak(?:e|es|en|ing)", r"retook", r"(?:taken|took|take|get|got|won|win)\s+"
        r"(?:back|again)", r"liberat(?:e|es|ed|ing|ion)", r"over-?r(?:an|un|unning)",
        r"driven\s+out", r"expelled",
        # "regained full control", "wrested control", "took hold of"
        r"(?:re)?gain(?:s|ed|ing)?\s+(?:full\s+|complete\s+|total\s+)?control",
        r"(?:seized|wrested|assumed|secured|established|won)\s+(?:full\s+|complete\s+)?control",
        r"t(?:ook|ake|akes|aking|aken)\s+hold\s+of",
        # "came under the control of", "passed under the control of"
        r"(?:came|come|comes|coming|fell|falls|passed|returned|brought)\s+under\s+(?:the\s+)?"
        r"(?:full\s+|complete\s+)?control", r"ced(?:e|es|ed|ing)", r"annex(?:ed|es|ing|ation)",
        r"surrender(?:s|ed|ing)?\s+to",
        # "pushed the Peshmerga out of Kirkuk", "drove IS out of"
        r"(?:push|pushed|pushing|drove|drive|driving|forced|forcing|chased|kicked|threw)\s+"
        r"(?:[\w'’-]+\s+){1,4}?out\s+of",
        r"t(?:ook|ake|akes|aking|aken)\s+(?:it|them)\s+over",
    ), False),
    "handover": ((
        r"hand(?:s|ed|ing)?\s+(?:over|about)", r"hand-?overs?", r"handed\s+to",
        r"hand(?:s|ed|ing)?\s+(?:it|them|the\s+\w+|\w+)\s+(?:over|back)\s+to",
        # "handing the base to Iraqi forces" (the base word stays a base word)
        r"hand(?:s|ed|ing)?(?=\s+(?:the\s+|its\s+|their\s+)?(?:(?:air\s*)?base|site|camp|"
        r"facility|compound|garrison|positions?)\s+to\b)",
        r"hand(?:s|ed|ing)?\s+(?:over\s+)?(?:the\s+)?control",
        r"transfer(?:s|red|ring)?", r"turn(?:s|ed|ing)?\s+over", r"hand(?:s|ed|ing)?\s+back",
        r"returned\s+to\s+(?:Iraqi|Syrian|government)",
        # "Iraqi forces took over the Qayyarah airbase from the coalition": received it
        r"t(?:ook|ake|akes|aking|aken)\s+over(?=\s+(?:[\w'’-]+\s+){0,5}?from\s+(?:the\s+)?"
        r"(?:US|U\.S\.|American|coalition|international|foreign))",
        r"g(?:ave|ive|ives|iving|iven)\s+up", r"passed\s+(?:on\s+)?to",
    ), False),
    # a change of control told by a verb after the place ("before Goma fell", "The neighbouring
    # Traunaing outpost was taken")
    "capture_before": ((
        r"(?<=\s)(?:fell|falls)(?!\s+(?:in)?to\b)(?!\s+(?:on|in|near|short|silent|back|apart|"
        r"under|victim|ill|asleep)\b)",
        # "has fallen", "was taken", "had been retaken": the auxiliary read behind the verb,
        # so the pattern starts at the verb (a rare word), not at "was" or "has"
        r"(?<=\bhas\s)fallen", r"(?<=\bhad\s)fallen", r"(?<=\bhave\s)fallen",
        r"(?<=\bwas\s)(?:re)?taken(?!\s+(?:to|into|away|in|by\s+surprise|prisoner|hostage|"
        r"captive|ill)\b)",
        r"(?<=\bwere\s)(?:re)?taken(?!\s+(?:to|into|away|in|by\s+surprise|prisoner|hostage|"
        r"captive|ill)\b)",
        r"(?<=\bbeen\s)(?:re)?taken(?!\s+(?:to|into|away|in|by\s+surprise|prisoner|hostage|"
        r"captive|ill)\b)",
    ), False),
    # a change of control told by a verb that needs a place after it ("took Kidal", "took the
    # town of Hadrut", "moved into the centre of Bukavu", "losing the city")
    "capture_after": ((
        r"t(?:ook|ake|akes|aking|aken)(?!\s+(?:part|place|position|positions|power|office|over|"
        r"back|again|hold|control|charge|refuge|shelter|cover|note|steps?|action|aim|"
        r"responsibility|effect|turns|time|care|advantage)\b)",
        r"t(?:ook|ake|akes|aking|aken)\s+over(?!\s+(?:[\w'’-]+\s+){0,5}?from\s+(?:the\s+)?"
        r"(?:US|U\.S\.|American|coalition|international|foreign))",
        r"(?:mov|push|sweep|swept|march|advanc|roll|pour|br(?:oke|eak))(?:e|ed|es|ing|s)?\s+into",
        r"enter(?:s|ed|ing)?", r"entry\s+into", r"storm(?:s|ed|ing)?",
        r"los(?:t|e|es|ing)(?!\s+(?:their|his|her|its|my|our)\b)",
    ), False),
    "withdrawal": ((
        r"withdr(?:aw|aws|awn|awing|awal|awals|ew)", r"pull(?:s|ed|ing)?\s+(?:out|back)",
        r"pull-?out", r"draw\s*-?\s*down", r"redeploy(?:s|ed|ing|ment)?",
        r"relocat(?:e|es|ed|ing|ion)", r"evacuat(?:e|es|ed|ing|ion)",
        r"retreat(?:s|ed|ing)?",
    ), False),
    "withdrawal_context": ((
        # "left" only before a place, a base word or "them": "the blast left 14 wounded" is no exit
        r"leav(?:e|es|ing)", r"depart(?:s|ed|ing|ure)?", r"go(?:es|ing)?\s+away",
        r"left(?=\s+(?:(?:the|their|its|his|her)\s+)?(?:(?-i:[A-Z])|(?:(?-i:[a-z])[\w-]*\s+){0,3}"
        r"(?:bases?|camps?|positions?|garrison|country|town|city|village|area|region|"
        r"territory|outposts?|platform)\b|them\b))",
        r"exit(?:s|ed|ing)?", r"move(?:d)?\s+(?:out|forces)", r"vacat(?:e|es|ed|ing)",
        r"clos(?:e|es|ed|ing|ure|ures)", r"fle(?:d|e|es|eing)", r"abandon(?:s|ed|ing)?",
        r"set\s+out\s+from",
    ), True),
    "crossing": ((
        r"border\s+crossings?", r"crossing\s+points?", r"border\s+posts?",
        r"(?:friendship|border)\s+bridges?",
        r"cross(?:ed|es|ing)?\s+(?:the\s+border|into)", r"crossings?",
    ), False),
    "base": ((
        r"air\s*bases?", r"bases?", r"camps?", r"garrisons?", r"outposts?", r"airfields?",
        r"forward\s+operating\s+bases?", r"FOBs?", r"barracks", r"installations?",
        r"headquarters",
    ), False),
    "base_context": ((r"foundations?", r"facilit(?:y|ies)", r"compounds?"), True),
    "attack": ((
        r"attack(?:s|ed|ing|ers?)?", r"assault(?:s|ed|ing)?", r"strikes?", r"struck", r"striking",
        r"raids?", r"raided", r"hit(?:s|ting)?", r"targeted", r"targeting",
        r"bombard(?:ed|ment|ing)?", r"ambush(?:ed|es)?",
        r"fired\s+(?:[\w-]+\s+){0,3}?(?:at|on|into)", r"opened\s+fire",
        r"snipers?", r"shot\s+dead", r"gunned\s+down", r"gunfire", r"shootings?",
        r"pound(?:s|ed|ing)", r"massacres?", r"launches", r"bombed", r"shot\s+down",
        r"downed",
    ), False),
}
#: The concepts find_triggers reports.
CONCEPTS: tuple[str, ...] = (
    "base", "rocket", "missile", "drone", "air_strike", "aircraft", "shelling", "bombing",
    "clash", "attack", "withdrawal", "handover", "capture", "capture_after", "capture_before",
    "crossing",
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
    taken = Spans()
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


#: Attack concepts, most specific first: the first one found in a sentence names its type.
ATTACK_CONCEPTS: tuple[tuple[str, str], ...] = (
    ("drone", "drone_strike"),
    ("missile", "missile_attack"),
    ("rocket", "rocket_attack"),
    ("air_strike", "air_strike"),
    ("aircraft", "air_strike"),  # with a verb of hitting: "aircraft struck" (hit_verb)
    ("shelling", "shelling"),
    ("bombing", "bombing"),
    ("clash", "armed_clash"),
    ("attack", "other_attack"),
)
