"""The forecasting models on a panel that stays a Spark DataFrame (the spark engine).

Each model runs where its library distributes it, and answers as its local twin
(:mod:`shopmine.forecast.models`) does on the same series:

- ``naive``, ``seasonal_naive``, ``window_average``, ``ets``: statsforecast's own Fugue backend
  (``FugueBackend.forecast`` on the Spark DataFrame: one local StatsForecast per series, on the
  executors). The final AutoETS runs the last backtest origin's models forward, as the local run
  does; the Fugue backend keeps no fitted models, so each partition of series searches the last
  origin again and runs forward in the same task (one more search than locally, same answers).
- ``lgbm`` and ``linear``: one global model, trained on the driver on at most its row bound of
  whole series (:data:`shopmine.forecast.lgbm.MAX_TRAIN_ROWS`, :data:`shopmine.forecast.linear.MAX_TRAIN_ROWS`,
  chosen on the cluster by the same systematic sample as locally); only those rows are collected.
  When the panel is larger than the bound, the features and the recursive forecasts of every series
  are computed on the executors with ``groupBy().applyInPandas`` over whole series
  (:func:`~shopmine.forecast.spark_frames.by_series`): the trees travel as LightGBM's model text, the
  regression as its coefficients. Not mlforecast's distributed interface: it trains through
  SynapseML's LightGBM on Spark (a JVM package from outside the registries we install from), and
  distributed training is not what the model needs: its training rows are bounded, only the
  forecasts grow with the shop. The same mlforecast code builds the features on both sides, so the
  forecasts equal a local sampled fit's.
"""

from __future__ import annotations

import pandas as pd

from shopmine.forecast.data import PANDAS_FREQ, RECENT_PERIODS, choose_series
from shopmine.forecast.models.base import ModelSetting
from shopmine.forecast.spark_frames import by_series, collect, frame_schema

__all__ = ["SPARK_MODELS", "SparkBaselines", "SparkETS", "SparkLGBM", "SparkLinear", "statistical_forecast"]


def _offset(freq: str):
    return pd.tseries.frequencies.to_offset(PANDAS_FREQ[freq])


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    # Rows reach a partition in no order; the local path's frames are sorted by series and period.
    return frame.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)


def _backend(spark):
    from statsforecast.distributed.fugue import FugueBackend
    from triad import Schema

    class Float64Backend(FugueBackend):
        """statsforecast's Fugue backend, its forecast columns declared float64.

        statsforecast 2.1.1 declares them float32 (``FugueBackend._get_output_schema``): the forecasts
        are computed in float64 and then rounded to 7 digits on the way out (2e-7 off on values near
        5). Only the declared types change; the transform is the library's.
        """

        def _get_output_schema(self, **kwargs) -> Schema:
            schema = super()._get_output_schema(**kwargs)
            return Schema([(f.name, "double" if str(f.type) == "float" else f.type) for f in schema.fields])

    return Float64Backend(engine=spark)


def statistical_forecast(sdf, names, setting: ModelSetting, horizon: int) -> pd.DataFrame:
    """statsforecast models over the series of ``sdf`` through its Fugue backend: ``unique_id, ds, <name>...``."""
    from shopmine.forecast.statistical import StatisticalModels

    models = StatisticalModels(names, setting.freq, setting.season_length, setting.window_size)._models()
    result = _backend(sdf.sparkSession).forecast(
        df=sdf.select("unique_id", "ds", "y"), freq=PANDAS_FREQ[setting.freq], models=models, fallback_model=None,
        X_df=None, h=horizon, level=None, fitted=False, prediction_intervals=None, id_col="unique_id",
        time_col="ds", target_col="y")
    out = collect(result, "the statistical forecasts")
    out["unique_id"] = out["unique_id"].astype(str)
    return out[["unique_id", "ds", *names]]


class SparkModel:
    """A model of one origin on a Spark panel: ``fit(sdf)``, then ``predict(h)`` returns a pandas frame.

    Parameters
    ----------
    aliases : list of str
    setting : ModelSetting
    last : Timestamp
        The origin: the latest training period of the panel.
    nonnegative : bool
        Whether every training target of the panel is non-negative (what the local model reads
        from its whole frame).
    """

    def __init__(self, aliases, setting: ModelSetting, *, last: pd.Timestamp, nonnegative: bool):
        self.aliases = list(aliases)
        self.setting = setting
        self.last = pd.Timestamp(last)
        self.nonnegative = nonnegative

    def fit(self, sdf) -> SparkModel:
        self._train = sdf
        return self


class SparkBaselines(SparkModel):
    """``naive``, ``seasonal_naive``, ``window_average`` in one Fugue pass."""

    def predict(self, h: int) -> pd.DataFrame:
        return statistical_forecast(self._train, self.aliases, self.setting, h)


class SparkETS(SparkModel):
    """AutoETS on the recent history (as :class:`~shopmine.forecast.models.ets.ETS`), through Fugue."""

    def predict(self, h: int) -> pd.DataFrame:
        from pyspark.sql import functions as F

        s, train = self.setting, self._train
        if s.final and "start" in s.carried:
            self._carry = dict(s.carried)
            return self._forward(train.filter(F.col("ds") >= F.lit(s.carried["start"])), h)
        recent = RECENT_PERIODS.get(s.freq)
        if recent is not None:
            train = train.filter(F.col("ds") >= F.lit(self.last - _offset(s.freq) * (recent - 1)))
        out = statistical_forecast(train, ["ets"], s, h)
        start = train.agg(F.min("ds")).first()[0]
        if start is not None:
            self._carry = {"start": pd.Timestamp(start), "cutoff": self.last, "ids": frozenset(out["unique_id"])}
        return out

    def _forward(self, rows, h: int) -> pd.DataFrame:
        """The final forecast: each partition searches the last origin's models and runs them forward."""
        from shopmine.forecast.statistical import StatisticalModels

        s, carried = self.setting, self.setting.carried
        cutoff, seen = carried["cutoff"], carried["ids"]

        def forward(frame: pd.DataFrame) -> pd.DataFrame:
            frame = _sorted(frame)
            models = StatisticalModels(["ets"], s.freq, s.season_length, s.window_size, n_jobs=1)
            earlier = frame[(frame["ds"] <= cutoff) & frame["unique_id"].isin(seen)]
            if len(earlier):
                models.forecast(earlier, h)
            return models.forward(frame, h)[["unique_id", "ds", "ets"]]

        return _collected(by_series(rows, forward, frame_schema(["ets"])), "the AutoETS forecasts")

    def carry(self) -> dict:
        return getattr(self, "_carry", {})


def _collected(sdf, what: str) -> pd.DataFrame:
    out = collect(sdf, what)
    out["unique_id"] = out["unique_id"].astype(str)
    return out


def _recent_window(sdf, freq: str, periods: int | None):
    """Rows within ``periods`` of their series' own last period (all rows when None)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if periods is None:
        return sdf
    last = F.max("ds").over(Window.partitionBy("unique_id"))
    cut = F.add_months(last, -periods) if freq == "M" else F.date_sub(last, periods * (7 if freq == "W" else 1))
    return sdf.withColumn("_cut", cut).filter(F.col("ds") > F.col("_cut")).drop("_cut")


def _rows_of(sdf, ids):
    """``sdf``'s rows of the series ``ids`` (all rows when None)."""
    if ids is None:
        return sdf
    spark = sdf.sparkSession
    keep = spark.createDataFrame(pd.DataFrame({"unique_id": pd.Series(list(ids), dtype=str)}))
    from pyspark.sql import functions as F

    return sdf.join(F.broadcast(keep), "unique_id", "left_semi")


class SparkLGBM(SparkModel):
    """The global LightGBM: trained on the driver on a bounded sample of series, forecasts on the cluster."""

    def _params(self) -> dict:
        s = self.setting
        params = {"freq": s.freq, "season_length": s.season_length, "n_estimators": s.carried.get("n_estimators")}
        if not self.nonnegative:
            params["objective"] = "regression"  # as the local model: Tweedie needs non-negative targets
        return params

    def predict(self, h: int) -> pd.DataFrame:
        import shopmine.forecast.lgbm as lgbm

        s, last, nonnegative = self.setting, self.last, self.nonnegative
        params = self._params()
        template = lgbm.LGBMForecaster(**params)

        def stats(frame: pd.DataFrame) -> pd.DataFrame:
            from shopmine.forecast.data import sample_stats

            _, data, since = template.recent_rows(_sorted(frame), h, None, last)
            return sample_stats(data, since).reset_index()

        counts = _collected(by_series(self._train, stats, "unique_id string, size long, sum double"),
                            "the lgbm sample's counts").set_index("unique_id")
        chosen = choose_series(counts, lgbm.MAX_TRAIN_ROWS)
        recent = RECENT_PERIODS.get(s.freq)
        window = None if recent is None else recent + lgbm.FEATURE_WARMUP + h
        rows = _collected(_recent_window(_rows_of(self._train, chosen), s.freq, window), "the lgbm training rows")
        self.model_ = lgbm.LGBMForecaster(**params).fit(_sorted(rows), h, train_ids=chosen)
        self.model_._nonnegative = nonnegative  # the panel's, not only the collected rows'
        if chosen is None:
            return self.model_.predict()
        text = self.model_.booster_.model_to_string()
        names = self.model_.booster_.feature_name()
        explain = s.final

        def forecast(frame: pd.DataFrame) -> pd.DataFrame:
            model = lgbm.LGBMForecaster.from_booster(params, text, _sorted(frame), h, last=last,
                                                     nonnegative=nonnegative)
            out = model.predict()
            if explain:
                contrib = model.contributions().rename(columns=lambda c: f"contrib:{c}")
                out = out.merge(contrib, left_on=["unique_id", "ds"], right_on=["contrib:unique_id", "contrib:ds"])
                out = out.drop(columns=["contrib:unique_id", "contrib:ds"])
            return out

        columns = ["lgbm", *([f"contrib:{c}" for c in [*names, "bias"]] if explain else [])]
        out = _collected(by_series(self._train, forecast, frame_schema(columns)), "the lgbm forecasts")
        if explain:
            contrib = out[["unique_id", "ds", *columns[1:]]].rename(columns=lambda c: c.removeprefix("contrib:"))
            self.model_.contributions_ = contrib.sort_values(["unique_id", "ds"], ignore_index=True)
        return out[["unique_id", "ds", "lgbm"]]

    def carry(self) -> dict:
        return {"n_estimators": self.model_.n_estimators_} if hasattr(self, "model_") else {}

    def explanation(self):
        return self.model_ if self.setting.final and hasattr(self, "model_") else None


class SparkLinear(SparkModel):
    """The global least-squares regression: fitted on the driver on a bounded sample, forecasts on the cluster."""

    def predict(self, h: int) -> pd.DataFrame:
        import shopmine.forecast.linear as linear

        s, nonnegative = self.setting, self.nonnegative
        params = {"freq": s.freq, "season_length": s.season_length}
        template = linear.LinearForecaster(**params)

        def stats(frame: pd.DataFrame) -> pd.DataFrame:
            from shopmine.forecast.data import sample_stats

            _, data, scale, since = template._series_rows(_sorted(frame), h, None)
            counts = sample_stats(data, since)
            out = scale.rename("scale").to_frame().join(counts, how="left").fillna({"size": 0, "sum": 0.0})
            return out.astype({"size": "int64"}).rename_axis("unique_id").reset_index()

        counts = _collected(by_series(self._train, stats, "unique_id string, scale double, size long, sum double"),
                            "the linear sample's counts").set_index("unique_id")
        chosen = choose_series(counts.loc[counts["size"] > 0, ["size", "sum"]], linear.MAX_TRAIN_ROWS)
        recent = RECENT_PERIODS.get(s.freq)
        lags = template.lags or linear.default_lags(s.season_length)
        windows = template.windows or linear.default_windows(s.season_length)
        window = None if recent is None else recent + max(max(lags), max(windows)) + h
        rows = _collected(_recent_window(_rows_of(self._train, chosen), s.freq, window), "the linear training rows")
        self.model_ = linear.LinearForecaster(**params, explain=s.final).fit(
            _sorted(rows), h, train_ids=chosen, scale=counts["scale"])
        self.model_._nonnegative = nonnegative
        if chosen is None:
            return self.model_.predict()
        state = self.model_.state()
        state["nonnegative"] = nonnegative

        def forecast(frame: pd.DataFrame) -> pd.DataFrame:
            return linear.LinearForecaster.for_series(params, state, _sorted(frame), h).predict()

        return _collected(by_series(self._train, forecast, frame_schema(["linear"])), "the linear forecasts")

    def explanation(self):
        return self.model_ if self.setting.final and hasattr(self, "model_") else None


#: The Spark twin of each registered model's key (:attr:`~shopmine.forecast.models.ModelSpec.key`).
SPARK_MODELS = {"baselines": SparkBaselines, "ets": SparkETS, "linear": SparkLinear, "lgbm": SparkLGBM}
