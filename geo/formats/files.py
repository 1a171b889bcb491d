"""Events out: DataFrame, GeoDataFrame and files (GeoJSON, CSV, JSON Lines, GeoParquet, GPKG).

Every function takes either Event objects or a frame with the columns of
:data:`geo.model.EVENT_COLUMNS` (what ``EventStore.query_frame`` returns), so the map and the
CLI export millions of stored rows without building Event objects. Files carry
:data:`FILE_COLUMNS`: those and every other Event field (ACLED's roles ``actor1``, ``actor2``,
``claimant``, and ``status``); a frame without them gets the model's defaults. File formats
live in the :data:`WRITERS` registry: a new format is one :class:`Writer` entry.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, TextIO

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.formats.acled import write_acled
from geo.model import EVENT_COLUMNS, Event

#: Every Event field that EVENT_COLUMNS does not list yet (ACLED's roles actor1, actor2 and
#: claimant, and the status), in the model's order: files carry them after ``actors``, so a
#: field the model gains is written without a change here.
_EXTRA_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Event) if f.name not in EVENT_COLUMNS and f.name != "sources")
_AFTER = EVENT_COLUMNS.index("actors") + 1
#: The columns of every table and file (CSV, JSONL, GeoParquet, GeoPackage).
FILE_COLUMNS: tuple[str, ...] = (*EVENT_COLUMNS[:_AFTER], *_EXTRA_FIELDS,
                                 *EVENT_COLUMNS[_AFTER:])
#: Defaults of the Event fields, for frames (a store's) that lack their columns.
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Event)
                             if f.default is not MISSING}
_ROLES: tuple[str, ...] = ("actor1", "actor2", "claimant", "status")
#: GeoJSON property order: the core fields first, then the rest (lat/lon are the geometry).
GEOJSON_PROPERTIES: tuple[str, ...] = (
    "event_type", "date", "time_precision", "place", "place_name", "place_id", "place_kind",
    "country", "geo_precision", "killed", "wounded", "actors", *_ROLES,
    *(c for c in _EXTRA_FIELDS if c not in _ROLES), "evidence", "source", "confidence",
    "aggregate", "id", "date_start", "date_end", "evidence_start", "evidence_end", "dataset",
    "notes", "sources",
)
_INT_COLUMNS = ("time_precision", "geo_precision", "killed", "wounded", "evidence_start",
                "evidence_end")
_FLOAT_COLUMNS = ("lat", "lon", "confidence")

FrameOrEvents = pd.DataFrame | Iterable[Event]


# --- frames -----------------------------------------------------------------------------------

def events_frame(events: Iterable[Event]) -> pd.DataFrame:
    """A DataFrame with FILE_COLUMNS, one row per event; actors stay lists, sources lists of
    dicts, missing numbers stay missing (pandas Int64), not 0."""
    rows = []
    for ev in events:
        if not isinstance(ev, Event):
            raise TypeError(f"expected Event objects, got {type(ev).__name__}")
        rows.append(ev.to_properties())
    frame = pd.DataFrame.from_records(rows, columns=list(FILE_COLUMNS))
    return _coerce(frame)


def as_frame(frame_or_events: FrameOrEvents) -> pd.DataFrame:
    """The FILE_COLUMNS frame of either input; a frame lacking columns gets them empty, and
    actors/sources read back from JSON text (CSV, Parquet) become lists again."""
    if isinstance(frame_or_events, pd.DataFrame):
        frame = pd.DataFrame(frame_or_events).copy()
        if "event_type" not in frame.columns:
            raise ValueError("events frame has no 'event_type' column")
        if "geometry" in frame.columns:
            frame = frame.drop(columns="geometry")
        for col in FILE_COLUMNS:
            if col not in frame.columns:
                frame[col] = _DEFAULTS.get(col)
        frame = frame[list(FILE_COLUMNS)]
        frame["actors"] = [_list_value(v) for v in frame["actors"]]
        frame["sources"] = [_list_value(v) for v in frame["sources"]]
        return _coerce(frame)
    if isinstance(frame_or_events, (str, bytes, Event)):
        raise TypeError("expected a DataFrame or an iterable of Event objects")
    return events_frame(frame_or_events)


def frame_events(frame_or_events: FrameOrEvents) -> list[Event]:
    """Event objects back from a frame (for writers that speak Events, such as ACLED CSV)."""
    return [Event.from_properties(record) for record in _records(as_frame(frame_or_events))]


def _coerce(frame: pd.DataFrame) -> pd.DataFrame:
    for col in _INT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="raise").astype("Int64")
    for col in _FLOAT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
    frame["aggregate"] = frame["aggregate"].fillna(False).astype(bool)
    return frame


def _list_value(value: Any) -> list:
    """A list from a list, a JSON array text, or nothing."""
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        decoded = json.loads(value)
        if not isinstance(decoded, list):
            raise ValueError(f"expected a JSON list, got {value[:60]!r}")
        return decoded
    return list(value)


def to_geodataframe(frame_or_events: FrameOrEvents) -> gpd.GeoDataFrame:
    """Points in EPSG:4326 (None geometry when unlocated); lat/lon columns are kept too."""
    frame = as_frame(frame_or_events)
    geometry = [Point(lon, lat) if _num(lat) is not None and _num(lon) is not None else None
                for lat, lon in zip(frame["lat"], frame["lon"], strict=True)]
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


# --- GeoJSON and JSON records -----------------------------------------------------------------

def to_geojson(frame_or_events: FrameOrEvents) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: Point [lon, lat] or null geometry, flat properties."""
    frame = as_frame(frame_or_events)
    features = []
    for record in _records(frame):
        lat, lon = record.pop("lat"), record.pop("lon")
        geometry = None if lat is None or lon is None else {
            "type": "Point", "coordinates": [lon, lat]}
        properties = {k: record[k] for k in GEOJSON_PROPERTIES}
        features.append({"type": "Feature", "id": record["id"], "geometry": geometry,
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def _records(frame: pd.DataFrame) -> Iterable[dict[str, Any]]:
    """JSON-ready dicts: pandas NA/NaN become None, numpy scalars plain Python."""
    columns = list(FILE_COLUMNS)
    for row in frame[columns].itertuples(index=False, name=None):
        yield {col: _plain(val) for col, val in zip(columns, row, strict=True)}


def _plain(value: Any) -> Any:
    if isinstance(value, (list, dict, str)) or value is None:
        return value
    if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _num(value: Any) -> float | None:
    plain = _plain(value)
    return None if plain is None else float(plain)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --- writers ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Writer:
    """One file format: ``write(frame, target)`` gets a text stream (text formats) or a Path
    (binary formats, which cannot go to stdout)."""

    write: Callable[[pd.DataFrame, Any], None]
    binary: bool = False
    suffix: str = ""


def _write_geojson(frame: pd.DataFrame, stream: TextIO) -> None:
    json.dump(to_geojson(frame), stream, ensure_ascii=False)
    stream.write("\n")


def _write_jsonl(frame: pd.DataFrame, stream: TextIO) -> None:
    for record in _records(frame):
        stream.write(_dumps(record) + "\n")


def flat_frame(frame_or_events: FrameOrEvents, *, actors_sep: str | None = None) -> pd.DataFrame:
    """FILE_COLUMNS with actors and sources as text (tables and files without list types):
    actors joined by ``actors_sep`` or as JSON when None, sources as JSON."""
    frame = as_frame(frame_or_events)
    if actors_sep is None:
        frame["actors"] = [_dumps(v) for v in frame["actors"]]
    else:
        frame["actors"] = [actors_sep.join(v) for v in frame["actors"]]
    frame["sources"] = [_dumps(v) for v in frame["sources"]]
    return frame


def _write_csv(frame: pd.DataFrame, stream: TextIO) -> None:
    flat_frame(frame, actors_sep="; ").to_csv(stream, index=False, lineterminator="\n")


def _binary_gdf(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """GeoDataFrame with actors and sources as JSON text: GeoPackage has no list type, and
    JSON text reads the same in every Parquet reader."""
    gdf = to_geodataframe(frame)
    gdf["actors"] = [_dumps(v) for v in gdf["actors"]]
    gdf["sources"] = [_dumps(v) for v in gdf["sources"]]
    return gdf


def _write_geoparquet(frame: pd.DataFrame, path: Path) -> None:
    _binary_gdf(frame).to_parquet(path, index=False)


def _write_gpkg(frame: pd.DataFrame, path: Path) -> None:
    if path.exists():
        path.unlink()  # a fresh file: appending a second "events" layer would mix exports
    _binary_gdf(frame).to_file(path, layer="events", driver="GPKG", engine="pyogrio")


#: Format name -> writer. The lead's ACLED CSV (another module) registers here.
WRITERS: dict[str, Writer] = {
    "geojson": Writer(_write_geojson, suffix=".geojson"),
    "csv": Writer(_write_csv, suffix=".csv"),
    "jsonl": Writer(_write_jsonl, suffix=".jsonl"),
    "geoparquet": Writer(_write_geoparquet, binary=True, suffix=".parquet"),
    "gpkg": Writer(_write_gpkg, binary=True, suffix=".gpkg"),
    "acled": Writer(lambda frame, target: write_acled(frame_events(frame), target),
                    suffix=".csv"),
}


def write_events(frame_or_events: FrameOrEvents, fmt: str, out: str | Path | None) -> None:
    """Write events in a registered format to ``out``; text formats go to stdout when ``out``
    is None, binary ones need a path."""
    writer = WRITERS.get(fmt.lower().strip()) if isinstance(fmt, str) else None
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    if writer.binary and out is None:
        raise ValueError(f"format {fmt!r} is binary: give an output file, not stdout")
    frame = as_frame(frame_or_events)
    if out is None:
        writer.write(frame, sys.stdout)
        return
    path = Path(out).expanduser()
    if path.is_dir():
        raise ValueError(f"output {path} is a folder; give a file name")
    if not path.parent.exists():
        raise ValueError(f"output folder {path.parent} does not exist")
    if writer.binary:
        writer.write(frame, path)
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer.write(frame, stream)
