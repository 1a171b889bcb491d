"""Name normalisation shared by the gazetteer and the extractor.

Place names reach us written many ways: with or without diacritics (Qā'im), with curly or
modifier apostrophes for ayn/hamza (Qa’im, Qaʿim), hyphenated Arabic articles (al-Qaim, Al Qa'im,
Qaim), and site words around them (Camp Taji, Taji Air Base). Everything here maps such spellings
to a small set of comparable *keys*, so the index and the text scanner agree by construction.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata

#: Characters people use for apostrophes, ayn and hamza; all are dropped when folding.
_APOSTROPHES = "'’‘ʿʾʼʻ`´ʹ′"
#: Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "ŀ": "l",
    # Arabic letter variants that writers use interchangeably
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": "",
})
_DROP = re.compile("[" + re.escape(_APOSTROPHES) + "]")
#: Runs of non-ASCII characters: the only ones that special letters and combining marks touch.
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_LETTER_DIGIT = re.compile(r"\b([a-z]) (\d)")

#: Arabic definite-article spellings as they appear before a name (al-Qaim, ad-Dawr, ash-Sham).
ARABIC_ARTICLES: frozenset[str] = frozenset({
    "al", "el", "ul", "ad", "ed", "as", "es", "an", "en", "ar", "er", "at", "et", "az", "ez",
    "ash", "esh", "adh", "ath", "al-", "al'", "il",
})
#: Arabic words that start or join many place names, each spelled several ways ("Tal Tamr",
#: "Tall Tamr", "Tell Tamer"; "Ras el-Ain", "Ras al-Ayn"; "Um Qasr", "Umm Qasr").
SPELLING_GROUPS: tuple[tuple[str, ...], ...] = (
    ("tall", "tal", "tel", "tell", "til"), ("ayn", "ain", "ein"), ("dayr", "deir", "dair"),
    ("kafr", "kfar", "kefr", "kafar"), ("umm", "um"), ("abu", "abou"),
    ("jabal", "jebel", "jabel", "jbel"), ("wadi", "wady"), ("khirbat", "khirbet", "khirbit"),
    ("shaykh", "sheikh", "shaikh", "sheik"), ("qasr", "kasr"), ("al", "el", "ul"),
)
_SPELLINGS = {word: group for group in SPELLING_GROUPS for word in group}
#: Respellings tried for one name at the most (a name of many such words has many).
MAX_RESPELLINGS = 64
#: Words of a site name that say "this is a base/airfield", stripped to find the site's core name.
SITE_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("forward", "operating", "base"), ("joint", "base"), ("camp",), ("fob",), ("base",),
)
SITE_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("international", "airport"), ("army", "air", "field"), ("air", "force", "base"),
    ("air", "base"), ("airbase",), ("air", "field"), ("airfield",), ("airport",), ("base",),
    ("military", "base"), ("garrison",), ("airstrip",), ("heliport",), ("afb",), ("ab",),
)


def fold(text: str) -> str:
    """Lowercase, strip diacritics and apostrophes, and reduce punctuation to single spaces.

    ``fold("Al Qā’im") == fold("al-Qa'im") == "al qaim"``. Arabic script survives (with its
    short-vowel marks removed and alef/ya/ta-marbuta variants unified) so Arabic aliases match.
    """
    if text.isascii():
        return " ".join(_NON_WORD.sub(" ", _DROP.sub("", text).lower()).replace("_", " ").split())
    # str.translate walks every character through a dict; English text with a few curly
    # quotes has short non-ASCII runs, so only those are translated and stripped of marks
    decomposed = unicodedata.normalize("NFKD", _NON_ASCII.sub(_special, text.lower()))
    no_marks = _NON_ASCII.sub(_unmarked, decomposed)
    no_marks = _DROP.sub("", _NON_ASCII.sub(_special, no_marks))
    return " ".join(_NON_WORD.sub(" ", no_marks.lower()).replace("_", " ").split())


def _special(run: re.Match[str]) -> str:
    return run[0].translate(_SPECIAL_LETTERS)


def _unmarked(run: re.Match[str]) -> str:
    return "".join(c for c in run[0] if not unicodedata.combining(c))


def strip_article(key: str) -> str:
    """Drop a leading Arabic article from a folded key ("al qaim" -> "qaim"); else the key."""
    head, _, rest = key.partition(" ")
    if rest and head in ARABIC_ARTICLES:
        return rest
    return key


def site_core(key: str) -> tuple[str, bool]:
    """Strip site words from a folded key: ("taji", True) for "camp taji" or "taji air base".

    The boolean says whether a site word was present, so callers can prefer facilities.
    """
    words = key.split()
    found = False
    for pre in SITE_PREFIXES:
        if len(words) > len(pre) and tuple(words[: len(pre)]) == pre:
            words, found = words[len(pre):], True
            break
    for suf in SITE_SUFFIXES:
        if len(words) > len(suf) and tuple(words[-len(suf):]) == suf:
            words, found = words[: -len(suf)], True
            break
    return " ".join(words), found


def skeleton(key: str) -> str:
    """A coarse transliteration key: Erbil/Irbil/Arbil, Qayyarah/Qayara, Kharkiv/Kharkov,
    Ain Assad/Ayn al-Asad, Al Habbaniya/Al Ḩabbānīyah agree.

    The Arabic article goes wherever it stands ("ain al asad" -> "ain asad"), as do ayn and
    hamza marks (already by :func:`fold`); doubled letters collapse (so does the article's
    assimilation: "as-Sadr"/"Assadr" -> "sadr"), a final "h" after a vowel goes (-iyah,
    -iyya, -iya agree), a "y" or "w" after a vowel and before a consonant is a vowel (Ayn/Ain,
    Sayda/Saida, Zawr/Zor), "ou"/"oo" become "u", and each run of vowels becomes "a". Keys this
    coarse collide, so matches on them rank below exact ones.
    """
    words = key.split()
    if len(words) > 1:
        kept = [w for i, w in enumerate(words) if w not in ARABIC_ARTICLES or i == len(words) - 1]
        key = " ".join(kept)
    key = strip_article(key).replace(" ", "")
    if not key.isascii() or len(key) < 4:
        return ""
    key = re.sub(r"(.)\1+", r"\1", key)
    key = re.sub(r"(?<=[aeiou])h$", "", key)
    key = re.sub(r"(?<=[aeiou])[yw](?![aeiou])", "", key)  # Sayda/Saida, Ayn/Ain, Zawr/Zor
    key = key.replace("ou", "u").replace("oo", "u").replace("ee", "i")
    key = key.replace("dh", "d").replace("th", "t").replace("kh", "k").replace("q", "k")
    return re.sub(r"[aeiou]+", "a", key)


def name_keys(name: str) -> set[str]:
    """Every exact key a name is indexed under: the folded name, with and without the article.

    Hyphen/space variants collapse in :func:`fold`; the bare form ("qaim"), the fused form
    ("alqaim") and letter-digit joins ("k 1" -> "k1") are added so "Al Qa'im", "al-Qaim", "Qaim",
    "K-1" and "K1" share keys.
    """
    key = fold(name)
    return _forms(key) if key else set()


def respellings(name: str) -> set[str]:
    """The keys of a name of two or more words written with the other spellings of its Arabic
    words (:data:`SPELLING_GROUPS`), not its own: "Tal Tamr" -> "tall tamr", "tell tamr"..."""
    words = fold(name).split()
    if len(words) < 2 or not any(w in _SPELLINGS for w in words):
        return set()
    # a leading article is dropped by the keys anyway ("al qaim" -> "qaim")
    groups = [(w,) if i == 0 and w in ARABIC_ARTICLES else _SPELLINGS.get(w, (w,))
              for i, w in enumerate(words)]
    count = math.prod(len(g) for g in groups)
    if count == 1 or count > MAX_RESPELLINGS:
        return set()
    keys: set[str] = set()
    for spelled in itertools.product(*groups):
        keys |= _forms(" ".join(spelled))
    return keys - name_keys(name)


def _forms(key: str) -> set[str]:
    keys = {key, _LETTER_DIGIT.sub(r"\1\2", key)}
    bare = strip_article(key)
    if bare != key and len(bare) >= 3:
        keys.add(bare)
        if " " not in bare:
            keys.add("al" + bare)
    return keys


_TOKEN = re.compile(
    r"[\w" + re.escape(_APOSTROPHES) + r"](?:[\w" + re.escape(_APOSTROPHES) + r"\-]*\w)?")


def tokens(text: str) -> list[tuple[int, int]]:
    """Word spans of a text as (start, end) offsets; apostrophes and hyphens stay inside words.

    The scanner joins consecutive spans into n-grams and folds ``text[start:end]`` of each.
    """
    return [m.span() for m in _TOKEN.finditer(text)]
