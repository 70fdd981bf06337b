"""The optimizer base class: lazy slots and their events, updates split across threads, a traced fit's update
norms: ``fittrace/optimizers/optimizer.py``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from optimizer_steps import variable

from fittrace import optimizers
from fittrace.tracing.recorder import Recorder


def test_large_variables_split_across_threads_give_the_same_result():
    """A variable big enough to be updated in parts, on several threads, gets RMSprop's rule exactly as a small
    one does: the first step, written out in float32."""
    rng = np.random.default_rng(0)
    g = rng.normal(size=(300, 400)).astype("float32")
    big = variable(np.ones((300, 400)))
    optimizers.RMSprop().apply_gradients([(g, big)])
    v = np.float32(1 - 0.9) * g * g
    expected = np.float32(1) - np.float32(0.001) * g / np.sqrt(v + np.float32(1e-7))
    np.testing.assert_allclose(big.numpy(), expected, rtol=1e-6)
    small = variable(np.ones((3, 4)))
    optimizers.RMSprop().apply_gradients([(g[:3, :4], small)])
    np.testing.assert_array_equal(small.numpy(), big.numpy()[:3, :4])


def test_slots_created_on_first_update_only_with_events():
    w1, w2 = variable([1.0, 2.0], "d/kernel:0"), variable([0.0], "d/bias:0")
    opt = optimizers.RMSprop()
    rec = Recorder("full").start()
    opt.apply_gradients([(np.array([0.1, 0.1], "float32"), w1), (np.array([0.2], "float32"), w2)])
    opt.apply_gradients([(np.array([0.1, 0.1], "float32"), w1), (np.array([0.2], "float32"), w2)])
    rec.stop()
    slots = [e for e in rec.events if e.kind == "optimizer_slots"]
    assert len(slots) == 1 and slots[0].data["slots"] == [
        "RMSprop/velocity/d/kernel:0",
        "RMSprop/velocity/d/bias:0",
    ]
    updates = [e.data for e in rec.events if e.kind == "optimizer_update"]
    assert [u["slots_created"] != [] for u in updates] == [True, True, False, False]
    assert updates[0]["hyperparameters"]["learning_rate"] == pytest.approx(0.001)
    assert opt.iterations == 2 and len(opt.variables()) == 2
    assert set(opt.last_update_norms) == {"d/kernel:0", "d/bias:0"}


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
        assert step.data["grad_norm"] == pytest.approx(
            math.sqrt(sum(v * v for v in norms.values() if v is not None))
        )
    assert [e.name for e in run.events if e.kind == "warning"] == ["filter_empty_gradients"]
