"""Personalised recommendations (issue 13): the customer x product interaction data, candidate
models that score products for a customer, their evaluation on a later period, and the facade that
answers ``recommend`` / ``similar`` with a reason for every row.

Every model follows :class:`~shopmine.recommend.base.CandidateModel`: fitted on
:class:`~shopmine.recommend.interactions.Interactions`, scoring customer rows into top-n product
columns, saved without pickle through ``to_arrays`` / ``from_arrays``.
"""

from shopmine.recommend.base import CandidateModel, top_n
from shopmine.recommend.interactions import Interactions, build_interactions

__all__ = ["CandidateModel", "Interactions", "build_interactions", "top_n"]
