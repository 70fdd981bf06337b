"""train_on_batch, test_on_batch, predict_on_batch: one call of the train/test/predict function on one batch, with
Keras 2's return values, metric resets and errors (tests/test_keras_parity.py compares the numbers with TF-Keras)."""
from __future__ import annotations

import numpy as np
import pytest

from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.seeding import set_random_seed
from fittrace.tracing.recorder import Recorder


def _model(steps_per_execution: int = 1) -> Sequential:
    set_random_seed(1)
    m = Sequential([layers.Dense(6, activation="relu"), layers.Dense(3, activation="softmax")])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              steps_per_execution=steps_per_execution)
    return m


def _data(n: int = 12):
    rng = np.random.default_rng(0)
    return rng.random((n, 5)).astype("float64"), rng.integers(0, 3, n)


def test_train_on_batch_makes_one_update_on_the_whole_batch_and_returns_loss_then_metrics():
    x, y = _data()
    m = _model()
    m.build((None, 5))
    before = [w.copy() for w in m.get_weights()]
    logs = m.train_on_batch(x, y)
    assert isinstance(logs, list) and len(logs) == 2 and all(type(v) is float for v in logs)
    assert m.optimizer.iterations == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    assert m.train_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
    assert m.optimizer.iterations == 2


def test_the_same_update_as_a_one_step_fit():
    x, y = _data()
    a, b = _model(), _model()
    a.build((None, 5))
    b.build((None, 5))
    b.set_weights(a.get_weights())
    got = a.train_on_batch(x, y, return_dict=True)
    h = b.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    assert got["loss"] == pytest.approx(h.history["loss"][0], rel=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_metrics_are_reset_per_call_unless_asked_to_accumulate():
    x, y = _data(20)
    m = _model()
    m.test_on_batch(x[:10], y[:10])
    alone = m.test_on_batch(x[10:], y[10:], return_dict=True)
    m.test_on_batch(x[:10], y[:10])
    together = m.test_on_batch(x[10:], y[10:], reset_metrics=False, return_dict=True)
    whole = m.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    assert together == pytest.approx(whole, rel=1e-6)
    assert alone != pytest.approx(together)


def test_test_on_batch_and_predict_on_batch_change_no_weight():
    x, y = _data()
    m = _model()
    m.train_on_batch(x, y)
    weights = [w.copy() for w in m.get_weights()]
    loss = m.test_on_batch(x, y)[0]
    assert loss == pytest.approx(m.evaluate(x, y, verbose=0)[0], rel=1e-6)
    out = m.predict_on_batch(x)
    assert out.dtype == np.float32 and out.shape == (12, 3)
    np.testing.assert_allclose(out, m.predict(x, verbose=0), rtol=1e-6)
    assert all(np.array_equal(a, b) for a, b in zip(weights, m.get_weights()))


def test_a_loss_only_model_gives_a_lone_float():
    m = Sequential([layers.Dense(2)])
    m.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 3), "float32")
    assert type(m.train_on_batch(x, np.zeros((4, 2)))) is float
    assert type(m.test_on_batch(x, np.zeros((4, 2)))) is float


def test_sample_and_class_weights_weigh_the_loss():
    x, y = _data()
    plain = _model().test_on_batch(x, y)[0]
    doubled = _model().test_on_batch(x, y, sample_weight=np.full(12, 2.0))[0]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)
    m = _model()
    by_class = m.train_on_batch(x, y, class_weight={0: 2.0, 1: 2.0, 2: 2.0})[0]
    assert by_class == pytest.approx(2 * plain, rel=1e-5)


@pytest.mark.parametrize("call", ["train_on_batch", "test_on_batch", "predict_on_batch"])
def test_steps_per_execution_above_one_is_refused_before_anything_changes(call):
    x, y = _data()
    m = _model(steps_per_execution=2)
    args = (x,) if call == "predict_on_batch" else (x, y)
    with pytest.raises(ValueError, match=rf"`{call}` feeds one batch, but the model was compiled with "
                                         r"steps_per_execution=2"):
        getattr(m, call)(*args)
    assert not m.built and m.optimizer.iterations == 0


def test_bad_input_gets_keras_messages_or_a_plain_one():
    x, y = _data()
    with pytest.raises(RuntimeError, match="You must compile your model before training/testing"):
        Sequential([layers.Dense(1)]).train_on_batch(x, y)
    m = _model()
    with pytest.raises(ValueError, match="Data cardinality is ambiguous:\n  x sizes: 12\n  y sizes: 4\n"):
        m.train_on_batch(x, y[:4])
    with pytest.raises(TypeError, match=r"`train_on_batch` takes arrays \(one batch\), but x is a list"):
        m.train_on_batch(x.tolist(), y)
    with pytest.raises(ValueError, match="Target data is missing"):
        m.train_on_batch(x)
    assert m.optimizer.iterations == 0


def test_traced_as_an_api_call_whose_function_retraces_for_a_new_batch_size():
    x, y = _data()
    m = _model()
    rec = Recorder("full").start()
    try:
        m.train_on_batch(x, y)
        m.train_on_batch(x, y)
        m.train_on_batch(x[:5], y[:5])
    finally:
        rec.stop()
    calls = [e for e in rec.events if e.kind == "api_call"]
    assert [e.data["method"] for e in calls] == ["train_on_batch"] * 3
    functions = [e.data["action"] for e in rec.events if e.kind == "train_function"]
    assert functions == ["created", "traced", "reused", "reused", "traced"]
    traced = [e.data["signature"] for e in rec.events if e.kind == "train_function" and e.data["action"] == "traced"]
    assert traced[0] == [[12, 5], [12]] and traced[1] == [[None, 5], [None]]      # static, then relaxed
    builds = [e for e in rec.events if e.kind == "layer_build"]
    assert builds and all(e.data["trigger"] == "train_on_batch" for e in builds)
    assert not any(e.kind in ("epoch", "callback_hook", "progbar") for e in rec.events)
