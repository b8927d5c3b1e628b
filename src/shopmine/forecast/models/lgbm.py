"""``lgbm``: one global LightGBM over all series (mlforecast), with its feature contributions."""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.models.base import FitAtPredict

__all__ = ["LGBM"]


class LGBM(FitAtPredict):
    """:class:`~shopmine.forecast.lgbm.LGBMForecaster` under the model protocol.

    The boosting rounds are chosen by early stopping at the first fit of a run and handed on
    (``carry``) to every later fit, which trains that many rounds without searching again.
    """

    def predict(self, h: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        from shopmine.forecast.lgbm import LGBMForecaster

        s, train = self.setting, self._train
        # Tweedie and Poisson need non-negative targets; net sales with returns may dip below zero.
        options = {"objective": "regression"} if (train["y"] < 0).any() else {}
        options["n_estimators"] = s.carried.get("n_estimators")
        self.model_ = LGBMForecaster(s.freq, s.season_length, **options).fit(train, h, future)
        return self.model_.predict()

    def carry(self) -> dict:
        """The boosting rounds found (or given), for the next origin's fit."""
        return {"n_estimators": self.model_.n_estimators_} if hasattr(self, "model_") else {}

    def explanation(self):
        """The fitted LGBMForecaster (importance, contributions) of a final fit."""
        return self.model_ if self.setting.final and hasattr(self, "model_") else None
