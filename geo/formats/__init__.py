"""Event datasets in and out: UCDP GED and ACLED CSV in; GeoJSON, CSV, JSONL, GeoParquet,
GeoPackage and ACLED CSV out.

Takes files (or streams) and gives :class:`~geo.model.Event` lists; gives GeoDataFrames and
files from events or store frames. One module per format (``ucdp``, ``acled``), the file
writers (``files``), and ``base``: the CSV reading, row errors and country names they share,
which imports none of them.
"""

from __future__ import annotations

from typing import Literal

from geo.formats import acled, ucdp
from geo.formats.base import ImportFormatError, ImportResult, Source
from geo.formats.files import (
    WRITERS,
    flat_frame,
    to_geodataframe,
    to_geojson,
    write_events,
)
from geo.model import Event

#: Dataset formats :func:`load_dataset` knows, each with its reader.
DATASET_FORMATS = {"ucdp": ucdp.load_ucdp, "acled": acled.load_acled}


def load_dataset(source: Source, fmt: Literal["ucdp", "acled"]) -> ImportResult:
    """Read a dataset file of the named format, with the skip counts."""
    reader = DATASET_FORMATS.get(fmt)
    if reader is None:
        raise ImportFormatError(f"unknown dataset format {fmt!r}, expected one of "
                                f"{', '.join(DATASET_FORMATS)}")
    return reader(source)


def read_dataset(source: Source, fmt: Literal["ucdp", "acled"]) -> list[Event]:
    """Events from a UCDP GED or ACLED CSV file (bad rows skipped; see :func:`load_dataset`)."""
    return load_dataset(source, fmt).events


__all__ = ["DATASET_FORMATS", "WRITERS", "ImportFormatError", "ImportResult", "flat_frame",
           "load_dataset", "read_dataset", "to_geodataframe", "to_geojson", "write_events"]
