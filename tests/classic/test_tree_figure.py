"""The decision tree drawing: every node where the tree puts it, labels on short lines so neighbours at the
same depth do not overlap (the report once drew 'avg_basket_units ≤ 140.5' across its neighbour's label)."""

import numpy as np
from sklearn.tree import DecisionTreeClassifier

from shopmine.classic.tree_figure import LINE_CHARS, tree_figure


def test_leaves_spread_evenly_splits_centred_labels_short():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y)
    names = ["avg_basket_units", "purchases_per_30d", "recency_vs_gap"]
    fig = tree_figure(tree, names, "t")
    nodes = fig.data[1]
    leaves = [i for i in range(tree.tree_.node_count) if tree.tree_.children_left[i] == -1]
    assert sorted(nodes.x[i] for i in leaves) == list(range(len(leaves)))  # one slot per leaf
    root_children = tree.tree_.children_left[0], tree.tree_.children_right[0]
    assert nodes.x[0] == (nodes.x[root_children[0]] + nodes.x[root_children[1]]) / 2
    for i, text in enumerate(nodes.text):
        lines = text.split("<br>")
        assert all(len(line) <= LINE_CHARS + 1 for line in lines[:-1]), text
        if tree.tree_.children_left[i] != -1:
            assert "".join(lines[:-1]) == names[tree.tree_.feature[i]] and lines[-1].startswith("≤ ")
    # the hover keeps the rule on one line
    assert nodes.hovertext[0].split("<br>")[0] == f"{names[tree.tree_.feature[0]]} ≤ {tree.tree_.threshold[0]:.4g}"
