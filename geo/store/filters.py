"""The filters, validated once before any store is touched: a :class:`Query` both stores
turn into SQL, and the snapshot into numpy masks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from geo.model import STATUSES
from geo.store.rules import as_list, iso_day

Spans = tuple[tuple[float, float, float, float], ...]


@dataclass(frozen=True, slots=True)
class Query:
    """Validated filters. ``actors`` and ``text`` are case-folded; ``spans`` are the bbox as
    (west, east, south, north) pieces that do not cross the antimeridian. ``repr`` is a
    cache key: equal filters give equal reprs."""

    types: tuple[str, ...] | None = None
    datasets: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    actors: tuple[str, ...] | None = None
    text: str | None = None
    min_fatalities: int | None = None
    statuses: tuple[str, ...] | None = None
    added_since: str | None = None
    since: str | None = None
    until: str | None = None
    spans: Spans | None = None
    include_undated: bool = True
    include_unlocated: bool = True
    limit: int | None = None


def _tuple(value: Any) -> tuple[str, ...] | None:
    values = as_list(value)
    return None if values is None else tuple(values)


def parse_query(types: Any = None, since: Any = None, until: Any = None, bbox: Any = None,
                datasets: Any = None, countries: Any = None, actors: Any = None,
                text: str | None = None, min_fatalities: int | None = None,
                include_undated: bool = True, include_unlocated: bool = True,
                limit: int | None = None, statuses: Any = None,
                added_since: Any = None) -> Query:
    """Check the filters before touching the database; bad values raise ValueError."""
    actor_list = _tuple(actors)
    status_list = _tuple(statuses)
    unknown = [s for s in status_list or () if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status(es) {', '.join(map(repr, unknown))}; known: "
                         f"{', '.join(STATUSES)}")
    if limit is not None and int(limit) < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    since_day = None if since is None else iso_day(since, "since")
    until_day = None if until is None else iso_day(until, "until")
    if since_day and until_day and since_day > until_day:
        raise ValueError(f"since {since_day} is after until {until_day}")
    return Query(
        types=_tuple(types), datasets=_tuple(datasets), countries=_tuple(countries),
        actors=None if actor_list is None else tuple(a.casefold() for a in actor_list),
        text=str(text).casefold() if text else None,
        min_fatalities=None if min_fatalities is None else int(min_fatalities),
        statuses=status_list,
        added_since=None if added_since is None else utc_instant(added_since, "added_since"),
        since=since_day, until=until_day, spans=None if bbox is None else bbox_spans(bbox),
        include_undated=bool(include_undated), include_unlocated=bool(include_unlocated),
        limit=None if limit is None else int(limit))


def utc_instant(value: str | date | datetime, what: str) -> str:
    """An instant as the store writes it (``added_at``: ISO 8601, UTC, six decimals), from a
    datetime (naive: UTC), a date (its midnight, UTC) or an ISO text."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{what} {value!r} is not an ISO date or time") from None
    if not isinstance(value, datetime):
        if not isinstance(value, date):
            raise ValueError(f"{what} {value!r} is not a date or time")
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def bbox_spans(bbox: Sequence[float]) -> Spans:
    """(west, east, south, north) spans of a bbox; west > east crosses the antimeridian."""
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(f"bbox must be (west, south, east, north), got {bbox!r}") from None
    if not (-90 <= south <= north <= 90) or not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValueError(f"bbox {tuple(bbox)!r} is not (west, south, east, north) in degrees")
    if west <= east:
        return ((west, east, south, north),)
    return ((west, 180.0, south, north), (-180.0, east, south, north))


def cell_size(cell_deg: Any) -> float:
    """A bin size in degrees, checked."""
    try:
        cell = float(cell_deg)
    except (TypeError, ValueError):
        raise ValueError(f"cell size must be a number of degrees, got {cell_deg!r}") from None
    if not (0 < cell <= 180):
        raise ValueError(f"cell size must be in (0, 180] degrees, got {cell_deg!r}")
    return cell
