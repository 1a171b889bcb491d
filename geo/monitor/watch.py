"""One watch cycle: poll every source, read each entry not seen before, extract and store its
events once, and alert on those near a watched place.

Every source is polled on its own: one that is down, malformed or not a feed is one line in
the cycle's errors and the others go on. An entry is recorded in the store under every key
it is known by once it is read, so it is never read again, across restarts and by any
process watching into the same store; an entry that fails (its page is gone) is tried again
on later cycles, at most ``max_attempts`` times.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from geo.articles import Article, ArticleError, article_from_bytes, read_article
from geo.config import Settings
from geo.monitor.alerts import Sink, within
from geo.monitor.feeds import Entry, content_key
from geo.monitor.fetch import Fetcher, FetchError
from geo.monitor.sources import Poll, Source, SourceError
from geo.pipeline import store_article
from geo.store import Store, StoreError

if TYPE_CHECKING:
    from geo.extract import Extractor


@dataclass(frozen=True)
class WatchOptions:
    """The limits of a watch run (the CLI's flags)."""

    timeout: float = 10.0  # seconds, a whole request
    host_delay: float = 1.0  # seconds between two requests to one host
    max_feed_bytes: int = 20_000_000  # a feed of 10,000 entries is a few MB
    max_page_bytes: int = Settings.max_article_bytes
    max_entries: int = 100  # entries read per source per cycle; the rest wait their turn
    max_attempts: int = 3  # tries of an entry whose page cannot be read

    def __post_init__(self) -> None:
        for name in ("timeout", "host_delay", "max_feed_bytes", "max_page_bytes",
                     "max_entries", "max_attempts"):
            value = getattr(self, name)
            if value < 0 or (value == 0 and name not in ("host_delay",)):
                raise ValueError(f"{name.replace('_', '-')} must be more than 0, got {value}")


@dataclass
class CycleReport:
    """What one cycle did."""

    number: int
    started: str
    sources: int = 0
    not_modified: int = 0
    failed_sources: int = 0
    read: int = 0
    failed: int = 0
    seen: int = 0
    waiting: int = 0
    events: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"[{self.started}] cycle {self.number}: {self.sources} source(s) "
                f"({self.not_modified} not modified, {self.failed_sources} failed); "
                f"{self.read} new entries read ({self.failed} failed, {self.seen} seen before, "
                f"{self.waiting} waiting for the next cycle); {self.events} events: "
                f"{self.added} added, {self.merged} merged, {self.unchanged} unchanged; "
                f"{len(self.alerts)} alert(s)")


class Monitor:
    """Watches ``sources`` into ``store``. ``extractor`` is loaded on first need (a cycle
    that finds nothing new does not load the gazetteer); ``sinks`` get every new alert."""

    def __init__(self, store: Store, sources: Sequence[Source], settings: Settings, *,
                 options: WatchOptions | None = None,
                 extractor: Callable[[], Extractor] | None = None,
                 sinks: Sequence[Sink] = (), fetcher: Fetcher | None = None,
                 progress: bool = False) -> None:
        self.store, self.sources, self.settings = store, list(sources), settings
        self.options = options or WatchOptions(max_page_bytes=settings.max_article_bytes)
        self.fetcher = fetcher or Fetcher(settings.user_agent, timeout=self.options.timeout,
                                          host_delay=self.options.host_delay)
        self._load_extractor = extractor or (lambda: _default_extractor(settings))
        self._extractor: Extractor | None = None
        self.sinks = list(sinks)
        self.progress = progress
        self.cycles = 0

    def cycle(self) -> CycleReport:
        self.cycles += 1
        report = CycleReport(self.cycles, _now())
        for source in self.sources:
            report.sources += 1
            try:
                self._watch(source, report)
            except SourceError as exc:
                report.failed_sources += 1
                report.errors.append(f"{source.name}: {exc}")
                self.store.update_feed(source.name, source.kind, last_polled_at=_now(),
                                       last_error=str(exc), last_error_at=_now())
        return report

    def _watch(self, source: Source, report: CycleReport) -> None:
        state = self.store.feed(source.name) or {}
        limit = (self.options.max_feed_bytes if source.kind in ("feed", "feed-file")
                 else self.options.max_page_bytes)
        poll = source.poll(self.fetcher, etag=state.get("etag"),
                           last_modified=state.get("last_modified"), max_bytes=limit)
        report.errors += [f"{source.name}: {w}" for w in poll.warnings]
        if poll.not_modified:
            report.not_modified += 1
            self.store.update_feed(source.name, source.kind, last_polled_at=_now(),
                                   last_success_at=_now(), last_error=None)
            return
        todo = self._unseen(poll, report)
        report.waiting += max(0, len(todo) - self.options.max_entries)
        read = events = 0
        for entry in self._bar(todo[:self.options.max_entries], source):
            n = self._read_entry(source, entry, report)
            if n is not None:
                read, events = read + 1, events + n
        fields: dict[str, Any] = {"last_polled_at": _now(), "last_success_at": _now(),
                                  "last_error": None, "etag": poll.etag,
                                  "last_modified": poll.last_modified}
        if poll.title:
            fields["title"] = poll.title
        self.store.update_feed(source.name, source.kind, entries=read, events=events, **fields)

    def _unseen(self, poll: Poll, report: CycleReport) -> list[Entry]:
        """Entries none of whose keys is recorded as read (or failed too often)."""
        known = self.store.seen_entries(k for e in poll.entries for k in e.keys)
        todo, keys_taken = [], set()
        for entry in poll.entries:
            rows = [known[k] for k in entry.keys if k in known]
            done = any(r["status"] == "read" or r["attempts"] >= self.options.max_attempts
                       for r in rows)
            if done or keys_taken & set(entry.keys):  # the same entry twice in one feed
                report.seen += 1
                continue
            keys_taken |= set(entry.keys)
            todo.append(entry)
        return todo

    def _read_entry(self, source: Source, entry: Entry, report: CycleReport) -> int | None:
        """Read, extract and store one entry; the events it gave, or None when it failed."""
        keys = list(entry.keys)
        try:
            data, name = self._content(entry)
            keys.append(content_key(data))
            if self.store.seen_entries(keys[-1:]):  # the same page under another link
                self.store.mark_entry(keys, feed=source.name, status="read", link=entry.link,
                                      title=entry.title)
                report.seen += 1
                return 0
            article = self._article(entry, data, name)
            events = self._extractor_now().extract(article)
            result = store_article(self.store, article, events)
        except StoreError:
            raise  # the store is down: the cycle fails, the entry is not to blame
        except Exception as exc:  # noqa: BLE001 - one entry never stops the watch
            message = str(exc) if isinstance(exc, FetchError | ArticleError) else (
                f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            report.failed += 1
            report.errors.append(f"{entry.name}: {message}")
            self.store.mark_entry(keys, feed=source.name, status="failed", link=entry.link,
                                  title=entry.title, error=message)
            return None
        report.read += 1
        report.events += len(events)
        report.added += result.added
        report.merged += result.merged
        report.unchanged += result.unchanged
        self.store.mark_entry(keys, feed=source.name, status="read", link=entry.link,
                              title=entry.title or article.title, article_key=article.sha256,
                              events=len(events))
        if not result.article_seen:
            self._alert(events, report)
        return len(events)

    def _content(self, entry: Entry) -> tuple[bytes, str]:
        if entry.path is not None:  # (the reader refuses a page over the limit)
            try:
                with entry.path.open("rb") as page:
                    return page.read(self.options.max_page_bytes + 1), str(entry.path)
            except OSError as exc:
                raise ArticleError(f"cannot read: {exc.strerror or exc}") from None
        if entry.link:
            reply = self.fetcher.get(entry.link, max_bytes=self.options.max_page_bytes,
                                     accept="text/html, text/plain;q=0.9, */*;q=0.1")
            return reply.body, reply.url
        return entry.content or b"", entry.name

    def _article(self, entry: Entry, data: bytes, name: str) -> Article:
        if entry.path is not None:
            article = read_article(entry.path, max_bytes=self.options.max_page_bytes)
        else:
            if len(data) > self.options.max_page_bytes:
                raise ArticleError(f"over the {self.options.max_page_bytes:,}-byte limit")
            article = article_from_bytes(data, name)
        if article.published is None and entry.published is not None:  # the feed's date
            article = (read_article(entry.path, published=entry.published,
                                    max_bytes=self.options.max_page_bytes)
                       if entry.path is not None else
                       article_from_bytes(data, name, published=entry.published))
        return article

    def _alert(self, events: list, report: CycleReport) -> None:
        watchlist = self.store.watchlist()
        if not watchlist:
            return
        candidates = []
        for ev in events:
            stored = self.store.get(ev.event_id)  # merged into another report's event?
            if stored is not None:
                candidates += [(name, ev.event_id, km) for name, km in within(stored, watchlist)]
        if not candidates:
            return
        radius = {w["name"]: w for w in watchlist}
        for alert in self.store.record_alerts(candidates):
            watch = radius.get(alert["watch"], {})
            alert["radius_km"] = watch.get("radius_km")
            alert["watch_lat"], alert["watch_lon"] = watch.get("lat"), watch.get("lon")
            report.alerts.append(alert)
            for sink in self.sinks:
                try:
                    sink.send(alert)
                except (OSError, ValueError) as exc:
                    report.errors.append(f"alert {alert['id']}: {exc}")

    def _extractor_now(self) -> Extractor:
        if self._extractor is None:
            self._extractor = self._load_extractor()
        return self._extractor

    def _bar(self, entries: list[Entry], source: Source):
        if not self.progress or len(entries) < 2 or not sys.stderr.isatty():
            return entries
        from tqdm import tqdm

        return tqdm(entries, desc=source.name[-40:], unit="entry", file=sys.stderr,
                    leave=False)


def _default_extractor(settings: Settings) -> Extractor:
    from geo.pipeline import load_extractor

    return load_extractor(settings)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
