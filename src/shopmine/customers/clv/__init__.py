"""Customer lifetime value: Pareto/NBD or BG/NBD purchases, Gamma-Gamma spend, churn and purchase probabilities."""

from shopmine.customers.clv.analysis import (CHURN_DAYS, MIN_REPEAT_BUYERS, OUTPUT_COLUMNS, PURCHASE_DAYS,
                                             PURCHASE_MODELS, customer_lifetime_value)
from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.holdout_eval import holdout_predictions, holdout_scores, rate_so_far
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel

__all__ = ["CHURN_DAYS", "MIN_REPEAT_BUYERS", "OUTPUT_COLUMNS", "PURCHASE_DAYS", "PURCHASE_MODELS", "BetaGeoModel",
           "GammaGammaModel", "ParetoNBDModel", "customer_lifetime_value", "holdout_predictions", "holdout_scores",
           "rate_so_far"]
