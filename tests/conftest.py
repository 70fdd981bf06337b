"""Shared test helpers: finite-difference gradients, and real system components (dot, Chromium) on demand."""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-3) -> np.ndarray:
    """Central differences of a scalar function, in float64."""
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up) - f(down)) / (2 * eps)
    return grad


@pytest.fixture
def gradcheck():
    """``gradcheck(fn, *arrays)``: compare the tape's gradient of sum(fn(*tensors) * w) with finite differences."""
    from fittrace.autodiff import GradientTape, Tensor, reduce_sum

    def check(
        fn: Callable, *arrays: np.ndarray, atol: float = 2e-3, rtol: float = 2e-2, which=None
    ) -> None:
        rng = np.random.default_rng(1)
        out_shape = np.shape(fn(*[Tensor(a.astype(np.float32)) for a in arrays]).value)
        w = rng.normal(size=out_shape).astype(np.float32)
        for k in which if which is not None else range(len(arrays)):
            tensors = [Tensor(a.astype(np.float32)) for a in arrays]
            with GradientTape() as tape:
                tape.watch(tensors[k])
                loss = reduce_sum(fn(*tensors) * Tensor(w))
            got = tape.gradient(loss, tensors[k])

            def f(xk: np.ndarray, k=k) -> float:
                args = [
                    Tensor(a.astype(np.float64)) if i != k else Tensor(xk)
                    for i, a in enumerate(arrays)
                ]
                return float(np.sum(fn(*args).value.astype(np.float64) * w))

            want = numeric_grad(f, arrays[k])
            assert got is not None, f"no gradient for input {k}"
            np.testing.assert_allclose(got, want, atol=atol, rtol=rtol, err_msg=f"input {k}")

    return check


def _ensure_apt(program: str, package: str) -> bool:
    """Make a system program available: already there, or apt-get installed when we are root (CI)."""
    if shutil.which(program) or os.path.exists(f"/usr/bin/{program}"):
        return True
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package],
        check=False,
        capture_output=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return bool(shutil.which(program))


@pytest.fixture(scope="session")
def dot_program() -> str:
    """Graphviz's real dot (installed by the test setup when missing and we are root)."""
    if not _ensure_apt("dot", "graphviz"):
        pytest.fail("Graphviz's dot is required for these tests: apt-get install graphviz")
    return shutil.which("dot") or "/usr/bin/dot"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """A real headless Chromium (installed by the test setup when missing and we are root)."""
    if not _ensure_apt("chromium", "chromium"):
        pytest.fail("Chromium is required for the browser tests: apt-get install chromium")
    return shutil.which("chromium") or "/usr/bin/chromium"


#: Real TF-Keras for the parity tests: the version the issues name, CPU build.
KERAS_PINS = (
    "tensorflow-cpu==2.21.0" if platform.machine() in ("x86_64", "AMD64") else "tensorflow==2.21.0",
    "tf-keras==2.21.0",
)


def _imports_tf_keras(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import tf_keras"],
        capture_output=True,
        check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return probe.returncode == 0


@pytest.fixture(scope="session")
def keras_python() -> str:
    """An interpreter with real TF-Keras 2.21: $FITTRACE_KERAS_PYTHON if set, else a virtual environment the test
    setup makes once (pip install of KERAS_PINS, a few minutes) and keeps in the user's cache folder."""
    given = os.environ.get("FITTRACE_KERAS_PYTHON")
    if given:
        if not _imports_tf_keras(Path(given)):
            pytest.fail(f"FITTRACE_KERAS_PYTHON={given} cannot import tf_keras")
        return given
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fittrace-tests"
    venv = home / "tf-keras-2.21"
    python = venv / "bin" / "python"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "tf-keras.lock", "w") as lock:  # one installer at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "installed").exists() and _imports_tf_keras(python):
            return str(python)
        free_gb = shutil.disk_usage(home).free / 2**30
        if free_gb < 3:
            pytest.fail(
                f"the parity tests install TF-Keras into {venv} (about 2.2 GB), but only {free_gb:.1f} GB "
                "is free there: free some space, or set FITTRACE_KERAS_PYTHON to an interpreter with tf_keras"
            )
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True
        )
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *KERAS_PINS],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not _imports_tf_keras(python):
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.fail(f"could not install {' '.join(KERAS_PINS)} for the parity tests: {tail}")
        (venv / "installed").write_text(" ".join(KERAS_PINS) + "\n")
    return str(python)


TENSORBOARD_PIN = "tensorboard==2.21.0"


@pytest.fixture(scope="session")
def keras_tensorboard_python(keras_python: str) -> str:
    """The TF-Keras interpreter with the ``tensorboard`` package too (tensorflow-cpu 2.21 no longer pulls it in):
    its callback writes event files only with it, and its ``EventAccumulator`` reads them."""
    python = Path(keras_python)

    def has_it() -> bool:
        probe = subprocess.run(
            [str(python), "-c", "import tensorboard"], capture_output=True, check=False
        )
        return probe.returncode == 0

    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fittrace-tests"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "tf-keras.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not has_it():
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", TENSORBOARD_PIN],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 or not has_it():
                tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                pytest.fail(f"could not install {TENSORBOARD_PIN} for the parity tests: {tail}")
    return keras_python


@pytest.fixture
def clock(monkeypatch):
    """A clock for the progress bar that moves only when the test says so: ``clock.t`` seconds."""
    from fittrace.utils import generic_utils as progbar

    class Clock:
        t = 1000.0

    monkeypatch.setattr(progbar, "_now", lambda: Clock.t)
    return Clock


@pytest.fixture(scope="session")
def user_layer_trace(tmp_path_factory):
    """(run, trace path) of ``sample_runs.user_layer_run``, made once for every test that only reads it."""
    from sample_runs import user_layer_run

    return user_layer_run(tmp_path_factory.mktemp("trace"))


#: For the bridge tests: JAX (Keras 3's JAX backend), beside TF-Keras in the parity environment.
JAX_PINS = ("jax==0.10.2", "jaxlib==0.10.2")


def _runtime_requirements() -> list[str]:
    """fittrace's own runtime dependencies, as pyproject.toml lists them: the bridge tests import fittrace (from
    this checkout) inside the TF-Keras interpreter, so it needs them there too."""
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    return list(project["project"]["dependencies"])


@pytest.fixture(scope="session")
def real_keras_python(keras_python: str) -> str:
    """The TF-Keras interpreter (tensorflow-cpu, tf_keras 2.21, keras 3.15) with JAX and fittrace's runtime
    dependencies added: where the bridge records real tf-keras 2 and Keras 3 runs (on TensorFlow and JAX)."""
    python = Path(keras_python)
    probe_code = "import jax, jinja2, orjson, PIL, graphviz, fittrace"

    def ready() -> bool:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        done = subprocess.run(
            [str(python), "-c", probe_code], capture_output=True, check=False, env=env
        )
        return done.returncode == 0

    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fittrace-tests"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "tf-keras.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready():
            wanted = [*JAX_PINS, *_runtime_requirements()]
            done = subprocess.run(
                [str(python), "-m", "pip", "install", "-q", *wanted],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 or not ready():
                tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
                pytest.fail(f"could not install {' '.join(wanted)} for the bridge tests: {tail}")
    return keras_python
