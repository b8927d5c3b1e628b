"""Customer risk from the scores of their orders: how risky a customer's orders are, taken together."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CUSTOMER_COLUMNS", "customer_risk"]

CUSTOMER_COLUMNS = ["customer_id", "orders", "flagged_orders", "max_probability", "mean_probability",
                    "riskiest_order", "riskiest_reason"]


def customer_risk(customer_ids: pd.Series, scores: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One row per customer with an order among ``scores`` (the output contract of ``risk score``, ``id`` the
    order id; ``customer_ids`` aligned with it): their number of orders, how many are at or above the
    probability ``threshold``, the highest and the mean probability, and their riskiest order with its first
    reason. Riskiest customers first (ties: by customer id). Guests (no customer id) have no row: their
    orders cannot be told apart as one customer's.

    Examples
    --------
    >>> scores = pd.DataFrame({"id": ["o1", "o2", "o3"], "probability": [0.25, 0.75, 0.2],
    ...                        "reason_1": ["", "value_ratio [5.5, inf)", "hour = 3"]})
    >>> customer_risk(pd.Series(["c1", "c1", None]), scores, threshold=0.5).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'customer_id': 'c1', 'orders': 2, 'flagged_orders': 1, 'max_probability': 0.75, 'mean_probability': 0.5,
      'riskiest_order': 'o2', 'riskiest_reason': 'value_ratio [5.5, inf)'}]
    """
    frame = pd.DataFrame({"customer_id": customer_ids.to_numpy(), "order": scores["id"].to_numpy(),
                          "probability": scores["probability"].to_numpy(), "reason": scores["reason_1"].to_numpy()})
    frame = frame[frame["customer_id"].notna() & (frame["customer_id"].astype(str) != "")]
    if frame.empty:
        return pd.DataFrame(columns=CUSTOMER_COLUMNS)
    frame = frame.assign(flagged=frame["probability"].to_numpy() >= threshold)
    # The riskiest order of each customer: the first row of each customer once sorted by probability.
    riskiest = (frame.sort_values(["customer_id", "probability", "order"], ascending=[True, False, True])
                .drop_duplicates("customer_id").set_index("customer_id"))
    grouped = frame.groupby("customer_id")
    table = pd.DataFrame({"orders": grouped.size(), "flagged_orders": grouped["flagged"].sum().astype(np.int64),
                          "max_probability": grouped["probability"].max(),
                          "mean_probability": grouped["probability"].mean()})
    table["riskiest_order"] = riskiest["order"]
    table["riskiest_reason"] = riskiest["reason"]
    table = table.reset_index().sort_values(["max_probability", "customer_id"], ascending=[False, True],
                                            ignore_index=True)
    return table[CUSTOMER_COLUMNS]
