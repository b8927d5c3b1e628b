"""Layers depend one way (issue 12, "Layers one way"): analyses do not pull in the HTML renderer."""

from __future__ import annotations

import subprocess
import sys

ANALYSES = ["shopmine.forecast", "shopmine.forecast.report", "shopmine.customers", "shopmine.customers.classify",
            "shopmine.customers.clv", "shopmine.classic", "shopmine.overviews", "shopmine.features",
            "shopmine.quality", "shopmine.pricing.analysis", "shopmine.pricing.optimise"]


def test_analyses_import_without_the_report_renderer():
    # A fresh interpreter: this test process has imported everything already.
    code = ("import sys\n" + "".join(f"import {m}\n" for m in ANALYSES)
            + "print(sorted(m for m in sys.modules if m.startswith('shopmine.report') or m == 'jinja2'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_no_import_cycles_in_the_package():
    # A module graph from the import statements of src/shopmine (lazy imports inside functions
    # included): a cycle means two modules that cannot be understood, or loaded, one without the other.
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "src"
    modules = {".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (root / "shopmine").rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("shopmine"):
                targets |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                            for a in node.names}
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("shopmine")}
        graph[name] = {t for t in targets if t in modules and t != name}

    # Packages' __init__ re-exports are not dependencies of their own submodules' logic.
    def edges(name):
        return {t for t in graph[name] if not name.startswith(t + ".") and not t.startswith(name + ".")}

    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(edges(node)):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
