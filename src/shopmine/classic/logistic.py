"""Logistic regression by maximum likelihood: odds ratios, ROC/AUC, a threshold, calibration."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from shopmine.classic.base import ClassicEstimator
from shopmine.classic.evaluation import classification_scores
from shopmine.classic.plots import calibration_figure, confusion_figure, roc_figure
from shopmine.classic.prepare import PreparedData
from shopmine.classic.preprocess import make_preprocessor, missing_report
from shopmine.classic.target import pick_positive_class
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.result import AnalysisResult

__all__ = ["ClassicLogisticRegression", "logit_coefficients", "odds_ratios", "youden_threshold"]

PENALTIES = ("none", "l2", "l1")


def youden_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability cut-off maximising Youden's J = TPR − FPR on the ROC curve of (y, p)."""
    fpr, tpr, thresholds = skm.roc_curve(y, p)
    best = int(np.argmax(tpr - fpr))
    return float(min(thresholds[best], 1.0))


def odds_ratios(coefficients) -> np.ndarray:
    """``exp`` of log-odds coefficients; one beyond the float range is ``inf``, without a warning.

    A (quasi-)separated fit has coefficients or interval bounds in the hundreds: their odds ratio is
    honestly "unbounded", which ``inf`` says, so numpy's overflow warning would only alarm the user.
    """
    with np.errstate(over="ignore"):
        return np.exp(np.asarray(coefficients, dtype=float))


def logit_coefficients(logit) -> pd.DataFrame:
    """The coefficient table of a fitted ``statsmodels`` Logit: ``term, coefficient, std_error, z, p_value``,
    95 % intervals, and the odds ratios with theirs."""
    params = logit.params.to_numpy()
    ci = logit.conf_int(alpha=0.05)
    return pd.DataFrame({
        "term": [str(t) for t in logit.params.index], "coefficient": params, "std_error": logit.bse.to_numpy(),
        "z": logit.tvalues.to_numpy(), "p_value": logit.pvalues.to_numpy(),
        "ci_low_95": ci.iloc[:, 0].to_numpy(), "ci_high_95": ci.iloc[:, 1].to_numpy(),
        "odds_ratio": odds_ratios(params), "odds_ratio_ci_low_95": odds_ratios(ci.iloc[:, 0]),
        "odds_ratio_ci_high_95": odds_ratios(ci.iloc[:, 1]),
    })


class ClassicLogisticRegression(ClassicEstimator):
    """Binary logistic regression: statsmodels Logit (maximum likelihood) or penalised scikit-learn.

    Parameters
    ----------
    target : str
        The class column. With more than two classes, ``positive_class`` is modelled against
        all others.
    features : list of str, optional
        Default: every other column except id-like ones.
    test_size : float, default=0.2
        Share of rows held out, stratified by class.
    seed : int, default=42
    penalty : {"none", "l2", "l1"}, default="none"
        ``"none"``: ``statsmodels.Logit`` on the one-hot design (first category dropped) with an
        intercept; coefficients come with standard errors, odds ratios and 95% CIs. ``"l2"``/
        ``"l1"``: ``LogisticRegression(C=1)`` on standardised features (coefficients per sd,
        without standard errors).
    threshold : float or "youden", default=0.5
        Probability from which a row is predicted positive; ``"youden"`` picks the cut-off that
        maximises TPR − FPR on the training rows.
    positive_class : str, optional
        Default: the minority class.
    """

    method = "logistic"
    task = "classification"
    def __init__(self, *, target: str | None = None, features: list[str] | None = None, test_size: float = 0.2,
                 seed: int = 42, penalty: str = "none", threshold: float | str = 0.5,
                 positive_class: str | None = None):
        super().__init__(target=target, features=features, test_size=test_size, seed=seed)
        self.penalty = penalty
        self.threshold = threshold
        self.positive_class = positive_class

    def _check_params(self) -> None:
        if self.penalty not in PENALTIES:
            raise invalid_value("penalty", "none, l2 or l1", self.penalty)
        if self.threshold != "youden":
            try:
                value = float(self.threshold)
            except (TypeError, ValueError):
                value = float("nan")
            if not 0.0 < value < 1.0:
                raise invalid_value("threshold", "a probability between 0 and 1 or 'youden'", self.threshold)

    def _fit(self, prepared: PreparedData) -> tuple[Pipeline, AnalysisResult]:
        schema = prepared.schema
        classes = sorted(prepared.y_train.unique())
        if len(classes) > 2 and self.positive_class is None:
            raise ShopmineInputError(
                f"{{target}} {schema.target!r} has {len(classes)} classes; logistic regression here is binary. "
                f"Name the class to model with {{positive_class}} (the others become its negative).", "target", mentions=('positive_class',)
            )
        positive = pick_positive_class(prepared.y_train, self.positive_class, schema.target)
        negative = next(c for c in classes if c != positive) if len(classes) == 2 else f"not {positive}"
        self.positive_class_, self.negative_class_ = positive, negative
        y_train = (prepared.y_train == positive).to_numpy(dtype=int)
        notes: list[str] = []
        if self.penalty == "none":
            preprocessor = make_preprocessor(schema, drop_first=True)
            Z = preprocessor.fit_transform(prepared.X_train)
            names = [str(n) for n in preprocessor.get_feature_names_out()]
            estimator, coefficients = self._fit_logit(Z, y_train, names, notes)
        else:
            preprocessor = make_preprocessor(schema, drop_first=False, scale=True)
            Z = preprocessor.fit_transform(prepared.X_train)
            names = [str(n) for n in preprocessor.named_steps["columns"].get_feature_names_out()]
            estimator = LogisticRegression(C=1.0, l1_ratio=1.0 if self.penalty == "l1" else 0.0,
                                           solver="liblinear" if self.penalty == "l1" else "lbfgs",
                                           max_iter=5000, random_state=self.seed)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                estimator.fit(Z, y_train)
            notes += sorted({str(w.message).splitlines()[0] for w in caught})
            params = np.concatenate([estimator.intercept_, estimator.coef_[0]])
            coefficients = pd.DataFrame({"term": ["const", *names], "coefficient": params,
                                         "odds_ratio": odds_ratios(params)})
        self.warnings_ = getattr(self, "warnings_", []) + notes
        pipeline = Pipeline([("preprocess", preprocessor), ("model", estimator)])
        p_train = pipeline.predict_proba(prepared.X_train)[:, 1]
        threshold = youden_threshold(y_train, p_train) if self.threshold == "youden" else float(self.threshold)
        self.threshold_ = threshold

        metrics: dict = {"method": f"logistic regression (penalty {self.penalty})", "target": schema.target,
                         "positive_class": positive, "n_train": len(y_train), "n_features": len(names),
                         "penalty": self.penalty, "threshold": threshold,
                         "threshold_rule": "youden" if self.threshold == "youden" else "given",
                         "auc_train": float(skm.roc_auc_score(y_train, p_train))}
        figures = {}
        tables: dict[str, pd.DataFrame] = {"coefficients": coefficients}
        curves = {"training rows": (*skm.roc_curve(y_train, p_train)[:2], metrics["auc_train"])}
        if prepared.X_test is not None and len(prepared.X_test):
            y_test = (prepared.y_test == positive).to_numpy(dtype=int)
            p_test = pipeline.predict_proba(prepared.X_test)[:, 1]
            metrics["n_test"] = len(y_test)
            if len(np.unique(y_test)) == 2:
                metrics["auc_test"] = float(skm.roc_auc_score(y_test, p_test))
                curves["test rows"] = (*skm.roc_curve(y_test, p_test)[:2], metrics["auc_test"])
            labels = [negative, positive]
            actual = np.where(y_test == 1, positive, negative)
            predicted = np.where(p_test >= threshold, positive, negative)
            scores, per_class, confusion = classification_scores(actual, predicted, labels, "test")
            metrics.update(scores)
            metrics.update(
                precision_test=float(skm.precision_score(y_test, p_test >= threshold, zero_division=0)),
                recall_test=float(skm.recall_score(y_test, p_test >= threshold, zero_division=0)),
                f1_test=float(skm.f1_score(y_test, p_test >= threshold, zero_division=0)),
                log_loss_test=float(skm.log_loss(y_test, p_test, labels=[0, 1])),
                brier_test=float(skm.brier_score_loss(y_test, p_test)),
            )
            tables["per_class"] = per_class
            tables["confusion_matrix"] = pd.DataFrame(confusion, index=pd.Index(labels, name="actual"),
                                                      columns=labels)
            figures["confusion_matrix"] = confusion_figure(
                confusion, labels, f"Confusion matrix at threshold {threshold:.3g} (test rows)")
            observed, mean_predicted = calibration_curve(y_test, p_test, n_bins=10, strategy="quantile")
            figures["calibration"] = calibration_figure(mean_predicted, observed, "Calibration (test rows)")
        metrics["test_source"] = prepared.test_source
        figures["roc"] = roc_figure(curves, f"ROC curve for {schema.target} = {positive}")
        tables["missing_values"] = missing_report(schema, preprocessor, prepared.X_train, prepared.X_test)
        test_text = (f"AUC {metrics['auc_test']:.3f}, accuracy {metrics['accuracy_test']:.3f} at threshold "
                     f"{threshold:.3g} on {metrics['n_test']} test rows" if "auc_test" in metrics else "no test AUC")
        summary = (f"Logistic regression (penalty {self.penalty}) of P({schema.target} = {positive}) on "
                   f"{len(names)} feature(s) from {len(y_train)} training rows: {test_text}.")
        result = AnalysisResult(name="logistic", title=f"Logistic regression for {schema.target} = {positive}",
                                summary=summary, tables=tables, metrics=metrics, figures=figures)
        return pipeline, result

    def _fit_logit(self, Z: np.ndarray, y: np.ndarray, names: list[str],
                   notes: list[str]) -> tuple[LogisticRegression, pd.DataFrame]:
        """Maximum likelihood with statsmodels; the estimates carried into a scikit-learn estimator."""
        if len(Z) <= len(names) + 1:
            raise ShopmineInputError(
                f"{len(Z)} training rows for {len(names) + 1} coefficients: maximum likelihood needs more "
                f"rows than coefficients. Add rows, lower {{test_size}} or choose fewer {{features}}.", "test_size", mentions=('features',))
        design = sm.add_constant(pd.DataFrame(Z, columns=names), has_constant="add")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                logit = sm.Logit(y, design).fit(disp=0, maxiter=200)
            except np.linalg.LinAlgError as exc:
                raise ShopmineInputError(
                    f"the maximum-likelihood fit failed ({exc}): features are collinear. Choose fewer "
                    f"{{features}} or use {{penalty}} l2.", "features", mentions=('penalty',)) from exc
        messages = sorted({str(w.message).splitlines()[0] for w in caught})
        params = logit.params.to_numpy()
        separated = any("separation" in m.lower() for m in messages)
        if separated or not np.all(np.isfinite(params)) or not logit.mle_retvals.get("converged", True):
            raise ShopmineInputError(
                "the maximum-likelihood fit did not converge (the classes are (quasi-)perfectly separated by "
                "the features, or features are collinear); use {penalty} l2 or choose fewer {features}.", "penalty", mentions=('features',))
        notes += messages
        self.logit_ = logit
        estimator = LogisticRegression()
        estimator.coef_ = params[1:].reshape(1, -1).copy()
        estimator.intercept_ = params[:1].copy()
        estimator.classes_ = np.array([0, 1])
        estimator.n_features_in_ = len(names)
        estimator.n_iter_ = np.array([int(logit.mle_retvals.get("iterations", 0))])
        return estimator, logit_coefficients(logit)

    def _spec(self) -> dict:
        return {"positive_class": self.positive_class_, "negative_class": self.negative_class_,
                "threshold": self.threshold_}
