"""Checks of the per-customer repeat-purchase summary that the lifetime-value models fit on."""

from __future__ import annotations

import numpy as np

from shopmine.errors import NotFittedError, ShopmineInputError, invalid_value

__all__ = ["check_fitted", "check_positive_int", "check_summary"]


def check_summary(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``frequency, recency, T`` as float arrays after checking the lifetimes conventions.

    Parameters
    ----------
    frequency : array-like
        Repeat purchases (purchases after the first), integers >= 0.
    recency : array-like
        Time from the first to the last purchase, 0 when ``frequency`` is 0.
    T : array-like
        Time from the first purchase to the end of the observation period, >= ``recency``.

    Raises
    ------
    ShopmineInputError
        Naming the array and the first offending position.
    """
    x, tx, t = (np.asarray(v, dtype=float).ravel() for v in (frequency, recency, T))
    if not (len(x) == len(tx) == len(t)):
        raise ShopmineInputError(f"frequency, recency and T must have the same length; got {len(x)}, {len(tx)}, "
                                 f"{len(t)}.")
    if len(x) == 0:
        raise ShopmineInputError("the customer summary is empty; fit needs at least one customer.")
    checks = [
        ("frequency", ~np.isfinite(x) | (x < 0) | (x != np.round(x)), "integers >= 0"),
        ("recency", ~np.isfinite(tx) | (tx < 0), "finite and >= 0"),
        ("T", ~np.isfinite(t) | (t < tx), "finite and >= recency"),
        ("recency", (x == 0) & (tx != 0), "0 for customers with frequency 0"),
    ]
    for name, bad, rule in checks:
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise ShopmineInputError(f"{name} must be {rule}; row {first} breaks it ({bad.sum()} rows in all). "
                                     f"Build the summary with shopmine.features.customer_summary.")
    return x, tx, t


def check_positive_int(value, name: str) -> int:
    """``value`` as an int, or the one bad-value message naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise invalid_value(name, "an integer of at least 1", value)
    return int(value)


def check_fitted(model) -> None:
    if not hasattr(model, "params_"):
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet; call fit(...) first.")
