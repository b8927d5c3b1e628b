"""The last lines of a test run say how many Spark and real-data tests were skipped, and why."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

CONFTEST = (Path(__file__).parent / "conftest.py").read_text()


def test_the_summary_counts_skips_by_kind_with_their_reasons(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    spark: spark\n    realdata: realdata\n")
    pytester.makepyfile(test_kinds='''
import pytest

@pytest.mark.realdata
@pytest.mark.parametrize("i", [1, 2])
def test_real(i):
    pytest.skip("real data set not found at /nowhere")

@pytest.mark.spark
def test_spark():
    pytest.skip("Spark needs Java")

def test_plain():
    pass
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=3)
    tail = result.outlines[-8:]
    assert "Spark tests skipped: 1" in tail
    assert "    1 x Spark needs Java" in tail
    assert "real-data tests skipped: 2" in tail
    assert "    2 x real data set not found at /nowhere" in tail
    assert "other tests skipped: 0 (all ran)" in tail
