"""Datelines: a line near the top that is only a date or a byline with one, and a wire
service's dateline opening a paragraph ("BAGHDAD (Reuters) - ")."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from geo.text.date_base import MONTH, WEEKDAY
from geo.text.dates import parse_dateline

#: How many leading lines may hold a dateline (after a headline, section label, byline...).
DATELINE_SEARCH_LINES = 6

#: What separates the parts of a byline: "By Jane Doe | October 3, 2023".
_BYLINE_PARTS = re.compile(r"\s+[|·•]\s+")
_UPDATED = re.compile(r"(?i)\b(?:updated|modified|edited)\b")


def _byline_date(line: str) -> date | None:
    """The date of a line that is one ("Monday, 28 September, 2020"), or of the one part of a
    byline that is ("By Jane Doe | October 3, 2023", "3 October 2023 · 4 min read"); of two,
    the one not marked as an update ("October 3, 2023 | Updated October 4, 2023")."""
    parts = _BYLINE_PARTS.split(line)
    dated = [(d, p) for p in parts if (d := parse_dateline(p)) is not None]
    if len(dated) > 1:
        dated = [(d, p) for d, p in dated if not _UPDATED.search(p)]
    return dated[0][0] if len(dated) == 1 else None


def find_dateline(lines: list[str]) -> tuple[date | None, int | None]:
    """A line near the top that is only a date ("Monday, 28 September, 2020"), or a byline
    with such a part (:func:`_byline_date`)."""
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        d = parse_dateline(line) if len(line) > 120 else _byline_date(line)
        if d is not None:
            return d, i
        seen += 1
        if seen >= DATELINE_SEARCH_LINES:
            break
    return None, None


@dataclass(frozen=True)
class WireDateline:
    """A wire service's dateline at the head of a paragraph: "BAGHDAD (Reuters) - ",
    "KYIV, March 14, 2024 — ", "Beirut, Lebanon (AFP) -- "."""

    place: str  # as written: "BAGHDAD"
    date: date | None  # a whole date only ("Jan 5 (Reuters)" has no year: None)
    start: int  # where the dateline starts
    end: int  # where the report's own words start, after the dash


#: The head of a paragraph up to its first dash: a long one, or a hyphen after a space or an
#: agency ("BAGHDAD—", "BAGHDAD (Reuters) - ").
_WIRE_HEAD = re.compile(r"([^\n]{2,100}?)(?:\s*[—–]\s*|(?:\s+|(?<=\)))-{1,2}\s+)(?=\S)")
_AGENCY = re.compile(r"\s*\(([A-Z][\w .&/'’-]{0,30})\)$")
#: Words of a place in a dateline: capitalised, or an inner particle ("Deir ez-Zor", "Bay of").
_DATELINE_WORD = re.compile(r"(?:[A-Z][\w'’.]*|[a-z]{1,3}-[A-Z][\w'’.]*)(?:-[\w'’.]+)*|al|el|of")
_YEARLESS_DATE = re.compile(rf"(?:{WEEKDAY},?\s+)?(?:{MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{MONTH})")
#: Labels in capitals that head a story or a caption but name no place ("EXCLUSIVE - ...",
#: "FILE - Iraqi soldiers sit...").
_STORY_LABELS = frozenset({
    "ALERT", "ANALYSIS", "BREAKING", "BRIEF", "COMMENT", "CORRECTED", "EDITORIAL", "EXCLUSIVE",
    "EXPLAINER", "FACTBOX", "FEATURE", "FILE", "FILE PHOTO", "FLASH", "INSIGHT", "INTERVIEW",
    "LIVE", "NEWS", "OPINION", "PHOTO", "PHOTOS", "REFILE", "SPECIAL REPORT", "UPDATE",
    "UPDATED", "URGENT", "VIDEO", "WATCH", "WRAPUP",
})


def wire_dateline(paragraph: str) -> WireDateline | None:
    """The dateline opening ``paragraph``, if it has one.

    The place is in capitals ("BAGHDAD", "RAS AL-AIN"), or capitalised and followed by a date
    or an agency in brackets; then may come regions or a country ("Lebanon") and a date, each
    after a comma; then the dash, and the report in ordinary case. A headline in capitals
    ("ROCKETS HIT TAJI - OFFICIALS") is not a dateline.
    """
    m = _WIRE_HEAD.match(paragraph)
    if m is None or not re.search(r"[a-z]", paragraph[m.end():m.end() + 60]):
        return None
    head = m[1].strip()
    agency = _AGENCY.search(head)
    if agency:
        head = head[:agency.start()]
    place, _, rest = (part.strip() for part in head.partition(","))
    words = place.split()
    if not 1 <= len(words) <= 4 or place in _STORY_LABELS \
            or not all(_DATELINE_WORD.fullmatch(w) for w in words):
        return None
    parts = [p.strip() for p in rest.split(",")] if rest else []
    dated = next((k for k, p in enumerate(parts)
                  if re.search(r"\d", p) or re.match(rf"{MONTH}|{WEEKDAY}", p)), len(parts))
    regions, when = parts[:dated], ", ".join(parts[dated:])
    if not all(1 <= len(r.split()) <= 3 and all(_DATELINE_WORD.fullmatch(w) for w in r.split())
               for r in regions):
        return None
    day = parse_dateline(when) if when else None
    if when and day is None and not _YEARLESS_DATE.fullmatch(when):
        return None
    if not (place.isupper() or agency or when):
        return None  # "Gaza - a year on": a capitalised word and a dash is not enough
    return WireDateline(place=place, date=day, start=0, end=m.end())


def find_wire_dateline(body: str) -> WireDateline | None:
    """A wire dateline opening one of the first paragraphs of a clean body, with its offsets
    into the body."""
    offset = 0
    for paragraph in body.split("\n")[:DATELINE_SEARCH_LINES * 2]:
        found = wire_dateline(paragraph) if paragraph else None
        if found is not None:
            return replace(found, start=offset, end=offset + found.end)
        offset += len(paragraph) + 1
    return None

