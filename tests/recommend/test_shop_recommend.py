"""Shop.recommend: fitted once per as-of date and batches, saved with its run, then answered from it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from shopmine.recommend.analysis import saved_recommender
from shopmine.runs.listing import list_runs
from shopmine.shop import Shop

ORDERS = "order_id,customer_id,product_id,ordered_at,quantity,unit_price\n" + "".join(
    f"o{i},c{i % 7},p{(i * 3) % 11},2024-0{1 + i % 3}-{1 + i % 27:02d} 10:00:00,1,2.0\n" for i in range(120))


def test_one_shop_fits_once_then_answers_from_its_saved_run(tmp_path: Path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    shop = Shop(tmp_path / "ws")
    shop.ingest([tmp_path / "orders.csv"])
    first = shop.recommend(customers=["c1"], k=3)
    assert first.run_id is not None and first.metrics["answered_from_run"] is None
    second = shop.recommend(customers=["c2"], k=3)
    assert second.run_id is None and second.metrics["answered_from_run"] == first.run_id
    other = Shop(tmp_path / "ws").recommend(customers=["c1"], k=3)  # another process: read from the run
    assert other.metrics["answered_from_run"] == first.run_id
    assert other.tables["recommendations"].equals(first.tables["recommendations"])
    runs = [e for e in list_runs(shop.workspace, "recommend")]
    assert [e.run_id for e in runs] == [first.run_id]
    assert {m["format"] for m in runs[0].metadata["models"]} == {"numpy-npz", "json"}
    loaded, run_id = saved_recommender(shop.workspace, shop.as_of)
    assert run_id == first.run_id and loaded.ranker == "rerank"
    refit = shop.recommend(customers=["c1"], k=3, refit=True)
    assert refit.run_id not in (None, first.run_id)
    np.testing.assert_array_equal(refit.tables["recommendations"]["product_id"],
                                  first.tables["recommendations"]["product_id"])  # same data, same answer


def test_a_new_batch_loaded_through_the_shop_is_seen_by_its_next_answer(tmp_path: Path):
    """Shop.batches() is read once while the Shop holds the workspace; its own ingest makes it read again,
    so the next answer is fitted on the new batch instead of answered from the run of the old one."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    shop = Shop(tmp_path / "ws", as_of=np.datetime64("2024-04-01").astype(object))
    shop.ingest([tmp_path / "orders.csv"])
    first = shop.recommend(customers=["c1"], k=3)
    assert shop.recommend(customers=["c2"], k=3).metrics["answered_from_run"] == first.run_id
    (tmp_path / "more.csv").write_text("order_id,customer_id,product_id,ordered_at,quantity,unit_price\n"
                                       "x1,c1,p99,2024-03-20 10:00:00,1,2.0\n")
    shop.ingest([tmp_path / "more.csv"])
    assert len(shop.batches()) == 2
    after = shop.recommend(customers=["c1"], k=3)
    assert after.run_id not in (None, first.run_id) and after.metrics["answered_from_run"] is None
    saved = {e.run_id: e for e in list_runs(shop.workspace, "recommend")}[after.run_id]
    assert {m["format"] for m in saved.metadata["models"]} == {"numpy-npz", "json"}  # the new fit is kept
    assert "p99" in set(saved_recommender(shop.workspace, shop.as_of)[0].product_ids_)


def test_the_evaluation_run_records_the_day_it_trained_before(tmp_path: Path):
    """Without an as-of date the test is the log's last 30 days: the run says so, not the day after the log."""
    (tmp_path / "orders.csv").write_text(ORDERS)
    shop = Shop(tmp_path / "ws")
    shop.ingest([tmp_path / "orders.csv"])
    result = shop.recommend_evaluation(horizon_days=30)
    assert shop.as_of == dt.date(2024, 3, 28)  # the day after the last order (2024-03-27)
    assert result.metrics["as_of"] == "2024-02-27"
    [run] = list_runs(shop.workspace, "recommend_evaluation")
    assert run.run_id == result.run_id and run.metadata["as_of"] == "2024-02-27"
