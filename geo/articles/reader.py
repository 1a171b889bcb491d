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

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from geo.inputs import InputError, read_limited
from geo.text.dates import MONTH, WEEKDAY, parse_dateline

ARTICLE_SUFFIXES: frozenset[str] = frozenset({".txt", ".text", ".html", ".htm", ".md"})
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm"})
#: Header keys read from leading ``KEY: value`` lines (aliases map to the same field).
HEADER_KEYS: dict[str, str] = {
    "url": "url", "source": "url", "link": "url", "date": "date", "published": "date",
    "title": "title", "headline": "title",
}
#: How many leading lines may hold a dateline (after a headline, section label, byline...).
DATELINE_SEARCH_LINES = 6


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


# --- public API ---------------------------------------------------------------------------------

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
    text, encoding = _decode(data, Path(name))
    if _looks_like_html(Path(name), text):
        return _article_from_html(text, name, path, published, encoding)
    article = _article_from_plain(text, source=name, published=published,
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
    if _looks_like_html(None, text):
        return _article_from_html(text, source, None, published, "utf-8")
    article = _article_from_plain(text, source=source, published=published, path=None)
    if not article.text:
        raise ArticleError(f"{source}: no article text after removing headers and page furniture")
    return article


#: A folder's own documentation (its README, licence, sources) is not an article in it.
_FOLDER_DOCS = re.compile(r"(?i)^(?:readme|licen[cs]e|copying|attribution|sources|changelog|"
                          r"notice|authors)(?:\.[\w.]+)?$")


def iter_article_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Article files named by ``paths``: files as given, folders searched recursively for
    .txt/.text/.html/.htm/.md files (sorted; hidden files and folders, and a folder's README,
    licence, sources and attribution files skipped)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            inside = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and not _FOLDER_DOCS.match(f.name)
            )
            if not inside:
                raise ArticleError(f"{p}: folder has no article files "
                                   f"({', '.join(sorted(ARTICLE_SUFFIXES))})")
            found.extend(inside)
        elif p.exists():  # a file, or a pipe or device named on purpose: read_article copes
            found.append(p)
        else:
            raise ArticleError(f"{p}: no such file or folder")
    unique: dict[Path, None] = {}
    for f in found:
        unique.setdefault(f, None)
    return list(unique)


# --- bytes and encodings ------------------------------------------------------------------------

def _decode(data: bytes, p: Path) -> tuple[str, str]:
    """Text and encoding name, or ArticleError for binary data (see the module docstring)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ArticleError(f"{p}: not valid UTF-16 despite its byte-order mark") from None
        if "\x00" in text:  # the NUL test below only sees UTF-8 and single-byte encodings
            raise ArticleError(f"{p}: binary file, not text (NUL characters in UTF-16)")
        return text, "utf-16"
    if _looks_binary(data):
        raise ArticleError(f"{p}: binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise ArticleError(f"{p}: not UTF-8 and not readable as Windows-1252 text")
    return text, "cp1252"


#: Every byte but the control bytes that no text has (all below 32 but tab, LF, FF and CR).
_NOT_CONTROL = bytes([9, 10, 12, 13, *range(32, 256)])


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    control = len(head.translate(None, _NOT_CONTROL))
    return control > len(head) * 0.05


# --- plain text ---------------------------------------------------------------------------------

#: Lines that are page furniture, not article text (matched against the stripped line).
FURNITURE_PATTERNS: tuple[str, ...] = (
    # captions and credits, with paraphrased variants ("Impression caption", "Graphic copyright")
    r"(?:picture|image|impression|photo|photograph|graphic|video|media|illustration)\s+"
    r"(?:caption|copyright|credit|source)s?\s*:?",
    r"media\s+caption.*",
    r"media\s+playback\s+is\s+(?:unsupported|not\s+supported)\s+on\s+your\s+\w+",
    r"(?:source|supply|resource|original)\s+(?:link|backlink|hyperlink|url)",
    r"share\s+(?:this|on)(?:\s+\w+){0,2}",
    r"related\s+(?:topics|stories|articles|content|coverage|links)",
    r"(?:read|see)\s+(?:more|also)\s*:?",
    r"advertisement|sponsored\s+content|skip\s+to\s+(?:main\s+)?content|copy\s+link",
    r"(?:follow|subscribe\s+to)\s+us(?:\s+on\s+\w+)?",
    r"listen\s+to\s+this\s+article|print\s+this\s+(?:article|page)",
    r"[\s•·●▪◦*\-–—|]+",  # bullet-only and rule lines
    r"(?:\d+\.\s*)?\^.*",  # a reference list entry: "2. ^ "Title". Publisher. 2020."
    r"(?:archived|retrieved)\s+(?:from|on)\b.*",
)
#: Lines after which a page holds only links to other stories: the article ends there.
END_OF_ARTICLE = re.compile(
    r"(?i)(?:related\s+(?:topics|stories|articles|content|coverage|links)|more\s+on\s+this\s+"
    r"story|references|notes\s+and\s+references|external\s+links|see\s+also)\s*:?"
)
_FURNITURE = re.compile(r"(?i)(?:" + "|".join(FURNITURE_PATTERNS) + r")")
_HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,15}?)\s*:\s*(.*?)\s*$")


#: "Image copyright" / "Picture credit" lines: the next short line is the agency credit.
_CREDIT_MARKER = re.compile(r"(?i)\w+\s+(?:copyright|credit)s?\s*:?")


def _is_credit(line: str) -> bool:
    """A short line without sentence punctuation ("Getty Images", "US Central Command")."""
    return len(line.split()) <= 6 and not re.search(r"[.!?,;]", line)


def _is_furniture(line: str) -> bool:
    return bool(_FURNITURE.fullmatch(line.strip()))


def clean_lines(lines: Iterable[str]) -> str:
    """One body from lines: furniture dropped, white space tidied, one blank line between
    paragraphs (so that sentence spans never cross a paragraph)."""
    out: list[str] = []
    after_credit = False
    for raw in lines:
        line = re.sub(r"[ \t\u00a0\u2000-\u200b\u3000]+", " ", raw).strip()
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if END_OF_ARTICLE.fullmatch(line):
            break
        if _is_furniture(line):
            after_credit = bool(_CREDIT_MARKER.fullmatch(line))
            continue
        if after_credit and _is_credit(line):
            after_credit = False
            continue
        after_credit = False
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


#: Control characters (Unicode category Cc: U+0000-001F and U+007F-009F) but tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def _split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Leading ``KEY: value`` lines (see :data:`HEADER_KEYS`) and the lines after them."""
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines):
        m = _HEADER_LINE.match(lines[i])
        key = HEADER_KEYS.get(m[1].strip().lower()) if m else None
        if not m or key is None or key in header:
            break
        header[key] = m[2]
        i += 1
    return header, lines[i:]


#: What separates the parts of a byline: "By Jane Doe | October 3, 2023".
_BYLINE_PARTS = re.compile(r"\s+[|·•]\s+")
_UPDATED = re.compile(r"(?i)\b(?:updated|modified|edited)\b")


def _byline_date(line: str) -> date | None:
    """The date of a line that is one ("Monday, 28 September, 2020"), or of the one part of a
    byline that is ("By Jane Doe | October 3, 2023", "3 October 2023 · 4 min read"); of two,
    the one not marked as an update ("October 3, 2023 | Updated October 4, 2023")."""
    parts = _BYLINE_PARTS.split(line)
    dated = [(d, p) for p in parts if (d := parse_dateline(p)) is not None]
    if len(dated) > 1:
        dated = [(d, p) for d, p in dated if not _UPDATED.search(p)]
    return dated[0][0] if len(dated) == 1 else None


def _find_dateline(lines: list[str]) -> tuple[date | None, int | None]:
    """A line near the top that is only a date ("Monday, 28 September, 2020"), or a byline
    with such a part (:func:`_byline_date`)."""
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        d = parse_dateline(line) if len(line) > 120 else _byline_date(line)
        if d is not None:
            return d, i
        seen += 1
        if seen >= DATELINE_SEARCH_LINES:
            break
    return None, None


@dataclass(frozen=True)
class WireDateline:
    """A wire service's dateline at the head of a paragraph: "BAGHDAD (Reuters) - ",
    "KYIV, March 14, 2024 — ", "Beirut, Lebanon (AFP) -- "."""

    place: str  # as written: "BAGHDAD"
    date: date | None  # a whole date only ("Jan 5 (Reuters)" has no year: None)
    start: int  # where the dateline starts
    end: int  # where the report's own words start, after the dash


#: The head of a paragraph up to its first dash: a long one, or a hyphen after a space or an
#: agency ("BAGHDAD—", "BAGHDAD (Reuters) - ").
_WIRE_HEAD = re.compile(r"([^\n]{2,100}?)(?:\s*[—–]\s*|(?:\s+|(?<=\)))-{1,2}\s+)(?=\S)")
_AGENCY = re.compile(r"\s*\(([A-Z][\w .&/'’-]{0,30})\)$")
#: Words of a place in a dateline: capitalised, or an inner particle ("Deir ez-Zor", "Bay of").
_DATELINE_WORD = re.compile(r"(?:[A-Z][\w'’.]*|[a-z]{1,3}-[A-Z][\w'’.]*)(?:-[\w'’.]+)*|al|el|of")
_YEARLESS_DATE = re.compile(rf"(?:{WEEKDAY},?\s+)?(?:{MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{MONTH})")
#: Labels in capitals that head a story or a caption but name no place ("EXCLUSIVE - ...",
#: "FILE - Iraqi soldiers sit...").
_STORY_LABELS = frozenset({
    "ALERT", "ANALYSIS", "BREAKING", "BRIEF", "COMMENT", "CORRECTED", "EDITORIAL", "EXCLUSIVE",
    "EXPLAINER", "FACTBOX", "FEATURE", "FILE", "FILE PHOTO", "FLASH", "INSIGHT", "INTERVIEW",
    "LIVE", "NEWS", "OPINION", "PHOTO", "PHOTOS", "REFILE", "SPECIAL REPORT", "UPDATE",
    "UPDATED", "URGENT", "VIDEO", "WATCH", "WRAPUP",
})


def wire_dateline(paragraph: str) -> WireDateline | None:
    """The dateline opening ``paragraph``, if it has one.

    The place is in capitals ("BAGHDAD", "RAS AL-AIN"), or capitalised and followed by a date
    or an agency in brackets; then may come regions or a country ("Lebanon") and a date, each
    after a comma; then the dash, and the report in ordinary case. A headline in capitals
    ("ROCKETS HIT TAJI - OFFICIALS") is not a dateline.
    """
    m = _WIRE_HEAD.match(paragraph)
    if m is None or not re.search(r"[a-z]", paragraph[m.end():m.end() + 60]):
        return None
    head = m[1].strip()
    agency = _AGENCY.search(head)
    if agency:
        head = head[:agency.start()]
    place, _, rest = (part.strip() for part in head.partition(","))
    words = place.split()
    if not 1 <= len(words) <= 4 or place in _STORY_LABELS \
            or not all(_DATELINE_WORD.fullmatch(w) for w in words):
        return None
    parts = [p.strip() for p in rest.split(",")] if rest else []
    dated = next((k for k, p in enumerate(parts)
                  if re.search(r"\d", p) or re.match(rf"{MONTH}|{WEEKDAY}", p)), len(parts))
    regions, when = parts[:dated], ", ".join(parts[dated:])
    if not all(1 <= len(r.split()) <= 3 and all(_DATELINE_WORD.fullmatch(w) for w in r.split())
               for r in regions):
        return None
    day = parse_dateline(when) if when else None
    if when and day is None and not _YEARLESS_DATE.fullmatch(when):
        return None
    if not (place.isupper() or agency or when):
        return None  # "Gaza - a year on": a capitalised word and a dash is not enough
    return WireDateline(place=place, date=day, start=0, end=m.end())


def _find_wire_dateline(body: str) -> WireDateline | None:
    """A wire dateline opening one of the first paragraphs of a clean body, with its offsets
    into the body."""
    offset = 0
    for paragraph in body.split("\n")[:DATELINE_SEARCH_LINES * 2]:
        found = wire_dateline(paragraph) if paragraph else None
        if found is not None:
            return replace(found, start=offset, end=offset + found.end)
        offset += len(paragraph) + 1
    return None


def _guess_title(body: str) -> str:
    """The first short line that reads like a headline (no final period, not a byline)."""
    for raw in body.split("\n")[:5]:
        line = raw.strip().strip("=#*").strip()
        if (len(line.split()) >= 2 and len(line) <= 150 and not re.search(r"[.!?:]$", line)
                and not re.match(r"(?i)by\s", line)):
            return line
    return ""


def _article_from_plain(text: str, source: str, published: date | None, path: str | None,
                        encoding: str = "utf-8") -> Article:
    lines = _normalise(text).split("\n")
    header, lines = _split_header(lines)
    when, where = _resolve_date(published, header.get("date"))
    if when is None:
        when, index = _find_dateline(lines)
        if when is not None and index is not None:
            where = "dateline"
            lines = lines[:index] + lines[index + 1:]
    body = clean_lines(lines)
    title = header.get("title") or _guess_title(body)
    return _make(body, title, header.get("url") or source, when, where, path, encoding)


def _resolve_date(published: date | None, header_date: str | None) -> tuple[date | None, str]:
    if published is not None:
        return published, "argument"
    if header_date:
        d = parse_dateline(header_date)
        if d is not None:
            return d, "header"
    return None, "none"


def _make(body: str, title: str, source: str, published: date | None, published_from: str,
          path: str | None, encoding: str) -> Article:
    wire = _find_wire_dateline(body)
    if published is None and wire is not None and wire.date is not None:
        published, published_from = wire.date, "dateline"
    return Article(
        text=body, title=title.strip(), source=source, published=published,
        published_from=published_from if published is not None else "none", path=path,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(), encoding=encoding,
        dateline=(wire.start, wire.end) if wire else (0, 0),
    )


# --- HTML ---------------------------------------------------------------------------------------

_HTML_START = re.compile(r"(?is)^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         r"<(?:!doctype\s+html|html|head|body)\b")


def _looks_like_html(p: Path | None, text: str) -> bool:
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
    "parsely-pub-date", "article:modified_time",
)


class _PageParser(HTMLParser):
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
        self.h1 = ""
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
        skip = tag in SKIP_TAGS or bool(BOILERPLATE_ATTR.search(marker)) or \
            a.get("aria-hidden") == "true" or "hidden" in a
        if tag in ("article", "main") or a.get("role") == "main":
            self.main_depth += 1
        self.stack.append((tag, skip))
        self.open_tags[tag] += 1
        self.skip_depth += skip
        self._in_title = self._in_title or tag == "title"
        self._in_h1 = self._in_h1 or tag == "h1"
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


def _article_from_html(html: str, source: str, p: Path | None, published: date | None,
                       encoding: str) -> Article:
    parser = _PageParser()
    try:
        parser.feed(_close_dangling_tags(html))
        parser.close()
    except (AssertionError, ValueError) as exc:  # malformed markup html.parser cannot take
        raise ArticleError(f"{source}: cannot parse HTML ({exc})") from None
    # control characters and decomposed accents, as in plain text (tags and entities hide them
    # from the byte-level binary test: "&#1;", UTF-16 pages)
    lines = [(_normalise(t).strip(), in_main) for t, in_main in parser.lines]
    main = [t for t, in_main in lines if in_main and t]
    chosen = main if sum(len(t) for t in main) >= 200 else [t for t, _ in lines if t]
    body = clean_lines(_paragraphs(chosen))
    if len(body) < 20:
        raise ArticleError(f"{source}: HTML page has no article text")
    when, where = _html_date(parser, published)
    title = _normalise(parser.meta.get("og:title") or parser.h1 or parser.title
                       or _guess_title(body))
    url = parser.canonical or parser.meta.get("og:url") or source
    return _make(body, re.sub(r"\s+", " ", title), url, when, where,
                 str(p) if p else None, encoding)


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


def _html_date(parser: _PageParser, published: date | None) -> tuple[date | None, str]:
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
    d, _ = _find_dateline([t for t, _ in parser.lines])
    return (d, "dateline") if d is not None else (None, "none")
