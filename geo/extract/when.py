"""Dates for events: the date expression nearest an event word, days listed with "and", a
flattened infobox's period for its bullets, and the dates a photo caption holds (ignored)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from geo.text.date_base import DateRef

#: Photo captions: their dates are when the picture was taken or released.
CAPTION = re.compile(r"(?i)\b(?:this\s+photo|in\s+this\s+(?:photo|image|picture)|"
                      r"photo\s+(?:released|taken|provided)|file\s+-|file\s+photo|AP\s+Photo)\b")
#: A flattened infobox's date field (Wikipedia's, scraped): "Date" starting a line, glued to
#: its value or followed by a colon or the line's end ("DateMain combat phase:", "Date27
#: December 2019", "Date:"). Only near the top of a text, where infoboxes are.
_INFOBOX_DATE = re.compile(r"^Date(?:[A-Z0-9:]|[ \t]*$)", re.MULTILINE)
_INFOBOX_WITHIN = 4000
#: The text after an infobox: a line of prose, long and not a bullet.
_PROSE_LINE = re.compile(r"^(?![ \t]*•).{200,}$", re.MULTILINE)


def infobox_period(text: str, date_refs: list[DateRef]
                   ) -> tuple[DateRef, tuple[int, int]] | None:
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


def in_bullet(text: str, offset: int, span: tuple[int, int]) -> bool:
    """``offset`` starts a bullet line ("• ...") inside ``span``."""
    return span[0] <= offset < span[1] and text[offset:offset + 1] == "•"


def nearest_date(refs: list[DateRef], at: int, used: set[int],
                  many: bool) -> DateRef | None:
    """The date expression closest to the trigger; with ``many`` each trigger gets its own.
    A date that holds a more precise one of the same sentence gives way to it ("The 2019 K-1
    Air Base attack was a rocket attack ... on 27 December 2019": the day)."""
    pool = [d for d in refs if d.rule != "future" or not many]
    if many:
        pool = [d for d in pool if id(d) not in used] or pool
    if not pool:
        return None
    if len(pool) > 1:
        pool = [d for d in pool if not any(o.precision < d.precision and d.first <= o.first
                                           and o.last <= d.last for o in pool)] or pool
    best = min(pool, key=lambda d: (abs(d.start - at) + (0 if d.start >= at else 5), d.precision))
    used.add(id(best))
    return best


def listed_days(refs: list[DateRef], text: str,
                 offset: int) -> list[DateRef]:
    """Days joined by "and": "on 11 March and 14 March 2020" are two events' dates."""
    days = [d for d in refs if d.precision == 1]
    if len(days) < 2:
        return []
    for a, b in zip(days, days[1:], strict=False):
        if not re.fullmatch(r"\s*(?:,|and|,\s*and|&)\s*(?:on\s+)?",
                            text[a.end - offset:b.start - offset]):
            return []
    return days


# --- the dates of lines: headlines, live-blog entries, their headings ----------------------------

#: What follows a date that opens a line of a headline list or a live blog: a dash or a colon
#: ("20 Nov 2022 — Turkey opens ...", "SUN 4 MAY 2025 – A missile ..."), a time
#: ("Sun 10 Dec, 23:45 MMT - ..."), or the line's end (a heading: "Friday, 31 January 2025").
_AFTER_LINE_DATE = re.compile(
    r"[ \t]*(?:,?[ \t]*(?:about[ \t]+)?\d{1,2}[:.]\d{2}(?:[ \t]*[A-Z]{2,4})?[ \t]*)?"
    r"(?:[·•|][ \t]*(?:[A-Za-z]+[ \t]*){1,2})?"
    r"(?:(?P<sep>[-–—:])[ \t]|(?P<end>\([^()\n]{0,60}\))?[ \t]*$)", re.MULTILINE)
#: At most this much may come before the date on its line ("SUN ", "Mid-").
_LINE_DATE_LEAD = 5


@dataclass(frozen=True)
class LineDate:
    """A date that opens a line (``start``..``end`` of the line) and whether it heads the
    lines below it (a heading) or only its own (a headline's or an entry's date)."""

    start: int
    end: int
    ref: DateRef
    heading: bool


def line_dates(text: str, refs: list[DateRef],
               published: date | None = None) -> list[LineDate]:
    """The dates that open lines of ``text``, in text order (``refs``: its dates). A lone
    heading that repeats the publication date (a byline's "March 17, 2020 07:25 AM") heads
    nothing: only a live blog's headings (two or more, or one of another day) do."""
    out: list[LineDate] = []
    for ref in refs:
        line_start = text.rfind("\n", max(0, ref.start - _LINE_DATE_LEAD - 1), ref.start) + 1
        if line_start == 0 and ref.start > _LINE_DATE_LEAD:
            continue
        lead = text[line_start:ref.start]
        if lead.strip(" \t") and not re.fullmatch(r"[A-Za-z]{2,4}\.?\s+|Mid-|mid-|Early\s|Late\s",
                                                  lead):
            continue
        m = _AFTER_LINE_DATE.match(text, ref.end)
        if m is None or ref.rule == "future":
            continue
        line_end = text.find("\n", ref.end)
        out.append(LineDate(line_start, len(text) if line_end < 0 else line_end, ref,
                            heading=m["sep"] is None))
    headings = [ld for ld in out if ld.heading]
    if len(headings) == 1 and headings[0].ref.precision == 1 \
            and headings[0].ref.first == published:
        out.remove(headings[0])
    return out


def local_reference(line: LineDate | None, published: date | None) -> date | None:
    """The day a line's relative dates ("this morning", "on Monday") count from: its own
    (or its heading's) when that is a day, else publication."""
    if line is not None and line.ref.precision == 1:
        return line.ref.first
    return published
