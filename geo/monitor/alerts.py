"""Alerts near watched places: which stored events fall within a watch's radius, and where
an alert goes once the store has recorded it (the terminal, a JSON Lines file, a webhook).

The store decides what is new (``Store.record_alerts``: one alert per watch and stored
event, whatever the number of reports merged into it); this module only measures and
delivers.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import urlsplit

from geo.geodesy import haversine_km
from geo.model import Event

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km|m|mi)?\s*$", re.IGNORECASE)
_TO_KM = {"km": 1.0, "m": 0.001, "mi": 1.609344}


def parse_radius(text: str) -> float:
    """``25km``, ``25 km``, ``2500m``, ``10mi`` or a bare number of kilometres, in km."""
    match = _LENGTH.match(str(text))
    if not match:
        raise ValueError(f"radius {text!r} is not a distance (25km, 2500m, 10mi)")
    km = float(match[1]) * _TO_KM[(match[2] or "km").lower()]
    if not 0 < km <= 20_000:
        raise ValueError(f"radius {text!r} must be more than 0 and at most 20,000 km")
    return km


def within(event: Event, watchlist: Iterable[dict[str, Any]]) -> list[tuple[str, float]]:
    """(watch name, km) of every watch whose radius holds the event: a reported event with a
    point (a plan, a threat or a denial is not an event that happened)."""
    if event.status != "reported" or not event.has_point:
        return []
    out = []
    for watch in watchlist:
        km = haversine_km(event.lat, event.lon, watch["lat"], watch["lon"])  # type: ignore
        if km <= watch["radius_km"]:
            out.append((watch["name"], round(km, 3)))
    return out


def describe(alert: dict[str, Any]) -> str:
    """One line for the terminal."""
    evidence = " ".join(str(alert.get("evidence") or "").split())
    if len(evidence) > 160:
        evidence = evidence[:159] + "…"
    place = alert.get("place_name") or "an unnamed place"
    when = alert.get("date") or "an unknown date"
    return (f"ALERT {alert['watch']}: {alert.get('event_type')} at {place} on {when}, "
            f"{alert['distance_km']:.1f} km away: \"{evidence}\" "
            f"({alert.get('source') or 'no source'})")


class Sink(Protocol):
    """Where alerts go; ``send`` raises OSError or ValueError with one line when it fails."""

    def send(self, alert: dict[str, Any]) -> None: ...


@dataclass
class PrintSink:
    stream: TextIO

    def send(self, alert: dict[str, Any]) -> None:
        print(describe(alert), file=self.stream, flush=True)


@dataclass
class JsonlSink:
    """Appends one JSON object per alert to a file the user names."""

    path: Path

    def __post_init__(self) -> None:
        if self.path.is_dir():
            raise ValueError(f"{self.path}: is a folder; give a file name for the alerts")
        if not self.path.parent.is_dir():
            raise ValueError(f"{self.path.parent}: no such folder for the alerts file")

    def send(self, alert: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(alert, ensure_ascii=False, sort_keys=True) + "\n")


@dataclass
class WebhookSink:
    """POSTs each alert as JSON to a URL the user names (a chat or incident tool's
    incoming webhook); a refusal or timeout is one line, and the alert stays recorded."""

    url: str
    user_agent: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook {self.url!r} is not an http(s) URL")

    def send(self, alert: dict[str, Any]) -> None:
        body = json.dumps({"text": describe(alert), "alert": alert}, ensure_ascii=False)
        request = urllib.request.Request(
            self.url, data=body.encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json", "User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310
                reply.read(65_536)
        except urllib.error.HTTPError as exc:
            raise ValueError(f"webhook {self.url} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ValueError(f"webhook {self.url}: {' '.join(str(reason).split())}") from None
