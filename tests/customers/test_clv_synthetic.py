"""Customers simulated from known parameters (numpy, fixed seeds): the fits recover them and the
predictions match what the simulated customers then do."""

from __future__ import annotations

import numpy as np
import pytest

from shopmine.customers.clv import BetaGeoModel, GammaGammaModel

TRUE_BGNBD = {"r": 0.5, "alpha": 10.0, "a": 0.8, "b": 2.5}
TRUE_GG = {"p": 6.0, "q": 4.0, "v": 15.0}


def simulate_bgnbd(n: int, T: np.ndarray, holdout: float, seed: int, params: dict = TRUE_BGNBD) -> dict:
    """Calibration summary (frequency, recency, T) and holdout purchases of n BG/NBD customers.

    The first purchase is at time 0; after each repeat purchase the customer drops out with
    probability p (FHL 2005: drop-out happens right after a transaction).
    """
    rng = np.random.default_rng(seed)
    T = np.broadcast_to(np.asarray(T, dtype=float), (n,)).copy()
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    now, x, tx, held = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        ended = now[idx] > T[idx] + holdout
        active[idx[ended]] = False
        idx = idx[~ended]
        in_cal = now[idx] <= T[idx]
        x[idx[in_cal]] += 1
        tx[idx[in_cal]] = now[idx[in_cal]]
        held[idx[~in_cal]] += 1
        active[idx[rng.random(len(idx)) < p[idx]]] = False
    return {"frequency": x, "recency": tx, "T": T, "holdout": held}


def simulate_gamma_gamma(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Repeat purchases (1..10) and mean spend: spends ~ gamma(p, nu), nu ~ gamma(q, v)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 11, n)
    nu = rng.gamma(TRUE_GG["q"], 1.0 / TRUE_GG["v"], n)
    # The sum of x gamma(p, nu) spends is gamma(p x, nu).
    return x.astype(float), rng.gamma(TRUE_GG["p"] * x, 1.0 / nu) / x


@pytest.fixture(scope="module")
def simulated():
    T = np.random.default_rng(5).uniform(30, 60, 20000)
    return simulate_bgnbd(20000, T, holdout=40.0, seed=7)


def true_model() -> BetaGeoModel:
    m = BetaGeoModel()
    m.params_ = dict(TRUE_BGNBD)
    return m


def test_bgnbd_recovers_simulated_parameters(simulated):
    # 20,000 customers: the estimates' standard errors are a few per cent; 15 % leaves room for a, b,
    # which trade off along a ridge.
    m = BetaGeoModel().fit(simulated["frequency"], simulated["recency"], simulated["T"])
    for name, value in TRUE_BGNBD.items():
        assert m.params_[name] == pytest.approx(value, rel=0.15), name
    assert m.log_likelihood_ >= true_model().log_likelihood(simulated["frequency"], simulated["recency"],
                                                            simulated["T"]).sum()


def test_bgnbd_predictions_match_simulated_holdout(simulated):
    m = true_model()
    s = (simulated["frequency"], simulated["recency"], simulated["T"])
    expected = m.expected_purchases(40.0, *s)
    p_zero = m.p_no_purchase(40.0, *s)
    held = simulated["holdout"]
    # Totals and the share without purchases, overall and among repeat buyers (whose P(alive) < 1).
    assert expected.sum() == pytest.approx(held.sum(), rel=0.05)
    assert p_zero.mean() == pytest.approx((held == 0).mean(), abs=0.01)
    repeat = simulated["frequency"] > 0
    assert p_zero[repeat].mean() == pytest.approx((held[repeat] == 0).mean(), abs=0.015)
    assert expected[repeat].sum() == pytest.approx(held[repeat].sum(), rel=0.05)


def test_bgnbd_probabilities_by_hand():
    m = BetaGeoModel()
    m.params_ = {"r": 1.0, "alpha": 2.0, "a": 1.0, "b": 3.0}
    # x = 1, t_x = 1, T = 3: dead odds a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x) = 1/3 * (5/3)^2 = 25/27.
    assert m.p_alive([1], [1], [3])[0] == pytest.approx(27 / 52)
    # No repeat purchase: alive for sure; P(X(t)=0) = (alpha+T)/(alpha+T+t))^r = 5/7 for t = 2.
    assert m.p_alive([0], [0], [3])[0] == 1.0
    assert m.p_no_purchase(2, [0], [0], [3])[0] == pytest.approx(5 / 7)
    assert m.p_no_purchase(2, [1], [1], [3])[0] == pytest.approx(25 / 52 + 27 / 52 * (5 / 7) ** 2)
    # A longer window can only lower the chance of no purchase; horizon 0 means no purchase.
    p = m.p_no_purchase(np.array(0.0), [3], [2], [3])[0]
    assert p == pytest.approx(1.0)
    assert m.p_no_purchase(30, [3], [2], [3])[0] < m.p_no_purchase(10, [3], [2], [3])[0]


def test_expected_purchases_against_numerical_integration():
    # E[X(t) | x, t_x, T] = P(alive) * E[Y(t)] for an alive customer whose lambda ~ gamma(r+x, alpha+T)
    # and p ~ beta(a, b+x): integrate the geometric-dropout expectation (1/p)(1 - e^(-lambda p t)).
    from scipy import integrate, stats

    r, alpha, a, b = 0.7, 5.0, 1.5, 2.0
    x, tx, T, t = 3, 8.0, 10.0, 6.0
    m = BetaGeoModel()
    m.params_ = {"r": r, "alpha": alpha, "a": a, "b": b}
    lam = stats.gamma(r + x, scale=1 / (alpha + T))
    prob = stats.beta(a, b + x)
    inner, _ = integrate.dblquad(lambda lm, q: (1 - np.exp(-lm * q * t)) / q * lam.pdf(lm) * prob.pdf(q),
                                 0, 1, 0, 50)
    assert m.expected_purchases(t, [x], [tx], [T])[0] == pytest.approx(m.p_alive([x], [tx], [T])[0] * inner,
                                                                         rel=1e-5)


def test_gamma_gamma_recovers_simulated_parameters():
    x, m = simulate_gamma_gamma(5000, seed=3)
    fit = GammaGammaModel().fit(x, m)
    # p is pinned by the within-customer spread, q and v share a ridge (their ratio, the mean, is tight).
    assert fit.params_["p"] == pytest.approx(TRUE_GG["p"], rel=0.05)
    assert fit.params_["q"] == pytest.approx(TRUE_GG["q"], rel=0.15)
    assert fit.params_["v"] == pytest.approx(TRUE_GG["v"], rel=0.15)
    truth = TRUE_GG["p"] * TRUE_GG["v"] / (TRUE_GG["q"] - 1)
    assert fit.population_mean_spend == pytest.approx(truth, rel=0.05)
