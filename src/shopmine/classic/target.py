"""Checks and conversions of the target column: numeric for regression, labels for classifiers."""

from __future__ import annotations

import pandas as pd

from shopmine.classic.schema import category_text
from shopmine.errors import ShopmineInputError

__all__ = ["MAX_CLASSES", "check_target_column", "class_labels", "match_class", "numeric_target",
           "pick_positive_class"]

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


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def match_class(value: object, classes: list[str]) -> str | None:
    """The class among ``classes`` (labels as :func:`class_labels` writes them) that ``value`` names, or None.

    A value names a class when their texts agree (``1.0`` and ``1`` do: :func:`category_text`), when both
    are the same number (``"1.0"`` typed on the command line and a column of integers; ``"1e0"``), or when
    they differ only in case (``true`` and a boolean column's ``True``). A value that names two classes
    names none.
    """
    text = category_text(value).strip()
    if text in classes:
        return text
    number = _number(text)
    for same in ((lambda c: number is not None and _number(c) == number), (lambda c: c.lower() == text.lower())):
        found = [c for c in classes if same(c)]
        if len(found) == 1:
            return found[0]
    return None


def pick_positive_class(labels: pd.Series, positive_class: object | None, target: str) -> str:
    """The positive class of the text ``labels``: the one ``positive_class`` names (:func:`match_class`),
    else the minority class (ties: sorted last).

    Raises
    ------
    ShopmineInputError
        When ``positive_class`` names no class of ``labels``.

    Examples
    --------
    >>> labels = class_labels(pd.Series([0.0, 1.0, 0.0]), "default")
    >>> pick_positive_class(labels, "1", "default"), pick_positive_class(labels, 1.0, "default")
    ('1', '1')
    >>> pick_positive_class(labels, None, "default")
    '1'
    """
    classes = sorted(labels.unique())
    if positive_class is not None:
        found = match_class(positive_class, classes)
        if found is None:
            shown = ", ".join(map(repr, classes[:10])) + (" ..." if len(classes) > 10 else "")
            raise ShopmineInputError(
                f"{{positive_class}} {positive_class!r} is not a value of {target!r}; its values are {shown}.",
                "positive_class")
        return found
    counts = labels.value_counts()
    smallest = counts.min()
    return sorted(c for c in classes if counts[c] == smallest)[-1]
