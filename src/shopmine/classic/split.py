"""Training and test rows: a seeded random split, or a separate test file."""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from shopmine.errors import ShopmineInputError, invalid_value

__all__ = ["split_rows"]


def split_rows(
    frame: pd.DataFrame,
    *,
    test_size: float,
    seed: int,
    stratify: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows into training and test rows with :func:`sklearn.model_selection.train_test_split`.

    The call is exactly ``train_test_split(frame, test_size=test_size, random_state=seed,
    stratify=stratify)``, so anyone can reproduce the split from the same frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows (those with a target), index 0..n-1.
    test_size : float
        Share of rows in the test set, in (0, 1).
    seed : int
        Random seed.
    stratify : pandas.Series, optional
        Class labels to keep in the same proportions in both parts (classifiers).

    Returns
    -------
    train, test : pandas.DataFrame

    Raises
    ------
    ShopmineInputError
        When ``test_size`` is outside (0, 1) or the rows are too few to split that way.
    """
    if not 0.0 < test_size < 1.0:
        raise invalid_value("test_size", "between 0 and 1 (exclusive)", test_size)
    try:
        train, test = train_test_split(frame, test_size=test_size, random_state=seed, stratify=stratify)
    except ValueError as exc:
        raise ShopmineInputError(
            f"cannot split {len(frame)} rows with {{test_size}} {test_size}: {exc} Give more rows, "
            f"another {{test_size}}, or a {{test_data}} file.", "test_size", mentions=('test_data',)
        ) from exc
    return train, test
