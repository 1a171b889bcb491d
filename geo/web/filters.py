"""What the sidebar asks of the store (:class:`Filters`), kept in the URL's query string so a
view can be shared as a link, and turned into the store's keyword arguments. Pure: no
Streamlit here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from geo.web.mapview import TYPE_STYLES
from geo.web.status import shown_statuses, status_kwargs

#: Query-string keys of the filters (short, so shared links stay readable).
Q_TYPES, Q_SINCE, Q_UNTIL, Q_ACTORS, Q_COUNTRIES, Q_DATASETS = (
    "type", "since", "until", "actor", "country", "dataset")
Q_TEXT, Q_MIN_KILLED, Q_UNDATED, Q_TILES = "q", "min_killed", "undated", "tiles"
Q_UNREPORTED = "unreported"


class FilterError(ValueError):
    """A filter value in the URL that cannot be understood."""


@dataclass(frozen=True)
class Filters:
    """What the sidebar asks of the store. ``None``/empty means "no filter on this field"."""

    types: tuple[str, ...] | None = None
    since: date | None = None
    until: date | None = None
    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    text: str = ""
    min_fatalities: int | None = None
    include_undated: bool = True
    online_tiles: bool = False
    #: show planned, threatened and denied events too (default: only reported ones)
    include_unreported: bool = False

    def store_kwargs(self, stored_types: Collection[str] = ()) -> dict[str, Any]:
        """Keyword arguments for ``Store.query_frame``/``count``. Types that include
        every one of ``stored_types`` (the store's) are no filter, and are left out: SQLite
        then plans without the type index (on a million events, counting the drawable ones
        took 2.8 s with the list of every type, 0.4 s without)."""
        kwargs: dict[str, Any] = {"include_undated": self.include_undated,
                                  **status_kwargs(shown_statuses(self.include_unreported))}
        if self.types is not None and not (stored_types and set(self.types) >= set(stored_types)):
            kwargs["types"] = list(self.types)
        if self.since is not None:
            kwargs["since"] = self.since
        if self.until is not None:
            kwargs["until"] = self.until
        if self.actors:
            kwargs["actors"] = list(self.actors)
        if self.countries:
            kwargs["countries"] = list(self.countries)
        if self.datasets:
            kwargs["datasets"] = list(self.datasets)
        if self.text.strip():
            kwargs["text"] = self.text.strip()
        if self.min_fatalities:
            kwargs["min_fatalities"] = self.min_fatalities
        return kwargs


def _one(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def _parse_day(value: str | None, key: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"URL parameter {key}={value!r} is not a YYYY-MM-DD date") from None


def filters_from_query(params: Mapping[str, Sequence[str]]) -> Filters:
    """Filters from query parameters (each key -> all its values, as ``get_all`` gives)."""
    types = tuple(params.get(Q_TYPES) or ()) or None
    if types is not None:
        if types == ("none",):
            types = ()
        unknown = [t for t in types if t not in TYPE_STYLES]
        if unknown:
            raise FilterError(f"unknown event type in URL: {', '.join(unknown)}")
    min_killed = _one(params, Q_MIN_KILLED)
    try:
        min_fatalities = int(min_killed) if min_killed else None
    except ValueError:
        raise FilterError(f"URL parameter {Q_MIN_KILLED}={min_killed!r} is not a number") from None
    if min_fatalities is not None and min_fatalities < 0:
        raise FilterError(f"URL parameter {Q_MIN_KILLED} must be >= 0, got {min_fatalities}")
    since, until = _parse_day(_one(params, Q_SINCE), Q_SINCE), _parse_day(
        _one(params, Q_UNTIL), Q_UNTIL)
    if since and until and since > until:
        raise FilterError(f"URL date range is reversed: {since} > {until}")
    return Filters(
        types=types, since=since, until=until,
        actors=tuple(params.get(Q_ACTORS) or ()),
        countries=tuple(params.get(Q_COUNTRIES) or ()),
        datasets=tuple(params.get(Q_DATASETS) or ()),
        text=_one(params, Q_TEXT) or "",
        min_fatalities=min_fatalities or None,
        include_undated=_one(params, Q_UNDATED) != "0",
        online_tiles=_one(params, Q_TILES) == "1",
        include_unreported=_one(params, Q_UNREPORTED) == "1",
    )


def filters_to_query(f: Filters) -> dict[str, str | list[str]]:
    """Query parameters for ``f``; default values are left out so links stay short."""
    q: dict[str, str | list[str]] = {}
    if f.types is not None:
        q[Q_TYPES] = list(f.types) or ["none"]
    if f.since:
        q[Q_SINCE] = f.since.isoformat()
    if f.until:
        q[Q_UNTIL] = f.until.isoformat()
    for key, values in ((Q_ACTORS, f.actors), (Q_COUNTRIES, f.countries),
                        (Q_DATASETS, f.datasets)):
        if values:
            q[key] = list(values)
    if f.text.strip():
        q[Q_TEXT] = f.text.strip()
    if f.min_fatalities:
        q[Q_MIN_KILLED] = str(f.min_fatalities)
    if not f.include_undated:
        q[Q_UNDATED] = "0"
    if f.online_tiles:
        q[Q_TILES] = "1"
    if f.include_unreported:
        q[Q_UNREPORTED] = "1"
    return q



def filters_key(kwargs: Mapping[str, Any]) -> str:
    """The store filters ``kwargs`` as a key for what the page keeps of them."""
    return repr(sorted(kwargs.items()))
