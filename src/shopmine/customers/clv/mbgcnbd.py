"""The MBG/CNBD-k purchase model: regular (Erlang-k) purchase timing with a dropout chance at every purchase.

Our own maximum-likelihood code (BTYDplus is R; no Python library has it) on the model of Reutterer,
Platzer & Schröder (2021), "Leveraging purchase regularity for predicting customer behavior the easy
way", International Journal of Research in Marketing 38(1), as implemented in R's BTYDplus
(``mbgcnbd.*``): while active, the times between purchases are Erlang-k with a phase rate
eta ~ gamma(r, alpha) across customers (k phases of rate eta per purchase, so the purchase rate is
eta / k); after every purchase, the first included, a customer drops out for good with probability
p ~ beta(a, b). k = 1 is the MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

The likelihood (BTYDplus ``xbgcnbd.LL`` with ``dropout_at_zero``) needs, beside ``x, t_x, T``, the sum
of the logarithms of each customer's intertransaction times (``litt``). P(alive) is BTYDplus'. The
conditional expectation and the probability of no purchase are not BTYDplus' approximation (a BG/NBD
formula with alpha scaled by k and a cohort-wide bias correction) but exact series, derived in
:meth:`MBGCNBDModel.expected_purchases`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import betaln, gammaln
from scipy.stats import nbinom

from shopmine.customers.clv.optimise import fit_log_params
from shopmine.customers.clv.summary_input import check_fitted, check_summary
from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["MAX_K", "MBGCNBDModel"]

#: Largest regularity tried (BTYDplus' grid is 1..12 too).
MAX_K = 12
# Terms of the purchase-count series: enough for 2,000 more purchases in a horizon.
_MAX_TERMS = 2000


def check_litt(litt, frequency) -> np.ndarray:
    """``litt`` as a float array: finite, 0 for customers without repeat purchases."""
    v = np.asarray(litt, dtype=float).ravel()
    x = np.asarray(frequency, dtype=float).ravel()
    if len(v) != len(x):
        raise ShopmineInputError(f"litt must have one value per customer; got {len(v)} for {len(x)} customers.")
    bad = ~np.isfinite(v) | ((x == 0) & (v != 0))
    if bad.any():
        raise ShopmineInputError(f"litt must be finite and 0 for customers with frequency 0; row "
                                 f"{int(np.flatnonzero(bad)[0])} breaks it ({bad.sum()} rows in all). Build it with "
                                 "shopmine.customers.clv.purchase_timing.")
    return v


class MBGCNBDModel:
    """MBG/CNBD-k: Erlang-k purchase timing, gamma(r, alpha) phase rates, beta(a, b) dropout at every purchase.

    Time is in whatever unit ``recency``, ``T`` and ``litt`` use (days from the customer summary).

    Parameters
    ----------
    k : int, optional
        Regularity. When None, ``fit`` tries k = 1, 2, ... :data:`MAX_K` and keeps the best
        likelihood, stopping when it fell twice in a row (BTYDplus' grid search).

    Attributes
    ----------
    params_ : dict
        ``k, r, alpha, a, b``.
    log_likelihood_ : float
    n_customers_ : int

    Examples
    --------
    >>> m = MBGCNBDModel(k=1).fit([2, 1, 0, 0, 3], [30, 2, 0, 0, 20], [39, 39, 39, 39, 39], [5.2, 0.7, 0, 0, 5.0])
    >>> bool(0 <= m.p_alive([2], [30], [39])[0] <= 1)
    True
    """

    def __init__(self, k: int | None = None):
        self.k = k

    def fit(self, frequency, recency, T, litt) -> MBGCNBDModel:
        """Maximum-likelihood estimates of ``r, alpha, a, b`` (and ``k`` when not given).

        Parameters
        ----------
        frequency, recency, T : array-like
            The lifetimes summary (see :func:`check_summary`).
        litt : array-like
            Sum of the log intertransaction times per customer, in the unit of ``recency``.
        """
        x, tx, t = check_summary(frequency, recency, T)
        lt = check_litt(litt, x)
        if self.k is not None and (isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer))
                                   or not 1 <= self.k <= MAX_K):
            raise invalid_value("k", f"an integer in [1, {MAX_K}]", self.k)
        rows, counts = np.unique(np.column_stack([x, tx, t, lt]), axis=0, return_counts=True)
        weights = counts / counts.sum()
        scale = max(float(t.mean()), 1e-9)
        best, history = None, []
        for k in ([int(self.k)] if self.k is not None else range(1, MAX_K + 1)):
            # alpha is the phase-rate scale: k phases per purchase, so it starts k times shorter. Past
            # the first k, the previous k's optimum (alpha rescaled) is a start close enough on its own.
            starts = [(1.0, scale / k, 1.0, 3.0), (0.5, scale / (4 * k), 0.5, 1.0)]
            if history:
                r0, alpha0, a0, b0 = last
                starts = [(r0, alpha0 * (k - 1) / k, a0, b0)]
            params, value = fit_log_params(
                lambda z, k=k: -weights @ self._log_likelihood(np.exp(z), *rows.T, k), starts, "MBG/CNBD-k")
            ll = -value * len(x)
            history.append(ll)
            last = params
            if best is None or ll > best[2]:
                best = (k, params, ll)
            if len(history) >= 3 and history[-1] < history[-2] < history[-3]:
                break
        k, params, ll = best
        self.params_ = {"k": float(k), **dict(zip(("r", "alpha", "a", "b"), (float(v) for v in params)))}
        self.log_likelihood_ = ll
        self.k_log_likelihoods_ = history
        self.n_customers_ = len(x)
        return self

    @staticmethod
    def _log_likelihood(params, x, tx, t, litt, k) -> np.ndarray:
        r, alpha, a, b = params
        # BTYDplus xbgcnbd.LL (dropout_at_zero): the density of the x intertransaction times, (k-1) litt
        # - x log((k-1)!) and the phase-rate integral, times P(survived x+1 dropout coins) B(a, b+x+1)/B(a,b),
        # times [P(alive and fewer than k phases since t_x) + P(dropped after the last purchase)].
        head = ((k - 1) * litt - x * math.lgamma(k) + betaln(a, b + x + 1) - betaln(a, b)
                + gammaln(r + k * x) - gammaln(r) + r * np.log(alpha) - (r + k * x) * np.log(alpha + t))
        log_dead = np.log(a) - np.log(b + x) + (r + k * x) * (np.log(alpha + t) - np.log(alpha + tx))
        return head + np.logaddexp(log_dead, _log_phase_sum(r, alpha, x, tx, t, k))

    def log_likelihood(self, frequency, recency, T, litt) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters."""
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        return self._log_likelihood(self._p(), x, tx, t, check_litt(litt, x), self._k())

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(self.params_[k] for k in ("r", "alpha", "a", "b"))

    def _k(self) -> int:
        return int(self.params_["k"])

    def _p_alive(self, x, tx, t) -> np.ndarray:
        r, alpha, a, b = self._p()
        log_dead = np.log(a) - np.log(b + x) + (r + self._k() * x) * (np.log(alpha + t) - np.log(alpha + tx))
        return 1.0 / (1.0 + np.exp(log_dead - _log_phase_sum(r, alpha, x, tx, t, self._k())))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still active at T | x, t_x, T) (BTYDplus ``mbgcnbd.PAlive``)."""
        check_fitted(self)
        return self._p_alive(*check_summary(frequency, recency, T))

    def _alive_mixture(self, x, tx, t):
        # Alive at T, j of the k phases of the next purchase have passed since t_x (j < k) with
        # posterior weight w_j ~ G(r+kx+j)/(G(r+kx) j!) ((T-t_x)/(alpha+T))^j, and then the phase rate
        # is gamma(r+kx+j, alpha+T) (the likelihood given alive is eta^(kx+j) e^(-eta T)).
        r, alpha, _, _ = self._p()
        k = self._k()
        j = np.arange(k)[None, :]
        shape = r + k * x[:, None] + j
        gap = np.maximum(t - tx, 0)[:, None]
        log_w = (gammaln(shape) - gammaln(r + k * x)[:, None] - gammaln(j + 1)
                 + j * (np.log(np.where(gap > 0, gap, 1.0)) - np.log(alpha + t)[:, None]))
        log_w = np.where((j == 0), 0.0, np.where(gap > 0, log_w, -np.inf))
        w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
        return j, shape, w / w.sum(axis=1, keepdims=True)

    def expected_purchases(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """E[purchases in (T, T + horizon] | x, t_x, T], an exact series (ours).

        Alive at T with j phases passed and phase rate eta, the n-th next purchase falls in the
        window when at least nk - j phases do, P(Poisson(eta h) >= nk - j); it happens only if the
        customer survived the n - 1 purchases before it, E[(1-p)^(n-1)] = B(a, b+x+n)/B(a, b+x+1)
        under the posterior beta(a, b+x+1). Over eta ~ gamma(r+kx+j, alpha+T) the Poisson becomes a
        negative binomial with success probability (alpha+T)/(alpha+T+h). The sum over n runs until
        the negative-binomial tail is below 1e-12. k = 1 reproduces the closed form of MBG/NBD
        (checked in the tests); the dead part contributes nothing.
        """
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        return self._p_alive(x, tx, t) * self._alive_series(float(horizon), x, tx, t, expected=True)

    def p_no_purchase(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """P(no purchase in (T, T + horizon] | x, t_x, T).

        Dead at T: none. Alive with j phases passed: fewer than k - j phases in the window, a
        negative-binomial probability under the phase-rate posterior (see :meth:`expected_purchases`).
        """
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        alive = self._p_alive(x, tx, t)
        return 1.0 - alive + alive * self._alive_series(float(horizon), x, tx, t, expected=False)

    def _alive_series(self, horizon: float, x, tx, t, *, expected: bool) -> np.ndarray:
        rows, inverse = np.unique(np.column_stack([x, tx, t]), axis=0, return_inverse=True)
        ux, utx, ut = rows.T
        r, alpha, a, b = self._p()
        k = self._k()
        j, shape, w = self._alive_mixture(ux, utx, ut)
        prob = ((alpha + ut) / (alpha + ut + horizon))[:, None]
        if not expected:
            # P(fewer than k - j phases) = P(NB <= k - j - 1).
            out = (w * nbinom.cdf(k - j - 1, shape, prob)).sum(axis=1)
            return out[inverse.ravel()]
        out = np.zeros(len(ux))
        for n in range(1, _MAX_TERMS + 1):
            tail = nbinom.sf(n * k - j - 1, shape, prob)  # P(NB >= nk - j)
            survive = np.exp(betaln(a, b + ux + n) - betaln(a, b + ux + 1))
            term = (w * tail).sum(axis=1) * survive
            out += term
            if term.max() < 1e-12:
                break
        return out[inverse.ravel()]


def _log_phase_sum(r, alpha, x, tx, t, k) -> np.ndarray:
    # log of S2 = sum_{j<k} G(r+kx+j)/(G(r+kx) j!) ((T-t_x)/(alpha+T))^j: alive, with fewer than k phases
    # of the next purchase since t_x.
    if k == 1:
        return np.zeros(len(x))
    j = np.arange(k)[None, :]
    gap = np.maximum(t - tx, 0)[:, None]
    terms = (gammaln(r + k * x[:, None] + j) - gammaln(r + k * x)[:, None] - gammaln(j + 1)
             + j * (np.log(np.where(gap > 0, gap, 1.0)) - np.log(alpha + t)[:, None]))
    terms = np.where(j == 0, 0.0, np.where(gap > 0, terms, -np.inf))
    m = terms.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(terms - m).sum(axis=1, keepdims=True))).ravel()
