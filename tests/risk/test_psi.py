"""Population stability index: the formula on a hand example, and the monitor on stable and shifted rows."""

from __future__ import annotations

import numpy as np
import pytest

from shopmine.risk.psi import alert, psi


def test_psi_by_hand():
    # expected 50/50, actual 70/30: (0.7-0.5) ln(0.7/0.5) + (0.3-0.5) ln(0.3/0.5)
    value, terms = psi(np.array([50, 50]), np.array([70, 30]))
    assert value == pytest.approx(0.2 * np.log(1.4) + 0.2 * np.log(5 / 3))
    assert terms.sum() == pytest.approx(value)
    assert psi(np.array([10, 20, 30]), np.array([1, 2, 3]))[0] == pytest.approx(0.0)


def test_alert_levels():
    assert [alert(v) for v in (0.0, 0.099, 0.1, 0.2499, 0.25, 3.0)] == \
        ["stable", "stable", "watch", "watch", "shift", "shift"]
    assert alert(float("nan")) == ""


def test_the_training_rows_are_stable_and_a_shifted_sample_is_flagged(trained, loan_table):
    same = trained.monitor(loan_table)
    table = same.tables["psi"].set_index("variable")
    assert table.loc["score", "psi"] == pytest.approx(0.0, abs=1e-9)  # the training rows, the training bins
    assert (table["psi"] < 1e-9).all() and (table["alert"] == "stable").all()
    shifted = loan_table.assign(utilisation=loan_table["utilisation"] + 0.5, region="south")
    moved = trained.monitor(shifted)
    table = moved.tables["psi"].set_index("variable")
    assert table.loc["utilisation", "alert"] == "shift" and table.loc["region", "alert"] == "shift"
    assert table.loc["age", "alert"] == "stable"
    assert moved.metrics["score_alert"] == "shift" and moved.metrics["features_shift"] >= 2
    assert table.index[0] == "score"  # the score first, then features by PSI
    assert "utilisation" in moved.summary and "score PSI" in moved.summary


def test_unseen_categories_get_a_bin_and_a_missing_column_is_listed(loan_table):
    from shopmine.risk import train_risk

    # min_iv 0.1 keeps the noise column out of the scorecard, so the new rows may lack it
    model = train_risk(loan_table, target="default", id_col="loan_id", folds=3, min_iv=0.1)
    assert "noise" not in model.features and model.served == "scorecard"
    new = loan_table.assign(region=np.where(np.arange(len(loan_table)) % 2 == 0, "atlantis", loan_table["region"]))
    result = model.monitor(new.drop(columns=["noise"]))
    bins = result.tables["psi_bins"]
    assert "not seen in training" in bins[bins["variable"] == "region"]["bin"].tolist()
    table = result.tables["psi"].set_index("variable")
    assert table.loc["region", "alert"] == "shift"
    assert table.loc["noise", "alert"] == "column missing" and np.isnan(table.loc["noise", "psi"])
    assert result.metrics["features_missing"] == ["noise"]
