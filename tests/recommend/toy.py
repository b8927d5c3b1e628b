"""A hand-made purchase-day log for the model tests (no engine needed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from shopmine.recommend.interactions import Interactions, interactions_from_days

AS_OF = dt.date(2021, 3, 1)


def toy_interactions(rows: list[tuple[str, str, str]], as_of: dt.date = AS_OF, revenue: float = 10.0) -> Interactions:
    """``rows`` of (customer, product, 'YYYY-MM-DD'), one unit and ``revenue`` each."""
    days = pd.DataFrame(rows, columns=["customer_id", "product_id", "day"])
    days["day"] = pd.to_datetime(days["day"]).dt.date
    days["units"] = 1.0
    days["revenue"] = revenue
    return interactions_from_days(days, as_of=as_of)
