"""The actors table (data/actors/actors.csv) and the actors found with it, worldwide."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.extract import actors
from geo.extract.lexicon import find_actors
from tests.actor_recall import actor_recall, all_gold_with_actors


def _names(text: str) -> list[str]:
    return [a.name for a in find_actors(text)]


def test_sudan_rsf_and_saf() -> None:
    text = ("The Rapid Support Forces (RSF) shelled El Fasher on Sunday, and the Sudanese "
            "Armed Forces said its jets struck RSF positions; Sudanese troops held the airport.")
    assert _names(text) == ["RSF", "RSF", "Sudanese forces", "RSF", "Sudanese forces"]
    assert _names("SAF drones hit a fuel depot") == ["Sudanese forces"]


def test_sahel_jnim_and_national_forces() -> None:
    text = ("Fighters of Jama’at Nusrat al-Islam wal-Muslimin (JNIM) attacked Burkinabe soldiers "
            "and Malian government forces near Djibo, while Wagner Group mercenaries withdrew.")
    assert _names(text) == ["JNIM", "JNIM", "Burkinabe forces", "Malian forces", "Wagner Group"]
    assert _names("the Islamic State Sahel Province and the Islamic State group") == [
        "IS Sahel", "IS"]


def test_myanmar() -> None:
    text = ("The Arakan Army and the Myanmar National Democratic Alliance Army (MNDAA) overran "
            "a base of the Myanmar military; a People’s Defence Force unit and the TNLA joined.")
    assert _names(text) == ["Arakan Army", "MNDAA", "MNDAA", "Myanmar forces", "PDF", "TNLA"]
    assert _names("Myanmar troops bombed the village") == ["Myanmar forces"]
    # the country on its own is a place, not an actor
    assert _names("Fighting spread across Myanmar last year") == []


def test_drc_m23_and_roles() -> None:
    found = find_actors("M23 rebels launched an attack on Congolese soldiers and the FARDC "
                        "near Goma, where MONUSCO peacekeepers are based.")
    assert [(a.name, a.role) for a in found] == [
        ("M23", ""), ("Congolese forces", "target"), ("Congolese forces", ""), ("MONUSCO", "")]


def test_ordinary_words_are_not_actors() -> None:
    for text in ("The Company said on Monday that Army Street was closed.",
                 "Forces of nature and the coalition's spokesman",  # "coalition" is the Coalition
                 "the armed forces of habit", "a pdf file and the rsf of the saf",
                 "Lebanese Forces party leader Samir Geagea spoke in Beirut"):
        assert not set(_names(text)) - {"Coalition"}, text


def test_the_table_is_read_and_each_row_has_a_source() -> None:
    rows = actors.load_table()
    with actors.TABLE.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))
    assert len(rows) == len(raw) >= 80
    names = [r.name for r in rows]
    assert len(set(names)) == len(names)
    for row in rows:
        assert row.sources and all(s.startswith("https://") for s in row.sources), row.name
        assert row.kind in actors.KINDS and row.countries, row.name
        assert all(len(c) == 2 and c.isupper() for c in row.countries), row.name
        assert row.aliases or row.demonyms or row.name in actors.ACTORS, row.name
    assert list(actors.ACTORS) == names
    # every special pattern belongs to a row, so it has a source too
    assert set(actors._PATTERNS) <= set(names)
    sources = (actors.TABLE.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "CC BY-SA" in sources
    # each alias is found as itself, as the actor of its row (or a longer one that holds it)
    for row in rows:
        for alias in row.aliases:
            got = find_actors(alias)
            assert got and got[0].name == row.name and got[0].text == alias, (row.name, alias)


def test_a_bad_table_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "actors.csv"
    bad.write_text("name,aliases,demonyms,countries,kind,source\nX,X,,SD,militia,\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors\.csv:2: a row needs"):
        actors.load_table(bad)
    bad.write_text("name,aliases\nX,X\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns must be"):
        actors.load_table(bad)


def test_actor_recall_on_the_news_gold(extractor) -> None:
    """Gold events of the news fixtures whose matched event names one of their actors: 107 of
    301 with the table, 58 with the older Iraq-centred list of 21 (see docs/extraction.md)."""
    r = actor_recall(extractor)
    assert all_gold_with_actors() == 301
    assert r.found >= 100


@pytest.mark.parametrize(("sentence", "roles"), [
    ("Rockets hit the Taji base on 5 March 2020, killing two soldiers; Kataib Hezbollah "
     "claimed responsibility.", ("Kataib Hezbollah", None, "Kataib Hezbollah")),
    ("On 12 January 2024 an RSF drone struck Sudanese army positions in Omdurman, killing 4.",
     ("RSF", "Sudanese forces", None)),
    ("A drone attack claimed by the Islamic Resistance in Iraq hit an SDF base near Hasakah "
     "on 3 February 2024.", ("Islamic Resistance in Iraq", "SDF", "Islamic Resistance in Iraq")),
])
def test_events_carry_acled_roles(extractor, sentence: str, roles: tuple) -> None:
    """actor1 the side that acted, actor2 the side it hit, the claimant who says it did it."""
    from geo.articles import article_from_text
    from geo.model import ATTACK_TYPES

    [ev] = [e for e in extractor.extract(article_from_text(f"DATE: 2024-02-05\n\n{sentence}"))
            if e.event_type in ATTACK_TYPES]
    assert (ev.actor1, ev.actor2, ev.claimant) == roles
