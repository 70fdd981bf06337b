"""The article example in real TF-Keras, timed beside the engine: ``fittrace bench --keras-python PATH``.

The issue's speed target is "about as fast as TF-Keras 2 on the same machine". Shared machines drift, so a figure
taken another day says little; this runs the same model on the same data in TF-Keras, in the same minutes, with
an interpreter that has ``tf_keras`` installed (fittrace never depends on TensorFlow itself: the run happens in a
child process of that interpreter, which prints one JSON line back).

:func:`keras_tracing_cost` measures what recording a real tf-keras fit costs (the bridge's hooks, at "default"
detail): in one TF process, with this checkout's fittrace on its ``PYTHONPATH``, one compiled article model
trains one-epoch fits that take turns, untraced and under ``fittrace.trace(detail="default")``, the order swapped
every round (off, traced; traced, off; ...), so that the machine's drift falls on both alike. Before the rounds,
one fit of each warms the model up (its build and its ``train_function``'s trace, then the hooks' first use), so
the rounds time fits as a user's second and later epochs run.

The slowdown checked against the target is the calling thread's added CPU time: per pair, the traced fit's
main-thread CPU seconds less the untraced one's (median over the rounds), over the wall time of the fastest
untraced fit. The hooks add work only there (Python on the thread that calls ``fit``; no op is added to the
graph, which TensorFlow runs on its own threads), and on a shared machine whose speed halves from one second to
the next, the wall-time ratio of two adjacent fits scatters by tens of percent (it is printed beside, with the
spread of the middle half: it cannot tell 1 % from 3 %), while the CPU time a thread used changes little with the
load. Dividing by the fastest untraced fit errs on the side of a larger slowdown. Also printed: the wall ratio
for the epochs alone (``on_epoch_begin``..``on_epoch_end``, without fit's setup), what opening and closing the
trace adds, and, informative only, the first fit of a fresh model (its build and ``tf.function`` trace, which
under tracing run through the bridge's hooks too), from two pairs.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

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


# Runs inside the other interpreter, fittrace importable there (this checkout on PYTHONPATH). The timer callback
# implements only the epoch hooks: the batch hooks stay skipped by CallbackList, as in an untimed fit.
_TRACED_SCRIPT = r"""
import gc, json, os, sys, tempfile, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
try:
    import numpy as np
    import tf_keras as keras
except ImportError as exc:
    print(json.dumps({"error": "cannot import tf_keras (%s)" % exc}))
    sys.exit(0)
try:
    import fittrace
except ImportError as exc:
    advice = "install fittrace's dependencies (numpy, jinja2, orjson, graphviz, pillow, h5py) there"
    print(json.dumps({"error": "cannot import fittrace (%s)" % exc, "advice": advice}))
    sys.exit(0)
n, rounds = int(sys.argv[1]), int(sys.argv[2])
folder = tempfile.mkdtemp(prefix="fittrace-bench-real-")
path = os.path.join(folder, "real.trace.jsonl")
rng = np.random.default_rng(0)
x = rng.random((n, 784), dtype=np.float32)
y = rng.integers(0, 10, n).astype(np.uint8)

def article():
    model = keras.Sequential(
        [keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.t0

def one_fit(model, traced):
    gc.collect()
    timer = EpochTimer()
    t0 = time.perf_counter()
    if traced:
        with fittrace.trace(path=path, detail="default"):
            t1, c1 = time.perf_counter(), time.thread_time()
            model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[timer])
            t2, c2 = time.perf_counter(), time.thread_time()
    else:
        t1, c1 = time.perf_counter(), time.thread_time()
        model.fit(x, y, epochs=1, batch_size=128, verbose=0, callbacks=[timer])
        t2, c2 = time.perf_counter(), time.thread_time()
    t3 = time.perf_counter()
    return {
        "fit_s": t2 - t1, "cpu_s": c2 - c1, "epoch_s": timer.seconds,
        "open_close_s": (t3 - t0) - (t2 - t1),
    }

keras.utils.set_random_seed(0)
fresh = {"off": [], "traced": []}
for pair in range(2):
    for mode in (("off", "traced") if pair % 2 == 0 else ("traced", "off")):
        keras.utils.set_random_seed(0)
        fresh[mode].append(one_fit(article(), mode == "traced")["fit_s"])
keras.utils.set_random_seed(0)
model = article()
one_fit(model, False)
one_fit(model, True)
runs = {"off": [], "traced": []}
for r in range(rounds):
    for mode in (("off", "traced") if r % 2 == 0 else ("traced", "off")):
        runs[mode].append(one_fit(model, mode == "traced"))
trace = fittrace.load(path).trace
header = trace.header
bridge = header.get("bridge") or {}
import tensorflow as tf
print(json.dumps({
    "off": runs["off"], "traced": runs["traced"], "fresh": fresh,
    "trace_bytes": os.path.getsize(path), "events": len(trace.events),
    "steps": sum(1 for e in trace.events if e.kind == "step"),
    "kinds": sorted({e.kind for e in trace.events}),
    "framework": header.get("framework"), "hooked": sum(
        int(v.get("hooked") or 0) for v in bridge.values() if isinstance(v, dict)
    ),
    "missing": sum(len(v.get("missing") or []) for v in bridge.values() if isinstance(v, dict)),
    "failed": sorted({k for v in bridge.values() if isinstance(v, dict) for k in (v.get("failed") or {})}),
    "tf_keras": keras.__version__, "tensorflow": tf.__version__,
}))
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
    return _run_script(python, _SCRIPT, [str(n), str(epochs)], timeout, f"{epochs} epochs")


def _run_script(
    python: str,
    script: str,
    args: list[str],
    timeout: float,
    what: str,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    try:
        done = subprocess.run(
            [python, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise KerasBenchError(
            f"TF-Keras under {python} did not finish {what} within {timeout:.0f} s"
        ) from None
    reply = _last_json_line(done.stdout)
    if reply is None:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise KerasBenchError(f"TF-Keras under {python} failed (exit {done.returncode}): {tail}")
    if "error" in reply:
        advice = reply.get("advice", "install tensorflow and tf-keras in that environment")
        raise KerasBenchError(f"{python} {reply['error']}: {advice}")
    return reply


def checkout_env() -> dict[str, str]:
    """The environment for a TF-Keras child process that imports this fittrace (the folder holding the
    ``fittrace`` package first on its ``PYTHONPATH``), with TensorFlow's logs and GPUs off."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    return env


def _ratio(traced: list[float], off: list[float]) -> list[float]:
    return [t / o - 1 for t, o in zip(traced, off) if o > 0]


def keras_tracing_cost(python: str, n: int, rounds: int, timeout: float = 1800) -> dict[str, Any]:
    """What tracing a real tf-keras fit of the article example at "default" detail costs: one-epoch fits of
    ``n`` samples taking turns, untraced and traced, ``rounds`` pairs in one TF process (see the module's
    docstring). Fractions (``real_overhead`` is the checked one), seconds, and what the last trace held."""
    reply = _run_script(
        python, _TRACED_SCRIPT, [str(n), str(rounds)], timeout, f"{rounds} rounds", checkout_env()
    )
    off, traced = reply["off"], reply["traced"]
    fits = _ratio([t["fit_s"] for t in traced], [o["fit_s"] for o in off])
    epochs = _ratio([t["epoch_s"] for t in traced], [o["epoch_s"] for o in off])
    fresh = _ratio(reply["fresh"]["traced"], reply["fresh"]["off"])
    fastest = min(o["fit_s"] for o in off)
    added = [(t["cpu_s"] - o["cpu_s"]) / fastest for t, o in zip(traced, off)]
    q1, q3 = np.percentile(added, [25, 75])
    w1, w3 = np.percentile(fits, [25, 75])
    return {
        "real_off_s": float(np.median([o["fit_s"] for o in off])),
        "real_off_fastest_s": float(fastest),
        "real_traced_s": float(np.median([t["fit_s"] for t in traced])),
        "real_off_cpu_s": float(np.median([o["cpu_s"] for o in off])),
        "real_traced_cpu_s": float(np.median([t["cpu_s"] for t in traced])),
        "real_overhead": float(np.median(added)),
        "real_overhead_q1": float(q1),
        "real_overhead_q3": float(q3),
        "real_wall_overhead": float(np.median(fits)),
        "real_wall_overhead_q1": float(w1),
        "real_wall_overhead_q3": float(w3),
        "real_epoch_overhead": float(np.median(epochs)),
        "real_open_close_ms": float(np.median([t["open_close_s"] for t in traced])) * 1e3,
        "real_fresh_overhead": float(np.median(fresh)),
        "real_rounds": float(len(fits)),
        "real_trace_kb": reply["trace_bytes"] / 1024,
        "real_events": float(reply["events"]),
        "real_steps_kept": float(reply["steps"]),
        "real_hooked": float(reply["hooked"]),
        "real_missing": float(reply["missing"]),
        "real_failed": list(reply["failed"]),
        "real_kinds": list(reply["kinds"]),
        "real_framework": reply.get("framework"),
        "real_tf_keras": reply.get("tf_keras"),
    }


def _last_json_line(text: str) -> dict[str, Any] | None:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None
