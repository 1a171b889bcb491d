"""The shared store for real: writers in separate processes (on both stores), a reader while
they write, a writer killed mid-transaction, the CLI on a postgresql:// URL, and locations
that are neither a folder nor a supported URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from geo.store import StoreError, describe, is_url, open_store, store_url
from geo.store.postgis import redact

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seeds" / "000_4d483444a7d9f67c.txt"
DEV = Path(__file__).parent / "fixtures" / "dev" / "articles"
UCDP = Path(__file__).parent / "fixtures" / "ucdp" / "ucdp_ged_iraq_sample.csv"

# Each writer says it is ready, waits for "go" on stdin (so that writers start together),
# adds a report of each of the same `shared` news events (one article per call of `per`
# events), then `n` curated (bulk) events of its own.
_WRITER = textwrap.dedent("""
    import sys
    from geo.model import Event
    from geo.store import open_store
    where, tag, n, shared, per = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    own = [Event("air_strike", date="2020-01-%02d" % (1 + i % 28), place=f"{tag}{i}",
                 lat=30 + (i % 1000) / 100, lon=40 + (i // 1000 % 100) / 100,
                 evidence=f"{tag} {i}", source=f"{tag}:{i}", dataset="ucdp")
           for i in range(n)]
    # 0.5 degrees (55 km) apart or more: none of them is another one's report
    news = [Event("rocket_attack", date="2021-06-%02d" % (1 + i % 28), place=f"Base {i}",
                  place_id=f"test:base{i}", lat=-60 + (i % 240) / 2, lon=-170 + (i // 240) * 3,
                  evidence=f"Rockets hit base {i}, {tag} reports.", source=f"{tag}/news/{i}",
                  actors=[tag])
            for i in range(shared)]
    with open_store(where) as s:
        print("ready", flush=True)
        sys.stdin.readline()
        added = merged = 0
        for k in range(0, shared, per):
            r = s.add_events(news[k:k + per], article_key=f"{tag}-news-{k}")
            added, merged = added + r.added, merged + r.merged
        r = s.add_events(own, article_key=f"{tag}-bulk")
        print("done", added + r.added, merged + r.merged, flush=True)
""")


def _spawn(where: str, tag: str, n: int, shared: int, per: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _WRITER, where, tag, str(n), str(shared),
                             str(per)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=PROJECT)


def _go(*procs: subprocess.Popen) -> None:
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()


def test_two_processes_lose_nothing_and_duplicate_nothing(fresh_location) -> None:
    """Two writers at once, each with an article reporting the same 1,000 events (one
    transaction of about a second: they overlap) and 20,000 events of its own: 41,000
    events, each shared one reported by both (merged, not doubled)."""
    where = fresh_location()
    open_store(where).close()
    procs = [_spawn(where, tag, 20_000, 1_000, 1_000) for tag in ("one", "two")]
    _go(*procs)
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    done = [o[0].split() for o in outs]
    added = sum(int(d[1]) for d in done)
    merged = sum(int(d[2]) for d in done)
    assert (added, merged) == (41_000, 1_000)  # one writer added each shared event, one merged
    with open_store(where) as s:
        assert len(s) == 41_000
        assert len(s.articles()) == 4
        shared = s.query(types="rocket_attack")
        assert len(shared) == 1_000
        assert all(sorted(e.actors) == ["one", "two"] and len(e.sources) == 2 for e in shared)
        assert s.count(text="one 19999") == 1 and s.count(text="two 0") >= 1
        assert s.integrity_check() == "ok"


def test_a_reader_never_sees_half_an_article(fresh_location) -> None:
    """While a writer adds articles of 50 events each, every read sees each article whole
    or not at all (counted per article in one query)."""
    where = fresh_location()
    open_store(where).close()
    writer = _spawn(where, "w", 0, 2_000, 50)
    _go(writer)
    seen_sizes: set[int] = set()
    reads = 0
    with open_store(where) as reader:
        while writer.poll() is None or reads == 0:
            frame = reader.query_frame(types="rocket_attack")
            if len(frame):
                article = frame["source"].str.extract(r"/news/(\d+)")[0].astype(int) // 50
                seen_sizes |= set(article.value_counts())
            reads += 1
        assert len(reader) == 2_000
    writer.communicate(timeout=60)
    assert writer.returncode == 0
    assert seen_sizes == {50}, f"partial articles seen in {reads} reads: {seen_sizes}"
    assert reads > 3


def test_a_killed_writer_leaves_the_previous_store(pg_cluster) -> None:
    where = pg_cluster.new_store_url()
    with open_store(where) as s:
        s.add_events([], article_key="before")
    proc = _spawn(where, "big", 400_000, 0, 1)
    _go(proc)
    import psycopg

    with psycopg.connect(where, autocommit=True) as watch:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:  # until it is writing
            busy = watch.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                                 "AND query ILIKE '%cm_bulk%'").fetchone()[0]
            if busy:
                break
            time.sleep(0.02)
    assert proc.poll() is None, "the writer finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(where) as s:
        assert len(s) == 0 and [a["key"] for a in s.articles()] == ["before"]
        assert s.add_events([], article_key="after").article_seen is False
        assert s.integrity_check() == "ok"


def test_a_server_that_restarts_is_reconnected(pg_cluster) -> None:
    where = pg_cluster.new_store_url()
    with open_store(where) as s:
        assert len(s) == 0
        import psycopg

        pid = s._conn.raw.info.backend_pid
        with psycopg.connect(where, autocommit=True) as admin:  # as a server restart does
            assert admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,)).fetchone()[0]
        with pytest.raises(StoreError, match="read failed"):
            len(s)  # the statement on the dead connection fails, in one line
        assert len(s) == 0  # the next call connects again


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://someone:hunter2@127.0.0.1:{port}/db"
    with pytest.raises(StoreError) as info:
        open_store(url, timeout=2)
    message = str(info.value)
    assert message.startswith(f"postgresql://someone@127.0.0.1:{port}/db: cannot connect")
    assert "\n" not in message and "hunter2" not in message


# --- locations --------------------------------------------------------------------------------

def test_locations() -> None:
    assert store_url("var/store") is None and not is_url("/tmp/x.sqlite")
    assert store_url("postgresql://u@h:5432/db") == "postgresql://u@h:5432/db"
    assert store_url("postgres://u@h/db") == "postgres://u@h/db"
    assert store_url(Path("postgresql://u@h/db")) == "postgresql://u@h/db"  # a Path's "/"
    assert store_url("C:/data/store") is None  # a drive letter is a path
    for bad in ("mysql://u@h/db", "sqlite:///x.db", "https://example.org/store",
                Path("mongodb://h/db")):
        with pytest.raises(StoreError, match="not a store location.*not supported"):
            store_url(bad)
    assert redact("postgresql://u:secret@h:5/db?sslmode=require") == \
        "postgresql://u@h:5/db?sslmode=require"
    assert describe("postgresql://u:secret@h/db") == "postgresql://u@h/db"


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "CONFLICT_MAP_STORE"}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, cwd=PROJECT, env=full, timeout=600)


def test_cli_refuses_a_store_that_is_neither_folder_nor_supported_url(tmp_path: Path) -> None:
    for args, env in ((["ingest", str(SEED), "--store", "mysql://u@h/db"], None),
                      (["stats"], {"CONFLICT_MAP_STORE": "redis://localhost/0"}),
                      (["export", "--store", "sqlite:///x.db"], None)):
        proc = subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                              text=True, cwd=tmp_path, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(PROJECT), **(env or {})})
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and "not a store location" in lines[0], proc.stderr
        assert list(tmp_path.iterdir()) == []  # no folder named "mysql:" or anything


def test_cli_on_a_postgis_store(pg_cluster, tmp_path: Path) -> None:
    """ingest, import, stats, export and seed with --store postgresql://..., and the same
    store through CONFLICT_MAP_STORE; the same answers as a SQLite store given the same."""
    url = pg_cluster.new_store_url()
    folder = str(tmp_path / "sqlite")
    for where in (url, folder):
        first = _cli("ingest", str(SEED), str(DEV), "--store", where)
        assert first.returncode == 0, first.stderr
        assert "postgresql://postgres@127.0.0.1" in first.stderr if where == url else True
        again = _cli("ingest", str(SEED), "--store", where)
        assert "1 already stored" in again.stderr
        imported = _cli("import", str(UCDP), "--from", "ucdp", "--store", where)
        assert imported.returncode == 0 and "added" in imported.stderr
    exports = {}
    for where in (url, folder):
        exported = _cli("export", "--format", "jsonl", "--status", "reported", "--store", where)
        assert exported.returncode == 0, exported.stderr
        exports[where] = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(exports[url]) > 50
    assert exports[url] == exports[folder]  # same events, same merges, same order
    every = _cli("export", "--format", "jsonl", "--store", url).stdout.splitlines()
    assert len(every) >= len(exports[url])  # and the planned, threatened or denied ones
    stats = json.loads(_cli("stats", env={"CONFLICT_MAP_STORE": url}).stdout)
    assert stats["events"] == len(every) and stats["schema_version"] == 2
    assert stats["path"].startswith("postgresql://")
    seeded = _cli("seed", "--store", url)
    assert seeded.returncode == 0 and "already holds events" in seeded.stderr
    empty = pg_cluster.new_store_url()
    missing = _cli("stats", "--store", empty)
    assert missing.returncode == 2 and "no event store here" in missing.stderr


def test_threads_share_one_store(fresh_location) -> None:
    """The page calls one store from several threads (the background snapshot read too)."""
    where = fresh_location()
    errors: list[BaseException] = []
    with open_store(where) as s:
        def work(k: int) -> None:
            try:
                from geo.model import Event
                for i in range(20):
                    s.add_events([Event("base", place=f"t{k}-{i}", lat=10 + k, lon=i / 10,
                                        dataset="ucdp", source=f"{k}:{i}")])
                    s.count(bbox=(-180, -90, 180, 90))
                    s.columns(wait=False)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(s) == 80
        assert len(s.columns()) == 80
