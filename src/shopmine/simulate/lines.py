"""Order lines as columns: grouping by order with shipping lines, and merging return lines in time.

Both steps run at the memory peak of a 10-million-line shop, so they move one column at a time and
place rows by computed positions (a scatter) instead of sorting where they can.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from shopmine.simulate.returns import Returns

SHIPPING = -1                             # product index of a shipping line
COMPLETED, CANCELLED, RETURNED = 0, 1, 2  # line status codes


@dataclass
class Lines:
    """One array per column, all of the same length."""

    order: np.ndarray
    product: np.ndarray   # SHIPPING on a shipping line
    quantity: np.ndarray  # negative on a return line
    unit_price: np.ndarray
    list_price: np.ndarray
    unit_cost: np.ndarray
    status: np.ndarray
    seconds: np.ndarray


def with_shipping(lines: Lines, place: np.ndarray, n_in_order: np.ndarray, shipped: np.ndarray,
                  fee: float, cost: float) -> Lines:
    """Lines grouped by order (orders in index order), each shipped order's shipping line last.

    Parameters
    ----------
    lines : Lines
        Product lines; ``status`` and ``seconds`` are ignored and taken per order afterwards.
    place : numpy.ndarray
        Each line's position within its order.
    n_in_order : numpy.ndarray
        Product lines per order.
    shipped : numpy.ndarray
        Indices of the orders that get a shipping line.
    """
    n, k = len(lines.order), len(shipped)
    size = n_in_order.copy()
    size[shipped] += 1
    offset = np.cumsum(size) - size
    grouped = np.empty(n + k, dtype=np.int64)
    grouped[offset[lines.order] + place] = np.arange(n)
    grouped[offset[shipped] + n_in_order[shipped]] = n + np.arange(k)

    def arrange(values: np.ndarray, shipping: np.ndarray | float) -> np.ndarray:
        return np.concatenate((values, np.broadcast_to(shipping, (k,))))[grouped]

    return Lines(
        order=arrange(lines.order, shipped),
        product=arrange(lines.product, SHIPPING),
        quantity=arrange(lines.quantity, 1),
        unit_price=arrange(lines.unit_price, fee),
        list_price=arrange(lines.list_price, fee),
        unit_cost=arrange(lines.unit_cost, cost),
        status=lines.status,
        seconds=lines.seconds,
    )


def with_returns(lines: Lines, ret: Returns) -> Lines:
    """Purchase lines plus return lines, sorted by time (stable: purchases keep their order).

    ``lines`` is consumed: its columns are released one by one while the result is built.
    """
    seconds = np.concatenate((lines.seconds, ret.seconds))
    by_time = np.argsort(seconds, kind="stable")
    tails = {"quantity": -ret.quantity, "status": np.full(ret.line.size, RETURNED, dtype=np.int8),
             "seconds": None}
    out = {"seconds": seconds[by_time]}
    del seconds
    for f in fields(Lines):
        if f.name == "seconds":
            continue
        purchase = getattr(lines, f.name)
        setattr(lines, f.name, None)  # let the unsorted column go as soon as it is copied
        tail = tails.get(f.name)
        out[f.name] = np.concatenate((purchase, purchase[ret.line] if tail is None else tail))[by_time]
        del purchase
    return Lines(**out)
