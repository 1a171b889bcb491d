"""Dates written out: "2020-01-03", "3 January 2020", "January 3, 2020", "9–17 October
2019", "November 2017", "in 2014", "the 1983 bombing", and days without a year ("28
December"), whose year comes from a list ("11 March and 14 March 2020"), from the days the
text states with a year, from the narrative before, or from the publication date. Ranges of
two such dates ("from November 2012 until July 2013") are joined by :func:`join_ranges`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from datetime import date

from geo.text.date_base import (
    DASH,
    DAY,
    DAY_START,
    LEAD,
    MONTH,
    WEEKDAY,
    YEAR,
    DateRef,
    PatternScan,
    Rule,
    day_number,
    has_month,
    infer_year,
    iso_label,
    make_ref,
    month_number,
    month_range,
    precision_of,
    safe_date,
)

_YEAR_WORD = re.compile(YEAR)


_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?!\d)")


def rule_iso(text: str, published: date | None) -> Iterator[DateRef]:
    for m in _matches(_ISO, text):
        d = safe_date(int(m[1]), int(m[2]), int(m[3]))
        if d is not None:
            yield make_ref(m, d, d, "absolute")


_OPT_WEEKDAY = rf"(?:{WEEKDAY},?\s+)?"


_DAY_RANGE = re.compile(
    rf"{DAY_START}({DAY})(?:\s*({MONTH}))?{DASH}({DAY})\s*({MONTH}),?\s+({YEAR})\b")
_BETWEEN_DAYS = re.compile(
    rf"\b(?:between|Between)\s+({DAY})(?:\s*({MONTH}))?\s+and\s+({DAY})\s*({MONTH}),?\s+"
    rf"({YEAR})\b")


def rule_day_range(text: str, published: date | None) -> Iterator[DateRef]:
    """"9–17 October 2019", "18 October – 25 November 2019"."""
    if not has_month(text):
        return
    for m in (*_matches(_DAY_RANGE, text), *_matches(_BETWEEN_DAYS, text)):
        year, m2 = int(m[5]), month_number(m[4])
        m1 = month_number(m[2]) if m[2] else m2
        first = safe_date(year if m1 <= m2 else year - 1, m1, day_number(m[1]))
        last = safe_date(year, m2, day_number(m[3]))
        if first and last and first <= last:
            yield make_ref(m, first, last, "absolute-range")


_DAY_MONTH_YEAR = re.compile(
    rf"(?:\b{_OPT_WEEKDAY}|{DAY_START})({DAY})\s*(?:of\s+)?({MONTH}),?\s+({YEAR})\b")


def rule_day_month_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"3 January 2020", "Monday, 28 September, 2020", "28 Sep 2020"."""
    if not has_month(text):
        return
    for m in _matches(_DAY_MONTH_YEAR, text):
        d = safe_date(int(m[3]), month_number(m[2]), day_number(m[1]))
        if d is not None:
            yield make_ref(m, d, d, "absolute")


_MONTH_DAY_YEAR = re.compile(rf"\b{_OPT_WEEKDAY}({MONTH})\s+({DAY}),?\s+({YEAR})\b")


def rule_month_day_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"January 3, 2020", "Jan. 24, 2016", "Monday, March 2, 2020"."""
    if not has_month(text):
        return
    for m in _matches(_MONTH_DAY_YEAR, text):
        d = safe_date(int(m[3]), month_number(m[1]), day_number(m[2]))
        if d is not None:
            yield make_ref(m, d, d, "absolute")


_FOLLOWING_YEAR = re.compile(rf"(?:\s*(?:,|and|or|&)\s*{DAY}\s+{MONTH})+,?\s+({YEAR})\b")


def _following_year(text: str, end: int) -> int | None:
    """The year of a list such as "11 March and 14 March 2020" (for the first item)."""
    m = _FOLLOWING_YEAR.match(text, end)  # matched in place: a copy of the rest is quadratic
    return int(m[1]) if m else None


#: The rules that read days stated with a year (see stated_days), in the order of
#: geo.text.dates.RULES.
STATED_RULES: tuple[Rule, ...] = (rule_iso, rule_day_month_year, rule_month_day_year)


def stated_days(text: str) -> dict[tuple[int, int], date]:
    """Days the text states with a year, so "14 March" beside "14 March 2020" is 2020 too.

    Keys are (month, day) for each stated day, and (month, 0) for a month whose stated days
    all fall in one year ("13 March" in a text about "11 March 2020" and "14 March 2020").
    """
    return stated_from([ref for rule in STATED_RULES for ref in rule(text, None)])


def stated_from(refs: list[DateRef]) -> dict[tuple[int, int], date]:
    """:func:`stated_days` from the refs of :data:`STATED_RULES` (find_dates has them)."""
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


def rule_day_month(text: str, published: date | None,
                   stated: dict[tuple[int, int], date] | None = None,
                   stated_refs: list[DateRef] | None = None) -> Iterator[DateRef]:
    """"28 December", "on 11 March", "March 2": the year comes from the list or publication.

    ``stated``: :func:`stated_days` of ``text`` when the caller has it already;
    ``stated_refs``: the days stated with a year (for :func:`_narrative_year`).
    """
    if not has_month(text):
        return
    if stated is None:
        stated = stated_days(text)
    told = sorted((r for r in stated_refs or () if not _whole_line(text, r)),
                  key=lambda r: r.start)
    told_starts = [r.start for r in told]
    for i, pat in enumerate(_DAY_MONTH_PATS):
        for m in _matches(pat, text):
            day_word, month_word = (m[1], m[2]) if i == 0 else (m[2], m[1])
            if _DIGIT_NEXT.match(text, m.end()):
                continue
            month, day = month_number(month_word), day_number(day_word)
            year = _following_year(text, m.end())
            if year is not None:
                d, rule = safe_date(year, month, day), "year-from-list"
            elif (month, day) in stated:
                d, rule = stated[(month, day)], "year-from-text"
            elif (month, 0) in stated:
                d, rule = safe_date(stated[(month, 0)].year, month, day), "year-from-text"
            elif published is not None:
                d, rule = infer_year(month, day, published), "year-inferred"
                i_told = bisect.bisect_left(told_starts, m.start())
                if d is not None and i_told:
                    d, rule = _narrative_year(d, rule, told[i_told - 1].first, published)
            else:
                continue
            if d is not None:
                yield make_ref(m, d, d, rule)


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
        d = safe_date(year, inferred.month, inferred.day)
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


def rule_month_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"in November 2017", "December 2018", "since October 2019", "March 2020"."""
    if not has_month(text):
        return
    for m in _matches(_MONTH_YEAR, text):
        first, last = month_range(int(m[2]), month_number(m[1]))
        yield make_ref(m, first, last, "absolute-month", precision=3)


_YEAR_RE = re.compile(
    rf"(?:\b{LEAD}\s*({YEAR})\b(?![-–]\d|,\d|\.\d))|(?:\b({YEAR})['’]s\b)"
    # a year naming an event or a treaty: "the 1983 bombing", "the 1921 Treaty of Ankara"
    rf"|(?<![\w,.-])({YEAR})(?=\s+[A-Za-z])(?!\s+(?:and|or|to)\b)"
    # a year that opens a line of a chronology: "1992 - Armenian forces capture Shusha"
    rf"|(?m:^({YEAR})(?=[ \t]*[-–—:][ \t]))")


_YEAR_DETERMINER = re.compile(r"\b(?:the|The|a|an|its|their|his|her)\s+$")


def rule_year(text: str, published: date | None) -> Iterator[DateRef]:
    """"in 2014", "early 2016", "since 2015", "2019's campaign", "the 1983 bombing", and a
    chronology's "1992 - ..."."""
    if _YEAR_WORD.search(text) is None:
        return
    for m in _matches(_YEAR_RE, text):
        group = next(g for g in (1, 2, 3, 4) if m[g])
        if group == 3 and not _YEAR_DETERMINER.search(text, max(0, m.start() - 7), m.start()):
            continue  # "the 1983 bombing", not "killed 1983 people"
        year = int(m[group])
        yield make_ref(m, date(year, 1, 1), date(year, 12, 31), "absolute-year",
                       precision=3, group=group)


#: What joins the two ends of a range ("from November 2012 until July 2013", "21 November
#: 2014 - 17 May 2015", "between 2014 and 2017": "and" only after "between").
_RANGE_GAP = re.compile(r"[ \t]*(?:-|–|—|to|until|till|through|and)[ \t]*")
_RANGE_LEAD = re.compile(r"\b(?:from|From|between|Between)\s+$")
_RANGE_YEAR = re.compile(rf"({YEAR})\b(?![-–]\d|,\d|\.\d)")
_RANGE_RULES = frozenset({"absolute", "absolute-month", "absolute-year", "year-from-text",
                          "year-from-list", "year-inferred", "year-from-narrative"})


def join_ranges(text: str, refs: list[DateRef]) -> list[DateRef]:
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
            out.append(DateRef(a.start, b.end, text[a.start:b.end], iso_label(first, last),
                               first, last, precision_of(first, last), "absolute-range",
                               head=a, tail=b))
        else:
            out.append(a)
        i += 1
    return out


_SCAN = PatternScan(
    (_ISO, _DAY_RANGE, _BETWEEN_DAYS, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, *_DAY_MONTH_PATS,
     _MONTH_YEAR, _YEAR_RE),
    digit_led=(_ISO, _DAY_RANGE, _DAY_MONTH_YEAR, _DAY_MONTH_PATS[0]))
_matches = _SCAN.matches
