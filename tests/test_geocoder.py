"""geopy-style geocoders over the gazetteer, the chain, and the cached online fallback.

No network: the online part is exercised with a fake service that counts its calls.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from geopy.location import Location
from geopy.point import Point

from geo.config import Settings
from geo.gazetteer import Gazetteer
from geo.gazetteer.geocoder import (
    CachedGeocoder,
    ChainedGeocoder,
    GazetteerGeocoder,
    GeocoderError,
    cached_online_geocoder,
    default_geocoder,
    place_location,
)


@pytest.fixture(scope="module")
def gaz(gazetteer: Gazetteer) -> Gazetteer:
    """The session's gazetteer (tests/conftest.py), loaded once for every module."""
    return gazetteer


@pytest.fixture(scope="module")
def offline(gaz) -> GazetteerGeocoder:
    return GazetteerGeocoder(gaz)


class FakeService:
    """Stands in for Nominatim: answers from a dict, counts calls, can fail like a network."""

    def __init__(self, answers: dict[str, tuple[float, float]], fail: bool = False) -> None:
        self.answers = answers
        self.fail = fail
        self.calls: list[str] = []

    def geocode(self, query: str, exactly_one: bool = True, **kwargs) -> Location | None:
        self.calls.append(query)
        if self.fail:
            raise OSError("network unreachable")
        if query not in self.answers:
            return None
        lat, lon = self.answers[query]
        return Location(f"{query} (online)", Point(lat, lon), {"service": "fake"})


def test_geocode_returns_geopy_location_with_place_fields(offline):
    loc = offline.geocode("Camp Taji")
    assert isinstance(loc, Location)
    assert 33.50 < loc.latitude < 33.54 and 44.24 < loc.longitude < 44.29
    raw = loc.raw
    assert raw["id"] == "ourairports:ORTI" and raw["kind"] == "military_base"
    assert raw["source"].startswith("OurAirports") and raw["score"] > 0 and raw["reasons"]
    assert "Camp Taji" in loc.address


def test_geocode_country_codes_and_lists(offline):
    us = offline.geocode("Paris", country_codes=["us"], exactly_one=False, limit=3)
    assert 1 <= len(us) <= 3 and all(loc.raw["country"] == "US" for loc in us)
    assert offline.geocode("Paris").raw["country"] == "FR"
    assert offline.geocode("Paris", country_codes="FR").raw["id"] == "geonames:2988507"


def test_geocode_unknown_and_unlocated_give_none(offline):
    assert offline.geocode("Qwxzzyville") is None
    assert offline.geocode("Basmaya base") is None  # known, but no coordinates to give
    with pytest.raises(GeocoderError, match="non-empty"):
        offline.geocode("  ")


def test_reverse(offline):
    loc = offline.reverse("33.34, 44.40")
    assert loc.raw["name"] == "Baghdad" and loc.raw["reasons"][0].endswith("km away")
    bases = offline.reverse((35.51, 44.28), exactly_one=False, kinds=["military_base"])
    assert bases[0].raw["id"] == "ourairports:IQ-0026"
    assert offline.reverse(Point(0.0, -150.0)) is None  # mid-Pacific: nothing within 25 km
    with pytest.raises(GeocoderError, match="lat, lon"):
        offline.reverse("not a point")


def test_place_location_needs_a_point(gaz):
    loc = place_location(gaz.get("ourairports:ORAA"), 1.0, ("alias",))
    assert (round(loc.latitude, 3), round(loc.longitude, 3)) == (33.786, 42.441)
    assert loc.raw["aliases"] and loc.raw["reasons"] == ["alias"]
    with pytest.raises(GeocoderError, match="curated:basmaya has no coordinates"):
        place_location(gaz.get("curated:basmaya"))


def test_chain_uses_offline_first_then_online(offline, tmp_path):
    service = FakeService({"Tiny Hamlet Nowhere": (10.0, 20.0), "Mosul": (0.0, 0.0)})
    online = CachedGeocoder(service, tmp_path / "cache.sqlite", min_delay=0.0)
    chain = ChainedGeocoder([offline, online])
    assert chain.geocode("Mosul").raw["id"] == "geonames:99072"  # the gazetteer answered
    assert service.calls == []
    assert chain.geocode("Tiny Hamlet Nowhere").latitude == 10.0
    assert service.calls == ["Tiny Hamlet Nowhere"]
    assert chain.reverse("33.34, 44.40").raw["name"] == "Baghdad"


def test_online_answers_are_cached_on_disk(tmp_path):
    service = FakeService({"Somewhere": (1.5, 2.5)})
    first = CachedGeocoder(service, tmp_path / "c.sqlite", min_delay=0.0)
    assert first.geocode("Somewhere").longitude == 2.5
    assert first.geocode("somewhere ").latitude == 1.5  # same key after normalising
    assert first.geocode("Nothing Here") is None
    assert first.geocode("Nothing Here") is None  # "no answer" is cached too
    first.close()
    again = CachedGeocoder(service, tmp_path / "c.sqlite", min_delay=0.0)
    loc = again.geocode("Somewhere")
    assert (loc.latitude, loc.longitude, loc.raw) == (1.5, 2.5, {"service": "fake"})
    assert service.calls == ["Somewhere", "Nothing Here"]


def test_network_errors_degrade_to_no_answer(tmp_path, caplog):
    service = FakeService({}, fail=True)
    online = CachedGeocoder(service, tmp_path / "c.sqlite", min_delay=0.0)
    with caplog.at_level(logging.WARNING, logger="geo.geocoder"):
        assert online.geocode("Anywhere") is None
    assert "network unreachable" in caplog.text
    service.fail = False
    service.answers["Anywhere"] = (3.0, 4.0)
    assert online.geocode("Anywhere").latitude == 3.0  # failures are not cached


def test_online_geocoder_is_off_by_default(tmp_path, gaz):
    settings = Settings(cache_dir=tmp_path)
    assert cached_online_geocoder(settings) is None
    assert len(default_geocoder(settings, gaz).geocoders) == 1
    on = replace(settings, online_geocoder="nominatim", online_min_delay=0.0)
    fake = FakeService({"X": (1.0, 1.0)})
    cached = cached_online_geocoder(on, service=fake)
    assert cached.geocode("X").latitude == 1.0
    assert (tmp_path / "online-geocoder.sqlite").is_file()
    with pytest.raises(GeocoderError, match="unknown online geocoder"):
        cached_online_geocoder(replace(settings, online_geocoder="bing"))


def test_real_nominatim_client_is_configured_not_called(tmp_path):
    settings = Settings(cache_dir=tmp_path, online_geocoder="nominatim", online_timeout=2.0)
    cached = cached_online_geocoder(settings)
    assert cached.geocoder.timeout == 2.0
    assert "conflict-map" in cached.geocoder.headers["User-Agent"]
