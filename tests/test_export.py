"""Exports written to real files and read back with independent readers (pyogrio, pyarrow,
DuckDB, pandas): null geometries and non-ASCII text must survive every format."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geo.formats import files as export
from geo.formats.files import (
    FILE_COLUMNS,
    GEOJSON_PROPERTIES,
    WRITERS,
    Writer,
    events_frame,
    frame_events,
    to_geodataframe,
    to_geojson,
    write_events,
)
from geo.model import EVENT_COLUMNS, Event, Evidence
from geo.store import EventStore

EVENTS = [
    Event("air_strike", date="2020-01-03", date_start="2020-01-03", date_end="2020-01-03",
          time_precision=1, place="Baghdad International Airport", place_name="مطار بغداد الدولي",
          place_id="ourairports:ORBI", place_kind="airport", country="IQ", lat=33.2625,
          lon=44.2346, geo_precision=1, killed=10, wounded=None,
          actors=["United States", "Quds Force (target)"],
          evidence="Ein Luftangriff tötete Qasem Soleimani – «drone strike».",
          evidence_start=5, evidence_end=60, source="https://example.org/ü", confidence=0.9,
          sources=[Evidence("Ein Luftangriff tötete Qasem Soleimani – «drone strike».", 5, 60,
                            "https://example.org/ü", "Título", "2020-01-03")]),
    Event("base", place="Ayn al-Asad", place_kind="military_base", country="IQ",
          evidence="US troops are at Ayn al-Asad.", source="b.txt", notes="undated; no point"),
    Event("territory_change", date="2019-10", date_start="2019-10-01", date_end="2019-10-31",
          time_precision=3, place="Ras al-Ayn", country="SY", lat=36.85, lon=40.07,
          geo_precision=2, aggregate=True, dataset="acled", source="ACLED:SYR1",
          actors=["SNA"], killed=0, wounded=3),
]


def _check_core(frame: pd.DataFrame) -> None:
    """What every format must carry back: ids, unicode text, casualties, missing values."""
    frame = frame.set_index("id")
    first, second = EVENTS[0].event_id, EVENTS[1].event_id
    assert frame.loc[first, "place_name"] == "مطار بغداد الدولي"
    assert frame.loc[first, "evidence"] == EVENTS[0].evidence
    assert int(frame.loc[first, "killed"]) == 10
    assert pd.isna(frame.loc[first, "wounded"])
    assert pd.isna(frame.loc[second, "date"])
    assert int(frame.loc[EVENTS[2].event_id, "killed"]) == 0  # zero is not missing


def test_events_frame_columns_and_types() -> None:
    frame = events_frame(EVENTS)
    assert list(frame.columns) == list(FILE_COLUMNS)
    assert frame["actors"].iloc[0] == ["United States", "Quds Force (target)"]
    assert frame["sources"].iloc[0][0]["title"] == "Título"
    assert str(frame["killed"].dtype) == "Int64" and pd.isna(frame["killed"].iloc[1])
    assert frame["aggregate"].tolist() == [False, False, True]
    assert events_frame([]).shape == (0, len(FILE_COLUMNS))
    with pytest.raises(TypeError, match="expected Event"):
        events_frame([{"event_type": "base"}])  # type: ignore[list-item]


def test_geodataframe_points_and_nulls() -> None:
    gdf = to_geodataframe(EVENTS)
    assert gdf.crs.to_epsg() == 4326
    assert (gdf.geometry.iloc[0].x, gdf.geometry.iloc[0].y) == (44.2346, 33.2625)
    assert gdf.geometry.iloc[1] is None
    assert "lat" in gdf.columns and "lon" in gdf.columns
    # a frame works as well as events, and a GeoDataFrame can go round again
    assert to_geodataframe(to_geodataframe(events_frame(EVENTS))).geometry.equals(gdf.geometry)


def test_geojson_is_rfc7946() -> None:
    fc = to_geojson(EVENTS)
    text = json.dumps(fc, allow_nan=False)  # no NaN may leak into JSON
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    f0, f1 = fc["features"][0], fc["features"][1]
    assert f0["geometry"] == {"type": "Point", "coordinates": [44.2346, 33.2625]}  # lon, lat
    assert f1["geometry"] is None
    assert tuple(f0["properties"]) == GEOJSON_PROPERTIES
    assert f0["properties"]["actors"] == ["United States", "Quds Force (target)"]
    assert f0["properties"]["sources"][0]["published"] == "2020-01-03"
    assert f1["properties"]["killed"] is None and f1["properties"]["date"] is None
    assert f0["id"] == EVENTS[0].event_id == f0["properties"]["id"]
    assert isinstance(f0["properties"]["killed"], int) and "lat" not in f0["properties"]
    assert "NaN" not in text


def test_geojson_file_reads_back_with_pyogrio(tmp_path: Path) -> None:
    out = tmp_path / "events.geojson"
    write_events(EVENTS, "geojson", out)
    gdf = gpd.read_file(out, engine="pyogrio")
    assert len(gdf) == 3 and gdf.crs.to_epsg() == 4326
    assert gdf.geometry.isna().sum() == 1
    _check_core(gdf)


def test_geoparquet_reads_back_with_geopandas_and_duckdb(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    write_events(EVENTS, "geoparquet", out)
    gdf = gpd.read_parquet(out)
    assert gdf.crs.to_epsg() == 4326 and gdf.geometry.isna().sum() == 1
    _check_core(gdf)
    assert json.loads(gdf.set_index("id").loc[EVENTS[0].event_id, "actors"]) == EVENTS[0].actors
    con = duckdb.connect()
    rows = con.execute(
        "SELECT id, place_name, killed, actors, sources, aggregate FROM read_parquet(?) "
        "ORDER BY killed NULLS FIRST", [str(out)]).fetchall()
    assert [r[2] for r in rows] == [None, 0, 10]
    assert rows[2][1] == "مطار بغداد الدولي"
    assert json.loads(rows[2][4])[0]["title"] == "Título"
    assert rows[1][5] is True
    meta = con.execute("SELECT value FROM parquet_kv_metadata(?) WHERE key = 'geo'",
                       [str(out)]).fetchone()
    assert json.loads(meta[0])["primary_column"] == "geometry"
    # and back to Events: every field survives
    assert frame_events(gdf.sort_values("id")) == sorted(EVENTS, key=lambda e: e.event_id)


def test_gpkg_reads_back_with_pyogrio(tmp_path: Path) -> None:
    out = tmp_path / "events.gpkg"
    write_events(EVENTS, "gpkg", out)
    write_events(EVENTS[:1], "gpkg", out)  # overwrites, does not append
    assert [layer[0] for layer in pyogrio.list_layers(out)] == ["events"]
    assert len(pyogrio.read_dataframe(out, layer="events")) == 1
    write_events(EVENTS, "gpkg", out)
    gdf = pyogrio.read_dataframe(out, layer="events")
    assert len(gdf) == 3 and gdf.geometry.isna().sum() == 1
    _check_core(gdf)


def test_csv_joins_actors_and_keeps_sources_json(tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    write_events(EVENTS, "csv", out)
    frame = pd.read_csv(out, dtype={"killed": "Int64", "wounded": "Int64"},
                        keep_default_na=False, na_values=[""])
    assert list(frame.columns) == list(FILE_COLUMNS)
    _check_core(frame)
    row = frame.set_index("id").loc[EVENTS[0].event_id]
    assert row["actors"] == "United States; Quds Force (target)"
    assert json.loads(row["sources"])[0]["source"] == "https://example.org/ü"


def test_jsonl_round_trips_to_events(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    write_events(EVENTS, "jsonl", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    back = [Event.from_properties(json.loads(line)) for line in lines]
    assert back == EVENTS


def test_text_formats_go_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_events(EVENTS, "geojson", None)
    assert len(json.loads(capsys.readouterr().out)["features"]) == 3
    write_events(EVENTS, "CSV", None)
    assert pd.read_csv(io.StringIO(capsys.readouterr().out)).shape == (3, len(FILE_COLUMNS))
    write_events([], "jsonl", None)
    assert capsys.readouterr().out == ""


def test_bad_requests_raise_clear_errors(tmp_path: Path) -> None:
    for fmt in ("geoparquet", "gpkg"):
        with pytest.raises(ValueError, match="binary: give an output file"):
            write_events(EVENTS, fmt, None)
    with pytest.raises(ValueError, match="unknown export format 'kml'"):
        write_events(EVENTS, "kml", tmp_path / "x.kml")
    with pytest.raises(ValueError, match="is a folder"):
        write_events(EVENTS, "csv", tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        write_events(EVENTS, "csv", tmp_path / "missing" / "x.csv")
    with pytest.raises(ValueError, match="no 'event_type' column"):
        write_events(pd.DataFrame({"x": [1]}), "csv", tmp_path / "x.csv")


def test_empty_exports_are_valid(tmp_path: Path) -> None:
    assert to_geojson([]) == {"type": "FeatureCollection", "features": []}
    write_events([], "geoparquet", tmp_path / "e.parquet")
    assert len(gpd.read_parquet(tmp_path / "e.parquet")) == 0
    write_events([], "csv", tmp_path / "e.csv")
    assert pd.read_csv(tmp_path / "e.csv").columns.tolist() == list(FILE_COLUMNS)


def test_store_frame_exports(tmp_path: Path) -> None:
    """The path the CLI and the map take: query_frame straight into every writer."""
    with EventStore(tmp_path / "store") as store:
        store.add_events(EVENTS)
        frame = store.query_frame()
    for fmt, writer in WRITERS.items():
        out = tmp_path / f"all{writer.suffix}"
        write_events(frame, fmt, out)
        assert out.stat().st_size > 0
    fc = json.loads((tmp_path / "all.geojson").read_text(encoding="utf-8"))
    assert {f["id"] for f in fc["features"]} == {e.event_id for e in EVENTS}
    _check_core(gpd.read_parquet(tmp_path / "all.parquet"))


def test_registry_takes_a_new_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def write_ids(frame: pd.DataFrame, stream: io.TextIOBase) -> None:
        stream.write("\n".join(frame["id"]) + "\n")

    monkeypatch.setitem(export.WRITERS, "ids", Writer(write_ids, suffix=".txt"))
    write_events(EVENTS, "ids", tmp_path / "ids.txt")
    assert (tmp_path / "ids.txt").read_text().split() == [e.event_id for e in EVENTS]


# --- ACLED's actor roles and the status, in every file ---------------------------------------

ROLES = Event("rocket_attack", date="2020-03-11", date_start="2020-03-11", date_end="2020-03-11",
              time_precision=1, place="Camp Taji", country="IQ", lat=33.524, lon=44.257,
              geo_precision=1, killed=3, actors=["Kataib Hezbollah", "US forces", "UK forces"],
              actor1="Kataib Hezbollah", actor2="US forces", claimant="Usbat al-Thairin",
              status="reported", evidence="Rockets hit Camp Taji.", source="a.txt")
THREAT = Event("drone_strike", date="2024-01-30", place="Tower 22", country="JO", lat=33.31,
               lon=38.70, actors=["Islamic Resistance in Iraq"],
               actor1="Islamic Resistance in Iraq", status="threatened",
               evidence="The group threatened more drone strikes.", source="b.txt")


def _check_roles(rows: dict[str, dict]) -> None:
    first, second = rows[ROLES.event_id], rows[THREAT.event_id]
    assert (first["actor1"], first["actor2"], first["claimant"], first["status"]) == (
        "Kataib Hezbollah", "US forces", "Usbat al-Thairin", "reported")
    assert (second["actor1"], second["status"]) == ("Islamic Resistance in Iraq", "threatened")
    assert second["actor2"] is None or pd.isna(second["actor2"])


def test_roles_and_status_in_every_file(tmp_path: Path) -> None:
    """actor1, actor2, claimant and status are written by every format and read back by an
    independent reader (pyogrio, geopandas/pyarrow, DuckDB, pandas, json)."""
    events = [ROLES, THREAT]
    for fmt, writer in WRITERS.items():
        if fmt != "acled":
            write_events(events, fmt, tmp_path / f"e{writer.suffix}")
    fc = json.loads((tmp_path / "e.geojson").read_text(encoding="utf-8"))
    assert tuple(fc["features"][0]["properties"])[12:16] == (
        "actor1", "actor2", "claimant", "status")
    _check_roles({f["id"]: f["properties"] for f in fc["features"]})
    jsonl = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    _check_roles({r["id"]: r for r in jsonl})
    assert frame_events(pd.DataFrame(jsonl))[0].claimant == "Usbat al-Thairin"
    for frame in (pd.read_csv(tmp_path / "e.csv"), gpd.read_parquet(tmp_path / "e.parquet"),
                  pyogrio.read_dataframe(tmp_path / "e.gpkg"),
                  duckdb.sql(f"SELECT * FROM read_parquet('{tmp_path / 'e.parquet'}')").df()):
        _check_roles({r["id"]: r for r in frame.to_dict("records")})


def test_a_frame_without_the_role_columns_gets_the_model_defaults() -> None:
    """A store frame from before the role columns: roles empty, status 'reported'."""
    frame = events_frame([ROLES]).drop(columns=["actor1", "actor2", "claimant", "status"])
    back = frame_events(frame)[0]
    assert (back.actor1, back.actor2, back.claimant, back.status) == (None, None, None,
                                                                       "reported")
    assert list(export.as_frame(frame).columns) == list(FILE_COLUMNS)
    assert set(EVENT_COLUMNS) <= set(FILE_COLUMNS)
