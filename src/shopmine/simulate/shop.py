"""``simulate_shop``: the public entry point, and the :class:`SimulatedShop` it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from shopmine.simulate import tables
from shopmine.simulate.generate import generate
from shopmine.simulate.parameters import ShopParameters, make_parameters
from shopmine.simulate.price_truth import regular_demand
from shopmine.simulate.truth import ground_truth

TABLE_NAMES = ("orders", "products", "customers", "truth_customers", "truth_products",
               "truth_orders", "truth_promotions", "truth_preferences", "truth_complements",
               "truth_segments")


@dataclass
class SimulatedShop:
    """A simulated shop: the tables a merchant would export, plus the truth behind them.

    Attributes
    ----------
    orders : pyarrow.Table
        The order log in the canonical schema (one row per line, sorted by ``ordered_at``).
    products, customers : pyarrow.Table
        The product and customer tables a shop would export.
    truth_customers, truth_products, truth_orders, truth_promotions : pyarrow.Table
        Latent values per customer, product, order and promotion.
    truth_preferences, truth_complements : pyarrow.Table
        Each customer's favourite products (with their repurchase cycles) and the complements that
        follow them; every complement pair with its probability. See :func:`true_ranking`.
    truth_segments : pyarrow.Table
        Each segment's (and the guests') price response: elasticity multiplier, demand-weighted
        elasticity, share of the demand. See :func:`true_demand`.
    ground_truth : dict
        Parameters, seed, segment definitions, seasonality curves and a summary (plain JSON).
    parameters : ShopParameters
        The validated parameters.
    """

    orders: pa.Table
    products: pa.Table
    customers: pa.Table
    truth_customers: pa.Table
    truth_products: pa.Table
    truth_orders: pa.Table
    truth_promotions: pa.Table
    truth_preferences: pa.Table
    truth_complements: pa.Table
    truth_segments: pa.Table
    ground_truth: dict[str, Any]
    parameters: ShopParameters = field(repr=False)

    @property
    def summary(self) -> dict[str, Any]:
        """Lines, orders, customers, products, date range, return, cancel, guest and fraud shares."""
        return self.ground_truth["summary"]

    def to_pandas(self, name: str) -> pd.DataFrame:
        """One table as a pandas DataFrame (Arrow-backed strings, nullable booleans, datetime64 dates).

        Parameters
        ----------
        name : str
            One of ``orders``, ``products``, ``customers``, ``truth_customers``, ``truth_products``,
            ``truth_orders``, ``truth_promotions``, ``truth_preferences``, ``truth_complements``,
            ``truth_segments``.
        """
        if name not in TABLE_NAMES:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLE_NAMES)}")
        table: pa.Table = getattr(self, name)
        types = {pa.string(): pd.StringDtype("pyarrow"), pa.bool_(): pd.BooleanDtype()}
        return table.to_pandas(types_mapper=types.get, date_as_object=False)


def simulate_shop(n_customers: int = 5000, n_products: int = 500, n_days: int = 730, seed: int = 0,
                  start: str | dt.date = "2023-01-01", *,
                  progress: Callable[[str, float], None] | None = None,
                  **params: Any) -> SimulatedShop:
    """Simulate an online shop's order log together with the latent truth behind it.

    The defaults give about 300,000 order lines over two years. See docs/simulator.md for the
    model and every parameter.

    Parameters
    ----------
    n_customers : int, default=5000
        Registered, legitimate customers; fraudster accounts come on top.
    n_products : int, default=500
        Products in the catalogue.
    n_days : int, default=730
        Days simulated from ``start``.
    seed : int, default=0
        Random seed: the same seed (and parameters) gives identical tables.
    start : str or datetime.date, default="2023-01-01"
        First day.
    progress : callable, optional
        Called as ``progress(step, fraction_done)`` while generating (the CLI draws a bar).
    **params
        Any other field of :class:`ShopParameters`.

    Returns
    -------
    SimulatedShop

    Raises
    ------
    shopmine.errors.ShopmineInputError
        A parameter is unknown or out of range; the message names it and its allowed range.

    Examples
    --------
    >>> shop = simulate_shop(n_customers=200, n_products=50, n_days=90, seed=1)
    >>> shop.orders.column_names[:4]
    ['order_id', 'customer_id', 'product_id', 'ordered_at']
    """
    parameters = make_parameters("simulate_shop", n_customers=n_customers, n_products=n_products,
                                 n_days=n_days, seed=seed, start=start, **params)
    return simulate_from(parameters, progress)


def simulate_from(parameters: ShopParameters,
                  progress: Callable[[str, float], None] | None = None) -> SimulatedShop:
    """Like :func:`simulate_shop`, from a :class:`ShopParameters` (validated here)."""
    parameters = parameters.validated()
    report = progress or (lambda step, fraction: None)
    raw = generate(parameters, report)
    orders = tables.orders_table(raw)
    summary = tables.summary(raw, orders)
    demand = regular_demand(raw)
    shop = SimulatedShop(
        orders=orders,
        products=tables.products_table(raw),
        customers=tables.customers_table(raw),
        truth_customers=tables.truth_customers_table(raw),
        truth_products=tables.truth_products_table(raw, demand),
        truth_orders=tables.truth_orders_table(raw),
        truth_promotions=tables.truth_promotions_table(raw),
        truth_preferences=tables.truth_preferences_table(raw),
        truth_complements=tables.truth_complements_table(raw),
        truth_segments=tables.truth_segments_table(raw, demand),
        ground_truth=ground_truth(raw, summary),
        parameters=parameters,
    )
    report("done", 1.0)
    return shop
