"""Stored rows to a pandas DataFrame with the columns of :data:`geo.model.EVENT_COLUMNS`,
without building Event objects (the map loads hundreds of thousands of rows)."""

from __future__ import annotations

import json

import pandas as pd

from geo.model import EVENT_COLUMNS

INT_COLUMNS = ("time_precision", "geo_precision", "killed", "wounded", "evidence_start",
               "evidence_end")
FRAME_DTYPES: dict[str, str] = {
    **dict.fromkeys(INT_COLUMNS, "Int64"), "lat": "float64", "lon": "float64",
    "confidence": "float64", "aggregate": "bool",
}


def rows_to_frame(rows: list[tuple], *, with_rid: bool = False) -> pd.DataFrame:
    """DataFrame with EVENT_COLUMNS from stored rows (led by the row id when ``with_rid``).
    Built column-wise from the tuples: JSON decoded once per cell (actor lists, which repeat a
    lot, once per distinct text and copied), nullable integers as pandas Int64 (a missing
    casualty count is not zero)."""
    offset = 1 if with_rid else 0
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(EVENT_COLUMNS) + offset)
    data = dict(zip(EVENT_COLUMNS, columns[offset:], strict=True))
    decode = json.JSONDecoder().decode
    memo: dict[str, list] = {}
    actors = []
    for text in data["actors"]:
        if text not in memo:
            memo[text] = decode(text) if text else []
        actors.append(list(memo[text]))
    data["actors"] = actors
    data["sources"] = [decode(v) if v else [] for v in data["sources"]]
    frame = pd.DataFrame({col: pd.Series(data[col], dtype=FRAME_DTYPES.get(col, object))
                          for col in EVENT_COLUMNS})
    frame["aggregate"] = frame["aggregate"].astype(bool)
    return frame
