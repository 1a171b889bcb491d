"""Distances on the ground, named once (merge radius, nearest sites, gold matching)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

#: Mean Earth radius (IUGG), km.
EARTH_KM = 6371.0088
#: Kilometres in one degree of a great circle.
KM_PER_DEGREE = math.pi * EARTH_KM / 180

T = TypeVar("T")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km: a radius on the ground, not in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    return _haversine(p1, math.cos(p1), lon1, p2, math.cos(p2), lon2)


def _haversine(p1: float, cos1: float, lon1: float, p2: float, cos2: float,
               lon2: float) -> float:
    """:func:`haversine_km` from latitudes in radians and their cosines (a grid computes
    those once per point, not once per pair)."""
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + cos1 * cos2 * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


class PointGrid(Generic[T]):
    """Points bucketed in cells about ``radius_km`` wide, so that "what lies within
    ``radius_km`` of here" reads a few cells instead of every point: a text naming thousands
    of places costs time linear in their number, not quadratic."""

    def __init__(self, items: Iterable[tuple[float, float, T]], radius_km: float) -> None:
        self.radius_km = radius_km
        self._cell = radius_km / KM_PER_DEGREE  # degrees of latitude
        self._columns = max(1, math.ceil(360 / self._cell))
        #: per cell: (latitude in radians, its cosine, longitude, item)
        self._cells: dict[tuple[int, int], list[tuple[float, float, float, T]]] = {}
        self._size = 0
        for lat, lon, item in items:
            if not (math.isfinite(lat) and math.isfinite(lon)):
                continue
            p = math.radians(lat)
            self._cells.setdefault(self._key(lat, lon), []).append((p, math.cos(p), lon, item))
            self._size += 1

    def __len__(self) -> int:
        return self._size

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self._cell),
                math.floor(((lon + 180) % 360) / self._cell) % self._columns)

    def _columns_within(self, lat: float) -> int:
        """How many columns either side can hold a point within the radius: a degree of
        longitude shrinks with the cosine of the latitude."""
        widest = math.radians(min(90.0, abs(lat) + self._cell))
        reach = math.sin(self.radius_km / (2 * EARTH_KM)) / max(math.cos(widest), 1e-12)
        if reach >= 1:
            return self._columns
        degrees = math.degrees(2 * math.asin(reach))
        return math.ceil(degrees / self._cell) + 1

    def within(self, lat: float, lon: float) -> Iterator[tuple[float, T]]:
        """``(km, item)`` for every point within the radius of ``(lat, lon)`` (none for a place
        without coordinates)."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return
        row, col = self._key(lat, lon)
        span = self._columns_within(lat)
        cols = range(self._columns) if 2 * span + 1 >= self._columns else (
            (col + d) % self._columns for d in range(-span, span + 1))
        cols = tuple(cols)
        p1 = math.radians(lat)
        cos1, radius, cells = math.cos(p1), self.radius_km, self._cells
        # no farther north or south than the radius: a great circle is at least as long as
        # its difference in latitude (the margin keeps rounding from dropping a point)
        reach = radius / EARTH_KM * (1 + 1e-9)
        for r in (row - 1, row, row + 1):
            for c in cols:
                for p2, cos2, lo, item in cells.get((r, c), ()):
                    if abs(p2 - p1) > reach:
                        continue
                    km = _haversine(p1, cos1, lon, p2, cos2, lo)
                    if km <= radius:
                        yield km, item

    def nearest_km(self, lat: float, lon: float,
                   exclude: tuple[float, float] | None = None) -> float | None:
        """The distance to the nearest point within the radius (not one at ``exclude``), or
        None."""
        best: float | None = None
        for km, point in self.within(lat, lon):
            if point != exclude and (best is None or km < best):
                best = km
        return best
