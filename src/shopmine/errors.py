"""Exceptions. Each subclasses a built-in and says how to fix the problem."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import Any


class ShopmineError(Exception):
    """Base class of every error shopmine raises on purpose."""


class ShopmineInputError(ShopmineError, ValueError):
    """The user's input (a file, column, row or parameter) cannot be used.

    The CLI turns it into exit code 2. The message names the file, column, row or parameter and
    says how to fix it.

    Parameters
    ----------
    message : str
        The text; a parameter appears in it as ``{name}`` (e.g. ``"{horizon} must be at least 1"``),
        so that each shell names it its own way (:meth:`render`): the library as the Python
        parameter (``horizon``), the CLI as its option (``cli/options.py``), an HTTP API as its field.
    parameter : str, optional
        The Python name of the parameter at fault.
    mentions : iterable of str
        Other parameters the message names (``"{future} needs {data}"``).

    Examples
    --------
    >>> err = invalid_value("horizon_days", "an integer of at least 1", 0)
    >>> str(err), err.parameter
    ('horizon_days must be an integer of at least 1; got 0.', 'horizon_days')
    >>> err.render(str.upper)
    'HORIZON_DAYS must be an integer of at least 1; got 0.'
    """

    def __init__(self, message: str, parameter: str | None = None, *, mentions: Iterable[str] = ()):
        self.template = message
        self.parameter = parameter
        self.parameters = tuple(dict.fromkeys(p for p in (parameter, *mentions) if p))
        super().__init__(self.render())

    def render(self, name_of: Callable[[str], str] = str) -> str:
        """The message with each parameter named by ``name_of`` (default: its Python name)."""
        text = self.template
        for name in self.parameters:
            text = text.replace("{" + name + "}", name_of(name))
        return text


def invalid_value(parameter: str, requirement: str, value: Any, fix: str = "",
                  mentions: Iterable[str] = ()) -> ShopmineInputError:
    """The one message shape of a bad parameter value: ``"{parameter} must be REQUIREMENT; got VALUE."``.

    ``fix`` (a sentence) may follow; it may name other parameters as ``{name}`` (give them in
    ``mentions``). Return it for the caller to raise, so that tracebacks point at the check.
    """
    got = repr(str(value)) if isinstance(value, PurePath) else repr(value)  # 'a/b.csv', not PosixPath(...)
    tail = f" {fix}" if fix else ""
    return ShopmineInputError(f"{{{parameter}}} must be {requirement}; got {got}.{tail}", parameter,
                              mentions=mentions)


class ShopmineRunError(ShopmineError, RuntimeError):
    """A job failed for a reason other than bad input (CLI exit code 1)."""


class NotFittedError(ShopmineError, AttributeError):
    """An estimator was used before ``fit``."""


class ModelFitError(ShopmineError, RuntimeError):
    """A model cannot be fitted on the data it was given (e.g. every training target is zero).

    Forecast runs catch it per model and window and serve the fallback model in its place.
    """
