"""Armed actors named in a text, by canonical name, and whether each is the target."""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.extract.spans import Spans
from geo.text.search import LeadIndex, Leads, finditer_at_lead_starts, pattern_leads, search_lower


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
    taken = Spans()
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
