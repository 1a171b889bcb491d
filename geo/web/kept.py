"""What the page keeps between its runs and sessions (Streamlit's ``cache_resource``): the
store connection, the gazetteer and its reference places, and the map layers and table rows
of a store generation and filters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from geo.config import Settings
from geo.gazetteer import Gazetteer
from geo.model import SITE_KINDS, Place
from geo.pipeline import seed_store_if_empty
from geo.store import Store
from geo.store import open_store as open_any_store
from geo.web.filters import filters_key
from geo.web.mapview import EventLayers, event_layer_data
from geo.web.table import table_frame


@st.cache_resource(show_spinner=False)
def open_store(location: str) -> Store:
    """One store per process and location (a folder or a postgresql:// URL): SQLite's WAL and
    PostgreSQL's snapshots let the page's sessions read it at once."""
    return open_any_store(location)


def event_layers_of(store: Store, generation: int, kwargs: Mapping[str, Any],
                    points: Callable[[], pd.DataFrame]) -> EventLayers:
    """The map layers of the drawable events ``kwargs`` selects from ``store`` at
    ``generation`` (:meth:`Store.generation`, read before any query); ``points`` queries
    them, only when they are not kept yet. Kept per store, generation and filters: every run
    of the page draws the map again (a held first run and its rerun, a row selected in the
    table, a form filled in), and making the layers is most of what building a big map takes
    (0.6 of 0.64 s at 10,000 events; the query 0.15-0.2 s more)."""
    return kept_event_layers(store.location, generation, filters_key(kwargs), points)


@st.cache_resource(max_entries=4, show_spinner=False)
def kept_event_layers(path: str, generation: int, filters: str,
                      _points: Callable[[], pd.DataFrame]) -> EventLayers:
    """:func:`event_layers_of`'s cache: the leading underscore keeps the query out of the key
    (path, generation and filters stand for it). The layers are shared, never changed.
    ``kept_event_layers.clear()`` empties it (the map bench times views as first asked)."""
    return event_layer_data(_points())


def table_rows_of(store: Store, generation: int, kwargs: Mapping[str, Any],
                  limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events ``kwargs`` selects (the first ``limit`` by date, or all) and the events
    table made of them (:func:`table_frame`), kept like the map's layers: a rerun at the same
    filters (a row selected) read and shaped every row again (0.2 s at 10,000 events)."""
    return kept_table_rows(store.location, generation, filters_key(kwargs), limit,
                           lambda: store.query_frame(**kwargs, limit=limit))


@st.cache_resource(max_entries=2, show_spinner=False)
def kept_table_rows(path: str, generation: int, filters: str, limit: int | None,
                    _query: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`table_rows_of`'s cache (2 entries: the 20,000 events of the point budget are
    about 40 MB of rows and table). The frames are shared, never changed."""
    frame = _query()
    return frame, table_frame(frame)


@st.cache_resource(show_spinner="Filling the store from seeds/ ...")
def seed_once(settings: Settings) -> int:
    """Fill an empty store from ``seeds/`` once per process, so a fresh start shows a map."""
    return int(seed_store_if_empty(settings) or 0)


@st.cache_resource(show_spinner="Loading the gazetteer ...")
def load_gazetteer(settings: Settings) -> Gazetteer:
    """The gazetteer, loaded once per process (its pickle cache makes that about a second)."""
    return Gazetteer.load(settings)


#: The region whose gazetteer sites and crossings are drawn for context (the basemap's extent).
REFERENCE_CENTER, REFERENCE_KM = (33.0, 42.5), 1300.0


def reference_places_of(gazetteer: Gazetteer) -> tuple[list[Place], list[Place]]:
    """(sites, crossings) of the gazetteer around Iraq and Syria, for the reference layers."""
    sites = [p for p, _km in gazetteer.nearest(*REFERENCE_CENTER, kinds=SITE_KINDS,
                                               limit=5000, max_km=REFERENCE_KM)]
    crossings = [p for p, _km in gazetteer.nearest(*REFERENCE_CENTER, kinds={"border_crossing"},
                                                   limit=5000, max_km=REFERENCE_KM)]
    return sites, crossings


@st.cache_resource(show_spinner=False)
def reference_layers(_gazetteer: Gazetteer, settings: Settings) -> tuple[list[Place], list[Place]]:
    """:func:`reference_places_of`, once per process. ``settings`` keys the cache (the
    leading underscore keeps the gazetteer out of the key)."""
    return reference_places_of(_gazetteer)
