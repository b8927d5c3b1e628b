"""RFM scores and segments: hand-computed examples and the coverage of all 25 (R, F) pairs."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from shopmine.customers import SEGMENTS, quintile_scores, rfm_scores, segment_name, segment_table
from shopmine.errors import ShopmineInputError


def test_every_r_f_pair_is_in_exactly_one_segment():
    for r, f in itertools.product(range(1, 6), repeat=2):
        owners = [s.name for s in SEGMENTS if r in s.r_scores and f in s.f_scores]
        assert len(owners) == 1, (r, f, owners)


@pytest.mark.parametrize(("r", "f", "name"), [
    (5, 5, "Champions"), (5, 4, "Champions"), (4, 4, "Loyal customers"), (3, 5, "Loyal customers"),
    (4, 2, "Potential loyalists"), (5, 3, "Potential loyalists"), (5, 1, "New customers"), (4, 1, "Promising"),
    (3, 3, "Need attention"), (3, 1, "About to sleep"), (3, 2, "About to sleep"), (2, 3, "At risk"),
    (1, 4, "At risk"), (1, 5, "Can't lose them"), (2, 5, "Can't lose them"), (1, 1, "Hibernating"),
    (2, 2, "Hibernating"),
])
def test_segment_names(r, f, name):
    assert segment_name(r, f) == name


def _ten_customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(10)],
        "recency_days": [5, 40, 10, 200, 10, 90, 1, 300, 60, 20],
        "frequency": [3, 1, 8, 1, 2, 1, 12, 1, 4, 2],
        "monetary": [100.0, 20.0, 800.0, 15.0, 60.0, 30.0, 1500.0, 5.0, 300.0, 70.0],
    })


def test_ten_customers_by_hand():
    scored = rfm_scores(_ten_customers())
    # Two customers per quintile. Recency ascending: 1(c6) 5(c0) | 10(c2) 10(c4) | 20(c9) 40(c1)
    # | 60(c8) 90(c5) | 200(c3) 300(c7); the smallest recency scores 5; the tie 10/10 is broken by
    # first occurrence, both in the same quintile here.
    assert scored["r_score"].tolist() == [5, 3, 4, 1, 4, 2, 5, 1, 2, 3]
    # Frequency ranks (first occurrence breaks ties): the four 1s are c1, c3, c5, c7 -> ranks 1..4,
    # then 2s c4, c9 -> 5, 6; 3 (c0) 7; 4 (c8) 8; 8 (c2) 9; 12 (c6) 10.
    assert scored["f_score"].tolist() == [4, 1, 5, 1, 3, 2, 5, 2, 4, 3]
    # Monetary: 5 c7, 15 c3 | 20 c1, 30 c5 | 60 c4, 70 c9 | 100 c0, 300 c8 | 800 c2, 1500 c6.
    assert scored["m_score"].tolist() == [4, 2, 5, 1, 3, 2, 5, 1, 4, 3]


def test_ties_broken_by_first_occurrence():
    # Every customer bought once: the scores still fill all five quintiles, in row order.
    assert quintile_scores(pd.Series([1] * 10)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_segment_table_by_hand():
    scored = rfm_scores(_ten_customers())
    scored["rfm_segment"] = [segment_name(r, f) for r, f in zip(scored["r_score"], scored["f_score"])]
    table = segment_table(scored).set_index("rfm_segment")
    assert table.index.tolist() == [s.name for s in SEGMENTS]
    assert table["customers"].sum() == 10
    # Champions: c0 (R5, F4; 3 orders, 100, 5 days) and c6 (R5, F5; 12 orders, 1500, 1 day);
    # c2 (R4, F5) is a Loyal customer. Net revenue of all ten: 2900.
    assert table.loc["Champions", "customers"] == 2
    assert table.loc["Champions", "revenue_share"] == pytest.approx(1600 / 2900)
    assert table.loc["Champions", "avg_order_value"] == pytest.approx(1600 / 15)
    assert table.loc["Champions", "avg_recency_days"] == 3
    assert table.loc["Loyal customers", "customers"] == 1
    assert table.loc["New customers", "customers"] == 0
    assert table["action"].str.len().min() > 10


def test_one_customer_cannot_be_scored():
    with pytest.raises(ShopmineInputError, match="at least 2"):
        rfm_scores(_ten_customers().head(1))
