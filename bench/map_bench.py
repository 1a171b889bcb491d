"""Map: time to build the Folium map (``geo.mapview.build_map``) for N stored events, then the
time until it is drawn in headless Chromium, the page weight and the browser's memory.

The events go through a real store (``query_frame`` is timed separately), the map is saved with
the app's asset base ``/app/static/vendor`` and served by a local ``http.server`` on 127.0.0.1
that maps ``/app/static/`` to the project's ``static/`` folder (what Streamlit does). "Drawn"
means Leaflet has put marker or cluster icons on the page. Chromium is the system one
(``shutil.which("chromium")``), never a Playwright download.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import Figure
from bench.store_bench import fill_store
from geo.config import STATIC_DIR

PART = "map"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]
DRAWN_JS = "() => document.querySelectorAll('.leaflet-marker-icon').length > 0"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the map folder at / and the project's static/ at /app/static/, quietly."""

    def translate_path(self, path: str) -> str:
        if path.startswith("/app/static/"):
            rel = path[len("/app/static/"):].split("?", 1)[0].split("#", 1)[0]
            return str(STATIC_DIR / rel)
        return super().translate_path(path)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """A local HTTP server for ``folder`` on a free port of 127.0.0.1; yields its base URL."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _descendants(root: int) -> list[int]:
    """Process ids below ``root`` (from /proc), to add up the browser's memory."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process in MB: shared pages split between their users, so
    the processes of one browser add up without counting its shared libraries N times."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def browser_pss_mb() -> float:
    """Memory (PSS) of every chromium process started below this one, in MB."""
    total = 0.0
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                total += _pss_mb(pid)
    return total


def draw(url: str, timeout_s: float = 120.0) -> dict[str, float]:
    """Loads ``url`` in a fresh headless Chromium; seconds until markers are drawn, bytes
    transferred, JS heap and browser memory (PSS)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        raise RuntimeError("no chromium on PATH: the map's browser figures need it")
    sizes: list[int] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("response", lambda r: sizes.append(_body_size(r)))
            t0 = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
            page.wait_for_function(DRAWN_JS, timeout=timeout_s * 1000, polling=20)
            drawn = time.perf_counter() - t0
            heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize"
                                 " : 0")
            rss = browser_pss_mb()
        finally:
            browser.close()
    return {"drawn_s": drawn, "bytes": float(sum(sizes)), "heap_mb": heap / 1e6, "rss_mb": rss}


def _body_size(response) -> int:
    """Bytes of a response: its Content-Length (Playwright cannot always hand back the body of
    a 100 MB page), else the body's length."""
    length = response.headers.get("content-length")
    if length and length.isdigit():
        return int(length)
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 - a redirect or aborted response has no body
        return 0


def measure(n: int, folder: Path, browser: bool = True) -> list[Figure]:
    """Figures for one size: store query, build, save, and (optionally) the browser."""
    from geo.mapview import APP_ASSET_BASE, build_map
    from geo.store import EventStore

    fill_store(folder / f"store-{n}", n, batch=min(n, 100_000))
    with EventStore(folder / f"store-{n}") as store:
        t0 = time.perf_counter()
        frame = store.query_frame()
        query_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = build_map(frame, asset_base=APP_ASSET_BASE)
    build_s = time.perf_counter() - t0
    page = folder / f"map-{n}.html"
    t0 = time.perf_counter()
    m.save(str(page))
    save_s = time.perf_counter() - t0
    label = f"{n:,} events"
    figures = [
        Figure(PART, f"{label}: query_frame (all rows)", query_s, "s"),
        Figure(PART, f"{label}: build_map", build_s, "s"),
        Figure(PART, f"{label}: render HTML (save)", save_s, "s"),
        Figure(PART, f"{label}: HTML size", page.stat().st_size / 1e6, "MB"),
    ]
    if browser:
        with serve(folder) as base:
            got = draw(f"{base}/{page.name}")
        figures += [
            Figure(PART, f"{label}: load to drawn in Chromium", got["drawn_s"], "s",
                   "<= 3 s at 100k" if n >= 100_000 else "", got["drawn_s"] <= 3.0
                   if n >= 100_000 else None),
            Figure(PART, f"{label}: page weight (all responses)", got["bytes"] / 1e6, "MB"),
            Figure(PART, f"{label}: JS heap used", got["heap_mb"], "MB"),
            Figure(PART, f"{label}: Chromium PSS (all processes)", got["rss_mb"], "MB",
                   "< 1 GB", got["rss_mb"] < 1024),
        ]
    return figures


def run(sizes: tuple[int, ...] = (1_000, 10_000, 100_000), browser: bool = True,
        folder: Path | None = None) -> list[Figure]:
    """Every size in turn, in a temporary folder unless ``folder`` is given."""
    with tempfile.TemporaryDirectory(prefix="bench-map-") as tmp:
        where = Path(folder or tmp)
        where.mkdir(parents=True, exist_ok=True)
        figures: list[Figure] = []
        for n in sizes:
            figures += measure(n, where, browser)
        return figures
