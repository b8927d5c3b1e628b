"""Who bought what, and on which days: the data every recommendation model is fitted on.

A customer's interaction with a product is the number of distinct DAYS on which the customer had a
net sale of it before the as-of date. Days rather than units or lines: a wholesale buyer's 500 units
or an order split over three lines say no more about preference than one purchase, while coming
back on another day does. Sales are net of their matched cancellations
(:func:`shopmine.features.lines.classify_lines`): a wholly cancelled line is no purchase. Guests
(no customer id) are left out: nothing can be recommended to them later.

The per-day aggregate is an Ibis expression over ``orders`` (it runs on DuckDB and Spark alike); only
that aggregate, one row per customer, product and day, is pulled into pandas and scipy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
import scipy.sparse as sp

from shopmine.features.dates import check_day
from shopmine.features.lines import classify_lines

__all__ = ["DAY_COLUMNS", "Interactions", "build_interactions", "purchase_days"]

#: Columns of :attr:`Interactions.days`.
DAY_COLUMNS = ("customer_id", "product_id", "day", "units", "revenue")


@dataclass(frozen=True)
class Interactions:
    """Customers x products purchase-day counts before ``as_of``.

    Attributes
    ----------
    customer_ids : numpy.ndarray
        Object array of str, sorted: the row order of ``matrix``.
    product_ids : numpy.ndarray
        Object array of str, sorted: the column order of ``matrix``.
    matrix : scipy.sparse.csr_matrix
        float32, customers x products: the number of distinct days the customer had a net sale of
        the product before ``as_of``.
    days : pandas.DataFrame
        One row per customer, product and day with a net sale: ``customer_id, product_id`` (str),
        ``day`` (datetime.date), ``units, revenue`` (float64, net of cancellations); sorted by
        customer, product and day.
    as_of : datetime.date
        Only purchases strictly before this day are counted.
    """

    customer_ids: np.ndarray
    product_ids: np.ndarray
    matrix: sp.csr_matrix
    days: pd.DataFrame
    as_of: dt.date

    @property
    def n_customers(self) -> int:
        return len(self.customer_ids)

    @property
    def n_products(self) -> int:
        return len(self.product_ids)

    def customer_index(self, ids) -> np.ndarray:
        """Row index of each customer id (int64), -1 for a customer without a purchase before ``as_of``."""
        return _positions(self.customer_ids, ids)

    def product_index(self, ids) -> np.ndarray:
        """Column index of each product id (int64), -1 for a product nobody bought before ``as_of``."""
        return _positions(self.product_ids, ids)


def _positions(sorted_ids: np.ndarray, ids) -> np.ndarray:
    wanted = np.asarray([str(i) for i in np.atleast_1d(np.asarray(ids, dtype=object))], dtype=object)
    if len(sorted_ids) == 0 or len(wanted) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, wanted)
    pos = np.minimum(pos, len(sorted_ids) - 1)
    return np.where(sorted_ids[pos] == wanted, pos, -1).astype(np.int64)


def purchase_days(orders: ibis.Table, *, as_of: dt.date, products: ibis.Table | None = None) -> ibis.Table:
    """Net sales of known customers before ``as_of``, one row per customer, product and day.

    Returns
    -------
    ibis.Table
        ``customer_id, product_id`` (string), ``day`` (date), ``units, revenue`` (float64: net units
        and net revenue of the day's sale lines).
    """
    lines = classify_lines(orders, before=as_of, products=products, bulk=False)
    sales = lines.filter(lines.is_sale, lines.customer_id.notnull())
    return sales.group_by("customer_id", "product_id", "day").aggregate(
        units=sales.sale_units.sum(), revenue=sales.sale_revenue.sum())


def build_interactions(orders: ibis.Table, *, as_of: dt.date, products: ibis.Table | None = None) -> Interactions:
    """The customer x product purchase-day matrix of ``orders`` before ``as_of``.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Purchases strictly before this day are counted.
    products : ibis.Table, optional
        ``product_id, category``, passed to :func:`~shopmine.features.lines.classify_lines` (fills
        the category of lines that have none).

    Returns
    -------
    Interactions
    """
    as_of = check_day(as_of, "as_of")
    days = purchase_days(orders, as_of=as_of, products=products).to_pandas()
    return interactions_from_days(days, as_of=as_of)


def interactions_from_days(days: pd.DataFrame, *, as_of: dt.date) -> Interactions:
    """:class:`Interactions` from a per-day frame (columns :data:`DAY_COLUMNS`), e.g. a subset of
    another ``Interactions.days`` (evaluation splits, tests)."""
    frame = pd.DataFrame({
        "customer_id": days["customer_id"].astype(str).to_numpy(dtype=object),
        "product_id": days["product_id"].astype(str).to_numpy(dtype=object),
        "day": pd.to_datetime(days["day"]).dt.date.to_numpy(dtype=object) if len(days) else
               np.array([], dtype=object),
        "units": days["units"].astype("float64").to_numpy(),
        "revenue": days["revenue"].astype("float64").to_numpy(),
    })
    frame = frame.sort_values(["customer_id", "product_id", "day"], kind="stable", ignore_index=True)
    customers = np.asarray(np.unique(frame["customer_id"].to_numpy(dtype=str)), dtype=object)
    products = np.asarray(np.unique(frame["product_id"].to_numpy(dtype=str)), dtype=object)
    rows = _positions(customers, frame["customer_id"].to_numpy())
    cols = _positions(products, frame["product_id"].to_numpy())
    # One entry per (customer, product, day) row: duplicates are summed by the csr conversion.
    matrix = sp.csr_matrix((np.ones(len(frame), dtype=np.float32), (rows, cols)),
                           shape=(len(customers), len(products)), dtype=np.float32)
    matrix.sum_duplicates()
    matrix.sort_indices()
    return Interactions(customer_ids=customers, product_ids=products, matrix=matrix, days=frame,
                        as_of=as_of)
