"""Lambda: any function of the input as a layer, ``Lambda(lambda x: x ** 2)``.

Mirrors tf_keras/src/layers/core/lambda_layer.py, with its messages. ``call`` passes the input to ``function``
with the ``arguments`` dict as keywords (and ``mask``/``training`` when the function names them).
``compute_output_shape`` uses ``output_shape`` when given: a tuple is the shape after the batch axis (the input's
batch size goes in front), a callable gets the whole input shape. Without one the shape is inferred, as Keras
does by tracing the function: fittrace calls it on zeros, once with every unknown size 1 and once with every
unknown size 2; a size that changes between the two is unknown (None).

``get_config`` writes the function as tf-keras 2.21 does: a Python function (a ``lambda`` or a ``def``) as its
marshalled bytecode (``generic_utils.func_dump``), with ``function_type`` "lambda"; any other callable (a
builtin, a numpy ufunc) by name, with ``function_type`` "function" and its module. ``from_config`` reads both
back. A named function is looked up in ``custom_objects``, then in the fittrace module the config names if that
module is already loaded; no module is ever imported because a file names it. Bytecode is turned back into a
function only when the caller turns safe mode off (``safe_mode=False``): see ``check_lambda_allowed``.

Left out: the checks on variables created or used inside the function (Keras's warning about untracked
variables), and masks beyond keeping ``mask`` and answering ``compute_mask`` (fittrace's layers pass none).

    >>> import numpy as np
    >>> Lambda(lambda x: x * 2.0)(np.ones((1, 2), "float32")).numpy().tolist()
    [[2.0, 2.0]]
    >>> Lambda(lambda x: x[:, :2]).compute_output_shape((None, 5))
    (None, 2)
"""

from __future__ import annotations

import copy
import inspect
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from fittrace import autodiff as ops
from fittrace.autodiff import Tensor
from fittrace.engine.base_layer import Layer
from fittrace.saving.keras_export import keras_export
from fittrace.saving.serialization_lib import in_safe_mode
from fittrace.utils.generic_utils import func_dump, func_load

#: Keras 2.21's refusal of a serialized Python lambda in safe mode, word for word.
UNSAFE_LAMBDA_MESSAGE = (
    "Requested the deserialization of a Lambda layer with a Python `lambda` inside it. "
    "This carries a potential risk of arbitrary code execution "
    "and thus it is disallowed by default. If you trust the "
    "source of the saved model, you can pass `safe_mode=False` "
    "to the loading function in order to allow "
    "Lambda layer loading."
)
_FUNCTION_TYPES = ["function", "lambda", "raw"]


def check_lambda_allowed(safe_mode: bool | None = True) -> None:
    """Raise Keras's ``ValueError`` for a serialized Python function unless safe mode is off.

    tf-keras 2.21 asks ``serialization_lib.in_safe_mode()``, which is True inside the ``SafeModeScope`` its
    ``deserialize_keras_object`` (and so ``load_model``) opens, ``safe_mode=True`` unless the caller says
    otherwise. Here ``safe_mode`` is what the caller of ``Lambda.from_config`` passed; when it passed nothing
    (None), the enclosing scope decides (``load_model(..., safe_mode=False)`` opens one). Only an explicit False
    turns the check off: outside any scope a direct ``from_config`` call refuses too, where Keras's would load the
    bytecode, and so does loading a legacy ``.h5`` model file, which tf-keras loads without asking.
    """
    if safe_mode is None:
        safe_mode = in_safe_mode()
    if safe_mode is not False:
        raise ValueError(UNSAFE_LAMBDA_MESSAGE)


def _positional_names(function: Callable[..., Any]) -> list[str]:
    """The function's positional-or-keyword parameter names (those Keras looks for "mask" and "training" in)."""
    try:
        return inspect.getfullargspec(function).args
    except TypeError:  # a builtin or a ufunc without a signature
        return []


def _is_shape(value: Any) -> bool:
    """One shape (a tuple or list of sizes or None), not a structure of shapes."""
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value
    )


def _shapes_of(out: Any) -> Any:
    """The shape of each tensor in ``out`` (a tensor, or a list or tuple of them)."""
    if isinstance(out, (list, tuple)):
        return type(out)(_shapes_of(o) for o in out)
    return tuple(int(d) for d in np.shape(getattr(out, "value", out)))


def _merge_probes(first: Any, second: Any) -> Any:
    """Two probes' shapes as one: a size that differs between them depends on an unknown size, so is None."""
    if _is_shape(first) and _is_shape(second):
        if len(first) != len(second):
            raise ValueError("the output's rank depends on the unknown sizes")
        return tuple(a if a == b else None for a, b in zip(first, second))
    if isinstance(first, (list, tuple)) and type(first) is type(second):
        if len(first) != len(second):
            raise ValueError("the number of outputs depends on the unknown sizes")
        return type(first)(_merge_probes(a, b) for a, b in zip(first, second))
    raise ValueError("the outputs' structure depends on the unknown sizes")


def _unknown_batch(shapes: Any, input_shape: Any) -> Any:
    """The probe's shapes with None in the batch axis when the input's batch size is unknown."""
    first = input_shape if _is_shape(input_shape) else input_shape[0]
    if not first or first[0] is not None:
        return shapes
    if _is_shape(shapes):
        return (None,) + shapes[1:] if shapes else shapes
    return type(shapes)(_unknown_batch(s, input_shape) for s in shapes)


@keras_export("keras.layers.Lambda")
class Lambda(Layer):
    """Wraps ``function(inputs, **arguments)`` as a layer.

    Args:
        function: called with the input (a tensor, or the list of tensors a list input is).
        output_shape: the output's shape after the batch axis (a tuple), or a callable from the whole input
            shape to the whole output shape; None to infer it.
        mask: None, a callable ``mask(inputs, mask)``, or a fixed value, what ``compute_mask`` answers.
        arguments: keyword arguments for ``function``.
    """

    def __init__(
        self,
        function: Callable[..., Any],
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"The `function` of a Lambda layer must be callable. Received: function={function!r} "
                f"(of type {type(function).__name__})"
            )
        # as Keras's, a Layer passed as the function (or the mask) is not tracked: its weights are not this one's
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "mask", mask)
        self.arguments = arguments or {}
        if mask is not None:
            self.supports_masking = True
        self._output_shape = output_shape
        names = _positional_names(function)
        self._fn_expects_training_arg = "training" in names
        self._fn_expects_mask_arg = "mask" in names

    def _keywords(self, mask: Any, training: Any) -> dict[str, Any]:
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return kwargs

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        if isinstance(inputs, (list, tuple)):  # a list of arrays reaches call unconverted
            inputs = type(inputs)(
                ops.convert_to_tensor(x) if isinstance(x, np.ndarray) else x for x in inputs
            )
        return self.function(inputs, **self._keywords(mask, training))

    # --- shapes ----------------------------------------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape (a tuple, or a list of them for several outputs) for ``input_shape`` (a shape, or a
        list of shapes for a list input)."""
        if self._output_shape is None:
            return self._inferred_shape(input_shape)
        if callable(self._output_shape):
            return self._as_shapes(self._output_shape(input_shape))
        if _is_shape(input_shape):
            batch_size = input_shape[0] if input_shape else None
        else:
            batch_size = input_shape[0][0] if input_shape and input_shape[0] else None
        return self._with_batch(self._output_shape, batch_size)

    def _as_shapes(self, shapes: Any) -> Any:
        if _is_shape(shapes):
            return tuple(shapes)
        return type(shapes)(self._as_shapes(s) for s in shapes)

    def _with_batch(self, shapes: Any, batch_size: int | None) -> Any:
        if _is_shape(shapes):
            return (batch_size,) + tuple(shapes)
        return type(shapes)(self._with_batch(s, batch_size) for s in shapes)

    def _probe(self, input_shape: Any, fill: int) -> Any:
        """The output shapes of the function called on zeros, with ``fill`` for every unknown size."""

        def zeros(shape: Any) -> Any:
            if _is_shape(shape):
                size = tuple(fill if d is None else int(d) for d in shape)
                return Tensor(np.zeros(size, dtype=self.dtype))
            return type(shape)(zeros(s) for s in shape)

        with np.errstate(all="ignore"):
            return _shapes_of(self.function(zeros(input_shape), **self._keywords(None, False)))

    def _inferred_shape(self, input_shape: Any) -> Any:
        try:
            first = self._probe(input_shape, 1)
        except TypeError as exc:
            raise NotImplementedError(
                "We could not automatically infer the shape of the Lambda's output. "
                "Please specify `output_shape` for this Lambda."
            ) from exc
        try:
            return _merge_probes(first, self._probe(input_shape, 2))
        except Exception:  # the function only works for some sizes: keep the first probe's answer
            return _unknown_batch(first, input_shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    # --- config ----------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        function, function_type, module = self._serialize_function_to_config(self.function)
        shape, shape_type, shape_module = self._serialize_function_to_config(
            self._output_shape, allow_raw=True
        )
        config: dict[str, Any] = {
            "function": function,
            "function_type": function_type,
            "module": module,
            "output_shape": shape,
            "output_shape_type": shape_type,
            "output_shape_module": shape_module,
        }
        if self.mask is not None:
            mask, mask_type, mask_module = self._serialize_function_to_config(self.mask)
            config.update({"mask": mask, "mask_type": mask_type, "mask_module": mask_module})
        config["arguments"] = self.arguments
        return {**super().get_config(), **config}

    @staticmethod
    def _serialize_function_to_config(inputs: Any, allow_raw: bool = False) -> tuple[Any, str, Any]:
        """(value, type, module): a Python function as bytecode ("lambda"), another callable by name
        ("function"), anything else as itself ("raw") when allowed."""
        if isinstance(inputs, types.LambdaType):
            return func_dump(inputs), "lambda", inputs.__module__
        if callable(inputs):
            return inputs.__name__, "function", inputs.__module__
        if allow_raw:
            return inputs, "raw", None
        raise ValueError(f"Invalid input for serialization, type: {type(inputs)} ")

    @classmethod
    def from_config(
        cls,
        config: dict[str, Any],
        custom_objects: dict[str, Any] | None = None,
        safe_mode: bool | None = None,
    ) -> Lambda:
        """The layer ``get_config`` described. A function stored as bytecode is refused unless ``safe_mode`` is
        False (None: unless the enclosing ``SafeModeScope`` of a loader says False); ``custom_objects`` supplies
        named functions."""
        config = dict(config)
        function = cls._parse_function_from_config(
            config, custom_objects, "function", "module", "function_type", safe_mode
        )
        output_shape = cls._parse_function_from_config(
            config,
            custom_objects,
            "output_shape",
            "output_shape_module",
            "output_shape_type",
            safe_mode,
        )
        mask = None
        if "mask" in config:
            mask = cls._parse_function_from_config(
                config, custom_objects, "mask", "mask_module", "mask_type", safe_mode
            )
        config["function"], config["output_shape"], config["mask"] = function, output_shape, mask
        if (
            "arguments" in config
        ):  # numpy arguments were written as {"type": "ndarray", "value": [...]}
            arguments = copy.deepcopy(config["arguments"])
            for key, value in arguments.items():
                if isinstance(value, dict) and value.get("type") == "ndarray":
                    arguments[key] = np.array(value["value"])
            config["arguments"] = arguments
        return cls(**config)

    @classmethod
    def _parse_function_from_config(
        cls,
        config: dict[str, Any],
        custom_objects: dict[str, Any] | None,
        func_attr_name: str,
        module_attr_name: str,
        func_type_attr_name: str,
        safe_mode: bool | None = None,
    ) -> Any:
        module = config.pop(module_attr_name, None)
        function_type = config.pop(func_type_attr_name)
        value = config[func_attr_name]
        if function_type == "function":
            return _named_function(value, module, custom_objects)
        if function_type == "lambda":
            check_lambda_allowed(safe_mode)
            globs = dict(globals())
            if module in sys.modules:
                globs.update(vars(sys.modules[module]))
            elif module is not None:
                warnings.warn(
                    f"{module} is not loaded, but a Lambda layer uses it. It may cause errors.",
                    UserWarning,
                    stacklevel=2,
                )
            if custom_objects:
                globs.update(custom_objects)
            return func_load(value, globs=globs)
        if function_type == "raw":
            return value
        raise TypeError(
            "Unsupported value for `function_type` argument. Received: "
            f"function_type={function_type}. Expected one of {_FUNCTION_TYPES}"
        )


def _named_function(name: Any, module: Any, custom_objects: dict[str, Any] | None) -> Any:
    """A function a config names: from ``custom_objects``, else from the fittrace module named, if loaded."""
    if name is None:
        return None
    if custom_objects and custom_objects.get(name) is not None:
        return custom_objects[name]
    if isinstance(module, str) and (module == "fittrace" or module.startswith("fittrace.")):
        found = getattr(sys.modules.get(module), str(name), None)
        if callable(found):
            return found
    raise TypeError(
        f"Could not find the function '{name}' (module {module!r}) of a Lambda layer. Pass it in "
        "`custom_objects`: fittrace looks a named function up only there and in its own loaded modules, "
        "and never imports a module because a file names it."
    )
