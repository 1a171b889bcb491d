"""evaluate-places: Gritta et al.'s corpus formats, the field's figures, the command.

The fixtures (tests/fixtures/gazetteer/*.xml) are small texts of our own in LGL's layout and
in GeoWebNews's; the LGL corpus itself (GPL-3.0) is read only from ../shared at development
time, never copied here.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from geo.gazetteer.evaluate import (
    MAX_ERROR_KM,
    Answer,
    CorpusError,
    GoldToponym,
    Outcome,
    Report,
    auc,
    document_resolver,
    evaluate,
    name_resolver,
    read_corpus,
)

HERE = Path(__file__).parent / "fixtures" / "gazetteer"
LGL_STYLE = HERE / "lgl_style.xml"
GWN_STYLE = HERE / "geowebnews_style.xml"
UCDP = Path(__file__).parent / "fixtures" / "ucdp" / "ucdp_ged_iraq_sample.csv"


def test_reads_lgl_layout_with_spans_classes_and_skips():
    articles, skipped = read_corpus(LGL_STYLE)
    assert [a.docid for a in articles] == ["t1", "t2"]
    assert skipped == 1  # "Storm": a gaztag without coordinates
    t1 = articles[0]
    assert [(g.phrase, g.feature) for g in t1.toponyms] == [
        ("Paris", "city"), ("Paris", "city"), ("Texas", "region"), ("Dallas", "city")]
    for g in t1.toponyms:
        assert t1.text[g.start:g.end] == g.phrase
    assert articles[1].toponyms[1].feature == "terrain"
    assert read_corpus(LGL_STYLE, limit=1)[0] == articles[:1]


def test_reads_geowebnews_layout():
    [article], skipped = read_corpus(GWN_STYLE)
    assert skipped == 0
    assert [(g.phrase, g.lat, g.lon) for g in article.toponyms][:2] == [
        ("Baghdad", 33.34058, 44.40088), ("Erbil", 36.19257, 44.01062)]


def test_reads_ucdp_exact_places_only():
    articles, _ = read_corpus(UCDP)
    assert len(articles) == 67  # where_prec 1 of the sample's 100 events
    assert articles[0].text == "Al Fallūjah town"
    assert articles[0].toponyms[0].lat == pytest.approx(33.355813)


@pytest.mark.parametrize("content, message", [
    ("not xml <", "not XML"), ("<articles></articles>", "no <article>"),
    ("<articles><article/></articles>", "has no <text>")])
def test_bad_corpora_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "c.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        read_corpus(path)


def test_auc_as_gritta_defines_it():
    assert auc([0.0, 0.0, 0.0]) == 0.0
    assert auc([MAX_ERROR_KM] * 3) == pytest.approx(1.0, abs=1e-4)
    # two intervals of the sorted log errors, trapezoidal rule
    errs = [0.0, 10.0, 1000.0]
    want = ((0 + math.log(11)) / 2 + (math.log(11) + math.log(1001)) / 2) / (
        2 * math.log(MAX_ERROR_KM))
    assert auc([1000.0, 0.0, 10.0]) == pytest.approx(want)
    assert auc(errs) == pytest.approx(want)


def test_figures_count_unanswered_spans_as_wrong_and_as_the_largest_error():
    gold = GoldToponym(0, 1, "X", 0.0, 0.0, "city")
    report = Report([Outcome("d", gold, Answer(0.0, 1.0, "a")),  # 111 km
                     Outcome("d", gold, Answer(0.0, 2.0, "b")),  # 222 km
                     Outcome("d", gold, None)], km=200)
    f = report.figures()
    assert f["toponyms"] == 3 and f["answered"] == 2
    assert f["acc161"] == pytest.approx(1 / 3, abs=1e-4)
    assert f["acc161_of_answers"] == 0.5
    assert f["median_km"] == pytest.approx(222.4, abs=0.2)
    assert f["mean_km"] == pytest.approx((111.2 + 222.4 + MAX_ERROR_KM) / 3, abs=0.2)
    assert f["acc_km"] == pytest.approx(1 / 3, abs=1e-4)
    assert [o.answer.label for o in report.worst()] == ["b", "a"]


def test_document_resolution_uses_the_article(gazetteer):
    """The article names Texas: both Paris spans are Paris, Texas; Mosul is Mosul; a name no
    source knows gets no answer, not a guess."""
    articles, skipped = read_corpus(LGL_STYLE)
    report = evaluate(articles, document_resolver(gazetteer), skipped)
    got = {(o.docid, o.gold.start): o for o in report.outcomes}
    assert got[("t1", 24)].error_km < 5 and got[("t1", 41)].error_km < 5
    assert got[("t2", 12)].error_km < 5
    assert got[("t2", 26)].answer is None
    name_only = evaluate(articles, name_resolver(gazetteer), skipped)
    assert len(name_only.outcomes) == len(report.outcomes)


def test_country_filter_in_evaluation(gazetteer):
    articles, _ = read_corpus(GWN_STYLE)
    assert evaluate(articles, document_resolver(gazetteer, ["FR"])).figures()["answered"] == 0
    assert evaluate(articles, document_resolver(gazetteer, ["IQ"])).figures()["acc161"] == 1.0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_evaluate_places_command_prints_the_figures():
    out = _cli("evaluate-places", str(LGL_STYLE))
    assert out.returncode == 0, out.stderr
    for words in ("acc@161 km", "answered", "median error", "AUC", "per feature class",
                  "ten worst errors"):
        assert words in out.stdout
    data = json.loads(_cli("evaluate-places", str(GWN_STYLE), "--json").stdout)
    assert data["toponyms"] == 3 and data["acc161"] == 1.0
    assert {"median_km", "mean_km", "auc", "share_answered", "worst", "by_feature"} <= set(data)


def test_evaluate_places_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<articles>", encoding="utf-8")
    for args in ((str(bad),), (str(tmp_path / "missing.xml"),),
                 (str(LGL_STYLE), "--country", "Iraq"), (str(LGL_STYLE), "--limit", "0")):
        out = _cli("evaluate-places", *args)
        assert out.returncode == 2
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
