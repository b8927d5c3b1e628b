"""Linear regression by least squares, the textbook way: correlations, OLS table, errors, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline

from shopmine.classic.base import ClassicEstimator
from shopmine.classic.evaluation import regression_scores
from shopmine.classic.plots import actual_vs_predicted, residual_figure
from shopmine.classic.prepare import PreparedData
from shopmine.classic.preprocess import make_preprocessor, missing_report
from shopmine.errors import ShopmineInputError
from shopmine.figures import scatter_with_fit
from shopmine.result import AnalysisResult

__all__ = ["ClassicLinearRegression", "correlation_table"]

#: Features plotted against the target, the most correlated first.
TOP_SCATTERS = 3


def correlation_table(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Pearson and Spearman correlation of each column of ``X`` with ``y``, strongest first.

    Parameters
    ----------
    X : pandas.DataFrame
        Numeric feature columns (one-hot dummies included).
    y : pandas.Series
        The target, aligned with ``X``.

    Returns
    -------
    pandas.DataFrame
        ``feature``, ``pearson``, ``spearman``, sorted by ``|pearson|`` descending (NaN for a
        column that is constant in these rows).
    """
    table = pd.DataFrame({
        "feature": X.columns,
        "pearson": [X[c].corr(y, method="pearson") for c in X.columns],
        "spearman": [X[c].corr(y, method="spearman") for c in X.columns],
    })
    order = table["pearson"].abs().sort_values(ascending=False, na_position="last").index
    return table.loc[order].reset_index(drop=True)


class ClassicLinearRegression(ClassicEstimator):
    """Ordinary least squares of a numeric target on the features (statsmodels OLS).

    Parameters
    ----------
    target : str
        The numeric column to explain.
    features : list of str, optional
        Feature columns; default: every other column except id-like ones.
    test_size : float, default=0.2
        Share of rows held out (``train_test_split``, no stratification).
    seed : int, default=42
        Random seed of the split.

    Attributes
    ----------
    ols_ : statsmodels RegressionResults
        The least-squares fit on the training rows (design: intercept ``const``, then the
        preprocessed features).
    result_, pipeline_, schema_, warnings_
        See :class:`~shopmine.classic.base.ClassicEstimator`.

    Examples
    --------
    >>> df = pd.DataFrame({"x": np.arange(10.0), "y": 2 * np.arange(10.0) + 1})
    >>> model = ClassicLinearRegression(target="y", features=["x"]).fit(df)
    >>> [round(v, 9) for v in model.ols_.params]
    [1.0, 2.0]
    """

    method = "linear"
    task = "regression"

    def _fit(self, prepared: PreparedData) -> tuple[Pipeline, AnalysisResult]:
        schema = prepared.schema
        preprocessor = make_preprocessor(schema, drop_first=True)
        Z_train = preprocessor.fit_transform(prepared.X_train)
        names = [str(n) for n in preprocessor.get_feature_names_out()]
        n_params = len(names) + 1
        if len(Z_train) <= n_params:
            raise ShopmineInputError(
                f"{len(Z_train)} training rows for {n_params} coefficients (intercept and "
                f"{len(names)} encoded features): least squares needs more rows than coefficients. "
                f"Add rows, lower {{test_size}} or choose fewer {{features}}.", "test_size", mentions=('features',)
            )
        y_train = prepared.y_train.to_numpy()
        design = sm.add_constant(pd.DataFrame(Z_train, columns=names), has_constant="add")
        ols = sm.OLS(y_train, design).fit()
        self.ols_ = ols

        # The fitted coefficients carried into a scikit-learn estimator, so that preprocessing and
        # model are one skops-safe pipeline and predict reproduces the OLS predictions.
        params = ols.params.to_numpy()
        estimator = LinearRegression()
        estimator.coef_ = params[1:].copy()
        estimator.intercept_ = float(params[0])
        estimator.n_features_in_ = len(names)
        estimator.rank_ = int(ols.df_model) + 1
        estimator.singular_ = np.linalg.svd(design.to_numpy(), compute_uv=False)
        pipeline = Pipeline([("preprocess", preprocessor), ("model", estimator)])

        fitted_train = ols.fittedvalues.to_numpy()
        metrics: dict = {"method": "linear regression (least squares)", "target": schema.target,
                         "n_train": len(Z_train), "n_features": len(names)}
        metrics.update(regression_scores(y_train, fitted_train, "train"))
        metrics["r2_adjusted_train"] = float(ols.rsquared_adj)
        metrics["f_test_p_value"] = float(ols.f_pvalue) if np.isfinite(ols.f_pvalue) else None
        figures = {}
        if prepared.X_test is not None and len(prepared.X_test):
            y_test = prepared.y_test.to_numpy()
            predicted_test = pipeline.predict(prepared.X_test)
            metrics["n_test"] = len(y_test)
            metrics.update(regression_scores(y_test, predicted_test, "test"))
            shown, shown_on = (y_test, predicted_test), "test"
        else:
            shown, shown_on = (y_train, fitted_train), "training"
        metrics["test_source"] = prepared.test_source

        ci = ols.conf_int(alpha=0.05)
        coefficients = pd.DataFrame({
            "term": design.columns,
            "coefficient": params,
            "std_error": ols.bse.to_numpy(),
            "t": ols.tvalues.to_numpy(),
            "p_value": ols.pvalues.to_numpy(),
            "ci_low_95": ci.iloc[:, 0].to_numpy(),
            "ci_high_95": ci.iloc[:, 1].to_numpy(),
        })
        Z_frame = pd.DataFrame(Z_train, columns=names)
        y_frame = pd.Series(y_train, name=schema.target)
        correlations = correlation_table(Z_frame, y_frame)

        figures["residuals"] = residual_figure(fitted_train, ols.resid.to_numpy(),
                                               "Residuals against fitted values (training rows)")
        figures["actual_vs_predicted"] = actual_vs_predicted(
            shown[0], shown[1], f"Actual against predicted {schema.target} ({shown_on} rows)")
        scatter_data = Z_frame.assign(**{schema.target: y_train})
        top = [f for f in correlations["feature"] if Z_frame[f].nunique() > 1][:TOP_SCATTERS]
        for feature in top:
            figures[f"scatter_{feature}"] = scatter_with_fit(
                scatter_data, feature, schema.target, title=f"{schema.target} against {feature} (training rows)")

        significant = coefficients[(coefficients["term"] != "const") & (coefficients["p_value"] < 0.05)]
        test_text = (f"R² {metrics['r2_test']:.3f} and RMSE {metrics['rmse_test']:.4g} on {metrics['n_test']} test rows"
                     if "r2_test" in metrics else "no test rows")
        summary = (
            f"Least-squares regression of {schema.target} on {len(names)} feature(s) from "
            f"{len(Z_train)} training rows: R² {ols.rsquared:.3f} on the training rows, {test_text}. "
            f"Significant at 5%: {', '.join(significant['term']) if len(significant) else 'none'}."
        )
        tables = {"coefficients": coefficients, "correlations": correlations,
                  "missing_values": missing_report(schema, preprocessor, prepared.X_train, prepared.X_test)}
        result = AnalysisResult(name="linear", title=f"Linear regression of {schema.target}",
                                summary=summary, tables=tables, metrics=metrics, figures=figures)
        return pipeline, result
