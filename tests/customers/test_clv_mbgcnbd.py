"""MBG/CNBD-k: its likelihood by hand and against BTYDplus' published CDNOW estimates, its predictions
against the MBG/NBD closed form and against simulation (issue 11, lifetime values that mean something)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from shopmine.customers.clv import MBGCNBDModel
from shopmine.errors import ShopmineInputError



def test_mbgcnbd_likelihood_by_hand():
    # k = 2, r = 1, alpha = 2, a = 1, b = 2; a customer with x = 1, t_x = 3, T = 5, one gap of 3 (litt = log 3).
    # BTYDplus xbgcnbd.LL: (k-1) litt - x log((k-1)!) = log 3; B(1, 4)/B(1, 2) = (1/4)/(1/2) = 1/2;
    # G(r+kx)/G(r) alpha^r = G(3) 2 = 4; (alpha+T)^-(r+kx) = 7^-3; S1 = a/(b+x) ((alpha+T)/(alpha+t_x))^(r+kx)
    # = (1/3)(7/5)^3; S2 = 1 + (r+kx)(T-t_x)/(alpha+T) = 1 + 3*2/7.
    s1 = (1 / 3) * (7 / 5) ** 3
    s2 = 1 + 6 / 7
    by_hand = math.log(3) + math.log(0.5) + math.log(4) - 3 * math.log(7) + math.log(s1 + s2)
    ll = MBGCNBDModel._log_likelihood((1.0, 2.0, 1.0, 2.0), np.array([1.0]), np.array([3.0]), np.array([5.0]),
                                      np.array([math.log(3)]), 2)
    assert ll[0] == pytest.approx(by_hand, rel=1e-12)
    # A one-time buyer (x = 0, T = 5): B(1, 3)/B(1, 2) = 2/3, alpha^r (alpha+T)^-r = 2/7,
    # S1 = a/b ((alpha+T)/(alpha+0))^r = (1/2)(7/2), S2 = 1 + r T/(alpha+T) = 1 + 5/7.
    ll0 = MBGCNBDModel._log_likelihood((1.0, 2.0, 1.0, 2.0), np.array([0.0]), np.array([0.0]), np.array([5.0]),
                                       np.array([0.0]), 2)
    assert ll0[0] == pytest.approx(math.log(2 / 3 * 2 / 7 * (7 / 4 + 12 / 7)), rel=1e-12)


def cdnow_sample_weekly(sample: Path) -> pd.DataFrame:
    """BTYDplus ``elog2cbs(cdnowElog, T.cal = "1997-09-30")``: weeks, same-day purchases merged."""
    raw = pd.read_csv(sample, sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "amount"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    days = raw[raw["date"] <= "1997-09-30"].drop_duplicates(["customer_id", "date"])
    days = days.sort_values(["customer_id", "date"])
    g = days.groupby("customer_id")["date"]
    days["gap"] = g.diff().dt.days / 7
    return pd.DataFrame({"x": g.count() - 1, "t_x": (g.max() - g.min()).dt.days / 7,
                         "T": (pd.Timestamp("1997-09-30") - g.min()).dt.days / 7,
                         "litt": days.groupby("customer_id")["gap"].apply(lambda s: np.log(s.dropna()).sum())})


def test_mbgcnbd_cdnow_published_parameters(real_data):
    # BTYDplus demos/cdnow.r (as CBG/NBD and CBG/CNBD-k, the models' earlier names) on the 2,357 CDNOW
    # sample customers, 39 weeks: k = 1 (no regularity): r, alpha, a, b = 0.525, 6.183, 0.891, 1.614;
    # k = 2: 0.580, 2.288, 1.135, 1.585; k = 3: 0.533, 1.258, 1.289, 1.845.
    cbs = cdnow_sample_weekly(real_data("cdnow/CDNOW_sample.txt"))
    assert len(cbs) == 2357
    published = {1: (0.525, 6.183, 0.891, 1.614), 2: (0.580, 2.288, 1.135, 1.585), 3: (0.533, 1.258, 1.289, 1.845)}
    auto = MBGCNBDModel().fit(cbs["x"], cbs["t_x"], cbs["T"], cbs["litt"])
    assert auto.params_["k"] == 1
    for k, values in published.items():
        m = auto if k == 1 else MBGCNBDModel(k=k).fit(cbs["x"], cbs["t_x"], cbs["T"], cbs["litt"])
        for name, value in zip(("r", "alpha", "a", "b"), values):
            assert m.params_[name] == pytest.approx(value, abs=0.0015), (k, name)


def test_mbgcnbd_k1_matches_the_mbgnbd_closed_form():
    # For k = 1 (MBG/NBD) the conditional expectation has BTYDplus' closed form:
    # (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+h))^(r+x) 2F1(r+x, b+x+1; a+b+x; h/(alpha+T+h))] P(alive).
    m = MBGCNBDModel(k=1)
    m.params_ = {"k": 1.0, "r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}
    x, tx, t, h = np.array([0.0, 1, 2, 7, 20]), np.array([0.0, 2, 30, 35, 38]), np.full(5, 39.0), 39.0
    r, alpha, a, b = 0.525, 6.183, 0.891, 1.614
    closed = ((a + b + x) / (a - 1) * (1 - ((alpha + t) / (alpha + t + h)) ** (r + x)
                                       * hyp2f1(r + x, b + x + 1, a + b + x, h / (alpha + t + h))))
    np.testing.assert_allclose(m.expected_purchases(h, x, tx, t), closed * m.p_alive(x, tx, t), rtol=1e-9)


def simulate(params: dict, n: int, t_cal: float, t_star: float, seed: int) -> pd.DataFrame:
    """MBG/CNBD-k customers all acquired at 0: Erlang-k gaps of phase rate eta, dropout at every purchase."""
    rng = np.random.default_rng(seed)
    k, r, alpha, a, b = (params[c] for c in ("k", "r", "alpha", "a", "b"))
    eta = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    rows = []
    for i in range(n):
        times, now = [0.0], 0.0
        while rng.random() >= p[i]:  # survives the coin after each purchase, the first included
            now += rng.gamma(k, 1 / eta[i])
            if now > t_cal + t_star:
                break
            times.append(now)
        cal = [s for s in times if s <= t_cal]
        gaps = np.diff(cal)
        rows.append({"x": len(cal) - 1, "t_x": cal[-1], "T": t_cal, "litt": float(np.log(gaps).sum()),
                     "x_star": sum(1 for s in times if t_cal < s <= t_cal + t_star)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def regular_customers() -> pd.DataFrame:
    return simulate({"k": 3, "r": 0.85, "alpha": 1.45, "a": 0.79, "b": 2.42}, n=3000, t_cal=52, t_star=32, seed=1)


def test_mbgcnbd_recovers_simulated_regularity(regular_customers):
    s = regular_customers
    m = MBGCNBDModel().fit(s["x"], s["t_x"], s["T"], s["litt"])
    assert m.params_["k"] == 3
    for name, value in {"r": 0.85, "alpha": 1.45, "a": 0.79, "b": 2.42}.items():
        assert m.params_[name] == pytest.approx(value, rel=0.25), name


def test_mbgcnbd_predictions_match_the_simulated_holdout(regular_customers):
    s = regular_customers
    m = MBGCNBDModel(k=3)
    m.params_ = {"k": 3.0, "r": 0.85, "alpha": 1.45, "a": 0.79, "b": 2.42}
    expected = m.expected_purchases(32, s["x"], s["t_x"], s["T"])
    assert expected.sum() == pytest.approx(s["x_star"].sum(), rel=0.05)
    none = m.p_no_purchase(32, s["x"], s["t_x"], s["T"])
    assert none.mean() == pytest.approx((s["x_star"] == 0).mean(), abs=0.02)
    # Per frequency group too (the exact series, not a cohort-wide correction).
    for lo, hi in ((0, 0), (1, 3), (4, 100)):
        group = s["x"].between(lo, hi)
        assert expected[group].sum() == pytest.approx(s.loc[group, "x_star"].sum(), rel=0.1), (lo, hi)


def test_mbgcnbd_bad_input():
    with pytest.raises(ShopmineInputError, match=r"litt must be finite and 0 for customers with frequency 0; row 1"):
        MBGCNBDModel().fit([1, 0], [2, 0], [5, 5], [0.5, 0.3])
    with pytest.raises(ShopmineInputError, match=r"^k must be an integer in \[1, 12\]; got 0\.$"):
        MBGCNBDModel(k=0).fit([1, 0], [2, 0], [5, 5], [0.5, 0.0])
