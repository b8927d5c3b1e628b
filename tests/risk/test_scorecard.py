"""The scorecard: maximum likelihood on WoE features, and points by the standard scaling."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from shopmine.risk.binning import transform
from shopmine.risk.scorecard import Scale, fit_scorecard


def test_a_feature_below_the_iv_cut_off_is_screened_out(loan_table):
    from shopmine.risk.fitting import fit_scorecard_model
    from shopmine.risk.inputs import prepare_training

    data = prepare_training(loan_table, target="default", id_col="loan_id")
    card = fit_scorecard_model(data.X, data.y, data.numeric, data.categorical, min_iv=0.5)
    assert list(card.coefficients) == ["utilisation"]  # the only one above 0.5


def test_the_scale_gives_the_base_score_at_the_base_odds_and_pdo_doubles_them():
    scale = Scale(base_score=600, base_odds=50, pdo=20)
    # odds good:bad 50 -> P(bad) = 1/51; log-odds of bad = -ln 50
    assert scale.points(-np.log(50)) == pytest.approx(600.0)
    assert scale.points(-np.log(100)) == pytest.approx(620.0)
    assert scale.points(-np.log(25)) == pytest.approx(580.0)
    assert scale.factor == pytest.approx(20 / np.log(2)) and scale.offset == pytest.approx(600 - 20 * np.log(50) / np.log(2))


def test_the_coefficients_are_statsmodels_maximum_likelihood_on_the_woe(trained, loan_table):
    from shopmine.risk.inputs import prepare_training

    data = prepare_training(loan_table, target="default", id_col="loan_id")
    binnings = {f: trained._binnings()[f] for f in trained.scorecard_features}
    W = transform(binnings, data.X)
    fit = sm.Logit(data.y, sm.add_constant(W)).fit(disp=0)
    card = trained.spec["scorecard"]
    assert card["intercept"] == pytest.approx(fit.params["const"], rel=1e-6)
    for feature, value in card["coefficients"].items():
        assert value == pytest.approx(fit.params[feature], rel=1e-6)
        assert value < 0  # a higher WoE is a safer bin


def test_the_points_add_up_to_the_score_and_map_to_the_probability(trained, loan_table):
    table = trained.points_table()
    scores = trained.score(loan_table.head(50))
    binnings = trained._binnings()
    from shopmine.risk.inputs import feature_frame

    X = feature_frame(loan_table.head(50), trained.spec["numeric"], trained.spec["categorical"])
    total = np.zeros(50)
    for feature in trained.scorecard_features:
        index = transform({feature: binnings[feature]}, X, metric="indices")[feature].to_numpy()
        points = table[table["feature"] == feature].set_index("bin_index")["points"]
        total += points.loc[index].to_numpy()
    np.testing.assert_allclose(scores["score_points"], total, rtol=1e-9)
    scale = Scale(**trained.spec["scale"])
    np.testing.assert_allclose(scores["score_points"], scale.points(scale.logit(scores["probability"])), rtol=1e-9)


def test_the_drivers_are_in_the_scorecard_and_the_noise_ranks_last(trained):
    ivs = trained.result_.tables["information_value"].set_index("feature")
    assert set(trained.scorecard_features) >= {"utilisation", "age", "region", "late_payments"}
    # On 1,500 rows optimal bins find a little IV even in noise; it stays far below every driver's.
    assert ivs["iv"].idxmin() == "noise"
    assert ivs.loc["noise", "iv"] < 0.5 * ivs.drop(index="noise")["iv"].min()
    # riskier region, fewer points
    table = trained.points_table()
    region = table[(table["feature"] == "region") & (table["count"] > 0)].set_index("bin")["points"]
    south = next(p for b, p in region.items() if "south" in b)
    assert south == region.min()


def test_a_feature_whose_coefficient_runs_against_its_bins_is_dropped():
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-1.5 * x))).astype(int)
    # WoE-like columns: a higher value is safer. "copy" is x plus noise, "against" is built to get a positive
    # coefficient next to x (it carries x's signal with the opposite sign once x is in the model).
    W = pd.DataFrame({"x": -x, "copy": -x + 0.3 * rng.normal(size=n)})
    W["against"] = W["copy"] - 1.05 * W["x"]
    coefficients, intercept, table, dropped, notes = fit_scorecard(W, y)
    assert all(c < 0 for c in coefficients.values())
    assert [d[0] for d in dropped] and all(d[1].startswith("its coefficient ran against its own bins")
                                           for d in dropped)
    assert notes == []


def test_an_unbounded_odds_ratio_is_inf_without_a_numpy_warning():
    # A WoE column that barely varies: maximum likelihood converges, but its coefficient's standard error
    # is about 1 / (1e-5 * sqrt(200 * 0.21)) = 15,000 log-odds, so the 95 % bound of its odds ratio lies far
    # beyond the float range (exp(709) is the largest).
    rng = np.random.default_rng(0)
    sign = rng.choice([-1.0, 1.0], 200)
    y = (rng.random(200) < 0.3).astype(int)
    W = pd.DataFrame({"a": sign * 1e-5})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        coefficients, intercept, table, _, notes = fit_scorecard(W, y)
    row = table.set_index("term").loc["a"]
    assert notes == [] and row["std_error"] > 10_000
    # Its coefficient (about 3,700) and upper bound overflow exp to inf; the lower bound underflows to 0.
    assert coefficients["a"] > 709 and row["odds_ratio"] == np.inf
    assert row["odds_ratio_ci_high_95"] == np.inf and row["odds_ratio_ci_low_95"] == 0.0
    assert table.set_index("term").loc["const", "odds_ratio"] == pytest.approx(np.exp(intercept))


def test_extreme_log_odds_score_a_probability_of_0_or_1_without_a_warning(trained, loan_table):
    from shopmine.risk import RiskModel

    spec = {**trained.spec, "scorecard": {**trained.spec["scorecard"], "intercept": 5_000.0}}
    model = RiskModel(served="scorecard", cv=trained.cv, spec=spec, booster=trained.booster)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        high = model.score(loan_table.head(5))
        low = RiskModel(served="scorecard", cv=trained.cv, booster=trained.booster,
                        spec={**spec, "scorecard": {**spec["scorecard"], "intercept": -5_000.0}}).score(
            loan_table.head(5))
    assert high["probability"].tolist() == [1.0] * 5 and low["probability"].tolist() == [0.0] * 5
