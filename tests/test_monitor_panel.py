"""geo.web.monitor_panel in a real Streamlit run (streamlit.testing AppTest) of a small script
that calls each panel on a real store: new since the last visit, the feeds with their last
success and error, the alerts badge and list, and the rerun when the store changes."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.model import Event
from geo.store import Store, open_store
from geo.web.monitor_panel import feed_rows

SCRIPT = textwrap.dedent("""
    import os
    import streamlit as st
    from geo.store import open_store
    from geo.web import monitor_panel as panel

    @st.cache_resource
    def store(where):
        return open_store(where)

    s = store(os.environ["CM_PANEL_STORE"])
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    new = panel.render_new_since_visit(s)
    feeds = panel.render_feeds(s)
    alerts = panel.render_alerts(s)
    st.markdown(f"counts new={new}|feeds={feeds}|alerts={alerts}|"
                f"badge={panel.alerts_badge(s)!r}|runs={st.session_state['runs']}")
    panel.rerun_on_change(s, every=3600)
""")


def event(i: int, **kw: object) -> Event:
    base = dict(event_type="rocket_attack", date=f"2024-06-{1 + i:02d}", place=f"Site {i}",
                place_name=f"Site {i}", lat=33.0 + i, lon=44.0, evidence=f"Rockets hit {i}.",
                source=f"https://example.org/{i}")
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


@pytest.fixture()
def app(fresh_location, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    where = fresh_location()
    monkeypatch.setenv("CM_PANEL_STORE", where)
    script = tmp_path / "panel_app.py"
    script.write_text(SCRIPT, encoding="utf-8")

    def new_session() -> AppTest:
        return AppTest.from_file(str(script), default_timeout=60)

    with open_store(where) as store:
        yield new_session, store


def counts(at: AppTest) -> dict[str, str]:
    line = next(m.value for m in at.markdown if m.value.startswith("counts "))
    return dict(part.split("=", 1) for part in line.removeprefix("counts ").split("|"))


def test_a_first_visit_to_an_empty_monitor(app) -> None:
    new_session, _store = app
    at = new_session().run()
    assert not at.exception
    assert counts(at) == {"new": "0", "feeds": "0", "alerts": "0", "badge": "'Alerts'",
                          "runs": "1"}
    captions = [c.value for c in at.caption]
    assert "First visit: every event is new to you." in captions
    assert any("No feeds watched yet" in c for c in captions)
    assert any("No place watched" in c for c in captions)


def test_new_events_feeds_and_alerts_since_the_last_visit(app) -> None:
    new_session, store = app
    store: Store
    store.mark_visit(at=(datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds"))
    store.add_events([event(1), event(2), event(3, status="threatened")])
    store.update_feed("https://wire.example.org/rss", "feed", entries=3, events=3,
                      title="Wire", last_success_at="2024-06-05T10:00:00+00:00")
    store.update_feed("https://down.example.org/rss", "feed", last_error="HTTP 500",
                      last_error_at=datetime.now(UTC).isoformat(timespec="seconds"))
    store.add_watch("Site 1", 34.0, 44.0, 25.0)
    recorded = store.record_alerts([("Site 1", event(1).event_id, 0.0)])
    assert len(recorded) == 1

    at = new_session().run()
    assert not at.exception
    got = counts(at)
    # two reported events new (the threat is not shown by default), one alert new
    assert (got["new"], got["feeds"], got["alerts"]) == ("2", "2", "1")
    assert got["badge"] == "'Alerts (1 new)'"
    assert any(m.value.startswith("**2 new events** since your last visit (2 h ago")
               for m in at.markdown)
    new_table, feeds_table, alerts_table = (d.value for d in at.dataframe)
    assert sorted(new_table["place"]) == ["Site 1", "Site 2"]
    assert list(feeds_table["feed"]) == ["https://down.example.org/rss", "Wire"]
    assert list(feeds_table[""]) == ["⚠️", "✅"]
    assert feeds_table["last error"][0].startswith("HTTP 500 (")
    assert list(alerts_table["watch"]) == ["Site 1"] and list(alerts_table["new"]) == ["●"]
    assert at.metric[0].value == "1"

    at.run()  # the same session: still new since the visit before it
    assert counts(at)["new"] == "2"
    later = new_session().run()  # the next visit: nothing new since the one above
    assert (counts(later)["new"], counts(later)["alerts"]) == ("0", "0")
    assert counts(later)["badge"] == "'Alerts'"


def test_the_page_reruns_when_the_store_changes(app) -> None:
    new_session, store = app
    at = new_session().run()
    assert counts(at)["runs"] == "1"
    at.run()  # nothing changed: one run
    assert counts(at)["runs"] == "2"
    store.add_events([event(5)])  # a watch stored an event
    at.run()  # the check sees a new generation and reruns the page once more
    assert counts(at)["runs"] == "4"
    at.run()
    assert counts(at)["runs"] == "5"


def test_feed_rows_say_which_feeds_fail() -> None:
    now = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)
    rows = feed_rows([
        {"url": "a", "last_success_at": "2024-06-05T11:58:00+00:00", "last_error": "HTTP 500",
         "last_error_at": "2024-06-04T12:00:00+00:00", "entries": 4, "events": 9},
        {"url": "b", "last_success_at": None, "last_error": "timed out after 10 s",
         "last_error_at": "2024-06-05T09:00:00+00:00"},
    ], now=now)
    assert list(rows[""]) == ["✅", "⚠️"]  # a past error, then a success: answering again
    assert list(rows["last success"]) == ["2 min ago", "never"]
    assert rows["last error"][1] == "timed out after 10 s (3 h ago)"
