"""A shop written by hand, small enough to know every number: 120 days (2024-01-01 to 2024-04-29) of three
products, two of them named with markup that must reach every page as text.

- ``P1`` (:data:`SCRIPT_NAME`) sells ``day % 5 + 1`` units at 10.00 every day (day 0 is 2024-01-01);
- ``P2`` (:data:`IMG_NAME`) sells 2 units at 4.00 on even days and nothing on odd ones;
- ``P3`` ("Plain mug") sells 1 unit at 1.00 every third day.

(Not ``A``, ``B`` ...: ``B``, ``M`` or ``S`` as a product code is an adjustment line, :mod:`shopmine.io.line_types`.)
So the last 30 days' best sellers by revenue are P1, then P2, then P3, and each product's daily units before the
as-of date (2024-04-30) are known from the rules above (:func:`units`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from shopmine.ingest import IngestOptions
from shopmine.report.sections import overview_sections
from shopmine.runs import seen_batches
from shopmine.shop import Shop
from shopmine.workspace import Workspace

START = dt.date(2024, 1, 1)
DAYS = 120
SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '<img src=x onerror="alert(2)">'
NAMES = {"P1": SCRIPT_NAME, "P2": IMG_NAME, "P3": "Plain mug"}
PRICES = {"P1": 10.0, "P2": 4.0, "P3": 1.0}


def units(product: str, day: int) -> int:
    """Units of ``product`` sold on day ``day`` (0 = 2024-01-01), by the rules of the module docstring."""
    return {"P1": day % 5 + 1, "P2": 2 if day % 2 == 0 else 0, "P3": 1 if day % 3 == 0 else 0}[product]


def write_files(folder: Path) -> dict[str, Path]:
    """``orders.csv`` (one order a line) and ``products.csv`` (ids and names) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"order_id": f"o{day}-{product}", "customer_id": f"c{day % 7}", "product_id": product,
             "ordered_at": f"{START + dt.timedelta(days=day)} 10:00:00", "quantity": units(product, day),
             "unit_price": PRICES[product]}
            for day in range(DAYS) for product in NAMES if units(product, day)]
    paths = {"orders": folder / "orders.csv", "products": folder / "products.csv"}
    pd.DataFrame(rows).to_csv(paths["orders"], index=False)
    pd.DataFrame({"product_id": list(NAMES), "name": list(NAMES.values())}).to_csv(paths["products"], index=False)
    return paths


def build_workspace(root: Path, paths: dict[str, Path]) -> None:
    """Ingest the shop into ``root`` and save its glance run and a product forecast (7 days, naive)."""
    with Shop(Workspace(root)) as shop:
        shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]])
        overview_sections(shop, seen_batches(shop.workspace))
        shop.forecast(horizon=7, level="product", model="naive", windows=1)
