"""Every error path answers in the one envelope ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

import httpx
import pytest


def _error(answer: httpx.Response, status: int, code: str, field=None) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
    assert body["error"]["code"] == code and body["error"]["field"] == field
    assert "Traceback" not in answer.text
    return body["error"]["message"]


@pytest.fixture(scope="module")
def anonymous(served):
    with httpx.Client(base_url=served[1].url, timeout=30) as http:
        yield http


@pytest.mark.parametrize("path", ["/v1/prices", "/v1/runs", "/v1/customers/C000001/segment",
                                  "/v1/forecasts/product"])
def test_no_key_is_401(anonymous, path):
    answer = anonymous.get(path)
    assert "X-API-Key" in _error(answer, 401, "unauthorized")
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_unknown_key_is_401_and_revoked_key_403(anonymous, served):
    keys = served[2]
    _error(anonymous.get("/v1/prices", headers={"X-API-Key": keys["key"] + "x"}), 401, "unauthorized")
    _error(anonymous.get("/v1/prices", headers={"Authorization": "Bearer nonsense"}), 401, "unauthorized")
    assert "old" in _error(anonymous.get("/v1/prices", headers={"X-API-Key": keys["revoked"]}), 403, "forbidden")
    assert anonymous.get("/v1/prices", headers={"Authorization": f"Bearer {keys['key']}"}).status_code == 200


def test_a_key_revoked_while_serving_is_refused_at_once(anonymous, served):
    from shopmine.api.keys import KeyStore

    store = KeyStore(served[0] / ".secret")
    key = store.create("short-lived")
    assert anonymous.get("/v1/runs", headers={"X-API-Key": key}).status_code == 200
    store.revoke("short-lived")
    _error(anonymous.get("/v1/runs", headers={"X-API-Key": key}), 403, "forbidden")


def test_unknown_customer_and_product_are_404(client):
    assert "NOBODY" in _error(client.get("/v1/customers/NOBODY/segment"), 404, "not_found", "path.customer_id")
    _error(client.get("/v1/customers/NOBODY/clv"), 404, "not_found", "path.customer_id")
    _error(client.get("/v1/customers/NOBODY/risk"), 404, "not_found", "path.customer_id")
    _error(client.get("/v1/customers/NOBODY/recommendations"), 404, "not_found", "path.customer_id")
    _error(client.get("/v1/products/NOTHING/recommendations"), 404, "not_found", "path.product_id")
    _error(client.get("/v1/products/NOTHING/forecast"), 404, "not_found", "path.product_id")
    _error(client.get("/v1/prices/NOTHING"), 404, "not_found", "path.product_id")
    _error(client.get("/v1/runs/20200101T000000Z-abcd"), 404, "not_found", "path.run_id")


def test_unknown_route_404_and_wrong_method_405(client):
    assert "/docs" in _error(client.get("/v1/nothing/here"), 404, "not_found")
    _error(client.delete("/v1/prices"), 405, "method_not_allowed")
    _error(client.get("/v1/risk/scores"), 405, "method_not_allowed")


def test_malformed_bodies_and_parameters_are_422_naming_the_field(client):
    _error(client.post("/v1/risk/scores", content=b"{not json", headers={"content-type": "application/json"}),
           422, "invalid_input", "body.1")
    _error(client.post("/v1/risk/scores", json={"rows": []}), 422, "invalid_input", "body.rows")
    _error(client.post("/v1/risk/scores", json={"rows": [{"x": 1}], "extra": 1}), 422, "invalid_input", "body.extra")
    _error(client.post("/v1/risk/scores", json={"rows": [{"x": [1, 2]}]}), 422, "invalid_input",
           "body.rows.0.x.str")
    message = _error(client.post("/v1/risk/scores", json={"rows": [{"x": 1}]}), 422, "invalid_input", "body.rows")
    assert message.startswith("rows: the table lacks the feature column(s) 'recency_days'")  # the API's name
    _error(client.get("/v1/prices", params={"limit": 0}), 422, "invalid_input", "query.limit")
    _error(client.get("/v1/customers/C000001/recommendations", params={"k": "many"}), 422, "invalid_input",
           "query.k")
    _error(client.get("/v1/forecasts/weekly"), 422, "invalid_input", "path.level")
    # a library refusal names the API's field too
    _error(client.get("/v1/customers/C000001/recommendations", params={"category": "no/such"}), 422,
           "invalid_input", "query.category")


def test_a_body_over_the_limit_is_413(client):
    rows = [{"recency_days": 1.0, "note": "x" * 1000}] * 1200  # about 1.2 MB
    _error(client.post("/v1/risk/scores", json={"rows": rows}), 413, "payload_too_large", "body")


def test_an_analysis_never_run_is_a_404_naming_its_command(tmp_path, template):
    import shutil

    from api.server import Server

    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    shutil.rmtree(root / "runs" / "price")
    shutil.rmtree(root / "runs" / "risk_score")
    server = Server(root)
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": template[1]["key"]}) as http:
            assert "`shopmine price`" in _error(http.get("/v1/prices"), 404, "analysis_not_run")
            assert "`shopmine risk score --orders (or --data CUSTOMERS --id customer_id)`" in _error(
                http.get("/v1/customers/C000001/risk"), 404, "analysis_not_run")
            assert http.get("/v1/customers/C000001/segment").status_code == 200  # the other runs still serve
    finally:
        server.stop()


def test_a_damaged_saved_run_is_a_500_without_details(tmp_path, template):
    """A run file changed after it was saved fails verification: 500 in the envelope, no path or traceback."""
    import shutil

    from api.server import Server

    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    [price] = (root / "runs" / "price").iterdir()
    table = next((price / "tables").glob("suggestions*.parquet"))
    table.write_bytes(table.read_bytes()[:-10] + b"0123456789")
    server = Server(root)
    try:
        answer = httpx.get(f"{server.url}/v1/prices", headers={"X-API-Key": template[1]["key"]})
        message = _error(answer, 500, "run_integrity")
        assert str(root) not in answer.text and "parquet" not in message
    finally:
        server.stop()


def test_a_score_run_keyed_by_another_column_is_not_a_customers_score(tmp_path, template):
    """Scores of rows keyed by something else (orders, loans) whose ids happen to look like customer ids are
    never served as those customers' risk: only runs scored with ``id_col="customer_id"`` are."""
    import shutil
    import time

    from api.server import Server
    from shopmine.runs import latest_run
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    root = tmp_path / "ws"
    shutil.copytree(template[0], root)
    with Shop(Workspace(root, create=False)) as shop:
        keyed = latest_run(shop.workspace, "risk_score")
        features = latest_run(shop.workspace, "segments").result.tables["behaviour_features"]
        time.sleep(1.1)  # runs sort by their start second: the other run is the newest for certain
        other = shop.risk_score(features.rename(columns={"customer_id": "ref"}).assign(recency_days=400),
                                id_col="ref")
    assert other.run_id != keyed.run_id
    server = Server(root)
    try:
        answer = httpx.get(f"{server.url}/v1/customers/C000001/risk", headers={"X-API-Key": template[1]["key"]})
        assert answer.json()["run"]["id"] == keyed.run_id
        expected = keyed.result.tables["scores"].set_index("id").loc["C000001", "probability"]
        assert answer.json()["probability"] == pytest.approx(expected)
    finally:
        server.stop()
