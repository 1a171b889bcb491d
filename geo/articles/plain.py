"""Plain text: header lines, page furniture, the dateline and a title guessed from the top.

The HTML reader cleans its lines with the same :func:`clean_lines` and :func:`normalise`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from geo.articles.article import Article, make_article
from geo.articles.datelines import find_dateline
from geo.text.dates import parse_dateline

#: Header keys read from leading ``KEY: value`` lines (aliases map to the same field).
HEADER_KEYS: dict[str, str] = {
    "url": "url", "source": "url", "link": "url", "date": "date", "published": "date",
    "title": "title", "headline": "title",
}

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
    # a wire story's credits: "Reporting by Jane Doe; Additional reporting by ...; Editing by"
    # (each clause a few words, no final stop: "Reporting by Reuters found that..." is prose)
    r"(?:(?:additional\s+)?(?:reporting|writing|editing|compiled|produced)\s+by"
    r"(?:\s+[^\s;]+){1,8}?\s*(?:;\s*|$))+(?<![.!?])",
    r"sign\s+up(?:\s+(?:for|to))?(?:\s+\S+){0,4}\s+newsletters?\.?",
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


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
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


def guess_title(body: str) -> str:
    """The first short line that reads like a headline (no final period, not a byline)."""
    for raw in body.split("\n")[:5]:
        line = raw.strip().strip("=#*").strip()
        if (len(line.split()) >= 2 and len(line) <= 150 and not re.search(r"[.!?:]$", line)
                and not re.match(r"(?i)by\s", line)):
            return line
    return ""


def article_from_plain(text: str, source: str, published: date | None, path: str | None,
                       encoding: str = "utf-8") -> Article:
    """The article of plain text: header lines, then a dateline, then the cleaned body."""
    lines = normalise(text).split("\n")
    header, lines = split_header(lines)
    when, where = resolve_date(published, header.get("date"))
    if when is None:
        when, index = find_dateline(lines)
        if when is not None and index is not None:
            where = "dateline"
            lines = lines[:index] + lines[index + 1:]
    body = clean_lines(lines)
    title = header.get("title") or guess_title(body)
    return make_article(body, title, header.get("url") or source, when, where, path, encoding)


def resolve_date(published: date | None, header_date: str | None) -> tuple[date | None, str]:
    if published is not None:
        return published, "argument"
    if header_date:
        d = parse_dateline(header_date)
        if d is not None:
            return d, "header"
    return None, "none"

