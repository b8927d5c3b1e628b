"""Labels of orders for risk models: from a file, or derived from the log (issue 15).

A labels file is a CSV with a header and two columns: ``order_id`` or ``customer_id``, and the label
(any column name: ``label``, ``is_fraud``, ``chargeback`` ...). Labels are 1/0, true/false or yes/no
(case-insensitive). An order label labels that order; a customer label labels every order of that
customer (fraud found on an account, a default). Orders the file does not name are left out of
training (an unlisted order is not known to be good); ids the orders do not hold are counted and
reported, never silently joined away.

Without a file, :func:`derived_labels` labels an order 1 when nothing of it was kept: see
:data:`DERIVED_RULE`. Only that outcome is read, and only up to the as-of date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd

from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features.dates import check_day, start_of_day
from shopmine.features.lines import classify_lines
from shopmine.io.numbers import normalize_id
from shopmine.risk.orders_features import order_lines, placed_orders

__all__ = ["DERIVED_RULE", "LABEL_WINDOW_DAYS", "OrderLabels", "apply_labels", "check_labels", "derived_labels",
           "read_labels"]

#: Days after an order within which its cancellation or return counts in a derived label.
LABEL_WINDOW_DAYS = 30
ID_COLUMNS = ("order_id", "customer_id")
_VALUES = {"1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0, "yes": 1, "no": 0}

DERIVED_RULE = (
    "an order is labelled 1 when nothing of it was kept within {window} days: all its units were "
    "cancelled (a cancelled status, or cancellation lines matched to its sales) or came back on "
    "return lines of the order booked after it; orders placed less than {window} days before the "
    "as-of date are left out (their outcome is not known yet)"
)


@dataclass(frozen=True)
class OrderLabels:
    """Checked labels: ``level`` ("order" or "customer"), ``labels`` (int 0/1 indexed by the id,
    named after the file's label column), where they came from and how many rows it had."""

    level: str
    labels: pd.Series
    source: str
    rows: int

    @property
    def id_column(self) -> str:
        return f"{self.level}_id"


def _short(value: object) -> str:
    text = repr(str(value))
    return text if len(text) <= 40 else text[:37] + "...'"


def check_labels(frame: pd.DataFrame, source: str = "the labels table") -> OrderLabels:
    """Check a labels table (``order_id`` or ``customer_id``, and one label column).

    Parameters
    ----------
    frame : pandas.DataFrame
        Two columns; ids are read as text (``17850.0`` is the id ``17850``, as at ingest).
    source : str
        How messages name the table (the file's path).

    Returns
    -------
    OrderLabels

    Raises
    ------
    ShopmineInputError
        Not exactly an id column and a label column, an empty id or label, a label that is not
        1/0, true/false or yes/no, or an id given two different labels. The message names the row
        (the file's line number, the header being line 1).

    Examples
    --------
    >>> import pandas as pd
    >>> check_labels(pd.DataFrame({"order_id": ["o1", "o2"], "is_fraud": ["yes", "no"]})).labels.to_dict()
    {'o1': 1, 'o2': 0}
    """
    columns = [str(c) for c in frame.columns]
    ids = [c for c in columns if c in ID_COLUMNS]
    if len(columns) != 2 or len(ids) != 1:
        raise ShopmineInputError(
            f"{{labels}} {source}: expected two columns, order_id or customer_id and the label; found "
            f"{', '.join(_short(c) for c in columns) or 'none'}. Rename the id column to order_id (one label per "
            f"order) or customer_id (one label per customer, applied to all their orders).", "labels")
    id_col = ids[0]
    label_col = next(c for c in columns if c != id_col)
    frame = frame.set_axis(columns, axis=1)
    text_ids = frame[id_col].astype("string").str.strip()
    for i, value in enumerate(text_ids):
        if pd.isna(value) or value == "":
            raise ShopmineInputError(f"{{labels}} {source}: line {i + 2} has no {id_col}; give every row an id.",
                                     "labels")
    ids_clean = [normalize_id(str(v)) for v in text_ids]
    raw = frame[label_col]
    values = []
    for i, value in enumerate(raw):
        key = None if pd.isna(value) else str(value).strip().lower()
        if isinstance(value, bool):
            key = "1" if value else "0"
        if key not in _VALUES:
            raise ShopmineInputError(
                f"{{labels}} {source}: line {i + 2}, column {_short(label_col)}: the label "
                f"{'is empty' if key is None else _short(value) + ' is not 1/0, true/false or yes/no'}; "
                f"give 1 for the risky outcome (fraud, chargeback, default) and 0 otherwise.", "labels")
        values.append(_VALUES[key])
    labels = pd.Series(values, index=pd.Index(ids_clean, name=id_col), name=label_col, dtype="int64")
    conflicting = labels.groupby(level=0).nunique()
    conflicting = conflicting[conflicting > 1]
    if len(conflicting):
        raise ShopmineInputError(
            f"{{labels}} {source}: {len(conflicting):,} {id_col} value(s) have both labels, e.g. "
            f"{_short(conflicting.index[0])}; give one label per id.", "labels")
    labels = labels[~labels.index.duplicated()]
    return OrderLabels(level=id_col.removesuffix("_id"), labels=labels, source=source, rows=len(frame))


def read_labels(path: str | Path) -> OrderLabels:
    """Read and check a labels CSV file (:func:`check_labels`)."""
    path = Path(path)
    if not path.is_file():
        raise ShopmineInputError(f"{{labels}} {path}: no such file; give a CSV with order_id or customer_id "
                                 f"and a label column.", "labels")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ShopmineInputError(f"{{labels}} {path}: not a readable CSV file ({exc}).", "labels") from None
    if frame.empty:
        raise ShopmineInputError(f"{{labels}} {path}: the file has a header but no rows.", "labels")
    return check_labels(frame, source=str(path))


def apply_labels(table: pd.DataFrame, labels: OrderLabels) -> tuple[pd.DataFrame, dict]:
    """The orders of ``table`` that ``labels`` name, with their ``label``, and what was matched.

    Returns
    -------
    labelled : pandas.DataFrame
        ``table``'s rows whose order (or customer) has a label, with the int column ``label``.
    report : dict
        ``labels_source``, ``labels_level``, ``labels_rows`` (rows of the file), ``labelled_orders``,
        ``positive_orders``, ``unlabelled_orders`` (left out), ``labels_unknown_ids`` (ids of the file that no
        order before the as-of date has: mistyped, or after the as-of date).
    """
    key = labels.id_column
    ids = table[key].astype("string")
    known = set(ids.dropna())
    label = ids.map(labels.labels).astype("Int64")
    labelled = table.loc[label.notna().to_numpy()].assign(label=label.dropna().astype("int64").to_numpy())
    report = {
        "labels_source": labels.source,
        "labels_level": labels.level,
        "labels_rows": labels.rows,
        "labelled_orders": int(len(labelled)),
        "positive_orders": int(labelled.label.sum()),
        "unlabelled_orders": int(len(table) - len(labelled)),
        "labels_unknown_ids": int(sum(1 for i in labels.labels.index if i not in known)),
    }
    return labelled, report


def derived_labels(orders: ibis.Table, *, as_of: dt.date, window_days: int = LABEL_WINDOW_DAYS) -> ibis.Table:
    """Labels derived from the log by :data:`DERIVED_RULE`: ``order_id, label`` (int64 0/1).

    Cancellations are matched to sales by the rules of :mod:`shopmine.features.lines` (a cancelled
    status; cancellation lines of the same customer and product within ``window_days``; corrections
    within the order); returns are the return lines carrying the order's id, booked after it and
    within ``window_days``. Nothing after ``as_of`` is read.

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        The outcome is read from lines before this day.
    window_days : int, default=30
        Days after the order within which a cancellation or return counts.
    """
    as_of = check_day(as_of, "as_of")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise invalid_value("window_days", "a whole number of days, at least 1", window_days)
    window = ibis.interval(days=window_days)
    placed = placed_orders(order_lines(orders, as_of))
    placed = placed.filter(placed.placed_at + window <= start_of_day(as_of))
    placed = placed.select("order_id", "placed_at", placed_units=placed.units)
    lines = classify_lines(orders, before=as_of, cancel_window_days=window_days, bulk=False)
    joined = lines.join(placed, "order_id")
    returned = (joined.ordered_at > joined.placed_at) & (joined.ordered_at < joined.placed_at + window)
    outcome = joined.group_by("order_id").aggregate(
        placed_units=joined.placed_units.max(),
        kept=joined.sale_units.sum() - joined.returned_units.sum(where=returned).fill_null(0.0),
    )
    # A small tolerance: units are sums of doubles.
    bad = outcome.kept <= 1e-9 * outcome.placed_units
    return outcome.select("order_id", label=bad.cast("int64"))
