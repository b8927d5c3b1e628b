"""Popularity, segment popularity and the repeat models on hand-made logs, with hand-computed ranks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import NotFittedError
from shopmine.recommend import CandidateModel
from shopmine.recommend.popularity import Popularity
from shopmine.recommend.repeat import PurchaseCycle, RepeatPurchases
from shopmine.recommend.segment_popularity import SegmentPopularity

from .toy import toy_interactions

# Products A..D. All history: A has 3 buyers, B 2, C 1, D 2. Last 30 days before 2021-03-01
# (from 2021-01-30): D 2 buyers (c1, c3), B 1 (c2), A and C none.
LOG = [
    ("c1", "A", "2020-10-01"), ("c1", "A", "2020-11-01"), ("c1", "A", "2020-12-01"), ("c1", "D", "2021-02-20"),
    ("c2", "A", "2020-10-05"), ("c2", "B", "2021-02-01"), ("c2", "C", "2020-06-01"),
    ("c3", "A", "2020-09-01"), ("c3", "B", "2020-09-01"), ("c3", "D", "2021-02-25"), ("c3", "D", "2021-01-29"),
]
A, B, C, D = 0, 1, 2, 3


@pytest.fixture(scope="module")
def data():
    return toy_interactions(LOG)


def test_models_follow_the_protocol():
    for model in (Popularity(), Popularity(30), SegmentPopularity(), RepeatPurchases(), PurchaseCycle()):
        assert isinstance(model, CandidateModel)


def test_global_popularity(data):
    model = Popularity().fit(data)
    np.testing.assert_array_equal(model.buyers_, [3, 2, 1, 2])
    cols, scores = model.score(np.array([0, 1]), 4, exclude_bought=False)
    # B and D tie at 2 buyers: the lower column first.
    assert cols.tolist() == [[A, B, D, C], [A, B, D, C]]
    np.testing.assert_array_equal(scores[0], [3, 2, 2, 1])
    cols, _ = model.score(np.array([0, 1]), 4, exclude_bought=True)
    assert cols.tolist() == [[B, C, -1, -1], [D, -1, -1, -1]]


def test_recent_popularity_breaks_ties_by_all_time_buyers(data):
    model = Popularity(window_days=30).fit(data)
    assert model.name == "popular_recent"
    # c3's D on 2021-01-29 is 31 days before: out of the window, so D has 2 buyers (c1 on 02-20, c3 on 02-25).
    np.testing.assert_array_equal(model.buyers_, [0, 1, 0, 2])
    cols, _ = model.score(np.array([2]), 4, exclude_bought=False)
    assert cols.tolist() == [[D, B, A, C]]  # A and C tie at 0 recent buyers: A has more buyers in all
    cols, vals = model.rank_products(2, exclude=np.array([D]))
    assert cols.tolist() == [B, A]


def test_popularity_round_trip_without_pickle(data, tmp_path):
    model = Popularity(window_days=30).fit(data)
    np.savez(tmp_path / "m.npz", **model.to_arrays())
    with np.load(tmp_path / "m.npz", allow_pickle=False) as saved:
        again = Popularity.from_arrays(dict(saved), model.get_params())
    for exclude in (False, True):
        np.testing.assert_array_equal(again.score(np.arange(3), 4, exclude_bought=exclude)[0],
                                      model.score(np.arange(3), 4, exclude_bought=exclude)[0])


def test_not_fitted_and_bad_rows(data):
    with pytest.raises(NotFittedError, match="Popularity is not fitted"):
        Popularity().score(np.array([0]), 3, exclude_bought=False)
    model = Popularity().fit(data)
    with pytest.raises(ValueError, match=r"out of range 0\.\.2: \[3\]"):
        model.score(np.array([3]), 3, exclude_bought=False)
    with pytest.raises(ValueError, match="n must be"):
        model.score(np.array([0]), -1, exclude_bought=False)


def test_segment_popularity_with_given_labels(data):
    labels = pd.Series({"c1": "x", "c3": "x", "c2": "y"})
    model = SegmentPopularity(labels=labels, window_days=None).fit(data)
    # Segment x (c1, c3): A 2/2, B 1/2, C 0, D 2/2; segment y (c2): A, B, C 1/1, D 0.
    np.testing.assert_allclose(model.shares_[:2], [[1, 0.5, 0, 1], [1, 1, 1, 0]])
    cols, _ = model.score(np.array([0, 1]), 4, exclude_bought=False)
    assert cols.tolist() == [[A, D, B, C], [A, B, C, D]]
    assert model.segment_of(np.array([1, 2])).tolist() == ["y", "x"]
    cols, _ = model.rank_for_segment("y", 2)
    assert cols.tolist() == [A, B]
    # An unknown segment gets the shop-wide ranking (A 3/3, B 2/3 and D 2/3 by column, C 1/3).
    cols, _ = model.rank_for_segment(None, 4)
    assert cols.tolist() == [A, B, D, C]


def test_segment_popularity_computes_rfm_segments_without_labels(data):
    model = SegmentPopularity().fit(data)
    assert set(model.segment_of(np.arange(3))) <= {s for s in model.segments_}
    assert model.segment_sizes_.sum() == 3


def test_repeat_reference_ranks_by_days_then_recency(data):
    model = RepeatPurchases().fit(data)
    cols, scores = model.score(np.array([0, 1, 2]), 3, exclude_bought=False)
    # c1: A 3 days, D 1. c2: A, B, C one day each: the most recent first (B 02-01, A 10-05, C 06-01).
    # c3: D 2 days, then A and B bought the same day (lower column first).
    assert cols.tolist() == [[A, D, -1], [B, A, C], [D, A, B]]
    np.testing.assert_array_equal(scores[0, :2], [3, 1])
    assert model.score(np.array([0]), 3, exclude_bought=True)[0].tolist() == [[-1, -1, -1]]


def test_purchase_cycle_scores_and_details(data):
    model = PurchaseCycle().fit(data)
    det = model.details(np.array([0, 2, 1, 0]), np.array([A, D, C, B]))
    # c1's A: gaps 31 and 30 days -> median 30.5; last 2020-12-01, 90 days before 2021-03-01.
    # c3's D: one gap of 27 days; last 02-25, 4 days before. c2's C: bought once -> C's cycle is
    # nobody's own, so the shop's median of the customer-product cycles (30.5 and 27: 28.75).
    assert det["purchase_days"].tolist()[:3] == [3.0, 2.0, 1.0]
    assert det["cycle_days"].tolist()[:3] == [30.5, 27.0, 28.75]
    assert det["days_since_last"].tolist()[:3] == [90.0, 4.0, 273.0]
    assert np.isnan(det.iloc[3]).all()  # c1 never bought B
    cols, scores = model.score(np.array([0, 2]), 2, exclude_bought=False)
    # c1: A = 3 + min(91/30.5, 30.5/91); D (bought once, 9 days ago, D's cycle 27) = 1 + 10/27.
    np.testing.assert_allclose(scores[0], [3 + 30.5 / 91, 1 + 10 / 27])
    # c3: D = 2 + 5/27; A and B bought once 181 days ago: A's cycle is c1's 30.5 (the product's
    # median), B's the shop's 28.75, so A is the more due of the two.
    assert cols[1].tolist() == [D, A]
    np.testing.assert_allclose(scores[1], [2 + 5 / 27, 1 + 30.5 / 182])


def test_repeat_round_trip(data, tmp_path):
    model = PurchaseCycle().fit(data)
    np.savez(tmp_path / "r.npz", **model.to_arrays())
    with np.load(tmp_path / "r.npz", allow_pickle=False) as saved:
        again = PurchaseCycle.from_arrays(dict(saved), model.get_params())
    np.testing.assert_array_equal(again.score(np.arange(3), 3, exclude_bought=False)[1],
                                  model.score(np.arange(3), 3, exclude_bought=False)[1])
    pd.testing.assert_frame_equal(again.details(np.array([0]), np.array([A])), model.details(np.array([0]), np.array([A])))


def test_copurchase_cosine_of_baskets_and_because():
    from shopmine.recommend.copurchase import CoPurchase

    # Baskets (customer-days): {A, B}, {A, B}, {A, C}, {B}, {D}.
    data = toy_interactions([
        ("c1", "A", "2021-01-01"), ("c1", "B", "2021-01-01"),
        ("c2", "A", "2021-01-02"), ("c2", "B", "2021-01-02"),
        ("c3", "A", "2021-01-03"), ("c3", "C", "2021-01-03"),
        ("c3", "B", "2021-01-04"),
        ("c4", "D", "2021-01-05"),
    ])
    model = CoPurchase().fit(data)
    # A in 3 baskets, B in 3, C in 1: sim(A, B) = 2 / sqrt(3 * 3); sim(A, C) = 1 / sqrt(3).
    np.testing.assert_allclose(model.similarity_.toarray()[A], [0, 2 / 3, 1 / np.sqrt(3), 0])
    assert model.together_.toarray()[A].tolist() == [0, 2, 1, 0]
    cols, sims = model.similar(np.array([A, D]), 3)
    assert cols.tolist() == [[B, C, -1], [-1, -1, -1]]  # 2/3 before 1/sqrt(3); D shares no basket
    # c1 bought A and B: C is A's neighbour only (B and C never met), A and B each other's.
    cols, scores = model.score(np.array([0]), 4, exclude_bought=True)
    assert cols.tolist() == [[C, -1, -1, -1]]
    np.testing.assert_allclose(scores[0, 0], 1 / np.sqrt(3))
    assert model.because(np.array([0, 3]), np.array([C, C])).tolist() == [A, -1]
    again = CoPurchase.from_arrays(model.to_arrays(), model.get_params())
    np.testing.assert_array_equal(again.similar(np.array([A]), 3)[0], model.similar(np.array([A]), 3)[0])
