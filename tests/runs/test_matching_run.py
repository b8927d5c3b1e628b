"""A saved run answers again only for the same data, parameters, as-of date and software versions."""

from __future__ import annotations

from datetime import datetime, timezone

import shopmine.runs.cache
import shopmine.runs.metadata
from shopmine.result import AnalysisResult
from shopmine.runs import save_run
from shopmine.runs.cache import matching_run


def _save(ws):
    return save_run(ws, AnalysisResult(name="glance", title="t", metrics={"orders": 3}), analysis="glance",
                    parameters={"freq": "W"}, as_of="2024-01-01", started=datetime.now(timezone.utc), batches=["b1"])


def test_a_run_matches_its_data_parameters_and_as_of(ws):
    run_id = _save(ws)
    assert matching_run(ws, "glance", parameters={"freq": "W"}, as_of="2024-01-01", batches=["b1"]).run_id == run_id
    assert matching_run(ws, "glance", parameters={"freq": "D"}, as_of="2024-01-01", batches=["b1"]) is None
    assert matching_run(ws, "glance", parameters={"freq": "W"}, as_of="2024-01-02", batches=["b1"]) is None
    assert matching_run(ws, "glance", parameters={"freq": "W"}, as_of="2024-01-01", batches=["b1", "b2"]) is None


def test_a_run_made_by_another_version_is_not_reused(ws, monkeypatch):
    _save(ws)
    real = shopmine.runs.metadata.library_versions()
    monkeypatch.setattr(shopmine.runs.cache, "library_versions", lambda: {**real, "shopmine": "99.0"})
    assert matching_run(ws, "glance", parameters={"freq": "W"}, as_of="2024-01-01", batches=["b1"]) is None
