"""The BG/NBD purchase model: fit by maximum likelihood, per-customer predictions.

No maintained library (lifetimes, PyMC-Marketing) is installable here, so this is our own
maximum-likelihood code on the published log-likelihood of Fader, Hardie & Lee (2005), "Counting
your customers the easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2),
equation (6), with the conditional expectation of their equation (10) and P(alive) of their note
"Computing P(alive) using the BG/NBD model" (2008).
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from shopmine.customers.clv.optimise import fit_log_params
from shopmine.customers.clv.summary_input import check_fitted, check_summary

__all__ = ["BetaGeoModel"]


class BetaGeoModel:
    """BG/NBD: Poisson purchases with gamma(r, alpha) rates; after each purchase the customer drops
    out with probability p ~ beta(a, b).

    Time is in whatever unit ``recency`` and ``T`` use (days from :func:`customer_summary`, weeks in
    the CDNOW benchmark file); ``alpha`` is in that unit and horizons must be too.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    log_likelihood_ : float
        Total log-likelihood at the optimum.
    n_customers_ : int

    Examples
    --------
    >>> m = BetaGeoModel().fit([2, 1, 0, 0], [30.4, 1.7, 0, 0], [38.9, 38.9, 38.9, 38.9])
    >>> bool(0 <= m.p_alive([2], [30.4], [38.9])[0] <= 1)
    True
    """

    def fit(self, frequency, recency, T) -> BetaGeoModel:
        """Maximum-likelihood estimates of ``r, alpha, a, b``.

        Parameters
        ----------
        frequency, recency, T : array-like
            The lifetimes summary (see :func:`check_summary`).
        """
        x, tx, t = check_summary(frequency, recency, T)
        scale = max(float(t.mean()), 1e-9)
        # Starts: alpha near the mean observation length (its unit), the rest near lifetimes' ones.
        starts = [(1.0, scale, 1.0, 1.0), (0.5, scale / 4, 0.5, 2.0), (2.0, scale * 2, 2.0, 5.0)]
        params, value = fit_log_params(lambda z: -self._log_likelihood(np.exp(z), x, tx, t).mean(), starts, "BG/NBD")
        self.params_ = dict(zip(("r", "alpha", "a", "b"), (float(v) for v in params)))
        self.log_likelihood_ = -value * len(x)
        self.n_customers_ = len(x)
        return self

    @staticmethod
    def _log_likelihood(params, x, tx, t) -> np.ndarray:
        r, alpha, a, b = params
        # FHL 2005, eq. (6): L = B(a,b+x)/B(a,b) * G(r+x) a^r / G(r) * [(alpha+T)^-(r+x)
        #                        + 1{x>0} a/(b+x-1) (alpha+t_x)^-(r+x)]
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b)
        a3 = -(r + x) * np.log(alpha + t)
        with np.errstate(divide="ignore", invalid="ignore"):
            a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx),
                          -np.inf)
        return a1 + a2 + np.logaddexp(a3, a4)

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters."""
        check_fitted(self)
        return self._log_likelihood(self._p(), *check_summary(frequency, recency, T))

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(self.params_[k] for k in ("r", "alpha", "a", "b"))

    def _dead_odds(self, x, tx, t) -> np.ndarray:
        # a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x): the posterior odds of having dropped out at
        # the last purchase; 0 without repeat purchases (in BG/NBD nobody drops out before one).
        r, alpha, a, b = self._p()
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = a / (b + x - 1) * np.exp((r + x) * (np.log(alpha + t) - np.log(alpha + tx)))
        return np.where(x > 0, odds, 0.0)

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still active at T | x, t_x, T) (Fader, Hardie & Lee 2008 note, eq. 3)."""
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        return 1.0 / (1.0 + self._dead_odds(x, tx, t))

    def expected_purchases(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """E[purchases in (T, T + horizon] | x, t_x, T] (FHL 2005, eq. 10)."""
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        r, alpha, a, b = self._p()
        horizon = float(horizon)
        z = horizon / (alpha + t + horizon)
        ratio = np.exp((r + x) * (np.log(alpha + t) - np.log(alpha + t + horizon)))
        core = (a + b + x - 1) / (a - 1) * (1 - ratio * hyp2f1(r + x, b + x, a + b + x - 1, z))
        return core / (1.0 + self._dead_odds(x, tx, t))

    def p_no_purchase(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """P(no purchase in (T, T + horizon] | x, t_x, T).

        Derivation (ours, checked by simulation in the tests): a customer dead at T buys nothing; a
        customer alive at T can only drop out right after a purchase, so buys nothing in the window
        exactly when the Poisson process has no event in it. Given alive, the likelihood in lambda is
        lambda^x e^(-lambda T), so lambda ~ gamma(r + x, alpha + T) independently of p, and
        P(no event) = ((alpha + T)/(alpha + T + horizon))^(r + x). Hence
        P(X = 0) = 1 - P(alive) + P(alive) ((alpha + T)/(alpha + T + horizon))^(r + x).
        """
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        r, alpha, _, _ = self._p()
        alive = 1.0 / (1.0 + self._dead_odds(x, tx, t))
        none_if_alive = np.exp((r + x) * (np.log(alpha + t) - np.log(alpha + t + float(horizon))))
        return 1.0 - alive + alive * none_if_alive

    def expected_purchases_new(self, t: float) -> float:
        """E[X(t)] for a customer just acquired (FHL 2005, eq. 9)."""
        check_fitted(self)
        r, alpha, a, b = self._p()
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t))))
