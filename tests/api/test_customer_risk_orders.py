"""A customer's risk from a scoring of the shop's own orders (`risk score --orders`): their riskiest order's
score, with the number of their orders scored; newer than a customer-keyed run, it is what is served."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from shopmine.result import AnalysisResult
from shopmine.runs import save_run
from shopmine.workspace import Workspace


def test_the_riskiest_order_answers_for_its_customer(served, client):
    root, _, _ = served
    scores = pd.DataFrame({"id": ["o1", "o2", "o3"], "probability": [0.2, 0.7, 0.1],
                           "score_points": [600.0, 520.0, 640.0],
                           "reason_1": ["order_lines = 1", "value_ratio = 0.04", ""],
                           "reason_2": ["", "order_lines = 1", ""], "reason_3": ["", "", ""]})
    customers = pd.DataFrame({"customer_id": ["Z900", "Z901"], "orders": [2, 1], "flagged_orders": [1, 0],
                              "max_probability": [0.7, 0.1], "mean_probability": [0.45, 0.1],
                              "riskiest_order": ["o2", "o3"], "riskiest_reason": ["value_ratio = 0.04", ""]})
    result = AnalysisResult(name="risk_score", title="t", tables={"scores": scores, "customers": customers},
                            metrics={"source_run": "training-1"})
    run_id = save_run(Workspace(root, create=False), result, analysis="risk_score",
                      parameters={"data": None, "id_col": None, "run_id": None, "orders": True}, as_of=None,
                      started=datetime.now(timezone.utc))
    body = client.get("/v1/customers/Z900/risk").json()
    assert body["id"] == "o2" and body["probability"] == 0.7 and body["score_points"] == 520.0
    assert body["reasons"] == ["value_ratio = 0.04", "order_lines = 1"] and body["orders"] == 2
    assert body["run"]["id"] == run_id and body["model_run"] == "training-1"
    assert client.get("/v1/customers/Z901/risk").json()["reasons"] == []
    missing = client.get("/v1/customers/NOBODY/risk")
    assert missing.status_code == 404 and "risk score --orders" in missing.json()["error"]["message"]
