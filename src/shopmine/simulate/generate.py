"""The generation pipeline: catalogue -> prices -> customers -> orders -> lines -> returns, as arrays.

Every step draws from its own random stream (spawned from the seed), so changing one step leaves
the draws of the others alone. No loop runs per order or per customer; the one loop is per day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopmine.simulate.baskets import Slots, Streams, fill_baskets
from shopmine.simulate.categories import TOP_CATEGORIES
from shopmine.simulate.customers import Population, build_population, with_fraudster_accounts
from shopmine.simulate.fraud import build_fraud, fraud_count
from shopmine.simulate.lines import (
    CANCELLED,
    COMPLETED,
    SHIPPING,
    Lines,
    with_returns,
    with_shipping,
)
from shopmine.simulate.orders import (
    FRAUD_NEW_ACCOUNT,
    FRAUD_NONE,
    FRAUD_TAKEOVER,
    GUEST_BASKET_LINES,
    OrderAttributes,
    order_attributes,
)
from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.preferences import Preferences, build_preferences
from shopmine.simulate.price_response import PriceResponse, build_response
from shopmine.simulate.prices import PriceGrid, build_prices
from shopmine.simulate.products import Catalogue, build_catalogue
from shopmine.simulate.returns import draw_returns
from shopmine.simulate.promotions import season_clock
from shopmine.simulate.seasonality import (
    Calendar,
    build_calendar,
    cumulative,
    draw_days,
    yearly_profile,
)
from shopmine.simulate.timing import order_days_by_group

# New streams go at the end: a child stream depends only on its position, so the others stay.
STREAMS = ("products", "prices", "customers", "timing", "baskets", "fraud", "orders", "returns",
           "people", "preferences", "repeats", "complements")

Progress = Callable[[str, float], None]
# Streams every shard of a seed shares: the catalogue and its prices are one shop's.
SHARED_STREAMS = ("products", "prices")
# Shard s > 0 draws its other streams under spawn key SHARD_KEY + s, far from the seed's children.
SHARD_KEY = 1 << 20


def random_streams(seed: int, shard: int) -> dict[str, np.random.Generator]:
    """One generator per step; shard 0 is the plain shop, other shards share only the catalogue's."""
    plain = np.random.SeedSequence(seed).spawn(len(STREAMS))
    own = (plain if shard == 0 else
           np.random.SeedSequence(seed, spawn_key=(SHARD_KEY + shard,)).spawn(len(STREAMS)))
    return {name: np.random.default_rng(plain[i] if name in SHARED_STREAMS else own[i])
            for i, name in enumerate(STREAMS)}


@dataclass
class RawShop:
    """The simulated shop as arrays; orders are indexed by time rank, accounts by signup rank."""

    params: ShopParameters
    calendar: Calendar
    catalogue: Catalogue
    prices: PriceGrid
    response: PriceResponse     # buyer groups (segments, guests): multipliers, promotion indices
    group_lines: np.ndarray     # (days, groups): product lines of each group's orders
    accounts: Population
    preferences: Preferences    # customers numbered like `accounts`
    demand_share: np.ndarray    # per product: share of the lines drawn from demand
    dropout_day: np.ndarray     # per account, -1 = still active (or a fraudster)
    # orders
    order_customer: np.ndarray  # account index, -1 = guest
    order_fraud: np.ndarray
    order: OrderAttributes
    lines: Lines                # purchases grouped by order (shipping last) and returns, by time
    rng_people: np.random.Generator


def generate(params: ShopParameters, progress: Progress) -> RawShop:
    """Run the whole simulation on validated parameters, reporting ``progress(step, fraction)``."""
    rngs = random_streams(params.seed, params.shard)

    progress("catalogue and prices", 0.0)
    cal = build_calendar(params)
    cat = build_catalogue(params, rngs["products"])
    clock = season_clock(cal.yearly, yearly_profile(params.yearly_peak, params.summer_dip)[:365],
                         params.promo_season_bias)
    grid = build_prices(params, cat, clock, rngs["prices"])
    response = build_response(params, grid, cat)
    # Each segment orders on its own clock: the season times its own promotion index. Signups,
    # guests and fraud follow the index at the products' own elasticities (the guests').
    cums = [cumulative(cal.season * response.orders[:, g]) for g in range(len(response.names))]
    cum = cums[response.guest]
    top_share = np.bincount(cat.top, weights=cat.popularity, minlength=len(TOP_CATEGORIES))

    progress("customers and order days", 0.1)
    pop = build_population(params, cum, top_share, rngs["customers"])
    prefs = build_preferences(params, pop.segment, pop.favourite, pop.affinity, pop.signup_day, cat,
                              top_share, rngs["preferences"])
    days = order_days_by_group(pop.segment, pop.purchase_rate, pop.dropout_prob, pop.signup_day,
                               cums[:-1], rngs["timing"])
    n_registered = len(days.day)
    n_guest = int(round(params.guest_order_share * n_registered / (1 - params.guest_order_share)))
    customer = np.concatenate((days.customer, np.full(n_guest, -1)))
    day = np.concatenate((days.day, draw_days(cum, n_guest, rngs["timing"])))
    # Baskets are filled day by day (favourites carry state from one day to the next).
    by_day = np.argsort(day, kind="stable")
    customer, day = customer[by_day], day[by_day]

    progress("baskets", 0.2)
    rng = rngs["baskets"]
    registered = customer >= 0
    account = np.where(registered, customer, 0)
    basket = np.array([s.basket_lines for s in params.segments])[pop.segment[account]]
    basket = np.where(registered, basket, GUEST_BASKET_LINES)
    slots = Slots(
        day=day,
        customer=customer,
        n_lines=1 + rng.poisson(basket - 1.0),
        sensitivity=np.where(registered, pop.price_sensitivity[account], 0.5),
        affinity=np.where(registered, pop.affinity[account], 0.0),
        favourite=np.where(registered, pop.favourite[account], 0),
        group=np.where(registered, pop.segment[account], response.guest),
    )
    streams = Streams(demand=rng, repeats=rngs["repeats"], complements=rngs["complements"])
    baskets = fill_baskets(slots, prefs, response, cat, top_share, params.promo_matching_noise,
                           params.favourite_cycle_jitter, streams,
                           lambda f: progress("baskets", 0.2 + 0.45 * f))
    line_order, line_product = baskets.line_order, baskets.line_product
    line_quantity = 1 + rng.poisson(cat.extra_units[line_product])

    progress("fraud", 0.65)
    n_fraud = fraud_count(len(day), params.fraud_order_share)
    fr = build_fraud(params, n_fraud, customer, day, cat, cum, rngs["fraud"])
    accounts = with_fraudster_accounts(pop, fr.account_signup, rngs["fraud"])
    n_legit_orders = len(day)
    customer = np.concatenate((customer, np.where(fr.account >= 0, params.n_customers + fr.account,
                                                  fr.victim)))
    day = np.concatenate((day, fr.day))
    fraud = np.concatenate((np.full(n_legit_orders, FRAUD_NONE),
                            np.where(fr.account >= 0, FRAUD_NEW_ACCOUNT, FRAUD_TAKEOVER)))
    line_order = np.concatenate((line_order, n_legit_orders + np.repeat(np.arange(n_fraud),
                                                                        fr.n_lines)))
    line_product = np.concatenate((line_product, fr.line_product))
    line_quantity = np.concatenate((line_quantity, fr.line_quantity))
    line_order, line_product, line_quantity = merge_repeats(line_order, line_product, line_quantity,
                                                            cat.n)

    progress("orders and returns", 0.72)
    attrs = order_attributes(params, accounts, customer, day, fraud, rngs["orders"])
    # Order ids follow time; customer ids follow signup.
    by_time = np.argsort(attrs.seconds, kind="stable")
    rank = np.empty_like(by_time)
    rank[by_time] = np.arange(len(by_time))
    signup_key = accounts.signup_day + rngs["orders"].random(accounts.n)
    by_signup = np.argsort(signup_key, kind="stable")
    account_rank = np.empty_like(by_signup)
    account_rank[by_signup] = np.arange(accounts.n)

    attrs = OrderAttributes(*(getattr(attrs, f)[by_time] for f in
                              ("seconds", "channel", "payment", "country", "cancelled")))
    customer, day, fraud = customer[by_time], day[by_time], fraud[by_time]
    # Lines arrive grouped by their original order index; remember each one's place in its order.
    per_order = np.bincount(line_order, minlength=len(day))
    place = np.arange(len(line_order)) - (np.cumsum(per_order) - per_order)[line_order]
    line_order = rank[line_order]

    products = Lines(order=line_order, product=line_product, quantity=line_quantity,
                     unit_price=grid.paid[day[line_order], line_product],
                     list_price=grid.list_price[day[line_order], line_product],
                     unit_cost=cat.unit_cost[line_product], status=None, seconds=None)
    del line_order, line_product, line_quantity
    # Shipping: one line on each order whose product value stays below the threshold.
    value = np.bincount(products.order, weights=products.unit_price * products.quantity,
                        minlength=len(day))
    shipped = np.nonzero(value < params.free_shipping_threshold)[0]
    lines = with_shipping(products, place, per_order[by_time], shipped, params.shipping_fee,
                          params.shipping_cost)
    del products, place
    lines.seconds = attrs.seconds[lines.order]
    lines.status = np.where(attrs.cancelled[lines.order], CANCELLED, COMPLETED).astype(np.int8)

    eligible = np.nonzero((lines.product != SHIPPING) & (lines.status == COMPLETED)
                          & (fraud[lines.order] == FRAUD_NONE))[0]
    buyer = customer[lines.order[eligible]]
    propensity = np.where(buyer >= 0, accounts.return_propensity[np.maximum(buyer, 0)], 1.0)
    probability = cat.return_rate[lines.product[eligible]] * propensity * params.return_rate_scale
    ret = draw_returns(eligible, probability, lines.quantity[eligible], lines.seconds[eligible],
                       params.n_days, params.return_delay_days, rngs["returns"])
    del eligible, buyer, propensity, probability
    lines = with_returns(lines, ret)

    progress("tables", 0.8)
    dropout = np.concatenate((days.dropout_day, np.full(accounts.n - pop.n, -1)))
    return RawShop(
        params=params,
        calendar=cal,
        catalogue=cat,
        prices=grid,
        response=response,
        group_lines=baskets.group_lines,
        accounts=_reorder(accounts, by_signup),
        preferences=prefs.renumbered(account_rank),
        demand_share=baskets.demand_share,
        dropout_day=dropout[by_signup],
        order_customer=np.where(customer >= 0, account_rank[np.maximum(customer, 0)], -1),
        order_fraud=fraud,
        order=attrs,
        lines=lines,
        rng_people=rngs["people"],
    )


def merge_repeats(order: np.ndarray, product: np.ndarray, quantity: np.ndarray,
                  n_products: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One line per product and order: a product drawn twice into a basket becomes more units.

    ``order`` must be non-decreasing; the result keeps it so, with products sorted within an order.
    """
    if order.size == 0:
        return order, product, quantity
    key = order * n_products + product
    # Sorted by order already, so the stable sort only reorders short runs (cheap for timsort).
    by_key = np.argsort(key, kind="stable")
    key = key[by_key]
    first = np.concatenate(([True], key[1:] != key[:-1]))
    starts = np.nonzero(first)[0]
    return order[by_key][starts], product[by_key][starts], np.add.reduceat(quantity[by_key], starts)


def _reorder(pop: Population, order: np.ndarray) -> Population:
    return Population(**{name: value[order] for name, value in vars(pop).items()})
