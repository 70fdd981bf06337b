"""The report page (fittrace/render/html.py): what the adapter section says about data that stands in for a
tf.data.Dataset, and every value on the page written for a person."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
from sample_runs import functional_run, hand_loop_run, user_layer_run

import fittrace
import fittrace.keras as keras
from fittrace.render.html import render_html
from fittrace.render.report import render_report


def _fit_traced(tmp_path, x, y=None, **kw):
    model = keras.models.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with fittrace.trace(path=tmp_path / "run.trace.jsonl") as run:
        model.fit(x, y, epochs=1, verbose=0, **kw)
    return run


def test_the_adapter_section_names_what_keras_would_have_used(tmp_path):
    windows = keras.utils.timeseries_dataset_from_array(
        np.zeros((12, 2), "float32"), np.zeros(12, "float32"), 3, batch_size=4
    )
    ds, _ = keras.utils.split_dataset(windows, left_size=0.5)
    assert ds.batch_size == 4 and len(ds) == 2
    page = render_html(_fit_traced(tmp_path, ds).trace)
    section = page[page.index('<section id="adapters">') : page.index('<section id="callbacks">')]
    assert (
        "This data came from split_dataset; real Keras returns a tf.data.Dataset there" in section
    )
    assert "DatasetAdapter" in section and "KerasSequenceAdapter" in section


def test_plain_arrays_get_no_such_sentence(tmp_path):
    page = render_html(_fit_traced(tmp_path, np.zeros((4, 2), "float32"), np.zeros(4)).trace)
    assert "This data came from" not in page


class _VisibleText(HTMLParser):
    """The text a reader sees: scripts, styles and pictures left out (the explorer's event records are data)."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style", "svg")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style", "svg")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _VisibleText()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.parts))


_SHAPE = re.compile(
    r"\((?:None|\d+)(?:, (?:None|\d+))*,?\)"
)  # (None, 784) is how Keras writes a shape
_KEYWORD = re.compile(r"\w+=(?:True|False|None)\b")  # show_shapes=True: code quoted from Keras
# None as the word Keras uses for an unknown dimension, in a sentence about dimensions or in quoted code
_DIMENSION_WORD = re.compile(r"\bto None\b|\(None when|TensorSpec\(\[None, ")


def python_reprs(text: str) -> list[str]:
    """The pieces of ``text`` that are Python reprs, not words: dict reprs, lists of dicts or strings, and
    None/True/False standing alone as values."""
    text = _DIMENSION_WORD.sub("", _KEYWORD.sub("", _SHAPE.sub("", text)))
    return re.findall(r"\{'|\[\{|\['|\[\[|\b(?:None|True|False)\b", text)


def test_the_repr_finder_finds_what_the_run_table_used_to_print():
    old = "x {'type': 'ndarray', 'shape': [60000, 784]}, metrics ['accuracy'], run_eagerly None"
    assert python_reprs(old) == ["{'", "['", "None"]
    assert python_reprs("shape (None, 784), plot_model(model, show_shapes=True)") == []


def _failed_run(tmp_path):
    return user_layer_run(tmp_path, fail=True)


@pytest.mark.parametrize("make", [user_layer_run, _failed_run, functional_run, hand_loop_run])
def test_every_value_in_a_report_is_written_for_a_person(tmp_path, make):
    _, path = make(tmp_path)
    text = visible_text(render_report(fittrace.load(path).trace, None))
    assert python_reprs(text) == []


def test_the_run_table_says_what_the_arguments_mean(tmp_path):
    run, _ = user_layer_run(tmp_path)
    overview = visible_text(
        render_report(run.trace, None).split('<section id="overview">')[1].split("</section>")[0]
    )
    for words in (
        "x float32 array of shape (300, 12)",
        "y uint8 array of shape (300,)",
        "metrics accuracy",
        "run_eagerly no (graph mode)",
        "batch_size 128",
        "shuffle yes",
        "validation_split 0.2 (the last 20% of the samples, held out before shuffling)",
    ):
        assert words in overview, words
