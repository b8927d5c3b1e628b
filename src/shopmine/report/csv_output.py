"""The one CSV writer of every table shopmine hands to people (a command's CSV output, run folders).

A spreadsheet opening the file runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula: an order id such as ``=HYPERLINK(...)`` would
become a link or worse. OWASP's advice for CSV injection is followed: such text cells get a
leading ``'``, which spreadsheets show as text. Only text is changed (object, string and
categorical columns, column names and a kept index); numbers stay numbers, so ``-3.5`` in a
float column is written as it is. Parquet and JSON outputs are not spreadsheets and keep the
raw values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "neutralise_formulas", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Prefix ``'`` to a string that a spreadsheet would run as a formula; return anything else as is.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise_formula(-3.5)
    -3.5
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text(values: pd.Series | pd.Index) -> bool:
    dtype = values.dtype
    return (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype))


def _neutralise_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_neutralise_index(index.get_level_values(i)) for i in range(index.nlevels)],
            names=[neutralise_formula(n) for n in index.names])
    values = index.astype(object).map(neutralise_formula) if _is_text(index) else index
    return pd.Index(values, name=neutralise_formula(index.name))


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells, column names and index cannot run as formulas.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; it is not changed.

    Returns
    -------
    pandas.DataFrame
        The same table with :func:`neutralise_formula` applied to every cell of its text
        (object, string, categorical) columns, its column names and its text index. Numeric,
        boolean and date columns are the same objects' values.
    """
    out = df.copy(deep=False)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if _is_text(column):
            # Categorical and string columns become object: a category "'=x" is not one of
            # the old categories, and the CSV text is the same either way.
            out.isetitem(position, column.astype(object).map(neutralise_formula))
    out.columns = _neutralise_index(out.columns)
    out.index = _neutralise_index(out.index)
    return out


def write_csv(df: pd.DataFrame, path: Path | str, *, index: bool = False) -> None:
    """Write ``df`` as CSV with spreadsheet formulas neutralised (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    path : pathlib.Path or str
        The file to write (callers make the write atomic).
    index : bool, default=False
        Also write the index, as :meth:`pandas.DataFrame.to_csv` does.
    """
    neutralise_formulas(df).to_csv(path, index=index)
