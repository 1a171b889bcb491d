"""Argument types and checks that several commands share."""

from __future__ import annotations

import argparse
from datetime import date

from geo.config import Settings


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def bbox(value: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(x) for x in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bbox must be W,S,E,N numbers: {value!r}") from None
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= n <= 90):
        raise argparse.ArgumentTypeError(f"bbox out of range (W,S,E,N): {value!r}")
    return w, s, e, n


def require_store(settings: Settings) -> None:
    if not settings.store_dir.exists():
        raise ValueError(f"{settings.store_dir}: no store here (run 'conflict-map ingest' first)")
