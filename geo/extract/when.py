"""Dates for events: the date expression nearest an event word, days listed with "and", a
flattened infobox's period for its bullets, and the dates a photo caption holds (ignored)."""

from __future__ import annotations

import re
from dataclasses import replace

from geo.text import dates as dates_mod

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


def in_bullet(text: str, offset: int, span: tuple[int, int]) -> bool:
    """``offset`` starts a bullet line ("• ...") inside ``span``."""
    return span[0] <= offset < span[1] and text[offset:offset + 1] == "•"


def nearest_date(refs: list[dates_mod.DateRef], at: int, used: set[int],
                  many: bool) -> dates_mod.DateRef | None:
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


def listed_days(refs: list[dates_mod.DateRef], text: str,
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
