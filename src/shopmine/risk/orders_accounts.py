"""Account attributes fixed at signup, for the order risk features: what the customers files said.

The warehouse's ``customers`` table fills a customer's ``country`` from the latest order when no
customers file gives one: that country comes from after most of the customer's orders, and would
tell each of them about later ones. So the risk features read the customers files as loaded
(``customers_file``): their ``signup_date`` and ``country`` columns, the latest loaded value per
customer, and nothing derived from the orders.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from shopmine.io.sqltext import ident

__all__ = ["SIGNUP_COLUMNS", "signup_attributes"]

SIGNUP_COLUMNS = ("signup_date", "country")


def signup_attributes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """``customer_id`` and the customers files' ``signup_date`` and ``country`` (those they have).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The workspace's warehouse.

    Returns
    -------
    pandas.DataFrame or None
        One row per customer of the files (strings; the latest loaded non-empty value of each
        column), or None when no customers file with either column was loaded.
    """
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    if "customers_file" not in tables:
        return None
    columns = {r[0] for r in con.execute("DESCRIBE customers_file").fetchall()}
    wanted = [c for c in SIGNUP_COLUMNS if c in columns]
    if not wanted:
        return None
    # The latest loaded row wins, as in the warehouse's customers table; an empty value is no value.
    picks = ", ".join(f"arg_max(nullif(trim({ident(c)}), ''), rn) FILTER (WHERE nullif(trim({ident(c)}), '') "
                      f"IS NOT NULL) AS {ident(c)}" for c in wanted)
    frame = con.execute(
        f"SELECT customer_id, {picks} FROM (SELECT *, row_number() OVER () AS rn FROM customers_file) "
        f"WHERE customer_id IS NOT NULL GROUP BY customer_id ORDER BY customer_id"
    ).fetchdf()
    if frame.empty:
        return None
    return frame.astype({c: "object" for c in frame.columns})
