"""The dashboard: server-rendered pages over the same saved runs as the API, under ``/dashboard``.

Overview (the report's KPI tiles and revenue chart), forecast per product with a picker, segments, customer
lookup and price suggestions; a login with an API key (:mod:`.login`); plotly.js and the page script served
from the package (:mod:`.static`), under a Content-Security-Policy that allows nothing else (:mod:`.headers`).
"""

from __future__ import annotations

from fastapi import FastAPI

from shopmine.api.dashboard import customer, forecast, login, overview, prices, segments, static
from shopmine.api.dashboard.headers import PREFIX, DashboardHeaders
from shopmine.api.dashboard.session import Sessions

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the dashboard's routes, login redirect and headers to ``app`` (whose ``state.keys`` is set)."""
    app.state.sessions = Sessions(app.state.keys)
    for module in (static, login, overview, forecast, segments, customer, prices):
        app.include_router(module.router, prefix=PREFIX)
    app.add_exception_handler(login.LoginRequired, login.login_redirect)
    app.add_middleware(DashboardHeaders)
