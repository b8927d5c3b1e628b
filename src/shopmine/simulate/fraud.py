"""Fraudulent orders and their tell-tale patterns.

Most fraud comes from fresh accounts that order at once; the rest from legitimate accounts that
were taken over. Fraud orders hold several units of expensive products, are often placed at night,
paid with the fraudsters' favourite method and shipped abroad. Each pattern is a tendency with a
share, never a rule, so that a scorecard has something to learn and something to miss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.products import Catalogue
from shopmine.simulate.seasonality import draw_days

EXPENSIVE_QUANTILE = 0.75   # fraudsters pick among the top quarter of list prices
EXTRA_LINES = 0.8           # mean product lines per fraud order beyond the first
EXTRA_UNITS = 1.5           # mean units per fraud line beyond the first
EXTRA_ORDERS = 0.4          # mean further orders per fraudster account
TAKEOVER_DELAY = 60         # a takeover happens within this many days after a victim's order
FRAUD_CHANNELS = np.array([0.75, 0.20, 0.05])


@dataclass(frozen=True)
class FraudOrders:
    """Fraud orders, their lines, and the new fraudster accounts."""

    account: np.ndarray       # per order: index among new accounts (>= 0) or -1 for a takeover
    victim: np.ndarray        # per order: legitimate customer index for a takeover, else -1
    day: np.ndarray
    n_lines: np.ndarray
    line_product: np.ndarray  # lines grouped by order
    line_quantity: np.ndarray
    account_signup: np.ndarray  # per new account: signup day


def fraud_count(n_orders: int, share: float) -> int:
    """Fraud orders to add to ``n_orders`` legitimate ones so that ``share`` of all are fraud."""
    return int(round(share * n_orders / (1.0 - share))) if share < 1 else 0


def build_fraud(params: ShopParameters, n_fraud: int, legit_customer: np.ndarray,
                legit_day: np.ndarray, cat: Catalogue, cum: np.ndarray,
                rng: np.random.Generator) -> FraudOrders:
    n_days = params.n_days
    registered = np.nonzero(legit_customer >= 0)[0]
    n_takeover = int(round(n_fraud * params.takeover_share)) if registered.size else 0
    n_new = n_fraud - n_takeover

    # New accounts: 1 + Poisson orders each, cut so the total is exactly n_new.
    per_account = 1 + rng.poisson(EXTRA_ORDERS, max(n_new, 1))
    n_accounts = int(np.searchsorted(np.cumsum(per_account), n_new)) + 1 if n_new else 0
    per_account = per_account[:n_accounts]
    if n_accounts:
        per_account[-1] -= per_account.sum() - n_new
    signup = draw_days(cum, n_accounts, rng)
    account = np.repeat(np.arange(n_accounts), per_account)
    # The first order on the signup day, the rest within a few days.
    first = np.concatenate(([True], account[1:] != account[:-1])) if n_new else np.zeros(0, bool)
    new_day = np.minimum(signup[account] + np.where(first, 0, rng.integers(0, 4, n_new)), n_days - 1)

    victim_order = registered[rng.integers(0, max(registered.size, 1), n_takeover)] \
        if n_takeover else np.zeros(0, dtype=np.int64)
    victim = legit_customer[victim_order]
    takeover_day = np.minimum(legit_day[victim_order] + rng.integers(1, TAKEOVER_DELAY + 1,
                                                                        n_takeover), n_days - 1)

    n_lines = 1 + rng.poisson(EXTRA_LINES, n_fraud)
    expensive = np.nonzero(cat.base_list_price >= np.quantile(cat.base_list_price,
                                                                EXPENSIVE_QUANTILE))[0]
    p = cat.popularity[expensive] / cat.popularity[expensive].sum()
    line_product = expensive[rng.choice(expensive.size, size=int(n_lines.sum()), p=p)]
    line_quantity = 1 + rng.poisson(EXTRA_UNITS, line_product.size)
    return FraudOrders(
        account=np.concatenate((account, np.full(n_takeover, -1))),
        victim=np.concatenate((np.full(n_new, -1), victim)),
        day=np.concatenate((new_day, takeover_day)).astype(np.int64),
        n_lines=n_lines,
        line_product=line_product,
        line_quantity=line_quantity,
        account_signup=signup,
    )
