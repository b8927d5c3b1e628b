"""The shop at a glance: what a merchant reads first, before any analysis.

Revenue, orders, average order value and the returning-customer rate of the last :data:`PERIOD_DAYS` days
before the as-of date, each against the period before and the same days a year earlier (as Shopify's
overview compares a period with the previous one); weekly revenue against the year before; and the best
sellers of the period by name. Every measure is net of cancellations (:func:`~shopmine.features.lines.
classify_lines`): a bulk order cancelled minutes later is not revenue.

A comparison period the data do not cover in full (the log starts inside it) has no value: half a
period would show a false rise.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import plotly.graph_objects as go

from shopmine.currency import format_amount
from shopmine.result import AnalysisResult

__all__ = ["PERIOD_DAYS", "glance_result", "period_kpis"]

#: The period the tiles measure: the last 30 days before the as-of date.
PERIOD_DAYS = 30
#: Best sellers listed.
TOP_PRODUCTS = 10
KPIS = ("revenue", "orders", "avg_order_value", "returning_customer_rate")


def _periods(as_of: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """``[start, end)`` of this period, the one before it and the same days a year earlier (52 weeks:
    the same weekdays, which a shop's week follows)."""
    start = as_of - dt.timedelta(days=PERIOD_DAYS)
    year = dt.timedelta(weeks=52)
    return {"this_period": (start, as_of), "previous_period": (start - dt.timedelta(days=PERIOD_DAYS), start),
            "last_year": (start - year, as_of - year)}


def period_kpis(lines: ibis.Table, as_of: dt.date) -> pd.DataFrame:
    """The four KPIs per period (rows ``this_period, previous_period, last_year``), from classified lines.

    ``revenue`` is net sales (sold units kept after cancellations × price), ``orders`` the orders with a
    kept sale, ``avg_order_value`` their ratio, ``returning_customer_rate`` the share of the period's
    identified customers who had bought before it. A period before the first line of the log is NaN.

    Examples
    --------
    >>> import ibis, datetime as dt
    >>> t = ibis.memtable({"order_id": ["1", "2", "3"], "customer_id": ["a", "a", "b"],
    ...     "day": [dt.date(2024, 1, 5), dt.date(2024, 2, 20), dt.date(2024, 2, 21)],
    ...     "is_sale": [True, True, True], "sale_revenue": [10.0, 30.0, 50.0]})
    >>> row = period_kpis(t, dt.date(2024, 3, 1)).loc["this_period"]
    >>> row["first_day"], row["last_day"], [float(row[k]) for k in KPIS]
    (datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), [80.0, 2.0, 40.0, 0.5])
    """
    periods = _periods(as_of)
    sales = lines.filter(lines.is_sale)
    first_day = sales.day.min().as_scalar()
    first = (sales.filter(sales.customer_id.notnull()).group_by("customer_id")
             .agg(first_customer_day=sales.day.min()))
    rows = []
    for name, (start, end) in periods.items():
        part = sales.filter((sales.day >= start) & (sales.day < end))
        totals = part.aggregate(revenue=part.sale_revenue.sum(), orders=part.order_id.nunique(),
                                covered=first_day <= start)
        buyers = part.filter(part.customer_id.notnull()).select("customer_id").distinct()
        buyers = buyers.join(first, "customer_id")
        returning = buyers.aggregate(customers=buyers.count(),
                                     returning=(buyers.first_customer_day < start).cast("int64").sum())
        row = {**totals.to_pyarrow().to_pylist()[0], **returning.to_pyarrow().to_pylist()[0]}
        rows.append({"period": name, "start": start, "end": end - dt.timedelta(days=1), **row})
    frame = pd.DataFrame(rows).set_index("period")
    # The latest period is shown however short the log; a comparison only over a period it covers.
    covered = frame["covered"].fillna(False).astype(bool) | (frame.index == "this_period")
    out = pd.DataFrame(index=frame.index)
    out["revenue"] = frame["revenue"].astype(float).fillna(0.0)
    out["orders"] = frame["orders"].astype(float)
    out["avg_order_value"] = out["revenue"] / out["orders"].where(out["orders"] > 0)
    out["returning_customer_rate"] = (frame["returning"].astype(float)
                                      / frame["customers"].where(frame["customers"] > 0).astype(float))
    out = out.where(covered)
    out.insert(0, "first_day", frame["start"])
    out.insert(1, "last_day", frame["end"])
    return out


def _change(now: float, before: float) -> float:
    return now / before - 1 if pd.notna(now) and pd.notna(before) and before > 0 else float("nan")


def _tiles(kpis: pd.DataFrame) -> pd.DataFrame:
    now, prev, year = (kpis.loc[p] for p in ("this_period", "previous_period", "last_year"))
    rows = []
    for kpi in KPIS:
        if kpi == "returning_customer_rate":  # a rate changes in points, not in per cent of itself
            vs_prev = now[kpi] - prev[kpi] if pd.notna(prev[kpi]) else float("nan")
            vs_year = now[kpi] - year[kpi] if pd.notna(year[kpi]) else float("nan")
        else:
            vs_prev, vs_year = _change(now[kpi], prev[kpi]), _change(now[kpi], year[kpi])
        rows.append({"kpi": kpi, "value": now[kpi], "vs_previous_period": vs_prev, "vs_last_year": vs_year})
    return pd.DataFrame(rows)


def _words(kpis: pd.DataFrame, currency: str | None) -> str:
    now, prev, year = (kpis.loc[p] for p in ("this_period", "previous_period", "last_year"))
    first, last = now["first_day"], now["last_day"]

    def against(kpi: str, base: pd.Series, what: str) -> str:
        change = _change(now[kpi], base[kpi])
        if pd.isna(change):
            return (f"the log starts too late to compare with {what}" if pd.isna(base[kpi])
                    else f"no sales in {what}")
        return f"{'up' if change >= 0 else 'down'} {abs(change):.0%} on {what}"

    if pd.isna(now["revenue"]):
        return f"No sales in the {PERIOD_DAYS} days from {first} to {last}."
    text = (f"In the {PERIOD_DAYS} days from {first} to {last}: revenue {format_amount(now['revenue'], currency)} "
            f"({against('revenue', prev, 'the 30 days before')}; "
            f"{against('revenue', year, 'the same days last year')}), from {now['orders']:,.0f} orders "
            f"averaging {format_amount(now['avg_order_value'], currency)}.")
    if pd.notna(now["returning_customer_rate"]):
        text += f" {now['returning_customer_rate']:.0%} of the customers who bought had bought before."
    return text


def _revenue_against_last_year(total: pd.DataFrame) -> go.Figure:
    """Weekly revenue of the last 52 weeks and of the 52 before them, drawn on the same weeks."""
    frame = total[["ds", "revenue"]].copy()
    frame["ds"] = pd.to_datetime(frame["ds"])
    end = frame["ds"].max()
    recent = frame[frame["ds"] > end - pd.Timedelta(weeks=52)]
    before = frame[(frame["ds"] <= end - pd.Timedelta(weeks=52)) & (frame["ds"] > end - pd.Timedelta(weeks=104))]
    fig = go.Figure()
    fig.add_scatter(x=recent["ds"], y=recent["revenue"], mode="lines", name="last 52 weeks")
    if len(before):
        fig.add_scatter(x=before["ds"] + pd.Timedelta(weeks=52), y=before["revenue"], mode="lines",
                        name="a year earlier", line={"dash": "dot"})
    fig.update_layout(title="Revenue per week against a year earlier (the last week may be partial)",
                      xaxis_title="week", yaxis_title="revenue", hovermode="x unified")
    return fig


def _top_products(lines: ibis.Table, as_of: dt.date, names: pd.Series | None) -> pd.DataFrame:
    (start, end), (prev_start, _) = _periods(as_of)["this_period"], _periods(as_of)["previous_period"]
    sales = lines.filter(lines.is_sale & (lines.day >= prev_start) & (lines.day < end))
    now = sales.day >= start
    top = (sales.group_by("product_id")
           .agg(revenue=ibis.ifelse(now, sales.sale_revenue, 0.0).sum(),
                units=ibis.ifelse(now, sales.sale_units, 0.0).sum(),
                revenue_before=ibis.ifelse(now, 0.0, sales.sale_revenue).sum())
           .filter(lambda t: t.revenue > 0)
           .order_by([ibis.desc("revenue"), "product_id"]).limit(TOP_PRODUCTS).to_pandas())
    top["revenue_growth_rate"] = [_change(a, b) for a, b in zip(top["revenue"], top["revenue_before"])]
    if names is not None:
        top.insert(1, "name", top["product_id"].astype(str).map(names))
    return top.drop(columns="revenue_before")


def glance_result(lines: ibis.Table, total_panel: pd.DataFrame, *, as_of: dt.date, currency: str | None = None,
                  names: pd.Series | None = None) -> AnalysisResult:
    """The report's opening section (see the module docstring).

    Parameters
    ----------
    lines : ibis.Table
        The order lines before ``as_of`` classified by :func:`~shopmine.features.lines.classify_lines`
        (``bulk=False``, the workspace's cancellation window): the caller classifies them once for this and
        the other overviews.
    total_panel : pandas.DataFrame
        The whole shop's weekly sales panel (``ds, revenue``), as the sales overview has it.
    as_of : datetime.date
        The periods end the day before it.
    currency : str, optional
        The shop's currency, for the summary's amounts.
    names : pandas.Series, optional
        Product names by id.

    Returns
    -------
    AnalysisResult
        Tables ``tiles`` (``kpi, value, vs_previous_period, vs_last_year``: changes as fractions, the
        returning-customer rate's in points), ``periods`` (every KPI per period) and ``top_products``;
        figure ``revenue_against_last_year``; metrics the tiles' values.
    """
    kpis = period_kpis(lines, as_of)
    tiles = _tiles(kpis)
    metrics = {"as_of": as_of, "period_days": PERIOD_DAYS, "currency": currency,
               **{f"{k}": (None if pd.isna(v) else float(v)) for k, v in zip(tiles["kpi"], tiles["value"])}}
    return AnalysisResult(
        name="glance", title=f"The shop at a glance: the last {PERIOD_DAYS} days",
        summary=_words(kpis, currency), metrics=metrics,
        tables={"tiles": tiles, "top_products": _top_products(lines, as_of, names),
                "periods": kpis.reset_index()},
        figures={"revenue_against_last_year": _revenue_against_last_year(total_panel)})
