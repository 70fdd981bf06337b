"""``fittrace compare A B [-o page.html]`` (its job in ``fittrace/cli/jobs.py``): the one-line summary, exit code
0 when the runs conform, 1 when they do not, 2 for a missing or invalid trace (named), the page written
atomically."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fittrace
from fittrace.cli.main import main
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.keras.utils import set_random_seed


def _fit(path, batch_size):
    clear_session()
    set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((90, 5), dtype=np.float32), rng.integers(0, 3, 90)
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=2, batch_size=batch_size, verbose=0)
    return path


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli-compare")
    return {
        "a": _fit(d / "a.trace.jsonl", 32),
        "same": _fit(d / "same.trace.jsonl", 32),
        "other": _fit(d / "other.trace.jsonl", 40),
    }


def test_runs_that_conform_exit_0_with_one_line(traces, capsys):
    assert main(["compare", str(traces["a"]), str(traces["same"])]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and ": conforms: " in out[0]
    assert "a.trace.jsonl" in out[0] and "same.trace.jsonl" in out[0]


def test_runs_that_differ_exit_1_and_list_the_differences_when_asked(traces, capsys):
    assert main(["compare", str(traces["a"]), str(traces["other"])]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert "does not conform" in line and "numbers differ" in line
    assert main(["compare", str(traces["a"]), str(traces["other"]), "-v"]) == 1
    listed = capsys.readouterr().out.splitlines()[1:]
    assert "  - adapter_selected: partial_batch_size 26 vs 10" in listed
    assert "  - adapter_selected: steps 3 vs 3" not in listed
    # a loose enough tolerance does not excuse counts and shapes
    assert main(["compare", str(traces["a"]), str(traces["other"]), "--rtol", "10"]) == 1


def test_the_page_is_written_atomically(traces, tmp_path, capsys, monkeypatch):
    page = tmp_path / "pages" / "compare.html"
    assert main(["compare", str(traces["a"]), str(traces["other"]), "-o", str(page)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"  page: {page}"
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "does not conform" in html

    def half_then_fail(self, text, encoding=None):
        with open(self, "w", encoding=encoding) as f:
            f.write(text[:50])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    assert main(["compare", str(traces["a"]), str(traces["same"]), "-o", str(page)]) == 1
    monkeypatch.undo()
    assert "OSError: disk full" in capsys.readouterr().err
    assert page.read_text() == html and sorted(os.listdir(page.parent)) == ["compare.html"]


def test_bad_input_exits_2_naming_the_file(traces, tmp_path, capsys):
    missing = tmp_path / "missing.trace.jsonl"
    assert main(["compare", str(traces["a"]), str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"fittrace compare: no such trace file: {missing}"
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"hello": 1}\n')
    assert main(["compare", str(junk), str(traces["a"])]) == 2
    err = capsys.readouterr().err
    assert str(junk) in err and "not a fittrace trace" in err
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    assert main(["compare", str(binary), str(traces["a"])]) == 2
    assert str(binary) in capsys.readouterr().err
    assert main(["compare", str(tmp_path), str(traces["a"])]) == 2
    assert "is a folder, not a trace file" in capsys.readouterr().err
    assert main(["compare", str(traces["a"]), str(traces["a"]), "--atol", "-1"]) == 2
    assert "--atol must be a number >= 0" in capsys.readouterr().err


def test_a_trace_cut_short_is_still_compared(traces, tmp_path, capsys):
    lines = Path(traces["a"]).read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.trace.jsonl"
    cut.write_text("".join(lines[: len(lines) // 2]))
    assert main(["compare", str(traces["a"]), str(cut)]) == 1
    assert "only in A" in capsys.readouterr().out


def test_the_command_line_exit_code(traces):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [sys.executable, "-m", "fittrace.cli", "compare", str(traces["a"])]
    differ = subprocess.run(
        cmd + [str(traces["other"])], capture_output=True, text=True, env=env, timeout=120
    )
    assert differ.returncode == 1 and "does not conform" in differ.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "fittrace.cli", "compare", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    ).stdout
    assert "Exit code 0 when they conform, 1 when they do not, 2" in " ".join(help_text.split())


def test_what_to_know_before_trusting_it_goes_to_stderr(traces, tmp_path, capsys):
    lines = Path(traces["a"]).read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.trace.jsonl"
    cut.write_text("".join(lines[:40]))
    main(["compare", str(traces["a"]), str(cut)])
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "note: B did not end normally (incomplete)" in captured.err
