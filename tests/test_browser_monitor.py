"""The monitor in a real browser, on both stores: a page left open shows the events a
watcher stores (`conflict-map watch` on a local feed) without a reload by hand, with the
alert for the one near a watched base in the monitor's badge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geo.model import Event, Evidence
from geo.store import open_store
from tests.browser_helpers import (
    launched_browser,
    new_page,
    page_counts,
    poll,
    skip_module_without_browser,
    start_server,
    wait_for_counts,
)
from tests.conftest import Route
from tests.test_monitor import TAJI, rss
from tests.test_monitor_cli import cli

pytestmark = pytest.mark.browser

skip_module_without_browser()

#: How often the open page checks the store in this test (the default is 30 s).
REFRESH = "2"


def _first_event() -> Event:
    text = "A base at al-Qaim was reported."
    return Event("base", place="al-Qaim", place_name="al-Qaim", country="IQ", lat=34.37,
                 lon=41.09, geo_precision=1, evidence=text, source="https://example.org/q",
                 sources=[Evidence(text, 0, len(text), "https://example.org/q", "al-Qaim")])


def _monitor_label(page: Any) -> str:
    return page.get_by_text("Monitor:", exact=False).first.inner_text()


def test_an_open_page_shows_what_a_watcher_stores(fresh_location, feed_server,
                                                   tmp_path: Path) -> None:
    where = fresh_location()
    with open_store(where) as store:  # one event: the page does not seed from seeds/
        assert store.add_events([_first_event()]).added == 1
    cli("watchlist", "add", "Camp Taji", "--radius", "25km", "--store", where)
    feed_server.routes["/a/taji.txt"] = Route(TAJI.read_bytes(), "text/plain")
    feed_server.routes["/wire.xml"] = Route(
        rss([{"title": "Taji", "link": feed_server.url("/a/taji.txt")}]))

    server = start_server(where, tmp_path / "streamlit.log",  # type: ignore[arg-type]
                          env={"CONFLICT_MAP_REFRESH_SECONDS": REFRESH})
    try:
        with launched_browser() as browser, new_page(browser) as (page, recorder):
            page.goto(server.url)
            wait_for_counts(page, 1)
            assert _monitor_label(page) == "Monitor: Alerts"
            page.evaluate("window.__cm_same_page = 1")  # gone if the page reloads

            watched = cli("watch", feed_server.url("/wire.xml"), "--once", "--store", where,
                           "--host-delay", "0")
            alerts = [line for line in watched.stdout.splitlines()
                      if line.startswith("ALERT Camp Taji")]
            assert alerts
            with open_store(where) as store:
                total = len(store)
            assert total > 1

            counts = poll(lambda: page_counts(page), lambda c: c["total"] == total,
                          page=page, seconds=120)
            assert counts["total"] == total
            assert page.evaluate("window.__cm_same_page") == 1
            poll(lambda: _monitor_label(page),
                 lambda label: label == f"Monitor: Alerts ({len(alerts)} new)",
                 page=page, seconds=60)
            assert recorder.outside(server.url) == []
    finally:
        server.stop()
