"""The order risk table: one row per labelled order, its features and its label (issue 15).

It feeds :func:`shopmine.risk.train.train_risk` with ``target="label", id_col="order_id",
date_col="ordered_at"`` (``customer_id`` is an identifier, not a feature: drop it before training).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd

from shopmine.errors import ShopmineInputError
from shopmine.features.dates import check_day
from shopmine.risk.orders_features import order_features
from shopmine.risk.orders_labels import (
    DERIVED_RULE,
    LABEL_WINDOW_DAYS,
    OrderLabels,
    apply_labels,
    check_labels,
    derived_labels,
    read_labels,
)

__all__ = ["ORDER_TRAINING", "check_training_source", "describe_labels", "order_risk_table",
           "shop_order_features", "shop_order_risk_table"]


def _labels(labels: OrderLabels | pd.DataFrame | str | Path) -> OrderLabels:
    if isinstance(labels, OrderLabels):
        return labels
    if isinstance(labels, pd.DataFrame):
        return check_labels(labels)
    if isinstance(labels, (str, Path)):
        return read_labels(labels)
    raise ShopmineInputError(f"{{labels}} must be a CSV file's path or a data frame; got {type(labels).__name__}.",
                             "labels")


def order_risk_table(orders: ibis.Table, *, as_of: dt.date,
                     labels: OrderLabels | pd.DataFrame | str | Path | None = None,
                     customers: ibis.Table | None = None,
                     window_days: int = LABEL_WINDOW_DAYS) -> pd.DataFrame:
    """Every labelled order placed before ``as_of`` with its risk features and label.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Orders, their history and (derived) outcomes end before this day.
    labels : path, DataFrame or OrderLabels, optional
        ``order_id,label`` or ``customer_id,label`` (:mod:`shopmine.risk.orders_labels`). Without
        labels, they are derived from the log (:data:`~shopmine.risk.orders_labels.DERIVED_RULE`).
    customers : ibis.Table, optional
        Account attributes fixed at signup (``customer_id``, ``signup_date``, ``country``); see
        :func:`~shopmine.risk.orders_features.order_features`.
    window_days : int, default=30
        The outcome window of derived labels (unused with a labels file).

    Returns
    -------
    pandas.DataFrame
        ``order_id, customer_id, ordered_at``, the feature columns and ``label`` (int 0/1), sorted by
        ``ordered_at`` then ``order_id``. ``attrs["labels"]`` says where the labels came from and what
        was matched: ``labels_source`` (a file's path, or ``derived``), ``labels_level``, the counts of
        ``labelled_orders``, ``positive_orders``, ``unlabelled_orders`` (left out) and
        ``labels_unknown_ids`` (ids of the file without an order before ``as_of``), and for derived labels
        the ``labels_rule``.

    Raises
    ------
    ShopmineInputError
        The labels cannot be used (:func:`~shopmine.risk.orders_labels.check_labels`), or no order
        before ``as_of`` has a label.
    """
    as_of = check_day(as_of, "as_of")
    checked = None if labels is None else _labels(labels)  # a bad file fails before any query runs
    # Through Arrow: a third quicker than Ibis's own conversion to pandas on a million orders.
    features = order_features(orders, as_of=as_of, customers=customers).to_pyarrow().to_pandas()
    features["ordered_at"] = pd.to_datetime(features["ordered_at"])
    if checked is not None:
        table, report = apply_labels(features, checked)
    else:
        derived = derived_labels(orders, as_of=as_of, window_days=window_days).to_pyarrow().to_pandas()
        table = features.merge(derived, on="order_id", how="inner", validate="one_to_one")
        table["label"] = table["label"].astype("int64")
        report = {
            "labels_source": "derived",
            "labels_level": "order",
            "labels_rule": DERIVED_RULE.format(window=window_days),
            "labelled_orders": int(len(table)),
            "positive_orders": int(table.label.sum()),
            "unlabelled_orders": int(len(features) - len(table)),
            "labels_unknown_ids": 0,
        }
    if table.empty and checked is None:
        raise ShopmineInputError(
            f"no order placed at least {window_days} days before {as_of} (the as-of date) has a known outcome "
            f"to derive a label from; give a labels file ({{labels}}) or a later {{as_of}}.",
            "window_days", mentions=("labels", "as_of"))
    if table.empty:
        raise ShopmineInputError(
            f"{{labels}} {report['labels_source']}: no order before {as_of} has a label ({report['labels_unknown_ids']:,} "
            f"ids of the labels match no order); check that the ids are the log's {checked.level} ids and the "
            f"as-of date.", "labels", mentions=("as_of",))
    table = table.sort_values(["ordered_at", "order_id"], ignore_index=True)
    table.attrs["labels"] = report
    return table


#: How a risk training on the orders (``Shop.risk_train(orders=True)``) reads the table: target, id, dates.
ORDER_TRAINING = {"target": "label", "id_col": "order_id", "date_col": "ordered_at"}


def check_training_source(*, orders: bool, data, target, id_col, date_col, positive_class, labels) -> None:
    """Refuse a training request that names both sources, or neither: a table the user brings (``data`` and
    its ``target``), or the workspace's orders (``orders``, optionally with ``labels``)."""
    if orders:
        given = [name for name, value in (("data", data), ("target", target), ("id_col", id_col),
                                          ("date_col", date_col), ("positive_class", positive_class))
                 if value is not None]
        if given:
            names = ", ".join("{" + name + "}" for name in given)
            raise ShopmineInputError(
                f"{{orders}} trains on the workspace's orders (one row per order, target label, id order_id, "
                f"dates ordered_at); drop {names}, or drop {{orders}} to train on a table of your own.",
                "orders", mentions=given)
        return
    if labels is not None:
        raise ShopmineInputError("{labels} labels the workspace's orders: add {orders}, or put the outcome in a "
                                 "column of {data} and name it with {target}.", "labels",
                                 mentions=("orders", "data", "target"))
    if data is None:
        raise ShopmineInputError("give {data} (a table with a yes/no outcome column, named by {target}), or "
                                 "{orders} to train on the workspace's orders.", "data", mentions=("target", "orders"))
    if target is None:
        raise ShopmineInputError("{target} is required with {data}: the column of the yes/no outcome.", "target",
                                 mentions=("data",))


def _shop_accounts(shop) -> ibis.Table | None:
    """The signup date and country of the workspace's customers files
    (:func:`~shopmine.risk.orders_accounts.signup_attributes`), or None."""
    from shopmine.risk.orders_accounts import signup_attributes

    accounts = signup_attributes(shop.workspace.warehouse(read_only=True).con)
    return None if accounts is None else ibis.memtable(accounts)


def shop_order_risk_table(shop, labels: OrderLabels | pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """:func:`order_risk_table` of a workspace's orders at its as-of date, with the signup date and country
    of its customers files."""
    checked = None if labels is None else _labels(labels)  # a bad file fails before the warehouse is read
    return order_risk_table(shop.orders(), as_of=shop.as_of, labels=checked, customers=_shop_accounts(shop))


def shop_order_features(shop) -> pd.DataFrame:
    """Every order of the workspace placed before its as-of date with its risk features
    (:func:`~shopmine.risk.orders_features.order_features`): what an orders model scores, labelled or not,
    sorted by ``ordered_at`` then ``order_id``."""
    table = shop_order_features_table(shop).to_pyarrow().to_pandas()
    table["ordered_at"] = pd.to_datetime(table["ordered_at"])
    return table.sort_values(["ordered_at", "order_id"], ignore_index=True)


def shop_order_features_table(shop) -> ibis.Table:
    """:func:`shop_order_features` as an expression for the shop's engine (unsorted, not computed)."""
    return order_features(shop.orders(), as_of=shop.as_of, customers=_shop_accounts(shop))


def describe_labels(report: dict) -> str:
    """One sentence on where the labels came from and what they matched (for a training's summary)."""
    if report["labels_source"] == "derived":
        head = f"Labels derived from the log: {report['labels_rule']}"
    else:
        head = f"Labels from {report['labels_source']} ({report['labels_level']} labels)"
    text = (f"{head}; {report['labelled_orders']:,} orders labelled, {report['positive_orders']:,} of them 1; "
            f"{report['unlabelled_orders']:,} orders without a label left out")
    if report["labels_source"] != "derived":
        text += f"; {report['labels_unknown_ids']:,} ids of the labels match no order before the as-of date"
    return text + "."
