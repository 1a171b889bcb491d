"""Downloads of the filtered events as GeoJSON and CSV, built only when a button is clicked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo.formats import flat_frame, to_geojson
from geo.store import Store


def render_downloads(store: Store, kwargs: Mapping[str, Any], total: int) -> None:
    """The filtered events as GeoJSON and CSV (the export module's formats), read from the
    store only when a button is clicked: a million rows are not built on every rerun."""
    def geojson() -> str:
        return json.dumps(to_geojson(store.query_frame(**kwargs)), ensure_ascii=False)

    def csv() -> str:
        return flat_frame(store.query_frame(**kwargs), actors_sep="; ").to_csv(
            index=False, lineterminator="\n")

    col1, col2 = st.columns(2)
    col1.download_button(f"Download GeoJSON ({total:,} events)", geojson,
                         file_name="events.geojson", mime="application/geo+json",
                         key="cm_dl_geojson", on_click="ignore")
    col2.download_button(f"Download CSV ({total:,} events)", csv, file_name="events.csv",
                         mime="text/csv", key="cm_dl_csv", on_click="ignore")
