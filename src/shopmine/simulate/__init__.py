"""The simulated shop: an order log with known truth, so tests can check that models recover it.

>>> from shopmine.simulate import simulate_shop, write_shop
>>> shop = simulate_shop(n_customers=200, n_products=50, n_days=90, seed=1)
>>> paths = write_shop(shop, "simulated", format="csv")  # doctest: +SKIP
>>> best = true_ranking(shop, "2023-03-01", k=5)  # what each customer will most probably buy next
>>> at = true_demand(shop, {"P00001": 9.99}, start="2023-02-01", end="2023-02-28")  # units, profit

See docs/simulator.md for the model and every parameter.
"""

from shopmine.simulate.constraints import InvalidParameterError
from shopmine.simulate.demand import DEMAND_COLUMNS, true_demand
from shopmine.simulate.oracle import true_ranking
from shopmine.simulate.parameters import PARAMETER_NAMES, ShopParameters
from shopmine.simulate.segments import DEFAULT_SEGMENTS, Segment
from shopmine.simulate.shards import write_shop_in_shards
from shopmine.simulate.shop import TABLE_NAMES, SimulatedShop, simulate_from, simulate_shop
from shopmine.simulate.writer import write_shop

__all__ = [
    "DEMAND_COLUMNS",
    "DEFAULT_SEGMENTS",
    "InvalidParameterError",
    "PARAMETER_NAMES",
    "Segment",
    "ShopParameters",
    "SimulatedShop",
    "TABLE_NAMES",
    "simulate_from",
    "simulate_shop",
    "true_demand",
    "true_ranking",
    "write_shop",
    "write_shop_in_shards",
]
