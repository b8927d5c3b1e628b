"""Who are my customers: RFM segments and behaviour clusters (DESIGN.md, module ``customers``)."""

from shopmine.customers.behaviour import behaviour_features
from shopmine.customers.clusters import BehaviourClusters
from shopmine.customers.rfm import quintile_scores, rfm_scores
from shopmine.customers.rfm_segments import SEGMENTS, segment_name, segment_table
from shopmine.customers.segmentation import OUTPUT_COLUMNS, segment_customers

__all__ = [
    "OUTPUT_COLUMNS", "SEGMENTS", "BehaviourClusters", "behaviour_features", "quintile_scores", "rfm_scores",
    "segment_customers", "segment_name", "segment_table",
]
