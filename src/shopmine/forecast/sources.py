"""Series frames from a workspace: the sales panel at a level and frequency, its top sellers."""

from __future__ import annotations

import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.forecast.data import check_freq, series_from_panel, to_monthly, top_series

__all__ = ["series_from_shop"]


#: What a shop's forecast can be in: units sold, or the revenue they brought.
MEASURES = ("units", "revenue")


def series_from_shop(shop, *, level: str = "product", freq: str = "D", top: int | None = None,
                     measure: str = "units", keep_outliers: bool = False) -> pd.DataFrame:
    """Units (or revenue) per series and period before the shop's as-of date, with price and discount drivers.

    The units are net demand (cancelled sales removed) with bulk lines capped at their product's
    bulk fence (the panel's ``units_model``, see :mod:`shopmine.features.lines`), so that a one-off
    order far beyond a product's usual line does not become its forecast; ``keep_outliers=True``
    trains on the panel's ``units`` (bulk lines as ordered).

    Parameters
    ----------
    shop : shopmine.shop.Shop
    level : {"product", "category", "total"}, default="product"
    freq : {"D", "W", "M"}, default="D"
        Months are summed from days.
    top : int, optional
        Keep the ``top`` series with the most units (or revenue).
    measure : {"units", "revenue"}, default="units"
        The sales panel's measure to forecast: net ``units``, or net ``revenue`` (what was paid for
        them, cancellations removed; bulk lines are capped in units only).
    keep_outliers : bool, default=False
        Use the net units with bulk lines as ordered instead of capped.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y, avg_price, discount_share, discount_depth``.

    Raises
    ------
    ShopmineInputError
        No sale before the as-of date (naming ``--as-of``), or ``level="category"`` while no sold
        product has a category (every series would be ``unknown``: the total under another name).
    """
    if level not in ("product", "category", "total"):
        raise ShopmineInputError(f"--level must be product, category or total, got {level!r}.")
    check_freq(freq)
    if measure not in MEASURES:
        raise ShopmineInputError(f"--measure must be one of {', '.join(MEASURES)}, got {measure!r}.")
    panel = shop.sales_panel(level, "D" if freq == "M" else freq).to_pyarrow().to_pandas()
    if panel.empty:
        raise ShopmineInputError(f"--as-of {shop.as_of}: no product was sold before this date, so there is "
                                 f"nothing to forecast; choose a later --as-of (or ingest the order log).")
    if measure == "revenue":
        target = "revenue"
    else:
        target = "units" if keep_outliers else "units_model"
    frame = series_from_panel(panel, target=target)
    if freq == "M":
        frame = to_monthly(frame)
    return top_series(frame, top) if top is not None else frame
