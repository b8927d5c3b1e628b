"""The true preference ranking: what each customer will most probably buy next, by the simulator's truth.

For a customer seen before ``as_of``, the probability of buying product *p* in the ``horizon_days``
days from ``as_of`` (inclusive), given what the customer bought before and given that the customer
still orders, combines the three ways a product gets into the simulated baskets:

* *favourite*: bought at the customer's first order on or after its due day that has a free line
  slot (an order's slots go to its longest overdue favourites first). The due day is the last
  purchase + ``cycle_days x jitter`` (never bought: uniform within one cycle after the customer's
  start). The probability is estimated by simulating the customer's window under these rules
  (:mod:`shopmine.simulate.oracle_favourites`), with Poisson orders at ``rate x intensity(day)``
  (the season times the promotion index of the customer's segment).
* *complement-driven*: a complement B of a favourite A joins A's purchase with probability
  ``q(A, B)``: ``P(A) x q(A, B)``.
* *demand lines*: the customer's expected demand lines in the window (the slots favourites leave,
  from the same simulation) x the chance that a line is *p*: the customer's category
  taste (favourite top category with the segment's ``category_affinity``, else by popularity) x the
  product's popularity within its top category, plus the complements such lines bring.

``P(p) = 1 - (1 - P_favourite) x prod(1 - P(A) q(A, p)) x exp(-expected demand lines that are p)``.
Favourites that are due come first, then their complements, then the customer's category tastes.
Promotions and the per-product balancing of demand are left out (small effects on the order).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from shopmine.errors import invalid_value
from shopmine.simulate.oracle_favourites import FavouriteState, simulate_window
from shopmine.simulate.shop import SimulatedShop
from shopmine.simulate.truth_files import ShopTruth, load_truth

RANKING_COLUMNS = ("customer_id", "rank", "product_id", "probability")


def true_ranking(shop: SimulatedShop | str | Path, as_of: str | dt.date, k: int = 10, *,
                 horizon_days: int = 30, exclude_bought: bool = False,
                 customers=None) -> pd.DataFrame:
    """Each customer's ``k`` products in the order of their true probability of purchase.

    Parameters
    ----------
    shop : SimulatedShop, str or Path
        A simulated shop, or the folder ``write_shop`` wrote it to.
    as_of : str or datetime.date
        First day of the window; purchases before it are the history.
    k : int, default=10
        Products per customer.
    horizon_days : int, default=30
        Length of the window in days (it ends at the last simulated day at the latest).
    exclude_bought : bool, default=False
        Leave out products the customer bought before ``as_of`` (the "new items only" variant).
    customers : iterable of str, optional
        Customers to rank; by default every registered customer with a purchase before ``as_of``
        (fraud orders left out). Others in the list (unknown, fraudsters, no history) are skipped.

    Returns
    -------
    pandas.DataFrame
        ``customer_id, rank, product_id, probability`` sorted by customer and rank (ranks 1..k;
        ties by product id). ``probability`` is conditional on the customer still ordering.

    Raises
    ------
    shopmine.errors.ShopmineInputError
        ``k`` or ``horizon_days`` below 1, or ``as_of`` outside the simulated period.

    Examples
    --------
    >>> from shopmine.simulate import simulate_shop
    >>> shop = simulate_shop(n_customers=200, n_products=50, n_days=120, seed=1)
    >>> top = true_ranking(shop, "2023-04-01", k=3)
    >>> list(top.columns), int(top["rank"].max())
    (['customer_id', 'rank', 'product_id', 'probability'], 3)
    """
    k = _positive_int(k, "k")
    horizon_days = _positive_int(horizon_days, "horizon_days")
    truth = load_truth(shop)
    start = dt.date.fromisoformat(truth.ground_truth["period"]["start"])
    n_days = int(truth.ground_truth["period"]["n_days"])
    day = _as_of_day(as_of, start, n_days)
    oracle = _Oracle(truth, start, day, min(day + horizon_days, n_days))
    return oracle.ranking(k, exclude_bought, customers)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise invalid_value(name, "a whole number of at least 1", value)
    return int(value)


def _as_of_day(as_of, start: dt.date, n_days: int) -> int:
    try:
        date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError:
        raise invalid_value("as_of", "a date YYYY-MM-DD", as_of) from None
    day = (date - start).days
    if not 0 < day < n_days:
        # Day 0 has no history to rank from.
        first, last = start + dt.timedelta(days=1), start + dt.timedelta(days=n_days - 1)
        raise invalid_value("as_of", f"a date from {first} to {last} (within the simulated period, "
                            "after its first day)", date.isoformat())
    return day


class _Oracle:
    """Probabilities for the window ``[day, end)`` (day numbers from the shop's first day)."""

    def __init__(self, truth: ShopTruth, start: dt.date, day: int, end: int):
        self.truth, self.day, self.end = truth, day, end
        gt = truth.ground_truth
        daily = gt["daily"]
        season = np.asarray(daily["weekly"]) * np.asarray(daily["yearly"]) * np.asarray(daily["trend"])
        # Each segment orders at the season times its own promotion index.
        self.segment_row = {s["name"]: i for i, s in enumerate(gt["parameters"]["segments"])}
        by_group = daily.get("promo_index_by_group") or {}
        self.intensity = np.array([season * np.asarray(by_group.get(name, daily["promo_index"]))
                                   for name in self.segment_row])
        self.jitter = float(gt["parameters"]["favourite_cycle_jitter"])
        self.segments = {s["name"]: s for s in gt["parameters"]["segments"]}
        self.history = _history(truth, start, day)
        products = truth.tables["truth_products"]
        self.product_ids = products["product_id"].to_numpy(dtype=object)
        self.product_pos = pd.Series(np.arange(len(products)), index=products["product_id"])

    def ranking(self, k: int, exclude_bought: bool, wanted) -> pd.DataFrame:
        hist = self.history
        people = self._customers(wanted)
        taste, group = self._taste(people)
        boosted, demand_lines = self._boosted(people, taste, group)
        # Candidates: the boosted products and the group's best by taste, enough to fill k after
        # leaving out the customer's boosted and (if asked) bought products.
        extra = boosted.groupby("customer_id").size().reindex(people.index, fill_value=0).to_numpy()
        if exclude_bought:
            bought = hist["bought"].groupby("customer_id").size().reindex(people.index, fill_value=0)
            extra = extra + bought.to_numpy()
        depth = np.minimum(k + extra, taste.shape[1])
        order = np.argsort(-taste, axis=1, kind="stable")
        rows = np.repeat(np.arange(len(people)), depth)
        col = order[group[rows], np.arange(len(rows)) - np.repeat(np.cumsum(depth) - depth, depth)]
        cand = pd.DataFrame({"customer_id": people.index.to_numpy()[rows], "product": col})
        cand = pd.concat([cand, boosted[["customer_id", "product"]]], ignore_index=True)
        cand = cand.drop_duplicates(["customer_id", "product"])
        survive = boosted.assign(s=1.0 - boosted["p"]).groupby(["customer_id", "product"]).agg(
            survive=("s", "prod"), favourite=("favourite", "any"))
        cand = cand.merge(survive.reset_index(), how="left", on=["customer_id", "product"])
        who = people.index.get_indexer(cand["customer_id"])
        lines = demand_lines[who] * taste[group[who], cand["product"].to_numpy()]
        # A favourite's purchases through demand lines are in its simulated probability already.
        lines = np.where(cand["favourite"].eq(True).to_numpy(), 0.0, lines)
        cand["probability"] = 1.0 - cand["survive"].fillna(1.0).to_numpy() * np.exp(-lines)
        if exclude_bought:
            seen = hist["bought"][["customer_id", "product"]].assign(_seen=True)
            cand = cand.merge(seen, how="left", on=["customer_id", "product"])
            cand = cand[cand["_seen"].isna()].drop(columns="_seen")
        cand["product_id"] = self.product_ids[cand["product"].to_numpy()]
        cand = cand.sort_values(["customer_id", "probability", "product_id"],
                                ascending=[True, False, True], kind="stable")
        cand["rank"] = cand.groupby("customer_id").cumcount() + 1
        cand = cand[cand["rank"] <= k]
        return cand[list(RANKING_COLUMNS)].astype(
            {"customer_id": str, "product_id": str, "rank": np.int64}).reset_index(drop=True)

    def _customers(self, wanted) -> pd.DataFrame:
        """Customers to rank with their rate, segment, taste and window's expected orders."""
        tc = self.truth.tables["truth_customers"]
        tc = tc[~tc["is_fraudster"].fillna(False).astype(bool)].set_index("customer_id")
        seen = self.history["last_order"]
        ids = seen.index if wanted is None else pd.Index(pd.unique(np.asarray(list(wanted), dtype=object)))
        ids = ids[ids.isin(seen.index) & ids.isin(tc.index)].astype(str).sort_values()
        people = tc.loc[ids, ["segment", "purchase_rate", "favourite_category"]].copy()
        people["start_day"] = self.history["start_day"].reindex(ids).to_numpy()
        return people

    def _boosted(self, people: pd.DataFrame, taste: np.ndarray,
                 group: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
        """``customer_id, product, p`` of the favourites and the complements after them; and each
        customer's expected demand lines in the window."""
        prefs = self.truth.tables["truth_preferences"]
        fav = prefs[(prefs["kind"] == "favourite") & prefs["customer_id"].isin(people.index)]
        fav = fav.assign(product=self.product_pos.reindex(fav["product_id"]).to_numpy())
        last = self.history["last_purchase"]
        fav = fav.merge(last, how="left", on=["customer_id", "product"])
        fav = fav.assign(position=people.index.get_indexer(fav["customer_id"]))
        fav = fav.sort_values(["position", "product"], kind="stable", ignore_index=True)
        who = fav["position"].to_numpy()
        basket = people["segment"].map(lambda s: self.segments[s]["basket_lines"]).to_numpy(float)
        state = FavouriteState(
            customer=who, cycle=fav["cycle_days"].to_numpy(float), last=fav["last_day"].to_numpy(float),
            start=people["start_day"].to_numpy(float)[who],
            line_share=taste[group[who], fav["product"].to_numpy()],
            rate=people["purchase_rate"].to_numpy(float), basket=basket,
            group=people["segment"].map(self.segment_row).to_numpy(np.int64))
        rng = np.random.default_rng([int(self.truth.ground_truth["seed"]), self.day])
        p_fav, demand_lines = simulate_window(state, self.intensity, self.day, self.end, self.jitter, rng)
        fav = fav.assign(p=p_fav)

        comp = self.truth.tables["truth_complements"]
        edges = fav[["customer_id", "product_id", "p"]].merge(
            comp.rename(columns={"complement_id": "target"}), on="product_id")
        edges = pd.DataFrame({"customer_id": edges["customer_id"].to_numpy(),
                              "product": self.product_pos.reindex(edges["target"]).to_numpy(),
                              "p": edges["p"].to_numpy() * edges["probability"].to_numpy()})
        boosted = pd.concat([fav[["customer_id", "product", "p"]].assign(favourite=True),
                             edges.assign(favourite=False)], ignore_index=True)
        return boosted, demand_lines

    def _taste(self, people: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Per taste group (favourite top category, segment): the chance that a demand line is each
        product, complements included; and each customer's group."""
        products = self.truth.tables["truth_products"]
        top = products["category"].str.split("/").str[0].to_numpy(dtype=object)
        # What a demand line draws: demand less what favourites and complements bought.
        pop = products["demand_line_share"].to_numpy(float)
        tops, top_index = np.unique(top, return_inverse=True)
        top_mass = np.bincount(top_index, weights=pop, minlength=len(tops))
        comp = self.truth.tables["truth_complements"]
        q = sparse.csr_matrix((comp["probability"].to_numpy(float),
                               (self.product_pos.reindex(comp["product_id"]).to_numpy(),
                                self.product_pos.reindex(comp["complement_id"]).to_numpy())),
                              shape=(len(pop), len(pop)))
        key = people["favourite_category"].astype(str) + "|" + people["segment"].astype(str)
        groups, group = np.unique(key.to_numpy(dtype=object), return_inverse=True)
        taste = np.empty((len(groups), len(pop)))
        for g, name in enumerate(groups):
            favourite, segment = name.split("|")
            affinity = float(self.segments[segment]["category_affinity"])
            own = (tops == favourite).astype(float)
            line = (affinity * own[top_index] / top_mass[top_index]
                    + (1.0 - affinity)) * pop
            taste[g] = line + q.T @ line
        return taste, group.astype(np.int64)


def _history(truth: ShopTruth, start: dt.date, day: int) -> dict[str, pd.DataFrame | pd.Series]:
    """Purchases before ``day`` (fraud orders and returns left out, cancelled orders in: the simulated
    customer did order them): last purchase day per customer and product, last order day per
    customer, and each customer's start (signup day, at least 0)."""
    o = truth.orders
    fraud = truth.tables["truth_orders"]
    fraud_ids = fraud.loc[fraud["is_fraud"].fillna(False).astype(bool), "order_id"]
    o = o[o["customer_id"].notna() & (o["status"] != "returned") & (o["product_id"] != "SHIPPING")
          & ~o["order_id"].isin(fraud_ids)]
    days = (pd.to_datetime(o["ordered_at"].str.slice(0, 10)) - pd.Timestamp(start)).dt.days
    o = pd.DataFrame({"customer_id": o["customer_id"].astype(str).to_numpy(),
                      "product_id": o["product_id"].astype(str).to_numpy(),
                      "day": days.to_numpy()})
    o = o[o["day"] < day]
    products = truth.tables["truth_products"]["product_id"]
    pos = pd.Series(np.arange(len(products)), index=products.astype(str))
    last = o.groupby(["customer_id", "product_id"], as_index=False)["day"].max()
    last = pd.DataFrame({"customer_id": last["customer_id"], "product": pos.reindex(
        last["product_id"]).to_numpy(), "last_day": last["day"].astype(float)})
    customers = truth.tables["customers"]
    signup = (pd.to_datetime(customers["signup_date"]) - pd.Timestamp(start)).dt.days
    start_day = pd.Series(np.maximum(signup.to_numpy(float), 0.0),
                          index=customers["customer_id"].astype(str))
    return {"last_purchase": last, "bought": last[["customer_id", "product"]],
            "last_order": o.groupby("customer_id")["day"].max().astype(float),
            "start_day": start_day}
