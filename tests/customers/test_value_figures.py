"""The customer-value figures: segment shares, the Pareto curve and the CLV distribution."""

import numpy as np
import pandas as pd

from shopmine.customers.value_figures import pareto_figure, segment_shares_figure, top_share, value_histogram


def test_top_share_counts_the_top_fifth_rounded_up_and_ignores_refunds():
    assert top_share(np.array([70.0, 10, 10, 5, 5])) == 0.7
    # 6 customers: the top 20 % is 2 (1.2 rounded up); a net refund counts as 0
    assert top_share(np.array([50.0, 30, 10, 10, 0, -20])) == 0.8
    assert np.isnan(top_share(np.array([0.0, -1.0])))


def test_pareto_curve_runs_from_0_to_1_and_notes_the_top_fifth():
    fig = pareto_figure(np.array([70.0, 10, 10, 5, 5]), title="t", what="revenue")
    curve = fig.data[0]
    assert list(curve.x) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert np.allclose(curve.y, [0.0, 0.7, 0.8, 0.9, 0.95, 1.0])
    assert fig.layout.annotations[0].text == "top 20%: 70% of revenue"


def test_segment_shares_put_the_first_segment_on_top():
    segments = pd.DataFrame({"rfm_segment": ["Champions", "Hibernating"], "customer_share": [0.146, 0.249],
                             "revenue_share": [0.504, 0.053]})
    fig = segment_shares_figure(segments)
    assert [t.name for t in fig.data] == ["share of customers", "share of revenue"]
    assert list(fig.data[1].y) == ["Hibernating", "Champions"] and list(fig.data[1].x) == [0.053, 0.504]


def test_value_histogram_cuts_at_the_99th_percentile_and_says_so():
    values = pd.Series(np.r_[np.arange(1.0, 100.0), 1e6])
    fig = value_histogram(values, column="expected_revenue", title="CLV")
    assert max(fig.data[0].x) == values.quantile(0.99) < 1e6
    assert fig.layout.title.text == f"CLV (the last bar: {values.quantile(0.99):,.0f} or more)"
