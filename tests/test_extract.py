"""Extraction: the seed end to end, spun text, general rules on sentences not from the seed."""

from __future__ import annotations

from datetime import date

import pytest

from geo.articles import article_from_text, read_article
from geo.extract import evaluate
from geo.geodesy import haversine_km
from geo.model import ATTACK_TYPES, Event

from .conftest import DEV, SEED


@pytest.fixture(scope="module")
def seed_article():
    return read_article(SEED)


@pytest.fixture(scope="module")
def seed_events(extractor, seed_article) -> list[Event]:
    return extractor.extract(seed_article)


def near(ev: Event, lat: float, lon: float, km: float) -> bool:
    return ev.has_point and haversine_km(ev.lat, ev.lon, lat, lon) <= km


def find(events: list[Event], etype: str, lat: float, lon: float, km: float = 5) -> list[Event]:
    return [e for e in events if e.event_type == etype and near(e, lat, lon, km)]


AL_QAIM = (34.39, 40.99)
Q_WEST = (35.767, 43.125)
K1 = (35.513, 44.284)
CAMP_TAJI = (33.529, 44.2775)
BIAP = (33.2625, 44.2346)


def test_seed_publication_date_from_dateline(seed_article):
    assert seed_article.published == date(2020, 9, 28)
    assert "Picture caption" not in seed_article.text
    assert "Supply backlink" not in seed_article.text


def test_seed_withdrawals_from_the_three_bases(seed_events):
    assert find(seed_events, "withdrawal", *AL_QAIM, km=10)
    assert find(seed_events, "withdrawal", *Q_WEST)
    assert find(seed_events, "withdrawal", *K1)


def test_seed_handover_ceremony_at_al_qaim(seed_events):
    [ev] = find(seed_events, "handover", *AL_QAIM, km=10)
    assert "hand about" in ev.evidence
    assert ev.time_precision == 2  # "this 7 days" (this week): a week, not a day


def test_seed_kirkuk_means_k1_in_base_context(seed_events):
    attacks = find(seed_events, "rocket_attack", *K1)
    assert attacks, "the rocket attack at Kirkuk is placed at K-1"
    [ev] = [e for e in attacks if e.date == "2019-12-28"]
    assert ev.killed == 1  # "A US contractor was killed"
    assert ev.time_precision == 1
    assert ev.place_kind == "military_base"


def test_seed_taji_attacks(seed_events):
    [ev] = find(seed_events, "rocket_attack", *CAMP_TAJI)
    assert (ev.killed, ev.wounded) == (3, 2)
    assert ev.time_precision == 2  # "last week", relative to the dateline
    assert len(ev.sources) >= 2  # the caption and the body sentence, merged


def test_seed_drone_strike_near_baghdad_airport(seed_events):
    [ev] = find(seed_events, "drone_strike", *BIAP)
    assert ev.date == "2020-01-03"
    assert ev.geo_precision == 2  # "near Baghdad airport"


def test_seed_air_strikes_in_iraq_and_syria_are_country_level(seed_events):
    strikes = [e for e in seed_events if e.event_type == "air_strike"]
    assert {e.country for e in strikes} >= {"IQ", "SY"}
    for ev in strikes:
        assert ev.killed == 25
        assert not ev.has_point and ev.geo_precision is None  # no fake point for a country


def test_seed_territory_changes_at_al_qaim(seed_events):
    dates = {e.date for e in find(seed_events, "territory_change", *AL_QAIM, km=10)}
    assert {"2014", "2017-11"} <= dates


def test_seed_aggregate_statement_is_flagged(seed_events):
    [agg] = [e for e in seed_events if e.aggregate]
    assert "25 rocket" in agg.evidence
    assert not agg.has_point


def test_seed_nothing_placed_outside_iraq_and_syria(seed_events):
    for ev in seed_events:
        if ev.has_point:
            assert 32 <= ev.lat <= 38 and 38 <= ev.lon <= 46, (ev.place, ev.place_name)
        assert ev.country in (None, "IQ", "SY")


def test_evidence_offsets_point_into_the_text(seed_events, seed_article):
    for ev in seed_events:
        assert seed_article.text[ev.evidence_start:ev.evidence_end] == ev.evidence
        for src in ev.sources:
            assert seed_article.text[src.start:src.end] == src.text
        assert ev.notes  # every decision is explained


def test_spun_synonyms_general(extractor):
    text = ("Militants fired a rocket assault on the Balad foundation on 5 January, "
            "killing two contractors and wounding four Iraqi soldiers.")
    events = extractor.extract(article_from_text(text, published=date(2021, 1, 9)))
    [ev] = [e for e in events if e.event_type == "rocket_attack"]
    assert ev.place_kind in ("military_base", "airfield")
    assert near(ev, 33.94, 44.36, 10)  # Balad Air Base
    assert (ev.killed, ev.wounded, ev.date) == (2, 4, "2021-01-05")


def test_two_places_give_two_events(extractor):
    text = "Turkish forces captured Ras al-Ayn and Tell Abyad in Syria on 12 October 2019."
    events = extractor.extract(article_from_text(text))
    changes = [e for e in events if e.event_type == "territory_change"]
    assert len(changes) == 2
    assert all(e.date == "2019-10-12" for e in changes)


def test_unknown_place_is_never_guessed(extractor):
    text = "Two rockets hit the Zqwerty base near Blorptown on 3 March 2020."
    events = extractor.extract(article_from_text(text))
    assert all(not e.has_point for e in events)


def test_threatened_attack_is_not_an_event(extractor):
    text = "Iran threatened to strike Erbil airport after the funeral on 6 January 2020."
    events = extractor.extract(article_from_text(text))
    attacks = [e for e in events if e.event_type in ATTACK_TYPES]
    assert attacks and all(e.status == "threatened" for e in attacks)  # kept, marked


def test_namesake_abroad_is_not_placed(extractor):
    text = ("Rockets struck Camp Taji in Iraq on 2 May 2020, and a truck launcher was found in "
            "Rashidiya, Iraq.")
    events = extractor.extract(article_from_text(text))
    for ev in events:
        assert ev.country in (None, "IQ"), ev.place_name


def test_no_publication_date_means_no_invented_day(extractor):
    text = "A drone strike hit a convoy near Baghdad International Airport last week."
    events = extractor.extract(article_from_text(text))
    [ev] = [e for e in events if e.event_type == "drone_strike"]
    assert ev.date is None and ev.time_precision is None


def test_dev_set_quality_does_not_regress(extractor):
    report = evaluate(DEV / "gold.jsonl", DEV / "articles", extractor)
    overall = report.overall
    assert overall.gold == 30
    assert overall.recall >= 0.8, report.table()  # 0.87 (26 of 30) on 2026-11-26
    assert overall.precision >= 0.8, report.table()  # 0.87 (26 of 30)
    assert overall.place_accuracy >= 0.8, report.table()


def test_score_article_lists_what_no_pair_took():
    from geo.extract.evaluate import score_article

    gold = [{"article": "a.txt", "event_type": "rocket_attack", "place": "Camp Taji",
             "lat": 33.52, "lon": 44.26, "date": "2020-03-11",
             "evidence": "Rockets hit Camp Taji."},
            {"article": "a.txt", "event_type": "withdrawal", "place": "K-1 Air Base",
             "date": "2020-03", "evidence": "The coalition\nleft K-1."}]
    hit = Event(event_type="other_attack", place="Taji", place_name="Camp Taji", lat=33.53,
                lon=44.25, date="2020-03-12", date_start="2020-03-12", date_end="2020-03-12",
                evidence="Rockets hit Camp Taji.")
    base = Event(event_type="base", place="Q-West", evidence="Troops are at Q-West.")
    score = score_article(gold, [hit, base], "Rockets hit Camp Taji. Troops are at Q-West.")
    assert (score.gold, score.predicted, score.matched) == (2, 2, 1)
    assert score.missed == ['withdrawal at K-1 Air Base on 2020-03: "The coalition left K-1."']
    assert score.spurious == ['base at Q-West on (no date): "Troops are at Q-West."']
    # by type: the pair counts for the gold event's type and for the prediction's
    counts = {t: (c.gold, c.found, c.predicted, c.right) for t, c in score.by_type.items()}
    assert counts == {"rocket_attack": (1, 1, 0, 0), "other_attack": (0, 0, 1, 1),
                      "withdrawal": (1, 0, 0, 0), "base": (0, 0, 1, 0)}


def test_base_context_shortcut_agrees_with_the_trigger_scan():
    """base_sentences reuses each sentence's triggers and reads a pair of sentences as one
    text only when it must: on the dev articles and tricky texts it must say what a trigger
    scan of every pair says."""
    from geo.extract import lexicon
    from geo.extract.places import Sentence, base_sentences
    from geo.text.sentences import split_sentences

    texts = ["Rockets hit the air Base overnight. The foundation was hit by rockets. "
             "A foundation was laid for the new school. Troops left the FOB. Barracks burned. "
             "The airbase was quiet. Nothing happened here. Soldiers stood by. "
             "The foundation burned."]
    texts += [read_article(p).text for p in sorted((DEV / "articles").glob("*.txt"))]
    seen = set()
    for text in texts:
        sentences = [Sentence(s, e, text[s:e]) for s, e in split_sentences(text)]
        found = base_sentences(sentences, [lexicon.find_triggers(s.text) for s in sentences])
        for i, sent in enumerate(sentences):
            pair = (sentences[i - 1].text + " " if i else "") + sent.text
            want = any(t.concept == "base" for t in lexicon.find_triggers(pair))
            assert (i in found) == want, pair
            seen.add(want)
    assert seen == {True, False}


def test_a_place_inside_another_is_one_location(extractor):
    text = ("At least five people were killed when a car bomb exploded in the Sadr City "
            "district of Baghdad on 3 March 2022.")
    [ev] = [e for e in extractor.extract(article_from_text(text)) if e.event_type == "bombing"]
    assert ev.place == "Sadr City" and ev.killed == 5


def test_an_unlocated_site_takes_its_containers_point_as_near(extractor):
    text = "Two rockets landed inside the Green Zone in Baghdad on 13 March 2022."
    [ev] = [e for e in extractor.extract(article_from_text(text))
            if e.event_type == "rocket_attack"]
    assert ev.place == "Green Zone" and ev.geo_precision == 2
    assert near(ev, 33.34, 44.40, 15)


def test_a_place_name_is_not_an_event_word(extractor):
    text = "Islamic State fighters seized the town of Hit in Anbar province in October 2014."
    events = extractor.extract(article_from_text(text))
    assert [e.event_type for e in events] == ["territory_change"]
    assert events[0].place == "Hit" and events[0].date == "2014-10"


def test_place_inside_an_operation_name_is_not_a_location(extractor):
    text = ("On 27 February 2020, during the Dawn of Idlib 2 Operation, an airstrike hit a "
            "convoy in Balad.")
    events = extractor.extract(article_from_text(text))
    assert all(e.place != "Idlib" for e in events)


def test_a_definite_reference_adds_to_the_attack_before(extractor):
    text = ("On 27 February 2020 an airstrike hit a Turkish convoy near Saraqib, Syria. "
            "Officials said the assault resulted in the loss of 34 Turkish soldiers. "
            "In response to this attack, Turkey sent reinforcements to Idlib.")
    attacks = [e for e in extractor.extract(article_from_text(text))
               if e.event_type in ATTACK_TYPES]
    assert len(attacks) == 1 and attacks[0].killed == 34


#: A scraped infobox (made up, in the layout of Wikipedia's), then the article's prose.
INFOBOX = """2021 offensive on Deir ez-Zor

DateMain phase:
4–9 March 2021
(6 days)
Location
Deir ez-Zor Governorate, Syria
Territorial
changes
  • Government forces capture Al-Mayadin and cut the road to Palmyra
  • Government forces capture Al-Bukamal on 12 March 2021
Belligerents
Syria

""" + ("The offensive followed months of skirmishes along the Euphrates, and its aftermath "
       "was felt in towns far from the front line for the rest of the year, observers said. "
       "Rebels later captured Hajin, according to local residents.") + "\n"


def test_infobox_bullets_take_the_infobox_period(extractor):
    """An infobox's bullets are events of its Date when they name none themselves; the prose
    after the infobox is not."""
    events = extractor.extract(article_from_text(INFOBOX, published=date(2021, 6, 1)))
    changes = [e for e in events if e.event_type == "territory_change"]
    [mayadin] = [e for e in changes if e.place == "Al-Mayadin"]
    assert (mayadin.date_start, mayadin.date_end, mayadin.time_precision) == (
        "2021-03-04", "2021-03-09", 2)
    assert "infobox" in mayadin.notes
    [bukamal] = [e for e in changes if e.place == "Al-Bukamal"]
    assert bukamal.date_start == "2021-03-12" and bukamal.time_precision == 1  # its own day
    [hajin] = [e for e in changes if e.place == "Hajin"]
    assert hajin.date is None and hajin.time_precision is None  # prose: nothing inherited


def test_a_bullet_list_without_an_infobox_date_stays_undated(extractor):
    text = INFOBOX.replace("DateMain phase:\n4–9 March 2021\n", "Main phase:\n")
    events = extractor.extract(article_from_text(text, published=date(2021, 6, 1)))
    [mayadin] = [e for e in events if e.place == "Al-Mayadin"]
    assert mayadin.date is None


def test_where_forces_remain_is_not_a_withdrawal(extractor):
    text = ("US forces withdrew from Kirkuk and Mosul on 3 March 2020 but remain in Erbil, "
            "officials said.")
    events = extractor.extract(article_from_text(text, published=date(2020, 3, 5)))
    places = {e.place for e in events if e.event_type == "withdrawal"}
    assert places == {"Kirkuk", "Mosul"}


def test_a_base_south_of_a_city_is_not_a_base_in_the_city(extractor):
    text = ("Two rockets struck a base south of Baghdad hosting US-led coalition troops on "
            "Tuesday, the military said.")
    events = extractor.extract(article_from_text(text, published=date(2020, 3, 17)))
    assert not [e for e in events if e.event_type == "base"]
    [attack] = [e for e in events if e.event_type == "rocket_attack"]
    assert attack.geo_precision == 2  # near Baghdad, not in it


def test_where_someone_comes_from_is_not_the_base(extractor):
    text = ("Rockets hit K-1 Air Base on 27 December 2019. The contractor who was killed, "
            "Nawres Hamid from Sacramento, worked at the base as a linguist.")
    events = extractor.extract(article_from_text(text, published=date(2019, 12, 28)))
    assert "Sacramento" not in {e.place for e in events}


def test_a_weapon_word_naming_the_target_does_not_type_the_attack(extractor):
    text = ("US jets struck Jurf al-Sakhar on 12 March 2020; a ballistic missile depot and two "
            "drone factories were destroyed.")
    events = extractor.extract(article_from_text(text, published=date(2020, 3, 13)))
    types = {e.event_type for e in events if e.event_type in ATTACK_TYPES}
    assert types and not types & {"missile_attack", "drone_strike"}, types
    fired = "Iran fired ballistic missiles at Al Asad air base on 8 January 2020."
    events = extractor.extract(article_from_text(fired, published=date(2020, 1, 9)))
    assert "missile_attack" in {e.event_type for e in events}


def test_a_wire_datelines_place_and_date_are_the_reports_not_the_events(extractor):
    """"BAGHDAD, 5 January 2020 (Reuters) - Rockets hit Camp Taji on Saturday": the report
    was filed in Baghdad on the 5th (a Sunday); the rockets hit Camp Taji on the 4th."""
    article = article_from_text(
        "Rockets hit Iraqi base\n\nBAGHDAD, 5 January 2020 (Reuters) - Rockets hit Camp Taji "
        "on Saturday, wounding two soldiers, officials said.")
    events = extractor.extract(article)
    assert not any(e.place_name == "Baghdad" for e in events)
    [ev] = [e for e in events if e.event_type in ATTACK_TYPES]
    assert ev.event_type == "rocket_attack" and near(ev, *CAMP_TAJI, km=5)
    assert (ev.date, ev.time_precision, ev.wounded) == ("2020-01-04", 1, 2)


def test_weapons_fired_at_a_place_are_an_attack(extractor):
    """Drones, like rockets and missiles, with a verb of firing: an attack even without the
    word "attack"; drones shot down are not."""
    events = extractor.extract(article_from_text(
        "DATE: 2024-03-14\n\nRussia launched drones at Kharkiv overnight, killing three people "
        "and wounding 12. The air force said it shot down 36 of the 42 drones."))
    [ev] = events
    assert ev.event_type == "drone_strike" and ev.place_name == "Kharkiv"
    assert (ev.killed, ev.wounded) == (3, 12)


def test_a_country_wide_report_is_the_placed_attack_it_agrees_with(extractor):
    """A headline names only the country; the body places the attack. One event, both
    sentences its sources; a country-wide report sharing no day or count with it stays."""
    text = ("DATE: 2023-08-21\n\nTurkish drone strike kills three SDF fighters in northeast "
            "Syria\n\nA Turkish drone struck a vehicle near Qamishli on Sunday, killing three "
            "members of the SDF. US air strikes in Syria killed 25 fighters in June.")
    events = [e for e in extractor.extract(article_from_text(text))
              if e.event_type in ATTACK_TYPES]
    placed = [e for e in events if e.has_point]
    [ev] = placed
    assert (ev.event_type, ev.place, ev.date, ev.killed) == (
        "drone_strike", "Qamishli", "2023-08-20", 3)
    assert [s.text[:21] for s in ev.sources] == ["A Turkish drone struc", "Turkish drone strike "]
    [other] = [e for e in events if not e.has_point]
    assert (other.event_type, other.country, other.killed) == ("air_strike", "SY", 25)


@pytest.mark.parametrize(("sentence", "day"), [
    ("The Abu Kamal border crossing was closed on Tuesday after Turkish forces moved in.",
     "2019-10-01"),
    ("Iraq on Monday reopened the al-Qaim border crossing with Syria.", "2019-09-30"),
    ("Hundreds of families crossed into Iraq through the Rabia border crossing on Sunday.",
     "2019-09-29"),
])
def test_a_border_crossing_that_opens_closes_or_is_crossed_is_an_event(extractor, sentence, day):
    """The crossing's own name says what it is ("border crossing" in it counts), and the
    sentence says something happens there."""
    [ev] = extractor.extract(article_from_text(f"DATE: 2019-10-02\n\n{sentence}"))
    assert (ev.event_type, ev.place_kind, ev.date) == ("border_crossing", "border_crossing", day)
    assert ev.place_id.startswith("crossing:")


def test_a_border_crossing_named_without_an_event_is_none(extractor):
    text = ("DATE: 2019-10-02\n\nThe al-Qaim border crossing is a key route between the two "
            "countries. The crossing, known in Syria as Albu Kamal, is busy.")
    assert extractor.extract(article_from_text(text)) == []


def test_an_attack_is_where_it_hits_not_where_it_was_fired_from(extractor):
    text = ("DATE: 2024-05-26\n\nHamas fired a barrage of rockets at Tel Aviv from Rafah on "
            "Sunday. A drone launched from Syria struck Ain al-Asad air base on Sunday.")
    events = [e for e in extractor.extract(article_from_text(text))
              if e.event_type in ATTACK_TYPES]
    assert sorted((e.event_type, e.place) for e in events) == [
        ("drone_strike", "Ain al-Asad air base"), ("rocket_attack", "Tel Aviv")]


def test_a_sentence_of_two_clauses_gives_each_event_its_own_place_and_date(extractor):
    text = ("DATE: 2020-09-28\n\nThe US military handed over the K-1 air base in Kirkuk to "
            "Iraqi forces in March, and withdrew from the Taqaddum air base in August.")
    events = {(e.event_type, e.place, e.date) for e in extractor.extract(article_from_text(text))
              if e.event_type in ("handover", "withdrawal")}
    assert events == {("handover", "K-1 air base", "2020-03"),
                      ("withdrawal", "Taqaddum air base", "2020-08")}


def test_an_undated_headline_attack_in_a_town_is_the_dated_attack_near_it(extractor):
    text = ("DATE: 2021-02-16\n\nRocket assault on Erbil kills contractor\n\nA rocket assault "
            "on a military foundation used by the coalition in Erbil on Monday killed a civilian "
            "contractor and wounded 9 others.")
    [ev] = [e for e in extractor.extract(article_from_text(text)) if e.event_type in ATTACK_TYPES]
    assert (ev.event_type, ev.date, ev.killed, ev.wounded) == ("rocket_attack", "2021-02-15", 1, 9)
    assert len(ev.sources) == 2


@pytest.mark.parametrize(("sentence", "place"), [
    ("A blast struck a market in Baghdad's Tayaran Square on Monday, killing 32 people.",
     "Baghdad"),
    ("A car bomb exploded in Mosul’s old city on Monday, killing 5.", "Mosul"),
    ("Baghdad's governor said rockets hit Camp Taji on Monday.", "Camp Taji"),
])
def test_a_town_named_by_its_part_places_an_event_that_names_no_other(extractor, sentence,
                                                                      place):
    [ev] = [e for e in extractor.extract(article_from_text(f"DATE: 2021-01-20\n\n{sentence}"))
            if e.event_type in ATTACK_TYPES]
    assert ev.place == place and ev.date == "2021-01-18"


def test_a_towns_possessive_that_is_not_a_part_of_it_places_nothing(extractor):
    text = "DATE: 2021-01-20\n\nBaghdad's governor said a bomb killed 3 people on Monday."
    assert not [e for e in extractor.extract(article_from_text(text)) if e.place]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("A sniper killed a soldier in Haditha on Friday.", ("other_attack", "Haditha")),
    ("Coalition aircraft struck hideouts near Tuz Khurmatu on Thursday, killing 11 militants.",
     ("air_strike", "Tuz Khurmatu")),
    ("Coalition aircraft landed at Erbil on Thursday.", None),
    ("Iraqi forces took over the Qayyarah airbase from the coalition on Thursday.",
     ("handover", "Qayyarah airbase")),
])
def test_more_ways_news_tells_an_event(extractor, sentence, expected):
    """A sniper's shot is an attack; aircraft that strike make an air strike (aircraft that
    land make nothing); a base taken over from the coalition is a handover."""
    events = extractor.extract(article_from_text(f"DATE: 2020-03-15\n\n{sentence}"))
    found = [(e.event_type, e.place) for e in events if e.event_type != "base"]
    assert found == ([expected] if expected else [])


def test_a_clause_with_its_own_subject_has_its_own_actors(extractor):
    """Two subjects, two events: each takes the actors of its clause; a clause without a
    subject of its own shares the sentence's ("after handing the base to Iraqi forces")."""
    text = ("DATE: 2024-03-14\n\nUkrainian troops withdrew from the village of Lastochkyne, west "
            "of Avdiivka, the army said, after Russian forces captured Avdiivka last month. US "
            "troops withdrew from al-Qaim after handing the base to Iraqi forces on Sunday.")
    actors = {(e.event_type, e.place): e.actors for e in extractor.extract(article_from_text(text))}
    # the village the gazetteer lacks is the place ("unresolved", near Avdiivka)
    assert actors[("withdrawal", "Lastochkyne")] == ["Ukrainian forces"]
    assert actors[("territory_change", "Avdiivka")] == ["Russian forces"]
    assert actors[("withdrawal", "al-Qaim")] == ["US forces"]
    assert actors[("handover", "al-Qaim")] == ["US forces", "Iraqi forces"]


def test_an_event_between_two_places_is_one_event_near_the_first(extractor):
    text = ("DATE: 2020-09-28\n\nA roadside bomb hit a convoy on the highway between Nasiriyah "
            "and Samawah on Sunday. Rockets hit Baghdad and Erbil on Sunday.")
    events = sorted((e.place, e.geo_precision) for e in extractor.extract(article_from_text(text)))
    assert events == [("Baghdad", 1), ("Erbil", 1), ("Nasiriyah", 2)]


@pytest.mark.parametrize("sentence", [
    "Residents in Mosul said a drone struck a convoy on Monday.",
    "Rockets hit the base on Monday, officials in Baghdad said.",
    "A drone was shot down on Monday during talks in Doha.",
    "The group fired missiles at ships on Monday to punish Israel for the war in Gaza.",
    "Israeli jets struck the port on Monday, saying the Houthis must pay for their support "
    "for Gaza.",
    "Protesters marched on Monday in solidarity with Kyiv after the air strike.",
    "The brigade said in a Telegram post that heavy fighting went on all Monday.",
    "Heavy fighting raged on Monday, the General Staff said in a Facebook post.",
])
def test_a_place_that_is_not_where_the_event_happened_places_nothing(extractor, sentence):
    """A speaker's place, a venue of talks, a war named by its place, a cause one stands for
    ("support for Gaza") and a post on a platform ("a Telegram post": not an outpost) are
    named in the sentence but are not the event's place."""
    events = extractor.extract(article_from_text(f"DATE: 2024-07-23\n\n{sentence}"))
    assert not [(e.event_type, e.place) for e in events if e.place], sentence
