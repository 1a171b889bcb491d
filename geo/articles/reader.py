"""Reading articles: text and HTML files, folders and pasted text, with their metadata.

The reader turns whatever the user has (a saved web page, a text copy with ``URL:``/``DATE:``
header lines, a content-farm re-post with captions mixed in, pasted text) into one clean body,
:attr:`Article.text`, that every later stage reads and that evidence offsets refer to. It also
finds the publication date, because relative dates ("last week", "on Tuesday") mean nothing
without it: the ``published`` argument wins, then a ``DATE:`` header, then HTML metadata, then
a dateline near the top of the text.

Encoding policy: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; other bytes
are decoded as Windows-1252 (a superset of Latin-1 for printable text, the usual legacy encoding
of saved web pages), and ``Article.encoding`` records it. Bytes that look binary (NUL bytes or
many control characters) are refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from geo.articles.article import Article, ArticleError
from geo.articles.datelines import WireDateline, wire_dateline
from geo.articles.files import ARTICLE_SUFFIXES, decode, iter_article_paths
from geo.articles.pages import article_from_html, looks_like_html
from geo.articles.plain import article_from_plain
from geo.inputs import read_limited

__all__ = ["ARTICLE_SUFFIXES", "Article", "ArticleError", "WireDateline", "article_from_bytes",
           "article_from_text", "iter_article_paths", "read_article", "wire_dateline"]


def read_article(path: str | Path, published: date | None = None,
                 max_bytes: int = 5_000_000) -> Article:
    """Read a text or HTML article file; ``published`` overrides any date found in it."""
    p = Path(path)
    return article_from_bytes(read_limited(p, max_bytes, ArticleError), str(p), path=p,
                              published=published)


def article_from_bytes(data: bytes, name: str, *, path: Path | None = None,
                       published: date | None = None) -> Article:
    """An article from a file's bytes (read from disk, or an upload held in memory): the
    same encodings, binary test and HTML cleaning; ``name`` labels it in messages."""
    text, encoding = decode(data, Path(name))
    if looks_like_html(Path(name), text):
        return article_from_html(text, name, path, published, encoding)
    article = article_from_plain(text, source=name, published=published,
                                 path=str(path) if path else None, encoding=encoding)
    if not article.text:
        raise ArticleError(f"{name}: no article text after removing headers and page furniture")
    return article


def article_from_text(text: str, source: str = "pasted text",
                      published: date | None = None) -> Article:
    """An article from pasted text (plain or HTML), cleaned like a file."""
    if not text or not text.strip():
        raise ArticleError(f"{source}: empty text")
    if "\x00" in text:
        raise ArticleError(f"{source}: text contains NUL bytes (binary data?)")
    if looks_like_html(None, text):
        return article_from_html(text, source, None, published, "utf-8")
    article = article_from_plain(text, source=source, published=published, path=None)
    if not article.text:
        raise ArticleError(f"{source}: no article text after removing headers and page furniture")
    return article

