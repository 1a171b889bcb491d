"""The monitor's part of the page: what is new since the user's last visit, the watched
feeds with each one's last success and last error, the alerts (a badge and a list), and a
watcher that reruns the page when the store changes (new events appear on the map without
reloading by hand).

Self-contained Streamlit functions on a :class:`geo.store.Store`; the page decides where they
go. Each returns what it showed, so the page can use the numbers (a badge in a tab title).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from geo.store import Store

#: session_state keys (one visit per browser session)
_VISIT_KEY = "cm_monitor_previous_visit"
_GENERATION_KEY = "cm_monitor_generation"
#: rows shown at most in a panel's table
MAX_ROWS = 200


def previous_visit(store: Store, who: str = "default") -> str | None:
    """When ``who`` last opened the page before this session (ISO UTC; None on a first
    visit). The first call of a session records the visit; later runs of the same session
    keep the answer, so "new since your last visit" does not empty on the next click."""
    if _VISIT_KEY not in st.session_state:
        st.session_state[_VISIT_KEY] = store.mark_visit(who)
    return st.session_state[_VISIT_KEY]


def _ago(iso: str | None, now: datetime | None = None) -> str:
    """"3 min ago", "2 h ago", "4 days ago" for an ISO time; "never" for None."""
    if not iso:
        return "never"
    then = datetime.fromisoformat(iso)
    seconds = max(0.0, ((now or datetime.now(UTC)) - then).total_seconds())
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    return f"{round(seconds / 86400)} days ago"


def render_new_since_visit(store: Store, who: str = "default",
                           statuses: Iterable[str] | None = ("reported",)) -> int:
    """How many events were stored since the previous visit, and the newest of them."""
    since = previous_visit(store, who)
    if since is None:
        st.caption("First visit: every event is new to you.")
        return 0
    kwargs: dict[str, Any] = {"added_since": since}
    if statuses is not None:
        kwargs["statuses"] = list(statuses)
    total = store.count(**kwargs)
    st.markdown(f"**{total:,} new event{'s' if total != 1 else ''}** since your last visit "
                f"({_ago(since)}, {since.replace('T', ' ').replace('+00:00', ' UTC')})")
    if 0 < total <= 50 * MAX_ROWS:  # (a big import is a count, not a table)
        frame = store.query_frame(**kwargs)
        newest = frame.sort_values("date_start", ascending=False, na_position="last",
                                   kind="stable").head(MAX_ROWS)
        st.dataframe(pd.DataFrame({
            "type": newest["event_type"], "date": newest["date"],
            "place": newest["place_name"].fillna(newest["place"]),
            "killed": newest["killed"], "source": newest["source"]}),
            hide_index=True, width="stretch")
    return total


def feed_rows(feeds: list[dict[str, Any]], now: datetime | None = None) -> pd.DataFrame:
    """The feed table: one row per watched source, its state in words."""
    rows = []
    for f in feeds:
        failing = bool(f.get("last_error")) and (f.get("last_error_at") or "") >= (
            f.get("last_success_at") or "")
        rows.append({
            "": "⚠️" if failing else "✅",
            "feed": f.get("title") or f["url"],
            "source": f["url"],
            "last success": _ago(f.get("last_success_at"), now),
            "last error": (f"{f['last_error']} ({_ago(f.get('last_error_at'), now)})"
                           if f.get("last_error") else ""),
            "entries read": int(f.get("entries") or 0),
            "events": int(f.get("events") or 0),
        })
    return pd.DataFrame(rows, columns=["", "feed", "source", "last success", "last error",
                                       "entries read", "events"])


def render_feeds(store: Store) -> int:
    """The watched feeds (``conflict-map watch``) with their last success and last error."""
    feeds = store.feeds()
    if not feeds:
        st.caption("No feeds watched yet: `conflict-map watch FEED_URL --store ...`")
        return 0
    failing = sum(1 for r in feed_rows(feeds)[""] if r != "✅")
    st.markdown(f"**{len(feeds)} feed{'s' if len(feeds) != 1 else ''}**"
                + (f", {failing} failing" if failing else ", all answering"))
    st.dataframe(feed_rows(feeds), hide_index=True, width="stretch")
    return len(feeds)


def alerts_badge(store: Store, who: str = "default") -> str:
    """A label with the number of alerts since the previous visit: "Alerts (3 new)"."""
    since = previous_visit(store, who)
    new = store.alert_count(since=since) if since else store.alert_count()
    return f"Alerts ({new} new)" if new else "Alerts"


def render_alerts(store: Store, who: str = "default", limit: int = 50) -> int:
    """The badge (alerts since the previous visit) and the newest alerts: watch, event,
    distance, evidence. Returns the number new since the visit."""
    since = previous_visit(store, who)
    new = store.alert_count(since=since) if since else store.alert_count()
    watched = store.watchlist()
    st.metric("New alerts", new, help="alerts recorded since your last visit")
    if not watched:
        st.caption("No place watched: `conflict-map watchlist add \"Camp Taji\" --radius 25km`")
    else:
        st.caption("Watching " + "; ".join(f"{w['name']} ({w['radius_km']:g} km)"
                                           for w in watched))
    alerts = store.alerts(limit=limit)
    if not alerts:
        st.caption("No alerts yet.")
        return new
    st.dataframe(pd.DataFrame({
        "new": ["●" if since is None or a["created_at"] >= since else "" for a in alerts],
        "watch": [a["watch"] for a in alerts],
        "event": [a["event_type"] for a in alerts],
        "date": [a["date"] for a in alerts],
        "place": [a["place_name"] for a in alerts],
        "km": [round(a["distance_km"], 1) for a in alerts],
        "evidence": [a["evidence"] for a in alerts],
        "source": [a["source"] for a in alerts],
        "recorded": [a["created_at"] for a in alerts],
    }), hide_index=True, width="stretch")
    return new


def rerun_on_change(store: Store, every: float = 30.0, drawn: int | None = None) -> None:
    """Reruns the whole page when the store's write generation moves (a watch or an ingest
    stored events), checked every ``every`` seconds in a fragment: the map shows new events
    without a reload by hand. Call it once per page run; ``drawn`` is the generation that
    run drew (so the page's own writes cause no second run)."""
    if drawn is not None:
        st.session_state[_GENERATION_KEY] = drawn

    @st.fragment(run_every=every)
    def _check() -> None:
        generation = store.generation()
        seen = st.session_state.setdefault(_GENERATION_KEY, generation)
        if generation != seen:
            st.session_state[_GENERATION_KEY] = generation
            st.rerun(scope="app")

    _check()
