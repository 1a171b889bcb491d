"""Offline assets: every JS/CSS/font file folium would fetch from a CDN points at the copy
vendored in ``static/vendor/`` (:func:`vendored`), the map's four scripts served as one
file, and the map's setup script (Leaflet's image path, the data attribution).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from branca.element import Element, MacroElement
from folium.template import Template

from geo.config import STATIC_DIR
from geo.web.map.style import MapInputError

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


#: A folium element that loads scripts or stylesheets (a map, a marker cluster).
ElementT = TypeVar("ElementT", bound=Element)


def vendored(element: ElementT, asset_base: str = APP_ASSET_BASE) -> ElementT:
    """``element`` with its ``default_js``/``default_css`` pointing at the vendored copies.

    Every element of ours that loads assets is made through this (the map, its marker
    clusters): set per instance, not by patching folium's classes, so two maps with different
    bases (the app's ``/app/static/vendor``, a saved file's relative path) can coexist. An
    element asking for a CDN file we do not vendor is an error, not a silent request to the
    internet (tests/test_mapview.py checks every link of a built map).
    """
    for attr in ("default_js", "default_css"):
        links = getattr(element, attr, None)
        if links:
            setattr(element, attr, _localise(links, asset_base))
    return element


def standalone_asset_base(out: Path) -> str:
    """The vendored assets as a path relative to a saved HTML file (a file:// URI if that
    cannot be expressed, e.g. another drive)."""
    try:
        rel = os.path.relpath(VENDOR_DIR, Path(out).resolve().parent)
    except ValueError:
        return VENDOR_DIR.as_uri()
    return Path(rel).as_posix()
