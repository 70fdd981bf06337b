"""The confusion-matrix metrics: ``fittrace/metrics/confusion_metrics.py``, checked against counts made by hand."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import metrics

Y_TRUE = np.array([0, 1, 1, 0, 1, 0, 1, 1], dtype="float32")
Y_PRED = np.array([0.1, 0.8, 0.4, 0.6, 0.9, 0.3, 0.55, 0.2], dtype="float32")
SW = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 0.0], dtype="float32")


def _counts(threshold: float, w: np.ndarray | None = None) -> dict[str, float]:
    w = np.ones_like(Y_TRUE) if w is None else w
    pos, lab = Y_PRED > threshold, Y_TRUE == 1
    return {
        "tp": float(w[pos & lab].sum()),
        "fp": float(w[pos & ~lab].sum()),
        "tn": float(w[~pos & ~lab].sum()),
        "fn": float(w[~pos & lab].sum()),
    }


@pytest.mark.parametrize(
    "cls,key",
    [
        (metrics.TruePositives, "tp"),
        (metrics.FalsePositives, "fp"),
        (metrics.TrueNegatives, "tn"),
        (metrics.FalseNegatives, "fn"),
    ],
)
def test_the_four_counts_at_one_and_at_several_thresholds(cls, key):
    m = cls()
    m.update_state(Y_TRUE, Y_PRED, sample_weight=SW)
    assert m.result() == pytest.approx(_counts(0.5, SW)[key])
    several = cls(thresholds=[0.25, 0.5, 0.75])
    several.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(several.result(), [_counts(t)[key] for t in (0.25, 0.5, 0.75)])
    several.reset_state()
    np.testing.assert_array_equal(several.result(), [0, 0, 0])


def test_precision_and_recall_from_the_counts():
    c = _counts(0.5, SW)
    p, r = metrics.Precision(), metrics.Recall()
    p.update_state(Y_TRUE, Y_PRED, sample_weight=SW)
    r.update_state(Y_TRUE[:, None], Y_PRED[:, None], sample_weight=SW)
    assert p.result() == pytest.approx(c["tp"] / (c["tp"] + c["fp"]))
    assert r.result() == pytest.approx(c["tp"] / (c["tp"] + c["fn"]))
    assert [v.name for v in p.variables] == ["true_positives:0", "false_positives:0"]
    assert [v.name for v in r.variables] == ["true_positives:0", "false_negatives:0"]
    assert metrics.Precision().result() == 0.0  # nothing seen: divide_no_nan


def test_top_k_and_class_id_pick_what_counts():
    y_true = np.array([[0, 0, 1, 1], [1, 0, 0, 1]], dtype="float32")
    y_pred = np.array([[0.9, 0.2, 0.8, 0.1], [0.3, 0.7, 0.6, 0.9]], dtype="float32")
    top2 = metrics.Precision(top_k=2)  # row 0 keeps 0.9, 0.8; row 1 keeps 0.9, 0.7; threshold -inf
    top2.update_state(y_true, y_pred)
    assert top2.result() == pytest.approx(2 / 4)
    second = metrics.Recall(class_id=3)  # column 3: labels 1, 1; predictions 0.1, 0.9
    second.update_state(y_true, y_pred)
    assert second.result() == pytest.approx(0.5)


def test_thresholds_out_of_range_are_refused_with_keras_message():
    with pytest.raises(
        ValueError, match=r"Threshold values must be in \[0, 1\]. Received: \[1.5\]"
    ):
        metrics.Precision(thresholds=[0.5, 1.5])


def _roc_auc_by_hand(y: np.ndarray, p: np.ndarray, thresholds: np.ndarray) -> float:
    tpr = np.array([(p[y == 1] > t).mean() for t in thresholds])
    fpr = np.array([(p[y == 0] > t).mean() for t in thresholds])
    return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


def test_auc_roc_is_the_trapezoid_sum_over_its_thresholds():
    auc = metrics.AUC()
    auc.update_state(Y_TRUE, Y_PRED)
    thresholds = np.array(auc.thresholds)
    assert len(thresholds) == 200 and thresholds[0] < 0 < 1 < thresholds[-1]
    assert auc.result() == pytest.approx(_roc_auc_by_hand(Y_TRUE, Y_PRED, thresholds), abs=1e-6)
    # with so few distinct scores the curve is exact: the share of (positive, negative) pairs ranked right
    pos, neg = Y_PRED[Y_TRUE == 1], Y_PRED[Y_TRUE == 0]
    assert auc.result() == pytest.approx(np.mean(pos[:, None] > neg[None, :]), abs=1e-6)


def test_auc_given_thresholds_compares_each_prediction_and_keeps_them_in_the_config():
    auc = metrics.AUC(thresholds=[0.5, 0.25, 0.75])
    assert auc.num_thresholds == 5 and auc.get_config()["thresholds"] == [0.25, 0.5, 0.75]
    auc.update_state(Y_TRUE, Y_PRED)
    assert auc.result() == pytest.approx(
        _roc_auc_by_hand(Y_TRUE, Y_PRED, np.array(auc.thresholds)), abs=1e-6
    )


def test_auc_summation_methods_order_as_they_should():
    values = {}
    for method in ("minoring", "interpolation", "majoring"):
        m = metrics.AUC(num_thresholds=5, summation_method=method)
        m.update_state(Y_TRUE, Y_PRED)
        values[method] = m.result()
    assert values["minoring"] <= values["interpolation"] <= values["majoring"]
    assert values["minoring"] < values["majoring"]


def test_auc_multi_label_averages_the_labels_or_weighs_them():
    y = np.stack([Y_TRUE, 1 - Y_TRUE], axis=1)
    p = np.stack([Y_PRED, 1 - Y_PRED], axis=1)
    both = metrics.AUC(multi_label=True)
    both.update_state(y, p)
    one = metrics.AUC()
    one.update_state(Y_TRUE, Y_PRED)
    assert both.result() == pytest.approx(one.result(), abs=1e-6)  # the second label is the mirror
    assert both.true_positives.shape == (200, 2)
    weighted = metrics.AUC(multi_label=True, num_labels=2, label_weights=[1.0, 0.0])
    weighted.update_state(y, np.stack([Y_PRED, np.full(8, 0.5, "float32")], axis=1))
    assert weighted.result() == pytest.approx(one.result(), abs=1e-6)


def test_auc_from_logits_applies_the_sigmoid():
    logits = np.log(Y_PRED / (1 - Y_PRED))
    a, b = metrics.AUC(from_logits=True), metrics.AUC()
    a.update_state(Y_TRUE, logits)
    b.update_state(Y_TRUE, Y_PRED)
    assert a.result() == pytest.approx(b.result(), abs=1e-6)


def test_auc_pr_interpolation_is_between_the_rectangle_sums():
    pr = {}
    for method in ("minoring", "interpolation", "majoring"):
        m = metrics.AUC(curve="PR", summation_method=method, num_thresholds=11)
        m.update_state(Y_TRUE, Y_PRED, sample_weight=SW)
        pr[method] = m.result()
    assert pr["minoring"] <= pr["interpolation"] <= pr["majoring"]


def test_auc_argument_checks_say_what_keras_says():
    with pytest.raises(ValueError, match='Invalid AUC curve value: "XY"'):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match='Invalid AUC summation method value: "mid"'):
        metrics.AUC(summation_method="mid")
    with pytest.raises(ValueError, match="Argument `num_thresholds` must be an integer > 1"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="`num_labels` is needed only when `multi_label` is True"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="`y_pred` must have rank 2 when `multi_label=True`"):
        metrics.AUC(multi_label=True).update_state(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


def test_the_metrics_resolve_by_class_name_and_round_trip_their_configs():
    for name in ("AUC", "Precision", "Recall", "TruePositives", "FalseNegatives"):
        m = metrics.get(name)
        again = type(m).from_config(m.get_config())
        assert again.get_config() == m.get_config()
