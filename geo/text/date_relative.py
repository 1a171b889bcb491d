"""Days and periods told relative to the publication date ("yesterday", "last week", "two
days ago", "on Tuesday", "in the coming weeks", "in March", "November last year"), and days
told relative to the event before ("the following day", "three days later":
:func:`find_relative_days`). Without a publication date the former are skipped, never
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from geo.text.date_base import (
    LAST,
    LEAD,
    MONTH,
    WEEK,
    WEEKDAY,
    WEEKDAYS,
    YEAR_WORD,
    DateRef,
    PatternScan,
    add_months,
    count_word,
    has_all,
    has_month,
    infer_month_year,
    make_ref,
    month_number,
    month_range,
    week_of,
)
from geo.text.search import search_lower

_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


_MONTH_REL_YEAR = re.compile(rf"\b({MONTH})\s+(?:of\s+)?(last|this|next)\s+(?:year|yr)\b")


def rule_month_relative_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"November last year", "in March this year", "June next year"."""
    if published is None or not has_month(text):
        return
    for m in _matches(_MONTH_REL_YEAR, text):
        shift = {"last": -1, "this": 0, "next": 1}[m[2]]
        first, last = month_range(published.year + shift, month_number(m[1]))
        yield make_ref(m, first, last,
                       "future" if shift > 0 or first > published else "relative", precision=3)


_LEAD_MONTH = re.compile(
    rf"\b(?:{LEAD}|next|Next|this|This|last|Last)\s*({MONTH})\b(?!\s*\d)")


def rule_lead_month(text: str, published: date | None) -> Iterator[DateRef]:
    """"in March", "since October", "early May": a month without a year, led by a preposition."""
    if published is None or not has_month(text):
        return
    for m in _matches(_LEAD_MONTH, text):
        month = month_number(m[1])
        lead = m[0][: m.start(1) - m.start()].strip().lower()
        if lead == "next":
            year = published.year if month > published.month else published.year + 1
            rule = "future"
        elif lead == "this":
            year, rule = published.year, "year-inferred"
        else:
            year, rule = infer_month_year(month, published), "year-inferred"
        first, last = month_range(year, month)
        yield make_ref(m, first, last, rule, precision=3, group=1)


#: (a word the pattern needs, pattern, days before publication), in order of priority.
_RELATIVE_DAYS: tuple[tuple[str, re.Pattern[str], int], ...] = tuple(
    (needed, re.compile(rf"\b(?i:{word})\b"), days) for needed, word, days in (
        ("yesterday", r"the\s+day\s+before\s+yesterday", 2), ("yesterday", r"yesterday", 1),
        ("today", r"today", 0), ("morning", r"this\s+morning", 0),
        ("afternoon", r"this\s+afternoon", 0), ("evening", r"this\s+evening", 0),
        ("night", rf"{LAST}\s+night", 1),
    )
)
_OVERNIGHT = re.compile(r"\b(?i:overnight)\b")
_AGO = re.compile(rf"\b(?i:({_NUM})\s+(day|week|month|year|yr)s?\s+ago)\b")


def rule_relative_day(text: str, published: date | None) -> Iterator[DateRef]:
    """"today", "yesterday", "last night", "overnight", "two days ago", "the day before
    yesterday"."""
    if published is None:
        return
    low = search_lower(text)
    for needed, regex, days in _RELATIVE_DAYS:
        if needed in low:
            for m in _matches(regex, text):
                d = published - timedelta(days=days)
                yield make_ref(m, d, d, "relative")
    if "overnight" in low:
        for m in _matches(_OVERNIGHT, text):  # the night before: two dates
            yield make_ref(m, published - timedelta(days=1), published, "relative")
    if "ago" in low:
        for m in _matches(_AGO, text):
            yield from _ago(m, published)


def _ago(m: re.Match[str], published: date) -> Iterator[DateRef]:
    n, unit = count_word(m[1]), m[2].lower()
    if unit == "day":
        d = published - timedelta(days=n)
        yield make_ref(m, d, d, "relative")
    elif unit == "week":
        first, last = week_of(published - timedelta(weeks=n))
        yield make_ref(m, first, last, "relative", precision=2)
    elif unit == "month":
        first, last = month_range(*add_months(published, -n))
        yield make_ref(m, first, last, "relative", precision=3)
    else:
        y = published.year - n
        yield make_ref(m, date(y, 1, 1), date(y, 12, 31), "relative", precision=3)


_LAST_WORDS = ("last", "final", "previous")
_WEEK_WORDS = ("week", "days")
_YEAR_WORDS = ("year", "yr")
#: The patterns of rule_relative_period, in order of priority, each with the words it needs.
_PERIODS: tuple[tuple[tuple[tuple[str, ...], ...], re.Pattern[str]], ...] = tuple(
    (needed, re.compile(rf"\b(?i:{word})\b")) for needed, word in (
        ((("this",),), rf"(?:earlier|previously|before|prior)\s+this\s+{YEAR_WORD}"),
        ((("later",), ("this",)), rf"(?:later|later\s+in)\s+this\s+{YEAR_WORD}"),
        ((("the",), ("past", "last"), _WEEK_WORDS), rf"the\s+(?:past|last)\s+{WEEK}"),
        ((_LAST_WORDS, _WEEK_WORDS), rf"{LAST}\s+{WEEK}"),
        ((("this",), _WEEK_WORDS), rf"this\s+{WEEK}"),
        ((("this",), ("month",)), r"(?:earlier\s+this|this)\s+month"),
        ((_LAST_WORDS, ("month",)), rf"{LAST}\s+month"),
        ((("this",), _YEAR_WORDS), rf"(?:this)\s+{YEAR_WORD}"),
        ((_LAST_WORDS, _YEAR_WORDS), rf"{LAST}\s+{YEAR_WORD}"),
        ((("next",), _WEEK_WORDS), rf"next\s+{WEEK}"),
        ((("next",), ("month",)), r"next\s+month"),
        ((("next",), _YEAR_WORDS), rf"next\s+{YEAR_WORD}"),
    )
)


def rule_relative_period(text: str, published: date | None) -> Iterator[DateRef]:
    """"last week", "this week", "last month", "last year", "earlier this year"."""
    if published is None:
        return
    week_first, _ = week_of(published)
    month_first = published.replace(day=1)
    prev_month_last = month_first - timedelta(days=1)
    periods: list[tuple[date, date, int, str]] = [
        (date(published.year, 1, 1), published, 3, "relative"),
        (published, date(published.year, 12, 31), 3, "future"),
        (published - timedelta(days=7), published, 2, "relative"),
        (week_first - timedelta(days=7), week_first - timedelta(days=1), 2, "relative"),
        (week_first, week_first + timedelta(days=6), 2, "relative"),
        (month_first, published, 3, "relative"),
        (prev_month_last.replace(day=1), prev_month_last, 3, "relative"),
        (date(published.year, 1, 1), date(published.year, 12, 31), 3, "relative"),
        (date(published.year - 1, 1, 1), date(published.year - 1, 12, 31), 3, "relative"),
        (week_first + timedelta(days=7), week_first + timedelta(days=13), 2, "future"),
        (*month_range(*add_months(published, 1)), 3, "future"),
        (date(published.year + 1, 1, 1), date(published.year + 1, 12, 31), 3, "future"),
    ]
    low = search_lower(text)
    for (needed, regex), (first, last, precision, rule) in zip(_PERIODS, periods, strict=True):
        if has_all(low, *needed):
            for m in _matches(regex, text):
                yield make_ref(m, first, last, rule, precision=precision)


_VAGUE_SPAN = re.compile(
    r"\b(?i:(?:in\s+|over\s+|during\s+)?the\s+(coming|next|following|past|last|recent)\s+"
    r"(?:few\s+|several\s+)?(days|weeks|months)|in\s+(recent|latest)\s+(days|weeks|months))\b")


def rule_vague_span(text: str, published: date | None) -> Iterator[DateRef]:
    """"in the coming weeks" (future), "in recent months" (the months before publication)."""
    if published is None:
        return
    units = {"days": (7, 2), "weeks": (42, 2), "months": (183, 3)}
    if not has_all(search_lower(text), ("days", "weeks", "months")):
        return
    for m in _matches(_VAGUE_SPAN, text):
        when = (m[1] or m[3]).lower()
        days, precision = units[(m[2] or m[4]).lower()]
        if when in {"coming", "next", "following"}:
            first, last, rule = published + timedelta(days=1), published + timedelta(days=days), \
                "future"
        else:
            first, last, rule = published - timedelta(days=days), published, "relative"
        yield make_ref(m, first, last, rule, precision=precision)


_WEEKDAY_WORD = re.compile(WEEKDAY)
_WEEKDAY_RE = re.compile(rf"\b(?:(next|this\s+coming|coming)\s+)?({WEEKDAY})s?\b")


def rule_weekday(text: str, published: date | None) -> Iterator[DateRef]:
    """"on Tuesday", "late Tuesday": the latest such day on or before publication."""
    if published is None:
        return
    if _WEEKDAY_WORD.search(text) is None:
        return
    for m in _matches(_WEEKDAY_RE, text):
        target = WEEKDAYS[m[2].lower()]
        if m[1]:
            d = published + timedelta(days=(target - published.weekday() - 1) % 7 + 1)
            yield make_ref(m, d, d, "future")
        else:
            d = published - timedelta(days=(published.weekday() - target) % 7)
            yield make_ref(m, d, d, "weekday", group=2)



_SCAN = PatternScan(
    (_LEAD_MONTH, _MONTH_REL_YEAR, *(r for _, r, _ in _RELATIVE_DAYS), _OVERNIGHT, _AGO,
     *(r for _, r in _PERIODS), _VAGUE_SPAN, _WEEKDAY_RE))
_matches = _SCAN.matches


# --- days told relative to the event before ------------------------------------------------------

@dataclass(frozen=True)
class RelativeDay:
    """A day told relative to the event before it ("the following day", "the same day",
    "hours later", "three days later", "a week earlier"): ``days`` after that event's day."""

    start: int
    end: int
    text: str
    days: int


_N_WORD = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_RELATIVE_DAY_RE = re.compile(
    r"\b(?i:(?P<same>(?:on\s+|later\s+|earlier\s+)?the\s+same\s+day|(?:earlier|later)\s+"
    r"(?:that|the\s+same)\s+(?:day|morning|afternoon|evening|night)|that\s+same\s+day|"
    r"(?:(?:a\s+few|several|some|" + _N_WORD + r"|\d+)\s+)?(?:hours?|minutes?)\s+"
    r"(?:later|earlier|afterwards)|within\s+hours)"
    r"|(?P<next>(?:on\s+)?the\s+(?:following|next)\s+(?:day|morning|afternoon|evening|night)"
    r"|the\s+day\s+after(?!\s+tomorrow)|a\s+day\s+later|one\s+day\s+later|the\s+next\s+day)"
    r"|(?P<prev>(?:on\s+)?the\s+(?:previous|preceding)\s+(?:day|night|evening)|the\s+day\s+"
    r"before(?!\s+yesterday)|the\s+night\s+before|a\s+day\s+(?:earlier|before))"
    r"|(?P<n>" + _N_WORD + r")\s+(?P<unit>days?|weeks?)\s+(?P<dir>later|earlier|afterwards|"
    r"before|after)(?![\w-])"
    r")\b")


#: One of these is in every match of _RELATIVE_DAY_RE: a quick test before it.
_RELATIVE_DAY_WORDS = ("later", "earlier", "following", "next", "previous", "preceding", "same",
                       "before", "after", "within")


def find_relative_days(text: str) -> list[RelativeDay]:
    """Days told relative to the event before ("the following day": +1, "the same day" and
    "hours later": 0, "the previous day": -1, "three days later": +3, "a week earlier": -7).
    The caller knows which event comes before; this only reads the words."""
    low = search_lower(text)
    if not any(w in low for w in _RELATIVE_DAY_WORDS):
        return []
    out = []
    for m in _RELATIVE_DAY_RE.finditer(text):
        if m["same"]:
            days = 0
        elif m["next"]:
            days = 1
        elif m["prev"]:
            days = -1
        else:
            n = count_word(m["n"]) * (7 if m["unit"].lower().startswith("week") else 1)
            days = -n if m["dir"].lower() in ("earlier", "before") else n
        out.append(RelativeDay(m.start(), m.end(), m[0], days))
    return out
