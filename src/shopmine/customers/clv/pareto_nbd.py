"""The Pareto/NBD purchase model: fit by maximum likelihood, per-customer predictions.

No maintained library (lifetimes, PyMC-Marketing, CLVTools) installs here without PyMC or R, so this
is our own maximum-likelihood code on the log-likelihood of Schmittlein, Morrison & Colombo (1987) in
the form of Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions",
equation (22) (its A0 term integrated numerically near the no-dropout boundary, see
``_log_died``), the conditional expectation of their (41) and P(alive) of their (18). The
probability of no purchase in a window is derived in :meth:`ParetoNBDModel.p_no_purchase`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1, logsumexp

from shopmine.customers.clv.optimise import fit_log_params
from shopmine.customers.clv.summary_input import check_fitted, check_summary

__all__ = ["ParetoNBDModel"]

# Gauss-Legendre nodes on [0, 1] for the one-dimensional integrals of the likelihood and of
# p_no_purchase: their integrands, after the changes of variable there, are smooth and monotone.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2


class ParetoNBDModel:
    """Pareto/NBD: Poisson purchases with gamma(r, alpha) rates while alive; exponential lifetimes with
    gamma(s, beta) death rates, independent of the purchase rates.

    Time is in whatever unit ``recency`` and ``T`` use (days from :func:`customer_summary`, weeks in
    the CDNOW benchmark file); ``alpha`` and ``beta`` are in that unit and horizons must be too.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, s, beta``.
    log_likelihood_ : float
        Total log-likelihood at the optimum.
    n_customers_ : int

    Examples
    --------
    >>> m = ParetoNBDModel().fit([2, 1, 0, 0, 3], [30.4, 1.7, 0, 0, 20.0], [38.9, 38.9, 38.9, 38.9, 38.9])
    >>> bool(0 <= m.p_alive([2], [30.4], [38.9])[0] <= 1)
    True
    """

    def fit(self, frequency, recency, T) -> ParetoNBDModel:
        """Maximum-likelihood estimates of ``r, alpha, s, beta``.

        Parameters
        ----------
        frequency, recency, T : array-like
            The lifetimes summary (see :func:`check_summary`).
        """
        x, tx, t = check_summary(frequency, recency, T)
        # Customers with the same (x, t_x, T) share a likelihood term: on day-level data most one-time
        # buyers do (CDNOW master, 39-week calibration: 14,119 of them, at most 90 first-purchase days),
        # and each evaluation costs 2F1 calls.
        rows, counts = np.unique(np.column_stack([x, tx, t]), axis=0, return_counts=True)
        ux, utx, ut = rows.T
        weights = counts / counts.sum()
        scale = max(float(t.mean()), 1e-9)
        # alpha and beta are in the time unit: start them near the mean observation length.
        starts = [(0.5, scale / 4, 0.5, scale / 4), (1.0, scale, 1.0, scale)]
        params, value = fit_log_params(lambda z: -weights @ self._log_likelihood(np.exp(z), ux, utx, ut), starts,
                                       "Pareto/NBD")
        self.params_ = dict(zip(("r", "alpha", "s", "beta"), (float(v) for v in params)))
        self.log_likelihood_ = -value * len(x)
        self.n_customers_ = len(x)
        return self

    @classmethod
    def _log_died(cls, params, x, tx, t) -> np.ndarray:
        # log of s * I with I = int_{t_x}^{T} (alpha+tau)^-(r+x) (beta+tau)^-(s+1) dtau, the "died
        # between t_x and T" part of the likelihood (FH 2005 note, (19); their s/(r+s+x) A0 of (22)).
        # The note's hypergeometric form is exact and fast, except that scipy's 2F1 crawls when beta
        # >> alpha + t_x (its argument nears 1): the no-dropout boundary that Online Retail's fit runs
        # to, where one fit took minutes. There the second factor hardly changes over [t_x, T], and a
        # quadrature that takes the first factor exactly is both fast and accurate.
        r, alpha, s, beta = params
        flat = (beta + t) <= 1.5 * (beta + tx)
        out = np.empty_like(x)
        if flat.any():
            out[flat] = cls._log_died_quadrature(params, x[flat], tx[flat], t[flat])
        if (~flat).any():
            out[~flat] = np.log(s) - np.log(r + s + x[~flat]) + cls._log_a0(params, x[~flat], tx[~flat], t[~flat])
        return out

    @staticmethod
    def _log_a0(params, x, tx, t) -> np.ndarray:
        # FH 2005 note, (23)-(24): A0 = F(t_x) - F(T) with F(y) = 2F1(r+s+x, b; r+s+x+1; |alpha-beta|/(m+y))
        # / (m+y)^(r+s+x), m = max(alpha, beta), b = s+1 if alpha >= beta else r+x. F falls with y, so
        # A0 >= 0; the difference is taken on the log scale (A0 is 0 when t_x = T).
        r, alpha, s, beta = params
        rsx = r + s + x
        if alpha >= beta:
            top, second = alpha, s + 1.0
        else:
            top, second = beta, r + x
        diff = abs(alpha - beta)
        log_f = [np.log(hyp2f1(rsx, second, rsx + 1.0, diff / (top + y))) - rsx * np.log(top + y) for y in (tx, t)]
        with np.errstate(divide="ignore"):
            return log_f[0] + np.log(-np.expm1(np.minimum(log_f[1] - log_f[0], 0.0)))

    @staticmethod
    def _log_died_quadrature(params, x, tx, t) -> np.ndarray:
        # With v = log((alpha+tau)/(alpha+t_x)) and c = r+x-1 the first factor is (alpha+t_x)^-c e^(-c v);
        # u = 1 - e^(-c v) absorbs it, leaving int_0^U h(v(u)) du / c with h = (beta+tau)^-(s+1),
        # smooth and within a factor 1.5^(s+1) of constant where this is used.
        r, alpha, s, beta = params
        c = r + x - 1.0
        span = np.log(alpha + t) - np.log(alpha + tx)
        small = np.abs(c) < 1e-6
        c_safe = np.where(small, 1.0, c)
        top = np.where(small, span, -np.expm1(-c_safe * span))
        u = top[:, None] * _NODES[None, :]
        v = np.where(small[:, None], u, -np.log1p(-u) / c_safe[:, None])
        log_h = -(s + 1.0) * np.log(beta - alpha + (alpha + tx)[:, None] * np.exp(v))
        scale = np.where(small, 1.0, 1.0 / c_safe)
        with np.errstate(divide="ignore"):
            return (np.log(s) - c * np.log(alpha + tx) + np.log(top * scale)
                    + logsumexp(log_h, b=_WEIGHTS[None, :], axis=1))

    @classmethod
    def _log_likelihood(cls, params, x, tx, t) -> np.ndarray:
        r, alpha, s, beta = params
        # FH 2005 note, (22): L = G(r+x) alpha^r beta^s / G(r) * [(alpha+T)^-(r+x) (beta+T)^-s
        #                        + s/(r+s+x) A0]
        head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
        alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
        died = cls._log_died(params, x, tx, t)
        return head + np.logaddexp(alive, died)

    def log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Per-customer log-likelihood at the fitted parameters."""
        check_fitted(self)
        return self._log_likelihood(self._p(), *check_summary(frequency, recency, T))

    def _p(self) -> tuple[float, float, float, float]:
        return tuple(self.params_[k] for k in ("r", "alpha", "s", "beta"))

    def _p_alive(self, x, tx, t) -> np.ndarray:
        # FH 2005 note, (18): the "alive" term of the likelihood over the whole likelihood, written as
        # 1 / (1 + died/alive) so that it stays in [0, 1] to the last bit.
        params = self._p()
        r, alpha, s, beta = params
        alive = -(r + x) * np.log(alpha + t) - s * np.log(beta + t)
        return 1.0 / (1.0 + np.exp(self._log_died(params, x, tx, t) - alive))

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still alive at T | x, t_x, T)."""
        check_fitted(self)
        return self._p_alive(*check_summary(frequency, recency, T))

    def expected_purchases(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """E[purchases in (T, T + horizon] | x, t_x, T] (FH 2005 note, (41)).

        P(alive) (r+x)/(alpha+T) (beta+T)/(s-1) [1 - ((beta+T)/(beta+T+t))^(s-1)]; the bracket over
        s - 1 becomes log((beta+T+t)/(beta+T)) as s -> 1, computed without the cancellation.
        """
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        r, alpha, s, beta = self._p()
        log_ratio = np.log1p(float(horizon) / (beta + t))
        if abs(s - 1.0) < 1e-8:
            life = log_ratio
        else:
            life = -np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0)
        return self._p_alive(x, tx, t) * (r + x) / (alpha + t) * (beta + t) * life

    def p_no_purchase(self, horizon: float, frequency, recency, T) -> np.ndarray:
        """P(no purchase in (T, T + horizon] | x, t_x, T).

        Derivation (ours, checked against simulation and numerical integration in the tests): a
        customer dead at T buys nothing. Alive at T, lambda ~ gamma(r+x, alpha+T) and
        mu ~ gamma(s, beta+T) independently (the likelihood given alive is lambda^x e^-(lambda+mu)T).
        With rates fixed, a purchase falls in the window exactly when the first purchase comes before
        death and within t: probability lambda/(lambda+mu) (1 - e^-(lambda+mu)t). Its complement is
        e^-(lambda+mu)t + int_0^t mu e^-(lambda+mu)u du; the expectation over the rates is
        ((a')/(a'+t))^r' ((b')/(b'+t))^s + int_0^t s b'^s/(b'+u)^(s+1) (a'/(a'+u))^r' du, with
        a' = alpha+T, b' = beta+T, r' = r+x. The integral is taken by Gauss-Legendre on
        w = log(1 + u/b') / log(1 + t/b'), where the integrand is smooth.
        """
        check_fitted(self)
        x, tx, t = check_summary(frequency, recency, T)
        r, alpha, s, beta = self._p()
        horizon = float(horizon)
        a1, b1, r1 = alpha + t, beta + t, r + x
        alive = self._p_alive(x, tx, t)
        survive = np.exp(r1 * (np.log(a1) - np.log(a1 + horizon)) + s * (np.log(b1) - np.log(b1 + horizon)))
        span = np.log1p(horizon / b1)[:, None]
        u = b1[:, None] * np.expm1(span * _NODES[None, :])
        # With u = b'(e^(w L) - 1), du = (b' + u) L dw, which cancels one power of (b' + u).
        integrand = s * np.exp(s * (np.log(b1)[:, None] - np.log(b1[:, None] + u))
                               + r1[:, None] * (np.log(a1)[:, None] - np.log(a1[:, None] + u))) * span
        died_first = integrand @ _WEIGHTS
        return 1.0 - alive + alive * (survive + died_first)
