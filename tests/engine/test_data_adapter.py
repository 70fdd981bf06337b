"""DataHandler and the adapters: verdicts, Keras's errors, steps, partial batch, shuffling, weights, and nested
x, y and sample weights (several inputs and outputs)."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace.engine import data_adapter as da
from fittrace.seeding import set_random_seed
from fittrace.tracing.recorder import Recorder
from fittrace.utils.data_utils import Sequence
from fittrace.utils.np_utils import to_categorical


def _batches(handler, epochs=None):
    out = []
    for epoch, it in handler.enumerate_epochs():
        with handler.catch_stop_iteration():
            for _ in handler.steps():
                out.append((epoch, next(it)))
    return out


def test_article_numbers_469_steps_last_96():
    h = da.DataHandler(
        np.zeros((60000, 1), "float32"), np.zeros(60000, "uint8"), batch_size=128, epochs=1
    )
    a = h._adapter
    assert type(a).__name__ == "TensorLikeDataAdapter"
    assert (h.inferred_steps, a.batch_size(), a.partial_batch_size()) == (469, 128, 96)


def test_default_batch_size_is_32_and_dtypes():
    x = np.arange(1000, dtype="float64").reshape(1000, 1)
    h = da.DataHandler(x, np.zeros(1000, "uint8"))
    assert h.inferred_steps == 32
    ((_, (bx, by)),) = _batches(h)[:1]
    assert bx.dtype == np.float32 and by.dtype == np.uint8 and len(bx) == 32


def test_no_adapter_found_uses_keras_message():
    with pytest.raises(
        ValueError,
        match=r"^Failed to find data adapter that can handle input: <class 'set'>, "
        r"<class 'NoneType'>$",
    ):
        da.select_data_adapter({1, 2}, None)
    with pytest.raises(
        ValueError, match=r"\(<class 'dict'> containing \{\"<class 'str'>\"\} keys and "
    ):
        da.select_data_adapter({"a": object()}, None)


def test_every_candidate_recorded_with_a_verdict():
    rec = Recorder("full").start()
    da.select_data_adapter(np.zeros((2, 2)), np.zeros(2))
    rec.stop()
    verdicts = [(e.data["class"], e.data["accepted"]) for e in rec.events]
    assert [c for c, _ in verdicts] == [c.__name__ for c in da.ALL_ADAPTER_CLS]
    assert [c for c, ok in verdicts if ok] == ["TensorLikeDataAdapter"]
    assert all(e.data["reason"] for e in rec.events)
    assert (
        "tf.data.Dataset"
        in [e for e in rec.events if e.data["class"] == "DatasetAdapter"][0].data["would_take"]
    )


@pytest.mark.parametrize(
    "x,y,adapter",
    [
        ([1.0, 2.0, 3.0], [0, 1, 0], "ListsOfScalarsDataAdapter"),
        ({"a": np.zeros((4, 2))}, np.zeros(4), "TensorLikeDataAdapter"),
        ((np.zeros((4, 2)), np.zeros((4, 3))), np.zeros(4), "TensorLikeDataAdapter"),
    ],
)
def test_adapter_choice(x, y, adapter):
    assert da.select_data_adapter(x, y).__name__ == adapter


class _ArrayLike:
    """An array-like that counts what it was asked for (to prove lazy slicing)."""

    def __init__(self, data):
        self.data, self.requests = data, []
        self.shape, self.dtype = data.shape, data.dtype

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        self.requests.append(idx)
        return self.data[idx]


def test_generic_array_like_is_sliced_per_batch():
    x = _ArrayLike(np.arange(10, dtype="float32").reshape(10, 1))
    h = da.DataHandler(x, np.arange(10), batch_size=4, shuffle=True)
    assert type(h._adapter).__name__ == "GenericArrayLikeDataAdapter"
    got = _batches(h)
    assert [len(b[1][0]) for b in got] == [4, 4, 2]
    assert len(x.requests) == 3 and all(len(r) <= 4 for r in x.requests)
    rows = np.concatenate([b[1][0][:, 0] for b in got])
    labels = np.concatenate([b[1][1] for b in got])
    np.testing.assert_array_equal(rows, labels)  # rows stay with their labels


def test_h5py_dataset_goes_through_generic_adapter(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "d.h5", "w") as f:
        f["x"] = np.arange(12, dtype="float32").reshape(6, 2)
        f["y"] = np.arange(6)
    with h5py.File(tmp_path / "d.h5", "r") as f:
        h = da.DataHandler(f["x"], f["y"], batch_size=4, shuffle=True)
        got = _batches(h)
    assert type(h._adapter).__name__ == "GenericArrayLikeDataAdapter"
    for _, (bx, by) in got:
        np.testing.assert_array_equal(bx[:, 0] / 2, by)


def test_shuffle_true_new_permutation_each_epoch_partial_last():
    x = np.arange(10).reshape(10, 1).astype("float32")
    h = da.DataHandler(x, np.arange(10), batch_size=4, epochs=2, shuffle=True)
    got = _batches(h)
    e0 = np.concatenate([b[0][:, 0] for e, b in got if e == 0])
    e1 = np.concatenate([b[0][:, 0] for e, b in got if e == 1])
    assert sorted(e0) == sorted(e1) == list(range(10)) and not np.array_equal(e0, e1)
    assert [len(b[0]) for _, b in got] == [4, 4, 2, 4, 4, 2]


def test_shuffle_false_is_in_order():
    x = np.arange(6).reshape(6, 1).astype("float32")
    got = _batches(da.DataHandler(x, np.arange(6), batch_size=4, shuffle=False))
    assert [b[0][:, 0].tolist() for _, b in got] == [[0, 1, 2, 3], [4, 5]]


def test_shuffle_batch_keeps_rows_aligned():
    x = np.arange(40).reshape(40, 1).astype("float32")
    got = _batches(da.DataHandler(x, np.arange(40), batch_size=8, shuffle="batch"))
    for _, (bx, by) in got:
        np.testing.assert_array_equal(bx[:, 0], by)
        assert bx[:, 0].max() - bx[:, 0].min() < 8  # a contiguous batch, rows reordered inside
    assert [int(b[0][:, 0].min()) // 8 for _, b in got] != [0, 1, 2, 3, 4]


def test_cardinality_error_is_keras_text():
    with pytest.raises(ValueError) as err:
        da.DataHandler(np.zeros((64, 2)), np.zeros(60))
    assert str(err.value) == (
        "Data cardinality is ambiguous:\n  x sizes: 64\n  y sizes: 60\n"
        "Make sure all arrays contain the same number of samples."
    )


@pytest.mark.parametrize(
    "kwargs,exc,message",
    [
        ({"batch_size": 0}, ValueError, "Expected batch_size to be positive. Received is 0."),
        ({"epochs": 0}, ValueError, "Expected epochs to be positive. Received is 0."),
        (
            {"initial_epoch": -1},
            ValueError,
            "Expected initial_epoch to be non-negative. Received is -1.",
        ),
        (
            {"batch_size": 12.5},
            TypeError,
            "`batch_size` must be a whole number, but received batch_size=12.5",
        ),
        ({"epochs": "5"}, TypeError, "`epochs` must be a whole number, but received epochs='5'"),
        (
            {"steps_per_epoch": 0},
            ValueError,
            "steps_per_epoch must be positive, None or -1. Received 0.",
        ),
    ],
)
def test_argument_checks(kwargs, exc, message):
    with pytest.raises(
        exc, match=message.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")
    ):
        da.DataHandler(np.zeros((4, 2)), np.zeros(4), **kwargs)


def test_non_numeric_input_is_plain():
    with pytest.raises(
        TypeError, match=r"Input y has dtype <U1 \(text\), but fittrace takes numbers only here"
    ):
        da.DataHandler(np.zeros((2, 1)), np.array(["a", "b"]))
    with pytest.raises(
        TypeError,
        match=r"Input x has dtype object \(objects\), but fittrace takes numbers or text only",
    ):
        da.DataHandler(np.array([[{}], [None]], dtype=object), np.zeros(2))


def test_text_inputs_pass_through_as_text():
    """Keras takes string arrays as ``tf.string`` inputs (for the text layers): batches keep them as text."""
    x = np.array([["a b"], ["c"], ["d e f"]])
    handler = da.DataHandler(x, np.zeros(3), batch_size=2)
    batches = [b for _, it in handler.enumerate_epochs() for b in it]
    assert batches[0][0].dtype.kind == "U" and batches[0][0].tolist() == [["a b"], ["c"]]
    objects = np.array([["a"], [b"b"]], dtype=object)
    handler = da.DataHandler(objects, np.zeros(2))
    assert [b for _, it in handler.enumerate_epochs() for b in it][0][0].tolist() == [["a"], [b"b"]]


def test_validation_split_takes_the_tail():
    x, y = np.arange(10).reshape(10, 1), np.arange(10)
    (tx, ty, _), (vx, vy, _) = da.train_validation_split((x, y, None), 0.2)
    assert ty.tolist() == list(range(8)) and vy.tolist() == [8, 9]
    with pytest.raises(
        ValueError, match=r"Training data contains 1 samples, which is not sufficient to split it"
    ):
        da.train_validation_split((x[:1], y[:1], None), 0.5)
    with pytest.raises(ValueError, match=r"validation_split must be a fraction in \[0, 1\)"):
        da.train_validation_split((x, y, None), 1.5)
    with pytest.raises(
        ValueError, match="`validation_split` is only supported for Tensors or NumPy arrays"
    ):
        da.train_validation_split(([1, 2, 3], None, None), 0.5)


def test_class_weight_and_sample_weight():
    x, y = np.zeros((4, 1), "float32"), np.array([0, 1, 1, 0])
    h = da.DataHandler(
        x,
        y,
        sample_weight=np.array([1.0, 2.0, 3.0, 4.0]),
        class_weight={0: 1.0, 1: 10.0},
        batch_size=4,
    )
    ((_, (_, _, sw)),) = _batches(h)
    np.testing.assert_allclose(sw, [1.0, 20.0, 30.0, 4.0])
    with pytest.raises(
        ValueError, match="Expected `class_weight` to be a dict with keys from 0 to one less"
    ):
        da.DataHandler(x, y, class_weight={1: 1.0, 2: 1.0})


def test_generator_steps_learned_then_insufficient_data(capsys):
    def gen():
        for i in range(3):
            yield np.full((2, 1), i, "float32"), np.zeros(2)

    h = da.DataHandler(gen(), epochs=2)
    assert type(h._adapter).__name__ == "GeneratorDataAdapter" and h.inferred_steps is None
    got = _batches(h)
    assert len(got) == 3 and h.inferred_steps == 3
    captured = capsys.readouterr()
    assert (
        "Your input ran out of data; interrupting training." in captured.err
        and "ran out" not in captured.out
    )


def test_generator_wrong_structure_is_plain():
    def bad():
        yield (np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2))

    with pytest.raises(ValueError, match="yielded a tuple of 4 items"):
        da.DataHandler(bad())

    def scalar():
        yield 3

    with pytest.raises(ValueError, match=r"yielded 3 \(a int\), not a batch"):
        da.DataHandler(scalar())


class _Seq(Sequence):
    def __init__(self):
        self.ends = 0

    def __len__(self):
        return 3

    def __getitem__(self, i):
        return np.full((2, 1), i, "float32"), np.full(2, i)

    def on_epoch_end(self):
        self.ends += 1


def test_sequence_batches_by_index_and_epoch_end():
    seq = _Seq()
    h = da.DataHandler(seq, epochs=2, shuffle=False)
    got = _batches(h)
    assert [int(b[1][0]) for _, b in got] == [0, 1, 2, 0, 1, 2] and seq.ends == 2
    h = da.DataHandler(_Seq(), epochs=1, shuffle=True)
    assert sorted(int(b[1][0]) for _, b in _batches(h)) == [0, 1, 2]


def test_steps_per_execution_sequence():
    h = da.DataHandler(np.zeros((8, 1)), np.zeros(8), batch_size=1, steps_per_execution=3)
    seen = []
    for _, _ in h.enumerate_epochs():
        for step in h.steps():
            seen.append((step, step + h.step_increment))
    assert seen == [(0, 2), (3, 5), (6, 7)]


def test_unpack_and_to_categorical():
    assert da.unpack_x_y_sample_weight((1, 2)) == (1, 2, None)
    with pytest.raises(
        ValueError, match="Data is expected to be in format `x`, `\\(x,\\)`, `\\(x, y\\)`"
    ):
        da.unpack_x_y_sample_weight((1, 2, 3, 4))
    np.testing.assert_array_equal(to_categorical([[1], [0]], 3), [[0, 1, 0], [1, 0, 0]])


# --- several inputs and outputs ------------------------------------------------------------------------------------
def _rows(n=10):
    """Arrays whose values are their row numbers, so a batch shows which rows it took from each."""
    r = np.arange(n, dtype="float32")
    return {
        "x1": r.reshape(n, 1),
        "x2": np.stack([r, r], axis=1),
        "y1": r.astype("int64"),
        "y2": (r * 10).reshape(n, 1),
    }


def test_nested_x_and_y_batch_together_with_lists_made_tuples_and_a_partial_batch():
    d = _rows()
    h = da.DataHandler([d["x1"], d["x2"]], {"a": d["y1"], "b": d["y2"]}, batch_size=4)
    assert (h.inferred_steps, h._adapter.partial_batch_size()) == (3, 2)
    batches = [b for _, b in _batches(h)]
    (x, y), last = batches[0], batches[-1]
    assert isinstance(x, tuple) and set(y) == {"a", "b"}
    assert x[0][:, 0].tolist() == x[1][:, 1].tolist() == y["a"].tolist() == [0, 1, 2, 3]
    assert len(last[0][0]) == len(last[1]["b"]) == 2


def test_shuffling_keeps_the_rows_of_every_array_together():
    set_random_seed(3)
    d = _rows(12)
    for shuffle in (True, "batch"):
        h = da.DataHandler(
            {"a": d["x1"], "b": d["x2"]},
            [d["y1"], d["y2"]],
            sample_weight=[d["x1"][:, 0], None],
            batch_size=5,
            shuffle=shuffle,
        )
        seen = []
        for _, (x, y, sw) in _batches(h):
            rows = x["a"][:, 0]
            assert rows.tolist() == x["b"][:, 0].tolist() == y[0].tolist() == sw[0].tolist()
            assert (y[1][:, 0] == rows * 10).all() and (sw[1] == 1.0).all()  # None became ones
            seen += rows.tolist()
        assert sorted(seen) == list(range(12)) and seen != list(range(12))


def test_cardinality_message_lists_every_array_in_flatten_order():
    d = _rows()
    with pytest.raises(ValueError) as err:
        da.DataHandler(
            {"b": d["x1"][:9], "a": d["x1"]}, [d["y1"], d["y2"]], sample_weight=[d["y1"], None]
        )
    assert str(err.value) == (
        "Data cardinality is ambiguous:\n  x sizes: 10, 9\n  y sizes: 10, 10\n"
        "  sample_weight sizes: 10, 10\nMake sure all arrays contain the same number of samples."
    )
    with pytest.raises(
        ValueError, match=r"^Data cardinality is ambiguous:\n  x sizes: 10, 9\nMake"
    ):
        da.DataHandler([d["x1"], d["x1"][:9]])  # predict's data: no y


def test_validation_split_of_nested_data_takes_the_tail_of_each_array():
    d = _rows()
    (tx, ty, tsw), (vx, vy, vsw) = da.train_validation_split(
        ([d["x1"], d["x2"]], {"a": d["y1"]}, None), 0.2
    )
    assert [len(a) for a in tx] == [8, 8] and vy["a"].tolist() == [8, 9]
    assert vx[1][:, 0].tolist() == [8.0, 9.0] and tsw is None and vsw is None


def test_class_weight_refuses_nested_targets_with_keras_message():
    d = _rows(4)
    h = da.DataHandler(d["x1"], [d["y1"]], class_weight={0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0})
    with pytest.raises(ValueError) as err:
        _batches(h)
    assert str(err.value) == "`class_weight` is only supported for Models with a single output."


def test_single_batch_iterator_takes_nested_data_whole():
    d = _rows(6)
    ((x, y),) = list(da.single_batch_iterator([d["x1"], d["x2"]], {"b": d["y2"]}))
    assert isinstance(x, tuple) and x[1].dtype == np.float32 and y["b"].shape == (6, 1)
    with pytest.raises(
        ValueError, match=r"^Data cardinality is ambiguous:\n  x sizes: 6, 6\n  y sizes: 5"
    ):
        da.single_batch_iterator([d["x1"], d["x2"]], [d["y1"][:5]])


def test_a_dataset_stand_in_is_recorded_as_such_and_orders_itself():
    from fittrace.utils.timeseries_dataset import timeseries_dataset_from_array

    ds = timeseries_dataset_from_array(
        np.arange(20.0).reshape(10, 2), np.arange(10.0), 3, batch_size=2
    )
    rec = Recorder("full").start()
    h = da.DataHandler(ds, epochs=2, shuffle=True)
    got = _batches(h)
    rec.stop()
    selected = [e for e in rec.events if e.kind == "adapter_selected"][0].data
    assert selected["class"] == "KerasSequenceAdapter"
    assert selected["stands_in_for"] == {
        "made_by": "timeseries_dataset_from_array",
        "keras_returns": "tf.data.Dataset",
        "keras_adapter": "DatasetAdapter",
        "fit_shuffle_ignored": True,
    }
    # fit's shuffle=True did not reorder the batches: both epochs go in the stand-in's own order
    firsts = [b[1].tolist() for e, b in got if e == 0]
    assert firsts == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]
    assert firsts == [b[1].tolist() for e, b in got if e == 1]


def test_a_plain_sequence_has_no_stand_in_fact():
    class Two(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros((3, 1), "float32"), np.zeros(3)

    rec = Recorder("full").start()
    da.DataHandler(Two(), epochs=1)
    rec.stop()
    selected = [e for e in rec.events if e.kind == "adapter_selected"][0].data
    assert "stands_in_for" not in selected
