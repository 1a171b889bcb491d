"""Date expressions in article text, resolved against the publication date.

News text says "on Tuesday", "last week" or "28 December" far more often than a full date, so a
date is only meaningful relative to when the article was published. Every expression found is
returned as a :class:`DateRef` with the range of days it can mean (``first``..``last``) and an
honest precision (ACLED's codes: 1 a day, 2 a week or a range of days, 3 a month or a year): a
day is never invented. Without a publication date, relative expressions and day-month dates
without a year are skipped rather than guessed.

Machine-paraphrased ("spun") copies write "this 7 days" for "this week", "final yr" for "last
year" and "previously this year" for "earlier this year"; those variants are part of the
patterns because they are ordinary synonyms, not special cases.

The rules live by what they read: :mod:`geo.text.date_absolute` (dates written out, and days
without a year), :mod:`geo.text.date_relative` (relative to publication, or to the event
before); :mod:`geo.text.date_base` holds their vocabularies and :class:`DateRef`. This module
runs them in order (:func:`find_dates`) and reads datelines (:func:`parse_dateline`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from datetime import date

from geo.text.date_absolute import (
    STATED_RULES,
    join_ranges,
    rule_day_month,
    rule_day_month_year,
    rule_day_range,
    rule_iso,
    rule_month_day_year,
    rule_month_year,
    rule_year,
    stated_from,
)
from geo.text.date_base import WEEKDAY, DateRef, Rule
from geo.text.date_relative import (
    rule_lead_month,
    rule_month_relative_year,
    rule_relative_day,
    rule_relative_period,
    rule_vague_span,
    rule_weekday,
)

# Each rule yields DateRefs for one pattern. They run in order; a match overlapping an earlier
# one is dropped, so longer, more specific patterns come first.
RULES: tuple[Rule, ...] = (
    rule_iso, rule_day_range, rule_day_month_year, rule_month_day_year, rule_month_year,
    rule_day_month, rule_month_relative_year, rule_vague_span, rule_relative_period,
    rule_relative_day,
    rule_lead_month, rule_year, rule_weekday,
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
    stated_refs: list[DateRef] = []  # what stated_days would read again: kept from its rules
    for rule in RULES:
        if rule is rule_day_month:
            refs: Iterable[DateRef] = rule_day_month(text, published, stated_from(stated_refs),
                                                     stated_refs)
        elif rule in STATED_RULES:
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
    return join_ranges(text, sorted(found, key=lambda r: r.start))

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
