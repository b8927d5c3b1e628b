"""From the user's table to model inputs: target checks, feature schema, training/test rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from shopmine.classic.schema import TableSchema, category_text, infer_schema
from shopmine.classic.split import split_rows
from shopmine.classic.target import check_target_column, class_labels, numeric_target
from shopmine.errors import ShopmineInputError

__all__ = ["PreparedData", "prepare_data"]

TASKS = ("regression", "classification", "clustering")


@dataclass
class PreparedData:
    """Training and test rows of one classic run, as raw rows and as model inputs.

    ``train``/``test`` are the raw rows (index as in the table after dropping rows without a
    target, 0..n-1); ``X_*`` their model inputs (:meth:`TableSchema.apply`); ``y_*`` the target
    (floats for regression, text labels for classification, None for clustering).
    """

    schema: TableSchema
    train: pd.DataFrame
    X_train: pd.DataFrame
    y_train: pd.Series | None
    test: pd.DataFrame | None = None
    X_test: pd.DataFrame | None = None
    y_test: pd.Series | None = None
    warnings: list[str] = field(default_factory=list)
    dropped_missing_target: int = 0
    test_source: str = "none"


def _target_rows(frame: pd.DataFrame, target: str, task: str, parameter: str) -> tuple[pd.DataFrame, pd.Series, int]:
    """Drop rows without a target; return the rows (index 0..n-1), the target and the count dropped."""
    if target not in frame.columns:
        raise ShopmineInputError(f"{{{parameter}}}: the table has no target column {target!r}; add it.", parameter)
    keep = frame[target].notna()
    if not keep.any():
        raise ShopmineInputError(f"{{{parameter}}}: the target {target!r} is missing in every row.", parameter)
    rows = frame.loc[keep].reset_index(drop=True)
    if task == "regression":
        y = numeric_target(rows[target], target)
    elif parameter == "data":
        y = class_labels(rows[target], target)
    else:
        # A test file may hold one class only (a small holdout); label it like the training rows.
        y = rows[target].map(category_text).astype(object)
    return rows, y, int((~keep).sum())


def prepare_data(
    data: pd.DataFrame,
    *,
    task: str,
    target: str | None,
    features: list[str] | None = None,
    test_data: pd.DataFrame | None = None,
    test_size: float = 0.2,
    seed: int = 42,
    split: bool = True,
) -> PreparedData:
    """Check the table, choose the features and split the rows.

    Rows with a missing target are dropped (and counted). The random split is
    ``train_test_split(rows, test_size=test_size, random_state=seed, stratify=y)`` with ``rows``
    the table without those rows and index 0..n-1, ``stratify`` only for classification. With
    ``test_data``, those rows are the test set and every row of ``data`` trains.

    Parameters
    ----------
    data : pandas.DataFrame
        The user's table.
    task : {"regression", "classification", "clustering"}
    target : str or None
        The target column; None for clustering.
    features : list of str, optional
        Feature columns; default: every other non-id-like column.
    test_data : pandas.DataFrame, optional
        A separate test table with the same columns.
    test_size : float, default=0.2
    seed : int, default=42
    split : bool, default=True
        False keeps every row for training (k-means without a test file).

    Returns
    -------
    PreparedData

    Raises
    ------
    ShopmineInputError
        For a missing or unusable target, unusable features, or fewer rows than model inputs.
    """
    if task not in TASKS:
        raise ShopmineInputError(f"task must be one of {', '.join(TASKS)}, got {task!r}.")
    if task == "clustering":
        rows, y, dropped = data.reset_index(drop=True), None, 0
    else:
        check_target_column(data, target, "this method")
        rows, y, dropped = _target_rows(data, target, task, "data")
    schema, warnings = infer_schema(rows, target, features)
    n_inputs = len(schema.model_numeric) + len(schema.categorical)
    if len(rows) <= n_inputs:
        raise ShopmineInputError(
            f"the table has {len(rows)} row(s) with a target but {n_inputs} feature(s); a model needs "
            f"more rows than features. Add rows or choose fewer columns with {{features}}.", "features"
        )
    if dropped:
        warnings.append(f"{dropped} row(s) with a missing target {target!r} were left out.")
    if test_data is not None:
        schema.check_columns(test_data, "test_data")
        if task == "clustering":
            test, y_test = test_data.reset_index(drop=True), None
        else:
            test, y_test, dropped_test = _target_rows(test_data, target, task, "test_data")
            if dropped_test:
                warnings.append(f"{dropped_test} test row(s) with a missing target were left out.")
        train, y_train, source = rows, y, "file"
    elif split:
        stratify = y if task == "classification" else None
        train, test = split_rows(rows, test_size=test_size, seed=seed, stratify=stratify)
        y_train = None if y is None else y.loc[train.index]
        y_test = None if y is None else y.loc[test.index]
        source = "split"
    else:
        train, test, y_train, y_test, source = rows, None, y, None, "none"
    return PreparedData(
        schema=schema,
        train=train,
        X_train=schema.apply(train),
        y_train=y_train,
        test=test,
        X_test=None if test is None else schema.apply(test),
        y_test=y_test,
        warnings=warnings,
        dropped_missing_target=dropped,
        test_source=source,
    )
