"""The one trace-event schema.

Every stage of ``fit``/``evaluate``/``predict`` reports itself as an :class:`Event`. This module is the single
source of truth for what an event is: the field list, the kinds, and each kind's payload keys. The JSON Schema
(:func:`json_schema`), the docs table (:func:`markdown_table`) and the validator (:func:`validate_record`) are all
derived from the definitions below; nothing else in fittrace spells out the schema again.

A trace file (JSONL) holds a ``header`` record, one ``event`` record per line, and a ``footer`` record.

    >>> Event(seq=0, kind="compile_check", name="_assert_compile_was_called",
    ...       keras=KERAS_TRAINING + ".Model._assert_compile_was_called", t=0, data={"is_compiled": True}).kind
    'compile_check'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fittrace.tracing.snapshots import SnapshotError, check_payload

SCHEMA_NAME = "fittrace.trace"
SCHEMA_VERSION = 4  # 4: tensor_snapshot

KERAS_TRAINING = "keras.engine.training"
KERAS_SEQUENTIAL = "keras.engine.sequential"
KERAS_BASE_LAYER = "keras.engine.base_layer"
KERAS_DATA_ADAPTER = "keras.engine.data_adapter"
KERAS_COMPILE_UTILS = "keras.engine.compile_utils"
KERAS_CALLBACKS = "keras.callbacks"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened during a traced run.

    ``t`` and ``dur`` are nanoseconds since the run began; ``dur`` is set for spans (stages with a duration) and
    None for instants. ``parent`` is the ``seq`` of the enclosing span. ``epoch``/``step`` say where in the loop it
    happened (None outside the loop). ``data`` holds the kind's payload: JSON values only.
    """

    seq: int
    kind: str
    name: str
    t: int
    keras: str | None = None
    dur: int | None = None
    parent: int | None = None
    epoch: int | None = None
    step: int | None = None
    layer: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The event as a plain JSON object (the ``record`` key marks it as an event line), its payload copied."""
        record = event_record(event_fields(self))
        record["data"] = dict(self.data)
        return record

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Event:
        return cls(
            **{
                f.name: obj.get(f.name, f.default if f.default is not dataclasses.MISSING else None)
                for f in dataclasses.fields(cls)
                if f.name != "data"
            },
            data=dict(obj.get("data") or {}),
        )


_EVENT_SLOTS = tuple(Event.__dict__[f.name].__set__ for f in dataclasses.fields(Event))


def event_from_fields(fields: tuple) -> Event:
    """``Event(*fields)`` for the recorder's hot path: all eleven fields in declared order, no defaults, no checks.
    It fills the slots directly, about twice as fast as the frozen dataclass's ``__init__`` (which goes through
    ``object.__setattr__`` per field); the event is the same, and as frozen, once made."""
    ev = object.__new__(Event)
    for put, value in zip(_EVENT_SLOTS, fields):
        put(ev, value)
    return ev


def event_record(fields: tuple) -> dict[str, Any]:
    """An event line's JSON object from the event's eleven fields (the payload is shared, not copied)."""
    seq, kind, name, t, keras, dur, parent, epoch, step, layer, data = fields
    return {
        "record": "event",
        "seq": seq,
        "kind": kind,
        "name": name,
        "t": t,
        "keras": keras,
        "dur": dur,
        "parent": parent,
        "epoch": epoch,
        "step": step,
        "layer": layer,
        "data": data,
    }


def event_fields(ev: Event) -> tuple:
    """The inverse of :func:`event_from_fields`: an event's eleven fields in declared order."""
    return (
        ev.seq,
        ev.kind,
        ev.name,
        ev.t,
        ev.keras,
        ev.dur,
        ev.parent,
        ev.epoch,
        ev.step,
        ev.layer,
        ev.data,
    )


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of event: whether it is a span, what it means, and its payload keys (key -> meaning)."""

    name: str
    span: bool
    doc: str
    payload: Mapping[str, str]
    required: tuple[str, ...] = ()


def _k(kind: str, span: bool, doc: str, required: tuple[str, ...] = (), /, **payload: str) -> Kind:
    return Kind(kind, span, doc, payload, required)


#: Events whose payload says where a build came from (see ``PROVENANCE``).
BUILD_LIKE = ("graph_build", "layer_build", "weight_created", "train_function", "optimizer_slots")

#: Provenance keys the recorder adds to every build-like event.
PROVENANCE = {
    "trigger": "the public call that led here: fit, evaluate, predict, summary, build, call (a direct "
    "model call) or add",
    "call_path": "names of the enclosing spans, outermost first",
}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        # --- entry points -----------------------------------------------------------------------------------------
        _k(
            "fit",
            True,
            "Model.fit: the whole training call. Payload: the arguments as resolved.",
            ("batch_size", "epochs"),
            x="description of x (type, shape, dtype)",
            y="description of y",
            batch_size="batch size asked for (None=default)",
            epochs="epochs",
            verbose="verbosity after 'auto' was resolved",
            shuffle="True, False or 'batch'",
            validation_split="fraction held out",
            validation_data="description of validation data, or None",
            initial_epoch="first epoch index",
            steps_per_epoch="steps asked for, or None",
            validation_freq="int or list",
            callbacks="user callbacks' class names",
            class_weight="True if given",
            sample_weight="True if given",
            run_eagerly="the compile mode",
            error="set when fit raised",
        ),
        _k(
            "evaluate",
            True,
            "Model.evaluate. Payload: the arguments as resolved.",
            x="description of x",
            y="description of y",
            batch_size="batch size",
            steps="steps asked for",
            verbose="verbosity",
            return_dict="bool",
            in_fit="True when fit runs it for validation",
            error="on failure",
        ),
        _k(
            "predict",
            True,
            "Model.predict. Payload: the arguments as resolved.",
            x="description of x",
            batch_size="batch size",
            steps="steps asked for",
            verbose="verbosity",
            error="on failure",
        ),
        _k(
            "api_call",
            True,
            "Another public model call that can build or train: summary, build, a direct model(x), add, "
            "pop, compile, train_on_batch, test_on_batch, predict_on_batch.",
            method="summary|build|call|add|pop|compile|train_on_batch|test_on_batch|predict_on_batch",
            model="model name",
            detail="what it was called with",
        ),
        _k(
            "compile",
            False,
            "Model.compile: what was resolved from the arguments.",
            optimizer="optimizer class",
            loss="loss name(s): one, a list per output, or a dict by output name",
            metrics="metric names as given (a list, a list per output, or a dict by output name)",
            loss_weights="loss weights as given (a number, a list or a dict), or None",
            weighted_metrics="weighted metric names as given",
            run_eagerly="None/True/False",
            steps_per_execution="int",
            reset="caches cleared (train/test/predict functions)",
        ),
        # --- the stages of fit ------------------------------------------------------------------------------------
        _k(
            "compile_check",
            False,
            "_assert_compile_was_called.",
            ("is_compiled",),
            is_compiled="bool",
        ),
        _k(
            "data_handler",
            True,
            "DataHandler.__init__ (via get_data_handler).",
            batch_size="batch size asked for",
            epochs="epochs",
            initial_epoch="first epoch",
            steps_per_epoch="asked for",
            shuffle="shuffle",
            class_weight="True if given",
            inferred_steps="steps per epoch it settled on",
            steps_per_execution="steps per train_function call",
        ),
        _k(
            "adapter_candidate",
            False,
            "One adapter class asked can_handle(x, y), in Keras's order.",
            ("class", "accepted"),
            **{
                "class": "adapter class name",
                "accepted": "bool",
                "reason": "why, in words",
                "would_take": "the input it is for",
            },
        ),
        _k(
            "adapter_selected",
            False,
            "The adapter chosen and what it made of the data.",
            ("class",),
            **{
                "class": "adapter class name",
                "num_samples": "samples (None if unknown)",
                "batch_size": "batch size",
                "steps": "steps per epoch (None if unknown)",
                "partial_batch_size": "rows in the last batch, or None",
                "shuffle": "shuffle mode",
                "stands_in_for": "only when x stands in for a TensorFlow object: made_by (the function that "
                "made it), keras_returns (what Keras returns there), keras_adapter (the adapter Keras would "
                "use), fit_shuffle_ignored",
            },
        ),
        _k(
            "callbacks_container",
            False,
            "CallbackList built: members in call order.",
            ("members",),
            members="class names in call order",
            added_by_default="names fit added (History, ProgbarLogger)",
            params="the dict given to set_params",
            async_batch_end="Keras 3: per phase (train, test, predict), whether on_*_batch_end goes to a thread "
            "pool",
        ),
        _k(
            "train_function",
            False,
            "make_*_function or tf.function tracing: created, reused, reset or traced (a new input signature).",
            ("action",),
            action="created|reused|reset|traced",
            function="train_function|test_function|predict_function",
            reason="why, in words",
            mode="graph|eager",
            signature="input shapes it was traced for (traced only); for a tf.function, one TensorSpec or "
            "Python value per argument",
            source="tf.function for a user's @tf.function (a hand-written loop); absent for Keras's own",
            traces="how many times the tf.function has been traced, this trace included",
            jit_compile="the model's jit_compile (Keras 3: XLA for tf.function, jax.jit for JAX)",
            variables="variables the first call made, when that made tf.function trace again",
            dtypes="the dtype of each input of the signature (a real tf.function's trace)",
            cause="why it traced, as a word (a real tf.function's trace): first_call, variables, new_shape, "
            "new_dtype, new_rank or relaxed (reduce_retracing relaxed a dimension to None)",
            called_with="the input shapes of the call that traced, before any relaxing (a real trace)",
            relaxed="the dimensions reduce_retracing relaxed to None (a real trace)",
            model="the model whose function it is (a real tf-keras run)",
            entry="the public Model method the trace came from: fit, evaluate, predict or an *_on_batch "
            "method (a real tf-keras run)",
            trigger=PROVENANCE["trigger"],
            call_path=PROVENANCE["call_path"],
        ),
        _k(
            "function_call",
            True,
            "A call of train_function/test_function/predict_function (steps_per_execution steps), or of a "
            "user's tf.function.",
            function="train_function|test_function|predict_function, or the tf.function's name",
            mode="graph (runs the traced graph) or eager",
            traced="True when this call traced (tf.function only)",
            jit_compile="the tf.function's jit_compile argument (tf.function only)",
            steps="steps run by this call",
            update_norms="each trainable variable's change over the call, read before and after it (a real "
            "tf-keras train_function at full detail: its graph gives Python no gradients)",
        ),
        _k(
            "epoch",
            True,
            "One epoch of the loop.",
            ("epoch",),
            epoch="epoch index",
            logs="epoch logs at its end",
            steps_run="steps that ran",
        ),
        _k(
            "step",
            True,
            "One step: one train_function call in fit/evaluate/predict; in a hand-written loop one call of "
            "a tf.function, or without one, one GradientTape and what follows it until the next.",
            ("step",),
            step="step index (a hand-written loop's: the calls of its function so far)",
            function="the tf.function a hand-written loop's step calls (GradientTape without one)",
            loss="the value the step's function returned, when it is one number (hand-written loop)",
            size="batch rows",
            full="True if every event of this step was kept",
            logs="logs returned (running means)",
            last="True for the epoch's last step",
            phase="train|test|predict, or custom for a hand-written loop's step",
            grad_norm="global gradient norm",
            grad_norms="per-variable gradient norms",
            update_norms="per-variable update norms",
            time_ns="the step's own time, in ns",
        ),
        _k(
            "callback_hook",
            True,
            "CallbackList dispatching a hook to its members.",
            ("hook",),
            hook="on_epoch_begin, on_train_batch_end, ...",
            callbacks="class names called, in order",
            logs="keys of the logs passed",
            skipped="True when CallbackList returned at once because no member implements batch hooks",
            dispatch="async when Keras 3 hands the members' batch-end calls to a thread pool (the span is the "
            "hand-over); absent when the members ran in order inside the span",
        ),
        _k(
            "train_step",
            True,
            "Model.train_step (or a user override).",
            size="batch rows",
            user_override="bool",
            stateless="True for Keras 3's JAX train_step(state, data), which returns the new state instead of "
            "assigning the variables",
        ),
        _k("test_step", True, "Model.test_step.", size="batch rows"),
        _k("predict_step", True, "Model.predict_step.", size="batch rows"),
        _k(
            "model_call",
            True,
            "Model.__call__ -> call.",
            model="model name",
            training="training flag",
            input_shape="shape received",
            input_dtype="dtype received",
            output_shape="shape returned",
            output_dtype="dtype returned",
            layer_class="the model's class name",
            input_mask="shape of the mask the model got (only when it got one)",
            output_mask="shape of the mask its output carries (only when it has one)",
        ),
        _k(
            "graph_build",
            False,
            "Sequential._build_graph_network_for_inferred_shape decided something.",
            ("action",),
            model="model name",
            action="built|rebuilt|kept|skipped",
            shape_before="stored inferred shape (None first time)",
            shape_received="shape of the input",
            shape_built="relaxed shape the network was built for",
            unbuilt_layers="the layers not built yet when the network is built",
            reason="why, in words",
            mode="graph|eager",
            trigger=PROVENANCE["trigger"],
            call_path=PROVENANCE["call_path"],
        ),
        _k(
            "node_created",
            True,
            "Layer.__call__ on KerasTensors (_functional_construction_call): the layer is built now if it was "
            "not, and a Node records the call. A call that raised made no Node: its payload is only error.",
            (),
            layer_class="class name",
            node_index="which call of this layer (0 first; more for a shared layer)",
            inbound="the inputs, as Keras's summary names them: layer[node][tensor]",
            input_shapes="symbolic input shapes",
            output_shapes="inferred output shapes",
            built_now="True if this call built the layer",
            shared="True if the layer had been called before (one layer, several nodes)",
            error="the exception class, when the call raised",
        ),
        _k(
            "graph_network",
            False,
            "Functional._init_graph_network mapped the graph (_map_graph_network).",
            ("model", "nodes_by_depth"),
            model="model name",
            inputs="input layers",
            outputs="output layers",
            layers="model.layers, in Keras's order",
            nodes_by_depth="lists of nodes, deepest (the inputs) first: layer, node_index, inbound, "
            "output_shapes",
            chain="True when the graph is a plain chain (summary prints no 'Connected to' column)",
        ),
        _k(
            "layer_build",
            True,
            "Layer._maybe_build -> build(input_shape).",
            ("input_shape",),
            input_shape="shape given to build",
            layer_class="class name",
            trigger=PROVENANCE["trigger"],
            call_path=PROVENANCE["call_path"],
            reason="why build ran",
            build_count="builds before this one",
            previous_input_shape="shape of the previous build (repeats only)",
            symbolic="True when built on symbolic KerasTensors (Keras 3's symbolic build, a functional call)",
        ),
        _k(
            "weight_created",
            False,
            "Layer.add_weight created a variable.",
            ("name", "shape"),
            name="variable name (dense/kernel)",
            shape="shape",
            dtype="dtype",
            initializer="initializer name",
            trainable="bool",
            trigger=PROVENANCE["trigger"],
            call_path=PROVENANCE["call_path"],
        ),
        _k(
            "layer_call",
            True,
            "Layer.__call__ -> call on real data.",
            layer_class="class name",
            input_shape="shape",
            input_dtype="dtype",
            output_shape="shape",
            output_dtype="dtype",
            stats="output mean/std/min/max",
            training="training flag",
            input_mask="shape of the mask the layer got (only when it got one)",
            output_mask="shape of the mask its output carries (only when it has one)",
        ),
        _k(
            "loss",
            False,
            "LossesContainer computed the loss.",
            ("value",),
            name="loss name (the outputs' loss names joined by ' + ' with several outputs)",
            value="loss value (the weighted sum over the outputs, regularization included)",
            reduction="reduction used",
            regularization="regularization part (0 if none)",
            running_mean="the 'loss' log so far this epoch",
            per_output="each output's unweighted loss by output name (several outputs only)",
        ),
        _k(
            "tape",
            True,
            "GradientTape.gradient: the backward pass.",
            ops="ops recorded",
            sources="variables asked for",
        ),
        _k(
            "gradient",
            False,
            "The gradient of one trainable variable.",
            ("variable", "norm"),
            variable="name",
            shape="shape",
            norm="L2 norm",
        ),
        _k(
            "optimizer_update",
            False,
            "optimizer.apply_gradients updated one variable.",
            ("variable",),
            variable="name",
            update_norm="L2 norm of the change",
            slots_created="slot names created now",
            hyperparameters="learning rate etc.",
            iteration="optimizer.iterations before the update",
        ),
        _k(
            "optimizer_slots",
            False,
            "The optimizer built its slot variables (first apply_gradients).",
            optimizer="class",
            slots="slot variable names",
            trigger=PROVENANCE["trigger"],
            call_path=PROVENANCE["call_path"],
        ),
        _k(
            "tensor_snapshot",
            False,
            "A small copy of a tensor's values at a chosen moment (fittrace's own: Keras records none), for the "
            "pictures: input rows, a layer's output for one sample, a kernel, its gradient and its update. The "
            "values are 256 levels over the whole tensor's [min, max], as base64 (tracing/snapshots.py).",
            ("role", "moment", "shape", "dtype", "stored_shape", "min", "max", "encoding", "data"),
            role="input, layer_output, feature_map (a layer's output with height, width and channels), kernel "
            "(any weight of two or more axes), gradient or update",
            moment="first_step (the first step of fit), last_step (the last step of an epoch) or epoch_end",
            variable="the weight's name (kernel, gradient, update)",
            layer_class="the layer's class (layer outputs)",
            activation="the layer's activation, when it has one (layer outputs)",
            sample="which row of the batch the output is for (layer outputs)",
            label="that row's target: a class index (sparse or one-hot) or a number (layer outputs)",
            labels="the targets of the input rows, when fit was given y (input)",
            rows="how many rows of the batch the input holds (input)",
            input="which of several model inputs it is (input)",
            shape="the tensor's shape",
            dtype="the tensor's dtype",
            stored_shape="the shape of the values kept",
            sampled="how the tensor was cut down, in words (null: kept whole)",
            min="the whole tensor's smallest finite value (level 0)",
            max="its largest finite value (level 255)",
            mean="its mean",
            std="its standard deviation",
            nonfinite="how many of its values were NaN or infinite (stored as level 0)",
            encoding="uint8-base64: one byte per value, 0 at min and 255 at max",
            data="the stored values, row-major, as base64 text",
        ),
        _k(
            "metric_update",
            False,
            "A compiled metric's state after update_state.",
            ("name",),
            name="metric name",
            fn="the function it resolved to (a Metric object's class name)",
            value="running result (a list for several thresholds)",
            variables="the metric's own state variables by name (a long one as its shape and sum)",
            **{"class": "the metric's class (a user's Metric subclass under its own name)"},
        ),
        _k(
            "progbar",
            False,
            "ProgbarLogger printed a line.",
            ("line",),
            line="the line as printed (no control chars)",
            verbose="1 or 2",
            final="True at the epoch's end",
        ),
        _k(
            "history",
            False,
            "History recorded an epoch.",
            ("epoch",),
            epoch="epoch index",
            logs="the epoch's logs",
        ),
        _k(
            "validation",
            True,
            "Validation at an epoch's end (evaluate's path).",
            epoch="epoch index",
            logs="val_ logs",
        ),
        _k(
            "stop_training",
            False,
            "Something set model.stop_training.",
            by="who asked",
            epoch="epoch",
            step="step",
            reason="why",
        ),
        _k(
            "model_saved",
            False,
            "model.save / save_model wrote a whole model (config, weights, optimizer state) to a file.",
            ("file", "format"),
            file="the path written",
            format="keras (the .keras zip archive) or h5 (the legacy HDF5 file)",
            model="model name",
            class_name="the model's class (Sequential, Functional...)",
            weights="how many model weights were written",
            optimizer="how many optimizer variables were written (the iteration count, then the slots)",
            compiled="whether the file holds the compile state (compile_config / training_config)",
        ),
        _k(
            "model_loaded",
            False,
            "load_model rebuilt a whole model from a file and restored its state.",
            ("file", "format"),
            file="the path read",
            format="keras (the .keras zip archive) or h5 (the legacy HDF5 file)",
            model="model name",
            class_name="the model's class (Sequential, Functional...)",
            weights="how many model weights were restored",
            optimizer="how many optimizer variables were restored (0: a fresh optimizer)",
            compiled="whether the model came back compiled",
            iterations="the optimizer's restored iteration count (null: no optimizer)",
        ),
        _k(
            "warning",
            False,
            "A warning Keras would log.",
            message="text",
            model="the model it concerns (the legacy deferred fallback)",
            shape="the input shape the graph network was being built for (the fallback)",
            error_type="the exception class that made Sequential fall back",
            error="str(exception) of it",
            failed_layer="the layer being called when it failed (None: mapping the graph failed)",
            unbuilt_layers="Keras 3's symbolic build: the layers still unbuilt when it failed",
            model_class="Keras 3's symbolic build: the model's class",
            has_input="Keras 3's symbolic build: whether the model has an Input (a functional graph)",
        ),
        _k(
            "symbolic_build",
            True,
            "Keras 3's Trainer._symbolic_build: the model run on symbolic KerasTensors shaped like the first "
            "batch before the loop, so that the layers, the compiled loss and metrics and the optimizer make "
            "their variables before the first step (JAX; TensorFlow under a distribution strategy).",
            ("model",),
            model="model name",
            model_built="whether the model was built before",
            unbuilt_layers="the layers not built before it",
            built_layers="the layers it built",
            weights="the model's weights after it",
            optimizer="the optimizer's class",
            optimizer_built="whether the optimizer was built before",
            optimizer_variables="the optimizer's variables after it",
            variables_before="the model's variables before it (None: the model was not built)",
            error="the exception class, when it failed",
        ),
        _k(
            "jax_state",
            True,
            "Keras 3's JAX backend handing its state to the stateless step (JAXTrainer._get_jax_state, the "
            "model's variables purged) or writing it back (jax_state_sync, at an epoch's end).",
            ("action",),
            action="get|sync|skipped (sync with nothing to write back)",
            parts="get: which variables the state holds (trainable, non_trainable, optimizer, metrics)",
            variables="how many variables of each part",
            purged="get: whether the model's own variables were emptied until the sync",
            reason="what it does, in words",
        ),
        _k(
            "error",
            False,
            "The run raised.",
            ("type", "message"),
            type="exception class",
            message="str(exception)",
            stage="the innermost stage that was running",
            diagnosis="the facts analysis words a fix from (optional): check (axis, shape, ndim, "
            "unknown_variable, undefined_last_dim), input, layer, expected, found, axis, variable",
        ),
    ]
}

EVENT_FIELDS: dict[str, str] = {
    "seq": "position in the run, from 0; increasing (gaps mean events the detail level did not keep)",
    "kind": "one of the kinds below",
    "name": "what ran: the function, hook or layer name",
    "keras": "dotted Keras 2 path the stage mirrors, or null for fittrace's own",
    "t": "ns since the run began",
    "dur": "ns, for spans; null for instants",
    "parent": "seq of the enclosing span, or null",
    "epoch": "epoch index, or null",
    "step": "step index, or null",
    "layer": "layer name when one is involved, or null",
    "data": "the kind's payload (JSON values)",
}

DETAIL_LEVELS = ("full", "default", "summary")

#: In "summary" detail only these kinds are kept.
SUMMARY_KINDS = frozenset(
    {
        "fit",
        "evaluate",
        "predict",
        "api_call",
        "compile",
        "compile_check",
        "data_handler",
        "adapter_candidate",
        "adapter_selected",
        "callbacks_container",
        "train_function",
        "epoch",
        "graph_build",
        "node_created",
        "graph_network",
        "layer_build",
        "weight_created",
        "optimizer_slots",
        "symbolic_build",
        "history",
        "validation",
        "stop_training",
        "model_saved",
        "model_loaded",
        "tensor_snapshot",
        "warning",
        "error",
    }
)

HEADER_KEYS = {
    "schema": "schema name",
    "version": "schema version",
    "fittrace": "fittrace version",
    "numpy": "numpy version",
    "python": "Python version",
    "detail": "detail level",
    "seed": "random seed if set",
    "started": "ISO time",
    "model": "the model fit was given: name, class, built, layers (name, class) and, for a model with a "
    "graph, graphs: the graph_network payloads of it and of the models nested in it",
    "compile": "the compile arguments as resolved",
    "fit": "the fit arguments as resolved",
    "framework": "what ran the model: fittrace (its own engine), tf_keras or keras (Keras 3)",
    "framework_version": "that framework's version",
    "backend": "numpy (fittrace), tensorflow, or Keras 3's backend (tensorflow, jax)",
    "snapshots": "the tensor snapshots asked for: mode (off, default, full), encoding, max_values (per "
    "snapshot), budget_bytes (of snapshot data per trace); the footer's snapshots entry counts the kept, the "
    "dropped (the budget was spent) and the bytes kept",
    "bridge": "per real framework the process loaded: hooked (how many hooks), missing (the functions this "
    "version lacks, so their stages are not in the trace), failed (hooks whose recording raised), error",
}


class SchemaError(ValueError):
    """A record does not follow the schema."""


_JSON_SCALARS = (str, int, float, bool, type(None))


#: Integer fields that count from zero (sequence numbers, nanosecond offsets and durations).
NON_NEGATIVE = ("seq", "t", "dur")


def validate_record(obj: Any) -> None:
    """Raise :class:`SchemaError` (with the reason) unless ``obj`` is a valid event record."""
    if not isinstance(obj, dict):
        raise SchemaError(f"expected a JSON object, got {type(obj).__name__}")
    if obj.get("record") != "event":
        raise SchemaError(f"expected record 'event', got {obj.get('record')!r}")
    for key in ("seq", "t"):
        if not isinstance(obj.get(key), int) or isinstance(obj.get(key), bool):
            raise SchemaError(f"field {key!r} must be an integer, got {obj.get(key)!r}")
    for key in ("dur", "parent", "epoch", "step"):
        if obj.get(key) is not None and (
            not isinstance(obj[key], int) or isinstance(obj[key], bool)
        ):
            raise SchemaError(f"field {key!r} must be an integer or null, got {obj[key]!r}")
    for key in NON_NEGATIVE:
        if isinstance(obj.get(key), int) and obj[key] < 0:
            raise SchemaError(f"field {key!r} must not be negative, got {obj[key]!r}")
    for key in ("name",):
        if not isinstance(obj.get(key), str):
            raise SchemaError(f"field {key!r} must be a string, got {obj.get(key)!r}")
    for key in ("keras", "layer"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise SchemaError(f"field {key!r} must be a string or null, got {obj[key]!r}")
    unknown = set(obj) - set(EVENT_FIELDS) - {"record"}
    if unknown:
        raise SchemaError(f"unknown fields {sorted(unknown)}")
    kind = KINDS.get(obj.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        raise SchemaError(f"unknown kind {obj.get('kind')!r} (must be one of {sorted(KINDS)})")
    if kind.span and obj.get("dur") is None:
        raise SchemaError(f"{kind.name} is a span and needs 'dur'")
    data = obj.get("data")
    if not isinstance(data, dict):
        raise SchemaError("field 'data' must be an object")
    missing = [k for k in kind.required if k not in data]
    if missing:
        raise SchemaError(f"{kind.name} payload misses {missing}")
    if kind.name == "tensor_snapshot":
        try:
            check_payload(data)
        except SnapshotError as e:
            raise SchemaError(str(e)) from None


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for one event line, derived from :data:`KINDS` and :data:`EVENT_FIELDS`."""
    int_or_null = {"type": ["integer", "null"]}
    str_or_null = {"type": ["string", "null"]}
    props: dict[str, Any] = {
        "record": {"const": "event"},
        "seq": {"type": "integer", "minimum": 0},
        "kind": {"enum": sorted(KINDS)},
        "name": {"type": "string"},
        "keras": str_or_null,
        "t": {"type": "integer", "minimum": 0},
        "dur": {"type": ["integer", "null"]},
        "parent": int_or_null,
        "epoch": int_or_null,
        "step": int_or_null,
        "layer": str_or_null,
        "data": {"type": "object"},
    }
    for name in NON_NEGATIVE:
        props[name]["minimum"] = 0
    for name, p in props.items():
        if name in EVENT_FIELDS:
            p["description"] = EVENT_FIELDS[name]
    per_kind = []
    for kind in KINDS.values():
        rule: dict[str, Any] = {
            "if": {"properties": {"kind": {"const": kind.name}}},
            "then": {
                "properties": {
                    "data": {
                        "type": "object",
                        "required": list(kind.required),
                        "properties": {k: {"description": v} for k, v in kind.payload.items()},
                    }
                }
            },
        }
        if kind.span:
            rule["then"]["properties"]["dur"] = {"type": "integer"}
            rule["then"]["required"] = ["dur"]
        per_kind.append(rule)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_NAME}/v{SCHEMA_VERSION}/event",
        "title": f"{SCHEMA_NAME} event, version {SCHEMA_VERSION}",
        "type": "object",
        "required": ["record", "seq", "kind", "name", "t", "data"],
        "additionalProperties": False,
        "properties": props,
        "allOf": per_kind,
    }


def markdown_table() -> str:
    """The docs table of kinds and payloads, derived from :data:`KINDS`."""
    rows = ["| kind | span | what it records | payload |", "|---|---|---|---|"]
    for kind in KINDS.values():
        payload = "; ".join(
            f"`{k}`{'*' if k in kind.required else ''}: {v}" for k, v in kind.payload.items()
        )
        rows.append(f"| `{kind.name}` | {'yes' if kind.span else 'no'} | {kind.doc} | {payload} |")
    return "\n".join(rows)
