"""Events from an article: sentence by sentence, triggers + places + dates + counts.

The extractor reads each sentence of ``Article.text`` once:

1. *triggers* (``lexicon.find_triggers``) say what kind of event the sentence states
   (spun synonyms included: "assault", "foundation", "hand about", "tumble into the hands of");
2. *places* are the gazetteer mentions inside the sentence, resolved with the article's country,
   the places already resolved and whether the sentence is about a base; a sentence that names
   no place but opens with an anaphor ("The place was...", "The base...") refers to the last
   place the article named;
3. *dates* (``dates.find_dates``) found in the sentence, nearest to the trigger;
4. *counts* and *actors* from the sentence (``lexicon``).

One event per (type, place, date); two places give two events. Events of one article that are
the same (same type family and place, one of them undated or less specific) are merged, so a
caption's "rocket attack on Camp Taji" and the body's "two assaults on the Taji base last week"
become one rocket attack with the date. Every decision is written into ``Event.notes``.
"""


from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from geo.articles import Article
from geo.extract import lexicon
from geo.extract.merge import merge_within_article
from geo.extract.places import (
    ANAPHOR,
    Resolved,
    Sentence,
    is_specific,
    outside_places,
    resolve_places,
)
from geo.extract.sentence import add_follow_up, follow_up, sentence_events
from geo.extract.triggers import ATTACK_CONCEPTS
from geo.extract.when import CAPTION, in_bullet, infobox_period
from geo.gazetteer import Gazetteer
from geo.model import ATTACK_TYPES, Event
from geo.text import dates as dates_mod
from geo.text.sentences import split_sentences

__all__ = ["ATTACK_CONCEPTS", "Extractor", "infobox_period"]


class Extractor:
    """Turns an :class:`~geo.articles.Article` into :class:`~geo.model.Event` objects."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def extract(self, article: Article) -> list[Event]:
        text = article.text
        sentences = [Sentence(s, e, text[s:e]) for s, e in split_sentences(text)]
        # a wire dateline's date is the report's, its place where it was filed: no event's
        dateline_start, dateline_end = article.dateline
        date_refs = [d for d in dates_mod.find_dates(text, article.published)
                     if not dateline_start <= d.start < dateline_end]
        # each sentence's triggers, found once: base context, the follow-up test and the
        # events all read them
        found = [lexicon.find_triggers(s.text) for s in sentences]
        resolve_places(self.gazetteer, text, sentences, found, article.dateline)
        triggers = [outside_places(t, s) for t, s in zip(found, sentences, strict=True)]
        date_starts = [d.start for d in date_refs]
        events: list[Event] = []
        last_place: Resolved | None = None
        last_attack: Event | None = None
        context_dates: list[dates_mod.DateRef] = []  # dates of the paragraph so far
        infobox = infobox_period(text, date_refs)
        for i, sent in enumerate(sentences):
            if i and "\n" in text[sentences[i - 1].end:sent.start]:
                context_dates = []  # a new paragraph: earlier dates no longer apply
                if infobox and in_bullet(text, sent.start, infobox[1]):
                    context_dates = [infobox[0]]  # the infobox's period, unless it says more
            places = sent.places
            if not [p for p in places if is_specific(p)] and ANAPHOR.search(sent.text) \
                    and last_place is not None:
                places = [replace(last_place, start=sent.start, end=sent.start, near=False,
                                  stay=False, origin=False)]
                places += sent.places
            sent_dates = [] if CAPTION.search(sent.text) else date_refs[
                bisect_left(date_starts, sent.start):bisect_left(date_starts, sent.end)]
            follow = last_attack and follow_up(sent.text, last_attack.event_type, triggers[i])
            if follow:
                sites = [p for p in places if is_specific(p)]
                relocate = len(sites) == 1 and last_attack.geo_precision in (None, 2) \
                    and not sent_dates
                if not sites or relocate or follow == "reference":
                    add_follow_up(last_attack, sent, article, sites[0] if relocate else None)
                    continue
            found = sentence_events(article, sent, places, sent_dates, context_dates,
                                    triggers[i])
            events.extend(found)
            last_attack = next((e for e in reversed(found) if e.event_type in ATTACK_TYPES
                                and not e.aggregate), last_attack)
            context_dates = (context_dates + [d for d in sent_dates if d.precision == 1
                                              and d.rule != "future"])[-3:]
            specific = [p for p in sent.places if is_specific(p)]
            if specific:
                last_place = specific[-1]
        return merge_within_article(events)
