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


def test_a_variable_without_gradient_is_skipped_with_keras_warning_once(capsys):
    used, unused = _var([1.0], "d/used:0"), _var([2.0], "d/unused:0")
    opt = optimizers.SGD(learning_rate=0.5)
    for _ in range(2):
        opt.apply_gradients([(np.array([1.0], "float32"), used), (None, unused)])
    assert float(used.numpy()[0]) == 0.0 and float(unused.numpy()[0]) == 2.0
    err = capsys.readouterr().err
    assert err.count("Gradients do not exist for variables ['d/unused:0'] when minimizing the loss.") == 1


def test_no_gradient_at_all_is_keras_value_error():
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match=r"^No gradients provided for any variable: \(\['a:0', 'b:0'\],\)\. "):
        opt.apply_gradients([(None, _var([1.0], "a:0")), (None, _var([1.0], "b:0"))])


def test_a_traced_fit_with_a_weight_the_loss_does_not_use_keeps_its_norm_as_none():
    # it used to fail while summing the step's gradient norms
    import fittrace
    from fittrace.keras import layers
    from fittrace.keras.models import Sequential

    class Extra(layers.Layer):
        def build(self, input_shape):
            self.used = self.add_weight(name="used", shape=(input_shape[-1],), initializer="ones")
            self.unused = self.add_weight(name="unused", shape=(3,), initializer="ones")

        def call(self, x):
            return x * self.used

    model = Sequential([layers.Dense(2, kernel_initializer="ones"), Extra()])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(detail="default") as run:
        model.fit(np.ones((8, 4), "float32"), np.zeros((8, 2), "float32"), batch_size=4, verbose=0)
    steps = [e for e in run.events if e.kind == "step"]
    assert len(steps) == 2
    for step in steps:
        norms = step.data["grad_norms"]
        assert norms["extra/unused:0"] is None
        assert step.data["grad_norm"] == pytest.approx(math.sqrt(sum(v * v for v in norms.values() if v is not None)))
    assert [e.name for e in run.events if e.kind == "warning"] == ["filter_empty_gradients"]
