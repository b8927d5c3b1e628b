"""Cross-price effects within a category: does a product sell more when the rest of its category is dear?

Kept modest: one regressor per product, the category's price index (the mean, over the category's other
products that sold in the period, of their log price less their own mean log price: 0.1 means the others
were 10 % above their usual prices), added to the product's count model
(:func:`shopmine.pricing.counts.per_product_counts`). A positive effect means substitutes (the others
dearer, this one sells more), a negative one complements. Periods in which no other product of the
category sold have no index and are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.pricing.counts import category_offsets, count_column, per_product_counts
from shopmine.pricing.elasticity import confidence_z
from shopmine.pricing.loglog import design_frame
from shopmine.pricing.points import check_points, price_variation

__all__ = ["CROSS_COLUMNS", "cross_price_effects"]

CROSS_COLUMNS = ("product_id", "category", "cross_elasticity", "cross_lo", "cross_hi", "n_periods", "status",
                 "own_elasticity")
_INDEX = "category_price_index"


def _with_index(design: pd.DataFrame) -> pd.DataFrame:
    """``design`` with the category's price index of the other products in each period."""
    deviation = design["log_price"] - design.groupby("product_id")["log_price"].transform("mean")
    keys = [design["category"], design["period"]]
    total = deviation.groupby(keys).transform("sum")
    others = deviation.groupby(keys).transform("size") - 1
    out = design.assign(**{_INDEX: (total - deviation) / others.where(others > 0)})
    return out[out[_INDEX].notna()]


def cross_price_effects(points: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The effect of the category's other prices on each product's sales, with an interval.

    Parameters
    ----------
    points : pandas.DataFrame
        Price points (:func:`shopmine.features.price_points`, daily recommended).
    confidence : float, default=0.95

    Returns
    -------
    pandas.DataFrame
        :data:`CROSS_COLUMNS`, one row per product of ``points`` sorted by ``product_id``:
        ``cross_elasticity`` (d log units / d log of the others' prices) with its normal interval,
        ``n_periods`` (periods with an index), ``status``: ``"ok"`` (the interval excludes 0), ``"not
        significant"``, or ``"too little variation"`` (the product's own price or the index did not
        move enough, or the category has no other product); ``own_elasticity``, the product's own price
        slope in the same model (unshrunk): when the category's prices move together, the own
        elasticity without the index takes part of the others' effect.
    """
    z = confidence_z(confidence)
    points = check_points(points)
    variation = price_variation(points)
    fitted = variation.loc[variation["enough"], "product_id"].tolist()
    design = _with_index(design_frame(points))
    design = design[design["product_id"].isin(fitted)]
    count = count_column(design)
    raw = per_product_counts(design, fitted, count, category_offsets(design, count), extra=_INDEX)
    periods = design.groupby("product_id").size().rename("n_periods")
    out = variation[["product_id", "category"]].merge(raw, on="product_id", how="left")
    out = out.merge(periods, left_on="product_id", right_index=True, how="left")
    out["cross_elasticity"] = out["extra_estimate"]
    out["cross_lo"] = out["extra_estimate"] - z * out["extra_se"]
    out["cross_hi"] = out["extra_estimate"] + z * out["extra_se"]
    out["n_periods"] = out["n_periods"].fillna(0).astype("int64")
    out["own_elasticity"] = out["estimate"]
    known = np.isfinite(out["cross_elasticity"])
    significant = (out["cross_lo"] > 0) | (out["cross_hi"] < 0)
    out["status"] = np.where(~known, "too little variation", np.where(significant, "ok", "not significant"))
    return out[list(CROSS_COLUMNS)].sort_values("product_id", ignore_index=True)
