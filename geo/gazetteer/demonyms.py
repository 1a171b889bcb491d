"""Demonyms and country adjectives: "Iraqi forces" tells that a text is about Iraq, "the Syrian
town of" that a town is in Syria. Read by the gazetteer (the countries of a text, words that
are not places) and by the extractor (a place's country)."""

from __future__ import annotations

import re
from functools import lru_cache

from geo.text.search import Leads, finditer_at_leads, shortest

#: Country adjectives and demonyms -> ISO 3166 alpha-2: "the Syrian town of Al-Bukamal" names
#: Syria as much as "Syria" does, and "Iraqi forces" tells that an article is about Iraq (the
#: gazetteer's countries of the text). Conflict-region countries first; extend as needed. Not
#: "Kurdish": a Kurdish town may be in Iraq, Syria, Turkey or Iran; not "Myanmar", the
#: country's own name (the gazetteer finds it as a place).
DEMONYMS: dict[str, str] = {
    "Iraqi": "IQ", "Iraqis": "IQ", "Syrian": "SY", "Syrians": "SY", "Iranian": "IR",
    "Iranians": "IR", "Turkish": "TR", "Turk": "TR", "Turks": "TR", "Jordanian": "JO",
    "Lebanese": "LB", "Israeli": "IL", "Israelis": "IL", "Palestinian": "PS", "Saudi": "SA",
    "Yemeni": "YE", "Emirati": "AE", "Kuwaiti": "KW", "Qatari": "QA", "Egyptian": "EG",
    "Libyan": "LY", "Afghan": "AF", "Pakistani": "PK", "Indian": "IN", "Russian": "RU",
    "Russians": "RU", "Ukrainian": "UA", "Belarusian": "BY", "Georgian": "GE", "Armenian": "AM",
    "Azerbaijani": "AZ", "Sudanese": "SD", "Somali": "SO", "Ethiopian": "ET", "Eritrean": "ER",
    "Malian": "ML", "Nigerian": "NG", "Nigerien": "NE", "Burkinabe": "BF", "Chadian": "TD",
    "Congolese": "CD", "Mozambican": "MZ", "Kenyan": "KE", "Ugandan": "UG", "Burmese": "MM",
    "Colombian": "CO", "Mexican": "MX", "Venezuelan": "VE", "Haitian": "HT", "French": "FR",
    "British": "GB", "German": "DE", "American": "US", "Americans": "US", "Chinese": "CN",
    "Taiwanese": "TW", "Korean": "KR", "Filipino": "PH", "Algerian": "DZ", "Tunisian": "TN",
    "Moroccan": "MA", "Bahraini": "BH", "Omani": "OM", "Cypriot": "CY", "Greek": "GR",
}
_DEMONYM_RE = re.compile(r"\b(" + "|".join(sorted(DEMONYMS, key=len, reverse=True)) + r")\b")
#: Every match starts with a demonym (too many words for pattern_leads, not for an automaton).
_DEMONYM_LEADS = Leads(shortest(set(DEMONYMS)), frozenset())


_PLACE_NOUN = re.compile(r"\s+(?:town|city|village|border|province|governorate|capital|side|"
                         r"territory|region|district|countryside|desert|coast|frontier)\b")


def find_demonym_countries(text: str, *, places_only: bool = False) -> set[str]:
    """ISO codes of the countries whose adjective or demonym the text uses; with
    ``places_only``, only where it qualifies a place ("the Syrian town of", not "Turkish
    forces": who fights says little about where)."""
    return {DEMONYMS[name] for name, end in _demonyms_in(text)
            if not places_only or _PLACE_NOUN.match(text, end)}


@lru_cache(maxsize=1)
def _demonyms_in(text: str) -> tuple[tuple[str, int], ...]:
    """Each demonym of a text and where it ends: found once for the gazetteer's countries of
    the text and the extractor's places (:func:`find_demonym_countries`)."""
    return tuple((m[1], m.end())
                 for m in finditer_at_leads(_DEMONYM_RE, _DEMONYM_LEADS, text, text))
