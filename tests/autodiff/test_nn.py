"""The neural-network ops: ``fittrace/autodiff/nn.py`` (their gradients are checked with the op
table's in test_ops.py)."""

from __future__ import annotations

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor


def test_softmax_keeps_its_logits():
    z = Tensor(np.array([[1.0, 2.0]], "float32"))
    assert ops.softmax(z)._keras_logits is z
