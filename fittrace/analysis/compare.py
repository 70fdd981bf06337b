"""Two traces set stage by stage beside each other: does one run do what the other does, in the same order, with
the same numbers? (``fittrace compare A.jsonl B.jsonl``: the same script on fittrace's engine and on tf-keras, or on
tf-keras and on Keras 3.)

Each trace is reduced to its *stages* (:func:`stages`): the events that name a stage of fit, evaluate or predict,
each keyed by what it means (its kind and a normalised name, so that ``tf_keras.src.engine...`` and fittrace's
``keras.engine...`` and Keras 3's spellings meet), the steps of one loop folded into one stage (first, last,
count, and what ran inside the first and the last), per-op detail left out (:data:`NOT_STAGES`), and a
``stop_training`` placed at the end of the hook that asked for it (fittrace's CallbackList records it right after
the member that set ``model.stop_training``; a bridge may see it only when the hook returns). The two stage
lists are aligned as sequences (``difflib``: the longest matching blocks), and :func:`compare` reports what only
one side has, which stages moved, and which numbers differ (steps, shapes, the partial batch, the weights
created, losses and metrics per epoch, to a tolerance).

The differences that are in the nature of the two runs (fittrace has no TensorFlow: no graph to run, no ops of
its own) are listed once, in :data:`INHERENT`, each with its reason; a difference one of them explains is shown
as explained and does not count against conformance. Known equivalent spellings (Keras 3's ``EpochIterator`` for
tf-keras's ``DataHandler``...) are in :data:`EQUIVALENTS`, also with their reasons.

    >>> from fittrace.tracing.document import Trace
    >>> from fittrace.tracing.events import Event
    >>> ev = Event(seq=0, kind="compile_check", name="_assert_compile_was_called", t=0, data={"is_compiled": True})
    >>> c = compare(Trace({}, [ev]), Trace({}, [ev]))
    >>> c.conforms, c.summary.split(": ", 1)[1]
    (True, 'conforms: 1 stage in step, no differences')
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fittrace.tracing.document import Trace, within
from fittrace.tracing.events import Event

#: Kinds that are not stages, and why compare leaves them out.
NOT_STAGES: dict[str, str] = {
    "layer_call": "per-op detail: one layer's call on one batch",
    "model_call": "per-op detail: the model's call on one batch",
    "loss": "per-op detail: the loss of one batch (the epoch's logs carry the loss compared)",
    "tape": "per-op detail: the backward pass of one batch",
    "gradient": "per-op detail: one variable's gradient in one batch",
    "optimizer_update": "per-op detail: one variable's update in one batch",
    "metric_update": "per-op detail: one metric's state after one batch (the logs carry the results)",
    "progbar": "output, not a stage: the progress bar's lines",
    "tensor_snapshot": "values, not a stage: a tensor kept for the pictures (fittrace's engine keeps them, the "
    "bridges do not)",
    "node_created": "the wiring inside a graph build (graph_build and layer_build are compared)",
    "graph_network": "the wiring inside a graph build (graph_build and layer_build are compared)",
    "api_call": "the user's own calls (add, summary, compile...), not a stage of fit/evaluate/predict",
    "compile": "what compile resolved from the user's arguments, not a stage of fit/evaluate/predict",
}

#: Kinds that, inside a step, are stages of their own (one-offs: a trace, a build, a stop, a failure). Any other
#: kind inside a step (train_step, its callback hooks, the function call, a bridge's own kinds) runs once per
#: step and is folded into the step stage's ``inside`` lists (what ran inside the first and the last step).
ONE_OFF = (
    "train_function",
    "graph_build",
    "symbolic_build",
    "layer_build",
    "weight_created",
    "optimizer_slots",
    "stop_training",
    "warning",
    "error",
    "model_saved",
    "model_loaded",
)

#: Stages whose alignment key carries the epoch (so that epoch 3's hooks align with epoch 3's).
_PER_EPOCH = {"epoch", "callback_hook", "history", "validation", "steps"}

#: Kinds whose key is the kind alone (their facts say the rest).
_NO_QUALIFIER = {"data_handler", "adapter_selected", "callbacks_container", "optimizer_slots"}

_BATCH_HOOK = re.compile(r"^on_(train|test|predict)_batch_(begin|end)$|^on_batch_(begin|end)$")


@dataclass(frozen=True)
class Equivalent:
    """Names that mean the same stage or class in different frameworks: ``spellings`` all compare as
    ``canonical``."""

    canonical: str
    spellings: tuple[str, ...]
    reason: str


#: The one table of known equivalents between fittrace, tf-keras 2 and Keras 3 (class names, and the class part
#: of ``Class.method`` names). Framework prefixes (``tf_keras.src.``, ``keras.src.``, ``keras.``) and a variable
#: name's ``:0`` suffix are stripped before this table is read (see :func:`normalise_name`).
EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent(
        "DataHandler",
        (
            "DataHandler",
            "EpochIterator",
            "TFEpochIterator",
            "JAXEpochIterator",
            "TorchEpochIterator",
        ),
        "Keras 3's EpochIterator (each backend has its subclass) does what tf-keras's DataHandler does: picks "
        "the adapter, counts the steps and hands out each epoch's batches",
    ),
    Equivalent(
        "TensorLikeDataAdapter",
        ("TensorLikeDataAdapter", "ArrayDataAdapter"),
        "Keras 3's ArrayDataAdapter takes the numpy arrays and tensors tf-keras's TensorLikeDataAdapter takes",
    ),
    Equivalent(
        "DatasetAdapter",
        ("DatasetAdapter", "TFDatasetAdapter"),
        "both wrap a tf.data.Dataset",
    ),
    Equivalent(
        "KerasSequenceAdapter",
        ("KerasSequenceAdapter", "PyDatasetAdapter"),
        "Keras 3's PyDataset is what keras.utils.Sequence became (Sequence is its alias there)",
    ),
    Equivalent(
        "StopIteration",
        ("StopIteration", "OutOfRangeError"),
        "the end of the data: a tf.data iterator raises tf.errors.OutOfRangeError where a Python iterator (a "
        "generator, fittrace's batches) raises StopIteration; Keras's catch_stop_iteration takes either",
    ),
    Equivalent(
        "_build_graph_network_for_inferred_shape",
        ("_build_graph_network_for_inferred_shape", "_init_graph_network"),
        "one graph_build stage, named by two of its functions: Sequential._build_graph_network_for_inferred_shape "
        "decides the build and Functional._init_graph_network makes the network (Keras 3 has neither: its "
        "symbolic build is a stage of its own, symbolic_build)",
    ),
)

_CANONICAL = {s: e.canonical for e in EQUIVALENTS for s in e.spellings}
_PREFIX = re.compile(r"^(tf_keras\.src\.|keras\.src\.|tf_keras\.|keras\.)")


def normalise_name(name: str) -> str:
    """A name as compare keys it: no framework prefix, the module path dropped from a dotted ``Class.method``
    path, no ``:0`` variable suffix, and the class part through :data:`EQUIVALENTS`.

        >>> normalise_name("tf_keras.src.engine.data_adapter.DataHandler.__init__")
        'DataHandler.__init__'
        >>> normalise_name("EpochIterator.__init__"), normalise_name("dense/kernel:0")
        ('DataHandler.__init__', 'dense/kernel')
    """
    name = _PREFIX.sub("", str(name))
    if name.endswith(":0"):
        name = name[:-2]
    parts = name.split(".")
    if len(parts) > 2 and "/" not in name:  # module.path.Class.method: keep from the class on
        for i, part in enumerate(parts):
            if part[:1].isupper():
                parts = parts[i:]
                break
        else:
            parts = parts[-1:]
    parts[0] = _CANONICAL.get(parts[0], parts[0])
    return ".".join(parts)


# --- stages ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stage:
    """One stage of a run: ``key`` is what alignment matches on, ``facts`` the values compared, ``seq`` the first
    event's position in its trace, ``name`` and ``keras`` as the trace spelled them (for display)."""

    kind: str
    key: tuple[Any, ...]
    facts: Mapping[str, Any]
    seq: int
    name: str
    keras: str | None = None
    epoch: int | None = None
    step: int | None = None
    layer: str | None = None

    @property
    def label(self) -> str:
        """The stage in a few words: its key, readably."""
        return " ".join(str(k) for k in self.key if k is not None and k != "")


def dtype_name(value: Any) -> Any:
    """One spelling of a numpy dtype: numpy writes a string array's as ``<U68`` (``str(dtype)``) or as
    ``str2176`` (``dtype.name``, in bits); anything numpy does not read as a dtype stays as it is.

        >>> dtype_name("<U68"), dtype_name("str2176"), dtype_name("<f4"), dtype_name("float32")
        ('str2176', 'str2176', 'float32', 'float32')
    """
    if not isinstance(value, str):
        return value
    try:
        return np.dtype(value).name
    except TypeError:
        return value


def _shape_of(description: Any) -> Any:
    """shape and dtype of an x/y description (its type may differ: ndarray here, EagerTensor there)."""
    if isinstance(description, Mapping):
        facts = {k: description[k] for k in ("shape", "dtype") if k in description}
        if "dtype" in facts:
            facts["dtype"] = dtype_name(facts["dtype"])
        return facts
    if isinstance(description, list):
        return [_shape_of(d) for d in description]
    return description


def _names(values: Any) -> Any:
    if isinstance(values, (list, tuple)):
        return [normalise_name(v) if isinstance(v, str) else v for v in values]
    return values


def _initializer(value: Any) -> Any:
    """glorot_uniform, GlorotUniform and GlorotUniform() compare alike."""
    return re.sub(r"[_()\s]", "", value).lower() if isinstance(value, str) else value


def _pick(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: data[k] for k in keys if data.get(k) is not None}


def _facts(e: Event) -> dict[str, Any]:
    d = e.data
    kind = e.kind
    if kind == "fit":
        facts = _pick(
            d,
            "batch_size",
            "epochs",
            "shuffle",
            "validation_split",
            "initial_epoch",
            "steps_per_epoch",
            "validation_freq",
        )
        facts.update({k: _shape_of(d[k]) for k in ("x", "y") if d.get(k) is not None})
        if d.get("callbacks"):
            facts["callbacks"] = _names(d["callbacks"])
        return facts
    if kind in ("evaluate", "predict"):
        facts = _pick(d, "batch_size", "steps", "in_fit")
        facts.update({k: _shape_of(d[k]) for k in ("x", "y") if d.get(k) is not None})
        return facts
    if kind == "compile_check":
        return _pick(d, "is_compiled")
    if kind == "data_handler":
        facts = _pick(
            d,
            "batch_size",
            "epochs",
            "initial_epoch",
            "steps_per_epoch",
            "shuffle",
            "inferred_steps",
            "steps_per_execution",
        )
        facts["handler"] = normalise_name(e.name).split(".")[0]
        return facts
    if kind == "adapter_candidate":
        return _pick(d, "accepted")
    if kind == "adapter_selected":
        facts = _pick(d, "num_samples", "batch_size", "steps", "partial_batch_size", "shuffle")
        facts["class"] = normalise_name(d.get("class", e.name))
        return facts
    if kind == "callbacks_container":
        facts = {"members": _names(d.get("members"))}
        facts.update(_pick(d, "params"))
        return facts
    if kind == "train_function":
        return _pick(d, "mode", "signature", "traces", "cause")
    if kind == "epoch":
        return _pick(d, "steps_run", "logs")
    if kind in ("history", "validation"):
        return _pick(d, "logs")
    if kind == "graph_build":
        return _pick(d, "model", "shape_before", "shape_received", "shape_built", "mode")
    if kind == "layer_build":
        facts = _pick(d, "input_shape", "layer_class", "build_count")
        if e.layer is not None:
            facts["layer"] = e.layer
        return facts
    if kind == "weight_created":
        facts = _pick(d, "shape", "dtype", "trainable")
        if "dtype" in facts:
            facts["dtype"] = dtype_name(facts["dtype"])
        facts["name"] = normalise_name(d.get("name", e.name))
        if d.get("initializer") is not None:
            facts["initializer"] = _initializer(d["initializer"])
        return facts
    if kind == "optimizer_slots":
        facts = {"optimizer": normalise_name(d.get("optimizer") or e.name.split(".")[0])}
        if d.get("slots") is not None:
            facts["slots"] = _names(d["slots"])
        return facts
    if kind == "stop_training":
        return _pick(d, "by", "epoch", "step")
    if kind == "error":
        return {"type": normalise_name(str(d.get("type")))}
    if kind in ("model_saved", "model_loaded"):
        return _pick(d, "format", "weights", "optimizer", "compiled")
    return {}


def _key(e: Event) -> tuple[Any, ...]:
    d = e.data
    kind = e.kind
    qualifier: Any = None
    if kind == "callback_hook":
        qualifier = d.get("hook") or normalise_name(e.name).split(".")[-1]
    elif kind == "adapter_candidate":
        qualifier = normalise_name(d.get("class", e.name))
    elif kind == "train_function":
        qualifier = f"{d.get('function', e.name)} {d.get('action', '')}".strip()
    elif kind == "graph_build":
        qualifier = d.get("action")
    elif kind == "layer_build":
        qualifier = d.get("layer_class") or normalise_name(e.name).split(".")[0]
    elif kind == "weight_created":
        qualifier = normalise_name(d.get("name", e.name)).split("/")[-1]  # kernel, bias...
    elif kind == "error":
        qualifier = normalise_name(str(d.get("type")))
    elif kind not in _NO_QUALIFIER and isinstance(d.get("action"), str):
        qualifier = d["action"]  # a kind compare has no rule for (a bridge's own): what it did
    epoch = e.epoch if kind in _PER_EPOCH else None
    return (kind, qualifier, epoch) if epoch is not None else (kind, qualifier)


def _framework(trace: Trace) -> str:
    return str(trace.header.get("framework") or "fittrace")


def _step_of(e: Event, by_seq: Mapping[int, Event]) -> Event | None:
    """The step span ``e`` runs in, or None."""
    parent = by_seq.get(e.parent) if e.parent is not None else None
    while parent is not None:
        if parent.kind == "step":
            return parent
        parent = by_seq.get(parent.parent) if parent.parent is not None else None
    return None


def _inside_label(e: Event) -> str:
    if e.kind == "callback_hook":
        hook = e.data.get("hook") or normalise_name(e.name).split(".")[-1]
        skipped = e.data.get("skipped") or e.data.get("called") is False
        return f"{hook} (skipped)" if skipped else str(hook)
    if e.kind == "function_call":
        return f"call {normalise_name(e.data.get('function') or e.name)}"
    return e.kind


class _StepRun:
    """Consecutive steps of one loop (same enclosing span and phase), folded into one stage."""

    def __init__(self, first: Event) -> None:
        self.first = first
        self.steps: list[Event] = [first]
        self.inside: dict[int, list[Event]] = {first.seq: []}

    def matches(self, e: Event) -> bool:
        return e.parent == self.first.parent and e.data.get("phase") == self.first.data.get("phase")

    def add(self, e: Event) -> None:
        self.steps.append(e)
        self.inside[e.seq] = []

    def stage(self) -> Stage:
        first, last = self.steps[0], self.steps[-1]
        phase = first.data.get("phase") or "train"
        facts: dict[str, Any] = {
            "count": len(self.steps),
            "first": first.data.get("step", first.step),
            "last": last.data.get("step", last.step),
        }
        if first.data.get("size") is not None:
            facts["first_size"] = first.data["size"]
        if last.data.get("size") is not None:
            facts["last_size"] = last.data["size"]
        for which, step in (("inside_first", first), ("inside_last", last)):
            events = self.inside[step.seq]
            if step.data.get("full", True) is not False or events:
                facts[which] = [_inside_label(x) for x in sorted(events, key=lambda x: x.seq)]
        epoch = first.epoch
        key = ("steps", phase, epoch) if epoch is not None else ("steps", phase)
        return Stage(
            "steps",
            key,
            facts,
            first.seq,
            f"{len(self.steps)} {phase} steps",
            first.keras,
            epoch=epoch,
            step=facts["first"],
        )


def stages(trace: Trace) -> list[Stage]:
    """The stages of ``trace`` in order (see the module's docstring): what :func:`compare` aligns."""
    by_seq = trace.events_by_seq
    steps_of: dict[int, Event | None] = {e.seq: _step_of(e, by_seq) for e in trace.events}
    # Batch hooks a recorder placed beside the steps rather than inside them join the nearest step.
    loose: dict[int, int] = {}
    for i, e in enumerate(trace.events):
        if e.kind == "callback_hook" and steps_of[e.seq] is None:
            hook = str(e.data.get("hook") or "")
            if _BATCH_HOOK.match(hook):
                events = trace.events
                order = range(i + 1, len(events)) if hook.endswith("begin") else range(i, -1, -1)
                near = next(
                    (
                        events[j]
                        for j in order
                        if events[j].kind == "step" and events[j].parent == e.parent
                    ),
                    None,
                )
                if near is not None:
                    loose[e.seq] = near.seq
    out: list[Stage | _StepRun] = []
    run: _StepRun | None = None
    runs: dict[int, _StepRun] = {}
    pending: dict[int, list[Event]] = {}
    held: list[tuple[int, Stage]] = []  # stops waiting for the end of the hook that asked for them

    for e in trace.events:
        if held and not within(e, held[0][0], by_seq):
            out.extend(stage for _, stage in held)
            held.clear()
        if e.seq in loose:
            target = runs.get(loose[e.seq])
            if target is not None:
                target.inside[loose[e.seq]].append(e)
            else:
                pending.setdefault(loose[e.seq], []).append(e)
            continue
        if e.kind == "step":
            if run is not None and run.matches(e):
                run.add(e)
            else:
                run = _StepRun(e)
                out.append(run)
            runs[e.seq] = run
            run.inside[e.seq].extend(pending.pop(e.seq, []))
            continue
        step = steps_of[e.seq]
        if e.kind in NOT_STAGES:
            continue
        if step is not None and e.kind not in ONE_OFF:
            owner = runs.get(step.seq)
            if owner is not None:
                owner.inside[step.seq].append(e)
            continue
        if e.kind == "function_call":  # outside fit's loop (train_on_batch...): per-call detail
            continue
        if step is None:
            run = None  # anything at the loop's level ends a run of steps
        facts = _facts(e)
        if step is not None:
            facts["at_step"] = step.data.get("step", step.step)
        stage = Stage(
            e.kind,
            _key(e),
            facts,
            e.seq,
            e.name,
            e.keras,
            epoch=e.epoch,
            step=e.step,
            layer=e.layer,
        )
        hook = by_seq.get(e.parent) if e.parent is not None else None
        if e.kind == "stop_training" and hook is not None and hook.kind == "callback_hook":
            held.append((hook.seq, stage))
        else:
            out.append(stage)
    out.extend(stage for _, stage in held)
    return [s.stage() if isinstance(s, _StepRun) else s for s in out]


# --- differences -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """One way the two runs differ. ``what``: ``only_a``, ``only_b``, ``order`` (the stage is on both sides, at
    different places) or ``value`` (a fact of an aligned stage differs: ``fact``, ``a_value``, ``b_value``).
    ``explained_by``: the :data:`INHERENT` entry that explains it (None: it counts against conformance)."""

    what: str
    a: Stage | None
    b: Stage | None
    fact: str | None = None
    a_value: Any = None
    b_value: Any = None
    explained_by: str | None = None

    @property
    def stage(self) -> Stage:
        s = self.a or self.b
        assert s is not None
        return s

    def text(self) -> str:
        """The difference in one line."""
        label = self.stage.label
        if self.what == "only_a":
            return f"only in A: {label}"
        if self.what == "only_b":
            return f"only in B: {label}"
        if self.what == "order":
            where = f"A's event {self.a.seq if self.a else '?'}, B's event {self.b.seq if self.b else '?'}"
            return f"out of order: {label} ({where})"
        return f"{label}: {self.fact} {_short(self.a_value)} vs {_short(self.b_value)}"


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Inherent:
    """A difference that is in the nature of the two runs, with its reason. ``explains(difference, a, b)`` says
    whether it explains one difference (``a``/``b``: the two sides' frameworks)."""

    id: str
    reason: str
    explains: Callable[[Difference, str, str], bool]


def _real(framework: str) -> bool:
    return framework != "fittrace"


def _step_body_only(d: Difference, fa: str, fb: str) -> bool:
    """The step's inside lists differ only by the Python step body, and only one side is fittrace's engine."""
    if (
        d.what != "value"
        or d.stage.kind != "steps"
        or d.fact not in ("inside_first", "inside_last")
    ):
        return False
    if _real(fa) == _real(fb):
        return False
    body = {"train_step", "test_step", "predict_step"}
    strip = lambda v: [x for x in v or () if x not in body]  # noqa: E731
    return strip(d.a_value) == strip(d.b_value)


def _tensorflow_function(d: Difference, fa: str, fb: str) -> bool:
    """A tf.function (or jax.jit) trace of a function that is not one of Keras's three, on a real side only."""
    real_side = {"only_a": fa, "only_b": fb}.get(d.what)
    if real_side is None or not _real(real_side) or d.stage.kind != "train_function":
        return False
    function = str(d.stage.key[1] or "").split(" ")[0]
    return function not in ("train_function", "test_function", "predict_function")


def _variable_lifting(d: Difference, fa: str, fb: str) -> bool:
    """tf.function's second trace on the first call, once the first made the variables, on a real side only."""
    real_side = {"only_a": fa, "only_b": fb}.get(d.what)
    return (
        real_side is not None
        and _real(real_side)
        and d.stage.kind == "train_function"
        and d.stage.facts.get("cause") == "variables"
    )


def _framework_internal(d: Difference, fa: str, fb: str) -> bool:
    """A stage only a real framework has, recorded from TensorFlow's or JAX's own code."""
    real_side = {"only_a": fa, "only_b": fb}.get(d.what)
    keras = d.stage.keras or ""
    return (
        real_side is not None
        and _real(real_side)
        and keras.startswith(("tensorflow.", "jax.", "jaxlib."))
        and d.stage.kind != "train_function"
    )


#: The differences that are in the nature of the runs, listed once; none of them counts against conformance.
#: Besides these, compare never looks at what cannot be the same by construction: times and durations, fittrace's
#: own wording (an adapter's reason, why a function traced, a warning's text), the per-op events of
#: :data:`NOT_STAGES`, and the ``keras`` field's module path (fittrace mirrors tf-keras's modules under its own
#: names; Keras 3 moved them).
INHERENT: tuple[Inherent, ...] = (
    Inherent(
        "python-step-body",
        "In graph mode, tf.function runs train_step's Python body only while it traces; the other steps run the "
        "traced graph, so a real run shows train_step in the traced steps only. fittrace's engine has no graph "
        "to run: its train_step runs (and is recorded) in every step.",
        _step_body_only,
    ),
    Inherent(
        "variable-lifting",
        "A tf.function whose first trace creates variables (the layers' weights, the optimizer's slots) lifts "
        "them out of the graph and traces once more on that first call, so a real run's first step shows a "
        "second trace (and train_step's body a second time). fittrace's engine makes its weights in its one "
        "pass and has no graph to lift them out of.",
        _variable_lifting,
    ),
    Inherent(
        "tensorflow-functions",
        "A real run also traces TensorFlow functions of its own (tf.function and jax.jit beyond Keras's "
        "train/test/predict functions); fittrace has no TensorFlow, so it has none of them.",
        _tensorflow_function,
    ),
    Inherent(
        "framework-internals",
        "Stages recorded from inside TensorFlow or JAX (ops, graph and device work) have no counterpart in "
        "fittrace, which has no TensorFlow ops: it runs numpy.",
        _framework_internal,
    ),
)


def _close(a: Any, b: Any, rtol: float, atol: float) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            if math.isnan(a) and math.isnan(b):
                return True
            return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
        return False
    return a == b


def _value_differences(
    a: Stage, b: Stage, rtol: float, atol: float
) -> Iterable[tuple[str, Any, Any]]:
    """(fact, a's value, b's value) for every fact both stages recorded and that differs."""

    def walk(path: str, x: Any, y: Any) -> Iterable[tuple[str, Any, Any]]:
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            if set(x) != set(y):
                yield path, x, y
                return
            for k in x:
                yield from walk(f"{path}.{k}", x[k], y[k])
        elif isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
            if len(x) != len(y) or any(not _close_all(p, q) for p, q in zip(x, y)):
                yield path, x, y
        elif not _close(x, y, rtol, atol):
            yield path, x, y

    def _close_all(x: Any, y: Any) -> bool:
        return not any(True for _ in walk("", x, y))

    for fact in a.facts:
        if fact in b.facts:
            yield from walk(fact, a.facts[fact], b.facts[fact])


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view: ``a`` and ``b`` (either may be None), ``status`` same, differs,
    explained (differs only in ways :data:`INHERENT` explains), only_a, only_b or moved, and its differences."""

    a: Stage | None
    b: Stage | None
    status: str
    differences: tuple[Difference, ...] = ()


@dataclass(frozen=True)
class Side:
    """What one trace is: its label (framework and version), its file, its framework."""

    label: str
    framework: str
    path: str | None
    stages: int


@dataclass(frozen=True)
class Comparison:
    """The two traces aligned: ``rows`` in order, ``differences`` (explained ones included, marked), and whether
    the runs ``conforms`` (no unexplained difference), with a one-line ``summary``."""

    a: Side
    b: Side
    rows: list[Row]
    differences: list[Difference]
    rtol: float
    atol: float
    inherent: tuple[Inherent, ...] = field(default=INHERENT)
    notes: tuple[str, ...] = ()

    @property
    def counted(self) -> list[Difference]:
        """The differences that count against conformance."""
        return [d for d in self.differences if d.explained_by is None]

    @property
    def explained(self) -> list[Difference]:
        return [d for d in self.differences if d.explained_by is not None]

    @property
    def conforms(self) -> bool:
        return not self.counted

    def of(self, what: str) -> list[Difference]:
        """The counted differences of one sort: only_a, only_b, order or value."""
        return [d for d in self.counted if d.what == what]

    @property
    def summary(self) -> str:
        head = f"{self.a.label} vs {self.b.label}"
        aligned = sum(1 for r in self.rows if r.a is not None and r.b is not None)
        explained = len(self.explained)
        tail = (
            f" ({explained} inherent difference{'s' * (explained != 1)} explained)"
            if explained
            else ""
        )
        if self.conforms:
            words = f"{aligned} stage{'s' * (aligned != 1)} in step"
            return f"{head}: conforms: {words}, {'no differences' if not explained else 'no other differences'}{tail}"
        parts = []
        for what, word in (
            ("only_a", "only in A"),
            ("only_b", "only in B"),
            ("order", "out of order"),
            ("value", "numbers differ"),
        ):
            n = len(self.of(what))
            if n:
                parts.append(f"{n} {word}")
        return f"{head}: does not conform: {', '.join(parts)} (of {aligned} aligned stages){tail}"


def _side(trace: Trace, n: int) -> Side:
    framework = _framework(trace)
    version = trace.header.get("framework_version") or (
        trace.header.get("fittrace") if framework == "fittrace" else None
    )
    label = f"{framework} {version}" if version else framework
    if trace.path:
        label += f" ({Path(trace.path).name})"
    return Side(label, framework, trace.path, n)


def _notes(a: Trace, b: Trace) -> tuple[str, ...]:
    """What a reader should know before trusting the comparison: detail levels, runs cut short, hooks a bridge
    could not place or that failed."""
    notes = []
    da, db = a.header.get("detail"), b.header.get("detail")
    if da != db:
        notes.append(
            f"the traces were recorded at different detail levels (A {da}, B {db}): steps and what runs "
            "inside them are kept differently"
        )
    for side, trace in (("A", a), ("B", b)):
        if not trace.complete:
            notes.append(f"{side} did not end normally (incomplete): it stops where its file stops")
        elif trace.status == "error":
            notes.append(f"{side}'s run ended with an error: it stops there")
        bridges = trace.header.get("bridge")
        for name, facts in bridges.items() if isinstance(bridges, Mapping) else ():
            if not isinstance(facts, Mapping):
                continue
            if facts.get("missing"):
                notes.append(
                    f"{side}'s {name} bridge found no {', '.join(map(str, facts['missing']))}: "
                    "those stages are not in the trace"
                )
            if facts.get("failed"):
                notes.append(
                    f"{side}'s {name} bridge failed to record {', '.join(map(str, facts['failed']))}"
                )
            if facts.get("error"):
                notes.append(f"{side}'s {name} bridge did not install: {facts['error']}")
    return tuple(notes)


def _explain(d: Difference, fa: str, fb: str, inherent: Sequence[Inherent]) -> Difference:
    for entry in inherent:
        if entry.explains(d, fa, fb):
            return Difference(d.what, d.a, d.b, d.fact, d.a_value, d.b_value, entry.id)
    return d


def compare(
    a: Trace,
    b: Trace,
    rtol: float = 1e-3,
    atol: float = 1e-5,
    inherent: Sequence[Inherent] = INHERENT,
) -> Comparison:
    """Align the stages of ``a`` and ``b`` and say where they differ; floats agree within ``rtol``/``atol``."""
    sa, sb = stages(a), stages(b)
    fa, fb = _framework(a), _framework(b)
    matcher = difflib.SequenceMatcher(
        None, [s.key for s in sa], [s.key for s in sb], autojunk=False
    )
    rows: list[Row] = []
    lone_a: list[int] = []
    lone_b: list[int] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(Row(sa[i1 + k], sb[j1 + k], "same") for k in range(i2 - i1))
            continue
        for i in range(i1, i2):
            lone_a.append(len(rows))
            rows.append(Row(sa[i], None, "only_a"))
        for j in range(j1, j2):
            lone_b.append(len(rows))
            rows.append(Row(None, sb[j], "only_b"))
    # A stage alone on both sides under the same key has moved: pair them (first with first).
    moved: dict[int, int] = {}
    free_b = list(lone_b)
    for ia in lone_a:
        key = rows[ia].a.key  # type: ignore[union-attr]
        jb = next((j for j in free_b if rows[j].b.key == key), None)  # type: ignore[union-attr]
        if jb is not None:
            free_b.remove(jb)
            moved[ia] = jb
    differences: list[Difference] = []
    final: list[Row] = []
    partner_rows = set(moved.values())
    for index, row in enumerate(rows):
        if index in partner_rows:
            final.append(Row(None, row.b, "moved"))
            continue
        if index in moved:
            other = rows[moved[index]].b
            found = [_explain(Difference("order", row.a, other), fa, fb, inherent)]
            found += [
                _explain(Difference("value", row.a, other, f, x, y), fa, fb, inherent)
                for f, x, y in _value_differences(row.a, other, rtol, atol)  # type: ignore[arg-type]
            ]
            differences.extend(found)
            final.append(Row(row.a, None, "moved", tuple(found)))
            continue
        if row.a is not None and row.b is not None:
            found = [
                _explain(Difference("value", row.a, row.b, f, x, y), fa, fb, inherent)
                for f, x, y in _value_differences(row.a, row.b, rtol, atol)
            ]
            differences.extend(found)
            status = "same"
            if found:
                status = "explained" if all(d.explained_by for d in found) else "differs"
            final.append(Row(row.a, row.b, status, tuple(found)))
            continue
        d = _explain(Difference(row.status, row.a, row.b), fa, fb, inherent)
        differences.append(d)
        final.append(Row(row.a, row.b, "explained" if d.explained_by else row.status, (d,)))
    return Comparison(
        _side(a, len(sa)),
        _side(b, len(sb)),
        final,
        differences,
        rtol,
        atol,
        tuple(inherent),
        _notes(a, b),
    )
