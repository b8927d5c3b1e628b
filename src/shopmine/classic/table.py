"""Reading the one prepared table a user brings to a classic method (CSV, Parquet or Excel)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shopmine.errors import ShopmineInputError

__all__ = ["read_table"]

_CSV = (".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz")
_PARQUET = (".parquet", ".pq")
_EXCEL = (".xlsx", ".xls", ".xlsm")


def read_table(path: str | Path, parameter: str = "data", *, text: bool = False) -> pd.DataFrame:
    """Read a table file into a data frame, choosing the reader by the file's extension.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` (plain or ``.gz``; the delimiter is sniffed), ``.parquet`` or Excel file.
    parameter : str, default="data"
        The parameter that named the file, used in error messages (a shell names its option).
    text : bool, default=False
        Every cell as the text it holds, a blank one as ``""`` (ids keep their leading zeros), for a
        caller that parses the cells itself and names the row and column of a bad one.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ShopmineInputError
        When the file does not exist, has an unknown extension, cannot be parsed or holds no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise ShopmineInputError(f"{{{parameter}}} {path}: no such file.", parameter)
    name = path.name.lower()
    as_text = {"dtype": str, "keep_default_na": False} if text else {}
    try:
        if name.endswith(_CSV):
            # sep=None lets the python engine sniff ';' and tab exports as well as ','.
            frame = pd.read_csv(path, sep=None, engine="python", **as_text)
        elif name.endswith(_PARQUET):
            frame = pd.read_parquet(path)
            if text:
                frame = frame.astype(object).where(frame.notna(), "").astype(str)
        elif name.endswith(_EXCEL):
            frame = pd.read_excel(path, **as_text)
        else:
            raise ShopmineInputError(
                f"{{{parameter}}} {path}: unknown file type; use a .csv, .parquet or .xlsx file.", parameter)
    except ShopmineInputError:
        raise
    except Exception as exc:  # parser errors of three libraries: one message shape for the user
        raise ShopmineInputError(f"{{{parameter}}} {path}: cannot be read as a table ({exc}).", parameter) from exc
    if frame.empty:
        raise ShopmineInputError(f"{{{parameter}}} {path}: the table has no rows.", parameter)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
