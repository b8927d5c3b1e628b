import json

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.model_selection import train_test_split

from shopmine.classic import ClassicLinearRegression, load_model

WALMART_FEATURES = ["Holiday_Flag", "Temperature", "Fuel_Price", "CPI", "Unemployment"]


def test_exact_line_is_recovered():
    df = pd.DataFrame({"x": np.arange(30.0), "y": 2 * np.arange(30.0) + 1})
    model = ClassicLinearRegression(target="y", features=["x"]).fit(df)
    coefficients = model.result_.tables["coefficients"].set_index("term")["coefficient"]
    assert coefficients["const"] == pytest.approx(1.0, abs=1e-9)
    assert coefficients["x"] == pytest.approx(2.0, abs=1e-9)
    assert model.result_.metrics["r2_train"] == pytest.approx(1.0)
    assert model.result_.metrics["mse_test"] == pytest.approx(0.0, abs=1e-18)
    scatter = model.result_.figures["scatter_x"]
    assert scatter.data[1].meta["slope"] == pytest.approx(2.0)


def test_categories_are_one_hot_and_dates_expanded():
    rng = np.random.default_rng(0)
    n = 200
    df = pd.DataFrame({
        "channel": rng.choice(["web", "shop", "app"], n),
        "day": pd.date_range("2024-01-01", periods=n).astype(str),
        "x": rng.normal(size=n),
    })
    df["y"] = 3 * df["x"] + df["channel"].map({"web": 0.0, "shop": 5.0, "app": -2.0})
    model = ClassicLinearRegression(target="y").fit(df)
    coef = model.result_.tables["coefficients"].set_index("term")["coefficient"]
    # "app" is the reference category (dropped first), so the dummies are differences to it.
    assert coef["channel_shop"] == pytest.approx(7.0, abs=1e-8)
    assert coef["channel_web"] == pytest.approx(2.0, abs=1e-8)
    assert "day_month" in coef.index and "day_dayofweek" in coef.index
    assert set(model.result_.tables["correlations"].columns) == {"feature", "pearson", "spearman"}


@pytest.mark.realdata
def test_walmart_matches_statsmodels_on_the_same_split(run, walmart_path, tmp_path, write_csv):
    out = tmp_path / "out"
    code, stdout, _ = run("model", "linear", "--data", walmart_path, "--target", "Weekly_Sales",
                          "--features", ",".join(WALMART_FEATURES), "--output-dir", out,
                          "--metrics-output", tmp_path / "m.json")
    assert code == 0 and "r2_test" in stdout
    metrics = json.loads((tmp_path / "m.json").read_text())

    df = pd.read_csv(walmart_path)
    train, test = train_test_split(df, test_size=0.2, random_state=42)
    ols = sm.OLS(train["Weekly_Sales"], sm.add_constant(train[WALMART_FEATURES].astype(float))).fit()
    predicted = ols.predict(sm.add_constant(test[WALMART_FEATURES].astype(float), has_constant="add"))
    mse = float(np.mean((test["Weekly_Sales"] - predicted) ** 2))
    assert metrics["mse_test"] == pytest.approx(mse, rel=1e-9)
    assert metrics["rmse_test"] == pytest.approx(np.sqrt(mse), rel=1e-9)
    assert metrics["mae_test"] == pytest.approx(float(np.mean(np.abs(test["Weekly_Sales"] - predicted))), rel=1e-9)
    ss_tot = float(np.sum((test["Weekly_Sales"] - test["Weekly_Sales"].mean()) ** 2))
    assert metrics["r2_test"] == pytest.approx(1 - mse * len(test) / ss_tot, rel=1e-9)

    coefficients = pd.read_csv(out / "coefficients.csv").set_index("term")
    for term in ["const", *WALMART_FEATURES]:
        assert coefficients.loc[term, "coefficient"] == pytest.approx(ols.params[term], rel=1e-9)
        assert coefficients.loc[term, "std_error"] == pytest.approx(ols.bse[term], rel=1e-9)
        assert coefficients.loc[term, "p_value"] == pytest.approx(ols.pvalues[term], rel=1e-6, abs=1e-300)
    correlations = pd.read_csv(out / "correlations.csv").set_index("feature")
    assert correlations.loc["CPI", "pearson"] == pytest.approx(train["CPI"].corr(train["Weekly_Sales"]), rel=1e-9)

    html = (out / "index.html").read_text()
    for name in ("residuals", "actual_vs_predicted", "scatter_Unemployment"):
        assert (out / f"{name}.html").is_file()
    # train and test errors side by side: a row per measure, a column per split
    table = re.search(r"<caption>[^<]*\br2\b[^<]*</caption>.*?</table>", html, re.S).group(0)
    assert '<th scope="col" class="num">train</th><th scope="col" class="num">test</th>' in table
    assert f'<th scope="row">r2</th><td>{metrics["r2_train"]:.4g}</td><td>{metrics["r2_test"]:.4g}</td>' in table
    assert "Residuals" in html

    # predict reproduces the fitted model's predictions on new rows
    new = write_csv(tmp_path / "new.csv", test.drop(columns=["Weekly_Sales"]))
    code, _, _ = run("model", "predict", "--model", out, "--data", new, "--output", tmp_path / "p.csv")
    assert code == 0
    np.testing.assert_allclose(pd.read_csv(tmp_path / "p.csv")["prediction"], predicted.to_numpy(), rtol=1e-9)


def test_test_data_file_replaces_the_split(run, tmp_path, write_csv):
    rng = np.random.default_rng(1)
    train = pd.DataFrame({"x": rng.normal(size=50)})
    train["y"] = 4 * train["x"] - 1 + rng.normal(scale=0.1, size=50)
    test = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [-1.0, 3.0, 7.0]})
    code, _, _ = run("model", "linear", "--data", write_csv(tmp_path / "a.csv", train), "--target", "y",
                     "--test-data", write_csv(tmp_path / "b.csv", test), "--metrics-output", tmp_path / "m.json")
    assert code == 0
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["n_train"] == 50 and metrics["n_test"] == 3 and metrics["test_source"] == "file"
    ols = sm.OLS(train["y"], sm.add_constant(train[["x"]])).fit()
    predicted = ols.params["const"] + ols.params["x"] * test["x"]
    assert metrics["mse_test"] == pytest.approx(float(np.mean((test["y"] - predicted) ** 2)), rel=1e-9)


def test_saved_model_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"x": rng.normal(size=40), "c": rng.choice(["a", "b"], 40)})
    df["y"] = df["x"] + (df["c"] == "b")
    model = ClassicLinearRegression(target="y").fit(df)
    model.save(tmp_path)
    saved = load_model(tmp_path)
    new = pd.DataFrame({"x": [0.5, 1.0], "c": ["b", "never seen"]})
    np.testing.assert_allclose(saved.predict(new)["prediction"], model.predict(new)["prediction"])
    # an unseen category encodes like the reference category "a"
    assert saved.predict(new)["prediction"].iloc[1] == pytest.approx(
        saved.predict(pd.DataFrame({"x": [1.0], "c": ["a"]}))["prediction"].iloc[0])


def test_png_images_beside_the_interactive_plots(run, tmp_path, write_csv):
    import shutil

    if shutil.which("chromium") is None and not __import__("os").path.exists("/usr/bin/chromium"):
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
    df["y"] = 1.5 * df["x"] - df["z"] + rng.normal(scale=0.1, size=60)
    out = tmp_path / "out"
    code, _, err = run("model", "linear", "--data", write_csv(tmp_path / "t.csv", df), "--target", "y",
                       "--output-dir", out, "--png")
    assert code == 0, err
    for name in ("residuals", "actual_vs_predicted"):
        assert (out / f"{name}.html").is_file()
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
