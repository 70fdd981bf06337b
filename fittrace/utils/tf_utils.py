"""Logs as Python numbers: what callbacks, ``History`` and the ``*_on_batch`` methods are handed.

Mirrors ``sync_to_numpy_or_python_type`` of tf_keras/src/utils/tf_utils.py, for the flat logs dict fittrace's steps
return; and the few ``tf.nest`` functions the functional API needs on nested lists, tuples and dicts
(``flatten``, ``map_structure``, ``pack_sequence_as``). Left out: TensorFlow tensors (fittrace has none),
namedtuples and attrs classes as nests.

    >>> import numpy as np
    >>> logs_to_floats({"loss": np.float32(0.5), "accuracy": 0.75})
    {'loss': 0.5, 'accuracy': 0.75}
"""

from __future__ import annotations

from typing import Any

from fittrace.autodiff import to_numpy


def logs_to_floats(logs: Any) -> dict[str, float]:
    """Each value of ``logs`` as a float (an empty dict for None or empty logs)."""
    if not logs:
        return {}
    return {k: v if type(v) is float else float(to_numpy(v)) for k, v in logs.items()}


def flatten(structure: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts (dict values in sorted-key order), as ``tf.nest.flatten``."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn: Any, structure: Any) -> Any:
    """``fn`` applied to every leaf, keeping the nesting (lists stay lists, tuples tuples, dicts dicts)."""
    if isinstance(structure, list):
        return [map_structure(fn, item) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def pack_sequence_as(structure: Any, flat: list[Any]) -> Any:
    """The inverse of :func:`flatten`: ``flat``'s items put back into ``structure``'s nesting."""
    items = iter(flat)

    def take(node: Any) -> Any:
        if isinstance(node, list):
            return [take(item) for item in node]
        if isinstance(node, tuple):
            return tuple(take(item) for item in node)
        if isinstance(node, dict):
            return {
                key: packed[key]
                for packed in [{k: take(node[k]) for k in sorted(node)}]
                for key in node
            }
        return next(items)

    return take(structure)
