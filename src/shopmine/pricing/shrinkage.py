"""Empirical-Bayes shrinkage of per-product elasticities towards their category's.

Each product's estimate ``b_i`` (standard error ``s_i``) is one draw around its true elasticity, and
the true elasticities of a category scatter around a mean ``mu`` with variance ``tau2``. Both are
estimated from the category's estimates by the Paule-Mandel random-effects method (statsmodels
``combine_effects``); the posterior of each product is then

    w_i = tau2 / (tau2 + s_i**2),    mean = mu + w_i (b_i - mu),
    variance = w_i s_i**2 + (1 - w_i)**2 var(mu),

so a product with little information of its own borrows the category's, and a well-measured one keeps
its own. A category with fewer than :data:`MIN_GROUP` estimates borrows the whole shop's prior; a shop
with fewer than that keeps the raw estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

__all__ = ["MIN_GROUP", "shrink"]

MIN_GROUP = 3


def _prior(estimate: np.ndarray, se: np.ndarray) -> tuple[float, float, float]:
    """``mu, var(mu), tau2`` of a group of estimates."""
    res = combine_effects(estimate, se**2, method_re="pm")
    return float(res.mean_effect_re), float(res.sd_eff_w_re) ** 2, max(float(res.tau2), 0.0)


def shrink(estimates: pd.DataFrame, *, confidence: float) -> pd.DataFrame:
    """Posterior elasticities of ``estimates`` (``product_id, category, estimate, se``).

    Returns
    -------
    pandas.DataFrame
        ``product_id``, ``elasticity``, ``elasticity_lo``, ``elasticity_hi`` (normal interval at
        ``confidence``), ``prior_mean`` and ``prior_se`` (the group's ``mu`` and its standard error),
        ``prior_sd`` (``sqrt(tau2)``, the spread of the group's true elasticities), ``weight`` (the share
        of the product's own estimate, 0 when it had none), ``has_estimate`` and ``own_prior`` (False
        when the category had too few estimates and borrowed the shop's prior). A product without an estimate gets its
        group's prior (mean ``mu``, variance ``tau2 + var(mu)``); NaN when there is no prior either.
    """
    estimates = estimates.astype({"estimate": float, "se": float})  # an empty frame comes as objects
    known = np.isfinite(estimates["estimate"]) & np.isfinite(estimates["se"]) & (estimates["se"] > 0)
    shop = None
    if known.sum() >= MIN_GROUP:
        shop = _prior(estimates.loc[known, "estimate"].to_numpy(float), estimates.loc[known, "se"].to_numpy(float))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    parts = []
    for _, group in estimates.groupby("category", sort=False):
        own = known.loc[group.index]
        prior = shop
        if own.sum() >= MIN_GROUP:
            prior = _prior(group.loc[own, "estimate"].to_numpy(float), group.loc[own, "se"].to_numpy(float))
        b = group["estimate"].to_numpy(float)
        s2 = group["se"].to_numpy(float) ** 2
        if prior is None:  # nothing to borrow from: the raw estimates and their own intervals
            mean, var, weight, mu, var_mu, tau2 = b, s2, np.where(own, 1.0, 0.0), np.nan, np.nan, np.nan
        else:
            mu, var_mu, tau2 = prior
            weight = np.where(own, tau2 / (tau2 + np.where(own, s2, 1.0)), 0.0)
            mean = np.where(own, mu + weight * (np.nan_to_num(b) - mu), mu)
            var = np.where(own, weight * np.nan_to_num(s2) + (1 - weight) ** 2 * var_mu, tau2 + var_mu)
        sd = np.sqrt(var)
        parts.append(pd.DataFrame({
            "product_id": group["product_id"].to_numpy(), "elasticity": mean,
            "elasticity_lo": mean - z * sd, "elasticity_hi": mean + z * sd,
            "prior_mean": mu, "prior_se": np.sqrt(var_mu), "prior_sd": np.sqrt(tau2), "weight": weight,
            "has_estimate": own.to_numpy(), "own_prior": prior is not shop}))
    columns = ["product_id", "elasticity", "elasticity_lo", "elasticity_hi", "prior_mean", "prior_se", "prior_sd",
               "weight", "has_estimate", "own_prior"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
