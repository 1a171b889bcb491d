"""Work grows linearly with an article's length: counted, not timed.

An article made of one block of text repeated ``k`` times must cost about ``k`` times one
block. The cost is the number of Python lines executed (``sys.settrace``), which does not
depend on the machine's load: a step that compares every event, mention or span with every
other one makes the count per block grow with ``k`` (before the fix, 200 -> 800 repeats of
the user's sentence went from 3,648 to 4,847 lines a sentence; now 3,385 -> 3,383).
Timed figures for 200 KB to 4.9 MB are ``python -m bench long`` (docs/performance.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.articles.reader import article_from_text
from geo.web.page import highlight_article

#: Sentences of the kinds that make events, mentions and merges: the same attack again (one
#: event, many sources), other places and dates, follow-ups, a headline, a run-on line
#: without a full stop, a base and a withdrawal.
BLOCKS = (
    "Rockets hit the Taji base on 5 March 2020, killing two soldiers.",
    "Café owners in Mosul said a drone strike near Tikrit on Monday killed three fighters.",
    "Nine rockets struck Ain al-Asad Air Base on 3 July 2015, wounding 12 others.",
    "The attack wounded four contractors.",
    "Rocket assault on Erbil kills contractor",
    "Fighters clashed with government troops in Hit; 2 were killed.",
    "rockets hit the Taji base killing two soldiers and",
    "US troops withdrew from al-Qaim and handed the base to Iraqi forces on 17 March.",
    "Turkish drone strike kills three SDF fighters in northeast Syria",
    "Residents of Kirkuk said the power had been cut for most of the day.",
)

SMALL, LARGE = 30, 120
#: Per-block cost at LARGE repeats over that at SMALL: 1.0 when linear; a pairwise step over
#: the article's events or sentences shows as 1.2 or more at these sizes.
MAX_GROWTH = 1.08


def traced_lines(fn: Callable[[], object]) -> int:
    """Python lines executed by ``fn()``."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(None)
    return count


def _per_block(extractor, block: str, k: int) -> float:
    article = article_from_text("DATE: 2020-03-10\n\n" + block * k, source="long.txt")
    extractor.extract(article)  # caches warm: the count is the per-article work
    return traced_lines(lambda: extractor.extract(article)) / k


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sentences=st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=4),
       joiner=st.sampled_from([" ", "\n", "\n\n"]))
def test_extraction_work_is_linear_in_the_length(extractor, sentences, joiner):
    block = joiner.join(sentences) + joiner
    small, large = _per_block(extractor, block, SMALL), _per_block(extractor, block, LARGE)
    assert large <= MAX_GROWTH * small, (block, small, large)


def test_the_users_long_sentence_is_linear(extractor):
    """The finding itself: one sentence repeated, on one line."""
    block = BLOCKS[0] + " "
    small, large = _per_block(extractor, block, 200), _per_block(extractor, block, 800)
    assert large <= 1.03 * small, (small, large)


def test_a_run_on_text_is_read_in_bounded_sentences(extractor):
    """No full stop at all: before, the whole text was one sentence whose every trigger read
    the rest of it."""
    block = BLOCKS[6] + " "
    small, large = _per_block(extractor, block, 200), _per_block(extractor, block, 800)
    assert large <= 1.03 * small, (small, large)


def test_highlighting_a_draft_is_linear_in_its_spans():
    """The page's draft preview: before, each piece of text was tested against every span."""
    def per_span(k: int) -> float:
        text = "Rockets hit the Taji base. " * k
        events = [(27 * i, 27 * i + 26) for i in range(k)]
        places = [(27 * i + 16, 27 * i + 20) for i in range(k)]
        return traced_lines(lambda: highlight_article(text, events, places)) / k

    assert per_span(2000) <= 1.03 * per_span(500)
