"""Turn metric values and table cells into short, readable text for the HTML report.

The report shows numbers to people; the full precision stays in ``metrics.json`` and the CSV
files, so rounding here loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from collections.abc import Mapping
from typing import Any

import pandas as pd

from shopmine.currency import format_amount
from shopmine.result import to_jsonable

__all__ = ["AMOUNT_KEYS", "format_cell", "format_metric", "is_percent_key", "table_view"]

#: Key suffixes whose values are fractions of one, shown as percentages.
PERCENT_SUFFIXES = ("_share", "_rate", "_lift")
#: Significant digits for floats; enough to compare models, few enough to read.
SIGNIFICANT = 4
#: Shown for a missing metric (None/NaN) so a blank is never mistaken for a bug.
MISSING = "—"
#: Columns and metrics that hold money: with the shop's currency they read ``£171,500``, ``£12.35``.
#: Named one by one: a suffix rule would catch ``revenue_share`` or ``p_value``.
AMOUNT_KEYS = frozenset({
    "revenue", "gross_revenue", "total_revenue", "monetary", "total_monetary", "monetary_value",
    "monetary_value_capped", "avg_order_value", "returned_value", "expected_revenue", "expected_revenue_total",
    "expected_spend_per_purchase", "customer_lifetime_value", "spend_cap_per_purchase_day", "unit_price",
    "unit_cost", "list_price",
})


#: Whole keys that hold fractions: a forecast outlook's ``change`` (next periods against the last, less one).
PERCENT_KEYS = frozenset({"change"})


def is_percent_key(key: str | None) -> bool:
    """Whether values under ``key`` are fractions to show as percentages.

    >>> is_percent_key("returns_share"), is_percent_key("change"), is_percent_key("rmse")
    (True, True, False)
    """
    return bool(key) and (str(key).lower().endswith(PERCENT_SUFFIXES) or str(key).lower() in PERCENT_KEYS)


def _is_identifier_key(key: str | None) -> bool:
    # Integers in id and year columns are labels, not quantities: "2,024" or "17,850" would
    # misread them, so they skip the thousands separator.
    if not key:
        return False
    k = str(key).lower()
    return k in {"id", "year"} or k.endswith("_id")


def _format_float(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-4:
        # Beyond these bounds fixed notation is either all digits or all zeros.
        return f"{value:.{SIGNIFICANT - 1}e}"
    if magnitude >= 10 ** (SIGNIFICANT - 1):
        # Rounding away integer digits (12,345 -> 12,350) would be misleading; keep them all.
        return f"{value:,.0f}"
    # ``g`` only switches to exponent notation below 1e-4, which the bound above excludes.
    return f"{value:,.{SIGNIFICANT}g}"


def _format_percent(value: float) -> str:
    pct = value * 100
    if pct == 0:
        return "0%"
    if abs(pct) >= 100:
        return f"{pct:,.1f}%".replace(".0%", "%")
    # Three significant digits: 12.3%, 0.512%; a share rarely needs more.
    return f"{pct:.3g}%" if abs(pct) >= 1e-3 else f"{pct:.2e}%"


def _format_number(value: Any, key: str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        if is_percent_key(key):
            return _format_percent(float(value))
        return str(int(value)) if _is_identifier_key(key) else f"{int(value):,}"
    number = float(value)
    if math.isnan(number):
        return MISSING
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if is_percent_key(key):
        return _format_percent(number)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number)) if _is_identifier_key(key) else f"{int(number):,}"
    return _format_float(number)


def _format_timestamp(value: dt.datetime | dt.date) -> str:
    if isinstance(value, dt.datetime):
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        if midnight and value.tzinfo is None:
            # Daily data is stored as midnight timestamps; the time part is noise there.
            return value.strftime("%Y-%m-%d")
        return value.isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def format_metric(value: Any, key: str | None = None, currency: str | None = None,
                  amounts: frozenset[str] = AMOUNT_KEYS) -> str:
    """Format one metric value for display.

    Parameters
    ----------
    value : Any
        A JSON-like value (number, string, bool, None, list, timestamp).
    key : str, optional
        The metric's own key; keys ending in ``_share``, ``_rate`` or ``_lift`` are shown as percentages.
    currency : str, optional
        The shop's currency code: numbers under a key in ``amounts`` are written as money in it
        (:func:`shopmine.currency.format_amount`). Without it they are plain numbers.
    amounts : frozenset of str, default=AMOUNT_KEYS
        The keys that hold money.

    Returns
    -------
    str
        Display text, e.g. ``"12,345"``, ``"3.142"``, ``"12.3%"``, ``"—"`` for missing.

    Examples
    --------
    >>> format_metric(1234567)
    '1,234,567'
    >>> format_metric(0.123456, "repeat_customer_share")
    '12.3%'
    >>> format_metric(3.14159265)
    '3.142'
    >>> format_metric(171499.6, "expected_revenue", "GBP")
    '£171,500'
    """
    if value is None:
        return MISSING
    try:
        if pd.isna(value):
            return MISSING
    except (TypeError, ValueError):
        pass  # lists and other containers: pd.isna is elementwise or undefined there
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        return _format_timestamp(value)
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, numbers.Number):
        if currency is not None and key in amounts and not isinstance(value, bool) and not math.isinf(value):
            return format_amount(value, currency)
        return _format_number(value, key)
    if isinstance(value, (list, tuple)):
        if all(v is None or isinstance(v, (str, numbers.Number)) for v in value):
            return ", ".join(format_metric(v, key, currency, amounts) for v in value)
        return json.dumps(to_jsonable(list(value)), ensure_ascii=False)
    if isinstance(value, Mapping):
        return json.dumps(to_jsonable(dict(value)), ensure_ascii=False)
    return str(value)


def format_cell(value: Any, column: str | None = None, currency: str | None = None,
                amounts: frozenset[str] = AMOUNT_KEYS) -> str:
    """Format one table cell: like :func:`format_metric`, but a missing cell stays empty."""
    try:
        if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return format_metric(value, column, currency, amounts)


def _column_label(column: Any) -> str:
    if isinstance(column, tuple):  # MultiIndex columns
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


def table_view(df: pd.DataFrame, max_rows: int, currency: str | None = None,
               amounts: frozenset[str] = AMOUNT_KEYS) -> dict[str, Any]:
    """Prepare the first ``max_rows`` rows of a table for the template.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; a meaningful index (named, or not a plain 0..n-1 range) is shown as columns.
    max_rows : int
        Rows to show; the rest are counted in the truncation note.
    currency : str, optional
        The shop's currency: columns named in ``amounts`` are written as money in it.
    amounts : frozenset of str, default=AMOUNT_KEYS
        The columns that hold money.

    Returns
    -------
    dict
        ``columns`` (labels), ``numeric`` (per column, for right alignment), ``rows`` (lists of
        strings), ``total_rows`` and ``shown_rows``.
    """
    total = len(df)
    head = df.head(max_rows)
    plain_index = isinstance(head.index, pd.RangeIndex) and head.index.name is None
    if not plain_index:
        head = head.reset_index()
    labels = [_column_label(c) for c in head.columns]
    # Iterate dtypes, not columns: duplicate column labels would make head[c] a frame.
    numeric = [
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
        for t in head.dtypes
    ]
    rows = [
        [format_cell(value, label, currency, amounts) for value, label in zip(record, labels, strict=True)]
        for record in head.itertuples(index=False, name=None)
    ]
    return {
        "columns": labels,
        "numeric": numeric,
        "rows": rows,
        "total_rows": total,
        "shown_rows": len(rows),
    }
