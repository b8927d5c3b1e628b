"""Input checks and fitted-state errors of the lifetime-value models."""

from __future__ import annotations

import numpy as np
import pytest

from shopmine.customers.clv import BetaGeoModel, GammaGammaModel
from shopmine.errors import NotFittedError, ShopmineInputError


@pytest.mark.parametrize(("frequency", "recency", "T", "message"), [
    ([1, -1], [1, 0], [2, 2], "frequency must be integers >= 0; row 1"),
    ([1.5], [1], [2], "frequency must be integers >= 0; row 0"),
    ([1], [3], [2], "T must be finite and >= recency; row 0"),
    ([0], [1], [2], "recency must be 0 for customers with frequency 0"),
    ([1, 2], [1], [2, 2], "same length"),
    ([], [], [], "empty"),
])
def test_bgnbd_rejects_bad_summaries(frequency, recency, T, message):
    with pytest.raises(ShopmineInputError, match=message):
        BetaGeoModel().fit(frequency, recency, T)


def test_models_need_fit_first():
    with pytest.raises(NotFittedError, match="BetaGeoModel is not fitted yet"):
        BetaGeoModel().p_alive([1], [1], [2])
    with pytest.raises(NotFittedError, match="GammaGammaModel is not fitted yet"):
        GammaGammaModel().conditional_expected_spend([1], [10.0])


def test_gamma_gamma_needs_repeat_buyers_with_spend():
    with pytest.raises(ShopmineInputError, match="needs at least 2 customers with a purchase"):
        GammaGammaModel().fit([0, 0, 3], [0.0, 0.0, 10.0])
    with pytest.raises(ShopmineInputError, match="monetary_value finite and >= 0; row 1"):
        GammaGammaModel().fit([1, 1], [10.0, -5.0])


def test_gamma_gamma_conditional_spend_by_hand():
    m = GammaGammaModel()
    m.params_ = {"p": 2.0, "q": 3.0, "v": 10.0}
    # p (v + x m) / (p x + q - 1): x = 2, m = 20 -> 2 * 50 / 6; x = 0 -> population mean p v / (q - 1) = 10.
    assert np.allclose(m.conditional_expected_spend([2, 0], [20.0, 0.0]), [100 / 6, 10.0])


def test_holdout_scores_by_hand_ranked_by_rmse():
    from shopmine.customers.clv.holdout_eval import holdout_scores, rate_so_far

    # x / T * horizon, 0 for T = 0 (a customer first seen on the last calibration day).
    assert np.allclose(rate_so_far([2, 0, 3], [10, 5, 0], 20), [4.0, 0.0, 0.0])
    table = holdout_scores([0, 2, 4], {"zero": np.zeros(3), "good": np.array([0.0, 2.0, 3.0])})
    assert list(table["model"]) == ["good", "zero"]
    # Ranked by RMSE, not MAE: against [0, 0, 6], "low" (always 1) has the lower MAE (7/3 vs 8/3),
    # "mean" (always 2, the mean) the lower RMSE (sqrt((4+4+16)/3) = sqrt(8) vs sqrt((1+1+25)/3) = 3).
    ranked = holdout_scores([0, 0, 6], {"low": np.ones(3), "mean": np.full(3, 2.0)})
    assert list(ranked["model"]) == ["mean", "low"]
    assert ranked["mae"].tolist() == pytest.approx([8 / 3, 7 / 3])
    assert ranked["rmse"].tolist() == pytest.approx([np.sqrt(8), 3.0])
    assert table.loc[0, "mae"] == pytest.approx(1 / 3) and table.loc[0, "total_error"] == pytest.approx(-1 / 6)
    # RMSE: sqrt((0 + 0 + 1) / 3) for "good", sqrt((0 + 4 + 16) / 3) for "zero".
    assert table.loc[0, "rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert table.loc[1, "rmse"] == pytest.approx(np.sqrt(20 / 3))
    assert table.loc[1, "total_error"] == pytest.approx(-1.0)
    with pytest.raises(ShopmineInputError, match="predictions of 'short' have shape"):
        holdout_scores([0, 1], {"short": np.zeros(1)})


def test_holdout_predictions_on_simulated_split():
    import pandas as pd

    from shopmine.customers.clv.holdout_eval import holdout_predictions

    rng = np.random.default_rng(0)
    x = rng.poisson(2, 400)
    T = rng.integers(50, 100, 400).astype(float)
    tx = np.where(x > 0, T * rng.uniform(0.2, 1.0, 400), 0.0)
    cal = pd.DataFrame({"frequency_cal": x, "recency_cal": tx, "T_cal": T, "duration_holdout": 30})
    preds = holdout_predictions(cal)
    assert set(preds) == {"pareto_nbd", "bgnbd", "rate_so_far", "predict_zero"}
    assert all(len(p) == 400 for p in preds.values()) and (preds["bgnbd"] >= 0).all()
