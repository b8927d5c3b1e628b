"""The escaping helpers every page goes through (issue 10, item 2)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from shopmine.report.escaping import escape_html, escape_script_json, script_json
from shopmine.report.pages import figure_div, figure_page

PAYLOAD = "21212</script><svg/onload=document.title=/XSS/.source>"


def test_script_json_escapes_script_end_comment_and_line_separators():
    text = str(script_json(["</script>", "<!--", "a\u2028b\u2029c", "x & y", "'\""]))
    assert text == (
        '["\\u003c/script\\u003e", "\\u003c!--", "a\\u2028b\\u2029c", "x \\u0026 y", "\'\\""]'
    )
    # Still the same JSON value.
    assert json.loads(text) == ["</script>", "<!--", "a\u2028b\u2029c", "x & y", "'\""]


def test_escape_script_json_leaves_other_text_alone():
    assert str(escape_script_json('{"a": [1, 2.5, null], "b": "caf\u00e9"}')) == (
        '{"a": [1, 2.5, null], "b": "caf\u00e9"}')


def test_script_json_refuses_nan():
    # NaN is not JSON; a page would get a literal the browser cannot parse as intended.
    with pytest.raises(ValueError, match="Out of range float values"):
        script_json(float("nan"))


def test_escape_html_escapes_markup_and_quotes():
    assert str(escape_html('<svg onload="x">&\'')) == "&lt;svg onload=&#34;x&#34;&gt;&amp;&#39;"


def test_figure_div_escapes_a_hostile_div_id_and_figure_text():
    fig = go.Figure(go.Bar(x=[PAYLOAD], y=[1]), layout={"title": {"text": PAYLOAD}})
    html = str(figure_div(fig, f"forecast-figure-forecast_{PAYLOAD}"))
    assert "</script>" in html  # the div's own script ends once ...
    assert html.count("</script>") == 1
    assert "<svg" not in html  # ... and no element comes from the data
    assert 'id="forecast-figure-forecast_21212&lt;/script&gt;&lt;svg/onload=' in html
    assert 'getElementById("forecast-figure-forecast_21212\\u003c/script\\u003e\\u003csvg' in html


def test_figure_page_escapes_its_title():
    page = figure_page(go.Figure(go.Bar(x=[1], y=[1])), PAYLOAD)
    assert "<title>21212&lt;/script&gt;&lt;svg/onload=document.title=/XSS/.source&gt;</title>" in page
    assert PAYLOAD not in page
