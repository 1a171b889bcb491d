"""What every event store is: the :class:`Store` interface, its results and its errors.

The page, the pipeline, the CLI, the exports and the monitor speak only this interface; the
embedded SQLite store (:mod:`geo.store.sqlite`, the default) and the shared PostGIS store
(:mod:`geo.store.postgis`) both implement it with the same schema and semantics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

    from geo.model import Event
    from geo.store.snapshot import EventColumns

#: Datasets whose events are merged across reports. Imported datasets (UCDP, ACLED) are
#: curated records with stable ids: two of them on the same day and place are two events.
MERGE_DATASETS = frozenset({"news"})
#: Types for which two undated reports at the same place are the same thing (a base, a
#: crossing exists; an attack without a date cannot be matched to another).
UNDATED_MERGE_TYPES = frozenset({"base", "border_crossing"})
#: Merge radius and date slack.
MERGE_KM = 25.0
MERGE_DAYS = 1
#: Rows per batch on the bulk path (bounds memory, not transactions).
BULK_BATCH = 20_000
#: Filters whose facets one store keeps (a page session uses a handful).
FACET_CACHE_SIZE = 32
#: What :meth:`Store.facets` can count.
FACET_FIELDS = ("total", "drawable", "by_type", "by_dataset", "by_country", "by_status",
                "actors", "by_day", "date_min", "date_max", "bounds")


class StoreError(Exception):
    """A store that cannot be opened or written; the message names the store and the problem."""


@dataclass(frozen=True, slots=True)
class AddResult:
    """What one ``add_events`` call did."""

    added: int = 0
    merged: int = 0
    unchanged: int = 0
    article_seen: bool = False


class Filters(TypedDict, total=False):
    """The filters of :meth:`Store.query`, ``query_frame`` and ``count``, all optional.

    ``since``/``until`` keep events whose date range overlaps them; ``bbox`` is (west, south,
    east, north), west > east crossing the antimeridian; ``types``, ``datasets``,
    ``countries`` take one value or several; ``actors`` (any of) and ``text`` (place, place
    name, evidence, actors) match case-insensitive substrings; ``min_fatalities`` compares
    ``killed``; ``statuses`` keeps events of those statuses (``geo.model.STATUSES``; default
    all: the map asks for ``"reported"``); ``added_since`` (a datetime, date or ISO text; UTC
    when naive) keeps events first stored at or after it (rows migrated from schema 1 have
    no such time and never pass). Events a date or bbox filter cannot judge (undated,
    unlocated) pass only when ``include_undated`` / ``include_unlocated`` (default True).
    Bad values raise ValueError.
    """

    types: str | Iterable[str] | None
    since: str | date | None
    until: str | date | None
    bbox: Sequence[float] | None
    datasets: str | Iterable[str] | None
    countries: str | Iterable[str] | None
    actors: str | Iterable[str] | None
    text: str | None
    min_fatalities: int | None
    statuses: str | Iterable[str] | None
    added_since: str | date | datetime | None
    include_undated: bool
    include_unlocated: bool
    limit: int | None


@runtime_checkable
class Store(Protocol):
    """An event store: see docs/store.md for the semantics both implementations share."""

    #: Where the store is (a file path or a URL without its password), for messages.
    location: str

    # --- lifecycle
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...
    @property
    def schema_version(self) -> int: ...
    def integrity_check(self) -> str: ...

    # --- writing
    def add_events(self, events: Iterable[Event], *, article_key: str | None = None,
                   article: dict | None = None) -> AddResult: ...
    def replace_event(self, event_id: str, event: Event) -> str: ...

    # --- reading
    def query(self, **filters: Unpack[Filters]) -> list[Event]: ...
    def query_frame(self, **filters: Unpack[Filters]) -> pd.DataFrame: ...
    def count(self, **filters: Unpack[Filters]) -> int: ...
    def __len__(self) -> int: ...
    def get(self, event_id: str) -> Event | None: ...
    def articles(self) -> list[dict]: ...
    def stats(self) -> dict[str, Any]: ...

    # --- the map at scale
    def facets(self, **kwargs: Any) -> dict[str, Any]: ...
    def bins(self, cell_deg: float, **kwargs: Any) -> pd.DataFrame: ...
    def fast_bins(self, cell_deg: float, **kwargs: Any) -> pd.DataFrame: ...
    def columns(self, *, wait: bool = True) -> EventColumns | None: ...
    def generation(self) -> int: ...

    # --- the monitor's state (geo.store.monitoring)
    def feeds(self) -> list[dict[str, Any]]: ...
    def feed(self, url: str) -> dict[str, Any] | None: ...
    def update_feed(self, url: str, kind: str, *, entries: int = 0, events: int = 0,
                    **fields: Any) -> None: ...
    def seen_entries(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def mark_entry(self, keys: Iterable[str], *, feed: str, status: str,
                   link: str | None = None, title: str | None = None,
                   article_key: str | None = None, events: int = 0,
                   error: str | None = None) -> None: ...
    def add_watch(self, name: str, lat: float, lon: float, radius_km: float, *,
                  place_id: str | None = None, place_name: str | None = None,
                  country: str | None = None) -> dict[str, Any]: ...
    def watchlist(self) -> list[dict[str, Any]]: ...
    def remove_watch(self, name: str) -> bool: ...
    def record_alerts(self, alerts: Iterable[tuple[str, str, float]]
                      ) -> list[dict[str, Any]]: ...
    def alerts(self, *, since: str | None = None, limit: int | None = None
               ) -> list[dict[str, Any]]: ...
    def alert_count(self, *, since: str | None = None) -> int: ...
    def last_visit(self, who: str = "default") -> str | None: ...
    def mark_visit(self, who: str = "default", at: str | None = None) -> str | None: ...
