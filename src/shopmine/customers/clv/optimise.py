"""Maximum likelihood on log-parameters with scipy.optimize, shared by the lifetime-value models."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import minimize

from shopmine.errors import ShopmineRunError

__all__ = ["fit_log_params"]


def fit_log_params(neg_mean_ll: Callable[[np.ndarray], float], starts: Sequence[Sequence[float]],
                   model: str) -> tuple[np.ndarray, float]:
    """Minimise a negative mean log-likelihood over positive parameters.

    The parameters are optimised on the log scale so that they stay positive without bounds. Each
    start runs L-BFGS-B (numerical gradient) and a Nelder-Mead polish from its end point: L-BFGS-B
    gets close quickly, Nelder-Mead does not stop early on the flat ridges these likelihoods have
    (a and b of BG/NBD, q and v of Gamma-Gamma move together).

    Parameters
    ----------
    neg_mean_ll : callable
        Takes the log-parameters, returns the negative mean log-likelihood.
    starts : sequence of sequences of float
        Starting points on the natural (not log) scale.
    model : str
        Name used in the error message.

    Returns
    -------
    params : numpy.ndarray
        Estimates on the natural scale.
    neg_mean_ll : float
        Value at the optimum.

    Raises
    ------
    ShopmineRunError
        When no start reaches a finite likelihood.
    """
    def safe(z: np.ndarray) -> float:
        # Overflow far from the optimum must steer the optimiser away, not stop it.
        with np.errstate(all="ignore"):
            value = neg_mean_ll(z)
        return float(value) if np.isfinite(value) else 1e300

    best_z, best_value = None, np.inf
    for start in starts:
        z0 = np.log(np.asarray(start, dtype=float))
        first = minimize(safe, z0, method="L-BFGS-B", bounds=[(-20, 20)] * len(z0))
        # The polish keeps the same bounds: on a flat ridge (a dropout rate running to 0 or to infinity)
        # an unbounded simplex walks for its whole budget towards 1e300; the fit is degenerate either way
        # and shopmine.customers.clv.degenerate says so.
        polish = minimize(safe, first.x, method="Nelder-Mead", bounds=[(-20, 20)] * len(z0),
                          options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000})
        for z, value in ((first.x, first.fun), (polish.x, polish.fun)):
            if np.isfinite(value) and value < best_value:
                best_z, best_value = z, value
    if best_z is None or best_value >= 1e300:
        raise ShopmineRunError(f"{model}: no start reached a finite likelihood; the customer summary may be degenerate.")
    return np.exp(best_z), float(best_value)
