"""Serving the first purchase model whose fit is sound, and saying why the ones before it were not."""

from __future__ import annotations

from collections.abc import Sequence

from shopmine.customers.clv.degenerate import degenerate_reason
from shopmine.customers.clv.models import PURCHASE_MODELS, fit_purchase_model
from shopmine.errors import ShopmineRunError

__all__ = ["serve_purchase_model"]


def serve_purchase_model(order: Sequence[str], x, tx, t, litt=None, *, forced: bool = False):
    """Fit the models of ``order`` in turn and serve the first sound one.

    Parameters
    ----------
    order : sequence of str
        Model names (:data:`~shopmine.customers.clv.models.PURCHASE_MODELS`), best first.
    x, tx, t, litt : array-like
        The customer summary (``litt`` for MBG/CNBD-k).
    forced : bool, default=False
        The user named the model: it serves even when degenerate (with the reason).

    Returns
    -------
    name : str
        The model that serves.
    model : fitted model
    fallback_reason : str
        "" when the first model served soundly; otherwise which models were passed over and why, or that
        no fit was sound and which one served anyway.

    Raises
    ------
    ShopmineRunError
        When no model could be fitted at all.
    """
    rejected, first = [], None
    for name in order:
        display = PURCHASE_MODELS[name][0]
        try:
            fitted = fit_purchase_model(name, x, tx, t, litt)
        except ShopmineRunError as exc:
            rejected.append(f"{display} failed ({exc})")
            continue
        reason = degenerate_reason(fitted, x, tx, t, litt)
        if reason is None:
            text = f"{display} served after " + "; ".join(rejected) if rejected else ""
            return name, fitted, text
        if forced:
            return name, fitted, f"{display} was forced and its fit is degenerate: {reason}"
        rejected.append(f"{display} was degenerate: {reason}")
        first = first or (name, fitted)
    if first is None:
        raise ShopmineRunError("no purchase model could be fitted: " + "; ".join(rejected))
    # Nothing sound: the best-ranked fit serves, and the result says it cannot be trusted.
    display = PURCHASE_MODELS[first[0]][0]
    return first[0], first[1], ("no purchase model fits soundly (" + "; ".join(rejected) + f"); {display} served "
                                "anyway and cannot tell who has stopped buying")
