"""``linear``: the global least-squares regression on lags and drivers, with its coefficients."""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.linear import LinearForecaster
from shopmine.forecast.models.base import FitAtPredict

__all__ = ["Linear"]


class Linear(FitAtPredict):
    """:class:`~shopmine.forecast.linear.LinearForecaster` under the model protocol.

    The correlation table and plot sample are for the report, which shows the final fit only: a
    backtest fit leaves them out.
    """

    def predict(self, h: int, future: pd.DataFrame | None = None) -> pd.DataFrame:
        s = self.setting
        self.model_ = LinearForecaster(s.freq, s.season_length, explain=s.final).fit(self._train, h, future)
        return self.model_.predict()

    def explanation(self) -> LinearForecaster | None:
        """The fitted regression (coefficients, correlations) of a final fit."""
        return self.model_ if self.setting.final and hasattr(self, "model_") else None
