"""geopy-style geocoders: the offline gazetteer first, an optional online service behind it.

``GazetteerGeocoder`` answers like any geopy geocoder (``geocode``/``reverse`` returning
``geopy.location.Location``) from the offline index, with the Place fields, score and reasons in
``Location.raw``. ``ChainedGeocoder`` asks several in turn. ``cached_online_geocoder`` wraps
Nominatim (off unless ``Settings.online_geocoder == "nominatim"``) with an on-disk cache, a rate
limit and a short timeout; a network failure is logged and treated as "no answer", so an offline
machine is never blocked.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.config import Settings
from geo.gazetteer.index import Candidate, Gazetteer
from geo.model import Place

log = logging.getLogger(__name__)

Answer = Location | list[Location] | None


class GeocoderError(ValueError):
    """A query the geocoder cannot take (empty, or not a coordinate for reverse)."""


def place_location(place: Place, score: float | None = None,
                   reasons: Sequence[str] = ()) -> Location:
    """A geopy Location for a located Place; ``raw`` holds every Place field, score, reasons.

    geopy's Location must have a point, so an unlocated place raises :class:`GeocoderError`.
    """
    if not place.has_point:
        raise GeocoderError(f"place {place.id} has no coordinates")
    raw: dict[str, Any] = asdict(place)
    raw["aliases"] = list(place.aliases)
    raw["score"] = score
    raw["reasons"] = list(reasons)
    address = ", ".join(x for x in (place.name, place.admin1, place.country) if x)
    return Location(address, Point(place.lat, place.lon), raw)


def _parse_point(query: Any) -> tuple[float, float]:
    if isinstance(query, Point):
        return query.latitude, query.longitude
    try:
        if isinstance(query, str):
            lat, lon = (float(x) for x in query.split(","))
        else:
            lat, lon = (float(x) for x in query)
    except (TypeError, ValueError) as exc:
        raise GeocoderError(f"reverse needs 'lat, lon', got {query!r}") from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeocoderError(f"not a coordinate: {lat}, {lon}")
    return lat, lon


class GazetteerGeocoder(Geocoder):
    """The offline gazetteer behind geopy's geocoder interface."""

    def __init__(self, gazetteer: Gazetteer, *, reverse_km: float = 25.0) -> None:
        super().__init__()
        self.gazetteer = gazetteer
        self.reverse_km = reverse_km

    def geocode(self, query: str, exactly_one: bool = True,
                country_codes: str | Sequence[str] | None = None,
                limit: int | None = None, context: str = "",
                prefer_sites: bool = False) -> Answer:
        """Ranked places for a name; only located places, as a Location has to have a point."""
        if not isinstance(query, str) or not query.strip():
            raise GeocoderError("geocode needs a non-empty place name")
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or [])
        cands: list[Candidate] = self.gazetteer.candidates(
            query, country=codes or None, context=context, prefer_sites=prefer_sites,
            limit=max(limit or 10, 10), within=codes or None)
        located = [place_location(c.place, c.score, c.reasons) for c in cands
                   if c.place.has_point]
        if not located:
            return None
        return located[0] if exactly_one else located[: limit or len(located)]

    def reverse(self, query: Any, exactly_one: bool = True,
                kinds: Sequence[str] | None = None, limit: int = 5) -> Answer:
        """The nearest places (cities and towns by default) within ``reverse_km``."""
        lat, lon = _parse_point(query)
        found = self.gazetteer.nearest(lat, lon, kinds=kinds or ("city", "town"),
                                       limit=1 if exactly_one else limit,
                                       max_km=self.reverse_km)
        locations = [place_location(p, None, (f"{d:.1f} km away",)) for p, d in found]
        if not locations:
            return None
        return locations[0] if exactly_one else locations


class ChainedGeocoder:
    """Ask each geocoder in order; the first answer wins."""

    def __init__(self, geocoders: Sequence[Any]) -> None:
        if not geocoders:
            raise GeocoderError("ChainedGeocoder needs at least one geocoder")
        self.geocoders = list(geocoders)

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Answer:
        return self._first(lambda g: g.geocode(query, exactly_one=exactly_one, **kwargs))

    def reverse(self, query: Any, exactly_one: bool = True, **kwargs: Any) -> Answer:
        return self._first(lambda g: g.reverse(query, exactly_one=exactly_one, **kwargs))

    def _first(self, ask: Callable[[Any], Answer]) -> Answer:
        for geocoder in self.geocoders:
            answer = ask(geocoder)
            if answer:
                return answer
        return None


class CachedGeocoder:
    """An online geocoder behind a SQLite answer cache, a rate limit and a failure guard.

    Answers (including "nothing found") are cached per query, so a name is asked online once.
    Any exception from the service is logged as a warning and becomes ``None`` (not cached, so a
    later run may try again).
    """

    def __init__(self, geocoder: Any, cache_path: Path, min_delay: float = 1.0,
                 name: str = "online") -> None:
        from geopy.extra.rate_limiter import RateLimiter

        self.name = name
        self.geocoder = geocoder
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay,
                                    max_retries=0, swallow_exceptions=False)
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_path)
        self._db.execute("CREATE TABLE IF NOT EXISTS answers (query TEXT PRIMARY KEY, json TEXT)")
        self._db.commit()

    def geocode(self, query: str, exactly_one: bool = True, **kwargs: Any) -> Answer:
        key = json.dumps([self.name, query.strip().lower(), exactly_one, sorted(kwargs.items())],
                         default=str)
        row = self._db.execute("SELECT json FROM answers WHERE query = ?", (key,)).fetchone()
        if row is not None:
            return _from_json(json.loads(row[0]))
        try:
            answer = self._geocode(query, exactly_one=exactly_one, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any network/service error means "no answer"
            log.warning("online geocoder %s failed for %r: %s", self.name, query, exc)
            return None
        self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?)",
                         (key, json.dumps(_to_json(answer), default=str)))
        self._db.commit()
        return answer

    def reverse(self, query: Any, exactly_one: bool = True, **kwargs: Any) -> Answer:
        return None  # reverse lookups stay offline

    def close(self) -> None:
        self._db.close()


def _to_json(answer: Answer) -> Any:
    if answer is None:
        return None
    if isinstance(answer, list):
        return [_to_json(a) for a in answer]
    return {"address": answer.address, "lat": answer.latitude, "lon": answer.longitude,
            "raw": answer.raw}


def _from_json(data: Any) -> Answer:
    if data is None:
        return None
    if isinstance(data, list):
        return [_from_json(d) for d in data]
    return Location(data["address"], Point(data["lat"], data["lon"]), data["raw"])


def cached_online_geocoder(settings: Settings, service: Any = None) -> CachedGeocoder | None:
    """The online fallback if settings turn it on (``online_geocoder="nominatim"``), else None.

    ``service`` replaces the real Nominatim client (tests pass a fake; no network in tests).
    """
    choice = settings.online_geocoder
    if not choice:
        return None
    if choice != "nominatim":
        raise GeocoderError(f"unknown online geocoder {choice!r} (use 'nominatim' or '')")
    if service is None:
        from geopy.geocoders import Nominatim

        service = Nominatim(user_agent=settings.user_agent, timeout=settings.online_timeout)
    return CachedGeocoder(service, Path(settings.cache_dir) / "online-geocoder.sqlite",
                          min_delay=settings.online_min_delay, name=choice)


def default_geocoder(settings: Settings, gazetteer: Gazetteer) -> ChainedGeocoder:
    """The gazetteer, then the online fallback when settings turn it on."""
    online = cached_online_geocoder(settings)
    return ChainedGeocoder([GazetteerGeocoder(gazetteer), *([online] if online else [])])
