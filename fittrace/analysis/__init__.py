"""What a trace means (fittrace's own): ``builds.py`` why each build, rebuild or retrace happened and its fix,
``folding.py`` repeated steps folded, ``graph.py`` a model's graph (layers, nodes, tensors between them),
``stats.py`` the series a run's plots show, ``walkthrough.py`` the report's walk through a run, ``compare.py``
two runs aligned stage by stage (how closely one mirrors the other), ``tensors.py`` the tensor snapshots decoded,
``lesson.py`` the classroom lesson's slides (made in ``lesson_setup.py``, ``lesson_step.py`` and ``lesson_after.py``
of what ``slides.py`` defines). Reads ``tracing``'s ``Trace`` only; never the engine, rendering or the command line.
"""
