"""The main text of a news page by trafilatura (the field's standard extractor), as lines.

trafilatura finds the article's body among a page's furniture (menus, share bars, related
stories, newsletter boxes, comments) by the page's structure and text density, where our own
html.parser reader (:mod:`geo.articles.pages`) goes by tag and class names; on the saved-page
set it keeps the whole body and leaves a quarter of the furniture ours leaves
(docs/libraries.md).
It works offline: no call here reaches the network (trafilatura's downloads are never used).
trafilatura logs what it cannot read to its own logger, which has only a NullHandler unless the
application configures logging; the reader reports bad pages itself, in one line.
"""

from __future__ import annotations

import trafilatura


def main_lines(html: str) -> list[str] | None:
    """The page's main text as lines (paragraphs, headings, list items, table rows), or None
    when trafilatura finds none or cannot read the page (the caller falls back to its own)."""
    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=True,
                                   include_images=False, with_metadata=False)
    except Exception:  # any failure of the library: the caller's own reader takes over
        return None
    if not text or not text.strip():
        return None
    return [line.strip() for line in text.split("\n") if line.strip()]
