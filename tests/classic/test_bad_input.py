"""Each kind of bad input exits 2 with a message naming the column or option."""

import numpy as np
import pandas as pd
import pytest

RNG = np.random.default_rng(7)
GOOD = pd.DataFrame({"x": RNG.normal(size=40), "z": RNG.normal(size=40),
                     "y": RNG.normal(size=40), "label": ["a", "b"] * 20})


def _case(name):
    df = GOOD.copy()
    if name == "text target":
        return df.assign(y=["high", "low"] * 20), ["linear", "--target", "y"], "must be numeric"
    if name == "missing target column":
        return df, ["linear", "--target", "nope"], "'nope' is not a column"
    if name == "one class tree":
        return df.assign(label="a"), ["tree", "--target", "label"], "only one class"
    if name == "one class logistic":
        return df.assign(label="a"), ["logistic", "--target", "label"], "only one class"
    if name == "constant feature":
        return df.assign(z=5.0), ["linear", "--target", "y", "--features", "x,z"], "feature 'z' has the same value"
    if name == "all targets missing":
        return df.assign(y=np.nan), ["linear", "--target", "y"], "missing in every row"
    if name == "fewer rows than features":
        wide = pd.DataFrame(RNG.normal(size=(5, 8)), columns=[f"f{i}" for i in range(8)]).assign(y=RNG.normal(size=5))
        return wide, ["linear", "--target", "y"], "more rows than features"
    if name == "k larger than rows":
        return df.head(6), ["kmeans", "--features", "x,z", "--k", "7"], "--k 7 is larger than the number of rows"
    if name == "unknown feature":
        return df, ["linear", "--target", "y", "--features", "x,w"], "'w'"
    if name == "bad criterion":
        return df, ["tree", "--target", "label", "--criterion", "chaos"], "--criterion"
    if name == "bad threshold":
        return df, ["logistic", "--target", "label", "--threshold", "2"], "--threshold"
    raise AssertionError(name)


CASES = ["text target", "missing target column", "one class tree", "one class logistic", "constant feature",
         "all targets missing", "fewer rows than features", "k larger than rows", "unknown feature",
         "bad criterion", "bad threshold"]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_exits_2_with_a_clear_message(name, run, tmp_path, write_csv):
    frame, args, message = _case(name)
    path = write_csv(tmp_path / "t.csv", frame)
    code, _, err = run("model", *args, "--data", path, "--output-dir", tmp_path / "out")
    assert code == 2
    assert message in err
    assert not (tmp_path / "out").exists()


def test_predict_file_missing_a_feature(run, tmp_path, write_csv):
    code, _, _ = run("model", "linear", "--data", write_csv(tmp_path / "t.csv", GOOD), "--target", "y",
                     "--features", "x,z,label", "--output-dir", tmp_path / "out")
    assert code == 0
    new = write_csv(tmp_path / "new.csv", GOOD.drop(columns=["z", "y"]))
    code, _, err = run("model", "predict", "--model", tmp_path / "out", "--data", new, "--output", tmp_path / "p.csv")
    assert code == 2 and "'z'" in err and "--data" in err
    assert not (tmp_path / "p.csv").exists()


def test_predict_without_a_saved_model(run, tmp_path, write_csv):
    code, _, err = run("model", "predict", "--model", tmp_path, "--data", write_csv(tmp_path / "t.csv", GOOD),
                       "--output", tmp_path / "p.csv")
    assert code == 2 and "no saved model" in err


def test_id_like_columns_are_named_in_a_warning(run, tmp_path, write_csv):
    frame = GOOD.assign(order_id=[f"o{i}" for i in range(40)], code=range(40))
    code, _, err = run("model", "linear", "--data", write_csv(tmp_path / "t.csv", frame), "--target", "y")
    assert code == 0
    assert "warning: id-like column(s) not used as features: order_id, code" in err


def test_missing_values_are_imputed_and_reported(tmp_path):
    from shopmine.classic import ClassicLinearRegression

    frame = GOOD.copy()
    frame.loc[[1, 2, 3], "x"] = np.nan
    frame.loc[[4], "label"] = np.nan
    model = ClassicLinearRegression(target="y", test_size=0.25).fit(frame)
    report = model.result_.tables["missing_values"].set_index("column")
    assert report.loc["x", "missing_train"] + report.loc["x", "missing_test"] == 3
    assert report.loc["label", "imputed_with"] == "(missing)"
