"""The events table: readable rows, the selected row's details and the nearest base and border
crossing to it (geodesic distance), and the list of events without a point.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st
from geopy.distance import geodesic

from geo.gazetteer import Gazetteer
from geo.geodesy import haversine_km
from geo.model import SITE_KINDS, Place
from geo.store import Store
from geo.web.mapview import (
    actors_text,
    count_text,
    date_text,
    escape_text,
    place_text,
    popup_html,
    type_text,
)
from geo.web.status import DEFAULT_STATUSES, status_kwargs

#: Columns of the events table, in order.
TABLE_COLUMNS = ("date", "event_type", "place_name", "country", "killed", "wounded", "actors",
                 "dataset", "evidence", "id")
#: Rows of the events table (sortable in the browser; more would only slow the page down).
TABLE_ROWS = 2_000


def table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The events table: readable text, shown as the popup shows it (``records.*_text``): an
    unknown date is "undated", an unknown count "?", a place the place as resolved or as
    written, no actors "not stated", a type its label with the status of an event not
    reported ("Rocket attack (planned)"); evidence cut to a line. Never "None". Counts are
    text so that "?" can stand beside numbers; the table still sorts them as numbers."""
    if frame.empty:
        return pd.DataFrame(columns=list(TABLE_COLUMNS))
    rows = frame.to_dict("records")
    out = pd.DataFrame({
        "date": [date_text(r) for r in rows],
        "event_type": [type_text(r) for r in rows],
        "place_name": [place_text(r) for r in rows],
        "country": frame["country"].fillna("").astype(str).to_list(),
        "killed": [count_text(r.get("killed")) for r in rows],
        "wounded": [count_text(r.get("wounded")) for r in rows],
        "actors": [actors_text(r) for r in rows],
        "dataset": frame["dataset"].fillna("").astype(str).to_list(),
        "evidence": frame["evidence"].fillna("").astype(str).str.slice(0, 160).to_list(),
        "id": frame["id"].astype(str).to_list(),
    }, columns=list(TABLE_COLUMNS))
    return out


def reference_places(frame: pd.DataFrame, kinds: Iterable[str]) -> list[Place]:
    """Stored base / crossing events as places, so "nearest" works even without a gazetteer."""
    kinds = set(kinds)
    out = []
    for row in frame.to_dict("records"):
        if row["event_type"] in kinds and pd.notna(row["lat"]) and pd.notna(row["lon"]):
            out.append(Place(id=f"event:{row['id']}",
                             name=row.get("place_name") or row.get("place") or "?",
                             kind=row.get("place_kind") or row["event_type"],
                             country=row.get("country") or "", lat=float(row["lat"]),
                             lon=float(row["lon"]), source="event store"))
    return out


def nearest_place(places: Iterable[Place], lat: float, lon: float,
                  exclude_id: str | None = None) -> tuple[Place, float] | None:
    """The place closest to (lat, lon) and its geodesic distance in km (WGS84 ellipsoid)."""
    best: tuple[Place, float] | None = None
    for place in places:
        if not place.has_point or place.id == exclude_id:
            continue
        km = geodesic((lat, lon), (place.lat, place.lon)).km
        if best is None or km < best[1]:
            best = (place, km)
    return best


def distance_sentence(subject: str, found: tuple[Place, float] | None, what: str) -> str:
    """E.g. "al-Qaim: 8 km from Al-Qaim border crossing (border crossing)"."""
    if found is None:
        return f"{subject}: no known {what} to measure from"
    place, km = found
    return f"{subject}: {km:,.1f} km from {place.name} ({what})"


#: Half-widths (degrees) of the boxes searched, in turn, for stored bases/crossings near an
#: event: the nearest is almost always in the first, and a box keeps the read small at scale.
NEAREST_BOXES = (1.0, 4.0, 15.0)
#: Candidates re-measured on the ellipsoid after the quick great-circle ranking.
NEAREST_CANDIDATES = 8


def stored_places_near(store: Store, lat: float, lon: float,
                       event_type: str) -> list[Place]:
    """Stored events of ``event_type`` near a point as places, from the smallest box of
    :data:`NEAREST_BOXES` holding any, the closest few by great-circle distance."""
    for half in NEAREST_BOXES:
        box = (max(lon - half, -180.0), max(lat - half, -90.0), min(lon + half, 180.0),
               min(lat + half, 90.0))
        frame = store.query_frame(**{"types": [event_type], "bbox": box, "include_unlocated": False,
                                    **status_kwargs(DEFAULT_STATUSES)})
        places = reference_places(frame, {event_type})
        if places:
            places.sort(key=lambda p: haversine_km(lat, lon, p.lat, p.lon))  # type: ignore
            return places[:NEAREST_CANDIDATES]
    return []


def nearest_from(gazetteer: Gazetteer | None, store: Store, lat: float, lon: float,
                 kinds: Iterable[str], event_type: str,
                 exclude_id: str) -> tuple[Place, float] | None:
    """Nearest gazetteer place of ``kinds`` or stored event of ``event_type``, geodesic km.

    The gazetteer's own ``nearest`` and the store's box search rank by great-circle distance;
    their few best are re-measured on the WGS84 ellipsoid."""
    pool = stored_places_near(store, lat, lon, event_type)
    if gazetteer is not None:
        pool += [p for p, _km in gazetteer.nearest(lat, lon, kinds=set(kinds), limit=5)]
    return nearest_place(pool, lat, lon, exclude_id)



def selected_row(table: pd.DataFrame, state: Any) -> dict[str, Any] | None:
    try:
        rows = state.selection.rows
    except AttributeError:
        return None
    return table.iloc[rows[0]].to_dict() if rows and rows[0] < len(table) else None



def render_selected(event_row: dict[str, Any], store: Store,
                    gazetteer: Gazetteer | None) -> None:
    """Details of the selected event and the nearest base and border crossing."""
    st.markdown(popup_html(event_row), unsafe_allow_html=True)
    if pd.isna(event_row.get("lat")) or pd.isna(event_row.get("lon")):
        st.info("This event has no point: no distances.")
        return
    lat, lon = float(event_row["lat"]), float(event_row["lon"])
    subject = str(event_row.get("place_name") or event_row.get("place") or "event")
    own = f"event:{event_row['id']}"
    base = nearest_from(gazetteer, store, lat, lon, SITE_KINDS, "base", own)
    crossing = nearest_from(gazetteer, store, lat, lon, {"border_crossing"},
                            "border_crossing", own)
    st.markdown(f"<div id='cm-nearest'>{escape_text(distance_sentence(subject, base, 'base'))}"
                f"<br>{escape_text(distance_sentence(subject, crossing, 'border crossing'))}"
                "</div>", unsafe_allow_html=True)


def render_unplaced(listed: pd.DataFrame, n_listed: int) -> None:
    """The events without a point (country-only or aggregate), in an expander under the map;
    ``listed``: those of the table's rows, ``n_listed``: how many the filters select."""
    if not n_listed:
        return
    shown = "" if len(listed) == n_listed else f", the first {len(listed):,} listed"
    with st.expander(f"{n_listed:,} event(s) without a point (country-only or aggregate)"
                     f"{shown}"):
        st.dataframe(table_frame(listed), hide_index=True, width="stretch")


def render_table(table: pd.DataFrame, total: int) -> None:
    """The events table (sortable, one row selectable: ``cm_table`` in the session state);
    ``total``: how many events the filters select, of which the table may show the first."""
    st.subheader("Events")
    if len(table) < total:
        st.caption(f"The first {len(table):,} of {total:,} events by date: narrow "
                   "the filters, or download them all below.")
    st.dataframe(table, key="cm_table", on_select="rerun", selection_mode="single-row",
                 hide_index=True, width="stretch")
