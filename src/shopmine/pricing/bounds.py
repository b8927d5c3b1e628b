"""Reading a bounds file (``product_id, min_price, max_price``): each error names the file, row and column.

Ids are read as text (``00123`` keeps its zeros, ``17850.0`` becomes ``17850`` as at ingest); a blank bound
means none on that side. Rows count as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from shopmine.classic.table import read_table
from shopmine.errors import ShopmineInputError
from shopmine.io.numbers import normalize_id
from shopmine.pricing.rules import BOUNDS_COLUMNS

__all__ = ["read_bounds"]


def _price(text: str, path: Path, row: int, column: str) -> float:
    text = text.strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise ShopmineInputError(f"{{bounds}} {path}, row {row}, column {column}: {text!r} is not a number; "
                                 f"write a price such as 12.50, or leave it blank for no bound.", "bounds") from None
    if not math.isfinite(value) or value < 0:
        raise ShopmineInputError(f"{{bounds}} {path}, row {row}, column {column}: {text!r} is not a price (a "
                                 f"finite number of at least 0); leave it blank for no bound.", "bounds")
    return value


def read_bounds(path: str | Path) -> pd.DataFrame:
    """The bounds table of ``path``: ``product_id`` (text), ``min_price``, ``max_price`` (NaN: no bound).

    Raises
    ------
    ShopmineInputError
        No such file (or not a .csv, .parquet or Excel table with rows: :func:`shopmine.classic.read_table`),
        a missing column, an empty id, a number that is not a price, ``min_price`` above ``max_price``, or a
        product listed twice; naming the file, the row and the column.
    """
    path = Path(path)
    raw = read_table(path, "bounds", text=True)
    missing = [c for c in BOUNDS_COLUMNS if c not in raw.columns]
    if missing:
        raise ShopmineInputError(f"{{bounds}} {path}: no column {missing[0]!r}; a bounds file has the columns "
                                 f"{', '.join(BOUNDS_COLUMNS)} (found: {', '.join(map(repr, raw.columns))}).",
                                 "bounds")
    rows, first_row = [], {}
    for i, record in enumerate(raw[list(BOUNDS_COLUMNS)].itertuples(index=False)):
        row = i + 2  # the header is row 1
        product = normalize_id(str(record.product_id).strip())
        if not product:
            raise ShopmineInputError(f"{{bounds}} {path}, row {row}, column product_id: the id is empty.", "bounds")
        if product in first_row:
            raise ShopmineInputError(f"{{bounds}} {path}, row {row}, column product_id: product {product!r} is "
                                     f"listed again (first in row {first_row[product]}); keep one row per "
                                     f"product.", "bounds")
        first_row[product] = row
        low = _price(str(record.min_price), path, row, "min_price")
        high = _price(str(record.max_price), path, row, "max_price")
        if low > high:
            raise ShopmineInputError(f"{{bounds}} {path}, row {row}: min_price {low:g} is above max_price {high:g} "
                                     f"for product {product!r}.", "bounds")
        rows.append((product, low, high))
    return pd.DataFrame(rows, columns=list(BOUNDS_COLUMNS)).astype({"min_price": float, "max_price": float})
