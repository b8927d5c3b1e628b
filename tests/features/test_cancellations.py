"""Cancellations matched to their sale, and bulk lines, on hand-made logs (shopmine.features.lines)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from shopmine.errors import ShopmineInputError
from shopmine.features import calibration_and_holdout, classify_lines, customer_summary, sales_panel
from shopmine.features.lines import _has_candidates

from .helpers import toy_orders

AS_OF = dt.date(2021, 3, 1)


def line(order: str, customer: str | None, product: str, at: str, quantity: float, price: float,
         **extra) -> dict:
    return {"order_id": order, "customer_id": customer, "product_id": product, "ordered_at": at,
            "quantity": quantity, "unit_price": price, **extra}


def panel(rows: list[dict], **kwargs) -> pd.DataFrame:
    frame = sales_panel(toy_orders(rows), level="product", freq="D", as_of=AS_OF, **kwargs).to_pandas()
    frame["ds"] = frame["ds"].dt.date
    return frame.set_index(["unique_id", "ds"])


def customers(rows: list[dict], **kwargs) -> pd.DataFrame:
    return customer_summary(toy_orders(rows), as_of=AS_OF, **kwargs).to_pandas().set_index("customer_id")


def day(month: int, d: int) -> dt.date:
    return dt.date(2021, month, d)


def test_sale_cancelled_by_later_c_invoice_within_window_has_zero_demand():
    # 10 × 2.00 sold on 01-02, cancelled by invoice C1 (status cancelled) three days later.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 10, 2.0),
            line("C1", "c1", "A", "2021-01-05 09:00", -10, 2.0, status="cancelled"),
            line("2", "c1", "B", "2021-01-03 10:00", 1, 5.0)]
    p = panel(rows)
    a = p.loc[("A", day(1, 2))]
    assert (a.units, a.gross_units, a.revenue, a.gross_revenue, a.cancelled_units, a.orders) == (
        0.0, 10.0, 0.0, 20.0, 10.0, 0)
    assert p.loc["A"].units.sum() == 0 and p.loc["A"].returns.sum() == 0  # not a return either
    c = customers(rows).loc["c1"]
    # One purchase left (order 2, B): spend 5.00, first and last purchase on 01-03.
    assert (c.frequency, c.monetary, c.gross_revenue, c.units, c.cancelled_units) == (1, 5.0, 25.0, 1.0, 10.0)
    assert (c.purchase_days, c.returned_value) == (1, 0.0)
    assert c.first_purchase == pd.Timestamp("2021-01-03 10:00")


def test_cancellation_outside_window_is_a_return():
    # The cancellation comes 44 days after the sale: beyond the default 30 days it is a return
    # (demand stays 10 on 01-02, 10 returned units on 02-15); with a 60-day window it cancels.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 10, 2.0),
            line("C1", "c1", "A", "2021-02-15 10:00", -10, 2.0, status="cancelled")]
    p = panel(rows)
    assert p.loc[("A", day(1, 2))].units == 10.0
    assert p.loc[("A", day(2, 15))].returns == 10.0 and p.loc["A"].cancelled_units.sum() == 0
    c = customers(rows).loc["c1"]
    assert (c.frequency, c.monetary, c.returned_value) == (1, 0.0, 20.0)
    wide = panel(rows, cancel_window_days=60)
    assert wide.loc[("A", day(1, 2))].units == 0.0 and wide.loc["A"].returns.sum() == 0.0
    assert customers(rows, cancel_window_days=60).empty  # no purchase left: no customer


def test_partial_cancellation():
    # 10 × 2.00 with list price 2.50, 4 cancelled: net 6 units, £12 revenue, list value 15.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 10, 2.0, list_price=2.5),
            line("C1", "c1", "A", "2021-01-02 10:12", -4, 2.0, status="cancelled")]
    a = panel(rows).loc[("A", day(1, 2))]
    assert (a.units, a.revenue, a.cancelled_units, a.returns, a.orders) == (6.0, 12.0, 4.0, 0.0, 1)
    assert a.avg_price == 2.0 and a.avg_list_price == 2.5 and a.discount_share == 1.0
    c = customers(rows).loc["c1"]
    assert (c.frequency, c.monetary, c.units, c.avg_order_value) == (1, 12.0, 6.0, 12.0)


def test_cancellation_beyond_the_sold_units_leaves_a_return():
    # 10 sold, 15 cancelled: 10 cancel the sale, the other 5 are returned units (at 2.00).
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 10, 2.0),
            line("C1", "c1", "A", "2021-01-03 10:00", -15, 2.0, status="cancelled")]
    p = panel(rows)
    assert p.loc[("A", day(1, 2))].units == 0.0 and p.loc[("A", day(1, 3))].returns == 5.0
    lines = classify_lines(toy_orders(rows), before=AS_OF).to_pandas().set_index("order_id")
    assert lines.loc["C1"].returned_units == 5.0 and lines.loc["C1"].returned_value == 10.0


def test_most_recent_sale_is_cancelled_and_cancellations_use_it_up_in_time_order():
    # Sales of 4 (01-02) and 3 (01-04); cancellations of 2 (01-05) then 2 (01-06) go to the most
    # recent sale: the first takes 2 of its 3 units, the second the last 1 and returns 1.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 4, 1.0),
            line("2", "c1", "A", "2021-01-04 10:00", 3, 1.0),
            line("C1", "c1", "A", "2021-01-05 10:00", -2, 1.0, status="cancelled"),
            line("C2", "c1", "A", "2021-01-06 10:00", -2, 1.0, status="cancelled")]
    p = panel(rows)
    assert p.loc[("A", day(1, 2))].units == 4.0
    assert p.loc[("A", day(1, 4))].units == 0.0 and p.loc[("A", day(1, 4))].cancelled_units == 3.0
    assert p.loc[("A", day(1, 5))].returns == 0.0 and p.loc[("A", day(1, 6))].returns == 1.0


def test_order_netting_to_zero_is_not_a_purchase():
    # Order 2 sells A and B and takes both back in the same order (negative lines, no status):
    # it is no purchase; order 1 is the customer's only purchase (3 × 1.50).
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 3, 1.5),
            line("2", "c1", "A", "2021-01-09 10:00", 2, 1.5),
            line("2", "c1", "B", "2021-01-09 10:00", 1, 4.0),
            line("2", "c1", "A", "2021-01-09 10:00", -2, 1.5),
            line("2", "c1", "B", "2021-01-09 10:00", -1, 4.0)]
    c = customers(rows).loc["c1"]
    assert (c.frequency, c.purchase_days, c.monetary, c.recency_lt, c.frequency_lt) == (1, 1, 4.5, 0, 0)
    assert c.last_purchase == pd.Timestamp("2021-01-02 10:00")
    p = panel(rows)
    assert p.loc[("A", day(1, 9))].units == 0.0 and p.loc[("A", day(1, 9))].orders == 0
    # A negative line without a cancelled status in another order is a return, not a cancellation.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 3, 1.5), line("9", "c1", "A", "2021-01-03 10:00", -1, 1.5)]
    assert panel(rows).loc[("A", day(1, 2))].units == 3.0 and panel(rows).loc[("A", day(1, 3))].returns == 1.0


def test_return_status_line_in_the_order_stays_a_return():
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 3, 1.5),
            line("1", "c1", "A", "2021-01-02 10:00", -1, 1.5, status="Returned")]
    a = panel(rows).loc[("A", day(1, 2))]
    assert (a.units, a.returns, a.cancelled_units) == (3.0, 1.0, 0.0)


def test_guest_cancellation_within_the_order():
    # Guest order g1 sells 5 A and cancels them in the same order: no demand. Guest order g2's
    # sale of 2 A is followed by a cancellation invoice of another (guest) order: guests match
    # within their order only, so it is a return and g2's demand stays.
    rows = [line("g1", None, "A", "2021-01-02 10:00", 5, 1.0),
            line("g1", None, "A", "2021-01-02 10:05", -5, 1.0, status="cancelled"),
            line("g2", None, "A", "2021-01-03 10:00", 2, 1.0),
            line("Cg2", None, "A", "2021-01-03 11:00", -2, 1.0, status="cancelled")]
    p = panel(rows)
    assert (p.loc[("A", day(1, 2))].units, p.loc[("A", day(1, 2))].returns) == (0.0, 0.0)
    assert (p.loc[("A", day(1, 3))].units, p.loc[("A", day(1, 3))].returns) == (2.0, 2.0)


def test_bulk_line_flagged_and_excluded():
    # A's lines: 2, 2, 3, 2 and 100 units; median 2, fence 10 × 2 = 20: the 100-unit line is bulk.
    # units keeps the demand (109); the model measure caps the bulk line at 20 (2+2+3+2+20 = 29).
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 2, 1.0),
            line("2", "c2", "A", "2021-01-02 11:00", 2, 1.0),
            line("3", "c3", "A", "2021-01-02 12:00", 3, 1.0),
            line("4", "c4", "A", "2021-01-03 10:00", 2, 1.0),
            line("5", "c5", "A", "2021-01-03 11:00", 100, 1.0),
            # B: one line of 50 is B's usual size (a single line is never bulk)
            line("6", "c1", "B", "2021-01-03 10:00", 50, 1.0)]
    lines = classify_lines(toy_orders(rows), before=AS_OF).to_pandas().set_index("order_id")
    assert list(lines.index[lines.is_bulk_outlier]) == ["5"]
    assert lines.loc["5"].model_units == 20.0 and lines.loc["5"].sale_units == 100.0
    p = panel(rows)
    assert (p.loc[("A", day(1, 2))].units_model, p.loc[("A", day(1, 2))].bulk_lines) == (7.0, 0)
    d3 = p.loc[("A", day(1, 3))]
    assert (d3.units, d3.units_model, d3.bulk_lines) == (102.0, 22.0, 1)
    assert p.loc["A"].units_model.sum() == 29.0 and p.loc["A"].units.sum() == 109.0
    assert p.loc[("B", day(1, 3))].units_model == 50.0
    # A factor of 60 lets the line through.
    wide = classify_lines(toy_orders(rows), before=AS_OF, bulk_factor=60).to_pandas()
    assert not wide.is_bulk_outlier.any()


def test_holdout_purchases_exclude_cancelled_orders():
    # c1 buys on 01-02 and 02-10; the 02-10 order is cancelled on 02-11: no holdout purchase.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 1, 3.0),
            line("2", "c1", "A", "2021-02-10 10:00", 1, 3.0),
            line("C2", "c1", "A", "2021-02-11 10:00", -1, 3.0, status="cancelled")]
    out = calibration_and_holdout(toy_orders(rows), calibration_end=day(1, 31),
                                  observation_end=day(2, 27)).to_pandas().set_index("customer_id")
    assert (out.loc["c1"].frequency_holdout, out.loc["c1"].monetary_value_holdout) == (0, 0.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"cancel_window_days": -1}, r"^cancel_window_days must be a whole number of days, at least 0; got -1\.$"),
    ({"cancel_window_days": 2.5}, r"^cancel_window_days must be .*; got 2\.5\.$"),
    ({"bulk_factor": 0.5}, r"^bulk_factor must be a number of at least 1; got 0\.5\.$"),
])
def test_bad_cancellation_arguments(kwargs, message):
    orders = toy_orders([line("1", "c1", "A", "2021-01-02 10:00", 1, 3.0)])
    with pytest.raises(ShopmineInputError, match=message):
        classify_lines(orders, before=AS_OF, **kwargs)


def test_bulk_fence_is_the_far_out_log_fence_for_a_widely_spread_product():
    # W sells 1, 1, 12, 12, 24 and 300: median 12 (10 × = 120), Q1 = 1 + 0.25 × 11 = 3.75,
    # Q3 = 12 + 0.75 × 12 = 21, far-out log fence 21 × (21 / 3.75) ** 3 = 3,687.936: the 300-unit
    # line is an ordinary wholesale line of W, not bulk; 3,700 would be.
    quantities = [1, 1, 12, 12, 24, 300]
    rows = [line(str(i), f"c{i}", "W", f"2021-01-0{i + 1} 10:00", q, 1.0) for i, q in enumerate(quantities)]
    lines = classify_lines(toy_orders(rows), before=AS_OF).to_pandas()
    assert not lines.is_bulk_outlier.any()
    rows[5]["quantity"] = 3700
    # With 3,700 instead, Q3 and Q1 are unchanged (the top line moves only the maximum).
    lines = classify_lines(toy_orders(rows), before=AS_OF).to_pandas().set_index("order_id")
    assert list(lines.index[lines.is_bulk_outlier]) == ["5"]
    assert lines.loc["5"].model_units == pytest.approx(21 * (21 / 3.75) ** 3, rel=1e-12)


def test_bulk_lines_cancelled_within_their_order_move_nothing():
    # A shop's log, and the same log with two bulk lines (5,000 × A and 900 × B at 1.00) each
    # cancelled within its own order: every net and model measure of the panel and every customer
    # measure but the gross and cancelled ones must be equal.
    base = [line("1", "c1", "A", "2021-01-02 10:00", 2, 1.0),
            line("2", "c2", "A", "2021-01-03 10:00", 3, 1.0),
            line("3", "c1", "A", "2021-01-05 10:00", 2, 1.0),
            line("3b", "c2", "A", "2021-01-05 11:00", 2, 1.0),
            line("3c", "c3", "A", "2021-01-06 11:00", 3, 1.0),
            line("4", "c2", "B", "2021-01-05 11:00", 4, 2.5),
            line("5", "c3", "B", "2021-01-06 10:00", 5, 2.5),
            line("6", "c3", "A", "2021-01-07 10:00", 40, 1.0)]
    noisy = base + [line("7", "c1", "A", "2021-01-04 10:00", 5_000, 1.0),
                    line("7", "c1", "A", "2021-01-04 10:00", -5_000, 1.0),
                    line("8", "c4", "B", "2021-01-05 12:00", 900, 1.0),
                    line("8", "c4", "B", "2021-01-05 12:00", -900, 1.0)]
    net = ["units", "revenue", "returns", "orders", "units_model", "bulk_lines", "avg_price"]
    p0, p1 = panel(base), panel(noisy)
    pd.testing.assert_frame_equal(p0[net], p1[net])
    # The 40-unit line of A is bulk in both logs: net lines 2, 2, 2, 3, 3, 40, median 2.5, Q1 = 2,
    # Q3 = 3, fence max(10 × 2.5, 3 × (3/2) ** 3 = 10.1) = 25.
    assert p0.loc[("A", day(1, 7))].bulk_lines == 1 and p0.loc[("A", day(1, 7))].units_model == 25.0
    assert p1.loc[("A", day(1, 4))].gross_units == 5_000.0 and p1.loc[("A", day(1, 4))].units == 0.0
    kept = ["frequency", "monetary", "recency_days", "units", "purchase_days", "frequency_lt",
            "recency_lt", "T", "monetary_value"]
    pd.testing.assert_frame_equal(customers(base)[kept], customers(noisy)[kept])  # c4 is no customer


def test_log_without_a_line_that_may_cancel_skips_matching_with_the_same_answers():
    # Returns only (a negative line with status returned, a positive line with status returned):
    # nothing can be matched, so the lines are classified in one pass. One unmatched correction
    # line of another customer and product (no sale in its order) makes the same log go through
    # the matching; every other line must come out the same.
    rows = [line("1", "c1", "A", "2021-01-02 10:00", 3, 2.0),
            line("R1", "c1", "A", "2021-01-05 10:00", -1, 2.0, status="returned"),
            line("2", None, "B", "2021-01-03 10:00", 2, 5.0, status="returned"),
            line("3", "c2", "A", "2021-01-04 10:00", 40, 2.0)]
    correction = line("9", "c9", "Z", "2021-01-10 10:00", -1, 1.0)
    assert not _has_candidates(toy_orders(rows), AS_OF) and _has_candidates(toy_orders(rows + [correction]), AS_OF)
    keys = ["order_id", "product_id"]
    plain = classify_lines(toy_orders(rows), before=AS_OF).to_pandas().sort_values(keys).reset_index(drop=True)
    matched = classify_lines(toy_orders(rows + [correction]), before=AS_OF).to_pandas()
    z = matched[matched.order_id == "9"].iloc[0]
    assert (z.returned_units, z.returned_value, z.sale_units) == (1.0, 1.0, 0.0)  # unmatched: a return
    matched = matched[matched.order_id != "9"].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(plain, matched)
    by_order = plain.set_index("order_id")
    assert (by_order.loc["1", "sale_units"], by_order.loc["1", "sale_revenue"]) == (3.0, 6.0)
    assert (by_order.loc["R1", "returned_units"], by_order.loc["R1", "returned_value"]) == (1.0, 2.0)
    assert (by_order.loc["2", "returned_units"], by_order.loc["2", "returned_value"], by_order.loc["2", "is_sale"]) == (
        2.0, 10.0, False)
    # A's lines are 3 and 40 units: median 21.5 (× 10 = 215), quartiles 12.25 and 30.75, log fence
    # 30.75 × (30.75 / 12.25)³ = 486.4: no bulk line, model units are the net units.
    assert not plain.is_bulk_outlier.any() and (plain.model_units == plain.sale_units).all()
