"""Which events the page shows by their status (``geo.model.STATUSES``): by default only those
reported as having happened; planned, threatened and denied ones when the sidebar asks.

The page passes :func:`status_kwargs` with its other filters to every store read (query,
count, facets, bins, the snapshot), so counts, cells, the table and the downloads agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo.model import STATUSES
from geo.web.mapview import REPORTED

#: The statuses shown by default, and with the sidebar's "show them" control.
DEFAULT_STATUSES: tuple[str, ...] = (REPORTED,)
ALL_STATUSES: tuple[str, ...] = STATUSES


def shown_statuses(include_unreported: bool) -> tuple[str, ...]:
    return ALL_STATUSES if include_unreported else DEFAULT_STATUSES


def status_kwargs(statuses: Iterable[str]) -> dict[str, Any]:
    """The page's filter arguments for ``statuses``: none when every status is shown."""
    chosen = tuple(statuses)
    return {} if set(chosen) >= set(ALL_STATUSES) else {"statuses": list(chosen)}
