"""Reading articles: text and HTML files, folders, pasted text and uploads.

Takes paths, bytes or text; gives :class:`Article` (the clean body every later stage reads
and every evidence offset refers to, with its title, URL and publication date), or raises
:class:`ArticleError` with one line naming the input and the problem.

Modules: ``reader`` (the public entry points), ``files`` (which files are articles, bytes and
encodings), ``plain`` (header lines, furniture, title), ``pages`` (HTML pages: our parser and
their metadata), ``maintext`` (an HTML page's body by trafilatura), ``datelines`` (a date line
near the top, a wire service's dateline), ``article`` (:class:`Article`,
:class:`ArticleError`).
"""

from geo.articles.reader import (
    ARTICLE_SUFFIXES,
    Article,
    ArticleError,
    article_from_bytes,
    article_from_text,
    iter_article_paths,
    read_article,
    wire_dateline,
)

__all__ = ["ARTICLE_SUFFIXES", "Article", "ArticleError", "article_from_bytes",
           "article_from_text", "iter_article_paths", "read_article", "wire_dateline"]
