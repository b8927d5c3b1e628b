"""Product-level preferences: each customer's favourite products and every product's complements.

A favourite is a product the customer buys again and again: whenever its repurchase cycle has come
due, the customer's next order holds it (a repeat purchase a recommender can time). A complement
pair (A, B) says that when A is bought, B joins the same basket with a known probability (the
ground truth of item-to-item recommenders). Both are drawn once, before any order, from the same
category tastes and popularities that drive the rest of the baskets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopmine.simulate.parameters import ShopParameters
from shopmine.simulate.products import Catalogue

CYCLE_SIGMA = 0.5          # log-normal spread of the favourites' cycles around their median
MIN_CYCLE_DAYS = 1.0
COMPLEMENT_SAME_TOP = 0.7  # share of complements in the product's own top category
COMPLEMENT_DEMAND_CAP = 0.5  # sum of probability x popularity of the sources <= this x the target's
DRAWS_PER_PICK = 2         # candidates drawn per wanted pick before removing duplicates


@dataclass(frozen=True)
class Preferences:
    """Favourite pairs sorted by (customer, product) and the complements of every product (CSR)."""

    customer: np.ndarray   # per favourite: account index
    product: np.ndarray    # per favourite: product index
    cycle: np.ndarray      # per favourite: days between need and need (before the jitter)
    first_due: np.ndarray  # per favourite: day on or after which it is first due
    comp_ptr: np.ndarray   # complements of product p: comp_ptr[p]:comp_ptr[p + 1] into the next two
    comp_product: np.ndarray
    comp_prob: np.ndarray

    @property
    def n(self) -> int:
        return len(self.customer)

    def keys(self, n_products: int) -> np.ndarray:
        """``customer * n_products + product``: sorted, for looking a purchase up among favourites."""
        return self.customer.astype(np.int64) * n_products + self.product

    def renumbered(self, rank: np.ndarray) -> Preferences:
        """The same preferences with customers renumbered by ``rank`` (and re-sorted)."""
        customer = rank[self.customer]
        order = np.lexsort((self.product, customer))
        return Preferences(customer[order], self.product[order], self.cycle[order],
                           self.first_due[order], self.comp_ptr, self.comp_product, self.comp_prob)


def build_preferences(params: ShopParameters, segment: np.ndarray, favourite_top: np.ndarray,
                      affinity: np.ndarray, signup_day: np.ndarray, cat: Catalogue,
                      top_share: np.ndarray, rng: np.random.Generator) -> Preferences:
    """Draw the favourites of every customer and the complements of every product.

    A customer has Poisson(segment's ``favourites`` x ``favourites_scale``) favourites. A favourite
    is drawn like one line of the customer's basket: its top category is the customer's favourite
    one with probability ``affinity``, else one drawn by popularity; the product within it by
    popularity. Its first due day is uniform within one cycle after the
    customer's start (signup, or the first day for customers who signed up before), so the
    favourites of existing customers are in a random phase.
    """
    picker = _TopPicker(cat, top_share)
    n = len(affinity)
    mean = np.array([s.favourites for s in params.segments])[segment] * params.favourites_scale
    count = np.minimum(rng.poisson(mean), cat.n)
    owner = np.repeat(np.arange(n), DRAWS_PER_PICK * count + 1)
    own_top = rng.random(len(owner)) < affinity[owner]
    top = np.where(own_top, favourite_top[owner], picker.any_top(len(owner), rng))
    owner, product = _first_distinct(owner, picker.product(top, rng), count, cat.n)

    cycle = params.favourite_cycle_days * np.exp(CYCLE_SIGMA * rng.standard_normal(len(owner)))
    cycle = np.round(np.maximum(cycle, MIN_CYCLE_DAYS), 1)
    first_due = np.maximum(signup_day[owner], 0) + rng.random(len(owner)) * cycle
    order = np.lexsort((product, owner))

    n_comp = np.minimum(rng.poisson(params.complements_per_product, cat.n), cat.n - 1)
    source = np.repeat(np.arange(cat.n), DRAWS_PER_PICK * n_comp + 1)
    same = rng.random(len(source)) < COMPLEMENT_SAME_TOP
    top = np.where(same, cat.top[source], picker.any_top(len(source), rng))
    target = picker.product(top, rng)
    keep = target != source
    source, target = _first_distinct(source[keep], target[keep], n_comp, cat.n)
    prob = np.clip(params.complement_probability * rng.uniform(0.5, 1.5, len(source)), 0.0, 1.0)
    # The complements joining a product may not bring in more than half its own demand, all its
    # sources together (sum of probability x popularity of the source), or a slow mover would
    # sell mostly as someone's complement, whatever its price, and its price response would drown.
    inflow = np.bincount(target, weights=prob * cat.popularity[source], minlength=cat.n)
    room = COMPLEMENT_DEMAND_CAP * cat.popularity
    scale = np.minimum(1.0, np.divide(room, inflow, out=np.ones(cat.n), where=inflow > room))
    prob = np.round(prob * scale[target], 4)
    keep = prob > 0
    source, target, prob = source[keep], target[keep], prob[keep]
    by_pair = np.lexsort((target, source))
    return Preferences(
        customer=owner[order], product=product[order], cycle=cycle[order],
        first_due=first_due[order],
        comp_ptr=np.searchsorted(source[by_pair], np.arange(cat.n + 1)),
        comp_product=target[by_pair], comp_prob=prob[by_pair],
    )


class _TopPicker:
    """Draws a top category by popularity share, and a product within a top category by popularity."""

    def __init__(self, cat: Catalogue, top_share: np.ndarray):
        self.top_share = top_share / top_share.sum()
        self.by_top = np.argsort(cat.top, kind="stable")
        self.cum = np.cumsum(cat.popularity[self.by_top])
        self.bounds = np.searchsorted(cat.top[self.by_top], np.arange(len(top_share) + 1))
        self.mass = np.concatenate(([0.0], self.cum))[self.bounds]

    def any_top(self, size: int, rng: np.random.Generator) -> np.ndarray:
        return rng.choice(len(self.top_share), size=size, p=self.top_share)

    def product(self, top: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        lo, hi = self.mass[top], self.mass[top + 1]
        pos = np.searchsorted(self.cum, lo + rng.random(len(top)) * (hi - lo), side="right")
        # Clipping keeps a draw inside its category when a rounding error lands on the boundary.
        pos = np.clip(pos, self.bounds[top], np.maximum(self.bounds[top + 1] - 1, self.bounds[top]))
        return self.by_top[np.minimum(pos, len(self.by_top) - 1)]


def _first_distinct(owner: np.ndarray, item: np.ndarray, wanted: np.ndarray,
                    n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Per owner (``owner`` non-decreasing), the first ``wanted[owner]`` distinct items in draw order."""
    _, first = np.unique(owner.astype(np.int64) * n_items + item, return_index=True)
    first.sort()
    owner, item = owner[first], item[first]
    start = np.searchsorted(owner, owner)  # first position of each owner's block
    keep = np.arange(len(owner)) - start < wanted[owner]
    return owner[keep], item[keep]
