"""The article example in real TF-Keras, timed beside the engine: ``fittrace bench --keras-python PATH``.

The issue's speed target is "about as fast as TF-Keras 2 on the same machine". Shared machines drift, so a figure
taken another day says little; this runs the same model on the same data in TF-Keras, in the same minutes, with
an interpreter that has ``tf_keras`` installed (fittrace never depends on TensorFlow itself: the run happens in a
child process of that interpreter, which prints one JSON line back).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

# Runs inside the other interpreter. The data are made exactly as ``workload.random_digits`` makes them.
_SCRIPT = r"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import numpy as np
    import tf_keras as keras
except ImportError as exc:
    print(json.dumps({"error": "cannot import tf_keras (%s)" % exc}))
    sys.exit(0)
n, epochs = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
x = rng.random((n, 784), dtype=np.float32)
y = rng.integers(0, 10, n).astype(np.uint8)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
times = []
class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.t0)
model.fit(x, y, epochs=epochs, batch_size=128, verbose=0, callbacks=[Timer()])
import tensorflow as tf
print(json.dumps({"epoch_s": times, "tf_keras": keras.__version__, "tensorflow": tf.__version__}))
"""


class KerasBenchError(RuntimeError):
    """The TF-Keras comparison could not run; the message says why and what to do."""


def check_interpreter(python: str) -> None:
    """Fail early (before minutes of benchmarking) if ``python`` is not an interpreter that can find tf_keras."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise KerasBenchError(
            f"--keras-python {python!r} is not an executable file: give the path of a Python "
            "interpreter that has tensorflow and tf-keras installed"
        )
    probe = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('tf_keras') else 3)"
    try:
        code = subprocess.run(
            [python, "-c", probe], capture_output=True, timeout=60, check=False
        ).returncode
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KerasBenchError(
            f"--keras-python {python!r} could not be run as Python: {exc}"
        ) from None
    if code == 3:
        raise KerasBenchError(
            f"{python} cannot import tf_keras: install tensorflow and tf-keras in that environment"
        )
    if code != 0:
        raise KerasBenchError(
            f"--keras-python {python!r} is not a Python interpreter (the probe exited {code})"
        )


def keras_epochs(python: str, n: int, epochs: int, timeout: float = 1800) -> dict[str, Any]:
    """Seconds of each epoch of the article example in TF-Keras under ``python`` (an interpreter
    :func:`check_interpreter` accepted), and the versions used."""
    try:
        done = subprocess.run(
            [python, "-c", _SCRIPT, str(n), str(epochs)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise KerasBenchError(
            f"TF-Keras under {python} did not finish {epochs} epochs within {timeout:.0f} s"
        ) from None
    reply = _last_json_line(done.stdout)
    if reply is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise KerasBenchError(f"TF-Keras under {python} failed (exit {done.returncode}): {tail}")
    if "error" in reply:
        raise KerasBenchError(
            f"{python} {reply['error']}: install tensorflow and tf-keras in that environment"
        )
    return reply


def _last_json_line(text: str) -> dict[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
