"""The training's AnalysisResult: both models' cross-validated scores, the scorecard, reasons, figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from shopmine.classic.evaluation import flag_break_even
from shopmine.classic.plots import bar_figure, calibration_curves_figure, confusion_figure, ks_figure, roc_figure
from shopmine.result import AnalysisResult
from shopmine.risk.binning import iv_table
from shopmine.risk.model import MODEL_NAMES, RiskModel, reason_order

__all__ = ["training_result"]

#: Rows of the training table that the reason and SHAP summaries read.
SAMPLE_ROWS = 20_000
LABELS = {"scorecard": "scorecard (WoE logistic regression)", "challenger": "challenger (LightGBM)"}


def _models_table(model: RiskModel, oot: pd.DataFrame | None) -> pd.DataFrame:
    rows = []
    for name in MODEL_NAMES:
        row = {"model": name, **model.cv[name], "served": name == model.served}
        if oot is not None and len(oot):
            row["oot_auc"] = float(oot.set_index("model").loc[name, "auc"])
        rows.append(row)
    return pd.DataFrame(rows)


def _sample(X: pd.DataFrame) -> pd.DataFrame:
    """Every row up to :data:`SAMPLE_ROWS`, else an evenly spaced sample of about that many (SHAP values of
    150,000 rows take minutes and say nothing more than 20,000)."""
    return X.iloc[:: max(1, len(X) // SAMPLE_ROWS)]


def _reason_table(features: list[str], lost: np.ndarray) -> pd.DataFrame:
    """How often each feature is a row's first reason, and among its three, given what each feature counts
    against each row (``lost``: :meth:`RiskModel.reason_lost`)."""
    order, counts = reason_order(lost)
    first = np.bincount(order[:, 0][counts[:, 0]], minlength=len(features))
    any_k = np.bincount(order[counts], minlength=len(features))
    table = pd.DataFrame({"feature": features, "first_reason_share": first / len(lost),
                          "top3_reason_share": any_k / len(lost)})
    return table.sort_values(["first_reason_share", "feature"], ascending=[False, True], ignore_index=True)


def _importance(model: RiskModel, shap: np.ndarray) -> pd.DataFrame:
    """The challenger's total split gain and mean |SHAP| (log-odds) per feature."""
    gain = model.booster.feature_importance(importance_type="gain")
    return (pd.DataFrame({"feature": model.challenger_features, "gain": gain,
                          "mean_abs_shap": np.abs(shap).mean(axis=0)})
            .sort_values("mean_abs_shap", ascending=False, ignore_index=True))


def _reasons_and_importance(model: RiskModel, X: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reason table and the challenger's importance on (a sample of) the training rows, with the
    challenger's SHAP values computed once for both."""
    from shopmine.risk.challenger import contributions

    sample = _sample(X)
    shap = contributions(model.booster, sample[model.challenger_features], model.spec["challenger"]["categories"])
    features, lost = (model.challenger_features, shap) if model.served == "challenger" else model.reason_lost(sample)
    return _reason_table(features, lost), _importance(model, shap)


def _threshold_sentence(metrics: dict, served: str) -> str:
    """What the cost threshold does; when it flags nothing, that this is the cheapest answer and what cost of a
    miss would change it (a confusion matrix of all negatives says neither)."""
    target, positive = metrics["target"], metrics["positive_class"]
    if metrics["threshold_flagged_share"] > 0:
        return (f"At the cost threshold {metrics['threshold']:.3g} it flags {metrics['threshold_flagged_share']:.1%} "
                f"of the rows and catches {metrics['threshold_recall']:.1%} of those with {target} = {positive}.")
    costs = f"a missed {target} = {positive} costs {metrics['cost_fn']:g}, a false alarm {metrics['cost_fp']:g}"
    if not np.isfinite(metrics["break_even_cost_ratio"]):
        return f"At these costs ({costs}) it flags no row."
    return (f"At these costs ({costs}) no row is worth flagging: even among the {served}'s riskiest rows (out of "
            f"fold) each one caught comes with at least {metrics['break_even_cost_ratio']:.1f} false alarms, so a "
            f"missed {target} = {positive} must cost more than {metrics['break_even_cost_ratio']:.1f} times a false "
            f"alarm before any row is flagged (then those from probability {metrics['break_even_threshold']:.3g}). "
            f"Flagging nothing is the cheapest answer, not a failure; raise the cost of a miss if it is higher.")


def training_result(model: RiskModel, data, cv, card, oot, *, threshold: float, cost: float,
                    random_state: int) -> AnalysisResult:
    """Tables, metrics and figures of a training (:func:`~shopmine.risk.train_risk`)."""
    y, served = data.y, model.served
    spec = model.spec
    positive, target = spec["positive_class"], spec["target"]
    oot_table, oot_facts = oot if oot is not None else (None, {})
    # The screen as the scorecard saw it: IV first, then features its regression dropped.
    ivs = iv_table(card.process, spec["min_iv"])
    for feature, reason in card.dropped:
        ivs.loc[ivs["feature"] == feature, ["selected", "note"]] = [False, reason]
    ivs.loc[ivs["feature"].isin(card.coefficients), "selected"] = True
    points = model.points_table()
    reasons, importance = _reasons_and_importance(model, data.X)
    p_served = cv.oof[served]
    predicted = np.where(p_served >= threshold, positive, spec["negative_class"])
    actual = np.where(y == 1, positive, spec["negative_class"])
    labels = [spec["negative_class"], positive]
    confusion = skm.confusion_matrix(actual, predicted, labels=labels)
    tables = {
        "models": _models_table(model, oot_table),
        "folds": pd.DataFrame({"fold": np.arange(1, len(cv.rounds) + 1), **{f"{n}_auc": cv.fold_auc[n]
                                                                           for n in MODEL_NAMES},
                               "challenger_trees": cv.rounds}),
        "information_value": ivs,
        "scorecard": points,
        "coefficients": card.coefficient_table,
        "confusion_matrix": pd.DataFrame(confusion, index=pd.Index(labels, name="actual"), columns=labels),
        "reason_codes": reasons,
        "challenger_importance": importance,
        "dropped_columns": data.dropped,
    }
    if oot_table is not None:
        tables["out_of_time"] = oot_table
    curves = {}
    for name in MODEL_NAMES:
        fpr, tpr, _ = skm.roc_curve(y, cv.oof[name])
        curves[f"{name}, out of fold"] = (fpr, tpr, model.cv[name]["auc"])
    calibration = {}
    for name in MODEL_NAMES:
        observed, mean_predicted = calibration_curve(y, cv.oof[name], n_bins=10, strategy="quantile")
        calibration[name] = (mean_predicted, observed)
    figures = {
        "roc": roc_figure(curves, f"ROC curves for {target} = {positive} (out-of-fold, AUC = mean of the folds)"),
        "ks": ks_figure(y, p_served, f"KS of the served {served} (out-of-fold)"),
        "calibration": calibration_curves_figure(calibration, "Calibration (out-of-fold, deciles of probability)"),
        "confusion_matrix": confusion_figure(confusion, labels, f"Confusion matrix of the {served} at the cost "
                                                                f"threshold {threshold:.3g} (out-of-fold)"),
        "information_value": bar_figure(ivs["feature"].tolist(), ivs["iv"].to_numpy(), "Information value",
                                        "information value", "", lines={f"min {spec['min_iv']:g}": spec["min_iv"]}),
    }
    n_pos = int(y.sum())
    metrics = {
        "target": target, "positive_class": positive, "negative_class": spec["negative_class"],
        "rows": int(len(y)), "positives": n_pos, "base_rate": n_pos / len(y),
        "rows_without_target": data.rows_without_target, "folds": len(cv.rounds), "served": served,
    }
    for name in MODEL_NAMES:
        metrics.update({f"{name}_{key}": value for key, value in model.cv[name].items()})
    tn, fp, fn, tp = confusion.ravel()
    break_even, break_even_cut = flag_break_even(y, p_served)
    metrics.update({
        "break_even_cost_ratio": break_even, "break_even_threshold": break_even_cut,
        "threshold": threshold, "threshold_cost": cost, "cost_fn": spec["threshold"]["cost_fn"],
        "cost_fp": spec["threshold"]["cost_fp"], "threshold_flagged_share": float((p_served >= threshold).mean()),
        "threshold_recall": tp / max(tp + fn, 1), "threshold_precision": tp / max(tp + fp, 1),
        **spec["scale"], "candidate_features": len(spec["binning"]),
        "scorecard_features": len(card.coefficients), "challenger_trees": spec["challenger"]["rounds"],
        "min_iv": spec["min_iv"], "special_codes": spec["special_codes"], "id_col": spec["id_col"],
        "date_col": spec["date_col"], "random_state": random_state, "notes": card.notes,
    })
    if oot_table is not None:
        metrics.update({k: v for k, v in oot_facts.items()})
        for _, row in oot_table.iterrows():
            metrics[f"{row['model']}_oot_auc"] = float(row["auc"])
    other = "challenger" if served == "scorecard" else "scorecard"
    summary = (f"Scorecard (WoE logistic regression) on {len(card.coefficients)} feature(s): cross-validated AUC "
               f"{model.cv['scorecard']['auc']:.3f} ± {model.cv['scorecard']['auc_sd']:.3f}; "
               f"{LABELS['challenger']}: {model.cv['challenger']['auc']:.3f} ± {model.cv['challenger']['auc_sd']:.3f} "
               f"({len(cv.rounds)}-fold stratified, {len(y):,} rows, {metrics['base_rate']:.1%} with {target} = "
               f"{positive}). Serving the {served} (higher AUC than the {other}).\n"
               + _threshold_sentence(metrics, served))
    return AnalysisResult(name="risk", title=f"Risk model for {target} = {positive}", summary=summary,
                          tables=tables, metrics=metrics, figures=figures, models=model.to_models())
