"""What ``conflict-map watch`` can watch, each polled the same way:

* an ``http(s)://`` feed (RSS or Atom), fetched with a conditional GET;
* a feed file on disk (``.xml``, ``.rss``, ``.atom``, or any file that starts like XML);
* a folder of saved pages (every article file in it is an entry);
* a file of URLs, one per line (``#`` comments): every URL is an article to fetch once.

:func:`source_for` picks the kind from the argument and refuses, in one line, a path that
does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from geo.articles import ARTICLE_SUFFIXES
from geo.inputs import InputError, read_limited
from geo.monitor.feeds import Entry, FeedError, normal_link, parse_feed
from geo.monitor.fetch import Fetcher, FetchError

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
ACCEPT_FEEDS = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                "text/xml;q=0.9, */*;q=0.1")


class SourceError(Exception):
    """A source that cannot be polled now; one line, without the source's name."""


@dataclass
class Poll:
    """One poll's outcome: entries (all of them: the monitor skips those seen before), or
    ``not_modified``; the validators to send next time; lines worth a warning."""

    entries: list[Entry] = field(default_factory=list)
    not_modified: bool = False
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """A watched thing: ``name`` is how the user gave it (and its key in the store)."""

    name: str
    kind: str  # "feed", "feed-file", "folder", "urls"

    def poll(self, fetcher: Fetcher, *, etag: str | None, last_modified: str | None,
             max_bytes: int) -> Poll:
        try:
            if self.kind == "feed":
                return self._poll_feed(fetcher, etag, last_modified, max_bytes)
            if self.kind == "feed-file":
                title, entries = parse_feed(self._read(max_bytes), self.name)
                return Poll(entries, title=title)
            if self.kind == "folder":
                return self._poll_folder()
            return self._poll_urls(max_bytes)
        except (FetchError, FeedError) as exc:
            raise SourceError(str(exc)) from None

    def _read(self, max_bytes: int) -> bytes:
        try:
            return read_limited(Path(self.name), max_bytes)
        except InputError as exc:  # "<path>: too large ...": the caller names the source
            message, prefix = str(exc), f"{self.name}: "
            raise SourceError(message.removeprefix(prefix)) from None

    def _poll_feed(self, fetcher: Fetcher, etag: str | None, last_modified: str | None,
                   max_bytes: int) -> Poll:
        reply = fetcher.get(self.name, max_bytes=max_bytes, etag=etag,
                            last_modified=last_modified, accept=ACCEPT_FEEDS)
        if reply.not_modified:
            return Poll(not_modified=True, etag=etag, last_modified=last_modified)
        title, entries = parse_feed(reply.body, self.name, base_url=reply.url)
        return Poll(entries, title=title, etag=reply.etag, last_modified=reply.last_modified)

    def _poll_folder(self) -> Poll:
        folder = Path(self.name)
        if not folder.is_dir():
            raise SourceError("folder is gone")
        files = sorted(p for p in folder.iterdir()
                       if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                       and not p.name.startswith("."))
        return Poll([Entry(keys=(f"file:{p.resolve()}",), name=str(p), title=p.stem, path=p)
                     for p in files])

    def _poll_urls(self, max_bytes: int) -> Poll:
        poll = Poll()
        path = Path(self.name)
        if path.is_file() and not path.read_bytes()[:4096].strip() and path.stat().st_size < 4096:
            return poll  # an empty list: nothing to read yet
        text = self._read(max_bytes).decode("utf-8", errors="replace")
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = urlsplit(line)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                poll.warnings.append(f"line {number}: not an http(s) URL: {line[:80]!r}")
                continue
            poll.entries.append(Entry(keys=("link:" + normal_link(line),), name=line,
                                      link=line))
        return poll


def source_for(arg: str) -> Source:
    """The source an argument of ``watch`` names; a path that does not exist is an error."""
    parts = urlsplit(arg)
    if parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise ValueError(f"{arg}: not a feed URL")
        return Source(arg, "feed")
    if len(parts.scheme) > 1 and arg.startswith(f"{parts.scheme}://"):
        raise ValueError(f"{arg}: only http(s) feeds, feed files, folders of pages and files "
                         "of URLs can be watched")
    path = Path(arg).expanduser()
    if path.is_dir():
        return Source(str(path.resolve()), "folder")
    if not path.is_file():
        raise ValueError(f"{arg}: no such file or folder")
    if path.suffix.lower() in FEED_SUFFIXES or _starts_like_xml(path):
        return Source(str(path.resolve()), "feed-file")
    return Source(str(path.resolve()), "urls")


def _starts_like_xml(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head.startswith(b"<")
