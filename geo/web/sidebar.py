"""The sidebar: every filter with its counts from the store's facets, started from the URL
once per session and written back to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import streamlit as st

from geo.web.filters import Q_TYPES, FilterError, Filters, filters_from_query, filters_to_query
from geo.web.mapview import TYPE_STYLES


def type_order(t: str) -> int:
    return list(TYPE_STYLES).index(t) if t in TYPE_STYLES else 99


def init_state_from_url(present_types: Iterable[str]) -> None:
    """Once per session: the URL's filters become the widgets' values."""
    if st.session_state.get("_cm_url_loaded"):
        return
    st.session_state["_cm_url_loaded"] = True
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    try:
        f = filters_from_query(params)
    except FilterError as exc:
        st.session_state["_cm_url_error"] = str(exc)
        f = Filters()
    st.session_state["f_types"] = (list(f.types) if f.types is not None
                                   else sorted(present_types, key=type_order))
    st.session_state["f_actors"] = list(f.actors)
    st.session_state["f_countries"] = list(f.countries)
    st.session_state["f_datasets"] = list(f.datasets)
    st.session_state["f_text"] = f.text
    st.session_state["f_min_killed"] = f.min_fatalities or 0
    st.session_state["f_undated"] = f.include_undated
    st.session_state["f_tiles"] = f.online_tiles
    st.session_state["f_unreported"] = f.include_unreported
    if f.since or f.until:
        st.session_state["f_dates_url"] = (f.since, f.until)


def _date_bounds(facets: Mapping[str, Any]) -> tuple[date, date] | None:
    """First and last day the store's events can mean (from its facets, not its rows)."""
    if not facets.get("date_min"):
        return None
    lo = date.fromisoformat(facets["date_min"])
    return lo, max(lo, date.fromisoformat(facets["date_max"] or facets["date_min"]))


def _follow_new_types(present: set[str]) -> None:
    """Types that appear in the store after the session started (an added article) are
    selected too, unless the user had narrowed the selection."""
    known = st.session_state.get("_cm_known_types")
    st.session_state["_cm_known_types"] = present
    if known is None or present <= known:
        return
    chosen = list(st.session_state.get("f_types", []))
    if set(chosen) >= known:
        st.session_state["f_types"] = chosen + sorted(present - set(chosen))


def _follow_date_bounds(lo: date, hi: date) -> None:
    """The date widget starts at the store's full range (or the URL's range) and follows the
    range as events are added, unless the user had narrowed it."""
    url_range = st.session_state.pop("f_dates_url", None)
    old = st.session_state.get("_cm_date_bounds")
    st.session_state["_cm_date_bounds"] = (lo, hi)
    if url_range:
        st.session_state["f_dates"] = (url_range[0] or lo, url_range[1] or hi)
    elif "f_dates" not in st.session_state or st.session_state["f_dates"] == old:
        st.session_state["f_dates"] = (lo, hi)


def _counted(counts: Mapping[str, int], chosen: Iterable[str]) -> list[str]:
    """Options of a multiselect: the store's values, commonest first, plus any chosen value
    the store no longer has (a shared link), so the widget keeps it."""
    return list(dict.fromkeys([*counts, *chosen]))


def sidebar_filters(facets: Mapping[str, Any]) -> Filters:
    """The sidebar: every filter, with counts from the store's facets."""
    sb = st.sidebar
    sb.header("Filters")
    by_type = facets["by_type"]
    _follow_new_types(set(by_type))
    type_options = sorted(set(by_type) | set(st.session_state.get("f_types", [])),
                          key=type_order)
    # pills, not a multiselect: a multiselect holding every type (the default) showed its 13
    # chips in a box that had to be scrolled; pills wrap and show every type, each on or off
    types = sb.pills(
        "Event types", type_options, selection_mode="multi", key="f_types",
        format_func=lambda t: f"{TYPE_STYLES[t].label if t in TYPE_STYLES else t} "
                              f"({by_type.get(t, 0):,})")
    since = until = None
    bounds = _date_bounds(facets)
    if bounds:
        lo, hi = bounds
        _follow_date_bounds(lo, hi)
        current = st.session_state["f_dates"]
        picked = sb.date_input("Date range", key="f_dates",
                               min_value=min(lo, current[0]) if current else lo,
                               max_value=max(hi, current[-1]) if current else hi)
        if isinstance(picked, Sequence) and len(picked) == 2:
            since = picked[0] if picked[0] > lo else None
            until = picked[1] if picked[1] < hi else None
    include_undated = sb.checkbox("Include undated events", key="f_undated")
    unreported = sb.checkbox("Show planned, threatened and denied events", key="f_unreported",
                             help="Events a report says are planned or threatened, or that a "
                                  "party denies: left out unless asked, marked when shown.")
    multis = {}
    for key, label, counts in (("f_actors", "Actors", facets["actors"]),
                               ("f_countries", "Country", facets["by_country"]),
                               ("f_datasets", "Dataset / source", facets["by_dataset"])):
        options = _counted(counts, st.session_state.get(key, []))
        multis[key] = sb.multiselect(label, options, key=key,
                                     format_func=lambda v, c=counts: f"{v} ({c.get(v, 0):,})")
    text = sb.text_input("Search text (place, evidence, source, actor)", key="f_text")
    min_killed = sb.number_input("Minimum killed", min_value=0, step=1, key="f_min_killed")
    online = sb.checkbox("Online OpenStreetMap tiles (needs internet)", key="f_tiles")
    return Filters(
        types=tuple(types), since=since, until=until, actors=tuple(multis["f_actors"]),
        countries=tuple(multis["f_countries"]), datasets=tuple(multis["f_datasets"]),
        text=text, min_fatalities=int(min_killed) or None, include_undated=include_undated,
        online_tiles=online, include_unreported=unreported,
    )


def sync_url(f: Filters, all_types: Iterable[str]) -> None:
    q = filters_to_query(f)
    if f.types is not None and set(f.types) == set(all_types):
        q.pop(Q_TYPES, None)  # "all types" is the default: keep the link short
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in q.items()}
    if current != wanted:
        st.query_params.from_dict(q)
