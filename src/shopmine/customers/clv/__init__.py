"""Customer lifetime value: BG/NBD purchases, Gamma-Gamma spend, churn and purchase probabilities."""

from shopmine.customers.clv.analysis import (CHURN_DAYS, MIN_REPEAT_BUYERS, OUTPUT_COLUMNS, PURCHASE_DAYS,
                                             customer_lifetime_value)
from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.holdout_eval import holdout_predictions, holdout_scores, rate_so_far

__all__ = ["CHURN_DAYS", "MIN_REPEAT_BUYERS", "OUTPUT_COLUMNS", "PURCHASE_DAYS", "BetaGeoModel", "GammaGammaModel",
           "customer_lifetime_value", "holdout_predictions", "holdout_scores", "rate_so_far"]
