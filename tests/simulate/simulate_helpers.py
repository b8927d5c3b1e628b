"""Small helpers shared by the simulator tests (a module, not conftest, so it can be imported)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize
from scipy.sparse.linalg import lsqr


def product_sales(orders: pd.DataFrame) -> pd.DataFrame:
    """Purchase lines of products (no returns, no shipping) with a ``day`` column."""
    sales = orders[(orders["status"] != "returned") & (orders["product_id"] != "SHIPPING")]
    return sales.assign(day=pd.to_datetime(sales["ordered_at"].str.slice(0, 10)))


def daily_units_and_promotions(shop) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per day (rows, every day of the period) and product (columns): units sold (0 without a
    sale), the paid price (NaN without a sale) and whether the product was on promotion (from
    ``truth_promotions``: the shop's own promotion calendar)."""
    sales = product_sales(shop.to_pandas("orders"))
    period = shop.ground_truth["period"]
    days = pd.date_range(period["start"], periods=period["n_days"])
    products = shop.to_pandas("truth_products")["product_id"].astype(str)
    units = sales.pivot_table(index="day", columns="product_id", values="quantity", aggfunc="sum")
    units = units.reindex(index=days, columns=products, fill_value=0).fillna(0.0)
    price = sales.pivot_table(index="day", columns="product_id", values="unit_price", aggfunc="first")
    price = price.reindex(index=days, columns=products)
    promoted = pd.DataFrame(False, index=days, columns=products)
    for row in shop.to_pandas("truth_promotions").itertuples():
        promoted.loc[row.first_date:row.last_date, str(row.product_id)] = True
    return units, price, promoted


def log_log_fit(units: pd.DataFrame, price: pd.DataFrame, promoted: pd.DataFrame,
                products: list[str], controls: bool = True) -> pd.DataFrame:
    """Least squares of log units on log price, per product, over the product-days with a sale.

    With ``controls``: ``log units_pd = day_d + product_p + elasticity_p log price_pd + g promoted_pd``,
    one panel over ``products``. The day effects take up the day's traffic (season, trend,
    customer base and the traffic that all promotions bring) and ``g`` the display lift. Without:
    ``log units = a_p + elasticity_p log price`` per product (the naive estimate).

    Returns ``elasticity`` per product (index) and ``lift`` = exp(g) (NaN without controls).
    """
    u = units[products].to_numpy()
    day, col = np.nonzero(u > 0)
    y = np.log(u[day, col])
    log_price = np.log(price[products].to_numpy()[day, col])
    k, rows = len(products), np.arange(len(y))

    def block(values: np.ndarray, index: np.ndarray, width: int) -> sparse.csr_matrix:
        return sparse.csr_matrix((values, (rows, index)), shape=(len(y), width))

    ones = np.ones(len(y))
    blocks = [block(ones, col, k), block(log_price, col, k)]
    if controls:
        blocks += [block(ones, day, u.shape[0])[:, 1:],  # day 0 is the base: no collinearity
                   sparse.csr_matrix(promoted[products].to_numpy()[day, col].astype(float)[:, None])]
    coef = lsqr(sparse.hstack(blocks).tocsr(), y, atol=1e-12, btol=1e-12, iter_lim=50_000)[0]
    return pd.DataFrame({"elasticity": coef[k:2 * k],
                         "lift": np.exp(coef[-1]) if controls else np.nan}, index=products)


def multiplier_fit(units: np.ndarray, x: np.ndarray, promoted: np.ndarray) -> tuple[float, float]:
    """Maximum likelihood of the day's units shared among products (days x products arrays):
    ``share_pd ∝ exp(a_p + m x_pd + g promoted_pd)``, with ``x = elasticity_p log price_pd``.

    A Poisson model with a fixed effect per day (the day's traffic) is this multinomial; it copes
    with the many zeros of one segment's daily units, where logs of counts would not. Returns the
    multiplier ``m`` of the products' elasticities and the lift ``exp(g)``.
    """
    k = units.shape[1]
    total = units.sum(axis=1, keepdims=True)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        eta = np.concatenate(([0.0], theta[:k - 1])) + theta[k - 1] * x + theta[k] * promoted
        eta -= eta.max(axis=1, keepdims=True)
        log_share = eta - np.log(np.exp(eta).sum(axis=1, keepdims=True))
        resid = units - total * np.exp(log_share)
        grad = np.concatenate((resid.sum(axis=0)[1:], [(resid * x).sum(), (resid * promoted).sum()]))
        return -float((units * log_share).sum()), -grad

    theta = minimize(loss, np.zeros(k + 1), jac=True, method="BFGS").x
    return float(theta[k - 1]), float(np.exp(theta[k]))
