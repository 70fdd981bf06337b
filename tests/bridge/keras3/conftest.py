"""The real Keras 3 runs every test here reads: ``scenarios.py`` once per backend (TensorFlow, JAX), each in one
process of the TF-Keras interpreter, for the whole session (TF and JAX take seconds to start)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from parity import run_side

import fittrace

HERE = Path(__file__).resolve().parent

BACKENDS = ("tensorflow", "jax")


class Run:
    """One backend's scenario run: the facts it printed and its traces by name."""

    def __init__(self, facts: dict, folder: Path) -> None:
        self.facts = facts
        self.folder = folder
        self._traces: dict[str, object] = {}

    def trace(self, name: str):
        if name not in self._traces:
            self._traces[name] = fittrace.load(str(self.folder / f"{name}.jsonl"))
        return self._traces[name]


@pytest.fixture(scope="session")
def keras3_runs(real_keras_python, tmp_path_factory) -> dict[str, Run]:
    runs = {}
    for backend in BACKENDS:
        folder = tmp_path_factory.mktemp(f"keras3-{backend}")
        facts = run_side(real_keras_python, HERE / "scenarios.py", backend, str(folder))
        runs[backend] = Run(facts, folder)
    return runs


@pytest.fixture(params=BACKENDS)
def keras3_run(request, keras3_runs) -> Run:
    """Each backend's run in turn."""
    return keras3_runs[request.param]


@pytest.fixture(scope="session")
def unchanged_script_run(real_keras_python, tmp_path_factory):
    """``fittrace run unchanged_script.py`` in the TF-Keras interpreter: the script imports TensorFlow (and so
    Keras 3) only once the trace has begun. The trace as loaded."""
    out = tmp_path_factory.mktemp("keras3-run")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("KERAS_BACKEND", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parents[2]), env.get("PYTHONPATH")]))
    code = "import sys; from fittrace.cli.main import main; sys.exit(main(sys.argv[1:]))"
    script = HERE / "unchanged_script.py"
    done = subprocess.run(
        [real_keras_python, "-c", code, "run", "--out", str(out), str(script)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return fittrace.load(str(out / "unchanged_script.trace.jsonl"))
