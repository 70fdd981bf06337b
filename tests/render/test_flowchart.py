"""The fit flowchart as DOT, drawn by a real Graphviz: ``fittrace/render/flowchart.py``."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

from fittrace.render.flowchart import flowchart_dot


def test_flowchart_structure(user_layer_trace, dot_program):
    run, _ = user_layer_trace
    flow = flowchart_dot(run.trace)
    assert "× 3" in flow and "× 2" in flow and "batch 128" in flow and "last batch 112" in flow
    assert flow.count('color="#c62828"') >= 8  # the training path in red
    out = subprocess.run([dot_program, "-Tsvg"], input=flow.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)


def _cluster_nodes(flow: str) -> str:
    start = flow.index("subgraph cluster_model {")
    return flow[start : flow.index("\n      }\n", start)]


def test_the_training_path_runs_through_the_models_graph(tmp_path, dot_program):
    from sample_runs import functional_run

    import fittrace

    _, path = functional_run(tmp_path)
    flow = flowchart_dot(fittrace.load(path).trace)
    model = _cluster_nodes(flow)
    assert "self(x, training=True): Functional 'siamese'" in model
    for name in ("<B>a</B>", "<B>b</B>", "<B>shared</B>", "<B>out</B>", "<B>inner_dense</B>"):
        assert name in model, name
    assert "×2 nodes" in model and "nested model 'encoder'" in model
    ids = dict(re.findall(r"(layer\d+) \[label=<(?:Input&#160;)?<B>(\w+)</B>", model))
    ids = {name: nid for nid, name in ids.items()}
    # the data enters at both inputs and leaves from the output, on the red path
    assert f"ts -> {ids['a']} " in flow and f"ts -> {ids['b']} " in flow
    assert f"{ids['out']} -> loss " in flow
    out = subprocess.run([dot_program, "-Tsvg"], input=flow.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)


def test_a_long_chain_is_folded_in_the_flowchart(dot_program):
    import numpy as np

    import fittrace
    import fittrace.keras as keras
    from fittrace.keras import layers

    keras.backend.clear_session()
    model = keras.Sequential([layers.Dense(4) for _ in range(12)])
    model.compile(loss="mse")
    with fittrace.trace() as run:
        model.fit(np.zeros((8, 3), np.float32), np.zeros((8, 4), np.float32), verbose=0)
    model_part = _cluster_nodes(flowchart_dot(run.trace))
    assert "… 7 more layers" in model_part  # input, dense, dense_1 | 7 | dense_9 .. dense_11
    assert "<B>dense_11</B>" in model_part and "<B>dense_5</B>" not in model_part
    out = subprocess.run(
        [dot_program, "-Tsvg"], input=flowchart_dot(run.trace).encode(), capture_output=True
    )
    assert out.returncode == 0, out.stderr.decode()


def test_a_big_branching_graph_is_named_in_one_box(dot_program):
    import numpy as np

    import fittrace
    import fittrace.keras as keras
    from fittrace.keras import layers

    keras.backend.clear_session()
    x = keras.Input(shape=(3,))
    branches = [layers.Dense(2)(x) for _ in range(25)]
    model = keras.Model(x, layers.Dense(1)(layers.concatenate(branches)), name="wide")
    model.compile(loss="mse")
    with fittrace.trace() as run:
        model.fit(np.zeros((4, 3), np.float32), np.zeros((4, 1), np.float32), verbose=0)
    flow = flowchart_dot(run.trace)
    assert "cluster_model" not in flow
    assert "Functional 'wide': 27 layers in a graph, 0 shared, 0 nested model(s)" in flow
    assert "(the model diagram draws it whole)" in flow
    out = subprocess.run([dot_program, "-Tsvg"], input=flow.encode(), capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
