"""A drawing of a fitted decision tree with plotly (no matplotlib in the report)."""

from __future__ import annotations

import plotly.graph_objects as go
from sklearn.tree import DecisionTreeClassifier

from shopmine.figures import TEMPLATE

__all__ = ["split_label", "tree_figure"]

#: A feature name longer than this is broken at its underscores: side by side, a tree of depth 4 has
#: about 65 px per leaf on a report page, and two 18-character labels at the same depth overlapped.
LINE_CHARS = 12


def split_label(feature: str, threshold: float) -> str:
    """A split's text on short lines: the feature (broken at underscores) over its threshold.

    >>> split_label("purchases_per_30d", 0.38123)
    'purchases_<br>per_30d<br>≤ 0.3812'
    >>> split_label("monetary", 274.62)
    'monetary<br>≤ 274.6'
    """
    lines, line = [], ""
    for part in str(feature).split("_"):
        piece = f"{line}_{part}" if line else part
        if line and len(piece) > LINE_CHARS:
            lines.append(line + "_")
            line = part
        else:
            line = piece
    lines.append(line)
    return "<br>".join([*lines, f"≤ {threshold:.4g}"])


def tree_figure(tree: DecisionTreeClassifier, feature_names: list[str], title: str) -> go.Figure:
    """Draw the tree top-down: leaves spread evenly, each split centred over its children.

    Hovering a node shows its rule, sample count and class shares; the node text shows the
    split (inner nodes) or the predicted class (leaves).
    """
    t = tree.tree_
    classes = [str(c) for c in tree.classes_]
    position: dict[int, tuple[float, int]] = {}
    next_leaf = [0]

    def place(node: int, depth: int) -> float:
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:
            x = float(next_leaf[0])
            next_leaf[0] += 1
        else:
            x = (place(left, depth + 1) + place(right, depth + 1)) / 2
        position[node] = (x, depth)
        return x

    place(0, 0)
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for node, (x, depth) in position.items():
        for child in (t.children_left[node], t.children_right[node]):
            if child != -1:
                cx, cdepth = position[child]
                edge_x += [x, cx, None]
                edge_y += [-depth, -cdepth, None]
    xs, ys, texts, hovers, colors = [], [], [], [], []
    for node, (x, depth) in sorted(position.items()):
        shares = t.value[node][0] / t.value[node][0].sum()
        predicted = classes[int(shares.argmax())]
        if t.children_left[node] == -1:
            text = label = predicted
        else:
            text = f"{feature_names[t.feature[node]]} ≤ {t.threshold[node]:.4g}"
            label = split_label(feature_names[t.feature[node]], t.threshold[node])
        share_text = ", ".join(f"{c}: {s:.0%}" for c, s in zip(classes, shares))
        xs.append(x)
        ys.append(-depth)
        texts.append(label)
        hovers.append(f"{text}<br>samples: {int(t.n_node_samples[node])}<br>{share_text}")
        colors.append(classes.index(predicted))
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": title}})
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#999"}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=texts, textposition="bottom center", hovertext=hovers,
        textfont={"size": 10},
        hoverinfo="text", showlegend=False,
        marker={"size": 14, "color": colors, "colorscale": "Viridis", "line": {"width": 1, "color": "#333"}},
    ))
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False, "title": "depth"},
                      height=max(400, 130 * (int(tree.get_depth()) + 1)))
    return fig
