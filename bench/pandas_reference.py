"""A straightforward pandas implementation of ingest + quality + the two feature tables.

It applies the same quality rules as shopmine (ids as text, parsed numbers and dates, quarantine
reasons, duplicate count, line types) and builds the same zero-filled product-day sales panel and
customer summary, so the benchmark compares like with like. It is what an analyst would write in a
notebook: read the CSV, clean with vectorised pandas, group by.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

NOT_SOLD = {"cancelled", "canceled", "returned", "refunded", "voided", "failed"}
RETURNED = {"returned", "refunded"}
SHIPPING = {"POST", "POSTAGE", "DOT", "C2", "SHIPPING", "DELIVERY", "CARRIAGE", "FREIGHT"}
FEES = {"BANK CHARGES", "AMAZONFEE", "CRUK", "FEE", "COMMISSION", "PAYPALFEE"}
DISCOUNTS = {"D", "DISCOUNT", "COUPON", "VOUCHER"}
ADJUSTMENTS = {"M", "MANUAL", "B", "ADJUST", "ADJUST2", "ADJUSTMENT", "S"}


def load(path: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows_in = len(raw)
    duplicates = int(raw.duplicated().sum())
    blank = lambda s: s.str.strip().replace("", np.nan)  # noqa: E731
    df = pd.DataFrame({
        "order_id": blank(raw["order_id"]),
        "customer_id": blank(raw["customer_id"]).str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True),
        "product_id": blank(raw["product_id"]).str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True),
        "ordered_at": pd.to_datetime(blank(raw["ordered_at"]), errors="coerce", format="ISO8601"),
        "quantity": pd.to_numeric(blank(raw["quantity"]), errors="coerce"),
        "unit_price": pd.to_numeric(blank(raw["unit_price"]), errors="coerce"),
        "status": blank(raw["status"]).str.lower() if "status" in raw else np.nan,
        "list_price": pd.to_numeric(blank(raw["list_price"]), errors="coerce") if "list_price" in raw else np.nan,
        "category": blank(raw["category"]) if "category" in raw else np.nan,
        "source_line": np.arange(2, rows_in + 2),
    })
    pid = df["product_id"].str.upper()
    df["line_type"] = np.select(
        [pid.isin(SHIPPING), pid.isin(FEES), pid.isin(DISCOUNTS), pid.isin(ADJUSTMENTS)],
        ["shipping", "fee", "discount", "adjustment"], "product")
    reason = pd.Series(pd.NA, index=df.index, dtype="object")
    checks = [
        (df["product_id"].isna(), "missing_product_id"),
        (raw["ordered_at"].str.strip() == "", "missing_date"),
        (df["ordered_at"].isna(), "unparseable_date"),
        (raw["quantity"].str.strip() == "", "missing_quantity"),
        (df["quantity"].isna(), "unparseable_number"),
        (raw["unit_price"].str.strip() == "", "missing_price"),
        (df["unit_price"].isna(), "unparseable_number"),
        (df["quantity"] == 0, "zero_quantity"),
        ((df["line_type"] == "product") & (df["unit_price"] <= 0), "non_positive_price"),
    ]
    for mask, why in checks:
        reason = reason.mask(reason.isna() & mask, why)
    bad = reason.notna()
    quarantine = raw[bad].assign(reason=reason[bad], source_line=df.loc[bad, "source_line"])
    orders = df[~bad].copy()
    missing_order = orders["order_id"].isna()
    orders.loc[missing_order, "order_id"] = (orders["customer_id"] + "@"
                                             + orders["ordered_at"].dt.strftime("%Y-%m-%d"))
    quality = {
        "rows_in": rows_in, "rows_loaded": len(orders), "rows_quarantined": int(bad.sum()),
        "quarantined_by_reason": quarantine["reason"].value_counts().to_dict(),
        "duplicate_rows": duplicates,
        "date_range": (orders["ordered_at"].min(), orders["ordered_at"].max()),
        "nulls": orders.isna().sum().to_dict(),
        "returns_share": float((orders.loc[orders.line_type == "product", "quantity"] < 0).mean()),
        "line_types": orders["line_type"].value_counts().to_dict(),
    }
    return orders, quarantine, quality


def _classify(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    o = orders[(orders["ordered_at"] < pd.Timestamp(as_of)) & (orders["line_type"] == "product")].copy()
    status = o["status"].fillna("")
    o["is_sale"] = (o["quantity"] > 0) & ~status.isin(NOT_SOLD)
    o["is_return"] = (o["quantity"] < 0) | ((o["quantity"] > 0) & status.isin(RETURNED))
    o["day"] = o["ordered_at"].dt.normalize()
    o["sale_units"] = o["quantity"].where(o["is_sale"], 0.0)
    o["sale_revenue"] = (o["quantity"] * o["unit_price"]).where(o["is_sale"], 0.0)
    o["returned_units"] = o["quantity"].abs().where(o["is_return"], 0.0)
    o["returned_value"] = (o["quantity"].abs() * o["unit_price"]).where(o["is_return"], 0.0)
    return o


def product_day_panel(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    o = _classify(orders, as_of)
    agg = o.groupby(["product_id", "day"]).agg(units=("sale_units", "sum"), revenue=("sale_revenue", "sum"),
                                               returns=("returned_units", "sum"))
    agg["orders"] = o[o["is_sale"]].groupby(["product_id", "day"])["order_id"].nunique()
    agg["orders"] = agg["orders"].fillna(0).astype("int64")
    first = agg[agg["units"] > 0].reset_index().groupby("product_id")["day"].min()
    end = pd.Timestamp(as_of) - pd.Timedelta(days=1)
    lengths = ((end - first).dt.days + 1).to_numpy()
    ids = np.repeat(first.index.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    days = np.repeat(first.to_numpy(), lengths) + offsets.astype("timedelta64[D]")
    grid = pd.MultiIndex.from_arrays([ids, days], names=["product_id", "day"])
    panel = agg.reindex(grid, fill_value=0).reset_index()
    panel["avg_price"] = panel["revenue"] / panel["units"].replace(0, np.nan)
    return panel.rename(columns={"product_id": "unique_id", "day": "ds"})


def customer_summary(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    o = _classify(orders, as_of)
    o = o[o["customer_id"].notna()]
    sales = o[o["is_sale"]]
    g = sales.groupby("customer_id")
    out = pd.DataFrame({
        "first_purchase": g["ordered_at"].min(), "last_purchase": g["ordered_at"].max(),
        "frequency": g["order_id"].nunique(), "gross_revenue": g["sale_revenue"].sum(),
        "units": g["sale_units"].sum(),
    })
    returned = o[o["is_return"]].groupby("customer_id")["returned_value"].sum()
    out["returned_value"] = returned.reindex(out.index, fill_value=0.0)
    out["monetary"] = out["gross_revenue"] - out["returned_value"]
    as_of_ts = pd.Timestamp(as_of)
    out["recency_days"] = (as_of_ts - out["last_purchase"].dt.normalize()).dt.days
    out["tenure_days"] = (as_of_ts - out["first_purchase"].dt.normalize()).dt.days
    out["avg_order_value"] = out["monetary"] / out["frequency"]
    out["returns_share"] = out["returned_value"] / out["gross_revenue"]
    daily = sales.groupby(["customer_id", "day"])["sale_revenue"].sum().reset_index()
    gd = daily.groupby("customer_id")
    first_day, last_day = gd["day"].min(), gd["day"].max()
    out["frequency_lt"] = gd.size() - 1
    out["recency_lt"] = (last_day - first_day).dt.days
    out["T"] = (as_of_ts - pd.Timedelta(days=1) - first_day).dt.days
    repeat_value = gd["sale_revenue"].sum() - daily.loc[gd["day"].idxmin(), ["customer_id", "sale_revenue"]].set_index(
        "customer_id")["sale_revenue"]
    out["monetary_value"] = (repeat_value / out["frequency_lt"].replace(0, np.nan)).fillna(0.0)
    return out.drop(columns="returned_value").reset_index()
