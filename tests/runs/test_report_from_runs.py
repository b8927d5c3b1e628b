"""``shopmine report`` shows the latest saved runs without recomputing them; stale and never-run notices."""

from __future__ import annotations

import html

import pandas as pd
import pytest

import shopmine.shop
from shopmine.errors import ShopmineInputError
from shopmine.ingest.batches import list_batches
from shopmine.result import to_jsonable
from shopmine.runs import latest_run, list_runs

ANALYSIS_FUNCTIONS = [("shopmine.shop.Shop", name) for name in ("forecast", "segments", "classify", "clv", "quality",
                                                              "overview_results")] + [
    ("shopmine.forecast", "run_forecast"), ("shopmine.forecast.run", "run_forecast"),
    ("shopmine.customers", "segment_customers"), ("shopmine.customers.classify", "classify"),
    ("shopmine.customers.clv", "customer_lifetime_value"), ("shopmine.customers.clv.analysis",
                                                            "customer_lifetime_value"),
    ("shopmine.shop", "quality_report"), ("shopmine.quality.report", "quality_report"),
    ("shopmine.shop", "sales_panel_result"), ("shopmine.shop", "customer_summary_result"),
    ("shopmine.overviews", "sales_panel_result"), ("shopmine.overviews", "customer_summary_result"),
    ("shopmine.shop", "glance_result"), ("shopmine.glance", "glance_result")]


@pytest.fixture
def rendered(monkeypatch):
    """The results the report renders, in order (captured on their way to the renderer)."""
    seen = []
    real = shopmine.shop.render_report

    def capture(results, *args, **kwargs):
        seen.extend(results)
        return real(results, *args, **kwargs)

    monkeypatch.setattr(shopmine.shop, "render_report", capture)
    return seen


def _no_analysis(monkeypatch):
    import importlib

    def refuse(*args, **kwargs):
        raise AssertionError("the report recomputed an analysis")

    for module, name in ANALYSIS_FUNCTIONS:
        owner = importlib.import_module(module) if not module.endswith(".Shop") else shopmine.shop.Shop
        monkeypatch.setattr(owner, name, refuse)


def _section(results, name):
    return next(r for r in results if r.name == name)


def test_the_report_forecast_is_the_forecast_command_output_and_nothing_is_recomputed(cli, ws, tmp_path,
                                                                                        rendered, monkeypatch):
    written = tmp_path / "forecast.parquet"
    code, out, err = cli("forecast", "--top", "3", "--model", "window_average", "--horizon", "7", "--backtest", "1",
                         "--output", written)
    assert code == 0, err
    code, out, err = cli("quality")
    assert code == 0 and "saved run: " in out, err
    # The first report computes the overviews once and saves them for the data loaded now.
    code, out, err = cli("report", "--output", tmp_path / "first.html")
    assert code == 0, err
    overviews = {e.analysis: e.run_id for e in list_runs(ws) if e.analysis.endswith("_overview")
                 or e.analysis == "glance"}
    assert sorted(overviews) == ["customer_overview", "glance", "sales_overview"]
    first = {r.name: r for r in rendered}
    rendered.clear()
    _no_analysis(monkeypatch)
    code, out, err = cli("report", "--output", tmp_path / "r.html")
    assert code == 0, err
    forecast = _section(rendered, "forecast")
    pd.testing.assert_frame_equal(forecast.tables["forecasts"], pd.read_parquet(written))
    saved = latest_run(ws, "forecast")
    assert forecast.run_id == saved.run_id
    assert saved.metadata["parameters"]["top"] == 3 and saved.metadata["command"] == "shopmine forecast"
    page = html.unescape((tmp_path / "r.html").read_text())
    assert f"Saved run {saved.run_id} (shopmine forecast" in page
    first_row = pd.read_parquet(written).iloc[0]
    assert str(first_row["unique_id"]) in page
    # Quality and the overviews are read from their runs, the same as when they were computed.
    assert _section(rendered, "quality").run_id == latest_run(ws, "quality").run_id
    for name, analysis in (("glance", "glance"), ("sales_panel_w", "sales_overview"),
                           ("customer_summary", "customer_overview")):
        section = _section(rendered, name)
        assert section.run_id == overviews[analysis]
        assert section.summary == first[name].summary and section.metrics == to_jsonable(first[name].metrics)
        for table, frame in first[name].tables.items():
            # Parquet keeps datetimes in ms at least (a datetime64[s] column comes back as [ms]).
            pd.testing.assert_frame_equal(section.tables[table], frame, check_dtype=False)
    assert [r.name for r in rendered] == ["glance", "quality", "sales_panel_w", "customer_summary", "forecast", "segments",
                                          "classify", "clv", "recommend_evaluation", "price", "risk",
                                          "risk_monitor"]
    # the others were never run: each section names its command
    for name, command in (("segments", "segment"), ("classify", "classify"), ("clv", "clv"), ("price", "price"),
                          ("recommend_evaluation", "recommend --evaluate")):
        assert _section(rendered, name).summary.startswith(f"Not run yet: run `shopmine {command}`")
    assert "Not run yet: run `shopmine clv` (or refresh the report)" in page


def test_a_run_older_than_the_last_ingest_says_so(cli, ws, shop_files, tmp_path, rendered):
    code, out, err = cli("segment", "--k", "3")
    assert code == 0, err
    run_id = list_runs(ws)[0].run_id
    code, out, err = cli("quality")
    assert code == 0, err
    code, out, err = cli("report", "--output", tmp_path / "before.html")
    assert code == 0 and "Out of date" not in _section(rendered, "segments").summary
    assert "Out of date" not in _section(rendered, "quality").summary
    before = {r.name: r for r in rendered}
    code, out, err = cli("ingest", shop_files["later"])
    assert code == 0, err
    ws.close()
    new_batch = list_batches(ws.warehouse(read_only=True))["batch_id"].iloc[-1]
    code, out, err = cli("runs", "list")
    assert code == 0 and next(line for line in out.splitlines() if run_id in line).rstrip(" │").endswith("yes")
    rendered.clear()
    code, out, err = cli("report", "--output", tmp_path / "after.html")
    assert code == 0, err
    summary = _section(rendered, "segments").summary
    assert (f"Out of date: this run predates the last ingest (batches since: {new_batch}). Run `shopmine segment` "
            f"again, or refresh the report.") in summary
    assert (f"Out of date: this run predates the last ingest (batches since: {new_batch}). Run `shopmine quality` "
            f"again, or refresh the report.") in _section(rendered, "quality").summary
    # The overviews follow the data: computed again for the new batch, not shown stale.
    after = _section(rendered, "customer_summary")
    assert after.run_id != before["customer_summary"].run_id
    assert after.metrics["customers"] > before["customer_summary"].metrics["customers"]
    assert "Out of date" in html.unescape((tmp_path / "after.html").read_text())


def test_refresh_runs_the_analyses_again_and_saves_them(cli, ws, tmp_path, rendered, monkeypatch):
    def too_small(self, *args, **kwargs):
        raise ShopmineInputError("too few orders for this test")

    for name in ("forecast", "classify", "clv"):
        monkeypatch.setattr(shopmine.shop.Shop, name, too_small)
    code, out, err = cli("report", "--refresh", "--output", tmp_path / "r.html")
    assert code == 0, err
    # the recommendation evaluation too: without an as-of date it tests on the log's last 30 days
    assert sorted(e.analysis for e in list_runs(ws)) == ["customer_overview", "glance", "price", "quality",
                                                        "recommend_evaluation", "sales_overview", "segments"]
    segments = _section(rendered, "segments")
    assert segments.run_id == latest_run(ws, "segments").run_id and "Not run yet" not in segments.summary
    assert _section(rendered, "clv").summary == "Not computed: too few orders for this test"
    # Refreshed again: the overviews are computed again (and saved) even though the data did not change.
    overviews = [e.run_id for e in list_runs(ws) if e.analysis == "sales_overview"]
    code, out, err = cli("report", "--refresh", "--output", tmp_path / "r.html")
    assert code == 0, err
    assert len([e for e in list_runs(ws) if e.analysis == "sales_overview"]) == len(overviews) + 1


def test_quality_never_run_says_which_command_runs_it(cli, tmp_path, rendered):
    code, out, err = cli("report", "--output", tmp_path / "r.html")
    assert code == 0, err
    assert _section(rendered, "quality").summary.startswith("Not run yet: run `shopmine quality`")


def test_a_risk_model_of_a_table_the_user_brought_is_never_out_of_date(cli, ws, shop_files, tmp_path, rendered):
    # The model read a loans file, not the workspace's orders: it has no as-of date, and an ingest after
    # it changes nothing it computed, so neither `runs list` nor the report calls it stale.
    from risk.synthetic import loans

    loans(600, seed=2).to_csv(tmp_path / "loans.csv", index=False)
    code, out, err = cli("risk", "train", "--data", tmp_path / "loans.csv", "--target", "default", "--id", "loan_id",
                         "--folds", "2")
    assert code == 0, err
    run_id = list_runs(ws, "risk")[0].run_id
    assert latest_run(ws, "risk").metadata["as_of"] is None
    code, out, err = cli("ingest", shop_files["later"])
    assert code == 0, err
    code, out, err = cli("runs", "list")
    row = next(line for line in out.splitlines() if run_id in line)
    assert code == 0 and "none (own table)" in row and row.rstrip(" │").endswith("no")
    code, out, err = cli("runs", "show", run_id)
    assert code == 0 and "  stale: no" in out
    code, out, err = cli("report", "--output", tmp_path / "report.html")
    assert code == 0, err
    summary = _section(rendered, "risk").summary
    assert "Out of date" not in summary and "refresh" not in summary
    assert f"Saved run {run_id} (shopmine risk train, finished " in summary
    assert "UTC, on a table given to it, no as-of date; parameters: " in summary
