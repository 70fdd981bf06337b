"""What a trace of a real Keras run holds and what it lacks, in the words the renderers print.

A trace made by the bridge (``fittrace.trace()`` around a real tf-keras 2 or Keras 3 fit) has the same events as
one of fittrace's engine, but a real run differs: the header names the framework, its version and backend; each
event's ``keras`` field names the real function it came from; in graph mode ``train_step``'s Python runs only
while ``tf.function`` (or ``jax.jit``) traces it, so the stages inside a step may be missing from most steps or
from all of them; Keras 3 has no ``DataHandler`` but an ``EpochIterator`` and a symbolic build before the loop.
This module works those facts out once, so that the sequence diagram, the flowchart, the call graph, the plots and
the report name the real participants and say "not recorded" (and why) instead of drawing an empty box.

    >>> short_name("tf_keras.src.engine.data_adapter.DataHandler.__init__")
    'DataHandler.__init__'
    >>> short_name("keras.src.trainers.data_adapters.get_data_adapter")
    'get_data_adapter'
    >>> owner_class("keras.src.trainers.epoch_iterator.EpochIterator.__init__")
    'EpochIterator'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fittrace.tracing.document import Trace, within

#: How each framework is named in prose.
FRAMEWORK_NAMES = {"fittrace": "fittrace", "tf_keras": "tf-keras", "keras": "Keras"}

#: The stages a fit goes through, by event kind, and what each is called in prose (Keras 3's data stage differs).
FIT_STAGES: tuple[tuple[str, str], ...] = (
    ("compile_check", "the compile check"),
    ("data_handler", "the DataHandler"),
    ("adapter_selected", "the adapter chosen"),
    ("callbacks_container", "the CallbackList"),
    ("train_function", "make_train_function"),
    ("epoch", "the epochs"),
    ("step", "the steps"),
    ("layer_build", "the layers' builds"),
    ("weight_created", "the weights add_weight made"),
    ("layer_call", "the layers' calls"),
    ("loss", "the loss"),
    ("gradient", "the gradients"),
    ("optimizer_update", "the optimizer's updates"),
    ("optimizer_slots", "the optimizer's slot variables"),
    ("metric_update", "the metrics' updates"),
)

#: Kinds recorded from inside a step: what graph mode runs in the graph and "summary" detail drops.
IN_STEP = frozenset({"layer_call", "loss", "gradient", "tape", "optimizer_update", "metric_update"})

#: Keras 3's data stage in words (``keras.src.trainers.data_adapters.get_data_adapter``, 3.15).
KERAS3_DATA = (
    "Keras 3 has no DataHandler: fit builds an EpochIterator, whose get_data_adapter goes down a chain of "
    "checks and takes the first adapter that fits: ArrayDataAdapter for NumPy arrays, tensors, lists and "
    "dicts of them, then TFDatasetAdapter for a tf.data.Dataset, PyDatasetAdapter for a keras.utils.PyDataset, "
    "TorchDataLoaderAdapter for a torch DataLoader, GrainDatasetAdapter for a Grain dataset, and "
    "GeneratorDataAdapter for a Python generator. No adapter is asked can_handle as tf-keras asks its eight."
)


@dataclass(frozen=True, slots=True)
class RanOn:
    """Which framework ran the traced model, as the header says."""

    framework: str  # fittrace | tf_keras | keras
    version: str | None
    backend: str | None
    hooked: int = 0
    missing: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()

    @property
    def real(self) -> bool:
        """True when a real Keras ran (the trace came from the bridge), not fittrace's engine."""
        return self.framework != "fittrace"

    @property
    def label(self) -> str:
        """``tf-keras 2.21.0 (TensorFlow backend)``, ``Keras 3.15.0 (jax backend)``, ``fittrace 0.1.0 (its own
        numpy engine)``."""
        name = FRAMEWORK_NAMES.get(self.framework, self.framework)
        version = f" {self.version}" if self.version else ""
        if not self.real:
            return f"{name}{version} (its own numpy engine)"
        backend = {"tensorflow": "TensorFlow"}.get(str(self.backend), self.backend)
        return f"{name}{version}" + (f" ({backend} backend)" if backend else "")


def ran_on(trace: Trace) -> RanOn:
    """The framework, version and backend of the traced run: the header's ``framework``, ``framework_version``
    and ``backend`` when set, else what the ``bridge`` entry of the framework whose functions (``tf_keras.src.``,
    ``keras.src.``) the events name says, else fittrace's engine (whose events name the Keras 2 paths it mirrors,
    ``keras.engine.``). The bridge's counts (hooks made, functions not found, hooks that failed) come along."""
    header = getattr(trace, "header", {}) or {}
    bridge = header.get("bridge") or {}
    entries = [v for v in bridge.values() if isinstance(v, dict)]
    hooked = sum(int(v.get("hooked") or 0) for v in entries)
    missing = tuple(m for v in entries for m in v.get("missing") or [])
    failed = tuple(sorted({k for v in entries for k in (v.get("failed") or {})}))
    framework = header.get("framework")
    source: dict[str, Any] = header
    if not framework:
        # a bridge installed in a process that may also train fittrace's own models: the framework whose own
        # functions the events name (or, with no event at all, the one bridge that installed)
        roots = {".".join(e.keras.split(".")[:2]) for e in trace.events if e.keras}
        working = [
            (name, v)
            for name, v in bridge.items()
            if isinstance(v, dict)
            and v.get("framework")
            and not v.get("skipped")
            and not v.get("error")
        ]
        named = [v for name, v in working if f"{name}.src" in roots]
        if not named and not trace.events and len(working) == 1:
            named = [working[0][1]]
        if named:
            source, framework = named[0], named[0]["framework"]
    if not framework or framework == "fittrace":
        return RanOn("fittrace", header.get("fittrace"), "numpy", hooked, missing, failed)
    return RanOn(
        str(framework),
        source.get("framework_version") or header.get("framework_version"),
        source.get("backend") or header.get("backend"),
        hooked,
        missing,
        failed,
    )


def short_name(path: str | None) -> str | None:
    """A dotted path from its class on (``DataHandler.__init__``), or its last part for a plain function."""
    if not path:
        return None
    parts = path.split(".")
    for i, part in enumerate(parts):
        if part[:1].isupper():
            return ".".join(parts[i:])
    return parts[-1]


def owner_class(path: str | None) -> str | None:
    """The class a dotted path's function belongs to (``EpochIterator``), or None for a plain function."""
    name = short_name(path)
    return name.split(".")[0] if name and name[:1].isupper() else None


def real_functions(trace: Trace, *kinds: str, limit: int = 4) -> list[str]:
    """The real functions (``keras`` fields) behind the events of ``kinds``, distinct, in first-seen order."""
    seen: list[str] = []
    for e in trace.events:
        if e.kind in kinds and e.keras and e.keras not in seen:
            seen.append(e.keras)
            if len(seen) >= limit:
                break
    return seen


def participant(trace: Trace, kind: str, default: str) -> str:
    """The name a diagram gives the stage of ``kind``: on a real run, the class of the real function behind its
    first event (``EpochIterator``, ``CompileLoss``); otherwise, or when none is recorded, ``default``."""
    if not ran_on(trace).real:
        return default
    found = real_functions(trace, kind, limit=1)
    return (owner_class(found[0]) if found else None) or default


def step_mode(trace: Trace) -> str:
    """graph or eager: how the train function ran (its events' ``mode``, else compile's ``run_eagerly``)."""
    for e in trace.events:
        if e.kind in ("train_function", "function_call") and e.data.get("mode"):
            return str(e.data["mode"])
    compile_args = (getattr(trace, "header", {}) or {}).get("compile") or {}
    return "eager" if compile_args.get("run_eagerly") else "graph"


def _train_calls(trace: Trace) -> list[Any]:
    """The calls of train_function (``function_call`` events), each running ``steps`` steps."""
    return [
        e
        for e in trace.events
        if e.kind == "function_call"
        and e.data.get("function", "train_function") == "train_function"
    ]


def _train_steps(trace: Trace) -> int:
    """Training steps run: the train ``step`` events, else the steps the train_function calls ran."""
    steps = sum(
        1 for e in trace.events if e.kind == "step" and e.data.get("phase", "train") == "train"
    )
    return steps or sum(int(e.data.get("steps") or 1) for e in _train_calls(trace))


def graph_lesson(trace: Trace) -> str | None:
    """On a real run, in words: where ``train_step``'s Python ran. In graph mode only while ``tf.function`` (or
    ``jax.jit``) traced the train function; the other steps ran inside the traced graph. None for fittrace's
    engine, whose train_step is Python at every step."""
    ran = ran_on(trace)
    if not ran.real:
        return None
    steps = _train_steps(trace)
    if step_mode(trace) == "eager":
        return (
            f"run_eagerly=True: train_step's Python ran at every one of the {steps} step(s), op by op, "
            "as plain Python calls; every stage inside a step could be seen each time."
        )
    traces = [
        e
        for e in trace.events
        if e.kind == "train_function"
        and e.data.get("action") == "traced"
        and e.data.get("function", "train_function") == "train_function"
    ]
    calls = [c for c in _train_calls(trace) if c.data.get("traced")] or list(
        {e.parent: e for e in traces}.values()
    )
    compiler = "jax.jit" if ran.backend == "jax" else "tf.function"
    if traces:
        traced = (
            f"{compiler} traced train_function {len(traces)} time(s), in {len(calls)} of its calls"
        )
    elif any(e.kind == "error" for e in trace.events):
        traced = f"the run stopped before {compiler} traced train_function"
    elif not _train_calls(trace):
        traced = "train_function was not called in this trace"
    else:
        traced = f"no {compiler} trace of train_function was recorded (it was traced before this trace began)"
    if not steps:
        return f"Graph mode: {traced}; no training step ran in this trace."
    rest = max(steps - len(calls), 0)
    return (
        f"Graph mode: {traced}. train_step's Python (the model's call, the loss, the gradient, the update, "
        f"the metrics) ran only while tracing, on symbolic tensors, to record the graph; the other {rest} "
        f"of the {steps} step(s) ran inside the traced graph, where no Python line of train_step runs. "
        "With compile(run_eagerly=True) it would run as Python at every step."
    )


def symbolic_build(trace: Trace) -> dict[str, Any] | None:
    """Keras 3's symbolic build before the loop, when recorded (its ``symbolic_build`` event, or any event of its
    ``_symbolic_build`` function): the real function, the layers it built, whether the optimizer made its
    variables there, and the error when it failed."""
    by_seq = trace.events_by_seq
    span = next((e for e in trace.events if e.kind == "symbolic_build"), None) or next(
        (e for e in trace.events if e.keras and e.keras.endswith("_symbolic_build")), None
    )
    if span is None:
        return None

    inside = [e for e in trace.events if within(e, span.seq, by_seq)]
    built = [e.layer for e in inside if e.kind == "layer_build" and e.layer]
    return {
        "keras": span.keras or "keras.src.trainers.trainer.Trainer._symbolic_build",
        "layers": list(span.data.get("built_layers") or built),
        "optimizer": bool(span.data.get("optimizer_variables"))
        or any(e.kind == "optimizer_slots" for e in inside),
        "error": span.data.get("error"),
    }


def symbolic_note(trace: Trace) -> str | None:
    """For a Keras 3 run whose trace holds no symbolic build: why, in words (None for other runs)."""
    ran = ran_on(trace)
    if ran.framework != "keras" or symbolic_build(trace) is not None:
        return None
    if ran.backend == "tensorflow":
        return (
            "On the TensorFlow backend Keras 3 builds on symbolic inputs before the loop only under a "
            "distribution strategy (_maybe_symbolic_build); without one, as here, the layers are built "
            "when tf.function first traces train_function, as in tf-keras."
        )
    return (
        "Before its first step Keras 3 builds the model on symbolic inputs (_symbolic_build); that build "
        "was not recorded in this trace."
    )


def stage_words(trace: Trace, kind: str, what: str) -> str:
    """A stage's name in prose, Keras 3's data stage as what it is (its EpochIterator)."""
    if kind == "data_handler" and ran_on(trace).framework == "keras":
        return "the EpochIterator"
    return what


def not_recorded(trace: Trace) -> dict[str, str]:
    """The fit stages of :data:`FIT_STAGES` that have no event in the trace, kind -> a sentence saying what is
    not recorded and why (the detail level, graph mode, a hook this version lacks). Empty when no fit ran."""
    kinds = {e.kind for e in trace.events}
    header = getattr(trace, "header", {}) or {}
    calls = [c.get("call") for c in (getattr(trace, "footer", None) or {}).get("calls") or []]
    if "fit" not in kinds and header.get("call") != "fit" and "fit" not in calls:
        return {}
    ran = ran_on(trace)
    mode = step_mode(trace)
    out: dict[str, str] = {}
    for kind, what in FIT_STAGES:
        if kind in kinds:
            continue
        what = stage_words(trace, kind, what)
        if kind in IN_STEP and header.get("detail") == "summary":
            why = "summary detail keeps no event from inside a step"
        elif kind in IN_STEP and ran.real and mode == "graph":
            why = "in graph mode it runs inside the traced graph, where no Python hook sees it"
        elif ran.real:
            why = f"the {FRAMEWORK_NAMES.get(ran.framework, ran.framework)} bridge recorded no event for it"
        else:
            why = "this trace holds no event for it"
        out[kind] = f"{what[:1].upper()}{what[1:]}: not recorded ({why})."
    return out
