"""HTML pages: the body of a saved news page and its metadata.

The body is trafilatura's main text (:mod:`geo.articles.maintext`) when it finds one, else our
own html.parser reader's text lines (menus, share bars, captions and other furniture dropped by
tag and class; the <article>/<main> text when it has enough). The metadata is always ours:
title (the <h1> over a title that is it plus the site's name), canonical URL, and publication
date from meta tags, JSON-LD, <time> or a dateline. docs/libraries.md compares the readers."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from geo.articles.article import Article, ArticleError, make_article
from geo.articles.datelines import find_dateline
from geo.articles.maintext import main_lines
from geo.articles.plain import clean_lines, guess_title, normalise
from geo.text.dates import parse_dateline

#: Characters of text in <article>/<main> for it to be the body; of the library's text, for it
#: to stand alone when our parser finds no text outside menus, headers and footers.
MAIN_TEXT_CHARS = 200
#: A reader of a page's main text: its lines, or None when it finds none.
MainText = Callable[[str], "list[str] | None"]
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})
_HTML_START = re.compile(r"(?is)^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         r"<(?:!doctype\s+html|html|head|body)\b")


def looks_like_html(p: Path | None, text: str) -> bool:
    if p is not None and p.suffix.lower() in HTML_SUFFIXES:
        return True
    if _HTML_START.match(text):
        return True
    return len(re.findall(r"(?i)</(?:p|div|h[1-6]|li)>", text[:20000])) >= 3


#: Elements whose content is never article text.
SKIP_TAGS: frozenset[str] = frozenset({
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg", "iframe",
    "button", "figcaption", "template", "select", "textarea", "menu", "dialog", "object",
})
#: Elements that end a line of text.
BLOCK_TAGS: frozenset[str] = frozenset({
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "tr", "td", "th",
    "blockquote", "section", "article", "main", "pre", "table", "dd", "dt", "figure", "hr",
    "title", "time", "address",
})
VOID_TAGS: frozenset[str] = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
#: class/id words of boilerplate containers (menus, share bars, related links, comments).
BOILERPLATE_ATTR = re.compile(
    r"(?i)(?:^|[\s_-])(?:nav|navbar|menu|footer|header|sidebar|share|sharing|social|related|"
    r"comments?|advert|ads?|cookie|newsletter|promo|breadcrumbs?|subscribe|masthead|"
    r"caption|credit|byline-share)(?:$|[\s_-])"
)
#: Meta names holding the publication date, best first.
DATE_META = (
    "article:published_time", "datepublished", "og:published_time", "publishdate",
    "pubdate", "date", "dc.date.issued", "dc.date", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "og:article:published_time", "article:modified_time",
)


class PageParser(HTMLParser):
    """Collects text lines (main/article content kept apart), title and metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, starts a skipped subtree)
        # open elements by tag: a stray end tag is ignored in O(1), not by scanning the stack
        # (thousands of unclosed tags then stray end tags would take quadratic time)
        self.open_tags: Counter[str] = Counter()
        self.skip_depth = 0
        self.main_depth = 0
        self.lines: list[tuple[str, bool]] = []  # (text, inside <article>/<main>)
        self.current: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""  # the text of the <h1> elements outside skipped subtrees
        self.headings: list[str] = []  # each <h1>'s text, also in a skipped <header>
        self.canonical = ""
        self.time_values: list[str] = []
        self.json_ld: list[str] = []  # the text of each <script type="application/ld+json">
        self._in_title = False
        self._in_h1 = False
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        self._note_metadata(tag, a)
        if tag in BLOCK_TAGS:
            self._flush()
        if tag in VOID_TAGS:
            return
        marker = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", "")))
        # the page's own <html> and <body> classes describe the page, not a container in it
        # ("vector-feature-language-in-header-enabled"); a <form> right inside <body> holds
        # the page (ASP.NET and DNN sites wrap every page in one), not a search box
        page_level = all(t in ("html", "body") for t, _ in self.stack)
        skip = (tag in SKIP_TAGS and not (tag == "form" and page_level)) or \
            (tag not in ("html", "body") and bool(BOILERPLATE_ATTR.search(marker))) or \
            a.get("aria-hidden") == "true" or "hidden" in a
        if tag in ("article", "main") or a.get("role") == "main":
            self.main_depth += 1
        self.stack.append((tag, skip))
        self.open_tags[tag] += 1
        self.skip_depth += skip
        self._in_title = self._in_title or tag == "title"
        self._in_h1 = self._in_h1 or tag == "h1"
        if tag == "h1":
            self.headings.append("")
        if tag == "script" and a.get("type", "").strip().lower() == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._note_metadata(tag, {k.lower(): (v or "") for k, v in attrs})
        if tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.open_tags[tag]:
            return
        if tag in BLOCK_TAGS:
            self._flush()
        while self.stack:
            t, skip = self.stack.pop()
            self.open_tags[t] -= 1
            self.skip_depth -= skip
            if t in ("article", "main"):
                self.main_depth = max(0, self.main_depth - 1)
            if t == "title":
                self._in_title = False
            if t == "h1":
                self._in_h1 = False
            if t == "script":
                self._in_json_ld = False
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data
            return
        if self._in_title:
            self.title += data
            return
        if self._in_h1 and self.headings:
            self.headings[-1] += data
        if self.skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        self.current = []
        if text:
            self.lines.append((text, self.main_depth > 0))

    def _note_metadata(self, tag: str, a: dict[str, str]) -> None:
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.canonical = self.canonical or a["href"]
        elif tag == "time" and a.get("datetime"):
            self.time_values.append(a["datetime"])
        elif a.get("itemprop", "").lower() == "datepublished" and a.get("datetime"):
            self.time_values.insert(0, a["datetime"])


def article_from_html(html: str, source: str, p: Path | None, published: date | None,
                      encoding: str, main_text: MainText | None = main_lines) -> Article:
    """The article of an HTML page (see the module docstring): the body from ``main_text``
    (trafilatura) when it finds one, else from our parser's lines; title, URL and date from
    our parser's reading of the page's metadata."""
    parser = PageParser()
    try:
        parser.feed(_close_dangling_tags(html))
        parser.close()
    except (AssertionError, ValueError) as exc:  # malformed markup html.parser cannot take
        raise ArticleError(f"{source}: cannot parse HTML ({exc})") from None
    # control characters and decomposed accents, as in plain text (tags and entities hide
    # them from the byte-level binary test: "&#1;", UTF-16 pages)
    lines = [(normalise(t).strip(), in_main) for t, in_main in parser.lines]
    main = [t for t, in_main in lines if in_main and t]
    ours = main if sum(len(t) for t in main) >= MAIN_TEXT_CHARS else [t for t, _ in lines if t]
    found = main_text(html) if main_text is not None else None
    chosen = ours
    if found is not None:
        theirs = [t for t in (_EDIT_LINK.sub("", normalise(line)).strip() for line in found)
                  if t]
        # a page whose only text is in menus, headers and footers has no article, though the
        # library, finding no body, hands back that text
        if sum(len(t) for t in ours) >= 20 or sum(len(t) for t in theirs) >= MAIN_TEXT_CHARS:
            chosen = theirs
    body = clean_lines(_paragraphs(chosen))
    if len(body) < 20:
        raise ArticleError(f"{source}: HTML page has no article text")
    when, where = _html_date(parser, published, chosen)
    title = normalise(_page_title(parser) or guess_title(body))
    body = _with_headline(body, re.sub(r"\s+", " ", title))
    url = parser.canonical or parser.meta.get("og:url") or source
    return make_article(body, re.sub(r"\s+", " ", title), url, when, where,
                        str(p) if p else None, encoding)


def _with_headline(body: str, title: str) -> str:
    """The body opening with the page's headline, as a text file's does: a headline states
    events ("Rockets hit Camp Taji") and names the place a later "the base" refers to. Not
    when the body's first lines already hold it."""
    if not title or title.lower() in body[:len(title) * 3 + 200].lower():
        return body
    return f"{title}\n\n{body}"


#: A wiki's section edit link after a heading: "Background[edit]".
_EDIT_LINK = re.compile(r"\s*\[\s*edit\s*\]\s*$", re.IGNORECASE)
#: What joins a headline to the site's name in a page title: "Headline - BBC News",
#: "Headline | DW | 17.02.2024", "Headline | CNN".
_SITE_SUFFIX = re.compile(r"\s*[|\-–—:·•]\s*\S")


def _page_title(parser: PageParser) -> str:
    """og:title, else the <h1>, else <title>; but the <h1> when og:title (or <title>) is the
    <h1> followed by the site's name."""
    for heading in parser.headings:
        h1 = " ".join(heading.split())
        for candidate in (parser.meta.get("og:title", ""), parser.title):
            named = " ".join(candidate.split())
            if h1 and named.startswith(h1) and _SITE_SUFFIX.match(named, len(h1)):
                return h1
    return parser.meta.get("og:title") or " ".join(parser.h1.split()) or parser.title


def _json_ld_dates(blocks: list[str]) -> list[str]:
    """Every ``datePublished`` of a page's schema.org JSON-LD (a NewsArticle, in a list or an
    ``@graph``), in page order; a block that is not JSON is passed over."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("datePublished"), str):
                found.append(node["datePublished"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for block in blocks:
        try:
            walk(json.loads(block))
        except (ValueError, RecursionError):
            continue
    return found


def _close_dangling_tags(html: str) -> str:
    """``html`` with every ``<`` after the last ``>`` written as ``&lt;``: text, not a tag.

    Such a ``<`` can never start a complete tag, and html.parser retries each one up to the
    end of the page, which takes quadratic time ("<a <a <a ..." cut off: minutes for 100 kB).
    """
    last = html.rfind(">")
    tail = html[last + 1:]
    return html if "<" not in tail else html[:last + 1] + tail.replace("<", "&lt;")


def _paragraphs(lines: list[str]) -> list[str]:
    """Each block on its own paragraph (blank line between), as in plain-text articles."""
    out: list[str] = []
    for line in lines:
        out.extend((line, ""))
    return out


def _html_date(parser: PageParser, published: date | None,
               body_lines: list[str]) -> tuple[date | None, str]:
    if published is not None:
        return published, "argument"
    for key in DATE_META:
        value = parser.meta.get(key)
        d = parse_dateline(value) if value else None
        if d is not None:
            return d, "html-meta"
    for value in [*_json_ld_dates(parser.json_ld), *parser.time_values]:
        d = parse_dateline(value)
        if d is not None:
            return d, "html-meta"
    d, _ = find_dateline([t for t, _ in parser.lines])
    if d is None:  # our parser dropped the page's top (a page in a <form>): the body's top
        d, _ = find_dateline(body_lines)
    return (d, "dateline") if d is not None else (None, "none")
