"""The page's article upload with bad input (issue 5): each file gets one clear message in the
page, the store is unchanged, and nothing is written to disk.

``read_upload`` is tested directly, then every case again through the real page with
``streamlit.testing`` (its ``file_uploader`` feeds bytes through Streamlit's in-memory upload
manager, as the server does). The browser-side limit (``maxUploadSize``) is checked in
``tests/test_browser.py``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.articles import ArticleError
from geo.config import PROJECT_DIR, Settings
from geo.model import Event, Evidence
from geo.store import EventStore
from geo.web.page import UPLOAD_NAME_CHARS, read_pasted, read_upload, upload_label
from tests.page_helpers import page_after_the_map

LIMIT = Settings().max_article_bytes

ARTICLE = ("DATE: 2020-03-12\nBAGHDAD (Reuters) - A rocket attack on Camp Taji, north of "
           "Baghdad, killed two US soldiers and a British soldier on Wednesday, officials said.\n")

#: (upload name, bytes, words the one error message must hold): each is refused.
BAD_UPLOADS = {
    "empty": ("empty.txt", b"", "empty.txt: empty file"),
    "blank": ("blank.txt", b" \n\t\r\n ", "blank.txt: empty file"),
    "binary": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
               "photo.txt: binary file, not text"),
    "over the limit by one byte": ("long.txt", b"a" * (LIMIT + 1),
                                   f"long.txt: too large ({LIMIT + 1:,} bytes"),
    "100 MB": ("huge.txt", b"A rocket hit. " * (100_000_000 // 14), "huge.txt: too large"),
    "not UTF-8, not Windows-1252": ("legacy.txt", b"Rocket \x81\x8d\x8f\x90\x9d " * 300,
                                    "legacy.txt: not UTF-8 and not readable as Windows-1252"),
    "bad UTF-16": ("wide.txt", b"\xff\xfeA\x00\x00\xd8", "wide.txt: not valid UTF-16"),
    "HTML without an article": (
        "page.html", b"<!doctype html><html><head><title>News</title></head><body>"
        b"<nav>Home | World | Sport</nav><footer>(c) 2020 News Ltd</footer></body></html>",
        "page.html: HTML page has no article text"),
    "not a text or HTML file": ("report.pdf", b"%PDF-1.4\n" + ARTICLE.encode(),
                                "report.pdf: not a .txt or .html file"),
    "traversal name, empty": ("../../../../tmp/evil.txt", b"", "evil.txt: empty file"),
}


@pytest.mark.parametrize("name, data, message", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_read_upload_refuses_bad_files(name: str, data: bytes, message: str):
    with pytest.raises(ArticleError) as info:
        read_upload(name, data, Settings())
    text = str(info.value)
    assert message in text
    assert "\n" not in text and "../" not in text


def test_read_upload_reads_like_a_file():
    plain = read_upload("report.txt", ARTICLE.encode("utf-8"), Settings())
    assert plain.source == "report.txt" and plain.path is None and plain.encoding == "utf-8"
    assert plain.text.startswith("BAGHDAD") and str(plain.published) == "2020-03-12"
    bom = read_upload("bom.txt", b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"), Settings())
    assert bom.text == plain.text
    legacy = read_upload("legacy.txt", "Café: ".encode("cp1252") + ARTICLE.encode(), Settings())
    assert legacy.encoding == "cp1252" and legacy.text.startswith("Café")
    utf16 = read_upload("wide.txt", ARTICLE.encode("utf-16"), Settings())
    assert utf16.encoding == "utf-16" and utf16.text == plain.text
    page = read_upload("page.htm", (
        "<html><head><meta property='article:published_time' content='2020-03-12'></head>"
        f"<body><nav>Home</nav><article><p>{ARTICLE.splitlines()[1]}</p></article></body>"
        "</html>").encode(), Settings())
    assert page.text.startswith("BAGHDAD") and str(page.published) == "2020-03-12"
    exact = read_upload("exact.txt", b"Rocket fire. " + b"a" * (LIMIT - 13), Settings())
    assert len(exact.text) == LIMIT


@pytest.mark.parametrize("name, label", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.ini.txt", "win.ini.txt"),
    ("C:\\Users\\x\\report.html", "report.html"), ("/abs/path/a.txt", "a.txt"),
    ("..", "upload"), ("", "upload"), ("dir/", "upload"),
    ("bell\x07\x1b[2J.txt", "bell\\x07\\x1b[2J.txt"), ("x" * 500 + ".txt", "x" * UPLOAD_NAME_CHARS),
])
def test_upload_label_is_a_bare_printable_name(name: str, label: str):
    assert upload_label(name) == label


def test_read_pasted_checks_size_and_emptiness():
    with pytest.raises(ArticleError, match="no article"):
        read_pasted("  \n ", Settings())
    with pytest.raises(ArticleError, match="pasted text: too large"):
        read_pasted("é" * (LIMIT // 2 + 1), Settings())
    assert read_pasted(ARTICLE, Settings()).source == "pasted text"


# --- the page ---------------------------------------------------------------------------------

def _ev(event_type: str, place: str, lat: float, lon: float, day: str) -> Event:
    text = f"{event_type} at {place}"
    return Event(event_type, date=day, date_start=day, date_end=day, time_precision=1,
                 place=place, place_name=place, country="IQ", lat=lat, lon=lon,
                 geo_precision=1, evidence=text, source=f"https://example.org/{place}",
                 sources=[Evidence(text, 0, len(text), f"https://example.org/{place}", place)])


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    with EventStore(path) as store:
        store.add_events([_ev("rocket_attack", "Ain al-Asad", 33.80, 42.44, "2020-01-08"),
                          _ev("base", "al-Qaim", 34.37, 41.09, "2020-01-01")])
    return path


@dataclass
class WriteWatch:
    """Files Python opens for writing while ``active`` (a ``sys`` audit hook: it sees every
    ``open``/``os.open`` in this process, whichever library makes it)."""

    active: bool = False
    written: list[str] = field(default_factory=list)

    def __call__(self, event: str, args: tuple) -> None:
        if not self.active or event != "open":
            return
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes:
            self.written.append(str(path))


@pytest.fixture(scope="module")
def write_watch() -> Iterator[WriteWatch]:
    watch = WriteWatch()
    sys.addaudithook(watch)  # hooks cannot be removed: it goes inert after the module
    try:
        yield watch
    finally:
        watch.active = False


def _snapshot(store_dir: Path) -> tuple[int, str, int, list[str]]:
    with EventStore(store_dir) as store:
        return len(store), store.integrity_check(), len(store.articles()), sorted(
            e.event_id for e in store.query())


def _upload(store_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: bytes,
            watch: WriteWatch | None = None) -> AppTest:
    """The page with ``name`` uploaded and "Read the article" clicked."""
    monkeypatch.setenv("CONFLICT_MAP_STORE", str(store_dir))
    at = page_after_the_map().run()
    assert not at.exception, at.exception
    at.file_uploader(key="cm_upload").set_value((name, data, "text/plain"))
    at.button(key="cm_read").click()
    if watch is not None:
        watch.active = True
    try:
        at.run()
    finally:
        if watch is not None:
            watch.active = False
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name, data, message", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_page_shows_one_error_and_keeps_the_store(store_dir, monkeypatch, write_watch,
                                                  name, data, message):
    before = _snapshot(store_dir)
    write_watch.written.clear()
    at = _upload(store_dir, monkeypatch, name, data, write_watch)
    assert [e.value for e in at.error] == [e.value for e in at.error if message in e.value]
    assert len(at.error) == 1, [e.value for e in at.error]
    assert "cm_draft" not in at.session_state
    assert not [b for b in at.button if b.key == "cm_add"]
    assert _snapshot(store_dir) == before == (2, "ok", 0, before[3])
    assert write_watch.written == []


def test_a_traversal_name_is_a_label_and_nothing_is_written(store_dir, monkeypatch,
                                                             write_watch, tmp_path):
    """A readable upload named ``../../x``: read from memory, labelled by its bare name; no
    file of that name appears anywhere the app could write, and Python opened none for
    writing while the page read it."""
    name = "../../../../" + str(tmp_path).lstrip("/") + "/escaped.txt"
    write_watch.written.clear()
    at = _upload(store_dir, monkeypatch, name, ARTICLE.encode(), write_watch)
    assert write_watch.written == []
    assert not at.error
    draft = at.session_state["cm_draft"]
    assert draft["article"].source == "escaped.txt" and draft["article"].path is None
    assert draft["events"], "the article's events are read"
    for root in (tmp_path, store_dir, PROJECT_DIR):
        assert not list(root.rglob("escaped.txt")), root
    assert not any("escaped" in p for p in os.listdir("/tmp"))


#: Inputs with a sensible result: read, with a note; nothing is stored until "Add".
ODD_BUT_READABLE = {
    "another script": ("arabic.txt", "قصف صاروخي على قاعدة التاجي شمال بغداد أدى إلى مقتل "
                       "جنديين يوم الثلاثاء.\n".encode(), ["No events found"], 0),
    "Windows-1252": ("legacy.txt", ("Caf\xe9 report\n" + ARTICLE).encode("cp1252"),
                     ["not UTF-8; read as cp1252"], None),
    "a date line that is not a date": (
        "undated.txt", (b"DATE: the thirty-second of Smarch\nA rocket attack on Camp Taji, "
                        b"north of Baghdad, killed two soldiers on Tuesday.\n"),
        ["No publication date found"], None),
}


@pytest.mark.parametrize("name, data, notes, n_events", ODD_BUT_READABLE.values(),
                         ids=ODD_BUT_READABLE.keys())
def test_odd_uploads_are_read_with_a_note(store_dir, monkeypatch, name, data, notes, n_events):
    before = _snapshot(store_dir)
    at = _upload(store_dir, monkeypatch, name, data)
    assert not at.error, [e.value for e in at.error]
    info = " ".join(i.value for i in at.info)
    for note in notes:
        assert note in info
    events = at.session_state["cm_draft"]["events"]
    if n_events is not None:
        assert len(events) == n_events
        assert not [b for b in at.button if b.key == "cm_add"]  # nothing to add
    if "Smarch" in data.decode("utf-8", "replace"):
        assert events and all(e.date is None for e in events)
    assert _snapshot(store_dir) == before


def test_an_absurd_death_toll_is_not_stored(store_dir, monkeypatch):
    """"9999999999 killed" is read as an attack with the toll unknown, never a number that
    large; adding it stores valid events."""
    text = ("DATE: 2020-03-12\nA rocket attack on Camp Taji, north of Baghdad, left 9999999999 "
            "killed and 12 wounded on Wednesday.\n")
    at = _upload(store_dir, monkeypatch, "toll.txt", text.encode())
    assert not at.error
    events = at.session_state["cm_draft"]["events"]
    assert events and all(e.killed is None or e.killed < 1_000_000 for e in events)
    before = _snapshot(store_dir)
    at.button(key="cm_add").click().run()
    assert not at.exception and not at.error
    after = _snapshot(store_dir)
    assert after[0] > before[0] and after[1] == "ok" and after[2] == 1
    with EventStore(store_dir) as store:
        stored = store.query_frame()
    assert stored["killed"].dropna().lt(1_000_000).all()


def test_a_long_upload_is_reviewed_by_its_start_and_added_whole(store_dir, monkeypatch):
    """An article of hundreds of events and more text than the preview holds: the page lists
    the first REVIEW_EVENTS to correct, shows the first PREVIEW_CHARS highlighted, says so,
    and "Add" stores every event (the work per rerun does not grow with the article)."""
    from bench.corpus import long_article
    from geo.web.page import PREVIEW_CHARS, REVIEW_EVENTS

    text = long_article(PREVIEW_CHARS * 3, varied=True, one_line=False)
    at = _upload(store_dir, monkeypatch, "long.txt", text.encode())
    assert not at.error, [e.value for e in at.error]
    events = at.session_state["cm_draft"]["events"]
    assert len(events) > 2 * REVIEW_EVENTS
    listed = [m.value for m in at.markdown if m.value.startswith(tuple(
        f"{i}. **" for i in range(1, len(events) + 1)))]
    assert len(listed) == REVIEW_EVENTS
    preview = next(m.value for m in at.markdown if "cm-article" in m.value)
    assert len(preview) < 4 * PREVIEW_CHARS  # the start, highlighted, not the whole text
    info = " ".join(i.value for i in at.info)
    read = at.session_state["cm_draft"]["article"].text
    assert f"first {PREVIEW_CHARS:,} of {len(read):,} characters" in info
    assert f"{len(events):,} events: the first {REVIEW_EVENTS} are listed" in info
    before = _snapshot(store_dir)[0]
    at.button(key="cm_add").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success if s.value.startswith("Article: added ")], \
        [s.value for s in at.success]
    assert _snapshot(store_dir)[0] > before
