"""The evaluation added to classic/evaluation.py for the risk models, on answers computed by hand, and the
out-of-time check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.classic.evaluation import binary_scores, calibration_error, cost_threshold, ks_statistic

Y = np.array([0, 0, 1, 1])
P = np.array([0.1, 0.4, 0.35, 0.8])


def test_ks_gini_and_the_rest_by_hand():
    # From the top: 0.8 (pos) -> TPR .5 FPR 0; 0.4 (neg) -> .5/.5; 0.35 (pos) -> 1/.5; 0.1 -> 1/1. Largest gap .5.
    assert ks_statistic(Y, P) == pytest.approx(0.5)
    scores = binary_scores(Y, P)
    assert scores["auc"] == pytest.approx(0.75)  # 3 of the 4 positive-negative pairs ordered right
    assert scores["gini"] == pytest.approx(0.5)
    assert scores["brier"] == pytest.approx(np.mean((P - Y) ** 2))
    assert scores["pr_auc"] == pytest.approx(0.5 * 1.0 + 0.5 * 2 / 3)  # precision 1 at recall .5, 2/3 at 1


def test_the_calibration_error_by_hand():
    # two bins of two rows: [0.1, 0.35] observed 0.5 vs mean 0.225; [0.4, 0.8] observed 0.5 vs mean 0.6
    assert calibration_error(Y, P, bins=2) == pytest.approx((0.275 * 2 + 0.1 * 2) / 4)
    assert calibration_error(np.array([0, 1] * 50), np.full(100, 0.5)) == pytest.approx(0.0)


def test_the_cost_threshold_by_hand():
    # Flag from 0.8: 1 missed positive. From 0.35: 1 false alarm. From 0.1: 2 false alarms. Nobody: 2 missed.
    assert cost_threshold(Y, P, cost_fn=5, cost_fp=1) == (pytest.approx(0.35), pytest.approx(1.0))
    assert cost_threshold(Y, P, cost_fn=1, cost_fp=5) == (pytest.approx(0.8), pytest.approx(1.0))
    cut, cost = cost_threshold(Y, P, cost_fn=1, cost_fp=100)
    assert cost == pytest.approx(1.0) and cut == pytest.approx(0.8)
    cut, cost = cost_threshold(np.array([0, 0, 1]), np.array([0.9, 0.8, 0.1]), cost_fn=1, cost_fp=10)
    assert cut > 1.0 and cost == pytest.approx(1.0)  # flagging nobody is cheapest


def test_the_out_of_time_check_fits_on_the_earlier_rows(loan_table):
    from shopmine.risk import train_risk

    model = train_risk(loan_table, target="default", id_col="loan_id", date_col="opened", folds=3)
    result = model.result_
    oot = result.tables["out_of_time"].set_index("model")
    latest = pd.to_datetime(loan_table["opened"]).sort_values()
    assert result.metrics["oot_rows"] == 300 and result.metrics["oot_train_rows"] == 1200
    assert pd.Timestamp(result.metrics["oot_from"]) == latest.iloc[1200]
    assert set(oot.index) == {"scorecard", "challenger"} and (oot["auc"] > 0.65).all()
    assert result.metrics["scorecard_oot_auc"] == pytest.approx(oot.loc["scorecard", "auc"])
    assert "opened" not in model.features  # the date is never a feature


def test_the_threshold_and_confusion_matrix_follow_the_costs(trained, loan_table):
    from shopmine.risk.inputs import prepare_training

    metrics = trained.result_.metrics
    assert (metrics["cost_fn"], metrics["cost_fp"]) == (5.0, 1.0)
    confusion = trained.result_.tables["confusion_matrix"]
    assert list(confusion.index) == ["no", "yes"] and list(confusion.columns) == ["no", "yes"]
    tn, fp, fn, tp = confusion.to_numpy().ravel()
    assert 5 * fn + fp == pytest.approx(metrics["threshold_cost"])
    assert tp / (tp + fn) == pytest.approx(metrics["threshold_recall"])
    data = prepare_training(loan_table, target="default")
    assert tp + fn == data.y.sum()


def test_the_break_even_cost_ratio_by_hand():
    from shopmine.classic.evaluation import flag_break_even

    # From the top: 0.9 (neg) catches nothing; 0.8 (pos) 1 caught for 1 false alarm; 0.7, 0.6 (neg) 1 for 2, 3;
    # 0.5 (pos) 2 for 3. The least false alarms per catch: 1, from 0.8.
    y, p = np.array([0, 1, 0, 0, 1]), np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    assert flag_break_even(y, p) == (pytest.approx(1.0), pytest.approx(0.8))
    # At the break-even ratio flagging from 0.8 costs as much as flagging nobody (2): nobody is flagged ...
    cut, cost = cost_threshold(y, p, cost_fn=1, cost_fp=1)
    assert cut > 1.0 and cost == pytest.approx(2.0)
    # ... and a miss costing a little more than one false alarm flags from 0.8.
    assert cost_threshold(y, p, cost_fn=1.01, cost_fp=1) == (pytest.approx(0.8), pytest.approx(2.01))
    assert flag_break_even(np.zeros(3), np.array([0.1, 0.2, 0.3]))[0] == np.inf


def test_a_rare_outcome_at_equal_costs_flags_nothing_and_says_what_a_miss_would_have_to_cost(loan_table):
    from shopmine.classic.evaluation import flag_break_even
    from shopmine.risk import train_risk

    # 1 % of the loans default, by a weak rule: no score makes a flagged loan more likely bad than good.
    rng = np.random.default_rng(4)
    rare = loan_table.assign(default=np.where(rng.random(len(loan_table)) < 0.01 + 0.01 * loan_table["utilisation"],
                                              "yes", "no"))
    model = train_risk(rare, target="default", id_col="loan_id", folds=3, cost_fn=1, cost_fp=1)
    metrics, summary = model.result_.metrics, " ".join(model.result_.summary.split())
    assert metrics["threshold_flagged_share"] == 0.0 and metrics["threshold"] > 1.0
    ratio, cut = metrics["break_even_cost_ratio"], metrics["break_even_threshold"]
    assert ratio >= 1.0  # equal costs flag nothing only when every cut-off brings as many false alarms as catches
    assert (f"At these costs (a missed default = yes costs 1, a false alarm 1) no row is worth flagging" in summary
            and f"must cost more than {ratio:.1f} times a false alarm before any row is flagged (then those from "
                f"probability {cut:.3g})" in summary)
    # The default costs (5:1) are the field's usual ones.
    assert train_risk.__kwdefaults__["cost_fn"] == 5.0 and train_risk.__kwdefaults__["cost_fp"] == 1.0
