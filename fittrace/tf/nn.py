"""``tf.nn``: the activations and fused cross-entropies courses call directly, over fittrace's autodiff ops.

Mirrors ``tensorflow/python/ops/nn_ops.py`` / ``nn_impl.py``: ``relu``, ``sigmoid``, ``tanh``, ``softmax``,
``log_softmax``, ``gelu``, ``l2_normalize``, ``sparse_softmax_cross_entropy_with_logits`` and
``softmax_cross_entropy_with_logits`` (per-example losses, to be averaged by the caller), ``sigmoid_cross_entropy_
with_logits``.

    >>> float(sparse_softmax_cross_entropy_with_logits(labels=[0], logits=[[0.0, 0.0]])[0])  # log 2
    0.6931...

Left out: convolution and pooling ops (use the Keras layers), dropout, ``moments``, ``batch_normalization``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace import autodiff
from fittrace.autodiff import Tensor
from fittrace.tf.array_ops import convert_to_tensor
from fittrace.tf.math import sigmoid, softmax, tanh

relu, gelu = autodiff.relu, autodiff.gelu


def log_softmax(logits: Any, axis: int = -1, name: Any = None) -> Tensor:
    return autodiff.log_softmax(convert_to_tensor(logits), axis=axis)


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Any = None) -> Tensor:
    return autodiff.l2_normalize(convert_to_tensor(x), axis=axis, epsilon=epsilon)


def sparse_softmax_cross_entropy_with_logits(labels: Any, logits: Any, name: Any = None) -> Tensor:
    """Each example's ``-log softmax(logits)[label]`` (integer ``labels``, one fewer axis than ``logits``)."""
    z = convert_to_tensor(logits)
    lab = np.asarray(getattr(labels, "value", labels)).astype(np.int64)
    return autodiff.sparse_softmax_cross_entropy(lab, z)


def softmax_cross_entropy_with_logits(
    labels: Any, logits: Any, axis: int = -1, name: Any = None
) -> Tensor:
    """Each example's ``-sum(labels * log softmax(logits))`` (``labels`` a distribution over the classes)."""
    z = convert_to_tensor(logits)
    y = convert_to_tensor(labels, dtype=z.dtype)
    return autodiff.negative(
        autodiff.reduce_sum(autodiff.multiply(y, log_softmax(z, axis)), axis=axis)
    )


def sigmoid_cross_entropy_with_logits(labels: Any, logits: Any, name: Any = None) -> Tensor:
    """``max(z, 0) - z * y + log(1 + exp(-|z|))`` elementwise, TF's stable form."""
    z = convert_to_tensor(logits)
    y = convert_to_tensor(labels, dtype=z.dtype)
    relu_z = autodiff.relu(z)
    soft = autodiff.log(autodiff.add(1.0, autodiff.exp(autodiff.negative(autodiff.abs(z)))))
    return autodiff.add(autodiff.subtract(relu_z, autodiff.multiply(z, y)), soft)


__all__ = [
    "gelu", "l2_normalize", "log_softmax", "relu", "sigmoid", "sigmoid_cross_entropy_with_logits", "softmax",
    "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits", "tanh",
]  # fmt: skip
