"""The fittrace command: every subcommand, exit codes, atomic outputs, and the demo itself."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fittrace
from fittrace.cli.main import main
from fittrace.engine.base_layer import clear_session
from fittrace.keras import layers
from fittrace.keras.models import Sequential
from fittrace.tracing.jsonl import TraceFormatError


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    x, y = rng.random((200, 6), dtype=np.float32), rng.integers(0, 10, 200).astype(np.uint8)
    model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    path = folder / "run.trace.jsonl"
    with fittrace.trace(path=path):
        model.fit(x, y, epochs=2, batch_size=64, verbose=0)
    return path


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert (
        e.value.code == 0 and capsys.readouterr().out.strip() == f"fittrace {fittrace.__version__}"
    )
    assert main([]) == 2
    with pytest.raises(SystemExit) as e:
        main(["diagram", "--help"])
    assert e.value.code == 0 and "--kind" in capsys.readouterr().out


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["diagram", "x.jsonl", "--kind", "pie"])
    assert e.value.code == 2
    assert main(["report", "/no/such/file.jsonl"]) == 2
    assert "no such trace file" in capsys.readouterr().err


def test_report_diagram_export_validate(trace_file, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(trace_file), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out.strip() == str(out)
    assert main(["diagram", str(trace_file), "--kind", "sequence", "--format", "mermaid"]) == 0
    assert capsys.readouterr().out.startswith("sequenceDiagram")
    assert main(["diagram", str(trace_file), "--kind", "flowchart", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph fit {")
    png = tmp_path / "c.png"
    assert (
        main(["diagram", str(trace_file), "--kind", "callgraph", "--format", "png", "-o", str(png)])
        == 0
    )
    assert png.read_bytes()[:4] == b"\x89PNG"
    capsys.readouterr()
    assert main(["diagram", str(trace_file), "--kind", "model", "--format", "dot"]) == 0
    model = capsys.readouterr().out
    assert model.startswith("digraph model {") and "(InputLayer)" in model
    svg = tmp_path / "m.svg"
    assert main(["diagram", str(trace_file), "--kind", "model", "-o", str(svg)]) == 0
    assert "<svg" in svg.read_text() and "(Dense)" in svg.read_text()
    capsys.readouterr()
    chrome = tmp_path / "c.json"
    assert main(["export", str(trace_file), "--chrome", str(chrome)]) == 0
    assert json.loads(chrome.read_text())["traceEvents"]
    assert main(["validate", str(trace_file)]) == 0
    assert "complete" in capsys.readouterr().out
    assert main(["schema", "--format", "markdown"]) == 0
    assert "| `fit` |" in capsys.readouterr().out


def test_focus_on_report_and_diagram(trace_file, tmp_path, capsys):
    out = tmp_path / "step.html"
    assert main(["report", str(trace_file), "-o", str(out), "--focus", "step"]) == 0
    figure = out.read_text().split('id="diagram-sequence"')[1].split("</figure>")[0]
    assert '<span class="tag">focus step</span>' in figure and "on_epoch_end" not in figure
    capsys.readouterr()
    argv = ["diagram", str(trace_file), "--kind", "sequence", "--format", "mermaid"]
    assert main([*argv, "--focus", "setup"]) == 0
    setup = capsys.readouterr().out
    assert "select_data_adapter" in setup and "train_step" not in setup
    assert main([*argv, "--focus", "epoch-end"]) == 0
    assert "on_epoch_end × 2" in capsys.readouterr().out
    assert main(argv) == 0
    folded = capsys.readouterr().out
    assert main([*argv, "--unfolded"]) == 0
    unfolded = capsys.readouterr().out
    assert "participant p5 as History" in unfolded and "as History" not in folded
    assert "CallbackList [History]" in folded  # verbose=0: no progress bar joined the list
    svg = tmp_path / "s.svg"
    assert (
        main(["diagram", str(trace_file), "--kind", "sequence", "--focus", "step", "-o", str(svg)])
        == 0
    )
    assert "the first train step" in svg.read_text()
    capsys.readouterr()
    # a focus the diagram does not know, or on a diagram without parts: usage errors that say why
    with pytest.raises(SystemExit) as bad:
        main([*argv, "--focus", "middle"])
    assert bad.value.code == 2 and "invalid choice: 'middle'" in capsys.readouterr().err
    assert main(["diagram", str(trace_file), "--kind", "flowchart", "--focus", "step"]) == 2
    assert "--focus and --unfolded apply to --kind sequence only" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", str(trace_file), "--focus", "steps"])


def test_failure_is_one_line_and_leaves_no_half_file(trace_file, tmp_path, capsys):
    cut = tmp_path / "cut.trace.jsonl"
    data = trace_file.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert main(["validate", str(cut)]) == 1
    assert "INCOMPLETE" in capsys.readouterr().out
    bad = tmp_path / "bad.trace.jsonl"
    bad.write_text('{"record": "header", "schema": "fittrace.trace", "version": 1}\n{oops}\n{}\n')
    target = tmp_path / "out" / "r.html"
    assert main(["report", str(bad), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "line 2: not valid JSON" in err
    assert not target.exists() and not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))
    with pytest.raises(
        TraceFormatError, match="line 2: not valid JSON"
    ):  # --debug: the exception itself
        main(["--debug", "report", str(bad), "-o", str(target)])


def test_run_a_user_script(tmp_path, capsys):
    script = tmp_path / "train.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        import numpy as np
        from fittrace.keras import layers
        from fittrace.keras.models import Sequential
        x = np.random.default_rng(0).random((64, 3), dtype=np.float32)
        y = (x.sum(1) > 1.5).astype("float32")
        model = Sequential([layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=int(sys.argv[1]), verbose=0)
    """)
    )
    out = tmp_path / "out"
    assert main(["run", "--out", str(out), str(script), "2"]) == 0
    trace = fittrace.load(out / "train.trace.jsonl").trace
    assert len(trace.epochs()) == 2 and trace.header["compile"]["loss"] == "binary_crossentropy"
    assert trace.of_kind("tensor_snapshot") and trace.header["snapshots"]["mode"] == "default"
    for name in (
        "report.html",
        "lesson.html",
        "sequence.svg",
        "sequence.png",
        "flowchart.svg",
        "callgraph.png",
        "run.chrome.json",
    ):
        assert (out / name).exists(), name
    assert '<a href="lesson.html">' in (out / "report.html").read_text()
    assert "  lesson  " in capsys.readouterr().out
    clear_session()  # the script's layer is "dense" again
    broken = tmp_path / "broken.py"  # built for 3 features, then fed 2
    broken.write_text(
        script.read_text().replace(
            "model.fit(x, y, epochs=int(sys.argv[1]), verbose=0)",
            "model.fit(x, y, epochs=1, verbose=0)\nmodel.fit(x[:, :2], y, epochs=1, verbose=0)",
        )
    )
    assert main(["run", "--out", str(tmp_path / "b"), str(broken)]) == 1
    err = capsys.readouterr().err
    assert err == (
        'fittrace run: RuntimeError: broken.py failed (ValueError: Input 0 of layer "dense" is '
        "incompatible with the layer: expected axis -1 of input shape to have value 3, but received input "
        "with shape (32, 2)); the trace and report show everything up to the failure\n"
    )
    failed = fittrace.load(tmp_path / "b" / "broken.trace.jsonl").trace
    assert failed.status == "error" and failed.of_kind("error")[0].data["type"] == "ValueError"
    assert (
        tmp_path / "b" / "report.html"
    ).exists()  # the report shows everything up to the failure
    assert main(["run", "--snapshots", "off", "--out", str(tmp_path / "c"), str(script), "1"]) == 0
    assert not fittrace.load(tmp_path / "c" / "train.trace.jsonl").trace.of_kind("tensor_snapshot")


@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fittrace.cli",
            "demo",
            "--out",
            str(tmp_path),
            "--epochs",
            "1",
            "--verbose",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "469/469 - " in result.stdout and "test accuracy" in result.stdout
    for name in (
        "run.trace.jsonl",
        "report.html",
        "lesson.html",
        "sequence.svg",
        "sequence.png",
        "sequence.mmd",
        "flowchart.svg",
        "flowchart.png",
        "flowchart.dot",
        "callgraph.svg",
        "callgraph.png",
        "callgraph.dot",
        "run.chrome.json",
    ):
        assert (tmp_path / name).stat().st_size > 0, name
    assert f"lesson  {tmp_path / 'lesson.html'}" in result.stdout
    assert "469: 60,000 ÷ 128" in (tmp_path / "lesson.html").read_text()
    acc = float(result.stdout.split("test accuracy: ")[1].split()[0])
    assert acc > 0.9


def test_report_sets_a_hand_written_loop_beside_a_second_traces_fit(trace_file, tmp_path, capsys):
    from sample_runs import hand_loop_run

    _, loop_path = hand_loop_run(tmp_path, with_fit=False)
    out = tmp_path / "beside.html"
    assert main(["report", str(loop_path), "-o", str(out), "--beside", str(trace_file)]) == 0
    section = out.read_text().split('id="hand-loop"')[1].split("</section>")[0]
    assert "from the second trace" in section
    assert main(["report", str(loop_path), "--beside", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such trace file" in capsys.readouterr().err


def test_lesson(trace_file, tmp_path, capsys):
    out = tmp_path / "class.html"
    assert main(["lesson", str(trace_file), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'class="slide' in html
    assert "4: 200 ÷ 64 = 3.125, rounded up" in html  # the trace's own numbers
    copy = tmp_path / "run.trace.jsonl"
    copy.write_bytes(trace_file.read_bytes())
    assert main(["lesson", str(copy), "--focus", "step"]) == 0
    default = tmp_path / "run.lesson.html"
    assert capsys.readouterr().out.strip() == str(default)
    focused = default.read_text()
    assert "6a. The model&#39;s call" in focused and "Who can read this data?" not in focused
    # bad input: a missing trace is a usage error (2), a corrupt one a failure (1), no half-written page
    assert main(["lesson", str(tmp_path / "nope.trace.jsonl")]) == 2
    assert "fittrace lesson: no such trace file" in capsys.readouterr().err
    bad = tmp_path / "bad.trace.jsonl"
    bad.write_text('{"record": "header", "schema": "fittrace.trace", "version": 1}\n{oops}\n')
    target = tmp_path / "never.html"
    assert main(["lesson", str(bad), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("fittrace lesson: TraceFormatError:")
    assert "line 2" in err and not target.exists()
    with pytest.raises(SystemExit) as e:
        main(["lesson", str(trace_file), "--focus", "middle"])
    assert e.value.code == 2


def test_the_report_says_how_to_teach_it(trace_file, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", str(trace_file), "-o", str(out)]) == 0
    teach = out.read_text().split('id="teach-it"')[1].split("</p>")[0]
    assert "fittrace lesson TRACE -o lesson.html" in teach and "<a " not in teach
