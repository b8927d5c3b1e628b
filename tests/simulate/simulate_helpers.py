"""Small helpers shared by the simulator tests (a module, not conftest, so it can be imported)."""

from __future__ import annotations

import pandas as pd


def product_sales(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase lines of products (no returns, no shipping) with a ``day`` column."""
    sales = orders[(orders["status"] != "returned") & (orders["product_id"] != "SHIPPING")]
    return sales.assign(day=pd.to_datetime(sales["ordered_at"].str.slice(0, 10)))
