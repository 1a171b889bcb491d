"""How events look on the map: a colour, an icon and a label per event type, the layers
they are grouped in, and the map's default view. Nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.model import ATTACK_TYPES

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
