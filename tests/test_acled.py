"""ACLED import and export: the synthetic sample, damaged files, round trips, random input."""

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
from geo.formats.acled import (
    ACLED_COLUMNS,
    REQUIRED_COLUMNS,
    SUB_EVENT_TYPES,
    acled_event_type,
    load_acled,
    read_acled,
    write_acled,
)
from geo.formats.ucdp import read_ucdp
from geo.model import EVENT_TYPES, Event

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "acled" / "acled_sample.csv"

#: What the synthetic sample is built to exercise: one row per mapping.
EXPECTED_TYPES = {
    "IRQ9001": "missile_attack", "IRQ9002": "rocket_attack", "IRQ9003": "shelling",
    "IRQ9004": "drone_strike", "SYR9005": "air_strike", "IRQ9006": "bombing",
    "IRQ9007": "bombing", "IRQ9008": "armed_clash", "IRQ9009": "other_attack",
    "SYR9010": "territory_change", "SYR9011": "territory_change", "IRQ9012": "base",
    "IRQ9013": "territory_change",
}


def raw_rows(path: Path = SAMPLE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sample_types_follow_the_mapping_table():
    result = load_acled(SAMPLE)
    got = {e.source.removeprefix("ACLED:"): e.event_type for e in result.events}
    assert got == EXPECTED_TYPES
    assert result.skipped == {"sub_event_type not mapped: Peaceful protest": 1,
                              "sub_event_type not mapped: Agreement": 1}


def test_sample_fields_match_the_csv():
    rows = {r["event_id_cnty"]: r for r in raw_rows()}
    for e in read_acled(SAMPLE):
        row = rows[e.source.removeprefix("ACLED:")]
        assert e.lat == pytest.approx(float(row["latitude"]))
        assert e.lon == pytest.approx(float(row["longitude"]))
        assert e.killed == int(row["fatalities"])
        assert e.geo_precision == int(row["geo_precision"])
        assert e.time_precision == int(row["time_precision"])
        assert e.evidence == row["notes"] and e.sources[0].title == row["source"]
        assert e.actors == [a for a in (row["actor1"], row["actor2"]) if a]
        assert e.country == {"Iraq": "IQ", "Syria": "SY"}[row["country"]]
        assert e.dataset == "acled" and e.place == row["location"]


def test_time_precision_ranges():
    events = {e.source: e for e in read_acled(SAMPLE)}
    week = events["ACLED:SYR9005"]  # time_precision 2: the middle of a week
    assert (week.date, week.date_start, week.date_end) == ("2019-03-12", "2019-03-09",
                                                          "2019-03-15")
    month = events["ACLED:IRQ9012"]  # time_precision 3: the month
    assert (month.date, month.date_start, month.date_end) == ("2020-03", "2020-03-01",
                                                             "2020-03-31")


def test_legacy_layout_upper_case_and_old_dates():
    events = read_acled(FIXTURES / "acled" / "acled_legacy_layout.csv")
    assert [(e.event_type, e.date, e.country, e.killed) for e in events] == [
        ("rocket_attack", "2019-12-27", "IQ", 1),
        ("air_strike", "2019-12-29", "IQ", 25),
        ("air_strike", "2019-12-29", "SY", None),  # country from the numeric iso 760
    ]


def test_notes_decide_between_weapon_types():
    shelling = "Shelling/artillery/missile attack"
    assert acled_event_type(shelling, "A ballistic missile hit the base") == "missile_attack"
    assert acled_event_type(shelling, "Three Katyusha rockets landed") == "rocket_attack"
    assert acled_event_type(shelling, "Artillery shelled the village") == "shelling"
    assert acled_event_type("Air/drone strike", "An armed UAV struck a car") == "drone_strike"
    assert acled_event_type("Air/drone strike", "Warplanes struck positions") == "air_strike"
    assert acled_event_type("  ARMED   clash ") == "armed_clash"
    assert acled_event_type("Arrests") is None


def test_bad_rows_are_skipped_and_counted():
    result = load_acled(FIXTURES / "acled" / "bad_rows.csv")
    assert [e.source for e in result.events] == ["ACLED:IRQ9301", "ACLED:IRQ9306",
                                                 "ACLED:IRQ9307"]
    assert result.events[0].evidence.startswith("Clash near Tarmiyah, Salah al-Din border;\n")
    assert [e.killed for e in result.events] == [2, None, None]
    assert result.skipped == {
        "bad event_date": 2, "bad latitude": 1, "bad longitude": 1,
        "missing event_id_cnty": 1, "missing sub_event_type": 1,
        "sub_event_type not mapped: Looting/property destruction": 1,
    }
    assert result.blanked == {"bad fatalities": 2, "bad time_precision (read as 1)": 1}


def test_missing_columns_named():
    with pytest.raises(ImportFormatError, match="missing ACLED columns: sub_event_type, latitude"):
        read_acled(FIXTURES / "acled" / "missing_columns.csv")
    with pytest.raises(ImportFormatError, match="missing ACLED columns"):
        read_dataset(FIXTURES / "ucdp" / "ucdp_ged_iraq_sample.csv", "acled")


# --- writing ---------------------------------------------------------------------------------

def test_write_header_and_values(tmp_path):
    events = read_acled(SAMPLE)
    out = tmp_path / "out.csv"
    assert write_acled(events, out) == len(events)
    rows = raw_rows(out)
    assert tuple(rows[0].keys()) == ACLED_COLUMNS
    first = rows[0]
    assert first["event_id_cnty"] == "IRQ9001"  # ACLED events keep their id
    assert (first["event_type"], first["sub_event_type"]) == EVENT_TYPES["missile_attack"]
    assert first["disorder_type"] == "Political violence"
    assert (first["iso"], first["country"]) == ("368", "Iraq")
    assert first["timestamp"].isdigit()
    base = next(r for r in rows if r["event_id_cnty"] == "IRQ9012")
    assert (base["event_date"], base["time_precision"]) == ("2020-03-15", "3")
    assert base["disorder_type"] == "Strategic developments"


def test_round_trip_of_acled_sample():
    before = read_acled(SAMPLE)
    buf = io.StringIO()
    write_acled(before, buf)
    after = read_acled(io.StringIO(buf.getvalue()))
    assert len(after) == len(before)
    for a, b in zip(before, after, strict=True):
        assert (a.event_type, a.date, a.date_start, a.date_end) == (
            b.event_type, b.date, b.date_start, b.date_end)
        assert (a.time_precision, a.geo_precision, a.killed, a.actors, a.country) == (
            b.time_precision, b.geo_precision, b.killed, b.actors, b.country)
        assert (a.lat, a.lon) == pytest.approx((b.lat, b.lon), abs=1e-6)
        assert a.source == b.source and a.evidence == b.evidence


def test_round_trip_of_every_event_type():
    """Our types survive ACLED when the evidence names the weapon; three have no ACLED type."""
    evidence = {
        "rocket_attack": "Two rockets hit the base.", "missile_attack": "A missile struck.",
        "drone_strike": "A drone strike hit a car.", "air_strike": "Jets bombed a depot.",
        "shelling": "Artillery shelled the village.",
    }
    events = [
        Event(event_type=t, date=f"2020-01-{i % 9 + 1:02d}", time_precision=1, lat=33.3 + i,
              lon=44.4 - i, geo_precision=1 + i % 3, killed=i, country="IQ",
              actors=["Side A", "Side B"], evidence=evidence.get(t, f"{t} reported"),
              place="Somewhere", source=f"https://example.org/{i}")
        for i, t in enumerate(EVENT_TYPES)
    ]
    buf = io.StringIO()
    write_acled(events, buf)
    after = {(e.lat, e.lon): e for e in read_acled(io.StringIO(buf.getvalue()))}
    lost = {"withdrawal", "handover", "border_crossing"}  # ACLED "Other" / "Agreement"
    for e in events:
        if e.event_type in lost:
            assert (e.lat, e.lon) not in after
            continue
        back = after[(e.lat, e.lon)]
        assert back.event_type == e.event_type
        assert (back.date, back.killed, back.geo_precision) == (e.date, e.killed, e.geo_precision)


def test_round_trip_of_ucdp_events():
    ucdp_events = read_ucdp(FIXTURES / "ucdp" / "ucdp_ged_iraq_sample.csv")
    buf = io.StringIO()
    written = write_acled(ucdp_events, buf)
    with_point = [e for e in ucdp_events if e.has_point]
    assert written == len(with_point) == 94  # country-level rows have no point for ACLED
    back = read_acled(io.StringIO(buf.getvalue()))
    for a, b in zip(with_point, back, strict=True):
        assert b.event_type == acled_event_type(EVENT_TYPES[a.event_type][1], a.evidence)
        assert b.event_type == a.event_type  # no rocket/missile/drone types in this sample
        assert b.killed == a.killed and b.geo_precision == a.geo_precision
        assert b.time_precision == a.time_precision
        # ACLED's precision 3 means "the month": a UCDP range starting on a day comes back as
        # that day's month; every other date comes back as it was.
        assert b.date == (a.date[:7] if a.time_precision == 3 else a.date)


def test_write_skips_what_acled_cannot_hold(tmp_path):
    events = [
        Event(event_type="air_strike", date="2020-01-03", lat=33.0, lon=44.0),
        Event(event_type="air_strike", date=None, lat=33.0, lon=44.0),  # undated
        Event(event_type="air_strike", date="2020-01-03"),  # no point
        Event(event_type="parade", date="2020-01-03", lat=33.0, lon=44.0),  # unknown type
    ]
    assert write_acled(events, tmp_path / "x.csv") == 1
    (row,) = raw_rows(tmp_path / "x.csv")
    assert row["fatalities"] == "" and row["time_precision"] == "1"
    assert row["event_id_cnty"] == events[0].event_id


# --- properties over random input ------------------------------------------------------------

def parse_text(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            return load_dataset(path, "acled").events
        except ImportFormatError as exc:
            assert "\n" not in str(exc)
            return []


def check_events(events) -> None:
    for e in events:
        assert -90 <= e.lat <= 90 and -180 <= e.lon <= 180
        assert date.fromisoformat(e.date_start) <= date.fromisoformat(e.date_end)
        assert e.killed is None or e.killed >= 0
        assert e.event_type in EVENT_TYPES


ROW = st.fixed_dictionaries({
    "event_id_cnty": st.one_of(st.just(""), st.text(min_size=1, max_size=8)),
    "event_date": st.one_of(
        st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(date.isoformat),
        st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(lambda d: d.strftime("%d %B %Y")),
        st.text(max_size=12)),
    "time_precision": st.sampled_from(["1", "2", "3", "0", "", "x", "2.0"]),
    "event_type": st.sampled_from(sorted({t for t, _ in EVENT_TYPES.values()}) + ["Riots"]),
    "sub_event_type": st.one_of(st.sampled_from(sorted(SUB_EVENT_TYPES)), st.text(max_size=10)),
    "latitude": st.one_of(st.floats(-100, 100).map(str), st.text(max_size=6)),
    "longitude": st.one_of(st.floats(-200, 200).map(str), st.text(max_size=6)),
    "fatalities": st.one_of(st.integers(-5, 500).map(str), st.floats().map(str), st.just("")),
    "notes": st.text(max_size=40),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_only_raises_import_format_error(text):
    check_events(parse_text(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=8))
def test_random_rows_give_valid_events(rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*REQUIRED_COLUMNS, "time_precision", "fatalities",
                                             "notes"])
    writer.writeheader()
    writer.writerows(rows)
    check_events(parse_text(buf.getvalue()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.builds(
    Event,
    event_type=st.sampled_from(sorted(EVENT_TYPES)),
    date=st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(date.isoformat),
    time_precision=st.just(1),
    lat=st.floats(-90, 90), lon=st.floats(-180, 180),
    geo_precision=st.sampled_from([1, 2, 3, None]),
    killed=st.one_of(st.none(), st.integers(0, 10_000)),
    evidence=st.text(max_size=40),
), max_size=5))
def test_written_events_read_back_with_same_facts(events):
    buf = io.StringIO()
    write_acled(events, buf)
    back = read_acled(io.StringIO(buf.getvalue()))
    kept = [e for e in events if acled_event_type(EVENT_TYPES[e.event_type][1], e.evidence)]
    assert len(back) == len(kept)
    for a, b in zip(kept, back, strict=True):
        assert (b.date, b.killed, b.geo_precision) == (a.date, a.killed, a.geo_precision)
        assert (b.lat, b.lon) == pytest.approx((a.lat, a.lon), abs=1e-6)


# --- ACLED's actor roles ----------------------------------------------------------------------

def _acled_csv(**cells: str) -> io.StringIO:
    row = {c: "" for c in ACLED_COLUMNS}
    row.update(event_id_cnty="IRQ9900", event_date="2020-03-11", time_precision="1",
               event_type="Explosions/Remote violence",
               sub_event_type="Shelling/artillery/missile attack", latitude="33.524",
               longitude="44.257", country="Iraq", location="Camp Taji",
               notes="Rockets hit Camp Taji.", fatalities="3")
    row.update(cells)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    return io.StringIO(buf.getvalue())


def test_sample_roles_are_actor1_and_actor2():
    events = {e.source: e for e in read_acled(SAMPLE)}
    assert len(events) == len(EXPECTED_TYPES)
    for raw in raw_rows():
        event = events.get(f"ACLED:{raw['event_id_cnty']}")
        if event is None:
            continue  # a sub-event type we do not map
        assert event.actor1 == (raw["actor1"] or None)
        assert event.actor2 == (raw["actor2"] or None)
        assert event.claimant is None and event.status == "reported"


def test_associated_actors_keep_their_side_through_a_round_trip():
    [event] = read_acled(_acled_csv(
        actor1="Kataib Hezbollah", assoc_actor_1="Asaib Ahl al-Haq; Harakat al-Nujaba",
        actor2="Military Forces of the United States (2017-2021)",
        assoc_actor_2="Military Forces of the United Kingdom (2019-)"))
    assert event.actors == ["Kataib Hezbollah", "Asaib Ahl al-Haq", "Harakat al-Nujaba",
                            "Military Forces of the United States (2017-2021)",
                            "Military Forces of the United Kingdom (2019-)"]
    assert (event.actor1, event.actor2) == (
        "Kataib Hezbollah", "Military Forces of the United States (2017-2021)")
    buf = io.StringIO()
    write_acled([event], buf)
    [row] = csv.DictReader(io.StringIO(buf.getvalue()))
    assert (row["actor1"], row["assoc_actor_1"], row["actor2"], row["assoc_actor_2"]) == (
        "Kataib Hezbollah", "Asaib Ahl al-Haq; Harakat al-Nujaba",
        "Military Forces of the United States (2017-2021)",
        "Military Forces of the United Kingdom (2019-)")
    [back] = read_acled(io.StringIO(buf.getvalue()))
    assert (back.actors, back.actor1, back.actor2) == (event.actors, event.actor1, event.actor2)


def test_export_codes_a_claimed_attack_to_its_claimant_and_skips_unreported_events():
    base = dict(date="2020-03-11", time_precision=1, lat=33.5, lon=44.3, country="IQ",
                place="Camp Taji", evidence="Rockets hit Camp Taji.", source="a.txt")
    claimed = Event("rocket_attack", actors=["Usbat al-Thairin", "US forces"],
                    claimant="Usbat al-Thairin", actor2="US forces", **base)
    legacy = Event("rocket_attack", actors=["A", "B", "C"], **dict(base, lat=33.6))
    planned = Event("rocket_attack", actors=["A"], actor1="A", status="threatened",
                    **dict(base, lat=33.7))
    buf = io.StringIO()
    assert write_acled([claimed, legacy, planned], buf) == 2
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert (rows[0]["actor1"], rows[0]["actor2"], rows[0]["assoc_actor_1"]) == (
        "Usbat al-Thairin", "US forces", "")
    # an event without roles: the first two actors, the rest associates of the first
    assert (rows[1]["actor1"], rows[1]["actor2"], rows[1]["assoc_actor_1"]) == ("A", "B", "C")


@pytest.mark.parametrize(("notes", "kind"), [
    ("Artillery and mortar fire hit the village; two civilians were killed.", "shelling"),
    ("Tank fire hit houses on the edge of the town.", "shelling"),
    ("Grad rockets hit the market.", "rocket_attack"),
    ("A ballistic missile struck the port.", "missile_attack"),
])
def test_shelling_round_trip(notes, kind):
    """Shelling/artillery/missile attack rows that name neither rockets nor missiles are
    shelling, and shelling goes back to ACLED as that sub-event type and reads back the same."""
    [event] = read_acled(_acled_csv(notes=notes))
    assert event.event_type == kind
    buf = io.StringIO()
    write_acled([event], buf)
    [row] = csv.DictReader(io.StringIO(buf.getvalue()))
    assert (row["event_type"], row["sub_event_type"]) == (
        "Explosions/Remote violence", "Shelling/artillery/missile attack")
    [back] = read_acled(io.StringIO(buf.getvalue()))
    assert back.event_type == kind and back.evidence == notes
