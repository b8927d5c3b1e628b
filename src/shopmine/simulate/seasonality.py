"""The shop's calendar: weekly and yearly seasonality, trend, and the hour-of-day profiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Orders by hour of day (relative): quiet nights, a lunch shoulder and an evening peak.
LEGIT_HOURS = np.array([0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.2, 1.8, 2.2, 2.4, 2.6,
                        2.8, 2.6, 2.5, 2.5, 2.6, 2.9, 3.4, 4.0, 4.3, 4.0, 3.0, 1.6])
LEGIT_HOURS = LEGIT_HOURS / LEGIT_HOURS.sum()
NIGHT_HOURS = 6  # 00:00-05:59
# Returns are booked in the warehouse's working hours.
RETURN_HOURS = (8, 18)

XMAS_CENTRE, XMAS_SD = 339, 18.0     # 5 December
SUMMER_CENTRE, SUMMER_SD = 206, 25.0  # 25 July


def yearly_profile(peak: float, dip: float) -> np.ndarray:
    """Seasonal factor for day of year 1..366 (index 0 = 1 January), mean 1 over 365 days."""
    doy = np.arange(1, 367, dtype=float)

    def bump(centre: float, sd: float) -> np.ndarray:
        # Circular distance so that a December peak spills into early January.
        dist = np.abs(doy - centre)
        dist = np.minimum(dist, 365.25 - dist)
        return np.exp(-0.5 * (dist / sd) ** 2)

    raw = 1.0 + peak * bump(XMAS_CENTRE, XMAS_SD) - dip * bump(SUMMER_CENTRE, SUMMER_SD)
    return raw / raw[:365].mean()


@dataclass(frozen=True)
class Calendar:
    """Per-day factors of the simulated period (index = day number from ``start``)."""

    start: dt.date
    dates: np.ndarray    # datetime64[D]
    weekday: np.ndarray  # 0 = Monday
    weekly: np.ndarray
    yearly: np.ndarray
    trend: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.dates)

    @property
    def season(self) -> np.ndarray:
        """Weekly x yearly x trend: a customer's order intensity before promotions."""
        return self.weekly * self.yearly * self.trend


def build_calendar(params: ShopParameters) -> Calendar:
    start = dt.date.fromisoformat(params.start)
    dates = np.datetime64(start, "D") + np.arange(params.n_days)
    # 1970-01-01 was a Thursday.
    weekday = ((dates.astype(np.int64) + 3) % 7).astype(np.int64)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    yearly = yearly_profile(params.yearly_peak, params.summer_dip)[day_of_year]
    weekly = np.asarray(params.weekly_factors)[weekday]
    trend = (1.0 + params.trend_per_year) ** (np.arange(params.n_days) / 365.25)
    return Calendar(start, dates, weekday, weekly, yearly, trend)


def cumulative(intensity: np.ndarray) -> np.ndarray:
    """Cumulative intensity with a leading 0: ``cum[d]`` is the mass before day ``d``."""
    return np.concatenate(([0.0], np.cumsum(intensity)))


def draw_days(cum: np.ndarray, size: int, rng: np.random.Generator,
              lower: np.ndarray | int = 0) -> np.ndarray:
    """Days drawn with probability proportional to the intensity, from day ``lower`` on."""
    n_days = len(cum) - 1
    lo = cum[np.minimum(lower, n_days - 1)]
    t = lo + rng.random(size) * (cum[-1] - lo)
    return np.clip(np.searchsorted(cum, t, side="right") - 1, 0, n_days - 1)


def draw_seconds(size: int, rng: np.random.Generator, night_share: float | np.ndarray = 0.0
                 ) -> np.ndarray:
    """Seconds after midnight from the legitimate hour profile, or a night hour with ``night_share``."""
    hour = rng.choice(24, size=size, p=LEGIT_HOURS)
    night = rng.random(size) < night_share
    hour = np.where(night, rng.integers(0, NIGHT_HOURS, size=size), hour)
    return hour * 3600 + rng.integers(0, 3600, size=size)
