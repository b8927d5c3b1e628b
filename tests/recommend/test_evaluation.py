"""Ranking metrics with hand-computed values and the temporal split (shopmine.recommend.evaluation)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.recommend.evaluation import evaluate, model_recommendations, temporal_split
from shopmine.recommend.popularity import Popularity

from features.helpers import toy_orders


def _recs(rows):
    return pd.DataFrame(rows, columns=["customer_id", "product_id", "rank"])


def _truth(rows):
    return pd.DataFrame(rows, columns=["customer_id", "product_id"])


def test_one_customer_by_hand():
    m = evaluate(_recs([("c", "A", 1), ("c", "B", 2), ("c", "C", 3)]), _truth([("c", "A"), ("c", "C")]),
                 k=3, n_catalogue=10)
    assert m["recall"] == 1.0
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["ndcg"] == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert m["map"] == pytest.approx((1 + 2 / 3) / 2)
    assert m["hit_rate"] == 1.0
    assert m["coverage"] == pytest.approx(0.3)
    assert m["customers"] == 1


def test_cut_off_ideal_dcg_and_customers_without_recommendations():
    recs = _recs([("c1", "X", 1), ("c1", "A", 2), ("c1", "B", 3),  # B beyond k=2: not counted
                  ("c3", "Z", 1)])  # c3 is no test customer: ignored, also in coverage
    truth = _truth([("c1", "A"), ("c1", "B"), ("c1", "C"), ("c2", "A")])  # c2 has no recommendation
    m = evaluate(recs, truth, k=2, n_catalogue=4)
    # c1: one hit at rank 2 of 3 truth items; c2: nothing.
    assert m["recall"] == pytest.approx((1 / 3 + 0) / 2)
    assert m["precision"] == pytest.approx((1 / 2 + 0) / 2)
    # ideal DCG over min(k, |truth|) = 2 hits: 1 + 1/log2(3).
    assert m["ndcg"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)) / 2)
    assert m["map"] == pytest.approx((1 / 2) / 2 / 2)
    assert m["hit_rate"] == 0.5
    assert m["coverage"] == pytest.approx(2 / 4)
    assert m["customers"] == 2


def test_no_test_customer_and_bad_input():
    m = evaluate(_recs([("c", "A", 1)]), _truth([]), k=5, n_catalogue=3)
    assert m["customers"] == 0 and math.isnan(m["recall"])
    with pytest.raises(ShopmineInputError, match="k must be a whole number of at least 1; got 0"):
        evaluate(_recs([]), _truth([("c", "A")]), k=0, n_catalogue=3)
    with pytest.raises(ValueError, match="twice"):
        evaluate(_recs([("c", "A", 1), ("c", "A", 2)]), _truth([("c", "A")]), k=5, n_catalogue=3)


def _line(order, customer, product, when, qty=1, **kw):
    return {"order_id": order, "customer_id": customer, "product_id": product, "ordered_at": when,
            "quantity": qty, "unit_price": 3.0, **kw}


@pytest.fixture(scope="module")
def split():
    orders = toy_orders([
        _line("o1", "c1", "A", "2021-01-05 10:00"),
        _line("o2", "c2", "B", "2021-01-06 10:00"),
        # test period 2021-02-01 .. 2021-02-10 (10 days)
        _line("t1", "c1", "A", "2021-02-02 10:00"),   # bought before: in "all" only
        _line("t1", "c1", "C", "2021-02-02 10:00"),   # new for c1
        _line("t2", "c2", "D", "2021-02-03 10:00"),   # wholly cancelled below: no purchase
        _line("x2", "c2", "D", "2021-02-04 10:00", qty=-1, status="cancelled"),
        _line("t3", "c9", "A", "2021-02-03 10:00"),   # never seen in training: not a test customer
        _line("t4", "c2", "B", "2021-02-11 00:00"),   # after the horizon
    ])
    return temporal_split(orders, dt.date(2021, 2, 1), 10)


def test_temporal_split(split):
    assert list(split.train.customer_ids) == ["c1", "c2"]
    assert split.truth_all.values.tolist() == [["c1", "A"], ["c1", "C"]]
    assert split.truth_new.values.tolist() == [["c1", "C"]]
    assert split.truth("new") is split.truth_new
    with pytest.raises(ShopmineInputError, match="variant must be one of all, new"):
        split.truth("old")


def test_bad_horizon_names_the_parameter():
    orders = toy_orders([_line("o1", "c1", "A", "2021-01-05 10:00")])
    with pytest.raises(ShopmineInputError, match="horizon_days must be a whole number of days, at least 1; got 0"):
        temporal_split(orders, dt.date(2021, 2, 1), 0)


def test_model_recommendations_frame(split):
    model = Popularity().fit(split.train)
    recs = model_recommendations(model, split.train, ["c2", "nobody", "c1"], 3, exclude_bought=True)
    # Catalogue A, B; c2 bought B -> A; c1 bought A -> B; unknown customers skipped; no padding rows.
    assert recs[["customer_id", "product_id", "rank"]].values.tolist() == [["c2", "A", 1], ["c1", "B", 1]]
    np.testing.assert_array_equal(recs["score"], [1.0, 1.0])
