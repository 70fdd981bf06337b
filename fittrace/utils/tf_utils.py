"""Logs as Python numbers: what callbacks, ``History`` and the ``*_on_batch`` methods are handed.

Mirrors ``sync_to_numpy_or_python_type`` of tf_keras/src/utils/tf_utils.py, for the flat logs dict fittrace's steps
return. Left out: nested structures and TensorFlow tensors (fittrace has none).

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
