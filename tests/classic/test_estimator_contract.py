"""The classic estimators follow scikit-learn's estimator contract (issue 12, "Layers one way")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from shopmine.classic import ClassicDecisionTree, ClassicKMeans, ClassicLinearRegression, ClassicLogisticRegression

CASES = [
    (ClassicLinearRegression, {"target": "y", "features": ["x"], "test_size": 0.3, "seed": 1}),
    (ClassicLogisticRegression, {"target": "c", "features": ["x"], "test_size": 0.25, "seed": 2, "penalty": "l2",
                                 "threshold": "youden", "positive_class": "b"}),
    (ClassicDecisionTree, {"target": "c", "features": ["x"], "test_size": 0.25, "seed": 3, "criterion": "entropy",
                           "max_depth": 2, "min_leaf": 3, "positive_class": "b"}),
    (ClassicKMeans, {"features": ["x", "y"], "seed": 4, "k": 3}),
]


@pytest.mark.parametrize("cls, params", CASES, ids=[c.__name__ for c, _ in CASES])
def test_params_round_trip_through_get_set_and_clone(cls, params):
    model = cls(**params)
    assert model.get_params(deep=True) == model.get_params(deep=False) == params
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    changed = {"seed": 99}
    assert copy.set_params(**changed) is copy and copy.get_params() == params | changed
    assert model.get_params()["seed"] == params["seed"]


@pytest.mark.parametrize("cls", [c for c, _ in CASES])
def test_an_unknown_parameter_is_refused_by_name(cls):
    with pytest.raises(TypeError, match="unexpected keyword argument 'depth'"):
        cls(depth=3)
    with pytest.raises(ValueError, match="Invalid parameter 'depth'"):
        cls().set_params(depth=3)


def test_a_clone_fits_like_the_original():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 80)
    data = pd.DataFrame({"x": x, "y": 3 * x + 1 + rng.normal(0, 0.5, 80)})
    model = ClassicLinearRegression(target="y", features=["x"], seed=5)
    first, second = model.fit(data), clone(model).fit(data)
    assert not hasattr(clone(model), "pipeline_")
    assert first.result_.metrics["r2_test"] == pytest.approx(second.result_.metrics["r2_test"], abs=0)
