"""The product catalogue: category, cost, launch list price, elasticity and popularity per product."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopmine.simulate.categories import ADJECTIVES, CATEGORY_TREE, TOP_CATEGORIES
from shopmine.simulate.parameters import ShopParameters


@dataclass(frozen=True)
class Catalogue:
    """Per-product arrays; index ``i`` is product id ``P{i+1}``."""

    subcategory: np.ndarray      # index into CATEGORY_TREE
    top: np.ndarray              # index into TOP_CATEGORIES
    unit_cost: np.ndarray
    base_list_price: np.ndarray  # list price at the start, the reference price of the elasticity
    elasticity: np.ndarray
    popularity: np.ndarray       # share of product lines at reference prices; sums to 1
    extra_units: np.ndarray      # mean units per line beyond the first
    return_rate: np.ndarray
    names: pa.Array

    @property
    def n(self) -> int:
        return len(self.unit_cost)


def charm_price(x: np.ndarray) -> np.ndarray:
    """Round up to the next ``.99`` ending, the way shops price."""
    return np.round(np.floor(x) + 0.99, 2)


def allocate(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``weights`` that sum to ``total`` (largest remainder)."""
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(np.int64)
    rest = total - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:rest]] += 1
    return counts


def build_catalogue(params: ShopParameters, rng: np.random.Generator) -> Catalogue:
    n = params.n_products
    tree = CATEGORY_TREE
    weights = np.array([s.weight for s in tree])
    # Fixed counts per subcategory, then shuffled, so ids do not reveal the category.
    sub = rng.permutation(np.repeat(np.arange(len(tree)), allocate(weights, n)))
    top_of = np.array([TOP_CATEGORIES.index(s.top) for s in tree])

    cost_median = np.array([s.cost_median for s in tree])[sub]
    cost_sigma = np.array([s.cost_sigma for s in tree])[sub]
    unit_cost = np.round(np.maximum(cost_median * np.exp(rng.normal(0, 1, n) * cost_sigma), 0.5), 2)
    markup = rng.uniform(params.markup_min, params.markup_max, n)
    base_list = np.maximum(charm_price(unit_cost * markup), unit_cost)

    elasticity_mean = np.array([s.elasticity_mean for s in tree])[sub]
    elasticity = np.clip(elasticity_mean + rng.normal(0, 1, n) * params.elasticity_sd,
                         params.elasticity_min, params.elasticity_max)
    elasticity = np.round(elasticity, 4)

    popularity = np.exp(rng.normal(0, 1, n) * params.popularity_sigma)
    popularity = popularity / popularity.sum()

    # Cheap items come in multiples; expensive ones one at a time.
    cheapness = np.clip(30.0 / base_list, 0.3, 2.0)
    extra_units = np.array([s.extra_units for s in tree])[sub] * cheapness
    return_rate = np.array([s.return_rate for s in tree])[sub]

    names = _product_names(sub, rng)
    return Catalogue(sub, top_of[sub], unit_cost, base_list, elasticity, popularity, extra_units,
                     return_rate, names)


def _product_names(sub: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """'Nordic Vase 214'-style names (vectorised: a pick from a small vocabulary per subcategory)."""
    n = len(sub)
    nouns = [noun for s in CATEGORY_TREE for noun in s.nouns]
    first_noun = np.cumsum([0] + [len(s.nouns) for s in CATEGORY_TREE])
    n_nouns = np.diff(first_noun)
    noun = first_noun[sub] + (rng.random(n) * n_nouns[sub]).astype(np.int64)
    adjective = rng.integers(0, len(ADJECTIVES), n)
    model = rng.integers(100, 1000, n)
    return pc.binary_join_element_wise(
        pa.array(ADJECTIVES).take(pa.array(adjective)),
        pa.array(nouns).take(pa.array(noun)),
        pc.cast(pa.array(model), pa.string()),
        " ",
    )
