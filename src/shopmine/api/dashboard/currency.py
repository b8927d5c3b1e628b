"""The shop's currency on the dashboard: the workspace's ``currency`` setting, else the one the latest
``glance`` run found in the orders (the server never opens the warehouse, where the orders' currency is)."""

from __future__ import annotations

from fastapi import Request

__all__ = ["shop_currency"]


def shop_currency(request: Request) -> str | None:
    if request.app.state.currency:
        return request.app.state.currency
    runs = request.app.state.runs
    glance = runs.latest("glance")
    return None if glance is None else runs.metrics(glance).get("currency")
