"""The interaction matrix on a hand-made log (shopmine.recommend.interactions) and top_n (base)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import scipy.sparse as sp

from shopmine.errors import ShopmineInputError
from shopmine.recommend import build_interactions, top_n

from features.helpers import toy_orders

AS_OF = dt.date(2021, 3, 1)


def _line(order, customer, product, when, qty, price=2.0, **kw):
    return {"order_id": order, "customer_id": customer, "product_id": product, "ordered_at": when,
            "quantity": qty, "unit_price": price, **kw}


@pytest.fixture(scope="module")
def data():
    orders = toy_orders([
        # c1: A on two days (twice on the first day, in two orders: still one day), B once.
        _line("o1", "c1", "A", "2021-01-05 10:00", 2),
        _line("o2", "c1", "A", "2021-01-05 17:00", 1),
        _line("o3", "c1", "A", "2021-02-01 09:00", 3),
        _line("o3", "c1", "B", "2021-02-01 09:00", 1, price=5.0),
        # c2: C bought, then wholly cancelled by a cancellation invoice: no purchase. D bought and
        # half cancelled: still a purchase of 2 net units.
        _line("o4", "c2", "C", "2021-01-10 12:00", 2),
        _line("x4", "c2", "C", "2021-01-11 12:00", -2, status="cancelled"),
        _line("o5", "c2", "D", "2021-01-20 12:00", 4),
        _line("x5", "c2", "D", "2021-01-21 12:00", -2, status="cancelled"),
        # c3: B on one day; a shipping line is no product.
        _line("o6", "c3", "B", "2021-02-10 08:00", 1, price=5.0),
        _line("o6", "c3", "SHIP", "2021-02-10 08:00", 1, price=4.0, line_type="shipping"),
        # a guest buys C: guests are left out.
        _line("g1", None, "C", "2021-02-11 08:00", 1),
        _line("g2", "", "A", "2021-02-12 08:00", 1),
        # on the as-of date: after the cut-off.
        _line("o7", "c3", "A", "2021-03-01 00:00", 1),
    ])
    return build_interactions(orders, as_of=AS_OF)


def test_rows_columns_and_day_counts(data):
    assert list(data.customer_ids) == ["c1", "c2", "c3"]
    # C was only bought by c2 (cancelled) and a guest: no column.
    assert list(data.product_ids) == ["A", "B", "D"]
    assert data.matrix.dtype == np.float32
    assert isinstance(data.matrix, sp.csr_matrix)
    np.testing.assert_array_equal(data.matrix.toarray(), [[2, 1, 0], [0, 0, 1], [0, 1, 0]])
    assert data.as_of == AS_OF


def test_days_frame(data):
    days = data.days
    assert list(days.columns) == ["customer_id", "product_id", "day", "units", "revenue"]
    assert days[["customer_id", "product_id"]].values.tolist() == [
        ["c1", "A"], ["c1", "A"], ["c1", "B"], ["c2", "D"], ["c3", "B"]]
    assert days["day"].tolist() == [dt.date(2021, 1, 5), dt.date(2021, 2, 1), dt.date(2021, 2, 1),
                                    dt.date(2021, 1, 20), dt.date(2021, 2, 10)]
    assert days["units"].tolist() == [3.0, 3.0, 1.0, 2.0, 1.0]
    assert days["revenue"].tolist() == [6.0, 6.0, 5.0, 4.0, 5.0]


def test_index_lookups(data):
    assert data.customer_index(["c3", "nobody", "c1"]).tolist() == [2, -1, 0]
    assert data.product_index(["D", "C"]).tolist() == [2, -1]
    assert data.customer_index([]).tolist() == []


def test_bad_as_of_names_the_parameter():
    orders = toy_orders([_line("o1", "c1", "A", "2021-01-05 10:00", 2)])
    with pytest.raises(ShopmineInputError, match="as_of"):
        build_interactions(orders, as_of="yesterday")


def test_top_n_orders_pads_and_excludes():
    scores = np.array([[1.0, 3.0, 3.0, np.nan, 2.0],
                       [0.0, 0.0, 0.0, 0.0, 0.0],
                       [-np.inf] * 5])
    idx, val = top_n(scores, 2)
    assert idx.tolist() == [[1, 2], [0, 1], [-1, -1]]
    np.testing.assert_array_equal(val, [[3, 3], [0, 0], [np.nan, np.nan]])
    idx, val = top_n(scores, 7)  # more than the catalogue: padding after the candidates
    assert idx[0].tolist() == [1, 2, 4, 0, -1, -1, -1]
    idx, _ = top_n(scores, 3, exclude=sp.csr_matrix(np.eye(3, 5)))
    assert idx.tolist() == [[1, 2, 4], [0, 2, 3], [-1, -1, -1]]
    assert top_n(scores, 0)[0].shape == (3, 0)


def test_top_n_matches_a_full_sort_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, (50, 40)).astype(float)
    idx, val = top_n(scores, 7)
    for r in range(50):
        expected = sorted(range(40), key=lambda c: (-scores[r, c], c))[:7]
        assert idx[r].tolist() == expected
        np.testing.assert_array_equal(val[r], scores[r, expected])


def test_top_n_tiebreak_per_product_and_per_row():
    scores = np.array([[2.0, 5.0, 2.0, 2.0], [1.0, 1.0, 1.0, np.nan]])
    idx, _ = top_n(scores, 3, tiebreak=np.array([0.0, 0.0, 3.0, 1.0]))
    assert idx.tolist() == [[1, 2, 3], [2, 0, 1]]
    idx, _ = top_n(scores, 2, tiebreak=np.array([[0, 0, 0, 9], [0, 7, 0, 9]]))
    assert idx.tolist() == [[1, 3], [1, 0]]
