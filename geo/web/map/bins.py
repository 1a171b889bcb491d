"""Counted cells: the store's per-(cell, type) counts drawn as sized SVG circles coloured by
each cell's commonest type, for views holding more events than a browser draws one by one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from branca.element import Element, MacroElement
from folium.template import Template

from geo.web.map.style import MAX_ZOOM, TYPE_STYLES
from geo.web.map.text import escape_text

#: Cells are about this many screen pixels wide at the zoom they are made for.
BIN_PIXELS = 40
#: Radius range of a bin's circle, in pixels (area grows with the log of its count).
BIN_RADIUS = (5.0, 22.0)
#: Event types named in a bin's popup.
BIN_TOP_TYPES = 3


def cell_degrees(zoom: float) -> float:
    """Cell size in degrees for a zoom level: a 256-pixel Web Mercator tile spans
    360 / 2**zoom degrees of longitude, so cells stay :data:`BIN_PIXELS` wide on screen."""
    z = min(max(float(zoom), 0.0), float(MAX_ZOOM))
    return 360.0 / (2.0 ** z) * BIN_PIXELS / 256.0


def bin_cells(bins: pd.DataFrame) -> pd.DataFrame:
    """One row per cell from the store's per-(cell, type) counts: ``lat``, ``lon`` (mean
    position of its events), ``n`` and ``types`` (list of (type, n), largest first)."""
    if bins.empty:
        return pd.DataFrame(columns=["lat", "lon", "n", "types"])
    work = bins.assign(wlat=bins["lat"] * bins["n"], wlon=bins["lon"] * bins["n"])
    work = work.sort_values(["row", "col", "n"], ascending=[True, True, False])
    grouped = work.groupby(["row", "col"], sort=False)
    cells = grouped[["n", "wlat", "wlon"]].sum()
    cells["lat"], cells["lon"] = cells["wlat"] / cells["n"], cells["wlon"] / cells["n"]
    cells["types"] = grouped.apply(
        lambda g: list(zip(g["event_type"], g["n"].astype(int), strict=True)),
        include_groups=False)
    return cells[["lat", "lon", "n", "types"]].reset_index(drop=True)


def bin_popup(n: int, types: Sequence[tuple[str, int]]) -> str:
    """A bin's popup: how many events and the commonest types (labels are ours, not text
    from articles, but escaped all the same)."""
    items = "".join(
        f"<li>{escape_text(TYPE_STYLES[t].label if t in TYPE_STYLES else t)}: {int(k):,}</li>"
        for t, k in list(types)[:BIN_TOP_TYPES])
    more = len(types) - BIN_TOP_TYPES
    if more > 0:
        items += f"<li>and {more} more type(s)</li>"
    return (f"<div class='cm-bin'><b>{int(n):,} events</b> here"
            f"<ul style='margin:4px 0 0 0;padding-left:16px'>{items}</ul>"
            "<small>Zoom in to see them one by one.</small></div>")


def bin_radius(n: int, largest: int) -> float:
    """Circle radius: log scale between :data:`BIN_RADIUS` (1 event .. the largest bin)."""
    low, high = BIN_RADIUS
    if largest <= 1:
        return low
    return low + (high - low) * math.log(max(n, 1)) / math.log(largest)


class BinLayer(MacroElement):
    """Counted cells drawn as SVG circle markers, one JS loop over plain rows.

    SVG, not canvas: a view holds at most a few thousand cells, which SVG draws in
    milliseconds, and an SVG takes the pointer only on its circles, so the basemap's country
    tooltips still show between them (a canvas takes it over the whole map). The map's
    container gets ``data-cm-bins`` (cells) and ``data-cm-binned`` (events in them), so a
    test or a user script can read what was drawn without walking the layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function () {
            var group = {{ this.get_name() }};
            var renderer = L.svg({padding: 0.5});
            var rows = {{ this.rows|tojson }};
            var total = 0;
            rows.forEach(function (r) {
                total += r[2];
                L.circleMarker([r[0], r[1]], {renderer: renderer, radius: r[3], color: r[4],
                    weight: 1, fillColor: r[4], fillOpacity: 0.55})
                  .bindPopup(r[5], {maxWidth: 320})
                  .bindTooltip(r[2].toLocaleString() + ' events')
                  .addTo(group);
            });
            // the layer may be swapped for the next view's (st_folium feature groups): take
            // its renderer and its counts off the map with it
            group.on('add', function () {
                var box = group._map.getContainer();
                box.dataset.cmBins = rows.length;
                box.dataset.cmBinned = total;
            });
            group.on('remove', function () {
                var map = group._map;  // still set while 'remove' fires
                if (!map) { return; }
                if (map.hasLayer(renderer)) { map.removeLayer(renderer); }
                delete map.getContainer().dataset.cmBins;
                delete map.getContainer().dataset.cmBinned;
            });
            group.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], name: str) -> None:
        super().__init__()
        self._name = "BinLayer"
        self.layer_name = name
        self.rows = rows


def add_bins(m: Element, bins: pd.DataFrame, name: str = "Events, counted per cell (zoom in "
             "for points)") -> BinLayer:
    """The store's per-(cell, type) counts (``EventStore.bins``) as sized circles coloured by
    each cell's commonest type, with a popup of its count and top types."""
    cells = bin_cells(bins)
    largest = int(cells["n"].max()) if not cells.empty else 1
    rows = []
    for cell in cells.itertuples(index=False):
        top = cell.types[0][0]
        colour = TYPE_STYLES[top].hex if top in TYPE_STYLES else "#555555"
        rows.append([round(float(cell.lat), 5), round(float(cell.lon), 5), int(cell.n),
                     round(bin_radius(int(cell.n), largest), 1), colour,
                     bin_popup(int(cell.n), cell.types)])
    layer = BinLayer(rows, name)
    layer.add_to(m)
    return layer


#: Name (layer control) of the group holding counted cells.
BINS_LAYER_NAME = "Events, counted per cell (zoom in for points)"
