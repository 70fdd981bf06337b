"""The optimizer base class: what every optimizer does around its own update rule.

Mirrors ``keras.optimizers.Optimizer`` (tf_keras/src/optimizers/optimizer.py, Keras 2's "new" optimizer family):
``minimize`` -> ``compute_gradients`` (the tape) -> ``apply_gradients``, which creates the slot variables on its
first call (``build``), drops missing gradients and clips (both in ``utils.py``, as tf-keras has them), applies
weight decay, runs each subclass's ``update_step`` per variable and counts ``iterations``. The learning rate is a
float32 variable (``optimizer.learning_rate``, alias ``lr``) that callbacks read and set; it may be a schedule
(``schedules/``) or any function of the step (an extension: Keras 2 refuses one); a function of no arguments gives
the initial rate, as in Keras. ``get_config`` / ``from_config`` are Keras's (``jit_compile`` is False, as
without a GPU). Left out: EMA (refused), sparse (IndexedSlices) updates, loss scaling, Ftrl, Lion, Adafactor.

    >>> from fittrace.autodiff import Variable
    >>> from fittrace.optimizers.sgd import SGD
    >>> w = Variable(np.array([1.0], dtype="float32"), name="w")
    >>> opt = SGD(learning_rate=0.1)
    >>> opt.apply_gradients([(np.array([2.0], dtype="float32"), w)])
    >>> opt.iterations, round(float(w.numpy()[0]), 6)
    (1, 0.8)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from fittrace.autodiff import Variable, to_numpy
from fittrace.callbacks.callback import warn
from fittrace.optimizers import utils as optimizer_utils
from fittrace.optimizers.schedules.learning_rate_schedule import (
    LearningRateSchedule,
)
from fittrace.optimizers.schedules.learning_rate_schedule import (
    deserialize as schedules_deserialize,
)
from fittrace.optimizers.schedules.learning_rate_schedule import (
    serialize as schedules_serialize,
)
from fittrace.saving.keras_export import keras_export
from fittrace.tracing import recorder as rec
from fittrace.tracing.snapshots import capturing

_KERAS = "keras.optimizers.optimizer.Optimizer"


def _takes_no_arguments(fn: Any) -> bool:
    """Is ``fn`` a function of no arguments (Keras takes one as the rate's initial value, not as a schedule)?"""
    if not callable(fn) or isinstance(fn, type):
        return False
    try:
        inspect.signature(fn).bind()
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): treat as a schedule
        return False
    return True


class _Once:
    """A zero-argument callable that computes its value on the first call and returns it ever after: one
    payload value shared by several events of a step, computed at most once and only if one of them is kept."""

    __slots__ = ("_fn", "_value")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._value: Any = _UNSET

    def __call__(self) -> Any:
        if self._value is _UNSET:
            self._value = self._fn()
        return self._value


_UNSET = object()


@keras_export("keras.optimizers.Optimizer", "keras.optimizers.experimental.Optimizer")
class Optimizer:
    """Base class. Subclasses define ``_slot_names`` and ``update_step(gradient, variable, slots, buf, lr)``."""

    _slot_names: tuple[str, ...] = ()

    def __init__(
        self,
        name: str,
        learning_rate: float | Callable[[int], float] = 0.001,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        jit_compile: bool = True,
        **kwargs: Any,
    ) -> None:
        if use_ema:
            raise NotImplementedError(
                "fittrace's optimizers keep no moving average of the weights: pass use_ema=False."
            )
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.jit_compile = False  # as Keras without a GPU: there is no XLA here
        self._process_kwargs(kwargs)
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(
                "At most one of `clipnorm` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, global_clipnorm={global_clipnorm}."
            )
        self.name = name
        # a float becomes a float32 variable, as in Keras (callbacks read and set it); a schedule stays a callable
        if _takes_no_arguments(learning_rate):
            learning_rate = (
                learning_rate()
            )  # as tf.Variable(fn) does: the function gives the initial value
        self._learning_rate: Variable | Callable[[int], float] = (
            learning_rate
            if callable(learning_rate)
            else Variable(
                np.array(learning_rate, dtype=np.float32), name="learning_rate", trainable=False
            )
        )
        self.iterations = 0
        self._scheduled_rate = self._schedule_now()  # a schedule's rate for the coming step
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self._built = False
        self._warned_empty: set[tuple[str, ...]] = set()
        self._slots: dict[int, dict[str, Variable]] = {}
        self._buffers: dict[
            int, np.ndarray
        ] = {}  # one scratch array per variable: updates happen in place
        self._variables: list[Variable] = []
        self._last_updates: list[
            Variable
        ] = []  # the variables the last update changed (kept while tracing)
        self._update_norms: dict[str, float] = {}  # norms of the last updates already computed

    def _process_kwargs(self, kwargs: dict[str, Any]) -> None:
        """Keras's leftover keyword arguments: ``is_legacy_optimizer`` (from a config) goes, ``lr`` is ignored
        with Keras's warning, the legacy optimizers' arguments and anything else are errors."""
        kwargs.pop("is_legacy_optimizer", None)
        if kwargs.pop("lr", None):
            warn(
                "`lr` is deprecated in TF-Keras optimizer, please use `learning_rate` or use the legacy "
                f"optimizer, e.g.,tf.keras.optimizers.legacy.{type(self).__name__}.",
                "optimizer_lr",
                _KERAS,
            )
        for k in kwargs:
            if k in ("decay", "gradient_aggregator", "gradient_transformers"):
                raise ValueError(
                    f"{k} is deprecated in the new TF-Keras optimizer, please check the docstring for "
                    "valid arguments, or use the legacy optimizer, e.g., "
                    f"tf.keras.optimizers.legacy.{type(self).__name__}."
                )
            raise TypeError(
                f"{k} is not a valid argument, kwargs should be empty  for "
                "`optimizer_experimental.Optimizer`."
            )

    @property
    def last_update_norms(self) -> dict[str, float]:
        """L2 norm of each variable's last change (kept only while tracing; computed when asked)."""
        return {var.name: self._update_norm(var) for var in self._last_updates}

    def _update_norm(self, var: Variable) -> float:
        """The norm of this step's update of ``var`` (its scratch buffer holds the change until the next update),
        computed once however often it is asked for."""
        norm = self._update_norms.get(var.name)
        if norm is None:
            norm = self._update_norms[var.name] = optimizer_utils.norm(self._buffers[id(var)])
        return norm

    # --- state -----------------------------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> Any:
        """The learning-rate variable (float32, as Keras's); with a schedule, the rate it gave the latest update
        (before any update: the rate for step 0), as Keras's ``_current_learning_rate``."""
        lr = self._learning_rate
        return self._scheduled_rate if callable(lr) else lr

    def _schedule_now(self) -> np.float32 | None:
        lr = self._learning_rate
        return np.float32(lr(self.iterations)) if callable(lr) else None

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if callable(value):
            self._learning_rate = value
            self._scheduled_rate = self._schedule_now()
        elif callable(self._learning_rate):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float `learning_rate` "
                "argument."
            )
        else:
            self._learning_rate.assign(to_numpy(value))

    lr = property(
        lambda self: self.learning_rate,
        lambda self, value: setattr(self, "learning_rate", value),
        doc="Alias of ``learning_rate`` (Keras keeps it for older code).",
    )

    def _current_learning_rate(self) -> float:
        """The rate of the latest (or, inside ``apply_gradients``, the current) update, as a float."""
        lr = self._learning_rate
        return float(self._scheduled_rate) if callable(lr) else float(lr.value)

    def hyperparameters(self, learning_rate: float | None = None) -> dict[str, Any]:
        """The optimizer's hyperparameters; ``learning_rate`` as given, or the current one, written as the
        shortest decimal of its float32 value (0.001, not 0.0010000000474974513)."""
        lr = self._current_learning_rate() if learning_rate is None else learning_rate
        out = {"learning_rate": float(str(np.float32(lr)))}
        out.update(
            {k: getattr(self, k) for k in self._hyper_names() if getattr(self, k, None) is not None}
        )
        return out

    def _hyper_names(self) -> tuple[str, ...]:
        return ()

    def _slot_names_for(self) -> tuple[str, ...]:
        return self._slot_names

    def _slot_initial_value(self, slot: str) -> float:
        return 0.0

    def _prepare_step(self) -> None:
        """Per-iteration state shared by every variable's update (Nadam's momentum product); called once per
        ``apply_gradients``, before the updates."""

    def build(self, var_list: Sequence[Variable]) -> list[str]:
        """Create the slot variables, zeros shaped like each variable; returns their names."""
        made = []
        for var in var_list:
            slots = {}
            for slot in self._slot_names_for():
                slot_var = Variable(
                    np.full_like(var.value, self._slot_initial_value(slot)),
                    name=f"{self.name}/{slot}/{var.name}",
                    trainable=False,
                )
                slots[slot] = slot_var
                made.append(slot_var.name)
            self._slots[id(var)] = slots
            self._buffers[id(var)] = np.empty_like(var.value)
        self._variables = list(var_list)
        self._built = True
        return made

    def variables(self) -> list[Variable]:
        return [s for var in self._variables for s in self._slots.get(id(var), {}).values()]

    def get_slot(self, var: Variable, slot: str) -> Variable:
        return self._slots[id(var)][slot]

    # --- the update ------------------------------------------------------------------------------------------------
    def compute_gradients(
        self, loss: Any, var_list: Sequence[Variable], tape: Any
    ) -> list[tuple[Any, Variable]]:
        grads = tape.gradient(loss, list(var_list))
        return list(zip(grads, var_list))

    def minimize(self, loss: Any, var_list: Sequence[Variable], tape: Any) -> None:
        """Gradients of ``loss`` from ``tape``, then ``apply_gradients``."""
        self.apply_gradients(self.compute_gradients(loss, var_list, tape))

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> None:
        """Build slots on first use, clip, decay, update each variable in place, count the iteration."""
        pairs = [
            (None if g is None else np.asarray(getattr(g, "value", g), dtype=np.float32), v)
            for g, v in grads_and_vars
        ]
        self._scheduled_rate = self._schedule_now()
        lr = self._current_learning_rate()
        created: list[str] = []
        if not self._built:
            created = self.build([v for _, v in pairs])
            rec.emit(
                "optimizer_slots",
                f"{type(self).__name__}.build",
                keras=f"{_KERAS}.build",
                data={"optimizer": type(self).__name__, "slots": created},
            )
        elif any(id(v) not in self._slots for _, v in pairs):
            new = next(v.name for _, v in pairs if id(v) not in self._slots)
            raise rec.with_facts(
                KeyError(
                    f"The optimizer cannot recognize variable {new}. This usually means you are trying to call the "
                    "optimizer to update different parts of the model separately. Please call "
                    "`optimizer.build(variables)` with the full list of trainable variables before the training "
                    f"loop or use legacy optimizer `tf.keras.optimizers.legacy.{self.name}`."
                ),
                check="unknown_variable",
                variable=new,
                layer=new.split("/")[0],
            )
        pairs = optimizer_utils.filter_empty_gradients(pairs, self._warned_empty)
        pairs = optimizer_utils.clip_gradients(
            pairs, self.clipnorm, self.global_clipnorm, self.clipvalue
        )
        tracing = rec.stepwise() is not None
        capture = capturing()  # a chosen step of a fit keeps a kernel, its gradient and update
        if capture is not None:
            capture.before_update(pairs)
        self._update_norms = {}
        self._prepare_step()
        for g, var in pairs:
            if self.weight_decay:
                var.value -= var.value * np.float32(self.weight_decay * lr)
            slots = {k: v.value for k, v in self._slots[id(var)].items()}
            self.update_step(g, var.value, slots, self._buffers[id(var)], lr)
        if capture is not None:
            capture.after_update()
        # payloads are made only if the events are kept, with this step's rate and iteration (the buffers hold this
        # step's updates until the next one)
        self._last_updates = updated = [var for _, var in pairs] if tracing else []
        if tracing:
            hyper = _Once(lambda: self.hyperparameters(lr))
            rec.emit_each(
                "optimizer_update",
                f"{_KERAS}.apply_gradients",
                len(updated),
                lambda i, it=self.iterations: self._update_event(updated[i], created, hyper, it),
            )
        self.iterations += 1

    def _update_event(
        self, var: Variable, created: list[str], hyper: Any, iteration: int
    ) -> tuple[str, str | None, dict[str, Any]]:
        """An "optimizer_update" event's name, layer and payload (made only if the event is kept)."""
        name = var.name
        return (
            name,
            name.split("/")[0] if "/" in name else None,
            {
                "variable": name,
                "update_norm": self._update_norm(var),
                "hyperparameters": hyper(),
                "slots_created": [s for s in created if s.endswith("/" + name)],
                "iteration": iteration,
            },
        )

    def update_step(
        self,
        gradient: np.ndarray,
        variable: np.ndarray,
        slots: dict[str, np.ndarray],
        buf: np.ndarray,
        lr: float,
    ) -> None:
        """Change ``variable`` (an array) in place; leave the change applied in ``buf``. Element-wise only."""
        raise NotImplementedError

    def _serialize_hyperparameter(self, hyperparameter: Any) -> Any:
        """A schedule as its config, a variable as its value (a numpy float32, as Keras gives)."""
        if isinstance(hyperparameter, LearningRateSchedule):
            return schedules_serialize(hyperparameter)
        if isinstance(hyperparameter, Variable):
            return hyperparameter.value[()]
        return hyperparameter  # fittrace's function of the step: the function itself

    def get_config(self) -> dict[str, Any]:
        """Keras's optimizer config: the base arguments, then ``learning_rate`` and the subclass's own."""
        return {
            "name": self.name,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "jit_compile": self.jit_compile,
            "is_legacy_optimizer": False,
            "learning_rate": self._serialize_hyperparameter(self._learning_rate),
            **{k: getattr(self, k) for k in self._hyper_names()},
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Optimizer:
        """The optimizer a config describes (a ``learning_rate`` config becomes its schedule)."""
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)
