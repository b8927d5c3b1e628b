"""``@saved_run("forecast")``: a Shop analysis method whose every call is saved as a run.

The decorator binds the call's arguments to the method's signature with the defaults applied, so that a
run records every parameter that shaped it, not only those the caller spelled out.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from shopmine.result import AnalysisResult
from shopmine.runs.ids import check_analysis
from shopmine.runs.metadata import seen_batches
from shopmine.runs.save import save_run


_SHOP_AS_OF = object()


def record_run(shop, analysis: str, parameters: dict[str, Any], compute: Callable[[], AnalysisResult],
               command: str | None = None, as_of: Any = _SHOP_AS_OF) -> AnalysisResult:
    """Run ``compute()`` for ``shop`` and save its result as a run of ``analysis``.

    ``shop`` is anything with ``workspace`` and ``as_of`` (a :class:`~shopmine.shop.Shop`). The batches are
    read before the analysis: the shop's shared workspace lock keeps an ingest out until it closes.
    ``as_of``: the run's as-of date when it is not the shop's (None for an analysis of a table the user
    brought, which has no as-of date and needs no orders in the workspace).
    """
    started = datetime.now(timezone.utc)
    batches = seen_batches(shop.workspace)
    result = compute()
    save_run(shop.workspace, result, analysis=analysis, parameters=parameters,
             as_of=shop.as_of if as_of is _SHOP_AS_OF else as_of,
             started=started, batches=batches, command=command)
    return result


def saved_run(analysis: str, when: Callable[[dict[str, Any]], bool] | None = None,
              as_of: Callable[[Any, dict[str, Any]], Any] | None = None):
    """Decorate a Shop method returning an AnalysisResult so that each call saves a run of ``analysis``.

    ``when(parameters)`` false: the call is not saved (a forecast of a ``data`` file is not the workspace's).
    A ``when`` of two arguments is called as ``when(shop, parameters)`` (recommend: a call answered from an
    already saved run is not saved again).
    ``as_of(shop, parameters)``: the run's as-of date when it is not ``shop.as_of`` (a risk model of a table
    the user brought has none).
    Callable arguments (a progress callback) shape nothing in the result and are not recorded.

    Examples
    --------
    >>> class Shop:                                                                # doctest: +SKIP
    ...     @saved_run("clv")
    ...     def clv(self, horizon_days: int = 365, model: str = "auto") -> AnalysisResult: ...
    """
    check_analysis(analysis)
    with_shop = when is not None and len(inspect.signature(when).parameters) == 2

    def decorate(method):
        signature = inspect.signature(method)

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            parameters = {name: value for name, value in list(bound.arguments.items())[1:]  # without self
                          if not callable(value)}
            if when is not None and not (when(self, parameters) if with_shop else when(parameters)):
                return method(self, *args, **kwargs)
            # The command a person typed when a shell runs it (the CLI names its task on the workspace).
            task = getattr(self.workspace, "task", None)
            command = f"shopmine {task}" if task else f"Shop.{method.__name__}"
            dated = {} if as_of is None else {"as_of": as_of(self, parameters)}
            return record_run(self, analysis, parameters, lambda: method(self, *args, **kwargs), command=command,
                              **dated)
        return wrapper
    return decorate
