"""Double machine learning elasticities: a partially linear model per category (DoubleML).

``log units = e * log price + g(X) + noise`` and ``log price = m(X) + noise`` with ``X`` the controls
(log traffic, trend, discount share, day of week, week of year) and the product (its code and its mean
log units and log price over the points: fixed effects a tree can split on); ``g`` and ``m`` are
LightGBM regressions, cross-fitted over 5 folds (``doubleml.DoubleMLPLR``). The category's ``e`` is the
residual-on-residual slope; a product's is the same slope over its own rows (least squares of its
residual log units on its residual log price, HC3 errors), shrunk towards the category's by
:func:`shopmine.pricing.shrinkage.shrink`.

It is the candidate the module :mod:`shopmine.pricing.elasticity` compares the count model with; it fits
log units, so it shares least squares' bias on the small counts of a shop's days (a slow product's
zero days are not in the points and its one-unit days hardly move with the price).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from doubleml import DoubleMLData, DoubleMLPLR
from lightgbm import LGBMRegressor
from sklearn.model_selection import KFold

from shopmine.pricing.shrinkage import shrink

__all__ = ["dml_elasticities"]

_CONTROLS = ["log_traffic", "trend", "discount_share", "weekday", "week", "product_code", "product_level",
             "product_price"]


def _features(design: pd.DataFrame) -> pd.DataFrame:
    frame = design.copy()
    frame["weekday"] = frame["period"].dt.weekday.astype(float)
    frame["week"] = frame["period"].dt.isocalendar().week.astype(float)
    frame["product_code"] = frame["product_id"].astype("category").cat.codes.astype(float)
    by_product = frame.groupby("product_id")
    frame["product_level"] = by_product["log_units"].transform("mean")
    frame["product_price"] = by_product["log_price"].transform("mean")
    return frame


def _learner(random_state: int) -> LGBMRegressor:
    return LGBMRegressor(n_estimators=200, learning_rate=0.05, num_leaves=15, min_child_samples=20,
                         subsample=0.8, subsample_freq=1, random_state=random_state, verbose=-1, n_jobs=1)


def _residual_slopes(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for product, group in frame.groupby("product_id", sort=False):
        x, y = group["d_res"].to_numpy(), group["y_res"].to_numpy()
        estimate = se = np.nan
        if len(group) > 3 and np.ptp(x) > 0:
            fit = sm.OLS(y, x[:, None]).fit(cov_type="HC3")
            estimate, se = float(fit.params[0]), float(fit.bse[0])
        rows.append({"product_id": product, "estimate": estimate, "se": se})
    return pd.DataFrame(rows, columns=["product_id", "estimate", "se"])


def dml_elasticities(design: pd.DataFrame, fitted: pd.DataFrame, *, confidence: float,
                     random_state: int) -> pd.DataFrame:
    """Per-product elasticities of the products in ``fitted`` (``product_id, category``) from the
    design rows (:func:`shopmine.pricing.loglog.design_frame`), shrunk within their category."""
    design = _features(design[design["product_id"].isin(fitted["product_id"])])
    raw = []
    for _, rows in design.groupby("category", sort=True):
        rows = rows.reset_index(drop=True)
        if len(rows) < 50 or rows["log_price"].nunique() < 3:
            continue  # too few rows to cross-fit two learners: its products keep the shop's prior
        data = DoubleMLData(rows[["log_units", "log_price", *_CONTROLS]], y_col="log_units",
                            d_cols="log_price", x_cols=_CONTROLS)
        # Folds from a seeded KFold: DoubleML would draw them from numpy's global generator.
        folds = list(KFold(n_splits=5, shuffle=True, random_state=random_state).split(rows))
        model = DoubleMLPLR(data, ml_l=_learner(random_state), ml_m=_learner(random_state), n_folds=5,
                            draw_sample_splitting=False)
        model.set_sample_splitting(folds)
        model.fit(store_predictions=True)
        rows["y_res"] = rows["log_units"] - model.predictions["ml_l"][:, 0, 0]
        rows["d_res"] = rows["log_price"] - model.predictions["ml_m"][:, 0, 0]
        raw.append(_residual_slopes(rows))
    estimates = pd.concat(raw, ignore_index=True) if raw else pd.DataFrame(columns=["product_id", "estimate", "se"])
    return shrink(fitted.merge(estimates, on="product_id", how="left"), confidence=confidence)
