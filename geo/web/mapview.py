"""The Folium map: offline basemap, event layers, legend, popups, vendored assets.

Every map feature is one function (or element class) that adds itself to a ``folium.Map``, so the
Streamlit page, the CLI and tests compose the same pieces. The map works with no network: the
basemap is Natural Earth vector data shipped in ``data/basemap/`` and every JS/CSS/font asset
folium would fetch from a CDN is pointed at the copy vendored in ``static/vendor/``
(see :func:`localise_assets`). Article text is untrusted: everything shown in a popup, tooltip
or legend goes through :func:`escape_text` first.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import folium
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.plugins import MarkerCluster
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps

from geo.config import BASEMAP_DATA_DIR, STATIC_DIR
from geo.model import ATTACK_TYPES, EVENT_COLUMNS, GEO_PRECISION, TIME_PRECISION, Event, Place

#: Where Streamlit serves ``static/vendor`` (``[server] enableStaticServing = true``).
APP_ASSET_BASE = "/app/static/vendor"
VENDOR_DIR = STATIC_DIR / "vendor"

#: The map's scripts (folium's asset name -> the vendored file), served as one file in this
#: order: streamlit-folium loads a map's scripts one after another, a round trip each, and
#: one file drew a fresh map about 0.3 s sooner (docs/performance.md section 4).
MAP_SCRIPTS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "jquery": "jquery/jquery.min.js",  # folium's popups are built with it
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.min.js",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
}
#: The file in ``static/vendor`` holding :data:`MAP_SCRIPTS` (written by
#: ``scripts/bundle_map_scripts.py``; a test checks it is current).
MAP_SCRIPTS_BUNDLE = "map-scripts.js"
#: folium's asset names -> the vendored file (relative to ``static/vendor``).
VENDORED_ASSETS: dict[str, str] = {
    **{name: MAP_SCRIPTS_BUNDLE for name in MAP_SCRIPTS},
    "leaflet_css": "leaflet/leaflet.css",
    "bootstrap_css": "bootstrap/bootstrap.min.css",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
}
#: folium assets the map does not use (Bootstrap's script, Bootstrap 3 glyph icons, icon
#: rotation): left out.
UNUSED_ASSETS: frozenset[str] = frozenset({"bootstrap", "glyphicons_css", "awesome_rotate_css"})


def map_scripts_text(vendor_dir: Path = VENDOR_DIR) -> str:
    """The text of :data:`MAP_SCRIPTS_BUNDLE`: each script unchanged, in order, after a
    comment naming its file."""
    return "".join(f"/* static/vendor/{rel} (see SOURCES.md) */\n"
                   f"{(vendor_dir / rel).read_text(encoding='utf-8')}\n;\n"
                   for rel in MAP_SCRIPTS.values())


#: Above this many drawn events the map uses one EventCluster per layer (rows of plain
#: data drawn in the browser) instead of one Python ``folium.Marker`` per event (with its
#: Popup, Tooltip and Icon objects): measured here, 2,000 such markers take 0.9 s to build and
#: 7.6 s to render, while the fast path builds and renders 10,000 in under 5 s.
FAST_PATH_THRESHOLD = 500
#: Evidence longer than this is cut in the compact (fast path) popup.
COMPACT_EVIDENCE_CHARS = 300

DEFAULT_CENTER = (34.0, 42.0)  # between Baghdad and Deir ez-Zor: the Iraq-Syria theatre
DEFAULT_ZOOM = 6
MAX_ZOOM = 18


@dataclass(frozen=True)
class TypeStyle:
    """How one event type looks: an awesome-markers colour, a Font Awesome icon, a label."""

    label: str
    color: str  # an awesome-markers markerColor
    icon: str  # a Font Awesome 6 solid icon name
    hex: str  # the same colour for the legend


TYPE_STYLES: dict[str, TypeStyle] = {
    "rocket_attack": TypeStyle("Rocket attack", "red", "rocket", "#d63e2a"),
    "missile_attack": TypeStyle("Missile attack", "darkred", "meteor", "#a23336"),
    "shelling": TypeStyle("Shelling / artillery", "gray", "explosion", "#575757"),
    "air_strike": TypeStyle("Air strike", "purple", "jet-fighter", "#d252b9"),
    "drone_strike": TypeStyle("Drone strike", "darkpurple", "crosshairs", "#5b396b"),
    "bombing": TypeStyle("Bombing", "orange", "bomb", "#f69730"),
    "armed_clash": TypeStyle("Armed clash", "black", "gun", "#303030"),
    "other_attack": TypeStyle("Other attack", "lightred", "burst", "#ff8e7f"),
    "base": TypeStyle("Base / airfield", "darkblue", "shield-halved", "#0067a3"),
    "border_crossing": TypeStyle("Border crossing", "cadetblue", "road", "#436978"),
    "withdrawal": TypeStyle("Withdrawal", "green", "right-from-bracket", "#72b026"),
    "handover": TypeStyle("Handover", "darkgreen", "handshake", "#728224"),
    "territory_change": TypeStyle("Territory change", "beige", "flag", "#ffcb92"),
}

#: The toggleable event layers, in legend order: (layer name, event types in it).
EVENT_LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Attacks", tuple(t for t in TYPE_STYLES if t in ATTACK_TYPES)),
    ("Bases and airfields", ("base",)),
    ("Border crossings", ("border_crossing",)),
    ("Withdrawals and handovers", ("withdrawal", "handover")),
    ("Territory changes", ("territory_change",)),
)
LAYER_OF_TYPE: dict[str, str] = {t: name for name, types in EVENT_LAYERS for t in types}


class MapInputError(ValueError):
    """The map was given something it cannot draw (unknown type, bad coordinates, no asset)."""


# --- escaping ---------------------------------------------------------------------------------

#: HTML's special characters (as ``html.escape(quote=True)`` writes them) and those of JS
#: template literals (see :func:`escape_text`), replaced in one pass.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                          "\\": "&#92;", "`": "&#96;", "$": "&#36;"})
_NEEDS_ESCAPE = re.compile(r"[&<>\"'\\`$]")


def escape_text(value: Any) -> str:
    """HTML-escape untrusted text, and make it inert inside folium's JS template literals.

    folium puts popup and tooltip HTML inside JavaScript backtick strings and only escapes the
    backtick itself, so ``${...}`` or a trailing backslash in an article would still run as
    code. Replacing ``\\``, `````, ``$`` with HTML entities closes that hole; the browser shows
    the same characters.
    """
    text = "" if value is None else str(value)
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def highlight(text: str, needle: str | None) -> str:
    """Escaped ``text`` with each case-insensitive occurrence of ``needle`` in ``<mark>``."""
    return "".join(highlight_parts(text, needle))


def highlight_parts(text: str, needle: str | None) -> list[str]:
    """:func:`highlight` in pieces: escaped text, and ``<mark>`` and ``</mark>`` on their own."""
    needle = (needle or "").strip()
    low, low_needle = text.lower(), needle.lower()
    if not needle or len(low) != len(text) or len(low_needle) != len(needle):
        # no needle, or lower-casing changed lengths (rare scripts): offsets would not match
        return [escape_text(text)]
    out, pos = [], 0
    while (hit := low.find(low_needle, pos)) >= 0:
        end = hit + len(needle)
        out += [escape_text(text[pos:hit]), "<mark>", escape_text(text[hit:end]), "</mark>"]
        pos = end
    out.append(escape_text(text[pos:]))
    return out


def _safe_href(url: str) -> str | None:
    """An http(s) URL fit for ``href``; anything else (``javascript:``, files) is not linked."""
    return url if re.match(r"^https?://[^\s<>\"'`]+$", url or "") else None


# --- event records ----------------------------------------------------------------------------

def _missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (store frames hold nullable Int64 casualty counts)."""
    if value is None or isinstance(value, (str, list, tuple, dict)):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return None if _missing(value) else value


def _as_list(value: Any) -> list[Any]:
    """Actors and sources arrive as lists, JSON text, numpy arrays or NaN: always a list."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        value = value.strip()
        return json.loads(value) if value.startswith("[") else ([value] if value else [])
    return list(value)


def events_frame(events: pd.DataFrame | Iterable[Event]) -> pd.DataFrame:
    """A frame with the columns of ``EVENT_COLUMNS`` from a frame or from ``Event`` objects."""
    if isinstance(events, pd.DataFrame):
        missing = [c for c in ("event_type", "lat", "lon") if c not in events.columns]
        if missing:
            raise MapInputError(f"event frame lacks column(s): {', '.join(missing)}")
        return events
    rows = [e.to_properties() for e in events]
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def is_drawable(row: dict[str, Any]) -> bool:
    """A point the map can honestly draw: located, not an aggregate of many places."""
    lat, lon = _value(row, "lat"), _value(row, "lon")
    return lat is not None and lon is not None and not bool(_value(row, "aggregate"))


def split_drawable(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(drawn, listed): unlocated (country-only) and aggregate events are listed, not drawn."""
    if frame.empty:
        return frame, frame
    located = frame["lat"].notna() & frame["lon"].notna()
    aggregate = (
        frame["aggregate"].fillna(False).astype(bool) if "aggregate" in frame else False
    )
    drawn = located & ~aggregate
    return frame[drawn], frame[~drawn]


def _check_row(row: dict[str, Any]) -> None:
    etype = row.get("event_type")
    if etype not in TYPE_STYLES:
        raise MapInputError(f"unknown event type {etype!r} (event {row.get('id')})")
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise MapInputError(f"coordinates out of range: {lat}, {lon} (event {row.get('id')})")


# --- popups -----------------------------------------------------------------------------------

def _date_line(row: dict[str, Any]) -> str:
    date = _value(row, "date")
    if not date:
        return "undated"
    precision = _value(row, "time_precision")
    label = TIME_PRECISION.get(int(precision)) if precision is not None else None
    return f"{escape_text(date)}" + (f" <small>({escape_text(label)})</small>" if label else "")


def _place_line(row: dict[str, Any]) -> str:
    name = _value(row, "place_name") or _value(row, "place") or "unknown place"
    written = _value(row, "place")
    precision = _value(row, "geo_precision")
    label = GEO_PRECISION.get(int(precision)) if precision is not None else None
    out = escape_text(name)
    if written and written != name:
        out += f" <small>(“{escape_text(written)}”)</small>"
    if _value(row, "country"):
        out += f", {escape_text(row['country'])}"
    return out + (f" <small>[{escape_text(label)}]</small>" if label else "")


def _casualties_line(row: dict[str, Any]) -> str:
    killed, wounded = _value(row, "killed"), _value(row, "wounded")
    k = "?" if killed is None else str(int(killed))
    w = "?" if wounded is None else str(int(wounded))
    return f"killed {k}, wounded {w}"


def _source_parts(row: dict[str, Any], limit: int | None) -> list[str]:
    """The popup's list of sources, at most ``limit`` and a count of the rest, in pieces."""
    sources = _as_list(row.get("sources"))
    if not sources and _value(row, "source"):
        sources = [{"source": row["source"], "title": "", "published": None}]
    shown = sources[:limit] if limit else sources
    parts = ["<ul class='cm-sources'>"] if sources else []
    for src in shown:
        where = str(src.get("source", "")) if isinstance(src, dict) else str(src)
        title = src.get("title") if isinstance(src, dict) else ""
        published = src.get("published") if isinstance(src, dict) else None
        label = escape_text(title or where)
        href = _safe_href(where)
        parts += (["<li><a href=\"", escape_text(href),
                   "\" target=\"_blank\" rel=\"noopener noreferrer\">", label, "</a>"]
                  if href else ["<li>", label])
        parts.append(f" ({escape_text(published)})</li>" if published else "</li>")
    if len(sources) > len(shown):
        parts.append(f"<li>and {len(sources) - len(shown)} more</li>")
    return parts + ["</ul>"] if sources else parts


def popup_parts(row: dict[str, Any], *, compact: bool = False) -> list[str]:
    """The popup of one event in pieces (:func:`popup_html` joins them): the event's id and
    evidence, and pieces that many events share (type, date, place, casualties, actors, each
    source), so that a layer of thousands can send each shared piece once
    (:class:`EventCluster`). All article text is escaped.

    ``compact`` (the fast path) cuts the evidence and lists at most three sources.
    """
    style = TYPE_STYLES[row["event_type"]]
    evidence = str(_value(row, "evidence") or "")
    if compact and len(evidence) > COMPACT_EVIDENCE_CHARS:
        evidence = evidence[:COMPACT_EVIDENCE_CHARS] + "…"
    actors = ", ".join(str(a) for a in _as_list(row.get("actors"))) or "not stated"
    parts = [
        "<div class='cm-popup' data-event-id='", escape_text(row.get("id", "")),
        f"'><b style='color:{style.hex}'>{escape_text(style.label)}</b>",
        f"<br><b>Date:</b> {_date_line(row)}",
        f"<br><b>Place:</b> {_place_line(row)}",
        f"<br><b>Casualties:</b> {_casualties_line(row)}",
        f"<br><b>Actors:</b> {escape_text(actors)}",
    ]
    if evidence:
        parts += ["<blockquote class='cm-evidence'>",
                  *highlight_parts(evidence, _value(row, "place") or _value(row, "place_name")),
                  "</blockquote>"]
    parts += ["<b>Sources:</b>", *_source_parts(row, 3 if compact else None), "</div>"]
    return [p for p in parts if p]


def popup_html(row: dict[str, Any], *, compact: bool = False) -> str:
    """The popup of one event: every field an analyst checks, all article text escaped.

    ``compact`` (the fast path) cuts the evidence and lists at most three sources, because the
    popup text travels in the page for every one of many thousand events.
    """
    return "".join(popup_parts(row, compact=compact))


def tooltip_text(row: dict[str, Any]) -> str:
    """One escaped line: type, place, date."""
    style = TYPE_STYLES[row["event_type"]]
    place = _value(row, "place_name") or _value(row, "place") or ""
    return escape_text(f"{style.label}: {place} ({_value(row, 'date') or 'undated'})")


# --- map elements -----------------------------------------------------------------------------

class MapSetup(MacroElement):
    """Script run right after the map exists: Leaflet's image path and the data attribution.

    ``st_folium`` loads Leaflet's CSS after its JS, so Leaflet cannot guess where its default
    marker images live; we say it explicitly.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
            {{ this._parent.get_name() }}.attributionControl.addAttribution(
                {{ this.attribution|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, asset_base: str, attribution: str) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.image_path = asset_base.rstrip("/") + "/leaflet/images/"
        self.attribution = attribution


#: The message a page posts to its map's frame to put the map at a point (FocusOnMessage).
FOCUS_MESSAGE = "conflict-map:focus"


class FocusOnMessage(MacroElement):
    """Puts the map where its page asks: a message ``{type: FOCUS_MESSAGE, id, lat, lon,
    zoom}`` from a frame of the map's own origin moves the map there, and is answered with
    ``{type: FOCUS_MESSAGE + ":done", id}`` so the sender stops asking.

    Why: a page that moves a map by its arguments sends the map again whenever they change
    (the map holding every point is 4.4 MB of script at 10,000 events); a message moves the
    map the browser has.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.addEventListener("message", function (e) {
                var d = e.data;
                if (e.origin !== window.origin || !d
                        || d.type !== {{ this.message|tojson }}) { return; }
                {{ this._parent.get_name() }}.setView([d.lat, d.lon], d.zoom);
                if (e.source) {
                    e.source.postMessage({type: {{ this.message|tojson }} + ":done", id: d.id},
                                         e.origin);
                }
            });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusOnMessage"
        self.message = FOCUS_MESSAGE


class Legend(MacroElement):
    """A fixed box in the map's corner: colour and icon of each event type, by layer."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="cm-legend" style="position: absolute; z-index: 1000; bottom: 24px; left: 10px;
             background: rgba(255,255,255,0.92); padding: 6px 8px; border-radius: 4px;
             font: 12px/1.35 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);">
        {{ this.body }}
        </div>
        {% endmacro %}
        """
    )

    def __init__(self, types: Sequence[str] | None = None) -> None:
        super().__init__()
        self._name = "Legend"
        shown = set(types) if types is not None else set(TYPE_STYLES)
        rows = []
        for layer, layer_types in EVENT_LAYERS:
            entries = [t for t in layer_types if t in shown]
            if not entries:
                continue
            rows.append(f"<div><b>{escape_text(layer)}</b></div>")
            for t in entries:
                s = TYPE_STYLES[t]
                rows.append(
                    f"<div class='cm-legend-item' data-type='{t}'>"
                    f"<span style='display:inline-block;width:16px;text-align:center;"
                    f"color:#fff;background:{s.hex};border-radius:3px;margin-right:4px'>"
                    f"<i class='fa fa-{s.icon}' style='font-size:10px'></i></span>"
                    f"{escape_text(s.label)}</div>"
                )
        self.body = "".join(rows)


def _read_basemap(name: str) -> dict[str, Any]:
    path = BASEMAP_DATA_DIR / name
    if not path.is_file():
        raise MapInputError(f"basemap layer missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


#: The basemap's own pane, between the tiles (Leaflet's z-index 200) and the overlays (400):
#: in the overlay pane its opaque countries hid whatever an overlay drew below them in the
#: pane's order, such as the counted cells.
BASEMAP_PANE, BASEMAP_Z = "cm-basemap", 250


def add_basemap(m: folium.Map) -> folium.FeatureGroup:
    """The offline vector basemap: Natural Earth countries, land borders, rivers.

    It is the map's only background when there is no network, so the Iraq-Syria border and
    the Euphrates and Tigris must stand out on their own. It is drawn in its own pane, under
    every overlay (:data:`BASEMAP_PANE`).
    """
    folium.map.CustomPane(BASEMAP_PANE, z_index=BASEMAP_Z, pointer_events=True).add_to(m)
    group = folium.FeatureGroup(name="Basemap: countries, borders, rivers", overlay=True,
                                control=True, show=True)
    folium.GeoJson(
        _read_basemap("countries.geojson"), name="Countries",
        style_function=lambda _f: {"color": "#9a9a9a", "weight": 0.5, "fillColor": "#f4f1ea",
                                   "fillOpacity": 1.0},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        smooth_factor=1.0, pane=BASEMAP_PANE,
    ).add_to(group)
    folium.GeoJson(
        _read_basemap("rivers.geojson"), name="Rivers",
        style_function=lambda _f: {"color": "#4a90d9", "weight": 1.5, "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False), pane=BASEMAP_PANE,
    ).add_to(group)
    folium.GeoJson(
        _read_basemap("boundary_lines.geojson"), name="Borders",
        style_function=lambda _f: {"color": "#5a4a42", "weight": 2, "dashArray": "6 3",
                                   "opacity": 0.9}, pane=BASEMAP_PANE,
    ).add_to(group)
    group.add_to(m)
    return group


def add_online_tiles(m: folium.Map) -> folium.TileLayer:
    """OpenStreetMap tiles as an optional extra layer: needs the network, never required."""
    layer = folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap tiles (online)", overlay=True, control=True,
        show=True, opacity=0.6, max_zoom=MAX_ZOOM,
    )
    layer.add_to(m)
    return layer


def add_reference_places(
    m: folium.Map, places: Iterable[Place], *, name: str, color: str
) -> folium.FeatureGroup:
    """Gazetteer places (known bases, airfields or crossings) as small circles.

    Circles, not pins: they are context, and they stay out of the marker pane that holds the
    events.
    """
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    rows = []
    for place in places:
        if not place.has_point:
            continue
        label = escape_text(f"{place.name} ({place.kind.replace('_', ' ')}, {place.country})")
        rows.append([round(float(place.lat), 6), round(float(place.lon), 6), label,
                     f"<b>{label}</b><br><small>{escape_text(place.source)} "
                     f"{escape_text(place.id)}</small>"])
    PlaceLayer(rows, color).add_to(group)
    group.add_to(m)
    return group


class PlaceLayer(MacroElement):
    """Reference places as small SVG circles with a tooltip and a popup, drawn by one JS
    loop over plain rows (lat, lon, escaped label, escaped popup HTML).

    Why not one ``folium.CircleMarker`` each: templating 300 of them (with their Popup and
    Tooltip elements) took 0.75 s per map build, paid on every view of the page at scale."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            {{ this.rows|tojson }}.forEach(function (r) {
                L.circleMarker([r[0], r[1]], {radius: 4, color: {{ this.color|tojson }},
                    weight: 1.5, fill: true, fillColor: '#ffffff', fillOpacity: 0.9})
                  .bindTooltip(r[2])
                  .bindPopup(r[3], {maxWidth: 300})
                  .addTo(group);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], color: str) -> None:
        super().__init__()
        self._name = "PlaceLayer"
        self.rows = rows
        self.color = color


def _marker(row: dict[str, Any]) -> folium.Marker:
    style = TYPE_STYLES[row["event_type"]]
    return folium.Marker(
        location=(float(row["lat"]), float(row["lon"])),
        icon=folium.Icon(color=style.color, icon=style.icon, prefix="fa"),
        popup=folium.Popup(popup_html(row), max_width=420),
        tooltip=folium.Tooltip(tooltip_text(row)),
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
    ...]``, the ``styles`` (colour and icon) of the rows' types and the popup ``pieces``."""

    rows: list[list[float | int]]
    styles: list[list[str]]
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


def cluster_data(records: Sequence[dict[str, Any]]) -> ClusterData:
    """Events as :class:`ClusterData`: each style and each popup piece once, rows indexing
    them."""
    styles: dict[tuple[str, str], int] = {}
    pieces: dict[str, int] = {}
    rows: list[list[float | int]] = []
    for row in records:
        style = TYPE_STYLES[row["event_type"]]
        out: list[float | int] = [float(row["lat"]), float(row["lon"]),
                                  styles.setdefault((style.color, style.icon), len(styles))]
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
            var icons = {{ this.data.json.styles }}.map(function (s) {
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
                markers[i] = L.marker([row[0], row[1]], {icon: icons[row[2]], cmRow: row})
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
        _check_row(row)
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


def add_event_layer(m: Element, layer: EventLayerData) -> folium.Layer:
    """One toggleable, clustered layer of events: an :class:`EventCluster` (compact popups,
    no tooltips), or a ``folium.Marker`` per event with a full popup and a tooltip."""
    drawn: folium.Layer
    if layer.cluster is not None:
        drawn = EventCluster(layer.cluster, layer.name)
    else:
        drawn = MarkerCluster(name=layer.name, overlay=True, control=True)
        for row in layer.records or ():
            _marker(row).add_to(drawn)
    drawn.add_to(m)
    return drawn


# --- server-side bins ------------------------------------------------------------------------

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


def event_groups(drawn: pd.DataFrame | Iterable[Event], bins: pd.DataFrame | None = None, *,
                 fast_threshold: int = FAST_PATH_THRESHOLD,
                 asset_base: str = APP_ASSET_BASE,
                 layers: EventLayers | None = None) -> list[folium.FeatureGroup]:
    """The events of one view as feature groups to send beside a map that stays put
    (``st_folium(feature_group_to_add=...)``): one group per :data:`EVENT_LAYERS` kind with
    events, or one group of counted cells. Why: a new view then swaps these layers in the
    open map instead of rebuilding the map, its basemap and reference layers (about 2 s).
    ``layers``: as in :func:`build_map`."""
    groups: list[folium.FeatureGroup] = []
    if bins is not None and not bins.empty:
        group = folium.FeatureGroup(name=BINS_LAYER_NAME, overlay=True, control=True)
        add_bins(group, bins)
        groups.append(group)
    if layers is None:
        layers = event_layer_data(split_drawable(events_frame(drawn))[0],
                                  fast_threshold=fast_threshold)
    for layer in layers.layers:
        group = folium.FeatureGroup(name=layer.name, overlay=True, control=True)
        add_event_layer(group, layer)
        groups.append(group)
    for group in groups:
        localise_assets(group, asset_base)
    return groups


def base_map(*, sites: Iterable[Place] = (), crossings: Iterable[Place] = (),
             online_tiles: bool = False, center: tuple[float, float], zoom: int,
             legend_types: Iterable[str], asset_base: str = APP_ASSET_BASE) -> folium.Map:
    """The map without events, for a page that sends each view's events as
    :func:`event_groups`: the basemap, reference layers and a fixed legend, no layer control
    (the caller adds one after the groups), and the marker-cluster assets the groups may
    need: the browser loads a map's scripts once, when it first draws it."""
    m = build_map([], sites=sites, crossings=crossings, online_tiles=online_tiles,
                  asset_base=asset_base, center=center, zoom=zoom, fit_to_events=False,
                  legend_types=legend_types, layer_control=False)
    MarkerCluster(name="marker cluster assets", control=False, show=False).add_to(m)
    return localise_assets(m, asset_base)


# --- offline assets ---------------------------------------------------------------------------

def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _localise(links: Sequence[tuple[str, str]], asset_base: str) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if name in UNUSED_ASSETS:
            continue
        if name in MAP_SCRIPTS:  # one name for the bundle: a saved page loads it once
            out.append(("map_scripts", f"{asset_base.rstrip('/')}/{MAP_SCRIPTS_BUNDLE}"))
        elif name in VENDORED_ASSETS:
            out.append((name, f"{asset_base.rstrip('/')}/{VENDORED_ASSETS[name]}"))
        elif re.match(r"^(https?:)?//", url):
            raise MapInputError(f"no vendored copy of folium asset {name!r} ({url})")
        else:
            out.append((name, url))
    return list(dict.fromkeys(out))


#: Any element tree :func:`localise_assets` rewrites (a map, or a feature group sent beside one).
ElementT = TypeVar("ElementT", bound=Element)


def localise_assets(m: ElementT, asset_base: str = APP_ASSET_BASE) -> ElementT:
    """Point every element's ``default_js``/``default_css`` at the vendored copies.

    Done per instance over the whole element tree (not by patching folium's classes), so two
    maps with different bases (the app's ``/app/static/vendor``, a saved file's relative path)
    can coexist. An element asking for a CDN file we do not vendor is an error, not a silent
    request to the internet.
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, _localise(links, asset_base))
    return m


def asset_links(m: folium.Map) -> list[str]:
    """Every JS/CSS URL the map's elements load (what ``st_folium`` and ``save`` will emit)."""
    urls: list[str] = []
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            urls.extend(url for _name, url in getattr(element, attr, None) or [])
    return list(dict.fromkeys(urls))


# --- the map ----------------------------------------------------------------------------------

def build_map(
    events: pd.DataFrame | Iterable[Event],
    *,
    sites: Iterable[Place] = (),
    crossings: Iterable[Place] = (),
    online_tiles: bool = False,
    asset_base: str = APP_ASSET_BASE,
    fast_threshold: int = FAST_PATH_THRESHOLD,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    fit_to_events: bool = True,
    height: str | int = "100%",
    bins: pd.DataFrame | None = None,
    legend_types: Iterable[str] | None = None,
    layer_control: bool = True,
    layers: EventLayers | None = None,
) -> folium.Map:
    """The conflict map of ``events`` (a store frame or ``Event`` objects).

    Located, non-aggregate events are drawn in toggleable clustered layers by kind; the rest
    are for the caller to list (:func:`split_drawable`). ``sites`` and ``crossings`` are
    gazetteer places drawn as reference layers. Nothing is fetched from the internet unless
    ``online_tiles`` adds the optional OpenStreetMap layer. ``bins`` (``EventStore.bins``
    counts) are drawn as counted circles, for views holding more events than a browser can
    draw one by one; the events passed are drawn as points beside them. ``legend_types``
    fixes the legend (default: the types drawn); ``layer_control=False`` leaves the layer
    control out, for a caller that adds its own after more layers (:func:`event_groups`).
    ``layers``: what :func:`event_layer_data` made of the drawable ones of these events
    before (a page keeps it between runs: most of the time a big map takes to build); the
    map then draws it and reads nothing of ``events``, which may be left empty.
    """
    if layers is None:
        layers = event_layer_data(split_drawable(events_frame(events))[0],
                                  fast_threshold=fast_threshold)
    m = folium.Map(
        location=center or DEFAULT_CENTER, zoom_start=zoom or DEFAULT_ZOOM, tiles=None,
        control_scale=True, prefer_canvas=False, height=height,
    )
    # With tiles=None folium gives max/min zoom to no one: without maxZoom Leaflet cannot
    # know the zoom range and marker clusters draw nothing.
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=2)
    MapSetup(asset_base, "Basemap: Natural Earth (public domain)").add_to(m)
    add_basemap(m)
    if online_tiles:
        add_online_tiles(m)
    add_reference_places(m, sites, name="Known bases and airfields (gazetteer)",
                         color="#0067a3")
    add_reference_places(m, crossings, name="Known border crossings (gazetteer)",
                         color="#436978")
    for layer in layers.layers:
        add_event_layer(m, layer)
    shown = set(layers.types)
    if bins is not None and not bins.empty:
        add_bins(m, bins)
        shown |= set(bins["event_type"])
    Legend(sorted(shown if legend_types is None else set(legend_types))).add_to(m)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    if fit_to_events and center is None and layers.box is not None \
            and layers.centre is not None:
        south, west, north, east = layers.box
        if north - south > 0.05 or east - west > 0.05:
            m.fit_bounds([[south, west], [north, east]], padding=(30, 30), max_zoom=8)
        else:
            m.location = list(layers.centre)
    return localise_assets(m, asset_base)


def standalone_asset_base(out: Path) -> str:
    """The vendored assets as a path relative to a saved HTML file (a file:// URI if that
    cannot be expressed, e.g. another drive)."""
    try:
        rel = os.path.relpath(VENDOR_DIR, Path(out).resolve().parent)
    except ValueError:
        return VENDOR_DIR.as_uri()
    return Path(rel).as_posix()


def save_map(events: pd.DataFrame | Iterable[Event], out: str | Path, **kwargs: Any) -> Path:
    """Write a standalone HTML map that opens offline from disk, next to this project's
    ``static/vendor`` (assets are referenced by relative path, not copied)."""
    out = Path(out)
    if out.suffix.lower() not in {".html", ".htm"}:
        raise MapInputError(f"map output must be an .html file: {out}")
    kwargs.setdefault("asset_base", standalone_asset_base(out))
    m = build_map(events, **kwargs)
    out.parent.mkdir(parents=True, exist_ok=True)
    m.save(str(out))
    return out
