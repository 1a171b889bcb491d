"""Untrusted text made safe for the map and the page: HTML escaping that also holds inside
folium's JavaScript template literals, highlighting, and links only to http(s).
"""

from __future__ import annotations

import re
from typing import Any

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


def safe_href(url: str) -> str | None:
    """An http(s) URL fit for ``href``; anything else (``javascript:``, files) is not linked."""
    return url if re.match(r"^https?://[^\s<>\"'`]+$", url or "") else None
