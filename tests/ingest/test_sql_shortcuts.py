"""The ingest and quality SQL shortcuts give what the plain DuckDB expressions they replace give."""

import duckdb
import numpy as np
import pytest

from shopmine.io.sqltext import clean
from shopmine.quality import outliers
from shopmine.quality.outliers import log_quartiles

VALUES = ["abc", " abc", "abc ", "\tabc", "abc\t", "", "   ", "~x", "}x", "!x", "a b", "é", " é ", "\u3000x",
          "x\u3000", "\u00a0x", "x\u2003", "17850.0", "0012", None]


def test_clean_matches_nullif_trim_on_every_kind_of_edge():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in VALUES])
    rows = con.execute(f"SELECT v, {clean('v')}, nullif(trim(v), '') FROM t").fetchall()
    assert len(rows) == len(VALUES)
    for value, fast, reference in rows:
        assert fast == reference, repr(value)
    # the fast path really is taken for plain values: no trim to strip a tab (DuckDB's trim keeps it)
    assert con.execute(f"SELECT {clean(chr(39) + 'abc' + chr(9) + chr(39))}").fetchone()[0] == "abc\t"


@pytest.mark.parametrize("max_distinct", [100_000, 3])
def test_log_quartiles_match_quantile_cont(monkeypatch, max_distinct):
    # max_distinct 3: more distinct values than that take DuckDB's quantile_cont itself
    monkeypatch.setattr(outliers, "MAX_DISTINCT", max_distinct)
    rng = np.random.default_rng(0)
    con = duckdb.connect()
    quantity = np.concatenate([rng.integers(1, 13, 997), [0, -2, 480]]).astype(float)
    con.execute("CREATE TABLE orders AS SELECT * FROM (SELECT unnest(?) AS quantity)", [quantity.tolist()])
    n, q1, q3 = log_quartiles(con, "quantity", "true")
    expected = con.execute("SELECT count(*), quantile_cont(log10(quantity), 0.25), "
                           "quantile_cont(log10(quantity), 0.75) FROM orders WHERE quantity > 0").fetchone()
    assert (n, q1, q3) == expected and n == 998
    assert log_quartiles(con, "quantity", "quantity > 1000") == (0, None, None)
