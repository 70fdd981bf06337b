"""Serialization scenarios run by real TF-Keras 2 and by fittrace, for tests/test_keras_parity_serialization.py.

    python keras_parity_serialization_scenarios.py tf [OTHER.json]        # under an interpreter with tf_keras
    python keras_parity_serialization_scenarios.py fittrace [OTHER.json]  # under the test environment

Builds the same objects on both sides (layers, optimizers, schedules, losses, metrics, initializers,
regularizers, activations, user classes) with the same arguments, and prints one JSON object: each one's
``get_config()`` (with Python types spelled out: tuples, numpy scalars, functions), its
``serialize_keras_object`` form (new and legacy formats), the messages of the errors of bad input, and, given the
other side's printed object in OTHER.json, the other side's serialized forms deserialized here and serialized
again. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
TF = sys.argv[1] == "tf"
OTHER = sys.argv[2] if len(sys.argv) > 2 else None
if TF:
    import tf_keras as keras
    from tf_keras.src.losses import LossFunctionWrapper
    from tf_keras.src.saving.legacy import serialization as legacy
else:
    import fittrace.keras as keras
    from fittrace.keras.losses import LossFunctionWrapper
    from fittrace.saving.legacy import serialization as legacy

L, Opt, S = keras.layers, keras.optimizers, keras.optimizers.schedules
Lo, M, Init, R, A = (
    keras.losses,
    keras.metrics,
    keras.initializers,
    keras.regularizers,
    keras.activations,
)
saving = keras.saving
ser, de = saving.serialize_keras_object, saving.deserialize_keras_object


def spelled(x):
    """A value with its Python types kept in JSON: dict key order, tuples, numpy scalars, functions."""
    if isinstance(x, dict):
        return {"dict": [[str(k), spelled(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"tuple": [spelled(v) for v in x]}
    if isinstance(x, list):
        return [spelled(v) for v in x]
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if type(x).__module__ == "numpy":
        return {"numpy": type(x).__name__, "value": x.item()}
    if callable(x) and hasattr(x, "__name__"):
        return {"function": x.__name__}
    return {"object": type(x).__name__}


def masked(text: str) -> str:
    """A message with memory addresses and module paths that differ between the two libraries masked."""
    text = re.sub(r" at 0x[0-9a-f]+", " at 0x?", text)
    return re.sub(r"<class '[\w.]*?(\w+)'>", r"<class '\1'>", text)


def error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the message is the result
        return f"{type(e).__name__}: {masked(str(e))}"
    return None


keras.backend.clear_session()


# --- user objects -------------------------------------------------------------------------------------------------
@saving.register_keras_serializable("my_pkg")
class ScaledDense(L.Dense):
    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class Offset(L.Layer):  # not registered: found only through custom_objects
    def __init__(self, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.offset = offset

    def get_config(self):
        return {**super().get_config(), "offset": self.offset}


class AutoConfig(L.Layer):  # no get_config: the automatic one
    def __init__(self, a, b=None, **kwargs):
        super().__init__(**kwargs)
        self.a, self.b = a, b


class AutoConfigKw(L.Layer):  # its **kw is not named kwargs: Keras drops the base keys
    def __init__(self, a, b=None, **kw):
        super().__init__(**kw)
        self.a = a


@saving.register_keras_serializable("fns")
def scaled_relu(x):
    return A.relu(x)


def plain_fn(x):
    return x


class NoConfig:
    pass


class BadConfig:
    def get_config(self):
        return 3


class NoFromConfig:
    def get_config(self):
        return {}


# --- the objects, built in the same order on both sides ----------------------------------------------------------
built_dense = L.Dense(3, name="built_dense")
built_dense.build((None, 4))
built_conv = L.Conv2D(2, 3, name="built_conv")
built_conv.build((None, 5, 5, 1))
built_bn = L.BatchNormalization(name="built_bn")
built_bn.build((None, 4))
built_flatten = L.Flatten(name="built_flatten")
built_flatten.build((None, 2, 3))

OBJECTS = {
    # layers
    "dense": L.Dense(
        4,
        activation="relu",
        use_bias=False,
        kernel_initializer="he_normal",
        bias_initializer=Init.Constant(0.5),
        kernel_regularizer=R.L2(0.1),
        bias_regularizer="l1",
        name="d1",
        input_shape=(3,),
    ),
    "dense_default": L.Dense(4),
    "dense_batch_input": L.Dense(2, batch_input_shape=(5, 3), dtype="float64", trainable=False),
    "dense_batch_size": L.Dense(2, input_shape=(3,), batch_size=7),
    "dense_input_dim": L.Dense(2, input_dim=6),
    "built_dense": built_dense,
    "conv": L.Conv2D(
        8,
        (3, 2),
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=Init.RandomNormal(0.1, 0.2, seed=1),
        kernel_regularizer=R.L1L2(0.1, 0.2),
    ),
    "built_conv": built_conv,
    "maxpool": L.MaxPooling2D(3, strides=1, padding="same"),
    "maxpool_alias": L.MaxPool2D(),
    "avgpool": L.AveragePooling2D((2, 3)),
    "gap": L.GlobalAveragePooling2D(keepdims=True),
    "gmp": L.GlobalMaxPooling2D(),
    "bn": L.BatchNormalization(
        momentum=0.9,
        epsilon=1e-2,
        center=False,
        beta_initializer="ones",
        gamma_initializer=Init.RandomUniform(-0.1, 0.2, seed=2),
        moving_variance_initializer="zeros",
        gamma_regularizer=R.L2(0.3),
    ),
    "built_bn": built_bn,
    "dropout": L.Dropout(0.3, noise_shape=(None, 1), seed=3),
    "dropout_int": L.Dropout(1),
    "flatten": L.Flatten(),
    "built_flatten": built_flatten,
    "reshape": L.Reshape((2, -1)),
    "activation": L.Activation("softmax"),
    "activation_custom_fn": L.Activation(scaled_relu),
    "input_layer": L.InputLayer(input_shape=(3,), name="inp"),
    "input_layer_batch": L.InputLayer(batch_input_shape=(2, 3), dtype="int32", name="inp2"),
    "scaled_dense": ScaledDense(3, scale=2.5, name="sd"),
    "offset": Offset(1.5, name="off"),
    "auto_config": AutoConfig(3, b="x", name="auto"),
    "auto_config_kw": AutoConfigKw(3, b="x", name="auto_kw"),
    # optimizers
    "sgd": Opt.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    "sgd_default": Opt.SGD(),
    "rmsprop": Opt.RMSprop(0.01, rho=0.8, momentum=0.1, epsilon=1e-6, centered=True, clipvalue=0.5),
    "adam": Opt.Adam(0.002, beta_1=0.8, beta_2=0.99, epsilon=1e-6, amsgrad=True, name="my_adam"),
    "adam_global_clip": Opt.Adam(global_clipnorm=2.0, weight_decay=0.01),
    "adagrad": Opt.Adagrad(0.01, initial_accumulator_value=0.2, epsilon=1e-6),
    "adadelta": Opt.Adadelta(0.5, rho=0.9, epsilon=1e-6, weight_decay=0.01),
    "adamax": Opt.Adamax(0.003, beta_1=0.7, beta_2=0.9, epsilon=1e-5),
    "nadam": Opt.Nadam(0.004, beta_1=0.7, beta_2=0.9, epsilon=1e-5),
    "adamw": Opt.AdamW(0.001, weight_decay=0.1, beta_1=0.85, amsgrad=True),
    "sgd_schedule": Opt.SGD(S.ExponentialDecay(0.1, 10, 0.5, staircase=True)),
    # schedules
    "exponential_decay": S.ExponentialDecay(0.1, 10, 0.5, staircase=True, name="e"),
    "piecewise": S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]),
    "polynomial": S.PolynomialDecay(0.1, 100, end_learning_rate=0.01, power=2.0, cycle=True),
    "inverse_time": S.InverseTimeDecay(0.1, 10, 0.5),
    "cosine": S.CosineDecay(0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10),
    "cosine_default": S.CosineDecay(0.1, 100),
    # losses
    "scce": Lo.SparseCategoricalCrossentropy(from_logits=True, reduction="sum", name="s"),
    "scce_default": Lo.SparseCategoricalCrossentropy(),
    "cce": Lo.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, reduction="none"),
    "bce": Lo.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, axis=-1),
    "mse": Lo.MeanSquaredError(reduction="sum_over_batch_size", name="m"),
    "mae": Lo.MeanAbsoluteError(),
    "loss_wrapper": LossFunctionWrapper(Lo.mean_squared_error, name="wrapped"),
    "loss_wrapper_unnamed": LossFunctionWrapper(Lo.mean_absolute_error),
    # metrics
    "mean": M.Mean(name="m", dtype="float64"),
    "sum": M.Sum(),
    "accuracy": M.Accuracy(),
    "sparse_categorical_accuracy": M.SparseCategoricalAccuracy(name="sca"),
    "categorical_accuracy": M.CategoricalAccuracy(),
    "binary_accuracy": M.BinaryAccuracy(threshold=0.7),
    "top_k": M.TopKCategoricalAccuracy(k=3),
    "sparse_top_k": M.SparseTopKCategoricalAccuracy(k=2, name="st"),
    "metric_mse": M.MeanSquaredError(),
    "metric_mae": M.MeanAbsoluteError(dtype="float64"),
    "mean_metric_wrapper": M.MeanMetricWrapper(M.sparse_categorical_accuracy, name="w"),
    "mean_metric_wrapper_unnamed": M.MeanMetricWrapper(M.binary_accuracy, threshold=0.3),
    # initializers
    "zeros": Init.Zeros(),
    "ones": Init.Ones(),
    "constant": Init.Constant(0.5),
    "constant_default": Init.Constant(),
    "random_normal": Init.RandomNormal(0.1, 0.2, seed=1),
    "random_uniform": Init.RandomUniform(-0.1, 0.2, seed=2),
    "truncated_normal": Init.TruncatedNormal(0.0, 0.3, seed=3),
    "variance_scaling": Init.VarianceScaling(2.0, "fan_out", "uniform", seed=4),
    "variance_scaling_normal": Init.VarianceScaling(distribution="normal"),
    "glorot_uniform": Init.GlorotUniform(seed=5),
    "glorot_normal": Init.GlorotNormal(),
    "he_normal": Init.HeNormal(seed=1),
    "he_uniform": Init.HeUniform(),
    "lecun_normal": Init.LecunNormal(),
    "lecun_uniform": Init.LecunUniform(seed=9),
    # regularizers
    "l1": R.L1(0.3),
    "l2": R.L2(),
    "l1l2": R.L1L2(l1=0.1, l2=0.2),
    "l1l2_fn": R.l1_l2(),
    "l1l2_default": R.L1L2(),
    "l1_old_arg": R.L1(l=0.2),
}
FUNCTIONS = {
    "sparse_categorical_crossentropy": Lo.sparse_categorical_crossentropy,
    "categorical_crossentropy": Lo.categorical_crossentropy,
    "binary_crossentropy": Lo.binary_crossentropy,
    "loss_mse": Lo.mean_squared_error,
    "loss_mae": Lo.mae,
    "sparse_categorical_accuracy": M.sparse_categorical_accuracy,
    "categorical_accuracy": M.categorical_accuracy,
    "binary_accuracy": M.binary_accuracy,
    "top_k_categorical_accuracy": M.top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": M.sparse_top_k_categorical_accuracy,
    **{
        name: getattr(A, name)
        for name in (
            "relu",
            "sigmoid",
            "tanh",
            "softmax",
            "linear",
            "gelu",
            "elu",
            "selu",
            "softplus",
            "swish",
        )
    },
    "registered_fn": scaled_relu,
    "plain_fn": plain_fn,
}
CUSTOM = {"Offset": Offset, "AutoConfig": AutoConfig, "AutoConfigKw": AutoConfigKw}

out: dict = {"configs": {}, "serialized": {}, "legacy": {}, "functions": {}, "errors": {}}
for case, obj in OBJECTS.items():
    out["configs"][case] = spelled(obj.get_config())
    out["serialized"][case] = spelled(ser(obj))
    out["legacy"][case] = spelled(legacy.serialize_keras_object(obj))
for case, fn in FUNCTIONS.items():
    out["functions"][case] = {
        "serialized": spelled(ser(fn)),
        "legacy": legacy.serialize_keras_object(fn),
    }
    if hasattr(A, fn.__name__) or fn is scaled_relu or fn is plain_fn:
        out["functions"][case]["activation"] = spelled(A.serialize(fn))

# JSON forms, for the other side to read
out["json"] = {case: json.loads(json.dumps(ser(obj))) for case, obj in OBJECTS.items()}
out["json_functions"] = {case: json.loads(json.dumps(ser(fn))) for case, fn in FUNCTIONS.items()}

# --- the other side's forms, read here ---------------------------------------------------------------------------
if OTHER:
    with open(OTHER) as fh:
        theirs = json.load(fh)
    again, fns = {}, {}
    for case, config in theirs["json"].items():
        obj = de(config, custom_objects=CUSTOM)
        again[case] = {"type": type(obj).__name__, "serialized": json.loads(json.dumps(ser(obj)))}
    for case, config in theirs["json_functions"].items():
        fn = de(config, custom_objects={"plain_fn": plain_fn})
        fns[case] = fn.__name__
    out["from_other"] = {"objects": again, "functions": fns}

# --- the module-level API ----------------------------------------------------------------------------------------
api = {
    "layers_serialize": spelled(L.serialize(L.Dense(2, name="api_dense"))),
    "layers_legacy": spelled(L.serialize(L.Dense(2, name="api_dense2"), use_legacy_format=True)),
    "layers_deserialize_legacy": type(
        L.deserialize({"class_name": "Dropout", "config": {"rate": 0.5, "name": "dd"}})
    ).__name__,
    "layers_deserialize_new": L.deserialize(ser(L.Dropout(0.25, name="dn"))).get_config(),
    "optimizers_get_name": type(Opt.get("ADAM")).__name__,
    "optimizers_get_dict": type(Opt.get({"class_name": "rmsprop", "config": {}})).__name__,
    "optimizers_serialize": spelled(Opt.serialize(Opt.Adagrad(0.5))),
    "optimizers_deserialize_new": spelled(
        Opt.deserialize(ser(Opt.Nadam(0.02, name="nn"))).get_config()
    ),
    "optimizers_get_h5": spelled(
        Opt.get(
            {
                "class_name": "Custom>Adam",
                "config": {**Opt.Adam(0.01).get_config(), "learning_rate": 0.01},
            }
        ).get_config()
    ),
    "schedules_serialize": spelled(S.serialize(S.InverseTimeDecay(0.5, 5, 0.1, staircase=True))),
    "schedules_deserialize": spelled(
        S.deserialize(S.serialize(S.PolynomialDecay(0.1, 10))).get_config()
    ),
    "losses_get_name": getattr(Lo.get("mse"), "__name__", None),
    "losses_get_class": type(Lo.get("CategoricalCrossentropy")).__name__,
    "losses_get_dict": spelled(
        Lo.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}}).get_config()
    ),
    "losses_serialize": spelled(Lo.serialize(Lo.MeanAbsoluteError(name="x"))),
    "losses_deserialize_fn": Lo.deserialize("mae").__name__,
    "metrics_get_name": M.get("sparse_categorical_accuracy").__name__,
    "metrics_get_class": type(M.get("BinaryAccuracy")).__name__,
    "metrics_get_dict": spelled(
        M.get({"class_name": "TopKCategoricalAccuracy", "config": {"k": 4}}).get_config()
    ),
    "metrics_from_h5": spelled(
        M.deserialize(
            {
                "class_name": "MeanMetricWrapper",
                "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"},
            },
            use_legacy_format=True,
        ).get_config()
    ),
    "metrics_serialize": spelled(M.serialize(M.Mean(name="mm"))),
    "initializers_get": [
        spelled(ser(Init.get(name)))
        for name in ("glorot_uniform", "GlorotUniform", "he_normal", "zeros", "Ones", "uniform")
    ],
    "initializers_get_dict": spelled(
        ser(Init.get({"class_name": "RandomNormal", "config": {"stddev": 2.0}}))
    ),
    "initializers_get_class": spelled(ser(Init.get(Init.HeUniform))),
    "initializers_deserialize": spelled(
        ser(Init.deserialize(Init.serialize(Init.TruncatedNormal(stddev=0.5))))
    ),
    "regularizers_get": [spelled(ser(R.get(name))) for name in ("l1", "l2", "l1_l2", "L1L2")],
    "regularizers_get_dict": spelled(ser(R.get({"class_name": "L2", "config": {"l2": 0.5}}))),
    "regularizers_deserialize": spelled(ser(R.deserialize(R.serialize(R.L1(0.25))))),
    "activations_get": [A.get(name).__name__ for name in ("relu", "softmax", "linear", "swish")],
    "activations_get_none": A.get(None).__name__,
    "activations_get_dict": A.get(ser(A.tanh)).__name__,
    "activations_deserialize": A.deserialize("gelu").__name__,
    "activations_deserialize_registered": A.deserialize(A.serialize(scaled_relu)).__name__,
}
out["api"] = api

# --- the registry ------------------------------------------------------------------------------------------------
with saving.custom_object_scope({"Offset": Offset}):
    in_scope = saving.get_registered_object("Offset") is Offset
registry = {
    "registered_name_class": saving.get_registered_name(ScaledDense),
    "registered_name_fn": saving.get_registered_name(scaled_relu),
    "registered_name_unregistered": saving.get_registered_name(Offset),
    "registered_name_builtin_optimizer": saving.get_registered_name(Opt.Adam),
    "registered_object": saving.get_registered_object("my_pkg>ScaledDense") is ScaledDense,
    "registered_object_missing": saving.get_registered_object("my_pkg>Nope"),
    "registered_object_custom": saving.get_registered_object("X", custom_objects={"X": Offset})
    is Offset,
    "in_scope": in_scope,
    "after_scope": saving.get_registered_object("Offset"),
    "utils_has_them": all(
        hasattr(keras.utils, n)
        for n in (
            "register_keras_serializable",
            "custom_object_scope",
            "CustomObjectScope",
            "get_custom_objects",
            "get_registered_name",
            "get_registered_object",
            "serialize_keras_object",
            "deserialize_keras_object",
        )
    ),
    "custom_objects": sorted(saving.get_custom_objects()),
    "scaled_dense_back": spelled(de(ser(OBJECTS["scaled_dense"])).get_config()),
    "offset_back": spelled(
        de(ser(OBJECTS["offset"]), custom_objects={"Offset": Offset}).get_config()
    ),
}
with saving.custom_object_scope({"Offset": Offset}):
    registry["offset_in_scope"] = spelled(de(ser(OBJECTS["offset"])).get_config())
out["registry"] = registry

# --- errors ------------------------------------------------------------------------------------------------------
lambda_config = {"class_name": "__lambda__", "config": {"value": ["abc", None, None]}}
errors = {
    "unknown_class": lambda: de(
        {"module": "keras.layers", "class_name": "Nope", "config": {}, "registered_name": None}
    ),
    "unknown_class_no_module": lambda: de(
        {"module": None, "class_name": "Nope", "config": {}, "registered_name": "Nope"}
    ),
    "unknown_class_module_key_missing": lambda: de({"class_name": "Nope", "config": {}}),
    "unknown_function": lambda: de(
        {
            "module": "builtins",
            "class_name": "function",
            "config": "nope",
            "registered_name": "function",
        }
    ),
    "unregistered_custom_class": lambda: de(ser(OBJECTS["offset"])),
    "lambda_safe_mode": lambda: de(lambda_config),
    "lambda_in_safe_scope": lambda: L.deserialize(
        {
            "module": "keras.layers",
            "class_name": "Activation",
            "config": {"activation": lambda_config},
        }
    ),
    "missing_from_config": lambda: de(
        {"module": "x", "class_name": "NoFromConfig", "config": {}},
        custom_objects={"NoFromConfig": NoFromConfig},
    ),
    "not_a_config": lambda: de(object()),
    "unsupported_kwargs": lambda: de({}, bogus=1),
    "from_config_bad_key": lambda: L.Dense.from_config({"units": 3, "bogus": 1}),
    "layer_bad_kwarg": lambda: L.Dense(3, bogus=1),
    "layer_trainable_not_bool": lambda: L.Dense(3, trainable="yes"),
    "layers_empty": lambda: L.deserialize({}),
    "layers_metric": lambda: L.serialize(M.Mean()),
    "module_objects_no_module": lambda: L.deserialize(
        {"module": None, "class_name": "X", "config": {}}
    ),
    "auto_config_unserializable": lambda: AutoConfig([object()]).get_config(),
    "register_without_get_config": lambda: saving.register_keras_serializable()(NoConfig),
    "serialize_without_get_config": lambda: ser(NoConfig()),
    "get_config_not_dict": lambda: ser(BadConfig()),
    "legacy_serialize_without_get_config": lambda: legacy.serialize_keras_object(object()),
    "legacy_bad_format": lambda: legacy.deserialize_keras_object({"config": {}}),
    "legacy_unknown": lambda: legacy.deserialize_keras_object(
        {"class_name": "Nope", "config": {}}, module_objects={}, printable_module_name="layer"
    ),
    "legacy_not_interpretable": lambda: legacy.deserialize_keras_object(3),
    "optimizer_unknown": lambda: Opt.get("nope"),
    "optimizer_bad": lambda: Opt.get(3),
    "optimizer_bad_kwarg": lambda: Opt.SGD(bogus=1),
    "optimizer_legacy_kwarg": lambda: Opt.Adam(decay=0.1),
    "optimizer_get_kwargs": lambda: Opt.get("adam", bogus=1),
    "loss_unknown": lambda: Lo.get("nope"),
    "loss_bad": lambda: Lo.get(3),
    "metric_unknown_dict": lambda: M.get({"class_name": "Nope", "config": {}}),
    "metric_bad": lambda: M.get(3),
    "initializer_unknown": lambda: Init.get("nope"),
    "initializer_bad": lambda: Init.get(3),
    "variance_scaling_scale": lambda: Init.VarianceScaling(scale=-1.0),
    "regularizer_bad": lambda: R.get(3),
    "regularizer_penalty": lambda: R.L1("x"),
    "regularizer_penalty_nan": lambda: R.L2(float("nan")),
    "regularizer_bad_kwarg": lambda: R.L2(x=1),
    "activation_unknown": lambda: A.get("nope"),
    "activation_unknown_deserialize": lambda: A.deserialize("nope"),
    "activation_serialize_name": lambda: A.serialize("abcd"),
    "activation_bad": lambda: A.get(3),
    "schedule_without_get_config": lambda: S.LearningRateSchedule().get_config(),
    "schedule_call": lambda: S.LearningRateSchedule()(0),
}
out["errors"] = {case: error(fn) for case, fn in errors.items()}

# Where Keras hands back an unknown name instead of failing (fittrace raises the legacy message instead).
names_back = {
    "layers": lambda: L.deserialize({"class_name": "Nope", "config": {}}),
    "optimizers": lambda: Opt.deserialize({"class_name": "Nope", "config": {"a": 1}}),
    "losses": lambda: Lo.deserialize("nope"),
    "metrics": lambda: M.get("nope"),
    "regularizers": lambda: R.get("nope"),
    "schedules": lambda: S.deserialize({"class_name": "Nope", "config": {}}),
}
out["names_back"] = {}
for case, fn in names_back.items():
    try:
        out["names_back"][case] = {"returned": fn()}
    except Exception as e:  # noqa: BLE001 - the message is the result
        out["names_back"][case] = {"raised": f"{type(e).__name__}: {masked(str(e))}"}
# Where Keras would import the module a config names (fittrace never does).
out["import_module"] = error(
    lambda: de(
        {
            "module": "no_such_pkg.layers",
            "class_name": "Nope",
            "config": {},
            "registered_name": "Nope",
        }
    )
)

print(json.dumps(out))
