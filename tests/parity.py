"""Runs a parity scenario script under an interpreter and returns the JSON object it prints last.

A scenario script (``tests/keras_parity_*scenarios.py``) takes the side as its first argument (``tf`` or
``fittrace``), imports real TF-Keras or fittrace accordingly, runs the same code and prints one JSON object; the
``tests/test_keras_parity*.py`` that owns it compares the two. Extra arguments (a folder to save files in, a file to
load) let one side read what the other wrote."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_side(python: str, script: Path, side: str, *args: str, timeout: int = 900) -> dict:
    """Run ``script side *args`` under ``python``; fittrace is imported from this checkout on either side."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [python, str(script), side, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert done.returncode == 0, f"{script.name} {side} failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
