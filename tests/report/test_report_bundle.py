"""The report's plotly.js: plotly.py's own bundle, packed once per page; the figures' data slimmed and
their shared template written once (issue 12: 5.3 MB reports)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from importlib import resources
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.offline
import pytest

from shopmine.report import render_html
from shopmine.report.pages import PageFigures, figure_div, packed_plotlyjs, plotlyjs
from shopmine.report.slim import FLOAT32_LIMIT, SVG_POINTS, slim_figure
from shopmine.result import AnalysisResult


def test_the_page_carries_plotly_pys_own_bundle_packed():
    full = plotly.offline.get_plotlyjs()
    assert str(plotlyjs()) == full
    packed = packed_plotlyjs()
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", packed)  # cannot close its <script> element
    assert gzip.decompress(base64.b64decode(packed)).decode("utf-8") == full
    assert len(packed) < 0.45 * len(full)  # 2.0 MB of base64 for 4.8 MB of JavaScript


def test_the_package_ships_no_third_party_javascript():
    # plotly.js comes with plotly.py, installed from PyPI; no copy of third-party code lives in the package.
    # The script files are our own (files because the pages run no inline script), a few lines each: the
    # dashboard's, and the one that starts Swagger UI (whose bundle comes from fastapi-offline, from PyPI).
    package = Path(str(resources.files("shopmine")))
    assert (package / "report" / "pages.py").is_file()  # the package's own folder, not an empty one
    scripts = sorted(path.relative_to(package).as_posix() for path in package.rglob("*.js"))
    assert scripts == ["api/dashboard/static/dashboard.js", "api/docs_files/swagger-init.js"]
    assert all((package / script).stat().st_size < 2000 for script in scripts)


def _page(*figures) -> str:
    result = AnalysisResult(name="r", title="R", figures={f"f{i}": f for i, f in enumerate(figures)})
    return render_html([result], title="t")


def test_every_trace_type_draws_with_the_one_bundle():
    flat = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
    page = _page(flat, go.Figure(go.Scatter3d(x=[1], y=[2], z=[3])))  # a 3-D trace: the same bundle, once
    assert page.count(packed_plotlyjs()) == 1
    assert page.count('id="shopmine-plotlyjs-gzip"') == 1


def test_figures_sharing_a_template_carry_it_once():
    figures = [go.Figure(go.Bar(x=["a", "b"], y=[1, 2]), layout={"template": "plotly_white", "title": {"text": t}})
               for t in ("one", "two", "three")]
    page = PageFigures()
    divs = [figure_div(f, f"d{i}", page=page) for i, f in enumerate(figures)]
    assert len(page.templates) == 1
    template = json.loads(page.templates[0])
    assert template == json.loads(json.dumps(figures[0].layout.template.to_plotly_json()))
    for div in divs:
        assert "window.shopmineTemplates[0]" in div and '"template"' not in div
    rendered = _page(*figures)
    assert rendered.count('"paper_bgcolor":"white"') == 1  # a template setting, written once for three figures


def test_slimming_keeps_the_picture_in_fewer_bytes():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(3000, 2)) * 1000
    days = [f"2024-01-{d:02d}T00:00:00" for d in range(1, 11)]
    fig = go.Figure([go.Scattergl(x=points[:, 0], y=points[:, 1], mode="markers", name="sample"),
                     go.Scatter(x=days, y=[float(v) / 3 for v in range(10)]),
                     go.Scatter(x=[1.0, 2.0], y=np.array([1.7e12, 1.8e12]))],  # milliseconds: kept whole
                    layout={"title": {"text": "T"}, "xaxis": {"range": [0.123456789, 2]}})
    original = json.loads(fig.to_json())
    slim = slim_figure(original)
    cloud, line, big = slim["data"]
    assert cloud["type"] == "scatter"  # drawn as SVG: 3,000 points
    x = np.frombuffer(base64.b64decode(cloud["x"]["bdata"]), dtype="<f4")
    assert cloud["x"]["dtype"] == "f4" and np.allclose(x, points[:, 0], rtol=1e-6)
    assert line["x"] == [d[:10] for d in days] and line["y"][1] == 0.3333333
    assert big["y"] == original["data"][2]["y"] and big["y"]["dtype"] == "f8"
    assert slim["layout"] == original["layout"]  # axis ranges, titles: untouched
    assert len(json.dumps(slim)) < 0.6 * len(json.dumps(original))
    many = slim_figure(json.loads(go.Figure(go.Scattergl(x=np.arange(SVG_POINTS + 1.0),
                                                         y=np.zeros(SVG_POINTS + 1))).to_json()))
    assert many["data"][0]["type"] == "scattergl" and FLOAT32_LIMIT > SVG_POINTS


@pytest.mark.parametrize("n_figures", [1, 12])
def test_a_page_of_many_figures_stays_small(n_figures):
    rng = np.random.default_rng(1)
    figures = [go.Figure(go.Scatter(x=rng.normal(size=2000), y=rng.normal(size=2000), mode="markers"),
                         layout={"template": "plotly_white"}) for _ in range(n_figures)]
    page = _page(*figures)
    packed = packed_plotlyjs()
    # The page and the one template (about 15 kB), then per figure 2,000 points as float32 (about 22 kB of
    # base64) and a few hundred bytes, no template.
    assert len(page) - len(packed) < 15_000 + n_figures * 23_000
