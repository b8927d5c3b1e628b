"""The latent truth is in the data: size, segments, fraud, seasonality, churn and elasticities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from simulate_helpers import daily_units_and_promotions, log_log_fit, product_sales

from shopmine.simulate import DEFAULT_SEGMENTS, simulate_shop


def test_default_size_is_about_350k_lines(default_shop):
    summary = default_shop.summary
    # About 300,000 before favourites and complements; complements join on top of an order's line
    # slots and add about 12 % to the product lines.
    assert 300_000 <= summary["lines"] <= 400_000
    assert summary["lines"] == default_shop.orders.num_rows
    assert summary["products"] == 500
    assert summary["first_order_at"].startswith("2023-01-0")
    assert summary["last_order_at"].startswith("2024-12-")


def test_segment_sizes_follow_their_shares(default_shop):
    truth = default_shop.to_pandas("truth_customers")
    legit = truth[~truth["is_fraudster"]]
    assert len(legit) == 5000
    counts = legit["segment"].value_counts()
    for segment in DEFAULT_SEGMENTS:
        expected = 5000 * segment.share
        # Four binomial standard deviations.
        assert abs(counts[segment.name] - expected) < 4 * np.sqrt(expected * (1 - segment.share))


def test_segments_behave_differently(default_shop, default_orders):
    truth = default_shop.to_pandas("truth_customers").set_index("customer_id")
    sales = product_sales(default_orders)
    sales = sales[sales["customer_id"].notna()]
    segment = truth.loc[sales["customer_id"], "segment"].to_numpy()
    promoted = (sales["unit_price"] < sales["list_price"]).to_numpy()
    promo_share = pd.Series(promoted).groupby(segment).mean()
    # Price sensitivity: bargain hunters buy far more of their items on promotion than loyal
    # customers (elasticity multipliers 1.6 and 0.6, promotion affinities 4 and 0, and loyal
    # customers buy their favourites at whatever price). Measured: 0.52 and 0.18.
    assert promo_share["bargain_hunter"] > 2.5 * promo_share["loyal"]
    orders_per_customer = sales.groupby("customer_id")["order_id"].nunique()
    per_segment = orders_per_customer.groupby(truth.loc[orders_per_customer.index, "segment"]).mean()
    assert per_segment["loyal"] > 2 * per_segment["occasional"]
    assert per_segment["occasional"] > 2 * per_segment["one_time"]


def test_customers_buy_mostly_in_their_favourite_category(default_shop, default_orders):
    truth = default_shop.to_pandas("truth_customers").set_index("customer_id")
    sales = product_sales(default_orders)
    sales = sales[sales["customer_id"].notna()]
    favourite = truth.loc[sales["customer_id"], "favourite_category"]
    known = favourite.notna().to_numpy()  # fraudster accounts have no favourite
    top = sales["category"].str.split("/").str[0].to_numpy(dtype=object)[known]
    favourite = favourite.to_numpy(dtype=object)[known]
    by_chance = (pd.Series(top).value_counts(normalize=True) ** 2).sum()  # no preference at all
    assert np.mean(top == favourite) > 2 * by_chance


def test_product_ids_carry_no_customer_information(default_shop, default_orders):
    # Regression: matching lines to products by sorted keys once gave the least price-sensitive
    # customers the lowest product ids among equally priced products.
    truth = default_shop.to_pandas("truth_customers").set_index("customer_id")
    sales = product_sales(default_orders)
    sales = sales[sales["customer_id"].notna() & (sales["unit_price"] == sales["list_price"])]
    segment = truth.loc[sales["customer_id"], "segment"].to_numpy()
    number = sales["product_id"].str.slice(1).astype(int).to_numpy()
    mean_id = pd.Series(number).groupby(segment).mean().drop("fraudster")
    assert mean_id.max() - mean_id.min() < 15


def test_nobody_orders_after_dropping_out(default_shop, default_orders):
    truth = default_shop.to_pandas("truth_customers").set_index("customer_id")
    fraud = default_shop.to_pandas("truth_orders").set_index("order_id")["is_fraud"]
    o = default_orders[(default_orders["status"] != "returned") & default_orders["customer_id"].notna()]
    o = o[~fraud.loc[o["order_id"]].to_numpy()]  # a taken-over account may be dormant
    last = pd.to_datetime(o["ordered_at"].str.slice(0, 10)).groupby(o["customer_id"]).max()
    dropout = truth.loc[last.index, "dropout_date"]
    left = dropout.notna()
    assert left.sum() > 500
    assert (last[left] <= dropout[left]).all()
    one_time = truth[truth["segment"] == "one_time"]
    assert one_time["active_at_end"].mean() < 0.2 < truth.loc[truth["segment"] == "loyal",
                                                             "active_at_end"].mean()


def test_fraud_share_and_tell_tale_patterns(default_shop, default_orders):
    fraud = default_shop.to_pandas("truth_orders").set_index("order_id")
    assert 0.005 <= fraud["is_fraud"].mean() <= 0.007
    assert set(fraud.loc[fraud["is_fraud"], "fraud_type"]) == {"new_account", "account_takeover"}
    assert fraud.loc[~fraud["is_fraud"], "fraud_type"].isna().all()

    first = default_orders[default_orders["status"] != "returned"].drop_duplicates("order_id")
    first = first.set_index("order_id")
    is_fraud = fraud.loc[first.index, "is_fraud"].to_numpy()
    hour = first["ordered_at"].str.slice(11, 13).astype(int)
    night = (hour < 6).to_numpy()
    assert night[is_fraud].mean() > 0.4 > 0.06 > night[~is_fraud].mean()
    invoice = (first["payment_method"] == "invoice").to_numpy()
    assert invoice[is_fraud].mean() > 2 * invoice[~is_fraud].mean()
    customers = default_shop.to_pandas("customers").set_index("customer_id")
    registered = first["customer_id"].notna().to_numpy()
    home = customers.loc[first.loc[registered, "customer_id"], "country"].to_numpy()
    abroad = home != first.loc[registered, "country"].to_numpy()
    assert abroad[is_fraud[registered]].mean() > 0.5 > 0.05 > abroad[~is_fraud[registered]].mean()
    goods = default_orders[(default_orders["status"] != "returned")
                           & (default_orders["product_id"] != "SHIPPING")]
    value = (goods["unit_price"] * goods["quantity"]).groupby(goods["order_id"]).sum()
    flagged = fraud.loc[value.index, "is_fraud"].to_numpy()
    assert value[flagged].median() > 3 * value[~flagged].median()
    truth = default_shop.to_pandas("truth_customers")
    assert truth["is_fraudster"].sum() > 0
    assert (truth.loc[truth["is_fraudster"], "segment"] == "fraudster").all()


def test_returns_follow_category_and_propensity(default_shop, default_orders):
    o = default_orders
    bought = o[(o["status"] == "completed") & (o["product_id"] != "SHIPPING")]
    returned = o[o["status"] == "returned"]
    share = (returned.groupby(returned["category"].str.split("/").str[0]).size()
             / bought.groupby(bought["category"].str.split("/").str[0]).size())
    assert share["fashion"] > 3 * share["beauty"]
    assert 0.05 < default_shop.summary["return_line_share"] < 0.2


def weekend_share_and_q4_over_q2(orders: pd.DataFrame) -> tuple[float, float]:
    sales = product_sales(orders)
    daily = sales.groupby("day")["quantity"].sum()
    weekday = daily.groupby(daily.index.dayofweek).sum()
    year = daily[daily.index.year == 2023]
    quarter = year.groupby(year.index.quarter).sum()
    return weekday[[5, 6]].sum() / weekday.sum(), quarter[4] / quarter[2]


def test_weekly_and_yearly_seasonality_show_in_daily_units(default_shop, default_orders):
    weekend, q4_over_q2 = weekend_share_and_q4_over_q2(default_orders)
    expected = sum(default_shop.parameters.weekly_factors[5:]) / 7
    assert weekend == pytest.approx(expected, abs=0.01)
    assert weekend > 2 / 7 + 0.02
    assert q4_over_q2 > 1.3


def test_flat_calendar_shows_no_seasonality():
    # The negative control of the test above: the same measures without seasonality.
    shop = simulate_shop(seed=0, weekly_factors=(1,) * 7, yearly_peak=0, summer_dip=0)
    weekend, q4_over_q2 = weekend_share_and_q4_over_q2(shop.to_pandas("orders"))
    assert weekend == pytest.approx(2 / 7, abs=0.01)
    assert q4_over_q2 < 1.2


def test_ground_truth_json_holds_parameters_and_curves(default_shop):
    truth = default_shop.ground_truth
    assert truth["seed"] == 0
    assert truth["parameters"]["n_customers"] == 5000
    assert [s["name"] for s in truth["segments"]] == [s.name for s in DEFAULT_SEGMENTS]
    assert sum(s["n_customers"] for s in truth["segments"]) == 5000
    season = truth["seasonality"]
    assert list(season["weekly"]) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert len(season["yearly_by_day_of_year"]) == 366
    assert season["yearly_by_month"]["12"] > 1.3 > 0.9 > season["yearly_by_month"]["7"]
    assert len(truth["daily"]["promo_index"]) == 730
    assert truth["period"] == {"start": "2023-01-01", "end": "2024-12-30", "n_days": 730}


def test_truth_products(default_shop):
    products = default_shop.to_pandas("truth_products")
    assert products["elasticity"].between(-3.5, -0.5).all()
    assert products["popularity"].sum() == pytest.approx(1.0)
    # Heavy tail: the top 10 % of products take far more than 10 % of the popularity.
    top = products["popularity"].nlargest(50).sum()
    assert top > 0.3
    by_top = products.groupby(products["category"].str.split("/").str[0])["elasticity"].mean()
    assert by_top["electronics"] < by_top["beauty"] - 1
    promotions = default_shop.to_pandas("truth_promotions")
    assert (promotions["last_date"] >= promotions["first_date"]).all()
    assert promotions["depth"].between(0.1, 0.4).all()


def test_elasticity_is_recovered_by_log_log_regression(uniform_pricing_shop):
    """log units = day + product + elasticity_p log price + g promoted, on product-days with a sale.

    One panel over the 20 best-sellers. The day effects take up the day's traffic (season, trend,
    customer base); ``promoted`` takes up the display lift. Both are needed since promotions run
    mostly in high season with a lift: a per-product fit controlling for traffic with the other
    products' units would see a traffic peak exactly when the product tends to be promoted (the
    others' promotions bring their own demand), and without the promotion term the lift would be
    read as price response. Tolerance: 0.35 per product and 0.15 on average over the five
    best-sellers, 0.15 on average over the 20. Every segment responds to price alike here; with
    the default segments the shop's demand is a mixture (see test_simulate_pricing).
    """
    units, price, promoted = daily_units_and_promotions(uniform_pricing_shop)
    truth = uniform_pricing_shop.to_pandas("truth_products").set_index("product_id")["elasticity"]
    top = list(units.sum().nlargest(20).index)
    errors = np.abs(log_log_fit(units, price, promoted, top)["elasticity"] - truth[top])
    assert errors[:5].max() < 0.35
    assert errors[:5].mean() < 0.15
    assert errors.mean() < 0.15
