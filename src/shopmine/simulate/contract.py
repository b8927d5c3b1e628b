"""The simulated market as an outsider would hand it over: the order lines under the canonical names only, and
the check of the price command's output table against the simulator's true elasticities.

Issue 14 (acceptance 4) is checked on a market shopmine has never seen, "ingested with its canonical column
names ``order_id, customer_id, product_id, ordered_at, quantity, unit_price, list_price, category,
unit_cost``", through the output contract. :func:`contract_orders` writes the simulator's market that
way, so that the whole path (initialise a workspace, ingest without a preset, price with an output file)
runs on data whose truth is known; :func:`compare_with_truth` scores the output's ``elasticity`` column.

Such a file has no status column: the simulator's cancelled lines (never sold) are left out; its returns
stay the negative lines they are (in the sale's order, days later) and its ``SHIPPING`` lines stay too,
as a real export would carry them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from shopmine.atomic import atomic_path
from shopmine.errors import ShopmineInputError
from shopmine.simulate.shop import SimulatedShop

__all__ = ["CONTRACT_COLUMNS", "compare_with_truth", "contract_orders", "write_contract_orders"]

#: The columns of the market file, in this order and no other.
CONTRACT_COLUMNS = ("order_id", "customer_id", "product_id", "ordered_at", "quantity", "unit_price", "list_price",
                    "category", "unit_cost")


def contract_orders(shop: SimulatedShop) -> pd.DataFrame:
    """The simulated shop's sold order lines with exactly :data:`CONTRACT_COLUMNS`."""
    orders = shop.to_pandas("orders")
    sold = orders[orders["status"].astype(str) != "cancelled"]
    return sold[list(CONTRACT_COLUMNS)].reset_index(drop=True)


def write_contract_orders(shop: SimulatedShop, path: str | Path) -> Path:
    """Write :func:`contract_orders` as a CSV file at ``path`` (atomically) and return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        contract_orders(shop).to_csv(tmp, index=False)
    return path


def compare_with_truth(output: pd.DataFrame, truth: pd.Series) -> dict[str, float]:
    """How well an output table's elasticities recover the true ones.

    Parameters
    ----------
    output : pandas.DataFrame
        The price command's output table (:data:`shopmine.pricing.optimise.OUTPUT_COLUMNS`); ``product_id,
        elasticity, elasticity_lo, elasticity_hi`` at least.
    truth : pandas.Series
        True elasticity by product id (``truth_products.market_elasticity``).

    Returns
    -------
    dict
        ``products`` (rows of the output with a true value), ``estimated`` (of them with an elasticity),
        ``median_abs_error``, ``median_error`` (signed: the bias), ``coverage`` (share of the estimated
        whose ``[elasticity_lo, elasticity_hi]`` holds the truth) and ``truth_median`` (over the estimated).
    """
    missing = [c for c in ("product_id", "elasticity", "elasticity_lo", "elasticity_hi") if c not in output.columns]
    if missing:
        raise ShopmineInputError(f"the price output lacks the column(s) {', '.join(missing)}.")
    table = output.assign(product_id=output["product_id"].astype(str)).set_index("product_id")
    true = truth.rename(index=str).reindex(table.index)
    table = table[true.notna()]
    true = true[true.notna()]
    est = table["elasticity"].astype(float)
    known = est.notna()
    err = (est - true)[known]
    inside = ((table["elasticity_lo"] <= true) & (true <= table["elasticity_hi"]))[known]
    return {"products": int(len(table)), "estimated": int(known.sum()),
            "median_abs_error": float(err.abs().median()) if known.any() else np.nan,
            "median_error": float(err.median()) if known.any() else np.nan,
            "coverage": float(inside.mean()) if known.any() else np.nan,
            "truth_median": float(true[known].median()) if known.any() else np.nan}
