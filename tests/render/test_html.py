"""The report page (fittrace/render/html.py): what the adapter section says about data that stands in for a
tf.data.Dataset."""

from __future__ import annotations

import numpy as np

import fittrace
import fittrace.keras as keras
from fittrace.render.html import render_html


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
