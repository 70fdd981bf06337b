"""Real tf-keras runs traced for the bridge's loop stage (test_loop.py): ``python loop_scenarios.py tf FOLDER``
writes one trace per case into FOLDER and prints one JSON line with what the runs themselves gave (History, the
weights with and without tracing, the errors raised, whether every hook came out again).

The first case is ``fittrace run`` on an unchanged script, before this process has imported tf_keras: the bridge
attaches when the script imports it."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import numpy as np

import fittrace
from fittrace.bridge import attach as attach_module
from fittrace.bridge import hooks as hooks_module
from fittrace.cli.main import main as fittrace_main

SCRIPT = """
import numpy as np
import tf_keras

rng = np.random.default_rng(0)
x = rng.random((300, 4), dtype=np.float32)
y = rng.random((300, 1), dtype=np.float32)
model = tf_keras.Sequential([tf_keras.layers.Dense(3, activation="relu"), tf_keras.layers.Dense(1)])
model.compile("sgd", "mse", metrics=["mae"])
model.fit(x, y, batch_size=64, epochs=2, verbose=0, validation_split=0.2)
"""


def hooked_left(modules) -> list[str]:
    """Every attribute of these modules and their classes that is still one of the bridge's hooks."""
    left = []
    for module in modules:
        for owner in [module, *[v for v in vars(module).values() if isinstance(v, type)]]:
            for attr, value in list(vars(owner).items()):
                value = getattr(value, "__func__", value)
                if hasattr(value, "__fittrace_original__"):
                    left.append(f"{getattr(owner, '__qualname__', owner.__name__)}.{attr}")
    return left


def snapshot(modules) -> dict:
    """(owner, attribute) -> the object there, for every module and class of ``modules``."""
    out = {}
    for module in modules:
        for owner in [module, *[v for v in vars(module).values() if isinstance(v, type)]]:
            for attr, value in list(vars(owner).items()):
                out[(id(owner), owner, attr)] = value
    return out


def changed(before: dict) -> list[str]:
    """The attributes whose object is not the one ``before`` holds."""
    out = []
    for (_, owner, attr), value in before.items():
        if vars(owner).get(attr, None) is not value:
            out.append(f"{getattr(owner, '__qualname__', owner.__name__)}.{attr}")
    return sorted(out)


def watch_hooks() -> list:
    """After every trace: how many hooks it put in, and those whose attribute is not the original again."""
    checks: list = []
    real_close = attach_module.Attachment.close

    def close(self):
        undo, found = list(self.hooks._undo), list(self.hooks.found)
        real_close(self)
        wrong = [
            path
            for (owner, attr, previous), path in zip(undo, found)
            if vars(owner).get(attr, hooks_module._ABSENT) is not previous
        ]
        checks.append({"found": len(found), "not_restored": wrong})

    attach_module.Attachment.close = close
    return checks


def main(folder: Path) -> dict:
    out: dict = {"hook_checks": watch_hooks()}
    script = folder / "plain_script.py"
    script.write_text(SCRIPT)
    assert "tf_keras" not in sys.modules
    with contextlib.redirect_stdout(io.StringIO()):
        out["run_exit"] = fittrace_main(["run", "--out", str(folder / "run"), str(script)])
    import tf_keras
    from tf_keras.src import callbacks as callbacks_module
    from tf_keras.src.engine import data_adapter, training

    modules = [training, data_adapter, callbacks_module]
    out["left_after_run"] = hooked_left(modules)
    before = snapshot(modules)

    rng = np.random.default_rng(0)
    x = rng.random((1000, 4), dtype=np.float32)
    y = rng.random((1000, 1), dtype=np.float32)

    def model(metrics=("mae",)):
        m = tf_keras.Sequential(
            [tf_keras.layers.Dense(3, activation="relu"), tf_keras.layers.Dense(1)]
        )
        m.compile("adam", "mse", metrics=list(metrics))
        return m

    def fit(m, **kwargs):
        args = dict(batch_size=128, epochs=2, verbose=0, validation_data=(x[:200], y[:200]))
        args.update(kwargs)
        return m.fit(x, y, **args)

    # the same seeded fit without and with tracing: History and weights must be identical
    tf_keras.utils.set_random_seed(7)
    untraced = model()
    h0 = fit(untraced)
    tf_keras.utils.set_random_seed(7)
    traced = model()
    during = {}
    with fittrace.trace(path=folder / "plain.jsonl"):
        h1 = fit(traced)
        during["changed"] = changed(before)
    out["history"] = {"untraced": h0.history, "traced": h1.history}
    out["weights_equal"] = all(
        np.array_equal(a, b) for a, b in zip(untraced.get_weights(), traced.get_weights())
    )
    out["hooked_during"] = during["changed"]
    out["changed_after_plain"] = changed(before)

    class BatchWatcher(tf_keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.last = batch

    with fittrace.trace(path=folder / "batches.jsonl"):
        fit(model(), epochs=1, callbacks=[BatchWatcher()], validation_data=None)

    class StopAtBatch(tf_keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    with fittrace.trace(path=folder / "stop.jsonl"):
        h = fit(model(), epochs=3, callbacks=[StopAtBatch()], validation_data=None)
    out["stop_epochs"] = h.epoch

    early = tf_keras.callbacks.EarlyStopping(monitor="loss", min_delta=100.0, patience=1)
    with fittrace.trace(path=folder / "early.jsonl"):
        h = fit(model(), epochs=6, callbacks=[early], validation_data=None)
    out["early_epochs"] = h.epoch

    class FailAtEpoch(tf_keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise ValueError("the callback gave up at epoch 1")

    try:
        with fittrace.trace(path=folder / "error.jsonl"):
            fit(model(), epochs=3, callbacks=[FailAtEpoch()])
    except ValueError as exc:
        out["error"] = str(exc)
    out["changed_after_error"] = changed(before)

    class Interrupt(tf_keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 3:
                raise KeyboardInterrupt

    try:
        with fittrace.trace(path=folder / "interrupt.jsonl"):
            fit(model(), epochs=2, callbacks=[Interrupt()])
    except KeyboardInterrupt:
        out["interrupted"] = True
    out["changed_after_interrupt"] = changed(before)

    # a tf-keras without History.on_epoch_end (an unknown version's shape): the run completes, the hook is missing
    saved = callbacks_module.History.__dict__["on_epoch_end"]
    del callbacks_module.History.on_epoch_end
    try:
        with fittrace.trace(path=folder / "missing.jsonl"):
            h = fit(model(), epochs=1, validation_data=None)
        out["missing_epochs"] = h.epoch
    finally:
        callbacks_module.History.on_epoch_end = saved

    # three steps per train_function call: 8 steps run as executions at 0, 3 and 6 (the last one of two)
    m = tf_keras.Sequential([tf_keras.layers.Dense(1)])
    m.compile("sgd", "mse", steps_per_execution=3)
    with fittrace.trace(path=folder / "executions.jsonl"):
        m.fit(x, y, batch_size=128, epochs=1, verbose=0)

    # the progress bar: what it printed, beside the lines the trace read
    for verbose in (1, 2):
        printed = io.StringIO()
        with (
            fittrace.trace(path=folder / f"progbar{verbose}.jsonl"),
            contextlib.redirect_stdout(printed),
        ):
            model().fit(x[:300], y[:300], batch_size=64, epochs=2, verbose=verbose)
        out[f"printed{verbose}"] = printed.getvalue()

    # the other public calls
    with fittrace.trace(path=folder / "api.jsonl"):
        m = model(metrics=())
        m.train_on_batch(x[:32], y[:32])
        m.test_on_batch(x[:32], y[:32])
        m.predict_on_batch(x[:8])
        with contextlib.redirect_stdout(io.StringIO()):
            m.summary()
        out["evaluate"] = m.evaluate(x[:300], y[:300], batch_size=100, verbose=0)
        m.predict(x[:50], batch_size=20, verbose=0)
    out["changed_at_end"] = changed(before)
    return out


if __name__ == "__main__":
    assert sys.argv[1] == "tf"
    print(json.dumps(main(Path(sys.argv[2]))))
