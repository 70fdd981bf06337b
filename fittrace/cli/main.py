"""The ``fittrace`` command: argument parsing only; each command calls one function in ``cli/jobs.py``.

Exit codes: 0 on success, 2 on a usage error, 1 on failure (a one-line message; the traceback only with
``--debug``). ``fittrace compare`` exits 0 when the two runs conform, 1 when they do not, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fittrace.cli import jobs
from fittrace.version import __version__

DIAGRAM_KINDS = ("sequence", "flowchart", "callgraph", "model")
DIAGRAM_FORMATS = ("svg", "png", "dot", "mermaid")
#: the parts of the call sequence a picture can show alone (fittrace.render.sequence_model.FOCUSES)
FOCUS_CHOICES = ("setup", "step", "epoch-end")
FOCUS_HELP = (
    "draw only one part of the call sequence: setup (fit's start to the first step), step (the first train "
    "step), epoch-end (the first epoch's end to fit's end)"
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fittrace",
        description="See what really happens inside a Keras-style "
        "model.fit(): trace a run, then draw it and explain it.",
    )
    p.add_argument("--version", action="version", version=f"fittrace {__version__}")
    p.add_argument(
        "--debug", action="store_true", help="show the full traceback when a command fails"
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="run the article's MNIST example under tracing and write every output",
        description="Train the seed article's model (Dense 512 relu -> Dense 10 softmax, RMSprop) "
        "under tracing and write the trace, the HTML report and the diagrams.",
    )
    demo.add_argument("--out", default="fittrace-out", help="output folder (default: fittrace-out)")
    demo.add_argument("--epochs", type=int, default=5, help="epochs to train (default: 5)")
    demo.add_argument(
        "--data",
        default="synthetic",
        help="synthetic (embedded, default), mnist (Keras's "
        "mnist.npz or the IDX files), or a PATH to mnist.npz / a folder of IDX .gz files",
    )
    demo.add_argument(
        "--detail",
        default="default",
        choices=("full", "default", "summary"),
        help="trace detail level (default: default)",
    )
    demo.add_argument(
        "--verbose",
        type=int,
        default=1,
        choices=(0, 1, 2),
        help="Keras progress output (default 1)",
    )

    run = sub.add_parser(
        "run",
        help="run a script that uses fittrace.keras, under tracing",
        description="Run SCRIPT (with ARGS) under tracing; write the trace, report and diagrams.",
    )
    run.add_argument("script", help="the Python script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    run.add_argument("--out", default="fittrace-out", help="output folder (default: fittrace-out)")
    run.add_argument("--detail", default="default", choices=("full", "default", "summary"))
    run.add_argument(
        "--snapshots",
        choices=("off", "default", "full"),
        help="tensor snapshots to keep as pictures (default: off at summary detail, else default)",
    )

    report = sub.add_parser("report", help="write the HTML walkthrough of a saved trace")
    report.add_argument("trace", help="a .trace.jsonl file")
    report.add_argument("-o", "--output", help="the HTML file (default: next to the trace, .html)")
    report.add_argument(
        "--beside",
        metavar="TRACE",
        help="a second trace whose fit step is set beside the first trace's hand-written loop",
    )
    report.add_argument("--focus", choices=FOCUS_CHOICES, help=FOCUS_HELP)

    lesson = sub.add_parser(
        "lesson",
        help="write the classroom lesson of a saved trace: slides to step through with a class",
        description="Write one offline HTML file of projector-sized slides that walk through the traced fit "
        "in the article's order (keys: arrows/space, Home/End, m menu, n speaker notes; prints as a handout).",
    )
    lesson.add_argument("trace", help="a .trace.jsonl file")
    lesson.add_argument(
        "-o", "--output", help="the HTML file (default: next to the trace, .lesson.html)"
    )
    lesson.add_argument(
        "--focus",
        choices=("setup", "step", "epoch-end"),
        help="only one part: setup (compile check to the loops), step (inside train_step) or epoch-end "
        "(the batch and epoch ends, History, the builds)",
    )

    diagram = sub.add_parser("diagram", help="draw a diagram of a saved trace")
    diagram.add_argument("trace", help="a .trace.jsonl file")
    diagram.add_argument("--kind", required=True, choices=DIAGRAM_KINDS)
    diagram.add_argument("--format", default="svg", choices=DIAGRAM_FORMATS)
    diagram.add_argument(
        "-o",
        "--output",
        help="output file (default: print text formats to stdout; svg/png next to the trace)",
    )
    diagram.add_argument("--focus", choices=FOCUS_CHOICES, help=FOCUS_HELP + " (sequence only)")
    diagram.add_argument(
        "--unfolded",
        action="store_true",
        help="sequence only: every callback on its own lifeline, every dispatch its own arrow",
    )

    export = sub.add_parser(
        "export", help="export a saved trace to the Chrome/Perfetto trace format"
    )
    export.add_argument("trace", help="a .trace.jsonl file")
    export.add_argument("--chrome", required=True, metavar="FILE", help="the .json file to write")

    validate = sub.add_parser("validate", help="check a saved trace against the event schema")
    validate.add_argument("trace", help="a .trace.jsonl file")

    why = sub.add_parser("why", help="explain every build and rebuild in a saved trace")
    why.add_argument("trace", help="a .trace.jsonl file")
    why.add_argument("--layer", help="only this layer (or model)")

    bench = sub.add_parser(
        "bench", help="measure speed, memory and tracing cost on the article example"
    )
    bench.add_argument(
        "--quick", action="store_true", help="fewer epochs and smaller data (a smoke run)"
    )
    bench.add_argument(
        "--only",
        choices=("engine", "tracing", "report", "real", "layers"),
        help="run one part only (real: tracing a real tf-keras fit, with --keras-python)",
    )
    bench.add_argument(
        "--keras-python",
        metavar="PYTHON",
        help="also time the same model and layers in TF-Keras, and tracing a real tf-keras fit, run by this "
        "interpreter (it needs tf-keras)",
    )

    cmp = sub.add_parser(
        "compare",
        help="set two traces side by side, stage by stage: do the runs conform?",
        description="Align the stages of two traces (the same script on fittrace's engine and on tf-keras, "
        "or on tf-keras and Keras 3) and say what only one has, what moved and which numbers differ. "
        "Exit code 0 when they conform, 1 when they do not, 2 for a missing or invalid trace.",
    )
    cmp.add_argument("a", metavar="A", help="the first .trace.jsonl file")
    cmp.add_argument("b", metavar="B", help="the second .trace.jsonl file")
    cmp.add_argument("-o", "--output", help="write the side-by-side HTML page here")
    cmp.add_argument(
        "--rtol", type=float, default=1e-3, help="relative tolerance for floats (default 1e-3)"
    )
    cmp.add_argument(
        "--atol", type=float, default=1e-5, help="absolute tolerance for floats (default 1e-5)"
    )
    cmp.add_argument(
        "-v", "--verbose", action="store_true", help="also list every difference, one a line"
    )

    schema = sub.add_parser(
        "schema", help="print the event schema (JSON Schema or the Markdown table)"
    )
    schema.add_argument("--format", default="json", choices=("json", "markdown"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(jobs.run_command(args) or 0)
    except jobs.UsageError as exc:
        print(f"fittrace {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fittrace: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # every failure becomes one line unless --debug
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"fittrace {args.command}: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
