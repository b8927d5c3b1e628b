"""The customer population: latent segment, BG/NBD parameters, tastes and personal attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.seasonality import draw_days

COUNTRIES: tuple[str, ...] = ("DE", "AT", "CH", "FR", "NL", "BE", "IT", "ES", "PL", "DK")
COUNTRY_WEIGHTS = np.array([0.45, 0.10, 0.07, 0.09, 0.08, 0.04, 0.06, 0.05, 0.04, 0.02])
CHANNELS: tuple[str, ...] = ("web", "app", "marketplace")
CHANNEL_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "loyal": (0.40, 0.50, 0.10),
    "bargain_hunter": (0.50, 0.20, 0.30),
}
DEFAULT_CHANNEL_WEIGHTS = (0.60, 0.25, 0.15)
PAYMENT_METHODS: tuple[str, ...] = ("card", "paypal", "invoice", "apple_pay", "bank_transfer")
PAYMENT_WEIGHTS = np.array([0.35, 0.33, 0.17, 0.10, 0.05])
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_WEIGHTS = np.array([0.12, 0.26, 0.23, 0.19, 0.12, 0.08])
# Per order, how often a customer sticks to their usual channel / payment / country.
KEEP_CHANNEL, KEEP_PAYMENT, KEEP_COUNTRY = 0.8, 0.85, 0.98
SENSITIVITY_CONCENTRATION = 12.0  # beta a + b of a customer's price sensitivity
RETURN_SIGMA = 0.35               # log-normal spread of a customer's return propensity


@dataclass
class Population:
    """Per-account arrays (legitimate customers first; fraudster accounts are appended later)."""

    segment: np.ndarray            # index into params.segments; -1 for a fraudster account
    purchase_rate: np.ndarray
    dropout_prob: np.ndarray
    signup_day: np.ndarray         # day number; negative = before the start
    price_sensitivity: np.ndarray
    return_propensity: np.ndarray
    favourite: np.ndarray          # top category index
    affinity: np.ndarray
    country: np.ndarray            # index into COUNTRIES
    channel: np.ndarray            # usual channel
    payment: np.ndarray            # usual payment method
    age_band: np.ndarray

    @property
    def n(self) -> int:
        return len(self.segment)


def build_population(params: ShopParameters, cum_intensity: np.ndarray, top_share: np.ndarray,
                     rng: np.random.Generator) -> Population:
    n = params.n_customers
    segs = params.segments
    segment = rng.choice(len(segs), size=n, p=np.array([s.share for s in segs]) /
                         sum(s.share for s in segs))

    def per_segment(attr: str) -> np.ndarray:
        return np.array([getattr(s, attr) for s in segs], dtype=float)[segment]

    # BG/NBD heterogeneity: gamma purchase rates, beta dropout probabilities.
    shape = per_segment("rate_shape")
    rate = rng.gamma(shape, per_segment("purchase_rate") / shape) * params.rate_scale
    p_mean, conc = per_segment("dropout_prob"), per_segment("dropout_concentration")
    dropout = np.where(p_mean >= 1.0, 1.0,
                       rng.beta(np.maximum(p_mean * conc, 1e-9), np.maximum((1 - p_mean) * conc, 1e-9)))
    # A customer who could never drop out breaks the geometric draw; 1e-6 is "practically never".
    dropout = np.clip(dropout, 1e-6, 1.0)

    existing = rng.random(n) < params.existing_customer_share
    before = -rng.integers(1, params.history_days + 1, n)
    during = draw_days(cum_intensity, n, rng)
    signup = np.where(existing, before, during)

    sens_mean = np.clip(per_segment("price_sensitivity"), 1e-3, 1 - 1e-3)
    sensitivity = rng.beta(sens_mean * SENSITIVITY_CONCENTRATION,
                           (1 - sens_mean) * SENSITIVITY_CONCENTRATION)
    returns = per_segment("return_propensity") * np.exp(
        rng.normal(-RETURN_SIGMA ** 2 / 2, RETURN_SIGMA, n))

    channel_weights = np.array([CHANNEL_WEIGHTS.get(s.name, DEFAULT_CHANNEL_WEIGHTS) for s in segs])
    channel = _choose_rows(channel_weights[segment], rng)
    return Population(
        segment=segment,
        purchase_rate=rate,
        dropout_prob=dropout,
        signup_day=signup,
        price_sensitivity=sensitivity,
        return_propensity=returns,
        favourite=rng.choice(len(top_share), size=n, p=top_share),
        affinity=per_segment("category_affinity"),
        country=rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS),
        channel=channel,
        payment=rng.choice(len(PAYMENT_METHODS), size=n, p=PAYMENT_WEIGHTS),
        age_band=rng.choice(len(AGE_BANDS), size=n, p=AGE_WEIGHTS),
    )


def _choose_rows(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of ``weights`` (rows need not be normalised)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (u[:, None] >= cum).sum(axis=1)


def other_country(country: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A country different from ``country``, uniformly among the others."""
    draw = rng.integers(0, len(COUNTRIES) - 1, size=len(country))
    return draw + (draw >= country)


def with_fraudster_accounts(pop: Population, signup_day: np.ndarray,
                            rng: np.random.Generator) -> Population:
    """``pop`` with fraudster accounts appended (segment -1, no latent buying behaviour)."""
    k = len(signup_day)
    nan = np.full(k, np.nan)

    def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate((a, b))

    return Population(
        segment=cat(pop.segment, np.full(k, -1)),
        purchase_rate=cat(pop.purchase_rate, nan),
        dropout_prob=cat(pop.dropout_prob, nan),
        signup_day=cat(pop.signup_day, signup_day),
        price_sensitivity=cat(pop.price_sensitivity, nan),
        return_propensity=cat(pop.return_propensity, nan),
        favourite=cat(pop.favourite, np.full(k, -1)),
        affinity=cat(pop.affinity, nan),
        country=cat(pop.country, rng.choice(len(COUNTRIES), size=k, p=COUNTRY_WEIGHTS)),
        channel=cat(pop.channel, np.zeros(k, dtype=np.int64)),
        payment=cat(pop.payment, rng.choice(len(PAYMENT_METHODS), size=k, p=PAYMENT_WEIGHTS)),
        age_band=cat(pop.age_band, rng.choice(len(AGE_BANDS), size=k, p=AGE_WEIGHTS)),
    )
