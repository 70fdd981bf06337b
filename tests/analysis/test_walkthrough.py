"""What the report's sections print, prepared from real traced runs: ``fittrace/analysis/walkthrough.py``."""

from __future__ import annotations

import numpy as np
from sample_runs import functional_run

from fittrace.analysis.walkthrough import built_when, explorer_rows, walkthrough
from fittrace.tracing.document import Trace
from fittrace.tracing.events import Event
from fittrace.tracing.snapshots import make_payload


def test_the_model_section_lists_every_layer_with_its_connections(tmp_path):
    run, _ = functional_run(tmp_path)
    graphs = walkthrough(run.trace)["graphs"]
    assert [g["model"] for g in graphs] == ["siamese"]
    g = graphs[0]
    assert g["shared"] == ["shared"] and g["nested"] == ["encoder"]
    assert (
        "a graph with branches or merges" in g["summary"]
        and "nested model(s) encoder" in g["summary"]
    )
    rows = {r["name"]: r for r in g["rows"]}
    assert rows["shared"]["nodes"] == 2 and rows["shared"]["connected"] == ["a[0][0]", "b[0][0]"]
    assert (rows["inner_dense"]["depth"], rows["inner_dense"]["model"]) == (1, "encoder")
    assert rows["encoder"]["nested"] and rows["encoder"]["built"] == ""  # its layers say when
    assert rows["a"]["is_input"] and rows["a"]["built"] == ""
    assert rows["out"]["built"] == "when the model was constructed (called on a KerasTensor)"


def test_when_the_weights_came_to_exist_in_a_lazy_sequential(user_layer_trace):
    run, _ = user_layer_trace
    events = list(run.trace.events)
    when = built_when(events, run.trace.events_by_seq)
    assert when == {
        name: "at the first fit step (epoch 0, step 0), as the graph network was built"
        for name in ("scale", "dense", "dense_1")
    }
    built = walkthrough(run.trace)["layers_built"]
    assert [b["when"] for b in built] == [when["scale"], when["dense"], when["dense_1"]]


def test_the_adapter_section_says_when_the_data_stands_in_for_a_dataset(tmp_path):
    import numpy as np

    import fittrace
    import fittrace.keras as keras

    ds = keras.utils.timeseries_dataset_from_array(
        np.zeros((12, 2), "float32"), np.zeros(12, "float32"), 4, batch_size=4
    )
    model = keras.models.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=tmp_path / "ts.trace.jsonl") as run:
        model.fit(ds, epochs=1, verbose=0)
    note = walkthrough(run.trace)["stand_in"]
    assert note.startswith(
        "This data came from timeseries_dataset_from_array; real Keras returns a "
    )
    assert "tf.data.Dataset there and would use its DatasetAdapter" in note
    assert "fit's shuffle is ignored" in note
    plain, _ = functional_run(tmp_path)
    assert walkthrough(plain.trace)["stand_in"] is None


def test_the_explorer_leaves_a_snapshots_values_to_its_picture():
    payload = make_payload(np.zeros((4, 4)), 100, [], role="kernel", moment="epoch_end")
    t = Trace({}, [Event(seq=0, kind="tensor_snapshot", name="kernel", t=0, data=payload)])
    (row,), omitted = explorer_rows(t)
    assert (
        omitted == 0
        and row[-1]["data"] == f"{len(payload['data'])} characters of base64, drawn in The tensors"
    )
    assert row[-1]["shape"] == [4, 4] and payload["data"] != row[-1]["data"]
