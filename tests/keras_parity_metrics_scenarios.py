"""Metrics, losses and TensorBoard, run twice, by real TF-Keras 2 and by fittrace, for
tests/test_keras_parity_metrics.py to compare.

    python keras_parity_metrics_scenarios.py fittrace LOGDIR           # first: writes its TensorBoard files
    python keras_parity_metrics_scenarios.py tf LOGDIR FITTRACE_LOGDIR # then: reads both sides' files

Prints one JSON object: a 2-epoch fit from identical weights with compile(metrics=["accuracy", Precision(),
Recall(), AUC(), AUC(curve="PR"), a user Metric]) (its history, metric names and evaluate results); every metric's
result on the same targets, predictions and weights, after a reset, and its config; every loss's value under
each reduction, with sample weights, logits and label smoothing, and its config; error messages for bad
arguments. The tf side also reads the TensorBoard event files of both sides with TensorBoard's own
``EventAccumulator``. Nothing here checks anything: the test does.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TF = sys.argv[1] == "tf"
LOGDIR = sys.argv[2]
if TF:
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import callbacks, layers, losses, metrics, optimizers

    Sequential = keras.Sequential
else:
    from fittrace.keras import callbacks, layers, losses, metrics, optimizers
    from fittrace.keras.models import Sequential


def arr(x) -> object:
    """A result as plain JSON: a float or a (nested) list."""
    if hasattr(x, "numpy"):
        x = x.numpy()
    return np.asarray(x, dtype=np.float64).tolist()


def config(obj) -> str:
    return json.dumps(obj.get_config(), sort_keys=True, default=lambda o: np.asarray(o).tolist())


def error(fn) -> str:
    try:
        fn()
    except Exception as exc:  # the message is what is compared
        return f"{type(exc).__name__}: {exc}"
    return "no error"


# --- a user's metric, as a course writes one (each side in its own ops) ---------------------------------------------
class PositiveRate(metrics.Metric):
    def __init__(self, name="positive_rate", **kwargs):
        super().__init__(name=name, **kwargs)
        self.positives = self.add_weight(name="positives", shape=(), initializer="zeros")
        self.seen = self.add_weight(name="seen", shape=(), initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if TF:
            self.positives.assign_add(tf.reduce_sum(tf.cast(y_pred > 0.5, "float32")))
            self.seen.assign_add(tf.cast(tf.size(y_pred), "float32"))
        else:
            p = np.asarray(y_pred)
            self.positives.assign_add(np.sum(p > 0.5))
            self.seen.assign_add(p.size)

    def result(self):
        return self.positives / self.seen


class PerBatch(callbacks.Callback):
    """Wants the batch hooks, as the progress bar does at verbose=1: Keras's TensorBoard then writes batch_ logs."""

    def on_train_batch_end(self, batch, logs=None):
        pass


rng = np.random.default_rng(3)
X = rng.random((40, 4)).astype("float32")
Y = (X @ np.array([1.0, -1.0, 0.5, 0.2], "float32") + rng.normal(0, 0.3, 40) > 0.3).astype(
    "float32"
)
Y = Y.reshape(-1, 1)
W = [
    rng.normal(0, 0.7, (4, 5)).astype("float32"),
    np.zeros(5, "float32"),
    rng.normal(0, 0.7, (5, 1)).astype("float32"),
    np.zeros(1, "float32"),
]


def fit_case() -> dict:
    model = Sequential(
        [
            layers.Dense(5, activation="relu", input_shape=(4,)),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.set_weights(W)
    model.compile(
        optimizers.SGD(0.5),
        "binary_crossentropy",
        metrics=[
            "accuracy",
            metrics.Precision(),
            metrics.Recall(),
            metrics.AUC(),
            metrics.AUC(curve="PR"),
            PositiveRate(),
        ],
    )
    board = callbacks.TensorBoard(LOGDIR, update_freq=3, histogram_freq=1)
    history = model.fit(
        X,
        Y,
        batch_size=8,
        epochs=2,
        shuffle=False,
        verbose=0,
        validation_data=(X[:16], Y[:16]),
        callbacks=[board, PerBatch()],
    )
    scheduled = Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
    scheduled.set_weights([W[0][:, :1], W[3]])
    schedule = optimizers.schedules.ExponentialDecay(0.5, decay_steps=2, decay_rate=0.5)
    scheduled.compile(optimizers.SGD(schedule), "binary_crossentropy", metrics=[metrics.AUC()])
    scheduled.fit(
        X,
        Y,
        batch_size=10,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[callbacks.TensorBoard(os.path.join(LOGDIR, "scheduled"), write_graph=False)],
    )
    return {
        "history": history.history,
        "metrics_names": model.metrics_names,
        "evaluate": arr(model.evaluate(X, Y, batch_size=16, verbose=0)),
        "metric_classes": [type(m).__name__ for m in model.metrics],
    }


# --- every metric on the same inputs ---------------------------------------------------------------------------------
Y_TRUE = np.array([0, 1, 1, 0, 1, 0, 1, 1, 0, 0], "float32")
# ties (0.5 twice, 0.3 for a positive and a negative) and the ends of the range
Y_PRED = np.array([0.1, 0.5, 0.3, 0.5, 0.9, 0.3, 1.0, 0.0, 0.7, 0.2], "float32")
SW = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 0.0, 2.0, 1.0], "float32")
ML_TRUE = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]], "float32")
ML_PRED = np.array(
    [[0.2, 0.8, 0.6], [0.7, 0.3, 0.5], [0.5, 0.5, 0.1], [0.1, 0.4, 0.9], [0.6, 0.2, 0.3]], "float32"
)
CLS_TRUE = np.array([2, 0, 1, 2, 1], "int64")
ONE_HOT = np.eye(3, dtype="float32")[CLS_TRUE]


def metric_cases() -> dict:
    binary = (Y_TRUE[:, None], Y_PRED[:, None], SW)  # as compile hands them over
    flat = (Y_TRUE, Y_PRED, SW)
    multi = (ML_TRUE, ML_PRED, np.array([1.0, 0.5, 2.0, 1.0, 0.0], "float32"))
    specs = [
        ("Accuracy", metrics.Accuracy, {}, (Y_TRUE[:, None], (Y_PRED[:, None] > 0.5) * 1.0, SW)),
        ("BinaryAccuracy", metrics.BinaryAccuracy, {}, binary),
        ("BinaryAccuracy_t", metrics.BinaryAccuracy, {"threshold": 0.3}, binary),
        ("CategoricalAccuracy", metrics.CategoricalAccuracy, {}, (ONE_HOT, ML_PRED, None)),
        (
            "SparseCategoricalAccuracy",
            metrics.SparseCategoricalAccuracy,
            {},
            (CLS_TRUE, ML_PRED, None),
        ),
        ("TopK", metrics.TopKCategoricalAccuracy, {"k": 2}, (ONE_HOT, ML_PRED, None)),
        ("SparseTopK", metrics.SparseTopKCategoricalAccuracy, {"k": 2}, (CLS_TRUE, ML_PRED, None)),
        ("Mean", metrics.Mean, {}, None),
        ("Sum", metrics.Sum, {}, None),
        ("MSE", metrics.MeanSquaredError, {}, binary),
        ("MAE", metrics.MeanAbsoluteError, {}, binary),
        ("RMSE", metrics.RootMeanSquaredError, {}, binary),
        ("RMSE_2d", metrics.RootMeanSquaredError, {}, multi),
        ("TP", metrics.TruePositives, {}, binary),
        ("TP_flat", metrics.TruePositives, {}, flat),
        ("Precision_flat", metrics.Precision, {}, flat),
        ("AUC_flat", metrics.AUC, {}, flat),
        ("AUC_PR_flat", metrics.AUC, {"curve": "PR", "num_thresholds": 5}, flat),
        ("FP", metrics.FalsePositives, {"thresholds": [0.3, 0.5, 0.7]}, binary),
        ("TN", metrics.TrueNegatives, {"thresholds": [0.0, 0.5, 1.0]}, binary),
        ("FN", metrics.FalseNegatives, {"thresholds": 0.3}, binary),
        ("Precision", metrics.Precision, {}, binary),
        ("Precision_list", metrics.Precision, {"thresholds": [0.25, 0.5, 0.75]}, binary),
        ("Precision_even", metrics.Precision, {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, binary),
        ("Precision_top_k", metrics.Precision, {"top_k": 1}, multi),
        ("Precision_class_id", metrics.Precision, {"class_id": 2}, multi),
        ("Recall", metrics.Recall, {}, binary),
        ("Recall_list", metrics.Recall, {"thresholds": [0.3, 0.6]}, binary),
        ("Recall_top_k_class", metrics.Recall, {"top_k": 2, "class_id": 1}, multi),
        ("AUC", metrics.AUC, {}, binary),
        ("SensAtSpec", metrics.SensitivityAtSpecificity, {"specificity": 0.6}, binary),
        (
            "SpecAtSens",
            metrics.SpecificityAtSensitivity,
            {"sensitivity": 0.7, "num_thresholds": 9},
            binary,
        ),
        ("PrecAtRec", metrics.PrecisionAtRecall, {"recall": 0.8}, binary),
        ("RecAtPrec", metrics.RecallAtPrecision, {"precision": 0.75, "class_id": 1}, multi),
        (
            "RecAtPrec_one",
            metrics.RecallAtPrecision,
            {"precision": 0.5, "num_thresholds": 1},
            binary,
        ),
        ("AUC_3", metrics.AUC, {"num_thresholds": 3}, binary),
        ("AUC_PR", metrics.AUC, {"curve": "PR"}, binary),
        ("AUC_PR_11", metrics.AUC, {"curve": "PR", "num_thresholds": 11}, binary),
        ("AUC_minoring", metrics.AUC, {"summation_method": "minoring"}, binary),
        ("AUC_majoring", metrics.AUC, {"summation_method": "majoring", "curve": "PR"}, binary),
        ("AUC_PR_GAIN", metrics.AUC, {"curve": "PR_GAIN", "num_thresholds": 7}, binary),
        ("AUC_thresholds", metrics.AUC, {"thresholds": [0.6, 0.2, 0.4]}, binary),
        ("AUC_PR_thresholds", metrics.AUC, {"thresholds": [0.3, 0.5], "curve": "PR"}, binary),
        ("AUC_logits", metrics.AUC, {"from_logits": True}, (Y_TRUE, (Y_PRED - 0.5) * 6, SW)),
        (
            "AUC_logits_list",
            metrics.AUC,
            {"from_logits": True, "thresholds": [0.5]},
            (Y_TRUE, Y_PRED - 0.5, SW),
        ),
        ("AUC_multi", metrics.AUC, {"multi_label": True}, multi),
        ("AUC_multi_PR", metrics.AUC, {"multi_label": True, "curve": "PR"}, multi),
        (
            "AUC_multi_weights",
            metrics.AUC,
            {"multi_label": True, "num_labels": 3, "label_weights": [1.0, 0.5, 0.0]},
            multi,
        ),
        ("AUC_label_weights", metrics.AUC, {"label_weights": [1.0, 0.5, 2.0]}, multi),
    ]
    out = {}
    for case, cls, kwargs, data in specs:
        m = cls(name=f"m_{case.lower()}", **kwargs)
        if data is None:  # the reducing metrics take values
            m.update_state(Y_PRED, sample_weight=SW)
            m.update_state(np.array([2.0, 4.0], "float32"))
        else:
            y_t, y_p, sw = data
            m.update_state(y_t, y_p)
            m.update_state(y_t, y_p, sample_weight=sw)
        result = arr(m.result())
        variables = [(v.name, arr(v)) for v in m.variables]
        m.reset_state()
        out[case] = {
            "result": result,
            "after_reset": arr(m.result()),
            "config": config(m),
            "variables": [name for name, _ in variables],
            "state": [value for _, value in variables],
        }
    user = PositiveRate()
    user.update_state(Y_TRUE, Y_PRED)
    out["user_metric"] = {
        "result": arr(user.result()),
        "config": config(user),
        "variables": [v.name for v in user.variables],
    }
    user.reset_states()
    out["user_metric"]["after_reset"] = [arr(v) for v in user.variables]
    mean = metrics.Mean()
    mean.update_state([1.0, 3.0])
    out["mean_count"] = [arr(mean.count), arr(mean.total), [v.name for v in mean.variables]]
    return out


# --- every loss ----------------------------------------------------------------------------------------------------
L_TRUE = np.array([[0.0, 1.0, 0.5], [2.0, -1.0, 0.25], [1.0, 1.0, 0.0]], "float32")
L_PRED = np.array([[0.3, 0.6, 1.9], [1.1, -0.4, 0.2], [0.9, 2.5, -0.7]], "float32")
L_POS = np.abs(L_PRED) / 3 + 0.05
L_BIN = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]], "float32")
L_PM = 2 * L_BIN - 1
L_PROBS = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.25, 0.5]], "float32")
L_SW = np.array([1.0, 0.5, 2.0], "float32")


def loss_cases() -> dict:
    specs = [
        ("Huber", losses.Huber, {}, (L_TRUE, L_PRED)),
        ("Huber_delta", losses.Huber, {"delta": 0.4}, (L_TRUE, L_PRED)),
        ("KLDivergence", losses.KLDivergence, {}, (L_PROBS, L_POS)),
        ("Poisson", losses.Poisson, {}, (np.abs(L_TRUE), L_POS)),
        ("CosineSimilarity", losses.CosineSimilarity, {}, (L_TRUE, L_PRED)),
        ("CosineSimilarity_axis0", losses.CosineSimilarity, {"axis": 0}, (L_TRUE, L_PRED)),
        ("LogCosh", losses.LogCosh, {}, (L_TRUE, L_PRED)),
        ("Hinge_01", losses.Hinge, {}, (L_BIN, L_PRED)),
        ("Hinge_pm", losses.Hinge, {}, (L_PM, L_PRED)),
        ("Hinge_other", losses.Hinge, {}, (L_TRUE, L_PRED)),
        ("SquaredHinge", losses.SquaredHinge, {}, (L_BIN, L_PRED)),
        ("CategoricalHinge", losses.CategoricalHinge, {}, (np.eye(3, dtype="float32"), L_PRED)),
        ("MAPE", losses.MeanAbsolutePercentageError, {}, (L_TRUE, L_PRED)),
        ("MSLE", losses.MeanSquaredLogarithmicError, {}, (np.abs(L_TRUE), np.abs(L_PRED))),
        ("MSE", losses.MeanSquaredError, {}, (L_TRUE, L_PRED)),
        ("MAE", losses.MeanAbsoluteError, {}, (L_TRUE, L_PRED)),
        ("BCE", losses.BinaryCrossentropy, {}, (L_BIN, L_POS)),
        (
            "BCE_logits_smooth",
            losses.BinaryCrossentropy,
            {"from_logits": True, "label_smoothing": 0.2},
            (L_BIN, L_PRED),
        ),
        ("BCE_smooth", losses.BinaryCrossentropy, {"label_smoothing": 0.1}, (L_BIN, L_POS)),
        ("CCE", losses.CategoricalCrossentropy, {}, (np.eye(3, dtype="float32"), L_PROBS)),
        (
            "CCE_logits_smooth",
            losses.CategoricalCrossentropy,
            {"from_logits": True, "label_smoothing": 0.3},
            (np.eye(3, dtype="float32"), L_PRED),
        ),
        (
            "SCCE_logits",
            losses.SparseCategoricalCrossentropy,
            {"from_logits": True},
            (np.array([2, 0, 1]), L_PRED),
        ),
    ]
    out = {}
    for case, cls, kwargs, (y_t, y_p) in specs:
        row = {"config": config(cls(**kwargs))}
        for reduction in ("auto", "none", "sum", "sum_over_batch_size"):
            loss = cls(reduction=reduction, **kwargs)
            row[reduction] = arr(loss(y_t, y_p))
            row[reduction + "_weighted"] = arr(loss(y_t, y_p, sample_weight=L_SW))
        out[case] = row
    fns = {}
    for name in (
        "huber",
        "kld",
        "kl_divergence",
        "kullback_leibler_divergence",
        "poisson",
        "cosine_similarity",
        "log_cosh",
        "logcosh",
        "hinge",
        "squared_hinge",
        "categorical_hinge",
        "mape",
        "msle",
    ):
        fn = losses.get(name)
        y_t = L_PROBS if name in ("kld", "kl_divergence", "kullback_leibler_divergence") else L_BIN
        fns[name] = {"name": fn.__name__, "value": arr(fn(y_t, L_POS))}
    out["functions"] = fns
    return out


def errors() -> dict:
    return {
        "auc_curve": error(lambda: metrics.AUC(curve="XY")),
        "auc_summation": error(lambda: metrics.AUC(summation_method="mid")),
        "auc_num_thresholds": error(lambda: metrics.AUC(num_thresholds=1)),
        "auc_num_labels": error(lambda: metrics.AUC(num_labels=3)),
        "auc_rank": error(
            lambda: metrics.AUC(multi_label=True).update_state(
                np.zeros((2, 2, 2)), np.zeros((2, 2, 2))
            )
        ),
        "sens_at_spec_range": error(lambda: metrics.SensitivityAtSpecificity(1.5)),
        "prec_at_recall_thresholds": error(
            lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=0)
        ),
        "precision_thresholds": error(lambda: metrics.Precision(thresholds=[0.5, 1.5])),
        "recall_threshold_negative": error(lambda: metrics.Recall(thresholds=-0.1)),
        "loss_reduction": error(lambda: losses.Huber(reduction="mean")),
        "loss_unknown": error(lambda: losses.get("huberr")),
        "metric_unknown": error(lambda: metrics.get("precison")),
        "user_metric_kwarg": error(lambda: PositiveRate(colour="red")),
        "tensorboard_kwargs": error(lambda: callbacks.TensorBoard(LOGDIR, colour="red")),
        "tensorboard_profile": error(lambda: callbacks.TensorBoard(LOGDIR, profile_batch=(3, 1))),
    }


def read_logs(logdir: str) -> dict:
    """Every tensor summary of train/ and validation/ (run -> tag -> [(step, value)]), by TensorBoard's reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    out = {}
    for run in ("train", "validation", "scheduled/train"):
        acc = EventAccumulator(os.path.join(logdir, run), size_guidance={"tensors": 0})
        acc.Reload()
        tags = {}
        for tag in acc.Tags()["tensors"]:
            rows = []
            for event in acc.Tensors(tag):
                value = tensor_util.make_ndarray(event.tensor_proto)
                if value.dtype.kind in "SO":
                    value = json.loads(value.item())["class_name"]
                else:
                    value = value.astype(np.float64).tolist()
                rows.append([event.step, value])
            tags[tag] = rows
        out[run] = tags
    return out


result = {"fit": fit_case(), "metrics": metric_cases(), "losses": loss_cases(), "errors": errors()}
if TF:
    result["tensorboard"] = {"tf": read_logs(LOGDIR), "fittrace": read_logs(sys.argv[3])}
print(json.dumps(result))
