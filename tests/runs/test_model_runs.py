"""A classic ``shopmine model`` fit given a workspace is kept as a run, with its pipeline in the registry."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from shopmine.runs import list_runs, load_run

RUN = re.compile(r"saved run: ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)")


def test_a_model_fit_in_a_workspace_is_a_saved_run_with_its_pipeline(cli, ws, tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    rows = pd.DataFrame({"x": x, "noise": rng.normal(size=200), "y": np.where(x > 0, "yes", "no")})
    data = tmp_path / "rows.csv"
    rows.to_csv(data, index=False)
    code, out, err = cli("model", "tree", "--data", data, "--target", "y", "--max-depth", "2", "--min-leaf", "5")
    assert code == 0, err
    run_id = RUN.search(out).group(1)
    [entry] = list_runs(ws, "model_tree")
    assert entry.run_id == run_id
    saved = load_run(ws, run_id)
    meta = saved.metadata
    assert meta["command"] == "shopmine model tree" and meta["as_of"] is None
    assert meta["parameters"]["data"] == str(data) and meta["parameters"]["max_depth"] == 2
    # The tree splits on x at 0: the saved metrics are the fit's, read back without refitting.
    assert saved.result.metrics["accuracy_test"] >= 0.95
    [model] = meta["models"]
    assert (model["name"], model["version"]) == ("model_tree-pipeline", 1)
    pipeline, _ = ws.registry().load("model_tree-pipeline", 1)
    assert list(pipeline.predict(pd.DataFrame({"x": [-2.0, 2.0], "noise": [0.0, 0.0]}))) == ["no", "yes"]


def test_a_model_fit_outside_a_workspace_saves_no_run(tmp_path, capsys, monkeypatch):
    from shopmine.cli.app import main

    rows = pd.DataFrame({"x": np.arange(60.0), "y": np.arange(60.0) * 2 + 1})
    rows.to_csv(tmp_path / "rows.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["model", "linear", "--data", "rows.csv", "--target", "y"]) == 0
    assert "saved run" not in capsys.readouterr().out
    assert not (tmp_path / "runs").exists() and not (tmp_path / "shopmine.toml").exists()
