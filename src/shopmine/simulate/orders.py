"""Order-level attributes: time of day, channel, payment method, shipping country, cancellation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.customers import (
    CHANNELS,
    COUNTRIES,
    COUNTRY_WEIGHTS,
    DEFAULT_CHANNEL_WEIGHTS,
    KEEP_CHANNEL,
    KEEP_COUNTRY,
    KEEP_PAYMENT,
    PAYMENT_METHODS,
    PAYMENT_WEIGHTS,
    Population,
    other_country,
)
from shopmine.simulate.fraud import FRAUD_CHANNELS
from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.seasonality import draw_seconds

GUEST_BASKET_LINES = 1.7
FRAUD_NONE, FRAUD_NEW_ACCOUNT, FRAUD_TAKEOVER = 0, 1, 2
FRAUD_TYPES = (None, "new_account", "account_takeover")


@dataclass(frozen=True)
class OrderAttributes:
    seconds: np.ndarray    # since the start of the period
    channel: np.ndarray    # index into CHANNELS
    payment: np.ndarray    # index into payment_methods(params)
    country: np.ndarray    # index into COUNTRIES
    cancelled: np.ndarray  # bool


def payment_methods(params: ShopParameters) -> tuple[str, ...]:
    """The shop's payment methods; a fraudsters' method that honest customers never use is added."""
    if params.fraud_payment_method in PAYMENT_METHODS:
        return PAYMENT_METHODS
    return PAYMENT_METHODS + (params.fraud_payment_method,)


def order_attributes(params: ShopParameters, pop: Population, customer: np.ndarray,
                     day: np.ndarray, fraud: np.ndarray, rng: np.random.Generator) -> OrderAttributes:
    """Attributes of every order.

    Parameters
    ----------
    customer : numpy.ndarray
        Account index per order, -1 for a guest.
    fraud : numpy.ndarray
        FRAUD_NONE, FRAUD_NEW_ACCOUNT or FRAUD_TAKEOVER per order.
    """
    n = len(customer)
    registered = customer >= 0
    is_fraud = fraud != FRAUD_NONE
    account = np.where(registered, customer, 0)

    night = np.where(is_fraud, params.fraud_night_share, 0.0)
    seconds = day * 86400 + draw_seconds(n, rng, night)

    any_channel = rng.choice(len(CHANNELS), size=n, p=np.array(DEFAULT_CHANNEL_WEIGHTS))
    fraud_channel = rng.choice(len(CHANNELS), size=n, p=FRAUD_CHANNELS)
    keep = registered & (rng.random(n) < KEEP_CHANNEL)
    channel = np.where(is_fraud, fraud_channel, np.where(keep, pop.channel[account], any_channel))

    methods = payment_methods(params)
    any_payment = rng.choice(len(PAYMENT_METHODS), size=n, p=PAYMENT_WEIGHTS)
    keep = registered & (rng.random(n) < KEEP_PAYMENT)
    payment = np.where(keep, pop.payment[account], any_payment)
    prefers = is_fraud & (rng.random(n) < params.fraud_payment_share)
    payment = np.where(prefers, methods.index(params.fraud_payment_method), payment)

    home = np.where(registered, pop.country[account],
                    rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS))
    abroad = np.where(is_fraud, rng.random(n) < params.fraud_foreign_share,
                      rng.random(n) >= KEEP_COUNTRY)
    country = np.where(abroad, other_country(home, rng), home)

    cancelled = rng.random(n) < params.cancel_share
    return OrderAttributes(seconds, channel, payment, country, cancelled)
