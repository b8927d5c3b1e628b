"""Choosing parameters on the validation month inside the training period (shopmine.recommend.tuning)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.recommend.als import ALS
from shopmine.recommend.item_knn import ItemKNN
from shopmine.recommend.tuning import ALS_GRID, TunedModel, grid, tune, validation_split

from .toy import toy_interactions

AS_OF = dt.date(2021, 3, 1)  # validation window of 30 days: 2021-01-30 .. 2021-02-28

LOG = [
    ("a", "X", "2021-01-05"), ("a", "Y", "2021-01-06"), ("a", "X", "2021-02-10"), ("a", "Z", "2021-02-11"),
    ("b", "Y", "2021-01-07"), ("b", "Z", "2021-01-08"),
    ("c", "Z", "2021-02-20"),  # first seen inside the window: not a validation customer
]


def test_validation_split_by_hand():
    split = validation_split(toy_interactions(LOG, as_of=AS_OF), 30)
    assert split.as_of == dt.date(2021, 1, 30)
    assert list(split.train.customer_ids) == ["a", "b"]
    assert split.train.days["day"].max() == dt.date(2021, 1, 8)
    assert split.truth_all.values.tolist() == [["a", "X"], ["a", "Z"]]
    assert split.truth_new.values.tolist() == [["a", "Z"]]


def test_grid_is_every_combination():
    assert grid(a=[1, 2], b=["x"]) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert len(ALS_GRID) == 3 * 2 * 4 + 3


def _groups_log():
    # Two groups that never share a product; every customer bought in January and comes back in
    # February for a product of their group.
    rows = []
    for g, products in (("g", ["A", "B", "C"]), ("h", ["D", "E", "F"])):
        for i in range(6):
            first, second = products[i % 3], products[(i + 1) % 3]
            rows += [(f"{g}{i}", first, "2021-01-03"), (f"{g}{i}", second, "2021-01-10"),
                     (f"{g}{i}", products[(i + 2) % 3], "2021-02-15")]
    return rows


def test_tune_keeps_the_best_validation_ndcg_and_refits_on_all_data():
    data = toy_interactions(_groups_log(), as_of=AS_OF)
    candidates = [{"weighting": "cosine", "neighbours": 1}, {"weighting": "cosine", "neighbours": 3}]
    tuned = tune(ItemKNN(), data, candidates, variant="new")
    assert len(tuned.scores) == 2
    assert tuned.params == candidates[int(tuned.scores["ndcg"].to_numpy().argmax())]
    # With 3 neighbours every product of the group is a neighbour: each validation customer's one new
    # item (the third product of their group) is their only new candidate, ranked first: NDCG 1.
    # One neighbour per product misses some of them.
    assert tuned.scores["ndcg"].iloc[1] == 1.0
    assert tuned.scores["ndcg"].iloc[0] < 1.0
    assert tuned.params == {"weighting": "cosine", "neighbours": 3}
    # Refitted on everything before as_of, February included.
    assert tuned.model.bought_.shape == data.matrix.shape
    assert tuned.model.bought_.sum() == data.matrix.sum()


def test_tuned_model_scores_with_the_chosen_setting():
    data = toy_interactions(_groups_log(), as_of=AS_OF)
    model = TunedModel(ItemKNN(weighting="cosine"), [{"neighbours": 1}, {"neighbours": 3}],
                       variant="new").fit(data)
    assert model.name == "item_knn_cosine_tuned"
    assert model.get_params()["neighbours"] == 3
    direct = ItemKNN(weighting="cosine", neighbours=3).fit(data)
    rows = np.arange(data.n_customers)
    np.testing.assert_array_equal(model.score(rows, 3, exclude_bought=False)[0],
                                  direct.score(rows, 3, exclude_bought=False)[0])


def test_no_validation_month_is_an_input_error():
    data = toy_interactions([("a", "X", "2021-02-20")], as_of=AS_OF)
    with pytest.raises(ShopmineInputError, match="no customer of the training period bought anything in the 30 "
                                                 "days before 2021-03-01"):
        tune(ALS(), data, ALS_GRID)
