"""Long articles: extraction time and memory must grow linearly with an article's length.

Articles of 200 KB, 1 MB and 4.9 MB (under the 5 MB limit), on one line or a paragraph a line,
holding one sentence repeated (the user's report of a hang) or varied news
(:func:`bench.corpus.long_article`). Each is read and extracted in a fresh process, as
``conflict-map extract FILE`` does; the index load is outside the time. ``s/MB`` is the time
per megabyte: flat when the work is linear. The last rows time the page's "Read the article"
on an upload of each size (Streamlit's AppTest, no browser), as a user of the page waits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure
from bench.corpus import load_names, long_article

PART = "long"
SIZES = (200_000, 1_000_000, 4_900_000)

_EXTRACT_SCRIPT = """
import json, resource, sys, time
from geo.articles import read_article
from geo.config import Settings
from geo.pipeline import load_extractor
extractor = load_extractor(Settings())
t0 = time.perf_counter()
events = extractor.extract(read_article(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - t0, "events": len(events),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_PAGE_SCRIPT = """
import json, os, sys, time
from pathlib import Path
from streamlit.testing.v1 import AppTest
from geo.config import PROJECT_DIR
from geo.web.page import RAN
os.environ["CONFLICT_MAP_STORE"] = sys.argv[2]
at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=600)
at.session_state[RAN] = True
at.run()
path = Path(sys.argv[1])
at.file_uploader(key="cm_upload").set_value((path.name, path.read_bytes(), "text/plain"))
at.button(key="cm_read").click()
t0 = time.perf_counter()
at.run()
seconds = time.perf_counter() - t0
assert not at.exception, at.exception
print(json.dumps({"seconds": seconds, "events": len(at.session_state["cm_draft"]["events"]),
                  "widgets": len(at.selectbox)}))
"""


def _child(script: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"long-article run failed: {out.stderr.strip()[-400:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(sizes: tuple[int, ...] = SIZES, page: bool = True) -> list[Figure]:
    names = load_names()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="cm-long-") as tmp:
        folder = Path(tmp)
        for varied in (False, True):
            for one_line in (True, False):
                for size in sizes:
                    path = folder / f"{'varied' if varied else 'repeated'}-{size}.txt"
                    path.write_text(long_article(size, varied, one_line, names=names),
                                    encoding="utf-8")
                    got = _child(_EXTRACT_SCRIPT, str(path))
                    label = (f"{size / 1e6:g} MB, {'varied news' if varied else 'one sentence'}"
                             f", {'one line' if one_line else 'a paragraph a line'}")
                    figures += [
                        Figure(PART, f"{label}: s/MB", got["seconds"] / (size / 1e6), "s/MB"),
                        Figure(PART, f"{label}: peak memory", got["peak_mb"], "MB"),
                        Figure(PART, f"{label}: events", got["events"], "events"),
                    ]
        if page:
            for size in sizes:
                path = folder / f"upload-{size}.txt"
                path.write_text(long_article(size, True, False, names=names), encoding="utf-8")
                got = _child(_PAGE_SCRIPT, str(path), str(folder / f"store-{size}"))
                figures += [
                    Figure(PART, f"page: read a {size / 1e6:g} MB upload", got["seconds"], "s"),
                    Figure(PART, f"page: {size / 1e6:g} MB upload, place pickers shown",
                           got["widgets"], "widgets"),
                ]
    return figures
