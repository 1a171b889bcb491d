"""The monitor against a real HTTP server on 127.0.0.1 (tests/conftest.py: FeedServer) whose
feeds and pages change between polls, on both stores: entries read once (across restarts),
conditional GETs, failures that stop one feed only, alerts near a watched base recorded once
per event and delivered to a JSON Lines file and a webhook receiver."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from geo.monitor import JsonlSink, Monitor, WatchOptions, WebhookSink, source_for
from geo.store import Store, open_store
from tests.conftest import Route

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = FIXTURES / "dev" / "articles"
TAJI = ARTICLES / "08_wiki_2020_camp_taji_attacks.txt"
K1 = ARTICLES / "01_wiki_2019_k1_air_base_attack.txt"
BASMAYA_HTML = FIXTURES / "articles" / "11_voa_rockets_hit_basmaya.html"
#: Another outlet's report of the 11 March 2020 attack on Camp Taji (written for this test).
TAJI_AGAIN = (b"Rockets strike Iraqi base\n\nBAGHDAD, 12 March 2020 - About 15 Katyusha rockets "
              b"hit Camp Taji, north of Baghdad, on 11 March 2020, killing two American "
              b"soldiers and a British soldier, officials said.\n")
#: A new attack near Camp Taji, weeks later (written for this test).
TAJI_LATER = (b"Rockets hit Camp Taji again\n\nBAGHDAD, 2 May 2020 - Three rockets struck "
              b"Camp Taji, north of Baghdad, on 1 May 2020, the Iraqi military said. No one "
              b"was hurt.\n")


def rss(items: list[dict], title: str = "Test wire") -> bytes:
    parts = [f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
             f"<title>{escape(title)}</title><link>http://example.org/</link>"
             "<description>test</description>"]
    for it in items:
        parts.append("<item>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in it.items())
                     + "</item>")
    return ("".join(parts) + "</channel></rss>").encode()


def atom(entries: list[dict]) -> bytes:
    parts = ["<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
             "<title>Atom test</title><id>urn:test:atom</id><updated>2020-03-18T00:00:00Z"
             "</updated>"]
    for e in entries:
        parts.append(f"<entry><title>{escape(e['title'])}</title><id>{e['id']}</id>"
                     f"<link href='{e['link']}'/><updated>2020-03-17T12:00:00Z</updated>"
                     "</entry>")
    return ("".join(parts) + "</feed>").encode()


@pytest.fixture()
def store(fresh_location) -> Store:
    with open_store(fresh_location()) as s:
        yield s


def _taji(gazetteer) -> dict:
    place = gazetteer.candidates("Camp Taji", context="Camp Taji", limit=1)[0].place
    return {"lat": place.lat, "lon": place.lon, "id": place.id, "name": place.name}


def monitor(store: Store, sources: list[str], settings, extractor, **kw) -> Monitor:
    options = WatchOptions(host_delay=0.0, timeout=kw.pop("timeout", 5.0),
                           max_entries=kw.pop("max_entries", 100),
                           max_attempts=kw.pop("max_attempts", 3))
    return Monitor(store, [source_for(s) for s in sources], settings, options=options,
                   extractor=lambda: extractor, **kw)


def test_entries_are_read_once_and_alert_once(store, feed_server, settings, extractor,
                                              gazetteer, tmp_path: Path) -> None:
    srv = feed_server
    srv.routes["/a/taji.txt"] = Route(TAJI.read_bytes(), "text/plain")
    srv.routes["/a/k1.txt"] = Route(K1.read_bytes(), "text/plain")
    srv.routes["/a/basmaya.html"] = Route(BASMAYA_HTML.read_bytes(), "text/html")
    items = [{"title": "Camp Taji attacks", "link": srv.url("/a/taji.txt"),
              "guid": srv.url("/a/taji.txt"), "pubDate": "Thu, 12 Mar 2020 08:00:00 GMT"},
             {"title": "K-1 attack", "link": srv.url("/a/k1.txt")}]
    srv.routes["/rss.xml"] = Route(rss(items), etag='"v1"')
    srv.routes["/atom.xml"] = Route(atom([{"title": "Basmaya", "id": "urn:test:basmaya",
                                           "link": srv.url("/a/basmaya.html")}]),
                                    "application/atom+xml",
                                    last_modified="Wed, 18 Mar 2020 00:00:00 GMT")
    srv.routes["/hook"] = Route()
    taji = _taji(gazetteer)
    store.add_watch("Camp Taji", taji["lat"], taji["lon"], 25.0, place_id=taji["id"])
    alerts_file = tmp_path / "alerts.jsonl"
    sinks = [JsonlSink(alerts_file), WebhookSink(srv.url("/hook"), "test")]
    feeds = [srv.url("/rss.xml"), srv.url("/atom.xml")]
    m = monitor(store, feeds, settings, extractor, sinks=sinks)

    first = m.cycle()
    assert first.errors == [] and (first.read, first.failed) == (3, 0)
    assert first.events > 5 and first.added > 5
    assert len(store.articles()) == 3
    assert first.alerts and {a["watch"] for a in first.alerts} == {"Camp Taji"}
    assert all(a["distance_km"] <= 25 for a in first.alerts)
    assert all(a["evidence"] and a["source"] for a in first.alerts)
    assert ("rocket_attack", "Camp Taji", "2020-03-11") in {
        (a["event_type"], a["place_name"], a["date"]) for a in first.alerts}
    written = [json.loads(line) for line in alerts_file.read_text().splitlines()]
    assert [a["id"] for a in written] == [a["id"] for a in first.alerts]
    assert len(srv.posts) == len(first.alerts)
    assert json.loads(srv.posts[0])["alert"]["watch"] == "Camp Taji"
    rows = {f["url"]: f for f in store.feeds()}
    assert rows[feeds[0]]["etag"] == '"v1"' and rows[feeds[0]]["title"] == "Test wire"
    assert rows[feeds[0]]["entries"] == 2 and rows[feeds[1]]["entries"] == 1
    assert all(f["last_success_at"] and f["last_error"] is None for f in rows.values())

    page_gets = len([r for r in srv.log if r[1].startswith("/a/")])
    second = m.cycle()  # nothing new: RSS not modified (ETag), Atom (Last-Modified) too
    assert (second.read, second.not_modified, second.alerts) == (0, 2, [])
    assert srv.gets("/rss.xml")[-1][2].get("If-None-Match") == '"v1"'
    assert srv.gets("/atom.xml")[-1][2].get("If-Modified-Since") == "Wed, 18 Mar 2020 00:00:00 GMT"
    assert len([r for r in srv.log if r[1].startswith("/a/")]) == page_gets

    # new entries: another outlet's report of the same attack (merged: no new alert) and a
    # new attack near the base (a new alert); the old items stay in the feed
    srv.routes["/a/taji-again.txt"] = Route(TAJI_AGAIN, "text/plain")
    srv.routes["/a/taji-later.txt"] = Route(TAJI_LATER, "text/plain")
    srv.routes["/rss.xml"] = Route(rss([{"title": "Again", "link": srv.url("/a/taji-again.txt")},
                                        {"title": "Later", "link": srv.url("/a/taji-later.txt")},
                                        *items]), etag='"v2"')
    third = m.cycle()
    assert (third.read, third.seen, third.not_modified) == (2, 2, 1)  # Atom: 304
    assert third.merged >= 1
    assert [a["date"] for a in third.alerts] == ["2020-05-01"]
    assert store.alert_count() == len(first.alerts) + 1
    assert len(alerts_file.read_text().splitlines()) == store.alert_count()

    # a restart (a new monitor, the store opened again) reads nothing again
    with open_store(store.location) as again:  # (the tests' URLs hold no password)
        srv.routes["/rss.xml"].etag = None  # served whole: every entry is looked at
        fourth = monitor(again, feeds, settings, extractor).cycle()
        assert (fourth.read, fourth.failed, fourth.alerts) == (0, 0, [])
        assert fourth.seen == 4


def test_failures_are_one_line_and_the_others_go_on(store, feed_server, settings,
                                                    extractor) -> None:
    srv = feed_server
    good_items = [{"title": "K-1", "link": srv.url("/a/k1.txt")},
                  {"title": "Gone", "link": srv.url("/a/gone.txt")}]
    whole = rss([{"title": "Taji", "link": srv.url("/a/taji.txt")}])
    srv.routes.update({
        "/a/k1.txt": Route(K1.read_bytes(), "text/plain"),
        "/a/taji.txt": Route(TAJI.read_bytes(), "text/plain"),
        "/good.xml": Route(rss(good_items)),
        "/down.xml": Route(status=500),
        "/page.html": Route(b"<html><body><p>Not a feed at all.</p></body></html>", "text/html"),
        "/truncated.xml": Route(whole[: len(whole) // 2]),
        "/slow.xml": Route(whole, delay=3.0),
        "/cut.xml": Route(whole, claimed_length=len(whole) * 3),
    })
    names = ["/down.xml", "/page.html", "/truncated.xml", "/slow.xml", "/cut.xml", "/good.xml",
             "/missing.xml"]
    m = monitor(store, [srv.url(n) for n in names], settings, extractor, timeout=1.0)
    report = m.cycle()
    errors = dict(e.split(": ", 1) for e in report.errors)
    assert all("\n" not in e for e in report.errors)
    assert errors[srv.url("/down.xml")].startswith("HTTP 500")
    assert errors[srv.url("/page.html")] == "not an RSS or Atom feed (an HTML page)"
    assert errors[srv.url("/truncated.xml")].startswith("malformed feed")
    assert "timed out" in errors[srv.url("/slow.xml")]
    assert "connection failed" in errors[srv.url("/cut.xml")] or "cut short" in errors[
        srv.url("/cut.xml")]
    assert errors[srv.url("/missing.xml")].startswith("HTTP 404")
    assert errors[srv.url("/a/gone.txt")].startswith("HTTP 404")  # an entry, not a feed
    assert (report.failed_sources, report.read, report.failed) == (6, 1, 1)
    rows = {f["url"]: f for f in store.feeds()}
    assert rows[srv.url("/down.xml")]["last_error"].startswith("HTTP 500")
    assert rows[srv.url("/down.xml")]["last_success_at"] is None
    assert rows[srv.url("/good.xml")]["last_success_at"] and not rows[srv.url("/good.xml")][
        "last_error"]

    # fixed: the whole feed is served now; it was never marked read, so it is read
    srv.routes["/truncated.xml"] = Route(whole)
    again = m.cycle()
    assert again.read == 1 and srv.url("/truncated.xml") not in dict(
        e.split(": ", 1) for e in again.errors)
    assert store.feed(srv.url("/truncated.xml"))["last_error"] is None
    # the gone page was tried again, and after max_attempts it is left alone
    m.cycle()
    tries = len(srv.gets("/a/gone.txt"))
    assert tries == 3
    m.cycle()
    assert len(srv.gets("/a/gone.txt")) == 3


def test_a_feed_of_10000_entries(store, feed_server, settings, extractor) -> None:
    """10,000 entries carrying their own text (no link): each cycle reads the next 200, the
    rest wait; entries already read are recognised by their GUIDs."""
    srv = feed_server
    day = datetime(2020, 1, 1, tzinfo=UTC)
    items = [{"title": f"Report {i}", "guid": f"tag:test.example,2020:{i}",
              "pubDate": format_datetime(day),
              "description": f"<p>A rocket attack hit Camp Taji on 3 January 2020, report {i} "
                             "says.</p>"}
             for i in range(10_000)]
    body = rss(items)
    assert len(body) > 1_500_000
    srv.routes["/big.xml"] = Route(body)
    m = monitor(store, [srv.url("/big.xml")], settings, extractor, max_entries=200)
    first = m.cycle()
    assert (first.read, first.seen, first.waiting, first.failed) == (200, 0, 9_800, 0)
    second = m.cycle()
    assert (second.read, second.seen, second.waiting) == (200, 200, 9_600)
    assert len(store.seen_entries(f"guid:tag:test.example,2020:{i}" for i in range(400))) == 400
    assert store.feed(srv.url("/big.xml"))["entries"] == 400


def test_folders_and_url_lists(store, feed_server, settings, extractor, tmp_path: Path) -> None:
    srv = feed_server
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "taji.txt").write_bytes(TAJI.read_bytes())
    (pages / "basmaya.html").write_bytes(BASMAYA_HTML.read_bytes())
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# wire reports\n{srv.url('/a/k1.txt')}\nnot a url\n", encoding="utf-8")
    srv.routes["/a/k1.txt"] = Route(K1.read_bytes(), "text/plain")
    srv.routes["/a/later.txt"] = Route(TAJI_LATER, "text/plain")
    m = monitor(store, [str(pages), str(urls)], settings, extractor)
    first = m.cycle()
    assert (first.read, first.failed) == (3, 0)
    assert first.errors == [f"{urls.resolve()}: line 3: not an http(s) URL: 'not a url'"]
    (pages / "copy-of-taji.txt").write_bytes(TAJI.read_bytes())  # the same page again
    (pages / "later.txt").write_bytes(TAJI_AGAIN)
    with urls.open("a", encoding="utf-8") as out:
        out.write(srv.url("/a/later.txt") + "\n")
    second = m.cycle()
    assert (second.read, second.seen) == (2, 1 + 2 + 1)


def test_requests_to_one_host_are_spaced(store, feed_server, settings, extractor) -> None:
    srv = feed_server
    srv.routes["/one.xml"] = Route(rss([]))
    srv.routes["/two.xml"] = Route(rss([]))
    options = WatchOptions(host_delay=0.5, timeout=5.0)
    m = Monitor(store, [source_for(srv.url("/one.xml")), source_for(srv.url("/two.xml"))],
                settings, options=options, extractor=lambda: extractor)
    m.cycle()
    m.cycle()
    times = sorted(r[3] for r in srv.log)
    assert len(times) == 4
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.45

