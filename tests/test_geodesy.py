"""Distances, and the point grid that finds what lies within a radius without reading every
point: it must answer exactly what a scan of every point answers, at the antimeridian and
the poles too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.geodesy import PointGrid, haversine_km

lat = st.floats(-90, 90, allow_nan=False)
lon = st.floats(-180, 180, allow_nan=False)


def test_haversine_known_distance():
    # Baghdad to Erbil is about 320 km
    assert 310 < haversine_km(33.3152, 44.3661, 36.1911, 44.0092) < 330
    assert haversine_km(10, 179.9, 10, -179.9) < 25  # across the antimeridian


@settings(max_examples=60, deadline=None)
@given(centre_lat=lat, centre_lon=lon, radius=st.sampled_from([25.0, 155.0, 600.0]),
       offsets=st.lists(st.tuples(st.floats(-3, 3), st.floats(-6, 6)), min_size=1,
                        max_size=60),
       queries=st.lists(st.tuples(st.floats(-3, 3), st.floats(-6, 6)), min_size=1,
                        max_size=10))
def test_within_is_exactly_a_full_scan(centre_lat, centre_lon, radius, offsets, queries):
    def at(d_lat, d_lon):
        la = max(-90.0, min(90.0, centre_lat + d_lat))
        return la, (centre_lon + d_lon + 180) % 360 - 180

    points = [at(*o) for o in offsets]
    grid = PointGrid(((la, lo, i) for i, (la, lo) in enumerate(points)), radius)
    assert len(grid) == len(points)
    for q in queries:
        qla, qlo = at(*q)
        want = sorted(i for i, p in enumerate(points) if haversine_km(qla, qlo, *p) <= radius)
        assert sorted(i for _, i in grid.within(qla, qlo)) == want


def test_nearest_skips_the_excluded_point_and_places_without_coordinates():
    grid = PointGrid([(33.3, 44.4, (33.3, 44.4)), (33.5, 44.3, (33.5, 44.3)),
                      (float("nan"), 44.0, (float("nan"), 44.0))], 155)
    assert len(grid) == 2
    assert grid.nearest_km(33.3, 44.4) == 0
    assert 20 < grid.nearest_km(33.3, 44.4, exclude=(33.3, 44.4)) < 30
    assert grid.nearest_km(float("nan"), 44.4) is None
    assert grid.nearest_km(0, 0) is None
