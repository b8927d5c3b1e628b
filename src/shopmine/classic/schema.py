"""Which columns a classic method uses and how each is read: the table schema of a fitted model.

The schema is plain JSON so that it is stored beside the model and applied unchanged to new rows
at prediction time: the same features, the same date expansion, the same numeric/categorical split.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shopmine.errors import ShopmineInputError

__all__ = ["DATE_PARTS", "TableSchema", "category_text", "infer_schema", "is_id_like", "looks_like_dates"]

#: Calendar features a date column is expanded into, as ``<column>_<part>``.
DATE_PARTS = ("year", "month", "day", "dayofweek")
# "id", "order_id", "customer-id", "CustomerID", "userId": a name that says "identifier".
_ID_NAME = re.compile(r"(^|[_\s.-])id$|^id([_\s.-]|$)", re.IGNORECASE)
_ID_SUFFIX = re.compile(r"[a-z](Id|ID)$")
# ISO dates (2011-12-09, 2011-12-09 12:50) and day/month/year dates (09/12/2011, 9.12.11).
_DATE_TEXT = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})")


def is_id_like(name: str, values: pd.Series) -> bool:
    """Tell whether a column is an identifier rather than a feature.

    A column is id-like when its name says so (``id``, ``order_id``, ``CustomerID`` ...) or when
    it holds text or integers whose values are all distinct (one per row, so nothing to learn).

    Parameters
    ----------
    name : str
        Column name.
    values : pandas.Series
        Column values.

    Returns
    -------
    bool
    """
    if _ID_NAME.search(name) or _ID_SUFFIX.search(name):
        return True
    textual = pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
    integer = pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values)
    non_null = values.dropna()
    return (textual or integer) and len(non_null) > 1 and non_null.is_unique


def looks_like_dates(values: pd.Series) -> bool:
    """Tell whether a column holds dates: a datetime dtype, or text that all parses as dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return False
    non_null = values.dropna().astype(str)
    if non_null.empty or not non_null.str.match(_DATE_TEXT).all():
        return False
    return bool(_to_dates(non_null).notna().all())


def _to_dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    text = values.astype("string")
    iso = text.str.match(r"^\s*\d{4}-")
    # ISO text is unambiguous; other layouts are read day first (the European convention of the
    # shared data sets) rather than guessed per value.
    parsed = pd.to_datetime(text.where(iso), errors="coerce", format="ISO8601")
    if (~iso & text.notna()).any():
        other = pd.to_datetime(text.where(~iso), errors="coerce", dayfirst=True, format="mixed")
        parsed = parsed.fillna(other)
    return parsed


@dataclass
class TableSchema:
    """The features of a classic model and how they are turned into model inputs.

    Parameters
    ----------
    features : list of str
        The raw columns the model reads, in order.
    numeric : list of str
        Numeric raw columns (booleans included, as 0/1).
    categorical : list of str
        Text columns, one-hot encoded.
    dates : list of str
        Date columns, expanded into calendar features.
    date_parts : list of str
        The calendar features kept (``<date column>_<part>``); constant ones are dropped.
    target : str or None
        The target column (None for k-means).
    """

    features: list[str]
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    date_parts: list[str] = field(default_factory=list)
    target: str | None = None

    @property
    def model_numeric(self) -> list[str]:
        """Numeric model inputs: numeric columns, then calendar features."""
        return self.numeric + self.date_parts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableSchema:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})

    def check_columns(self, frame: pd.DataFrame, parameter: str = "data") -> None:
        """Raise when ``frame`` lacks one of the features, naming every missing column."""
        missing = [c for c in self.features if c not in frame.columns]
        if missing:
            raise ShopmineInputError(
                f"{{{parameter}}}: the table lacks the feature column(s) {', '.join(map(repr, missing))} "
                f"that the model was fitted on; add them (values may be empty) and run again.", parameter)

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Turn raw rows into the model's input frame: numeric, calendar, then categorical columns.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows holding at least :attr:`features`.

        Returns
        -------
        pandas.DataFrame
            Float numeric and calendar columns, categorical columns as text (missing stays NaN),
            with the index of ``frame``.
        """
        self.check_columns(frame)
        out = pd.DataFrame(index=frame.index)
        for column in self.numeric:
            values = frame[column]
            if values.dtype == object:
                values = pd.to_numeric(values, errors="coerce")
            out[column] = values.astype("float64")
        for column in self.dates:
            dates = _to_dates(frame[column])
            for part in DATE_PARTS:
                name = f"{column}_{part}"
                if name in self.date_parts:
                    out[name] = getattr(dates.dt, part).astype("float64")
        for column in self.categorical:
            values = frame[column]
            # One type per column for the encoder: 3 and "3" are the same category.
            out[column] = values.map(category_text, na_action="ignore").astype(object)
        return out


def category_text(value: Any) -> str:
    """Text of a category value; integral floats lose their ``.0`` (``1.0`` and ``1`` agree)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def infer_schema(
    frame: pd.DataFrame,
    target: str | None,
    features: list[str] | None,
) -> tuple[TableSchema, list[str]]:
    """Choose the features of ``frame`` and the kind of each.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (rows with a missing target already removed).
    target : str or None
        The target column, never a feature.
    features : list of str, optional
        The features asked for; default: every other column except id-like ones.

    Returns
    -------
    schema : TableSchema
    warnings : list of str
        What the user should know: excluded id-like columns, dropped constant calendar features.

    Raises
    ------
    ShopmineInputError
        When a named feature is missing or is the target, no feature remains, or a feature is
        constant (a single value, or no value at all).
    """
    warnings: list[str] = []
    if features is None:
        candidates = [c for c in frame.columns if c != target]
        dates = [c for c in candidates if looks_like_dates(frame[c])]
        ids = [c for c in candidates if c not in dates and is_id_like(c, frame[c])]
        if ids:
            warnings.append(
                f"id-like column(s) not used as features: {', '.join(ids)} (name an id or one "
                f"distinct value per row); name them in the features to use them."
            )
        chosen = [c for c in candidates if c not in ids]
    else:
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise ShopmineInputError(
                f"{{features}}: column(s) {', '.join(map(repr, missing))} are not in the table; "
                f"available columns: {', '.join(map(str, frame.columns))}.", "features"
            )
        if target is not None and target in features:
            raise ShopmineInputError(
                f"{{features}}: {target!r} is the target; remove it from the feature list.", "features"
            )
        if len(set(features)) != len(features):
            raise ShopmineInputError("{features}: a column is listed twice; list each once.", "features")
        chosen = list(features)
        dates = [c for c in chosen if looks_like_dates(frame[c])]
    if not chosen:
        raise ShopmineInputError(
            "no feature columns remain (every other column is the target or id-like); "
            "name them with {features}.", "features"
        )
    for column in chosen:
        if frame[column].nunique(dropna=True) <= 1:
            state = "has no values" if frame[column].isna().all() else "has the same value in every row"
            raise ShopmineInputError(
                f"feature {column!r} {state}, so it cannot explain anything; "
                f"leave it out with {{features}}.", "features"
            )
    numeric = [
        c for c in chosen
        if c not in dates and (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    ]
    categorical = [c for c in chosen if c not in dates and c not in numeric]
    schema = TableSchema(features=chosen, numeric=numeric, categorical=categorical, dates=dates,
                         date_parts=[f"{d}_{p}" for d in dates for p in DATE_PARTS], target=target)
    # Calendar parts that never vary (all dates in one year, say) carry no information.
    expanded = schema.apply(frame)
    constant = [p for p in schema.date_parts if expanded[p].nunique(dropna=True) <= 1]
    if constant:
        schema.date_parts = [p for p in schema.date_parts if p not in constant]
        warnings.append(f"constant calendar feature(s) dropped: {', '.join(constant)}.")
    return schema, warnings
