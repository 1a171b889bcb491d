"""A conservative reader of regular expression text, for the leading words of a pattern.

:func:`parse_pattern` reads the syntax the project's patterns use (literals, escapes, classes
of literal characters, groups with or without ``i`` flags, alternation, quantifiers and
zero-width assertions) into a small tree of :data:`Item` tuples. Whatever else it meets
(ranges and categories inside classes, ``.``, back-references, conditionals, verbose mode)
is either an ``unknown`` item (no known characters start there) or, where the shape of the
rest of the pattern would be uncertain, no tree at all (``None``): a caller then scans the
text with the pattern, which is always right, only slower. It reads text, never the private
parser of the ``re`` module.

Items (tuples, first element the kind):

* ``("lit", ch)``: one literal character;
* ``("set", chars)``: one character of a class of literal characters (``[Aa]``, ``[’']``);
* ``("zero",)``: an anchor or a lookaround, matching no characters;
* ``("branch", [seq, ...])``: alternatives, each a list of items;
* ``("group", fold, seq)``: a group; ``fold`` True with ``(?i:``, False with ``(?-i:``, None
  when the group leaves the case flag as it is (a non-capturing group without flags is read
  into the sequence around it, as ``re`` reads it: "(?:ab)c" is "abc", and "u|a" is
  ``("set", ...)``);
* ``("repeat", min, seq)``: ``seq`` repeated at least ``min`` times (``?``, ``*``, ``+``,
  ``{m,n}``, lazy or not);
* ``("unknown",)``: something that matches characters not known in advance (``\\w``, ``.``,
  ``[a-z]``, a possessive repeat, an atomic group).
"""

from __future__ import annotations

from typing import Any

Item = tuple[Any, ...]

#: Escapes that stand for one character (outside and inside classes).
_CHAR_ESCAPES = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
#: Escapes that match no character (outside classes).
_ZERO_ESCAPES = frozenset("AbBZ")
#: Escapes that match one of many characters.
_CLASS_ESCAPES = frozenset("dDsSwW")
_FLAG_LETTERS = frozenset("aiLmsux")


class _Unreadable(Exception):
    """The pattern uses syntax this reader does not follow."""


def parse_pattern(pattern: str) -> list[Item] | None:
    """The items of ``pattern``, or None when it uses syntax this reader does not follow
    (verbose mode, conditionals, an unbalanced group, anything ``re`` would reject)."""
    try:
        reader = _Reader(pattern)
        items = reader.alternation()
        if reader.pos != len(pattern):
            return None  # an unbalanced ")"
    except _Unreadable:
        return None
    if reader.global_fold:
        return [("group", True, items)]
    return items


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.global_fold = False

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos:self.pos + n]

    def take(self, n: int = 1) -> str:
        out = self.text[self.pos:self.pos + n]
        if len(out) < n:
            raise _Unreadable("pattern ends early")
        self.pos += n
        return out

    def alternation(self) -> list[Item]:
        """Alternatives up to a ")" (not taken) or the end."""
        alternatives = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            alternatives.append(self.sequence())
        if len(alternatives) == 1:
            return alternatives[0]
        if all(len(a) == 1 and a[0][0] in ("lit", "set") for a in alternatives):
            # "u|a" is one character of a class, as "[ua]"
            return [("set", frozenset(c for (item,) in alternatives
                                      for c in (item[1] if item[0] == "set" else (item[1],))))]
        return [("branch", alternatives)]

    def sequence(self) -> list[Item]:
        items: list[Item] = []
        while self.pos < len(self.text) and self.peek() not in "|)":
            atom = self.atom()
            if atom is None:
                continue  # a comment or global flags
            item = self.quantified(atom)
            if item is atom and atom[0] == "group" and len(atom) == 4:
                items.extend(atom[2])  # "(?:ab)c" reads as "abc"
            else:
                items.append(item[:3])
        return items

    def quantified(self, atom: Item) -> Item:
        low = self.repeat_bounds()
        if low is None:
            return atom
        if self.peek() == "+":  # possessive: matches what it matches, no known start
            self.pos += 1
            return ("unknown",)
        if self.peek() == "?":  # lazy: the same characters can start it
            self.pos += 1
        if atom[0] == "zero":
            return atom
        if self.repeat_bounds(probe=True) is not None:
            raise _Unreadable("multiple repeat")
        return ("repeat", low, [atom])

    def repeat_bounds(self, probe: bool = False) -> int | None:
        """The least count of a quantifier at the reader's position (taken unless
        ``probe``), or None when there is none ("{" not followed by a count is a literal)."""
        ch = self.peek()
        if ch in ("?", "*", "+"):
            if not probe:
                self.pos += 1
            return 1 if ch == "+" else 0
        if ch != "{":
            return None
        end = self.text.find("}", self.pos)
        body = self.text[self.pos + 1:end] if end > 0 else ""
        low, comma, high = body.partition(",")
        if end < 0 or not (low.isdigit() or low == "" and comma) or high and not high.isdigit():
            return None
        if not comma and not low:
            return None
        if not probe:
            self.pos = end + 1
        return int(low) if low else 0

    def atom(self) -> Item | None:
        ch = self.take()
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape(in_class=False)
        if ch == ".":
            return ("unknown",)
        if ch in "^$":
            return ("zero",)
        if ch in "*+?":
            raise _Unreadable("nothing to repeat")
        return ("lit", ch)

    def group(self) -> Item | None:
        if self.peek() != "?":
            return self.group_body(None)
        self.pos += 1
        kind = self.take()
        if kind == ":":
            return (*self.group_body(None), "inline")
        if kind in "=!":
            self.group_body(None)
            return ("zero",)
        if kind == "<" and self.peek() in ("=", "!"):
            self.pos += 1
            self.group_body(None)
            return ("zero",)
        if kind == "P" and self.peek() == "<":
            end = self.text.find(">", self.pos)
            if end < 0:
                raise _Unreadable("unterminated group name")
            self.pos = end + 1
            return self.group_body(None)
        if kind == "#":
            end = self.text.find(")", self.pos)
            if end < 0:
                raise _Unreadable("unterminated comment")
            self.pos = end + 1
            return None
        if kind == ">":
            self.group_body(None)
            return ("unknown",)
        if kind in _FLAG_LETTERS or kind == "-":
            return self.flags(kind)
        raise _Unreadable(f"group (?{kind}")  # back-references, conditionals

    def flags(self, first: str) -> Item | None:
        added, removed, into = set(), set(), None
        ch = first
        while True:
            if ch == "-":
                if into is removed:
                    raise _Unreadable("flags")
                into = removed
            elif ch in _FLAG_LETTERS:
                (into if into is not None else added).add(ch)
            elif ch == ":":
                break
            elif ch == ")":
                if removed or into is removed:
                    raise _Unreadable("global flags cannot be turned off")
                if "x" in added:
                    raise _Unreadable("verbose mode")
                if "i" in added:
                    self.global_fold = True
                return None
            else:
                raise _Unreadable("flags")
            ch = self.take()
        if "x" in added:
            raise _Unreadable("verbose mode")
        fold = True if "i" in added else False if "i" in removed else None
        return self.group_body(fold)

    def group_body(self, fold: bool | None) -> Item:
        items = self.alternation()
        if self.take() != ")":
            raise _Unreadable("unbalanced group")
        return ("group", fold, items)

    def escape(self, in_class: bool) -> Item:
        ch = self.take()
        if ch in _CHAR_ESCAPES:
            return ("lit", _CHAR_ESCAPES[ch])
        if ch == "b" and in_class:
            return ("lit", "\b")
        if ch in _ZERO_ESCAPES and not in_class:
            return ("zero",)
        if ch in _CLASS_ESCAPES:
            return ("unknown",)
        if ch in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[ch]
            digits = self.take(size)
            try:
                return ("lit", chr(int(digits, 16)))
            except ValueError:
                raise _Unreadable("bad escape") from None
        if ch.isascii() and ch.isalnum():
            raise _Unreadable(f"escape \\{ch}")  # back-references, octal, \N{...}, errors
        return ("lit", ch)

    def char_class(self) -> Item:
        """A class: a set when every member is a literal character, else unknown."""
        chars: set[str] = set()
        known = True
        if self.peek() == "^":
            self.pos += 1
            known = False
        first = True
        while True:
            ch = self.take()
            if ch == "]" and not first:
                break
            first = False
            if ch == "[" and self.peek() in (":", "=", "."):
                raise _Unreadable("a possible set operation")
            if ch == "\\":
                item = self.escape(in_class=True)
                if item[0] != "lit":
                    known = False
                    continue
                ch = item[1]
            if self.peek() == "-" and self.text[self.pos + 1:self.pos + 2] not in ("]", ""):
                self.pos += 1  # a range: "a-z"
                end = self.take()
                if end == "\\":
                    self.escape(in_class=True)
                known = False
                continue
            chars.add(ch)
        if not known or not chars:
            return ("unknown",)
        return ("set", frozenset(chars))
