"""The table a risk model learns from and the tables it scores: target, ids, dates and feature columns.

Every check raises :class:`~shopmine.errors.ShopmineInputError` naming the parameter and the column, so
that each shell can name its own option.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shopmine.classic.schema import category_text, is_id_like, looks_like_dates
from shopmine.classic.target import check_target_column, pick_positive_class
from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["RiskData", "check_ids", "feature_frame", "prepare_training", "row_ids"]

#: Examples named in a message about duplicate ids or unknown columns.
_SHOWN = 5


@dataclass
class RiskData:
    """A training table split into what the models need.

    Parameters
    ----------
    X : pandas.DataFrame
        The feature columns: numeric ones as floats, categorical ones as text (missing stays missing).
    y : numpy.ndarray
        1 for the positive class (the risk), else 0.
    numeric, categorical : list of str
        The kinds of the columns of ``X``.
    positive_class, negative_class : str
        The target's values (the negative one is ``"not <positive>"`` when the target had more classes).
    dates : pandas.Series, optional
        The ``date_col`` values as timestamps (out-of-time evaluation).
    dropped : pandas.DataFrame
        ``column, reason``: columns of the table that are not features, and why.
    rows_without_target : int
        Rows left out because their target is missing.
    """

    X: pd.DataFrame
    y: np.ndarray
    numeric: list[str]
    categorical: list[str]
    positive_class: str
    negative_class: str
    dates: pd.Series | None = None
    dropped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["column", "reason"]))
    rows_without_target: int = 0


def _column(frame: pd.DataFrame, name: str | None, parameter: str) -> None:
    if name is not None and name not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:30]))
        raise ShopmineInputError(f"{{{parameter}}} {name!r} is not a column of the table; its columns are "
                                 f"{shown}.", parameter)


def check_ids(values: pd.Series, parameter: str = "id_col") -> None:
    """Refuse missing or repeated ids: each row's score must be traceable to one row."""
    if values.isna().any():
        rows = (np.flatnonzero(values.isna().to_numpy())[:_SHOWN] + 1).tolist()
        raise ShopmineInputError(f"{{{parameter}}} {values.name!r} is empty in row(s) {rows} (counting data rows "
                                 f"from 1); give every row an id, or leave {{{parameter}}} out to number the rows.",
                                 parameter)
    repeated = values[values.duplicated(keep=False)]
    if len(repeated):
        shown = ", ".join(map(repr, repeated.astype(str).unique()[:_SHOWN].tolist()))
        raise ShopmineInputError(f"{{{parameter}}} {values.name!r} repeats {repeated.nunique()} id(s), e.g. {shown}; "
                                 f"ids must be unique: remove the duplicate rows or choose another column.", parameter)


def _binary_target(values: pd.Series, target: str, positive_class: object | None) -> tuple[np.ndarray, str, str]:
    """0/1 outcome, positive and negative class names; refuses one class or many without a positive class."""
    labels = values.map(category_text).astype(object)
    classes = sorted(labels.unique())
    if len(classes) < 2:
        raise ShopmineInputError(f"{{target}} {target!r} has only one value ({classes[0]!r}) in the rows with a "
                                 f"target; a risk model needs both outcomes (e.g. good and bad loans).", "target")
    if positive_class is None and len(classes) > 2:
        shown = ", ".join(map(repr, classes[:10])) + (" ..." if len(classes) > 10 else "")
        raise ShopmineInputError(
            f"{{target}} {target!r} has {len(classes)} distinct values ({shown}); a risk model needs a binary "
            f"outcome. Name the risky value with {{positive_class}} (all others become the negative class) "
            f"or choose a yes/no column.", "target", mentions=("positive_class",))
    positive = pick_positive_class(labels, positive_class, target)
    negative = next(c for c in classes if c != positive) if len(classes) == 2 else f"not {positive}"
    return (labels == positive).to_numpy(dtype=np.int8), positive, negative


def _kind(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return "numeric"
    return "categorical"


def feature_frame(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """``frame``'s feature columns as the models read them: numbers as floats (text that is not a number
    becomes missing), categories as text (``1.0`` and ``1`` agree), missing values kept."""
    out = {}
    for column in numeric:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            values = pd.to_numeric(values.astype(object).where(values.notna(), None), errors="coerce")
        out[column] = values.astype("float64").to_numpy()
    for column in categorical:
        out[column] = frame[column].map(category_text, na_action="ignore").astype(object).to_numpy()
    return pd.DataFrame(out, index=frame.index)[numeric + categorical]


def prepare_training(table: pd.DataFrame, *, target: str, id_col: str | None = None,
                     positive_class: object | None = None, date_col: str | None = None,
                     folds: int = 5) -> RiskData:
    """Check ``table`` and split it into features, outcome and dates.

    Every column but the target, ``id_col`` and ``date_col`` is a candidate feature, except id-like columns
    (unique text or integers, or named like an id), other date columns, and columns that are constant or
    empty; those are listed in ``dropped`` with the reason.

    Raises
    ------
    ShopmineInputError
        When a named column is missing, the target is not binary (or has one value), ids repeat, a date
        cannot be read, no feature remains, or a class has fewer rows than ``folds``.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise ShopmineInputError("{data}: the table has no rows.", "data")
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 2:
        raise invalid_value("folds", "a whole number of at least 2", folds)
    check_target_column(table, target, "a risk model")
    _column(table, id_col, "id_col")
    _column(table, date_col, "date_col")
    for parameter, name in (("id_col", id_col), ("date_col", date_col)):
        if name is not None and name == target:
            raise ShopmineInputError(f"{{{parameter}}} {name!r} is the target; name another column.", parameter,
                                     mentions=("target",))
    if id_col is not None:
        check_ids(table[id_col])
    known = table[target].notna()
    rows_without_target = int((~known).sum())
    table = table.loc[known]
    y, positive, negative = _binary_target(table[target], target, positive_class)
    smallest = int(min(y.sum(), len(y) - y.sum()))
    if smallest < folds:
        raise ShopmineInputError(
            f"{{target}} {target!r} has only {smallest} row(s) of its rarer outcome; {folds}-fold cross-validation "
            f"needs at least one per fold. Add rows or lower {{folds}}.", "target", mentions=("folds",))
    dates = None
    if date_col is not None:
        dates = pd.to_datetime(table[date_col], errors="coerce", format="mixed")
        if dates.isna().any():
            row = int(np.flatnonzero(dates.isna().to_numpy())[0]) + 1
            raise ShopmineInputError(f"{{date_col}} {date_col!r}: row {row} holds {table[date_col].iloc[row - 1]!r}, "
                                     f"which is not a date; fix the value or leave {{date_col}} out.", "date_col")
    dropped: list[tuple[str, str]] = []
    numeric, categorical = [], []
    for column in table.columns:
        if column in (target, id_col, date_col):
            continue
        values = table[column]
        if values.isna().all():
            dropped.append((column, "no values"))
        elif values.nunique(dropna=True) <= 1 and not values.isna().any():
            dropped.append((column, "the same value in every row"))
        elif looks_like_dates(values):
            dropped.append((column, "dates: name it as the date column for an out-of-time evaluation"))
        elif is_id_like(str(column), values):
            dropped.append((column, "an identifier (named like an id, or one distinct value per row)"))
        else:
            (numeric if _kind(values) == "numeric" else categorical).append(column)
    if not numeric and not categorical:
        raise ShopmineInputError(f"{{data}}: no feature column remains besides the target {target!r}"
                                 + (f" ({'; '.join(f'{c}: {r}' for c, r in dropped)})" if dropped else "")
                                 + "; add columns that describe each case.", "data", mentions=("target",))
    X = feature_frame(table, numeric, categorical).reset_index(drop=True)
    return RiskData(X=X, y=y, numeric=numeric, categorical=categorical, positive_class=positive,
                    negative_class=negative, dates=None if dates is None else dates.reset_index(drop=True),
                    dropped=pd.DataFrame(dropped, columns=["column", "reason"]),
                    rows_without_target=rows_without_target)


def row_ids(frame: pd.DataFrame, id_col: str | None, parameter: str = "id_col") -> pd.Series:
    """The ``id`` of each scored row: ``id_col``'s values (unique, never empty) or the row number from 1."""
    if id_col is None:
        return pd.Series(np.arange(1, len(frame) + 1), index=frame.index, name="id")
    _column(frame, id_col, parameter)
    check_ids(frame[id_col], parameter)
    return frame[id_col].rename("id")
