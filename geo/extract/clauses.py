"""Clauses of a sentence and what each event word in them states.

A sentence often tells more than one event: "Hezbollah launched rockets at Kiryat Shmona on
Thursday, in retaliation for the deaths of two paramedics killed earlier that day when Israeli
strikes hit a health centre in Lebanon" is a rocket attack and an air strike, each with its
own place, day and count. :func:`clauses` cuts a sentence at the words that open a clause
("after", "when", "in retaliation for", ", which", ";") and groups each clause that holds event
words with the clauses around it that hold none (their counts and dates belong to it).

:func:`status` says whether an event word states something that happened ("reported"), or a
threat, a plan, a denial (``Event.status``), or nothing at all (a negation, a condition, a
ceasefire "aiming to halt the fighting"): ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.extract.triggers import Trigger

#: Where a clause begins, and the word that opens it ("lead"). Sub-clauses that tell an
#: earlier or a later event (after, before, since, in retaliation for ...) keep their own
#: places and dates; the others ("when", "while", "as", ", which") share the sentence's.
_BREAK = re.compile(
    r"(?:;|\s[—–]\s|:\s)"
    r"|(?:,\s+|\s+)(?P<lead>after|before|while|whereas|when|since|until|following|amid|but|"
    r"and\s+then|in\s+(?:retaliation|response|revenge|reprisal)\s+(?:for|to)|"
    r"(?:only\s+|just\s+)?(?:(?:a|one|two|three|several|a\s+few)\s+)?(?:hours?|days?|weeks?)\s+"
    r"(?:after|before))\s+"
    r"|,\s+(?P<rel>which|where|who|whose)\s+"
    r"|(?P<and>,\s+and\s+)"
    r"|(?P<as>,\s+as\s+|\s+as\s+(?=(?:the\s+|a\s+|an\s+|its\s+|their\s+)?[A-Z]))",
    re.IGNORECASE)
#: A clause that opens on a participle: "(after) handing the base", "(after) being hit".
_PARTICIPLE_OPENING = re.compile(r"(?i)(?:having\s+|being\s+)?[a-z]+ing\b")
#: Leads of clauses that tell another time than the sentence's main clause.
OWN_TIME = frozenset({"after", "before", "since", "until", "following", "in retaliation for",
                      "in response to", "in revenge for", "in reprisal for", "ago"})


@dataclass
class Clause:
    """Spans of a sentence (offsets in it) that tell one event word's clause: the clause of
    the event words and the clauses without any that belong to it."""

    spans: list[tuple[int, int]]
    lead: str  # the word that opens the clause of the event words ("" for the main clause)
    triggers: list[Trigger] = field(default_factory=list)
    #: the clause has no subject of its own ("after handing the base to Iraqi forces"): it
    #: tells the main clause's actors at its place
    participle: bool = False

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]

    def holds(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.spans)

    @property
    def own_time(self) -> bool:
        """The clause tells an earlier or a later event than the sentence's main one, with a
        subject of its own (a participle's clause shares the main clause's place)."""
        return not self.participle and (self.lead in OWN_TIME
                                        or self.lead.endswith((" after", " before")))


def clauses(text: str, triggers: list[Trigger]) -> list[Clause]:
    """The clauses of ``text`` that hold event words, each with the clauses around it that
    hold none: such a clause joins the next clause with event words, else the one before.
    A sentence without a break is one clause."""
    cuts: list[tuple[int, str]] = [(0, "")]
    for m in _BREAK.finditer(text):
        lead = m["lead"] or m["rel"] or ("and" if m["and"] else "as" if m["as"] else "")
        cuts.append((m.end(), " ".join(lead.lower().split())))
    pieces = [(start, cuts[i + 1][0] if i + 1 < len(cuts) else len(text), lead)
              for i, (start, lead) in enumerate(cuts)]
    out: list[Clause] = []
    waiting: list[tuple[int, int]] = []  # clauses without event words, for the next with some
    ti = 0
    ordered = sorted(triggers, key=lambda t: t.start)
    for start, end, lead in pieces:
        own = []
        while ti < len(ordered) and ordered[ti].start < end:
            if ordered[ti].start >= start:
                own.append(ordered[ti])
            ti += 1
        if not own:
            waiting.append((start, end))
            continue
        out.append(Clause([*waiting, (start, end)], lead, own,
                          participle=_PARTICIPLE_OPENING.match(text, start) is not None))
        waiting = []
    if waiting:
        if out:
            out[-1].spans.extend(waiting)
        else:
            out.append(Clause(waiting, "", []))
    return out


# --- what an event word states ----------------------------------------------------------------

#: Before an event word: it is threatened, planned or denied, or not an event at all.
_THREAT_BEFORE = re.compile(r"(?i)\b(?:threat\w*|vow\w*|warn\w*|promis\w*|pledg\w*)\s+(?:that\s+"
                            r"|of\s+)?(?:to\s+)?(?:[\w'’-]+\s+){0,3}$")
_PLAN_BEFORE = re.compile(
    r"(?i)\b(?:plan\w*|intend\w*|prepar\w*|aim\w*|seek\w*|sought|try|tries|tried|trying|"
    r"attempt\w*|bid|drive|campaign|effort|efforts|push|order\w*|scheduled|poised|decid\w*|"
    r"offensive|operation)\s+(?:[\w'’-]+\s+){0,3}?to\s+(?:[\w'’-]+\s+){0,2}$"
    r"|\b(?:due|expected|set|ready|agree\w*|demand\w*|call\w*\s+for|is|are|was|were|will|"
    r"shall|going|about|vot\w*)\s+to\s+(?:[\w'’-]+\s+){0,2}$"
    r"|\b(?:will|shall|'ll)\s+(?:[\w'’-]+\s+){0,2}$")
_DENIED_BEFORE = re.compile(r"(?i)\bden(?:y|ies|ied|ying)\s+(?:that\s+|any\s+|having\s+|it\s+|"
                            r"(?:was|were|had)\s+)?(?:[\w'’-]+\s+){0,2}$")
#: A negation, a condition, a wish, an accusation of each other, a ceasefire: no event.
_NO_EVENT_BEFORE = re.compile(
    r"(?i)\b(?:no|not|never|nor|neither|without|little\s+sign\s+of|no\s+sign\s+of|"
    r"no\s+reports?\s+of|if|unless|(?-i:would|could|might|should|must|may|can|cannot)|"
    r"avoid\w*|prevent\w*|fear\w*|ceasefire|truce|cessation)\s+(?:[\w'’-]+\s+){0,3}$"
    r"|\b(?:halt\w*|(?<!the\s)end(?:s|ed|ing)?|stop\w*|paus\w*|suspend\w*)\s+(?:(?:the|a|an|all|"
    r"almost|nearly|about|some|over|more|than|\d+|\w+teen|one|two|three|four|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|months?|weeks?|days?|years?|of|its|their)\s+){0,5}$"
    r"|\baccus\w*\s+(?:each\s+other|one\s+another|the\s+other)\s+of\s+(?:[\w'’-]+\s+){0,2}$")
#: After an event word: "fighting will go on", "clashes could resume".
_UNREAL_AFTER = re.compile(r"(?i)\s+(?:(?:could\s+be|were|was|are|is|can\s+be)\s+)?(?:heard|"
                           r"sound(?:ed)?|echo(?:ed)?|rang\s+out)\b|\s+(?:will|would|could|might|"
                           r"may|is\s+to|are\s+to|"
                           r"is\s+expected|are\s+expected|is\s+due)\b")
#: "rebels fighting the government", "the AA, which is fighting the junta": a description of
#: who someone is, not a report of fighting.
_PARTICIPLE_BEFORE = re.compile(
    r"(?i)\b(?:rebels?|forces|troops|fighters|militants?|militias?|groups?|army|units|"
    r"personnel|soldiers|coalition|insurgents|which\s+(?:is|are|was|were)|who\s+(?:is|are|"
    r"was|were)|that\s+(?:is|are|was|were))\s+$")
_PARTICIPLE_AFTER = re.compile(r"(?i)\s+(?:the|a|an|against|alongside|for|with|on|under)\b")
_PARTICIPLES = frozenset({"fighting", "battling", "combat"})


#: The words that can start a cue of :func:`status` before an event word (lower case): a
#: window holding none of them is a report, read without a pattern. Whole words, stems, the
#: words that count only before "to" ("is to withdraw"), and those that count only before
#: "fighting" ("rebels fighting the government").
_CUE_WORDS = frozenset({"no", "not", "never", "nor", "neither", "without", "little", "if",
                        "unless", "would", "could", "might", "should", "must", "may", "can",
                        "cannot", "end", "ends", "ended", "ending", "will", "shall", "'ll",
                        "bid", "drive", "push", "effort", "efforts", "operation", "offensive",
                        "try", "tries", "tried", "trying", "sought"})
_CUE_STEMS = ("avoid", "prevent", "fear", "ceasefire", "truce", "cessation", "halt", "stop",
              "paus", "suspend", "accus", "threat", "vow", "warn", "promis", "pledg", "deny",
              "denie", "denied", "denying", "plan", "intend", "prepar", "aim", "seek",
              "attempt", "campaign", "order", "schedul", "poised", "decid")
_BEFORE_TO = frozenset({"due", "expected", "set", "ready", "is", "are", "was", "were", "going",
                        "about"})
_BEFORE_TO_STEMS = ("agree", "demand", "call", "vot")
_BEFORE_PARTICIPLE = frozenset({"rebel", "rebels", "forces", "troops", "fighters", "militant",
                                "militants", "militia", "militias", "group", "groups", "army",
                                "units", "personnel", "soldiers", "coalition", "insurgents",
                                "which", "who", "that"})
_WORD = re.compile(r"[\w'’]+")


def _quiet(before: str, trigger: Trigger) -> bool:
    """No word of the window can start a cue: the event word is a plain report."""
    words = {w.lower() for w in _WORD.findall(before)}
    if words & _CUE_WORDS or any(w.startswith(_CUE_STEMS) for w in words):
        return False
    if "to" in words and (words & _BEFORE_TO
                          or any(w.startswith(_BEFORE_TO_STEMS) for w in words)):
        return False
    return not (trigger.text.lower() in _PARTICIPLES and words & _BEFORE_PARTICIPLE)


def status(text: str, trigger: Trigger) -> str | None:
    """What ``trigger`` (in ``text``) states: "reported", "threatened", "planned", "denied",
    or None when it states no event (a negation, a condition, a ceasefire, a description)."""
    before = text[max(0, trigger.start - 60):trigger.start]
    if _UNREAL_AFTER.match(text, trigger.end):
        return None
    if _quiet(before, trigger):
        return "reported"
    if _NO_EVENT_BEFORE.search(before):
        return None
    if trigger.text.lower() in _PARTICIPLES and _PARTICIPLE_BEFORE.search(before) \
            and _PARTICIPLE_AFTER.match(text, trigger.end):
        return None
    if _THREAT_BEFORE.search(before):
        return "threatened"
    if _DENIED_BEFORE.search(before):
        return "denied"
    if _PLAN_BEFORE.search(before):
        return "planned"
    return "reported"
