"""A drawing of a fitted decision tree with plotly (no matplotlib in the report)."""

from __future__ import annotations

import plotly.graph_objects as go
from sklearn.tree import DecisionTreeClassifier

from shopmine.figures import TEMPLATE

__all__ = ["tree_figure"]


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
            text = predicted
        else:
            text = f"{feature_names[t.feature[node]]} ≤ {t.threshold[node]:.4g}"
        share_text = ", ".join(f"{c}: {s:.0%}" for c, s in zip(classes, shares))
        xs.append(x)
        ys.append(-depth)
        texts.append(text)
        hovers.append(f"{text}<br>samples: {int(t.n_node_samples[node])}<br>{share_text}")
        colors.append(classes.index(predicted))
    fig = go.Figure(layout={"template": TEMPLATE, "title": {"text": title}})
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"color": "#999"}, hoverinfo="skip",
                             showlegend=False))
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers+text", text=texts, textposition="bottom center", hovertext=hovers,
        hoverinfo="text", showlegend=False,
        marker={"size": 14, "color": colors, "colorscale": "Viridis", "line": {"width": 1, "color": "#333"}},
    ))
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False, "title": "depth"},
                      height=max(400, 110 * (int(tree.get_depth()) + 1)))
    return fig
