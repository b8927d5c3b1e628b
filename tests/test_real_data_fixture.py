"""Real data sets are found through one fixture: ../shared/data beside the repository, or $SHOPMINE_DATA."""

from __future__ import annotations

import re
from pathlib import Path

pytest_plugins = ["pytester"]

TESTS = Path(__file__).parent
CONFTEST = (TESTS / "conftest.py").read_text()


def test_the_default_is_beside_the_repository(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("shopmine_tests_conftest", TESTS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    REPO, shared_data_dir = module.REPO, module.shared_data_dir

    monkeypatch.delenv("SHOPMINE_DATA", raising=False)
    assert REPO == TESTS.parent and (REPO / "pyproject.toml").is_file()
    assert shared_data_dir() == REPO.parent / "shared" / "data"


def test_no_test_or_benchmark_names_a_machine_s_data_folder():
    root = TESTS.parent
    offenders = [str(p.relative_to(root)) for folder in ("tests", "bench") for p in (root / folder).rglob("*.py")
                 if re.search(r"/work/shared|[\"']shared[\"']\s*/\s*[\"']data[\"']", p.read_text())
                 and p not in (TESTS / "conftest.py", root / "bench" / "shared_data.py", Path(__file__))]
    assert offenders == []


def test_real_data_finds_the_override_or_skips_naming_the_path(pytester, monkeypatch, tmp_path):
    data = tmp_path / "data"
    (data / "cdnow").mkdir(parents=True)
    (data / "cdnow" / "sample.txt").write_text("1 2 3\n")
    monkeypatch.setenv("SHOPMINE_DATA", str(data))
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nmarkers =\n    spark: spark\n    realdata: realdata\n")
    pytester.makepyfile(test_data='''
def test_present(real_data):
    assert real_data("cdnow/sample.txt").read_text() == "1 2 3\\n"

def test_absent(real_data):
    real_data("walmart/none.csv")
''')
    result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    text = "\n".join(result.outlines)
    # Counted as a real-data skip (the fixture marks its tests), with the missing path and the remedy.
    assert "real-data tests skipped: 1" in text
    assert f"real data not found: {data / 'walmart' / 'none.csv'} (set SHOPMINE_DATA" in text
