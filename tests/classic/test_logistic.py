import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from shopmine.classic import ClassicLogisticRegression, youden_threshold


def _german_split(path):
    df = pd.read_csv(path)
    labels = df.pop("creditability")
    # The split stratifies on the labels as they are (text), like the command does.
    train, test, y_train, y_test = train_test_split(df, labels, test_size=0.2, random_state=42, stratify=labels)
    y_train, y_test = (y_train == "bad").astype(int), (y_test == "bad").astype(int)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    text = [c for c in df.columns if c not in numeric]
    return train, test, y_train, y_test, numeric, text


@pytest.mark.realdata
def test_german_credit_matches_statsmodels_logit(run, german_path, tmp_path, write_csv):
    out = tmp_path / "out"
    code, _, err = run("model", "logistic", "--data", german_path, "--target", "creditability",
                       "--positive-class", "bad", "--output-dir", out, "--metrics-output", tmp_path / "m.json")
    assert code == 0, err
    metrics = json.loads((tmp_path / "m.json").read_text())
    train, test, y_train, y_test, numeric, text = _german_split(german_path)
    encode = ColumnTransformer([
        ("n", SimpleImputer(strategy="median"), numeric),
        ("c", OneHotEncoder(drop="first", handle_unknown="ignore", sparse_output=False), text),
    ], verbose_feature_names_out=False)
    Z_train = pd.DataFrame(encode.fit_transform(train), columns=encode.get_feature_names_out())
    Z_test = pd.DataFrame(encode.transform(test), columns=encode.get_feature_names_out())
    logit = sm.Logit(y_train.to_numpy(), sm.add_constant(Z_train)).fit(disp=0)
    p_test = logit.predict(sm.add_constant(Z_test, has_constant="add"))
    assert metrics["auc_test"] == pytest.approx(roc_auc_score(y_test, p_test), abs=1e-12)
    assert metrics["accuracy_test"] == pytest.approx(accuracy_score(y_test, p_test >= 0.5), abs=1e-12)
    coefficients = pd.read_csv(out / "coefficients.csv").set_index("term")
    np.testing.assert_allclose(coefficients.loc[logit.params.index, "coefficient"], logit.params, rtol=1e-6)
    np.testing.assert_allclose(coefficients.loc[logit.params.index, "odds_ratio"], np.exp(logit.params), rtol=1e-6)
    for name in ("roc.html", "calibration.html", "confusion_matrix.html", "index.html"):
        assert (out / name).is_file()

    new = write_csv(tmp_path / "new.csv", test)
    code, _, _ = run("model", "predict", "--model", out, "--data", new, "--output", tmp_path / "p.csv")
    assert code == 0
    np.testing.assert_allclose(pd.read_csv(tmp_path / "p.csv")["probability_bad"], p_test.to_numpy(), rtol=1e-6)


@pytest.mark.realdata
def test_german_credit_l2_matches_sklearn(german_path):
    df = pd.read_csv(german_path)
    model = ClassicLogisticRegression(target="creditability", positive_class="bad", penalty="l2",
                                      threshold="youden").fit(df)
    train, test, y_train, y_test, numeric, text = _german_split(german_path)
    reference = make_pipeline(
        ColumnTransformer([("n", SimpleImputer(strategy="median"), numeric),
                           ("c", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text)]),
        StandardScaler(), LogisticRegression(C=1.0, max_iter=5000),
    ).fit(train, y_train)
    p_train = reference.predict_proba(train)[:, 1]
    p_test = reference.predict_proba(test)[:, 1]
    metrics = model.result_.metrics
    assert metrics["auc_test"] == pytest.approx(roc_auc_score(y_test, p_test), abs=1e-9)
    assert metrics["threshold"] == pytest.approx(youden_threshold(y_train.to_numpy(), p_train), abs=1e-9)


def test_minority_class_is_positive_by_default():
    rng = np.random.default_rng(3)
    x = rng.normal(size=300)
    y = np.where(x + rng.normal(size=300) > 1.2, "default", "paid")
    model = ClassicLogisticRegression(target="y").fit(pd.DataFrame({"x": x, "y": y}))
    assert model.result_.metrics["positive_class"] == "default"
    assert model.result_.tables["coefficients"].set_index("term").loc["x", "coefficient"] > 0
    assert 0.5 < model.result_.metrics["auc_test"] <= 1.0
