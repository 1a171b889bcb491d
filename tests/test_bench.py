"""Smoke runs of every benchmark part at tiny sizes, so the bench code cannot rot.

No timing is asserted (timing lives in ``python -m bench``); the tests check that each part
runs on real data and reports sane, complete figures.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys

import pytest

from bench import extract_bench, gazetteer_bench, long_bench, map_bench, store_bench
from bench.__main__ import parse
from bench.common import Figure, table
from bench.corpus import (
    MAX_CHARS,
    MIN_CHARS,
    REPEATED_SENTENCE,
    load_names,
    long_article,
    make_article,
    write_corpus,
)
from geo.articles import read_article
from geo.config import PROJECT_DIR


def _named(figures: list[Figure], fragment: str) -> Figure:
    found = [f for f in figures if fragment in f.name]
    assert found, f"no figure named like {fragment!r} in {[f.name for f in figures]}"
    return found[0]


def test_corpus_is_deterministic_and_realistic(tmp_path, extractor):
    names = load_names()
    a = write_corpus(tmp_path / "a", 12, seed=3, names=names)
    b = write_corpus(tmp_path / "b", 5, seed=3, names=names)
    assert [p.read_bytes() for p in a[:5]] == [p.read_bytes() for p in b]  # a prefix
    c = write_corpus(tmp_path / "c", 5, seed=4, names=names)
    assert [p.read_bytes() for p in c] != [p.read_bytes() for p in b]
    events = 0
    for path in a:
        text = path.read_text(encoding="utf-8")
        assert MIN_CHARS <= len(text) <= MAX_CHARS
        assert text.startswith("URL: https://bench.example.org/news/")
        article = read_article(path)
        assert article.published is not None
        found = extractor.extract(article)
        events += len(found)
        assert any(ev.place_id for ev in found)  # real gazetteer names resolve
    assert events >= 3 * len(a)


def test_corpus_names_come_from_the_gazetteer_sources():
    names = load_names()
    assert "K-1 Air Base" in names.bases
    assert "Baghdad" in names.towns
    assert any("Qa" in c for c in names.crossings)
    text = make_article(random.Random(1), names, 0)
    assert sum(n in text for n in names.bases + names.towns + names.crossings) >= 5


def test_corpus_rejects_an_empty_size(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        write_corpus(tmp_path, 0)


def test_gazetteer_part(settings):
    figures = gazetteer_bench.run(n=300, cold_repeats=1, settings=settings)
    cold = _named(figures, "cold process start")
    assert "Baghdad" in cold.name and cold.value > 0 and cold.met is not None
    assert _named(figures, "peak RSS").value > 10
    assert _named(figures, "lookup()").value > 0


def test_extract_part(settings, tmp_path):
    figures = extract_bench.run(n=4, workers=2, settings=settings, root=tmp_path)
    assert _named(figures, "8 dev articles, 1 core: events").value > 10
    one = _named(figures, "4 generated, 1 core: events").value
    assert one > 0
    assert _named(figures, "4 generated, workers=2: events").value == one
    assert _named(figures, "MB/s").value > 0
    assert len(list((tmp_path / "corpus-0").glob("article_*.txt"))) == 4


def test_long_articles_have_their_size_and_shape():
    names = load_names()
    for varied in (False, True):
        one = long_article(20_000, varied, one_line=True, names=names)
        many = long_article(20_000, varied, one_line=False, names=names)
        assert 19_000 <= len(one) <= 20_001 and 19_000 <= len(many) <= 20_001
        assert one.count("\n") == 3 and many.count("\n") > 20  # the DATE line, a blank, the end
        assert (REPEATED_SENTENCE in one) is not varied


def test_long_part():
    figures = long_bench.run(sizes=(20_000,))
    assert len([f for f in figures if f.unit == "s/MB"]) == 4
    assert _named(figures, "one sentence, one line: events").value >= 1
    assert _named(figures, "varied news, one line: events").value > 20
    assert _named(figures, "page: read a 0.02 MB upload").value > 0
    assert _named(figures, "place pickers shown").value <= 50


def test_store_part(tmp_path):
    figures = store_bench.run(n=3000, batch=1000, repeats=2, folder=tmp_path)
    assert _named(figures, "count() of all 3,000").unit == "ms"
    assert _named(figures, "size on disk").value > 0.1
    frame_fig = _named(figures, "query_frame(type+date+bbox)")
    count_fig = _named(figures, "count(type+date+bbox)")
    rows = int(count_fig.name.split("-> ")[1].split()[0])
    assert f"-> {rows} rows" in frame_fig.name


def test_synthetic_events_are_stable_across_batches():
    whole = list(store_bench.synthetic_events(10, seed=1))
    parts = list(store_bench.synthetic_events(4, seed=1)) + list(
        store_bench.synthetic_events(6, seed=1, offset=4))
    assert [e.event_id for e in whole] == [e.event_id for e in parts]
    assert all(35 <= e.lon <= 49 and 29 <= e.lat <= 42 for e in whole)


def test_map_part_server_side_and_store_reuse(tmp_path):
    figures = map_bench.run(sizes=(50,), browser=False, folder=tmp_path)
    assert "store fill" in figures[0].name
    first = _named(figures, "first view (all: ")
    assert first.unit == "s" and "points" in first.name
    assert _named(figures, "first view: map script sent").value > 0.05  # basemap and places
    assert not [f for f in figures if "zoom" in f.name]  # the browser re-clusters by itself
    again = map_bench.run(sizes=(50,), browser=False, folder=tmp_path)
    assert "store reused" in again[0].name and again[0].value == 50


def test_map_part_refuses_a_store_larger_than_asked(tmp_path):
    map_bench.bench_store(tmp_path, 30)
    (tmp_path / "map-store-20").symlink_to(tmp_path / "map-store-30")
    with pytest.raises(map_bench.BenchError, match="more than 20"):
        map_bench.bench_store(tmp_path, 20)


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs the system chromium")
def test_map_part_in_chromium(tmp_path):
    """Above a small budget: cells, a zoom that stays in cells, a zoom to points."""
    figures = map_bench.run(sizes=(300,), browser=True, folder=tmp_path, budget=60,
                            sessions=2, seconds=60)
    assert "bins: " in _named(figures, "first view (").name
    assert _named(figures, "numpy snapshot read").value > 0
    for fragment in ("new session: map drawn", ": drawn, all 2 sessions", "page answer"):
        value = _named(figures, fragment).value
        assert 0 < value < 60, fragment  # a number: NaN when nothing was drawn
    assert "bins: " in _named(figures, "zoom to 9, bins").name
    nothing = _named(figures, "sessions drawing nothing")
    assert (nothing.value, nothing.met) == (0, True)
    left = _named(figures, "left its view")
    assert (left.value, left.unit, left.met) == (0, "of 4", True)
    assert _named(figures, "page weight to the first map: HTTP").value > 1  # Streamlit, Leaflet
    assert _named(figures, "websocket").value > _named(figures, "first view: map script").value
    assert _named(figures, "JS heap").value > 1
    assert _named(figures, "Chromium PSS").value > 10
    assert _named(figures, "app RSS").value > 10


def test_table_and_command_line():
    text = table([Figure("p", "a figure", 1234.5, "x", "<= 1", False)])
    assert "1,234" in text and "NOT met" in text
    with pytest.raises(SystemExit):
        parse(["nonsense"])
    with pytest.raises(SystemExit):
        parse(["store", "--events", "0"])
    out = subprocess.run([sys.executable, "-m", "bench", "store", "--events", "500",
                          "--batch", "250"], capture_output=True, text=True, cwd=PROJECT_DIR,
                         check=True).stdout
    assert out.startswith("machine: cores ")
    assert "store" in out and "size on disk" in out
