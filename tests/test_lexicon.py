"""Lexicon: triggers, actors, casualties, number words and sentence spans on real sentences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.extract.lexicon import (
    ACTORS,
    CONCEPTS,
    MAX_CASUALTIES,
    MILITARY_CONTEXT,
    TRIGGERS,
    Casualties,
    find_actors,
    find_casualties,
    find_triggers,
    normalise_spun,
    number_from_words,
)
from geo.gazetteer.demonyms import find_demonym_countries
from geo.text.search import LeadIndex, finditer_at_leads, pattern_leads, search_lower
from geo.text.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SEED = (FIXTURES / "000_4d483444a7d9f67c.txt").read_text(encoding="utf-8")


def _sentence_with(text: str, needle: str) -> str:
    for start, end in split_sentences(text):
        if needle in text[start:end]:
            return text[start:end]
    raise AssertionError(f"no sentence with {needle!r}")


# --- casualties ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "killed", "wounded"), [
    ("A rocket attack on Camp Taji killed two Americans and a British soldier", 3, None),
    ("Very last week, two assaults on the Taji foundation killed 3 coalition associates, and "
     "seriously wounded two associates of the Iraqi safety forces.", 3, 2),
    ("A US contractor was killed in a rocket attack at Kirkuk on 28 December.", 1, None),
    ("followed by US air strikes from the group’s headquarters in equally Syria and Iraq, which "
     "killed 25 folks.", 25, None),
    ("CasualtiesAt least 7[1] killed", 7, None),
    ("On 11 March 2020, 29 rockets impacted Camp Taji, killing two Americans, and one British "
     "soldier from the Royal Army Medical Corps who was attached to the Irish Guards.", 3, None),
    ("A rocket attack last week at Camp Taji, north of the Iraqi capital, killed two U.S. service "
     "members and a British medic, while wounding 14 others.", 3, 14),
    ("Turkish President Recep Tayyip Erdoğan reported that the assault resulted in the loss of 34 "
     "Turkish soldiers.[1]", 34, None),
    ("The assault also inflicted injuries on an estimated 36 to 60 soldiers, with 16 of them "
     "reported to be in a critical state.[6][4]", None, 36),
    ("The rocket attack killed an American civilian contractor and injured four U.S. service "
     "members and two Iraqi security forces personnel.[4]", 1, 6),
    ("Three coalition soldiers were killed with 18 coalition soldiers being wounded.", 3, 18),
    ("Several missiles reportedly struck the convoy, and at least five people are thought to "
     "have been killed.[2]", 5, None),
    ("twenty-five soldiers were killed and more than a dozen people were injured", 25, 12),
    ("an attack that left two service members dead", 2, None),
    ("The attack left 14 other US soldiers, contractors and coalition personnel wounded, five of "
     "them critically.", None, 14),
    ("two Americans and three Britons were killed", 5, None),
    ("The assault on the Taji base killed two American troops and a British soldier.", 3, None),
])
def test_casualties_from_real_sentences(sentence: str, killed: int | None,
                                        wounded: int | None) -> None:
    c = find_casualties(sentence)
    assert (c.killed, c.wounded) == (killed, wounded)
    for start, end, kind in c.spans:
        assert kind in ("killed", "wounded") and 0 <= start < end <= len(sentence)


@pytest.mark.parametrize("sentence", [
    # vague amounts stay unknown ("a few" is spun from "three" in the seed)
    "killed a few Iraqi army personnel, two community law enforcement officers and 1 civilian.",
    "dozens of people were killed",
    "several soldiers were wounded",
    # not counts of people
    "Gen Soleimani was killed on 3 January in a US drone assault near Baghdad airport",
    "The official number of US troops in Iraq has been believed at up to 5,200.",
    "over 25 107mm Type 63 Chinese rockets struck the coalition compound",
    "9999999999 killed",
    "two Americans and three unnamed were killed",  # an unread group: no partial sum
    "",
])
def test_casualties_unknown(sentence: str) -> None:
    c = find_casualties(sentence)
    assert (c.killed, c.wounded) == (None, None)


def test_absurd_counts_are_capped() -> None:
    assert find_casualties(f"{MAX_CASUALTIES} people were killed").killed == MAX_CASUALTIES
    assert find_casualties(f"{MAX_CASUALTIES + 1} people were killed").killed is None


def test_casualties_in_the_seed() -> None:
    sentence = _sentence_with(SEED, "two assaults on the Taji")
    c = find_casualties(sentence)
    assert (c.killed, c.wounded) == (3, 2)
    assert [sentence[s:e] for s, e, _ in c.spans] == [
        "killed 3 coalition associates", "wounded two associates"]


# --- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("14", 14), ("5,200", 5200), ("twenty-five", 25), ("a dozen", 12), ("two dozen", 24),
    ("two hundred and five", 205), ("one thousand two hundred", 1200), ("three million", 3_000_000),
    ("Seven", 7), ("a hundred", 100),
    ("dozens", None), ("a few", None), ("several", None), ("", None), ("banana", None),
])
def test_number_from_words(text: str, value: int | None) -> None:
    assert number_from_words(text) == value


# --- triggers -----------------------------------------------------------------------------------

def _concepts(sentence: str) -> list[str]:
    return [t.concept for t in find_triggers(sentence)]


def test_triggers_in_spun_seed_sentences() -> None:
    s = _sentence_with(SEED, "tumble into the hands")
    assert _concepts(s) == ["capture", "capture"]  # "tumble into the hands of", "taken again"
    s = _sentence_with(SEED, "hand about gear")
    assert "handover" in _concepts(s)
    s = _sentence_with(SEED, "pulling out of al-Qaim")
    assert _concepts(s) == ["withdrawal", "base"]
    s = _sentence_with(SEED, "two assaults on the Taji foundation")
    assert _concepts(s) == ["attack", "base"]
    s = _sentence_with(SEED, "The choice to go away")
    assert _concepts(s) == ["withdrawal", "base"]


def test_trigger_concepts_and_spans() -> None:
    cases = {
        "U.S. launched air raids against Kata'ib Hezbollah facilities": "air_strike",
        "a US drone assault near Baghdad airport": "drone",
        "Iran fired more than a dozen ballistic missiles": "missile",
        "31 107mm Katyusha rockets": "rocket",
        "a roadside bomb exploded near the convoy": "bombing",
        "clashes erupted between the two groups": "clash",
        "troops crossed the border at the Al-Waleed border crossing": "crossing",
        "Coalition forces will transfer the base": "handover",
        "the town fell to IS": "capture",
        "US forces withdrew from the area": "withdrawal",
    }
    for sentence, concept in cases.items():
        triggers = find_triggers(sentence)
        assert concept in [t.concept for t in triggers], sentence
        for t in triggers:
            assert sentence[t.start:t.end] == t.text and t.concept in CONCEPTS


def test_ambiguous_words_need_military_context() -> None:
    assert _concepts("The charity foundation will leave the city") == []
    assert _concepts("US troops will leave the foundation") == ["withdrawal", "base"]


def test_triggers_do_not_overlap() -> None:
    triggers = find_triggers("US air strikes and air raids hit a rocket launch site")
    spans = sorted((t.start, t.end) for t in triggers)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert [t.concept for t in triggers][:2] == ["air_strike", "air_strike"]


# --- actors -------------------------------------------------------------------------------------

def _names(text: str) -> list[str]:
    return [a.name for a in find_actors(text)]


def test_actor_aliases_and_spun_names() -> None:
    s = _sentence_with(SEED, "Preferred Mobilisation Forces")
    assert "PMF" in _names(s)
    s = _sentence_with(SEED, "Islamic Condition")
    assert _names(s).count("IS") == 2
    s = _sentence_with(SEED, "inquire the Us citizens")
    assert "US forces" in _names(s) and "Iraqi forces" in _names(s)
    assert _names("Iran’s Islamic Revolution Guard Corps (IRGC)") == ["Iran", "IRGC", "IRGC"]
    assert _names("Combined Joint Task Force – Operation Inherent Resolve (CJTF-OIR)") == [
        "Coalition", "Coalition"]
    assert _names("Kata'ib Hezbollah and Hezbollah") == ["Kataib Hezbollah", "Hezbollah"]
    assert _names("executed by the Russian and Syrian Air Forces against a convoy of the "
                  "Turkish Army") == ["Russian forces", "Syrian forces", "Turkish forces"]
    assert _names("Turkish Armed Forces, Syrian National Army and the SDF") == [
        "Turkish forces", "SNA", "SDF"]


def test_actor_case_matters_for_short_forms() -> None:
    assert _names("let us say it is so") == []
    assert _names("the US and IS") == ["US forces", "IS"]
    assert _names("an Iranian-backed militia") == []


def test_actor_roles() -> None:
    actors = find_actors("Iran fired missiles at bases housing U.S. troops")
    assert [(a.name, a.role) for a in actors] == [("Iran", ""), ("US forces", "target")]
    actors = find_actors("The attack was blamed on Kataib Hezbollah")
    assert actors[0].role == ""


def test_actor_spans() -> None:
    text = "U.S.-led coalition troops and NATO trainers"
    for actor in find_actors(text):
        assert text[actor.start:actor.end] == actor.text


# --- sentences ----------------------------------------------------------------------------------

def test_split_sentences_abbreviations_decimals_quotes() -> None:
    text = ("Gen. Soleimani met U.S. officials in Baghdad. He had 3.5 tonnes. “We will go,” he "
            "said. Then Mr. Smith spoke.[3] Next one!\n• Bullet line here\n\nAnother para.")
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Gen. Soleimani met U.S. officials in Baghdad.", "He had 3.5 tonnes.",
        "“We will go,” he said.", "Then Mr. Smith spoke.[3]", "Next one!",
        "• Bullet line here", "Another para.",
    ]


def test_split_sentences_real_article() -> None:
    text = (FIXTURES / "11_voa_rockets_hit_basmaya_2020_03_17.txt").read_text(encoding="utf-8")
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert ("Iraq's military said Tuesday two rockets struck a base south of Baghdad hosting "
            "U.S.-led coalition troops and NATO trainers.") in sentences
    assert all(s == s.strip() and "\n" not in s for s in sentences)
    assert split_sentences("") == [] and split_sentences("\n\n  \n") == []


def test_normalise_spun() -> None:
    assert normalise_spun("the Preferred Mobilisation Forces (PMF) and the Us citizens") == (
        "the Popular Mobilisation Forces (PMF) and the Americans")


# --- any text -----------------------------------------------------------------------------------

_WORDS = ["killed", "wounded", "two", "a", "dozen", "soldiers", "and", ",", "at least", "7",
          "US", "base", "rocket", "attack", "U.S.", "Gen.", ".", "\n", "Iran", "people", "were",
          "5,200", "the loss of", "injuries on", "to", "60", "foundation", "hand about"]


@given(st.lists(st.sampled_from(_WORDS), max_size=60).map(" ".join))
@settings(max_examples=200, deadline=None)
def test_any_word_salad_gives_valid_spans(text: str) -> None:
    c = find_casualties(text)
    for count in (c.killed, c.wounded):
        assert count is None or 0 <= count <= MAX_CASUALTIES
    for start, end, _ in c.spans:
        assert 0 <= start < end <= len(text)
    for t in find_triggers(text):
        assert text[t.start:t.end] == t.text
    for a in find_actors(text):
        assert text[a.start:a.end] == a.text
    for start, end in split_sentences(text):
        assert text[start:end].strip() == text[start:end] != ""


def test_long_number_lists_are_read_once() -> None:
    """A flattened table of thousands of numbers must not be re-read from every number."""
    assert find_casualties("1, " * 2000 + "killed").killed is None
    assert find_casualties("killed " + "1, " * 2000).killed == 2000


def test_suicide_bomber_is_a_bombing_not_an_air_strike():
    concepts = {t.concept for t in find_triggers("A suicide bomber blew himself up in Kirkuk.")}
    assert "bombing" in concepts and "air_strike" not in concepts
    assert "air_strike" in {t.concept for t in find_triggers("B-52 bombers struck the camp.")}


def test_handed_it_over_is_a_handover():
    text = "US troops handed it over to Iraqi forces on 10 May."
    assert "handover" in {t.concept for t in find_triggers(text)}


def test_left_is_a_withdrawal_only_before_a_place_or_a_base():
    assert "withdrawal" in _concepts("French troops left their base in Gao.")
    assert "withdrawal" in _concepts("US forces left Kirkuk in 2011.")
    assert "withdrawal" not in _concepts("The attack left 14 soldiers wounded.")


def test_mortars_and_fired_at_are_attacks():
    """Mortars, artillery and shells are ACLED's shelling, typed as such."""
    assert "shelling" in _concepts("Militants fired mortar rounds at Balad air base.")
    assert "attack" in _concepts("Militants fired at Balad air base.")
    for text in ("RSF shellfire killed 40 at the market", "artillery fire hit the town",
                 "the town was shelled overnight", "shells landed near the airport"):
        assert "shelling" in _concepts(text), text


# --- quick tests before the patterns (speed without changing a result) ---------------------------

def _fixture_texts() -> list[str]:
    folders = (FIXTURES, Path(__file__).parent / "fixtures" / "dev" / "articles")
    return [p.read_text(encoding="utf-8") for folder in folders for p in sorted(folder.glob("*"))
            if p.suffix in (".txt", ".html")]


def _plain_triggers(sentence: str) -> list[tuple[str, int, int]]:
    """find_triggers as TRIGGERS defines it: every concept's pattern over the whole sentence."""
    military = bool(MILITARY_CONTEXT.search(sentence))
    taken: list[tuple[int, int]] = []
    found = []
    for concept, (pats, needs_context) in TRIGGERS.items():
        if needs_context and not military:
            continue
        regex = re.compile(r"\b(?:" + "|".join(pats) + r")\b", re.IGNORECASE)
        for m in regex.finditer(sentence):
            if all(m.end() <= s or e <= m.start() for s, e in taken):
                taken.append(m.span())
                found.append((concept.removesuffix("_context"), m.start(), m.end()))
    return sorted(found, key=lambda t: t[1])


def _plain_actors(text: str) -> list[tuple[str, int, int]]:
    """Actor spans as ACTORS defines them: every actor's pattern over the whole text."""
    matches = sorted(
        ((m.start(), -len(m[0]), name, m.end())
         for name, pats in ACTORS.items()
         for m in re.finditer(r"(?<![\w-])(?:" + "|".join(pats) + r")(?![\w])", text)),
        key=lambda t: (t[0], t[1]))
    taken: list[tuple[int, int]] = []
    found = []
    for start, _, name, end in matches:
        if all(end <= s or e <= start for s, e in taken):
            taken.append((start, end))
            found.append((name, start, end))
    return sorted(found)


def test_triggers_and_actors_equal_the_plain_definition_on_real_articles() -> None:
    texts = _fixture_texts()
    assert len(texts) >= 12
    for text in texts:
        assert sorted((a.name, a.start, a.end) for a in find_actors(text)) == _plain_actors(text)
        for start, end in split_sentences(text):
            sentence = text[start:end]
            assert [(t.concept, t.start, t.end) for t in find_triggers(sentence)] == \
                _plain_triggers(sentence)


_WORDS = ["US", "U.S.", "us", "the", "Coalition", "coalition", "IS", "ISIS", "Islamic",
          "State", "Iraqi", "forces", "Syrian", "Turkish-backed", "rebels", "Kata'ib", "Hezbollah",
          "Hashd", "al-Hashd", "PMF", "air", "strike", "base", "bases", "Camp", "left", "the",
          "rockets", "hit", "HIT", "fired", "at", "on", "drone", "withdrew", "handed", "over",
          "to", "foundation", "troops", "closed", "border", "crossing", "İSIS", "ſtrike",
          "Revolutionary", "guards", "people", "in", "America", "-", ",", "CJTF-OIR", "OIR"]


@given(st.lists(st.sampled_from(_WORDS), max_size=30).map(" ".join))
@settings(max_examples=400, deadline=None)
def test_triggers_and_actors_equal_the_plain_definition_on_any_mix(text: str) -> None:
    assert sorted((a.name, a.start, a.end) for a in find_actors(text)) == _plain_actors(text)
    assert [(t.concept, t.start, t.end) for t in find_triggers(text)] == _plain_triggers(text)


@pytest.mark.parametrize(("pattern", "flags", "exact", "folded"), [
    (r"ab*c", 0, {"ab", "ac"}, set()),
    (r"[Cc]oalition|NATO", 0, {"Coalition", "coalition", "NATO"}, set()),
    (r"(?i:Revolution(?:ary)?)\s+Guards|IRGC", 0, {"IRGC"}, {"revolution"}),
    (r"\b(?:hits?|HIT)\b", re.IGNORECASE, set(), {"hit"}),
    (r"(?:Harakat\s+)?[Aa]l-Nujaba", 0, {"Harakat", "al-Nujaba", "Al-Nujaba"}, set()),
    (r"Da[’']esh", 0, {"Da’esh", "Da'esh"}, set()),
    (r"(?i:Da[’']esh)", 0, set(), {"da"}),  # folded leads stop at non-ASCII letters
])
def test_pattern_leads(pattern: str, flags: int, exact: set[str], folded: set[str]) -> None:
    leads = pattern_leads(pattern, flags)
    assert leads is not None
    assert (set(leads.exact), set(leads.folded)) == (exact, folded)


@pytest.mark.parametrize("pattern", [r"a?b?c?", r"\w+ing", r"(?:the\s+)?.", r"[a-z]+", r"(?:x|)y"])
def test_patterns_without_known_leads_are_always_scanned(pattern: str) -> None:
    assert pattern_leads(pattern) is None


def test_finditer_at_leads_is_finditer() -> None:
    regex = re.compile(r"(?<![\w-])(?:US|U\.S\.|(?i:people\s+in\s+america))(?![\w])")
    leads = pattern_leads(regex.pattern)
    assert leads is not None
    for text in [*_fixture_texts(), "US-US US USA People in America, PEOPLE IN AMERICA -US"]:
        got = [m.span() for m in finditer_at_leads(regex, leads, text, search_lower(text))]
        assert got == [m.span() for m in regex.finditer(text)]


def test_search_lower_keeps_offsets_and_what_re_folds_to_ascii() -> None:
    text = "İSTANBUL ıraq ſtrike \u212aH Ünal"
    low = search_lower(text)
    assert len(low) == len(text)
    for word in ("istanbul", "iraq", "strike", "kh", "ünal"):
        assert re.search(word, text, re.IGNORECASE) and word in low


def test_casualty_statements_after_the_last_kill_word_are_not_read() -> None:
    """The count patterns stop at the last kill (wound) word: nothing after it changes a count,
    also when the word is inside a longer phrase ("lives lost")."""
    assert find_casualties("Seven soldiers lives lost, officials said, and 3 others").killed == 7
    assert find_casualties("Two soldiers were killed and 5 others were").killed == 2
    assert find_casualties("14 others wounded, 3 killed") == Casualties(
        killed=3, wounded=14, spans=((0, 17, "wounded"), (19, 27, "killed")))
    assert find_casualties("Rockets hit the base, 9 people.") == find_casualties("")


def test_finditer_at_leads_scans_when_the_leads_are_everywhere() -> None:
    regex = re.compile(r"\b(?i:the\s+day\s+before)\b")
    leads = pattern_leads(regex.pattern)
    assert leads is not None and set(leads.folded) == {"the"}
    for text in ("the " * 500 + "The day before", "the day before " * 3, "THE DAY BEFORE"):
        got = [m.span() for m in finditer_at_leads(regex, leads, text, search_lower(text))]
        assert got == [m.span() for m in regex.finditer(text)] != []


_LEAD_PATTERNS = [r"\b(?i:rockets?|air\s*strikes?)\b", r"(?<!\w)(?:US|U\.S\.)(?!\w)",
                  r"a?b?c?", r"\b(?i:the\s+day)\b", r"\bIS\b|\bISIS\b",
                  # leads shared with other patterns ("the", "air")
                  r"\b(?i:the\s+rockets|air\s+base)\b"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="rocketsairbUSisISdhay .\u0130\u212a", max_size=60))
def test_lead_index_says_what_each_pattern_leads_say(text: str) -> None:
    """One automaton pass says, for every pattern, whether one of its leads occurs, and
    where: the offsets the pattern's own Leads.starts gives."""
    leads = [pattern_leads(p) for p in _LEAD_PATTERNS]
    index = LeadIndex(leads)
    low = search_lower(text)
    present, starts = index.find(text, low)
    for bit, lead in zip(index.bits, leads, strict=True):
        occurs = lead is None or any(w in low for w in lead.folded) or any(
            w in text for w in lead.exact)
        assert bool(present & bit) == occurs, (text, lead)
        assert starts.get(bit, set()) == (lead.starts(text, low) if lead else set())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="rocketsairbUSisISdhay .\u0130\u212a", max_size=60))
def test_lead_starts_are_every_offset_where_a_lead_starts(text: str) -> None:
    low = search_lower(text)
    for leads in filter(None, (pattern_leads(p) for p in _LEAD_PATTERNS)):
        want = {i for i in range(len(text))
                for words, hay in ((leads.exact, text), (leads.folded, low))
                if any(hay.startswith(w, i) for w in words)}
        assert leads.starts(text, low) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(
    ["killed", "lives", " ", "lost", "the", "loss", "of", "death", "toll", "casualty", "Hurt",
     "injur", "ies", "wound", "K", "\u212a", "ILL", "ed", "s", "1"]), max_size=12).map("".join))
def test_casualty_cue_words_hold_a_needed_word(text: str) -> None:
    """find_casualties skips a kind when none of its needed words is in the sentence: every
    cue match must hold one."""
    from geo.extract.counts import _CUE_NEEDS, _CUE_WORDS

    for kind, cue in _CUE_WORDS.items():
        if cue.search(text):
            assert any(word in search_lower(text) for word in _CUE_NEEDS[kind]), (kind, text)


@pytest.mark.parametrize(("text", "places_only", "countries"), [
    ("the Syrian town of Al-Bukamal", True, {"SY"}),
    ("Iraqi forces and Turkish drones", True, set()),  # who fights says little about where
    ("Iraqi forces and Turkish drones", False, {"IQ", "TR"}),
    ("the Kurdish town of Kobani", True, set()),  # Kurdish towns are in four countries
])
def test_demonym_countries(text: str, places_only: bool, countries: set[str]) -> None:
    assert find_demonym_countries(text, places_only=places_only) == countries
