"""Issue 10, item 4: ids a spreadsheet would run as formulas are neutralised in CSV outputs.

OWASP's advice for CSV injection: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or tab,
carriage return) gets a leading ``'``. Parquet and JSON are not spreadsheets and keep the raw
value; numbers stay numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import run_cli
from .payloads import FORMULAS

NEUTRALISED = ["'" + f for f in FORMULAS]  # "'=HYPERLINK(...)", "'@SUM(1)", "'+1", "'-1+2"


def column_values(path: Path, column: str) -> set[str]:
    """The values of ``column`` as the file holds them (no type guessing)."""
    if path.suffix == ".csv":
        return set(pd.read_csv(path, dtype=str, keep_default_na=False)[column])
    if path.suffix == ".parquet":
        return set(pd.read_parquet(path)[column].astype(str))
    return {str(row[column]) for row in json.loads(path.read_text(encoding="utf-8"))}


def assert_formulas(path: Path, column: str) -> None:
    values = column_values(path, column)
    if path.suffix == ".csv":
        assert set(NEUTRALISED) <= values
        assert not values & set(FORMULAS)
        assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    else:
        assert set(FORMULAS) <= values
        assert not values & set(NEUTRALISED)


SUFFIXES = ["csv", "parquet", "json"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_features_customers_output(payload_shop, tmp_path, suffix):
    out = tmp_path / f"customers.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "features", "customers", "--output", out) == 0
    assert_formulas(out, "customer_id")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_features_panel_output(payload_shop, tmp_path, suffix):
    out = tmp_path / f"panel.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "features", "panel", "--output", out) == 0
    assert_formulas(out, "unique_id")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_segment_output(payload_shop, tmp_path, suffix):
    out = tmp_path / f"segments.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "segment", "--output", out) == 0
    assert_formulas(out, "customer_id")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_clv_output(payload_shop, tmp_path, suffix):
    out = tmp_path / f"clv.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "clv", "--output", out) == 0
    assert_formulas(out, "customer_id")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_forecast_output(payload_shop, tmp_path, suffix):
    # The four formula products are the best sellers after the script one: --top 5 has them.
    out = tmp_path / f"forecast.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "forecast", "--top", "5", "--model",
                   "window_average", "--backtest", "1", "--horizon", "7", "--output", out) == 0
    assert_formulas(out, "unique_id")
    if suffix == "csv":
        # Numbers stay numbers: the forecast column reads back as floats, none prefixed.
        assert pd.read_csv(out)["forecast"].dtype == np.float64


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_formula_file_names_in_quality_quarantine_export(tmp_path, monkeypatch, suffix):
    # The quarantine export names each row's file as given on the command line; a file named
    # like a formula puts the formula at the start of a cell.
    monkeypatch.chdir(tmp_path)
    names = ["=SUM(1).csv", "@SUM(1).csv", "+1.csv", "-1+2.csv"]
    for i, name in enumerate(names):
        # Different order ids: a file whose content was loaded before is skipped.
        (tmp_path / name).write_text(
            "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
            f"o{i}a,c1,p1,2024-01-01 10:00:00,2,3.0\n"
            f'o{i}b,c1,p2,2024-01-02 10:00:00,"=HYPERLINK(""http://x"",""y"")",3.0\n')
    # "--" ends the options, so "-1+2.csv" is a file name.
    assert run_cli("--workspace", "ws", "ingest", "--", *names) == 0
    out = tmp_path / f"quarantine.{suffix}"
    assert run_cli("--workspace", "ws", "quality", "--output", out) == 0
    values = column_values(out, "source_file")
    if suffix == "csv":
        assert values == {"'" + n for n in names}
    else:
        assert values == set(names)
    # The detail starts with the column name, so it is left as it was.
    details = column_values(out, "detail")
    assert details == {"""quantity '=HYPERLINK("http://x","y")'"""}


def test_formula_column_names_and_ids_in_classic_model_tables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    table = pd.DataFrame({name: rng.uniform(0, 10, 80) for name in FORMULAS})
    table["sales"] = table.sum(axis=1) + rng.normal(0, 1, 80)
    table["kind"] = rng.choice(FORMULAS, 80)
    table.to_csv("table.csv", index=False)
    assert run_cli("model", "linear", "--data", "table.csv", "--target", "sales", "--output-dir", "run") == 0
    # The run folder's tables: one row per feature, named after the columns.
    assert set(NEUTRALISED) <= column_values(tmp_path / "run" / "correlations.csv", "feature")
    assert set(NEUTRALISED) <= column_values(tmp_path / "run" / "coefficients.csv", "term")
    for suffix in SUFFIXES:
        out = tmp_path / f"predictions.{suffix}"
        assert run_cli("model", "predict", "--model", "run", "--data", "table.csv", "--output", out) == 0
        if suffix == "csv":
            frame = pd.read_csv(out, dtype=str, keep_default_na=False)
            assert list(frame.columns[:4]) == NEUTRALISED  # header cells too
            assert set(frame["kind"]) == set(NEUTRALISED)
            assert pd.read_csv(out)["prediction"].dtype == np.float64
        else:
            assert set(FORMULAS) <= set(pd.read_parquet(out).columns if suffix == "parquet"
                                        else json.loads(out.read_text())[0])
            assert column_values(out, "kind") == set(FORMULAS)


def test_neutralise_formulas_changes_text_only():
    # Imported here so that the command tests above also run (and fail) on code without it.
    from shopmine.report.csv_output import neutralise_formulas

    frame = pd.DataFrame({
        "id": ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2", "\tx", "\rx", "ok", None],
        "amount": [-3.5, 1.0, -2.0, 0.0, 1.5, 2.5, 3.5, np.nan],
        "label": pd.Categorical(["-3.5", "a", "a", "a", "a", "a", "=1", "a"]),
        "text": pd.array(["+x", "a", None, "a", "a", "a", "a", "a"], dtype="string"),
    }, index=pd.Index(["=i", "i", "i", "i", "i", "i", "i", "i"], name="@row"))
    out = neutralise_formulas(frame)
    assert out["id"].tolist() == ["'=HYPERLINK(\"http://x\",\"y\")", "'@SUM(1)", "'+1", "'-1+2", "'\tx",
                                  "'\rx", "ok", None]
    # -3.5 in a float column is a number, not a formula: same values, same dtype.
    assert out["amount"].dtype == np.float64
    assert np.array_equal(out["amount"].to_numpy(), frame["amount"].to_numpy(), equal_nan=True)
    # The same text in a text column is neutralised.
    assert out["label"].tolist()[:1] == ["'-3.5"] and out["label"].tolist()[6] == "'=1"
    assert out["text"].tolist()[0] == "'+x" and pd.isna(out["text"].tolist()[2])
    assert out.index.tolist()[0] == "'=i" and out.index.name == "'@row"
    assert frame["id"].iloc[0] == '=HYPERLINK("http://x","y")'  # the input is not changed


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_formula_ids_in_price_output(payload_shop, tmp_path, suffix):
    out = tmp_path / f"prices.{suffix}"
    assert run_cli("--workspace", payload_shop.workspace, "price", "--output", out) == 0
    assert_formulas(out, "product_id")
