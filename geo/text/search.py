"""Finding where many regular expressions can match a text, in one pass.

A pattern's *leads* are literal strings one of which starts every match ("rocket", "missile",
...); :class:`LeadIndex` holds the leads of many patterns in Aho-Corasick automata
(pyahocorasick), so one pass over a sentence says which patterns may match and where, and a
pattern runs only there. Leads are read from the pattern's own text (:func:`pattern_leads`)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from geo.text.pattern_reader import Item, parse_pattern

_RE_ASCII_FOLDS = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def search_lower(text: str) -> str:
    """``text`` lower-cased so that an ASCII word a case-insensitive pattern matches in
    ``text`` is a substring of the result: the few other letters ``re`` folds to ASCII ones
    (dotted and dotless i, long s, the Kelvin sign) are mapped first. Lets a reader skip a
    pattern whose words a text lacks with a substring test instead of a regex scan."""
    if not text.isascii() and any(chr(code) in text for code in _RE_ASCII_FOLDS):
        text = text.translate(_RE_ASCII_FOLDS)  # slow (a dict lookup a character): when needed
    return text.lower()


@dataclass(frozen=True)
class Leads:
    """Literal strings one of which starts every match of a pattern: ``exact`` ones are
    compared with the text as it is, ``folded`` ones (lower case) with :func:`search_lower` of
    it. When none of them occurs in a text, the pattern cannot match there and its scan is
    skipped. ``None`` in place of a Leads: the pattern's start is not known, always scan."""

    exact: frozenset[str]
    folded: frozenset[str]
    #: automata of ``exact`` and ``folded`` (word -> its length) for :meth:`starts`
    _automata: tuple[Any, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_automata", tuple(
            _automaton({w: len(w) for w in words}) for words in (self.exact, self.folded)))

    def starts(self, text: str, low: str) -> set[int]:
        """Every offset where one of the strings starts (in one pass over each text)."""
        found: set[int] = set()
        for automaton, haystack in zip(self._automata, (text, low), strict=True):
            if automaton is not None:
                found.update(end - n + 1 for end, n in automaton.iter(haystack))
        return found


class LeadIndex:
    """Which of many patterns may match a text, and where: the :class:`Leads` of them all in
    one Aho-Corasick automaton per case, so one pass over the text answers for every pattern
    (testing each pattern's strings one by one cost more than the matching itself).

    ``find(text, low)`` (``low``: search_lower of text) gives a mask with bit ``i`` set when
    ``leads[i]`` is None or one of its exact strings occurs in ``text`` or one of its folded
    ones in ``low``, and each such pattern's lead offsets: what ``leads[i].starts`` gives.
    """

    def __init__(self, leads: Sequence[Leads | None]) -> None:
        self.bits = tuple(1 << i for i in range(len(leads)))
        self._always = sum(bit for bit, lead in zip(self.bits, leads, strict=True)
                           if lead is None)
        exact: dict[str, int] = {}
        folded: dict[str, int] = {}
        for bit, lead in zip(self.bits, leads, strict=True):
            for table, words in ((exact, lead.exact), (folded, lead.folded)) if lead else ():
                for word in words:
                    table[word] = table.get(word, 0) | bit
        self._exact, self._folded = (
            _automaton({word: (mask, len(word)) for word, mask in table.items()})
            for table in (exact, folded))

    def find(self, text: str, low: str) -> tuple[int, dict[int, set[int]]]:
        mask = self._always
        starts: dict[int, set[int]] = {}
        for automaton, haystack in ((self._exact, text), (self._folded, low)):
            if automaton is None:
                continue
            for end, (bits, n) in automaton.iter(haystack):
                mask |= bits
                while bits:  # a word is the lead of one pattern, seldom of more
                    bit = bits & -bits
                    bits ^= bit
                    found = starts.get(bit)
                    if found is None:
                        found = starts[bit] = set()
                    found.add(end - n + 1)
        return mask, starts


def _automaton(table: dict[str, Any]) -> ahocorasick.Automaton | None:
    if not table:
        return None
    automaton = ahocorasick.Automaton()
    for word, mask in table.items():
        automaton.add_word(word, mask)
    automaton.make_automaton()
    return automaton


#: Leads longer than this are cut (still a prefix of every match); a pattern with more than
#: _MAX_LEADS of them (optional words multiply them) is scanned instead.
_LEAD_LENGTH = 12
_MAX_LEADS = 160


def pattern_leads(pattern: str, flags: int = 0) -> Leads | None:
    """The :class:`Leads` of ``pattern`` (as ``re.compile(pattern, flags)`` reads it), or None
    when some match may start otherwise than with a literal (a class such as ``\\w``, an
    optional first word), the strings would be too many to be a quick test, or the pattern
    uses syntax :func:`parse_pattern` does not read (then it is always scanned)."""
    items = parse_pattern(pattern)
    if items is None:
        return None
    fold = bool(flags & re.IGNORECASE)
    leads = _leads(items, fold)
    if not leads:
        return None
    # search_lower folds only ASCII letters as re does: a folded lead ends at other characters
    exact = shortest({w for w, f in leads if not f})
    folded = shortest({_ascii_head(w.lower()) for w, f in leads if f})
    if "" in exact or "" in folded or len(exact) + len(folded) > _MAX_LEADS:
        return None
    return Leads(exact, folded)


def finditer_at_leads(regex: re.Pattern[str], leads: Leads | None, text: str,
                      low: str) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)``, trying the pattern only where one of its ``leads`` occurs.

    ``regex`` and ``leads`` come from the same pattern (:func:`pattern_leads`; None, leads it
    could not read: every position is tried), ``low`` is ``search_lower(text)``. Every match
    starts at a lead, so the leftmost match from a position is the first lead at or after it
    where the pattern matches: the same matches as finditer, without running the pattern at
    every character of a long text.
    """
    if leads is None or len(low) != len(text):  # offsets in low must be those of text
        return regex.finditer(text)
    return finditer_at_lead_starts(regex, text, low, leads.starts(text, low))


def finditer_at_lead_starts(regex: re.Pattern[str], text: str, low: str,
                            starts: Collection[int]) -> Iterator[re.Match[str]]:
    """:func:`finditer_at_leads` once the offsets of the leads are known (from
    :meth:`LeadIndex.find`, or :meth:`Leads.starts`)."""
    if len(low) != len(text) or len(starts) * _TRIES_PER_SCAN > len(text):
        # offsets in low are not those of text; or common words ("the"): one scan is cheaper
        return regex.finditer(text)
    return finditer_at(regex, text, sorted(starts))


def finditer_at(regex: re.Pattern[str], text: str,
                starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)`` for a pattern that cannot match the empty string and whose
    every match starts at one of ``starts`` (sorted): the leftmost match from a position is
    the first of them at or after it where the pattern matches."""
    resume = 0
    for start in starts:
        if start < resume:
            continue
        m = regex.match(text, start)
        if m is not None:
            yield m
            resume = m.end()


#: One try of a pattern at a given place costs about as much as scanning this many characters.
_TRIES_PER_SCAN = 32


def shortest(words: set[str]) -> frozenset[str]:
    """``words`` without those that start with another one (it occurs wherever they do)."""
    return frozenset(w for w in words if not any(o != w and w.startswith(o) for o in words))


def _ascii_head(word: str) -> str:
    """``word`` up to its first non-ASCII character."""
    for i, ch in enumerate(word):
        if not ch.isascii():
            return word[:i]
    return word




def _leads(items: list[Item], fold: bool) -> set[tuple[str, bool]] | None:
    """(prefix, folded) pairs of a sequence of items: every match starts with one of them."""
    done: set[tuple[str, bool]] = set()  # prefixes that cannot grow (cut, or end of sequence)
    open_: set[tuple[str, bool]] = {("", fold)}  # prefixes still growing, item by item
    for item in items:
        kind = item[0]
        if kind == "zero":
            continue
        if kind == "repeat" and item[1] == 0:
            # optional: a match starts with the item's leads, or goes on without the item
            inner = _leads(item[2], fold)
            if inner is None:
                return done | open_
            done |= {(w + c, f or cf) for w, f in open_ for c, cf in inner}
            if len(done) > _MAX_LEADS:
                return None
            continue
        step = _step(item, fold)
        if step is None:  # the item does not start with known characters: stop here
            return done | open_
        chars, ends = step
        grown = {(w + c, f or cf) for w, f in open_ for c, cf in chars}
        if len(grown) > _MAX_LEADS:
            return None
        if ends or any(len(w) >= _LEAD_LENGTH for w, _ in grown):
            return done | grown
        open_ = grown
    return done | open_


def _step(item: Item, fold: bool) -> tuple[set[tuple[str, bool]], bool] | None:
    """What one item adds to a prefix: (strings, whether prefixes stop after it)."""
    kind = item[0]
    if kind == "lit":
        return {(item[1], fold)}, False
    if kind == "set":
        return {(c, fold) for c in item[1]}, False
    if kind == "branch":
        subs = [_leads(branch, fold) for branch in item[1]]
        if any(sub is None for sub in subs):
            return None
        return set().union(*subs), True
    if kind == "group":
        inner = fold if item[1] is None else item[1]
        found = _leads(item[2], inner)
        return (found, True) if found is not None else None
    if kind == "repeat":  # at least once
        found = _leads(item[2], fold)
        return (found, True) if found is not None else None
    return None
