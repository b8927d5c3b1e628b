"""Exceptions. Each subclasses a built-in and says how to fix the problem."""


class ShopmineError(Exception):
    """Base class of every error shopmine raises on purpose."""


class ShopmineInputError(ShopmineError, ValueError):
    """The user's input (a file, column, row or option) cannot be used.

    The CLI turns it into exit code 2. The message names the file, column, row or
    option and says how to fix it.
    """


class ShopmineRunError(ShopmineError, RuntimeError):
    """A job failed for a reason other than bad input (CLI exit code 1)."""


class NotFittedError(ShopmineError, AttributeError):
    """An estimator was used before ``fit``."""


class ModelFitError(ShopmineError, RuntimeError):
    """A model cannot be fitted on the data it was given (e.g. every training target is zero).

    Forecast runs catch it per model and window and serve the fallback model in its place.
    """
