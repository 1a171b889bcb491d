"""How often a watch polls: ``--every 15m`` and its kin."""

from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s)", re.IGNORECASE)
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_every(text: str) -> float:
    """Seconds from ``15m``, ``90s``, ``1h``, ``1h30m`` or a bare number of minutes; at
    least one second."""
    raw = str(text).strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        seconds = float(raw) * 60
    elif raw and _PART.sub("", raw) == "":
        seconds = sum(float(n) * _SECONDS[u] for n, u in _PART.findall(raw))
    else:
        raise ValueError(f"--every {text!r} is not a duration (15m, 90s, 1h30m)")
    if seconds < 1:
        raise ValueError(f"--every {text!r} is shorter than a second")
    return seconds
