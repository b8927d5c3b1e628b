"""Fit-time checks of the learned models' parameters, one message shape (STYLE.md)."""

from __future__ import annotations

import numbers

from shopmine.errors import invalid_value

__all__ = ["check_int", "check_real"]


def check_int(name: str, value, low: int) -> int:
    """``value`` as an int of at least ``low``, or the one error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise invalid_value(name, f"an integer of at least {low}", value)
    return int(value)


def check_real(name: str, value, low: float, *, strict: bool = False) -> float:
    """``value`` as a float ``>= low`` (``> low`` when ``strict``), or the one error naming ``name``."""
    bad = (isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value
           or (value <= low if strict else value < low))
    if bad:
        raise invalid_value(name, f"a number {'above' if strict else 'of at least'} {low}", value)
    return float(value)

