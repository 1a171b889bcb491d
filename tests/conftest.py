"""Shared fixtures: one gazetteer and one extractor per test session, and the stores.

The compiled gazetteer index is cached under the project's var/cache (git-ignored), so only the
first run on a fresh clone builds it (about a minute); later sessions load it in well under a
second.

Stores: a test that takes ``store_backend`` (or a fixture built on it, ``fresh_location``)
runs once per store: the embedded SQLite store and the PostGIS store on a throwaway
PostgreSQL cluster this session starts (``scripts/postgis.sh start``: initdb and pg_ctl into
a temporary folder, a free port on 127.0.0.1), stopped at the end. ``--stores sqlite``,
``--stores postgis`` or ``CONFLICT_MAP_TEST_STORES`` pick some (default both). The PostGIS
runs skip, saying why, only when the PostgreSQL/PostGIS binaries or psycopg are not installed
(``scripts/postgis.sh install``); ``.ci/run`` installs them and sets
``CONFLICT_MAP_TEST_REQUIRE_POSTGIS=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from geo.config import PROJECT_DIR, Settings

FIXTURES = Path(__file__).parent / "fixtures"
SEED = PROJECT_DIR / "seeds" / "000_4d483444a7d9f67c.txt"
DEV = FIXTURES / "dev"
POSTGIS_SH = PROJECT_DIR / "scripts" / "postgis.sh"
BACKENDS = ("sqlite", "postgis")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stores", default=None, metavar="LIST",
        help="stores the store-level tests run against: sqlite, postgis or sqlite,postgis "
             "(default: $CONFLICT_MAP_TEST_STORES, else both)")


def selected_backends(config: pytest.Config) -> list[str]:
    raw = config.getoption("--stores") or os.environ.get("CONFLICT_MAP_TEST_STORES") or ""
    chosen = [b.strip() for b in raw.split(",") if b.strip()] or list(BACKENDS)
    unknown = [b for b in chosen if b not in BACKENDS]
    if unknown:
        raise pytest.UsageError(f"--stores: unknown store(s) {unknown}; known: {BACKENDS}")
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", selected_backends(metafunc.config),
                             scope="module")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def gazetteer(settings: Settings):
    from geo.gazetteer import Gazetteer

    return Gazetteer.load(settings)


@pytest.fixture(scope="session")
def extractor(gazetteer):
    from geo.extract.extractor import Extractor

    return Extractor(gazetteer)


# --- a throwaway PostgreSQL/PostGIS cluster ---------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A running cluster with a database ``conflict_map`` (PostGIS enabled):
    ``new_store_url()`` gives the URL of a new, empty schema there (a store lives in the
    connection's current schema; PostGIS's functions stay in ``public``)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self._names = itertools.count()
        self._admin = None

    def url(self, database: str = "conflict_map") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self):
        import psycopg

        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(self.url(), autocommit=True)
        return self._admin

    def new_store_url(self) -> str:
        name = f"cm_test_{os.getpid()}_{next(self._names)}"
        self.admin().execute(f"CREATE SCHEMA {name}")
        return f"{self.url()}?options=-csearch_path%3D{name}%2Cpublic"

    def drop_stores(self) -> None:
        admin = self.admin()
        names = [r[0] for r in admin.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cm_test_%'").fetchall()]
        for name in names:
            admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()


def postgis_missing() -> str | None:
    """Why the PostGIS store cannot be tested here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    found = subprocess.run(["bash", str(POSTGIS_SH), "bindir"], capture_output=True, text=True)
    if found.returncode != 0:
        return ("PostgreSQL/PostGIS binaries are not installed "
                "(run scripts/postgis.sh install as root)")
    return None


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    reason = postgis_missing()
    if reason:
        if os.environ.get("CONFLICT_MAP_TEST_REQUIRE_POSTGIS"):  # .ci/run: never skip
            pytest.fail(f"CONFLICT_MAP_TEST_REQUIRE_POSTGIS is set but {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="cm-pg-"))
    port = _free_port()
    started = subprocess.run(["bash", str(POSTGIS_SH), "start", str(folder), str(port)],
                             capture_output=True, text=True, timeout=180)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {started.stderr.strip()}")
    cluster = PgCluster(folder, port)
    try:
        yield cluster
    finally:
        cluster.close()
        subprocess.run(["bash", str(POSTGIS_SH), "stop", str(folder)], capture_output=True,
                       timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def fresh_location(store_backend: str, tmp_path_factory: pytest.TempPathFactory,
                   request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """A function giving the location of a new, empty store of ``store_backend``: a
    temporary folder, or a new schema in a database on the session's cluster."""
    if store_backend == "sqlite":
        yield lambda: str(tmp_path_factory.mktemp("store"))
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    yield cluster.new_store_url
    cluster.drop_stores()  # the module's stores are closed by now


# --- a local web server for the monitor's tests -----------------------------------------------

class Route:
    """What the server answers on one path (change the attributes between polls)."""

    def __init__(self, body: bytes = b"", content_type: str = "application/rss+xml",
                 status: int = 200, etag: str | None = None,
                 last_modified: str | None = None, delay: float = 0.0,
                 claimed_length: int | None = None) -> None:
        self.body, self.content_type, self.status = body, content_type, status
        self.etag, self.last_modified, self.delay = etag, last_modified, delay
        self.claimed_length = claimed_length  # a Content-Length larger than the body: cut


class FeedServer:
    """An HTTP server on 127.0.0.1 serving ``routes`` (path -> Route), logging every request
    (method, path, headers, monotonic time) and keeping every POST body (the webhook)."""

    def __init__(self) -> None:
        import http.server
        import threading
        import time as _time

        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, str, dict[str, str], float]] = []
        self.posts: list[bytes] = []
        self.post_status = 200
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.log.append(("GET", self.path, dict(self.headers), _time.monotonic()))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    _time.sleep(route.delay)
                if route.status != 200:
                    self.send_error(route.status)
                    return
                fresh = ((route.etag and self.headers.get("If-None-Match") == route.etag) or
                         (route.last_modified and not route.etag and
                          self.headers.get("If-Modified-Since") == route.last_modified))
                self.send_response(304 if fresh else 200)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                if fresh:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length",
                                 str(route.claimed_length or len(route.body)))
                if route.claimed_length:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(route.body)
                if route.claimed_length:
                    self.close_connection = True

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.log.append(("POST", self.path, dict(self.headers), _time.monotonic()))
                server.posts.append(body)
                self.send_response(server.post_status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def gets(self, path: str) -> list[tuple[str, str, dict[str, str], float]]:
        return [r for r in self.log if r[0] == "GET" and r[1] == path]

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture()
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()
