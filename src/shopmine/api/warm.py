"""Loading what requests need before they ask: at start-up, and whenever a new run is saved.

A saved run's model takes a second or two to load (the recommender's arrays, the risk model's scorecard and
booster), and a large table a fraction of that to turn into the rows the API answers with. Left to the first
request that needs them, that request pays it. So the server starts loading them as it starts
(:meth:`Warmer.start`, from the app's start-up, in a thread of its own: the server answers ``/health`` at once,
and a request that comes before the first load is done waits for that load instead of starting another), then
looks every :data:`INTERVAL` seconds, or at once when a request found a newer run (:mod:`shopmine.api.models`),
and loads a new run's as soon as it is listed. Once a newer run's model is loaded, the older one's is dropped.
(Loading before the server listened would keep ``/health`` silent for as long, which on a machine whose cores
are busy grew to minutes.)

What it looks at costs a ``stat`` of each analysis's folder while nothing changes (:class:`SavedRuns` keeps
its listings and everything built per run id).

What it loaded lives as long as its run is the latest, hundreds of thousands of objects that Python's cycle
collector would otherwise walk in every full collection, stopping every request for 150-200 ms at random
(the API's p99). So once a load changed what is kept, the warmer collects once (dropping the older run's)
and freezes what is left out of later collections (``gc.freeze``): one pause per new run, not one every
few thousand requests.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable

from shopmine.api.errors import ApiError

log = logging.getLogger("shopmine.api")

#: Seconds between two looks for new runs.
INTERVAL = 1.0


def _recommender(runs) -> None:
    from shopmine.api.models import known_ids, latest_recommender

    recommender, metadata = latest_recommender(runs, wait=True)
    for which in ("customer", "product"):
        known_ids(runs, metadata, recommender, which)
    for what in ("recommender", "known_customers", "known_products"):
        runs.forget(what, keep=metadata["run_id"])


def _risk_model(runs) -> None:
    from shopmine.api.models import latest_risk_model

    _model, metadata = latest_risk_model(runs, wait=True)
    runs.forget("risk_model", keep=metadata["run_id"])


def _forecasts(runs) -> None:
    from shopmine.api.routes.forecasts import _history_index, forecast_rows, latest_forecast

    for level in ("product", "category", "total"):
        try:
            metadata = latest_forecast(runs, level)
        except ApiError:
            continue
        forecast_rows(runs, metadata, level)
        _history_index(runs, metadata, level)


def _prices(runs) -> None:
    from shopmine.api.routes.prices import suggestion_rows

    suggestion_rows(runs)


def _customers(runs) -> None:
    from shopmine.api.routes.customers import _by_customer

    for analysis in ("segments", "clv"):
        metadata = runs.latest(analysis)
        if metadata is not None:
            _by_customer(runs, metadata, "customers")


#: What is loaded, models first (the slowest to load, and what the busiest routes need).
STEPS: tuple[Callable, ...] = (_recommender, _risk_model, _forecasts, _prices, _customers)


class Warmer:
    """Keeps the latest runs' models and tables of ``runs`` (a :class:`~shopmine.api.saved.SavedRuns`) loaded.

    ``start()`` starts a daemon thread that loads them, then looks again every ``interval`` seconds (or when
    woken); ``ready`` is set once the first load is done; ``stop()`` ends the thread.
    """

    def __init__(self, runs, interval: float = INTERVAL):
        self.runs, self.interval = runs, interval
        self.ready = threading.Event()
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def warm(self) -> None:
        """Load what the latest runs need; an analysis never run is passed over, a run that cannot be loaded is
        logged (the request that needs it gets the error in the envelope)."""
        for step in STEPS:
            if self._stop.is_set():
                return
            try:
                step(self.runs)
            except ApiError:
                pass  # never run: nothing to load
            except Exception:  # noqa: BLE001 - a damaged run must not stop the server or the other steps
                log.warning("loading ahead of requests failed in %s", step.__name__, exc_info=True)

    def warm_and_freeze(self) -> None:
        """:meth:`warm`, then, when it changed what is kept, one full collection and ``gc.freeze()``."""
        before = self.runs.cached_keys()
        self.warm()
        if self.runs.cached_keys() != before and not self._stop.is_set():
            gc.unfreeze()  # a dropped run's objects in a cycle are collected now, not kept for ever
            gc.collect()
            gc.freeze()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="shopmine-warmer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        self.warm_and_freeze()
        self.ready.set()
        # Only now may a request be answered by an older run's loaded model while the warmer loads the new one.
        self.runs.wake = self._wake.set
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if not self._stop.is_set():
                self.warm_and_freeze()

    def stop(self) -> None:
        self.runs.wake = None
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
