"""The lifetime-value analysis of a shop: Pareto/NBD (or BG/NBD) + Gamma-Gamma per customer, in one result.

Which quantity comes from which model: ``p_alive``, ``expected_purchases``, ``churn_probability`` and
``purchase_probability_30d`` all come from the one purchase model chosen with ``model`` (so they are
mutually consistent: the same fitted parameters, the same customer); the spend per purchase comes
from Gamma-Gamma, and ``expected_revenue`` is their product (Gamma-Gamma assumes spend independent of
the purchase process).
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from shopmine.customers.behaviour import no_customers_reason, refuse_unpriced_lines
from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel
from shopmine.customers.clv.summary_input import check_positive_int
from shopmine.errors import ShopmineInputError
from shopmine.features import classify_lines, customer_summary
from shopmine.result import AnalysisResult

__all__ = ["CHURN_DAYS", "MIN_REPEAT_BUYERS", "OUTPUT_COLUMNS", "PURCHASE_MODELS", "PURCHASE_DAYS",
           "customer_lifetime_value"]

#: Columns of ``shopmine clv --output`` (the issue's output contract).
OUTPUT_COLUMNS = ["customer_id", "p_alive", "expected_purchases", "expected_revenue", "churn_probability",
                  "purchase_probability_30d"]
#: Churn: no purchase in this many days after the as-of date.
CHURN_DAYS = 90
#: ``purchase_probability_30d``: at least one purchase in this many days.
PURCHASE_DAYS = 30
#: Repeat buyers needed: with fewer, the dropout (a, b) and spend (q, v) parameters are not identified
#: and the optimiser returns whatever the start was.
MIN_REPEAT_BUYERS = 2
#: Purchase models by name, with their display names. Pareto/NBD is the default: on CDNOW's 39-week
#: holdout it has the lowest MAE of the two (bench/customers.py) and it lets one-time buyers drop out,
#: which BG/NBD cannot.
PURCHASE_MODELS = {"pareto_nbd": ("Pareto/NBD", ParetoNBDModel), "bgnbd": ("BG/NBD", BetaGeoModel)}


def customer_lifetime_value(orders: ibis.Table, *, as_of: dt.date, horizon_days: int = 365,
                            model: str = "pareto_nbd") -> AnalysisResult:
    """Probability alive, expected purchases and revenue, churn and 30-day purchase probabilities.

    A purchase is a customer-day with a sale line; the models fit on the lifetimes columns of
    :func:`shopmine.features.customer_summary` (``frequency_lt, recency_lt, T`` in days and
    ``monetary_value``, the mean gross revenue per repeat purchase day).

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Only lines before this day count; predictions are for the days from ``as_of`` on.
    horizon_days : int, default=365
        Horizon of ``expected_purchases`` and ``expected_revenue``.
    model : {"pareto_nbd", "bgnbd"}, default="pareto_nbd"
        Purchase model behind ``p_alive``, ``expected_purchases``, ``churn_probability`` and
        ``purchase_probability_30d``.

    Returns
    -------
    AnalysisResult
        Tables ``customers`` (:data:`OUTPUT_COLUMNS` plus the summary columns) and ``parameters``
        (model, parameter, estimate); metrics with the fitted parameters and totals.

    Raises
    ------
    ShopmineInputError
        ``horizon_days`` below 1, an unknown ``model``, no purchase before ``as_of``, fewer than 2
        customers, or fewer than :data:`MIN_REPEAT_BUYERS` customers who bought on more than one day.
    """
    horizon_days = check_positive_int(horizon_days, "horizon_days", "customer_lifetime_value")
    if model not in PURCHASE_MODELS:
        raise ShopmineInputError(f"The 'model' parameter of customer_lifetime_value must be one of "
                                 f"{sorted(PURCHASE_MODELS)}. Got {model!r} instead.")
    model_name, model_class = PURCHASE_MODELS[model]
    # A sale line without a price would silently lower a customer's spend and the spend model would
    # fit on it: refused as segment and classify refuse it.
    refuse_unpriced_lines(classify_lines(orders, before=as_of))
    summary = customer_summary(orders, as_of=as_of).to_pandas()
    _check_shop(summary, as_of, orders)
    x, tx, t = (summary[c].to_numpy(float) for c in ("frequency_lt", "recency_lt", "T"))
    money = summary["monetary_value"].to_numpy(float)
    purchases = model_class().fit(x, tx, t)
    spend = GammaGammaModel().fit(x, money)

    customers = pd.DataFrame({"customer_id": summary["customer_id"].astype(str)})
    customers["p_alive"] = purchases.p_alive(x, tx, t)
    customers["expected_purchases"] = purchases.expected_purchases(horizon_days, x, tx, t)
    customers["expected_spend_per_purchase"] = spend.conditional_expected_spend(x, money)
    customers["expected_revenue"] = customers["expected_purchases"] * customers["expected_spend_per_purchase"]
    customers["churn_probability"] = purchases.p_no_purchase(CHURN_DAYS, x, tx, t)
    customers["purchase_probability_30d"] = 1.0 - purchases.p_no_purchase(PURCHASE_DAYS, x, tx, t)
    for col in ("frequency_lt", "recency_lt", "T", "monetary_value"):
        customers[col] = summary[col].to_numpy()
    customers = customers[OUTPUT_COLUMNS + ["expected_spend_per_purchase", "frequency_lt", "recency_lt", "T",
                                            "monetary_value"]]

    parameters = pd.DataFrame(
        [(model_name, k, v) for k, v in purchases.params_.items()]
        + [("Gamma-Gamma", k, v) for k, v in spend.params_.items()],
        columns=["model", "parameter", "estimate"])
    repeat = int((x > 0).sum())
    metrics = {
        "as_of": as_of, "horizon_days": horizon_days, "customers": len(customers), "repeat_buyers": repeat,
        "expected_purchases_total": float(customers["expected_purchases"].sum()),
        "expected_revenue_total": float(customers["expected_revenue"].sum()),
        "mean_p_alive": float(customers["p_alive"].mean()),
        "mean_churn_probability": float(customers["churn_probability"].mean()),
        "purchase_model": model_name, model: purchases.params_, f"{model}_log_likelihood": purchases.log_likelihood_,
        "gamma_gamma": spend.params_, "gamma_gamma_customers": spend.n_customers_,
        "time_unit": "day",
    }
    summary_text = (
        f"{len(customers):,} customers as of {as_of} ({repeat:,} bought on more than one day). Over the next "
        f"{horizon_days} days {model_name} expects {metrics['expected_purchases_total']:,.0f} purchase days and "
        f"Gamma-Gamma {metrics['expected_revenue_total']:,.0f} in revenue. Mean probability alive "
        f"{metrics['mean_p_alive']:.2f}; mean probability of no purchase in the next {CHURN_DAYS} days "
        f"{metrics['mean_churn_probability']:.2f}." + (" Customers who bought once count as alive under BG/NBD."
                                                         if model == "bgnbd" else ""))
    return AnalysisResult(name="clv", title=f"Customer lifetime value ({model_name} and Gamma-Gamma)",
                          summary=summary_text, tables={"customers": customers, "parameters": parameters},
                          metrics=metrics)


def _check_shop(summary: pd.DataFrame, as_of: dt.date, orders: ibis.Table) -> None:
    n = len(summary)
    if n == 0:
        raise ShopmineInputError(f"lifetime value needs customers with a purchase before {as_of}; found 0: "
                                 + no_customers_reason(orders, as_of))
    if n < 2:
        raise ShopmineInputError(
            f"lifetime value needs at least 2 customers with a purchase before {as_of}; found {n}. "
            "Load more orders or choose a later --as-of.")
    repeat = int((np.asarray(summary["frequency_lt"]) > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:
        raise ShopmineInputError(
            f"lifetime value needs at least {MIN_REPEAT_BUYERS} customers who bought on more than one day before "
            f"{as_of}; found {repeat} of {n} customers. Without repeat purchases the models cannot tell how often "
            "customers come back or how long they stay; load a longer order history or choose a later --as-of.")
