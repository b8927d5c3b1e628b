"""Per-run output folders: files, contents, and all-or-nothing replacement."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.report import write_result_folder
from shopmine.report.pages import packed_plotlyjs
from shopmine.result import AnalysisResult

XSS = "<script>alert(1)</script>"


def test_folder_holds_page_metrics_tables_and_figures(tmp_path, sales_result, customers_result):
    out = tmp_path / "runs" / "customers"
    files = write_result_folder(customers_result, out)
    expected = {
        "index.html",
        "metrics.json",
        "customers.csv",
        "segments.csv",
        "orders_hist.html",
        "segments.html",
    }
    assert set(files) == expected
    assert {p.name for p in out.iterdir()} == expected  # nothing else, no PNGs by default
    assert all(files[name] == out / name and files[name].is_file() for name in expected)
    # nothing left beside the folder either
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["customers"]


def test_metrics_json_equals_the_metrics(tmp_path, sales_result):
    sales_result.metrics["best_model"] = "lightgbm"
    sales_result.metrics["n_series"] = np.int64(2)  # numpy scalars become plain numbers
    sales_result.metrics["backtest_mae"] = float("nan")  # NaN becomes null
    files = write_result_folder(sales_result, tmp_path / "sales")
    assert json.loads(files["metrics.json"].read_text(encoding="utf-8")) == {
        "orders": 12345,
        "revenue": 1234567.891,
        "repeat_customer_share": 0.4321,
        "holdout": {"rmse": 12.3456, "hit_rate": 0.6},
        "best_model": "lightgbm",
        "n_series": 2,
        "backtest_mae": None,
    }


def test_csv_rows_match_the_tables(tmp_path, customers_result, customers_frame):
    files = write_result_folder(customers_result, tmp_path / "c")
    back = pd.read_csv(files["customers.csv"])
    pd.testing.assert_frame_equal(back, customers_frame)
    assert back.loc[0, "customer_id"] == XSS  # CSV holds the raw value, unescaped
    segments = pd.read_csv(files["segments.csv"])
    assert segments.to_dict("list") == {
        "segment": ["loyal", "new", "lost"],
        "customers": [1200, 2000, 1172],
    }


def test_csv_keeps_a_meaningful_index(tmp_path):
    table = pd.DataFrame(
        {"units": [3, 5]}, index=pd.DatetimeIndex(["2024-01-01", "2024-01-02"], name="ds")
    )
    result = AnalysisResult(name="daily", title="Daily", tables={"units": table})
    files = write_result_folder(result, tmp_path / "d")
    lines = files["units.csv"].read_text().splitlines()
    assert lines == ["ds,units", "2024-01-01,3", "2024-01-02,5"]


def test_index_and_figure_pages_are_self_contained(tmp_path, sales_result):
    files = write_result_folder(sales_result, tmp_path / "s")
    bundle = packed_plotlyjs({"bar", "scatter"})  # plotly.js as the pages carry it: the cartesian bundle, packed
    index = files["index.html"].read_text(encoding="utf-8")
    assert '<section class="result" id="sales">' in index
    assert "<title>Sales overview</title>" in index
    assert '<tr><th scope="row">orders</th><td>12,345</td></tr>' in index
    assert index.count(bundle) == 1
    for name in ("revenue_by_category.html", "price_vs_units.html"):
        page = files[name].read_text(encoding="utf-8")
        assert page.count(bundle) == 1
        assert page.count('class="plotly-graph-div"') == 1
        rest = page.replace(bundle, "")
        assert "http://" not in rest and "https://" not in rest
        assert '"showSendToCloud": false' in rest


def test_folder_is_replaced_whole(tmp_path, sales_result):
    out = tmp_path / "sales"
    out.mkdir()
    (out / "stale.csv").write_text("old run\n")
    write_result_folder(sales_result, out)
    assert not (out / "stale.csv").exists()
    assert (out / "daily.csv").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["sales"]


def test_failed_run_leaves_previous_folder_unchanged(tmp_path, sales_result):
    out = tmp_path / "sales"
    write_result_folder(sales_result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    sales_result.figures["broken"] = object()  # fails after the page and tables were written
    message = "Figure 'broken' of result 'sales' cannot be rendered"
    with pytest.raises(ShopmineRunError, match=message):
        write_result_folder(sales_result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["sales"]


def test_failed_first_run_creates_no_folder(tmp_path, sales_result):
    sales_result.figures["broken"] = object()
    with pytest.raises(ShopmineRunError):
        write_result_folder(sales_result, tmp_path / "sales")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("tables", "figures", "taken"),
    [
        ({}, {"index": {"data": []}}, "index.html"),
        ({"a b": pd.DataFrame(), "a/b": pd.DataFrame()}, {}, "a_b.csv"),
    ],
)
def test_clashing_file_names_are_refused(tmp_path, tables, figures, taken):
    result = AnalysisResult(name="r", title="R", tables=tables, figures=figures)
    message = f"would be written as '{taken}', which is already taken"
    with pytest.raises(ShopmineInputError, match=message):
        write_result_folder(result, tmp_path / "r")
    assert list(tmp_path.iterdir()) == []


def test_png_export_failure_raises_run_error(tmp_path, sales_result, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    message = "PNG export of the figures of result 'sales' failed"
    with pytest.raises(ShopmineRunError, match=message):
        write_result_folder(sales_result, tmp_path / "sales", png=True)
    assert list(tmp_path.iterdir()) == []
