"""Shared test helpers: finite-difference gradients, and real system components (dot, Chromium) on demand."""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import Callable

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

    def check(fn: Callable, *arrays: np.ndarray, atol: float = 2e-3, rtol: float = 2e-2, which=None) -> None:
        rng = np.random.default_rng(1)
        out_shape = np.shape(fn(*[Tensor(a.astype(np.float32)) for a in arrays]).value)
        w = rng.normal(size=out_shape).astype(np.float32)
        for k in (which if which is not None else range(len(arrays))):
            tensors = [Tensor(a.astype(np.float32)) for a in arrays]
            with GradientTape() as tape:
                tape.watch(tensors[k])
                loss = reduce_sum(fn(*tensors) * Tensor(w))
            got = tape.gradient(loss, tensors[k])

            def f(xk: np.ndarray, k=k) -> float:
                args = [Tensor(a.astype(np.float64)) if i != k else Tensor(xk) for i, a in enumerate(arrays)]
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
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
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


@pytest.fixture
def clock(monkeypatch):
    """A clock for the progress bar that moves only when the test says so: ``clock.t`` seconds."""
    from fittrace import progbar

    class Clock:
        t = 1000.0
    monkeypatch.setattr(progbar, "_now", lambda: Clock.t)
    return Clock
