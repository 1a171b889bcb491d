"""The timeline: events per week (spans under four months) or per month, by the first day each
date can mean, from the store's counts per day.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st


def timeline(frame: pd.DataFrame) -> pd.DataFrame:
    """Events per week (spans under ~4 months) or per month, by the first day they can mean."""
    if frame.empty or "date_start" not in frame:
        return pd.DataFrame(columns=["events"])
    days = frame["date_start"].dropna().astype(str).value_counts()
    return timeline_from_days(days.to_dict())



def timeline_from_days(by_day: Mapping[str, int]) -> pd.DataFrame:
    """Events per week (spans under ~4 months) or per month from counts per first day (the
    store's ``facets()["by_day"]``): the page never needs the rows for its chart."""
    if not by_day:
        return pd.DataFrame(columns=["events"])
    days = pd.Series(list(by_day.values()),
                     index=pd.to_datetime(list(by_day.keys()), errors="coerce"))
    days = days[days.index.notna()]
    if days.empty:
        return pd.DataFrame(columns=["events"])
    weekly = (days.index.max() - days.index.min()).days < 120
    freq = "W-MON" if weekly else "MS"
    starts = days.index.to_period("W" if weekly else "M").start_time
    counts = days.groupby(starts).sum()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=freq)
    out = counts.reindex(full, fill_value=0).sort_index().astype(int).to_frame("events")
    out.index.name = "week" if weekly else "month"
    return out


def render_timeline(by_day: Mapping[str, int]) -> None:
    """The timeline chart of the store's counts per first day (``facets()["by_day"]``)."""
    st.subheader("Timeline")
    tl = timeline_from_days(by_day)
    if tl.empty:
        st.caption("No dated events.")
    else:
        st.bar_chart(tl, y="events")
