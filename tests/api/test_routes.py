"""Every route against a real server, each answer checked against the saved run it names (read back here
through the library, not through the API), and the run ids against the workspace's latest runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shopmine.api.models import latest_recommender
from shopmine.api.saved import SavedRuns
from shopmine.risk.saved import load_risk_model
from shopmine.runs import latest_run, list_runs, load_run
from shopmine.workspace import Workspace


@pytest.fixture(scope="module")
def ws(served):
    workspace = Workspace(served[0], create=False)
    yield workspace
    workspace.close()


def _same(a, b) -> bool:
    if a is None or (isinstance(b, float) and math.isnan(b)):
        return a is None and (b is None or (isinstance(b, float) and math.isnan(b)))
    return a == pytest.approx(b) if isinstance(b, float) else a == b


def test_health_needs_no_key(served):
    import httpx

    answer = httpx.get(f"{served[1].url}/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "version": "0.1.0"}


def test_customer_segment_and_cluster_are_the_segments_runs(client, ws):
    run = latest_run(ws, "segments")
    customers = run.result.tables["customers"]
    row = customers.iloc[17]
    body = client.get(f"/v1/customers/{row['customer_id']}/segment").json()
    assert body["run"]["id"] == run.run_id and body["run"]["analysis"] == "segments"
    assert body["run"]["as_of"] == run.metadata["as_of"] and body["run"]["created"] == run.metadata["finished_at"]
    assert body["run"]["models"] == [{k: m[k] for k in ("name", "version", "format")} for m in run.metadata["models"]]
    assert body["rfm_segment"] == row["rfm_segment"] and body["cluster"] == int(row["cluster"])
    assert (body["r_score"], body["f_score"], body["m_score"]) == (row["r_score"], row["f_score"], row["m_score"])
    assert body["monetary"] == pytest.approx(row["monetary"])
    profiles = run.result.tables["cluster_profiles"].set_index("cluster")["profile"]
    assert body["cluster_profile"] == profiles[row["cluster"]]


def test_customer_clv_is_the_clv_runs(client, ws):
    run = latest_run(ws, "clv")
    row = run.result.tables["customers"].iloc[5]
    body = client.get(f"/v1/customers/{row['customer_id']}/clv").json()
    assert body["run"]["id"] == run.run_id and body["horizon_days"] == 365
    for key in ("p_alive", "expected_purchases", "expected_revenue", "churn_probability"):
        assert _same(body[key], float(row[key])), key


def test_customer_risk_is_the_saved_score_of_that_customer(client, ws):
    run = latest_run(ws, "risk_score")
    training = latest_run(ws, "risk")
    row = run.result.tables["scores"].iloc[3]
    body = client.get(f"/v1/customers/{row['id']}/risk").json()
    assert body["run"]["id"] == run.run_id and body["model_run"] == training.run_id
    assert body["probability"] == pytest.approx(row["probability"])
    assert body["score_points"] == pytest.approx(row["score_points"])
    assert body["reasons"] == [r for r in (row["reason_1"], row["reason_2"], row["reason_3"]) if r]


def test_customer_recommendations_are_the_saved_recommenders(client, ws):
    run = latest_run(ws, "recommend")
    recommender, metadata = latest_recommender(SavedRuns(ws))
    assert metadata["run_id"] == run.run_id
    customer = str(recommender.customer_ids_[7])
    expected = recommender.recommend([customer], 4)
    body = client.get(f"/v1/customers/{customer}/recommendations", params={"k": 4}).json()
    assert body["run"]["id"] == run.run_id and body["customer_id"] == customer
    assert [i["product_id"] for i in body["items"]] == expected["product_id"].tolist()
    assert [i["rank"] for i in body["items"]] == [1, 2, 3, 4]
    assert [i["reason"] for i in body["items"]] == expected["reason"].tolist()
    assert {f["name"] for f in body["run"]["models"]} == {"recommend-arrays", "recommend-params"}


def test_product_recommendations_are_co_purchases(client, ws):
    recommender, metadata = latest_recommender(SavedRuns(ws))
    product = str(recommender.product_ids_[0])
    expected = recommender.similar(product, 3)
    body = client.get(f"/v1/products/{product}/recommendations", params={"k": 3}).json()
    assert body["run"]["id"] == metadata["run_id"]
    assert [i["product_id"] for i in body["items"]] == expected["product_id"].tolist()
    assert product not in [i["product_id"] for i in body["items"]]


def test_forecasts_per_product_and_total_with_pagination(client, ws):
    runs = {e.metadata["parameters"]["level"]: e for e in list_runs(ws, "forecast")}
    product_run = load_run(ws, runs["product"].run_id)
    table = product_run.result.tables["forecasts"]
    first = client.get("/v1/forecasts/product", params={"limit": 5}).json()
    assert first["run"]["id"] == product_run.run_id and first["total"] == len(table) and len(first["items"]) == 5
    assert first["level"] == "product" and first["freq"] == "D" and first["measure"] == "units"
    second = client.get(first["next"]).json()
    assert second["offset"] == 5 and second["items"][0]["ds"] == str(table["ds"].iloc[5].date())
    assert second["items"][0]["forecast"] == pytest.approx(table["forecast"].iloc[5])
    last = client.get("/v1/forecasts/product", params={"limit": 5, "offset": len(table) - 2}).json()
    assert len(last["items"]) == 2 and last["next"] is None
    product = str(table["unique_id"].iloc[0])
    one = client.get(f"/v1/products/{product}/forecast").json()
    assert one["total"] == 7 and {i["series"] for i in one["items"]} == {product}  # horizon 7
    assert client.get("/v1/forecasts/product", params={"series": product}).json()["items"] == one["items"]
    total = client.get("/v1/forecasts/total").json()
    assert total["run"]["id"] == runs["total"].run_id and total["total"] == 7


def test_category_forecasts_by_category_path(client, ws):
    run = next(e for e in list_runs(ws, "forecast") if e.metadata["parameters"]["level"] == "category")
    table = load_run(ws, run.run_id).result.tables["forecasts"]
    category = str(table["unique_id"].iloc[0])
    assert "/" in category  # a path such as fashion/shoes, given as a query parameter
    body = client.get("/v1/forecasts/category", params={"series": category}).json()
    assert body["run"]["id"] == run.run_id and body["total"] == 7
    assert [i["forecast"] for i in body["items"]] == pytest.approx(
        table.loc[table["unique_id"] == category, "forecast"].tolist())


def test_price_suggestions_paginated_and_per_product(client, ws):
    run = latest_run(ws, "price")
    table = run.result.tables["suggestions"]
    seen = []
    url, params = "/v1/prices", {"limit": 15}
    while url:
        page = client.get(url, params=params).json()
        assert page["total"] == len(table) and page["run"]["id"] == run.run_id
        seen += page["items"]
        url, params = page["next"], None
    assert [s["product_id"] for s in seen] == table["product_id"].astype(str).tolist()
    row = table.iloc[2]
    one = client.get(f"/v1/prices/{row['product_id']}").json()
    assert one["suggested_price"] == pytest.approx(row["suggested_price"]) and one["status"] == row["status"]
    assert _same(one["elasticity"], float(row["elasticity"]))  # NaN (not estimable) is null
    changed = client.get("/v1/prices", params={"changed": "true", "limit": 1000}).json()
    assert changed["total"] == int((table["suggested_price"] != table["current_price"]).sum())


def test_risk_scoring_of_posted_rows_is_the_saved_models_scoring(client, ws):
    model, run_id = load_risk_model(ws)
    saved = latest_run(ws, "risk_score").result.tables["scores"]
    features = latest_run(ws, "segments").result.tables["behaviour_features"].head(3)
    expected = model.score(features, id_col="customer_id")
    body = client.post("/v1/risk/scores", json={"rows": features.to_dict("records"), "id_col": "customer_id"})
    assert body.status_code == 200, body.text
    body = body.json()
    assert body["run"]["id"] == run_id and body["served"] == model.served
    assert [i["id"] for i in body["items"]] == features["customer_id"].tolist()
    np.testing.assert_allclose([i["probability"] for i in body["items"]], expected["probability"])
    assert saved.set_index("id").loc[features["customer_id"], "probability"].to_numpy() == pytest.approx(
        [i["probability"] for i in body["items"]])  # the same numbers as `risk score` saved
    one = client.post("/v1/risk/scores", json={"rows": [features.drop(columns="customer_id").iloc[0].to_dict()]})
    assert one.json()["items"][0]["id"] == "1"  # no id column: the row number
    numbered = features.drop(columns="customer_id").head(2).assign(order_no=[17850, 17851])
    answer = client.post("/v1/risk/scores", json={"rows": numbered.to_dict("records"), "id_col": "order_no"})
    assert [i["id"] for i in answer.json()["items"]] == ["17850", "17851"]  # whole numbers stay whole


def test_runs_list_every_saved_run_newest_first(client, ws):
    entries = list_runs(ws)
    body = client.get("/v1/runs", params={"limit": 100}).json()
    assert body["total"] == len(entries)
    assert [r["id"] for r in body["items"]] == [e.run_id for e in sorted(entries, key=lambda e: e.sort_key,
                                                                          reverse=True)]
    clv = client.get("/v1/runs", params={"analysis": "clv"}).json()
    assert [r["id"] for r in clv["items"]] == [latest_run(ws, "clv").run_id]
    assert clv["items"][0]["parameters"]["model"] == "bgnbd"
    one = client.get(f"/v1/runs/{clv['items'][0]['id']}").json()
    assert one == clv["items"][0]


def test_the_schema_and_docs_are_open(served):
    import httpx

    schema = httpx.get(f"{served[1].url}/openapi.json").json()
    assert {"/health", "/v1/risk/scores", "/v1/customers/{customer_id}/recommendations", "/v1/prices",
            "/v1/runs", "/v1/forecasts/{level}"} <= set(schema["paths"])
    assert "ErrorEnvelope" in schema["components"]["schemas"]
    assert httpx.get(f"{served[1].url}/docs").status_code == 200
