"""The jobs behind the ``fittrace`` command: demo, run, report, lesson, diagram, export, validate, why, compare,
bench, schema.

Each job reads or records a trace and hands it to the renderers; files are written atomically at this edge.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any

from fittrace import session
from fittrace.analysis.builds import why_rebuilt
from fittrace.analysis.compare import compare
from fittrace.bench.benchmark import run_bench
from fittrace.bench.keras_side import KerasBenchError
from fittrace.cli.demo import run_demo
from fittrace.render.compare import render_compare
from fittrace.render.lesson import render_lesson
from fittrace.render.registry import render
from fittrace.render.report import diagram_sources, render_report
from fittrace.render.text import diagnosis_text
from fittrace.tracing import events
from fittrace.tracing.atomic import atomic_write_bytes, atomic_write_text
from fittrace.tracing.chrome import to_chrome
from fittrace.tracing.document import Trace
from fittrace.tracing.jsonl import TraceFormatError, read_jsonl


class UsageError(Exception):
    """A command was given something it cannot use (exit code 2)."""


def run_command(args: Any) -> int:
    """Dispatch a parsed ``fittrace`` command line to its job."""
    job = {
        "demo": _demo,
        "run": _run,
        "report": _report,
        "lesson": _lesson,
        "diagram": _diagram,
        "export": _export,
        "validate": _validate,
        "why": _why,
        "compare": _compare,
        "bench": _bench,
        "schema": _schema,
    }[args.command]
    return job(args)


# --- rendering a trace into files ------------------------------------------------------------------------------------
def write_outputs(trace: Trace, out: Path) -> dict[str, Path]:
    """Report, lesson, diagrams (SVG, PNG, DOT, Mermaid) and the Chrome export of a trace, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    written["lesson"] = out / "lesson.html"
    render_lesson(trace, written["lesson"])
    written["report"] = out / "report.html"
    render_report(trace, written["report"], lesson=written["lesson"].name)
    for name, text in diagram_sources(trace).items():
        atomic_write_text(out / name, text)
        written[name] = out / name
    for kind in ("sequence", "flowchart", "callgraph", "model"):
        for fmt in ("svg", "png"):
            data = render(trace, kind, fmt)
            target = out / f"{kind}.{fmt}"
            if isinstance(data, bytes):
                atomic_write_bytes(target, data)
            else:
                atomic_write_text(target, data)
            written[f"{kind}.{fmt}"] = target
    written["chrome"] = out / "run.chrome.json"
    to_chrome(trace, written["chrome"])
    return written


def _print_written(written: dict[str, Path], trace_path: Path) -> None:
    print(f"\nfittrace wrote:\n  trace   {trace_path}\n  report  {written['report']}")
    if "lesson" in written:
        print(f"  lesson  {written['lesson']}  (slides for a class: arrows, m menu, n notes)")
    print(
        "  diagrams "
        + ", ".join(
            str(written[k].name) for k in written if k not in ("report", "lesson", "chrome")
        )
    )
    print(f"  chrome  {written['chrome']}  (open in Perfetto UI or chrome://tracing)")


# --- the commands ----------------------------------------------------------------------------------------------------
def _demo(args: Any) -> int:
    out = Path(args.out)
    trace_path, trace = run_demo(
        out, epochs=args.epochs, data=args.data, detail=args.detail, verbose=args.verbose
    )
    _print_written(write_outputs(trace, out), trace_path)
    return 0


def _run(args: Any) -> int:
    script = Path(args.script)
    if not script.is_file():
        raise UsageError(f"no such script: {script}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    trace_path = out / f"{script.stem}.trace.jsonl"
    saved_argv = sys.argv
    sys.argv = [str(script)] + list(args.args or [])
    failure: BaseException | None = None
    try:
        with session.trace(path=trace_path, detail=args.detail, snapshots=args.snapshots) as run:
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            failure = exc
    except Exception as exc:
        failure = exc
    finally:
        sys.argv = saved_argv
    _print_written(write_outputs(run.trace, out), trace_path)
    if failure is not None:
        raise RuntimeError(
            f"{script.name} failed ({type(failure).__name__}: {failure}); the trace and report show "
            "everything up to the failure"
        ) from failure
    return 0


def _load(path: str) -> Trace:
    if not Path(path).is_file():
        raise UsageError(f"no such trace file: {path}")
    return read_jsonl(path)


def _report(args: Any) -> int:
    trace = _load(args.trace)
    output = args.output or str(Path(args.trace).with_suffix("").with_suffix("")) + ".html"
    beside = _load(args.beside) if getattr(args, "beside", None) else None
    render_report(trace, output, beside=beside, focus=getattr(args, "focus", None))
    print(output)
    return 0


def _lesson(args: Any) -> int:
    trace = _load(args.trace)
    output = args.output or str(Path(args.trace).with_suffix("").with_suffix("")) + ".lesson.html"
    render_lesson(trace, output, focus=args.focus)
    print(output)
    return 0


def _diagram(args: Any) -> int:
    focus, unfolded = getattr(args, "focus", None), getattr(args, "unfolded", False)
    if args.kind != "sequence" and (focus or unfolded):
        raise UsageError(
            f"--focus and --unfolded apply to --kind sequence only, not to --kind {args.kind}"
        )
    trace = _load(args.trace)
    data = render(trace, args.kind, args.format, focus=focus, fold=not unfolded)
    if args.output:
        (atomic_write_bytes if isinstance(data, bytes) else atomic_write_text)(args.output, data)
        print(args.output)
    elif isinstance(data, bytes):
        target = (
            str(Path(args.trace).with_suffix("").with_suffix("")) + f".{args.kind}.{args.format}"
        )
        atomic_write_bytes(target, data)
        print(target)
    else:
        sys.stdout.write(data if data.endswith("\n") else data + "\n")
    return 0


def _export(args: Any) -> int:
    to_chrome(_load(args.trace), args.chrome)
    print(args.chrome)
    return 0


def _validate(args: Any) -> int:
    trace = _load(args.trace)
    print(
        f"{args.trace}: {len(trace.events)} events, schema version {trace.header.get('version')}, "
        f"{'complete' if trace.complete else 'INCOMPLETE'}"
    )
    for problem in trace.problems:
        print(f"  - {problem}")
    return 0 if trace.complete else 1


def _why(args: Any) -> int:
    trace = _load(args.trace)
    try:
        diagnosis = why_rebuilt(trace, layer=args.layer)
    except ValueError as exc:  # a --layer the trace does not have
        raise UsageError(str(exc)) from None
    print(diagnosis_text(diagnosis))
    return 0


def _load_checked(path: str) -> Trace:
    """A trace for ``compare``: a missing, unreadable or invalid file is bad input (exit code 2), named."""
    if Path(path).is_dir():
        raise UsageError(f"{path} is a folder, not a trace file")
    try:
        return _load(path)
    except TraceFormatError as exc:  # its message names the file, the line and what is wrong
        raise UsageError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{path}: cannot read it as a trace ({type(exc).__name__}: {exc})"
        ) from None


def _compare(args: Any) -> int:
    for name in ("rtol", "atol"):
        value = getattr(args, name)
        if not value >= 0:
            raise UsageError(f"--{name} must be a number >= 0, got {value}")
    a, b = _load_checked(args.a), _load_checked(args.b)
    result = compare(a, b, rtol=args.rtol, atol=args.atol)
    if args.output:
        render_compare(result, args.output)
    print(result.summary)
    for note in result.notes:  # on stderr: stdout keeps its one line
        print(f"fittrace compare: note: {note}", file=sys.stderr)
    if args.verbose:
        for d in result.differences:
            print(f"  - {d.text()}" + (f"  [inherent: {d.explained_by}]" if d.explained_by else ""))
    if args.output:
        print(f"  page: {args.output}")
    return 0 if result.conforms else 1


def _bench(args: Any) -> int:
    if args.keras_python and args.only not in (None, "engine", "layers", "real"):
        raise UsageError(
            "--keras-python times the engine part, the real part and the layers part: use it without "
            "--only or with --only engine, --only real or --only layers"
        )
    if args.only == "real" and not args.keras_python:
        raise UsageError(
            "--only real traces a real tf-keras fit: give --keras-python PYTHON, an interpreter that has "
            "tensorflow and tf-keras"
        )
    try:
        run_bench(quick=args.quick, only=args.only, keras_python=args.keras_python)
    except KerasBenchError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _schema(args: Any) -> int:
    if args.format == "json":
        print(json.dumps(events.json_schema(), indent=2))
    else:
        print(events.markdown_table())
    return 0
