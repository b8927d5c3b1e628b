"""Price slopes from the counts a shop sells, for the periods it sold something.

A product sells in few of its days; the points hold only the periods with a sale (a period without one
has no price to read). Least squares on the log of such counts is biased towards 0: at a high price a
slow product sells 0 (dropped) or 1 unit, so the log units hardly move with the price. A zero-truncated
Poisson model (statsmodels ``TruncatedLFPoisson``) of the count given that it is positive removes that
bias, and the truncation needs the count of purchase events, nearly Poisson: the number of sale lines
(``n_lines``), whose elasticity is the units' when units per line do not depend on the price. Without
``n_lines`` the units are the count (for large counts, as in store-level scanner data, the truncation
hardly matters and the model is Poisson pseudo-likelihood, consistent for the mean whatever the
dispersion).

Two stages, so that collinear controls do not swamp a product's own slope:

1. per category, one model of the count on every product's own intercept and the shared slopes of log
   price, trend, log traffic, discount share (the display lift of a promotion) and log discount (the
   extra response to a promotion's depth), identified across the category's best sellers
   (:func:`pooled_fit`);
2. per product, its intercept, trend and price slope, with the category's traffic, lift and discount
   terms as a fixed offset; the larger of the robust (sandwich) and model-based standard errors.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.discrete.truncated_model import TruncatedLFPoisson
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning

__all__ = ["MIN_REPEATS", "POOL_PRODUCTS", "category_offsets", "count_column", "per_product_counts", "pooled_fit"]

#: Stage 1 pools at most this many products per category (its best sellers): a category of thousands
#: of products would make one model with thousands of intercepts, and the shared slopes are learnt as
#: well from its best-selling fifty.
POOL_PRODUCTS = 50
#: A count model needs this many periods that sold more than one: with fewer, the data cannot tell a
#: low rate from a steep price response.
MIN_REPEATS = 5
#: The price regressor: the log paid price (list price changes and promotions both move it).
PRICE = "log_price"
#: Controls whose slopes are shared by a category: traffic, the display lift of a promotion (its share
#: of the period's units) and the extra response to a promotion's discount beyond the regular-price
#: elasticity (``log_discount``, the log of paid over list price): deal-prone shoppers crowd into
#: promotions, so the price response on promotion is steeper than to the regular price the shop sets.
_SHARED = ("log_traffic", "discount_share", "log_discount")
_WARNINGS = (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning, RuntimeWarning)


class _TruncatedPoisson(TruncatedLFPoisson):
    """statsmodels' zero-truncated Poisson with its score and Hessian in closed form.

    The library builds a new Poisson model per observation kind at every score evaluation and
    differentiates the log-likelihood numerically for the Hessian: minutes for the pooled stage-1 model
    of a category. The truncated Poisson is an exponential family in the linear predictor ``eta``, so
    with ``mu = exp(eta)`` and ``m = E[y | y > 0] = mu / (1 - exp(-mu))`` the score of an observation is
    ``(y - m) x`` and the Hessian ``-X' diag(v) X``, ``v = Var(y | y > 0) = m (1 + mu - m)``.
    """

    def _mean_var(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        offset = getattr(self, "offset", None)
        offset = 0.0 if offset is None else offset
        mu = np.exp(self.exog @ params + offset)
        # mu / (1 - exp(-mu)) is 0 / 0 once mu underflows; its expansion 1 + mu / 2 is exact there.
        small = mu < 1e-6
        m = np.where(small, 1.0 + mu / 2.0, mu / -np.expm1(-np.where(small, 1.0, mu)))
        return m, np.where(small, mu / 2.0, m * (1.0 + mu - m))

    def score_obs(self, params: np.ndarray) -> np.ndarray:
        m, _ = self._mean_var(params)
        return self.exog * (self.endog - m)[:, None]

    def score(self, params: np.ndarray) -> np.ndarray:
        return self.score_obs(params).sum(0)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        _, v = self._mean_var(params)
        return -(self.exog.T * v) @ self.exog


def count_column(design: pd.DataFrame) -> str:
    """The count the models fit: ``n_lines`` when present and known everywhere, else the demand units."""
    if "n_lines" in design.columns and design["n_lines"].notna().all():
        return "n_lines"
    return "demand"


def _fit(y: np.ndarray, exog: np.ndarray, offset: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Coefficients and standard errors of a zero-truncated Poisson fit, or None when it cannot be
    trusted (fewer than :data:`MIN_REPEATS` counts above 1, no convergence, an infinite error).

    The error is the larger of the sandwich (robust to overdispersion) and the model-based one: near
    separation (a slow product that sold two at its lowest price and one otherwise) the sandwich alone
    is far too small and would let a slope of -90 through as precise.
    """
    # The rank from the small cross-product matrix: an SVD of the design itself costs seconds when it
    # holds the dummies of fifty products over two years of days.
    if (y.size <= exog.shape[1] or (y > 1).sum() < MIN_REPEATS
            or np.linalg.matrix_rank(exog.T @ exog) < exog.shape[1]):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _WARNINGS)
        try:
            # Start from least squares on log counts: the library's own start (a Poisson fit from 0)
            # overflows on large counts.
            start = np.linalg.solve(exog.T @ exog, exog.T @ (np.log(y) - (0.0 if offset is None else offset)))
            # The rank is checked above, and a constant (or product dummies summing to one) is always
            # in the design: statsmodels need not check either again on the full matrix.
            model = _TruncatedPoisson(y, exog, offset=offset, check_rank=False, hasconst=True)
            fit = model.fit(start_params=start, method="newton", maxiter=100, disp=0, cov_type="HC0")
            if not np.all(np.isfinite(fit.params)):
                # Plain Newton has no line search and can overshoot into overflow; Newton-CG has one.
                fit = model.fit(start_params=start, method="ncg", maxiter=200, disp=0, cov_type="HC0")
        except (np.linalg.LinAlgError, ValueError):
            return None
    # Newton stops on small parameter steps; an intercept drifting towards the boundary (counts of 1
    # but for one or two periods) keeps stepping while the likelihood is flat: accept a vanishing score.
    settled = fit.mle_retvals.get("converged", False) or np.abs(fit.model.score(fit.params)).max() < 1e-6 * y.size
    if not settled or not np.all(np.isfinite(fit.bse)):
        return None
    try:
        model_var = np.diag(np.linalg.inv(-fit.model.hessian(fit.params)))
    except np.linalg.LinAlgError:
        return None
    se = np.sqrt(np.maximum(fit.bse**2, model_var))
    return (fit.params, se) if np.all(np.isfinite(se)) else None


def pooled_fit(rows: pd.DataFrame, count: str, *, min_products: int = 1,
               shared: tuple[str, ...] = _SHARED) -> dict[str, tuple[float, float]] | None:
    """One model of the count on each product's own intercept and the shared slopes of the price, the
    trend and ``shared`` (default :data:`_SHARED`): ``{column: (coefficient, standard error)}`` for each
    of them that varies,
    or None when the model fails or fewer than ``min_products`` products can enter it.

    Only the :data:`POOL_PRODUCTS` best sellers with at least :data:`MIN_REPEATS` counts above 1 enter:
    products that seldom sold more than one at a time say little about levels (their intercepts run off
    towards minus infinity), and a thousand intercepts would make one slow model.
    """
    informative = rows.groupby("product_id")[count].agg(sum="sum", repeats=lambda c: int((c > 1).sum()))
    informative = informative[informative["repeats"] >= MIN_REPEATS]
    if len(informative) < min_products or informative.empty:
        return None
    rows = rows[rows["product_id"].isin(informative["sum"].nlargest(POOL_PRODUCTS).index)]
    shared = [PRICE, *(c for c in ("trend", *shared) if rows[c].nunique() > 1)]
    ids = pd.get_dummies(rows["product_id"], dtype=float).to_numpy()
    exog = np.column_stack([ids, rows[shared].to_numpy(float)])
    fit = _fit(rows[count].to_numpy(float), exog, None)
    if fit is None:
        return None
    params, se = fit
    k = len(shared)
    return {name: (float(b), float(s)) for name, b, s in zip(shared, params[-k:], se[-k:])}


def category_offsets(design: pd.DataFrame, count: str) -> dict[str, dict[str, float]]:
    """Stage 1: per category, the shared coefficients of :data:`_SHARED` from :func:`pooled_fit` (0 for
    a control that does not vary, and for all of them when the pooled model fails)."""
    out = {}
    for category, rows in design.groupby("category", sort=True):
        fit = pooled_fit(rows, count) or {}
        out[str(category)] = {c: fit[c][0] if c in fit else 0.0 for c in _SHARED}
    return out


def per_product_counts(design: pd.DataFrame, products: list[str], count: str,
                       offsets: dict[str, dict[str, float]], *, extra: str | None = None) -> pd.DataFrame:
    """Stage 2: each product's price slope and its standard error (NaN when the model cannot be fitted:
    then only the category's prior speaks for it).

    With ``extra`` (a column of ``design``), that regressor enters each product's model too and its
    slope comes back as ``extra_estimate, extra_se`` (NaN where it does not vary).
    """
    groups = dict(tuple(design.groupby("product_id", sort=False)))
    rows = []
    for product in products:
        frame = groups.get(product)
        row = {"product_id": product, "estimate": np.nan, "se": np.nan, "extra_estimate": np.nan,
               "extra_se": np.nan}
        if frame is not None:
            coefs = offsets[str(frame["category"].iloc[0])]
            offset = sum(coefs[c] * frame[c].to_numpy(float) for c in _SHARED)
            cols = [PRICE] + (["trend"] if frame["trend"].nunique() > 1 else [])
            with_extra = extra is not None and frame[extra].nunique() > 1
            cols += [extra] if with_extra else []
            exog = np.column_stack([np.ones(len(frame)), frame[cols].to_numpy(float)])
            fit = _fit(frame[count].to_numpy(float), exog, np.asarray(offset, dtype=float))
            if fit is not None:
                row.update(estimate=float(fit[0][1]), se=float(fit[1][1]))
                if with_extra:
                    row.update(extra_estimate=float(fit[0][-1]), extra_se=float(fit[1][-1]))
        rows.append(row)
    columns = ["product_id", "estimate", "se"] + (["extra_estimate", "extra_se"] if extra else [])
    frame = pd.DataFrame(rows, columns=["product_id", "estimate", "se", "extra_estimate", "extra_se"])
    return frame.astype({c: float for c in frame.columns[1:]})[columns]
