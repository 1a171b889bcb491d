"""Events from an article: sentence by sentence, triggers + places + dates + counts.

The extractor reads each sentence of ``Article.text`` once:

1. *triggers* (``lexicon.find_triggers``) say what kind of event the sentence states
   (spun synonyms included: "assault", "foundation", "hand about", "tumble into the hands of");
2. *places* are the gazetteer mentions inside the sentence, resolved with the article's country,
   the places already resolved and whether the sentence is about a base; a sentence that names
   no place but opens with an anaphor ("The place was...", "The base...") refers to the last
   place the article named;
3. *dates* (``geo.text.dates.find_dates``) found in the sentence, nearest to the trigger;
4. *counts* and *actors* from the sentence (``lexicon``).

One event per (type, place, date); two places give two events. Events of one article that are
the same (same type family and place, one of them undated or less specific) are merged, so a
caption's "rocket attack on Camp Taji" and the body's "two assaults on the Taji base last week"
become one rocket attack with the date. Every decision is written into ``Event.notes``.
"""


from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from datetime import date

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.follow import add_follow_up, follow_up, more_targets, near_it
from geo.extract.kinds import Sites
from geo.extract.merge import add_note, merge_within_article
from geo.extract.places import (
    ANAPHOR,
    POINT_KINDS,
    Resolved,
    Sentence,
    is_specific,
    outside_places,
    resolve_places,
    without_references,
)
from geo.extract.sentence import Reading, sentence_events, statuses
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.extract.when import (
    CAPTION,
    LineDate,
    in_bullet,
    infobox_period,
    line_dates,
    local_reference,
)
from geo.gazetteer import Gazetteer
from geo.model import ATTACK_TYPES, Event
from geo.text.date_base import DateRef
from geo.text.date_relative import find_relative_days
from geo.text.dates import find_dates
from geo.text.sentences import split_sentences

__all__ = ["ATTACK_CONCEPTS", "Extractor", "infobox_period"]

#: Rules of dates that count from a reference day: re-read against a line's own date.
_RELATIVE_RULES = frozenset({"relative", "weekday", "year-inferred", "future"})


class Extractor:
    """Turns an :class:`~geo.articles.Article` into :class:`~geo.model.Event` objects."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        #: the gazetteer's sites in a grid, for "Sanaa airport" (read once, when first needed)
        self._sites = Sites(gazetteer)

    def extract(self, article: Article) -> list[Event]:
        text = article.text
        sentences = [Sentence(s, e, text[s:e]) for s, e in split_sentences(text)]
        date_refs, lines = _dates(article)
        infobox = infobox_period(text, date_refs)
        if infobox:  # an infobox's values are not a live blog's headings
            lines = [ld for ld in lines if not infobox[1][0] <= ld.start < infobox[1][1]]
        # each sentence's triggers, found once: base context, the follow-up test and the
        # events all read them
        found = [lexicon.find_triggers(s.text) for s in sentences]
        actors = lexicon.find_actors(text)  # read once: places and events both need them
        actor_starts = [a.start for a in actors]
        resolve_places(self.gazetteer, text, sentences, found, dateline_span(article),
                       self._sites, actors)
        triggers = [outside_places(t, s) for t, s in zip(found, sentences, strict=True)]
        date_starts = [d.start for d in date_refs]
        line_starts = [ld.start for ld in lines]
        events: list[Event] = []
        last_place: Resolved | None = None
        last_attack: Event | None = None
        reading = Reading()
        withdrew = False  # the sentence before told forces leaving
        for i, sent in enumerate(sentences):
            if i and "\n" in text[sentences[i - 1].end:sent.start]:
                reading.context_dates = []  # a new paragraph: earlier dates no longer apply
                if infobox and in_bullet(text, sent.start, infobox[1]):
                    # the infobox's period, unless it says more
                    reading.context_dates = [infobox[0]]
            line = _line_of(lines, line_starts, sent.start)
            reading.line_date = line.ref if line is not None else None
            places = sent.places
            if not [p for p in places if is_specific(p)] and ANAPHOR.search(sent.text) \
                    and last_place is not None:
                places = [replace(last_place, start=sent.start, end=sent.start, near=False,
                                  stay=False, origin=False)]
                places += sent.places
            sent_dates = [] if CAPTION.search(sent.text) else date_refs[
                bisect_left(date_starts, sent.start):bisect_left(date_starts, sent.end)]
            follow = last_attack and follow_up(sent.text, last_attack.event_type, triggers[i])
            if follow and last_attack is not None:
                sites = [p for p in without_references(places) if is_specific(p)]
                near = [p for p in sites if near_it(last_attack, p)]
                relocate = len(near) == 1 and last_attack.geo_precision in (None, 2) \
                    and not sent_dates
                far = [p for p in sites if p not in near]
                if not far or follow == "opening" and not more_targets(sent.text):
                    add_follow_up(last_attack, sent, article, near[0] if relocate else None)
                    continue
                places = [p for p in places if p not in near]
            withdrawal = any(t.concept == "withdrawal" for t in triggers[i])
            reading.after_withdrawal = withdrawal or withdrew
            withdrew = withdrawal
            reading.relative_days = find_relative_days(sent.text) \
                if triggers[i] else []
            reading.status = statuses(sent.text, triggers[i])
            own_actors = [replace(a, start=a.start - sent.start, end=a.end - sent.start)
                          for a in actors[bisect_left(actor_starts, sent.start):
                                          bisect_left(actor_starts, sent.end)]]
            found = sentence_events(article, sent, places, sent_dates, reading, triggers[i],
                                    own_actors)
            events.extend(found)
            last_attack = next((e for e in reversed(found) if e.event_type in ATTACK_TYPES
                                and not e.aggregate and e.status == "reported"), last_attack)
            day = next((e for e in reversed(found) if e.time_precision == 1), None)
            if day is not None:
                reading.last_day = date.fromisoformat(day.date)
            reading.context_dates = (reading.context_dates + [
                d for d in sent_dates if d.precision == 1 and d.rule != "future"])[-3:]
            specific = [p for p in without_references(sent.places) if is_specific(p)]
            if specific:
                last_place = specific[-1]
        merged = merge_within_article(events)
        if article.published is not None:
            _date_the_news(merged, _lead_end(text, sentences), article.published)
        return merged


def _dates(article: Article) -> tuple[list[DateRef], list[LineDate]]:
    """The article's dates and the dates that open its lines. A wire dateline's date is the
    report's and its place where it was filed: no event's. A line's relative dates count from
    its own date or its heading's ("Monday, 15 August 2022" then "08:30 GMT - ... handed over
    this morning": the 15th), not from publication."""
    text = article.text
    dateline_start, dateline_end = article.dateline
    refs = [d for d in find_dates(text, article.published)
            if not dateline_start <= d.start < dateline_end]
    lines = line_dates(text, refs, article.published)
    own: list[tuple[int, int, date]] = []  # a line with its own reference day
    headed: list[tuple[int, int, date]] = []  # the lines under a heading
    for n, line in enumerate(lines):
        day = local_reference(line, article.published)
        if day is None or day == article.published:
            continue
        if line.heading:
            nxt = next((x.start for x in lines[n + 1:] if x.heading), len(text))
            headed.append((line.end, nxt, day))
        else:
            own.append((line.start, line.end, day))
    if not own and not headed:
        return refs, lines
    keep = {id(ld.ref) for ld in lines}
    local: list[DateRef] = []
    for spans, skip in ((own, []), (headed, own)):
        skip_starts = [s for s, _, _ in skip]
        for start, end, day in spans:
            for d in find_dates(text[start:end], day):
                at = d.start + start
                if d.rule in _RELATIVE_RULES and not _inside(skip, skip_starts, at):
                    local.append(replace(d, start=at, end=d.end + start))
    own_starts, headed_starts = [s for s, _, _ in own], [s for s, _, _ in headed]
    out = [d for d in refs if id(d) in keep or d.rule not in _RELATIVE_RULES
           or not (_inside(own, own_starts, d.start) or _inside(headed, headed_starts, d.start))]
    return sorted(out + local, key=lambda d: d.start), lines


#: A dateline the reader leaves: "WASHINGTON/ADEN: ", "Port Sudan, Sudan - " (a place, a
#: comma and its country, a dash), at the head of one of the first paragraphs.
_LOOSE_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z'’.-]+(?:[ /][A-Z][A-Z'’.-]+){0,3}\s*:\s"
    r"|[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2},\s+[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)?"
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s+[-–—]{1,2}\s)", re.MULTILINE)
_DATELINE_PARAGRAPHS = 4


def dateline_span(article: Article) -> tuple[int, int]:
    """Where the article's dateline is: the reader's, else a looser one it leaves (its
    places are where the report was filed, not where anything happened)."""
    if article.dateline != (0, 0):
        return article.dateline
    text = article.text
    offset = 0
    for n, paragraph in enumerate(text.split("\n", _DATELINE_PARAGRAPHS * 3)):
        if n >= _DATELINE_PARAGRAPHS * 3:
            break
        m = _LOOSE_DATELINE.match(paragraph)
        if m is not None and len(paragraph) > m.end() + 40:
            return offset, offset + m.end()
        offset += len(paragraph) + 1
    return 0, 0


def _inside(spans: list[tuple[int, int, date]], starts: list[int], at: int) -> bool:
    """Whether ``at`` falls in one of ``spans`` (disjoint, sorted; ``starts`` their starts)."""
    i = bisect_left(starts, at + 1) - 1
    return i >= 0 and spans[i][0] <= at < spans[i][1]


def _date_the_news(events: list[Event], lead_end: int, published: date) -> None:
    """The headline's and the lead's events at a place that no report dates are the news of
    the day the article was published ("Ukraine pulls troops out of Avdiivka")."""
    day = published.isoformat()
    for ev in events:
        if ev.date is None and ev.event_type != "base" and ev.status == "reported" \
                and (ev.place_kind in POINT_KINDS or ev.place and not ev.place_id) \
                and any(s.start < lead_end for s in ev.sources):
            ev.date, ev.time_precision, ev.date_start, ev.date_end = day, 1, day, day
            add_note(ev, "date: the headline's or the lead's news, the day of publication")


def _lead_end(text: str, sentences: list[Sentence]) -> int:
    """Where the headline and the lead end: after the first paragraph of prose (a line of 80
    characters or more) that follows the headline."""
    if not sentences:
        return 0
    pos = sentences[0].end
    for sent in sentences[1:6]:
        line_end = text.find("\n", sent.start, sent.start + 3000)
        if sent.end - sent.start >= 80 or line_end < 0:
            return line_end if line_end >= 0 else sent.end
        pos = sent.end
    return pos


def _line_of(lines: list[LineDate], starts: list[int], offset: int) -> LineDate | None:
    """The date of the line that holds ``offset``: its own, else the heading above it."""
    i = bisect_left(starts, offset + 1) - 1
    while i >= 0:
        line = lines[i]
        if line.start <= offset < line.end and not line.heading:
            return line
        if line.heading:
            return line
        i -= 1
    return None
