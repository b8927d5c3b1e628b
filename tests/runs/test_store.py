"""Saving and reading runs: the round trip, atomicity, leftovers of dead processes, tampering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import pandas as pd
import plotly.graph_objects as go
import pytest

from shopmine.ingest.batches import list_batches
from shopmine.result import AnalysisResult
from shopmine.runs import RunIntegrityError, latest_run, list_runs, load_run, save_run
from shopmine.runs import layout
from shopmine.runs.ids import new_run_id

STARTED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _result() -> AnalysisResult:
    confusion = pd.DataFrame([[5, 1], [2, 7]], index=pd.Index(["no", "yes"], name="actual"), columns=["no", "yes"])
    forecasts = pd.DataFrame({"unique_id": ["p1", "p1", "p2"], "ds": pd.to_datetime(["2024-01-01", "2024-01-02",
                                                                                      "2024-01-01"]),
                              "y": [1.5, 2.0, float("nan")], "n": pd.array([1, None, 3], dtype="Int64")})
    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[3.0, 1.0, 2.0], name="<b>P1</b>"), layout={"title": {"text": "T"}})
    return AnalysisResult(name="demo", title="Demo analysis", summary="Two tables.\n\nOne figure.",
                          tables={"forecasts": forecasts, "confusion": confusion},
                          metrics={"mae": 0.25, "as_of": pd.Timestamp("2024-01-03"), "nested": {"a": [1, 2]}},
                          figures={"line": figure}, models={"params": {"alpha": 0.5, "beta": [1, 2]}})


def _save(ws, result=None, analysis="demo", started=STARTED) -> str:
    return save_run(ws, result or _result(), analysis=analysis, parameters={"k": 3, "path": None},
                    as_of="2024-01-03", started=started)


def test_round_trip_keeps_tables_metrics_figures_and_records_the_run(ws):
    original = _result()
    run_id = _save(ws, original)
    assert original.run_id == run_id and run_id.startswith("20260102T030405Z-")
    saved = load_run(ws, run_id)
    for name, table in original.tables.items():
        pd.testing.assert_frame_equal(saved.result.tables[name], table)
    assert saved.result.metrics == {"mae": 0.25, "as_of": "2024-01-03T00:00:00", "nested": {"a": [1, 2]}}
    assert saved.result.figures["line"].data[0].y == (3.0, 1.0, 2.0)
    assert saved.result.figures["line"].data[0].name == "<b>P1</b>"
    assert (saved.result.name, saved.result.title, saved.result.run_id) == ("demo", "Demo analysis", run_id)
    meta = saved.metadata
    assert meta["status"] == "complete" and meta["analysis"] == "demo" and meta["as_of"] == "2024-01-03"
    assert meta["parameters"] == {"k": 3, "path": None}
    assert meta["rows"] == {"forecasts": 3, "confusion": 2}
    assert meta["batches"] == list(list_batches(ws.warehouse(read_only=True))["batch_id"]) and meta["batches"]
    assert meta["engine"] == "duckdb" and meta["library_versions"]["pandas"] == pd.__version__
    assert meta["started_at"] == "2026-01-02T03:04:05+00:00" and meta["duration_seconds"] > 0
    assert sorted(meta["files"]) == ["figures/line.json", "metrics.json", "tables/confusion.parquet",
                                     "tables/forecasts.parquet"]
    # the fitted model went to the registry, referenced by name and version, and names the run
    assert meta["models"] == [{"key": "params", "name": "demo-params", "version": 1, "format": "json"}]
    model, version = ws.registry().load("demo-params", 1)
    assert model == {"alpha": 0.5, "beta": [1, 2]} and version.metadata["run_id"] == run_id


def test_latest_run_is_the_last_started(ws):
    assert latest_run(ws, "demo") is None
    first = _save(ws, started=STARTED)
    second = _save(ws, started=STARTED.replace(hour=5))
    assert [e.run_id for e in list_runs(ws)] == [first, second]
    assert latest_run(ws, "demo").run_id == second


def test_a_failed_save_leaves_nothing(ws, monkeypatch):
    import shopmine.runs.save as save_module

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(save_module, "save_models", broken)
    with pytest.raises(OSError, match="disk full"):
        _save(ws)
    assert list_runs(ws) == [] and os.listdir(layout.analysis_dir(ws, "demo")) == []


def test_a_save_failing_after_its_models_were_published_deletes_them(ws, monkeypatch):
    import shopmine.runs.save as save_module

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(save_module, "sign_record", broken)  # after save_models, before the rename
    with pytest.raises(OSError, match="disk full"):
        _save(ws)
    assert list_runs(ws) == [] and ws.registry().names() == []
    assert not (ws.models_dir / "demo-params").exists()


def test_an_orphan_is_removed_only_once_no_live_save_and_no_run_can_claim_it(ws):
    from shopmine.runs import remove_orphan_models

    registry = ws.registry()
    saving, gone = new_run_id(), new_run_id()
    kept = _save(ws)  # a saved run's version (demo-params v1) stays
    for run_id in (saving, gone):
        registry.save("demo-params", {"alpha": 1.0}, metadata={"run_id": run_id, "analysis": "demo"})
    registry.save("by-hand", {"alpha": 1.0})  # not saved with a run: never touched
    # A live process (this one) is still writing run ``saving``: its hidden folder is there.
    hidden = layout.temp_dir(ws, "demo", saving)
    hidden.mkdir()
    assert remove_orphan_models(ws) == [{"name": "demo-params", "version": 3, "run_id": gone}]
    assert [v.metadata["run_id"] for v in registry.versions("demo-params")] == [kept, saving]
    hidden.rmdir()  # that save failed without cleaning up: its version is an orphan now
    assert remove_orphan_models(ws) == [{"name": "demo-params", "version": 2, "run_id": saving}]
    assert [v.version for v in registry.versions("demo-params")] == [1] and registry.names() == ["by-hand",
                                                                                                 "demo-params"]


def test_names_from_the_data_make_safe_distinct_file_names(ws):
    result = _result()
    result.tables["../escape"] = result.tables.pop("confusion")
    result.figures["forecast_fashion/women"] = result.figures["line"]
    result.figures["forecast_fashion women"] = result.figures.pop("line")
    run_id = _save(ws, result)
    saved = load_run(ws, run_id)
    assert sorted(saved.metadata["files"]) == ["figures/forecast_fashion_women-2.json",
                                               "figures/forecast_fashion_women.json", "metrics.json",
                                               "tables/escape.parquet", "tables/forecasts.parquet"]
    assert list(saved.result.figures) == ["forecast_fashion/women", "forecast_fashion women"]
    pd.testing.assert_frame_equal(saved.result.tables["../escape"], _result().tables["confusion"])


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_leftovers_of_dead_or_old_saves_are_ignored_then_removed(ws):
    folder = layout.analysis_dir(ws, "demo")
    folder.mkdir(parents=True)
    dead = folder / f".tmp-{new_run_id()}-{_dead_pid()}"
    live = folder / f".tmp-{new_run_id()}-{os.getppid()}"
    old = folder / f".del-{new_run_id()}-{os.getppid()}"
    for leftover in (dead, live, old):
        (leftover / "tables").mkdir(parents=True)
        (leftover / layout.METADATA_FILE).write_text("{}")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert list_runs(ws) == [] and latest_run(ws, "demo") is None
    run_id = _save(ws)
    assert sorted(p.name for p in folder.iterdir()) == sorted([run_id, live.name])


def _tamper_parquet(path):
    frame = pd.read_parquet(path)
    frame.loc[0, "y"] = 1000.0
    frame.to_parquet(path)


@pytest.mark.parametrize(("file", "tamper", "message"), [
    ("tables/forecasts.parquet", _tamper_parquet, "tables/forecasts.parquet was changed after the run was saved"),
    ("metrics.json", lambda p: p.write_text('{"mae": 0.01}'), "metrics.json was changed after the run was saved"),
    ("figures/line.json", lambda p: p.unlink(), "figures/line.json is missing"),
    ("metadata.json", lambda p: p.write_text(p.read_text().replace('"k": 3', '"k": 4')),
     "metadata.json does not verify with the signing key of the workspace .*: it was modified after the run"),
])
def test_a_changed_file_is_refused_naming_the_run_and_the_file(ws, file, tamper, message):
    run_id = _save(ws)
    tamper(layout.analysis_dir(ws, "demo") / run_id / file)
    with pytest.raises(RunIntegrityError, match=f"saved run {run_id}: .*{message}"):
        load_run(ws, run_id)
    with pytest.raises(RunIntegrityError, match=f"saved run {run_id}"):
        latest_run(ws, "demo")


def test_a_run_copied_from_another_workspace_is_refused(ws, tmp_path):
    from shopmine.workspace import Workspace

    other = Workspace(tmp_path / "other")
    run_id = save_run(other, AnalysisResult(name="demo", title="x"), analysis="demo", parameters={},
                      as_of="2024-01-01", started=STARTED, batches=[])
    target = layout.analysis_dir(ws, "demo")
    target.mkdir(parents=True)
    os.rename(layout.analysis_dir(other, "demo") / run_id, target / run_id)
    with pytest.raises(RunIntegrityError, match="signed with another key"):
        load_run(ws, run_id)
    assert [(e.run_id, e.metadata) for e in list_runs(ws)] == [(run_id, None)]
    assert "signed with another key" in list_runs(ws)[0].problem


def test_metadata_json_is_plain_json_with_every_checksum(ws):
    run_id = _save(ws)
    record = json.loads((layout.analysis_dir(ws, "demo") / run_id / "metadata.json").read_text())
    assert record["signature"]["algorithm"] == "hmac-sha256" and len(record["signature"]["mac"]) == 64
    assert all(len(sha) == 64 for sha in record["files"].values())
