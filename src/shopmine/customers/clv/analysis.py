"""The lifetime-value analysis of a shop: a purchase model chosen on its own history + Gamma-Gamma, in one result.

Which quantity comes from which model: ``p_alive``, ``expected_purchases``, ``churn_probability`` and
``purchase_probability_30d`` all come from the one purchase model that serves (so they are mutually
consistent: the same fitted parameters, the same customer); the spend per purchase comes from
Gamma-Gamma, and ``expected_revenue`` is their product (Gamma-Gamma assumes spend independent of the
purchase process).

Which purchase model serves: with ``model="auto"`` (the default) Pareto/NBD, BG/NBD and MBG/CNBD-k are
ranked by the RMSE of their holdout purchases on a calibration/holdout split of the shop's own history
(:mod:`shopmine.customers.clv.selection`), and the best is refitted on the whole history. A fit that
:func:`~shopmine.customers.clv.degenerate.degenerate_reason` rejects (a parameter at the edge, P(alive)
>= 0.99 for nearly everyone, a flat likelihood) does not serve: the next model does, and the result says
which and why (``model``, ``fallback_reason``). A model forced by name serves even when degenerate, with
the reason in the result.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from shopmine.customers.behaviour import no_customers_reason, refuse_unpriced_lines
from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.fallback import serve_purchase_model
from shopmine.customers.clv.models import PURCHASE_MODELS
from shopmine.customers.clv.purchase_timing import SPEND_CAP_QUANTILE, purchase_timing
from shopmine.customers.clv.scoring import (CHURN_DAYS, INPUT_COLUMNS, PURCHASE_DAYS, SCORE_SCHEMA,
                                            clv_parameters, score_customers)
from shopmine.customers.clv.selection import (DEFAULT_ORDER, MIN_HOLDOUT_DAYS, holdout_length,
                                              select_purchase_model)
from shopmine.customers.clv.summary_input import check_positive_int
from shopmine.distributed import stage
from shopmine.customers.value_figures import pareto_figure, top_share, value_histogram
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features import classify_lines, customer_summary
from shopmine.result import AnalysisResult

__all__ = ["check_clv_request", "CHURN_DAYS", "MIN_REPEAT_BUYERS", "MODEL_CHOICES", "OUTPUT_COLUMNS", "PURCHASE_MODELS", "PURCHASE_DAYS",
           "customer_lifetime_value"]

#: Columns of the customers table ``shopmine clv`` writes (the issue's output contract, with the model that served).
OUTPUT_COLUMNS = ["customer_id", "p_alive", "expected_purchases", "expected_revenue", "churn_probability",
                  "purchase_probability_30d", "model"]
#: Repeat buyers needed: with fewer, the dropout (a, b) and spend (q, v) parameters are not identified
#: and the optimiser returns whatever the start was.
MIN_REPEAT_BUYERS = 2
#: Values of ``model``: ``auto`` or a purchase model's name.
MODEL_CHOICES = ("auto", *PURCHASE_MODELS)


def customer_lifetime_value(orders: ibis.Table, *, as_of: dt.date, horizon_days: int = 365,
                            model: str = "auto", scratch_dir: str | Path | None = None) -> AnalysisResult:
    """Probability alive, expected purchases and revenue, churn and 30-day purchase probabilities.

    A purchase is a customer-day with a sale line; the models fit on the lifetimes columns of
    :func:`shopmine.features.customer_summary` (``frequency_lt, recency_lt, T`` in days), MBG/CNBD-k also
    on the log intertransaction times, and Gamma-Gamma on the mean spend per purchase day (the first
    included: see :mod:`~shopmine.customers.clv.purchase_timing`) with each day's spend capped at the :data:`~shopmine.customers.clv.purchase_timing.SPEND_CAP_QUANTILE` quantile of
    all purchase days (:func:`~shopmine.customers.clv.purchase_timing.purchase_timing`).

    Parameters
    ----------
    orders : ibis.Table
        Order lines in the canonical schema.
    as_of : datetime.date
        Only lines before this day count; predictions are for the days from ``as_of`` on.
    horizon_days : int, default=365
        Horizon of ``expected_purchases`` and ``expected_revenue``.
    model : {"auto", "pareto_nbd", "bgnbd", "mbgcnbd"}, default="auto"
        Purchase model behind ``p_alive``, ``expected_purchases``, ``churn_probability`` and
        ``purchase_probability_30d``; ``auto`` chooses on a holdout of the shop's own history.
    scratch_dir : path, optional
        On Spark, where the executors write the per-customer summary and the scores
        (:func:`shopmine.distributed.stage`); default a temporary folder.

    Notes
    -----
    On Spark the summary is computed and written by the cluster, the models are fitted once on the
    driver from it, and every customer is scored by the executors (``mapInPandas`` with the models'
    parameters); ``scored_on`` in the metrics says where. The scores equal DuckDB's.

    Returns
    -------
    AnalysisResult
        Tables ``customers`` (:data:`OUTPUT_COLUMNS`, ``fallback_reason`` and the summary columns, by
        expected revenue), ``parameters`` (model, parameter, estimate) and, with ``auto``, ``selection``
        (the holdout scores); metrics with the fitted parameters, ``model``, ``fallback_reason`` and totals.

    Raises
    ------
    ShopmineInputError
        ``horizon_days`` below 1, an unknown ``model``, no purchase before ``as_of``, fewer than 2
        customers, or fewer than :data:`MIN_REPEAT_BUYERS` customers who bought on more than one day.
    """
    horizon_days = check_clv_request(horizon_days, model)
    # A sale line without a price would silently lower a customer's spend and the spend model would
    # fit on it: refused as segment and classify refuse it.
    refuse_unpriced_lines(classify_lines(orders, before=as_of, bulk=False))
    inputs, spend_cap = clv_inputs(orders, as_of=as_of)
    with stage(inputs, scratch_dir) as staged:
        # The fit reads the per-customer summary on the driver (it grows with customers, not order lines);
        # sorted, so that both engines sum the likelihood in one order.
        summary = staged.to_pandas().sort_values("customer_id", ignore_index=True)
        _check_shop(summary, as_of, orders)
        x, tx, t, litt = (summary[c].to_numpy(float) for c in ("frequency_lt", "recency_lt", "T", "litt"))

        selection, notes = None, []
        if model == "auto":
            first_day = pd.Timestamp(summary["first_purchase"].min()).date()
            holdout_days = holdout_length(first_day, as_of)
            order = list(DEFAULT_ORDER)
            if holdout_days >= MIN_HOLDOUT_DAYS:
                try:
                    selection = select_purchase_model(orders, as_of=as_of, holdout_days=holdout_days,
                                                      scratch_dir=scratch_dir)
                    order = [m for m in selection["model"] if m in PURCHASE_MODELS]
                except ShopmineInputError as exc:
                    notes.append(f"No model choice on a holdout ({exc}); the default order served.")
            else:
                notes.append(f"The history before {as_of} is too short for a holdout of {MIN_HOLDOUT_DAYS} days; "
                             "the default order served.")
        else:
            order = [model]
        name, purchases, fallback_reason = serve_purchase_model(order, x, tx, t, litt, forced=model != "auto")
        model_name = PURCHASE_MODELS[name][0]
        # Spend per purchase from every purchase day (x + 1 of them), not only the repeat ones: a one-time
        # buyer's own spend then counts beside the population's (see purchase_timing).
        money, spend_days = (summary[c].to_numpy(float) for c in ("monetary_value_capped", "spend_days"))
        spend = GammaGammaModel().fit(spend_days, money)
        # Scored where the summary is (every Spark executor on its batches), from the parameters alone.
        scored = staged.map(partial(score_customers, parameters=clv_parameters(name, purchases, spend),
                                    horizon_days=horizon_days), SCORE_SCHEMA)
        scored_where = staged.where

    customers = scored.assign(model=model_name, fallback_reason=fallback_reason)
    customers = customers[OUTPUT_COLUMNS + ["fallback_reason", "expected_spend_per_purchase", "frequency_lt",
                                            "recency_lt", "T", "litt", "monetary_value", "monetary_value_capped"]]
    customers = customers.sort_values(["expected_revenue", "customer_id"], ascending=[False, True],
                                      kind="stable").reset_index(drop=True)

    parameters = pd.DataFrame(
        [(model_name, k, v) for k, v in purchases.params_.items()]
        + [("Gamma-Gamma", k, v) for k, v in spend.params_.items()],
        columns=["model", "parameter", "estimate"])
    repeat = int((x > 0).sum())
    alive = customers["p_alive"].to_numpy()
    metrics = {
        "as_of": as_of, "horizon_days": horizon_days, "customers": len(customers), "repeat_buyers": repeat,
        "expected_purchases_total": float(customers["expected_purchases"].sum()),
        "expected_revenue_total": float(customers["expected_revenue"].sum()),
        "mean_p_alive": float(alive.mean()), "share_p_alive_099": float((alive >= 0.99).mean()),
        "mean_churn_probability": float(customers["churn_probability"].mean()),
        "model": name, "purchase_model": model_name, "fallback_reason": fallback_reason,
        name: purchases.params_, f"{name}_log_likelihood": purchases.log_likelihood_,
        "gamma_gamma": spend.params_, "gamma_gamma_customers": spend.n_customers_,
        "spend_cap_per_purchase_day": spend_cap, "spend_cap_quantile": SPEND_CAP_QUANTILE,
        "time_unit": "day", "scored_on": scored_where,
    }
    tables = {"customers": customers, "parameters": parameters}
    if selection is not None:
        tables["selection"] = selection
        metrics["selection_calibration_end"] = selection["calibration_end"].iloc[0]
        metrics["selection_holdout_rmse"] = dict(zip(selection["model"], selection["rmse"].astype(float)))
        served_rmse = metrics["selection_holdout_rmse"].get(name, np.inf)
        if metrics["selection_holdout_rmse"]["rate_so_far"] < served_rmse:
            notes.append(f"On the holdout, rate-so-far (RMSE {metrics['selection_holdout_rmse']['rate_so_far']:.3f}) "
                         f"beat {model_name} ({served_rmse:.3f}): treat these forecasts with care.")
    summary_text = _summary_text(metrics, model_name, selection, fallback_reason, notes)
    expected = customers["expected_revenue"].astype(float)
    figures = {"clv_distribution": value_histogram(expected, column="expected_revenue",
                                                   title=f"Expected revenue per customer, next {horizon_days} days"),
               "clv_pareto": pareto_figure(expected.to_numpy(), what="expected revenue",
                                           title="Expected revenue concentration by share of customers")}
    metrics["top_20pct_expected_revenue_share"] = top_share(expected.to_numpy())
    return AnalysisResult(name="clv", title=f"Customer lifetime value ({model_name} and Gamma-Gamma)",
                          summary=summary_text, tables=tables, metrics=metrics, figures=figures)


def clv_inputs(orders: ibis.Table, *, as_of: dt.date) -> tuple[ibis.Table, float]:
    """The per-customer table the models fit on and score (:data:`~shopmine.customers.clv.scoring.INPUT_COLUMNS`
    and ``first_purchase``), as an expression for the engine, and the spend cap per purchase day."""
    summary = customer_summary(orders, as_of=as_of)
    summary = summary.mutate(customer_id=summary.customer_id.cast("string"))
    timing, spend_cap = purchase_timing(orders, end=as_of - dt.timedelta(days=1))
    joined = summary.left_join(timing, summary.customer_id == timing.customer_id)
    inputs = joined.select(
        customer_id=summary.customer_id, first_purchase=summary.first_purchase,
        frequency_lt=summary.frequency_lt.cast("int64"), recency_lt=summary.recency_lt.cast("int64"),
        T=summary.T.cast("int64"), litt=timing.litt.fill_null(0.0),
        monetary_value=summary.monetary_value.cast("float64"),
        monetary_value_capped=timing.monetary_value_capped.fill_null(0.0),
        spend_days=timing.spend_days.fill_null(0).cast("float64"))
    return inputs.select("first_purchase", *INPUT_COLUMNS).order_by("customer_id"), spend_cap


def check_clv_request(horizon_days: object, model: object) -> int:
    """Refuse a bad horizon or an unknown model (before any table is read); return the horizon."""
    horizon_days = check_positive_int(horizon_days, "horizon_days")
    if model not in MODEL_CHOICES:
        raise invalid_value("model", f"one of {', '.join(MODEL_CHOICES)}", model)
    return horizon_days


def _summary_text(metrics: dict, model_name: str, selection, fallback_reason: str, notes: list[str]) -> str:
    text = (f"{metrics['customers']:,} customers as of {metrics['as_of']} ({metrics['repeat_buyers']:,} bought on more "
            f"than one day). Model: {model_name}")
    if selection is not None:
        sound = selection[(selection["degenerate"] == "") & (selection["model"] != "rate_so_far")]
        text += (f", chosen by holdout RMSE of purchases after {metrics['selection_calibration_end']} ("
                 + ", ".join(f"{PURCHASE_MODELS[m][0] if m in PURCHASE_MODELS else m} {r:.3f}"
                             for m, r in zip(selection["model"], selection["rmse"])) + ")")
        if sound.empty:
            text += "; every calibration fit was degenerate"
    text += "."
    if fallback_reason:
        text += f" {fallback_reason[0].upper()}{fallback_reason[1:]}."
    text += (f" Over the next {metrics['horizon_days']} days it expects {metrics['expected_purchases_total']:,.0f} "
             f"purchase days and Gamma-Gamma {metrics['expected_revenue_total']:,.0f} in revenue (each purchase "
             f"day's spend capped at {metrics['spend_cap_per_purchase_day']:,.2f}, the "
             f"{metrics['spend_cap_quantile']:.0%} quantile). Mean probability alive {metrics['mean_p_alive']:.2f} "
             f"({metrics['share_p_alive_099']:.0%} of customers at 0.99 or more); mean probability of no purchase "
             f"in the next 90 days {metrics['mean_churn_probability']:.2f}.")
    if model_name == "BG/NBD":
        text += " Customers who bought once count as alive under BG/NBD."
    return " ".join([text, *notes])


def _check_shop(summary: pd.DataFrame, as_of: dt.date, orders: ibis.Table) -> None:
    n = len(summary)
    if n == 0:
        raise ShopmineInputError(f"lifetime value needs customers with a purchase before {as_of}; found 0: "
                                 + no_customers_reason(orders, as_of))
    if n < 2:
        raise ShopmineInputError(
            f"lifetime value needs at least 2 customers with a purchase before {as_of}; found {n}. "
            "Load more orders or choose a later {as_of}.", "as_of")
    repeat = int((np.asarray(summary["frequency_lt"]) > 0).sum())
    if repeat < MIN_REPEAT_BUYERS:
        raise ShopmineInputError(
            f"lifetime value needs at least {MIN_REPEAT_BUYERS} customers who bought on more than one day before "
            f"{as_of}; found {repeat} of {n} customers. Without repeat purchases the models cannot tell how often "
            "customers come back or how long they stay; load a longer order history or choose a later {as_of}.", "as_of")
