"""Character spans: a growing set of disjoint spans (:class:`Spans`) and a fixed set asked
for overlaps (:class:`SpanSet`), both in logarithmic time per question, so that a long text
full of matches costs time linear in their number."""

from __future__ import annotations

import bisect
from bisect import bisect_left
from collections.abc import Iterable


class Spans:
    """Non-overlapping spans, sorted: as they never overlap, their ends are sorted too, so one
    bisection finds the only span a new one could overlap (scanning them all is quadratic on a
    long text full of matches)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        """Adds ``[start, end)`` unless it overlaps a span already held; True when added."""
        i = bisect.bisect_left(self.starts, end)
        if i and self.ends[i - 1] > start:
            return False
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        return True


class SpanSet:
    """Character spans, asked whether any overlaps a given span in logarithmic time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._reach: list[int] = []  # the furthest end of the spans up to each one
        for _, end in ordered:
            self._reach.append(max(end, self._reach[-1]) if self._reach else end)

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect_left(self._starts, end)  # the spans that start before ``end``
        return before > 0 and self._reach[before - 1] > start
