"""Returns: some sold lines come back a few days later as lines with negative quantity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.seasonality import RETURN_HOURS

MAX_RETURN_PROBABILITY = 0.95
DELAY_SHAPE = 2.0          # gamma shape of the delay beyond the first day
PARTIAL_RETURN_SHARE = 0.3  # of multi-unit lines, the share returned only in part


@dataclass(frozen=True)
class Returns:
    """Return lines, each pointing at the purchase line it reverses."""

    line: np.ndarray      # index of the purchase line
    quantity: np.ndarray  # positive units returned (the order log stores them negated)
    seconds: np.ndarray   # seconds since the start of the period


def draw_returns(eligible: np.ndarray, probability: np.ndarray, quantity: np.ndarray,
                 seconds: np.ndarray, n_days: int, mean_delay: float,
                 rng: np.random.Generator) -> Returns:
    """Draw returns among ``eligible`` purchase lines.

    Parameters
    ----------
    eligible : numpy.ndarray
        Indices of lines that can be returned (completed, legitimate product lines).
    probability, quantity, seconds : numpy.ndarray
        Per eligible line: return probability, units bought, purchase time in seconds.
    n_days : int
        Returns after the end of the period are not in the log.
    mean_delay : float
        Mean days from purchase to return.
    """
    p = np.clip(probability, 0.0, MAX_RETURN_PROBABILITY)
    hit = rng.random(eligible.size) < p
    line, qty, bought_at = eligible[hit], quantity[hit], seconds[hit]
    # At least one day; rounding keeps the mean at ``mean_delay``.
    delay = 1 + np.floor(rng.gamma(DELAY_SHAPE, (mean_delay - 1) / DELAY_SHAPE, line.size) + 0.5)
    day = bought_at // 86400 + delay.astype(np.int64)
    at = day * 86400 + rng.integers(RETURN_HOURS[0] * 3600, RETURN_HOURS[1] * 3600, line.size)
    partial = (qty > 1) & (rng.random(line.size) < PARTIAL_RETURN_SHARE)
    returned = np.where(partial, 1 + (rng.random(line.size) * (qty - 1)).astype(np.int64), qty)
    keep = day < n_days
    return Returns(line[keep], returned[keep], at[keep])
