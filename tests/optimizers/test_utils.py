"""Missing gradients and clipping: ``fittrace/optimizers/utils.py``."""

from __future__ import annotations

import numpy as np
import pytest
from optimizer_steps import variable

from fittrace import optimizers


def test_clipping():
    w = variable([0.0, 0.0])
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply_gradients(
        [(np.array([3.0, 4.0], "float32"), w)]
    )
    np.testing.assert_allclose(w.numpy(), [-0.6, -0.8], rtol=1e-6)
    w = variable([0.0, 0.0])
    optimizers.SGD(learning_rate=1.0, clipvalue=0.5).apply_gradients(
        [(np.array([3.0, -0.2], "float32"), w)]
    )
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.2], rtol=1e-6)


def test_a_variable_without_gradient_is_skipped_with_keras_warning_once(capsys):
    used, unused = variable([1.0], "d/used:0"), variable([2.0], "d/unused:0")
    opt = optimizers.SGD(learning_rate=0.5)
    for _ in range(2):
        opt.apply_gradients([(np.array([1.0], "float32"), used), (None, unused)])
    assert float(used.numpy()[0]) == 0.0 and float(unused.numpy()[0]) == 2.0
    err = capsys.readouterr().err
    assert (
        err.count("Gradients do not exist for variables ['d/unused:0'] when minimizing the loss.")
        == 1
    )


def test_no_gradient_at_all_is_keras_value_error():
    opt = optimizers.SGD()
    with pytest.raises(
        ValueError, match=r"^No gradients provided for any variable: \(\['a:0', 'b:0'\],\)\. "
    ):
        opt.apply_gradients([(None, variable([1.0], "a:0")), (None, variable([1.0], "b:0"))])
