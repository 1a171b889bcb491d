"""Words: one place that names the extractor's vocabularies.

The tables live by what they read: :mod:`geo.extract.triggers` (event words and their
concepts), :mod:`geo.extract.actors` (armed actors), :mod:`geo.extract.counts` (numbers and
casualty counts). This module gathers their public names and holds the paraphrase-tool
substitutions seen in spun copies. No place names live here (the gazetteer owns them). Every
vocabulary is one table of canonical concept -> patterns, so that machine-paraphrased
("spun") copies are read by ordinary synonym handling: "foundation" is a base when the
sentence is about forces, "hand about" is "hand over", "tumble into the hands of" is "fall
into the hands of", "Preferred Mobilisation Forces" is the PMF and "Us citizens" are
Americans. Matching is on the original text, so every span returned is a character offset
into the text given.
"""

from __future__ import annotations

import re

from geo.extract.actors import ACTORS, Actor, find_actors
from geo.extract.counts import (
    KILL_WORDS,
    MAX_CASUALTIES,
    NUMBER,
    PERSON_NOUNS,
    SCALES,
    UNITS,
    WOUND_WORDS,
    Casualties,
    find_casualties,
    number_from_words,
)
from geo.extract.triggers import (
    ATTACK_CONCEPTS,
    CONCEPTS,
    MILITARY_CONTEXT,
    TRIGGERS,
    Trigger,
    find_triggers,
)

__all__ = [
    "ACTORS", "ATTACK_CONCEPTS", "CONCEPTS", "KILL_WORDS", "MAX_CASUALTIES", "MILITARY_CONTEXT",
    "NUMBER", "PERSON_NOUNS", "SCALES", "SPUN_PHRASES", "TRIGGERS", "UNITS", "WOUND_WORDS",
    "Actor", "Casualties", "Trigger", "find_actors", "find_casualties", "find_triggers",
    "normalise_spun", "number_from_words",
]

# --- spun text ----------------------------------------------------------------------------------

#: Paraphrase-tool substitutions seen in spun copies -> the usual wording. Used for display and
#: for readers that do not need offsets; the matchers above already accept these variants.
SPUN_PHRASES: dict[str, str] = {
    r"\bPreferred\s+Mobili([sz])ation\s+Forces\b": r"Popular Mobili\1ation Forces",
    r"\bIslamic\s+Condition\b": "Islamic State",
    r"\bUs\s+citizens\b": "Americans",
    r"\bPeople\s+in\s+america\b": "Americans",
    r"\bhand\s+about\b": "hand over",
    r"\btumble\s+into\s+the\s+hands\s+of\b": "fall into the hands of",
    r"\btaken\s+again\b": "taken back",
    r"\btook\s+handle\s+of\b": "took control of",
    r"\bthis\s+7\s+days\b": "this week",
    r"\bfinal\s+yr\b": "last year",
    r"\bpreviously\s+this\s+year\b": "earlier this year",
    r"\bSupply\s+backlink\b": "Source link",
    r"\bsafety\s+forces\b": "security forces",
}


def normalise_spun(text: str) -> str:
    """``text`` with known paraphrase-tool substitutions put back (offsets change)."""
    for pattern, usual in SPUN_PHRASES.items():
        text = re.sub(pattern, usual, text)
    return text
