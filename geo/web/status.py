"""Which events the page shows by their status (``geo.model.STATUSES``): by default only those
reported as having happened; planned, threatened and denied ones when the sidebar asks.

The one place the page's status filter meets the store. The store does not filter by status
yet (its ``statuses=`` argument of query, count, facets and the snapshot is being added), so:

- :func:`store_args` gives the store the page's filters without ``statuses``, and
- :func:`query_frame` filters the frame the store returns (:func:`keep_statuses`).

Every read of events by the page goes through these two. When the store takes ``statuses=``,
:func:`store_args` passes it on and :func:`query_frame` no longer filters (set
:data:`STORE_FILTERS_STATUS`): the counts, the facets and the cells then leave the other
statuses out too (until then they count every status; a store of schema v1 holds only reported
events, which have no ``status`` column and read as reported).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from geo.model import STATUSES
from geo.store import EventStore
from geo.web.mapview import REPORTED

#: Whether the store takes a ``statuses=`` filter (the store engineer's): switch at merge.
STORE_FILTERS_STATUS = False
#: The statuses shown by default, and with the sidebar's "show them" control.
DEFAULT_STATUSES: tuple[str, ...] = (REPORTED,)
ALL_STATUSES: tuple[str, ...] = STATUSES


def shown_statuses(include_unreported: bool) -> tuple[str, ...]:
    return ALL_STATUSES if include_unreported else DEFAULT_STATUSES


def status_kwargs(statuses: Iterable[str]) -> dict[str, Any]:
    """The page's filter arguments for ``statuses``: none when every status is shown."""
    chosen = tuple(statuses)
    return {} if set(chosen) >= set(ALL_STATUSES) else {"statuses": list(chosen)}


def store_args(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The page's filters as the store takes them (for ``facets``, ``bins``, ``count``...)."""
    if STORE_FILTERS_STATUS:
        return dict(kwargs)
    return {k: v for k, v in kwargs.items() if k != "statuses"}


def keep_statuses(frame: pd.DataFrame, statuses: Iterable[str] | None) -> pd.DataFrame:
    """The rows of ``frame`` whose status is one of ``statuses`` (None: every status); a row
    without a status (a store of schema v1) is reported."""
    if statuses is None or frame.empty or set(statuses) >= set(ALL_STATUSES):
        return frame
    status = (frame["status"].fillna(REPORTED) if "status" in frame
              else pd.Series(REPORTED, index=frame.index))
    return frame[status.isin(list(statuses))]


def query_frame(store: EventStore, kwargs: Mapping[str, Any], **more: Any) -> pd.DataFrame:
    """``store.query_frame`` of the page's filters (``more``: other arguments, e.g. ``limit``),
    the status filter applied. With a ``limit`` the filter applies after it: a page of
    unreported events can come back short (the table then shows fewer rows), until the store
    filters by status itself."""
    frame = store.query_frame(**store_args(kwargs), **more)
    if STORE_FILTERS_STATUS:
        return frame
    return keep_statuses(frame, kwargs.get("statuses"))
