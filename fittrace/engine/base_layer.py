"""The Layer: lazy build, weights, and the checked call.

Mirrors ``keras.engine.base_layer`` (tf_keras/src/engine/base_layer.py): ``Layer.__call__`` checks the input
against ``input_spec``, builds the layer on its first call (``_maybe_build`` -> ``build(input_shape)`` ->
``add_weight``), then runs ``call``. Names come from a per-class counter (``dense``, ``dense_1``...).
``get_config`` / ``from_config`` and ``get_build_config`` / ``build_from_config`` are Keras's: a layer whose
class does not write ``get_config`` gets its constructor's plain arguments (``__new__`` keeps them).

Called on symbolic ``KerasTensor``s (``keras.Input``'s), ``__call__`` takes the functional path instead
(``_functional_construction_call``): the layer is built right then for the symbolic shape, a ``Node`` records the
call, and the outputs are KerasTensors of the inferred shape (``compute_output_shape`` where the layer has one;
otherwise the layer's ``call`` runs once on zeros of the shape, as Keras runs it once on placeholders).

Masks are Keras's (see the "Masks" section of ``Layer``): ``_keras_mask`` on tensors, ``supports_masking``,
``compute_mask`` and ``call(..., mask=...)``, on real tensors and, symbolically, on KerasTensors.

Left out: mixed precision and autocasting, activity regularizers and initial ``weights=`` (refused), name
scopes, and TF's tracking of checkpoints.

    >>> from fittrace.layers.core import Dense
    >>> layer = Dense(3)
    >>> layer.built, layer.weights
    (False, [])
    >>> _ = layer(np.ones((2, 4), dtype="float32"))
    >>> layer.built, [w.shape for w in layer.weights]
    (True, [(4, 3), (3,)])
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from fittrace import initializers as initializers_mod
from fittrace import regularizers as regularizers_mod
from fittrace.autodiff import Tensor, Variable, convert_to_tensor
from fittrace.engine import trace_payloads
from fittrace.engine.functions import symbolic_shape
from fittrace.engine.input_spec import InputSpec, assert_input_compatibility
from fittrace.engine.keras_tensor import KerasTensor, dtype_name
from fittrace.engine.node import Node
from fittrace.saving import serialization_lib
from fittrace.saving.keras_export import keras_export
from fittrace.tracing import recorder as rec
from fittrace.tracing.events import KERAS_BASE_LAYER
from fittrace.tracing.snapshots import capturing
from fittrace.utils.generic_utils import to_snake_case
from fittrace.utils.nest import flatten, map_structure, pack_sequence_as

_NAME_COUNTS: dict[str, int] = {}
# the training flag of the enclosing layer calls (Keras's call context; None: no one said, so each layer's own
# call default decides, as Keras's)
_training_stack: list[bool | None] = []


def unique_name(base: str, zero_based: bool = True) -> str:
    """``dense``, then ``dense_1``, ``dense_2``...; with ``zero_based=False`` ``input_1``, ``input_2``... as Keras
    names inputs (reset by ``fittrace.keras.backend.clear_session``)."""
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    if not zero_based:
        return f"{base}_{n + 1}"
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Forget the layer-name counters, as ``keras.backend.clear_session`` does."""
    _NAME_COUNTS.clear()


def shape_of(x: Any) -> tuple:
    return tuple(x.shape)


def dedup_weights(weights: list[Variable]) -> list[Variable]:
    """The list without repeats (by identity), first occurrence kept: a weight shared by two layers counts once."""
    out: list[Variable] = []
    for w in weights:
        if all(w is not o for o in out):
            out.append(w)
    return out


#: The size a probe gives an unknown non-batch dimension (see ``Layer._probe_output_shape``).
_PROBE = 13
# What Layer.__init__ accepts besides its own arguments (Keras's allowed_kwargs); autocast and implementation change
# nothing here (no mixed precision, one implementation of each layer).
_ALLOWED_KWARGS = frozenset(
    {
        "input_dim",
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "weights",
        "activity_regularizer",
        "autocast",
        "implementation",
    }
)
# The argument values an automatic get_config may hold.
_PLAIN_ARGUMENTS = (str, int, float, bool, type(None))
_ARG_NAMES: dict[type, list[str]] = {}


def _init_arg_names(cls: type) -> list[str]:
    """The positional argument names of ``cls.__init__`` (self first), read once per class."""
    names = _ARG_NAMES.get(cls)
    if names is None:
        names = _ARG_NAMES[cls] = inspect.getfullargspec(cls.__init__).args
    return names


def _shape_tuples(shape: Any) -> Any:
    """A shape read back from a config (lists) as tuples; a list of shapes stays a list of tuples."""
    if isinstance(shape, (list, tuple)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shape
    ):
        return tuple(shape)
    if isinstance(shape, (list, tuple)):
        return [_shape_tuples(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _shape_tuples(v) for k, v in shape.items()}
    return shape


def refuse_constraints(**constraints: Any) -> None:
    """Layers take Keras's ``*_constraint`` arguments (configs carry them) but fittrace has no constraints."""
    for name, value in constraints.items():
        if value is not None:
            raise NotImplementedError(
                f"fittrace has no weight constraints: pass {name}=None (got {value!r})."
            )


_NOT_SERIALIZABLE = """
Layer {name} was created by passing
non-serializable argument values in `__init__()`,
and therefore the layer must override `get_config()` in
order to be serializable. Please implement `get_config()`.

Example:

class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({{
            "arg1": self.arg1,
            "arg2": self.arg2,
        }})
        return config"""


#: The Keras 2 function a layer call or a model call mirrors, by event kind.
_CALL_KERAS = {
    "layer_call": f"{KERAS_BASE_LAYER}.Layer.__call__",
    "model_call": "keras.engine.training.Model.__call__",
}


@keras_export("keras.layers.Layer")
class Layer:
    """Base class of every layer (and of models).

    Subclasses implement ``build(input_shape)`` (create weights with :meth:`add_weight`) and ``call(inputs)``;
    optionally ``compute_output_shape``. Pass ``input_shape=(784,)`` to the first layer of a Sequential to give the
    model an explicit input.

    Masks, as tf-keras 2.21 passes them (the contract every layer writes to):

    - A mask is a boolean Tensor of the input's leading axes, e.g. (batch, timesteps) for an input of (batch,
      timesteps, features); ``np.asarray(mask)`` gives its array (one passed by hand may be an array already). It
      rides on a tensor as ``tensor._keras_mask`` (None: no mask), on real Tensors and on KerasTensors alike.
    - A layer that uses the mask takes it in ``call(self, inputs, mask=None, ...)``: ``__call__`` hands it
      ``inputs._keras_mask`` (a list of masks for a list of inputs) unless the caller passed ``mask=`` itself.
      Only the first argument's masks are collected: a layer that needs another argument's mask (attention's
      value) reads ``value._keras_mask`` itself.
    - The output's mask comes from ``compute_mask(inputs, mask)``, asked after ``call`` when the layer
      ``supports_masking``: set ``self.supports_masking = True`` to pass the input's mask on unchanged, or
      override ``compute_mask`` to return the output's mask (None drops it; overriding it turns
      ``supports_masking`` on, as in Keras). It is not asked when every output already carries a mask (``call``
      set it) or, for a layer that keeps the default ``compute_mask``, when no mask came in.
    - A layer that does neither (``supports_masking`` False, no ``mask`` argument) drops the mask silently, as
      Keras's does: its output has no mask. ``mask=`` passed by hand to a layer whose ``call`` takes none is
      Keras's TypeError; a mask passed by hand whose shape does not fit the input is refused, before the build.
    """

    _event_kind = "layer_call"

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        """Keep the constructor's arguments for an automatic ``get_config`` when all are plain values (as
        Keras's ``Layer.__new__``)."""
        instance = super().__new__(cls)
        arg_names = _init_arg_names(cls)
        given = dict(kwargs)
        given.update(zip(arg_names[1 : len(args) + 1], args))
        auto = all(isinstance(v, _PLAIN_ARGUMENTS) for v in flatten(given))
        object.__setattr__(instance, "_auto_get_config", auto)
        if auto:
            object.__setattr__(instance, "_auto_config", serialization_lib.Config(**given))
        return instance

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        dynamic: bool = False,
        **kwargs: Any,
    ) -> None:
        for kwarg in kwargs:
            if kwarg not in _ALLOWED_KWARGS:
                raise TypeError("Keyword argument not understood:", kwarg)
        if not isinstance(trainable, (bool, np.bool_)):
            raise TypeError(f"Expected `trainable` argument to be a boolean, but got: {trainable}")
        if not isinstance(dynamic, bool):
            raise TypeError(f"Expected `dynamic` argument to be a boolean, but got: {dynamic}")
        activity_regularizer = kwargs.get("activity_regularizer")
        if activity_regularizer is not None:
            raise NotImplementedError(
                "fittrace does not apply activity regularizers: pass activity_regularizer=None."
            )
        if kwargs.get("weights") is not None:
            raise NotImplementedError(
                "fittrace does not take initial weights in the constructor: build the layer, then "
                "call set_weights(weights)."
            )
        self._activity_regularizer = None
        self._dynamic = dynamic
        object.__setattr__(self, "_tracked_layers", [])
        object.__setattr__(self, "_inbound_nodes", [])
        object.__setattr__(self, "_outbound_nodes", [])
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        object.__setattr__(
            self, "_trainable", bool(trainable)
        )  # no sublayers yet: nothing to pass it on to
        self.dtype = dtype_name(dtype) if dtype is not None else "float32"
        self.built = False
        self.input_spec: InputSpec | Sequence[InputSpec] | None = None
        # as Keras: a layer that writes its own compute_mask supports masking until it says otherwise
        self._own_compute_mask = type(self).compute_mask is not Layer.compute_mask
        self._trainable_weights: list[Variable] = []
        self._non_trainable_weights: list[Variable] = []
        self._regularized: list[tuple[Callable[[Tensor], Tensor], Variable]] = []
        self._build_input_shape: tuple | None = None
        self._build_count = 0
        self._batch_input_shape: tuple | None = None
        if "input_dim" in kwargs and "input_shape" not in kwargs:
            kwargs["input_shape"] = (kwargs["input_dim"],)
        if kwargs.get("batch_input_shape") is not None:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif kwargs.get("input_shape") is not None:
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        params = inspect.signature(self.call).parameters
        self._call_accepts_training = "training" in params
        # Keras's last resort for ``training``: the default of ``call``'s own argument (True for augmentations)
        self._default_training_arg = (
            params["training"].default
            if "training" in params and params["training"].default is not inspect.Parameter.empty
            else None
        )
        self._expects_mask_arg, self._mask_arg_position = _mask_arg_of(params)
        self.supports_masking = self._own_compute_mask

    # --- tracking sublayers (subclassed layers and models) ---------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        tracked = self.__dict__.get("_tracked_layers")
        if tracked is not None and key != "_tracked_layers":
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if (
                    isinstance(item, Layer)
                    and item is not self
                    and all(item is not t for t in tracked)
                ):
                    tracked.append(item)
        object.__setattr__(self, key, value)

    def _flatten_layers(self) -> list[Layer]:
        return list(self._tracked_layers)

    @property
    def trainable(self) -> bool:
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """As Keras 2: setting it sets it on every sublayer too, however deep (a frozen model freezes its layers,
        and unfreezing the model unfreezes them all)."""
        value = bool(value)
        stack: list[Layer] = [self]
        while stack:
            layer = stack.pop()
            object.__setattr__(layer, "_trainable", value)
            stack.extend(layer._flatten_layers())

    # --- weights ---------------------------------------------------------------------------------------------------
    def add_weight(
        self,
        name: str | None = None,
        shape: Sequence[int] | None = None,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool | None = None,
        constraint: Any = None,
        **kwargs: Any,
    ) -> Variable:
        """Create a weight, as ``Layer.add_weight``: float weights default to glorot_uniform, others to zeros."""
        shape = tuple(int(d) for d in (shape or ()))
        dtype = np.dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers_mod.get(initializer)
        trainable = True if trainable is None else bool(trainable)
        init_name = getattr(init, "name", None) or getattr(init, "__name__", type(init).__name__)
        var = Variable(
            np.asarray(init(shape, dtype=dtype), dtype=dtype),
            name=f"{self.name}/{name}:0",
            trainable=trainable,
            dtype=dtype,
            initializer=init_name,
        )
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        if regularizer is not None:
            self._regularized.append((regularizers_mod.get(regularizer), var))
        rec.emit(
            "weight_created",
            var.name,
            keras=f"{KERAS_BASE_LAYER}.Layer.add_weight",
            layer=self.name,
            data={
                "name": var.name,
                "shape": list(shape),
                "dtype": str(dtype),
                "initializer": init_name,
                "trainable": trainable,
            },
        )
        return var

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        out = list(self._trainable_weights)
        for layer in self._flatten_layers():
            out += layer.trainable_weights
        return dedup_weights(out)

    @property
    def non_trainable_weights(self) -> list[Variable]:
        # as Keras 2: a frozen layer's weights are all non-trainable, in their usual order (trainable ones first)
        if self.trainable:
            own = list(self._non_trainable_weights)
            children = [layer.non_trainable_weights for layer in self._flatten_layers()]
        else:
            own = list(self._trainable_weights) + list(self._non_trainable_weights)
            children = [layer.weights for layer in self._flatten_layers()]
        for extra in children:
            own += extra
        return dedup_weights(own)

    @property
    def weights(self) -> list[Variable]:
        return self.trainable_weights + self.non_trainable_weights

    trainable_variables = property(lambda self: self.trainable_weights)
    non_trainable_variables = property(lambda self: self.non_trainable_weights)
    variables = property(lambda self: self.weights)

    def get_weights(self) -> list[np.ndarray]:
        return [w.value.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of length '
                f"{len(weights)}, but the layer was expecting {len(params)} weights. Provided weights: "
                f"{list(weights)[:3]}..."
            )
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if p.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {p.shape} is not compatible with provided weight "
                    f"shape {w.shape}."
                )
            p.assign(w)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name}, but the layer isn't built. "
                "You can build it manually via: `"
                f"{self.name}.build(batch_input_shape)`."
            )
        return int(sum(np.prod(w.shape) for w in self.weights))

    @property
    def losses(self) -> list[Tensor]:
        """Regularization losses of this layer and its sublayers, computed from the current weights."""
        out = [reg(var) for reg, var in self._regularized]
        for layer in self._flatten_layers():
            out += layer.losses
        return out

    # --- build and call --------------------------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights for ``input_shape``; the base version only marks the layer as built."""
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for an input shape; the base version assumes the layer keeps the shape."""
        return tuple(input_shape)

    def _output_dtype(self) -> str:
        """The dtype of the layer's symbolic outputs (Keras's ``compute_output_signature``): its own dtype, unless
        the layer says otherwise (a text layer takes strings and gives integers)."""
        return self.dtype

    def _maybe_build(self, input_shape: tuple) -> None:
        """Build once, on the first call, with the shape actually received (``Layer._maybe_build``)."""
        if self.built:
            return
        input_shape = (
            symbolic_shape(tuple(input_shape))
            if input_shape and isinstance(input_shape[0], (int, type(None)))
            else tuple(input_shape)
        )
        with rec.span(
            "layer_build",
            f"{type(self).__name__}.build",
            keras=f"{KERAS_BASE_LAYER}.Layer._maybe_build",
            layer=self.name,
            data=trace_payloads.layer_build(self, input_shape),
        ):
            if self._build_count:
                self._trainable_weights, self._non_trainable_weights, self._regularized = [], [], []
            self.build(input_shape)
        self._build_count += 1
        self._build_input_shape = input_shape
        self.built = True

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Check the input, build on first use, then ``call`` (``Layer.__call__``); the input's mask goes to
        ``call(mask=...)`` and the output's mask comes from ``compute_mask`` (see "Masks" below)."""
        if type(inputs) is not Tensor and _is_symbolic(inputs, args, kwargs):
            return self._functional_construction_call(inputs, args, kwargs)
        if not isinstance(inputs, (Tensor, list, tuple, dict)):
            inputs = convert_to_tensor(inputs)
        # as Keras's _set_training_mode: the argument, else the enclosing call's, else call's own default
        training = kwargs.pop("training", None)
        if training is None:
            training = _training_stack[-1] if _training_stack else None
            if training is None:
                training = self._default_training_arg
        input_masks = None
        # the common case (no mask anywhere) costs a few attribute reads
        if self._mask_aware:
            if (
                type(inputs) is not Tensor
                or inputs._keras_mask is not None
                or args
                or "mask" in kwargs
            ):
                input_masks = self._get_input_masks(inputs, args, kwargs)
        elif "mask" in kwargs:
            self._refuse_mask_arg()
        assert_input_compatibility(self.input_spec, inputs, self.name)
        if not self.built:
            self._maybe_build(
                shape_of(inputs)
                if hasattr(inputs, "shape")
                else {k: shape_of(v) for k, v in inputs.items()}
                if isinstance(inputs, dict)
                else [shape_of(i) for i in inputs]
            )
        if self._call_accepts_training:
            kwargs["training"] = training
        if rec.active() is not None:
            return self._traced_call(inputs, args, kwargs, training, input_masks)
        _training_stack.append(training)
        try:
            out = self.call(inputs, *args, **kwargs)
        finally:
            _training_stack.pop()
        if input_masks is not None or self._makes_masks:
            self._set_mask_metadata(inputs, out, input_masks)
        return out

    def _traced_call(
        self, inputs: Any, args: tuple, kwargs: dict, training: bool | None, input_masks: Any
    ) -> Any:
        kind = self._event_kind
        in_training = bool(training)  # the events say True or False; None (no one said) is False
        # the payload is a callable: it is computed only if the event is kept
        with rec.span(
            kind, type(self).__name__ + ".call", keras=_CALL_KERAS[kind], layer=self.name
        ) as s:
            _training_stack.append(training)
            try:
                out = self.call(inputs, *args, **kwargs)
            except BaseException:
                s.set_payload(
                    lambda: trace_payloads.call_payload(
                        self, kind, inputs, in_training, None, input_masks
                    )
                )
                raise
            finally:
                _training_stack.pop()
            if input_masks is not None or self._makes_masks:
                self._set_mask_metadata(inputs, out, input_masks)
            # a chosen step of a fit keeps each layer's output (engine/snapshots.py)
            capture = capturing()
            if capture is not None and kind == "layer_call":
                capture.layer_output(self, out)
            s.data = lambda: trace_payloads.call_payload(
                self, kind, inputs, in_training, out if hasattr(out, "shape") else None, input_masks
            )
        return out

    # --- masks -----------------------------------------------------------------------------------------------------
    @property
    def supports_masking(self) -> bool:
        """Whether ``compute_mask`` gives the output a mask (``Layer.supports_masking``)."""
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        object.__setattr__(self, "_supports_masking", value)
        # what __call__ reads: whether to look for masks at all, and whether to ask compute_mask without one
        expects = self.__dict__.get("_expects_mask_arg", False)
        object.__setattr__(self, "_mask_aware", bool(value) or expects)
        object.__setattr__(
            self, "_makes_masks", bool(value) and self.__dict__.get("_own_compute_mask")
        )

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The output's mask: the input's, unchanged, when the layer supports masking; None otherwise, and
        Keras's TypeError when a layer without masking is handed a mask (``Layer.compute_mask``)."""
        if not self._supports_masking:
            if any(m is not None for m in flatten(mask)):
                raise TypeError(
                    "Layer " + self.name + " does not support masking, "
                    "but was passed an input_mask: " + str(mask)
                )
            return None
        return mask

    def _call_arg_was_passed(self, name: str, args: tuple, kwargs: dict) -> bool:
        """True when the caller gave ``call``'s argument ``name`` (by keyword, or by position after the
        inputs), as Keras's ``_call_arg_was_passed``."""
        if name in kwargs:
            return True
        if name == "mask":
            return self._mask_arg_position is not None and len(args) > self._mask_arg_position
        names = [
            n
            for n, p in inspect.signature(self.call).parameters.items()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        return name in names[1:] and len(args) > names.index(name) - 1

    def _refuse_mask_arg(self) -> None:
        raise TypeError(f"{self.call.__qualname__}() got an unexpected keyword argument 'mask'")

    def _get_input_masks(self, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """The masks for this call (``Layer._get_input_masks``): the caller's ``mask=``, checked against the
        inputs' shapes, or else the inputs' own ``_keras_mask``, which then goes to ``call(mask=...)``."""
        if not self._supports_masking and not self._expects_mask_arg:
            if "mask" in kwargs:
                self._refuse_mask_arg()
            return None
        if self._call_arg_was_passed("mask", args, kwargs):
            if "mask" in kwargs:
                masks = kwargs["mask"]
            else:
                masks = args[self._mask_arg_position]
            if not self._expects_mask_arg:
                self._refuse_mask_arg()
            self._check_mask_shapes(inputs, masks)
            return masks
        if type(inputs) is Tensor:
            masks = inputs._keras_mask
        else:
            flat = [getattr(t, "_keras_mask", None) for t in flatten(inputs)]
            masks = None if all(m is None for m in flat) else pack_sequence_as(inputs, flat)
        if masks is not None and self._expects_mask_arg:
            kwargs["mask"] = masks
        return masks

    def _check_mask_shapes(self, inputs: Any, masks: Any) -> None:
        """Refuse a mask whose shape is not the input's leading axes (Keras lets it fail deep in its ops)."""
        if masks is None:
            return
        if hasattr(inputs, "shape"):
            pairs = [(inputs, masks)]
        elif isinstance(inputs, (list, tuple)) and isinstance(masks, (list, tuple)):
            pairs = list(zip(inputs, masks)) if len(inputs) == len(masks) else []
        else:
            pairs = []
        for x, m in pairs:
            if m is None or not hasattr(m, "shape") or not hasattr(x, "shape"):
                continue
            m_shape, x_shape = tuple(m.shape), tuple(x.shape)
            fits = len(m_shape) <= len(x_shape) and all(
                a is None or b is None or a == b or a == 1 for a, b in zip(m_shape, x_shape)
            )
            if not fits:
                lead = x_shape[: max(1, min(len(m_shape), len(x_shape) - 1))]
                raise ValueError(
                    f"Layer '{self.name}' (of type {type(self).__name__}) was passed a mask of shape "
                    f"{m_shape} for an input of shape {x_shape}. A mask says which positions of the input's "
                    f"leading axes are real, so its shape must be those axes' sizes (here {lead})."
                )

    def _set_mask_metadata(self, inputs: Any, outputs: Any, previous_mask: Any) -> None:
        """Give the outputs the mask ``compute_mask`` answers (``Layer._set_mask_metadata``)."""
        if not self._supports_masking:
            return
        flat_outputs = [outputs] if type(outputs) is Tensor else flatten(outputs)
        if getattr(self, "_compute_output_and_mask_jointly", False) or all(
            getattr(x, "_keras_mask", None) is not None for x in flat_outputs
        ):
            return
        output_masks = self.compute_mask(inputs, previous_mask)
        if output_masks is None:
            return
        for tensor, mask in zip(flat_outputs, flatten(output_masks)):
            try:
                tensor._keras_mask = mask
            except AttributeError:  # an array or a Python value has no mask slot
                pass

    @property
    def input_mask(self) -> Any:
        """The mask of the symbolic input of the layer's first call (``Layer.input_mask``)."""
        inputs = self.input
        if isinstance(inputs, list):
            return [getattr(x, "_keras_mask", None) for x in inputs]
        return getattr(inputs, "_keras_mask", None)

    @property
    def output_mask(self) -> Any:
        """The mask of the symbolic output of the layer's first call (``Layer.output_mask``)."""
        output = self.output
        if isinstance(output, list):
            return [getattr(x, "_keras_mask", None) for x in output]
        return getattr(output, "_keras_mask", None)

    # --- the functional API ----------------------------------------------------------------------------------------
    def _functional_construction_call(self, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """A call on KerasTensors: check, build now for the symbolic shape, infer the output, record a Node."""
        with rec.span(
            "node_created",
            type(self).__name__ + ".__call__",
            keras=f"{KERAS_BASE_LAYER}.Layer._functional_construction_call",
            layer=self.name,
        ) as s:
            for x in flatten(inputs):
                if not hasattr(x, "shape"):
                    raise TypeError(
                        f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x)}) as input "
                        f"for layer '{self.name}'."
                    )
            self._check_symbolic_input(inputs)
            input_masks = None
            if self._supports_masking or self._expects_mask_arg:
                kwargs = dict(kwargs)
                passed = self._call_arg_was_passed("mask", args, kwargs)
                input_masks = self._get_input_masks(inputs, args, kwargs)
                if not passed:
                    kwargs.pop(
                        "mask", None
                    )  # as Keras: the node does not keep a mask it was not given
            elif "mask" in kwargs:
                self._refuse_mask_arg()
            shapes = map_structure(lambda t: t.shape, inputs)
            built_now = not self.built
            if built_now:
                self._maybe_build(shapes)
            out_shapes = self._infer_output_shape(shapes, inputs, args, kwargs)
            outputs = _symbolic_outputs(out_shapes, self._output_dtype())
            if self._supports_masking and (input_masks is not None or self._own_compute_mask):
                self._set_symbolic_masks(inputs, outputs, input_masks)
            node = Node(self, (inputs, *args), kwargs, outputs)
            s.set_payload(lambda: trace_payloads.node_created(self, node, built_now))
        return outputs

    def _check_symbolic_input(self, inputs: Any) -> None:
        """The input spec's check of a call on KerasTensors. Keras checks it only while the layer is unbuilt
        and leaves a built layer to fail in its TF ops; fittrace has no ops to fail, so it checks always."""
        assert_input_compatibility(self.input_spec, inputs, self.name)

    def _infer_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """The output shape(s) of a symbolic call."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            return _as_shapes(self.compute_output_shape(shapes))
        return self._probe_output_shape(shapes, inputs, args, kwargs)

    def _set_symbolic_masks(self, inputs: Any, outputs: Any, input_masks: Any) -> None:
        """Give the output KerasTensors the symbolic masks ``compute_mask`` answers: it is asked once on zeros and
        ones of the symbolic shapes, as Keras asks it on placeholders, and its answers' shapes are kept."""
        concrete, symbolic = _probe_values(inputs)
        masks = map_structure(
            lambda m: (
                m
                if not isinstance(m, KerasTensor)
                else Tensor(np.ones(_probe_shape(m.shape), dtype=bool))
            ),
            input_masks,
        )
        _training_stack.append(False)
        try:
            out_masks = self.compute_mask(concrete, masks)
        finally:
            _training_stack.pop()
        if out_masks is None:
            return
        for tensor, mask in zip(flatten(outputs), flatten(out_masks)):
            if mask is not None and hasattr(mask, "shape"):
                tensor._keras_mask = KerasTensor(symbolic(mask), "bool")

    def _probe_output_shape(self, shapes: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
        """Run ``call`` once on zeros of the symbolic shape, as Keras runs it once on placeholders: an unknown
        batch dimension is given 1 and is unknown (None) in the output; any other unknown dimension is given
        13, and an output dimension of 13 is unknown too."""
        concrete, symbolic = _probe_values(inputs)
        extra = dict(kwargs)
        if self._call_accepts_training:
            extra["training"] = bool(extra.get("training") or False)
        _training_stack.append(False)
        try:
            out = self.call(concrete, *args, **extra)
        finally:
            _training_stack.pop()
        return map_structure(symbolic, out)

    @property
    def inbound_nodes(self) -> list[Node]:
        return list(self._inbound_nodes)

    @property
    def outbound_nodes(self) -> list[Node]:
        return list(self._outbound_nodes)

    def _single_node_value(self, what: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name} is not connected, no input to return."
                if what == "input"
                else f"Layer {self.name} has no inbound nodes."
            )
        node = self._inbound_nodes[0]
        if what == "input":
            return node.keras_inputs[0] if len(node.keras_inputs) == 1 else node.keras_inputs
        return node.outputs

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's first call (``Layer.input``)."""
        if getattr(self, "_is_input_layer", False):
            return self._inbound_nodes[0].outputs
        return self._single_node_value("input")

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's first call (``Layer.output``)."""
        return self._single_node_value("output")

    @property
    def output_shape(self) -> Any:
        """The output shape of the layer's calls, when they all agree (``Layer.output_shape``)."""
        if not self._inbound_nodes:
            raise AttributeError(
                f'The layer "{self.name}" has never been called and thus has no defined output shape.'
            )
        shapes = {str(node.output_shapes) for node in self._inbound_nodes}
        if len(shapes) != 1:
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different output shapes. Hence '
                'the notion of "output shape" is ill-defined for the layer. Use '
                "`get_output_shape_at(node_index)` instead."
            )
        return self._inbound_nodes[0].output_shapes

    @property
    def input_shape(self) -> Any:
        """The input shape of the layer's calls, when they all agree (``Layer.input_shape``)."""
        if not self._inbound_nodes:
            raise AttributeError(
                f'The layer "{self.name}" has never been called and thus has no defined input shape. '
                "Note that the `input_shape` property is only available for Functional and Sequential "
                "models."
            )
        shapes = {str(node.input_shapes) for node in self._inbound_nodes}
        if len(shapes) != 1:
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different input shapes. Hence '
                'the notion of "input shape" is ill-defined for the layer. Use '
                "`get_input_shape_at(node_index)` instead."
            )
        return self._inbound_nodes[0].input_shapes

    @property
    def activity_regularizer(self) -> Any:
        return self._activity_regularizer

    # --- serialization ---------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The layer's configuration: name, trainable, dtype (and ``batch_input_shape`` when given). A subclass adds
        its own arguments; one that does not override this gets its constructor's arguments when they were all
        plain values, as in Keras, and Keras's error otherwise."""
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if type(self).get_config is not Layer.get_config:
            return config  # the subclass adds its own keys
        if getattr(self, "_auto_get_config", False):
            extra = set(config)
            config.update(self._auto_config.config)
            argspec = inspect.getfullargspec(type(self).__init__)
            if argspec.varkw != "kwargs":  # the base keys go unless the constructor names them
                for key in extra - extra.intersection(argspec.args[1:]):
                    config.pop(key, None)
            return config
        raise NotImplementedError(_NOT_SERIALIZABLE.format(name=type(self).__name__))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """The layer a config describes: ``cls(**config)``."""
        try:
            return cls(**config)
        except Exception as e:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {e}"
            ) from e

    def get_build_config(self) -> dict[str, Any] | None:
        """``{"input_shape": ...}``: the shape the layer was built with (None before it is built)."""
        if self._build_input_shape is not None:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Build the layer from :meth:`get_build_config`'s dictionary (its weights then exist, to be loaded)."""
        input_shape = config["input_shape"]
        if input_shape is not None:
            self.build(_shape_tuples(input_shape))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _mask_arg_of(params: Any) -> tuple[bool, int | None]:
    """Whether ``call`` takes a mask (a ``mask`` argument, or ``**kwargs``, as Keras counts it), and the
    position of ``mask`` among the arguments after the inputs (None when it has none)."""
    positional = [
        name for name, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    expects = "mask" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
    position = positional.index("mask") - 1 if "mask" in positional[1:] else None
    return expects, position


def _is_symbolic(inputs: Any, args: tuple, kwargs: dict) -> bool:
    """True when the call is on KerasTensors (the functional API), anywhere in its arguments."""
    if isinstance(inputs, KerasTensor):
        return True
    if isinstance(inputs, (list, tuple, dict)) or args or kwargs:
        return any(isinstance(x, KerasTensor) for x in flatten((inputs, args, kwargs)))
    return False


def _probe_shape(shape: tuple) -> tuple:
    """A concrete shape for a symbolic one: 1 for an unknown batch, 13 (``_PROBE``) for any other unknown."""
    return tuple((1 if i == 0 else _PROBE) if d is None else d for i, d in enumerate(shape))


def _probe_values(inputs: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Zeros of the symbolic inputs' shapes, and the function that reads a result's shape back as symbolic: the
    batch unknown if the inputs' was, a 13 unknown if any other input size was."""
    leaves = _shape_leaves(map_structure(lambda t: t.shape, inputs))
    batch_unknown = any(shape and shape[0] is None for shape in leaves)
    other_unknown = any(d is None for shape in leaves for d in shape[1:])
    concrete = map_structure(
        lambda t: Tensor(np.zeros(_probe_shape(t.shape), dtype=t.dtype)), inputs
    )

    def symbolic(t: Any) -> tuple:
        return tuple(
            None
            if (i == 0 and batch_unknown) or (i > 0 and other_unknown and d == _PROBE)
            else int(d)
            for i, d in enumerate(t.shape)
        )

    return concrete, symbolic


def _shape_leaves(shapes: Any) -> list[tuple]:
    """The shape tuples of a nest of shapes (a shape is a tuple of ints and None)."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return [shapes]
    if isinstance(shapes, (list, tuple)):
        return [leaf for item in shapes for leaf in _shape_leaves(item)]
    if isinstance(shapes, dict):
        return [leaf for key in sorted(shapes) for leaf in _shape_leaves(shapes[key])]
    return []


def _as_shapes(shapes: Any) -> Any:
    """compute_output_shape's answer with every shape a tuple (lists of shapes stay lists)."""
    if isinstance(shapes, (list, tuple)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in shapes
    ):
        return tuple(None if d is None else int(d) for d in shapes)
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_as_shapes(s) for s in shapes)
    if isinstance(shapes, dict):
        return {k: _as_shapes(v) for k, v in shapes.items()}
    return shapes


def _symbolic_outputs(shapes: Any, dtype: str) -> Any:
    """KerasTensors for a nest of output shapes."""
    if isinstance(shapes, tuple) and all(d is None or isinstance(d, int) for d in shapes):
        return KerasTensor(shapes, dtype)
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_symbolic_outputs(s, dtype) for s in shapes)
    if isinstance(shapes, dict):
        return {k: _symbolic_outputs(v, dtype) for k, v in shapes.items()}
    raise TypeError(f"cannot make a symbolic output for the shape {shapes!r}")
