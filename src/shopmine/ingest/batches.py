"""The ingest batches of a workspace: list them, take one out again.

Taking a batch out removes, in one transaction, its rows in ``order_parts`` (so its part files
leave the ``orders`` view), ``quarantine``, ``batches``, ``line_keys`` and ``key_batches``,
``products_file`` and ``customers_file``, and rebuilds ``products`` and ``customers``; its part
files are deleted only after the commit. A removal killed before the commit leaves the workspace as it was; killed after
it, the part files no committed row lists are deleted as orphans at the next open. A corrected
re-ingest of the same file then loads again (neither its sha256 nor its line keys are known any
more).
"""

from __future__ import annotations

import pandas as pd

from shopmine import line_keys
from shopmine.errors import ShopmineInputError
from shopmine.faults import fault_point

_LIST = """
SELECT batch_id, min(ingested_at) AS ingested_at, count(*) AS files,
       string_agg(DISTINCT kind, ', ' ORDER BY kind) AS kinds,
       coalesce(sum(rows_in) FILTER (WHERE kind = 'orders'), 0)::BIGINT AS rows_in,
       coalesce(sum(rows_loaded) FILTER (WHERE kind = 'orders'), 0)::BIGINT AS rows_loaded,
       coalesce(sum(rows_quarantined) FILTER (WHERE kind = 'orders'), 0)::BIGINT AS rows_quarantined,
       bool_or(pseudonymized) AS pseudonymized
FROM batches GROUP BY batch_id ORDER BY min(ingested_at), batch_id
"""
_TABLES = ("order_parts", "quarantine", "batches", "products_file", "customers_file")


def list_batches(warehouse) -> pd.DataFrame:
    """One row per batch: ``batch_id``, ``ingested_at`` (UTC), ``files``, ``kinds``, order
    ``rows_in`` / ``rows_loaded`` / ``rows_quarantined``, and ``pseudonymized``, oldest first."""
    return warehouse.con.execute(_LIST).df()


def remove_batch(warehouse, batch_id: str) -> dict[str, int]:
    """Take a batch out of the workspace, all or nothing.

    Works on a warehouse whose part files fail their check at open (a damaged part is exactly what
    one takes out), as long as the parts that remain pass it.

    Parameters
    ----------
    warehouse : Warehouse
    batch_id : str
        A batch as listed by :func:`list_batches`.

    Returns
    -------
    dict
        Rows removed per table, and ``part_files`` deleted.
    """
    opened_here = not warehouse.is_open
    con = warehouse.connect(check_parts=False)
    known = [b for (b,) in con.execute("SELECT DISTINCT batch_id FROM batches ORDER BY 1").fetchall()]
    if batch_id not in known:
        if opened_here:
            warehouse.close()  # its orders view was not checked
        raise ShopmineInputError(
            f"batch_id {batch_id!r} is not a batch of this workspace; the batches are: "
            f"{', '.join(known) if known else '(none)'}."
        )
    parts = [warehouse.parts.folder / name for (name,) in
             con.execute("SELECT file FROM order_parts WHERE batch_id = ?", [batch_id]).fetchall()]
    removed: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for table in _TABLES:
            removed[table] = con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id]).fetchone()[0]
        removed["line_keys"] = line_keys.remove(con, batch_id)
        warehouse.parts.replace_view(con)  # checks the parts that remain
        warehouse.rebuild_dimensions()
        fault_point("remove_before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if opened_here:
            warehouse.close()
        raise
    fault_point("remove_after_commit")
    for part in parts:
        part.unlink(missing_ok=True)
    removed["part_files"] = len(parts)
    return removed
