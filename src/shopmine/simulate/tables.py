"""Arrays to Arrow tables: the order log, products, customers and the truth tables.

Strings are never built one Python string per row: ids and timestamps are fixed-width byte matrices
handed to Arrow as buffers, other columns are ``take`` from a small dictionary. This keeps 10 million
lines to seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopmine.simulate.baskets import ranges
from shopmine.simulate.categories import CATEGORY_TREE, TOP_CATEGORIES
from shopmine.simulate.customers import AGE_BANDS, CHANNELS, COUNTRIES
from shopmine.simulate.generate import RawShop
from shopmine.simulate.lines import COMPLETED, RETURNED, SHIPPING
from shopmine.simulate.names import fake_people
from shopmine.simulate.orders import FRAUD_NONE, FRAUD_TYPES, payment_methods
from shopmine.simulate.price_truth import market_elasticity, promotion_demand, segment_rows

STATUSES = ("completed", "cancelled", "returned")
SHIPPING_ID = "SHIPPING"

ORDERS_SCHEMA = pa.schema([
    ("order_id", pa.string()), ("customer_id", pa.string()), ("product_id", pa.string()),
    ("ordered_at", pa.string()), ("quantity", pa.int64()), ("unit_price", pa.float64()),
    ("list_price", pa.float64()), ("unit_cost", pa.float64()), ("discount", pa.float64()),
    ("category", pa.string()), ("country", pa.string()), ("channel", pa.string()),
    ("currency", pa.string()), ("payment_method", pa.string()), ("status", pa.string()),
])
PRODUCTS_SCHEMA = pa.schema([
    ("product_id", pa.string()), ("name", pa.string()), ("category", pa.string()),
    ("unit_cost", pa.float64()), ("list_price", pa.float64()),
])
CUSTOMERS_SCHEMA = pa.schema([
    ("customer_id", pa.string()), ("signup_date", pa.date32()), ("country", pa.string()),
    ("email", pa.string()), ("name", pa.string()), ("age_band", pa.string()),
])


def fixed_width_strings(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) matrix of ASCII codes, without a Python string per row."""
    n, width = chars.shape
    large = (n + 1) * width >= 2**31
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64 if large else np.int32)
    kind = pa.LargeStringArray if large else pa.StringArray
    array = kind.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars)))
    return array.cast(pa.string()) if large else array


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digits of non-negative ``values``, zero-padded: an (n, width) uint8 matrix."""
    out = np.empty((len(values), width), dtype=np.uint8)
    rest = np.array(values, dtype=np.int64)
    # Column by column: a few n-sized temporaries instead of n x width int64 ones.
    for k in range(width - 1, -1, -1):
        out[:, k] = rest % 10 + 48
        rest //= 10
    return out


def make_ids(prefix: str, n: int, min_width: int) -> pa.Array:
    """``C000001``-style ids 1..n, zero-padded to at least ``min_width`` digits."""
    width = max(min_width, len(str(n)))
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars = np.concatenate((np.broadcast_to(head, (n, head.size)),
                            _digits(np.arange(1, n + 1), width)), axis=1)
    return fixed_width_strings(chars)


def timestamps(start: dt.date, seconds: np.ndarray) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' for ``seconds`` after midnight of ``start``."""
    day, rest = np.divmod(seconds, 86400)
    n_days = int(day.max()) + 1 if day.size else 1
    dates = np.datetime_as_string(np.datetime64(start, "D") + np.arange(n_days), unit="D")
    date_chars = np.frombuffer("".join(dates.tolist()).encode("ascii"), np.uint8).reshape(n_days, 10)
    # Row lookups in small tables (days, and the 86,400 seconds of a day) instead of arithmetic.
    clock = np.arange(86400)
    clock_chars = np.concatenate((_digits(clock // 3600, 2), np.full((86400, 1), ord(":"), np.uint8),
                                  _digits(clock // 60 % 60, 2), np.full((86400, 1), ord(":"), np.uint8),
                                  _digits(clock % 60, 2)), axis=1)
    chars = np.empty((seconds.size, 19), dtype=np.uint8)
    chars[:, :10] = date_chars[day]
    chars[:, 10] = ord(" ")
    chars[:, 11:] = clock_chars[rest]
    return fixed_width_strings(chars)


def _pick(values: pa.Array | list[str] | tuple[str, ...], idx: np.ndarray,
          null: np.ndarray | None = None) -> pa.Array:
    """``values[idx]`` as a string array; null where ``null`` is true."""
    dictionary = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return dictionary.take(pa.array(np.where(null, 0, idx) if null is not None else idx,
                                    mask=null))


def _date(start: dt.date, day: np.ndarray) -> pa.Array:
    return pa.array(np.datetime64(start, "D") + day, pa.date32())


def product_ids(raw: RawShop) -> pa.Array:
    return make_ids("P", raw.catalogue.n, 5)


def _shard_prefix(letter: str, raw: RawShop) -> str:
    # Shards of one shop must not share a customer or order id; shard 0 keeps the plain ids.
    return letter if raw.params.shard == 0 else f"{letter}{raw.params.shard:02d}-"


def customer_ids(raw: RawShop) -> pa.Array:
    return make_ids(_shard_prefix("C", raw), raw.accounts.n, 6)


def order_ids(raw: RawShop) -> pa.Array:
    return make_ids(_shard_prefix("O", raw), len(raw.order_customer), 7)


def orders_table(raw: RawShop) -> pa.Table:
    p, cat = raw.params, raw.catalogue
    order = raw.lines.order
    product = raw.lines.product
    shipping = product == SHIPPING
    categories = [s.path for s in CATEGORY_TREE]
    # Shipping lines have no category: null, like a guest's customer_id.
    category = _pick(categories, cat.subcategory[np.maximum(product, 0)], shipping)
    product_id = pc.if_else(pa.array(shipping), pa.scalar(SHIPPING_ID),
                            _pick(product_ids(raw), np.maximum(product, 0)))
    customer = raw.order_customer[order]
    # (list - paid) * quantity, negative on a return; "+ 0.0" turns -0.0 into 0.0 for the CSV.
    discount = np.round((raw.lines.list_price - raw.lines.unit_price) * raw.lines.quantity, 2) + 0.0
    columns = [
        _pick(order_ids(raw), order),
        _pick(customer_ids(raw), customer, customer < 0),
        product_id,
        timestamps(raw.calendar.start, raw.lines.seconds),
        pa.array(raw.lines.quantity, pa.int64()),
        pa.array(raw.lines.unit_price),
        pa.array(raw.lines.list_price),
        pa.array(raw.lines.unit_cost),
        pa.array(discount),
        category,
        _pick(COUNTRIES, raw.order.country[order]),
        _pick(CHANNELS, raw.order.channel[order]),
        _pick([p.currency], np.zeros(len(order), dtype=np.int64)),
        _pick(payment_methods(p), raw.order.payment[order]),
        _pick(STATUSES, raw.lines.status),
    ]
    return pa.Table.from_arrays(columns, schema=ORDERS_SCHEMA)


def products_table(raw: RawShop) -> pa.Table:
    cat = raw.catalogue
    return pa.Table.from_arrays([
        product_ids(raw),
        cat.names,
        _pick([s.path for s in CATEGORY_TREE], cat.subcategory),
        pa.array(cat.unit_cost),
        pa.array(raw.prices.list_price[-1]),
    ], schema=PRODUCTS_SCHEMA)


def customers_table(raw: RawShop) -> pa.Table:
    acc = raw.accounts
    name, email = fake_people(acc.n, raw.rng_people)
    return pa.Table.from_arrays([
        customer_ids(raw),
        _date(raw.calendar.start, acc.signup_day),
        _pick(COUNTRIES, acc.country),
        email,
        name,
        _pick(AGE_BANDS, acc.age_band),
    ], schema=CUSTOMERS_SCHEMA)


def truth_customers_table(raw: RawShop) -> pa.Table:
    acc = raw.accounts
    fraudster = acc.segment < 0
    segment_names = [s.name for s in raw.params.segments] + ["fraudster"]
    dropped = raw.dropout_day >= 0

    def floats(x: np.ndarray) -> pa.Array:
        return pa.array(x, pa.float64(), from_pandas=True)  # NaN -> null for fraudsters

    return pa.table({
        "customer_id": customer_ids(raw),
        "segment": _pick(segment_names, np.where(fraudster, len(segment_names) - 1, acc.segment)),
        "purchase_rate": floats(acc.purchase_rate),
        "dropout_prob": floats(acc.dropout_prob),
        "dropout_date": pa.array(np.datetime64(raw.calendar.start, "D") + np.maximum(raw.dropout_day, 0),
                                 pa.date32(), mask=~dropped),
        "active_at_end": pa.array(~dropped & ~fraudster, mask=fraudster),
        "price_sensitivity": floats(acc.price_sensitivity),
        "return_propensity": floats(acc.return_propensity),
        "favourite_category": _pick(TOP_CATEGORIES, np.maximum(acc.favourite, 0), fraudster),
        "is_fraudster": pa.array(fraudster),
    })


def truth_products_table(raw: RawShop, demand: np.ndarray) -> pa.Table:
    """``demand``: (groups, products) expected units at regular prices (price_truth)."""
    cat, grid = raw.catalogue, raw.prices
    return pa.table({
        "product_id": product_ids(raw),
        "category": _pick([s.path for s in CATEGORY_TREE], cat.subcategory),
        "elasticity": pa.array(cat.elasticity),
        "market_elasticity": pa.array(market_elasticity(raw, demand)),
        "promo_elasticity": pa.array(market_elasticity(raw, promotion_demand(raw)),
                                     from_pandas=True),  # NaN -> null: never promoted
        "popularity": pa.array(cat.popularity),
        "demand_line_share": pa.array(np.round(raw.demand_share, 8)),
        "unit_cost": pa.array(cat.unit_cost),
        "base_list_price": pa.array(cat.base_list_price),
        "mean_units_per_line": pa.array(1.0 + cat.extra_units),
        "return_rate": pa.array(cat.return_rate),
        "n_promotions": pa.array(np.bincount(grid.promo_product, minlength=cat.n)),
        "n_price_changes": pa.array(grid.n_price_changes.astype(np.int64)),
    })


def truth_segments_table(raw: RawShop, demand: np.ndarray) -> pa.Table:
    """Per buyer group (each segment, then ``guest``): its price response and its weight."""
    response = raw.response
    sizes = np.bincount(raw.accounts.segment[raw.accounts.segment >= 0],
                        minlength=len(raw.params.segments))
    rows = segment_rows(raw, demand)
    return pa.table({
        "segment": pa.array(list(response.names), pa.string()),
        "elasticity_multiplier": pa.array(response.multiplier),
        "promo_affinity": pa.array(response.affinity),
        "elasticity": pa.array(rows["elasticity"]),
        "demand_share": pa.array(rows["demand_share"]),
        "n_customers": pa.array(np.append(sizes, 0), pa.int64(),
                                mask=np.arange(len(response.names)) == response.guest),
    })


FAVOURITE, COMPLEMENT_DRIVEN = "favourite", "complement-driven"


def truth_preferences_table(raw: RawShop) -> pa.Table:
    """Each customer's favourites, then the complements that follow each favourite into the basket.

    ``weight`` is the probability that the product is bought each time the favourite's cycle comes
    due: 1 for the favourite itself, the pair's probability for a complement (``via_product_id``).
    """
    prefs = raw.preferences
    ptr = prefs.comp_ptr
    count = ptr[prefs.product + 1] - ptr[prefs.product]
    owner = np.repeat(np.arange(prefs.n), count)
    edge = ranges(ptr[prefs.product], count)
    n_fav = prefs.n
    customer = np.concatenate((prefs.customer, prefs.customer[owner]))
    product = np.concatenate((prefs.product, prefs.comp_product[edge]))
    kind = np.concatenate((np.zeros(n_fav, dtype=np.int64), np.ones(len(edge), dtype=np.int64)))
    via = np.concatenate((np.zeros(n_fav, dtype=np.int64), prefs.product[owner]))
    order = np.lexsort((via, product, kind, customer))
    ids = product_ids(raw)
    return pa.table({
        "customer_id": _pick(customer_ids(raw), customer[order]),
        "product_id": _pick(ids, product[order]),
        "kind": _pick([FAVOURITE, COMPLEMENT_DRIVEN], kind[order]),
        "cycle_days": pa.array(np.concatenate((prefs.cycle, prefs.cycle[owner]))[order]),
        "weight": pa.array(np.concatenate((np.ones(n_fav), prefs.comp_prob[edge]))[order]),
        "via_product_id": _pick(ids, via[order], kind[order] == 0),
    })


def truth_complements_table(raw: RawShop) -> pa.Table:
    """Every complement pair: when ``product_id`` is bought, ``complement_id`` joins with ``probability``."""
    prefs = raw.preferences
    source = np.repeat(np.arange(raw.catalogue.n), np.diff(prefs.comp_ptr))
    ids = product_ids(raw)
    return pa.table({
        "product_id": _pick(ids, source),
        "complement_id": _pick(ids, prefs.comp_product),
        "probability": pa.array(prefs.comp_prob),
    })


def truth_orders_table(raw: RawShop) -> pa.Table:
    fraud = raw.order_fraud
    return pa.table({
        "order_id": order_ids(raw),
        "is_fraud": pa.array(fraud != FRAUD_NONE),
        "fraud_type": _pick([t or "" for t in FRAUD_TYPES], fraud, fraud == FRAUD_NONE),
    })


def truth_promotions_table(raw: RawShop) -> pa.Table:
    grid, start = raw.prices, raw.calendar.start
    order = np.lexsort((grid.promo_first, grid.promo_product))
    return pa.table({
        "product_id": _pick(product_ids(raw), grid.promo_product[order]),
        "first_date": _date(start, grid.promo_first[order]),
        "last_date": _date(start, grid.promo_last[order]),
        "depth": pa.array(grid.promo_depth[order]),
    })


def summary(raw: RawShop, orders: pa.Table) -> dict[str, object]:
    """Counts a person checks first (also printed by ``shopmine simulate``)."""
    status = raw.lines.status
    product_line = raw.lines.product != SHIPPING
    purchases = int(np.sum(product_line & (status != RETURNED)))
    returns = int(np.sum(status == RETURNED))
    n_orders = len(raw.order_customer)
    first, last = (orders["ordered_at"][0].as_py(), orders["ordered_at"][-1].as_py()) if len(orders) \
        else (None, None)
    return {
        "lines": len(orders),
        "orders": n_orders,
        "customers": raw.accounts.n,
        "products": raw.catalogue.n,
        "first_order_at": first,
        "last_order_at": last,
        "product_lines": purchases,
        "shipping_lines": int(np.sum(~product_line)),
        "return_lines": returns,
        "return_line_share": returns / purchases if purchases else 0.0,
        "cancelled_order_share": float(raw.order.cancelled.mean()) if n_orders else 0.0,
        "guest_order_share": float(np.mean(raw.order_customer < 0)) if n_orders else 0.0,
        "fraud_orders": int(np.sum(raw.order_fraud != FRAUD_NONE)),
        "fraud_order_share": float(np.mean(raw.order_fraud != FRAUD_NONE)) if n_orders else 0.0,
        "completed_lines": int(np.sum(status == COMPLETED)),
    }
