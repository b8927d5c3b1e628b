"""Per-product log-log regressions: the naive slope and the transparent baseline with controls.

``log units = a + e * log price [+ controls] + noise``, by least squares per product (statsmodels),
robust (HC3) standard errors and a t interval. The naive regression has no controls: when promotions
come in the high season, or a promotion's display lifts units beyond its price cut, the price slope
takes the season's and the display's effects for the price's, and overstates the elasticity.

The baseline controls for what moves units besides the price:

- ``log_traffic``: the log of the period's sales outside the product's category (season, trend and
  growth of the customer base, and the traffic promotions bring, as the shop saw them);
- ``trend``: years since the first period, for a product's own drift against the shop;
- ``discount_share``: the share of the product's units sold below list price, so that a promotion's
  display lift is not taken for the price's effect (the discount's depth stays in the price).

A control that does not vary over a product's periods is left out of its regression.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from shopmine.pricing.points import demand_column, fit_rows

__all__ = ["CONTROLS", "design_frame", "ols_slope", "per_product_ols"]

CONTROLS = ("log_traffic", "trend", "discount_share")


def _log_traffic(points: pd.DataFrame, usable: pd.DataFrame, demand: str) -> np.ndarray:
    """The log of the period's sales outside the product's category (sale lines when known, else units).

    Outside the category, because a category's products answer each other's prices (substitutes sell
    less while one is on promotion) and may be promoted together: their sales would carry part of the
    product's own price response. A shop with a single category has nothing outside it; there the other
    products' sales stand in. log1p: a period may have no such sales at all.
    """
    measure = "n_lines" if "n_lines" in points.columns and points["n_lines"].notna().all() else demand
    per_period = points.groupby("period")[measure].sum()
    if points["category"].nunique() > 1:
        per_category = points.groupby(["period", "category"])[measure].sum()
        inside = per_category.reindex(pd.MultiIndex.from_frame(usable[["period", "category"]])).to_numpy(float)
    else:
        inside = usable[measure].to_numpy(float)
    others = usable["period"].map(per_period).to_numpy(float) - inside
    return np.log1p(np.clip(others, 0.0, None))


def design_frame(points: pd.DataFrame) -> pd.DataFrame:
    """The usable periods (:func:`~shopmine.pricing.points.fit_rows`) with ``demand`` (the units the
    models fit) and the control columns."""
    demand = demand_column(points)
    usable = fit_rows(points)
    usable["demand"] = usable[demand].astype(float)
    usable["log_traffic"] = _log_traffic(points, usable, demand)
    start = points["period"].min()
    usable["trend"] = (usable["period"] - start).dt.days / 365.25
    listed = usable["list_price"].astype(float) if "list_price" in usable.columns else usable["avg_price"] * np.nan
    usable["log_list"] = np.log(listed.where(listed > 0)).fillna(usable["log_price"])
    usable["log_discount"] = usable["log_price"] - usable["log_list"]
    share = usable["discount_share"] if "discount_share" in usable.columns else 0.0
    usable["discount_share"] = pd.Series(share, index=usable.index, dtype=float).fillna(0.0)
    return usable


def _varying(frame: pd.DataFrame, controls: tuple[str, ...]) -> list[str]:
    return [c for c in controls if frame[c].nunique() > 1]


def ols_slope(frame: pd.DataFrame, controls: tuple[str, ...], confidence: float,
              y: str = "log_units", x: str = "log_price") -> dict[str, float]:
    """The coefficient of ``x`` in an OLS of ``y`` on ``x`` and the varying ``controls``, with its
    robust standard error and interval (NaN when the regression has no residual degree of freedom)."""
    used = _varying(frame, controls)
    exog = sm.add_constant(frame[[x, *used]].to_numpy(float), has_constant="add")
    n, k = exog.shape
    if n <= k or np.linalg.matrix_rank(exog) < k:
        return {"estimate": np.nan, "se": np.nan, "lo": np.nan, "hi": np.nan, "df": float(max(n - k, 0))}
    fit = sm.OLS(frame[y].to_numpy(float), exog).fit(cov_type="HC3", use_t=True)
    se = float(fit.bse[1])
    if not np.isfinite(se):  # a period of leverage 1 makes HC3 infinite; HC1 does not divide by 1 - h
        fit = sm.OLS(frame[y].to_numpy(float), exog).fit(cov_type="HC1", use_t=True)
        se = float(fit.bse[1])
    lo, hi = fit.conf_int(alpha=1.0 - confidence)[1]
    return {"estimate": float(fit.params[1]), "se": se, "lo": float(lo), "hi": float(hi),
            "df": float(fit.df_resid)}


def per_product_ols(design: pd.DataFrame, products: list[str], controls: tuple[str, ...],
                    confidence: float) -> pd.DataFrame:
    """:func:`ols_slope` of each product in ``products``: ``product_id, estimate, se, lo, hi, df``."""
    groups = dict(tuple(design.groupby("product_id", sort=False)))
    rows = [{"product_id": p, **ols_slope(groups[p], controls, confidence)} for p in products if p in groups]
    frame = pd.DataFrame(rows, columns=["product_id", "estimate", "se", "lo", "hi", "df"])
    return frame.astype({c: float for c in frame.columns[1:]})
