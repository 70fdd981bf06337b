"""Adagrad, Adadelta, Adamax, Nadam, AdamW: three updates of one weight against the rules written out by hand,
their slots, and their names. tests/test_keras_parity.py trains with each against TF-Keras."""
from __future__ import annotations

import math

import numpy as np
import pytest

from fittrace import optimizers
from fittrace.autodiff import Variable
from fittrace.keras import optimizers as keras_optimizers

GRADS = (0.5, -0.25, 0.125)


def _run(opt, start=1.0):
    w = Variable(np.array([start], dtype="float32"), name="w")
    for g in GRADS:
        opt.apply_gradients([(np.array([g], "float32"), w)])
    return float(w.numpy()[0])


def test_adagrad_by_hand():
    acc, x = 0.1, 1.0
    for g in GRADS:
        acc += g * g
        x -= 0.1 * g / math.sqrt(acc + 1e-7)
    assert _run(keras_optimizers.Adagrad(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)


def test_adadelta_by_hand():
    eg = edx = 0.0
    x = 1.0
    for g in GRADS:
        eg = 0.95 * eg + 0.05 * g * g
        dx = -math.sqrt(edx + 1e-7) * g / math.sqrt(eg + 1e-7)
        edx = 0.95 * edx + 0.05 * dx * dx
        x += 1.0 * dx
    assert _run(keras_optimizers.Adadelta(learning_rate=1.0)) == pytest.approx(x, rel=1e-5)


def test_adamax_by_hand():
    m = u = 0.0
    x = 1.0
    for t, g in enumerate(GRADS, start=1):
        m += (g - m) * 0.1
        u = max(0.999 * u, abs(g))
        x -= 0.1 * m / ((1 - 0.9 ** t) * (u + 1e-7))
    assert _run(keras_optimizers.Adamax(learning_rate=0.1)) == pytest.approx(x, rel=1e-5)


def test_nadam_by_hand_with_its_momentum_schedule():
    m = v = 0.0
    x, product = 1.0, 1.0
    for t, g in enumerate(GRADS, start=1):
        u_t, u_next = 0.9 * (1 - 0.5 * 0.96 ** t), 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= u_t
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        m_hat = u_next * m / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
        x -= 0.1 * m_hat / (math.sqrt(v / (1 - 0.999 ** t)) + 1e-7)
    opt = keras_optimizers.Nadam(learning_rate=0.1)
    assert _run(opt) == pytest.approx(x, rel=1e-5)
    w2 = Variable(np.array([1.0, 2.0], dtype="float32"), name="w2")     # several variables: one product per step
    w3 = Variable(np.array([3.0], dtype="float32"), name="w3")
    two = keras_optimizers.Nadam(learning_rate=0.1)
    two.apply_gradients([(np.array([0.5, 0.5], "float32"), w2), (np.array([0.5], "float32"), w3)])
    assert float(w2.numpy()[0]) - 1.0 == pytest.approx(float(w3.numpy()[0]) - 3.0, abs=1e-6)


def test_adamw_is_adam_after_decoupled_decay():
    m = v = 0.0
    x = 1.0
    for t, g in enumerate(GRADS, start=1):
        x -= x * 0.5 * 0.1                                   # weight decay first: w -= w * wd * lr
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        x -= m * 0.1 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) / (math.sqrt(v) + 1e-7)
    assert _run(keras_optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)) == pytest.approx(x, rel=1e-5)
    assert keras_optimizers.AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="Missing value of `weight_decay` which is required"):
        keras_optimizers.AdamW(weight_decay=None)


@pytest.mark.parametrize("name, cls, slots", [
    ("adagrad", "Adagrad", ["accumulator"]), ("Adadelta", "Adadelta", ["accumulated_grad", "accumulated_delta_var"]),
    ("ADAMAX", "Adamax", ["m", "u"]), ("nadam", "Nadam", ["m", "v"]), ("adamw", "AdamW", ["m", "v"])])
def test_names_resolve_and_slots_are_made_on_the_first_update(name, cls, slots):
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls and opt.name == cls
    assert type(optimizers.get({"class_name": cls, "config": {"learning_rate": 0.5}})).__name__ == cls
    w = Variable(np.zeros(3, "float32"), name="dense/kernel:0")
    assert opt.variables() == []
    opt.apply_gradients([(np.ones(3, "float32"), w)])
    assert [s.name for s in opt.variables()] == [f"{cls}/{s}/dense/kernel:0" for s in slots]
    if cls == "Adagrad":
        assert float(opt.get_slot(w, "accumulator").numpy()[0]) == pytest.approx(1.1)     # 0.1 + 1^2
