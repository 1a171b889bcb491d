"""What the map shows: a centre and zoom on a grid that the map's own reports land on, the box
it covers, and the view that fits a set of events. Pure: no Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geo.web.mapview import DEFAULT_CENTER, DEFAULT_ZOOM, MAX_ZOOM

#: The map's size on the page, used to turn a centre and zoom into a bounding box.
MAP_HEIGHT_PX, MAP_WIDTH_PX = 560, 1100


@dataclass(frozen=True)
class View:
    """What the map shows: centre, zoom and the (west, south, east, north) box."""

    lat: float
    lon: float
    zoom: int
    bbox: tuple[float, float, float, float]


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _inverse_mercator(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def view_box(lat: float, lon: float, zoom: int, width_px: int = MAP_WIDTH_PX,
             height_px: int = MAP_HEIGHT_PX) -> tuple[float, float, float, float]:
    """The (west, south, east, north) a ``width_px`` x ``height_px`` Web Mercator map shows
    around a centre; longitudes are clamped to [-180, 180]."""
    deg_per_px = 360.0 / (256.0 * 2 ** zoom)
    half_lon = width_px / 2 * deg_per_px
    half_y = math.radians(height_px / 2 * deg_per_px)
    y = _mercator_y(lat)
    south, north = _inverse_mercator(y - half_y), _inverse_mercator(y + half_y)
    return (max(lon - half_lon, -180.0), max(south, -90.0), min(lon + half_lon, 180.0),
            min(north, 90.0))


def snap_view(lat: float, lon: float, zoom: int) -> View:
    """A view whose centre sits on a 4-pixel grid. Why: the map reports its view back after
    every redraw, up to half a pixel off; snapping makes that report land on the same view,
    so a redraw does not ask for another one."""
    zoom = int(min(max(zoom, 2), MAX_ZOOM))
    step = 4 * 360.0 / (256.0 * 2 ** zoom)
    lon = round(lon / step) * step
    lat = _inverse_mercator(round(_mercator_y(lat) / math.radians(step)) * math.radians(step))
    lat, lon = round(lat, 6), round(max(min(lon, 180.0), -180.0), 6)
    return View(lat, lon, zoom, view_box(lat, lon, zoom))


def view_from_state(state: Any) -> View | None:
    """The view the map last reported (st_folium's ``center`` and ``zoom``), or None."""
    if not isinstance(state, Mapping):
        return None
    center, zoom = state.get("center"), state.get("zoom")
    try:
        lat, lon, z = float(center["lat"]), float(center["lng"]), int(zoom)  # type: ignore
    except (TypeError, KeyError, ValueError):
        return None
    lon = (lon + 180.0) % 360.0 - 180.0  # a map panned round the world reports lon > 180
    return snap_view(lat, lon, z)


def fit_view(bounds: Sequence[float] | None) -> View:
    """The view showing (south, west, north, east) whole at the largest zoom that fits."""
    if not bounds:
        return snap_view(*DEFAULT_CENTER, DEFAULT_ZOOM)
    south, west, north, east = (float(v) for v in bounds)
    lat = _inverse_mercator((_mercator_y(south) + _mercator_y(north)) / 2)
    lon = (west + east) / 2
    zoom = 2
    for z in range(2, 12):
        w, s, e, n = view_box(lat, lon, z)
        if w <= west and e >= east and s <= south and n >= north:
            zoom = z
    return snap_view(lat, lon, zoom)
