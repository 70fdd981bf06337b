"""Every tutorial runs: its Python blocks execute in order, and every picture it shows is produced."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]-*.md"))
#: A tutorial that opens with this line runs on real TensorFlow, tf-keras and Keras 3 (it traces them through
#: the bridge), in the interpreter the parity tests install; the others run here, on fittrace's engine.
REAL_KERAS = "<!-- runs on: tensorflow, tf-keras 2, keras 3 -->"
#: Runs a real-Keras tutorial's blocks in order in one namespace, in that interpreter.
RUNNER = """
import json, sys
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": sys.argv[2]}
for i, block in enumerate(blocks, 1):
    try:
        exec(compile(block, f"{sys.argv[2]}, block {i}", "exec"), namespace)
    except Exception as exc:
        sys.exit(f"code block {i} failed: {type(exc).__name__}: {exc}")
"""


def _params() -> list:
    slow = [pytest.mark.keras_parity, pytest.mark.slow]
    return [
        pytest.param(p, marks=slow if p.read_text().startswith(REAL_KERAS) else [], id=p.stem)
        for p in TUTORIALS
    ]


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_series_is_complete_and_linked_from_the_readme():
    numbers = [p.name[:2] for p in TUTORIALS]
    assert numbers == [f"{i:02d}" for i in range(1, len(TUTORIALS) + 1)]  # contiguous, from 01
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    positions = [
        readme.index(f"tutorials/{p.name}") for p in TUTORIALS
    ]  # every one linked, in order
    assert positions == sorted(positions)
    for p in TUTORIALS:
        text = p.read_text()
        assert (
            "## Exercises" in text
            and len(re.findall(r"^\d\. ", text.split("## Exercises")[1], re.M)) >= 2
        )


@pytest.mark.parametrize("path", _params())
def test_tutorial_runs(path, tmp_path, monkeypatch, capsys, request):
    from fittrace.engine.base_layer import clear_session

    clear_session()
    text = path.read_text()
    blocks = code_blocks(text)
    assert blocks, "a tutorial without code"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    if text.startswith(REAL_KERAS):
        _run_on_real_keras(request.getfixturevalue("real_keras_python"), path, blocks, tmp_path)
        _check_images(path, text, tmp_path)
        return
    namespace: dict = {"__name__": f"tutorial_{path.stem.replace('-', '_')}"}
    for i, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{path.name}, block {i}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(
                f"{path.name}, code block {i} failed: {type(exc).__name__}: {exc}"
            ) from exc
    _check_images(path, text, tmp_path)


def _run_on_real_keras(python: str, path: Path, blocks: list[str], folder: Path) -> None:
    (folder / "blocks.json").write_text(json.dumps(blocks))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [python, "-c", RUNNER, "blocks.json", path.name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert done.returncode == 0, f"{path.name}: {done.stderr[-3000:]}"


def _check_images(path: Path, text: str, tmp_path: Path) -> None:
    for image in re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text):
        assert (tmp_path / image).stat().st_size > 0, (
            f"{path.name} shows {image} but did not make it"
        )
