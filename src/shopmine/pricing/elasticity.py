"""Own-price elasticity per product, with an interval and a status that says when not to trust it.

Elasticity = d log(units) / d log(price): -2 means a 1 % higher price sells 2 % fewer units.

Methods
-------
``naive``
    Per product, least squares of log units on log paid price and nothing else: the reference that
    confounding fools (promotions in high season, the display lift of a promotion).
``loglog``
    The transparent baseline: the same with controls for traffic, trend and promotions, robust (HC3)
    t intervals (:mod:`shopmine.pricing.loglog`).
``shrinkage`` (the default)
    Per product, a zero-truncated Poisson model of the day's sale lines on the log price, with the
    category's traffic and display-lift coefficients as an offset (:mod:`shopmine.pricing.counts`),
    shrunk towards the category's mean by empirical Bayes (:mod:`shopmine.pricing.shrinkage`).
``dml``
    Double machine learning (DoubleML partially linear model per category, LightGBM nuisances,
    product-level residual-on-residual slopes shrunk the same way: :mod:`shopmine.pricing.dml`).

Why the default is ``shrinkage``: chosen on the simulated shop's known truth (``bench/pricing.py``:
5,000 customers, 500 products, two years, promotions concentrated in the high season with a display
lift, segments with their own price response and promotion affinity), by the median absolute error
against the products' market elasticities over the ~495 products with enough price variation::

    method (points)               seeds 0 / 1 / 2     earlier sim   note
    shrinkage (daily)             0.26 / 0.30 / 0.29  0.22          bias -0.03 .. -0.16
    dml (weekly, its best)        0.29 / 0.27 / 0.26  0.45          bias +0.04 .. +0.18
    loglog (weekly)               0.70 / 0.75 / 0.81  0.73
    naive (weekly)                0.89 / 0.89 / 0.87  0.70          confounded: bias -0.5
    naive, loglog (daily)         1.01, 0.97 (seed 0) 1.17, 1.25    log of small counts: +0.8

("earlier sim": the simulator before promotion affinities, seed 0.) On the current simulator the two
candidates are close; ``shrinkage`` is the default because it is right for the right reason. Least
squares on log units, which ``dml`` shares, is biased towards 0 on the small counts of a product's days
and weeks (a slow product's periods without a sale have no price and are not in the points; its
one-unit periods hardly move with the price): +0.43 on the earlier simulator, where nothing offset it.
On the current one, promotions draw the most price-sensitive customers, so demand is steeper at
promotion prices than at the regular ones the truth is measured at, and that bias in the other direction
largely cancels it. The truncated count model has no such bias (it keeps a slight steepening, the
negative bias above, from the promotions' customer mix), and the shrinkage turns its noisy per-product
slopes into usable ones (unshrunk, their median error was 0.40 on the earlier simulator; the category
means alone 0.26). Give it daily points (``price_points(..., freq="D")``): weekly means mix promotion
and regular days (0.26 on weekly points of the earlier simulator).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from shopmine.errors import invalid_value
from shopmine.pricing.counts import category_offsets, count_column, per_product_counts
from shopmine.pricing.loglog import CONTROLS, design_frame, per_product_ols
from shopmine.pricing.points import SCHEDULE_REASON, check_points, price_variation
from shopmine.pricing.shrinkage import shrink

__all__ = ["CATEGORY_COLUMNS", "ELASTICITY_COLUMNS", "METHODS", "STATUSES", "category_elasticities",
           "confidence_z", "elasticity_status", "estimate_elasticities"]

ELASTICITY_COLUMNS = ("product_id", "category", "elasticity", "elasticity_lo", "elasticity_hi",
                      "n_periods", "status", "method")
CATEGORY_COLUMNS = ("category", "elasticity", "elasticity_lo", "elasticity_hi", "spread", "n_products", "status")
STATUSES = ("ok", "too little variation", "not significant", "not negative", "returns only", "price schedule")
METHODS = ("default", "naive", "loglog", "shrinkage", "dml")
#: What ``method="default"`` runs (chosen on the simulator's known truth: see the module docstring).
DEFAULT_METHOD = "shrinkage"


def confidence_z(confidence: object) -> float:
    """The normal quantile of a two-sided interval at ``confidence``, which is checked first (every
    estimator of the package takes the same ``confidence`` parameter)."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise invalid_value("confidence", "a number strictly between 0 and 1 (e.g. 0.95)", confidence)
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _check_method(method: object) -> str:
    if method not in METHODS:
        raise invalid_value("method", "one of " + ", ".join(METHODS), method)
    return str(method)


def elasticity_status(estimate: float, hi: float) -> str:
    """The status of an elasticity with the upper end ``hi`` of its interval (products and clusters alike)."""
    if not np.isfinite(estimate):
        return "too little variation"
    if estimate >= 0:
        return "not negative"
    if not hi < 0:
        return "not significant"
    return "ok"


def _shrinkage(design: pd.DataFrame, fitted: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Count-model slopes per product (:mod:`shopmine.pricing.counts`) shrunk towards their category's
    (:mod:`shopmine.pricing.shrinkage`)."""
    count = count_column(design)
    design = design[design["product_id"].isin(fitted["product_id"])]
    raw = per_product_counts(design, fitted["product_id"].tolist(), count, category_offsets(design, count))
    return shrink(fitted.merge(raw, on="product_id"), confidence=confidence)


def category_elasticities(points: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The default method's category means: the elasticity each category's products scatter around.

    Parameters
    ----------
    points : pandas.DataFrame
        Price points (:func:`shopmine.features.price_points`, daily recommended).
    confidence : float, default=0.95

    Returns
    -------
    pandas.DataFrame
        :data:`CATEGORY_COLUMNS`, one row per category with a product of enough price variation:
        the random-effects mean of its products' count-model slopes with its normal interval
        (:mod:`shopmine.pricing.shrinkage`), ``spread`` (the standard deviation of its products' true
        elasticities around it), ``n_products`` (products with an estimate of their own) and ``status``
        (``"ok"``, ``"not significant"``, ``"not negative"``, or ``"shop prior"`` when the category had
        fewer than three estimates and the shop-wide mean stands in).
    """
    z = confidence_z(confidence)
    points = check_points(points)
    variation = price_variation(points)
    candidates = variation.loc[variation["enough"], ["product_id", "category"]]
    shrunk = candidates.merge(_shrinkage(design_frame(points), candidates, confidence), on="product_id")
    rows = []
    for category, group in shrunk.groupby("category", sort=True):
        first = group.iloc[0]
        mean, se = float(first["prior_mean"]), float(first["prior_se"])
        lo, hi = mean - z * se, mean + z * se
        status = elasticity_status(mean, hi) if bool(first["own_prior"]) else "shop prior"
        rows.append({"category": category, "elasticity": mean, "elasticity_lo": lo, "elasticity_hi": hi,
                     "spread": float(first["prior_sd"]), "n_products": int(group["has_estimate"].sum()),
                     "status": status})
    return pd.DataFrame(rows, columns=list(CATEGORY_COLUMNS))


def estimate_elasticities(points: pd.DataFrame, *, method: str = "default", confidence: float = 0.95,
                          random_state: int = 0) -> pd.DataFrame:
    """Own-price elasticity of every product in ``points``.

    Parameters
    ----------
    points : pandas.DataFrame
        Price points per product and period (:func:`shopmine.features.price_points`, as pandas).
    method : {"default", "naive", "loglog", "shrinkage", "dml"}, default="default"
        See the module; ``default`` is ``shrinkage``. Give daily points to ``shrinkage`` and weekly
        ones to the least-squares methods (their best, for the comparison).
    confidence : float, default=0.95
        Level of the intervals.
    random_state : int, default=0
        Seed of the cross-fitting folds and learners of ``dml`` (the other methods are deterministic).

    Returns
    -------
    pandas.DataFrame
        :data:`ELASTICITY_COLUMNS`, one row per product of ``points``, sorted by ``product_id``.
        ``elasticity_lo <= elasticity <= elasticity_hi``; all three null when the status is
        ``"too little variation"``, ``"price schedule"`` or ``"returns only"``. ``status``: ``"ok"``;
        ``"too little variation"`` (:func:`~shopmine.pricing.points.price_variation`); ``"price
        schedule"`` (its prices within a day vary by lot size or buyer: :mod:`shopmine.pricing.schedule`;
        the price variation is not the shop's price changes); ``"not negative"`` (the estimate
        is 0 or above); ``"not significant"`` (negative, but the interval reaches 0); ``"returns
        only"`` (no unit sold, only returns). ``method``: the estimator that made the row.
    """
    method = _check_method(method)
    confidence_z(confidence)
    points = check_points(points)
    variation = price_variation(points)
    fitted = variation.loc[variation["enough"], "product_id"].tolist()
    design = design_frame(points)
    name = DEFAULT_METHOD if method == "default" else method
    candidates = variation.loc[variation["enough"], ["product_id", "category"]]
    if name == "shrinkage":
        estimates = _shrinkage(design, candidates, confidence)
    elif name == "dml":
        # Imported here: DoubleML (and the plotting libraries it loads) takes seconds to import, which
        # every command that only needs the default would pay.
        from shopmine.pricing.dml import dml_elasticities

        estimates = dml_elasticities(design, candidates, confidence=confidence, random_state=random_state)
    else:
        estimates = per_product_ols(design, fitted, () if name == "naive" else CONTROLS, confidence)
        estimates = estimates.rename(columns={"estimate": "elasticity", "lo": "elasticity_lo",
                                              "hi": "elasticity_hi"})
    out = variation[["product_id", "category", "n_periods"]].merge(estimates, on="product_id", how="left")
    out["status"] = [elasticity_status(e, h) for e, h in zip(out["elasticity"], out["elasticity_hi"])]
    out.loc[variation["reason"].eq("returns only").to_numpy(), "status"] = "returns only"
    out.loc[variation["reason"].astype(str).str.startswith(SCHEDULE_REASON).to_numpy(), "status"] = "price schedule"
    out["method"] = name
    out = out.astype({"elasticity": float, "elasticity_lo": float, "elasticity_hi": float, "n_periods": "int64"})
    return out[list(ELASTICITY_COLUMNS)].sort_values("product_id", ignore_index=True)
