"""The simulated shop's tables and truth as pandas, from a :class:`SimulatedShop` or its folder.

The oracle (:func:`shopmine.simulate.oracle.true_ranking`) and the true demand
(:func:`shopmine.simulate.demand.true_demand`) read the same few tables either way, so a shop
written by ``shopmine simulate`` can be scored later without simulating it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shopmine.errors import ShopmineInputError
from shopmine.simulate.shop import SimulatedShop

ORDER_COLUMNS = ("order_id", "customer_id", "product_id", "ordered_at", "status")
TRUTH = {
    "truth_customers": ("customer_id", "segment", "purchase_rate", "favourite_category",
                        "is_fraudster"),
    "truth_products": ("product_id", "category", "popularity", "demand_line_share"),
    "truth_orders": ("order_id", "is_fraud"),
    "truth_preferences": ("customer_id", "product_id", "kind", "cycle_days", "weight",
                          "via_product_id"),
    "truth_complements": ("product_id", "complement_id", "probability"),
    "customers": ("customer_id", "signup_date"),
}


@dataclass(frozen=True)
class ShopTruth:
    """The tables the oracle needs (pandas, string ids) and ``ground_truth.json`` as a dict."""

    orders: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    ground_truth: dict[str, Any]


def load_truth(shop: SimulatedShop | str | Path) -> ShopTruth:
    """Read the orders, the truth tables and ``ground_truth.json`` of ``shop`` (object or folder).

    Raises
    ------
    shopmine.errors.ShopmineInputError
        The folder lacks a file ``write_shop`` writes; the message names it.
    """
    tables, ground_truth = load_tables(shop, {"orders": ORDER_COLUMNS, **TRUTH})
    orders = tables.pop("orders")
    return ShopTruth(orders, tables, ground_truth)


def load_tables(shop: SimulatedShop | str | Path, wanted: dict[str, tuple[str, ...]]
                ) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The ``wanted`` tables (name: columns) of ``shop`` as pandas, and ``ground_truth.json``.

    Raises
    ------
    shopmine.errors.ShopmineInputError
        The folder lacks one of the files; the message names it.
    """
    if isinstance(shop, SimulatedShop):
        return ({name: _pandas(getattr(shop, name).select(list(cols)))
                 for name, cols in wanted.items()}, shop.ground_truth)
    folder = Path(shop)
    gt_path = folder / "ground_truth.json"
    _require(gt_path)
    ground_truth = json.loads(gt_path.read_text(encoding="utf-8"))
    return {name: _pandas(_read(folder, name, cols)) for name, cols in wanted.items()}, ground_truth


def _require(path: Path) -> None:
    if not path.is_file():
        raise ShopmineInputError(f"{path} is missing: the simulator's truth is read from the "
                                 "folder written by write_shop or `shopmine simulate --output-dir` "
                                 "(simulate the shop again with this version to get every file).")


def _read(folder: Path, name: str, columns: tuple[str, ...]) -> pa.Table:
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        return pq.read_table(parquet, columns=list(columns))
    _require(csv)
    types = {c: pa.string() for c in columns if c.endswith("_id") or c in ("ordered_at", "status")}
    return pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(
        include_columns=list(columns), column_types=types, strings_can_be_null=True))


def _pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get,
                           date_as_object=False)
