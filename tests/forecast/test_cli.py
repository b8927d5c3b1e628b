"""``shopmine forecast`` driven in-process: workspace panel, --data table, bad input."""

import json

import pandas as pd


def test_forecast_on_the_demo_workspace(demo_workspace, run, tmp_path):
    out, metrics = tmp_path / "f.csv", tmp_path / "m.json"
    code, stdout, stderr = run("--workspace", demo_workspace, "forecast", "--level", "category", "--freq", "D",
                               "--horizon", "7", "--backtest", "2", "--output", out, "--metrics-output", metrics,
                               "--output-dir", tmp_path / "run")
    assert code == 0, stderr
    frame = pd.read_csv(out)
    assert frame.groupby("unique_id").size().eq(7).all()
    assert frame["model"].nunique() == 1
    scores = json.loads(metrics.read_text())
    assert set(scores) == {"naive", "seasonal_naive", "window_average", "ets", "linear", "lgbm", "auto"}
    assert set(scores["auto"]) == {"mae", "rmse", "wape", "mase", "rmsse", "coverage_80", "coverage_95"}
    assert (tmp_path / "run" / "index.html").exists()


def test_revenue_forecast_is_printed_in_the_shops_currency(demo_workspace, run, tmp_path):
    from shopmine.currency import format_amount

    out = tmp_path / "f.csv"
    code, stdout, stderr = run("--workspace", demo_workspace, "forecast", "--level", "total", "--horizon", "7",
                               "--backtest", "1", "--model", "window_average", "--measure", "revenue",
                               "--output", out)
    assert code == 0, stderr
    # The outlook's "next 7" is the sum of the 7 forecast days, in euros (the simulated shop's currency).
    assert format_amount(pd.read_csv(out)["forecast"].sum(), "EUR") in stdout


def test_forecast_one_model_on_a_data_table_with_future_drivers(weekly_table, run, tmp_path):
    history = weekly_table[weekly_table["week"] < "2022-06-20"]
    future = weekly_table[weekly_table["week"] >= "2022-06-20"].drop(columns="sales").groupby("store").head(4)
    history.to_csv(tmp_path / "h.csv", index=False)
    future.to_csv(tmp_path / "fut.csv", index=False)
    out = tmp_path / "f.csv"
    code, stdout, stderr = run("forecast", "--data", tmp_path / "h.csv", "--id-col", "store", "--time-col", "week",
                               "--target-col", "sales", "--freq", "W", "--season-length", "4", "--horizon", "4",
                               "--model", "linear", "--future", tmp_path / "fut.csv", "--output", out)
    assert code == 0, stderr
    frame = pd.read_csv(out)
    assert set(frame["model"]) == {"linear"} and len(frame) == 12
    assert pd.to_datetime(frame["ds"]).dt.weekday.eq(0).all()


def test_bad_options_exit_2_naming_the_option(weekly_table, run, tmp_path):
    weekly_table.to_csv(tmp_path / "t.csv", index=False)
    code, _, stderr = run("forecast", "--data", tmp_path / "t.csv", "--time-col", "week", "--target-col", "sales",
                          "--id-col", "store", "--freq", "Q")
    assert code == 2 and "--freq" in stderr
    code, _, stderr = run("forecast", "--data", tmp_path / "t.csv", "--time-col", "week", "--target-col", "nope",
                          "--id-col", "store", "--freq", "W")
    assert code == 2 and "--target-col" in stderr
    code, _, stderr = run("forecast", "--data", tmp_path / "t.csv", "--time-col", "week", "--target-col", "sales",
                          "--id-col", "store", "--freq", "W", "--model", "magic", "--season-length", "4")
    assert code == 2 and "--model" in stderr


def test_the_workspace_report_has_a_forecast_section(demo_workspace):
    from shopmine.shop import Shop

    html = (demo_workspace.parent / "report.html").read_text()
    # The report's forecast is the command's: every series, in units (one set of defaults, Shop.forecast).
    assert '<section class="result" id="forecast">' in html and "Sales forecast (product, units)" in html
    result = Shop(demo_workspace).forecast(top=4, horizon=7, model="window_average")
    assert result.tables["forecasts"]["unique_id"].nunique() == 4
    assert "backtest_error" in result.figures
    assert sum(f.startswith("forecast_") for f in result.figures) == 3  # history + forecast + intervals
