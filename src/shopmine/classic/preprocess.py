"""The scikit-learn preprocessing every classic method shares: impute, one-hot encode, scale."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from shopmine.classic.schema import TableSchema

__all__ = ["MISSING_CATEGORY", "make_preprocessor", "missing_report"]

#: The category a missing text value becomes: missing is information ("no phone given").
MISSING_CATEGORY = "(missing)"


def make_preprocessor(schema: TableSchema, *, drop_first: bool, scale: bool = False) -> Pipeline:
    """Build the (unfitted) preprocessing of a schema's model inputs.

    Numeric and calendar columns are imputed with their training median; text columns with the
    category :data:`MISSING_CATEGORY`, then one-hot encoded with ``handle_unknown="ignore"`` (a
    category never seen in training encodes as all zeros, i.e. as the reference category).

    Parameters
    ----------
    schema : TableSchema
        The model inputs.
    drop_first : bool
        Drop each text column's first category: needed when the model has an intercept and no
        penalty (linear, logistic), where a full set of dummies would be collinear with it.
    scale : bool, default=False
        Standardise every output column (k-means, penalised logistic regression).

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    transformers = []
    if schema.model_numeric:
        transformers.append(
            ("numeric", SimpleImputer(strategy="median", keep_empty_features=True), schema.model_numeric)
        )
    if schema.categorical:
        encoder = OneHotEncoder(
            handle_unknown="ignore", drop="first" if drop_first else None, sparse_output=False
        )
        transformers.append((
            "categorical",
            Pipeline([
                ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
                ("onehot", encoder),
            ]),
            schema.categorical,
        ))
    columns = ColumnTransformer(transformers, verbose_feature_names_out=False)
    steps = [("columns", columns)]
    if scale:
        steps.append(("scale", StandardScaler()))
    return Pipeline(steps)


def missing_report(
    schema: TableSchema, preprocessor: Pipeline, train: pd.DataFrame, test: pd.DataFrame | None
) -> pd.DataFrame:
    """Count the missing values per model input and say what they were replaced with.

    Parameters
    ----------
    schema : TableSchema
    preprocessor : Pipeline
        Fitted by :func:`make_preprocessor` on ``train``.
    train, test : pandas.DataFrame
        Model input frames (:meth:`TableSchema.apply`).

    Returns
    -------
    pandas.DataFrame
        ``column``, ``missing_train``, ``missing_test``, ``imputed_with``: only columns with a
        missing value.
    """
    columns: ColumnTransformer = preprocessor.named_steps["columns"]
    fills: dict[str, object] = {}
    if schema.model_numeric:
        fills.update(zip(schema.model_numeric, columns.named_transformers_["numeric"].statistics_))
    for column in schema.categorical:
        fills[column] = MISSING_CATEGORY
    rows = []
    for column, fill in fills.items():
        n_train = int(train[column].isna().sum())
        n_test = int(test[column].isna().sum()) if test is not None else 0
        if n_train or n_test:
            rows.append({"column": column, "missing_train": n_train, "missing_test": n_test,
                         "imputed_with": fill})
    return pd.DataFrame(rows, columns=["column", "missing_train", "missing_test", "imputed_with"])
