"""The learned re-ranker: it learns a planted rule from the earlier splits, orders candidates by it,
keeps bought products out for new items, saves and loads as plain arrays, and falls back without
history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.recommend import CandidateModel
from shopmine.recommend.item_knn import ItemKNN
from shopmine.recommend.rerank import Reranker
from shopmine.recommend.rerank_features import FEATURES

from .toy import toy_interactions

AS_OF = dt.date(2021, 7, 1)
START = dt.date(2021, 1, 1)


def _periodic_log(seed: int = 0) -> list[tuple[str, str, str]]:
    """40 customers in two groups of 6 products (P00-P05, P06-P11). Each customer buys a "staple"
    every 10 days (from a random offset) up to the as-of date; a "seasonal" product every 2 days in
    the first 60 days only (30 purchase days, more than the staple's 18, then never again); and on
    4 random days one of three "others" of their group. The planted rule: what is bought regularly
    up to now comes back, a product dropped months ago does not. Ranking by purchase days (the repeat
    reference) puts the seasonal product first; the re-ranker must learn from the earlier splits to
    put the staple first."""
    rng = np.random.default_rng(seed)
    rows = []
    span = (AS_OF - START).days
    for c in range(40):
        group = c % 2
        products = [f"P{group * 6 + j:02d}" for j in range(6)]
        staple, seasonal = products[c % 6], products[(c + 3) % 6]
        others = [p for p in products if p not in (staple, seasonal)][:3]
        for day in range(int(rng.integers(0, 10)), span, 10):
            rows.append((f"c{c:02d}", staple, str(START + dt.timedelta(days=day))))
        for day in range(0, 60, 2):
            rows.append((f"c{c:02d}", seasonal, str(START + dt.timedelta(days=day))))
        for day in rng.choice(span, size=4, replace=False):
            rows.append((f"c{c:02d}", str(rng.choice(others)), str(START + dt.timedelta(days=int(day)))))
    return rows


def _staple(customer: str) -> str:
    c = int(customer[1:])
    return f"P{(c % 2) * 6 + c % 6:02d}"


@pytest.fixture(scope="module")
def data():
    return toy_interactions(_periodic_log(), as_of=AS_OF)


@pytest.fixture(scope="module")
def fitted(data):
    return Reranker(models={"item_knn_cosine": ItemKNN(weighting="cosine", neighbours=10)},
                    min_child_samples=5).fit(data)


def test_follows_the_protocol(fitted):
    assert isinstance(fitted, CandidateModel)


def test_learns_the_planted_rule_and_ranks_the_staple_first(fitted, data):
    ranker = fitted.rankers_["all"]
    assert ranker is not None and fitted.rounds_["all"] >= 10
    rows = np.arange(data.n_customers)
    cols, scores = fitted.score(rows, 3, exclude_bought=False)
    top = data.product_ids[cols[:, 0]]
    expected = [_staple(c) for c in data.customer_ids]
    assert list(top) == expected
    # The repeat reference (most purchase days first) would put the seasonal product first.
    days = data.matrix.toarray()
    assert (days[rows, cols[:, 0]] < days.max(axis=1)).all()
    assert (np.diff(scores, axis=1) <= 0).all()


def test_new_items_are_exactly_the_products_not_bought(fitted, data):
    # With 12 products, recent popularity alone proposes every product (n_popular=50): the new-items
    # list is every product the customer did not buy, and none they did.
    rows = np.arange(data.n_customers)
    cols, scores = fitted.score(rows, data.n_products, exclude_bought=True)
    bought = data.matrix.toarray() > 0
    for r in rows:
        got = cols[r][cols[r] >= 0]
        assert set(got) == set(np.flatnonzero(~bought[r]))
        assert (np.diff(scores[r][: len(got)]) <= 0).all()


def test_save_load_round_trip_gives_the_same_scores(fitted, data, tmp_path):
    np.savez(tmp_path / "r.npz", **fitted.to_arrays())
    with np.load(tmp_path / "r.npz", allow_pickle=False) as saved:
        loaded = Reranker.from_arrays(dict(saved), fitted.get_params())
    rows = np.arange(data.n_customers)
    for exclude in (False, True):
        a, sa = fitted.score(rows, 5, exclude_bought=exclude)
        b, sb = loaded.score(rows, 5, exclude_bought=exclude)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(sa, sb)


def test_unknown_model_class_in_a_saved_reranker_is_refused(fitted):
    arrays = fitted.to_arrays()
    arrays["spec"] = np.array(str(arrays["spec"]).replace('"ItemKNN"', '"os.system"'))
    with pytest.raises(ValueError, match="unknown model class 'os.system'"):
        Reranker.from_arrays(arrays, fitted.get_params())


def test_without_history_for_a_split_it_falls_back_to_the_best_source_rank():
    # Every purchase inside the last 30 days: no split has a label window with known customers.
    data = toy_interactions([("a", "X", "2021-06-20"), ("a", "Y", "2021-06-21"), ("a", "Y", "2021-06-25"),
                             ("b", "X", "2021-06-22")], as_of=AS_OF)
    model = Reranker(models={"item_knn_cosine": ItemKNN(weighting="cosine")}).fit(data)
    assert model.rankers_ == {"all": None, "new": None}
    cols, _ = model.score(np.array([0, 1]), 3, exclude_bought=False)
    # a: Y first (history rank 1: two purchase days), then X. b: X.
    assert list(data.product_ids[cols[0][:2]]) == ["Y", "X"]
    assert data.product_ids[cols[1][0]] == "X"
    cols, _ = model.score(np.array([1]), 3, exclude_bought=True)
    assert list(data.product_ids[cols[0][cols[0] >= 0]]) == ["Y"]


def test_k_beyond_the_candidates_pads(fitted, data):
    cols, scores = fitted.score(np.array([0]), data.n_products + 5, exclude_bought=False)
    assert (cols[0, data.n_products:] == -1).all() and np.isnan(scores[0, data.n_products:]).all()
    got = cols[0][cols[0] >= 0]
    assert len(set(got)) == len(got)


def test_feature_names_are_the_rankers_columns(fitted):
    names = fitted.rankers_["all"].feature_name()
    assert names[-len(FEATURES):] == FEATURES
    assert names[:2] == ["history_score", "history_rank"]


def test_precomputed_lists_equal_ranking_each_request(fitted, data):
    live = Reranker.from_arrays({k: v for k, v in fitted.to_arrays().items() if not k.startswith("top.")},
                                fitted.get_params())
    assert live.top_ == {}
    rows = np.array([3, 0, 3, 7])  # repeated and unsorted rows
    for exclude in (False, True):
        a, sa = fitted.score(rows, 4, exclude_bought=exclude)
        b, sb = live.score(rows, 4, exclude_bought=exclude)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(sa, sb)


def test_bad_requests_and_parameters(fitted, data):
    with pytest.raises(ValueError, match="customer rows out of range"):
        fitted.score(np.array([data.n_customers]), 3, exclude_bought=False)
    with pytest.raises(ShopmineInputError, match="precompute must be an integer of at least 0; got -1."):
        Reranker(precompute=-1).fit(data)
    with pytest.raises(ShopmineInputError, match="horizon_days must be an integer of at least 1; got 0."):
        Reranker(horizon_days=0).fit(data)


def test_training_customers_are_sampled_on_a_large_shop(data):
    full = Reranker(models={}, min_child_samples=5, precompute=0).fit(data)
    assert full.train_customers_["all"] == [40, 40]
    small = Reranker(models={}, min_child_samples=5, precompute=0, max_train_customers=7).fit(data)
    assert small.train_customers_["all"] == [7, 7]
    assert small.rankers_["all"] is not None
