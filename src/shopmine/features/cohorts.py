"""Monthly cohorts: of the customers whose first purchase fell in a month, how many bought again in each
month after it (the retention triangle Shopify and GA4 show a merchant).

Months are counted as ``year * 12 + month - 1`` from each sale's day, which both engines compute the same
way (no engine-specific calendar function). Only kept sales of identified customers count: a cancelled
order does not make anyone a customer.
"""

from __future__ import annotations

import ibis
import pandas as pd

__all__ = ["cohort_counts", "retention_table"]


def cohort_counts(lines: ibis.Table) -> ibis.Table:
    """``cohort`` (month index of the first purchase), ``offset`` (months since), ``customers`` (distinct
    customers of the cohort who bought in that month), from :func:`~shopmine.features.lines.classify_lines`."""
    sales = lines.filter(lines.is_sale & lines.customer_id.notnull())
    active = sales.select(customer_id=sales.customer_id,
                          month=sales.day.year() * 12 + sales.day.month() - 1).distinct()
    first = active.group_by("customer_id").agg(cohort=active.month.min())
    joined = active.join(first, "customer_id")
    return (joined.group_by([joined.cohort, (joined.month - joined.cohort).name("offset")])
            .agg(customers=joined.customer_id.nunique()))


def retention_table(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per cohort: ``cohort`` (``YYYY-MM``), ``customers`` (its size) and ``month_1``, ``month_2``
    ... the share of them who bought in that month after the first (blank where the month is still ahead).

    >>> counts = pd.DataFrame({"cohort": [24288, 24288, 24288, 24289], "offset": [0, 1, 2, 0],
    ...                        "customers": [10, 4, 2, 5]})
    >>> retention_table(counts).to_dict("records")
    [{'cohort': '2024-01', 'customers': 10, 'month_1': 0.4, 'month_2': 0.2}, {'cohort': '2024-02', 'customers': 5, 'month_1': 0.0, 'month_2': nan}]
    """
    if counts.empty:
        return pd.DataFrame(columns=["cohort", "customers"])
    wide = counts.pivot_table(index="cohort", columns="offset", values="customers", aggfunc="sum")
    last = int((counts["cohort"] + counts["offset"]).max())  # the latest month with a purchase
    wide = wide.reindex(columns=range(0, int(counts["offset"].max()) + 1))
    size = wide[0]
    shares = wide.drop(columns=0).div(size, axis=0)
    # Months still ahead of a cohort are blank; months passed with no buyer are 0.
    for cohort in shares.index:
        ahead = [c for c in shares.columns if cohort + c > last]
        passed = [c for c in shares.columns if cohort + c <= last]
        shares.loc[cohort, ahead] = float("nan")
        shares.loc[cohort, passed] = shares.loc[cohort, passed].fillna(0.0)
    out = shares.rename(columns=lambda c: f"month_{c}")
    out.insert(0, "customers", size.astype(int))
    labels = [f"{int(c) // 12}-{int(c) % 12 + 1:02d}" for c in out.index]
    out.insert(0, "cohort", labels)
    return out.reset_index(drop=True)
