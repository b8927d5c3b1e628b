"""Degenerate purchase-model fits are detected, the next model serves, and the result says so (issue 11)."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from shopmine.customers.clv import (BetaGeoModel, ParetoNBDModel, customer_lifetime_value, degenerate_reason,
                                    serve_purchase_model)
from shopmine.customers.clv.degenerate import hessian_reason, numerical_hessian

AS_OF = dt.date(2024, 12, 1)
# Ten purchase rhythms (every 7 ... 60 days), three customers each.
GAPS = [7, 9, 12, 15, 20, 25, 30, 40, 50, 60] * 3


def everyone_active_summary(t_end: int = 330) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every customer buys on a fixed rhythm from day 0 up to the end: nobody has stopped buying."""
    x = np.array([t_end // g for g in GAPS], dtype=float)
    return x, x * np.array(GAPS, dtype=float), np.full(len(GAPS), float(t_end))


def everyone_active_orders() -> ibis.Table:
    """The same rhythms as an order log ending the day before AS_OF."""
    start = AS_OF - dt.timedelta(days=331)
    rows = [(f"o{c}_{j}", f"C{c:02d}", "P1", pd.Timestamp(start + dt.timedelta(days=j * g)) + pd.Timedelta(hours=10),
             1, 10.0) for c, g in enumerate(GAPS) for j in range(330 // g + 1)]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "product_id", "ordered_at", "quantity",
                                        "unit_price"])
    return ibis.memtable(frame)


def test_everyone_active_dropout_at_bound():
    # With no customer ever lapsing, Pareto/NBD's dropout rate runs to 0: s/beta -> 0, here beta far beyond
    # 1e6 (Online Retail's s = 1.957e-13 is the same ridge). The reason names the parameter.
    x, tx, t = everyone_active_summary()
    m = ParetoNBDModel().fit(x, tx, t)
    assert m.params_["s"] / m.params_["beta"] < 1e-6
    reason = degenerate_reason(m, x, tx, t)
    assert reason is not None
    assert reason.startswith("parameter ") and "is outside [1e-06, 1e+06]" in reason


def test_everyone_active_log_says_no_model_fits_and_which_served():
    # The whole analysis on that log: every model is degenerate; the result says so and names the one served.
    result = customer_lifetime_value(everyone_active_orders(), as_of=AS_OF, horizon_days=90)
    reason = result.metrics["fallback_reason"]
    assert reason.startswith("no purchase model fits soundly (")
    for name in ("Pareto/NBD", "BG/NBD", "MBG/CNBD-k"):
        assert f"{name} was degenerate: " in reason
    served = result.metrics["purchase_model"]
    assert reason.endswith(f"{served} served anyway and cannot tell who has stopped buying")
    assert (result.tables["customers"]["model"] == served).all()
    assert (result.tables["customers"]["fallback_reason"] == reason).all()
    assert "No purchase model fits soundly" in result.summary
    # Forced, Pareto/NBD serves anyway, with the reason.
    forced = customer_lifetime_value(everyone_active_orders(), as_of=AS_OF, horizon_days=90, model="pareto_nbd")
    assert forced.metrics["model"] == "pareto_nbd"
    assert forced.metrics["fallback_reason"].startswith("Pareto/NBD was forced and its fit is degenerate: parameter ")


def test_few_repeat_buyers_dropout_beyond_1e6():
    # The "other shop": 100 one-time buyers and 6 repeat buyers. Pareto/NBD explains the one-time buyers
    # by an enormous, near-certain dropout (s and beta beyond 1e6, only s/beta identified).
    x = np.array([0] * 100 + [3, 2, 4, 1, 2, 5], dtype=float)
    t = np.array([300 - 3 * i for i in range(100)] + [300, 280, 250, 200, 150, 290], dtype=float)
    tx = np.array([0] * 100 + [100, 60, 200, 20, 40, 150], dtype=float)
    m = ParetoNBDModel().fit(x, tx, t)
    assert m.params_["s"] > 1e6
    assert degenerate_reason(m, x, tx, t).startswith(f"parameter s = {m.params_['s']:.4g} is outside")


def test_p_alive_099_for_nearly_everyone():
    # BG/NBD never loses a customer before a repeat purchase: with 96 of 100 customers one-time buyers,
    # P(alive) = 1 for 96 %, at parameters well inside the bounds.
    m = BetaGeoModel()
    m.params_ = {"r": 0.5, "alpha": 10.0, "a": 1.0, "b": 3.0}
    x = np.array([0] * 96 + [1, 2, 1, 3], dtype=float)
    tx = np.array([0] * 96 + [5, 10, 3, 20], dtype=float)
    t = np.full(100, 200.0)
    assert m.p_alive(x, tx, t)[96:].max() < 0.99
    assert degenerate_reason(m, x, tx, t) == ("P(alive) >= 0.99 for 96.0% of customers: the fit cannot tell who has "
                                              "stopped buying")


def test_numerical_hessian_by_hand():
    # f = -(2 z0^2 + 3 z0 z1 + 5 z1^2): Hessian [[-4, -3], [-3, -10]], exact for central differences.
    h = numerical_hessian(lambda z: -(2 * z[0] ** 2 + 3 * z[0] * z[1] + 5 * z[1] ** 2), np.array([0.3, -0.2]))
    np.testing.assert_allclose(h, [[-4, -3], [-3, -10]], atol=1e-6)


def test_flat_likelihood_hessian_not_negative_definite():
    # A maximum in z0 but flat in z1 (a ridge): the Hessian's second eigenvalue is 0.
    assert hessian_reason(lambda z: -(z[0] - 1) ** 2, np.array([1.0, 5.0])).startswith(
        "the Hessian of the log-likelihood at the optimum is not negative definite")
    assert hessian_reason(lambda z: -(z[0] - 1) ** 2 - 0.5 * z[1] ** 2, np.array([1.0, 0.0])) is None
    # A saddle is not a maximum either.
    assert hessian_reason(lambda z: -(z[0] ** 2) + z[1] ** 2, np.array([0.0, 0.0])) is not None


def test_degenerate_first_model_falls_back_to_the_next():
    # Simulated Pareto/NBD shop with rare purchases (92 % one-time buyers): BG/NBD explains them by a
    # dropout parameter a beyond 1e6, Pareto/NBD (the truth) fits soundly; with BG/NBD ranked first, the
    # next model serves and the reason names the first.
    rng = np.random.default_rng(2)
    n = 400
    lam, mu = rng.gamma(0.5, 1 / 400, n), rng.gamma(2.0, 1 / 100, n)
    t = rng.uniform(100, 365, n)
    end = np.minimum(rng.exponential(1 / mu), t)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        times = np.cumsum(rng.exponential(1 / lam[i], 50))
        times = times[times < end[i]]
        x[i], tx[i] = len(times), times[-1] if len(times) else 0.0
    name, model, reason = serve_purchase_model(["bgnbd", "pareto_nbd"], x, tx, t)
    assert name == "pareto_nbd" and isinstance(model, ParetoNBDModel)
    assert reason.startswith("Pareto/NBD served after BG/NBD was degenerate: parameter a = ")
    assert degenerate_reason(model, x, tx, t) is None
    # Forced, the degenerate model serves and says so.
    name, _, reason = serve_purchase_model(["bgnbd"], x, tx, t, forced=True)
    assert name == "bgnbd" and reason.startswith("BG/NBD was forced and its fit is degenerate: parameter a = ")
