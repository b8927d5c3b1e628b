"""Scoring with the served model: the output contract, reason codes, and the cases of issue 15's acceptance 4."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.registry.jsonable import to_jsonable
from shopmine.risk import RiskModel
from shopmine.risk.model import OUTPUT_COLUMNS


def test_one_row_per_input_row_in_the_contract_s_columns(trained, loan_table):
    new = loan_table.drop(columns=["default"]).head(300)
    scores = trained.score(new)
    assert list(scores.columns) == OUTPUT_COLUMNS == ["id", "probability", "score_points", "reason_1", "reason_2",
                                                      "reason_3"]
    assert len(scores) == 300 and scores["id"].tolist() == new["loan_id"].tolist()  # the training's id column
    assert scores["probability"].between(0, 1).all()
    # higher points, lower probability of the positive class (yes: default)
    assert trained.spec["positive_class"] == "yes"
    assert np.all(np.diff(scores.sort_values("probability")["score_points"].to_numpy()) <= 1e-9)
    numbered = trained.score(new.drop(columns=["loan_id"]))
    assert numbered["id"].tolist() == list(range(1, 301))
    np.testing.assert_allclose(numbered["probability"], scores["probability"])


def test_the_reasons_are_the_features_that_lost_most_points_against_their_best_bin(trained, loan_table):
    table = trained.points_table()
    best = table[table["count"] > 0].groupby("feature")["points"].max()
    row = loan_table.drop(columns=["default"]).head(1)
    scored = trained.score(row).iloc[0]
    from shopmine.risk.binning import transform
    from shopmine.risk.inputs import feature_frame

    X = feature_frame(row, trained.spec["numeric"], trained.spec["categorical"])
    lost = {}
    for feature in trained.scorecard_features:
        index = transform({feature: trained._binnings()[feature]}, X, metric="indices")[feature].iloc[0]
        points = table[(table["feature"] == feature) & (table["bin_index"] == index)]["points"].iloc[0]
        lost[feature] = best[feature] - points
    expected = [f for f, v in sorted(lost.items(), key=lambda kv: -kv[1]) if v > 1e-9][:3]
    reasons = [scored[f"reason_{k}"] for k in (1, 2, 3)]
    assert [r.split(" ")[0] for r in reasons if r] == expected


def _bin_label(model, feature: str, index: int) -> str:
    table = model.points_table()
    return f"{feature} {table[(table['feature'] == feature) & (table['bin_index'] == index)]['bin'].iloc[0]}"


def test_a_safe_row_has_fewer_reasons_and_a_risky_row_names_its_risky_values(trained):
    rows = pd.DataFrame({"utilisation": [0.01, 1.19], "age": [74.0, 21.0], "region": ["east", "south"],
                         "late_payments": [0.0, 99.0], "noise": [0.0, 0.0]})
    scores = trained.score(rows)
    safe, risky = (scores.iloc[i][["reason_1", "reason_2", "reason_3"]].tolist() for i in (0, 1))
    assert scores.iloc[1]["probability"] > 0.5 > scores.iloc[0]["probability"]
    # The risky row sits in the highest utilisation bin, the youngest age bin and the riskier region; the safe
    # row in the best bin of every feature but late payments (no late payment is not its best bin).
    table = trained.points_table()
    last_utilisation = int(table[(table["feature"] == "utilisation") & ~table["bin"].isin(["Special", "Missing"])]
                           ["bin_index"].max())
    assert risky == [_bin_label(trained, "utilisation", last_utilisation), _bin_label(trained, "age", 0),
                     "region = south"]
    assert safe == [_bin_label(trained, "late_payments", 0), "", ""]


def test_a_category_never_seen_in_training_is_scored_and_named(trained, loan_table):
    new = loan_table.drop(columns=["default", "loan_id"]).head(5)
    seen, unseen = trained.score(new), trained.score(new.assign(region="atlantis"))
    # A category never seen has a WoE of 0: the row's region points become those of WoE 0 (the feature's
    # neutral share), and nothing else changes.
    table = trained.points_table()
    region = table[table["feature"] == "region"].set_index("bin")["points"]
    neutral = region["Missing"]  # no missing region in training: its WoE is 0 as well
    assert table[(table["feature"] == "region") & (table["bin"] == "Missing")]["woe"].iloc[0] == 0.0
    np.testing.assert_allclose(unseen["score_points"] - seen["score_points"],
                               neutral - new["region"].map(region).to_numpy(), atol=1e-9)
    reasons = unseen[["reason_1", "reason_2", "reason_3"]].to_numpy().ravel().tolist()
    assert "region = atlantis (not seen in training)" in reasons
    assert all("atlantis" not in r or r == "region = atlantis (not seen in training)" for r in reasons)


def test_a_missing_feature_column_is_refused_naming_it(trained, loan_table):
    with pytest.raises(ShopmineInputError, match=r"data: the table lacks the feature column\(s\) 'utilisation' "
                                                 r"that the scorecard was trained on") as err:
        trained.score(loan_table.drop(columns=["utilisation"]))
    assert err.value.parameter == "data"
    # the error names every missing column at once
    with pytest.raises(ShopmineInputError, match=r"feature column\(s\) 'utilisation', 'region' that"):
        trained.score(loan_table.drop(columns=["utilisation", "region"]))


def test_duplicate_ids_at_scoring_are_refused(trained, loan_table):
    new = loan_table.head(10).copy()
    new.loc[3, "loan_id"] = new.loc[2, "loan_id"]
    with pytest.raises(ShopmineInputError, match=r"id_col 'loan_id' repeats 1 id\(s\), e.g. 'L00002'"):
        trained.score(new)


def test_text_in_a_numeric_column_is_scored_as_missing(trained, loan_table):
    new = loan_table.drop(columns=["default"]).head(3).astype({"age": object})
    new.loc[0, "age"] = "unknown"
    scores = trained.score(new)
    pd.testing.assert_frame_equal(scores, trained.score(new.assign(age=[np.nan, *new["age"].iloc[1:]])))
    assert "age missing" in scores.iloc[0][["reason_1", "reason_2", "reason_3"]].tolist()


def test_the_model_survives_the_registry_formats(trained, loan_table, tmp_path):
    from shopmine.registry import ModelRegistry, signing

    registry = ModelRegistry(tmp_path / "models",
                             key=signing.load_or_create_key(tmp_path / ".secret" / "signing.key", "the test"))
    models = trained.to_models()
    for key, model in models.items():
        registry.save(f"risk-{key}", model)
    loaded = RiskModel.from_models({key: registry.load(f"risk-{key}")[0] for key in models})
    files = sorted(p.name for p in (tmp_path / "models").rglob("model.*"))
    assert files == ["model.json", "model.txt"]  # JSON and LightGBM text, nothing pickled
    new = loan_table.drop(columns=["default"]).head(100)
    pd.testing.assert_frame_equal(loaded.score(new), trained.score(new))
    assert json.loads(json.dumps(to_jsonable(models["scorecard"], "spec")))["layout"] == 1


def test_a_served_challenger_gives_shap_reasons(trained, loan_table):
    challenger = RiskModel(served="challenger", cv=trained.cv, spec=trained.spec, booster=trained.booster)
    new = loan_table.drop(columns=["default"]).head(200)
    scores = challenger.score(new)
    from shopmine.risk.challenger import contributions, predict
    from shopmine.risk.inputs import feature_frame

    X = feature_frame(new, trained.spec["numeric"], trained.spec["categorical"])
    categories = trained.spec["challenger"]["categories"]
    np.testing.assert_allclose(scores["probability"], predict(trained.booster, X, categories), rtol=1e-9)
    shap = contributions(trained.booster, X, categories)
    top = np.array(challenger.features)[np.argmax(shap, axis=1)]
    first = scores["reason_1"].str.split(" ").str[0].to_numpy()
    has = shap.max(axis=1) > 1e-9
    assert (first[has] == top[has]).all()
    # a category never seen in training is read as missing by LightGBM, and named so in a reason
    unseen = challenger.score(new.assign(region="atlantis"))
    assert unseen["probability"].notna().all()
    named = unseen[["reason_1", "reason_2", "reason_3"]].to_numpy().ravel()
    assert all(r == "region = atlantis (not seen in training)" for r in named if "atlantis" in r)
    missing = challenger.score(new.assign(region=None))
    np.testing.assert_allclose(unseen["probability"], missing["probability"])
    # a challenger reads every feature: dropping the noise column is refused
    with pytest.raises(ShopmineInputError, match=r"lacks the feature column\(s\) 'noise' that the challenger"):
        challenger.score(new.drop(columns=["noise"]))


class _CountingBooster:
    """The trained booster, counting its predictions and the trees each ``pred_contrib`` one asked."""

    def __init__(self, booster):
        self.booster, self.passes, self.shap_trees, self.other_predicts = booster, 0, [], 0

    def predict(self, *args, **kwargs):
        self.passes += 1
        self.other_predicts += not kwargs.get("pred_contrib")
        if kwargs.get("pred_contrib"):
            start, count = kwargs.get("start_iteration", 0), kwargs.get("num_iteration") or self.booster.num_trees()
            self.shap_trees.extend(range(start, start + count))
        return self.booster.predict(*args, **kwargs)

    def each_tree_asked_once(self) -> bool:
        return sorted(self.shap_trees) == list(range(self.booster.num_trees()))

    def __getattr__(self, name):
        return getattr(self.booster, name)


def test_a_challenger_scores_with_one_pass_over_its_trees(trained, loan_table):
    # The SHAP values and their bias add up to the log-odds: one pred_contrib pass (each tree asked once) gives
    # both.
    counting = _CountingBooster(trained.booster)
    challenger = RiskModel(served="challenger", cv=trained.cv, spec=trained.spec, booster=counting)
    scores = challenger.score(loan_table.drop(columns=["default"]).head(300))
    # 300 rows: one pred_contrib call over every tree (grouping by path pays from 3,000 rows), nothing else
    assert counting.each_tree_asked_once() and counting.passes == 1 and counting.other_predicts == 0
    from shopmine.risk.challenger import predict
    from shopmine.risk.inputs import feature_frame

    X = feature_frame(loan_table.head(300), trained.spec["numeric"], trained.spec["categorical"])
    np.testing.assert_allclose(scores["probability"], predict(trained.booster, X, trained.spec["challenger"]["categories"]),
                               rtol=1e-9)


def test_the_training_s_reasons_and_importance_share_one_shap_pass(trained, loan_table):
    from shopmine.risk.inputs import feature_frame
    from shopmine.risk.training_result import _reasons_and_importance

    X = feature_frame(loan_table, trained.spec["numeric"], trained.spec["categorical"])
    counting = _CountingBooster(trained.booster)
    challenger = RiskModel(served="challenger", cv=trained.cv, spec=trained.spec, booster=counting)
    reasons, importance = _reasons_and_importance(challenger, X)
    assert counting.each_tree_asked_once()
    # Both read the challenger's SHAP values of every training row (1,500 rows: no sampling).
    from shopmine.risk.challenger import contributions

    shap = contributions(trained.booster, X[challenger.challenger_features], trained.spec["challenger"]["categories"])
    names = np.array(challenger.challenger_features)
    expected_first = pd.Series(names[shap.argmax(axis=1)][shap.max(axis=1) > 1e-9]).value_counts() / len(X)
    got_first = reasons.set_index("feature")["first_reason_share"]
    pd.testing.assert_series_equal(got_first[got_first > 0].sort_index(), expected_first.sort_index(),
                                   check_names=False)
    mean_abs = dict(zip(names, np.abs(shap).mean(axis=0)))
    assert importance.set_index("feature")["mean_abs_shap"].to_dict() == pytest.approx(mean_abs, rel=1e-12)
