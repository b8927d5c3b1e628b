"""Headline numbers of the feature tables for the report, computed on the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

__all__ = ["customer_overview", "panel_overview"]


def _day(value: Any) -> dt.date | None:
    """A date from whatever the engine returned for a DATE scalar (date, Timestamp, None/NaT)."""
    if value is None or value != value:  # NaT is not equal to itself
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _number(value: Any, kind: type) -> Any:
    """A plain Python int/float (JSON-serialisable), None for a null."""
    if value is None or value != value:
        return None
    return kind(value)


def _one_row(expr: ibis.Table) -> dict[str, Any]:
    return expr.execute().iloc[0].to_dict()


def panel_overview(panel: ibis.Table) -> dict[str, Any]:
    """Size, date range, intermittency and volume of a sales panel.

    Parameters
    ----------
    panel : ibis.Table
        A table from :func:`~shopmine.features.sales_panel`.

    Returns
    -------
    dict
        ``series`` (int), ``periods`` (int, rows of the panel), ``start`` and ``end`` (datetime.date,
        None when empty), ``zero_share`` (float, share of periods without sales: the intermittency;
        None when empty), ``total_units`` and ``total_revenue`` (float).
    """
    row = _one_row(panel.aggregate(
        series=panel.unique_id.nunique(),
        periods=panel.count(),
        start=panel.ds.min(),
        end=panel.ds.max(),
        zero_periods=(panel.units == 0).cast("int64").sum(),
        total_units=panel.units.sum(),
        total_revenue=panel.revenue.sum(),
    ))
    periods = _number(row["periods"], int) or 0
    return {
        "series": _number(row["series"], int) or 0,
        "periods": periods,
        "start": _day(row["start"]),
        "end": _day(row["end"]),
        "zero_share": (_number(row["zero_periods"], int) or 0) / periods if periods else None,
        "total_units": _number(row["total_units"], float) or 0.0,
        "total_revenue": _number(row["total_revenue"], float) or 0.0,
    }


def customer_overview(summary: ibis.Table) -> dict[str, Any]:
    """Headline numbers of a customer summary.

    Parameters
    ----------
    summary : ibis.Table
        A table from :func:`~shopmine.features.customer_summary`.

    Returns
    -------
    dict
        ``customers`` (int), ``one_purchase_share`` (float, share of customers who bought on a single
        day, i.e. ``frequency_lt = 0``), ``median_recency_days`` (float), ``mean_frequency`` (float,
        orders per customer) and ``total_monetary`` (float, net revenue); the statistics are None
        when there are no customers.
    """
    row = _one_row(summary.aggregate(
        customers=summary.count(),
        one_purchase=(summary.frequency_lt == 0).cast("int64").sum(),
        median_recency_days=summary.recency_days.median(),
        mean_frequency=summary.frequency.mean(),
        total_monetary=summary.monetary.sum(),
    ))
    customers = _number(row["customers"], int) or 0
    return {
        "customers": customers,
        "one_purchase_share": (_number(row["one_purchase"], int) or 0) / customers if customers else None,
        "median_recency_days": _number(row["median_recency_days"], float),
        "mean_frequency": _number(row["mean_frequency"], float),
        "total_monetary": _number(row["total_monetary"], float) or 0.0,
    }
