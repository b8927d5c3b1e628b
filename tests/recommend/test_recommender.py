"""The Recommender facade: output contract, fill, cold start, filters, similar, save/load (acceptance 5)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.registry.formats import ArrayBundle, decode, encode
from shopmine.recommend.recommender import OUTPUT_COLUMNS, SIMILAR_COLUMNS, Recommender

from .toy import toy_interactions

LOG = [
    ("c1", "A", "2021-01-01"), ("c1", "B", "2021-01-01"), ("c1", "A", "2021-02-01"),
    ("c2", "A", "2021-02-10"), ("c2", "C", "2021-02-10"),
    ("c3", "B", "2021-02-20"), ("c3", "D", "2021-02-20"), ("c3", "E", "2020-05-01"),
    ("c4", "A", "2021-02-25"), ("c4", "B", "2021-02-25"), ("c4", "C", "2021-02-26"), ("c4", "D", "2021-02-27"),
    ("c4", "E", "2021-02-27"),
]
# Every reason the facade gives, in words.
REASON = re.compile(r"you buy this about every (day|\d+ days), last \d+ days? ago|you bought this once, \d+ days? ago"
                    r"|you bought this on \d+ days, last \d+ days? ago|you bought this before, last \d+ days? ago"
                    r"|often bought with .+|popular with customers like you( \(.+\))?|popular this month"
                    r"|bought by customers who buy what you buy")
PRODUCTS = pd.DataFrame({"product_id": ["A", "B", "C", "D", "E"],
                         "name": ["Apple [bold]x[/]", "Bread\nnewline", None, "Dates", "Eggs"],
                         "category": ["food/fruit", "food/bakery", "food/fruit", "food/fruit", "dairy"]})


@pytest.fixture(scope="module", params=["rerank", "blend"])
def rec(request):
    return Recommender(ranker=request.param).fit(toy_interactions(LOG), products=PRODUCTS)


def _check_contract(frame: pd.DataFrame, k: int) -> None:
    assert list(frame.columns) == OUTPUT_COLUMNS
    for _, rows in frame.groupby("customer_id"):
        assert rows["rank"].tolist() == list(range(1, len(rows) + 1)) and len(rows) <= k
        assert not rows["product_id"].duplicated().any()
        assert (np.diff(rows["score"].to_numpy()) <= 0).all()
        assert rows["reason"].map(lambda r: isinstance(r, str) and REASON.fullmatch(r) is not None).all(), \
            rows["reason"].tolist()


def test_known_customers_get_full_lists_with_reasons(rec):
    out = rec.recommend(["c1", "c2"], 3)
    _check_contract(out, 3)
    assert out.groupby("customer_id").size().tolist() == [3, 3]
    first = out.iloc[0]
    # c1 bought A on two days (31 days apart, last 28 days before 2021-03-01): its own habit first.
    assert (first["customer_id"], first["product_id"]) == ("c1", "A")
    assert first["reason"] == "you buy this about every 31 days, last 28 days ago"


def test_cold_start_unknown_customer_gets_recent_popular_items(rec):
    out = rec.recommend(["stranger"], 3)
    _check_contract(out, 3)
    # Buyers in the 30 days before 2021-03-01 (from 01-30): A 3 (c1, c2, c4), then B, C and D 2 each
    # with equal all-time buyers except B (3): B, then C before D by column.
    assert out["product_id"].tolist() == ["A", "B", "C"]
    assert set(out["reason"]) == {"popular this month"}


def test_customer_who_bought_everything_and_k_beyond_the_catalogue(rec):
    out = rec.recommend(["c4"], 50)  # c4 bought all five products
    _check_contract(out, 50)
    assert sorted(out["product_id"]) == ["A", "B", "C", "D", "E"]  # 5 rows: the catalogue, not 50
    # Without repeats nothing new is left: bought products rather than an empty answer.
    out = rec.recommend(["c4"], 3, repeat=False)
    _check_contract(out, 3)
    assert len(out) == 3 and out["reason"].str.startswith("you bought this before").all()


def test_no_repeat_leaves_bought_products_out(rec):
    out = rec.recommend(["c1"], 3, repeat=False)
    _check_contract(out, 3)
    assert not set(out["product_id"]) & {"A", "B"}
    assert len(out) == 3


def test_reasons_name_the_product_bought_with_without_markup_or_control_characters(rec):
    out = rec.recommend(["c2"], 5, repeat=False)
    together = out[out["reason"].str.startswith("often bought with")]
    assert not together.empty
    assert all("\n" not in r for r in out["reason"])
    names = {"often bought with Apple [bold]x[/]", "often bought with C"}  # C has no name: its id
    assert set(together["reason"]) <= names


def test_category_and_inactive_filters(rec):
    out = rec.recommend(["c1", "stranger"], 10, category="food/fruit")
    assert set(out["product_id"]) <= {"A", "C", "D"}
    assert set(rec.recommend(["c1"], 10, category="food")["product_id"]) <= {"A", "B", "C", "D"}
    # E last sold 2021-02-27, D 02-27, C 02-26, B and A 02-25 (as of 03-01): 2 days keep D and E only.
    assert set(rec.recommend(["c3"], 10, exclude_inactive_days=2)["product_id"]) == {"D", "E"}
    with pytest.raises(ShopmineInputError, match=r"category.*'garden'.*top-level categories: dairy, food"):
        rec.recommend(["c1"], 3, category="garden")
    with pytest.raises(ShopmineInputError, match="exclude_inactive_days must be a whole number"):
        rec.recommend(["c1"], 3, exclude_inactive_days=0)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_names_the_parameter(rec, k):
    with pytest.raises(ShopmineInputError, match="k must be a whole number of at least 1"):
        rec.recommend(["c1"], k)


def test_similar_products(rec):
    out = rec.similar("A", 3)
    assert list(out.columns) == SIMILAR_COLUMNS
    assert "A" not in set(out["product_id"]) and len(out) == 3
    assert out["reason"].iloc[0].startswith("bought together with Apple [bold]x[/] in ")
    with pytest.raises(ShopmineInputError, match="product: no product 'Z' was bought"):
        rec.similar("Z", 3)


@pytest.mark.parametrize("ranker", ["rerank", "blend"])
def test_one_product_shop(ranker):
    rec = Recommender(ranker=ranker).fit(toy_interactions([("c1", "A", "2021-01-01"), ("c2", "A", "2021-02-01")]))
    out = rec.recommend(["c1", "new"], 10)
    assert out[["customer_id", "product_id"]].values.tolist() == [["c1", "A"], ["new", "A"]]
    assert rec.recommend(["c1"], 10, repeat=False)["product_id"].tolist() == ["A"]
    assert rec.similar("A", 5).empty


def test_saved_and_loaded_without_pickle_answers_the_same(rec):
    encoded = encode(ArrayBundle(rec.to_arrays()))
    bundle = decode(encoded.format, encoded.files, "test")
    again = Recommender.from_arrays(bundle.arrays, rec.model_params())
    ids = ["c1", "c2", "c3", "c4", "stranger"]
    pd.testing.assert_frame_equal(again.recommend(ids, 4), rec.recommend(ids, 4))
    pd.testing.assert_frame_equal(again.recommend(ids, 4, repeat=False, category="food"),
                                  rec.recommend(ids, 4, repeat=False, category="food"))
    pd.testing.assert_frame_equal(again.similar("B", 3), rec.similar("B", 3))


def test_unknown_ranker_is_refused():
    with pytest.raises(ShopmineInputError, match="ranker must be one of rerank, blend; got 'magic'"):
        Recommender(ranker="magic").fit(toy_interactions(LOG))


def test_scores_like_a_candidate_model(rec):
    cols, scores = rec.score(np.array([0, 3]), 2, exclude_bought=True)
    assert cols.shape == (2, 2) and (cols[1] == -1).all()  # c4 bought everything
