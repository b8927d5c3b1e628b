"""The model registry: versioned model files with metadata, never pickled.

``ModelRegistry(root, key=...)`` keeps each model as ``<root>/<name>/v<N>/`` with the model file and
``metadata.json`` (format, UTC creation time, SHA-256 checksums, library versions, the caller's
metadata), signed with HMAC-SHA256 under a key kept outside the model folder
(:mod:`shopmine.registry.signing`); skops files are read only through the exact allow-list of
:mod:`shopmine.registry.skops_types`. See :class:`ModelRegistry` for the supported model types.
"""

from shopmine.registry.store import ModelRegistry, ModelVersion

__all__ = ["ModelRegistry", "ModelVersion"]
