"""Series frames from a workspace: the sales panel at a level and frequency, its top sellers."""

from __future__ import annotations

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.forecast.data import check_freq, series_from_panel, to_monthly, top_series

__all__ = ["series_from_shop"]


def series_from_shop(shop, *, level: str = "product", freq: str = "D", top: int | None = None) -> pd.DataFrame:
    """Units sold per series and period before the shop's as-of date, with price and discount drivers.

    Parameters
    ----------
    shop : shopmine.shop.Shop
    level : {"product", "category", "total"}, default="product"
    freq : {"D", "W", "M"}, default="D"
        Months are summed from days.
    top : int, optional
        Keep the ``top`` series with the most units.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y, avg_price, discount_share, discount_depth``.
    """
    if level not in ("product", "category", "total"):
        raise ShopmineInputError(f"--level must be product, category or total, got {level!r}.")
    check_freq(freq)
    panel = shop.sales_panel(level, "D" if freq == "M" else freq).to_pyarrow().to_pandas()
    frame = series_from_panel(panel)
    if freq == "M":
        frame = to_monthly(frame)
    return top_series(frame, top) if top is not None else frame
