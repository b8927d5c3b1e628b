"""Overviews of the feature tables for the report: what the sales panel and customer summary hold."""

from __future__ import annotations

import ibis
import pandas as pd
import plotly.graph_objects as go

from shopmine.features import customer_overview, panel_overview
from shopmine.features.cohorts import retention_table
from shopmine.figures import TEMPLATE, histogram, line_chart
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


def retention_figure(retention: pd.DataFrame) -> go.Figure:
    """The cohort triangle as a heatmap: a row per first-purchase month, a column per month after it."""
    months = [c for c in retention.columns if str(c).startswith("month_")]
    values = retention[months].to_numpy(float)
    labels = [f"{c} ({n:,})" for c, n in zip(retention["cohort"], retention["customers"])]
    text = [["" if v != v else f"{v:.0%}" for v in row] for row in values]
    fig = go.Figure(go.Heatmap(z=values, x=[m.split("_")[1] for m in months], y=labels, text=text,
                               texttemplate="%{text}", colorscale="Blues", zmin=0, hoverongaps=False,
                               hovertemplate="%{y}, month %{x}: %{z:.1%} bought again<extra></extra>",
                               colorbar={"tickformat": ".0%"}), layout={"template": TEMPLATE})
    fig.update_layout(title="Cohort retention: who bought again, by months since the first purchase "
                            "(the last month may be partial)",
                      xaxis_title="months since the first purchase", yaxis={"autorange": "reversed",
                                                                             "title": "first purchase (customers)"},
                      height=max(400, 24 * len(retention) + 160))
    return fig


def customer_summary_result(summary_table: ibis.Table, cohorts: pd.DataFrame | None = None) -> AnalysisResult:
    """The customer summary's overview; ``cohorts`` (:func:`~shopmine.features.cohorts.cohort_counts`, in
    pandas) adds the retention table and heatmap."""
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
    tables = {"distribution": describe, "top_customers": top}
    if cohorts is not None and len(cohorts):
        retention = retention_table(cohorts)
        tables["cohort_retention"] = retention
        figures["cohort_retention"] = retention_figure(retention)
        if "month_1" in retention and retention["month_1"].notna().any():
            weights = retention.loc[retention["month_1"].notna(), "customers"]
            overview["month_1_retention_rate"] = float(
                (retention["month_1"].dropna() * weights).sum() / weights.sum())
    return AnalysisResult(name="customer_summary", title="Customer summary", summary=text, metrics=overview,
                          tables=tables, figures=figures)
