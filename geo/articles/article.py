"""The article every later stage reads, and the error for inputs that are not one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from geo.articles.datelines import find_wire_dateline
from geo.inputs import InputError


class ArticleError(InputError):
    """An input that cannot be read as an article; the message is one printable line naming it."""


@dataclass
class Article:
    """One article, cleaned: the body events are read from, and where it came from."""

    text: str  # the clean body; every evidence offset refers to it
    title: str
    source: str  # URL if known, else the file path, else "pasted text"
    published: date | None
    published_from: str  # "argument", "header", "html-meta", "dateline" or "none"
    path: str | None
    sha256: str  # of the clean text, for dedupe
    encoding: str = "utf-8"  # how the file was decoded ("utf-8", "utf-16", "cp1252")
    #: the span of a wire dateline opening a paragraph near the top ("BAGHDAD (Reuters) - "),
    #: (0, 0) when there is none: its place is where the report was filed and its date the
    #: report's, not an event's
    dateline: tuple[int, int] = (0, 0)


def make_article(body: str, title: str, source: str, published: date | None,
                 published_from: str, path: str | None, encoding: str) -> Article:
    """The article of a clean body; a wire dateline's span is found, and its date used when
    ``published`` is None."""
    wire = find_wire_dateline(body)
    if published is None and wire is not None and wire.date is not None:
        published, published_from = wire.date, "dateline"
    return Article(
        text=body, title=title.strip(), source=source, published=published,
        published_from=published_from if published is not None else "none", path=path,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(), encoding=encoding,
        dateline=(wire.start, wire.end) if wire else (0, 0),
    )

