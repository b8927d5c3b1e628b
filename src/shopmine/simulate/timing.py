"""When each customer orders: a BG/NBD process on a seasonal clock, vectorised over customers.

While active, a customer orders as a Poisson process with rate ``purchase_rate x intensity(day)``;
right after each purchase they become inactive for good with probability ``dropout_prob``. A
customer who signs up during the period places their first order on the signup day.

Time is measured on the clock ``cum[d]`` (the cumulative intensity), on which every customer's
process is homogeneous, so the order statistics of a Poisson process can be drawn directly:
with ``N`` events in a window, the first ``M`` of them are ``S_i / (S_M + G)`` for exponential
partial sums ``S_i`` and ``G ~ Gamma(N - M + 1)``. Only the orders that happen are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OrderDays:
    """The orders of the registered customers and each customer's dropout."""

    customer: np.ndarray     # per order: customer index
    day: np.ndarray          # per order: day number
    dropout_day: np.ndarray  # per customer: day of the purchase after which they left; -1 = active


def order_days(rate: np.ndarray, dropout: np.ndarray, signup_day: np.ndarray, cum: np.ndarray,
               rng: np.random.Generator) -> OrderDays:
    n_days = len(cum) - 1
    n = len(rate)
    is_new = signup_day >= 0
    # New customers order on the signup day; their repeat purchases start the day after.
    window_start = np.where(is_new, np.minimum(signup_day + 1, n_days), 0)
    width = cum[-1] - cum[window_start]
    potential = rng.poisson(rate * width)
    # Purchase number after which the customer drops out (1 = right after the first).
    leave_after = rng.geometric(dropout)
    allowed = np.where(is_new, leave_after - 1, leave_after)
    m = np.minimum(potential, allowed)
    dropped = allowed <= potential

    owner = np.repeat(np.arange(n), m)
    partial = np.cumsum(rng.standard_exponential(int(m.sum())))
    ends = np.cumsum(m)
    before = np.concatenate(([0.0], partial))[ends - m]   # partial sum before each customer's block
    local = partial - before[owner]
    total = np.where(m > 0, np.concatenate(([0.0], partial))[ends] - before, 0.0)
    total = total + rng.gamma(potential - m + 1.0)
    t = cum[window_start][owner] + local / total[owner] * width[owner]
    day = np.clip(np.searchsorted(cum, t, side="right") - 1, window_start[owner], n_days - 1)

    first = np.nonzero(is_new)[0]
    customer = np.concatenate((first, owner))
    days = np.concatenate((signup_day[first], day))

    # Within a customer's block days increase, so the block's last entry is their last repeat.
    last_repeat = np.concatenate((day, [-1]))[np.where(m > 0, ends - 1, len(day))]
    last = np.where(m > 0, last_repeat, np.where(is_new, signup_day, -1))
    dropout_day = np.where(dropped, last, -1)
    return OrderDays(customer, days.astype(np.int64), dropout_day)


def order_days_by_group(group: np.ndarray, rate: np.ndarray, dropout: np.ndarray,
                        signup_day: np.ndarray, cums: list[np.ndarray],
                        rng: np.random.Generator) -> OrderDays:
    """:func:`order_days` with each customer on their group's clock ``cums[group]``.

    A segment's customers order with the intensity ``season x S_g(d)`` of their own promotion
    index; customers are drawn group by group (in group order) from the one stream.
    """
    customers, days = [], []
    dropout_day = np.full(len(rate), -1, dtype=np.int64)
    for g, cum in enumerate(cums):
        members = np.nonzero(group == g)[0]
        if members.size == 0:
            continue
        got = order_days(rate[members], dropout[members], signup_day[members], cum, rng)
        customers.append(members[got.customer])
        days.append(got.day)
        dropout_day[members] = got.dropout_day
    empty = np.zeros(0, dtype=np.int64)
    return OrderDays(np.concatenate(customers) if customers else empty,
                     np.concatenate(days) if days else empty, dropout_day)
