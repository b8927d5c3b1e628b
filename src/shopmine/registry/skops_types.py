"""The exact types a ``model.skops`` may name, checked on the raw file before skops builds anything.

skops rebuilds every type its ``schema.json`` names: it imports the module and calls the type (or a
function) in the way the node's loader says. A crafted file can therefore name any importable callable,
for instance ``sklearn.utils._testing.assert_run_python_script_without_output``, which runs a Python
script. skops' own default trust covers every scikit-learn estimator, so ``skops.io.get_untrusted_types``
does not list everything either. We read ``schema.json`` ourselves (plain JSON, no imports) and accept a
file only when every node is one of the (type, loader) pairs below: the pipelines shopmine itself saves.

The list was made by saving every classic model (linear, tree, k-means, logistic; numeric, text and date
columns, missing values, text/int/bool targets, every penalty) and listing the nodes of their files;
``tests/security/test_model_files.py`` saves them again, so the list cannot silently go stale.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from shopmine.errors import ShopmineInputError

#: ``"module.Name"`` -> the skops loader it may be read with. Exact names, no prefixes.
ALLOWED_SKOPS_NODES: dict[str, frozenset[str]] = {
    # the classic pipelines: preprocessing ...
    "sklearn.pipeline.Pipeline": frozenset({"ObjectNode"}),
    "sklearn.compose._column_transformer.ColumnTransformer": frozenset({"ObjectNode"}),
    "sklearn.impute._base.SimpleImputer": frozenset({"ObjectNode"}),
    "sklearn.preprocessing._encoders.OneHotEncoder": frozenset({"ObjectNode"}),
    "sklearn.preprocessing._data.StandardScaler": frozenset({"ObjectNode"}),
    # ... and the four models
    "sklearn.linear_model._base.LinearRegression": frozenset({"ObjectNode"}),
    "sklearn.tree._classes.DecisionTreeClassifier": frozenset({"ObjectNode"}),
    "sklearn.tree._tree.Tree": frozenset({"TreeNode"}),
    "sklearn.cluster._kmeans.KMeans": frozenset({"ObjectNode"}),
    "sklearn.linear_model._logistic.LogisticRegression": frozenset({"ObjectNode"}),
    # numpy: arrays and scalars (read with np.load(allow_pickle=False)), dtypes, and the dtype
    # parameter of OneHotEncoder (the type numpy.float64 itself)
    "numpy.ndarray": frozenset({"NdArrayNode"}),
    "numpy.float64": frozenset({"NdArrayNode", "TypeNode"}),
    "numpy.int64": frozenset({"NdArrayNode"}),
    "numpy.dtype": frozenset({"DTypeNode"}),
    # plain values and containers; "builtins.str" with JsonNode is how skops stores every JSON value,
    # and a dict records the type of each of its keys (str) as a TypeNode
    "builtins.str": frozenset({"JsonNode", "TypeNode"}),
    "builtins.dict": frozenset({"DictNode"}),
    "builtins.list": frozenset({"ListNode"}),
    "builtins.tuple": frozenset({"TupleNode"}),
    "builtins.slice": frozenset({"SliceNode"}),
}


def skops_nodes(data: bytes, where: str) -> set[tuple[str, str]]:
    """Return every ``("module.Name", loader)`` pair a skops file's ``schema.json`` names.

    Nothing is imported or built: the file is read as a zip archive and its schema as JSON.

    Parameters
    ----------
    data : bytes
        The content of a ``.skops`` file.
    where : str
        The file, for error messages.

    Returns
    -------
    set of tuple of str

    Raises
    ------
    ShopmineInputError
        When the content is not a zip archive with a JSON ``schema.json``, or was written with
        another skops protocol than the installed skops writes.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ShopmineInputError(
            f"{where} is not a skops file ({exc}); re-fit the model to save it again."
        ) from None
    # Older protocols read some nodes with older loader classes (skops/io/old); shopmine's files are
    # all written by the installed skops, so any other protocol is refused rather than audited.
    from skops.io._protocol import PROTOCOL

    protocol = schema.get("protocol") if isinstance(schema, dict) else None
    if protocol != PROTOCOL or isinstance(protocol, bool):
        raise ShopmineInputError(
            f"{where} was written with skops protocol {protocol!r}, and the installed skops writes "
            f"protocol {PROTOCOL}; re-fit the model to save it again."
        )
    found: set[tuple[str, str]] = set()
    _walk(schema, found)
    return found


def _walk(node: Any, found: set[tuple[str, str]]) -> None:
    # Every dict with a loader is a node; anything else (lists, plain dicts) may contain nodes.
    # Iterative, so that a deeply nested crafted schema cannot exhaust the recursion limit.
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__loader__" in item:
                found.add((f"{item.get('__module__')}.{item.get('__class__')}", str(item["__loader__"])))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def refused_nodes(nodes: set[tuple[str, str]]) -> list[str]:
    """Return the nodes outside :data:`ALLOWED_SKOPS_NODES`, as sorted ``"module.Name (Loader)"``.

    Parameters
    ----------
    nodes : set of tuple of str
        As returned by :func:`skops_nodes`.

    Returns
    -------
    list of str
    """
    return sorted(
        f"{name} ({loader})" for name, loader in nodes
        if loader not in ALLOWED_SKOPS_NODES.get(name, frozenset())
    )
