"""Why Keras 3 could not build a model before its loop, and what to do about it.

Keras 3 builds a model before the first step (``Trainer._symbolic_build``: the JAX backend always, TensorFlow
under a distribution strategy) by running it on symbolic tensors shaped like the first batch. A model whose
``call`` needs real values (``float(x)``, ``x.numpy()``, ``np.asarray(x)``, a Python ``if`` on a tensor) or that
raises on those tensors cannot be built that way, and Keras stops with ``RuntimeError: Unable to automatically
build the model...`` (a ``ValueError`` from the model is passed on as it is). The trace shows it as an ``error``
inside the ``symbolic_build`` span, with the bridge's ``warning`` naming the model and the layers left unbuilt.

:func:`explain` turns such an error into the fields of a ``builds.Failure``, worded with the fix Keras users are
given: build the model yourself before ``fit`` (an ``Input`` or ``input_shape``, ``model.build(...)``, or one call
on a real batch), or make ``call`` work on symbolic tensors with ``keras.ops``.

:func:`unbuilt_state` explains Keras 3's warning that a layer "looks like it has unbuilt state" (the bridge's
``warning`` event ``unbuilt state``): a default ``build()`` that marked a layer with unbuilt sublayers built, or
a symbolic ``call()`` that failed when Keras tried to build them; the fix is Keras's own (a proper ``build()``,
or trying ``call()`` eagerly on a test input).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fittrace.analysis.shapes import shape_text
from fittrace.tracing.document import enclosing, within
from fittrace.tracing.events import Event

#: Keras's message when the symbolic build failed on something else than a ValueError.
KERAS_MESSAGE = "Unable to automatically build the model"

#: The start of the ``origin`` of every failure :func:`explain` makes.
ORIGIN = "Trainer._symbolic_build"

#: What such a failure is, in the summary's words (the cause :func:`explain` gives says it at length).
COULD_NOT_RUN = "the model could not run on symbolic tensors shaped like the first batch"


def is_failure(failure: Any) -> bool:
    """Is ``failure`` (a ``builds.Failure``) a Keras 3 symbolic build that failed before the loop?"""
    return str(getattr(failure, "origin", "")).startswith(ORIGIN)


def failed(failures: Iterable[Any]) -> list[str]:
    """The diagnosis summary's sentences for ``failures`` (``builds.Failure``): a Keras 3 symbolic build is not
    an input shape the model rejected, but a build before the loop that the model could not run."""
    failures = list(failures)
    symbolic = [str(f.dimension) for f in failures if is_failure(f)]
    shaped = len(failures) - len(symbolic)
    said = [f"{shaped} build or call failed on an incompatible input shape."] if shaped else []
    return said + [f"{w[:1].upper()}{w[1:]} failed: {COULD_NOT_RUN}." for w in symbolic]


def _enclosing(ev: Event, by_seq: Mapping[int, Event], kind: str) -> Event | None:
    return next((p for p in enclosing(ev, by_seq) if p.kind == kind), None)


def _feature_shape(build: Event, by_seq: Mapping[int, Event]) -> list[Any] | None:
    """The shape of one sample, from the entry call (fit, evaluate, predict) the build ran in."""
    for entry in enclosing(build, by_seq):
        if entry.kind in ("fit", "evaluate", "predict"):
            shape = (entry.data.get("x") or {}).get("shape")
            return list(shape[1:]) if isinstance(shape, list) and shape else None
    return None


def explain(ev: Event, by_seq: Mapping[int, Event], events: list[Event]) -> dict[str, Any] | None:
    """The Failure fields (seq, error_type, message, layer, dimension, origin, fix, cause) for an ``error`` event
    that ended a Keras 3 symbolic build, or None for any other event. Of the errors inside one symbolic build
    only the last (the one that left ``_symbolic_build``, Keras's own words) is explained."""
    if ev.kind != "error":
        return None
    build = by_seq.get(ev.parent) if ev.parent is not None else None
    if build is None or build.kind != "symbolic_build":
        build = _enclosing(ev, by_seq, "symbolic_build")
    if build is None:
        return None
    later = [
        e for e in events if e.kind == "error" and e.seq > ev.seq and within(e, build.seq, by_seq)
    ]
    if later:
        return None
    warning = next(
        (
            e
            for e in events
            if e.kind == "warning"
            and e.name == "Trainer._symbolic_build"
            and within(e, build.seq, by_seq)
        ),
        None,
    )
    facts = dict(warning.data) if warning is not None else {}
    model = str(build.data.get("model") or facts.get("model") or "the model")
    model_class = str(facts.get("model_class") or "")
    unbuilt = list(facts.get("unbuilt_layers") or build.data.get("unbuilt_layers") or [])
    shape = _feature_shape(build, by_seq)
    batch = f"(None, {', '.join(str(d) for d in shape)})" if shape else "(None, ...)"
    sample = f"shape=({', '.join(str(d) for d in shape)},)" if shape else "shape=..."
    message = str(ev.data.get("message", ""))
    entry = by_seq.get(build.parent) if build.parent is not None else None
    wrapped = KERAS_MESSAGE in message
    cause = (
        f"Keras 3 builds model '{model}'"
        + (f" ({model_class})" if model_class else "")
        + " before the loop by running it on symbolic tensors shaped like the first batch "
        f"({shape_text([None, *shape]) if shape else 'its shape'}), and the model could not run on them"
        + (
            ": its call() failed there, so Keras asked for the model to be built first"
            if wrapped
            else f": {ev.data.get('type')} from the model itself"
        )
        + (f". Left unbuilt: {', '.join(unbuilt)}." if unbuilt else ".")
    )
    fix = (
        "Build the model yourself before fit/evaluate/predict, as Keras's message says: give it an input "
        f"(keras.Input({sample}) as the first layer of a Sequential, or the functional API), or call "
        f"model.build({batch}), or call the model once on a batch of real data (model(x[:1])). If call() reads "
        "tensor values (float(x), x.numpy(), np.asarray(x), a Python if on a tensor), write it with keras.ops "
        "so that it also runs on symbolic tensors."
    )
    return {
        "seq": ev.seq,
        "error_type": str(ev.data.get("type")),
        "message": message,
        "layer": facts.get("failed_layer") or model,
        "dimension": f"the symbolic build of model '{model}' before the loop",
        "origin": f"{ORIGIN} in {entry.name if entry is not None else 'a direct call'}",
        "fix": fix,
        "cause": cause,
    }


#: The name of the warning event the Keras 3 bridge records for Keras's "looks like it has unbuilt state".
UNBUILT_WARNING = "unbuilt state"

_EXCEPTION = re.compile(r"Exception encountered: ''(.*?)(?:''|\n|$)", re.DOTALL)


def unbuilt_state(ev: Event, make: Callable[..., Any]) -> Any:
    """Keras 3's warning that a layer "looks like it has unbuilt state", explained with Keras's own fix, as a
    build entry (``make`` builds one: ``builds.Build``)."""
    layer = str(ev.data.get("layer") or ev.layer or "?")
    message = str(ev.data.get("message") or "")
    if ev.data.get("where") == "build":
        cause = (
            f"Keras warned that layer '{layer}' looks like it has unbuilt state: build() ran as Keras's default "
            "(the layer has no build() of its own) while some of its sublayers were not built, so their weights "
            f"do not exist yet. Keras marks '{layer}' built anyway and will not build it again, so the missing "
            "weights show up later as failures (loading weights, a symbolic build, summary())."
        )
        fix = (
            "Implement a proper build(self, input_shape), as Keras's message says: build each sublayer there "
            "with the shape it receives (self.inner.build(input_shape)) and make the layer's own weights, so "
            "that build() builds everything call() uses."
        )
    else:
        found = _EXCEPTION.search(message)
        error = f" ({found.group(1).strip()})" if found and found.group(1).strip() else ""
        cause = (
            f"Keras warned that layer '{layer}' looks like it has unbuilt state (sublayers not built) and it "
            "could not build it automatically: it ran the layer's call() on symbolic tensors to build the "
            f"sublayers, and call() failed there{error}."
        )
        fix = (
            "As Keras's message says: (1) call() may be crashing: call the layer eagerly on a test input "
            "(x = np.random.random((3, 4)); y = layer(x)) to see the error; (2) if call() is right (it needs "
            "real values), implement build(self, input_shape) that creates all the variables the layer uses "
            "(calling build() on each sublayer), so that Keras does not need to trace call() to build it."
        )
    return make(
        seq=ev.seq,
        what="unbuilt state warning",
        subject=layer,
        action="warned",
        repeat=False,
        trigger=str(ev.data.get("where") or "build"),
        call_path=(),
        cause=cause,
        fix=fix,
        epoch=ev.epoch,
        step=ev.step,
    )
