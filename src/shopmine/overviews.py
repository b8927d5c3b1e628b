"""Overviews of the feature tables for the report: what the sales panel and customer summary hold."""

from __future__ import annotations

import ibis
import pandas as pd
import plotly.graph_objects as go

from shopmine.features import customer_overview, panel_overview
from shopmine.figures import histogram, line_chart
from shopmine.result import AnalysisResult


def sales_panel_result(product_panel: ibis.Table, total_panel: ibis.Table, *, freq: str,
                       names: pd.Series | None = None) -> AnalysisResult:
    """Overview of the product-level panel with the shop's total revenue and units as plots.

    ``names`` maps product ids to names: a merchant knows products by name, not by code.
    """
    overview = panel_overview(product_panel)
    total = total_panel.select("ds", "units", "revenue", "returns").order_by("ds").to_pandas()
    top = (product_panel.group_by("unique_id")
           .agg(units=product_panel.units.sum(), revenue=product_panel.revenue.sum(),
                returns=product_panel.returns.sum(), periods=product_panel.count())
           .order_by([ibis.desc("revenue"), "unique_id"]).limit(15).to_pandas())
    if names is not None:
        top.insert(1, "name", top["unique_id"].astype(str).map(names))
    unit = {"D": "day", "W": "week"}[freq]
    summary = (f"{overview['series']:,} product series per {unit} from {overview['start']} to "
               f"{overview['end']}; {overview['zero_share'] or 0:.0%} of product-{unit}s sold nothing "
               "(intermittent demand).")
    partial = " (the last week may be partial)" if freq == "W" else ""
    # Revenue first: it is what a merchant reads a shop by; units add up unlike things (a box and a pen).
    figures = {"total_revenue": line_chart(total, "ds", "revenue", title=f"Revenue per {unit} (whole shop){partial}"),
               "total_units": line_chart(total, "ds", "units", title=f"Units sold per {unit} (whole shop){partial}")}
    return AnalysisResult(name=f"sales_panel_{freq.lower()}", title=f"Sales panel ({unit})", summary=summary,
                          metrics=overview, tables={"top_products": top, "total": total}, figures=figures)


def customer_summary_result(summary_table: ibis.Table) -> AnalysisResult:
    overview = customer_overview(summary_table)
    frame = summary_table.to_pandas()
    text = (f"{overview['customers']:,} customers with a purchase; "
            f"{overview['one_purchase_share'] or 0:.0%} bought on one day only; median recency "
            f"{overview['median_recency_days'] or 0:.0f} days.")
    figures: dict[str, go.Figure] = {}
    if len(frame):
        figures["recency"] = histogram(frame, "recency_days", title="Days since last purchase")
        figures["frequency"] = histogram(frame.assign(frequency=frame["frequency"].clip(upper=30)), "frequency",
                                         title="Orders per customer (30 = 30 or more)")
    top = frame.sort_values("monetary", ascending=False).head(15).reset_index(drop=True)
    describe = frame[["recency_days", "frequency", "monetary", "avg_order_value", "returns_share",
                      "tenure_days"]].describe().T.reset_index(names="feature") if len(frame) else pd.DataFrame()
    return AnalysisResult(name="customer_summary", title="Customer summary", summary=text, metrics=overview,
                          tables={"distribution": describe, "top_customers": top}, figures=figures)
