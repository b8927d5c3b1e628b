"""Telling a purchase-model fit that means something from one that ran to the edge of its parameter space.

A fit is degenerate when (checked in this order, the first reason found is returned):

- a parameter is beyond :data:`PARAM_HIGH` or below :data:`PARAM_LOW` (Online Retail's Pareto/NBD gave
  s = 1.957e-13, another shop s = 1.8e5 and beta = 1.48e9: the dropout process is not identified and
  the ratios of the parameters, not the parameters, carry the fit);
- P(alive) is at least :data:`ALIVE_HIGH` for at least :data:`ALIVE_SHARE` of the customers (the fit
  cannot tell who has left);
- the Hessian of the log-likelihood at the optimum, in the log-parameters the optimiser used, is not
  negative definite: its largest eigenvalue is above ``-HESSIAN_RTOL`` times the largest curvature
  (a flat direction means the optimum is a ridge, not a point). The Hessian is taken by central
  differences (numdifftools is not a dependency; :func:`numerical_hessian`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.mbgcnbd import MBGCNBDModel
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel

__all__ = ["ALIVE_HIGH", "ALIVE_SHARE", "HESSIAN_RTOL", "PARAM_HIGH", "PARAM_LOW", "degenerate_reason",
           "hessian_reason", "numerical_hessian"]

PARAM_HIGH = 1e6
PARAM_LOW = 1e-6
ALIVE_HIGH = 0.99
ALIVE_SHARE = 0.95
HESSIAN_RTOL = 1e-6


def numerical_hessian(f: Callable[[np.ndarray], float], z: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``z`` (step ``step`` in every coordinate)."""
    z = np.asarray(z, dtype=float)
    n = len(z)
    h = np.zeros((n, n))
    f0 = f(z)
    e = np.eye(n) * step
    for i in range(n):
        h[i, i] = (f(z + e[i]) - 2 * f0 + f(z - e[i])) / step**2
        for j in range(i + 1, n):
            h[i, j] = h[j, i] = (f(z + e[i] + e[j]) - f(z + e[i] - e[j]) - f(z - e[i] + e[j])
                                 + f(z - e[i] - e[j])) / (4 * step**2)
    return h


def _log_likelihood_function(model, x, tx, t, litt) -> tuple[Callable[[np.ndarray], float], np.ndarray]:
    """Total log-likelihood as a function of the log-parameters, and the fitted log-parameters."""
    if isinstance(model, MBGCNBDModel):
        k = model._k()
        rows, counts = np.unique(np.column_stack([x, tx, t, litt]), axis=0, return_counts=True)
        z0 = np.log(model._p())
        return (lambda z: float(counts @ MBGCNBDModel._log_likelihood(np.exp(z), *rows.T, k))), z0
    rows, counts = np.unique(np.column_stack([x, tx, t]), axis=0, return_counts=True)
    z0 = np.log(model._p())
    return (lambda z: float(counts @ type(model)._log_likelihood(np.exp(z), *rows.T))), z0


def degenerate_reason(model: BetaGeoModel | ParetoNBDModel | MBGCNBDModel, x, tx, t, litt=None) -> str | None:
    """Why the fitted purchase model cannot be trusted, or None when it can.

    Parameters
    ----------
    model : fitted BetaGeoModel, ParetoNBDModel or MBGCNBDModel
    x, tx, t : array-like
        The summary it was fitted on.
    litt : array-like, optional
        Needed for MBGCNBDModel.

    Returns
    -------
    str or None
        A sentence naming the parameter, the share of customers or the Hessian.
    """
    x, tx, t = (np.asarray(v, dtype=float) for v in (x, tx, t))
    for name, value in model.params_.items():
        if name == "k":
            continue
        if not np.isfinite(value) or value > PARAM_HIGH or value < PARAM_LOW:
            return (f"parameter {name} = {value:.4g} is outside [{PARAM_LOW:g}, {PARAM_HIGH:g}]: the fit ran to the "
                    "edge of its parameter space")
    alive = model.p_alive(x, tx, t)
    share = float((alive >= ALIVE_HIGH).mean())
    if share >= ALIVE_SHARE:
        return (f"P(alive) >= {ALIVE_HIGH} for {share:.1%} of customers: the fit cannot tell who has stopped "
                "buying")
    f, z0 = _log_likelihood_function(model, x, tx, t, None if litt is None else np.asarray(litt, dtype=float))
    return hessian_reason(f, z0)


def hessian_reason(log_likelihood: Callable[[np.ndarray], float], z0: np.ndarray) -> str | None:
    """Why the maximum of ``log_likelihood`` at ``z0`` is not a proper one (None when its Hessian is
    negative definite: largest eigenvalue below ``-HESSIAN_RTOL`` times the largest curvature)."""
    with np.errstate(all="ignore"):
        h = numerical_hessian(log_likelihood, z0)
    if not np.isfinite(h).all():
        return "the Hessian of the log-likelihood at the optimum is not finite"
    eig = np.linalg.eigvalsh(h)
    if eig.max() >= -HESSIAN_RTOL * np.abs(eig).max():
        return (f"the Hessian of the log-likelihood at the optimum is not negative definite (largest eigenvalue "
                f"{eig.max():.3g}): the optimum is a ridge, not a point")
    return None
