"""Name normalisation: the keys the gazetteer and the extractor share."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.text.names import (
    fold,
    name_keys,
    respellings,
    site_core,
    skeleton,
    strip_article,
    tokens,
)


def test_fold_strips_case_diacritics_apostrophes_and_hyphens():
    forms = ["Al Qā’im", "al-Qa'im", "AL QAʿIM", "Al Qa`im", "al‑Qaʾim".replace("‑", "-")]
    assert {fold(f) for f in forms} == {"al qaim"}


def test_fold_keeps_arabic_script_and_unifies_alef_forms():
    assert fold("إربيل") == fold("اربيل")
    assert fold("القائم") == fold("القايم")  # hamza carriers fold to their base letter
    assert all("\u0600" <= c <= "\u06ff" for c in fold("القائم"))


def test_name_keys_cover_article_forms():
    keys = name_keys("Al Qa'im")
    assert {"al qaim", "qaim", "alqaim"} <= keys
    assert "qaim" in name_keys("Qāʿim")
    assert "zor" not in name_keys("Deir ez-Zor")  # articles are only stripped at the start
    assert "sulaymaniyah" in name_keys("As Sulaymānīyah")


@pytest.mark.parametrize(("written", "indexed"), [
    ("Tal Tamr", "Tall Tamr"), ("Tell Abyad", "Tall Abyad"), ("Ras el-Ain", "Ra's al 'Ayn"),
    ("Um Qasr", "Umm Qasr"), ("Deir Hafir", "Dayr Hafir"), ("Jebel Sinjar", "Jabal Sinjar"),
    ("Kfar Nabl", "Kafr Nabl"), ("Sheikh Maqsoud", "Shaykh Maqsoud"), ("Tall Tamr", "Tal Tamr"),
])
def test_respellings_reach_other_spellings_of_arabic_words(written: str, indexed: str):
    """"Tal", "Tell" and "Tall" (a hill) and their like start many names; a name of two or
    more words is also tried with their other spellings, which are not its own keys."""
    assert respellings(written) & name_keys(indexed)
    assert not respellings(written) & name_keys(written)


def test_respellings_only_of_names_of_several_words():
    assert respellings("Tal") == set()  # two places, not two spellings
    assert respellings("Camp Taji") == set()  # no such word in it
    assert name_keys("Tal Tamr") == {"tal tamr"}  # the index holds names as written


def test_name_keys_join_letter_digit_codes():
    assert name_keys("K-1") & name_keys("K1")
    assert name_keys("H-3") & name_keys("H3")


def test_site_core_strips_site_words():
    assert site_core(fold("Camp Taji")) == ("taji", True)
    assert site_core(fold("al-Asad air base")) == ("al asad", True)
    assert site_core(fold("Ain al-Asad Airbase")) == ("ain al asad", True)
    assert site_core(fold("Baghdad International Airport")) == ("baghdad", True)
    assert site_core(fold("Kirkuk")) == ("kirkuk", False)
    assert site_core("base") == ("base", False)  # never strips a name to nothing


def test_skeleton_joins_transliterations():
    assert skeleton(fold("Erbil")) == skeleton(fold("Irbil")) == skeleton(fold("Arbil"))
    assert skeleton(fold("Qayyarah")) == skeleton(fold("Qayara"))
    assert skeleton(fold("Kharkiv")) == skeleton(fold("Kharkov"))
    assert skeleton(fold("Mosul")) != skeleton(fold("Basra"))


def test_strip_article_only_leading():
    assert strip_article("an najaf") == "najaf"
    assert strip_article("ras al ayn") == "ras al ayn"
    assert strip_article("al") == "al"


def test_tokens_keep_hyphenated_and_apostrophe_words():
    text = "Rockets hit al-Qa'im and K-1 Air Base."
    assert [text[a:b] for a, b in tokens(text)] == [
        "Rockets", "hit", "al-Qa'im", "and", "K-1", "Air", "Base"]


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_clean(text):
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not any(c in once for c in "'’‘ʿʾ`-")


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1,
               max_size=20))
def test_name_keys_contain_the_folded_name(name):
    if fold(name):
        assert fold(name) in name_keys(name)
