"""Map: what a user of the page gets at N stored events (default 1k, 10k, 100k, 1M).

For each size a store of N synthetic events (``tests.synthetic_events``: hotspots of the
Iraq-Syria theatre, 3 % undated, 2 % country-only, 1 % aggregate; news reports stored as
``acled``, the bulk path) is filled once under ``var/bench/map-store-N`` and reused by later
runs (an interrupted fill is resumed).

Server side, the page's own functions (``geo.web.page``): whole-store facets, the numpy snapshot
the cells come from, ``plan_map`` (every point up to ``Settings.map_max_points`` drawable
events, counted cells above) and ``map_figure`` for the first view and for two zooms, rendered
the way ``st_folium`` renders them (``streamlit_folium.generate_leaflet_string`` of the map and
of each feature group); the payload is the length of those scripts.

Browser: ``streamlit run app.py`` on that store (``tests.browser_helpers.start_server``),
loaded in headless Debian Chromium (Playwright with ``executable_path``, never a Playwright
download), one fresh browser context per session. "Drawn" means the map shows what the page
planned: markers or clusters in the marker pane, or counted cells whose count
(``data-cm-binned``) equals the count line's. Each session then zooms into a dense area that
stays binned (Baghdad) and into a place at level 12 that switches to points, and times each
until drawn. Page weight is the bytes of every HTTP response plus every websocket frame
received (Streamlit sends the map's scripts over its websocket); the JS heap is the renderer's
(CDP ``Runtime.getHeapUsage``), Chromium's memory the PSS summed over its processes, the app's
the streamlit process's resident size.

``python -m bench map --map-sizes 1000,1000000 [--no-browser]`` runs it inside the whole bench;
``python -m bench.map_bench --sizes 1000000 --sessions 10`` repeats the sessions (the zoom to
points is where docs/map.md saw an intermittent empty map).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Figure, machine, median_time, table
from geo.config import PROJECT_DIR, Settings

PART = "map"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
BENCH_DIR = PROJECT_DIR / "var" / "bench"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1400, "height": 1000}
#: The dense area the first zoom goes to (the synthetic stores' busiest hotspot).
DENSE_PLACE = (33.31, 44.37)
#: The zoom level of the second zoom, and where it may go: the quiet place docs/map.md
#: measured by hand first, then hotspots, quietest first, for stores where that one is empty.
POINTS_ZOOM = 12
POINTS_PLACES = ((35.6, 39.6), (34.45, 40.92), (34.37, 41.09), (30.51, 47.81), (36.19, 44.01))
#: The issue's targets.
TARGET_DRAWN_S, TARGET_IN_VIEW, TARGET_MB = 3.0, 100_000, 1024.0

#: JS run in the map frame when a zoom drew nothing: the layers the page sent and their state.
DIAGNOSE_JS = """() => { const m = window.map, g = window.__GLOBAL_DATA__ || {};
    const groups = (window.feature_group || []).filter(l => m.hasLayer(l));
    const clusters = [];
    groups.forEach(l => l.eachLayer(c => { if (c._topClusterLevel) {
        clusters.push({events: c.getLayers().length, on_map: !!c._map, zoom: c._zoom,
                       anim: c._inZoomAnimation, queued: (c._queue || []).length}); } }));
    return {zoom: m.getZoom(), center: m.getCenter(), size: m.getSize(), groups: groups.length,
            clusters: clusters, last_zoom: g.last_zoom, last_center: g.last_center,
            markers: document.querySelectorAll('.leaflet-marker-pane > *').length}; }"""


class BenchError(RuntimeError):
    """A bench run that cannot go on (a store holding more than asked, no chromium)."""


# --- stores -----------------------------------------------------------------------------------

def bench_store(folder: Path, n: int) -> tuple[Path, float | None]:
    """The store of ``n`` synthetic events under ``folder``, filled if missing (resumed if it
    holds fewer); returns its path and the seconds the fill took (None: reused as it was)."""
    from geo.store import EventStore
    from tests.synthetic_events import fill_store

    path = folder / f"map-store-{n}"
    have = 0
    if path.exists():
        with EventStore(path) as store:
            have = len(store)
    if have > n:
        raise BenchError(f"{path} holds {have:,} events, more than {n:,}: remove it")
    if have == n:
        return path, None
    t0 = time.perf_counter()
    fill_store(path, n - have, start=have, news=False, batch=min(n, 100_000))
    return path, time.perf_counter() - t0


def reference_places() -> tuple[list[Any], list[Any]]:
    """The gazetteer's sites and crossings the page draws for context."""
    from geo.gazetteer import Gazetteer
    from geo.web.page import reference_places_of

    return reference_places_of(Gazetteer.load(Settings.from_env()))


# --- the server side --------------------------------------------------------------------------

def payload_bytes(fig: Any) -> int:
    """Render a :class:`geo.web.page.MapFigure` as ``st_folium`` does (the map's script, then
    each feature group's, with streamlit-folium's own ``generate_leaflet_string``); returns
    the characters of script sent."""
    from streamlit_folium import generate_leaflet_string

    m = fig.map
    if fig.groups is None:
        m.get_root().render()
    m.render()
    size = len(generate_leaflet_string(m))
    for idx, group in enumerate(fig.groups or []):
        group._id = f"feature_group_{idx}"
        group.add_to(m)
        group.render()
        size += len(generate_leaflet_string(group, base_id=f"feature_group_{idx}"))
    return size


@dataclass(frozen=True)
class Planned:
    """One view as the page plans it, with its server-side costs."""

    view: Any  # geo.web.page.View, None for the fitted first view
    mode: str
    in_view: int
    cells: int
    plan_s: float
    build_s: float
    payload: int

    def describe(self) -> str:
        if self.mode == "bins":
            return f"{self.cells:,} cells of {self.in_view:,} events"
        return f"{self.in_view:,} points"


@dataclass
class Page:
    """The page's store answers and budget, and what its views cost to plan and build."""

    store: Any
    facets: dict[str, Any]
    legend: list[str]
    budget: int
    reference: tuple[list[Any], list[Any]]
    repeats: int = 3

    def plan(self, view: Any) -> Any:
        """The page's plan of ``view``, as when first asked (the page keeps the layers it made
        for a view: a rerun at the same view costs less)."""
        from geo.web.page import kept_event_layers, plan_map

        kept_event_layers.clear()
        return plan_map(self.store, {}, self.facets["drawable"], self.budget, view,
                        self.facets["bounds"])

    def measure(self, view: Any) -> Planned:
        from geo.web.page import map_figure

        plan_s, plan = median_time(lambda: self.plan(view), self.repeats)
        legend = self.legend if plan.view is not None else ()
        build_s, size = median_time(
            lambda: payload_bytes(map_figure(plan, self.reference, legend_types=legend)),
            self.repeats)
        cells = 0 if plan.bins is None else len(plan.bins[["row", "col"]].drop_duplicates())
        return Planned(plan.view, plan.mode, plan.in_view, cells, plan_s, build_s, int(size))


def dense_view(page: Page, first: Planned) -> Any:
    """Baghdad at the closest zoom (9 down to one step in from the first view) that the page
    still draws as cells, standing for other events than the first view."""
    from geo.web.page import snap_view

    for zoom in range(9, first.view.zoom, -1):
        view = snap_view(*DENSE_PLACE, zoom)
        plan = page.plan(view)
        if plan.mode == "bins" and plan.in_view != first.in_view:
            return view
    return snap_view(*DENSE_PLACE, 9)


def points_view(page: Page) -> Any:
    """The first of :data:`POINTS_PLACES` at level 12 that the page draws as points, with
    points in it (the first place when none is)."""
    from geo.web.page import snap_view

    views = [snap_view(lat, lon, POINTS_ZOOM) for lat, lon in POINTS_PLACES]
    for view in views:
        plan = page.plan(view)
        if plan.mode == "view" and plan.in_view > 0:
            return view
    return views[0]


@dataclass(frozen=True)
class Views:
    """The first view's mode and where the two zooms go (None: the map holds every point)."""

    first_mode: str
    first_in_view: int
    dense: Any
    dense_mode: str
    dense_in_view: int
    points: Any
    points_in_view: int


def server_side(path: Path, n: int, budget: int, reference: tuple[list[Any], list[Any]],
                repeats: int) -> tuple[list[Figure], Views]:
    """Figures for the page's server side on the store at ``path``, and the zooms' views."""
    from geo.store.sqlite import DB_NAME, EventStore
    from geo.web.page import SIDEBAR_FACETS, VIEW_FACETS, snap_view

    label = f"{n:,} events"
    with EventStore(path) as store:
        t0 = time.perf_counter()
        everything = store.facets(fields=SIDEBAR_FACETS)
        facets = store.facets(fields=VIEW_FACETS)
        facets_s = time.perf_counter() - t0
        figures = [Figure(PART, f"{label}: facets for sidebar and count line, uncached",
                          facets_s, "s")]
        page = Page(store, facets, sorted(everything["by_type"]), budget, reference, repeats)
        if facets["drawable"] > budget:
            for saved in path.glob(f"{DB_NAME}.columns-*.npz"):
                saved.unlink()  # so the first read scans the table, as after a store change
            t0 = time.perf_counter()
            store.columns()
            figures.append(Figure(PART, f"{label}: numpy snapshot read (once per store change)",
                                  time.perf_counter() - t0, "s"))
            with EventStore(path) as again:
                t0 = time.perf_counter()
                again.columns()
                figures.append(Figure(PART, f"{label}: numpy snapshot loaded by a new process "
                                      "(the saved file)", time.perf_counter() - t0, "s"))
        first = page.measure(None)
        planned = {"first view": first}
        if first.mode == "all":
            views = Views("all", first.in_view, snap_view(*DENSE_PLACE, 9), "all",
                          first.in_view, snap_view(*POINTS_PLACES[0], POINTS_ZOOM),
                          first.in_view)
        else:
            dense = page.measure(dense_view(page, first))
            points = page.measure(points_view(page))
            planned |= {f"zoom {dense.view.zoom} on a dense area": dense,
                        f"zoom {POINTS_ZOOM} on a quieter place": points}
            views = Views(first.mode, first.in_view, dense.view, dense.mode, dense.in_view,
                          points.view, points.in_view)
    for what, p in planned.items():
        figures += [
            Figure(PART, f"{label}, {what} ({p.mode}: {p.describe()}): plan_map", p.plan_s, "s"),
            Figure(PART, f"{label}, {what}: map_figure + st_folium render", p.build_s, "s"),
            Figure(PART, f"{label}, {what}: map script sent", p.payload / 1e6, "MB"),
        ]
    return figures, views


# --- the browser ------------------------------------------------------------------------------

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


def _status_mb(pid: int, key: str) -> float:
    """One ``/proc/PID/status`` (``VmRSS``, ``RssAnon``...) or ``smaps_rollup`` (``Pss``)
    field in MiB; 0 when the process is gone."""
    for name in ("status", "smaps_rollup"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) / 1024
    return 0.0


def browser_pss_mb() -> float:
    """Memory (PSS: shared pages split between their users) of every chromium process
    started below this one, in MiB."""
    total = 0.0
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                total += _status_mb(pid, "Pss")
    return total


@dataclass
class Traffic:
    """Bytes a page received: HTTP responses and websocket frames."""

    responses: list[Any] = field(default_factory=list)
    ws_bytes: int = 0

    def attach(self, page: Any) -> None:
        page.on("response", lambda r: self.responses.append(r))
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        self.ws_bytes += len(payload if isinstance(payload, bytes) else payload.encode())

    def http_bytes(self) -> int:
        return sum(_body_size(r) for r in self.responses)


def _body_size(response: Any) -> int:
    """Bytes of a response: its Content-Length, else the body's length."""
    length = response.headers.get("content-length")
    if length and length.isdigit():
        return int(length)
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 - a redirect or aborted response has no body
        return 0


@dataclass
class Session:
    """One fresh browser session's figures (None: not drawn before the timeout)."""

    count_s: float
    drawn_s: float | None
    dense_s: float | None = None
    points_answer_s: float | None = None
    points_s: float | None = None
    moved: int = 0  # zooms after which the map did not stay at its view and plan
    http_bytes: int = 0
    ws_bytes: int = 0
    heap_mb: float = 0.0
    pss_mb: float = 0.0
    failure: dict[str, Any] | None = None


def _open_page(page: Any, url: str, seconds: float) -> tuple[float, float | None]:
    """Load the page; (seconds to the count line, seconds to the map drawn)."""
    from tests.browser_helpers import is_drawn, page_state, wait_for

    t0 = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=seconds * 1000)
    page.wait_for_selector("#cm-counts", timeout=seconds * 1000)
    count_s = time.perf_counter() - t0
    drawn, _ = wait_for(lambda: page_state(page),
                        lambda s: isinstance(s, tuple) and is_drawn(*s[::-1]), page, seconds)
    return count_s, None if drawn is None else time.perf_counter() - t0


def run_session(browser: Any, url: str, views: Views, seconds: float) -> Session:
    """One fresh context: load, zoom to the dense area, zoom to points; the figures."""
    from tests.browser_helpers import map_frame, zoom_to

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        traffic = Traffic()
        traffic.attach(page)
        cdp = context.new_cdp_session(page)
        count_s, drawn_s = _open_page(page, url, seconds)
        s = Session(count_s, drawn_s, http_bytes=traffic.http_bytes(),
                    ws_bytes=traffic.ws_bytes)
        s.heap_mb, s.pss_mb = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6, browser_pss_mb()
        if drawn_s is None:
            return s
        all_mode = views.first_mode == "all"
        dense = zoom_to(page, views.dense, None if all_mode else (
            views.dense_mode, views.dense_in_view), seconds)
        points = zoom_to(page, views.points, None if all_mode else ("view", views.points_in_view),
                       seconds)
        s.dense_s, s.points_answer_s, s.points_s = dense.drawn_s, points.answer_s, points.drawn_s
        s.moved = (not dense.stayed) + (not points.stayed)
        if s.points_s is None or s.moved:
            s.failure = {"dense": [dense.drawn_s, dense.stayed, dense.last],
                         "points": [points.drawn_s, points.stayed, points.last],
                         "map": map_frame(page).evaluate(DIAGNOSE_JS)}
        s.heap_mb = max(s.heap_mb, cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6)
        s.pss_mb = max(s.pss_mb, browser_pss_mb())
        return s
    finally:
        context.close()


@contextlib.contextmanager
def app_server(store: Path, folder: Path, budget: int) -> Iterator[Any]:
    """``streamlit run app.py`` on ``store`` (the browser tests' helper), stopped after."""
    from tests.browser_helpers import start_server

    server = start_server(store, folder / f"{store.name}-streamlit.log",
                          env={"CONFLICT_MAP_MAX_POINTS": str(budget)})
    try:
        yield server
    finally:
        server.stop()


def browse(store: Path, folder: Path, views: Views, budget: int, sessions: int,
           seconds: float) -> tuple[list[Session], dict[str, float]]:
    """Every session against one app server; the sessions and the app's memory after them."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        raise BenchError("no chromium on PATH: the map's browser figures need it")
    done: list[Session] = []
    with app_server(store, folder, budget) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for i in range(sessions):
                done.append(run_session(browser, server.url + "/", views, seconds))
                if done[-1].failure:
                    print(f"map bench: session {i + 1}: a zoom not drawn or not kept: "
                          f"{json.dumps(done[-1].failure, default=str)}", file=sys.stderr,
                          flush=True)
        finally:
            browser.close()
        pid = server.proc.pid
        memory = {key: _status_mb(pid, key) for key in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}
    return done, memory


def _spread(values: Sequence[float | None]) -> tuple[float, str]:
    """Median of the values measured, and "median of k (range a-b)"."""
    got = [v for v in values if v is not None]
    if not got:
        return float("nan"), "none drawn"
    if len(got) == 1:
        return got[0], "1 session"
    return statistics.median(got), f"median of {len(got)}, range {min(got):.2f}-{max(got):.2f}"


def _timed(label: str, what: str, values: Sequence[float | None],
           target: bool = False) -> Figure:
    """A time figure over sessions; ``target``: the issue's 3 s for 100,000 events in view."""
    value, spread = _spread(values)
    if target:
        return Figure(PART, f"{label}: {what} ({spread})", value, "s",
                      f"<= {TARGET_DRAWN_S:.0f} s", value <= TARGET_DRAWN_S)
    return Figure(PART, f"{label}: {what} ({spread})", value, "s")


def _zoom_names(views: Views) -> tuple[str, str]:
    """What the two zooms are, for the figures' names."""
    if views.first_mode == "all":
        held = f"the browser re-clusters the {views.first_in_view:,} points it holds"
        return (f"zoom to {views.dense.zoom} ({held})", f"zoom to {views.points.zoom} ({held})")
    return (f"zoom to {views.dense.zoom}, {views.dense_mode}: {views.dense_in_view:,} in view",
            f"zoom to {views.points.zoom}: {views.points_in_view:,} points")


def browser_figures(n: int, views: Views, done: list[Session], memory: dict[str, float],
                    seconds: float) -> list[Figure]:
    """Figures of every session: the first after the server started, then the others. The
    3 s target applies to the first view of a store of 100,000 events or more (all of them
    in view) and to a zoom holding 100,000 or more."""
    from tests.browser_helpers import SETTLE_S

    label, sessions = f"{n:,} events", len(done)
    first, later = done[0], done[1:] or done
    dense, points = _zoom_names(views)
    figures = [
        Figure(PART, f"{label}: first session after start: count line", first.count_s, "s"),
        _timed(label, "first session after start: map drawn", [first.drawn_s]),
        _timed(label, "new session: count line", [s.count_s for s in later]),
        _timed(label, "new session: map drawn", [s.drawn_s for s in later],
               n >= TARGET_IN_VIEW),
        _timed(label, f"{dense}: drawn, all {sessions} sessions", [s.dense_s for s in done],
               views.dense_mode != "all" and views.dense_in_view >= TARGET_IN_VIEW),
    ]
    if views.first_mode != "all":
        figures.append(_timed(label, f"{points}: page answer, all {sessions} sessions",
                              [s.points_answer_s for s in done]))
    failed = sum(s.points_s is None for s in done)
    figures += [
        _timed(label, f"{points}: drawn, all {sessions} sessions", [s.points_s for s in done]),
        Figure(PART, f"{label}: {points}: sessions drawing nothing within {seconds:.0f} s",
               failed, f"of {sessions}", "0", failed == 0),
        Figure(PART, f"{label}: zooms after which the map left its view or plan within "
               f"{SETTLE_S:.0f} s", sum(s.moved for s in done), f"of {2 * sessions}", "0",
               not any(s.moved for s in done)),
        Figure(PART, f"{label}: page weight to the first map: HTTP (median)",
               statistics.median(s.http_bytes for s in done) / 1e6, "MB"),
        Figure(PART, f"{label}: page weight to the first map: websocket (median)",
               statistics.median(s.ws_bytes for s in done) / 1e6, "MB"),
        Figure(PART, f"{label}: JS heap used (largest)", max(s.heap_mb for s in done), "MB"),
        Figure(PART, f"{label}: Chromium PSS, all processes (largest)",
               max(s.pss_mb for s in done), "MiB", "< 1 GiB",
               max(s.pss_mb for s in done) < TARGET_MB),
        Figure(PART, f"{label}: app RSS after {sessions} sessions (anon "
               f"{memory['RssAnon']:,.0f}, file {memory['RssFile']:,.0f}, peak "
               f"{memory['VmHWM']:,.0f} MiB)", memory["VmRSS"], "MiB", "< 1 GiB",
               memory["VmRSS"] < TARGET_MB),
    ]
    return figures


# --- the whole part -------------------------------------------------------------------------

def measure(n: int, folder: Path, *, browser: bool = True, budget: int | None = None,
            sessions: int = 3, seconds: float = 120.0,
            reference: tuple[list[Any], list[Any]] | None = None) -> list[Figure]:
    """Every figure for one size."""
    budget = Settings.from_env().map_max_points if budget is None else budget
    label = f"{n:,} events"
    path, fill_s = bench_store(folder, n)
    figures = [Figure(PART, f"{label}: store fill (synthetic, bulk path)", fill_s, "s")
               if fill_s is not None else
               Figure(PART, f"{label}: store reused from {path.name}", n, "events")]
    server, views = server_side(path, n, budget, reference or reference_places(), 3)
    figures += server
    if browser:
        done, memory = browse(path, folder, views, budget, sessions, seconds)
        figures += browser_figures(n, views, done, memory, seconds)
    return figures


def run(sizes: Sequence[int] = SIZES, browser: bool = True, folder: Path | None = None, *,
        budget: int | None = None, sessions: int = 3, seconds: float = 120.0) -> list[Figure]:
    """Every size in turn; stores live in ``folder`` (default ``var/bench``, git-ignored)."""
    where = Path(folder or BENCH_DIR)
    where.mkdir(parents=True, exist_ok=True)
    reference = reference_places()
    figures: list[Figure] = []
    for n in sizes:
        if n < 1:
            raise BenchError(f"map sizes must be at least 1, got {n}")
        figures += measure(n, where, browser=browser, budget=budget, sessions=sessions,
                           seconds=seconds, reference=reference)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.map_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES),
                        help="comma-separated stored-event counts")
    parser.add_argument("--sessions", type=int, default=3, help="browser sessions per size")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds a page or a zoom may take to draw")
    parser.add_argument("--budget", type=int, default=None,
                        help="CONFLICT_MAP_MAX_POINTS (default: the app's setting)")
    parser.add_argument("--no-browser", action="store_true", help="server side only")
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    except ValueError:
        parser.error(f"--sizes must be whole numbers, got {args.sizes!r}")
    if args.sessions < 1:
        parser.error("--sessions must be at least 1")
    try:
        figures = run(sizes, not args.no_browser, budget=args.budget, sessions=args.sessions,
                      seconds=args.timeout)
    except BenchError as exc:
        print(f"map bench: {exc}", file=sys.stderr)
        return 2
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
    print(table(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
