"""The Gamma-Gamma spend model: fit by maximum likelihood, conditional expected spend per purchase.

Our own maximum-likelihood code (no maintained library is installable here) on the log-likelihood
of Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (note), equation (3) in the form
for an observed mean spend m_x over x purchases, and its conditional expectation, eq. (5). The note
takes x as the repeat purchases; the model only needs x independent spends of the customer, and
:func:`~shopmine.customers.clv.analysis.customer_lifetime_value` passes every purchase day (x + 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from shopmine.customers.clv.optimise import fit_log_params
from shopmine.customers.clv.summary_input import check_fitted
from shopmine.errors import ShopmineInputError

__all__ = ["GammaGammaModel"]


def _check_spend(frequency, monetary_value) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=float).ravel()
    m = np.asarray(monetary_value, dtype=float).ravel()
    if len(x) != len(m):
        raise ShopmineInputError(f"frequency and monetary_value must have the same length; got {len(x)} and {len(m)}.")
    bad = ~np.isfinite(x) | (x < 0) | ~np.isfinite(m) | (m < 0)
    if bad.any():
        raise ShopmineInputError(f"frequency must be >= 0 and monetary_value finite and >= 0; row "
                                 f"{int(np.flatnonzero(bad)[0])} breaks it ({bad.sum()} rows in all).")
    return x, m


class GammaGammaModel:
    """Gamma-Gamma: each purchase's spend ~ gamma(p, nu), and nu ~ gamma(q, v) across customers.

    Fitted on customers with at least one purchase and a positive mean spend (a zero mean spend has
    no likelihood under gamma spends; such customers are left out of the fit and get the conditional
    expectation of their frequency like everyone else).

    Attributes
    ----------
    params_ : dict
        ``p, q, v``.
    log_likelihood_ : float
    n_customers_ : int
        Customers used in the fit.
    fallback_spend_ : float
        Their mean spend, used for customers without purchases when q <= 1.

    Examples
    --------
    >>> m = GammaGammaModel().fit([1, 2, 3, 1, 4, 2], [20.0, 35.0, 18.0, 50.0, 25.0, 30.0])
    >>> bool(m.conditional_expected_spend([2], [30.0])[0] > 0)
    True
    """

    def fit(self, frequency, monetary_value) -> GammaGammaModel:
        """Maximum-likelihood estimates of ``p, q, v``.

        Parameters
        ----------
        frequency : array-like
            Purchases per customer that ``monetary_value`` is the mean of (lifetimes passes the repeat
            purchases; shopmine passes all purchase days); rows with 0 are ignored.
        monetary_value : array-like
            Mean spend per purchase.

        Raises
        ------
        ShopmineInputError
            Fewer than 2 customers with purchases and positive spend.
        """
        x, m = _check_spend(frequency, monetary_value)
        keep = (x > 0) & (m > 0)
        if keep.sum() < 2:
            raise ShopmineInputError(f"the Gamma-Gamma spend model needs at least 2 customers with a purchase "
                                     f"and positive spend; found {int(keep.sum())}.")
        x, m = x[keep], m[keep]
        mean = float(m.mean())
        starts = [(1.0, 1.0, 1.0), (2.0, 3.0, mean), (5.0, 4.0, mean * 2)]
        params, value = fit_log_params(lambda z: -self._log_likelihood(np.exp(z), x, m).mean(), starts, "Gamma-Gamma")
        self.params_ = dict(zip(("p", "q", "v"), (float(v) for v in params)))
        self.log_likelihood_ = -value * len(x)
        self.n_customers_ = len(x)
        self.fallback_spend_ = mean
        return self

    @staticmethod
    def _log_likelihood(params, x, m) -> np.ndarray:
        p, q, v = params
        # Density of the mean m_x of x gamma(p, nu) spends, nu integrated over gamma(q, v).
        return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
                + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))

    def conditional_expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """E[spend per purchase | x, m_x] = p (v + x m_x) / (p x + q - 1).

        For a customer with x = 0 this is the population mean p v / (q - 1); when
        q <= 1 that mean is infinite, and the mean spend of the fitted customers stands in.
        """
        check_fitted(self)
        x, m = _check_spend(frequency, monetary_value)
        p, q, v = (self.params_[k] for k in ("p", "q", "v"))
        denom = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = p * (v + x * m) / denom
        if q <= 1:
            spend = np.where(denom > 0, spend, self.fallback_spend_)
        return spend

    @property
    def population_mean_spend(self) -> float:
        """p v / (q - 1), infinite when q <= 1."""
        check_fitted(self)
        p, q, v = (self.params_[k] for k in ("p", "q", "v"))
        return p * v / (q - 1) if q > 1 else float("inf")
