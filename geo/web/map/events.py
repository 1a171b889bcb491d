"""The event layers: one toggleable, clustered layer per kind of event, as a ``folium.Marker``
each (few events) or as plain rows drawn in the browser by one loop (:class:`EventCluster`,
above :data:`FAST_PATH_THRESHOLD`); and the layers as plain data a page can keep between runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import folium
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink
from folium.plugins import MarkerCluster
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from geo.web.map.assets import APP_ASSET_BASE, vendored
from geo.web.map.popups import popup_html, popup_parts, tooltip_text
from geo.web.map.records import REPORTED, check_row, status_of
from geo.web.map.style import EVENT_LAYERS, TYPE_STYLES

#: Above this many drawn events the map uses one EventCluster per layer (rows of plain
#: data drawn in the browser) instead of one Python ``folium.Marker`` per event (with its
#: Popup, Tooltip and Icon objects): measured here, 2,000 such markers take 0.9 s to build and
#: 7.6 s to render, while the fast path builds and renders 10,000 in under 5 s.
FAST_PATH_THRESHOLD = 500


#: The opacity of the marker of an event not reported as having happened (planned,
#: threatened, denied: shown only when the sidebar asks), so it stands apart on the map too.
UNREPORTED_OPACITY = 0.5


def _marker(row: dict[str, Any]) -> folium.Marker:
    style = TYPE_STYLES[row["event_type"]]
    faded = {} if status_of(row) == REPORTED else {"opacity": UNREPORTED_OPACITY}
    return folium.Marker(
        location=(float(row["lat"]), float(row["lon"])),
        icon=folium.Icon(color=style.color, icon=style.icon, prefix="fa"),
        popup=folium.Popup(popup_html(row), max_width=420),
        tooltip=folium.Tooltip(tooltip_text(row)), **faded,
    )


class _RawScript(Element):
    """Already-rendered JavaScript, added to the page as is.

    branca turns each element's rendered script back into a Jinja template (``Element(text)``),
    so a layer carrying 100,000 events would be lexed by Jinja once more: about 5 s per
    30,000 events. A constant template avoids that."""

    _template = Template("{{ this.text|safe }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


@dataclass(frozen=True)
class ClusterData:
    """What an :class:`EventCluster` draws: ``rows`` of ``[lat, lon, style, piece, piece,
    ...]``, the ``styles`` (colour and icon, and the opacity of an event not reported) of
    the rows' types and the popup ``pieces``."""

    rows: list[list[float | int]]
    styles: list[list[str | float]]
    pieces: list[str]

    @cached_property
    def json(self) -> dict[str, str]:
        """``rows``, ``styles`` and ``pieces`` as a template's ``|tojson`` writes them, made
        once: a page that keeps its layers (``webapp.event_layers_of``) renders the map again
        on every run, and serialising the rows was 40 % of that (0.16 s at 10,000 events)."""
        env = EventCluster._template.environment
        return {k: htmlsafe_json_dumps(getattr(self, k), env.policies["json.dumps_function"],
                                       **env.policies["json.dumps_kwargs"])
                for k in ("rows", "styles", "pieces")}


def _style_key(row: dict[str, Any]) -> tuple[str | float, ...]:
    """A row's style: its type's colour and icon, and the opacity of an event not reported."""
    style = TYPE_STYLES[row["event_type"]]
    if status_of(row) == REPORTED:
        return (style.color, style.icon)
    return (style.color, style.icon, UNREPORTED_OPACITY)


def cluster_data(records: Sequence[dict[str, Any]]) -> ClusterData:
    """Events as :class:`ClusterData`: each style and each popup piece once, rows indexing
    them."""
    styles: dict[tuple[str | float, ...], int] = {}
    pieces: dict[str, int] = {}
    rows: list[list[float | int]] = []
    for row in records:
        out: list[float | int] = [float(row["lat"]), float(row["lon"]),
                                  styles.setdefault(_style_key(row), len(styles))]
        out += [pieces.setdefault(p, len(pieces)) for p in popup_parts(row, compact=True)]
        rows.append(out)
    return ClusterData(rows, [list(s) for s in styles], list(pieces))


class EventCluster(MarkerCluster):
    """A clustered layer of thousands of events, drawn in the browser from plain rows.

    Each row is ``[lat, lon, style, piece, piece, ...]`` (:func:`cluster_data`): an index into
    ``styles`` (colour and icon of an event type; one Leaflet icon each, shared by its
    markers) and indexes into ``pieces``, the popup pieces of :func:`popup_parts`, each sent
    once however many events share it. A popup's HTML is joined only when it opens. Sent this
    way the 10,000 events of the bench's store take 4.1 MB instead of 10.6 MB as one HTML
    popup string each (docs/map.md, "Speed").
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var pieces = {{ this.data.json.pieces }};
            var styles = {{ this.data.json.styles }};
            var icons = styles.map(function (s) {
                return L.AwesomeMarkers.icon({icon: s[1], prefix: 'fa', markerColor: s[0]});
            });
            var rows = {{ this.data.json.rows }};
            var popup = function (marker) {
                var row = marker.options.cmRow, html = '';
                for (var j = 3; j < row.length; j++) { html += pieces[row[j]]; }
                return html;
            };
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            var markers = new Array(rows.length);
            for (var i = 0; i < rows.length; i++) {
                var row = rows[i];
                markers[i] = L.marker([row[0], row[1]], {icon: icons[row[2]], cmRow: row,
                                                         opacity: styles[row[2]][2] || 1})
                    .bindPopup(popup, {maxWidth: 420});
            }
            cluster.addLayers(markers);
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
        {% endmacro %}"""
    )

    def __init__(self, data: ClusterData, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True)
        self._name = "EventCluster"
        self.data = data

    def render(self, **kwargs: Any) -> None:
        """Render once, skipping branca's second templating pass of the (large) script."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_RawScript(script(self, kwargs)), name=self.get_name())


@dataclass(frozen=True)
class EventLayerData:
    """One layer of :data:`EVENT_LAYERS` ready to draw: above the fast-path threshold as
    :class:`ClusterData`, else the events' records (one ``folium.Marker`` each). Plain data:
    a page can keep it between runs (``webapp.event_layers_of``)."""

    name: str
    cluster: ClusterData | None = None
    records: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class EventLayers:
    """The event layers of a map ready to draw, with what the map needs of the events besides:
    the types drawn (its legend), how many events (a page's count line) and where they are
    (its fit: the box and the mean point). Plain data: a page keeps it between runs
    (``webapp.event_layers_of``), and a map made of it needs neither the events nor a query."""

    layers: tuple[EventLayerData, ...] = ()
    types: frozenset[str] = frozenset()
    count: int = 0
    #: (south, west, north, east) of the events, None without events
    box: tuple[float, float, float, float] | None = None
    #: their mean latitude and longitude, None without events
    centre: tuple[float, float] | None = None


def event_layer_data(drawn: pd.DataFrame, *, fast_threshold: int = FAST_PATH_THRESHOLD
                     ) -> EventLayers:
    """The layers of :data:`EVENT_LAYERS` that have events among ``drawn`` (located events),
    on the fast path above ``fast_threshold`` events in all."""
    records = drawn.to_dict("records")
    for row in records:
        check_row(row)
    fast = len(records) > fast_threshold
    layers = []
    for name, types in EVENT_LAYERS:
        rows = [r for r in records if r["event_type"] in types]
        if rows:
            layers.append(EventLayerData(name, cluster_data(rows)) if fast
                          else EventLayerData(name, records=rows))
    if drawn.empty:
        return EventLayers(tuple(layers))
    lats, lons = drawn["lat"].astype(float), drawn["lon"].astype(float)
    return EventLayers(tuple(layers), frozenset(drawn["event_type"]), len(drawn),
                       (lats.min(), lons.min(), lats.max(), lons.max()),
                       (float(lats.mean()), float(lons.mean())))


def add_event_layer(m: Element, layer: EventLayerData,
                    asset_base: str = APP_ASSET_BASE) -> folium.Layer:
    """One toggleable, clustered layer of events: an :class:`EventCluster` (compact popups,
    no tooltips), or a ``folium.Marker`` per event with a full popup and a tooltip; its
    scripts from ``asset_base`` (:func:`~geo.web.map.assets.vendored`)."""
    drawn: folium.Layer
    if layer.cluster is not None:
        drawn = vendored(EventCluster(layer.cluster, layer.name), asset_base)
    else:
        drawn = vendored(MarkerCluster(name=layer.name, overlay=True, control=True),
                         asset_base)
        for row in layer.records or ():
            _marker(row).add_to(drawn)
    drawn.add_to(m)
    return drawn
