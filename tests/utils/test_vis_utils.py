"""plot_model and model_to_dot: Keras's record labels, drawn by the real Graphviz, written atomically."""

from __future__ import annotations

import pytest

from fittrace.keras import layers, utils
from fittrace.keras.models import Sequential


def _cnn() -> Sequential:
    return Sequential(
        [
            layers.Conv2D(4, 3, activation="relu", input_shape=(9, 9, 1)),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )


def _labels(dot: str) -> list[str]:
    return [
        line.split('label="', 1)[1].rsplit('"]', 1)[0]
        for line in dot.splitlines()
        if "label=" in line
    ]


def test_labels_follow_keras():
    m = _cnn()
    assert _labels(utils.model_to_dot(m)) == [
        f"{m.layers[0].name}_input|InputLayer",
        f"{m.layers[0].name}|Conv2D",
        f"{m.layers[1].name}|MaxPooling2D",
        f"{m.layers[2].name}|Flatten",
        f"{m.layers[3].name}|Dense",
    ]
    full = _labels(
        utils.model_to_dot(
            m,
            show_shapes=True,
            show_dtype=True,
            show_layer_activations=True,
            show_trainable=True,
            show_layer_names=False,
        )
    )
    assert (
        full[1]
        == "T|{{Conv2D|relu}|float32}|{input:|output:}|{{(None, 9, 9, 1)}|{(None, 7, 7, 4)}}"
    )
    assert (
        full[4].startswith("T|{{Dense|linear}|float32}") and "{(None, 36)}|{(None, 3)}" in full[4]
    )
    dot = utils.model_to_dot(m, rankdir="LR", dpi=50, layer_range=(1, 3))
    assert (
        "rankdir=LR;" in dot
        and "dpi=50;" in dot
        and len(_labels(dot)) == 2
        and dot.count("->") == 1
    )


def test_an_unbuilt_model_cannot_be_drawn(tmp_path):
    with pytest.raises(ValueError, match="This model has not yet been built"):
        utils.plot_model(Sequential([layers.Dense(2)]), tmp_path / "m.png")


@pytest.mark.usefixtures("dot_program")
def test_plot_model_draws_png_and_svg_and_leaves_nothing_on_failure(tmp_path):
    m = _cnn()
    utils.plot_model(m, tmp_path / "m.png", show_shapes=True)
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    utils.plot_model(m, tmp_path / "m.svg")
    svg = (tmp_path / "m.svg").read_text()
    assert "<svg" in svg and "MaxPooling2D" in svg
    with pytest.raises(ValueError, match="Graphviz could not draw the model as 'nope'"):
        utils.plot_model(m, tmp_path / "m.nope")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.png", "m.svg"]
