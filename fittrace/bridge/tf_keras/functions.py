"""What runs inside a real tf-keras 2 step: ``make_train_function`` and its ``tf.function``, each call and each trace
of it, and the Python body of ``train_step`` / ``test_step`` / ``predict_step``.

Mirrors ``tf_keras.src.engine.training`` (``Model.make_train_function``, ``make_test_function``,
``make_predict_function``, ``train_step``, ``test_step``, ``predict_step``) and the part of TensorFlow's
``polymorphic_function.Function.__call__`` that decides whether a call traces. It records the same events as
fittrace's own engine (``fittrace/engine/functions.py`` and ``training.py``):

* ``train_function`` (created, reused, reset, traced): ``make_*_function`` returning its cached function unless
  ``force``; ``compile()`` resetting them; every trace of ``train_function``/``test_function``/
  ``predict_function`` with the signature it was traced for and why (first call, the first call's variables,
  a new shape, a new dtype, ``reduce_retracing`` relaxing a dimension to None), the model, and the public
  method it came from. A trace is seen where it happens: the Python body of the step runs under
  ``tf.inside_function()`` during a call of a known function, once per graph traced (a ``tf.range`` loop for
  ``steps_per_execution`` > 1 runs the body twice in one graph).
* ``function_call``: each call of the function (``mode`` graph or eager, ``traced`` on a call that traced,
  ``steps``). With ``run_eagerly=True`` the function is plain Python and the call is the step itself.
* ``train_step``/``test_step``/``predict_step``: when the Python body runs. In graph mode that is once per trace
  (twice on the first call of a model that makes its weights then), and never for the steps the graph runs;
  with ``run_eagerly=True`` every step. A model whose own class defines the step method (a user override) has
  that class hooked too, from ``make_*_function`` on, and put back at the end.
* eagerly only, where the values exist in Python: ``loss``, ``tape`` with a ``gradient`` per variable,
  ``optimizer_update`` per variable, ``metric_update`` per compiled metric.
* TensorFlow's own "triggered tf.function retracing" warning, as a ``warning`` event.

Gradient and update norms. Nothing is added to a traced graph, so in graph mode the step's gradients never reach
Python: default detail records no norms there; ``detail="full"`` records each trainable variable's update norm per
call of ``train_function`` from the variables' values read before and after the call (reads that change nothing).
With ``run_eagerly=True`` the gradients are concrete tensors: the step's ``grad_norm``/``grad_norms`` come from the
gradients ``GradientTape.gradient`` returned (read as numpy, every step), and ``update_norms`` from the variables
read before and after ``apply_gradients`` on the steps the trace keeps whole, as fittrace's engine does.

Left out: ``jit_compile`` (the inner ``tf.function`` of ``run_step``), distribution strategies' per-replica
steps, the ``ParameterServerStrategy`` coordinator's scheduled functions, and ``steps_per_execution`` autotuning.
"""

from __future__ import annotations

import importlib
import sys
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from fittrace.bridge.hooks import Hooks, path_of
from fittrace.tracing import recorder as rec

#: Each model function and the step method its Python body runs.
FUNCTIONS = {
    "train_function": "train_step",
    "test_function": "test_step",
    "predict_function": "predict_step",
}
STEP_FUNCTION = {step: fn for fn, step in FUNCTIONS.items()}

#: The config keys every tf-keras optimizer has: left out of an update's ``hyperparameters``.
BASE_OPTIMIZER_CONFIG = frozenset(
    "name weight_decay clipnorm global_clipnorm clipvalue use_ema ema_momentum ema_overwrite_frequency "
    "jit_compile is_legacy_optimizer".split()
)

#: TensorFlow's words when a function traced too often (polymorphic_function._FrequentTracingDetector).
RETRACING_WARNING = "triggered tf.function retracing"


def find_modules(hooks: Hooks, *names: str) -> list[ModuleType] | None:
    """The modules a part hooks, imported by name (the framework has loaded them, or loads them now); None, with
    the first one missing noted in ``hooks.missing``, when this version of the framework lacks one."""
    found = []
    for name in names:
        module = sys.modules.get(name)
        if module is None:
            try:
                module = importlib.import_module(name)
            except ImportError:
                hooks.missing.append(name)
                return None
        found.append(module)
    return found


# --- spans opened and closed by hooks, fittrace's part guarded ---------------------------------------------------
def open_span(
    hooks: Hooks,
    label: str,
    kind: str,
    name: str,
    keras: str,
    layer: str | None = None,
    data: Any = None,
) -> Any:
    """Enter a span for a hook (None if fittrace failed to): the hook closes it with :func:`close_span`."""

    def enter() -> Any:
        s = rec.span(kind, name, keras=keras, layer=layer, data=data)
        s.__enter__()
        return s

    return hooks.guard(label, enter)


def close_span(hooks: Hooks, label: str, span: Any, exc: BaseException | None = None) -> None:
    """Close a span :func:`open_span` opened; an exception the hooked function raised is recorded as its error."""
    if span is not None:
        hooks.guard(label, span.__exit__, None if exc is None else type(exc), exc, None)


def call_through(
    hooks: Hooks, label: str, spans: list[Any], original: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    """``original(*args, **kw)`` once, its result or exception passed through, then ``spans`` closed innermost
    first."""
    try:
        result = original(*args, **kw)
    except BaseException as exc:
        for s in reversed(spans):
            close_span(hooks, label, s, exc)
        raise
    for s in reversed(spans):
        close_span(hooks, label, s)
    return result


# --- shapes as JSON -----------------------------------------------------------------------------------------------
def shape_list(shape: Any) -> list[int | None] | None:
    """A TensorShape (or tuple) as JSON: a list of ints and None; None for an unknown rank."""
    try:
        dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    except (ValueError, TypeError):  # a TensorShape of unknown rank
        return None
    return [None if d is None else int(d) for d in dims]


def dtype_text(dtype: Any) -> str | None:
    name = getattr(dtype, "name", None)
    return str(name if name is not None else dtype) if dtype is not None else None


def batch_size_of(data: Any, flatten: Callable[[Any], list[Any]]) -> int | None:
    """The rows of a batch's first tensor (None while tracing with an unknown batch dimension)."""
    for t in flatten(data):
        shape = shape_list(getattr(t, "shape", None)) if hasattr(t, "shape") else None
        if shape:
            return shape[0]
    return None


def function_made(name: str, action: str, graph: bool, forced: bool) -> dict[str, Any]:
    """The train_function event of ``make_<name>``: its cached function reused, or a new one created."""
    if action == "reused":
        reason = f"model.{name} was cached by an earlier call; compile() would reset it"
    elif forced:
        reason = f"forced by make_{name}(force=True)"
    else:
        reason = f"no cached {name}: fit/evaluate/predict makes one and caches it on the model"
    return {
        "action": action,
        "function": name,
        "mode": "graph" if graph else "eager",
        "reason": reason,
    }


def _dims_text(dims: list[int]) -> str:
    return ", ".join(map(str, dims))


def _sig_text(shapes: list[Any]) -> str:
    return ", ".join(
        "(" + ", ".join("None" if d is None else str(d) for d in s) + ")"
        if s is not None
        else "(unknown rank)"
        for s in shapes
    )


def trace_reason(
    function: str,
    history: list[tuple[list[Any], list[Any]]],
    called: tuple[list[Any], list[Any]] | None,
    traced: tuple[list[Any], list[Any]],
) -> tuple[str, str, list[int]]:
    """Why ``function`` traced now, given the signatures (shapes, dtypes) it was traced for before, the
    signature of this call's data (``called``, from the iterator's element spec) and the one the Python body
    sees (``traced``). Returns (cause, reason in words, the dimensions relaxed to None): the cause is
    first_call, new_dtype, new_rank, relaxed or new_shape."""
    shapes, dtypes = traced
    call_shapes, call_dtypes = called if called is not None else traced
    if not history:
        return (
            "first_call",
            f"first call: tf.function traces the Python step into a graph for the input signature "
            f"{_sig_text(call_shapes)} of the dataset's elements",
            [],
        )
    prev_shapes, prev_dtypes = history[-1]
    if list(call_dtypes) != list(prev_dtypes):
        return (
            "new_dtype",
            f"a new input dtype: {', '.join(map(str, call_dtypes))} where the traced graph takes "
            f"{', '.join(map(str, prev_dtypes))}; tf.function traces again (a dtype is never relaxed)",
            [],
        )
    if [None if s is None else len(s) for s in call_shapes] != [
        None if s is None else len(s) for s in prev_shapes
    ]:
        return (
            "new_rank",
            f"a new input rank: {_sig_text(call_shapes)} where the traced graph takes "
            f"{_sig_text(prev_shapes)}; tf.function traces again",
            [],
        )
    relaxed = sorted(
        {
            i
            for s, c in zip(shapes, call_shapes)
            if s is not None and c is not None
            for i, (a, b) in enumerate(zip(s, c))
            if a is None and b is not None
        }
    )
    changed = sorted(
        {
            i
            for p, c in zip(prev_shapes, call_shapes)
            if p is not None and c is not None
            for i, (a, b) in enumerate(zip(p, c))
            if a is not None and a != b
        }
    )
    unknown = sorted(
        {
            i
            for p, c in zip(prev_shapes, call_shapes)
            if p is not None and c is not None
            for i, (a, b) in enumerate(zip(p, c))
            if a is not None and b is None
        }
    )
    if unknown and not relaxed:
        return (
            "new_shape",
            f"the data's dimension {_dims_text(unknown)} is None now, {_sig_text(call_shapes)} (the dataset "
            f"ends in a partial batch, or its size is unknown), where the traced graph takes the fixed "
            f"{_sig_text(prev_shapes)}: tf.function traces again for it",
            [],
        )
    if relaxed:
        return (
            "relaxed",
            f"a new input shape {_sig_text(call_shapes)} is not covered by the traced "
            f"{_sig_text(prev_shapes)} (dimension {_dims_text(changed or relaxed)} changed): tf.function "
            f"retraces with reduce_retracing=True, relaxing dimension {_dims_text(relaxed)} to None, so the new "
            f"graph {_sig_text(shapes)} serves every size there",
            relaxed,
        )
    return (
        "new_shape",
        f"a new input shape {_sig_text(call_shapes)} is not covered by the traced {_sig_text(prev_shapes)}: "
        f"tf.function traces again for it",
        [],
    )


#: The public Model methods that call a model function, innermost first when one runs another (fit's validation).
ENTRY_METHODS = (
    "train_on_batch",
    "test_on_batch",
    "predict_on_batch",
    "evaluate",
    "predict",
    "fit",
)


def entry_method(model: Any) -> str | None:
    """The public method of ``model`` that the running code was called from (fit, predict_on_batch...), read
    from the Python stack: done only when a function traces, which is rare."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name in ENTRY_METHODS and frame.f_locals.get("self") is model:
            return code.co_name
        frame = frame.f_back
    return None


class _Call:
    """One call of a known model function in progress."""

    __slots__ = (
        "fn",
        "name",
        "called",
        "traces_before",
        "traces",
        "graph",
        "model",
        "span",
        "graphs",
    )

    def __init__(
        self, fn: Any, name: str, called: Any, before: int, graph: bool, model: Any
    ) -> None:
        self.fn = fn
        self.name = name
        self.called = called  # the call's iterator, then (shapes, dtypes) of its data; or None
        self.traces_before = before
        self.traces = 0  # traces made in this call
        self.graphs: list[
            int
        ] = []  # the graphs being traced (ids): a loop's body reruns the step in one
        self.graph = graph
        self.model = model
        self.span: Any = None


class _State:
    """What one trace's hooks know: the functions ``make_*_function`` made, what each was traced for, the calls
    in progress and the models inside a step's Python body."""

    def __init__(self) -> None:
        self.known: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
        self.history: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()
        self.calls: list[_Call] = []
        self.in_step: list[Any] = []  # (model id, step method) of the step bodies running
        self.hooked_classes: set[type] = set()
        self.eager_grads: list[Any] = []  # the innermost eager step's (variables, gradients)


def install(hooks: Hooks, root: ModuleType) -> None:
    """Hook ``make_*_function``, ``_reset_compile_cache``, the step methods, ``tf.function``'s ``__call__``,
    and eagerly the loss, tape, optimizer and metrics containers."""
    base = root.__name__
    found = find_modules(
        hooks,
        f"{base}.src.engine.training",
        f"{base}.src.engine.compile_utils",
        f"{base}.src.optimizers.optimizer",
        "tensorflow",
        "tensorflow.python.eager.polymorphic_function.polymorphic_function",
        "tensorflow.python.eager.backprop",
        "tensorflow.python.platform.tf_logging",
        "tensorflow.python.framework.func_graph",
        "tensorflow.python.framework.ops",
    )
    if found is None:
        return
    training, compile_utils, optimizer_mod, tf, pf, backprop, tf_logging, func_graph, ops = found
    FuncGraph, get_default_graph = func_graph.FuncGraph, ops.get_default_graph
    Model = training.Model
    Function = pf.Function
    flatten = tf.nest.flatten
    inside_function = tf.inside_function
    state = _State()

    def signature_of(values: Any) -> tuple[list[Any], list[Any]]:
        leaves = [v for v in flatten(values) if hasattr(v, "shape") and hasattr(v, "dtype")]
        return [shape_list(v.shape) for v in leaves], [dtype_text(v.dtype) for v in leaves]

    # --- make_*_function and _reset_compile_cache -------------------------------------------------------------
    def made(model: Any, name: str, cached: Any, result: Any, force: bool) -> None:
        graph = isinstance(result, Function)
        action = "reused" if cached is not None and result is cached and not force else "created"
        rec.emit(
            "train_function",
            name,
            keras=path_of(Model, f"make_{name}"),
            data=dict(
                function_made(name, action, graph, forced=bool(force) and cached is not None),
                model=model.name,
            ),
        )
        if graph and result not in state.known:
            spe = getattr(model, "_steps_per_execution", None)
            steps = int(spe.numpy().item()) if hasattr(spe, "numpy") else int(spe or 1)
            state.known[result] = {"name": name, "steps": steps, "model": weakref.ref(model)}
        hook_step_class(type(model), FUNCTIONS[name])

    def make_maker(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        label = path_of(Model, f"make_{name}")

        def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
            def make_function(self: Any, *args: Any, **kwargs: Any) -> Any:
                if rec.active() is None:
                    return original(self, *args, **kwargs)
                cached = hooks.guard(label, getattr, self, name, None)
                result = original(self, *args, **kwargs)
                force = kwargs.get("force", args[0] if args else False)
                hooks.guard(label, made, self, name, cached, result, force)
                return result

            return make_function

        return wrap

    for name in FUNCTIONS:
        hooks.patch(Model, f"make_{name}", make_maker(name))

    def reset(model: Any, before: dict[str, Any]) -> None:
        for name, fn in before.items():
            if fn is not None:
                rec.emit(
                    "train_function",
                    name,
                    keras=path_of(Model, "_reset_compile_cache"),
                    data={
                        "action": "reset",
                        "function": name,
                        "reason": "compile() was called: Keras clears train_function, test_function and "
                        "predict_function so the next fit/evaluate/predict makes them anew",
                    },
                )

    def wrap_reset(original: Callable[..., Any]) -> Callable[..., Any]:
        label = path_of(Model, "_reset_compile_cache")

        def _reset_compile_cache(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.active() is None:
                return original(self, *args, **kwargs)
            before = (
                hooks.guard(label, lambda: {n: getattr(self, n, None) for n in FUNCTIONS}) or {}
            )
            result = original(self, *args, **kwargs)
            hooks.guard(label, reset, self, before)
            return result

        return _reset_compile_cache

    hooks.patch(Model, "_reset_compile_cache", wrap_reset)

    # --- tf.function's __call__ for the known functions ------------------------------------------------------
    fn_label = path_of(Function, "__call__")
    full_norms: dict[int, Any] = {}

    def begin_call(fn: Any, info: dict[str, Any], args: tuple) -> _Call:
        name = info["name"]
        # the iterator: its element spec is the call's signature, read only if the call traces
        called = args[0] if args and hasattr(args[0], "element_spec") else None
        graph = not getattr(fn, "_run_functions_eagerly", False)
        model = info["model"]()
        call = _Call(fn, name, called, fn.experimental_get_tracing_count(), graph, model)
        steps = info["steps"]
        if steps > 1 and model is not None:  # the DataHandler shortens the epoch's last execution
            steps = int(model._steps_per_execution.numpy().item())
        call.span = open_span(
            hooks,
            fn_label,
            "function_call",
            name,
            path_of(Model, f"make_{name}"),
            data={"function": name, "mode": "graph" if graph else "eager", "steps": steps},
        )
        state.calls.append(call)
        return call

    def snapshot(call: _Call) -> None:
        """At "full" detail, the trainable variables' values before a train_function call (once they exist)."""
        r, model = rec.active(), call.model
        if call.name == "train_function" and model is not None and r is not None:
            if r.detail == "full" and model.built:
                full_norms[id(call)] = [(v, np.array(v.numpy())) for v in model.trainable_variables]

    def end_call(call: _Call) -> None:
        if state.calls and state.calls[-1] is call:
            state.calls.pop()
        traced = call.fn.experimental_get_tracing_count() > call.traces_before
        if call.span is not None:
            call.span.set(traced=traced)
        before = full_norms.pop(id(call), None)
        if before:
            norms = {v.name: float(np.linalg.norm(v.numpy() - old)) for v, old in before}
            if call.span is not None:
                call.span.set(update_norms=norms)
            step = rec.innermost_step()
            if step is not None:
                step.set(update_norms=norms)

    def wrap_call(original: Callable[..., Any]) -> Callable[..., Any]:
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
            info = state.known.get(self) if state.known else None
            if info is None or rec.active() is None:
                return original(self, *args, **kwargs)
            call = hooks.guard(fn_label, begin_call, self, info, args)
            if call is not None:
                hooks.guard(fn_label, snapshot, call)
            try:
                result = original(self, *args, **kwargs)
            except BaseException as exc:
                if call is not None:
                    hooks.guard(fn_label, end_call, call)
                    close_span(hooks, fn_label, call.span, exc)
                raise
            if call is not None:
                hooks.guard(fn_label, end_call, call)
                close_span(hooks, fn_label, call.span)
            return result

        return __call__

    hooks.patch(Function, "__call__", wrap_call)

    # --- the step methods ---------------------------------------------------------------------------------------
    def outermost_graph() -> Any:
        """The function graph being traced: a ``tf.range`` loop (``steps_per_execution`` > 1) traces its body
        in a graph of its own, inside the function's."""
        g = get_default_graph()
        while isinstance(getattr(g, "outer_graph", None), FuncGraph):
            g = g.outer_graph
        return g

    def traced_now(call: _Call, data: Any) -> None:
        """The step's Python body runs while ``call`` traces: record the trace (once per graph traced)."""
        graph = id(outermost_graph())
        if graph in call.graphs:
            return
        call.graphs.append(graph)
        call.traces += 1
        history = state.history.setdefault(call.fn, [])
        traced = signature_of(data)
        count = call.traces_before + call.traces
        created = getattr(call.fn, "_created_variables", None)
        if call.traces > 1 and created and history:
            names = []
            for ref in created:
                v = ref() if callable(ref) else ref
                if v is not None:
                    names.append(getattr(v, "name", "?"))
            payload = {
                "action": "traced",
                "function": call.name,
                "mode": "graph",
                "reason": f"the first call made {len(names)} variable(s) (the layers' weights, the "
                "optimizer's slots and iteration count, the metrics' totals): tf.function lifts them out of "
                "the graph and traces the function again, now that they exist (once, on the first call only)",
                "signature": traced[0],
                "dtypes": traced[1],
                "traces": count,
                "variables": len(names),
                "cause": "variables",
            }
        else:
            if hasattr(call.called, "element_spec"):
                call.called = signature_of(call.called.element_spec)
            cause, reason, relaxed = trace_reason(call.name, history, call.called, traced)
            payload = {
                "action": "traced",
                "function": call.name,
                "mode": "graph",
                "reason": reason,
                "signature": traced[0],
                "dtypes": traced[1],
                "traces": count,
                "cause": cause,
            }
            if call.called is not None:
                payload["called_with"] = call.called[0]
            if relaxed:
                payload["relaxed"] = relaxed
        if call.model is not None:
            payload["model"] = call.model.name
            entry = entry_method(call.model)
            if entry is not None:
                payload["entry"] = entry
        history.append(traced)
        rec.emit(
            "train_function",
            call.name,
            keras=fn_label,
            data=payload,
        )

    def begin_step(model: Any, method: str, owner: type, data: Any) -> list[Any]:
        spans: list[Any] = []
        name = STEP_FUNCTION[method]
        inside = inside_function()
        call = state.calls[-1] if state.calls else None
        if call is not None and call.name == name and inside and call.graph:
            traced_now(call, data)
        elif call is None and not inside:  # run_eagerly=True: the function is the step itself
            spans.append(
                open_span(
                    hooks,
                    label_of(owner, method),
                    "function_call",
                    name,
                    path_of(Model, f"make_{name}"),
                    data={"function": name, "mode": "eager", "steps": 1, "traced": False},
                )
            )
        payload: dict[str, Any] = {"size": batch_size_of(data, flatten)}
        if method == "train_step":
            payload["user_override"] = owner is not Model
        spans.append(
            open_span(
                hooks,
                label_of(owner, method),
                method,
                f"{type(model).__name__}.{method}",
                path_of(owner, method),
                data=payload,
            )
        )
        return spans

    def label_of(owner: type, method: str) -> str:
        return path_of(owner, method)

    def step_hook(method: str, owner: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        label = path_of(owner, method)

        def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
            def step(self: Any, *args: Any, **kwargs: Any) -> Any:
                if rec.active() is None:
                    return original(self, *args, **kwargs)
                key = (id(self), method)
                if key in state.in_step:  # a user's override calling super(): one span
                    return original(self, *args, **kwargs)
                data = args[0] if args else kwargs.get("data")
                spans = hooks.guard(label, begin_step, self, method, owner, data) or []
                state.in_step.append(key)
                try:
                    return call_through(hooks, label, spans, original, self, *args, **kwargs)
                finally:
                    state.in_step.remove(key)

            return step

        return wrap

    def hook_step_class(cls: type, method: str) -> None:
        owner = next((c for c in cls.__mro__ if method in vars(c)), None)
        if owner is None or owner is Model or (owner, method) in state.hooked_classes:
            return
        state.hooked_classes.add((owner, method))  # type: ignore[arg-type]
        hooks.patch(owner, method, step_hook(method, owner))

    for method in STEP_FUNCTION:
        hooks.patch(Model, method, step_hook(method, Model))

    # --- eagerly: the loss, the tape, the optimizer's update, the metrics -------------------------------------
    def eager_step() -> bool:
        """True inside a step's Python body that runs eagerly (the values are concrete)."""
        return bool(state.in_step) and not inside_function()

    def value_of(t: Any) -> Any:
        a = np.asarray(t.numpy() if hasattr(t, "numpy") else t)
        return (
            float(a)
            if a.ndim == 0
            else a.tolist()
            if a.size <= 16
            else {
                "shape": list(a.shape),
                "sum": float(a.sum()),
            }
        )

    losses_label = path_of(compile_utils.LossesContainer, "__call__")

    def loss_event(container: Any, total: Any, regularization: Any) -> None:
        names = [
            getattr(obj, "name", None) or str(obj)
            for obj in flatten(getattr(container, "_losses", None) or [])
            if obj is not None
        ]
        name = " + ".join(names) or "loss"

        def payload() -> dict[str, Any]:
            reg = float(sum(float(np.asarray(r)) for r in (regularization or [])))
            tracker = getattr(container, "_total_loss_mean", None)
            return {
                "name": name,
                "value": float(np.asarray(total)),
                "reduction": "sum_over_batch_size",
                "regularization": reg,
                "running_mean": float(np.asarray(tracker.result()))
                if tracker is not None
                else None,
            }

        rec.emit("loss", name, keras=losses_label, data=payload)

    def wrap_losses(original: Callable[..., Any]) -> Callable[..., Any]:
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.stepwise() is None or not eager_step():
                return original(self, *args, **kwargs)
            total = original(self, *args, **kwargs)
            regularization = kwargs.get("regularization_losses", args[3] if len(args) > 3 else None)
            if total is not None:
                hooks.guard(losses_label, loss_event, self, total, regularization)
            return total

        return __call__

    hooks.patch(compile_utils.LossesContainer, "__call__", wrap_losses)

    metrics_label = path_of(compile_utils.MetricsContainer, "update_state")

    def metric_events(container: Any) -> None:
        metrics = [m for m in (container.metrics or []) if m is not None]

        def make(i: int) -> tuple[str, str | None, Any]:
            m = metrics[i]
            fn = getattr(m, "_fn", None)
            return (
                m.name,
                None,
                {
                    "name": m.name,
                    "fn": getattr(fn, "__name__", type(m).__name__),
                    "class": type(m).__name__,
                    "value": value_of(m.result()),
                    "variables": {
                        v.name.split(":")[0].split("/")[-1]: value_of(v) for v in m.variables
                    },
                },
            )

        rec.emit_each("metric_update", metrics_label, len(metrics), make)

    def wrap_metrics(original: Callable[..., Any]) -> Callable[..., Any]:
        def update_state(self: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.stepwise() is None or not eager_step():
                return original(self, *args, **kwargs)
            result = original(self, *args, **kwargs)
            hooks.guard(metrics_label, metric_events, self)
            return result

        return update_state

    hooks.patch(compile_utils.MetricsContainer, "update_state", wrap_metrics)

    tape_label = path_of(backprop.GradientTape, "gradient")

    def norm_of(g: Any) -> float | None:
        if g is None:
            return None
        values = getattr(g, "values", g)  # IndexedSlices: the rows looked up
        return float(np.linalg.norm(np.asarray(values.numpy(), dtype=np.float64)))

    def gradients_done(sources: Any, grads: Any) -> None:
        pairs = [
            (s, g)
            for s, g in zip(flatten(sources), flatten(grads) if grads is not None else [])
            if hasattr(s, "name")
        ]
        norms = {s.name: norm_of(g) for s, g in pairs}
        known = [n for n in norms.values() if n is not None]
        step = rec.innermost_step()
        if step is not None and known:
            step.set(grad_norms=norms, grad_norm=float(np.sqrt(sum(n * n for n in known))))

        def make(i: int) -> tuple[str, str | None, Any]:
            s, g = pairs[i]
            name = s.name
            return (
                name,
                name.split("/")[0] if "/" in name else None,
                {"variable": name, "shape": shape_list(s.shape), "norm": norms[name]},
            )

        rec.emit_each("gradient", tape_label, len(pairs), make)

    def wrap_gradient(original: Callable[..., Any]) -> Callable[..., Any]:
        def gradient(self: Any, target: Any, sources: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.stepwise() is None or not eager_step():
                return original(self, target, sources, *args, **kwargs)
            count = hooks.guard(tape_label, lambda: len(flatten(sources)))
            span = open_span(
                hooks,
                tape_label,
                "tape",
                "GradientTape.gradient",
                tape_label,
                data={"sources": count},
            )
            try:
                grads = original(self, target, sources, *args, **kwargs)
            except BaseException as exc:
                close_span(hooks, tape_label, span, exc)
                raise
            hooks.guard(tape_label, gradients_done, sources, grads)
            close_span(hooks, tape_label, span)
            return grads

        return gradient

    hooks.patch(backprop.GradientTape, "gradient", wrap_gradient)

    Optimizer = optimizer_mod.Optimizer
    apply_label = path_of(Optimizer, "apply_gradients")

    def keeps_updates() -> bool:
        r = rec.active()
        if r is None:
            return False
        return r.detail == "full" or rec.innermost_step() is None or r.step_kept_whole()

    def before_apply(opt: Any, pairs: list[Any]) -> Any:
        olds = [np.array(v.numpy()) for _, v in pairs]
        return olds, int(opt.iterations.numpy()), len(opt.variables)

    def hyperparameters(opt: Any) -> dict[str, Any]:
        """The optimizer's own settings (its config without those every optimizer has), as fittrace's engine
        gives them: the learning rate, betas, epsilon..."""
        config = opt.get_config()
        out: dict[str, Any] = {}
        for key, value in config.items():
            if key in BASE_OPTIMIZER_CONFIG:
                continue
            if isinstance(value, (bool, int, float, np.floating, np.integer)):
                out[key] = value.item() if isinstance(value, np.generic) else value
        return out

    def after_apply(opt: Any, pairs: list[Any], olds: Any, iteration: int, known: int) -> None:
        variables = [v for _, v in pairs]
        norms = {
            v.name: float(np.linalg.norm(np.asarray(v.numpy(), dtype=np.float64) - old))
            for v, old in zip(variables, olds)
        }
        step = rec.innermost_step()
        if step is not None:
            step.set(update_norms=norms)
        made = [v.name for v in opt.variables[known:]]  # slots built by this call (the first)
        hyper = hyperparameters(opt)

        def make(i: int) -> tuple[str, str | None, Any]:
            name = variables[i].name
            return (
                name,
                name.split("/")[0] if "/" in name else None,
                {
                    "variable": name,
                    "update_norm": norms[name],
                    "hyperparameters": hyper,
                    "slots_created": [s for s in made if s.endswith("/" + name)],
                    "iteration": iteration,
                },
            )

        rec.emit_each("optimizer_update", apply_label, len(variables), make)

    def wrap_apply(original: Callable[..., Any]) -> Callable[..., Any]:
        def apply_gradients(self: Any, grads_and_vars: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.stepwise() is None or not eager_step() or not keeps_updates():
                return original(self, grads_and_vars, *args, **kwargs)
            # Keras makes a list of them first thing; here it is made one step earlier, to read the variables
            pairs = list(grads_and_vars)
            seen = hooks.guard(apply_label, before_apply, self, pairs)
            if seen is None:
                return original(self, pairs, *args, **kwargs)
            olds, iteration, known = seen
            result = original(self, pairs, *args, **kwargs)
            hooks.guard(apply_label, after_apply, self, pairs, olds, iteration, known)
            return result

        return apply_gradients

    hooks.patch(Optimizer, "apply_gradients", wrap_apply)

    # --- TensorFlow's own warning ------------------------------------------------------------------------------
    warn_label = path_of(tf_logging, "warning")
    detector = (
        "tensorflow.python.eager.polymorphic_function.polymorphic_function._FrequentTracingDetector"
    )

    def warned(msg: Any, args: tuple) -> None:
        text = str(msg)
        if RETRACING_WARNING not in text:
            return
        if args:
            try:
                text = text % args
            except (TypeError, ValueError):
                pass
        rec.emit(
            "warning",
            "tf.function retracing",
            keras=f"{detector}.called_with_tracing",
            data={"message": text},
        )

    def wrap_warning(original: Callable[..., Any]) -> Callable[..., Any]:
        def warning(msg: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.active() is not None:
                hooks.guard(warn_label, warned, msg, args)
            return original(msg, *args, **kwargs)

        return warning

    hooks.patch(tf_logging, "warning", wrap_warning)
