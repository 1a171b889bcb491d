"""Sentence spans of a text: line breaks, full stops before a capital, abbreviations, and a
bound on a sentence's length (a text without full stops is read in pieces)."""

from __future__ import annotations

import re
import string

#: Words whose trailing period does not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "brig", "sgt", "capt", "cpt",
    "adm", "cmdr", "cdr", "gov", "sen", "rep", "rev", "st", "no", "nos", "vs", "v", "etc",
    "e.g", "i.e", "approx", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "mt", "ft", "pte", "pvt", "spc", "cpl", "fig", "al", "inc",
    "ltd", "co", "corp", "jr", "sr",
})
_TERMINATOR = re.compile(r"[.!?]+[\"'”’)\]]*(?:\[\w{1,4}\])*(?=\s+[\"'“‘(\[•\-–]?[A-Z0-9])")


_WORD_CHARS = frozenset(string.ascii_letters + ".")


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` belongs to an abbreviation ("U.S.", "Gen.", "J.")."""
    if text[dot] != ".":
        return False
    # walk back over the word (a search anchored at the end would rescan the whole line for
    # every period: quadratic on a long paragraph)
    start = dot
    while start > 0 and text[start - 1] in _WORD_CHARS:
        start -= 1
    token = text[start:dot].lstrip(".")
    if not token:
        return False
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # U.S, U.K, e.g
        return True
    return token.lower() in ABBREVIATIONS or (len(token) == 1 and token.isupper())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``.

    Line breaks are boundaries (articles keep one paragraph, heading or bullet per line), and
    inside a line a sentence ends at ``.``, ``!`` or ``?`` (with closing quotes and citation marks
    such as ``[3]``) before a capital or digit, unless the period belongs to an abbreviation.
    Spans are trimmed of surrounding white space; empty lines give no span.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in _TERMINATOR.finditer(line[0]):
            if _ends_with_abbreviation(line[0], m.start()):
                continue
            spans.extend(_bounded(text, start, line.start() + m.end()))
            start = line.start() + m.end()
        spans.extend(_bounded(text, start, line.end()))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


#: The longest sentence read as one: a text without full stops (a list, a run-on page, a
#: hostile upload) is read in pieces of at most this many characters, so the work per
#: sentence stays bounded and an article's time grows linearly with its length.
MAX_SENTENCE = 1000


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` in pieces of at most :data:`MAX_SENTENCE` characters, each cut after
    the last comma, semicolon or colon of its second half, else at its last space."""
    pieces = []
    while end - start > MAX_SENTENCE:
        half, stop = start + MAX_SENTENCE // 2, start + MAX_SENTENCE
        window = text[half:stop]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(": "))
        cut = half + cut + 1 if cut >= 0 else half + window.rfind(" ") if " " in window \
            else stop
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


