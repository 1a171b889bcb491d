"""``conflict-map watch``, ``watchlist`` and ``alerts`` as a user runs them (subprocesses),
against a local HTTP server serving feeds and pages and receiving the webhook, on both
stores; and the one-line errors for what a user can get wrong."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.store import open_store
from tests.conftest import Route
from tests.test_monitor import K1, TAJI, TAJI_LATER, rss

PROJECT = Path(__file__).resolve().parent.parent


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_STORE"}
    proc = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, cwd=PROJECT, env=env, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def one_line_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("conflict-map: error: ")
    assert needle in lines[0], lines[0]


def test_watch_once_alerts_near_a_watched_base(fresh_location, feed_server,
                                               tmp_path: Path) -> None:
    srv = feed_server
    where = fresh_location()
    srv.routes["/a/taji.txt"] = Route(TAJI.read_bytes(), "text/plain")
    srv.routes["/a/k1.txt"] = Route(K1.read_bytes(), "text/plain")
    srv.routes["/wire.xml"] = Route(rss([{"title": "Taji", "link": srv.url("/a/taji.txt")}]),
                                    etag='"1"')
    srv.routes["/other.xml"] = Route(rss([{"title": "K-1", "link": srv.url("/a/k1.txt")}]))
    srv.routes["/hook"] = Route()

    added = cli("watchlist", "add", "Camp Taji", "--radius", "25km", "--store", where)
    assert "watching Camp Taji: Camp Taji (IQ) 33.52390, 44.25670 within 25 km" in added.stderr
    cli("watchlist", "add", "Erbil air base", "--at", "36.2376,43.9632", "--radius", "10 mi",
        "--store", where)
    listed = cli("watchlist", "list", "--store", where).stdout.splitlines()
    assert [line.split(":")[0] for line in listed] == ["Camp Taji", "Erbil air base"]
    assert "within 16.0934 km" in listed[1]

    alerts = tmp_path / "alerts.jsonl"
    feeds = [srv.url("/wire.xml"), srv.url("/other.xml")]
    first = cli("watch", *feeds, "--once", "--store", where, "--host-delay", "0",
                "--alerts-jsonl", str(alerts), "--webhook", srv.url("/hook"))
    printed = [line for line in first.stdout.splitlines() if line.startswith("ALERT ")]
    assert printed and all(line.startswith("ALERT Camp Taji: ") for line in printed)
    assert any("rocket_attack at Camp Taji on 2020-03-11, 0.0 km away" in line
               for line in printed)
    cycle = first.stderr.strip().splitlines()[-1]
    assert " cycle 1: 2 source(s) (0 not modified, 0 failed); 2 new entries read" in cycle
    assert cycle.endswith(f"{len(printed)} alert(s)")
    assert len(alerts.read_text().splitlines()) == len(printed) == len(srv.posts)

    second = cli("watch", *feeds, "--once", "--store", where, "--host-delay", "0",
                 "--alerts-jsonl", str(alerts))
    assert "ALERT" not in second.stdout
    assert "(1 not modified, 0 failed); 0 new entries read (0 failed, 1 seen before" in \
        second.stderr

    srv.routes["/a/later.txt"] = Route(TAJI_LATER, "text/plain")
    srv.routes["/wire.xml"] = Route(rss([{"title": "Later", "link": srv.url("/a/later.txt")},
                                         {"title": "Taji", "link": srv.url("/a/taji.txt")}]),
                                    etag='"2"')
    third = cli("watch", *feeds, "--once", "--store", where, "--host-delay", "0")
    assert [line for line in third.stdout.splitlines() if line.startswith("ALERT")] == [
        line for line in third.stdout.splitlines() if "on 2020-05-01" in line]
    assert third.stdout.count("ALERT") == 1

    listed_alerts = cli("alerts", "--json", "--store", where).stdout.splitlines()
    assert len(listed_alerts) == len(printed) + 1
    assert json.loads(listed_alerts[0])["date"] == "2020-05-01"  # newest first
    removed = cli("watchlist", "remove", "Erbil air base", "--store", where)
    assert "no longer watching Erbil air base" in removed.stderr
    one_line_error(cli("watchlist", "remove", "Nowhere", "--store", where, check=False),
                   "'Nowhere' is not on the watchlist (Camp Taji)")
    with open_store(where) as s:
        assert [f["url"] for f in s.feeds()] == sorted(feeds)


def test_watch_keeps_going_when_a_feed_is_down(tmp_path: Path, feed_server) -> None:
    srv = feed_server
    srv.routes["/a/k1.txt"] = Route(K1.read_bytes(), "text/plain")
    srv.routes["/ok.xml"] = Route(rss([{"title": "K-1", "link": srv.url("/a/k1.txt")}]))
    srv.routes["/down.xml"] = Route(status=503)
    proc = cli("watch", srv.url("/down.xml"), srv.url("/ok.xml"), "--once", "--host-delay", "0",
               "--store", str(tmp_path / "store"), check=False)
    assert proc.returncode == 2  # something failed: scripts can tell
    lines = proc.stderr.strip().splitlines()
    assert f"conflict-map: watch: {srv.url('/down.xml')}: HTTP 503 Service Unavailable" in lines
    assert "1 failed); 1 new entries read" in lines[-1]


def test_watch_every_polls_until_stopped(tmp_path: Path, feed_server) -> None:
    """``--every 1s``: the feed changes between polls and the second poll reads the new
    entry; SIGTERM stops it cleanly."""
    srv = feed_server
    srv.routes["/a/k1.txt"] = Route(K1.read_bytes(), "text/plain")
    srv.routes["/a/later.txt"] = Route(TAJI_LATER, "text/plain")
    srv.routes["/feed.xml"] = Route(rss([{"title": "K-1", "link": srv.url("/a/k1.txt")}]))
    env = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_STORE"}
    proc = subprocess.Popen([sys.executable, "-m", "geo.cli", "watch", srv.url("/feed.xml"),
                             "--every", "1s", "--host-delay", "0", "--store",
                             str(tmp_path / "store")], stderr=subprocess.PIPE, text=True,
                            cwd=PROJECT, env=env)
    try:
        lines = []
        while not any(" cycle 1:" in line for line in lines):
            lines.append(proc.stderr.readline())
            assert lines[-1], "the watch ended: " + "".join(lines)
        assert "1 new entries read" in lines[-1]
        srv.routes["/feed.xml"] = Route(rss([{"title": "Later",
                                              "link": srv.url("/a/later.txt")},
                                             {"title": "K-1", "link": srv.url("/a/k1.txt")}]))
        while not any(" cycle 2:" in line for line in lines):
            lines.append(proc.stderr.readline())
        assert "1 new entries read (0 failed, 1 seen before" in lines[-1]
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=60)[1]
        assert proc.returncode == 0 and "stopped after" in rest
        assert time.monotonic() - started < 30
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("args, needle", [
    (["watch", "/no/such/feed.xml", "--once"], "/no/such/feed.xml: no such file or folder"),
    (["watch", "ftp://example.org/feed", "--once"], "only http(s) feeds"),
    (["watch", "http://127.0.0.1:9/x.xml", "--every", "soon"], "is not a duration"),
    (["watch", "http://127.0.0.1:9/x.xml", "--once", "--webhook", "mailto:x@y"],
     "is not an http(s) URL"),
    (["watchlist", "add", "Camp Taji", "--radius", "far"], "is not a distance"),
    (["watchlist", "add", "Qwxzzyville", "--radius", "5km"], "no such place in the gazetteer"),
    (["watchlist", "add", "Somewhere", "--at", "north"], "is not LAT,LON"),
    (["watchlist", "add", "Somewhere", "--at", "95,10"], "out of range"),
])
def test_user_errors_are_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    proc = cli(*args, "--store", str(tmp_path / "store"), check=False)
    one_line_error(proc, needle)
