"""Every knob of the simulated shop, with its default, meaning and allowed range.

One table (the dataclass fields and their metadata) feeds validation, ``ground_truth.json`` and the
parameter table in docs/simulator.md (a test fails when a parameter is undocumented).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from shopmine.simulate.constraints import (
    Code,
    DateString,
    FloatTuple,
    Interval,
    InvalidParameterError,
    Text,
    check,
    fail,
)
from shopmine.simulate.segments import DEFAULT_SEGMENTS, Segment, validate_segments

INF = math.inf
# The price grid (days x products) is held in memory, a few float64 copies of it.
MAX_PRICE_GRID = 60_000_000


def _p(default: Any, constraint: Any, help: str) -> Any:
    return field(default=default, metadata={"constraint": constraint, "help": help})


@dataclass(frozen=True)
class ShopParameters:
    """Parameters of the simulated shop; see docs/simulator.md for the model behind each one.

    Build it with keyword arguments and call :meth:`validated` (``simulate_shop`` does both). Every
    field's allowed range is in ``dataclasses.fields(ShopParameters)[i].metadata["constraint"]``.
    """

    # -- size and period ------------------------------------------------------------------
    n_customers: int = _p(5000, Interval(int, 1, INF), "Registered, legitimate customers (fraudster "
                          "accounts come on top).")
    n_products: int = _p(500, Interval(int, 1, INF), "Products in the catalogue.")
    n_days: int = _p(730, Interval(int, 1, INF), "Days simulated, starting at `start`.")
    seed: int = _p(0, Interval(int, 0, INF), "Random seed; the same seed gives byte-identical files.")
    shard: int = _p(0, Interval(int, 0, 999), "Customer shard: shards of one seed share the catalogue "
                    "and its prices and draw their own customers and orders, with ids of their own "
                    "(C01-000001, O01-0000001 for shard 1; shard 0 is the plain shop). A shop too big "
                    "for memory is written shard by shard (`write_shop_in_shards`).")
    start: str = _p("2023-01-01", DateString(), "First day (YYYY-MM-DD).")
    # -- customers --------------------------------------------------------------------------
    segments: tuple[Segment, ...] = _p(DEFAULT_SEGMENTS, None, "Latent customer segments "
                                       "(see the segment table).")
    rate_scale: float = _p(1.0, Interval(float, 0, 100, "right"), "Multiplies every segment's purchase "
                           "rate: the quickest way to change the number of orders per customer.")
    existing_customer_share: float = _p(0.4, Interval(float, 0, 1), "Share of customers who signed up "
                                        "before `start`; the others sign up during the period, with "
                                        "their first order.")
    history_days: int = _p(1095, Interval(int, 1, INF), "Existing customers signed up uniformly within "
                           "this many days before `start`.")
    guest_order_share: float = _p(0.03, Interval(float, 0, 0.9), "Share of (non-fraud) orders placed "
                                  "as guest, with an empty customer_id.")
    promo_matching_noise: float = _p(0.25, Interval(float, 0, INF), "Noise between a customer's price "
                                     "sensitivity and getting the promoted products of the day "
                                     "(0: the most sensitive customers get all of them).")
    # -- product preferences (what a recommender can learn) --------------------------------------
    favourites_scale: float = _p(1.0, Interval(float, 0, 20), "Multiplies every segment's mean "
                                 "number of favourite products (`favourites`); 0: no favourites.")
    favourite_cycle_days: float = _p(45.0, Interval(float, 1, 3650), "Median repurchase cycle of a "
                                     "favourite in days (each favourite's cycle is log-normal around "
                                     "it, sigma 0.5).")
    favourite_cycle_jitter: float = _p(0.2, Interval(float, 0, 1), "Coefficient of variation of each "
                                       "realised gap around the favourite's cycle (gamma "
                                       "distributed; 0: exactly the cycle).")
    complements_per_product: float = _p(0.5, Interval(float, 0, 10), "Mean number of complements "
                                        "per product (Poisson): products that join a basket when "
                                        "the product is bought.")
    complement_probability: float = _p(0.3, Interval(float, 0, 1), "Mean probability that a "
                                       "complement joins the basket when its product is bought "
                                       "(each pair uniform in 0.5x..1.5x of it, at most 1).")
    # -- calendar ---------------------------------------------------------------------------
    weekly_factors: tuple[float, ...] = _p((0.94, 0.92, 0.93, 0.96, 1.0, 1.09, 1.16),
                                           FloatTuple(7, Interval(float, 0, INF, "neither")),
                                           "Relative order intensity Monday..Sunday (rescaled to "
                                           "mean 1).")
    yearly_peak: float = _p(0.8, Interval(float, 0, 20), "Height of the Christmas bump (Gaussian "
                            "around 5 December, sd 18 days) in the yearly profile.")
    summer_dip: float = _p(0.15, Interval(float, 0, 1, "left"), "Depth of the summer dip (Gaussian "
                           "around 25 July, sd 25 days) in the yearly profile.")
    trend_per_year: float = _p(0.08, Interval(float, -1, 10, "neither"), "Growth of every customer's "
                               "order intensity per year: factor (1 + g) ** (day / 365.25).")
    # -- products and prices ----------------------------------------------------------------
    popularity_sigma: float = _p(1.3, Interval(float, 0, 5), "Log-normal sigma of product "
                                 "popularity (larger: fewer best-sellers, more slow movers).")
    elasticity_sd: float = _p(0.35, Interval(float, 0, 5), "Spread of product elasticities around "
                              "their subcategory's mean.")
    elasticity_min: float = _p(-3.5, Interval(float, -10, 0, "left"), "Lowest product elasticity "
                               "(elasticities are clipped to [elasticity_min, elasticity_max]).")
    elasticity_max: float = _p(-0.5, Interval(float, -10, 0, "left"), "Highest product elasticity.")
    markup_min: float = _p(1.6, Interval(float, 1, 20), "Lowest list price / unit cost at launch.")
    markup_max: float = _p(2.6, Interval(float, 1, 20), "Highest list price / unit cost at launch.")
    price_changes_per_year: float = _p(2.0, Interval(float, 0, 52), "Mean list price changes per "
                                       "product and year (Poisson).")
    price_change_sd: float = _p(0.08, Interval(float, 0, 1), "Sd of the log list price around its "
                                "level after a change (each change draws a new price around the "
                                "launch price, not a step from the last one).")
    price_change_drift: float = _p(0.01, Interval(float, -0.5, 0.5), "Log rise of the level with "
                                   "each list price change (inflation).")
    promotions_per_year: float = _p(3.0, Interval(float, 0, 26), "Mean promotions per product and "
                                    "year.")
    promo_depth_min: float = _p(0.10, Interval(float, 0.05, 0.9), "Smallest promotion discount "
                                "(fraction of the list price, in steps of 5 %).")
    promo_depth_max: float = _p(0.40, Interval(float, 0.05, 0.9), "Largest promotion discount.")
    promo_days_min: int = _p(7, Interval(int, 1, 365), "Shortest promotion in days.")
    promo_days_max: int = _p(21, Interval(int, 1, 365), "Longest promotion in days.")
    promo_season_bias: float = _p(3.0, Interval(float, 0, 10), "Promotions start at a rate "
                                  "proportional to the yearly seasonal factor to this power (0: "
                                  "independent of the season; 3: about 43 % of the promotion days "
                                  "fall in the busiest quarter of the year).")
    promo_display_lift: float = _p(1.3, Interval(float, 1, 10), "Demand multiplier while a product "
                                   "is on promotion, on top of the effect of its lower price (1: no "
                                   "lift).")
    currency: str = _p("EUR", Code(3), "The shop's one currency.")
    # -- orders -----------------------------------------------------------------------------
    cancel_share: float = _p(0.02, Interval(float, 0, 0.5), "Share of orders cancelled as a whole "
                             "(status cancelled, positive quantities).")
    free_shipping_threshold: float = _p(49.0, Interval(float, 0, INF), "Orders with a product value "
                                        "below this get a SHIPPING line.")
    shipping_fee: float = _p(4.95, Interval(float, 0, 1000), "Price of the SHIPPING line.")
    shipping_cost: float = _p(5.40, Interval(float, 0, 1000), "Cost of the SHIPPING line.")
    # -- returns ----------------------------------------------------------------------------
    return_rate_scale: float = _p(1.0, Interval(float, 0, 10), "Multiplies every subcategory's "
                                  "return rate.")
    return_delay_days: float = _p(10.0, Interval(float, 1, 120, "neither"), "Mean days between "
                                  "purchase and return.")
    # -- fraud ------------------------------------------------------------------------------
    fraud_order_share: float = _p(0.006, Interval(float, 0, 0.5), "Share of all orders that are "
                                  "fraudulent.")
    takeover_share: float = _p(0.3, Interval(float, 0, 1), "Share of fraud orders placed from a taken-"
                               "over legitimate account; the rest come from new fraudster accounts.")
    fraud_night_share: float = _p(0.55, Interval(float, 0, 1), "Share of fraud orders placed between "
                                  "00:00 and 05:59 (legitimate orders: about 3 %).")
    fraud_payment_method: str = _p("invoice", Text(), "Payment method fraudsters prefer.")
    fraud_payment_share: float = _p(0.5, Interval(float, 0, 1), "Share of fraud orders paid with "
                                    "`fraud_payment_method` (the rest as legitimate orders).")
    fraud_foreign_share: float = _p(0.65, Interval(float, 0, 1), "Share of fraud orders shipped to a "
                                    "country other than the account's (legitimate orders: 2 %).")

    def validated(self) -> ShopParameters:
        """A copy with every value checked and normalised (ints to floats, lists to tuples).

        Raises
        ------
        InvalidParameterError
            A :class:`~shopmine.errors.ShopmineInputError` naming the parameter and its range.
        """
        values: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "segments":
                values[f.name] = validate_segments(value)
            else:
                values[f.name] = check(f.name, value, f.metadata["constraint"])
        for low, high in (("elasticity_min", "elasticity_max"), ("markup_min", "markup_max"),
                          ("promo_depth_min", "promo_depth_max"), ("promo_days_min", "promo_days_max")):
            if values[low] > values[high]:
                fail(high, f"a value >= {low} ({values[low]:g})", values[high])
        if values["n_products"] * values["n_days"] > MAX_PRICE_GRID:
            fail("n_days", f"at most {MAX_PRICE_GRID:,} / n_products (the daily price grid of every "
                 "product is held in memory)", values["n_days"])
        weekly = values["weekly_factors"]
        values["weekly_factors"] = tuple(w * 7 / sum(weekly) for w in weekly)
        return ShopParameters(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable values (segments as a list of mappings)."""
        out = dataclasses.asdict(self)
        out["weekly_factors"] = list(out["weekly_factors"])
        out["segments"] = [dict(s) for s in out["segments"]]
        return out


PARAMETER_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ShopParameters))


def make_parameters(caller: str, **values: Any) -> ShopParameters:
    """Build and validate parameters, naming an unknown keyword like a mistyped option."""
    unknown = sorted(set(values) - set(PARAMETER_NAMES))
    if unknown:
        raise InvalidParameterError(
            f"{caller} got an unexpected parameter {unknown[0]!r}. Valid parameters are: "
            f"{', '.join(PARAMETER_NAMES)}.", parameter=unknown[0])
    return ShopParameters(**values).validated()
