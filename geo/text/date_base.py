"""What every date rule shares: the vocabularies (month and weekday names, the patterns of a
day, a month, a year), :class:`DateRef` (what a rule finds), the arithmetic of calendar ranges,
and :class:`PatternScan` (each pattern tried only where its first words or a number start).

The rules are in :mod:`geo.text.date_absolute` (dates written out: days, months, years,
ranges) and :mod:`geo.text.date_relative` (days and periods told relative to the publication
date, or to the event before); :mod:`geo.text.dates` runs them in order (``find_dates``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from geo.text.search import (
    LeadIndex,
    Leads,
    finditer_at,
    finditer_at_lead_starts,
    pattern_leads,
    search_lower,
)

# --- vocabularies -------------------------------------------------------------------------------

MONTHS: dict[str, int] = {
    name.lower(): i for i, name in enumerate(calendar.month_name) if name
}
MONTHS.update({
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
})
WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH_FULL = "|".join(calendar.month_name[1:])
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
#: A month name, capitalised (lower-case "march" / "may" are verbs) or in capitals.
MONTH = rf"(?:{_MONTH_FULL}|{_MONTH_FULL.upper()}|{_MONTH_ABBR})"
_WEEKDAY = "|".join(calendar.day_name)
WEEKDAY = rf"(?:{_WEEKDAY})"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
#: Where a day number may start: not inside a number ("2,000", "1.5", "107") but after glued
#: labels of flattened infoboxes ("Date27 December 2019").
DAY_START = r"(?<![\d.,:/-])"
YEAR = r"(?:1[89]\d\d|20\d\d)"
DASH = r"\s*(?:-|–|—|to|until|till|through)\s*"
#: Words that introduce a bare month or year ("in March", "since 2015").
LEAD = (
    r"(?:in|In|since|Since|until|Until|till|by|By|during|During|throughout|Throughout|of|"
    r"between|Between|"
    r"from|From|before|Before|after|After|around|Around|early|Early|late|Late|mid|Mid|"
    r"mid-|Mid-|end of|beginning of|start of|the end of|the start of|in early|in late|"
    r"in mid|in mid-|the first half of|the second half of|spring|summer|autumn|fall|winter|"
    r"as of|As of)"
)
LAST = r"(?:(?:very\s+)?(?:last|final|previous))"
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
WEEK = r"(?:week|7\s+days|seven\s+days)"
YEAR_WORD = r"(?:year|yr)"


@dataclass(frozen=True)
class DateRef:
    """A date expression found in a text, with the range of days it can mean."""

    start: int  # character offsets in the text given to find_dates
    end: int
    text: str
    date: str  # "YYYY-MM-DD", "YYYY-MM" or "YYYY": as precise as the expression allows
    first: date
    last: date
    precision: int  # 1 a day, 2 a week or a range of days, 3 a month or a year
    rule: str  # how it was resolved ("absolute", "year-inferred", "relative", "future", ...)
    #: a range's two ends as written ("from November 2012 until July 2013": the months), for
    #: events dated by the start (a battle) or by the end (a change of control)
    head: DateRef | None = None
    tail: DateRef | None = None




def month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def day_number(word: str) -> int:
    return int(re.sub(r"\D", "", word))


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def iso_label(first: date, last: date) -> str:
    """The most specific ISO prefix true of every day in the range (never a guessed day)."""
    if first == last:
        return first.isoformat()
    if (first.year, first.month) == (last.year, last.month):
        return first.isoformat()[:7]
    return str(first.year)


def precision_of(first: date, last: date) -> int:
    days = (last - first).days
    if days == 0:
        return 1
    return 2 if days <= 14 else 3


def make_ref(m: re.Match[str], first: date, last: date, rule: str,
             precision: int | None = None, group: int = 0) -> DateRef:
    return DateRef(
        start=m.start(group), end=m.end(group), text=m.group(group),
        date=iso_label(first, last), first=first, last=last,
        precision=precision_of(first, last) if precision is None else precision, rule=rule,
    )


def infer_year(month: int, day: int, published: date) -> date | None:
    """The most recent (month, day) not after publication: "28 December" in March 2020 is 2019."""
    for year in (published.year, published.year - 1):
        d = safe_date(year, month, day)
        if d is not None and d <= published:
            return d
    return safe_date(published.year - 1, month, day)


def infer_month_year(month: int, published: date) -> int:
    return published.year if month <= published.month else published.year - 1


def add_months(d: date, n: int) -> tuple[int, int]:
    """(year, month) ``n`` months after the month of ``d``."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return y, m + 1


def week_of(d: date) -> tuple[date, date]:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def count_word(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]

#: A rule: every DateRef of one pattern in a text, given the publication date (or None).
Rule = Callable[[str, "date | None"], Iterator[DateRef]]


_MONTH_WORD = re.compile(MONTH)


def has_month(text: str) -> bool:
    """A quick test (a scan for a month name, no context) that month rules can match at all."""
    return _MONTH_WORD.search(text) is not None


def has_all(low: str, *needed: tuple[str, ...]) -> bool:
    """Whether lower-cased ``low`` holds, for each tuple, one of its words: a pattern that
    needs these words is not run over a text without them (most texts lack most words)."""
    return all(any(word in low for word in words) for words in needed)


_NUMBER = re.compile(r"\d+")
_WEEKDAY_LEADS = Leads(frozenset(calendar.day_name), frozenset())


@lru_cache(maxsize=1)
def _digit_starts(text: str) -> tuple[int, ...]:
    """Where a number or a weekday name starts in ``text``, sorted: found once per text for
    the digit-led patterns of every :class:`PatternScan`."""
    starts = _WEEKDAY_LEADS.starts(text, text)
    starts.update(m.start() for m in _NUMBER.finditer(text))
    return tuple(sorted(starts))


class PatternScan:
    """``finditer`` for a module's patterns, each tried only where it can start: a pattern
    that starts with known words (month and weekday names, "last", "this": a few places in
    an article) only where they occur, found for all of ``patterns`` in one automaton pass
    per text; one of ``digit_led`` (every match starts with a number's first digit, after
    no other digit, see DAY_START, or a weekday name) only where a number or a weekday
    starts."""

    def __init__(self, patterns: Iterable[re.Pattern[str]],
                 digit_led: Iterable[re.Pattern[str]] = ()) -> None:
        #: leads of the patterns that have them
        self.leads: dict[re.Pattern[str], Leads] = {
            regex: leads for regex in patterns
            if (leads := pattern_leads(regex.pattern, regex.flags)) is not None
        }
        self.digit_led = frozenset(digit_led)
        self._index = LeadIndex(list(self.leads.values()))
        self._bits = dict(zip(self.leads, self._index.bits, strict=True))
        # search_lower of the last text, and where each pattern's leads start in it
        self._lead_starts = lru_cache(maxsize=1)(self._find_lead_starts)

    def _find_lead_starts(self, text: str) -> tuple[str, dict[int, set[int]]]:
        low = search_lower(text)
        return low, self._index.find(text, low)[1]

    def matches(self, regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
        """What ``regex.finditer(text)`` gives."""
        if regex in self.digit_led:
            return finditer_at(regex, text, _digit_starts(text))
        bit = self._bits.get(regex)
        if bit is None:
            return regex.finditer(text)
        low, starts = self._lead_starts(text)
        return finditer_at_lead_starts(regex, text, low, starts.get(bit, ()))
