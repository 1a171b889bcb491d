"""Property tests: no text crashes the reader, the date finder, the lexicon or the extractor,
and every event that comes out is valid (on Earth, ISO dates in order, sane counts, evidence
that really is in the article).

Texts mix random unicode with real fragments of conflict reporting (place names the gazetteer
knows, trigger words, casualty phrases, numbers, dates, header lines, HTML tags), so that the
random parts land inside the patterns the code actually reads.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.articles import Article, ArticleError, article_from_text, read_article
from geo.extract import lexicon
from geo.gazetteer.demonyms import DEMONYMS, find_demonym_countries
from geo.model import EVENT_TYPES, Event
from geo.text.dates import find_dates, parse_dateline
from geo.text.search import finditer_at, finditer_at_leads, pattern_leads, search_lower
from geo.text.sentences import split_sentences

MAX_COUNT = 1_000_000

FRAGMENTS = [
    # places, as articles write them
    "Camp Taji", "al-Qaim", "Al-Qaim", "Kirkuk", "Baghdad", "Ain al-Asad", "Al Asad air base",
    "Erbil", "Irbil", "Q-West", "Basmaya", "Abu Kamal", "Al-Bukamal", "Syria", "Iraq", "Iran",
    "the Syrian town of", "near", "in", "at", "province", "border crossing", "Green Zone",
    # triggers and actors
    "rockets hit", "rocket attack", "missiles struck", "air strike", "airstrikes on",
    "drone strike", "bombing", "clashes", "withdrew from", "handed over", "base", "troops",
    "crossed the border", "seized", "US-led coalition", "Kataib Hezbollah", "Iranian forces",
    "U.S.", "Gen.", "militia", "ISIS",
    # casualties and numbers
    "killing", "killed", "wounded", "injured", "two", "a dozen", "twenty-five", "0", "7",
    "5,200", "9999999999", "1e308", "at least", "soldiers", "people", "civilians", "dead",
    "-3", "10**100", "millions", "a million", "1,000,000", "999,999", "one million",
    # dates
    "on 11 March 2020", "last week", "yesterday", "on Tuesday", "in January", "2019",
    "28 December", "3-5 May", "March 2020", "two days ago", "2020-03-11", "31 February 2020",
    "early next month", "9999", "0000-00-00",
    # structure
    ". ", ", ", "\n", "\n\n", "DATE: ", "URL: http://x/", "TITLE: ", "<p>", "</p>", "<div>",
    "&amp;", "\u200b", "\u00a0", "\ufeff",
]

random_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
#: Random text that is not refused outright (pasted text with NUL is binary data).
noise_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     max_size=30)
mixed_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), random_text, st.just(" ")),
                      max_size=50).map(" ".join)
publication = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1),
                                             max_value=date(2030, 12, 31)))


def _iso(value: str | None) -> bool:
    if value is None:
        return True
    parts = value.split("-")
    try:
        if len(parts) == 3:
            return date.fromisoformat(value).isoformat() == value
        if len(parts) == 2:
            return len(parts[0]) == 4 and date(int(parts[0]), int(parts[1]), 1) is not None
        return len(value) == 4 and value.isdigit()
    except ValueError:
        return False


def assert_valid_event(ev: Event, text: str) -> None:
    """Every rule a stored or drawn event must meet."""
    assert ev.event_type in EVENT_TYPES
    assert (ev.lat is None) == (ev.lon is None)
    if ev.lat is not None:
        assert math.isfinite(ev.lat) and math.isfinite(ev.lon)
        assert -90 <= ev.lat <= 90 and -180 <= ev.lon <= 180
    assert _iso(ev.date), ev.date
    for day in (ev.date_start, ev.date_end):
        assert day is None or date.fromisoformat(day).isoformat() == day
    if ev.date_start and ev.date_end:
        assert ev.date_start <= ev.date_end
        if ev.date and len(ev.date) == 10:
            assert ev.date_start <= ev.date <= ev.date_end
    assert ev.time_precision in (1, 2, 3, None)
    assert ev.geo_precision in (1, 2, 3, None)
    for count in (ev.killed, ev.wounded):
        assert count is None or (isinstance(count, int) and 0 <= count < MAX_COUNT), count
    assert 0 <= ev.evidence_start <= ev.evidence_end <= len(text)
    assert text[ev.evidence_start:ev.evidence_end] == ev.evidence
    assert 0.0 <= ev.confidence <= 1.0
    for src in ev.sources:
        assert text[src.start:src.end] == src.text


# --- the article reader -------------------------------------------------------------------------

def _read_and_check(path: Path) -> None:
    """A file is either refused with one line naming it, or read into a valid article."""
    try:
        article = read_article(path)
    except ArticleError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
        return
    _check_article(article)


def _check_article(article: Article) -> None:
    assert article.text and article.text == article.text.strip()
    assert not any(unicodedata.category(ch) == "Cc" for ch in article.text if ch not in "\n\t")
    assert "\r" not in article.text
    assert unicodedata.is_normalized("NFC", article.text)
    assert article.published is None or isinstance(article.published, date)
    assert article.published_from in {"argument", "header", "html-meta", "dateline", "none"}
    assert len(article.sha256) == 64
    start, end = article.dateline
    assert (start, end) == (0, 0) or (0 <= start < end <= len(article.text)
                                      and article.text[start - 1:start] in ("", "\n"))


@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html", ".md", ""]))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reader_on_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"article{suffix}"
    path.write_bytes(data)
    _read_and_check(path)


@given(text=mixed_text, wrap=st.sampled_from(["{}", "<html><body><p>{}</p></body></html>",
                                              "DATE: {}\n\n{}", "\ufeff{}"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
@example(text="Camp Taji \x00", wrap="<html><body><p>{}</p></body></html>", encoding="utf-16")
@example(text="Camp Taji\x07 e\u0301 &#1;", wrap="<html><body><p>{}</p></body></html>",
         encoding="utf-8")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reader_on_mixed_text_in_any_encoding(tmp_path: Path, text: str, wrap: str,
                                              encoding: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(wrap.format(text, text).encode(encoding, errors="replace"))
    _read_and_check(path)


@given(text=mixed_text, published=publication)
@settings(max_examples=150, deadline=None)
def test_pasted_text(text: str, published: date | None) -> None:
    try:
        article = article_from_text(text, published=published)
    except ArticleError as exc:
        assert str(exc).startswith("pasted text: ") and "\n" not in str(exc)
        return
    _check_article(article)
    if published is not None:
        assert article.published == published


# --- dates --------------------------------------------------------------------------------------

@given(text=mixed_text, published=publication)
@settings(max_examples=200, deadline=None)
def test_find_dates_on_any_text(text: str, published: date | None) -> None:
    refs = find_dates(text, published)
    for ref in refs:
        assert text[ref.start:ref.end] == ref.text
        assert ref.first <= ref.last and ref.precision in (1, 2, 3)
        assert _iso(ref.date) and ref.first.isoformat().startswith(ref.date)
        assert ref.last.isoformat().startswith(ref.date)
    spans = [(r.start, r.end) for r in refs]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@given(line=mixed_text)
@settings(max_examples=150, deadline=None)
def test_parse_dateline_on_any_line(line: str) -> None:
    d = parse_dateline(line)
    assert d is None or isinstance(d, date)


# --- lexicon ------------------------------------------------------------------------------------

@given(text=mixed_text)
@example(text="1,000,000 people were killed and a million were wounded")
@settings(max_examples=200, deadline=None)
def test_lexicon_on_any_text(text: str) -> None:
    c = lexicon.find_casualties(text)
    for count in (c.killed, c.wounded):
        assert count is None or 0 <= count < MAX_COUNT
    for start, end, kind in c.spans:
        assert 0 <= start < end <= len(text) and kind in ("killed", "wounded")
    for t in lexicon.find_triggers(text):
        assert text[t.start:t.end] == t.text and t.concept in lexicon.CONCEPTS
    for a in lexicon.find_actors(text):
        assert text[a.start:a.end] == a.text
    for start, end in split_sentences(text):
        assert text[start:end].strip() == text[start:end] != ""
    assert isinstance(lexicon.normalise_spun(text), str)
    assert find_demonym_countries(text) <= set(DEMONYMS.values())


@given(words=st.lists(st.sampled_from([*lexicon.UNITS, *lexicon.SCALES, "and", "a", "-",
                                        "1", "5,200", "x", ""]), max_size=8).map(" ".join))
@settings(max_examples=200, deadline=None)
def test_number_from_words_on_any_words(words: str) -> None:
    n = lexicon.number_from_words(words)
    assert n is None or (isinstance(n, int) and n >= 0)


# --- the extractor ------------------------------------------------------------------------------

@given(text=mixed_text, published=publication)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_extractor_events_are_valid(extractor, text: str,
                                    published: date | None) -> None:
    try:
        article = article_from_text(text, published=published)
    except ArticleError:
        return
    for ev in extractor.extract(article):
        assert_valid_event(ev, article.text)


@given(sentences=st.lists(st.sampled_from([
    "Rockets hit Camp Taji on 11 March 2020, killing two soldiers.",
    "An air strike near al-Qaim killed 9999999999 people last week.",
    "Iranian missiles struck Ain al-Asad air base yesterday, wounding 5,200.",
    "US troops withdrew from Kirkuk and handed over the base to Iraqi forces.",
    "Clashes broke out on the Syrian border near Abu Kamal on Tuesday.",
    "A drone strike in Erbil on 31 February 2020 killed -3 militia fighters.",
]), min_size=1, max_size=6), noise=st.lists(noise_text, max_size=6),
    published=publication)
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_extractor_on_real_sentences_with_noise(extractor, sentences: list[str],
                                                noise: list[str],
                                                published: date | None) -> None:
    parts = [s + " " + (noise[i] if i < len(noise) else "") for i, s in enumerate(sentences)]
    article = article_from_text("\n\n".join(parts), published=published)
    events = extractor.extract(article)
    for ev in events:
        assert_valid_event(ev, article.text)
    if any("Camp Taji" in s for s in sentences):  # noise after a sentence cannot hide it
        assert any(ev.event_type == "rocket_attack" and ev.place == "Camp Taji"
                   for ev in events), article.text


# --- the pattern reader behind the lead search --------------------------------------------------

_PATTERN_ATOMS = ["a", "b", "A", "ab", r"\s", r"\w", r"\d", ".", "[ab]", "[Aa]", "[a-c]", "[^a]",
                  r"\.", "-", "[’']", "é", r"\-", "{", "x{2}", "İ", r"\x41"]
_ZERO_WIDTH = [r"\b", "^", "$", "(?#note)", "(?<!a)", "(?<=[ab])", r"(?<![\d.-])"]
_REPEATS = ["", "", "", "?", "*", "+", "{0,2}", "{1,3}?", "??", "{2}"]


def _pattern(draw, depth: int = 0) -> str:
    out = ""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["atom"] * 5 + ["zero", "alt", "group", "fold", "unfold",
                                                     "look"])) if depth < 2 else "atom"
        if kind == "zero":
            out += draw(st.sampled_from(_ZERO_WIDTH))
            continue
        if kind == "atom":
            out += draw(st.sampled_from(_PATTERN_ATOMS))
        else:
            inner = _pattern(draw, depth + 1)
            if kind == "alt":
                inner += "|" + _pattern(draw, depth + 1)
            out += {"alt": "(?:{})", "group": "({})", "fold": "(?i:{})", "unfold": "(?-i:{})",
                    "look": "(?={})"}[kind].format(inner)
        out += draw(st.sampled_from(_REPEATS))
    return out


@st.composite
def _patterns(draw) -> str:
    pattern = _pattern(draw)
    return pattern + "|" + _pattern(draw) if draw(st.booleans()) else pattern


@given(_patterns(), st.sampled_from([0, re.IGNORECASE]), st.data())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.filter_too_much])
def test_lead_search_finds_what_a_scan_finds(pattern: str, flags: int, data) -> None:
    """The pattern reader (public syntax only, no private parser) gives leads that start every
    match: searching at the leads finds exactly what a scan of every position finds, on texts
    that hold matches of the pattern (and random ones)."""
    try:
        regex = re.compile(pattern, flags)
    except re.error:
        return  # not a pattern at all
    leads = pattern_leads(pattern, flags)
    texts = [data.draw(st.text(alphabet="abAB -.'’é{xİ\u212a1", max_size=14))]
    with contextlib.suppress(Exception):  # hypothesis cannot write texts for every pattern
        texts += [data.draw(st.from_regex(regex).filter(lambda t: len(t) < 200))
                  for _ in range(2)]
    for text in texts:
        want = [m.span() for m in regex.finditer(text)]
        low = search_lower(text)
        if leads is not None:  # every match starts at a lead (a short text is scanned anyway)
            starts = leads.starts(text, low)
            assert {s for s, _ in want} <= starts, (pattern, text, leads)
            assert [m.span() for m in finditer_at(regex, text, sorted(starts))] == want
        assert [m.span() for m in finditer_at_leads(regex, leads, text, low)] == want


# --- the quick test before the status patterns ---------------------------------------------------

_STATUS_WORDS = ["no", "not", "threatened", "to", "strike", "vowed", "denied", "attacking", "is",
                 "Israel", "plans", "would", "May", "may", "the", "end", "of", "fighting",
                 "rebels", "ceasefire", "calling", "for", "agreeing", "accused", "each", "other",
                 "fighters", "will", "trying", "months", "halting", "Ending", "which", "sign"]


@given(st.lists(st.sampled_from(_STATUS_WORDS), max_size=12).map(" ".join),
       st.sampled_from(["strike", "fighting", "attack", "withdraw", "rockets"]))
@settings(max_examples=600, deadline=None)
def test_status_quick_test_never_hides_a_cue(before: str, word: str) -> None:
    """status() reads a window without its patterns only when no cue word is in it: the
    patterns would have found nothing either."""
    from geo.extract.clauses import _quiet, status
    from geo.extract.triggers import Trigger

    text = f"{before} {word} the base"
    trigger = Trigger("attack", len(before) + 1, len(before) + 1 + len(word), word)
    if _quiet(text[max(0, trigger.start - 60):trigger.start], trigger):
        from geo.extract import clauses

        window = text[max(0, trigger.start - 60):trigger.start]
        assert not any(p.search(window) for p in (
            clauses._NO_EVENT_BEFORE, clauses._THREAT_BEFORE, clauses._DENIED_BEFORE,
            clauses._PLAN_BEFORE)), text
        assert status(text, trigger) in ("reported", None)
