"""An event's popup and tooltip: every field an analyst checks (type, date and its precision,
place as written and as resolved, casualties, actors, the evidence with the place marked, every
source), all article text escaped; and the popup in pieces that many events share.
"""

from __future__ import annotations

from typing import Any

from geo.model import GEO_PRECISION, TIME_PRECISION
from geo.web.map.records import (
    REPORTED,
    UNDATED,
    actors_text,
    as_list,
    count_text,
    date_text,
    field_value,
    place_text,
    status_of,
    type_text,
)
from geo.web.map.style import TYPE_STYLES
from geo.web.map.text import escape_text, highlight_parts, safe_href

#: Evidence longer than this is cut in the compact (fast path) popup.
COMPACT_EVIDENCE_CHARS = 300


def _date_line(row: dict[str, Any]) -> str:
    date = field_value(row, "date")
    if not date:
        return UNDATED
    precision = field_value(row, "time_precision")
    label = TIME_PRECISION.get(int(precision)) if precision is not None else None
    return f"{escape_text(date)}" + (f" <small>({escape_text(label)})</small>" if label else "")


def _place_line(row: dict[str, Any]) -> str:
    name = place_text(row)
    written = field_value(row, "place")
    precision = field_value(row, "geo_precision")
    label = GEO_PRECISION.get(int(precision)) if precision is not None else None
    out = escape_text(name)
    if written and written != name:
        out += f" <small>(“{escape_text(written)}”)</small>"
    if field_value(row, "country"):
        out += f", {escape_text(row['country'])}"
    return out + (f" <small>[{escape_text(label)}]</small>" if label else "")


def _casualties_line(row: dict[str, Any]) -> str:
    return f"killed {count_text(row.get('killed'))}, wounded {count_text(row.get('wounded'))}"


def _source_parts(row: dict[str, Any], limit: int | None) -> list[str]:
    """The popup's list of sources, at most ``limit`` and a count of the rest, in pieces."""
    sources = as_list(row.get("sources"))
    if not sources and field_value(row, "source"):
        sources = [{"source": row["source"], "title": "", "published": None}]
    shown = sources[:limit] if limit else sources
    parts = ["<ul class='cm-sources'>"] if sources else []
    for src in shown:
        where = str(src.get("source", "")) if isinstance(src, dict) else str(src)
        title = src.get("title") if isinstance(src, dict) else ""
        published = src.get("published") if isinstance(src, dict) else None
        label = escape_text(title or where)
        href = safe_href(where)
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
    evidence = str(field_value(row, "evidence") or "")
    if compact and len(evidence) > COMPACT_EVIDENCE_CHARS:
        evidence = evidence[:COMPACT_EVIDENCE_CHARS] + "…"
    status = status_of(row)
    parts = [
        "<div class='cm-popup' data-event-id='", escape_text(row.get("id", "")),
        f"'><b style='color:{style.hex}'>{escape_text(type_text(row))}</b>",
        "" if status == REPORTED else
        f"<br><b class='cm-status'>Status: {escape_text(status)}</b> (not reported as done)",
        f"<br><b>Date:</b> {_date_line(row)}",
        f"<br><b>Place:</b> {_place_line(row)}",
        f"<br><b>Casualties:</b> {_casualties_line(row)}",
        f"<br><b>Actors:</b> {escape_text(actors_text(row))}",
    ]
    if evidence:
        needle = field_value(row, "place") or field_value(row, "place_name")
        parts += ["<blockquote class='cm-evidence'>", *highlight_parts(evidence, needle),
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
    """One escaped line: type (and status), place, date."""
    return escape_text(f"{type_text(row)}: {place_text(row)} ({date_text(row)})")
