"""The registry's model file formats: how each supported model type is written and read back.

Nothing here uses pickle or joblib:

- ``skops``: the scikit-learn pipelines of the classic methods, through :func:`skops.io.dumps`
  (``model.skops``). Saving and reading check every node of the file against the exact allow-list
  :data:`~shopmine.registry.skops_types.ALLOWED_SKOPS_NODES` before skops builds anything.
- ``lightgbm-booster``: a :class:`lightgbm.Booster` in LightGBM's own text format (``model.txt``).
- ``lightgbm-sklearn``: a fitted ``LGBMRegressor`` or ``LGBMClassifier`` as its booster's text
  (``model.txt``) plus ``wrapper.json`` (the wrapper's class, parameters and fitted state such as the
  classes). It is read back into a fitted wrapper of the same class (see :func:`_rebuild_lgbm_wrapper`).
- ``json``: a dict of plain JSON values (``model.json``), for small models such as fitted parameters.
- ``numpy-npz``: an :class:`ArrayBundle` of named numeric or fixed-width string arrays (``model.npz``,
  numpy's zip of ``.npy`` files), for models that are arrays (a recommender's counts, neighbours,
  factors). Object arrays are refused when saving, and the file is read with ``allow_pickle=False``.

Reading happens only after the registry has verified the folder's signature and checksums; the checks
here are a second layer for a file signed with a key that leaked.

Each format turns a model into bytes in memory (:func:`encode`) before anything is written, so that a
model which cannot be saved fails before the registry touches the disk.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shopmine.errors import ShopmineInputError, ShopmineRunError
from shopmine.registry.jsonable import to_jsonable
from shopmine.registry.skops_types import refused_nodes, skops_nodes

FORMAT_SKOPS = "skops"
FORMAT_LGBM_BOOSTER = "lightgbm-booster"
FORMAT_LGBM_SKLEARN = "lightgbm-sklearn"
FORMAT_JSON = "json"
FORMAT_NPZ = "numpy-npz"

#: The file each format's checksum in ``metadata.json`` refers to.
MODEL_FILES = {
    FORMAT_SKOPS: "model.skops",
    FORMAT_LGBM_BOOSTER: "model.txt",
    FORMAT_LGBM_SKLEARN: "model.txt",
    FORMAT_JSON: "model.json",
    FORMAT_NPZ: "model.npz",
}
#: Further files of a format, each with its own checksum in ``metadata.json``.
EXTRA_FILES = {FORMAT_LGBM_SKLEARN: ("wrapper.json",)}

SUPPORTED_MODELS = (
    "fitted scikit-learn pipelines made of the types the classic methods use (saved with skops), "
    "lightgbm.Booster, fitted "
    "lightgbm.LGBMRegressor and lightgbm.LGBMClassifier (saved in LightGBM's text format), and dicts "
    "of JSON values, and shopmine.registry.formats.ArrayBundle (numeric or string numpy arrays, saved as .npz)"
)
#: numpy dtype kinds an ArrayBundle may hold: bool, integers, floats, fixed-width str/bytes (no objects).
_ARRAY_KINDS = "biufUS"


@dataclass(frozen=True)
class ArrayBundle:
    """Named numpy arrays saved as one ``.npz`` file without pickle.

    Parameters
    ----------
    arrays : dict of str to numpy.ndarray
        Numeric, boolean or fixed-width string arrays (``dtype.kind`` in ``biufUS``).
    """

    arrays: dict[str, Any]


# The fitted state LightGBM's fit() sets on a wrapper (lightgbm/sklearn.py, 4.x), which we set when
# rebuilding one. They are private, so we check that a fresh wrapper still has them (see
# _rebuild_lgbm_wrapper) and fail clearly instead of returning a wrapper that breaks at predict time.
_LGBM_STATE = ("_Booster", "_n_features", "_n_features_in", "_fitted_with_feature_names",
               "_best_iteration", "_best_score", "_evals_result", "_objective")
_LGBM_CLASSIFIER_STATE = ("_classes", "_n_classes", "_class_map")


@dataclass(frozen=True)
class Encoded:
    """A model turned into the files of its format, ready to be written."""

    format: str
    files: dict[str, bytes]


def _refusal(nodes: list[str]) -> str:
    return (
        f"it names types outside the registry's allow-list: {', '.join(nodes)}. Only the exact types of "
        f"the pipelines shopmine saves are read, because reading a skops file builds every type it names"
    )


# -- writing ------------------------------------------------------------------------------------
def encode(model: Any) -> Encoded:
    """Turn ``model`` into the files of its format, in memory.

    Parameters
    ----------
    model : object
        A model of one of the :data:`SUPPORTED_MODELS` types.

    Returns
    -------
    Encoded
        The format name and ``{file name: content}``, the model file first.

    Raises
    ------
    ShopmineInputError
        When the model's type is not supported, it is not fitted, or its content cannot be stored.
    """
    if isinstance(model, ArrayBundle):
        return _encode_npz(model)
    if isinstance(model, dict):
        payload = to_jsonable(model, "the model dict", nonfinite="error")
        text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        return Encoded(FORMAT_JSON, {MODEL_FILES[FORMAT_JSON]: text.encode("utf-8")})

    import lightgbm
    import sklearn.base

    if isinstance(model, lightgbm.Booster):
        text = model.model_to_string()
        return Encoded(FORMAT_LGBM_BOOSTER, {MODEL_FILES[FORMAT_LGBM_BOOSTER]: text.encode("utf-8")})
    if isinstance(model, lightgbm.LGBMModel):
        return _encode_lgbm_wrapper(model)
    if isinstance(model, sklearn.base.BaseEstimator):
        return _encode_skops(model)
    raise ShopmineInputError(
        f"cannot save a {type(model).__module__}.{type(model).__qualname__}; the registry supports "
        f"{SUPPORTED_MODELS}."
    )


def _encode_npz(bundle: ArrayBundle) -> Encoded:
    import io

    import numpy as np

    arrays = {}
    for name, value in bundle.arrays.items():
        array = np.asarray(value)
        if not isinstance(name, str) or not name or array.dtype.kind not in _ARRAY_KINDS:
            raise ShopmineInputError(
                f"cannot save array {str(name)[:60]!r} of dtype {array.dtype}: an ArrayBundle holds named numeric, "
                f"boolean or fixed-width string arrays only (an object array would need pickle to be read).")
        arrays[name] = array
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return Encoded(FORMAT_NPZ, {MODEL_FILES[FORMAT_NPZ]: buffer.getvalue()})


def _decode_npz(content: bytes, where: str) -> ArrayBundle:
    import io

    import numpy as np

    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as saved:
            return ArrayBundle({name: saved[name] for name in saved.files})
    except (ValueError, OSError, zipfile.BadZipFile) as exc:  # an object array refuses to load without pickle
        raise ShopmineInputError(f"refusing to load {where}: it is not an array bundle shopmine writes ({exc}); "
                                 f"re-fit the model.") from None


def _encode_skops(model: Any) -> Encoded:
    import skops.io
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except NotFittedError:
        raise ShopmineInputError(
            f"the {type(model).__name__} is not fitted; fit it before saving it to the registry."
        ) from None
    try:
        data = skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED)
    except Exception as exc:  # skops raises various types for objects it cannot persist
        raise ShopmineInputError(
            f"skops cannot save this {type(model).__name__}: {exc}"
        ) from exc
    # Refuse now what load() would refuse later, so that no version is published that cannot be read.
    refused = refused_nodes(skops_nodes(data, "the saved model"))
    if refused:
        raise ShopmineInputError(
            f"cannot save this {type(model).__name__}: {_refusal(refused)}. Save a classic pipeline "
            f"(or a LightGBM model or booster), or add the types to ALLOWED_SKOPS_NODES with a test "
            f"in tests/security/test_model_files.py."
        )
    return Encoded(FORMAT_SKOPS, {MODEL_FILES[FORMAT_SKOPS]: data})


def _encode_lgbm_wrapper(model: Any) -> Encoded:
    import lightgbm

    cls = type(model)
    if cls not in (lightgbm.LGBMRegressor, lightgbm.LGBMClassifier):
        # A subclass or LGBMRanker would come back as something else; their booster can be saved.
        raise ShopmineInputError(
            f"cannot save a {cls.__module__}.{cls.__qualname__}; of LightGBM's scikit-learn wrappers the "
            f"registry supports LGBMRegressor and LGBMClassifier. Save its booster_ (a lightgbm.Booster) "
            f"instead."
        )
    if not model.__sklearn_is_fitted__():
        raise ShopmineInputError(
            f"the {cls.__name__} is not fitted; fit it before saving it to the registry."
        )
    if callable(model.objective) or callable(model._objective):
        raise ShopmineInputError(
            f"cannot save a {cls.__name__} with a custom objective function: LightGBM's text format "
            f"stores no Python functions. Use a built-in objective, or save model.booster_."
        )
    params = model.get_params(deep=False)
    class_weight = params.pop("class_weight", None)
    state: dict[str, Any] = {
        "class": cls.__name__,
        "params": to_jsonable(params, f"{cls.__name__} parameter", nonfinite="error"),
        # JSON object keys are strings only; pairs keep class labels such as 0 and 1 as they are.
        "class_weight": (
            {"pairs": to_jsonable(list(class_weight.items()), f"{cls.__name__} class_weight")}
            if isinstance(class_weight, Mapping)
            else to_jsonable(class_weight, f"{cls.__name__} class_weight")
        ),
        "objective": model._objective,
        "n_features_in": int(model._n_features_in),
        "fitted_with_feature_names": bool(model._fitted_with_feature_names),
        "best_iteration": int(model._best_iteration),
        "best_score": to_jsonable(model._best_score, f"{cls.__name__} best_score_", nonfinite="null"),
    }
    if isinstance(model, lightgbm.LGBMClassifier):
        classes = model.classes_
        state["classes"] = {
            "dtype": str(classes.dtype),
            "values": to_jsonable(classes.tolist(), f"{cls.__name__} classes_"),
        }
    wrapper = json.dumps(state, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return Encoded(FORMAT_LGBM_SKLEARN, {
        MODEL_FILES[FORMAT_LGBM_SKLEARN]: model.booster_.model_to_string().encode("utf-8"),
        "wrapper.json": wrapper.encode("utf-8"),
    })


# -- reading ------------------------------------------------------------------------------------
def decode(fmt: str, files: Mapping[str, bytes], where: str) -> Any:
    """Rebuild a model from the verified contents of its files.

    Parameters
    ----------
    fmt : str
        The format recorded in ``metadata.json``.
    files : mapping of str to bytes
        ``{file name: content}``, as checked against the recorded checksums.
    where : str
        The version folder, for error messages.

    Returns
    -------
    object
        The model.

    Raises
    ------
    ShopmineInputError
        When a skops file names a type outside the allow-list (checked on the raw file, before skops
        builds anything), ``wrapper.json`` names a class other than the two LightGBM wrappers, or a
        JSON file is not plain JSON.
    ShopmineRunError
        When a file cannot be read back.
    """
    model_file = MODEL_FILES[fmt]
    content = files[model_file]
    if fmt == FORMAT_JSON:
        return _plain_json(content, f"{where}/{model_file}")
    if fmt == FORMAT_NPZ:
        return _decode_npz(content, f"{where}/{model_file}")
    if fmt == FORMAT_SKOPS:
        import skops.io

        nodes = skops_nodes(content, f"{where}/{model_file}")
        refused = refused_nodes(nodes)
        if refused:
            raise ShopmineInputError(
                f"refusing to load {where}/{model_file}: {_refusal(refused)}. Re-fit the model."
            )
        # Every name is on the allow-list: trust exactly those, no more (skops trusts nothing else).
        return skops.io.loads(content, trusted=sorted({name for name, _ in nodes}))

    import lightgbm

    state = _plain_json(files["wrapper.json"], f"{where}/wrapper.json") if fmt == FORMAT_LGBM_SKLEARN else None
    if state is not None:
        _check_wrapper_state(state, f"{where}/wrapper.json")
    booster = lightgbm.Booster(model_str=content.decode("utf-8"))
    if fmt == FORMAT_LGBM_BOOSTER:
        return booster
    return _rebuild_lgbm_wrapper(booster, state, f"{where}/wrapper.json")


def _plain_json(content: bytes, where: str) -> Any:
    """Parse strict JSON: no NaN/Infinity, which the registry never writes."""
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(content.decode("utf-8"), parse_constant=refuse)
    except ValueError as exc:  # also UnicodeDecodeError
        raise ShopmineInputError(f"refusing to load {where}: it is not plain JSON ({exc}); re-fit the model.") from None


#: The keys ``wrapper.json`` holds (``classes`` only for a classifier), see :func:`_encode_lgbm_wrapper`.
_WRAPPER_KEYS = frozenset({"class", "params", "class_weight", "objective", "n_features_in",
                           "fitted_with_feature_names", "best_iteration", "best_score"})
_WRAPPER_CLASSES = ("LGBMRegressor", "LGBMClassifier")


def _check_wrapper_state(state: Any, where: str) -> None:
    """Refuse a ``wrapper.json`` that names another class or holds other keys than shopmine writes."""
    if not isinstance(state, dict) or state.get("class") not in _WRAPPER_CLASSES:
        name = state.get("class") if isinstance(state, dict) else None
        raise ShopmineInputError(
            f"refusing to load {where}: it names the class {name!r}; only "
            f"{' and '.join(_WRAPPER_CLASSES)} are read. Re-fit the model."
        )
    expected = _WRAPPER_KEYS | ({"classes"} if state["class"] == "LGBMClassifier" else set())
    if set(state) != expected or not isinstance(state["params"], dict) or not isinstance(state["objective"], str):
        raise ShopmineInputError(
            f"refusing to load {where}: its keys or values are not the ones shopmine writes. Re-fit the model."
        )


def _rebuild_lgbm_wrapper(booster: Any, state: dict[str, Any], where: str) -> Any:
    """Return a fitted LGBMRegressor/LGBMClassifier around ``booster``.

    LightGBM has no public way to build a fitted wrapper from a booster, so this sets the fitted state
    its ``fit`` sets (:data:`_LGBM_STATE`). The wrapper then predicts exactly like the saved one
    (``predict``, ``predict_proba``, ``classes_``, ``feature_names_in_``) and can be refitted; the
    registry's tests compare predictions to guard this against LightGBM changes.
    """
    import lightgbm
    import numpy as np
    from sklearn.preprocessing import LabelEncoder

    classes = {"LGBMRegressor": lightgbm.LGBMRegressor, "LGBMClassifier": lightgbm.LGBMClassifier}
    cls = classes.get(state.get("class", ""))
    if cls is None:
        raise ShopmineRunError(
            f"{where} names the class {state.get('class')!r}, which the registry does not know."
        )
    params = dict(state["params"])
    weight = state["class_weight"]
    params["class_weight"] = (
        {key: value for key, value in weight["pairs"]} if isinstance(weight, dict) else weight
    )
    model = cls(**params)
    expected = _LGBM_STATE + (_LGBM_CLASSIFIER_STATE if cls is lightgbm.LGBMClassifier else ())
    missing = [name for name in expected if not hasattr(model, name)]
    if missing:
        raise ShopmineRunError(
            f"cannot rebuild the {cls.__name__} of {where}: this LightGBM ({lightgbm.__version__}) no longer "
            f"has the attributes {', '.join(missing)}. The booster is intact: load model.txt with "
            f"lightgbm.Booster(model_file=...)."
        )
    model._Booster = booster
    model._n_features = booster.num_feature()
    model._n_features_in = state["n_features_in"]
    model._fitted_with_feature_names = state["fitted_with_feature_names"]
    model._objective = state["objective"]
    model._best_iteration = state["best_iteration"]
    model._best_score = state["best_score"]
    model._evals_result = {}
    booster.best_iteration = state["best_iteration"]
    if cls is lightgbm.LGBMClassifier:
        labels = np.asarray(state["classes"]["values"], dtype=state["classes"]["dtype"])
        encoder = LabelEncoder()
        encoder.classes_ = labels
        model._le = encoder
        model._classes = labels
        model._n_classes = len(labels)
        model._class_map = {label: code for code, label in enumerate(labels.tolist())}
        per_iteration = len(labels) if len(labels) > 2 else 1
        if booster.num_model_per_iteration() != per_iteration:
            raise ShopmineRunError(
                f"{where} lists {len(labels)} classes but model.txt has {booster.num_model_per_iteration()} "
                f"trees per iteration; the files do not belong together."
            )
    if model._n_features != model._n_features_in:
        raise ShopmineRunError(
            f"{where} records {model._n_features_in} features but model.txt has {model._n_features}; "
            f"the files do not belong together."
        )
    model.fitted_ = True
    return model
