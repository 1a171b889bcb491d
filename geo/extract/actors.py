"""Armed actors named in a text, by canonical name, and whether each is the target."""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from geo.config import DATA_DIR
from geo.extract.spans import Spans
from geo.text.search import LeadIndex, Leads, finditer_at_lead_starts, pattern_leads, search_lower


@dataclass(frozen=True)
class Actor:
    """An armed actor named in a text: canonical name, span, and "target" when it is attacked."""

    name: str
    start: int
    end: int
    text: str
    role: str = ""  # "", "target" (the side hit) or "claimant" (says it did it)


_NATIONAL_FORCE = (
    r"(?:\s+and\s+\w+)?\s+(?:Armed\s+Forces|Air\s+Forces?|Army|army|military|forces|Forces|"
    r"troops|soldiers?|service\s*members?|servicemen|personnel|warplanes|jets|navy|Navy|"
    r"marines|Marines|special\s+forces|medics?)\b"
)
#: Patterns that are not literal names (spun-text variants, optional words, lookaheads), by
#: canonical name; tried before the table's literal aliases and demonyms. Every name here
#: is a row of :data:`TABLE`, which gives the actor's sources.
_PATTERNS: dict[str, tuple[str, ...]] = {
    "Kataib Hezbollah": (r"Kata['’]?ib\s+Hez?b[ou]llah", r"Kata['’]?ib\s+Hizb(?:u|a)llah"),
    "Asaib Ahl al-Haq": (r"Asa['’]?ib\s+Ahl\s+al-Haq",),
    "al-Nujaba": (r"(?:Harakat\s+)?[Aa]l-Nujaba",),
    "PMF": (
        r"(?:Popular|Preferred|Well-known|Common)\s+Mobili[sz]ation\s+(?:Forces|Units|Front)",
        r"(?:al-)?Hashd(?:\s+al-Sha['’]?a?bi)?",
    ),
    "IRGC": (
        r"(?i:Islamic\s+Revolution(?:ary)?\s+Guards?\s+Corps)",
        r"(?i:Revolution(?:ary)?\s+Guards?(?:\s+Corps)?)",
    ),
    "IS": (  # not the start of a province's name ("Islamic State Sahel Province")
        r"(?:the\s+)?Islamic\s+(?:State|Condition)(?!\s*[–-]?\s*(?:Sahel|West\s+Africa|"
        r"Khorasan|in\s+the\s+Greater))(?:\s+(?:of\s+Iraq\s+and\s+(?:Syria|the\s+"
        r"Levant)|group|militant\s+group))?", r"Da['’]esh",
    ),
    "Coalition": (
        r"Combined\s+Joint\s+Task\s+Force\s+[–-]\s+Operation\s+Inherent\s+Resolve",
        r"[Cc]oalition",
    ),
    "US forces": (
        r"U\.S\.(?:-led)?", r"US(?:-led|-backed)?", r"United\s+States(?:\s+Forces)?",
        r"Americans?", r"Us\s+citizens", r"(?i:People\s+in\s+america)",
        r"(?:US\s+)?Central\s+Command",
    ),
    "Iraqi forces": (
        r"Iraqi\s+(?:[Ss]ecurity|[Ss]afety|[Pp]rotection|[Aa]rmed)\s+[Ff]orces",
        r"Iraqi" + _NATIONAL_FORCE.replace(r"(?:\s+and\s+\w+)?", ""),
        r"(?:Iraqi\s+)?Joint\s+Operations?\s+Command", r"Iraq['’]s\s+(?:military|army)",
    ),
    "SNA": (r"Turkish-backed\s+(?:opposition|rebels)",),
    "Syrian forces": (r"Syrian\s+(?:government|regime)\s+forces",),
    "UK forces": (
        r"UK\s+forces", r"Royal\s+(?:Army\s+Medical\s+Corps|Air\s+Force|Navy|Marines)",
    ),
    "Israel (IDF)": (r"Israel\s+Defen[cs]e\s+Forces", r"Israel"),
    "Hezbollah": (r"Hez?b[ou]llah", r"Hizb(?:u|a)llah"),
    "Houthis": (r"Houthis?", r"Ansar\s*Allah"),
    "Iran": (r"Iran(?![-\w])", r"Iran['’]s", r"Iranian(?!-backed)(?=\s+(?:government|regime))"),
}
#: The table of armed actors: one row per actor (see its SOURCES.md).
TABLE = DATA_DIR / "actors" / "actors.csv"
_COLUMNS = ("name", "aliases", "demonyms", "countries", "kind", "source")
KINDS = ("state force", "non-state group", "coalition")


@dataclass(frozen=True)
class ActorRow:
    """One row of :data:`TABLE`: an armed actor, the names it goes by and where it fights."""

    name: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]  # "Sudanese": "Sudanese troops", "Sudanese army", ...
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2
    kind: str  # one of KINDS
    sources: tuple[str, ...]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


@functools.cache
def load_table(path: Path = TABLE) -> tuple[ActorRow, ...]:
    """The rows of the actors table (read once per process and path)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise ValueError(f"{path}: columns must be {','.join(_COLUMNS)}")
        rows = tuple(ActorRow(r["name"].strip(), _split(r["aliases"]), _split(r["demonyms"]),
                              _split(r["countries"]), r["kind"].strip(), _split(r["source"]))
                     for r in reader)
    for i, row in enumerate(rows, 2):
        if not row.name or row.kind not in KINDS or not row.sources:
            raise ValueError(f"{path}:{i}: a row needs a name, a kind of {KINDS} and a source")
    return rows


def alias_pattern(alias: str) -> str:
    """The pattern of a literal name: spaces match any white space, an apostrophe either
    apostrophe; a name of several words with a small letter ("Arakan Army", "al-Shabaab")
    ignores case, an abbreviation or a single word ("RSF", "M23", "Hamas") does not."""
    words = [re.escape(w).replace("'", "['’]") for w in alias.split()]
    pattern = r"\s+".join(words)
    several = len(words) > 1 or "-" in alias
    return f"(?i:{pattern})" if several and alias != alias.upper() else pattern


#: after a demonym: "Sudanese troops", "Ethiopian federal troops", "Malian government forces"
_DEMONYM_FORCE = r"(?=(?:\s+(?:government|federal|regime))?" + _NATIONAL_FORCE + ")"


def _actor_patterns(rows: tuple[ActorRow, ...]) -> dict[str, tuple[str, ...]]:
    """Canonical name -> its patterns: the special ones, then the table's literal aliases,
    longest first (at a position, the first alternative that matches wins), then "<demonym>
    troops" (the demonym alone is the span, as in "Turkish and Russian troops")."""
    out: dict[str, tuple[str, ...]] = {}
    for row in rows:
        special = _PATTERNS.get(row.name, ())
        aliases = sorted(row.aliases, key=lambda a: (-len(a), a))
        # an alias a special pattern would cut short ("United States| Armed Forces") goes first
        cut = [a for a in aliases if any((m := re.match(p, a)) and m.end() < len(a)
                                         for p in special)]
        out[row.name] = (*map(alias_pattern, cut), *special,
                         *(alias_pattern(a) for a in aliases if a not in cut),
                         *(re.escape(d) + _DEMONYM_FORCE for d in row.demonyms))
    return out


#: canonical name -> patterns (case-sensitive: "US" is not "us", "IS" is not "is").
ACTORS: Mapping[str, tuple[str, ...]] = MappingProxyType(_actor_patterns(load_table()))
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
#: Who says it did it: "claimed by X", "X claimed responsibility", "X said it had attacked".
_CLAIM_BEFORE = re.compile(r"(?i)\bclaimed\s+by\s+(?:the\s+)?$")
_CLAIM_AFTER = re.compile(r"(?i)\s+(?:(?:later\s+)?claimed|has\s+claimed|have\s+claimed|"
                          r"took|has\s+taken|have\s+taken)\s+(?:the\s+)?responsibility\b"
                          r"|\s+said\s+(?:it|they)\s+(?:had\s+)?(?:carried\s+out|launched|"
                          r"targeted|attacked|struck)\b")
_BLAME_CUE = re.compile(r"(?i)\b(?:blamed|blame|pinned|claimed|carried\s+out)\s+(?:on|by)\s+$")


def _present(mask: int) -> Iterator[tuple[int, tuple[str, re.Pattern[str], Leads | None]]]:
    """Each pattern whose bit is set in ``mask`` (as LeadIndex numbers them), with its bit."""
    while mask:
        bit = mask & -mask
        mask ^= bit
        yield bit, _ACTOR_RES[bit.bit_length() - 1]


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
         # a text names a few of the table's actors at most, each only where its leads are:
         # only the patterns whose bit is set are visited
         for bit, (name, regex, leads) in _present(present)
         for m in (regex.finditer(text) if leads is None
                   else finditer_at_lead_starts(regex, text, low, starts[bit]))),
        key=lambda t: (t[0], t[1]),
    )
    for start, _, name, m in matches:
        if not taken.add(start, m.end()):
            continue
        before = text[max(0, start - 40):start]
        is_target = _TARGET_CUE.search(before) and not _BLAME_CUE.search(before)
        claims = _CLAIM_BEFORE.search(before) or _CLAIM_AFTER.match(text, m.end())
        role = "target" if is_target else "claimant" if claims else ""
        found.append(Actor(name, start, m.end(), m[0], role))
    return found
