"""Every tutorial runs: its Python blocks execute in order, and every picture it shows is produced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TUTORIALS = sorted((Path(__file__).resolve().parents[1] / "tutorials").glob("[0-9][0-9]-*.md"))


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


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(path, tmp_path, monkeypatch, capsys):
    from fittrace.engine.base_layer import clear_session

    clear_session()
    text = path.read_text()
    blocks = code_blocks(text)
    assert blocks, "a tutorial without code"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    namespace: dict = {"__name__": f"tutorial_{path.stem.replace('-', '_')}"}
    for i, block in enumerate(blocks, 1):
        try:
            exec(compile(block, f"{path.name}, block {i}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(
                f"{path.name}, code block {i} failed: {type(exc).__name__}: {exc}"
            ) from exc
    for image in re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text):
        assert (tmp_path / image).stat().st_size > 0, (
            f"{path.name} shows {image} but did not make it"
        )
