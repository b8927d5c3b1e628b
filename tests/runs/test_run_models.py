"""The forecast's LightGBM booster and the segments' k-means are kept with their runs in the model registry,
read back through the checksummed path, and refused once a file was changed."""

from __future__ import annotations

import re

import lightgbm
import numpy as np
import pytest

from shopmine.customers.clusters import BehaviourClusters, assign_clusters
from shopmine.errors import ShopmineInputError
from shopmine.runs import load_run

RUN = re.compile(r"saved run: ([0-9]{8}T[0-9]{6}Z-[0-9a-f]+)")


def _saved(cli, ws, *args):
    code, out, err = cli(*args)
    assert code == 0, err
    run = load_run(ws, RUN.search(out).group(1))
    return run, {m["key"]: m for m in run.metadata["models"]}


def test_the_forecast_keeps_its_lightgbm_booster_in_text_format(cli, ws):
    run, models = _saved(cli, ws, "forecast", "--model", "lgbm", "--top", "8", "--backtest", "1")
    ref = models["lgbm"]
    assert (ref["name"], ref["version"], ref["format"]) == ("forecast-lgbm", 1, "lightgbm-booster")
    booster, version = ws.registry().load(ref["name"], ref["version"])
    assert isinstance(booster, lightgbm.Booster) and version.metadata["run_id"] == run.run_id
    assert version.path.name == "model.txt" and version.path.read_text().startswith("tree\n")
    # The very booster the run explained: its gains are the run's saved importance table.
    importance = run.result.tables["lgbm_importance"].set_index("feature")
    gains = dict(zip(booster.feature_name(), booster.feature_importance("gain")))
    assert gains == pytest.approx(importance["gain"].to_dict())


def test_the_segments_keep_their_kmeans_as_arrays_that_reassign_every_customer(cli, ws):
    run, models = _saved(cli, ws, "segment", "--k", "4", "--seed", "3")
    ref = models["kmeans"]
    assert (ref["name"], ref["format"]) == ("segments-kmeans", "json")
    saved, version = ws.registry().load(ref["name"], ref["version"])
    assert version.metadata["run_id"] == run.run_id
    assert saved["k"] == 4 and np.asarray(saved["centres"]).shape == (4, len(saved["features"]))
    # Read back alone, the arrays put every customer of the run in the cluster the run gave them.
    features = run.result.tables["behaviour_features"]
    inputs, _ = BehaviourClusters().inputs(features)
    assert (assign_clusters(saved, inputs) == features["cluster"].to_numpy()).all()


@pytest.mark.parametrize(("args", "file"), [
    (("forecast", "--model", "lgbm", "--top", "8", "--backtest", "1"), "model.txt"),
    (("segment", "--k", "3"), "model.json"),
])
def test_a_changed_model_file_is_refused(cli, ws, args, file):
    _, models = _saved(cli, ws, *args)
    [ref] = models.values()
    path = ws.models_dir / ref["name"] / f"v{ref['version']}" / file
    path.write_text(path.read_text().replace("1", "2", 1))
    with pytest.raises(ShopmineInputError, match=rf"refusing to load .*{file}: it does not match the checksum"):
        ws.registry().load(ref["name"], ref["version"])
