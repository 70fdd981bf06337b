"""``fittrace bench``: the benchmark fittrace ships (fittrace's own; nothing in tf-keras). ``benchmark.py`` runs the
parts and checks the targets, ``reference.py`` is the bare numpy loop fittrace is measured against, ``turns.py``
lets the steps of one traced fit take turns, ``functional_side.py`` times the model written with the functional
API beside the Sequential, ``keras_side.py`` times real TF-Keras in a separate interpreter.
May import everything up to ``render`` (its report is the HTML report); never ``cli``.
"""
