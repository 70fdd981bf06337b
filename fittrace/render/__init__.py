"""Pictures and pages of a trace (fittrace's own): the sequence diagram (``sequence_model.py``, ``sequence.py``),
the fit flowchart, the call graph, the model's graph (``model_graph.py``), plots, the HTML report (``html.py``,
``report.py``), the page setting two runs side by side (``compare.py``), the tensor snapshots as pictures
(``tensors.py``), the classroom lesson (``lesson.py``), plain text, and ``registry.py`` (every diagram in every
format by name); ``templating.py`` finds the jinja2 templates every page renders with. Reads traces and analysis
only; never the engine or the command line.
"""
