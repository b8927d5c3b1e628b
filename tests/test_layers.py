"""Layers depend one way (issue 12, "Layers one way"): analyses do not pull in the HTML renderer."""

from __future__ import annotations

import subprocess
import sys

ANALYSES = ["shopmine.forecast", "shopmine.forecast.report", "shopmine.customers", "shopmine.customers.classify",
            "shopmine.customers.clv", "shopmine.classic", "shopmine.overviews", "shopmine.features",
            "shopmine.quality"]


def test_analyses_import_without_the_report_renderer():
    # A fresh interpreter: this test process has imported everything already.
    code = ("import sys\n" + "".join(f"import {m}\n" for m in ANALYSES)
            + "print(sorted(m for m in sys.modules if m.startswith('shopmine.report') or m == 'jinja2'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
