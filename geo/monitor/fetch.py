"""Polite, bounded HTTP GETs: conditional (ETag, Last-Modified), a timeout on the whole
request, a cap on the bytes read, and a delay between two requests to the same host.

Only http and https: a feed cannot make the monitor read a local file (``file://``). The
network is used only for feeds the user names (``conflict-map watch URL``); nothing here runs
otherwise.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

#: Bytes read at a time (the cap is checked between reads).
CHUNK = 65_536


class FetchError(Exception):
    """A request that gave no usable answer; the message is one line (no URL: the caller
    names the feed or entry)."""


@dataclass(frozen=True, slots=True)
class Response:
    """What a GET gave: the body (empty when not modified), the validators for the next
    conditional GET, the final URL (after redirects) and the content type."""

    url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Fetcher:
    """GETs with the limits of one watch run. ``host_delay`` seconds pass between two
    requests to one host (across threads); ``timeout`` bounds a whole request (connecting,
    waiting and reading); a body over ``max_bytes`` is refused, not cut."""

    user_agent: str
    timeout: float = 10.0
    host_delay: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def wait_for(self, host: str) -> None:
        """Sleep until ``host`` may be asked again, and book the request."""
        with self._lock:
            now = self.clock()
            ready = self._last.get(host, float("-inf")) + self.host_delay
            self._last[host] = max(now, ready)
        if ready > now:
            self.sleep(ready - now)

    def get(self, url: str, *, max_bytes: int, etag: str | None = None,
            last_modified: str | None = None, accept: str = "*/*") -> Response:
        """GET ``url``; a 304 (when validators are given) is a Response with no body."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"not an http(s) URL: {url!r}")
        headers = {"User-Agent": self.user_agent, "Accept": accept,
                   "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self.wait_for(parts.hostname.lower())
        deadline = self.clock() + self.timeout
        request = urllib.request.Request(url, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                body = self._read(reply, max_bytes, deadline)
                return Response(reply.geturl(), reply.status, body, reply.headers.get("ETag"),
                                reply.headers.get("Last-Modified"),
                                reply.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(url, 304, etag=etag, last_modified=last_modified)
            raise FetchError(f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise FetchError(f"cannot connect: {_reason(exc.reason)}") from None
        except TimeoutError:
            raise FetchError(f"timed out after {self.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:  # reset, cut short, bad chunks
            raise FetchError(f"connection failed: {_reason(exc)}") from None

    def _read(self, reply: Any, max_bytes: int, deadline: float) -> bytes:
        length = _content_length(reply.headers)
        if length is not None and length > max_bytes:
            raise FetchError(f"{length:,} bytes, over the {max_bytes:,}-byte limit")
        parts: list[bytes] = []
        size = 0
        while chunk := reply.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"over the {max_bytes:,}-byte limit")
            if self.clock() > deadline:
                raise FetchError(f"timed out after {self.timeout:g} s (still reading)")
            parts.append(chunk)
        if length is not None and size < length:
            raise FetchError(f"cut short: {size:,} of {length:,} bytes")
        return b"".join(parts)


def _content_length(headers: Message) -> int | None:
    try:
        return int(headers["Content-Length"]) if headers["Content-Length"] else None
    except ValueError:
        return None


def _reason(reason: object) -> str:
    return " ".join(str(reason).split()) or type(reason).__name__
