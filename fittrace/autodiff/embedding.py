"""The embedding lookup, one fused op: rows of a table picked by integer ids, the gradient a dense scatter-add.

Stands where ``tf.nn.embedding_lookup`` stands under tf-keras's Embedding. The backward pass adds each output
row's gradient into the row of the table it came from (ids seen twice get both); the gradient is a dense array of
the table's shape (TensorFlow gives an IndexedSlices; fittrace has no sparse gradients).

    >>> table = Tensor(np.arange(6, dtype="float32").reshape(3, 2))
    >>> embedding_lookup(table, np.array([[2, 0]])).value.tolist()
    [[[4.0, 5.0], [0.0, 1.0]]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fittrace.autodiff.ops import Tensor, _op, _t


def embedding_lookup(params: Any, ids: Any) -> Tensor:
    """``params[ids]``: for ids of shape S and a table (n, d), a tensor of shape S + (d,). The ids must be
    integers in [0, n) (the caller checks them)."""
    params = _t(params)
    ids = np.asarray(getattr(ids, "value", ids))
    table = params.value

    def backward(g: np.ndarray) -> tuple[Any]:
        grad = np.zeros_like(table)
        np.add.at(grad, ids.reshape(-1), g.reshape(-1, table.shape[-1]))
        return (grad,)

    return _op(table[ids], (params,), backward)
