"""How much will I sell? Forecasts per product, category or total, backtested side by side.

- :func:`series_from_sales_panel`, :func:`series_from_table`: the long frame ``unique_id, ds, y`` + drivers
  (``forecast`` takes tables; :meth:`shopmine.shop.Shop.forecast` reads them from a workspace);
- :func:`run_forecast`: backtest every model, choose ``auto``, forecast with conformal intervals;
- :func:`build_hierarchy`, :func:`reconcile_forecast`: coherent product → category → total forecasts
  (bottom-up or MinTrace, hierarchicalforecast);
- :func:`forecast_result`: the :class:`~shopmine.result.AnalysisResult` (tables, metrics, plots);
- models: :class:`StatisticalModels` (statsforecast), :class:`LinearForecaster` (least squares),
  :class:`LGBMForecaster` (mlforecast + LightGBM), each under one protocol and registered in
  :data:`shopmine.forecast.models.REGISTRY` (:func:`~shopmine.forecast.models.register` adds one);
- :mod:`shopmine.forecast.metrics`: MAE, MSE, RMSE, WAPE, MASE, RMSSE.

Messy data: a missing period in a series table is a period without sales (filled with 0, and
every series runs to the table's last period); a table coarser than ``freq`` is refused. A series
with fewer than :func:`~shopmine.forecast.run.min_history` periods since its first sale (new,
sold once lately, or never sold) is served by ``window_average`` and its ``model`` column says so.
Negative targets (net sales after returns) are modelled as they are: LightGBM switches to squared
error and intervals are not cut at zero.
"""

from shopmine.forecast.data import default_season_length, series_from_table
from shopmine.forecast.hierarchy import RECONCILE_METHODS, build_hierarchy, product_categories, reconcile_forecast
from shopmine.forecast.lgbm import LGBMForecaster
from shopmine.forecast.linear import LinearForecaster
from shopmine.forecast.metrics import evaluate, series_scales
from shopmine.forecast.report import forecast_result
from shopmine.forecast.run import MODELS, ForecastRun, run_forecast
from shopmine.forecast.sources import series_from_sales_panel
from shopmine.forecast.statistical import StatisticalModels

__all__ = [
    "MODELS", "RECONCILE_METHODS", "ForecastRun", "build_hierarchy", "product_categories",
    "reconcile_forecast", "LGBMForecaster", "LinearForecaster", "StatisticalModels", "default_season_length",
    "evaluate", "forecast_result", "run_forecast", "series_from_sales_panel", "series_from_table", "series_scales",
]
