"""Declared parameter constraints and the one error message shape (:func:`shopmine.errors.invalid_value`).

"n_customers must be an int in [1, inf); got 0." (a shell names its own option in place of the
parameter, see :class:`~shopmine.errors.ShopmineInputError`).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass
from typing import Any

from shopmine.errors import ShopmineInputError


class InvalidParameterError(ShopmineInputError):
    """A simulator parameter is out of its allowed range.

    ``parameter`` holds the parameter's name so that a shell (the CLI) can name its own option.
    """


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


@dataclass(frozen=True)
class Interval:
    """A number in an interval; ``kind`` is ``int`` or ``float`` (a float also accepts an int)."""

    kind: type
    left: float = -math.inf
    right: float = math.inf
    closed: str = "both"  # both | left | right | neither

    def describe(self) -> str:
        lo = "[" if self.closed in ("both", "left") and not math.isinf(self.left) else "("
        hi = "]" if self.closed in ("both", "right") and not math.isinf(self.right) else ")"
        article = "an int" if self.kind is int else "a float"
        return f"{article} in {lo}{_fmt(self.left)}, {_fmt(self.right)}{hi}"

    def convert(self, value: Any) -> int | float | None:
        """The value as a Python int/float, or None when it does not satisfy the constraint."""
        # bool is an int subclass; True is never a meaningful count or rate.
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return None
        if self.kind is int:
            if not isinstance(value, numbers.Integral):
                return None
            number: int | float = int(value)
        else:
            number = float(value)
            if math.isnan(number):
                return None
        left_ok = number >= self.left if self.closed in ("both", "left") else number > self.left
        right_ok = number <= self.right if self.closed in ("both", "right") else number < self.right
        return number if left_ok and right_ok else None


@dataclass(frozen=True)
class FloatTuple:
    """A fixed-length sequence of floats, each in ``item``."""

    length: int
    item: Interval

    def describe(self) -> str:
        return f"a sequence of {self.length} floats, each {self.item.describe()[2:]}"

    def convert(self, value: Any) -> tuple[float, ...] | None:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != self.length:
            return None
        items = [self.item.convert(v) for v in value]
        return None if any(v is None for v in items) else tuple(float(v) for v in items)


@dataclass(frozen=True)
class DateString:
    """A calendar date, given as ``datetime.date`` or ISO text ``YYYY-MM-DD``."""

    def describe(self) -> str:
        return "a date like '2023-01-01'"

    def convert(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                return None
        return None


@dataclass(frozen=True)
class Code:
    """Upper-case letters of a fixed length (a currency code)."""

    length: int

    def describe(self) -> str:
        return f"a string of {self.length} upper-case letters"

    def convert(self, value: Any) -> str | None:
        ok = isinstance(value, str) and len(value) == self.length and value.isalpha() and value.isupper()
        return value if ok else None


@dataclass(frozen=True)
class Text:
    """A non-empty string without commas, quotes or line breaks (it ends up in CSV cells)."""

    def describe(self) -> str:
        return "a non-empty string without commas, quotes or line breaks"

    def convert(self, value: Any) -> str | None:
        ok = isinstance(value, str) and value.strip() != "" and not any(c in value for c in ",\"'\n\r")
        return value if ok else None


def check(name: str, value: Any, constraint: Any) -> Any:
    """Return ``value`` converted, or raise the one message shape naming ``name``."""
    converted = constraint.convert(value)
    if converted is None:
        fail(name, constraint.describe(), value)
    return converted


def fail(name: str, requirement: str, value: Any) -> None:
    """Raise the one message shape for ``name`` (``segments[1].share``: the parameter is ``segments``)."""
    parameter = name.split("[")[0].split(".")[0]
    raise InvalidParameterError(f"{{{parameter}}}{name[len(parameter):]} must be {requirement}; got {value!r}.",
                                parameter)
