"""Model.fit's stages, in Keras 2's order, with Keras 2's numbers and messages."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.callbacks import Callback, History
from fittrace.keras import layers
from fittrace.keras.models import Model, Sequential, load_model
from fittrace.seeding import set_random_seed
from fittrace.tracing.events import KINDS, validate_record
from fittrace.tracing.recorder import Recorder


def _data(n: int = 1000, features: int = 784, classes: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.random((n, features), dtype=np.float32), rng.integers(0, classes, n).astype(np.uint8)


def _article_model(units: int = 512) -> Sequential:
    model = Sequential(
        [layers.Dense(units, activation="relu"), layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _record(fn, detail: str = "full"):
    rec = Recorder(detail).start()
    try:
        fn()
    finally:
        rec.stop()
    return rec.events


class _Log(Callback):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, dict(logs)))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", dict(logs or {})))


def test_fit_before_compile_raises_keras_runtime_error_and_changes_nothing():
    model = Sequential([layers.Dense(3)])
    x, y = _data(10, 4)
    with pytest.raises(
        RuntimeError,
        match=r"^You must compile your model before training/testing\. Use "
        r"`model\.compile\(optimizer, loss\)`\.$",
    ):
        model.fit(x, y)
    assert not model.built and model.layers[0].weights == []


def test_article_shapes_steps_and_partial_batch_events():
    set_random_seed(1)
    x, y = _data(1000, 20)
    model = _article_model(16)
    events = _record(lambda: model.fit(x, y, epochs=2, batch_size=128, verbose=0))
    selected = [e for e in events if e.kind == "adapter_selected"][0].data
    assert selected["class"] == "TensorLikeDataAdapter"
    assert (selected["steps"], selected["batch_size"], selected["partial_batch_size"]) == (
        8,
        128,
        1000 - 7 * 128,
    )
    steps = [e for e in events if e.kind == "step"]
    assert [e.data["step"] for e in steps] == list(range(8)) * 2
    assert [e.data["size"] for e in steps[:8]] == [128] * 7 + [104]
    weights = [
        (e.data["name"], tuple(e.data["shape"])) for e in events if e.kind == "weight_created"
    ]
    first, second = (
        layer.name for layer in model.layers
    )  # dense_N: the counters run on across tests
    assert weights == [
        (f"{first}/kernel:0", (20, 16)),
        (f"{first}/bias:0", (16,)),
        (f"{second}/kernel:0", (16, 10)),
        (f"{second}/bias:0", (10,)),
    ]


def test_stages_come_in_keras_order():
    x, y = _data(300, 8)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=100, verbose=0))
    kinds = [e.kind for e in events]
    first = {
        k: kinds.index(k)
        for k in (
            "fit",
            "compile_check",
            "data_handler",
            "adapter_candidate",
            "adapter_selected",
            "callbacks_container",
            "train_function",
            "epoch",
            "step",
            "train_step",
            "model_call",
            "graph_build",
            "layer_build",
            "weight_created",
            "layer_call",
            "loss",
            "tape",
            "gradient",
            "optimizer_slots",
            "optimizer_update",
            "metric_update",
            "history",
        )
    }
    order = sorted(first, key=first.get)
    assert (
        order.index("compile_check")
        < order.index("data_handler")
        < order.index("callbacks_container")
        < order.index("train_function")
        < order.index("epoch")
        < order.index("step")
        < order.index("train_step")
    )
    assert (
        order.index("model_call")
        < order.index("graph_build")
        < order.index("layer_build")
        < order.index("weight_created")
        < order.index("loss")
        < order.index("tape")
        < order.index("gradient")
        < order.index("optimizer_slots")
        < order.index("optimizer_update")
        < order.index("metric_update")
    )
    candidates = [e.data["class"] for e in events if e.kind == "adapter_candidate"]
    assert candidates == [
        "ListsOfScalarsDataAdapter",
        "TensorLikeDataAdapter",
        "GenericArrayLikeDataAdapter",
        "DatasetAdapter",
        "GeneratorDataAdapter",
        "KerasSequenceAdapter",
        "CompositeTensorDataAdapter",
        "DatasetCreatorAdapter",
    ]


def test_optimizer_slots_only_on_first_update():
    x, y = _data(300, 8)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=2, batch_size=100, verbose=0))
    slots = [e for e in events if e.kind == "optimizer_slots"]
    assert len(slots) == 1 and slots[0].step == 0 and slots[0].epoch == 0
    updates = [e for e in events if e.kind == "optimizer_update"]
    first_step = [u for u in updates if u.epoch == 0 and u.step == 0]
    assert first_step and all(u.data["slots_created"] for u in first_step)
    assert all(not u.data["slots_created"] for u in updates if (u.epoch, u.step) != (0, 0))


def test_callbacks_order_hooks_and_history():
    x, y = _data(250, 6)
    model = _article_model(4)
    log = _Log()
    history = model.fit(x, y, epochs=2, batch_size=100, verbose=0, callbacks=[log])
    assert isinstance(history, History) and model.history is history
    assert history.epoch == [0, 1]
    assert list(history.history) == ["loss", "accuracy"]
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    names = [c[0] for c in log.calls]
    assert (
        names
        == [
            "train_begin",
            "epoch_begin",
            "batch_begin",
            "batch_end",
            "batch_begin",
            "batch_end",
            "batch_begin",
            "batch_end",
            "epoch_end",
        ]
        * 1
        + names[9:]
    )
    assert names[9:] == ["epoch_begin"] + ["batch_begin", "batch_end"] * 3 + [
        "epoch_end",
        "train_end",
    ]
    # batch logs are running means; the epoch's logs equal the last batch's
    last_batch = [c for c in log.calls if c[0] == "batch_end"][2][2]
    epoch_end = [c for c in log.calls if c[0] == "epoch_end"][0][2]
    assert last_batch == pytest.approx(epoch_end)


def test_callback_list_members_in_keras_order():
    x, y = _data(100, 4)
    model = _article_model(4)
    log = _Log()
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=50, verbose=1, callbacks=[log]))
    container = [e for e in events if e.kind == "callbacks_container"][0].data
    assert container["members"] == ["_Log", "History", "ProgbarLogger"]
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=50, verbose=0, callbacks=[log]))
    assert [e for e in events if e.kind == "callbacks_container"][0].data["members"] == [
        "_Log",
        "History",
    ]


def test_loss_is_batch_size_weighted_mean_of_batch_losses():
    x, y = _data(250, 6)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=100, verbose=0, shuffle=False))
    losses = [e.data["value"] for e in events if e.kind == "loss"]
    sizes = [e.data["size"] for e in events if e.kind == "step"]
    assert sizes == [100, 100, 50]
    expected = sum(loss * n for loss, n in zip(losses, sizes)) / 250
    assert model.history.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_train_function_cached_reused_and_reset_by_compile():
    x, y = _data(100, 4)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=1, verbose=0))
    assert [e.data["action"] for e in events if e.kind == "train_function"] == ["created", "traced"]
    fn = model.train_function
    events = _record(lambda: model.fit(x, y, epochs=1, verbose=0))
    assert [e.data["action"] for e in events if e.kind == "train_function"] == ["reused"]
    assert model.train_function is fn
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    assert model.train_function is None
    events = _record(lambda: model.fit(x, y, epochs=1, verbose=0))
    assert [e.data["action"] for e in events if e.kind == "train_function"] == ["created", "traced"]
    assert model.train_function is not fn


def test_graph_mode_builds_once_with_unknown_batch_when_data_ends_in_partial_batch():
    x, y = _data(300, 8)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=2, batch_size=128, verbose=0))
    builds = [e.data for e in events if e.kind == "graph_build"]
    assert len(builds) == 1
    assert builds[0]["shape_built"] == [None, 8] and builds[0]["action"] == "built"
    traced = [e.data for e in events if e.kind == "train_function" and e.data["action"] == "traced"]
    assert len(traced) == 1 and traced[0]["signature"][0] == [None, 8]


def test_graph_mode_static_batch_when_batches_divide_evenly():
    x, y = _data(300, 8)
    model = _article_model(4)
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=100, verbose=0))
    builds = [e.data for e in events if e.kind == "graph_build"]
    assert [b["shape_built"] for b in builds] == [[100, 8]]


def test_eager_mode_rebuilds_graph_network_for_partial_batch():
    x, y = _data(300, 8)
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", run_eagerly=True)
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=128, verbose=0))
    builds = [e for e in events if e.kind == "graph_build"]
    assert [(b.data["action"], b.data["shape_built"], b.step) for b in builds] == [
        ("built", [128, 8], 0),
        ("rebuilt", [None, 8], 2),
    ]
    assert (
        len([e for e in events if e.kind == "weight_created"]) == 4
    )  # the rebuild made no new weights


def test_stop_training_in_a_batch_ends_after_that_step_but_finishes_the_epoch():
    x, y = _data(500, 4)
    model = _article_model(4)

    class StopAt2(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    model.fit(x, y, epochs=3, batch_size=50, verbose=0, callbacks=[StopAt2()])
    assert model.history.epoch == [0]
    assert model.optimizer.iterations == 3


def test_initial_epoch_and_steps_per_epoch():
    x, y = _data(400, 4)
    model = _article_model(4)
    history = model.fit(
        x, y, epochs=3, initial_epoch=1, batch_size=50, steps_per_epoch=3, verbose=0
    )
    assert history.epoch == [1, 2]
    assert history.params["steps"] == 3
    assert model.optimizer.iterations == 6


def test_validation_split_and_val_logs_each_freq():
    x, y = _data(500, 4)
    model = _article_model(4)
    history = model.fit(
        x, y, epochs=4, batch_size=50, validation_split=0.2, validation_freq=2, verbose=0
    )
    assert history.params["steps"] == 8
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["val_loss"]) == 2
    direct = model.evaluate(x[400:], y[400:], batch_size=50, verbose=0, return_dict=True)
    assert history.history["val_loss"][-1] == pytest.approx(direct["loss"], rel=1e-5)


def test_validation_freq_tuple_is_rejected_like_keras():
    x, y = _data(100, 4)
    model = _article_model(4)
    with pytest.raises(
        ValueError,
        match=r"Expected `validation_freq` to be a list or int\. Received: "
        r"validation_freq=\(1, 2\) of the type <class 'tuple'>\.",
    ):
        model.fit(x, y, validation_data=(x, y), validation_freq=(1, 2), verbose=0)


def test_evaluate_and_predict_share_the_adapter_path():
    x, y = _data(130, 4)
    model = _article_model(4)
    model.fit(x, y, epochs=1, verbose=0)
    events = _record(lambda: model.evaluate(x, y, batch_size=64, verbose=0))
    assert [e.data["class"] for e in events if e.kind == "adapter_selected"] == [
        "TensorLikeDataAdapter"
    ]
    assert [e.data["size"] for e in events if e.kind == "test_step"] == [64, 64, 2]
    preds = model.predict(x, batch_size=64, verbose=0)
    assert preds.shape == (130, 10)
    np.testing.assert_allclose(preds.sum(axis=1), 1.0, rtol=1e-5)


def test_verbose_1_prints_keras_progbar_and_epoch_header(capsys):
    x, y = _data(256, 4)
    model = _article_model(4)
    model.fit(x, y, epochs=2, batch_size=128, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert (
        "2/2 [==============================] - " in out
        and " - loss: " in out
        and " - accuracy: " in out
    )


def test_subclassed_model_with_custom_train_step_appears_as_itself():
    class Custom(Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(4, activation="relu")
            self.out = layers.Dense(10, activation="softmax")
            self.steps_seen = 0

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

        def train_step(self, data):
            self.steps_seen += 1
            return super().train_step(data)

    x, y = _data(100, 6)
    model = Custom()
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    events = _record(lambda: model.fit(x, y, epochs=1, batch_size=50, verbose=0))
    steps = [e for e in events if e.kind == "train_step"]
    assert [s.name for s in steps] == ["Custom.train_step"] * 2 and all(
        s.data["user_override"] for s in steps
    )
    assert model.steps_seen == 2
    assert len(model.trainable_variables) == 4


def test_error_before_training_leaves_model_untouched():
    x, y = _data(64, 4)
    model = _article_model(4)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:60], verbose=0)
    assert not model.built and model.optimizer.iterations == 0


def test_failing_fit_leaves_a_trace_with_an_error_event():
    x, y = _data(64, 4)
    model = _article_model(4)
    model.fit(x, y, epochs=1, verbose=0)
    rec = Recorder("default").start()
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
        model.fit(np.zeros((64, 7), dtype="float32"), y, verbose=0)
    rec.stop()
    errors = [e for e in rec.events if e.kind == "error"]
    assert len(errors) == 1 and errors[0].data["type"] == "ValueError"
    assert [e.kind for e in rec.events][0] == "fit"


def test_same_seed_same_run():
    def run():
        set_random_seed(3)
        x, y = _data(200, 5)
        model = _article_model(4)
        model.fit(x, y, epochs=2, batch_size=64, verbose=0)
        return model.get_weights(), model.history.history

    (w1, h1), (w2, h2) = run(), run()
    assert h1 == h2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_weights_roundtrip(tmp_path):
    x, y = _data(64, 4)
    model = _article_model(4)
    model.fit(x, y, epochs=1, verbose=0)
    model.save_weights(tmp_path / "w.npz")
    other = _article_model(4)
    other.build((None, 4))
    other.load_weights(tmp_path / "w.npz")
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


@pytest.mark.parametrize("spe", [2, 3, 7])
def test_steps_per_execution_changes_how_steps_are_grouped_not_the_results(spe):
    """predict joins the outputs of every step of an execution (the last execution is shorter when the steps do
    not divide evenly); fit and evaluate give the same numbers as one step per execution."""
    set_random_seed(3)
    x = np.random.default_rng(0).random((10, 4)).astype("float32")
    y = np.random.default_rng(1).random((10, 3)).astype("float32")
    model = Sequential([layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    want_pred = model.predict(x, batch_size=2, verbose=0)
    want_eval = model.evaluate(x, y, batch_size=2, verbose=0)
    weights = model.get_weights()
    want_hist = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0).history["loss"]

    model.set_weights(weights)
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=spe)
    got_pred = model.predict(x, batch_size=2, verbose=0)
    assert got_pred.shape == (10, 3)
    np.testing.assert_allclose(got_pred, want_pred, rtol=1e-6)
    assert model.evaluate(x, y, batch_size=2, verbose=0) == pytest.approx(want_eval, rel=1e-6)
    got_hist = model.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(got_hist, want_hist, rtol=1e-5)


# --- one batch: train_on_batch, test_on_batch, predict_on_batch (Keras 2's return values, metric resets, errors;
# test_keras_parity.py compares the numbers with TF-Keras) ---------------------------------------------------------
def _small_model(steps_per_execution: int = 1) -> Sequential:
    set_random_seed(1)
    m = Sequential([layers.Dense(6, activation="relu"), layers.Dense(3, activation="softmax")])
    m.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    return m


def _small_data(n: int = 12):
    rng = np.random.default_rng(0)
    return rng.random((n, 5)).astype("float64"), rng.integers(0, 3, n)


def test_train_on_batch_makes_one_update_on_the_whole_batch_and_returns_loss_then_metrics():
    x, y = _small_data()
    m = _small_model()
    m.build((None, 5))
    before = [w.copy() for w in m.get_weights()]
    logs = m.train_on_batch(x, y)
    assert isinstance(logs, list) and len(logs) == 2 and all(type(v) is float for v in logs)
    assert m.optimizer.iterations == 1
    assert any(not np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    assert m.train_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
    assert m.optimizer.iterations == 2


def test_the_same_update_as_a_one_step_fit():
    x, y = _small_data()
    a, b = _small_model(), _small_model()
    a.build((None, 5))
    b.build((None, 5))
    b.set_weights(a.get_weights())
    got = a.train_on_batch(x, y, return_dict=True)
    h = b.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    assert got["loss"] == pytest.approx(h.history["loss"][0], rel=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_metrics_are_reset_per_call_unless_asked_to_accumulate():
    x, y = _small_data(20)
    m = _small_model()
    m.test_on_batch(x[:10], y[:10])
    alone = m.test_on_batch(x[10:], y[10:], return_dict=True)
    m.test_on_batch(x[:10], y[:10])
    together = m.test_on_batch(x[10:], y[10:], reset_metrics=False, return_dict=True)
    whole = m.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    assert together == pytest.approx(whole, rel=1e-6)
    assert alone != pytest.approx(together)


def test_test_on_batch_and_predict_on_batch_change_no_weight():
    x, y = _small_data()
    m = _small_model()
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
    x, y = _small_data()
    plain = _small_model().test_on_batch(x, y)[0]
    doubled = _small_model().test_on_batch(x, y, sample_weight=np.full(12, 2.0))[0]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)
    m = _small_model()
    by_class = m.train_on_batch(x, y, class_weight={0: 2.0, 1: 2.0, 2: 2.0})[0]
    assert by_class == pytest.approx(2 * plain, rel=1e-5)


@pytest.mark.parametrize("call", ["train_on_batch", "test_on_batch", "predict_on_batch"])
def test_steps_per_execution_above_one_is_refused_before_anything_changes(call):
    x, y = _small_data()
    m = _small_model(steps_per_execution=2)
    args = (x,) if call == "predict_on_batch" else (x, y)
    with pytest.raises(
        ValueError,
        match=rf"`{call}` feeds one batch, but the model was compiled with "
        r"steps_per_execution=2",
    ):
        getattr(m, call)(*args)
    assert not m.built and m.optimizer.iterations == 0


def test_bad_input_gets_keras_messages_or_a_plain_one():
    x, y = _small_data()
    with pytest.raises(RuntimeError, match="You must compile your model before training/testing"):
        Sequential([layers.Dense(1)]).train_on_batch(x, y)
    m = _small_model()
    with pytest.raises(
        ValueError, match="Data cardinality is ambiguous:\n  x sizes: 12\n  y sizes: 4\n"
    ):
        m.train_on_batch(x, y[:4])
    with pytest.raises(
        TypeError, match=r"`train_on_batch` takes arrays \(one batch\), but x is a list"
    ):
        m.train_on_batch(x.tolist(), y)
    with pytest.raises(ValueError, match="Target data is missing"):
        m.train_on_batch(x)
    assert m.optimizer.iterations == 0


def test_traced_as_an_api_call_whose_function_retraces_for_a_new_batch_size():
    x, y = _small_data()
    m = _small_model()
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
    traced = [
        e.data["signature"]
        for e in rec.events
        if e.kind == "train_function" and e.data["action"] == "traced"
    ]
    assert traced[0] == [[12, 5], [12]] and traced[1] == [[None, 5], [None]]  # static, then relaxed
    builds = [e for e in rec.events if e.kind == "layer_build"]
    assert builds and all(e.data["trigger"] == "train_on_batch" for e in builds)
    assert not any(e.kind in ("epoch", "callback_hook", "progbar") for e in rec.events)


# --- several inputs and outputs ------------------------------------------------------------------------------------
class _TwoHeads(Model):
    """Two inputs (a list, or a dict with keys "a" and "b"), two outputs in the structure ``kind`` names."""

    def __init__(self, kind: str = "list"):
        super().__init__()
        self.kind = kind
        self.cls = layers.Dense(3, activation="softmax", name="cls")
        self.reg = layers.Dense(1, name="reg")

    def call(self, inputs):
        a, b = (inputs["a"], inputs["b"]) if isinstance(inputs, dict) else inputs
        cls, reg = self.cls(a), self.reg(b)
        if self.kind == "dict":
            return {"cls": cls, "reg": reg}
        return (cls, reg) if self.kind == "tuple" else [cls, reg]


def _two_heads_data(n: int = 20):
    rng = np.random.default_rng(5)
    return (
        rng.normal(size=(n, 4)).astype("float32"),
        rng.normal(size=(n, 2)).astype("float32"),
        rng.integers(0, 3, n),
        rng.normal(size=(n, 1)).astype("float32"),
    )


def test_a_subclassed_model_names_its_outputs_only_in_its_compiled_containers():
    model = _TwoHeads()
    assert model.output_names is None
    model.output_names = ("first", "second")  # what a functional model sets from its output layers
    assert model.output_names == ["first", "second"]
    model.compile("sgd", loss={"first": "sparse_categorical_crossentropy", "second": "mse"})
    a, b, y_cls, y_reg = _two_heads_data()
    history = model.fit([a, b], [y_cls, y_reg], batch_size=5, verbose=0)
    assert list(history.history) == ["loss", "first_loss", "second_loss"]
    assert _TwoHeads().output_names is None


def test_fit_evaluate_and_predict_with_dict_inputs_and_outputs():
    a, b, y_cls, y_reg = _two_heads_data()
    model = _TwoHeads("dict")
    model.compile(
        "sgd",
        loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        loss_weights={"reg": 0.5},
        metrics={"cls": ["accuracy"]},
    )
    history = model.fit(
        {"a": a, "b": b},
        {"cls": y_cls, "reg": y_reg},
        batch_size=8,
        epochs=2,
        verbose=0,
        validation_split=0.2,
    )
    names = ["loss", "cls_loss", "reg_loss", "cls_accuracy"]
    assert list(history.history) == names + ["val_" + n for n in names]
    assert model.metrics_names == names
    h = history.history
    # the epoch's loss is the weighted sum of the outputs' epoch means (equal batches of 8, 8)
    assert h["loss"][-1] == pytest.approx(h["cls_loss"][-1] + 0.5 * h["reg_loss"][-1], rel=1e-5)
    results = model.evaluate({"a": a, "b": b}, {"cls": y_cls, "reg": y_reg}, verbose=0)
    as_dict = model.evaluate(
        {"a": a, "b": b}, {"cls": y_cls, "reg": y_reg}, verbose=0, return_dict=True
    )
    assert results == [as_dict[n] for n in names]
    predicted = model.predict({"a": a, "b": b}, batch_size=6, verbose=0)
    assert set(predicted) == {"cls", "reg"}
    np.testing.assert_allclose(predicted["reg"], model.reg(b).numpy(), rtol=1e-6)
    assert predicted["cls"].shape == (20, 3)


@pytest.mark.parametrize("kind", ["list", "tuple"])
def test_predict_joins_each_output_across_batches_and_executions(kind):
    a, b, _, _ = _two_heads_data(11)
    model = _TwoHeads(kind)
    model.compile("sgd", "mse", steps_per_execution=2)
    out = model.predict(
        [a, b], batch_size=3, verbose=0
    )  # 4 batches in 2 executions, the last partial
    assert type(out).__name__ == kind and [o.shape for o in out] == [(11, 3), (11, 1)]
    np.testing.assert_allclose(out[1], model.reg(b).numpy(), rtol=1e-6)
    model.compile("sgd", "mse")
    on_batch = model.predict_on_batch([a, b])
    assert type(on_batch).__name__ == kind
    np.testing.assert_allclose(on_batch[0], out[0], rtol=1e-6)


def test_on_batch_methods_take_nested_data_and_return_keras_order():
    a, b, y_cls, y_reg = _two_heads_data(8)
    model = _TwoHeads()
    model.compile(
        "sgd", ["sparse_categorical_crossentropy", "mse"], metrics=[["accuracy"], ["mae"]]
    )
    logs = model.train_on_batch([a, b], [y_cls, y_reg], sample_weight=[None, np.ones(8)])
    names = ["loss", "output_1_loss", "output_2_loss", "output_1_accuracy", "output_2_mae"]
    assert model.metrics_names == names and len(logs) == 5
    tested = model.test_on_batch([a, b], [y_cls, y_reg], return_dict=True)
    assert list(tested) == names
    assert tested["loss"] == pytest.approx(tested["output_1_loss"] + tested["output_2_loss"])


def test_one_target_array_serves_every_output_and_missing_targets_skip_an_output():
    a, b, y_cls, y_reg = _two_heads_data()
    model = _TwoHeads("dict")
    model.compile("sgd", {"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    h = model.fit({"a": a, "b": b}, {"cls": y_cls}, batch_size=10, verbose=0).history
    assert h["reg_loss"] == [0.0] and h["loss"] == pytest.approx(h["cls_loss"])
    both = _TwoHeads()
    both.compile("sgd", "mse")
    wide = np.repeat(y_reg, 3, axis=1)
    with pytest.raises(ValueError, match="must have the same shape"):
        both.fit([a, b], y_reg, verbose=0)  # broadcast to the 3-wide output too, as Keras does
    assert both.evaluate([a, b], [wide, y_reg], verbose=0)[0] > 0


def test_a_traced_multi_output_fit_keeps_every_event_in_the_schema():
    a, b, y_cls, y_reg = _two_heads_data()
    model = _TwoHeads("dict")
    model.compile(
        "sgd",
        {"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 1.0, "reg": 2.0},
        metrics={"cls": "accuracy"},
    )
    events = _record(
        lambda: model.fit({"a": a, "b": b}, {"cls": y_cls, "reg": y_reg}, batch_size=10, verbose=0)
    )
    for e in events:
        validate_record(e.to_json())
        if e.kind in ("loss", "compile", "fit", "metric_update"):
            assert set(e.data) <= set(KINDS[e.kind].payload), e.kind
    losses = [e for e in events if e.kind == "loss"]
    assert len(losses) == 2
    first = losses[0].data
    assert first["name"] == "sparse_categorical_crossentropy + mse"
    assert first["value"] == pytest.approx(
        first["per_output"]["cls"] + 2.0 * first["per_output"]["reg"], rel=1e-5
    )
    fit = next(e for e in events if e.kind == "fit")
    assert set(fit.data["x"]["keys"]) == {"a", "b"} and fit.data["y"]["type"] == "dict"
    assert [e.name for e in events if e.kind == "metric_update"] == ["cls_accuracy"] * 2


# --- the compile config and whole models ----------------------------------------------------------------------------
def test_the_compile_config_is_what_compile_was_given_serialized():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    assert model.get_compile_config() is None
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"], steps_per_execution=2)
    assert model.get_compile_config() == {
        "optimizer": "sgd",
        "loss": "mse",
        "metrics": ["mae"],
        "loss_weights": None,
        "weighted_metrics": None,
        "run_eagerly": None,
        "steps_per_execution": 2,
        "jit_compile": None,
    }
    with pytest.raises(TypeError, match="Invalid keyword argument"):
        model.compile(optimizer="sgd", loss="mse", sample_weights=True)
    assert (
        model.get_compile_config()["steps_per_execution"] == 2
    )  # a failed compile changes nothing


def test_compile_from_config_compiles_and_makes_the_optimizer_variables():
    model = Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    again = Sequential([layers.Dense(2, input_shape=(3,))])
    again.compile_from_config(model.get_compile_config())
    assert again._is_compiled and type(again.optimizer).__name__ == "Adam"
    assert (
        len(again.optimizer.variables()) == 4
    )  # m and v for the kernel and the bias, before any step
    assert again.get_compile_config() == model.get_compile_config()


def test_a_model_with_its_own_compile_is_not_compiled_from_a_config(capsys):
    class OwnCompile(Sequential):
        def compile(self, *args, **kwargs):
            super().compile(*args, **kwargs)

    model = OwnCompile([layers.Dense(2, input_shape=(3,))])
    model.compile_from_config({"optimizer": "adam", "loss": "mse"})
    assert not model._is_compiled
    assert "`compile()` was not called as part of model loading" in capsys.readouterr().err


def test_save_writes_a_whole_model_that_load_model_reads(tmp_path):
    model = Sequential([layers.Dense(2, input_shape=(3,), name="d")])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.optimizer.iterations == 1
    np.testing.assert_array_equal(
        loaded.get_layer("d").kernel.value, model.get_layer("d").kernel.value
    )


def test_build_makes_a_subclassed_models_weights_as_keras_does():
    class TwoDense(Model):
        def __init__(self):
            super().__init__()
            self.a = layers.Dense(4)
            self.b = layers.Dense(2)

        def call(self, x):
            return self.b(self.a(x))

    model = TwoDense()
    with pytest.raises(ValueError, match="Input shape must be defined when calling build"):
        model.build()
    model.build((None, 3))
    assert [tuple(w.shape) for w in model.weights] == [(3, 4), (4,), (4, 2), (2,)]
    assert model.get_build_config() == {"input_shape": (None, 3)}


def test_evaluate_and_predict_give_the_model_a_fresh_history_as_keras_does():
    """tf-keras 2.21's evaluate and predict build their CallbackList with add_history=True: model.history is then
    a new, empty History (the fit's History object is what fit returned)."""
    x, y = _data(64, 5)
    model = _article_model(4)
    fitted = model.fit(x, y, epochs=2, verbose=0)
    assert model.history is fitted and fitted.epoch == [0, 1]
    model.evaluate(x, y, verbose=0)
    assert model.history is not fitted and model.history.history == {}
    after_evaluate = model.history
    model.predict(x, verbose=0)
    assert (
        model.history is not after_evaluate and fitted.history["loss"]
    )  # what fit returned is kept
    events = _record(lambda: model.evaluate(x, y, verbose=0))
    (container,) = [e for e in events if e.kind == "callbacks_container"]
    assert container.data["members"] == ["History"] and container.data["added_by_default"] == [
        "History"
    ]


def test_fit_makes_the_validation_data_handler_before_the_first_validation():
    """As Keras's fit: the validation data's handler is made (once) in the epoch, before evaluate runs."""
    x, y = _data(100, 5)
    model = _article_model(4)
    events = _record(
        lambda: model.fit(x, y, epochs=2, batch_size=32, verbose=0, validation_split=0.2)
    )
    by_seq = {e.seq: e for e in events}
    handlers = [e for e in events if e.kind == "data_handler"]
    validations = [e for e in events if e.kind == "validation"]
    assert (
        len(handlers) == 2 and len(validations) == 2
    )  # fit's own, then the validation data's, once
    val_handler = handlers[1]
    assert by_seq[val_handler.parent].kind == "epoch" and by_seq[val_handler.parent].epoch == 0
    assert val_handler.seq < validations[0].seq
    assert val_handler.data["batch_size"] == 32 and val_handler.data["inferred_steps"] == 1
    assert model._eval_data_handler is None  # dropped at the end of fit, as Keras deletes it


def test_a_traced_fit_shows_its_skipped_batch_hooks_and_keeps_the_last_execution_whole():
    """As tf-keras: with no member implementing batch hooks, each step still calls on_train_batch_begin/end, which
    return at once (shown skipped); with steps_per_execution=3 the last execution (steps 6 and 7) is the last step."""
    x, y = _data(1000, 4)
    model = _article_model(4)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", steps_per_execution=3)
    rec = Recorder("default").start()
    model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    rec.stop()
    steps = [e for e in rec.events if e.kind == "step"]
    assert [(s.data["step"], s.data["last"], s.data["full"]) for s in steps] == [
        (0, False, True),
        (3, False, False),
        (6, True, True),
    ]
    inside = [e for e in rec.events if e.kind == "callback_hook" and e.parent == steps[-1].seq]
    assert [(h.data["hook"], h.data["skipped"], h.data["callbacks"]) for h in inside] == [
        ("on_train_batch_begin", True, []),
        ("on_train_batch_end", True, []),
    ]
    assert rec.header["framework"] == "fittrace" and rec.header["backend"] == "numpy"
