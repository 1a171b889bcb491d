"""Feed documents to entries: RSS 0.9x/1.0/2.0 and Atom, parsed with ``feedparser``.

An entry is known by the keys it can be recognised by again: its GUID, its link and, when
it has neither, a hash of its content. A feed that is not XML, not a feed, or cut short is a
:class:`FeedError`: nothing of it is read (entries of a damaged document may be damaged too),
and its validators are not kept, so the next poll fetches it whole again.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
import xml.sax
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_HTML = re.compile(rb"(?is)\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b")


class FeedError(Exception):
    """A feed document that cannot be read; one line, without the feed's name."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing to read: an article behind ``link`` (fetched), or ``content`` (the bytes of
    a saved page, or of an entry that carries its text and has no link)."""

    keys: tuple[str, ...]
    name: str  # for messages and as the article's source when it has no link
    title: str = ""
    link: str | None = None
    published: date | None = None
    content: bytes | None = None
    path: Path | None = None


def normal_link(url: str) -> str:
    """A link as a key: scheme and host lower case, no default port, no fragment, no
    ``utm_*`` tracking parameters."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80)
                     or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith("utm_")])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def content_key(data: bytes) -> str:
    return "hash:" + hashlib.sha256(data).hexdigest()


def _guid_key(guid: str, feed: str) -> str:
    """A GUID that looks globally unique (a URL, a tag: or urn: URI) is a key across feeds
    (one article in two feeds is read once); a short one ("42") only within its feed."""
    guid = guid.strip()
    if ":" in guid and len(guid) >= 12:
        return f"guid:{guid}"
    return f"guid:{feed}#{guid}"


def _day(struct: time.struct_time | None) -> date | None:
    if not struct:
        return None
    try:
        return date(struct.tm_year, struct.tm_mon, struct.tm_mday)
    except ValueError:
        return None


def _page(title: str, body: str) -> bytes:
    """An entry's own text as a page the article reader takes."""
    t = html.escape(title)
    return (f"<!doctype html><html><head><title>{t}</title></head><body><article>"
            f"<h1>{t}</h1>{body}</article></body></html>").encode()


def parse_feed(data: bytes, feed: str, base_url: str | None = None) -> tuple[str, list[Entry]]:
    """The feed's title and its entries, in document order (newest first in most feeds).
    ``feed`` names the feed in keys; ``base_url`` resolves relative links."""
    import feedparser

    headers = {"content-location": base_url} if base_url else {}
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception")
    if not parsed.get("version"):
        page = _HTML.match(data[:2048]) is not None
        raise FeedError("not an RSS or Atom feed" + (" (an HTML page)" if page else ""))
    if isinstance(problem, xml.sax.SAXException):
        raise FeedError(f"malformed feed ({' '.join(str(problem).split())})")
    entries = []
    for item in parsed.entries:
        title = " ".join(str(item.get("title", "")).split())
        link = item.get("link") or None
        if link and urlsplit(link).scheme not in ("http", "https"):
            link = None  # only web pages are fetched
        body = ""
        if item.get("content"):
            body = str(item["content"][0].get("value", ""))
        body = body or str(item.get("summary", ""))
        keys = []
        if item.get("id"):
            keys.append(_guid_key(str(item["id"]), feed))
        if link:
            keys.append("link:" + normal_link(link))
        if not keys:
            keys.append(content_key(json.dumps([title, body], ensure_ascii=False).encode()))
        entries.append(Entry(
            keys=tuple(keys), name=link or f"{feed}#{title or len(entries)}", title=title,
            link=link, published=_day(item.get("published_parsed") or
                                      item.get("updated_parsed")),
            content=None if link else _page(title, body)))
    return " ".join(str(parsed.feed.get("title", "")).split()), entries
