"""Date expressions in article text, resolved against the publication date.

News text says "on Tuesday", "last week" or "28 December" far more often than a full date, so a
date is only meaningful relative to when the article was published. Every expression found is
returned as a :class:`DateRef` with the range of days it can mean (``first``..``last``) and an
honest precision (ACLED's codes: 1 a day, 2 a week or a range of days, 3 a month or a year): a
day is never invented. Without a publication date, relative expressions and day-month dates
without a year are skipped rather than guessed.

Machine-paraphrased ("spun") copies write "this 7 days" for "this week", "final yr" for "last
year" and "previously this year" for "earlier this year"; those variants are part of the
patterns below because they are ordinary synonyms, not special cases.
"""

from __future__ import annotations

import bisect
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
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
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


# --- small helpers ------------------------------------------------------------------------------

def _month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def _day_number(word: str) -> int:
    return int(re.sub(r"\D", "", word))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _iso_label(first: date, last: date) -> str:
    """The most specific ISO prefix true of every day in the range (never a guessed day)."""
    if first == last:
        return first.isoformat()
    if (first.year, first.month) == (last.year, last.month):
        return first.isoformat()[:7]
    return str(first.year)


def _precision(first: date, last: date) -> int:
    days = (last - first).days
    if days == 0:
        return 1
    return 2 if days <= 14 else 3


def _ref(m: re.Match[str], first: date, last: date, rule: str,
         precision: int | None = None, group: int = 0) -> DateRef:
    return DateRef(
        start=m.start(group), end=m.end(group), text=m.group(group),
        date=_iso_label(first, last), first=first, last=last,
        precision=_precision(first, last) if precision is None else precision, rule=rule,
    )


def _infer_year(month: int, day: int, published: date) -> date | None:
    """The most recent (month, day) not after publication: "28 December" in March 2020 is 2019."""
    for year in (published.year, published.year - 1):
        d = _safe_date(year, month, day)
        if d is not None and d <= published:
            return d
    return _safe_date(published.year - 1, month, day)


def _infer_month_year(month: int, published: date) -> int:
    return published.year if month <= published.month else published.year - 1


def _add_months(d: date, n: int) -> tuple[int, int]:
    """(year, month) ``n`` months after the month of ``d``."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return y, m + 1


def _week_of(d: date) -> tuple[date, date]:
    monday = d - timedelta(days=d.weekday())
    return monday, monday + timedelta(days=6)


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


# --- rules --------------------------------------------------------------------------------------
# Each rule yields DateRefs for one pattern. They run in order; a match overlapping an earlier
# one is dropped, so longer, more specific patterns come first.

Rule = Callable[[str, "date | None"], Iterator[DateRef]]


_MONTH_WORD = re.compile(MONTH)
_YEAR_WORD = re.compile(YEAR)


def _has_month(text: str) -> bool:
    """A quick test (a scan for a month name, no context) that month rules can match at all."""
    return _MONTH_WORD.search(text) is not None


def _has_all(low: str, *needed: tuple[str, ...]) -> bool:
    """Whether lower-cased ``low`` holds, for each tuple, one of its words: a pattern that
    needs these words is not run over a text without them (most texts lack most words)."""
    return all(any(word in low for word in words) for words in needed)


_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _rule_iso(text: str, published: date | None) -> Iterator[DateRef]:
    for m in _matches(_ISO, text):
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        if d is not None:
            yield _ref(m, d, d, "absolute")


_OPT_WEEKDAY = rf"(?:{WEEKDAY},?\s+)?"


_DAY_RANGE = re.compile(
    rf"{DAY_START}({DAY})(?:\s*({MONTH}))?{DASH}({DAY})\s*({MONTH}),?\s+({YEAR})\b")
_BETWEEN_DAYS = re.compile(
    rf"\b(?:between|Between)\s+({DAY})(?:\s*({MONTH}))?\s+and\s+({DAY})\s*({MONTH}),?\s+"
    rf"({YEAR})\b")


def _rule_day_range(text: str, published: date | None) -> Iterator[DateRef]:
    """"9–17 October 2019", "18 October – 25 November 2019"."""
    if not _has_month(text):
        return
    for m in (*_matches(_DAY_RANGE, text), *_matches(_BETWEEN_DAYS, text)):
        year, m2 = int(m[5]), _month_number(m[4])
        m1 = _month_number(m[2]) if m[2] else m2
        first = _safe_date(year if m1 <= m2 else year - 1, m1, _day_number(m[1]))
        last = _safe_date(year, m2, _day_number(m[3]))
        if first and last and first <= last:
            yield _ref(m, first, last, "absolute-range")


_DAY_MONTH_YEAR = re.compile(
    rf"(?:\b{_OPT_WEEKDAY}|{DAY_START})({DAY})\s*(?:of\s+)?({MONTH}),?\s+({YEAR})\b")


def _rule_day_month_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"3 January 2020", "Monday, 28 September, 2020", "28 Sep 2020"."""
    if not _has_month(text):
        return
    for m in _matches(_DAY_MONTH_YEAR, text):
        d = _safe_date(int(m[3]), _month_number(m[2]), _day_number(m[1]))
        if d is not None:
            yield _ref(m, d, d, "absolute")


_MONTH_DAY_YEAR = re.compile(rf"\b{_OPT_WEEKDAY}({MONTH})\s+({DAY}),?\s+({YEAR})\b")


def _rule_month_day_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"January 3, 2020", "Jan. 24, 2016", "Monday, March 2, 2020"."""
    if not _has_month(text):
        return
    for m in _matches(_MONTH_DAY_YEAR, text):
        d = _safe_date(int(m[3]), _month_number(m[1]), _day_number(m[2]))
        if d is not None:
            yield _ref(m, d, d, "absolute")


_FOLLOWING_YEAR = re.compile(rf"(?:\s*(?:,|and|or|&)\s*{DAY}\s+{MONTH})+,?\s+({YEAR})\b")


def _following_year(text: str, end: int) -> int | None:
    """The year of a list such as "11 March and 14 March 2020" (for the first item)."""
    m = _FOLLOWING_YEAR.match(text, end)  # matched in place: a copy of the rest is quadratic
    return int(m[1]) if m else None


#: The rules that read days stated with a year (see _stated_days), in the order of RULES.
_STATED_RULES: tuple[Rule, ...] = (_rule_iso, _rule_day_month_year, _rule_month_day_year)


def _stated_days(text: str) -> dict[tuple[int, int], date]:
    """Days the text states with a year, so "14 March" beside "14 March 2020" is 2020 too.

    Keys are (month, day) for each stated day, and (month, 0) for a month whose stated days
    all fall in one year ("13 March" in a text about "11 March 2020" and "14 March 2020").
    """
    return _stated_from([ref for rule in _STATED_RULES for ref in rule(text, None)])


def _stated_from(refs: list[DateRef]) -> dict[tuple[int, int], date]:
    """:func:`_stated_days` from the refs of :data:`_STATED_RULES` (find_dates has them)."""
    stated: dict[tuple[int, int], date] = {}
    years: dict[int, set[int]] = {}
    for ref in refs:
        stated.setdefault((ref.first.month, ref.first.day), ref.first)
        years.setdefault(ref.first.month, set()).add(ref.first.year)
    for month, found in years.items():
        if len(found) == 1:
            stated[(month, 0)] = date(found.pop(), month, 1)
    return stated


_DAY_MONTH_PATS = (
    re.compile(rf"{DAY_START}({DAY})\s*(?:of\s+)?({MONTH})\b"),
    re.compile(rf"\b({MONTH})\s+({DAY})\b(?![,.]?\d)"),
)
_DIGIT_NEXT = re.compile(r"\s*\d")


def _rule_day_month(text: str, published: date | None,
                    stated: dict[tuple[int, int], date] | None = None,
                    stated_refs: list[DateRef] | None = None) -> Iterator[DateRef]:
    """"28 December", "on 11 March", "March 2": the year comes from the list or publication.

    ``stated``: :func:`_stated_days` of ``text`` when the caller has it already;
    ``stated_refs``: the days stated with a year (for :func:`_narrative_year`).
    """
    if not _has_month(text):
        return
    if stated is None:
        stated = _stated_days(text)
    told = sorted((r for r in stated_refs or () if not _whole_line(text, r)),
                  key=lambda r: r.start)
    told_starts = [r.start for r in told]
    for i, pat in enumerate(_DAY_MONTH_PATS):
        for m in _matches(pat, text):
            day_word, month_word = (m[1], m[2]) if i == 0 else (m[2], m[1])
            if _DIGIT_NEXT.match(text, m.end()):
                continue
            month, day = _month_number(month_word), _day_number(day_word)
            year = _following_year(text, m.end())
            if year is not None:
                d, rule = _safe_date(year, month, day), "year-from-list"
            elif (month, day) in stated:
                d, rule = stated[(month, day)], "year-from-text"
            elif (month, 0) in stated:
                d, rule = _safe_date(stated[(month, 0)].year, month, day), "year-from-text"
            elif published is not None:
                d, rule = _infer_year(month, day, published), "year-inferred"
                i_told = bisect.bisect_left(told_starts, m.start())
                if d is not None and i_told:
                    d, rule = _narrative_year(d, rule, told[i_told - 1].first, published)
            else:
                continue
            if d is not None:
                yield _ref(m, d, d, rule)


#: How far a day without a year may lie from the last day the text stated with one before
#: rolling it into another year is implausible (about half a year).
_NARRATIVE_DAYS = 183


def _narrative_year(inferred: date, rule: str, told: date,
                    published: date) -> tuple[date, str]:
    """A day without a year, given the year that puts it last before publication
    (``inferred``), and the last day stated with a year in a sentence before it (``told``).
    A page dated by its main event tells what followed ("The drone hit the outpost on 28
    January 2024 ... On 2 February the U.S. began retaliatory strikes": 2024-02-02, not
    2023): when ``inferred`` falls half a year or more before ``told`` and the same day in
    ``told``'s year (or the next) falls within half a year after it, and at most
    :data:`_NARRATIVE_AFTER` days after publication, that one is meant."""
    if (told - inferred).days < _NARRATIVE_DAYS:
        return inferred, rule
    for year in (told.year, told.year + 1):
        d = _safe_date(year, inferred.month, inferred.day)
        if d is not None and 0 <= (d - told).days < _NARRATIVE_DAYS \
                and (d - published).days <= _NARRATIVE_AFTER:
            return d, "year-from-narrative"
    return inferred, rule


#: A page dated by its main event may tell what followed in the next weeks, not months.
_NARRATIVE_AFTER = 60
_NOT_WORDS = re.compile(rf"(?:{WEEKDAY}|[\W\d_])+")


def _whole_line(text: str, ref: DateRef) -> bool:
    """Whether ``ref`` is all its line says (a dateline or a heading, not a sentence). Only
    a few characters around it are read: a heading is short."""
    before = text[max(0, ref.start - 40):ref.start]
    after = text[ref.end:ref.end + 40]
    if ref.start > 40 and "\n" not in before or len(text) > ref.end + 40 and "\n" not in after:
        return False
    rest = before[before.rfind("\n") + 1:] + " " + after.split("\n", 1)[0]
    return _NOT_WORDS.fullmatch(rest) is not None


_MONTH_YEAR = re.compile(rf"\b({MONTH}),?\s+({YEAR})\b")


def _rule_month_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"in November 2017", "December 2018", "since October 2019", "March 2020"."""
    if not _has_month(text):
        return
    for m in _matches(_MONTH_YEAR, text):
        first, last = _month_range(int(m[2]), _month_number(m[1]))
        yield _ref(m, first, last, "absolute-month", precision=3)


_MONTH_REL_YEAR = re.compile(rf"\b({MONTH})\s+(?:of\s+)?(last|this|next)\s+(?:year|yr)\b")


def _rule_month_relative_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"November last year", "in March this year", "June next year"."""
    if published is None or not _has_month(text):
        return
    for m in _matches(_MONTH_REL_YEAR, text):
        shift = {"last": -1, "this": 0, "next": 1}[m[2]]
        first, last = _month_range(published.year + shift, _month_number(m[1]))
        yield _ref(m, first, last, "future" if shift > 0 or first > published else "relative",
                   precision=3)


_LEAD_MONTH = re.compile(
    rf"\b(?:{LEAD}|next|Next|this|This|last|Last)\s*({MONTH})\b(?!\s*\d)")


def _rule_lead_month(text: str, published: date | None) -> Iterator[DateRef]:
    """"in March", "since October", "early May": a month without a year, led by a preposition."""
    if published is None or not _has_month(text):
        return
    for m in _matches(_LEAD_MONTH, text):
        month = _month_number(m[1])
        lead = m[0][: m.start(1) - m.start()].strip().lower()
        if lead == "next":
            year = published.year if month > published.month else published.year + 1
            rule = "future"
        elif lead == "this":
            year, rule = published.year, "year-inferred"
        else:
            year, rule = _infer_month_year(month, published), "year-inferred"
        first, last = _month_range(year, month)
        yield _ref(m, first, last, rule, precision=3, group=1)


_YEAR_RE = re.compile(
    rf"(?:\b{LEAD}\s*({YEAR})\b(?![-–]\d|,\d|\.\d))|(?:\b({YEAR})['’]s\b)"
    # a year naming an event or a treaty: "the 1983 bombing", "the 1921 Treaty of Ankara"
    rf"|(?<![\w,.-])({YEAR})(?=\s+[A-Za-z])(?!\s+(?:and|or|to)\b)"
    # a year that opens a line of a chronology: "1992 - Armenian forces capture Shusha"
    rf"|(?m:^({YEAR})(?=[ \t]*[-–—:][ \t]))")


_YEAR_DETERMINER = re.compile(r"\b(?:the|The|a|an|its|their|his|her)\s+$")


def _rule_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"in 2014", "early 2016", "since 2015", "2019's campaign", "the 1983 bombing", and a
    chronology's "1992 - ..."."""
    if _YEAR_WORD.search(text) is None:
        return
    for m in _matches(_YEAR_RE, text):
        group = next(g for g in (1, 2, 3, 4) if m[g])
        if group == 3 and not _YEAR_DETERMINER.search(text, max(0, m.start() - 7), m.start()):
            continue  # "the 1983 bombing", not "killed 1983 people"
        year = int(m[group])
        yield _ref(m, date(year, 1, 1), date(year, 12, 31), "absolute-year", precision=3,
                   group=group)


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


def _rule_relative_day(text: str, published: date | None) -> Iterator[DateRef]:
    """"today", "yesterday", "last night", "overnight", "two days ago", "the day before
    yesterday"."""
    if published is None:
        return
    low = search_lower(text)
    for needed, regex, days in _RELATIVE_DAYS:
        if needed in low:
            for m in _matches(regex, text):
                d = published - timedelta(days=days)
                yield _ref(m, d, d, "relative")
    if "overnight" in low:
        for m in _matches(_OVERNIGHT, text):  # the night before: two dates
            yield _ref(m, published - timedelta(days=1), published, "relative")
    if "ago" in low:
        for m in _matches(_AGO, text):
            yield from _ago(m, published)


def _ago(m: re.Match[str], published: date) -> Iterator[DateRef]:
    n, unit = _count(m[1]), m[2].lower()
    if unit == "day":
        d = published - timedelta(days=n)
        yield _ref(m, d, d, "relative")
    elif unit == "week":
        first, last = _week_of(published - timedelta(weeks=n))
        yield _ref(m, first, last, "relative", precision=2)
    elif unit == "month":
        first, last = _month_range(*_add_months(published, -n))
        yield _ref(m, first, last, "relative", precision=3)
    else:
        y = published.year - n
        yield _ref(m, date(y, 1, 1), date(y, 12, 31), "relative", precision=3)


_LAST_WORDS = ("last", "final", "previous")
_WEEK_WORDS = ("week", "days")
_YEAR_WORDS = ("year", "yr")
#: The patterns of _rule_relative_period, in order of priority, each with the words it needs.
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


def _rule_relative_period(text: str, published: date | None) -> Iterator[DateRef]:
    """"last week", "this week", "last month", "last year", "earlier this year"."""
    if published is None:
        return
    week_first, _ = _week_of(published)
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
        (*_month_range(*_add_months(published, 1)), 3, "future"),
        (date(published.year + 1, 1, 1), date(published.year + 1, 12, 31), 3, "future"),
    ]
    low = search_lower(text)
    for (needed, regex), (first, last, precision, rule) in zip(_PERIODS, periods, strict=True):
        if _has_all(low, *needed):
            for m in _matches(regex, text):
                yield _ref(m, first, last, rule, precision=precision)


_VAGUE_SPAN = re.compile(
    r"\b(?i:(?:in\s+|over\s+|during\s+)?the\s+(coming|next|following|past|last|recent)\s+"
    r"(?:few\s+|several\s+)?(days|weeks|months)|in\s+(recent|latest)\s+(days|weeks|months))\b")


def _rule_vague_span(text: str, published: date | None) -> Iterator[DateRef]:
    """"in the coming weeks" (future), "in recent months" (the months before publication)."""
    if published is None:
        return
    units = {"days": (7, 2), "weeks": (42, 2), "months": (183, 3)}
    if not _has_all(search_lower(text), ("days", "weeks", "months")):
        return
    for m in _matches(_VAGUE_SPAN, text):
        when = (m[1] or m[3]).lower()
        days, precision = units[(m[2] or m[4]).lower()]
        if when in {"coming", "next", "following"}:
            first, last, rule = published + timedelta(days=1), published + timedelta(days=days), \
                "future"
        else:
            first, last, rule = published - timedelta(days=days), published, "relative"
        yield _ref(m, first, last, rule, precision=precision)


_WEEKDAY_WORD = re.compile(WEEKDAY)
_WEEKDAY_RE = re.compile(rf"\b(?:(next|this\s+coming|coming)\s+)?({WEEKDAY})s?\b")


def _rule_weekday(text: str, published: date | None) -> Iterator[DateRef]:
    """"on Tuesday", "late Tuesday": the latest such day on or before publication."""
    if published is None:
        return
    if _WEEKDAY_WORD.search(text) is None:
        return
    for m in _matches(_WEEKDAY_RE, text):
        target = WEEKDAYS[m[2].lower()]
        if m[1]:
            d = published + timedelta(days=(target - published.weekday() - 1) % 7 + 1)
            yield _ref(m, d, d, "future")
        else:
            d = published - timedelta(days=(published.weekday() - target) % 7)
            yield _ref(m, d, d, "weekday", group=2)


#: Leads of the rules' patterns: each is tried only where they occur (see _matches).
_LEADS: dict[re.Pattern[str], Leads] = {
    regex: leads for regex in (
        _ISO, _DAY_RANGE, _BETWEEN_DAYS, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, *_DAY_MONTH_PATS,
        _MONTH_YEAR, _LEAD_MONTH, _MONTH_REL_YEAR, _YEAR_RE, *(r for _, r, _ in _RELATIVE_DAYS),
        _OVERNIGHT, _AGO, *(r for _, r in _PERIODS), _VAGUE_SPAN, _WEEKDAY_RE)
    if (leads := pattern_leads(regex.pattern, regex.flags)) is not None
}


#: Patterns whose every match starts with a number's first digit (a day, a year: after no
#: other digit, see DAY_START) or a weekday name ("Monday, 28 September 2020").
_DIGIT_LED = frozenset({_ISO, _DAY_RANGE, _DAY_MONTH_YEAR, _DAY_MONTH_PATS[0]})
_NUMBER = re.compile(r"\d+")
_WEEKDAY_LEADS = Leads(frozenset(calendar.day_name), frozenset())


@lru_cache(maxsize=1)
def _digit_starts(text: str) -> tuple[int, ...]:
    """Where a number or a weekday name starts in ``text``, sorted: found once per text for
    the four patterns of :data:`_DIGIT_LED`."""
    starts = _WEEKDAY_LEADS.starts(text, text)
    starts.update(m.start() for m in _NUMBER.finditer(text))
    return tuple(sorted(starts))


def _matches(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)``; a pattern that starts with known words is tried only where
    they occur (month and weekday names, "last", "this": a few places in an article), one that
    starts with a number only where a number or a weekday starts."""
    if regex in _DIGIT_LED:
        return finditer_at(regex, text, _digit_starts(text))
    bit = _LEAD_BITS.get(regex)
    if bit is None:
        return regex.finditer(text)
    low, starts = _lead_starts(text)
    return finditer_at_lead_starts(regex, text, low, starts.get(bit, ()))


#: every pattern with leads, in one automaton pass over a text (:func:`_lead_starts`)
_LEAD_INDEX = LeadIndex(list(_LEADS.values()))
_LEAD_BITS = dict(zip(_LEADS, _LEAD_INDEX.bits, strict=True))


@lru_cache(maxsize=1)
def _lead_starts(text: str) -> tuple[str, dict[int, set[int]]]:
    """search_lower of ``text``, and where the leads of each pattern of :data:`_LEADS` start:
    found once per text for all of them."""
    low = search_lower(text)
    return low, _LEAD_INDEX.find(text, low)[1]


RULES: tuple[Rule, ...] = (
    _rule_iso, _rule_day_range, _rule_day_month_year, _rule_month_day_year, _rule_month_year,
    _rule_day_month, _rule_month_relative_year, _rule_vague_span, _rule_relative_period,
    _rule_relative_day,
    _rule_lead_month, _rule_year, _rule_weekday,
)


def find_dates(text: str, published: date | None) -> list[DateRef]:
    """Every date expression in ``text``, in text order, none overlapping another.

    Relative expressions ("last week", "on Tuesday", "28 December" without a year) need
    ``published``; without it they are skipped, never guessed.
    """
    # spans taken so far, sorted; they never overlap, so ends are sorted too and one bisection
    # finds the only span that could overlap a new one (a scan of all would be quadratic)
    starts: list[int] = []
    ends: list[int] = []
    found: list[DateRef] = []
    stated_refs: list[DateRef] = []  # what _stated_days would read again: kept from its rules
    for rule in RULES:
        if rule is _rule_day_month:
            refs: Iterable[DateRef] = _rule_day_month(text, published, _stated_from(stated_refs),
                                                      stated_refs)
        elif rule in _STATED_RULES:
            refs = list(rule(text, published))
            stated_refs += refs
        else:
            refs = rule(text, published)
        for ref in refs:
            i = bisect.bisect_left(starts, ref.end)
            if i and ends[i - 1] > ref.start:
                continue
            starts.insert(i, ref.start)
            ends.insert(i, ref.end)
            found.append(ref)
    return _join_ranges(text, sorted(found, key=lambda r: r.start))


#: What joins the two ends of a range ("from November 2012 until July 2013", "21 November
#: 2014 - 17 May 2015", "between 2014 and 2017": "and" only after "between").
_RANGE_GAP = re.compile(r"[ \t]*(?:-|–|—|to|until|till|through|and)[ \t]*")
_RANGE_LEAD = re.compile(r"\b(?:from|From|between|Between)\s+$")
_RANGE_YEAR = re.compile(rf"({YEAR})\b(?![-–]\d|,\d|\.\d)")
_RANGE_RULES = frozenset({"absolute", "absolute-month", "absolute-year", "year-from-text",
                          "year-from-list", "year-inferred", "year-from-narrative"})


def _join_ranges(text: str, refs: list[DateRef]) -> list[DateRef]:
    """Two dates joined as a range become one :class:`DateRef` over both, with ``head`` and
    ``tail`` the two ends ("from 2014 to 2017": the second year is read here, as "to" does
    not introduce a year by itself)."""
    out: list[DateRef] = []
    i = 0
    while i < len(refs):
        a = refs[i]
        gap = _RANGE_GAP.match(text, a.end) if a.rule in _RANGE_RULES else None
        b = None
        if gap is not None and (gap[0].strip() != "and"
                                or _RANGE_LEAD.search(text, max(0, a.start - 9), a.start)):
            nxt = refs[i + 1] if i + 1 < len(refs) else None
            if nxt is not None and nxt.start == gap.end() and nxt.rule in _RANGE_RULES:
                b, i = nxt, i + 1
            elif a.precision == 3 and a.date.isdigit():  # "from 2014 to 2017"
                y = _RANGE_YEAR.match(text, gap.end())
                if y and (nxt is None or nxt.start >= y.end()):
                    b = DateRef(y.start(1), y.end(1), y[1], y[1], date(int(y[1]), 1, 1),
                                date(int(y[1]), 12, 31), 3, "absolute-year")
        if b is not None and b.first >= a.first and (
                gap[0].strip() not in ("-", "–", "—") or a.rule.startswith("absolute")
                and b.rule.startswith("absolute")):
            first, last = a.first, b.last
            out.append(DateRef(a.start, b.end, text[a.start:b.end], _iso_label(first, last),
                               first, last, _precision(first, last), "absolute-range",
                               head=a, tail=b))
        else:
            out.append(a)
        i += 1
    return out


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
            n = _count(m["n"]) * (7 if m["unit"].lower().startswith("week") else 1)
            days = -n if m["dir"].lower() in ("earlier", "before") else n
        out.append(RelativeDay(m.start(), m.end(), m[0], days))
    return out


_TIME = re.compile(
    r"(?i)\bT?\d{1,2}[:.]\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|[A-Z]{2,4}))?"
)


def parse_dateline(line: str) -> date | None:
    """The date of a line that is only a date ("Monday, 28 September, 2020", "2020-09-28",
    "September 28, 2020 07:25 AM", "2020-01-08T10:00:00Z"), else ``None``.

    Used for datelines, ``DATE:`` headers and HTML meta values: a line with other words in it
    is a sentence, not a dateline.
    """
    line = line.strip()
    if not line or len(line) > 80:
        return None
    refs = [r for r in find_dates(line, None) if r.precision == 1]
    if len(refs) != 1:
        return None
    ref = refs[0]
    rest = _TIME.sub(" ", line[: ref.start] + " " + line[ref.end:])
    rest = re.sub(rf"\b(?:{WEEKDAY}|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?|"
                  r"(?i:updated|published|posted|on|at))(?!\w)", " ", rest)
    if re.search(r"\w", rest):
        return None
    return ref.first
