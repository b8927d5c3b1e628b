"""The model registry: versioned model files with metadata, never pickled.

``ModelRegistry(root)`` keeps each model as ``<root>/<name>/v<N>/`` with the model file and
``metadata.json`` (format, UTC creation time, SHA-256 checksum, library versions, the caller's
metadata). See :class:`ModelRegistry` for the supported model types and their files.
"""

from shopmine.registry.store import ModelRegistry, ModelVersion

__all__ = ["ModelRegistry", "ModelVersion"]
