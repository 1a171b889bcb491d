"""UCDP GED import: the real Iraq sample, damaged variants and random input."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.formats import ImportFormatError, load_dataset, read_dataset
from geo.formats.ucdp import REQUIRED_COLUMNS, load_ucdp, read_ucdp
from geo.model import EVENT_TYPES

FIXTURES = Path(__file__).parent / "fixtures" / "ucdp"
SAMPLE = FIXTURES / "ucdp_ged_iraq_sample.csv"


def raw_rows(path: Path = SAMPLE) -> tuple[list[str], list[dict[str, str]]]:
    """The sample parsed independently of the importer (header, data rows without HXL)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    return header, [dict(zip(header, r, strict=True)) for r in rows[2:]]


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def sample_events():
    return read_ucdp(SAMPLE)


def by_source(events, ucdp_id: str):
    (event,) = [e for e in events if e.source == f"UCDP GED:{ucdp_id}"]
    return event


def test_sample_reads_every_row(sample_events):
    assert len(sample_events) == 100
    assert {e.dataset for e in sample_events} == {"ucdp"}
    assert {e.country for e in sample_events} == {"IQ"}
    assert {e.confidence for e in sample_events} == {0.9}
    assert all(e.event_type in EVENT_TYPES for e in sample_events)


def test_sample_fields_match_the_csv(sample_events):
    _, rows = raw_rows()
    where_map = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: None, 7: None}
    date_map = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
    for row, event in zip(rows, sample_events, strict=True):
        assert event.source == f"UCDP GED:{row['id']}"
        assert event.killed == int(row["best"])
        assert event.date_start == row["date_start"]
        assert event.date_end == row["date_end"]
        assert event.time_precision == date_map[int(row["date_prec"])]
        assert event.geo_precision == where_map[int(row["where_prec"])]
        if event.geo_precision is None:
            assert event.lat is None and event.lon is None
        else:
            assert event.lat == pytest.approx(float(row["latitude"]))
            assert event.lon == pytest.approx(float(row["longitude"]))
        assert event.place == row["where_coordinates"]
        assert event.actors == [row["side_a"], row["side_b"]]
        if row["type_of_violence"] in ("1", "2"):
            assert event.event_type in {"armed_clash", "bombing", "air_strike", "drone_strike",
                                        "rocket_attack", "missile_attack"}
        else:
            assert event.event_type != "armed_clash"


def test_first_event_in_detail(sample_events):
    e = sample_events[0]
    assert (e.event_type, e.date, e.time_precision) == ("armed_clash", "2014-01-24", 2)
    assert (e.place_name, e.place_kind, e.geo_precision) == ("Al Fallūjah", "town", 1)
    assert e.evidence == "Iraq violence kills 14 as January toll tops 800"
    assert e.sources[0].title == "Agence France Presse"
    assert e.sources[0].published == "2014-01-25"
    assert "type_of_violence 1 (state-based)" in e.notes


def test_country_level_rows_have_no_point(sample_events):
    country_level = [e for e in sample_events if e.place_kind == "country"]
    assert len(country_level) == 6
    assert all(not e.has_point and e.geo_precision is None for e in country_level)


def test_month_precision_dates(sample_events):
    within_month = by_source(sample_events, "231982")  # 2016-10-17 .. 2016-10-24, date_prec 4
    assert (within_month.date, within_month.time_precision) == ("2016-10", 3)
    across = by_source(sample_events, "122098")  # 2003-03-17 .. 2003-04-09, date_prec 4
    assert (across.date, across.date_start, across.date_end) == (
        "2003-03-17", "2003-03-17", "2003-04-09")


def test_type_refined_only_when_every_headline_names_the_method(sample_events):
    car_bombs = by_source(sample_events, "225500")  # one-sided; three headlines, all bombings
    assert car_bombs.event_type == "bombing"
    assert "refined to bombing" in car_bombs.notes
    mixed = by_source(sample_events, "143030")  # "14 dead as holdout Iraq tribe repels ..."
    assert mixed.event_type == "armed_clash"
    one_sided = by_source(sample_events, "62366")  # no headline at all
    assert one_sided.event_type == "other_attack"


def test_citation_sources_are_not_used_as_headlines(sample_events):
    # Older GED rows cite sources as "r 25/2" or "Reuters 2003-03-20": no headline.
    old = [e for e in sample_events if e.date and e.date < "2004"]
    assert old
    assert all(e.evidence == "" for e in old)
    assert any(s.title.startswith("Reuters") for e in old for s in e.sources)


def test_file_without_hxl_row_reads_the_same(tmp_path, sample_events):
    header, rows = raw_rows()
    plain = write_rows(tmp_path / "plain.csv", header, rows)
    events = read_ucdp(plain)
    assert [e.to_properties() for e in events] == [e.to_properties() for e in sample_events]


def test_stream_and_dispatch(sample_events):
    text = SAMPLE.read_text(encoding="utf-8")
    from_stream = read_ucdp(io.StringIO(text))
    assert len(from_stream) == len(sample_events)
    assert len(read_ucdp(io.BytesIO(SAMPLE.read_bytes()))) == 100  # e.g. an uploaded file
    assert len(read_dataset(SAMPLE, "ucdp")) == 100
    with pytest.raises(ImportFormatError, match="unknown dataset format"):
        read_dataset(SAMPLE, "gdelt")  # type: ignore[arg-type]


def test_quoted_newlines_and_extra_columns():
    result = load_ucdp(FIXTURES / "quoted_newlines_extra_columns.csv")
    assert len(result.events) == 4 and not result.skipped
    first = result.events[0]
    assert first.evidence == "Iraq violence kills 14, as January toll tops 800"
    assert [s.title for s in first.sources] == ["Agence France Presse", "Reuters News"]
    assert first.event_type == "armed_clash"  # only one of the two headlines names bombs


def test_bad_rows_are_skipped_and_counted():
    result = load_ucdp(FIXTURES / "bad_rows.csv")
    assert [e.source for e in result.events] == [
        "UCDP GED:900001", "UCDP GED:900006", "UCDP GED:900007"]
    assert result.rows == 10
    assert result.skipped == {
        "bad date_start": 1, "date_end before date_start": 1, "bad latitude": 1,
        "bad longitude": 1, "bad type_of_violence": 1, "missing id": 1, "bad where_prec": 1,
    }
    assert result.blanked == {"bad best (deaths)": 1}
    assert result.events[2].killed is None
    assert result.summary().startswith("3 events from 10 rows; skipped")


def test_missing_columns_named_in_one_line():
    with pytest.raises(ImportFormatError) as info:
        read_ucdp(FIXTURES / "missing_columns.csv")
    message = str(info.value)
    assert "missing_columns.csv" in message and "\n" not in message
    assert "latitude, longitude, date_start" in message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"id,year\n\xff\xfe\xfa,1\n", "not a UTF-8"),
        (b"just some prose, not a table\n", "missing UCDP GED columns"),
    ],
)
def test_not_a_ucdp_file(tmp_path, content, problem):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=problem):
        read_ucdp(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImportFormatError, match="no such file"):
        read_ucdp(tmp_path / "absent.csv")
    with pytest.raises(ImportFormatError, match="folder"):
        read_ucdp(tmp_path)


def test_country_from_iso3_name_or_gleditsch_ward_id(tmp_path):
    header, rows = raw_rows()
    row = rows[0]
    variants = [
        row | {"iso3": "SYR", "country": "Iraq"},  # iso3 wins
        row | {"iso3": "", "country": "Yemen (North Yemen)"},
        row | {"iso3": "", "country": "DR Congo (Zaire)"},
        row | {"iso3": "", "country": "Nowhere", "country_id": "652"},
        row | {"iso3": "", "country": "Nowhere", "country_id": "9999"},
    ]
    events = read_ucdp(write_rows(tmp_path / "c.csv", header, variants))
    assert [e.country for e in events] == ["SY", "YE", "CD", "SY", None]


def test_whole_year_and_whole_month_ranges(tmp_path):
    header, rows = raw_rows()
    variants = [
        rows[0] | {"date_start": "2015-01-01", "date_end": "2015-12-31", "date_prec": "5"},
        rows[0] | {"date_start": "2015-02-01", "date_end": "2015-02-28", "date_prec": ""},
        rows[0] | {"date_start": "2015-02-03 00:00:00.000", "date_end": "", "date_prec": ""},
    ]
    events = read_ucdp(write_rows(tmp_path / "d.csv", header, variants))
    assert [(e.date, e.time_precision) for e in events] == [
        ("2015", 3), ("2015-02", 3), ("2015-02-03", 1)]


# --- properties over random input ------------------------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat),
    st.sampled_from(["1", "2", "3", "4", "5", "6", "7", "", "#tag", '"', "a\nb", "Iraq"]),
)


def check_events(events) -> None:
    for e in events:
        if e.lat is not None:
            assert -90 <= e.lat <= 90
        if e.lon is not None:
            assert -180 <= e.lon <= 180
        for d in (e.date_start, e.date_end):
            assert d is None or date.fromisoformat(d)
        assert e.killed is None or e.killed >= 0
        assert e.wounded is None or e.wounded >= 0
        assert e.event_type in EVENT_TYPES


def parse_text(text: str, fmt: str):
    """Write the text to a real file (as a user would hand it over) and import it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            return load_dataset(path, fmt).events
        except ImportFormatError as exc:
            assert "\n" not in str(exc)
            return []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_only_raises_import_format_error(text):
    check_events(parse_text(text, "ucdp"))


DAYS = st.dates(date(1989, 1, 1), date(2030, 12, 31)).map(date.isoformat)
#: Rows mostly shaped like GED rows (so some become events), each field sometimes garbage.
ROW = st.fixed_dictionaries({
    "id": st.one_of(st.integers(1, 10**6).map(str), CELLS),
    "type_of_violence": st.one_of(st.sampled_from(["1", "2", "3"]), CELLS),
    "side_a": CELLS, "side_b": CELLS,
    "where_prec": st.one_of(st.sampled_from(["1", "2", "3", "4", "5", "6", "7"]), CELLS),
    "where_coordinates": CELLS,
    "latitude": st.one_of(st.floats(-95, 95).map(str), CELLS),
    "longitude": st.one_of(st.floats(-185, 185).map(str), CELLS),
    "country": st.one_of(st.sampled_from(["Iraq", "Syria", "DR Congo (Zaire)"]), CELLS),
    "date_prec": st.one_of(st.sampled_from(["1", "2", "3", "4", "5"]), CELLS),
    "date_start": st.one_of(DAYS, CELLS), "date_end": st.one_of(DAYS, st.just(""), CELLS),
    "best": st.one_of(st.integers(-3, 5000).map(str), CELLS),
    "source_article": CELLS,
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(ROW, st.lists(CELLS, max_size=len(REQUIRED_COLUMNS) + 2)), max_size=6))
def test_random_rows_give_valid_events(rows):
    buf = io.StringIO()
    writer = csv.writer(buf)
    columns = [*REQUIRED_COLUMNS, "source_article"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns] if isinstance(row, dict) else row)
    check_events(parse_text(buf.getvalue(), "ucdp"))


def test_sides_are_actor1_and_actor2(sample_events):
    """side_a and side_b become ACLED's roles (one-sided violence: the perpetrator and the
    civilians it hit)."""
    _, rows = raw_rows()
    for row in rows:
        event = by_source(sample_events, row["id"])
        assert (event.actor1, event.actor2) == (row["side_a"], row["side_b"])
        assert event.actors == [row["side_a"], row["side_b"]]
        assert event.claimant is None and event.status == "reported"
    one_sided = [e for e in sample_events if e.event_type == "other_attack"]
    assert one_sided and all(e.actor2 == "Civilians" for e in one_sided)
