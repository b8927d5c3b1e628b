"""German credit (UCI Statlog), the issue's small reference set: the scorecard is served and its cross-validated
AUC is in the range the issue measured (WoE-LR 0.784 +- 0.025)."""

from __future__ import annotations

import pandas as pd


def test_german_credit_serves_the_scorecard(real_data):
    from shopmine.risk import train_risk

    table = pd.read_csv(real_data("german_credit/germancredit.csv"))
    model = train_risk(table, target="creditability", cost_fn=5, cost_fp=1)
    assert model.spec["positive_class"] == "bad"  # the rarer outcome (300 of 1,000)
    assert model.served == "scorecard"
    assert 0.77 < model.cv["scorecard"]["auc"] < 0.83 and model.cv["scorecard"]["auc_sd"] < 0.05
    assert model.cv["challenger"]["auc"] > 0.74
    # the checking account status is the strongest feature, as in every analysis of this set
    assert model.result_.tables["information_value"]["feature"].iloc[0] == "status_of_existing_checking_account"
    # the UCI cost matrix (a missed bad loan costs 5) flags many more than the 30 % bad loans
    assert model.result_.metrics["threshold_flagged_share"] > 0.4 and model.result_.metrics["threshold_recall"] > 0.8
