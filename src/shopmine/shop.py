"""The facade over one workspace: the library API that the CLI, the report and the API share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import ibis
import pandas as pd

from shopmine.features import customer_summary, default_as_of, sales_panel
from shopmine.ingest import IngestOptions, IngestReport, ingest
from shopmine.overviews import customer_summary_result, sales_panel_result
from shopmine.quality import quality_report
from shopmine.report import render_report
from shopmine.result import AnalysisResult
from shopmine.runs import saved_run
from shopmine.workspace import Workspace


class Shop:
    """One shop's workspace, its engine and its as-of date.

    Parameters
    ----------
    workspace : Workspace or path
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
    """

    def __init__(self, workspace: Workspace | str | Path, as_of: dt.date | None = None):
        self.workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        self._as_of = as_of or self.workspace.settings.as_of
        self._engine = None
        self._engine_con = None

    @property
    def engine(self):
        """The query engine, over a read-only warehouse (shared with other readers) unless this
        workspace object writes; remade when the warehouse was closed or reopened since."""
        warehouse = self.workspace.warehouse(read_only=True)
        if self._engine is None or self._engine_con is not warehouse.con:
            self._engine = self.workspace.engine()
            self._engine_con = warehouse.con
        return self._engine

    def close(self) -> None:
        """Close the warehouse and release the workspace lock, so that other processes may ingest."""
        self._engine = self._engine_con = None
        self.workspace.close()

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
            self._as_of = default_as_of(self.orders())
        return self._as_of

    @property
    def currency(self) -> str | None:
        """The ``currency`` setting, else the one currency code of the order lines, else None
        (:mod:`shopmine.currency`)."""
        from shopmine.currency import detect_currency

        return self.workspace.settings.currency or detect_currency(self.orders())

    def ingest(self, files: Sequence[str | Path], options: IngestOptions | None = None, **kwargs) -> IngestReport:
        self._engine = None  # the Spark export (if any) must see the new batch
        return ingest(self.workspace, files, options=options, **kwargs)

    def quality(self) -> AnalysisResult:
        return quality_report(self.workspace.warehouse(read_only=True),
                              cancel_window_days=self.workspace.settings.cancel_window_days)

    def sales_panel(self, level: str = "product", freq: str = "D") -> ibis.Table:
        return sales_panel(self.orders(), level=level, freq=freq, as_of=self.as_of, products=self.products(),
                           cancel_window_days=self.workspace.settings.cancel_window_days)

    def customer_summary(self) -> ibis.Table:
        return customer_summary(self.orders(), as_of=self.as_of,
                                cancel_window_days=self.workspace.settings.cancel_window_days)

    def overview_results(self, freq: str = "W") -> list[AnalysisResult]:
        return [sales_panel_result(self.sales_panel("product", freq), self.sales_panel("total", freq), freq=freq,
                                   names=self.product_names()),
                customer_summary_result(self.customer_summary())]

    @saved_run("forecast")
    def forecast(self, level: str = "product", freq: str = "D", top: int | None = 10, horizon: int = 14,
                 model: str = "auto", windows: int = 2, measure: str = "revenue") -> AnalysisResult:
        """Backtested sales forecast of the best sellers (:func:`shopmine.forecast.run_forecast`)."""
        from shopmine.forecast import default_season_length, forecast_result, run_forecast, series_from_shop

        series = series_from_shop(self, level=level, freq=freq, top=top, measure=measure)
        run = run_forecast(series, horizon=horizon, freq=freq, model=model,
                           season_length=default_season_length(freq), windows=windows)
        return forecast_result(run, level=level, measure=measure, names=self.product_names() if level == "product"
                               else None)

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

        return segment_customers(self.orders(), as_of=self.as_of, products=self.products(), k=k, seed=seed)

    @saved_run("clv")
    def clv(self, horizon_days: int = 365, model: str = "auto") -> AnalysisResult:
        """Lifetime value per customer (:func:`shopmine.customers.clv.customer_lifetime_value`)."""
        from shopmine.customers.clv import customer_lifetime_value

        return customer_lifetime_value(self.orders(), as_of=self.as_of, horizon_days=horizon_days, model=model)

    @saved_run("classify")
    def classify(self, horizon_days: int = 90, target: str | None = None, labels=None,
                 seed: int = 42) -> AnalysisResult:
        """Decision tree (and LightGBM challenger) for "buys again", or another customer category."""
        from shopmine.customers.classify import classify

        return classify(self.orders(), as_of=self.as_of, horizon_days=horizon_days, target=target, labels=labels,
                        customers=self.engine.table("customers") if target else None,
                        products=self.products(), seed=seed)

    def analyses(self, refresh: bool = False) -> list[AnalysisResult]:
        """Every analysis in report order: quality and overviews computed, the others read from their
        latest saved runs, or recomputed (and saved) with ``refresh`` (:mod:`shopmine.report.sections`)."""
        from shopmine.report.sections import analysis_sections

        return [self.quality(), *self.overview_results(), *analysis_sections(self, refresh)]

    def report(self, path: Path | None = None, refresh: bool = False) -> Path:
        path = Path(path) if path else self.workspace.outputs_dir / "report.html"
        return render_report(self.analyses(refresh), path, title="shopmine report",
                             subtitle=f"workspace {self.workspace.root.name}, as of {self.as_of}",
                             currency=self.currency)
