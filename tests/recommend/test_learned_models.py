"""Item-kNN, ALS, BPR and EASE on a hand-made log with a known answer: two groups of customers who
never share a product, so every model must recommend within the customer's group."""

from __future__ import annotations

import numpy as np
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.recommend import CandidateModel
from shopmine.recommend.als import ALS
from shopmine.recommend.bpr import BPR
from shopmine.recommend.ease import EASE
from shopmine.recommend.item_knn import ItemKNN

from .toy import toy_interactions

# Group 1 buys products A, B, C; group 2 buys D, E, F. Customer "g1_new" bought A and B only, so C is
# the one new product of their group; "g2_new" bought D and E only.
GROUP1, GROUP2 = ["A", "B", "C"], ["D", "E", "F"]


def _log():
    rows = []
    for g, products in (("g1", GROUP1), ("g2", GROUP2)):
        for i in range(8):
            for j, p in enumerate(products):
                for day in range(1 + (i + j) % 3):  # 1..3 purchase days per product
                    rows.append((f"{g}_{i}", p, f"2021-01-{1 + day + j:02d}"))
        rows += [(f"{g}_new", products[0], "2021-02-01"), (f"{g}_new", products[1], "2021-02-02")]
    return rows


@pytest.fixture(scope="module")
def data():
    return toy_interactions(_log())


MODELS = [ItemKNN(weighting="cosine"), ItemKNN(weighting="bm25"), ALS(factors=4, iterations=20),
          BPR(factors=4, iterations=200), EASE(l2=1.0)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_recommends_within_the_group(model, data):
    assert isinstance(model, CandidateModel)
    fitted = type(model)(**model.get_params()).fit(data)
    rows = data.customer_index(["g1_new", "g2_new"])
    cols, scores = fitted.score(rows, 1, exclude_bought=True)
    assert list(data.product_ids[cols[:, 0]]) == ["C", "F"]
    cols, _ = fitted.score(rows, 3, exclude_bought=False)
    assert set(data.product_ids[cols[0]]) == set(GROUP1)
    assert set(data.product_ids[cols[1]]) == set(GROUP2)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_save_load_round_trip_gives_the_same_scores(model, data, tmp_path):
    fitted = type(model)(**model.get_params()).fit(data)
    np.savez(tmp_path / "m.npz", **fitted.to_arrays())
    with np.load(tmp_path / "m.npz", allow_pickle=False) as saved:
        loaded = type(model).from_arrays(dict(saved), fitted.get_params())
    rows = np.arange(data.n_customers)
    for exclude in (False, True):
        np.testing.assert_array_equal(loaded.score(rows, 4, exclude_bought=exclude)[0],
                                      fitted.score(rows, 4, exclude_bought=exclude)[0])
        np.testing.assert_allclose(loaded.score(rows, 4, exclude_bought=exclude)[1],
                                   fitted.score(rows, 4, exclude_bought=exclude)[1])


@pytest.mark.parametrize("model", [ALS(factors=4), BPR(factors=4, iterations=20)], ids=lambda m: m.name)
def test_factor_models_are_deterministic(model, data):
    a = type(model)(**model.get_params()).fit(data)
    b = type(model)(**model.get_params()).fit(data)
    np.testing.assert_array_equal(a.item_factors_, b.item_factors_)
    np.testing.assert_array_equal(a.user_factors_, b.user_factors_)


def test_ease_weights_have_a_zero_diagonal_and_no_cross_group_weight(data):
    model = EASE(l2=1.0).fit(data)
    np.testing.assert_array_equal(np.diag(model.weights_), 0.0)
    g1 = data.product_index(GROUP1)
    g2 = data.product_index(GROUP2)
    np.testing.assert_allclose(model.weights_[np.ix_(g1, g2)], 0.0, atol=1e-6)
    assert (model.weights_[np.ix_(g1, g1)][~np.eye(3, dtype=bool)] > 0).all()


def test_ease_refuses_a_catalogue_beyond_its_limit(data):
    with pytest.raises(ShopmineInputError, match=r"this shop has 6 products, more than max_products=5"):
        EASE(max_products=5).fit(data)


def test_item_knn_neighbours_and_reason(data):
    model = ItemKNN(weighting="cosine").fit(data)
    a, c = data.product_index(["A", "C"])
    cols, scores = model.similar(np.array([a]), 5)
    # A's neighbours are B and C (its group), never itself nor the other group.
    assert set(data.product_ids[cols[0][cols[0] >= 0]]) == {"B", "C"}
    assert np.isnan(scores[0, 2:]).all()
    # C is suggested to g1_new because of A or B, whichever contributes more.
    row = data.customer_index(["g1_new"])
    source = model.because(row, np.array([c]))
    assert data.product_ids[source[0]] in {"A", "B"}


@pytest.mark.parametrize("model, message", [
    (ALS(factors=0), "factors must be an integer of at least 1; got 0."),
    (ALS(alpha=0), "alpha must be a number above 0.0; got 0."),
    (ALS(weighting="tfidf"), "weighting must be one of log, bm25; got 'tfidf'."),
    (BPR(learning_rate=-1), "learning_rate must be a number above 0.0; got -1."),
    (ItemKNN(neighbours=0), "neighbours must be an integer of at least 1; got 0."),
    (ItemKNN(weighting="jaccard"), "weighting must be one of cosine, bm25; got 'jaccard'."),
    (EASE(l2=0), "l2 must be a number above 0.0; got 0."),
])
def test_bad_parameters_are_named(model, message, data):
    with pytest.raises(ShopmineInputError) as err:
        model.fit(data)
    assert str(err.value) == message
