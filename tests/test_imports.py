"""Every module of the package can be the first one imported: none depends on another having been loaded before it.
(Import cycles are found from the imports themselves, in ``test_structure.py``: a cycle can import cleanly in
every order and still be one.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter: numpy is loaded once, then each module is imported in a forked child that has
# loaded nothing of fittrace yet.
_SCRIPT = r"""
import os, sys, traceback
import numpy
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
print("FAILED:" + ",".join(failed))
"""


def _modules() -> list[str]:
    out = []
    for path in sorted((ROOT / "fittrace").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__main__":  # runs the command line when imported
            continue
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_every_module_imports_first():
    modules = _modules()
    assert "fittrace.autodiff.tape" in modules and "fittrace.engine.training" in modules
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    failed = done.stdout.strip().rpartition("FAILED:")[2]
    assert failed == "", f"these modules fail when imported first: {failed}\n{done.stderr[-3000:]}"
