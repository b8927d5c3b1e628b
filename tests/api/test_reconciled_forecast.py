"""A reconciled forecast (``forecast --reconcile``) answers for every level, behind a real server.

The hand-made shop (:mod:`api.handmade`) with a naive 7-day forecast reconciled bottom-up: each product's
forecast is its last day's units (day 119: P1 sells 119 % 5 + 1 = 5, P2 nothing on odd days, P3 nothing as
119 % 3 != 0), so its one category ("unknown": the products file has none) and the total forecast 5 a day,
and their history is the three products' units added day by day. A newer run of one level takes over that
level only."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from api.handmade import DAYS, START, units, write_files
from api.server import Server
from shopmine.api.keys import KeyStore
from shopmine.forecast.report import HISTORY_PERIODS
from shopmine.ingest import IngestOptions
from shopmine.shop import Shop
from shopmine.workspace import Workspace

FORECAST_DAYS = [str(START + dt.timedelta(days=DAYS + d)) for d in range(7)]


def _shop_history(products: tuple[str, ...]) -> list[dict]:
    return [{"ds": str(START + dt.timedelta(days=day)), "y": float(sum(units(p, day) for p in products))}
            for day in range(DAYS - HISTORY_PERIODS, DAYS)]


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory):
    """``(workspace root, server, key)``: the shop ingested and forecast once, reconciled bottom-up."""
    folder = tmp_path_factory.mktemp("reconciled")
    root = folder / "ws"
    paths = write_files(folder / "files")
    with Shop(Workspace(root)) as shop:
        shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]])
        shop.forecast(horizon=7, model="naive", windows=1, reconcile="bottom_up")
    key = KeyStore(Workspace(root, create=False).secret_dir).create("tests")
    server = Server(root)
    yield root, server, key
    server.stop()


def _get(server, key, path, **params) -> dict:
    answer = httpx.get(f"{server.url}{path}", params=params, headers={"X-API-Key": key}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(("level", "series"), [("total", "total"), ("category", "unknown")])
def test_the_upper_levels_are_served_from_the_reconciled_run(reconciled, level, series):
    _root, server, key = reconciled
    answer = _get(server, key, f"/v1/forecasts/{level}", series=series)
    assert answer["reconciliation"] == "bottom_up" and answer["level"] == level
    assert [(p["ds"], p["forecast"], p["base"]) for p in answer["items"]] == [(d, 5.0, 5.0) for d in FORECAST_DAYS]
    assert answer["history"] == _shop_history(("P1", "P2", "P3"))


def test_products_add_up_to_the_total_and_keep_their_own_history(reconciled):
    _root, server, key = reconciled
    products = _get(server, key, "/v1/forecasts/product")
    assert products["reconciliation"] == "bottom_up"
    assert {p["series"] for p in products["items"]} == {"P1", "P2", "P3"}  # no category or total row
    by_day = {}
    for point in products["items"]:
        by_day[point["ds"]] = by_day.get(point["ds"], 0.0) + point["forecast"]
    assert by_day == dict.fromkeys(FORECAST_DAYS, 5.0)  # coherent with the total above
    one = _get(server, key, "/v1/products/P2/forecast")
    assert [p["forecast"] for p in one["items"]] == [0.0] * 7
    assert one["history"] == _shop_history(("P2",))


def test_a_newer_run_of_one_level_takes_over_that_level_only(reconciled):
    root, server, key = reconciled
    with Shop(Workspace(root, create=False)) as shop:
        newer = shop.forecast(horizon=3, level="product", model="naive", windows=1).run_id
    answer = _get(server, key, "/v1/products/P1/forecast")
    assert answer["run"]["id"] == newer and answer["reconciliation"] is None
    assert len(answer["items"]) == 3 and all(p["base"] is None for p in answer["items"])
    total = _get(server, key, "/v1/forecasts/total", series="total")
    assert total["reconciliation"] == "bottom_up" and total["run"]["id"] != newer
