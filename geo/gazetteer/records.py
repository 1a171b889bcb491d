"""The places of the compiled index as columns: a record by number or id, exact lookup by
name, and the nearest places to a point. ``Place`` objects are made on demand and memoised.
"""

from __future__ import annotations

import logging
import math
import pickle
from array import array
from collections.abc import Collection
from pathlib import Path

from geo.gazetteer.columns import GazetteerError, KeyIndex, TextColumn, postings
from geo.model import PLACE_KINDS, Place
from geo.text.names import fold, name_keys

log = logging.getLogger(__name__)


class PlaceTable:
    """Every place known offline, as the columns of the cached index (see
    :func:`geo.gazetteer.columns.compile_state`), with the caches that make repeated names
    cheap."""

    def __init__(self, state: dict) -> None:
        self.ids: TextColumn = state["ids"]
        #: per place "name RS aliases(US-joined) RS source_id": one slice makes a Place
        self.records: TextColumn = state["records"]
        self.kinds: bytes = state["kinds"]
        self.countries: TextColumn = state["countries"]
        self.lat: array = state["lat"]
        self.lon: array = state["lon"]
        self.pop: array = state["pop"]
        self.admin1: TextColumn = state["admin1"]
        self.source: array = state["source"]  # codes into labels
        self.licence: array = state["licence"]
        self.labels: list[str] = state["labels"]
        self.capitals: frozenset[int] = state["capitals"]
        #: four numbers per place (west, south, east, north), NaN where it has no box
        self.bbox: array = state["bbox"]
        self.exact: KeyIndex = state["exact"]
        #: demonyms and abbreviations: names of a place only when asked for as one
        self.asked: KeyIndex = state["asked"]
        self.site: dict = state["site"]
        self.skeleton: KeyIndex | None = state.get("skeleton")
        self.skeleton_path: Path | None = None
        self.common: frozenset[str] = state["common"]
        self.country_names: dict[str, str] = state["country_names"]
        #: countries whose names are transliterated from another script into English
        self.transliterated: frozenset[str] = state["transliterated"]
        self._by_id: dict[str, int] | None = None
        self._place_cache: dict[int, Place] = {}
        self._key_cache: dict[str, frozenset[str]] = {}
        self._fold_cache: dict[str, str] = {}

    def state(self) -> dict:
        """What the cache stores (the transliteration index apart)."""
        return {
            "ids": self.ids, "records": self.records, "kinds": self.kinds,
            "countries": self.countries, "lat": self.lat, "lon": self.lon, "pop": self.pop,
            "admin1": self.admin1, "source": self.source, "licence": self.licence,
            "labels": self.labels, "capitals": self.capitals,
            "bbox": self.bbox, "exact": self.exact, "site": self.site, "asked": self.asked,
            "common": self.common, "country_names": self.country_names,
            "transliterated": self.transliterated,
        }

    def skeletons(self) -> KeyIndex:
        """The transliteration index, read from its own cache file on first use."""
        if self.skeleton is None:
            if self.skeleton_path is None:
                raise GazetteerError("gazetteer transliteration index missing")
            try:
                with self.skeleton_path.open("rb") as fh:
                    self.skeleton = pickle.load(fh)
            except (OSError, pickle.UnpicklingError, EOFError) as exc:
                # another process rebuilt the index and pruned this cache: no variants for
                # this process (exact names still answer) rather than a failure
                log.warning("gazetteer transliteration index %s unreadable (%s); "
                            "transliteration variants are off until the next start",
                            self.skeleton_path, exc)
                self.skeleton = KeyIndex({})
        return self.skeleton

    def __len__(self) -> int:
        return len(self.ids)

    def kind(self, i: int) -> str:
        return PLACE_KINDS[self.kinds[i]]

    def place(self, i: int) -> Place:
        """The i-th record as a Place (made from the columns once, then reused)."""
        found = self._place_cache.get(i)
        if found is None:
            if len(self._place_cache) > 200_000:
                self._place_cache.clear()
            found = self._place_cache[i] = self._make_place(i)
        return found

    def keys(self, name: str) -> frozenset[str]:
        """``name_keys`` of a name, cached."""
        found = self._key_cache.get(name)
        if found is None:
            if len(self._key_cache) > 100_000:
                self._key_cache.clear()
            found = self._key_cache[name] = frozenset(name_keys(name))
        return found

    def fold(self, name: str) -> str:
        """``fold`` of a name asked for again and again (admin1 and country names, scored for
        every candidate; a span's text, gated wherever it occurs), cached."""
        found = self._fold_cache.get(name)
        if found is None:
            if len(self._fold_cache) > 100_000:
                self._fold_cache.clear()
            found = self._fold_cache[name] = fold(name)
        return found

    def box(self, i: int) -> tuple[float, float, float, float] | None:
        w, s, e, n = self.bbox[4 * i:4 * i + 4]
        return None if math.isnan(w) else (w, s, e, n)

    def _make_place(self, i: int) -> Place:
        lat, lon = self.lat[i], self.lon[i]
        name, aliases, source_id = self.records[i].split("\x1e")
        return Place(
            id=self.ids[i], name=name, kind=PLACE_KINDS[self.kinds[i]],
            country=self.countries[i], lat=None if math.isnan(lat) else lat,
            lon=None if math.isnan(lon) else lon, population=self.pop[i],
            aliases=tuple(aliases.split("\x1f")) if aliases else (),
            admin1=self.admin1[i], source=self.labels[self.source[i]], source_id=source_id,
            licence=self.labels[self.licence[i]], bbox=self.box(i),
        )

    def index_of(self, place_id: str) -> int | None:
        if self._by_id is None:
            self._by_id = {pid: i for i, pid in enumerate(self.ids)}
        return self._by_id.get(place_id)

    def get(self, place_id: str) -> Place | None:
        """The place with this id ("geonames:98182", "ourairports:ORAA"), or None."""
        i = self.index_of(place_id)
        return None if i is None else self.place(i)

    def lookup(self, name: str) -> list[Place]:
        """Places whose name or alias matches exactly after normalisation, most populous first."""
        found = {p >> 2 for key in self.keys(name) for p in postings(self.exact.get(key))}
        regions = PLACE_KINDS.index("region")
        order = sorted(found, key=lambda i: (self.kinds[i] == regions, -self.pop[i]))
        return [self.place(i) for i in order]

    def nearest(self, lat: float, lon: float, kinds: Collection[str] | None = None,
                limit: int = 5, max_km: float | None = None) -> list[tuple[Place, float]]:
        """The closest located places (optionally of some kinds) with their distance in km."""
        import numpy as np

        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GazetteerError(f"not a coordinate: {lat}, {lon}")
        lats = np.frombuffer(self.lat, dtype=np.float64)
        lons = np.frombuffer(self.lon, dtype=np.float64)
        p1, p2 = np.radians(lat), np.radians(lats)
        a = (np.sin((p2 - p1) / 2) ** 2
             + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lons - lon) / 2) ** 2)
        dist = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        dist[np.isnan(dist)] = np.inf
        if kinds is not None:
            codes = np.frombuffer(self.kinds, dtype=np.uint8)
            wanted = [PLACE_KINDS.index(k) for k in kinds if k in PLACE_KINDS]
            dist[~np.isin(codes, wanted)] = np.inf
        # only the places that can be answered are sorted and read (a stable sort of them
        # keeps the order a stable sort of every place gives)
        keep = np.isfinite(dist)
        if max_km is not None:
            keep &= dist <= max_km
        found = np.flatnonzero(keep)
        order = found[np.argsort(dist[found], kind="stable")[:limit]]
        return [(self.place(int(i)), float(dist[i])) for i in order]
