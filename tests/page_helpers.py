"""The map page through Streamlit's AppTest (no browser): shared by the page's tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_DIR
from geo.web.page import RAN

APP = str(PROJECT_DIR / "app.py")


def page_after_the_map() -> AppTest:
    """The page as after its map's first report. AppTest has no browser, so no map ever
    reports, and a session's first run draws the page only down to the map
    (``geo.web.map_panel.hold_below_map``; tests/test_webapp.py tests that on its own)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[RAN] = True
    return at
