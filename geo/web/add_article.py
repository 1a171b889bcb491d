"""Add an article: paste text or upload a file (read in memory, never written to disk), see its
events' evidence and place names highlighted, correct a place, add the events to the store.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

import streamlit as st

from geo.articles import Article, ArticleError, article_from_bytes, article_from_text
from geo.config import Settings
from geo.extract import Extractor
from geo.gazetteer import Gazetteer
from geo.inputs import printable
from geo.model import Event, Place
from geo.pipeline import store_article
from geo.store import Store
from geo.web.mapview import TYPE_STYLES, UNDATED, escape_text


def highlight_article(text: str, events: Iterable[tuple[int, int]],
                      places: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped article text with event evidence spans in ``<mark class='cm-event'>`` and place
    names in ``<b class='cm-place'>`` (a place inside an evidence sentence gets both). One
    sweep over the spans' ends: time linear in the text and the spans."""
    n = len(text)
    change: dict[int, list[int]] = {}  # offset -> [events opening - closing, places ...]
    for kind, spans in ((0, events), (1, places)):
        for s, e in spans:
            if 0 <= s < e <= n:
                change.setdefault(s, [0, 0])[kind] += 1
                change.setdefault(e, [0, 0])[kind] -= 1
    cuts = sorted({0, n, *change})
    out, open_events, open_places = [], 0, 0
    for start, end in zip(cuts, cuts[1:], strict=False):
        opened = change.get(start, (0, 0))
        open_events, open_places = open_events + opened[0], open_places + opened[1]
        piece = html.escape(text[start:end]).replace("\n", "<br>")
        if open_places:
            piece = f"<b class='cm-place'>{piece}</b>"
        if open_events:
            piece = f"<mark class='cm-event'>{piece}</mark>"
        out.append(piece)
    return "".join(out)


def with_place(event: Event, place: Place) -> Event:
    """The event moved to another gazetteer place (the user's correction)."""
    return dataclasses.replace(
        event, place_id=place.id, place_name=place.name, place_kind=place.kind,
        country=place.country or event.country, lat=place.lat, lon=place.lon,
        geo_precision=1 if place.kind not in {"region", "country"} else 3,
        notes=(event.notes + "; " if event.notes else "") + f"place chosen by user: {place.id}",
    )



def render_add_article(store: Store, settings: Settings, gazetteer: Gazetteer) -> None:
    """Paste or upload an article, review its events and places, add them to the store."""
    with st.expander("Add an article", expanded=bool(st.session_state.get("cm_draft"))):
        pasted = st.text_area("Paste the article text", key="cm_paste", height=150)
        # no type= filter: Streamlit would raise its own exception for another suffix (a
        # crafted request); read_upload names the problem in one line instead
        upload = st.file_uploader(
            f"... or upload a .txt / .html file (at most {settings.max_article_bytes:,} bytes)",
            key="cm_upload")
        if st.button("Read the article", key="cm_read"):
            st.session_state.pop("cm_draft", None)
            try:
                article = _read_input(pasted, upload, settings)
            except ArticleError as exc:
                st.error(str(exc))
                return
            with st.spinner(f"Reading {len(article.text):,} characters ..."):
                st.session_state["cm_draft"] = {
                    "article": article, "events": Extractor(gazetteer).extract(article),
                    "places": [(m.start, m.end) for m in gazetteer.find_mentions(
                        article.text[:PREVIEW_CHARS])]}
        draft = st.session_state.get("cm_draft")
        if draft:
            _review_draft(store, draft, gazetteer)


#: File types :func:`read_upload` accepts (it checks them: the uploader itself takes any file).
UPLOAD_SUFFIXES = (".txt", ".html", ".htm")
#: Longest upload name kept as the article's label (a name is a label, never a path).
UPLOAD_NAME_CHARS = 120


def upload_label(name: str) -> str:
    """The upload's name as the page shows and records it: its last path part only (a browser
    may send ``../../x.txt`` or ``C:\\x.txt``), control characters escaped, cut to
    :data:`UPLOAD_NAME_CHARS`. Why: it labels the article; it never names a file."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    base = printable(base)[:UPLOAD_NAME_CHARS]
    return base if base.strip(". ") else "upload"


def read_upload(name: str, data: bytes, settings: Settings) -> Article:
    """An uploaded file's bytes as an article, read as ``read_article`` reads a file (same
    encodings, binary test and HTML cleaning) but from memory: uploads are never written to
    disk. Raises :class:`ArticleError` with one line naming the upload and the problem."""
    label = upload_label(name)
    suffix = PurePath(label).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ArticleError(f"{label}: not a .txt or .html file")
    limit = settings.max_article_bytes
    if len(data) > limit:
        raise ArticleError(f"{label}: too large ({len(data):,} bytes; the limit is {limit:,})")
    if not data.strip():
        raise ArticleError(f"{label}: empty file")
    return article_from_bytes(data, label)


def read_pasted(text: str, settings: Settings) -> Article:
    """Pasted text as an article, refused when empty or over ``max_article_bytes``."""
    if not text.strip():
        raise ArticleError("no article: paste text or upload a file")
    size = len(text.encode("utf-8", errors="replace"))
    if size > settings.max_article_bytes:
        raise ArticleError(f"pasted text: too large ({size:,} bytes; the limit is "
                           f"{settings.max_article_bytes:,})")
    return article_from_text(text, source="pasted text")


def _read_input(pasted: str, upload: Any, settings: Settings) -> Article:
    """The article to read: the upload first (held in memory by Streamlit), else the paste."""
    if upload is not None:
        return read_upload(upload.name, upload.getvalue(), settings)
    return read_pasted(pasted, settings)


#: The most characters of a draft shown highlighted, and the most events listed one by one
#: with a place to correct: a long page is reviewed by its start, the rest added as read, so
#: the page stays quick whatever the article's length.
PREVIEW_CHARS = 50_000
REVIEW_EVENTS = 50


def _review_draft(store: Store, draft: dict[str, Any], gazetteer: Gazetteer) -> None:
    article, events = draft["article"], draft["events"]
    shown = article.text[:PREVIEW_CHARS]
    spans = [(e.evidence_start, min(e.evidence_end, len(shown))) for e in events
             if e.evidence_start < len(shown)]
    st.markdown(f"**{escape_text(article.title or article.source)}**: {len(events)} event(s)")
    for note in draft_notes(article, events):
        st.info(note)
    st.markdown(
        "<div class='cm-article' style='max-height:300px;overflow:auto;border:1px solid #ddd;"
        f"padding:6px'>{highlight_article(shown, spans, draft['places'])}</div>",
        unsafe_allow_html=True)
    chosen: list[Event] = []
    for i, event in enumerate(events[:REVIEW_EVENTS]):
        label = TYPE_STYLES.get(event.event_type)
        st.markdown(f"{i + 1}. **{escape_text(label.label if label else event.event_type)}**, "
                    f"{escape_text(event.date or UNDATED)}: “{escape_text(event.evidence)}”")
        chosen.append(_place_picker(i, event, gazetteer))
    chosen += events[REVIEW_EVENTS:]
    if chosen and st.button(f"Add {len(chosen)} event(s) to the store", key="cm_add",
                            type="primary"):
        result = store_article(store, article, chosen)
        st.session_state.pop("cm_draft", None)
        st.session_state["cm_added"] = (
            "this article is already in the store" if result.article_seen else
            f"added {result.added}, merged {result.merged}, unchanged {result.unchanged}")
        st.rerun()


def draft_notes(article: Article, events: Sequence[Event]) -> list[str]:
    """What the reader should know before adding a draft: a legacy encoding, no publication
    date (relative dates then stay unresolved), no events found (nothing to add)."""
    notes = []
    if article.encoding != "utf-8":
        notes.append(f"{article.source}: not UTF-8; read as {article.encoding}.")
    if article.published is None:
        notes.append("No publication date found (no DATE: line, dateline or page metadata): "
                     "relative dates such as 'on Tuesday' are left undated.")
    if not events:
        notes.append("No events found in this text (the extractor reads English news "
                     "reports): nothing to add.")
    if len(article.text) > PREVIEW_CHARS:
        notes.append(f"A long article: its first {PREVIEW_CHARS:,} of {len(article.text):,} "
                     "characters are shown.")
    if len(events) > REVIEW_EVENTS:
        notes.append(f"{len(events):,} events: the first {REVIEW_EVENTS} are listed to "
                     "review; the others are added as read.")
    return notes


def _place_picker(i: int, event: Event, gazetteer: Gazetteer) -> Event:
    """A select box of gazetteer candidates for the event's place; returns the chosen event."""
    if not event.place:
        return event
    candidates = gazetteer.candidates(event.place, country=event.country,
                                      context=event.evidence, limit=8)
    places = [c.place for c in candidates]
    if event.place_id and all(p.id != event.place_id for p in places):
        stored = gazetteer.get(event.place_id)
        if stored is not None:
            places.insert(0, stored)
    if len(places) < 2:
        return event
    current = next((k for k, p in enumerate(places) if p.id == event.place_id), 0)
    pick = st.selectbox(
        f"Place for “{event.place}”", range(len(places)), index=current, key=f"cm_place_{i}",
        format_func=lambda k: f"{places[k].name} ({places[k].kind}, {places[k].country}, "
                              f"{places[k].lat:.3f}, {places[k].lon:.3f})")
    return event if places[pick].id == event.place_id else with_place(event, places[pick])
