"""The map's numpy snapshot of every stored event (:class:`EventColumns`): the columns the
page filters and bins on, read in one scan and answered without SQL."""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.store.filters import Spans


def _encode(values: Sequence[Any], index: dict[Any, int]) -> np.ndarray:
    """Codes of ``values`` in ``index`` (value -> code, grown as new values appear; None ->
    -1): one factorize per chunk, a dict lookup per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    lookup = np.array([index.setdefault(u, len(index)) for u in uniques] + [-1], dtype=np.int32)
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def _sorted_codes(codes: np.ndarray, index: dict[Any, int]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes renumbered so they order as their values do (bins then come out in the order
    SQL's GROUP BY gives), and the values."""
    names = sorted(index, key=str)
    remap = np.empty(len(index) + 1, dtype=np.int32)
    for new, name in enumerate(names):
        remap[index[name]] = new
    remap[-1] = -1
    return remap[codes], tuple(str(n) for n in names)


def _day_numbers(days: Sequence[Any], index: dict[Any, int]) -> np.ndarray:
    """ISO days as ``date.toordinal`` numbers, -1 for none; each distinct day parsed once."""
    codes, uniques = pd.factorize(np.asarray(days, dtype=object), use_na_sentinel=True)
    lookup = np.array([index.setdefault(u, date.fromisoformat(str(u)).toordinal())
                       for u in uniques] + [-1], dtype=np.int32)
    return lookup[codes]


#: The snapshot's SQL: every event, the columns the page filters and bins on.
COLUMNS_SQL = ("SELECT lat, lon, event_type, date_start, date_end, dataset, country, killed, "
               "aggregate, status FROM events")
#: Rows converted at a time while reading the snapshot (bounds the Python objects alive).
COLUMN_CHUNK = 131_072
#: What loading a snapshot file that is missing, cut short or not ours raises.
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
#: EventColumns fields holding the distinct values the codes point into.
_NAME_FIELDS = frozenset({"types", "datasets", "countries", "statuses"})



@dataclass(frozen=True, eq=False)
class EventColumns:
    """Every stored event's filterable columns as numpy arrays, one entry per event: what
    the map page filters and bins on, without SQL (see :meth:`EventStore.columns`).

    Strings are codes into a tuple of distinct values (-1: none); days are
    ``date.toordinal`` numbers (-1: undated); unknown killed is NaN; unlocated events have
    NaN lat/lon. ``drawable``: located and not aggregate (what a map draws as a point)."""

    lat: np.ndarray
    lon: np.ndarray
    drawable: np.ndarray
    type_code: np.ndarray
    types: tuple[str, ...]
    start: np.ndarray
    end: np.ndarray
    dataset_code: np.ndarray
    datasets: tuple[str, ...]
    country_code: np.ndarray
    countries: tuple[str, ...]
    killed: np.ndarray
    status_code: np.ndarray
    statuses: tuple[str, ...]

    @classmethod
    def read(cls, conn: Any) -> EventColumns:
        """One scan of ``events`` on ``conn`` (a DB-API connection of either store, inside
        the read transaction that makes it consistent), converted chunk by chunk (the rows
        of a million events as Python tuples would take over a gigabyte)."""
        names: list[dict[Any, int]] = [{}, {}, {}, {}]  # event_type, dataset, country, status
        days: dict[Any, int] = {}
        parts: list[list[np.ndarray]] = []
        cur = conn.execute(COLUMNS_SQL)
        while rows := cur.fetchmany(COLUMN_CHUNK):
            lat, lon, etype, start, end, dataset, country, killed, aggregate, status = zip(
                *rows, strict=True)
            parts.append([
                np.array(lat, dtype=np.float64), np.array(lon, dtype=np.float64),
                _encode(etype, names[0]), _day_numbers(start, days), _day_numbers(end, days),
                _encode(dataset, names[1]), _encode(country, names[2]),
                np.array(killed, dtype=np.float64),
                np.array([bool(a) for a in aggregate], dtype=bool),
                _encode(status, names[3])])
        columns = ([np.concatenate(c) for c in zip(*parts, strict=True)] if parts else
                   [np.array([], dtype=d) for d in (np.float64, np.float64, np.int32, np.int32,
                                                    np.int32, np.int32, np.int32, np.float64,
                                                    bool, np.int32)])
        lat, lon, etype, start, end, dataset, country, killed, aggregate, status = columns
        type_code, types = _sorted_codes(etype, names[0])
        dataset_code, datasets = _sorted_codes(dataset, names[1])
        country_code, countries = _sorted_codes(country, names[2])
        status_code, statuses = _sorted_codes(status, names[3])
        return cls(lat=lat, lon=lon, drawable=~np.isnan(lat) & ~np.isnan(lon) & ~aggregate,
                   type_code=type_code, types=types, start=start, end=end,
                   dataset_code=dataset_code, datasets=datasets, country_code=country_code,
                   countries=countries, killed=killed, status_code=status_code,
                   statuses=statuses)

    def __len__(self) -> int:
        return len(self.lat)

    def save(self, path: Path) -> None:
        """Write the arrays to ``path`` (.npz), atomically: a reader sees all or nothing."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        arrays = {f.name: (np.array(v, dtype=str) if isinstance(v, tuple) else v)
                  for f in fields(self) for v in [getattr(self, f.name)]}
        try:
            with tmp.open("wb") as out:
                np.savez(out, **arrays)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> EventColumns:
        """What :meth:`save` wrote (one of :data:`UNREADABLE` when it cannot)."""
        with np.load(path, allow_pickle=False) as data:
            values = {f.name: data[f.name] for f in fields(cls)}
        lengths = {len(v) for k, v in values.items() if k not in _NAME_FIELDS}
        if len(lengths) != 1:
            raise ValueError(f"{path}: arrays of different lengths")
        return cls(**{k: tuple(str(x) for x in v) if k in _NAME_FIELDS else v
                      for k, v in values.items()})

    @staticmethod
    def _member(codes: np.ndarray, names: tuple[str, ...], wanted: list[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(names)}
        return np.isin(codes, [index[w] for w in wanted if w in index])

    def mask(self, *, types: list[str] | None = None, datasets: list[str] | None = None,
             countries: list[str] | None = None, since: str | None = None,
             until: str | None = None,
             spans: Spans | None = None,
             min_fatalities: int | None = None, include_undated: bool = True,
             include_unlocated: bool = True, statuses: list[str] | None = None) -> np.ndarray:
        """The events :meth:`EventStore.query` would return for these filters (validated
        ones: ISO days, bbox spans as ``parse_query`` makes them), as a boolean array."""
        keep = np.ones(len(self), dtype=bool)
        for codes, names, wanted in ((self.type_code, self.types, types),
                                     (self.dataset_code, self.datasets, datasets),
                                     (self.country_code, self.countries, countries),
                                     (self.status_code, self.statuses, statuses)):
            if wanted is not None:
                keep &= self._member(codes, names, wanted)
        if min_fatalities is not None:
            keep &= self.killed >= int(min_fatalities)  # NaN (unknown) compares False
        dated = self.start >= 0
        if since is not None or until is not None:
            in_range = dated.copy()
            if until is not None:
                in_range &= self.start <= date.fromisoformat(until).toordinal()
            if since is not None:
                in_range &= self.end >= date.fromisoformat(since).toordinal()
            keep &= in_range | (~dated if include_undated else False)
        elif not include_undated:
            keep &= dated
        located = ~np.isnan(self.lat)
        if spans is not None:
            inside = np.zeros(len(self), dtype=bool)
            for west, east, south, north in spans:
                inside |= ((self.lon >= west) & (self.lon <= east) & (self.lat >= south)
                           & (self.lat <= north))
            keep &= inside | (~located if include_unlocated else False)
        elif not include_unlocated:
            keep &= located
        return keep

    def bins(self, cell: float, keep: np.ndarray) -> pd.DataFrame:
        """Counts per (cell, type) of the ``keep`` events, as :meth:`EventStore.bins` gives
        them (cell indices truncated like SQLite's CAST, rows sorted by row, col, type)."""
        lat, lon, code = self.lat[keep], self.lon[keep], self.type_code[keep]
        if not len(lat):
            return pd.DataFrame({"row": np.array([], np.int64), "col": np.array([], np.int64),
                                 "event_type": np.array([], object),
                                 "n": np.array([], np.int64), "lat": np.array([], float),
                                 "lon": np.array([], float)})
        row = ((lat + 90.0) / cell).astype(np.int64)
        col = ((lon + 180.0) / cell).astype(np.int64)
        r0, c0 = row.min(), col.min()
        n_cols, n_types = int(col.max() - c0 + 1), len(self.types)
        key = ((row - r0) * n_cols + (col - c0)) * n_types + code
        if int(key.max()) < 4 * len(key) + 1_000_000:  # dense enough: count by index
            n = np.bincount(key)
            used = np.flatnonzero(n)
            n = n[used]
            sum_lat = np.bincount(key, weights=lat)[used]
            sum_lon = np.bincount(key, weights=lon)[used]
        else:
            used, inverse = np.unique(key, return_inverse=True)
            n = np.bincount(inverse)
            sum_lat = np.bincount(inverse, weights=lat)
            sum_lon = np.bincount(inverse, weights=lon)
        cells, type_index = np.divmod(used, n_types)
        rows, cols = np.divmod(cells, n_cols)
        return pd.DataFrame({"row": rows + r0, "col": cols + c0,
                             "event_type": np.array(self.types, dtype=object)[type_index],
                             "n": n.astype(np.int64), "lat": sum_lat / n, "lon": sum_lon / n})

