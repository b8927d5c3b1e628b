import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from shopmine.classic import ClassicDecisionTree
from shopmine.classic.tree import DEPTH_GRID, LEAF_GRID


def test_a_clean_split_is_found_and_written_as_a_rule():
    x = np.arange(100.0)
    df = pd.DataFrame({"x": x, "noise": np.tile([1.0, 2.0], 50), "label": np.where(x < 37, "low", "high")})
    model = ClassicDecisionTree(target="label", max_depth=1, min_leaf=1).fit(df)
    metrics = model.result_.metrics
    assert metrics["accuracy_test"] == 1.0 and metrics["f1_macro_test"] == 1.0
    rules = model.result_.tables["rules"]
    assert set(rules["rule"]) == {"x <= 36.5", "x > 36.5"}
    importances = model.result_.tables["importances"].set_index("feature")["importance"]
    assert importances["x"] == 1.0 and importances["noise"] == 0.0
    assert {"tree", "importances", "confusion_matrix"} <= set(model.result_.figures)


@pytest.mark.realdata
def test_german_credit_matches_sklearn_on_the_same_split(run, german_path, tmp_path):
    out = tmp_path / "out"
    code, _, err = run("model", "tree", "--data", german_path, "--target", "creditability",
                       "--positive-class", "bad", "--output-dir", out, "--metrics-output", tmp_path / "m.json")
    assert code == 0, err
    metrics = json.loads((tmp_path / "m.json").read_text())

    df = pd.read_csv(german_path)
    y = df.pop("creditability")
    train, test, y_train, y_test = train_test_split(df, y, test_size=0.2, random_state=42, stratify=y)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    text = [c for c in df.columns if c not in numeric]
    encode = ColumnTransformer([
        ("n", SimpleImputer(strategy="median"), numeric),
        ("c", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text),
    ])
    Z_train, Z_test = encode.fit_transform(train), None
    Z_test = encode.transform(test)
    search = GridSearchCV(DecisionTreeClassifier(random_state=42),
                          {"max_depth": list(DEPTH_GRID), "min_samples_leaf": list(LEAF_GRID)},
                          cv=5, scoring="accuracy").fit(Z_train, y_train)
    predicted = search.predict(Z_test)
    assert metrics["accuracy_test"] == pytest.approx(accuracy_score(y_test, predicted), abs=1e-12)
    assert metrics["f1_macro_test"] == pytest.approx(f1_score(y_test, predicted, average="macro"), abs=1e-12)
    assert metrics["max_depth_param"] == search.best_params_["max_depth"]
    assert metrics["min_samples_leaf"] == search.best_params_["min_samples_leaf"]
    assert metrics["positive_class"] == "bad"
    for name in ("index.html", "rules.csv", "importances.csv", "tree.html", "confusion_matrix.html"):
        assert (out / name).is_file()


def test_grow_is_the_search_fit_runs_and_classify_shares():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    df["label"] = np.where(df["a"] + 0.3 * rng.normal(size=300) > 0.2, "yes", "no")
    fitted = ClassicDecisionTree(target="label", seed=1).fit(df, test_data=df)
    # the same grid on the same rows, grown directly: the same tree, score and rules
    grown = ClassicDecisionTree(seed=1)
    tree = grown.grow(df[["a", "b"]].to_numpy(), df["label"], ["a", "b"])
    assert tree.get_depth() == fitted.tree_.get_depth() and tree.min_samples_leaf == fitted.tree_.min_samples_leaf
    assert grown.cv_score_ == pytest.approx(fitted.result_.metrics["cv_accuracy"])
    rules, text = grown.rules()
    assert text == fitted.rules_text_
    assert rules.equals(fitted.result_.tables["rules"])
    sizes = ClassicDecisionTree(seed=1, max_depth=2, min_leaf=5)
    assert sizes.grow(df[["a", "b"]].to_numpy(), df["label"], ["a", "b"]).get_depth() == 2
    assert sizes.cv_score_ is None


def test_rules_before_a_tree_is_grown_say_what_to_call():
    from shopmine.errors import NotFittedError

    with pytest.raises(NotFittedError, match=r"call fit\(data\) or grow"):
        ClassicDecisionTree().rules()
