"""Pareto/NBD: the likelihood and predictions by hand, against numerical integration, and on customers
simulated from known parameters (numpy, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import gammaln

from shopmine.customers.clv import ParetoNBDModel
from shopmine.errors import NotFittedError, ShopmineInputError

TRUE = {"r": 0.6, "alpha": 12.0, "s": 0.7, "beta": 15.0}


def model(**params) -> ParetoNBDModel:
    m = ParetoNBDModel()
    m.params_ = dict(params)
    return m


def test_likelihood_by_hand():
    # r = s = 1, alpha = 2, beta = 3: L = alpha beta [(alpha+T)^-(1+x) (beta+T)^-1
    #                                     + int_{t_x}^T (alpha+tau)^-(1+x) (beta+tau)^-2 dtau] (Gamma(1+x) = 1, x <= 1).
    # x = 0, T = 1: 6 [1/12 + ln(9/8) - 1/12] = 6 ln(9/8) by partial fractions.
    # x = 1, t_x = 1, T = 2: 6 [1/80 + 2/15 + 2 ln(15/16)].
    m = model(r=1.0, alpha=2.0, s=1.0, beta=3.0)
    ll = m.log_likelihood([0, 1], [0, 1], [1, 2])
    assert np.exp(ll) == pytest.approx([6 * np.log(9 / 8), 6 * (1 / 80 + 2 / 15 + 2 * np.log(15 / 16))], rel=1e-10)
    # P(alive): the "still alive" term over the whole likelihood, 6/12 / (6 ln(9/8)) for the first.
    assert m.p_alive([0], [0], [1])[0] == pytest.approx(0.5 / (6 * np.log(9 / 8)), rel=1e-10)


@pytest.mark.parametrize("params", [(0.55, 10.58, 0.61, 11.67), (0.7, 66.0, 0.001, 1e5), (2.0, 5.0, 0.5, 800.0),
                                    (0.5, 300.0, 0.5, 2.0), (1.3, 0.05, 3.0, 0.2)])
def test_likelihood_against_numerical_integration(params):
    # Both evaluation paths (the hypergeometric A0 and the quadrature near beta >> T) against
    # L = E[lambda^x e^-(lambda+mu)T] + int_{t_x}^T E[lambda^x mu e^-(lambda+mu)tau] dtau, by scipy.quad.
    r, alpha, s, beta = params
    m = model(r=r, alpha=alpha, s=s, beta=beta)
    for x, tx, T in [(0, 0.0, 40.0), (3, 12.5, 40.0), (25, 200.0, 270.0), (2, 30.0, 30.0)]:
        def lam(t, x=x):
            # E[lambda^x e^(-lambda t)] for lambda ~ gamma(r, alpha).
            return np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + t))
        alive = lam(T) * (beta / (beta + T)) ** s
        died, _ = integrate.quad(lambda tau: lam(tau) * s / beta * (beta / (beta + tau)) ** (s + 1), tx, T,
                                 epsabs=0, epsrel=1e-12, limit=200)
        assert m.log_likelihood([x], [tx], [T])[0] == pytest.approx(np.log(alive + died), rel=1e-7, abs=1e-9)


def test_expected_purchases_by_hand_and_numerically():
    # s = 1: E = P(alive) (r+x)/(alpha+T) (beta+T) ln((beta+T+t)/(beta+T)); x = 0, T = 1, t = 2 with
    # r = 1, alpha = 2, beta = 3: P(alive) * 1/3 * 4 ln(6/4).
    m = model(r=1.0, alpha=2.0, s=1.0, beta=3.0)
    p = 0.5 / (6 * np.log(9 / 8))
    assert m.expected_purchases(2, [0], [0], [1])[0] == pytest.approx(p * 4 / 3 * np.log(1.5), rel=1e-10)
    # s != 1 against E[lambda (1 - e^-mu t)/mu] over the posterior gamma(r+x, alpha+T) x gamma(s, beta+T).
    r, alpha, s, beta, x, tx, T, t = 0.7, 5.0, 1.8, 9.0, 3, 8.0, 10.0, 6.0
    m = model(r=r, alpha=alpha, s=s, beta=beta)
    life, _ = integrate.quad(lambda mu: (1 - np.exp(-mu * t)) / mu * stats.gamma(s, scale=1 / (beta + T)).pdf(mu),
                             0, np.inf)
    expected = m.p_alive([x], [tx], [T])[0] * (r + x) / (alpha + T) * life
    assert m.expected_purchases(t, [x], [tx], [T])[0] == pytest.approx(expected, rel=1e-7)


def test_p_no_purchase_against_numerical_integration():
    r, alpha, s, beta, x, tx, T, t = 0.7, 5.0, 1.8, 9.0, 3, 8.0, 10.0, 6.0
    m = model(r=r, alpha=alpha, s=s, beta=beta)
    lam, mu = stats.gamma(r + x, scale=1 / (alpha + T)), stats.gamma(s, scale=1 / (beta + T))

    def none(lm, mm):
        # No purchase in (0, t] with rates fixed: no event before death and before t.
        k = lm + mm
        return (np.exp(-k * t) + mm / k * (1 - np.exp(-k * t))) * lam.pdf(lm) * mu.pdf(mm)

    given_alive, _ = integrate.dblquad(none, 0, 20, 0, 20)
    alive = m.p_alive([x], [tx], [T])[0]
    assert m.p_no_purchase(t, [x], [tx], [T])[0] == pytest.approx(1 - alive + alive * given_alive, rel=1e-6)
    assert m.p_no_purchase(0, [x], [tx], [T])[0] == pytest.approx(1.0)
    assert m.p_no_purchase(90, [x], [tx], [T])[0] < m.p_no_purchase(30, [x], [tx], [T])[0]


def simulate(n: int, T: np.ndarray, holdout: float, seed: int) -> dict:
    """Pareto/NBD customers: first purchase at 0, Poisson(lambda) repeat purchases until an exponential(mu)
    death. Counts in a window are Poisson given the rates; the last of x uniform times is T U^(1/x)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)
    mu = rng.gamma(TRUE["s"], 1 / TRUE["beta"], n)
    death = rng.exponential(1 / mu)
    seen = np.minimum(death, T)
    x = rng.poisson(lam * seen)
    tx = np.where(x > 0, seen * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    held = rng.poisson(lam * np.clip(np.minimum(death, T + holdout) - T, 0, None))
    return {"frequency": x, "recency": tx, "T": T, "holdout": held}


@pytest.fixture(scope="module")
def simulated():
    T = np.random.default_rng(5).uniform(30, 60, 20000)
    return simulate(20000, T, holdout=40.0, seed=7)


def test_fit_recovers_simulated_parameters(simulated):
    s = (simulated["frequency"], simulated["recency"], simulated["T"])
    m = ParetoNBDModel().fit(*s)
    # The purchase side (r, alpha) is pinned by the counts; s and beta trade off along a ridge over
    # 30-60 days of observation against mean lifetimes of weeks, and their ratio, the mean death
    # rate, is what the data hold (seed 7 gives beta +27 %).
    for name in ("r", "alpha"):
        assert m.params_[name] == pytest.approx(TRUE[name], rel=0.1), name
    assert m.params_["s"] / m.params_["beta"] == pytest.approx(TRUE["s"] / TRUE["beta"], rel=0.15)
    for name in ("s", "beta"):
        assert m.params_[name] == pytest.approx(TRUE[name], rel=0.4), name
    assert m.log_likelihood_ >= model(**TRUE).log_likelihood(*s).sum()


def test_predictions_match_simulated_holdout(simulated):
    m = model(**TRUE)
    s = (simulated["frequency"], simulated["recency"], simulated["T"])
    held = simulated["holdout"]
    assert m.expected_purchases(40.0, *s).sum() == pytest.approx(held.sum(), rel=0.05)
    assert m.p_no_purchase(40.0, *s).mean() == pytest.approx((held == 0).mean(), abs=0.01)
    once = simulated["frequency"] == 0
    assert m.p_no_purchase(40.0, *s)[once].mean() == pytest.approx((held[once] == 0).mean(), abs=0.01)


def test_fit_on_the_no_dropout_boundary_is_fast():
    # Customers who never die: the fit runs to s -> 0, beta -> inf (as on Online Retail), where the
    # note's hypergeometric form is slow; the quadrature path keeps it to seconds.
    import time

    rng = np.random.default_rng(3)
    T = rng.uniform(50, 300, 3000)
    lam = rng.gamma(0.8, 1 / 60, 3000)
    x = rng.poisson(lam * T)
    tx = np.where(x > 0, T * rng.random(3000) ** (1 / np.maximum(x, 1)), 0.0)
    start = time.perf_counter()
    m = ParetoNBDModel().fit(x, tx, T)
    assert time.perf_counter() - start < 60
    assert m.params_["s"] / m.params_["beta"] < 1e-3  # mean lifetime far beyond the data
    assert m.p_alive(x, tx, T).min() > 0.9


def test_bad_summaries_and_unfitted():
    with pytest.raises(ShopmineInputError, match="T must be finite and >= recency; row 0"):
        ParetoNBDModel().fit([1], [3], [2])
    with pytest.raises(NotFittedError, match="ParetoNBDModel is not fitted yet"):
        ParetoNBDModel().expected_purchases(10, [1], [1], [2])
