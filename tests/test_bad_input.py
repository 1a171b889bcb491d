"""Bad input through the real CLI: one clear line (or a sensible result), never a traceback,
and a store that already holds events is left exactly as it was.

Every case runs ``conflict-map`` as a separate process (as a user or script would) against a
copy of one store filled once per module from a real article and the UCDP sample, then compares
the store's whole content and SQLite's integrity check before and after.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from geo.articles.pages import article_from_html
from geo.articles.reader import ArticleError, article_from_text, read_article
from geo.config import Settings
from geo.extract.lexicon import find_actors, find_casualties, find_triggers
from geo.formats import load_dataset
from geo.pipeline import ingest_paths
from geo.store import EventStore
from geo.text.dates import find_dates
from geo.text.sentences import split_sentences

from .conftest import FIXTURES, SEED

UCDP_SAMPLE = FIXTURES / "ucdp" / "ucdp_ged_iraq_sample.csv"
ACLED_SAMPLE = FIXTURES / "acled" / "acled_sample.csv"
ERROR_PREFIX = "conflict-map: error: "
HUNDRED_MB = 100 * 1024 * 1024

#: Real article sentences with a known rocket attack at Camp Taji, used as carriers.
TAJI = "Rockets hit Camp Taji on 11 March 2020, killing two soldiers."


# --- the store and the process ------------------------------------------------------------------

@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory, extractor) -> Path:
    """A store with news events (the seed article) and UCDP events, closed and ready to copy."""
    folder = tmp_path_factory.mktemp("filled") / "store"
    with EventStore(folder) as store:
        ingest_paths([SEED], store, Settings(store_dir=folder), extractor=extractor)
        store.add_events(load_dataset(UCDP_SAMPLE, "ucdp").events)
        assert store.count(datasets="news") > 5 and store.count(datasets="ucdp") > 50
    return folder


@pytest.fixture
def store(filled_store: Path, tmp_path: Path) -> Path:
    """This test's own copy of the filled store."""
    copy = tmp_path / "store"
    shutil.copytree(filled_store, copy)
    return copy


def snapshot(folder: Path) -> tuple[str, int, list[str], list[dict]]:
    """Everything a user could lose: integrity, every event (all fields) and every article."""
    with EventStore(folder, create=False) as s:
        events = sorted(json.dumps(e.to_properties(), sort_keys=True, default=str)
                        for e in s.query())
        articles = sorted(s.articles(), key=lambda a: json.dumps(a, sort_keys=True, default=str))
        return s.integrity_check(), len(s), events, articles


def event_ids(snap: tuple[str, int, list[str], list[dict]]) -> set[str]:
    return {json.loads(e)["id"] for e in snap[2]}


def run(*args: str, store: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_DEBUG"}
    env["CONFLICT_MAP_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def assert_refused(proc: subprocess.CompletedProcess, command: str, path: Path | str,
                   problem: str) -> None:
    """Exit 2, one error line naming the file and the problem, no traceback.

    ``ingest`` also prints its one-line summary ("1 articles read (... 1 failed) ..."): that
    line is allowed, nothing else is.
    """
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, proc.stderr
    assert str(path) in errors[0] and problem in errors[0], errors[0]
    others = [line for line in lines if line not in errors]
    if command == "ingest":
        assert len(others) <= 1 and all("1 failed" in o for o in others), proc.stderr
    else:
        assert others == [], proc.stderr


def events_out(proc: subprocess.CompletedProcess) -> list[dict]:
    """The events ``extract --format jsonl`` printed."""
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


# --- files that are refused ---------------------------------------------------------------------

def _empty(d: Path) -> Path:
    p = d / "empty.txt"
    p.write_bytes(b"")
    return p


def _blank(d: Path) -> Path:
    p = d / "blank.txt"
    p.write_bytes(b" \n\t\r\n  \n")
    return p


def _binary(d: Path) -> Path:
    """A real binary: the first 4 KiB of the Python interpreter running these tests."""
    p = d / "looks_like_text.txt"
    p.write_bytes(Path(sys.executable).resolve().read_bytes()[:4096])
    return p


def _random_bytes(d: Path) -> Path:
    p = d / "noise.txt"
    p.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    return p


def _hundred_mb(d: Path) -> Path:
    """Sparse: 100 MB long, takes no disk and no time to make."""
    p = d / "huge.txt"
    with p.open("wb") as fh:
        fh.write(TAJI.encode())
        fh.truncate(HUNDRED_MB)
    return p


def _undefined_cp1252(d: Path) -> Path:
    """Bytes that are neither UTF-8 nor Windows-1252 text (undefined code points 0x81...)."""
    p = d / "undecodable.txt"
    p.write_bytes(b"Rockets hit \x81\x8d\x8f\x90\x9d" * 40 + b"\n")
    return p


def _html_without_article(d: Path) -> Path:
    p = d / "menu.html"
    p.write_text("<!doctype html><html><head><title>Home</title><script>var a = 1;</script>"
                 "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
                 "<div class='footer'>Copyright 2020</div></body></html>", encoding="utf-8")
    return p


def _html_text_only_in_svg_and_comments(d: Path) -> Path:
    """Text the page never shows as prose (an SVG label, a comment, a CDATA section):
    trafilatura hands back the SVG's text, but the page has no article."""
    p = d / "chart.html"
    p.write_text("<html><body><!-- " + TAJI + " --><svg><text>" + TAJI[:80] + "</text></svg>"
                 "<p><![CDATA[" + TAJI + "]]></p><footer>(c) 2020 News Ltd</footer>"
                 "</body></html>", encoding="utf-8")
    return p


def _furniture_only(d: Path) -> Path:
    p = d / "furniture.txt"
    p.write_text("URL: https://example.org/a\nDATE: 2020-03-12\n\nImage caption\nShare this\n"
                 "Advertisement\n", encoding="utf-8")
    return p


def _missing(d: Path) -> Path:
    return d / "no_such_article.txt"


def _folder_without_articles(d: Path) -> Path:
    folder = d / "pdfs"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n")
    return folder


REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty": (_empty, "empty file"),
    "blank": (_blank, "empty file"),
    "binary": (_binary, "binary"),
    "random bytes": (_random_bytes, "binary"),
    "100 MB": (_hundred_mb, "too large"),
    "not UTF-8 nor cp1252": (_undefined_cp1252, "not UTF-8"),
    "HTML without article": (_html_without_article, "no article text"),
    "HTML text only in SVG and comments": (_html_text_only_in_svg_and_comments,
                                           "no article text"),
    "only page furniture": (_furniture_only, "no article text"),
    "missing path": (_missing, "no such file"),
    "folder without articles": (_folder_without_articles, "no article files"),
}


@pytest.mark.parametrize("command", ["extract", "ingest"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_file_is_refused_and_the_store_unchanged(case: str, command: str, store: Path,
                                                     tmp_path: Path) -> None:
    make, problem = REFUSED[case]
    path = make(tmp_path)
    before = snapshot(store)
    proc = run(command, str(path), store=store)
    assert_refused(proc, command, path, problem)
    after = snapshot(store)
    assert after == before and after[0] == "ok"


def test_hundred_mb_is_refused_by_its_size_before_any_read(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The size check must come first: reading 100 MB to refuse it would be the bug."""
    path = _hundred_mb(tmp_path)

    def no_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(ArticleError, match=r"too large \(104,857,600 bytes"):
        read_article(path, max_bytes=Settings().max_article_bytes)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
@pytest.mark.parametrize("command", ["extract", "ingest"])
def test_pipe_nobody_writes_to_does_not_hang(command: str, store: Path, tmp_path: Path) -> None:
    """A path that cannot be read as a file: a FIFO with no writer (opening it for reading
    would block forever). It is read as an empty stream and refused."""
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    before = snapshot(store)
    proc = run(command, str(fifo), store=store, timeout=120)
    assert_refused(proc, command, fifo, "empty")
    assert snapshot(store) == before


@pytest.mark.skipif(os.name != "posix", reason="needs control characters in file names")
@pytest.mark.parametrize("command", ["extract", "ingest"])
def test_file_name_with_a_newline_and_an_escape_is_one_printable_line(
        command: str, store: Path, tmp_path: Path) -> None:
    """A scraped file name can hold anything: the error stays one line, and no terminal
    escape sequence reaches the user's terminal."""
    path = tmp_path / "evil\nname\x1b[2J.txt"
    path.write_bytes(b"")
    before = snapshot(store)
    proc = run(command, str(path), store=store)
    assert_refused(proc, command, str(tmp_path / "evil\\nname\\x1b[2J.txt"), "empty file")
    assert "\x1b" not in proc.stderr
    assert snapshot(store) == before


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_endless_device_is_cut_at_the_limit() -> None:
    with pytest.raises(ArticleError, match="/dev/zero: too large"):
        read_article("/dev/zero", max_bytes=10_000)


def test_folder_given_as_a_file_is_read_as_a_folder_of_articles(store: Path,
                                                                tmp_path: Path) -> None:
    """A directory is a legal PATH (a folder of articles), so it is read, not refused."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TAJI + "\n", encoding="utf-8")
    proc = run("extract", "--format", "jsonl", str(folder), store=store)
    assert proc.returncode == 0, proc.stderr
    assert [e["place"] for e in events_out(proc) if e["event_type"] == "rocket_attack"] == \
        ["Camp Taji"]


# --- files that give a sensible result ----------------------------------------------------------

def test_windows_1252_text_is_decoded(store: Path, tmp_path: Path) -> None:
    """Not UTF-8: decoded as Windows-1252 (docs/articles.md), so "café" and the curly quotes
    survive, and the event is found."""
    path = tmp_path / "legacy.txt"
    path.write_bytes("\u201cRockets hit Camp Taji on 11 March 2020,\u201d the café owner "
                     "said, killing two soldiers.\n".encode("cp1252"))
    proc = run("extract", "--format", "jsonl", str(path), store=store)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    attacks = [e for e in events_out(proc) if e["event_type"] == "rocket_attack"]
    assert len(attacks) == 1
    assert attacks[0]["date"] == "2020-03-11" and attacks[0]["killed"] == 2
    assert "café" in attacks[0]["evidence"] and "\ufffd" not in attacks[0]["evidence"]


@pytest.mark.parametrize("text", [
    # Arabic: "Rockets fell on Taji base in Iraq on 11 March 2020, killing two soldiers."
    "سقطت صواريخ على قاعدة التاجي في العراق يوم 11 مارس 2020، مما أسفر عن مقتل جنديين.\n",
    # Russian: the same sentence.
    "Ракеты упали на базу Таджи в Ираке 11 марта 2020 года, погибли два солдата.\n",
    # Mixed scripts around an English sentence: only the English sentence is read.
    "Ракеты. " + TAJI + " مقتل جنديين.\n",
], ids=["arabic", "russian", "mixed"])
@pytest.mark.parametrize("command", ["extract", "ingest"])
def test_other_scripts_give_a_sensible_result(text: str, command: str, store: Path,
                                              tmp_path: Path) -> None:
    path = tmp_path / "other_script.txt"
    path.write_text(text, encoding="utf-8")
    before = snapshot(store)
    fmt = ("--format", "jsonl") if command == "extract" else ()
    proc = run(command, *fmt, "--published", "2020-03-12", str(path), store=store)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and ERROR_PREFIX not in proc.stderr
    after = snapshot(store)
    # an ingest may add events or merge a report into a stored one; it never loses one
    assert after[0] == "ok" and event_ids(before) <= event_ids(after)
    if command == "extract":
        for e in events_out(proc):
            assert text[e["evidence_start"]:e["evidence_end"]] == e["evidence"]
            assert e["place"] is None or e["place"] in text
        found = {(e["event_type"], e["place"]) for e in events_out(proc)}
        assert (("rocket_attack", "Camp Taji") in found) == (TAJI in text)


def test_date_line_that_is_not_a_date(store: Path, tmp_path: Path) -> None:
    """An unreadable DATE header is ignored (not an error) and "last week" stays undated rather
    than guessed; the header line never becomes article text."""
    path = tmp_path / "bad_date.txt"
    path.write_text("DATE: the day before yesterday-ish\n\nRockets hit Camp Taji last week, "
                    "killing one soldier.\n", encoding="utf-8")
    proc = run("extract", "--format", "jsonl", str(path), store=store)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    attacks = [e for e in events_out(proc) if e["event_type"] == "rocket_attack"]
    assert len(attacks) == 1 and attacks[0]["date"] is None and attacks[0]["killed"] == 1
    assert "DATE" not in attacks[0]["evidence"]


def test_published_option_that_is_not_a_date_is_a_usage_error(store: Path,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TAJI + "\n", encoding="utf-8")
    before = snapshot(store)
    proc = run("ingest", "--published", "31/02/2020", str(path), store=store)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "not a date" in proc.stderr.strip().splitlines()[-1]
    assert snapshot(store) == before


@pytest.mark.parametrize("sentence", [
    "Rockets hit Camp Taji on 11 March 2020, and 9999999999 killed were reported.",
    "Rockets hit Camp Taji on 11 March 2020, killing 9999999999 soldiers.",
    "Rockets hit Camp Taji on 11 March 2020, killing 2,000,000,000 people and wounding "
    "99999999999999999999 others.",
    "Rockets hit Camp Taji on 11 March 2020; 1e308 were killed and 10**100 wounded.",
])
def test_absurd_casualty_numbers_are_not_stored(sentence: str, store: Path,
                                                tmp_path: Path) -> None:
    path = tmp_path / "absurd.txt"
    path.write_text(sentence + "\n", encoding="utf-8")
    proc = run("ingest", str(path), store=store)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    with EventStore(store, create=False) as s:
        assert s.integrity_check() == "ok"
        for e in s.query(text="Camp Taji"):
            for count in (e.killed, e.wounded):
                assert count is None or 0 <= count < 1_000_000, (count, e.evidence)


def test_path_with_dot_dot_reads_the_file_it_names_and_writes_only_the_store(
        store: Path, tmp_path: Path) -> None:
    """``../`` in a CLI path is an ordinary relative path: the file it names is read; nothing
    is written anywhere but the store folder."""
    (tmp_path / "sub").mkdir()
    path = tmp_path / "a.txt"
    path.write_text(TAJI + "\n", encoding="utf-8")
    dotted = tmp_path / "sub" / ".." / "a.txt"
    files_before = {p for p in tmp_path.rglob("*") if store not in p.parents}
    proc = run("ingest", str(dotted), store=store)
    assert proc.returncode == 0 and "1 articles read" in proc.stderr, proc.stderr
    assert {p for p in tmp_path.rglob("*") if store not in p.parents} == files_before
    with EventStore(store, create=False) as s:
        assert any(e.place == "Camp Taji" and e.date == "2020-03-11"
                   for e in s.query(types="rocket_attack"))


# --- CSV import ---------------------------------------------------------------------------------

def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _drop_column(src: Path, column: str, out: Path) -> Path:
    rows = _csv_rows(src)
    i = rows[0].index(column)
    return _write_csv(out, [r[:i] + r[i + 1:] for r in rows])


@pytest.mark.parametrize("fmt, make, problem", [
    ("acled", lambda d: _drop_column(ACLED_SAMPLE, "latitude", d / "no_lat.csv"),
     "missing ACLED columns: latitude"),
    ("ucdp", lambda d: _drop_column(UCDP_SAMPLE, "date_start", d / "no_start.csv"),
     "missing UCDP GED columns: date_start"),
    ("acled", lambda d: UCDP_SAMPLE, "missing ACLED columns"),  # the wrong format
    ("ucdp", lambda d: ACLED_SAMPLE, "missing UCDP GED columns"),
    ("acled", _empty, "empty file"),
    ("ucdp", _binary, "binary"),
    ("acled", _undefined_cp1252, "not a UTF-8 CSV"),
    ("ucdp", _missing, "no such file"),
    ("acled", lambda d: d, "is a folder"),
])
def test_bad_csv_is_refused_and_the_store_unchanged(fmt: str, make: Callable[[Path], Path],
                                                    problem: str, store: Path,
                                                    tmp_path: Path) -> None:
    path = make(tmp_path)
    before = snapshot(store)
    proc = run("import", str(path), "--from", fmt, store=store)
    assert_refused(proc, "import", path, problem)
    assert snapshot(store) == before


def test_csv_with_extra_columns_and_ragged_rows_imports_what_is_whole(store: Path,
                                                                      tmp_path: Path) -> None:
    """Extra columns are ignored; a short row lacking required values is skipped and
    counted; a row with extra cells keeps its known columns; an absurd fatality count is
    blanked, not stored."""
    rows = _csv_rows(ACLED_SAMPLE)
    header, body = rows[0], rows[1:]
    fatal = header.index("fatalities")
    wide = [[*header, "analyst_note", "row_checksum"]]
    wide += [[*r, "note", "x"] for r in body]
    wide[1] = wide[1][:5]  # short: no sub_event_type, coordinates...
    wide[2] = [*wide[2], "stray", "cells", "beyond", "the", "header"]
    wide[3][fatal] = "9999999999"
    path = _write_csv(tmp_path / "acled_wide.csv", wide)
    with EventStore(store, create=False) as s:
        before = s.count(datasets="acled")
    proc = run("import", str(path), "--from", "acled", store=store)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "skipped" in proc.stderr
    plain = load_dataset(ACLED_SAMPLE, "acled").events
    with EventStore(store, create=False) as s:
        assert s.integrity_check() == "ok"
        stored = s.query(datasets="acled")
        assert len(stored) - before == len(plain) - 1
        assert all(e.killed is None or 0 <= e.killed < 1_000_000 for e in stored)
        by_source = {e.source: e for e in stored}
    absurd_id = body[2][header.index("event_id_cnty")]
    assert any(absurd_id in src and e.killed is None for src, e in by_source.items())


# --- pathological but legal text: read whole, in one pass -------------------------------------
# These ran in quadratic time before (minutes for the sizes below, hours at the 5 MB limit).
# No timing is asserted: the results are, at a size where a quadratic pass would stall the run.

def test_page_cut_off_inside_a_tag_keeps_its_text() -> None:
    """A page saved half-way ("<a <a <a ..." with no closing ``>``): the text before it is
    the article and the dangling ``<`` are text, not tags."""
    page = ("<html><body><p>" + TAJI + "</p><p>The base hosts coalition troops.</p>"
            + "<a href=x " * 20_000)
    article = article_from_text(page)  # trafilatura (lxml) drops the unfinished markup
    assert article.text == TAJI + "\n\nThe base hosts coalition troops."
    # our own parser, the fallback, keeps the dangling "<" as text, in one pass
    ours = article_from_html(page, "page", None, None, "utf-8", main_text=None)
    assert ours.text.startswith(TAJI + "\n\nThe base hosts coalition troops.")
    assert ours.text.count("<a href=x") == 20_000


def test_thousands_of_stray_end_tags() -> None:
    page = "<html><body><p>" + TAJI + "</p>" + "<b>" * 20_000 + "</i>" * 20_000 + "</body>"
    assert article_from_text(page).text == TAJI


def test_one_long_paragraph_of_abbreviations_and_dates() -> None:
    """Sentence splitting and date finding on a 600 kB paragraph (a flattened page)."""
    sentence = "Gen. Smith said U.S. forces were hit on 11 March 2020 at Camp Taji. "
    text = sentence * 9_000
    spans = split_sentences(text)
    assert len(spans) == 9_000 and all(text[s:e] == sentence.strip() for s, e in spans)
    refs = find_dates(text, date(2020, 3, 12))
    assert len(refs) == 9_000 and {r.date for r in refs} == {"2020-03-11"}


def test_long_runs_of_qualifiers_actors_and_triggers() -> None:
    """Repeated words that each start a match ("at least at least ...", thousands of actor
    and trigger mentions in one flattened sentence) are read in one pass and counted right."""
    assert find_casualties("at least " * 20_000 + "7 killed").killed == 7
    actors = find_actors("Iran and the US. " * 10_000)
    assert len(actors) == 20_000 and {a.name for a in actors} >= {"Iran"}
    triggers = find_triggers("clashes, rocket attack, " * 10_000)
    assert len(triggers) >= 20_000  # "clashes" and "rocket attack" (one or two words)
    assert all(a.end <= b.start for a, b in zip(triggers, triggers[1:], strict=False))


@pytest.mark.parametrize("command", ["extract", "ingest"])
def test_page_trafilatura_cannot_parse_is_read_by_our_parser(command: str, store: Path,
                                                             tmp_path: Path) -> None:
    """50,000 nested <div>s: lxml gives up (libxml2's depth limit) and trafilatura finds
    nothing; our own parser reads the article, and nothing of trafilatura's logging reaches
    stderr."""
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<div>" * 50_000 + "<p>" + TAJI + "</p>"
                    + "</div>" * 50_000 + "</body></html>", encoding="utf-8")
    proc = run(command, *(["--format", "jsonl"] if command == "extract" else []), str(page),
               store=store)
    assert proc.returncode == 0, proc.stderr
    logged = [line for line in proc.stderr.splitlines()
              if line.startswith(("WARNING", "ERROR:", "DEBUG")) or "lxml" in line]
    assert logged == [], proc.stderr
    if command == "extract":
        assert proc.stderr == ""
        assert "rocket_attack" in [e["event_type"] for e in events_out(proc)]
    assert article_from_text(page.read_text(encoding="utf-8")).text == TAJI


def test_page_trafilatura_fails_on_is_read_by_our_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever trafilatura raises on a page, our own parser reads it (no traceback)."""
    import trafilatura

    def broken(*args: object, **kwargs: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "extract", broken)
    page = "<html><body><main><p>" + TAJI + "</p></main></body></html>"
    assert article_from_text(page).text == TAJI
