"""The warmer: the latest runs' models are loaded before any request, a new run's as soon as it is saved (the
older one's then dropped), and a request that finds a newer run than the loaded model is answered by the loaded
one and wakes the warmer instead of waiting for the load."""

from __future__ import annotations

import gc
import shutil
import time

import pytest

from api.shop import customer_risk_table
from shopmine.api.models import latest_recommender, latest_risk_model
from shopmine.api.routes.forecasts import latest_forecast
from shopmine.api.saved import SavedRuns
from shopmine.api.warm import Warmer
from shopmine.shop import Shop
from shopmine.workspace import Workspace


@pytest.fixture
def root(tmp_path, template):
    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    return root


def _train_again(root, shop_files) -> str:
    """A new risk training run of the same customer table (another number of folds); its run id."""
    with Shop(Workspace(root, create=False)) as shop:
        table = customer_risk_table(shop.workspace, shop_files["truth_customers"])
        return shop.risk_train(table, target="churned", id_col="customer_id", folds=4).run_id


def test_start_loads_the_latest_models_and_tables_with_no_request_asking(root):
    runs = SavedRuns(Workspace(root, create=False))
    recommend = runs.latest("recommend")["run_id"]
    risk = runs.latest("risk")["run_id"]
    assert runs.built(recommend, "recommender") is None and runs.built(risk, "risk_model") is None
    warmer = Warmer(runs, interval=0.2)
    warmer.start()
    try:
        assert warmer.ready.wait(300)
        assert runs.built(recommend, "recommender") is latest_recommender(runs)[0]
        assert runs.built(risk, "risk_model") is latest_risk_model(runs)[0]
        assert "C000001" in runs.built(recommend, "known_customers")
        product = latest_forecast(runs, "product")["run_id"]
        assert runs.built(product, "forecast_rows:product") and runs.built(product, "history_index:product") is not None
        assert runs.wake is not None
    finally:
        warmer.stop()
    assert runs.wake is None


def test_what_a_load_kept_is_frozen_out_of_the_cycle_collector_once_per_change(root):
    # A full collection walking the loaded runs' objects stopped every request for ~160 ms (the API's p99).
    runs = SavedRuns(Workspace(root, create=False))
    warmer = Warmer(runs, interval=60)
    gc.unfreeze()
    try:
        warmer.warm_and_freeze()
        frozen = gc.get_freeze_count()
        model = latest_risk_model(runs)[0]
        assert frozen > 10_000
        assert not any(o is model for o in gc.get_objects())  # out of every generation the collector walks
        leftover = [object()]  # made after the freeze: walked as usual
        assert any(o is leftover for o in gc.get_objects())
        warmer.warm_and_freeze()  # nothing new loaded: no collection, no second freeze
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_new_run_is_loaded_by_the_warmer_and_the_older_model_dropped(root, shop_files):
    runs = SavedRuns(Workspace(root, create=False))
    warmer = Warmer(runs, interval=0.2)
    warmer.start()
    try:
        assert warmer.ready.wait(300)
        old = runs.latest("risk")["run_id"]
        assert runs.built(old, "risk_model") is not None
        new = _train_again(root, shop_files)
        deadline = time.monotonic() + 60
        while runs.built(new, "risk_model") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert runs.built(new, "risk_model") is not None  # loaded with no request asking
        assert runs.built(old, "risk_model") is None  # and the older one let go
        model, metadata = latest_risk_model(runs)
        assert metadata["run_id"] == new and model is runs.built(new, "risk_model")
    finally:
        warmer.stop()


def test_a_request_finding_a_newer_run_is_answered_by_the_loaded_model_and_wakes_the_warmer(root, shop_files):
    runs = SavedRuns(Workspace(root, create=False))
    old_model, old = latest_risk_model(runs)
    new = _train_again(root, shop_files)
    woken = []
    runs.wake = lambda: woken.append(True)  # as a running warmer sets it
    model, metadata = latest_risk_model(runs)
    assert (model, metadata["run_id"]) == (old_model, old["run_id"]) and woken == [True]
    assert runs.built(new, "risk_model") is None  # the request loaded nothing
    # What the warmer asks (wait=True) is the newest run, loaded; then requests get it too.
    newest, metadata = latest_risk_model(runs, wait=True)
    assert metadata["run_id"] == new and newest is not old_model
    assert latest_risk_model(runs)[1]["run_id"] == new and len(woken) == 1
    # Without a warmer a request loads the newest run itself.
    runs.wake = None
    assert latest_recommender(runs)[1]["run_id"] == runs.latest("recommend")["run_id"]
