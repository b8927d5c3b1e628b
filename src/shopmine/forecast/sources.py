"""Series frames from a shop's sales panel at a level and frequency, its top sellers.

The panel is read by :meth:`shopmine.shop.Shop.forecast_series`: this module takes tables, not a shop.
"""

from __future__ import annotations

import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.forecast.data import check_freq, series_from_panel, to_monthly, top_series

__all__ = ["MEASURES", "check_series_request", "series_from_sales_panel"]


#: What a shop's forecast can be in: units sold, or the revenue they brought.
MEASURES = ("units", "revenue")
#: The sales panel's levels a forecast can be made at.
LEVELS = ("product", "category", "total")


def check_series_request(level: str, freq: str, measure: str) -> None:
    """Refuse an unknown level, frequency or measure before any table is read."""
    if level not in LEVELS:
        raise invalid_value("level", ", ".join(LEVELS[:-1]) + f" or {LEVELS[-1]}", level)
    check_freq(freq)
    if measure not in MEASURES:
        raise invalid_value("measure", f"one of {', '.join(MEASURES)}", measure)


def series_from_sales_panel(panel: pd.DataFrame, *, level: str = "product", freq: str = "D", top: int | None = None,
                            measure: str = "units", keep_outliers: bool = False, as_of=None) -> pd.DataFrame:
    """Units (or revenue) per series and period of a sales panel, with price and discount drivers.

    The units are net demand (cancelled sales removed) with bulk lines capped at their product's
    bulk fence (the panel's ``units_model``, see :mod:`shopmine.features.lines`), so that a one-off
    order far beyond a product's usual line does not become its forecast; ``keep_outliers=True``
    trains on the panel's ``units`` (bulk lines as ordered).

    Parameters
    ----------
    panel : pandas.DataFrame
        The zero-filled sales panel (:func:`shopmine.features.sales_panel`) at ``level``, daily
        for ``freq="M"`` (months are summed from days), else at ``freq``.
    level : {"product", "category", "total"}, default="product"
    freq : {"D", "W", "M"}, default="D"
    top : int, optional
        Keep the ``top`` series with the most units (or revenue).
    measure : {"units", "revenue"}, default="units"
        The sales panel's measure to forecast: net ``units``, or net ``revenue`` (what was paid for
        them, cancellations removed; bulk lines are capped in units only).
    keep_outliers : bool, default=False
        Use the net units with bulk lines as ordered instead of capped.
    as_of : datetime.date, optional
        The panel's as-of date, named when the panel is empty.

    Returns
    -------
    pandas.DataFrame
        ``unique_id, ds, y, avg_price, discount_share, discount_depth``.

    Raises
    ------
    ShopmineInputError
        No sale before the as-of date (naming ``as_of``), or ``level="category"`` while no sold
        product has a category (every series would be ``unknown``: the total under another name).
    """
    check_series_request(level, freq, measure)
    if panel.empty:
        raise ShopmineInputError(f"{{as_of}} {as_of}: no product was sold before this date, so there is "
                                 "nothing to forecast; choose a later {as_of} (or ingest the order log).", "as_of")
    if measure == "revenue":
        target = "revenue"
    else:
        target = "units" if keep_outliers else "units_model"
    frame = series_from_panel(panel, target=target)
    if freq == "M":
        frame = to_monthly(frame)
    return top_series(frame, top) if top is not None else frame
