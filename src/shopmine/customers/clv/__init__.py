"""Customer lifetime value: Pareto/NBD, BG/NBD or MBG/CNBD-k purchases chosen on a holdout, Gamma-Gamma spend."""

from shopmine.customers.clv.analysis import (CHURN_DAYS, MIN_REPEAT_BUYERS, MODEL_CHOICES, OUTPUT_COLUMNS,
                                             PURCHASE_DAYS, PURCHASE_MODELS, customer_lifetime_value)
from shopmine.customers.clv.bgnbd import BetaGeoModel
from shopmine.customers.clv.degenerate import degenerate_reason
from shopmine.customers.clv.fallback import serve_purchase_model
from shopmine.customers.clv.gamma_gamma import GammaGammaModel
from shopmine.customers.clv.holdout_eval import holdout_predictions, holdout_scores, rate_so_far
from shopmine.customers.clv.mbgcnbd import MBGCNBDModel
from shopmine.customers.clv.pareto_nbd import ParetoNBDModel
from shopmine.customers.clv.purchase_timing import SPEND_CAP_QUANTILE, purchase_timing
from shopmine.customers.clv.selection import select_purchase_model

__all__ = ["CHURN_DAYS", "MIN_REPEAT_BUYERS", "MODEL_CHOICES", "OUTPUT_COLUMNS", "PURCHASE_DAYS", "PURCHASE_MODELS",
           "SPEND_CAP_QUANTILE", "BetaGeoModel", "GammaGammaModel", "MBGCNBDModel", "ParetoNBDModel",
           "customer_lifetime_value", "degenerate_reason", "holdout_predictions", "holdout_scores",
           "purchase_timing", "rate_so_far", "select_purchase_model", "serve_purchase_model"]
