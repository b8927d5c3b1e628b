"""The one protocol every forecasting model follows, and what a run tells a model it builds.

Nixtla-style: a model is an object with ``aliases`` (the forecast columns it writes) that is
``fit(df)`` on a long ``unique_id, ds, y`` frame (+ driver columns) and then
``predict(h, future=None)`` returns ``unique_id, ds, <alias>...``. A model may also offer
``explanation()`` (what the report shows of its final fit, or None) and ``carry()`` (what its
searches found, handed to the next origin's fresh model through :class:`ModelSetting`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd

__all__ = ["FitAtPredict", "ForecastModel", "ModelSetting", "ModelSpec"]


@runtime_checkable
class ForecastModel(Protocol):
    """What :func:`~shopmine.forecast.run_forecast` needs of a model (one object per origin)."""

    aliases: list[str]

    def fit(self, df: pd.DataFrame) -> ForecastModel:
        """Learn from ``unique_id, ds, y`` (+ drivers); returns self."""

    def predict(self, h: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        """``unique_id, ds`` and one column per alias, ``h`` periods after each series' last one."""


@dataclass(frozen=True)
class ModelSetting:
    """What a run tells each model it builds at one origin.

    Attributes
    ----------
    freq : {"D", "W", "M"}
    season_length : int
    window_size : int
        Periods averaged by ``window_average`` (and by the fallback rule).
    final : bool
        True for the fit on the full history (the one whose explanations the report shows), False
        at a backtest origin.
    carried : dict
        What the same model's fit at the previous origin found (its ``carry()``), empty at the first:
        the searches a later fit need not repeat. Passed explicitly, origin to origin, by the run.
    """

    freq: str
    season_length: int
    window_size: int
    final: bool = False
    carried: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    """One registered model.

    Attributes
    ----------
    alias : str
        The name the ``model`` parameter accepts and the column the model writes.
    make : callable
        ``make(aliases, setting) -> ForecastModel``: a fresh, unfitted model (``aliases`` lists
        this alias and, for a ``batch``, the other aliases of the batch fitted with it).
    batch : str, optional
        Models of one batch are built as one object and fitted in one call (statsforecast's
        cheap baselines share a single pass over the data).
    costly : bool, default=False
        Under ``auto``, run on the best sellers only (``run_forecast``'s ``ets_series``); the other
        series choose among the models that are not costly.
    """

    alias: str
    make: Callable[[Sequence[str], ModelSetting], ForecastModel]
    batch: str | None = None
    costly: bool = False

    @property
    def key(self) -> str:
        """What the fits of one object are known by: the batch, or the alias."""
        return self.batch or self.alias


class FitAtPredict:
    """Base of the built-in models, whose fit needs the horizon: ``fit`` keeps the frame, ``predict`` fits.

    statsforecast fits and forecasts in one pass, and the regressions lag the drivers by the horizon,
    so their work waits for ``h``. Subclasses implement :meth:`predict` on ``self._train``.
    """

    def __init__(self, aliases: Sequence[str], setting: ModelSetting):
        self.aliases = list(aliases)
        self.setting = setting

    def fit(self, df: pd.DataFrame) -> FitAtPredict:
        """Keep ``unique_id, ds, y`` (+ drivers) for :meth:`predict`; returns self."""
        self._train = df
        return self

    def predict(self, h: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        raise NotImplementedError
