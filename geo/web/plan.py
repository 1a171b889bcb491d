"""What the map draws for a view: every matching point, the points in view, or the store's
counted cells (:func:`plan_map`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.store import Store
from geo.web.kept import event_layers_of
from geo.web.mapview import EventLayers, cell_degrees, split_drawable
from geo.web.views import View, fit_view

#: Up to this zoom the page asks the store for the cells of every filtered event (a few
#: thousand rows, cached) and cuts out the view; closer in, only the view's box is counted.
WHOLE_BINS_MAX_ZOOM = 6


def _cells_in(bins: pd.DataFrame, cell: float,
              box: tuple[float, float, float, float]) -> pd.DataFrame:
    """The cells of ``bins`` that touch the (west, south, east, north) box."""
    west, south, east, north = box
    rows = (bins["row"] * cell - 90.0, (bins["row"] + 1) * cell - 90.0)
    cols = (bins["col"] * cell - 180.0, (bins["col"] + 1) * cell - 180.0)
    keep = (rows[1] >= south) & (rows[0] <= north) & (cols[1] >= west) & (cols[0] <= east)
    return bins[keep].reset_index(drop=True)


@dataclass(frozen=True)
class MapPlan:
    """What the map draws: every matching point, the points in view, or counted cells."""

    mode: str  # "all" (every drawable event), "view" (the points in view) or "bins"
    layers: EventLayers | None  # the events drawn one by one ("all" and "view" modes)
    bins: pd.DataFrame | None  # Store.bins rows, in "bins" mode
    view: View | None  # None in "all" mode: the map fits the events itself
    in_view: int  # drawable events the drawn layers stand for


def plan_map(store: Store, kwargs: Mapping[str, Any], drawable: int, budget: int,
             view: View | None, bounds: Sequence[float] | None) -> MapPlan:
    """Decide what to draw. Up to ``budget`` drawable events in all: every one, as before.
    Above it: the current ``view`` (else one fitting ``bounds``), its box padded by half a
    screen each way so a small pan still has data; cells of the zoom's size when the box holds
    more than ``budget``, else its events."""
    generation = store.generation()  # before the queries: it keys the layers made of them
    if drawable <= budget:
        layers = event_layers_of(store, generation, kwargs,
                                 lambda: drawable_points(store, kwargs))
        return MapPlan("all", layers, None, None, layers.count)
    view = view or fit_view(bounds)
    west, south, east, north = view.bbox
    pad_lon, pad_lat = (east - west) / 2, (north - south) / 2
    box = (max(west - pad_lon, -180.0), max(south - pad_lat, -90.0),
           min(east + pad_lon, 180.0), min(north + pad_lat, 90.0))
    bin_kwargs = {k: v for k, v in kwargs.items() if k != "include_unlocated"}
    cell = cell_degrees(view.zoom)
    # from the store's numpy snapshot (tens of ms) once it is read; SQL until then (the first
    # call starts reading it in the background)
    if view.zoom <= WHOLE_BINS_MAX_ZOOM:
        # the whole filtered set, cached by the store: panning at this zoom costs nothing
        bins = _cells_in(store.fast_bins(cell, wait=False, **bin_kwargs), cell, box)
    else:
        bins = store.fast_bins(cell, bbox=box, wait=False, **bin_kwargs)
    in_view = int(bins["n"].sum()) if not bins.empty else 0
    if in_view > budget:
        return MapPlan("bins", None, bins, view, in_view)
    in_box = {**kwargs, "bbox": box}
    layers = event_layers_of(store, generation, in_box, lambda: drawable_points(store, in_box))
    return MapPlan("view", layers, None, view, layers.count)


def drawable_points(store: Store, kwargs: Mapping[str, Any]) -> pd.DataFrame:
    """The events ``kwargs`` selects that the map can draw as points."""
    return split_drawable(store.query_frame(**{**kwargs, "include_unlocated": False}))[0]
