"""The compact structures of the compiled index, and how a build becomes them.

Per-place text is stored as one string plus offsets (:class:`TextColumn`) and the name keys
as hash buckets decoded on first use (:class:`KeyIndex`), so loading the cached index takes a
tenth of a second instead of unpickling a million small objects. :func:`compile_state` turns
the builder's places into these columns (what the cache stores).
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable, Iterator

from geo.model import PLACE_KINDS, SITE_KINDS, Place
from geo.text.names import fold, name_keys, site_core, skeleton

# Match types stored in postings (posting = place index * 4 + match type).
# Match types 4 and up exist only at query time; DEMONYM, ABBREVIATION and PEOPLE are stored
# as 0, 1 and 2 in the index of names that mean a place only when asked for as one ("asked").
NAME, ALIAS, SITE_CORE, CONTEXT, FUZZY, SITE_FALLBACK, RESPELLED = 0, 1, 2, 3, 4, 5, 6
DEMONYM, ABBREVIATION, PEOPLE = 7, 8, 9

#: One posting or several, as a key index answers.
Postings = int | tuple[int, ...]


class GazetteerError(RuntimeError):
    """The gazetteer cannot be built, loaded or queried as asked."""


def add_posting(index: dict[str, list[int]], key: str, posting: int) -> None:
    if key:
        index.setdefault(key, []).append(posting)


def freeze(index: dict[str, list[int]]) -> dict[str, Postings]:
    """Single postings as plain ints, others as deduplicated tuples (a compact pickle)."""
    out: dict[str, Postings] = {}
    for key, postings in index.items():
        unique = tuple(dict.fromkeys(postings))
        out[key] = unique[0] if len(unique) == 1 else unique
    return out


def postings(value: Postings | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


class TextColumn:
    """Many strings stored as one string plus offsets: unpickles in milliseconds."""

    __slots__ = ("_data", "_offsets")

    def __init__(self, values: Iterable[str]) -> None:
        values = list(values)
        self._data = "".join(values)
        offsets = array("q", [0])
        total = 0
        for v in values:
            total += len(v)
            offsets.append(total)
        self._offsets = offsets

    def __getitem__(self, i: int) -> str:
        return self._data[self._offsets[i]:self._offsets[i + 1]]

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def __getstate__(self) -> tuple[str, array]:
        return self._data, self._offsets

    def __setstate__(self, state: tuple[str, array]) -> None:
        self._data, self._offsets = state


class KeyIndex:
    """A read-only key -> postings map that loads in milliseconds.

    Half a million keys unpickled as a dict take about half a second, most of a cold start.
    Here the keys are spread over hash buckets (CRC-32, stable across processes), each bucket
    stored as one string of its keys and the postings as one integer array; a bucket becomes
    a dict the first time a key in it is asked for. ``get`` answers as the frozen dict did: an
    int for one posting, a tuple for several, None for an unknown key.
    """

    __slots__ = ("_mask", "_keys", "_first", "_bounds", "_postings", "_decoded")

    def __init__(self, index: dict[str, Postings], keys_per_bucket: int = 16) -> None:
        buckets = 1 << max(0, (len(index) // keys_per_bucket).bit_length())
        grouped: list[list[str]] = [[] for _ in range(buckets)]
        for key in index:
            if "\x00" in key:
                raise GazetteerError(f"index key with a NUL character: {key!r}")
            grouped[_bucket(key, buckets - 1)].append(key)
        first, bounds, flat = array("I", [0]), array("I", [0]), array("I")
        for keys in grouped:
            for key in keys:
                value = index[key]
                flat.extend((value,) if isinstance(value, int) else value)
                bounds.append(len(flat))
            first.append(first[-1] + len(keys))
        self._setup(buckets - 1, ["\x00".join(keys) for keys in grouped], first, bounds, flat)

    def _setup(self, mask: int, keys: list[str], first: array, bounds: array,
               flat: array) -> None:
        self._mask, self._keys, self._first = mask, keys, first
        self._bounds, self._postings = bounds, flat
        self._decoded: list[dict[str, Postings] | None] = [None] * (mask + 1)

    def get(self, key: str) -> Postings | None:
        b = _bucket(key, self._mask)
        table = self._decoded[b]
        if table is None:
            table = self._decoded[b] = self._decode(b)
        return table.get(key)

    def _decode(self, b: int) -> dict[str, Postings]:
        text = self._keys[b]
        if self._first[b] == self._first[b + 1]:
            return {}
        bounds, flat = self._bounds, self._postings
        table: dict[str, Postings] = {}
        for k, key in enumerate(text.split("\x00"), self._first[b]):
            lo, hi = bounds[k], bounds[k + 1]
            table[key] = flat[lo] if hi - lo == 1 else tuple(flat[lo:hi])
        return table

    def __len__(self) -> int:
        return self._first[-1]

    def keys(self) -> Iterator[str]:
        """Every key, bucket by bucket."""
        for text in self._keys:
            if text:
                yield from text.split("\x00")

    def __getstate__(self) -> tuple:
        return self._mask, self._keys, self._first, self._bounds, self._postings

    def __setstate__(self, state: tuple) -> None:
        self._setup(*state)


def _bucket(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & mask


def compile_state(compiled, common: frozenset[str]) -> dict:
    """Column lists and key indexes for a compiled build (what the cache stores)."""
    places: list[Place] = compiled.places
    exact: dict[str, list[int]] = {}
    site: dict[str, list[int]] = {}
    skel: dict[str, list[int]] = {}
    asked: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        names = [(p.name, NAME)] + [(a, ALIAS) for a in p.aliases]
        for text, how in names:
            for key in name_keys(text):
                add_posting(exact, key, i * 4 + how)
            if p.kind in SITE_KINDS:
                core, had = site_core(fold(text))
                if had:
                    for key in name_keys(core):
                        add_posting(site, key, i * 4 + SITE_CORE)
            if p.population >= 1000 or p.kind in SITE_KINDS | {"country", "region", "river"}:
                s = skeleton(fold(text))
                if len(s) >= 5:
                    add_posting(skel, s, i * 4 + how)
        for alias in compiled.context_aliases.get(p.id, ()):
            for key in name_keys(alias):
                add_posting(site, key, i * 4 + CONTEXT)
        for how, table in ((0, compiled.demonyms), (1, compiled.abbreviations),
                           (2, compiled.peoples)):
            for text in table.get(p.id, ()):
                add_posting(asked, fold(text), i * 4 + how)
    nan = float("nan")
    boxes = [p.bbox or (nan, nan, nan, nan) for p in places]
    labels = sorted({p.source for p in places} | {p.licence for p in places})
    code = {label: n for n, label in enumerate(labels)}
    return {
        "ids": TextColumn(p.id for p in places),
        "records": TextColumn(f"{p.name}\x1e{chr(31).join(p.aliases)}\x1e{p.source_id}"
                              for p in places),
        "labels": labels,
        "source": array("I", (code[p.source] for p in places)),
        "licence": array("I", (code[p.licence] for p in places)),
        "kinds": bytes(PLACE_KINDS.index(p.kind) for p in places),
        "countries": TextColumn(p.country for p in places),
        "lat": array("d", (nan if p.lat is None else p.lat for p in places)),
        "lon": array("d", (nan if p.lon is None else p.lon for p in places)),
        "pop": array("q", (p.population for p in places)),
        "admin1": TextColumn(p.admin1 for p in places),
        "capitals": frozenset(i for i, p in enumerate(places) if p.id in compiled.capitals),
        "bbox": array("d", (v for box in boxes for v in box)),
        "exact": KeyIndex(freeze(exact)), "site": freeze(site), "asked": KeyIndex(freeze(asked)),
        "skeleton": KeyIndex(freeze(skel)),
        "common": common,
        "country_names": {p.country: p.name for p in places if p.kind == "country"},
        "transliterated": compiled.transliterated,
    }
