"""Event records as the map reads them: a frame from events, the values of a row (missing
ones as None, lists from JSON), and which events can be drawn as points.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from geo.model import EVENT_COLUMNS, Event
from geo.web.map.style import TYPE_STYLES, MapInputError


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (store frames hold nullable Int64 casualty counts)."""
    if value is None or isinstance(value, (str, list, tuple, dict)):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def field_value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if is_missing(value) else value


def as_list(value: Any) -> list[Any]:
    """Actors and sources arrive as lists, JSON text, numpy arrays or NaN: always a list."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        value = value.strip()
        return json.loads(value) if value.startswith("[") else ([value] if value else [])
    return list(value)


def events_frame(events: pd.DataFrame | Iterable[Event]) -> pd.DataFrame:
    """A frame with the columns of ``EVENT_COLUMNS`` from a frame or from ``Event`` objects
    (and the events' other fields after them, such as ``status``)."""
    if isinstance(events, pd.DataFrame):
        missing = [c for c in ("event_type", "lat", "lon") if c not in events.columns]
        if missing:
            raise MapInputError(f"event frame lacks column(s): {', '.join(missing)}")
        return events
    rows = [e.to_properties() for e in events]
    extra = [k for k in (rows[0] if rows else {}) if k not in EVENT_COLUMNS]
    return pd.DataFrame(rows, columns=[*EVENT_COLUMNS, *extra])


def is_drawable(row: dict[str, Any]) -> bool:
    """A point the map can honestly draw: located, not an aggregate of many places."""
    lat, lon = field_value(row, "lat"), field_value(row, "lon")
    return lat is not None and lon is not None and not bool(field_value(row, "aggregate"))


def split_drawable(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(drawn, listed): unlocated (country-only) and aggregate events are listed, not drawn."""
    if frame.empty:
        return frame, frame
    located = frame["lat"].notna() & frame["lon"].notna()
    aggregate = (
        frame["aggregate"].fillna(False).astype(bool) if "aggregate" in frame else False
    )
    drawn = located & ~aggregate
    return frame[drawn], frame[~drawn]


def check_row(row: dict[str, Any]) -> None:
    etype = row.get("event_type")
    if etype not in TYPE_STYLES:
        raise MapInputError(f"unknown event type {etype!r} (event {row.get('id')})")
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MapInputError(f"coordinates out of range: {lat}, {lon} (event {row.get('id')})")


# --- how a row's values are shown: one way everywhere (popups, tooltips, the table) -------

#: What the page shows for a value that is not known.
UNDATED, UNKNOWN_COUNT, UNKNOWN_PLACE, NO_ACTORS = "undated", "?", "unknown place", "not stated"
#: The status of an event that happened (see ``geo.model.STATUSES``): the others are marked.
REPORTED = "reported"


def date_text(row: dict[str, Any]) -> str:
    """The event's date as written, or :data:`UNDATED`."""
    return str(field_value(row, "date") or UNDATED)


def count_text(value: Any) -> str:
    """A casualty count, or :data:`UNKNOWN_COUNT` (never 0 for "not known")."""
    return UNKNOWN_COUNT if is_missing(value) else str(int(value))


def place_text(row: dict[str, Any]) -> str:
    """The place as resolved, else as written, else :data:`UNKNOWN_PLACE`."""
    return str(field_value(row, "place_name") or field_value(row, "place") or UNKNOWN_PLACE)


def actors_text(row: dict[str, Any]) -> str:
    """The actors named, comma-separated, or :data:`NO_ACTORS`."""
    return ", ".join(str(a) for a in as_list(row.get("actors"))) or NO_ACTORS


def status_of(row: dict[str, Any]) -> str:
    """The event's status; :data:`REPORTED` when the row has none (a store of schema v1)."""
    return str(field_value(row, "status") or REPORTED)


def type_text(row: dict[str, Any]) -> str:
    """The event type's label, with the status of an event that is not reported
    ("Rocket attack (planned)")."""
    etype = row.get("event_type")
    label = TYPE_STYLES[etype].label if etype in TYPE_STYLES else str(etype)
    status = status_of(row)
    return label if status == REPORTED else f"{label} ({status})"
