"""Optimizers: updates against hand-computed values, lazy slots, clipping, identifiers, events."""
from __future__ import annotations

import math

import numpy as np
import pytest

from fittrace import optimizers
from fittrace.autodiff import Variable
from fittrace.tracing.recorder import Recorder


def _var(values, name="w"):
    return Variable(np.array(values, dtype="float32"), name=name)


def test_rmsprop_first_step_epsilon_inside_sqrt():
    w = _var([1.0])
    optimizers.RMSprop(learning_rate=1.0).apply_gradients([(np.array([1e-4], "float32"), w)])
    assert 1.0 - float(w.numpy()[0]) == pytest.approx(0.314658, rel=1e-4)


def test_rmsprop_two_steps_by_hand():
    w = _var([0.5])
    opt = optimizers.RMSprop(learning_rate=0.01, rho=0.9)
    v, x = 0.0, 0.5
    for g in (0.2, -0.1):
        opt.apply_gradients([(np.array([g], "float32"), w)])
        v = 0.9 * v + 0.1 * g * g
        x -= 0.01 * g / math.sqrt(v + 1e-7)
    assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-5)


def test_sgd_momentum_and_nesterov_by_hand():
    for nesterov in (False, True):
        w = _var([1.0])
        opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
        m, x = 0.0, 1.0
        for g in (1.0, 0.5):
            opt.apply_gradients([(np.array([g], "float32"), w)])
            m = 0.9 * m - 0.1 * g
            x += (0.9 * m - 0.1 * g) if nesterov else m
        assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-6), nesterov


def test_adam_two_steps_by_hand():
    w = _var([0.0])
    opt = optimizers.Adam(learning_rate=0.1)
    m = v = 0.0
    x = 0.0
    for t, g in enumerate((0.5, -0.25), start=1):
        opt.apply_gradients([(np.array([g], "float32"), w)])
        m += (g - m) * 0.1
        v += (g * g - v) * 0.001
        alpha = 0.1 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        x -= m * alpha / (math.sqrt(v) + 1e-7)
    assert float(w.numpy()[0]) == pytest.approx(x, rel=1e-5)


def test_large_variables_split_across_threads_give_the_same_result():
    rng = np.random.default_rng(0)
    g = rng.normal(size=(300, 400)).astype("float32")
    big, small = _var(np.ones((300, 400))), _var(np.ones((300, 400)))
    optimizers.RMSprop().apply_gradients([(g, big)])
    opt = optimizers.RMSprop()
    opt.build([small])
    opt.update_step(g, small.value, {k: s.value for k, s in opt._slots[id(small)].items()},
                    opt._buffers[id(small)], 0.001)
    np.testing.assert_array_equal(big.numpy(), small.numpy())


def test_slots_created_on_first_update_only_with_events():
    w1, w2 = _var([1.0, 2.0], "d/kernel:0"), _var([0.0], "d/bias:0")
    opt = optimizers.RMSprop()
    rec = Recorder("full").start()
    opt.apply_gradients([(np.array([0.1, 0.1], "float32"), w1), (np.array([0.2], "float32"), w2)])
    opt.apply_gradients([(np.array([0.1, 0.1], "float32"), w1), (np.array([0.2], "float32"), w2)])
    rec.stop()
    slots = [e for e in rec.events if e.kind == "optimizer_slots"]
    assert len(slots) == 1 and slots[0].data["slots"] == ["RMSprop/velocity/d/kernel:0", "RMSprop/velocity/d/bias:0"]
    updates = [e.data for e in rec.events if e.kind == "optimizer_update"]
    assert [u["slots_created"] != [] for u in updates] == [True, True, False, False]
    assert updates[0]["hyperparameters"]["learning_rate"] == pytest.approx(0.001)
    assert opt.iterations == 2 and len(opt.variables()) == 2
    assert set(opt.last_update_norms) == {"d/kernel:0", "d/bias:0"}


def test_clipping():
    w = _var([0.0, 0.0])
    optimizers.SGD(learning_rate=1.0, clipnorm=1.0).apply_gradients([(np.array([3.0, 4.0], "float32"), w)])
    np.testing.assert_allclose(w.numpy(), [-0.6, -0.8], rtol=1e-6)
    w = _var([0.0, 0.0])
    optimizers.SGD(learning_rate=1.0, clipvalue=0.5).apply_gradients([(np.array([3.0, -0.2], "float32"), w)])
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.2], rtol=1e-6)


def test_get_identifiers():
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get({"class_name": "adam", "config": {"learning_rate": 0.5}}), optimizers.Adam)
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError, match="Unknown optimizer: 'nope'"):
        optimizers.get("nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)
