"""The forecasting models, registered in one list.

Adding a model is one file (a class following :class:`~shopmine.forecast.models.base.ForecastModel`)
and one :func:`register` line below: the ``model`` parameter's choices, the backtest scores and ``auto``'s
candidates all read :data:`REGISTRY`.
"""

from __future__ import annotations

from shopmine.errors import ShopmineInputError
from shopmine.forecast.models.base import ForecastModel, ModelSetting, ModelSpec
from shopmine.forecast.models.baselines import Baselines
from shopmine.forecast.models.ets import ETS
from shopmine.forecast.models.lgbm import LGBM
from shopmine.forecast.models.linear import Linear

__all__ = ["REGISTRY", "ForecastModel", "ModelSetting", "ModelSpec", "aliases", "register", "spec", "unregister"]

#: Every forecasting model, in the order of the output columns and the scores table.
REGISTRY: list[ModelSpec] = []
#: Not a model: ``model="auto"`` serves the best of the registered ones by backtest.
AUTO = "auto"
#: Names a model column cannot take: ``auto`` and the other columns of a forecast or backtest table.
RESERVED = (AUTO, "unique_id", "ds", "y", "cutoff", "forecast", "model")


def register(model: ModelSpec) -> ModelSpec:
    """Add a model to :data:`REGISTRY` (after the others); returns it.

    Examples
    --------
    >>> from shopmine.forecast.models.baselines import Baselines
    >>> toy = register(ModelSpec("toy_naive", lambda names, setting: Baselines(["naive"], setting)))
    >>> "toy_naive" in aliases()
    True
    >>> unregister("toy_naive")
    """
    if not model.alias.isidentifier() or model.alias in RESERVED:
        raise ShopmineInputError(f"model alias {model.alias!r}: use a Python identifier other than "
                                 f"{', '.join(RESERVED)}.")
    if model.alias in aliases():
        raise ShopmineInputError(f"model alias {model.alias!r} is registered already; choose another.")
    REGISTRY.append(model)
    return model


def unregister(alias: str) -> None:
    """Remove a registered model (tests add toy models and take them away again)."""
    REGISTRY[:] = [m for m in REGISTRY if m.alias != alias]


def aliases() -> list[str]:
    """The registered aliases, in registry order."""
    return [m.alias for m in REGISTRY]


def spec(alias: str) -> ModelSpec:
    """The registered model of an alias."""
    return next(m for m in REGISTRY if m.alias == alias)


register(ModelSpec("naive", Baselines, batch="baselines"))
register(ModelSpec("seasonal_naive", Baselines, batch="baselines"))
register(ModelSpec("window_average", Baselines, batch="baselines"))
register(ModelSpec("ets", ETS, costly=True))
register(ModelSpec("linear", Linear))
register(ModelSpec("lgbm", LGBM))
