"""read_article, article_from_text and iter_article_paths on real files and bad input."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from geo.articles.pages import article_from_html
from geo.articles.reader import (
    ArticleError,
    article_from_bytes,
    article_from_text,
    iter_article_paths,
    read_article,
    wire_dateline,
)
from geo.text.sentences import split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SEED = FIXTURES / "000_4d483444a7d9f67c.txt"
TAJI = FIXTURES / "08_wiki_2020_camp_taji_attacks.txt"
VOA_HTML = FIXTURES / "11_voa_rockets_hit_basmaya.html"


def test_seed_dateline_title_and_furniture() -> None:
    a = read_article(SEED)
    assert a.published == date(2020, 9, 28) and a.published_from == "dateline"
    assert a.title == "Iraq military bases: US pulling out of three key sites"
    assert a.source == str(SEED) and a.path == str(SEED)
    for furniture in ("Picture caption", "Image caption", "Impression caption",
                      "Graphic copyright", "US Central Command", "Media playback",
                      "Media caption", "Supply backlink", "Monday, 28 September"):
        assert furniture not in a.text, furniture
    assert "A US contractor was killed in a rocket attack at Kirkuk on 28 December." in a.text
    assert a.sha256 == hashlib.sha256(a.text.encode("utf-8")).hexdigest()


def test_header_lines_give_url_and_date_and_are_removed() -> None:
    a = read_article(TAJI)
    assert a.source == "https://en.wikipedia.org/wiki/2020_Camp_Taji_attacks"
    assert a.published == date(2020, 3, 11) and a.published_from == "header"
    assert not a.text.startswith("URL:") and "DATE:" not in a.text
    assert a.title == "2020 Camp Taji attacks"


def test_published_argument_overrides() -> None:
    a = read_article(SEED, published=date(2020, 3, 18))
    assert a.published == date(2020, 3, 18) and a.published_from == "argument"


def test_offsets_refer_to_the_clean_text() -> None:
    a = read_article(TAJI)
    sentence = "On 11 March 2020, 29 rockets impacted Camp Taji"
    start = a.text.index(sentence)
    spans = split_sentences(a.text)
    assert any(s == start for s, _ in spans)


def test_html_article() -> None:
    a = read_article(VOA_HTML)
    assert a.title == "Rockets Hit Iraqi Base"
    assert a.source == "https://www.voanews.com/middle-east/rockets-hit-iraqi-base"
    assert a.published == date(2020, 3, 17) and a.published_from == "html-meta"
    assert "Iraq's military said Tuesday two rockets struck a base" in a.text
    for boilerplate in ("dataLayer", "font-family", "Home", "Share this", "Related Stories",
                        "Copyright notice", "FILE - Iraqi soldiers"):
        assert boilerplate not in a.text, boilerplate


def test_html_date_from_schema_org_json_ld() -> None:
    """News sites state the date in JSON-LD (a NewsArticle, often inside an @graph); a block
    that is not JSON is passed over, and a <meta> date wins."""
    ld = ('{"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, {"@type": '
          '"NewsArticle", "datePublished": "2023-10-03T08:00:00Z", "dateModified": '
          '"2023-10-04T09:00:00Z"}]}')
    page = ('<html><head>{meta}<script type="application/ld+json">not json {{</script>'
            '<script type="application/ld+json">{ld}</script></head><body><article>'
            "<p>Rockets hit Camp Taji on Monday, officials said; nobody was hurt.</p>"
            "</article></body></html>")
    a = article_from_text(page.format(meta="", ld=ld))
    assert (a.published, a.published_from) == (date(2023, 10, 3), "html-meta")
    assert "datePublished" not in a.text
    meta = '<meta property="article:published_time" content="2023-10-02">'
    assert article_from_text(page.format(meta=meta, ld=ld)).published == date(2023, 10, 2)


def test_html_detected_by_content_and_pasted(tmp_path: Path) -> None:
    html = VOA_HTML.read_text(encoding="utf-8")
    saved = tmp_path / "page.txt"
    saved.write_text(html, encoding="utf-8")
    assert read_article(saved).title == "Rockets Hit Iraqi Base"
    assert article_from_text(html).published == date(2020, 3, 17)


def test_control_characters_are_dropped_and_nothing_else() -> None:
    """Every character of Unicode category Cc goes (tab and newline are white space, NUL makes
    the text binary), and format and separator characters stay: the extractor reads the text
    as the user sees it."""
    import unicodedata

    controls = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cc")
    assert len(controls) == 65
    inner = "".join(ch for ch in controls if ch not in "\x00\t\n\r")
    text = article_from_text(f"Rockets hit {inner}Taji\u2028\ufeff\u200d base.").text
    assert text == "Rockets hit Taji\u2028\ufeff\u200d base."


def test_article_from_text() -> None:
    text = ("Title: Rockets hit base\nDate: 2020-03-17\n\nImage caption\n"
            "Two rockets struck Camp Taji on Tuesday.\nShare this\n•\n")
    a = article_from_text(text)
    assert a.source == "pasted text" and a.path is None
    assert a.title == "Rockets hit base" and a.published == date(2020, 3, 17)
    assert a.text == "Two rockets struck Camp Taji on Tuesday."


@pytest.mark.parametrize(("paragraph", "place", "day"), [
    ("BAGHDAD (Reuters) - Rockets hit the Green Zone.", "BAGHDAD", None),
    ("KYIV, March 14, 2024 — Russian drones hit Kharkiv.", "KYIV", date(2024, 3, 14)),
    ("OUAGADOUGOU, 12 June 2023 (Reuters) - Militants attacked.", "OUAGADOUGOU",
     date(2023, 6, 12)),
    ("Beirut, Lebanon (AFP) -- Israeli strikes hit.", "Beirut", None),
    ("RAS AL-AIN, Syria, Oct 12 (Reuters) - Turkish forces advanced.", "RAS AL-AIN", None),
    ("Deir ez-Zor, Syria, 3 October 2019 (AFP) - Fighters left.", "Deir ez-Zor",
     date(2019, 10, 3)),
    ("BAGHDAD—Rockets hit the embassy.", "BAGHDAD", None),
    ("PENTAGON – Iran has fired missiles.", "PENTAGON", None),
    # not datelines: prose, headlines and labels in capitals, a capitalised word and a dash
    ("Rockets hit Camp Taji on Tuesday - the third attack.", None, None),
    ("ROCKETS HIT TAJI - OFFICIALS", None, None),
    ("EXCLUSIVE - US to leave Iraq by 2026", None, None),
    ("FILE - Iraqi soldiers sit in a vehicle.", None, None),
    ("Gaza - a year on, the war goes on.", None, None),
    ("UPDATE 2-Rockets hit Taji", None, None),
    ("The US - which has 5,000 troops there - said no.", None, None),
])
def test_wire_dateline(paragraph: str, place: str | None, day: date | None) -> None:
    found = wire_dateline(paragraph)
    assert (found and found.place, found and found.date) == (place, day)
    if found:
        assert paragraph[found.end:][0].isupper()  # the report starts after the dash


def test_a_wire_dateline_dates_the_article_and_is_marked() -> None:
    """A wire dateline at the head of the first paragraph dates an undated article; the
    header's date wins over it. Either way its span is marked, so that the extractor takes
    neither its place nor its date for an event's."""
    text = ("Rockets hit Iraqi base\nBy Staff Reporter\n\n"
            "BAGHDAD, 5 January 2020 (Reuters) - Rockets hit Camp Taji on Saturday.")
    a = article_from_text(text)
    assert a.published == date(2020, 1, 5) and a.published_from == "dateline"
    assert a.text[slice(*a.dateline)] == "BAGHDAD, 5 January 2020 (Reuters) - "
    assert a.title == "Rockets hit Iraqi base"
    dated = article_from_text("DATE: 2020-01-06\n\n" + text)
    assert dated.published == date(2020, 1, 6) and dated.published_from == "header"
    assert dated.text[slice(*dated.dateline)].startswith("BAGHDAD, 5 January 2020")
    html = article_from_text(f"<html><body><article><h1>Rockets hit Iraqi base</h1>"
                             f"<p>{text.splitlines()[-1]}</p></article></body></html>")
    assert html.published == date(2020, 1, 5) and html.published_from == "dateline"
    assert article_from_text("Rockets hit Camp Taji on Saturday.").dateline == (0, 0)


@pytest.mark.parametrize("byline", [
    "By Jane Doe | October 3, 2023", "3 October 2023 · 4 min read",
    "By Jane Doe | October 3, 2023 | Updated October 4, 2023", "Published On 3 Oct 2023",
])
def test_a_byline_with_a_date_dates_the_article(byline: str) -> None:
    a = article_from_text(f"Rockets hit base\n{byline}\n\nRockets hit Camp Taji on Monday.")
    assert (a.published, a.published_from) == (date(2023, 10, 3), "dateline")
    assert a.text == "Rockets hit base\n\nRockets hit Camp Taji on Monday."


def test_a_byline_with_two_dates_of_equal_standing_dates_nothing() -> None:
    a = article_from_text("Rockets hit base\nOctober 3, 2023 | October 5, 2023\n\nRockets hit.")
    assert a.published is None


def test_date_line_that_is_not_a_date_is_not_an_error() -> None:
    a = article_from_text("DATE: sometime last spring\n\nRockets hit the base.")
    assert a.published is None and a.published_from == "none"
    assert a.text == "Rockets hit the base."


def test_identical_text_has_identical_hash(tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_text(SEED.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    assert read_article(copy).sha256 == read_article(SEED).sha256


def test_encodings(tmp_path: Path) -> None:
    text = "URL: https://example.org/a\n\nRockets hit the base near Al-Qa’im café.\n"
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_article(bom).source == "https://example.org/a"
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16"))
    assert read_article(utf16).encoding == "utf-16"
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(text.encode("cp1252"))
    a = read_article(legacy)
    assert a.encoding == "cp1252" and "café" in a.text and "Qa’im" in a.text


def test_iter_article_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b.txt", "a.html", "sub/c.md", ".secret.txt", ".hidden/d.txt", "e.pdf"):
        (tmp_path / name).write_text("Rockets hit the base.", encoding="utf-8")
    found = iter_article_paths([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.html", "b.txt", "sub/c.md"]
    assert iter_article_paths([SEED, SEED]) == [SEED]


# --- bad input ----------------------------------------------------------------------------------

def _error(path: Path, **kwargs: object) -> str:
    with pytest.raises(ArticleError) as info:
        read_article(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    assert "folder" in _error(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    for content in (b"", b"  \n\n "):
        p = tmp_path / "empty.txt"
        p.write_bytes(content)
        assert "empty" in _error(p)


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "image.txt"
    p.write_bytes(bytes(range(256)) * 10)
    assert "binary" in _error(p)


def test_not_text_in_any_encoding(tmp_path: Path) -> None:
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(b for b in range(0x80, 0x100)) * 5)
    message = _error(p)
    assert "UTF-8" in message or "binary" in message


def test_too_large(tmp_path: Path) -> None:
    p = tmp_path / "huge.txt"
    p.write_text("Rockets hit the base. " * 1000, encoding="utf-8")
    assert "too large" in _error(p, max_bytes=1000)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "secret.txt"
    shutil.copy(SEED, p)
    p.chmod(0)
    try:
        assert "permission" in _error(p)
    finally:
        p.chmod(0o644)


def test_html_without_article_text(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    p.write_text("<html><head><script>var x = 1;</script></head><body><nav>Home</nav>"
                 "</body></html>", encoding="utf-8")
    assert "no article text" in _error(p)


def test_only_furniture(tmp_path: Path) -> None:
    p = tmp_path / "furniture.txt"
    p.write_text("URL: https://example.org\n\nImage caption\nShare this\n", encoding="utf-8")
    assert "no article text" in _error(p)


def test_folder_without_articles(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(ArticleError, match="no article files"):
        iter_article_paths([tmp_path])
    with pytest.raises(ArticleError, match="no such file"):
        iter_article_paths([tmp_path / "missing"])


def test_pasted_text_errors() -> None:
    with pytest.raises(ArticleError, match="pasted text: empty"):
        article_from_text("   ")
    with pytest.raises(ArticleError, match="NUL"):
        article_from_text("abc\x00def")


def test_unreadable_reported_even_when_running_as_root(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Root can read any file, so the OS error is produced by refusing the read itself."""
    p = tmp_path / "secret.txt"
    shutil.copy(SEED, p)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert "permission denied" in _error(p)


# --- saved news pages: trafilatura's body, our metadata ----------------------------------------

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _page_records() -> list[dict]:
    import json
    return [json.loads(line) for line in
            (PAGES / "expected.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _words(text: str) -> Counter[str]:
    return Counter(w.casefold() for w in re.findall(r"\w+", text))


def test_saved_pages_of_twelve_sites_read_whole_and_clean() -> None:
    """68 pages imitating 12 news sites' markup (tests/fixtures/pages/SOURCES.md): every title
    and date right, the body whole, and almost none of the menus, share bars, captions,
    related headlines, newsletter boxes and comments (docs/libraries.md has the figures)."""
    hit = got = want = furniture = furniture_left = 0
    for record in _page_records():
        a = read_article(PAGES / "pages" / record["file"])
        assert a.title == record["title"], record["file"]
        assert a.published == date.fromisoformat(record["published"]), record["file"]
        assert a.source == record["url"], record["file"]
        text = "\n".join(line for line in a.text.split("\n") if line != record["title"])
        expected = _words("\n".join(record["text"]))
        words = _words(text)
        hit += sum((words & expected).values())
        got += sum(words.values())
        want += sum(expected.values())
        furniture += len(record["furniture"])
        furniture_left += sum(f in text for f in record["furniture"])
    assert hit / want >= 0.99 and hit / got >= 0.97, (hit / want, hit / got)
    assert furniture_left <= furniture * 0.03, (furniture_left, furniture)


def test_page_body_falls_back_to_our_parser() -> None:
    """When trafilatura finds no body, our html.parser reader gives it (the same metadata)."""
    record = _page_records()[0]
    html = (PAGES / "pages" / record["file"]).read_text(encoding="utf-8")
    a = article_from_html(html, "page", None, None, "utf-8", main_text=lambda _: None)
    assert a.title == record["title"]
    assert a.published == date.fromisoformat(record["published"])
    assert record["text"][0] in a.text and record["text"][-1] in a.text


def test_reading_pages_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the reader tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for record in _page_records()[:13]:
        assert read_article(PAGES / "pages" / record["file"]).text


def test_our_parser_reads_pages_its_class_rules_used_to_drop() -> None:
    """The <html> element's classes describe the page ("...-in-header-enabled" is not a page
    header), and ASP.NET/DNN sites put the whole page in one <form>: neither hides the
    article from our own parser."""
    body = "<p>Rockets hit Camp Taji on Monday, officials said; nobody was hurt in the attack.</p>"
    for page in (f'<html class="vector-feature-language-in-header-enabled"><body><main>'
                 f"{body}</main></body></html>",
                 f'<html><body class="has-sidebar"><form id="aspnetForm"><div>{body}</div>'
                 f"<form><label>Search the site for news</label></form></form></body></html>"):
        a = article_from_html(page, "page", None, None, "utf-8", main_text=None)
        assert a.text == ("Rockets hit Camp Taji on Monday, officials said; nobody was hurt in "
                          "the attack.")


def test_title_is_the_headline_not_the_site_name() -> None:
    page = ('<html><head><meta property="og:title" content="Rockets hit Camp Taji | DW | '
            '17.02.2024"><title>Rockets hit Camp Taji - Wikipedia</title></head><body>'
            '<header class="page-header"><h1>Rockets hit Camp Taji</h1></header><article>'
            "<p>Rockets hit Camp Taji on Monday, officials said; nobody was hurt.</p></article>"
            "</body></html>")
    assert article_from_text(page).title == "Rockets hit Camp Taji"
    # a social headline other than the <h1> (and no title naming the <h1>) stays the title
    social = page.replace("Rockets hit Camp Taji | DW | 17.02.2024", "Base attacked near Baghdad")
    social = social.replace("Rockets hit Camp Taji - Wikipedia", "Base attacked | DW")
    assert article_from_text(social).title == "Base attacked near Baghdad"


def test_wire_credits_are_furniture_but_prose_is_not() -> None:
    a = article_from_text("Rockets hit Camp Taji on Monday, officials said.\n\n"
                          "Reporting by Jane Doe in Baghdad; Editing by John Smith\n\n"
                          "Reporting by Reuters found that 30 civilians died in the town.\n\n"
                          "Sign up for our newsletter")
    assert "Editing by" not in a.text and "newsletter" not in a.text
    assert "Reporting by Reuters found that 30 civilians died in the town." in a.text


def test_a_page_whose_body_lacks_its_headline_opens_with_it():
    """The headline states events and names the place a later "the base" means; an HTML
    page's body (trafilatura's) often leaves it out: the text opens with it, as a text
    file's does, and only once."""
    body = "<p>" + "Officials said two soldiers were wounded when the base was hit. " * 4 + "</p>"
    html = ("<html><head><title>Rockets hit Camp Taji - Example News</title></head><body>"
            "<header><h1>Rockets hit Camp Taji</h1></header>"
            f"<article>{body}</article></body></html>")
    article = article_from_bytes(html.encode(), "page.html")
    assert article.title == "Rockets hit Camp Taji"
    assert article.text.startswith("Rockets hit Camp Taji\n")
    assert article.text.count("Rockets hit Camp Taji") == 1
    again = article_from_bytes(html.replace("<article>", "<article><h1>Rockets hit Camp Taji"
                                            "</h1>").encode(), "page.html")
    assert again.text.count("Rockets hit Camp Taji") == 1
