"""Precision at the top and PR-AUC beside the base rate, by hand."""

from __future__ import annotations

import math

import pytest

from shopmine.errors import ShopmineInputError
from shopmine.risk.orders_evaluation import precision_at_top, ranking_summary


def test_precision_at_top_by_hand():
    y = [0] * 95 + [1] * 5
    scores = [i / 100 for i in range(100)]  # the five positives score highest
    assert precision_at_top(y, scores, 0.01) == (1.0, 1)
    assert precision_at_top(y, scores, 0.10) == (0.5, 10)
    # ceil: 1.5 % of 100 rows is 2 rows; ties keep the input order.
    assert precision_at_top([1, 0, 0, 1], [0.5, 0.5, 0.5, 0.1], 0.5) == (0.5, 2)
    assert precision_at_top([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.1], 0.25) == (0.0, 1)


def test_ranking_summary_by_hand():
    y = [0] * 95 + [1] * 5
    scores = [i / 100 for i in range(100)]
    summary = ranking_summary(y, scores, 0.05)
    assert summary["base_rate"] == 0.05 and summary["top_rows"] == 5 and summary["precision_at_top"] == 1.0
    assert summary["lift_at_top"] == 20.0 and summary["pr_auc"] == 1.0
    # Five positives among five random rows at a 5 % rate: 0.05 ** 5.
    assert math.isclose(summary["random_top_p_value"], 0.05 ** 5, rel_tol=1e-9)
    reversed_scores = [-s for s in scores]
    worst = ranking_summary(y, reversed_scores, 0.05)
    assert worst["precision_at_top"] == 0.0 and worst["random_top_p_value"] == 1.0
    # Average precision of the worst ranking: positives at ranks 96..100.
    assert math.isclose(worst["pr_auc"], sum((i + 1) / (95 + i + 1) for i in range(5)) / 5, rel_tol=1e-12)


@pytest.mark.parametrize("y, scores, share, message", [
    ([0, 1], [0.1], 0.5, "two non-empty sequences of one length; got 2 and 1"),
    ([0, 2], [0.1, 0.2], 0.5, "y_true must hold 0 and 1 only"),
    ([0, 1], [0.1, float("nan")], 0.5, "scores must not be missing"),
    ([0, 1], [0.1, 0.2], 0.0, r"share must be a fraction in \(0, 1\]; got 0.0"),
])
def test_bad_input(y, scores, share, message):
    with pytest.raises(ShopmineInputError, match=message):
        ranking_summary(y, scores, share)
