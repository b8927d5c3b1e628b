"""The facade over one workspace: the library API that the CLI, the report and the API share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import ibis
import pandas as pd

from shopmine.defaults import defaults  # noqa: F401  (the shells read Shop's defaults through it)
from shopmine.errors import ShopmineInputError, invalid_value
from shopmine.features import classify_lines, customer_overview, customer_summary, default_as_of, sales_panel
from shopmine.features.cohorts import cohort_counts
from shopmine.features.sales_panel import check_panel_request
from shopmine.forecast.run import DEFAULT_ETS_SERIES, DEFAULT_HORIZON, DEFAULT_WINDOWS
from shopmine.ingest import IngestOptions, IngestReport, ingest
from shopmine.glance import glance_result
from shopmine.overviews import customer_summary_result, sales_panel_result
from shopmine.pricing.rules import DEFAULT_MAX_CHANGE, DEFAULT_MIN_MARGIN, DEFAULT_OBJECTIVE
from shopmine.quality import quality_report
from shopmine.report import render_report
from shopmine.result import AnalysisResult
from shopmine.runs import saved_run, seen_batches
from shopmine.workspace import Workspace


class Shop:
    """One shop's workspace, its engine and its as-of date.

    Parameters
    ----------
    workspace : Workspace, path, or a callable returning a Workspace
        Opened on first use: an analysis of a given table (``forecast(data=...)``) never opens
        (nor creates) a workspace. A callable is the shell's own way of opening one.
    as_of : datetime.date, optional
        Default: the ``as_of`` setting, else the day after the last order.

    Notes
    -----
    Reading opens the warehouse read-only and holds the workspace lock shared with other readers
    until :meth:`close`; :meth:`ingest` takes it alone for the run and lets go after. Either waits
    up to the ``busy_timeout_seconds`` setting for another process, then raises
    :class:`~shopmine.workspace_lock.WorkspaceBusyError` naming it.

    Examples
    --------
    >>> with Shop("myshop") as shop:                                              # doctest: +SKIP
    ...     shop.ingest(["orders.csv"], IngestOptions(preset="online_retail"))
    ...     panel = shop.sales_panel(level="product", freq="W").to_pandas()
    ...     weekly = shop.forecast(freq="W", horizon=8)  # every command is one method, same defaults
    """

    def __init__(self, workspace: Workspace | str | Path | Callable[[], Workspace], as_of: dt.date | None = None):
        self._workspace_source = workspace
        self._workspace = workspace if isinstance(workspace, Workspace) else None
        self._as_of = as_of
        self._as_of_given = as_of is not None
        self._engine = None
        self._engine_con = None
        self._batches: list[str] | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            source = self._workspace_source
            self._workspace = source() if callable(source) else Workspace(source)
        return self._workspace

    @property
    def engine(self):
        """The query engine, over a read-only warehouse (shared with other readers) unless this
        workspace object writes; remade when the warehouse was closed or reopened since."""
        warehouse = self.workspace.warehouse(read_only=True)
        if self._engine is None or self._engine_con is not warehouse.con:
            if self.workspace.settings.engine == "spark":
                from shopmine.distributed.memory import spark_start_errors

                with spark_start_errors(self.workspace.settings.spark_driver_memory):
                    self._engine = self.workspace.engine()
            else:
                self._engine = self.workspace.engine()
            self._engine_con = warehouse.con
        return self._engine

    def close(self) -> None:
        """Close the warehouse and release the workspace lock, so that other processes may ingest."""
        self._engine = self._engine_con = None
        self._batches = None
        if self._workspace is not None:
            self._workspace.close()

    def __enter__(self) -> Shop:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def orders(self) -> ibis.Table:
        return self.engine.table("orders")

    def products(self) -> ibis.Table:
        return self.engine.table("products")

    @property
    def as_of(self) -> dt.date:
        if self._as_of is None:
            self._as_of = self.workspace.settings.as_of or default_as_of(self.orders())
        return self._as_of

    def batches(self) -> list[str]:
        """The batches loaded now (:func:`~shopmine.runs.seen_batches`), read once until :meth:`ingest` or
        :meth:`close`: reading holds the workspace lock shared, which keeps every other ingest out, and a
        query per answer was most of the time of one customer's recommendations."""
        if self._batches is None:
            self._batches = seen_batches(self.workspace)
        return list(self._batches)

    @property
    def currency(self) -> str | None:
        """The ``currency`` setting, else the one currency code of the order lines, else None
        (:mod:`shopmine.currency`)."""
        from shopmine.currency import detect_currency

        return self.workspace.settings.currency or detect_currency(self.orders())

    def ingest(self, files: Sequence[str | Path], options: IngestOptions | None = None, *,
               products: Sequence[str | Path] = (), customers: Sequence[str | Path] = (),
               progress=None) -> IngestReport:
        """Load order files (and product/customer files) into the workspace (:func:`shopmine.ingest.ingest`)."""
        self._engine = None  # the Spark export (if any) must see the new batch
        self._batches = None
        return ingest(self.workspace, files, options=options, products=list(products), customers=list(customers),
                      progress=progress)

    @saved_run("quality")
    def quality(self, verify: bool = False) -> AnalysisResult:
        """The data-quality report; ``verify`` also hashes every order part file against its sha256."""
        warehouse = self.workspace.warehouse(read_only=True)
        if not warehouse.has_orders() and not warehouse.con.execute("SELECT count(*) FROM quarantine").fetchone()[0]:
            raise ShopmineInputError("the workspace has no order lines yet; load some with `shopmine ingest FILE`.")
        return quality_report(warehouse, verify=verify, cancel_window_days=self.workspace.settings.cancel_window_days)

    def quarantine(self) -> pd.DataFrame:
        """The quarantined rows, by file and line."""
        con = self.workspace.warehouse(read_only=True).con
        return con.execute("SELECT * FROM quarantine ORDER BY source_file, source_line").df()

    def sales_panel(self, level: str = "product", freq: str = "D") -> ibis.Table:
        check_panel_request(level, freq)  # a bad option before a missing as-of date
        return sales_panel(self.orders(), level=level, freq=freq, as_of=self.as_of, products=self.products(),
                           cancel_window_days=self.workspace.settings.cancel_window_days)

    def customer_summary(self) -> ibis.Table:
        return customer_summary(self.orders(), as_of=self.as_of,
                                cancel_window_days=self.workspace.settings.cancel_window_days)

    def panel(self, level: str = "product", freq: str = "D") -> AnalysisResult:
        """The zero-filled sales panel as a result: table ``panel`` (every row), its overview as metrics."""
        table = self.sales_panel(level, freq)
        frame = table.to_pyarrow().to_pandas()
        metrics = {"as_of": self.as_of, "level": level, "freq": freq, "series": int(frame["unique_id"].nunique())
                   if "unique_id" in frame else int(len(frame) > 0), "rows": len(frame)}
        summary = f"sales panel as of {self.as_of}: {metrics['series']:,} series, {len(frame):,} rows"
        return AnalysisResult(name=f"sales_panel_{level}_{freq.lower()}", title=f"Sales panel ({level}, {freq})",
                              summary=summary, tables={"panel": frame}, metrics=metrics)

    def customers(self) -> AnalysisResult:
        """The customer summary as a result: table ``customers`` (most valuable first), overview metrics."""
        summary = self.customer_summary()
        frame = summary.to_pandas()
        if "monetary" in frame.columns:  # most valuable customers first, not by id
            frame = frame.sort_values(["monetary", "customer_id"], ascending=[False, True], ignore_index=True)
        return AnalysisResult(name="customer_summary", title="Customer summary",
                              summary=f"customer summary as of {self.as_of}: {len(frame):,} customers",
                              tables={"customers": frame}, metrics=customer_overview(summary))

    def overview_results(self, freq: str = "W") -> list[AnalysisResult]:
        """The shop at a glance, the sales panel's and the customers' overviews (the report's openings)."""
        names = self.product_names()
        sales = sales_panel_result(self.sales_panel("product", freq), self.sales_panel("total", freq), freq=freq,
                                   names=names)
        # The classified lines are built once, and kept in the engine while the glance's queries and the
        # cohorts read them: each of them would otherwise classify the whole log again.
        lines = classify_lines(self.orders(), before=self.as_of, bulk=False,
                               cancel_window_days=self.workspace.settings.cancel_window_days).cache()
        try:
            glance = glance_result(lines, sales.tables["total"], as_of=self.as_of, currency=self.currency,
                                   names=names)
            cohorts = cohort_counts(lines).to_pandas()
        finally:
            lines.release()
        return [glance, sales, customer_summary_result(self.customer_summary(), cohorts)]

    def forecast_series(self, level: str = "product", freq: str = "D", top: int | None = None,
                        measure: str = "units", keep_outliers: bool = False) -> pd.DataFrame:
        """The long ``unique_id, ds, y`` frame (+ drivers) of the workspace's sales before the as-of date
        (:func:`shopmine.forecast.sources.series_from_sales_panel`)."""
        from shopmine.forecast.sources import check_series_request, series_from_sales_panel

        check_series_request(level, freq, measure)
        panel = self.sales_panel(level, "D" if freq == "M" else freq).to_pyarrow().to_pandas()
        return series_from_sales_panel(panel, level=level, freq=freq, top=top, measure=measure,
                                       keep_outliers=keep_outliers, as_of=self.as_of)

    def spark_series(self, level: str = "product", freq: str = "D", top: int | None = None,
                     measure: str = "units", keep_outliers: bool = False):
        """:meth:`forecast_series` as a Spark DataFrame that stays on the cluster (Spark engine only)."""
        from shopmine.forecast.sources import check_series_request
        from shopmine.forecast.spark_sources import spark_series

        check_series_request(level, freq, measure)
        panel = self.engine.spark_frame(self.sales_panel(level, "D" if freq == "M" else freq))
        return spark_series(panel, level=level, freq=freq, top=top, measure=measure, keep_outliers=keep_outliers,
                            as_of=self.as_of)

    def forecast_hierarchy(self, freq: str = "D", measure: str = "units", keep_outliers: bool = False):
        """The product → category → total :class:`~shopmine.forecast.hierarchy.Hierarchy` of the workspace."""
        from shopmine.forecast.hierarchy import build_hierarchy, product_categories

        products = self.forecast_series("product", freq, measure=measure, keep_outliers=keep_outliers)
        return build_hierarchy(products, product_categories(self.orders(), self.products(), self.as_of))

    @saved_run("forecast", when=lambda parameters: parameters["data"] is None)
    def forecast(self, *, horizon: int = DEFAULT_HORIZON, level: str = "product", freq: str = "D",
                 measure: str = "units", keep_outliers: bool = False, top: int | None = None,
                 model: str = "auto", season_length: int | None = None, windows: int = DEFAULT_WINDOWS,
                 step: int | None = None, ets_series: int = DEFAULT_ETS_SERIES, data: str | Path | None = None,
                 id_col: str | None = None, time_col: str | None = None, target_col: str | None = None,
                 future: str | Path | None = None, reconcile: str | None = None,
                 progress=None) -> AnalysisResult:
        """Backtested sales forecast of every series (:func:`shopmine.forecast.run_forecast`).

        Parameters
        ----------
        horizon : int, default=14
            Periods to forecast.
        level : {"product", "category", "total"}, default="product"
        freq : {"D", "W", "M"}, default="D"
        measure : {"units", "revenue"}, default="units"
        keep_outliers : bool, default=False
            Train on bulk lines as ordered instead of capped at the product's bulk fence.
        top : int, optional
            Only the ``top`` best-selling series (default: every series).
        model : str, default="auto"
            One of :data:`shopmine.forecast.MODELS`.
        season_length : int, optional
            Default: 7 for D, 52 for W, 12 for M.
        windows : int, default=2
            Rolling-origin backtest windows.
        step : int, optional
            Periods between backtest origins (default: the horizon).
        ets_series : int, default=500
            With ``model="auto"``, AutoETS runs on this many best-selling series only.
        data : path, optional
            A ready-made series table (CSV, Parquet, Excel) instead of the workspace; needs
            ``time_col`` and ``target_col`` (and ``id_col`` for several series).
        future : path, optional
            Known drivers over the forecast periods (needs ``data``).
        reconcile : {"bottom_up", "mint"}, optional
            Forecast every level of the workspace's hierarchy and make them add up; ``level`` is
            then ignored.
        progress : callable, optional
            ``progress(message, done=None, total=None)``.
        """
        from shopmine.classic import read_table
        from shopmine.forecast import default_season_length, forecast_result, run_forecast
        from shopmine.forecast.data import check_freq, series_from_table, top_series
        from shopmine.forecast.hierarchy import check_reconcile, reconcile_forecast
        from shopmine.forecast.run import check_run_request
        from shopmine.forecast.sources import check_series_request

        say = progress or (lambda *_args, **_kw: None)
        # Every option is checked before the (maybe long) reading of the series.
        check_run_request(horizon=horizon, model=model, season_length=season_length, windows=windows, step=step,
                          ets_series=ets_series)
        check_freq(freq)
        if top is not None and (isinstance(top, bool) or top < 1):
            raise invalid_value("top", "a whole number of series, at least 1", top)
        if data is None and reconcile is None:
            check_series_request(level, freq, measure)
        if data is None and future is not None:
            raise ShopmineInputError("{future} needs {data}: the workspace's drivers have no future values yet.",
                                     "future", mentions=("data",))
        if reconcile is not None:
            check_reconcile(reconcile)
            if data is not None:
                raise ShopmineInputError("{reconcile} works on the workspace's product/category hierarchy, not on "
                                         "{data}.", "reconcile", mentions=("data",))
            if top is not None:
                raise ShopmineInputError("{reconcile} forecasts every product so that they add up to the "
                                         "categories and the total; drop {top}.", "reconcile", mentions=("top",))
        if data is not None and (time_col is None or target_col is None):
            raise ShopmineInputError("{data} needs {time_col} and {target_col} (and {id_col} for several series).",
                                     "data", mentions=("time_col", "target_col", "id_col"))
        season_length = season_length or default_season_length(freq)
        options = dict(horizon=horizon, freq=freq, model=model, season_length=season_length, windows=windows,
                       step=step, ets_series=ets_series, progress=say)
        if reconcile is not None:
            say("preparing the series")
            hierarchy = self.forecast_hierarchy(freq, measure=measure, keep_outliers=keep_outliers)
            say("backtesting, forecasting and reconciling")
            run = reconcile_forecast(hierarchy, reconcile=reconcile, **options)
            return forecast_result(run, level="product/category/total (reconciled)", measure=measure,
                                   names=self.product_names())
        if data is not None:
            series = series_from_table(read_table(data, "data"), id_col=id_col, time_col=time_col,
                                       target_col=target_col, freq=freq)
            series = top_series(series, top) if top is not None else series
        elif self.engine.name == "spark":
            # The panel stays on the cluster; only forecasts, backtest rows and per-series numbers
            # come back (shopmine.forecast.spark_run).
            # A Spark job failing for the driver's memory anywhere on the way (the panel's broadcast joins,
            # a result above spark.driver.maxResultSize, a driver JVM that died) is one error naming
            # spark_driver_memory; the bounded collections say so themselves (spark_frames.collect).
            from shopmine.distributed.memory import spark_memory_errors
            from shopmine.forecast.spark_run import run_forecast_spark

            with spark_memory_errors(self.workspace.settings.spark_driver_memory):
                say("preparing the series")
                series = self.spark_series(level, freq, top=top, measure=measure, keep_outliers=keep_outliers)
                say("backtesting and forecasting")
                run = run_forecast_spark(series, **options)
            return forecast_result(run, level=level, measure=measure,
                                   names=self.product_names() if level == "product" else None)
        else:
            say("preparing the series")
            series = self.forecast_series(level, freq, top=top, measure=measure, keep_outliers=keep_outliers)
        future_frame = None
        if future is not None:
            raw = read_table(future, "future")
            for parameter, col in (("id_col", id_col), ("time_col", time_col)):
                if col is not None and col not in raw.columns:
                    raise ShopmineInputError(f"{{future}} {future}: no column {col!r} ({{{parameter}}}).", "future",
                                             mentions=(parameter,))
            future_frame = series_from_table(raw.assign(**{target_col: 0.0}), id_col=id_col, time_col=time_col,
                                             target_col=target_col, freq=freq).drop(columns="y")
        say("backtesting and forecasting")
        run = run_forecast(series, future=future_frame, **options)
        if data is not None:
            return forecast_result(run, level="series")  # a table whose measure we know nothing of
        return forecast_result(run, level=level, measure=measure,
                               names=self.product_names() if level == "product" else None)

    def product_names(self) -> pd.Series | None:
        """Product names by id (the latest name of each product), or None when the shop has none."""
        products = self.products()
        if "name" not in products.columns:
            return None
        frame = products.select("product_id", "name").to_pandas().dropna(subset=["name"])
        return frame.set_index(frame["product_id"].astype(str))["name"] if len(frame) else None

    @saved_run("segments")
    def segments(self, k: int | None = None, seed: int = 42) -> AnalysisResult:
        """RFM segments and behaviour clusters (:func:`shopmine.customers.segment_customers`)."""
        from shopmine.customers import segment_customers
        from shopmine.customers.clusters import check_cluster_params

        check_cluster_params(k, seed)
        return segment_customers(self.orders(), as_of=self.as_of, products=self.products(), k=k, seed=seed)

    @saved_run("clv")
    def clv(self, horizon_days: int = 365, model: str = "auto") -> AnalysisResult:
        """Lifetime value per customer (:func:`shopmine.customers.clv.customer_lifetime_value`)."""
        from shopmine.customers.clv import customer_lifetime_value
        from shopmine.customers.clv.analysis import check_clv_request

        check_clv_request(horizon_days, model)
        return customer_lifetime_value(self.orders(), as_of=self.as_of, horizon_days=horizon_days, model=model,
                                       scratch_dir=self._scratch_dir())

    def _scratch_dir(self) -> Path | None:
        """Where the Spark executors write tables they compute for the driver and the scores they make
        (:func:`shopmine.distributed.stage`): beside the workspace's Parquet export, which every executor
        already reads. None on DuckDB."""
        engine = self.engine
        if engine.name != "spark" or engine.parquet_dir is None:
            return None
        return engine.parquet_dir / "_scratch"

    @saved_run("classify")
    def classify(self, horizon_days: int = 90, target: str | None = None, labels: str | Path | None = None,
                 seed: int = 42) -> AnalysisResult:
        """Decision tree (and LightGBM challenger) for "buys again", or another customer category."""
        from shopmine.customers.classify import check_horizon_days, classify

        check_horizon_days(horizon_days)
        return classify(self.orders(), as_of=self.as_of, horizon_days=horizon_days, target=target, labels=labels,
                        customers=self.engine.table("customers") if target else None,
                        products=self.products(), seed=seed)

    def _recommender(self, refit: bool = False):
        """The fitted recommender for this as-of date and the batches loaded now, and the saved run it
        comes from: the latest saved ``recommend`` run's, else fitted now (run id None until saved).
        Kept on this Shop, so that one process answers many questions from one load."""
        from shopmine.recommend.analysis import fit_recommender, saved_recommender, segment_labels

        key = (self.as_of, tuple(self.batches()))
        cached = getattr(self, "_recommender_cache", None)
        if cached is not None and cached[0] == key:
            pending = getattr(self, "_recommend_pending", None)
            if cached[2] is None and pending is not None and pending.run_id:
                # Fitted here and saved since with the result that carried it: that run is its source now.
                cached = self._recommender_cache = (key, cached[1], pending.run_id)
            if cached[2] is None or not refit:
                return cached[1], cached[2]
        found = None if refit else saved_recommender(self.workspace, self.as_of)
        if found is None:
            found = (fit_recommender(self.orders(), as_of=self.as_of, products=self.products(),
                                     labels=segment_labels(self.workspace, self.as_of)), None)
        self._recommender_cache = (key, *found)
        self._recommend_pending = None  # a result of an earlier fit must not name this fit's run
        return found

    def _recommend_fits(self, parameters: dict) -> bool:
        """Whether this recommend call fits the models (then it is saved as a run) or answers from a
        saved run (then it is not saved again); a bad request is refused first."""
        from shopmine.recommend.analysis import check_recommend_request

        check_recommend_request(**{k: v for k, v in parameters.items() if k != "refit"})
        return self._recommender(parameters["refit"])[1] is None

    @saved_run("recommend", when=lambda shop, parameters: shop._recommend_fits(parameters))
    def recommend(self, customers: str | Sequence[str] | None = None, k: int = 10, repeat: bool = True,
                  category: str | None = None, exclude_inactive_days: int | None = None,
                  product: str | None = None, refit: bool = False) -> AnalysisResult:
        """Top-k products per customer with a reason, or products bought together with ``product``
        (:class:`shopmine.recommend.Recommender`).

        ``customers`` None: every customer seen before the as-of date. The models are fitted once per
        as-of date and loaded batches and saved with the run; later calls answer from that saved run
        without retraining (``refit=True`` fits again).
        """
        from shopmine.recommend.analysis import check_recommend_request, recommend_result

        check_recommend_request(customers, k, repeat, category, exclude_inactive_days, product)
        recommender, run_id = self._recommender(refit)
        everyone = None
        if customers is None and product is None and self.workspace.settings.engine == "spark":
            # every customer's list made by the executors (one customer's is answered here: no Spark job)
            from functools import partial

            from shopmine.recommend.cluster_scoring import recommend_everyone

            everyone = partial(recommend_everyone, session=self.engine.con._session, scratch_dir=self._scratch_dir())
        result = recommend_result(recommender, customers=customers, k=k, repeat=repeat, category=category,
                                  exclude_inactive_days=exclude_inactive_days, product=product, source_run=run_id,
                                  save_models=run_id is None, everyone=everyone)
        if run_id is None:  # saved as a run with the models: the run id it gets names the source from then on
            self._recommend_pending = result
        return result

    def _evaluation_as_of(self, horizon_days: int) -> dt.date:
        """The day the recommendations' evaluation trains before (a bad ``horizon_days`` is refused first).

        Without an as-of date from the user the default one (the day after the last order) leaves nothing
        to test on: the last ``horizon_days`` of the log are the test then, which is what a merchant
        asking "how good are they" means (and what the report's refresh and the demo show)."""
        from shopmine.recommend.evaluation import check_horizon

        horizon_days = check_horizon(horizon_days)
        given = self._as_of_given or self.workspace.settings.as_of is not None
        return self.as_of if given else self.as_of - dt.timedelta(days=horizon_days)

    # The run records the day it trained before, which is not the shop's as-of date without one given.
    @saved_run("recommend_evaluation",
               as_of=lambda shop, parameters: shop._evaluation_as_of(parameters["horizon_days"]))
    def recommend_evaluation(self, horizon_days: int = 30, k: int = 10) -> AnalysisResult:
        """Every recommendation model on the ``horizon_days`` after the as-of date (trained before it):
        recall, precision, NDCG, MAP, hit rate and coverage at ``k``, all items and new items only. With no
        as-of date given (argument or setting), the test is the log's last ``horizon_days``."""
        from shopmine.recommend.analysis import evaluation_result, segment_labels

        start = self._evaluation_as_of(horizon_days)
        return evaluation_result(self.orders(), as_of=start, horizon_days=horizon_days, k=k,
                                 products=self.products(), labels=segment_labels(self.workspace, start))

    def _price_saved(self, parameters: dict):
        """The saved ``price`` run that answers these parameters (same as-of date, batches, bounds file content
        and settings), or None; a bad request is refused first. Looked up once per call: the decorator's
        ``when`` looks it up and keeps it here, the method reads it and clears it."""
        cached = getattr(self, "_price_lookup", None)
        if cached is not None and cached[0] == parameters:
            return cached[1]
        from shopmine.pricing.analysis import ANALYSIS, check_price_request, file_digest
        from shopmine.runs.cache import matching_run

        check_price_request(**parameters)
        saved = matching_run(self.workspace, ANALYSIS, parameters=parameters, as_of=self.as_of,
                             batches=self.batches())
        if saved is not None and (saved.result.metrics.get("bounds_sha256") != file_digest(parameters["bounds"])
                                  or saved.result.metrics.get("cancel_window_days")
                                  != self.workspace.settings.cancel_window_days):
            saved = None
        self._price_lookup = (dict(parameters), saved)
        return saved

    @saved_run("price", when=lambda shop, parameters: shop._price_saved(parameters) is None)
    def price(self, objective: str = DEFAULT_OBJECTIVE, max_change: float = DEFAULT_MAX_CHANGE,
              min_margin: float = DEFAULT_MIN_MARGIN, ending: float | None = None, bounds: str | Path | None = None,
              method: str = "default") -> AnalysisResult:
        """Suggested prices under the shop's rules, with elasticities, curves and a strategy per customer
        cluster (:func:`shopmine.pricing.analysis.price_result`).

        Parameters
        ----------
        objective : {"profit", "revenue"}, default="profit"
            Products without a unit cost maximise revenue (with a warning).
        max_change : float, default=0.15
            ``abs(new - current) <= max_change * current``; in (0, 1].
        min_margin : float, default=0.2
            ``(new - unit_cost) / new >= min_margin``; in [0, 1).
        ending : float, optional
            Changed prices end in this fraction (0.99), never leaving the other rules.
        bounds : path, optional
            A table ``product_id, min_price, max_price`` (:func:`shopmine.pricing.bounds.read_bounds`).
        method : str, default="default"
            The elasticity estimator (:data:`shopmine.pricing.elasticity.METHODS`).

        A call with the parameters, as-of date, loaded batches and bounds file of a saved run answers from
        that run without computing anything (``answered_from_run`` in its metrics).
        """
        saved = self._price_saved({"objective": objective, "max_change": max_change, "min_margin": min_margin,
                                   "ending": ending, "bounds": bounds, "method": method})
        self._price_lookup = None  # looked up once per call: the run this call saves answers the next one
        if saved is not None:
            saved.result.metrics["answered_from_run"] = saved.run_id
            return saved.result
        from shopmine.pricing.analysis import price_analysis
        from shopmine.pricing.bounds import read_bounds
        from shopmine.pricing.rules import PriceRules

        rules = PriceRules(objective=objective, max_change=max_change, min_margin=min_margin, ending=ending,
                           bounds=read_bounds(bounds) if bounds is not None else None)
        return price_analysis(self.orders(), self.products(), as_of=self.as_of, rules=rules, method=method,
                              cancel_window_days=self.workspace.settings.cancel_window_days,
                              names=self.product_names(), bounds=bounds)

    def analyses(self, refresh: bool = False, commands: dict[str, str] | None = None) -> list[AnalysisResult]:
        """Every section in report order, read from saved runs: quality and the analyses from their latest
        runs (or recomputed and saved with ``refresh``), the overviews from the runs made from the batches
        loaded now (computed and saved when there is none) (:mod:`shopmine.report.sections`). ``commands``:
        the calling shell's command per analysis, named in the notes of sections never run or out of date."""
        from shopmine.report.sections import report_sections

        return report_sections(self, refresh, commands)

    def report(self, output: str | Path | None = None, refresh: bool = False,
               commands: dict[str, str] | None = None) -> AnalysisResult:
        """Write one self-contained HTML report (default ``<workspace>/outputs/report.html``); the result's
        ``path`` metric names it. The analyses come from their latest saved runs; ``refresh`` runs them
        again (saving new runs) first; ``commands`` as in :meth:`analyses`."""
        if output is not None and Path(output).suffix.lower() not in (".html", ".htm"):
            raise invalid_value("output", "an .html file name (the report is HTML)", Path(output))
        if not self.workspace.warehouse(read_only=True).has_orders():
            raise ShopmineInputError("the workspace has no order lines yet; load some with `shopmine ingest FILE`.")
        path = Path(output) if output else self.workspace.outputs_dir / "report.html"
        sections = self.analyses(refresh, commands)
        path = render_report(sections, path, title="shopmine report",
                             subtitle=f"workspace {self.workspace.root.name}, as of {self.as_of}",
                             currency=self.currency)
        return AnalysisResult(name="report", title="shopmine report", summary=f"report: {path}",
                              metrics={"path": str(path), "sections": len(sections), "as_of": self.as_of})

    @classmethod
    def demo(cls, output_dir: str | Path = "demo-output", *, n_customers: int = 5000, n_products: int = 500,
             n_days: int = 730, seed: int = 0, workspace: str | Path | None = None,
             settings: dict | None = None, progress=None, commands: dict[str, str] | None = None) -> AnalysisResult:
        """Simulate a shop into ``<output_dir>/shop``, ingest it into ``workspace`` (default
        ``<output_dir>/workspace``) with ``settings`` (``engine``, ``as_of`` ...), run every analysis and
        write ``<output_dir>/report.html``.

        Running it twice with the same seed loads nothing new (the files' content was loaded before).
        The result's metrics name the three paths.
        """
        from shopmine.simulate import simulate_shop, write_shop

        say = progress or (lambda *_args, **_kw: None)
        output_dir = Path(output_dir)
        say("simulating a shop")
        simulated = simulate_shop(n_customers=n_customers, n_products=n_products, n_days=n_days, seed=seed)
        paths = write_shop(simulated, output_dir / "shop", format="csv")
        with cls(Workspace(workspace or output_dir / "workspace", settings)) as shop:
            loaded = shop.ingest([paths["orders"]], IngestOptions(), products=[paths["products"]],
                                 customers=[paths["customers"]], progress=progress)
            say("building the feature tables and the report")
            report = shop.report(output_dir / "report.html", refresh=True, commands=commands)
            s = simulated.summary
            summary = (f"simulated {s['lines']:,} order lines ({s['orders']:,} orders, {s['customers']:,} customers, "
                       f"{s['products']:,} products); loaded {loaded.rows_loaded:,}, quarantined "
                       f"{loaded.rows_quarantined:,}; as of {shop.as_of}.")
            return AnalysisResult(name="demo", title="shopmine demo", summary=summary,
                                  metrics={"report_path": report.metrics["path"], "shop_dir": str(output_dir / "shop"),
                                           "workspace_dir": str(shop.workspace.root), "as_of": shop.as_of,
                                           "engine": shop.workspace.settings.engine,
                                           "rows_loaded": loaded.rows_loaded,
                                           "rows_quarantined": loaded.rows_quarantined})

    # -- risk (issue 15) ---------------------------------------------------------------------------------
    @saved_run("risk", as_of=lambda shop, parameters: shop.as_of if parameters.get("orders") else None)
    def risk_train(self, data: str | Path | pd.DataFrame | None = None, *, target: str | None = None,
                   id_col: str | None = None,
                   positive_class: str | None = None, date_col: str | None = None, folds: int = 5,
                   base_score: float = 600, base_odds: float = 50, pdo: float = 20, cost_fn: float = 5.0,
                   cost_fp: float = 1.0, special_codes: Sequence[float] | None = None, min_iv: float = 0.02,
                   random_state: int = 0, orders: bool = False, labels: str | Path | pd.DataFrame | None = None,
                   progress=None) -> AnalysisResult:
        """A WoE scorecard and a LightGBM challenger on a table with a binary target, saved as a ``risk`` run
        with both models in the registry (:func:`shopmine.risk.train_risk`); ``risk_score`` and
        ``risk_monitor`` use the latest such run. ``orders``: on the workspace's orders instead, one row per
        order with features from the customer's history before it, labelled by ``labels`` (``order_id,label``
        or ``customer_id,label``) or from the log (:func:`shopmine.risk.orders_table.order_risk_table`), with
        the out-of-time check on the latest orders."""
        from shopmine.classic import read_table
        from shopmine.risk import train_risk
        from shopmine.risk.orders_table import ORDER_TRAINING, check_training_source, describe_labels, \
            shop_order_risk_table
        from shopmine.risk.train import check_risk_request

        check_risk_request(folds=folds, base_score=base_score, base_odds=base_odds, pdo=pdo, cost_fn=cost_fn,
                           cost_fp=cost_fp, min_iv=min_iv, special_codes=special_codes)
        check_training_source(orders=orders, data=data, target=target, id_col=id_col, date_col=date_col,
                              positive_class=positive_class, labels=labels)
        if orders:
            table = shop_order_risk_table(self, labels)
            report = table.attrs["labels"]
            table = table.drop(columns="customer_id")  # an identifier, not a feature
            target, id_col, date_col = ORDER_TRAINING["target"], ORDER_TRAINING["id_col"], ORDER_TRAINING["date_col"]
        else:
            table = data if isinstance(data, pd.DataFrame) else read_table(data, "data")
        model = train_risk(table, target=target, id_col=id_col, positive_class=positive_class, date_col=date_col,
                           folds=folds, base_score=base_score, base_odds=base_odds, pdo=pdo, cost_fn=cost_fn,
                           cost_fp=cost_fp, special_codes=special_codes, min_iv=min_iv, random_state=random_state,
                           progress=progress)
        if orders:
            model.result_.metrics.update(report)
            model.result_.summary += "\n" + describe_labels(report)
        return model.result_

    @saved_run("risk_score", as_of=lambda shop, parameters: shop.as_of if parameters.get("orders") else None)
    def risk_score(self, data: str | Path | pd.DataFrame | None = None, *, id_col: str | None = None,
                   run_id: str | None = None, orders: bool = False) -> AnalysisResult:
        """``id, probability, score_points, reason_1..3`` for every row of ``data`` from the served model of the
        latest ``risk`` run (or ``run_id``); table ``scores``. ``orders``: the workspace's own orders instead,
        scored by a model trained on orders (``risk_train(orders=True)``), ``id`` the order id, with the table
        ``customers`` (:func:`shopmine.risk.customer_risk.customer_risk`)."""
        from shopmine.classic import read_table
        from shopmine.risk.saved import load_risk_model, score_result

        if orders and (data is not None or id_col is not None):
            given = ["{" + n + "}" for n, v in (("data", data), ("id_col", id_col)) if v is not None]
            raise ShopmineInputError(f"{{orders}} scores the workspace's orders (id order_id); drop {', '.join(given)}, "
                                     f"or drop {{orders}} to score a table of your own.", "orders",
                                     mentions=[g.strip("{}") for g in given])
        if not orders and data is None:
            raise ShopmineInputError("give {data} (the table to score), or {orders} to score the workspace's orders.",
                                     "data", mentions=("orders",))
        model, source = load_risk_model(self.workspace, run_id)
        if not orders:
            table = data if isinstance(data, pd.DataFrame) else read_table(data, "data")
            if self.workspace.settings.engine == "spark":  # the rows scored by the executors
                from shopmine.risk.cluster_scoring import score_table

                scores, first = score_table(table, model, self.engine.con._session, id_col=id_col,
                                            scratch_dir=self._scratch_dir())
            else:
                scores, first = model.score_with_features(table, id_col=id_col)
            result = score_result(model, scores, first, source_run=source)
            result.metrics["scored_on"] = "spark" if self.workspace.settings.engine == "spark" else "local"
            return result
        from shopmine.risk.customer_risk import customer_risk
        from shopmine.risk.orders_table import ORDER_TRAINING, shop_order_features

        if model.spec.get("id_col") != ORDER_TRAINING["id_col"] or model.spec.get("target") != ORDER_TRAINING["target"]:
            raise ShopmineInputError(f"{{run_id}} run {source} was trained on a table of your own, not on the "
                                     f"workspace's orders; train one on the orders first, or give {{data}}.",
                                     "run_id", mentions=("orders", "data"))
        if self.engine.name == "spark":  # every order scored by the executors (shopmine.risk.cluster_scoring)
            from shopmine.risk.cluster_scoring import score_orders
            from shopmine.risk.orders_table import shop_order_features_table

            scores, first, customer_ids = score_orders(shop_order_features_table(self), model,
                                                       id_col=ORDER_TRAINING["id_col"], scratch_dir=self._scratch_dir())
        else:
            table = shop_order_features(self)
            scores, first = model.score_with_features(table, id_col=ORDER_TRAINING["id_col"])
            customer_ids = table["customer_id"]
        result = score_result(model, scores, first, source_run=source)
        result.metrics["scored_on"] = "spark" if self.engine.name == "spark" else "local"
        customers = customer_risk(customer_ids, scores, float(model.spec["threshold"]["probability"]))
        result.tables["customers"] = customers
        result.metrics["customers"] = int(len(customers))
        result.metrics["customers_flagged"] = int((customers["flagged_orders"] > 0).sum())
        result.summary += (f" {result.metrics['customers_flagged']:,} of {len(customers):,} customers have an order "
                           f"at or above the threshold" if result.metrics["flagged"] else
                           f" {len(customers):,} customers") + " (table customers, by their riskiest order first)."
        return result

    @saved_run("risk_monitor", as_of=lambda shop, parameters: None)
    def risk_monitor(self, data: str | Path | pd.DataFrame, *, run_id: str | None = None) -> AnalysisResult:
        """Population stability index of each feature and of the score of ``data`` against the training rows
        of the latest ``risk`` run (or ``run_id``), with the 0.1 / 0.25 alert levels."""
        from shopmine.classic import read_table
        from shopmine.risk.saved import load_risk_model

        model, source = load_risk_model(self.workspace, run_id)
        table = data if isinstance(data, pd.DataFrame) else read_table(data, "data")
        result = model.monitor(table)
        result.metrics["source_run"] = source
        return result
