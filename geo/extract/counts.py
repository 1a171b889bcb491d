"""Numbers in digits or words, and the killed and wounded counts a sentence states."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from geo.text.search import pattern_leads, search_lower

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


# --- casualties ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Casualties:
    """Killed and wounded counts stated in a sentence (``None``: not stated or vague)."""

    killed: int | None = None
    wounded: int | None = None
    #: (start, end, "killed" | "wounded") of each statement read.
    spans: tuple[tuple[int, int, str], ...] = field(default_factory=tuple)
    #: each statement's count (None when vague), in the order of ``spans``
    counts: tuple[int | None, ...] = field(default_factory=tuple, compare=False)


KILL_WORDS = (r"(?:killed|killing|kills|kill|dead|died|die|dies|deaths?|lives\s+lost|slain|lost|"
              r"martyred|martyrs)")
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
    stated: dict[tuple[int, int, str], int | None] = {}
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
            stated[(start, end, kind)] = count
            results[kind].append(count)
    ordered = tuple(sorted(spans))
    return Casualties(
        killed=_combine(results["killed"]), wounded=_combine(results["wounded"]),
        spans=ordered, counts=tuple(stated[s] for s in ordered),
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
