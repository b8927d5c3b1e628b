"""Monthly cohorts on a hand-made log: first-purchase month, months since, distinct buyers; cancelled and
guest orders make no one a customer."""

from __future__ import annotations

import datetime as dt

from shopmine.features import classify_lines
from shopmine.features.cohorts import cohort_counts, retention_table

from .helpers import toy_orders


def test_cohorts_by_hand():
    def sale(order, customer, day, quantity=1, status=None):
        return {"order_id": order, "customer_id": customer, "product_id": "P", "ordered_at": f"{day} 10:00",
                "quantity": quantity, "unit_price": 5.0, "status": status}

    orders = toy_orders([
        sale("1", "a", "2023-12-30"), sale("2", "a", "2024-01-02"), sale("3", "a", "2024-01-20"),  # year boundary
        sale("4", "b", "2023-12-05"), sale("5", "b", "2024-02-01"),
        sale("6", "c", "2024-01-15"),
        sale("7", "d", "2023-12-10", status="cancelled"),  # a cancelled order: d is no customer of December
        sale("8", "d", "2024-02-10"),
        sale("9", None, "2023-12-11"),  # a guest
    ])
    counts = cohort_counts(classify_lines(orders, before=dt.date(2024, 3, 1), bulk=False)).to_pandas()
    got = {(int(c) // 12, int(c) % 12 + 1, int(o)): int(n) for c, o, n in counts.itertuples(index=False)}
    assert got == {(2023, 12, 0): 2, (2023, 12, 1): 1, (2023, 12, 2): 1,  # a in January, b in February
                   (2024, 1, 0): 1, (2024, 2, 0): 1}
    table = retention_table(counts)
    assert table.to_dict("records")[0] == {"cohort": "2023-12", "customers": 2, "month_1": 0.5, "month_2": 0.5}
    assert table["cohort"].tolist() == ["2023-12", "2024-01", "2024-02"]
    assert table.loc[1, "month_1"] == 0.0 and table.loc[1, "month_2"] != table.loc[1, "month_2"]  # Feb passed; Mar ahead
