"""Benchmark: how heavy the report is and how fast a browser draws it (issue 16, acceptance 4).

The reports measured:

- ``demo``: the report ``shopmine demo`` writes (the simulated shop at the demo's default size, every section);
- ``online_retail`` (with ``--workspace``): ``shopmine report`` of a workspace that has its runs saved (e.g. the
  one ``bench/report_runs.py`` builds from the raw Online Retail export);
- ``plotly_reference``: the same figures as the demo report written by plotly's own ``write_html`` (plotly.js
  inline, one file per figure, opened one after another): the cost of the figures alone, with nothing of ours.

For each, headless Chromium (Selenium + Debian's chromedriver) opens the file five times in a fresh page; the
time is from navigation start until every plot div carries plotly's ``js-plotly-plot`` class and an SVG, read
in the page (``performance.now()``), so browser start-up is not counted. Median and max over the runs, the
file size, and the count of plots are recorded.

Target (issue 16): the demo report under 10 MB, drawn in under 3 s.

Run: ``PYTHONPATH=src .venv/bin/python bench/report_render.py [--workspace WS]``; writes
bench/results/report_render.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "report_render.json"
RUNS = 5
#: In the page: ms since navigation start when every plot is drawn, else null.
ALL_DRAWN = """
const divs = document.querySelectorAll('.plotly-graph-div');
const drawn = [...divs].every(d => d.classList.contains('js-plotly-plot') && d.querySelector('svg.main-svg'));
return drawn ? {ms: performance.now(), plots: divs.length} : null;
"""


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def time_page(browser, path: Path) -> tuple[float, int]:
    browser.get("about:blank")
    browser.get(path.resolve().as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = browser.execute_script(ALL_DRAWN)
        if state:
            return state["ms"] / 1000, state["plots"]
        time.sleep(0.02)
    raise TimeoutError(f"{path}: not every plot was drawn within 60 s")


def measure(browser, name: str, pages: list[Path]) -> dict:
    times, plots = [], 0
    for _ in range(RUNS):
        total = 0.0
        plots = 0
        for page in pages:
            seconds, count = time_page(browser, page)
            total += seconds
            plots += count
        times.append(total)
    size = sum(p.stat().st_size for p in pages)
    return {"report": name, "files": len(pages), "megabytes": round(size / 1e6, 2), "plots": plots,
            "median_seconds": round(statistics.median(times), 3), "max_seconds": round(max(times), 3)}


def plotly_reference(report_results, folder: Path) -> list[Path]:
    import plotly.graph_objects as go

    pages = []
    for result in report_results:
        for name, fig in result.figures.items():
            path = folder / f"{result.name}-{name}.html"
            go.Figure(fig).write_html(path, include_plotlyjs=True, full_html=True)
            pages.append(path)
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a workspace with saved runs (e.g. Online Retail's)")
    args = parser.parse_args()
    from shopmine.demo import run_demo
    from shopmine.shop import Shop
    from shopmine.workspace import Workspace

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        start = time.perf_counter()
        demo = run_demo(tmp / "demo")
        demo_seconds = time.perf_counter() - start
        shop = Shop(Workspace(demo.workspace_dir, create=False))
        (tmp / "reference").mkdir()
        reference = plotly_reference(shop.analyses(), tmp / "reference")
        browser = driver()
        try:
            rows.append(measure(browser, "demo", [demo.report_path]))
            rows.append(measure(browser, "plotly_reference", reference))
            if args.workspace:
                path = Shop(Workspace(args.workspace, create=False)).report(tmp / "or.html").metrics["path"]
                rows.append(measure(browser, "online_retail", [Path(path)]))
        finally:
            browser.quit()
    print(f"{'report':<18}{'files':>6}{'MB':>8}{'plots':>7}{'median s':>10}{'max s':>8}")
    for r in rows:
        print(f"{r['report']:<18}{r['files']:>6}{r['megabytes']:>8}{r['plots']:>7}{r['median_seconds']:>10}"
              f"{r['max_seconds']:>8}")
    out = {"rows": rows, "runs": RUNS, "demo_build_seconds": round(demo_seconds, 1),
           "load_average": os.getloadavg(), "machine": platform.platform(),
           "targets": {"megabytes": 10, "seconds": 3}}
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
