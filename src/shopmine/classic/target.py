"""Checks and conversions of the target column: numeric for regression, labels for classifiers."""

from __future__ import annotations

import pandas as pd

from shopmine.classic.schema import category_text
from shopmine.errors import ShopmineInputError

__all__ = ["MAX_CLASSES", "check_target_column", "class_labels", "numeric_target", "pick_positive_class"]

#: More distinct values than this is a number, not a category, for a classifier.
MAX_CLASSES = 50


def check_target_column(frame: pd.DataFrame, target: str | None, method: str) -> None:
    """Raise unless ``target`` names a column of ``frame`` with at least one value."""
    if target is None:
        raise ShopmineInputError(f"{{target}} is required for {method}: name the column to predict.", "target")
    if target not in frame.columns:
        raise ShopmineInputError(
            f"{{target}} {target!r} is not a column of the table; available columns: "
            f"{', '.join(map(str, frame.columns))}.", "target"
        )
    if frame[target].isna().all():
        raise ShopmineInputError(
            f"{{target}} {target!r} is missing in every row; choose a column with values.", "target"
        )


def numeric_target(values: pd.Series, target: str) -> pd.Series:
    """Return a regression target as floats, refusing text and booleans."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise ShopmineInputError(
            f"{{target}} {target!r} must be numeric for linear regression; it holds "
            f"{values.dtype} values such as {values.dropna().iloc[0]!r}. Use `model tree` or "
            f"`model logistic` for a category.", "target"
        )
    return values.astype("float64")


def class_labels(values: pd.Series, target: str) -> pd.Series:
    """Return a classification target as text labels (``1.0`` and ``1`` both become ``"1"``).

    Raises
    ------
    ShopmineInputError
        When the target has fewer than two classes or more than :data:`MAX_CLASSES`.
    """
    labels = values.map(category_text).astype(object)
    classes = sorted(labels.unique())
    if len(classes) < 2:
        raise ShopmineInputError(
            f"{{target}} {target!r} has only one class ({classes[0]!r}) in the rows with a "
            f"target; a classifier needs at least two.", "target"
        )
    if len(classes) > MAX_CLASSES:
        raise ShopmineInputError(
            f"{{target}} {target!r} has {len(classes)} distinct values, too many for a class; "
            f"use `model linear` for a number or group the values first.", "target"
        )
    return labels


def pick_positive_class(labels: pd.Series, positive_class: str | None, target: str) -> str:
    """Return the positive class: the one asked for, else the minority class (ties: sorted last)."""
    classes = sorted(labels.unique())
    if positive_class is not None:
        if str(positive_class) not in classes:
            raise ShopmineInputError(
                f"{{positive_class}} {positive_class!r} is not a value of {target!r}; its classes "
                f"are {', '.join(map(repr, classes))}.", "positive_class"
            )
        return str(positive_class)
    counts = labels.value_counts()
    smallest = counts.min()
    return sorted(c for c in classes if counts[c] == smallest)[-1]
