"""The category tree: 5 top categories x 2-4 subcategories, each with its own economics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subcategory:
    """One leaf of the category tree.

    ``weight`` is its share of the catalogue; unit costs are log-normal around ``cost_median``;
    product elasticities are normal around ``elasticity_mean``; ``return_rate`` is the chance that a
    sold line comes back (before the customer's propensity); ``extra_units`` is the mean number of
    units per line beyond the first (cheap items are bought in multiples).
    """

    path: str
    weight: float
    cost_median: float
    cost_sigma: float
    elasticity_mean: float
    return_rate: float
    extra_units: float
    nouns: tuple[str, ...]

    @property
    def top(self) -> str:
        return self.path.split("/")[0]


CATEGORY_TREE: tuple[Subcategory, ...] = (
    Subcategory("fashion/women", 0.09, 18.0, 0.5, -2.3, 0.30, 0.15,
                ("Dress", "Blouse", "Skirt", "Cardigan", "Jumpsuit")),
    Subcategory("fashion/men", 0.08, 20.0, 0.5, -2.2, 0.25, 0.15,
                ("Shirt", "Chinos", "Sweater", "Jacket", "Polo")),
    Subcategory("fashion/shoes", 0.06, 32.0, 0.45, -2.0, 0.32, 0.05,
                ("Sneakers", "Boots", "Loafers", "Sandals")),
    Subcategory("fashion/accessories", 0.06, 8.0, 0.6, -1.8, 0.12, 0.3,
                ("Scarf", "Belt", "Cap", "Wallet", "Sunglasses")),
    Subcategory("electronics/phones", 0.05, 70.0, 0.9, -2.8, 0.10, 0.05,
                ("Smartphone", "Phone Case", "Charger", "Power Bank")),
    Subcategory("electronics/audio", 0.05, 35.0, 0.7, -2.6, 0.09, 0.05,
                ("Headphones", "Speaker", "Earbuds", "Soundbar")),
    Subcategory("electronics/computers", 0.06, 40.0, 0.8, -2.4, 0.08, 0.1,
                ("Keyboard", "Mouse", "Monitor", "Laptop Stand", "Webcam")),
    Subcategory("home/kitchen", 0.09, 15.0, 0.6, -1.6, 0.05, 0.3,
                ("Chef Knife", "Frying Pan", "Coffee Grinder", "Mixing Bowl", "Teapot")),
    Subcategory("home/decor", 0.08, 10.0, 0.6, -1.4, 0.06, 0.4,
                ("Vase", "Cushion", "Candle", "Picture Frame", "Throw")),
    Subcategory("home/garden", 0.06, 14.0, 0.6, -1.5, 0.05, 0.3,
                ("Watering Can", "Planter", "Garden Shears", "Hose", "Bird Feeder")),
    Subcategory("beauty/skincare", 0.08, 7.0, 0.5, -1.1, 0.03, 0.6,
                ("Face Cream", "Serum", "Cleanser", "Lip Balm", "Sunscreen")),
    Subcategory("beauty/fragrance", 0.05, 22.0, 0.5, -0.9, 0.03, 0.1,
                ("Eau de Parfum", "Body Mist", "Eau de Toilette")),
    Subcategory("sports/fitness", 0.07, 12.0, 0.6, -1.9, 0.10, 0.3,
                ("Yoga Mat", "Dumbbell Set", "Resistance Band", "Jump Rope")),
    Subcategory("sports/outdoor", 0.07, 25.0, 0.6, -1.8, 0.12, 0.15,
                ("Backpack", "Tent", "Water Bottle", "Headlamp")),
    Subcategory("sports/cycling", 0.05, 18.0, 0.7, -2.0, 0.08, 0.15,
                ("Bike Light", "Helmet", "Bike Lock", "Saddle")),
)

TOP_CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(s.top for s in CATEGORY_TREE))

ADJECTIVES: tuple[str, ...] = ("Classic", "Essential", "Premium", "Urban", "Nordic", "Eco", "Pro",
                               "Comfort", "Vintage", "Smart", "Compact", "Deluxe", "Alpine",
                               "Studio", "Everyday", "Coastal")
