"""Scoring customers with fitted CLV models given as plain parameters (what travels to Spark executors).

The fit happens once on the driver; :func:`clv_parameters` turns the fitted purchase and spend models into
a JSON-able dict, :func:`restore_models` makes the models again from it, and :func:`score_customers` is
the one per-customer scoring used by both engines: on all customers at once in this process (DuckDB), or
on each batch of a Spark ``mapInPandas`` (:mod:`shopmine.distributed`). Every score is elementwise, so a
batch's scores are the same numbers as the whole table's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.models import PURCHASE_MODELS

__all__ = ["CHURN_DAYS", "INPUT_COLUMNS", "PURCHASE_DAYS", "SCORE_SCHEMA", "clv_parameters", "restore_models",
           "score_customers"]

#: Churn: no purchase in this many days after the as-of date.
CHURN_DAYS = 90
#: ``purchase_probability_30d``: at least one purchase in this many days.
PURCHASE_DAYS = 30
#: The per-customer inputs of the fit and of scoring (one row per customer).
INPUT_COLUMNS = ["customer_id", "frequency_lt", "recency_lt", "T", "litt", "monetary_value",
                 "monetary_value_capped", "spend_days"]
#: What :func:`score_customers` returns, as a Spark DDL schema (the order of its columns).
SCORE_SCHEMA = ("customer_id string, p_alive double, expected_purchases double, expected_spend_per_purchase double, "
                "expected_revenue double, churn_probability double, purchase_probability_30d double, "
                "frequency_lt bigint, recency_lt bigint, T bigint, litt double, monetary_value double, "
                "monetary_value_capped double")


def clv_parameters(name: str, purchases, spend: GammaGammaModel) -> dict:
    """The fitted models as plain numbers: the purchase model's name and parameters, Gamma-Gamma's
    parameters and its fallback spend (used when q <= 1)."""
    return {"purchase_model": name, "purchase_parameters": dict(purchases.params_),
            "gamma_gamma": dict(spend.params_), "gamma_gamma_fallback_spend": float(spend.fallback_spend_)}


def restore_models(parameters: dict):
    """The purchase model and Gamma-Gamma of :func:`clv_parameters`, ready to predict."""
    purchases = PURCHASE_MODELS[parameters["purchase_model"]][1]()
    purchases.params_ = {k: float(v) for k, v in parameters["purchase_parameters"].items()}
    spend = GammaGammaModel()
    spend.params_ = {k: float(v) for k, v in parameters["gamma_gamma"].items()}
    spend.fallback_spend_ = float(parameters["gamma_gamma_fallback_spend"])
    return purchases, spend


def score_customers(frame: pd.DataFrame, *, parameters: dict, horizon_days: int) -> pd.DataFrame:
    """Per customer: P(alive), expected purchases and revenue over ``horizon_days``, churn and 30-day
    purchase probabilities (columns of :data:`SCORE_SCHEMA`), from :data:`INPUT_COLUMNS`."""
    purchases, spend = restore_models(parameters)
    x, tx, t = (frame[c].to_numpy(float) for c in ("frequency_lt", "recency_lt", "T"))
    money, spend_days = (frame[c].to_numpy(float) for c in ("monetary_value_capped", "spend_days"))
    out = pd.DataFrame({"customer_id": frame["customer_id"].astype(str).to_numpy()})
    if not len(frame):  # an empty Spark batch: the columns, no rows
        for col in SCORE_SCHEMA.split(", ")[1:]:
            name, kind = col.split(" ")
            out[name] = pd.Series(dtype="int64" if kind == "bigint" else "float64")
        return out
    out["p_alive"] = purchases.p_alive(x, tx, t)
    out["expected_purchases"] = purchases.expected_purchases(horizon_days, x, tx, t)
    out["expected_spend_per_purchase"] = spend.conditional_expected_spend(spend_days, money)
    out["expected_revenue"] = out["expected_purchases"] * out["expected_spend_per_purchase"]
    out["churn_probability"] = purchases.p_no_purchase(CHURN_DAYS, x, tx, t)
    out["purchase_probability_30d"] = 1.0 - purchases.p_no_purchase(PURCHASE_DAYS, x, tx, t)
    for col in ("frequency_lt", "recency_lt", "T"):
        out[col] = frame[col].to_numpy(np.int64)
    for col in ("litt", "monetary_value", "monetary_value_capped"):
        out[col] = frame[col].to_numpy(float)
    return out
