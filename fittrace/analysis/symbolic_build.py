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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fittrace.analysis.shapes import shape_text
from fittrace.tracing.events import Event

#: Keras's message when the symbolic build failed on something else than a ValueError.
KERAS_MESSAGE = "Unable to automatically build the model"


def _enclosing(ev: Event, by_seq: Mapping[int, Event], kind: str) -> Event | None:
    seq = ev.parent
    while seq is not None:
        parent = by_seq.get(seq)
        if parent is None:
            return None
        if parent.kind == kind:
            return parent
        seq = parent.parent
    return None


def _feature_shape(build: Event, by_seq: Mapping[int, Event]) -> list[Any] | None:
    """The shape of one sample, from the entry call (fit, evaluate, predict) the build ran in."""
    seq = build.parent
    while seq is not None:
        entry = by_seq.get(seq)
        if entry is None:
            return None
        if entry.kind in ("fit", "evaluate", "predict"):
            shape = (entry.data.get("x") or {}).get("shape")
            return list(shape[1:]) if isinstance(shape, list) and shape else None
        seq = entry.parent
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
        e for e in events if e.kind == "error" and e.seq > ev.seq and _within(e, build, by_seq)
    ]
    if later:
        return None
    warning = next(
        (
            e
            for e in events
            if e.kind == "warning"
            and e.name == "Trainer._symbolic_build"
            and _within(e, build, by_seq)
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
        "origin": f"Trainer._symbolic_build in {entry.name if entry is not None else 'a direct call'}",
        "fix": fix,
        "cause": cause,
    }


def _within(ev: Event, span: Event, by_seq: Mapping[int, Event]) -> bool:
    seq = ev.parent
    while seq is not None:
        if seq == span.seq:
            return True
        parent = by_seq.get(seq)
        seq = parent.parent if parent is not None else None
    return False
