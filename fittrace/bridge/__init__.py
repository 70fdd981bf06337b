"""The bridge (fittrace's own): records a real tf-keras 2 or Keras 3 ``fit``/``evaluate``/``predict`` into the
same trace events fittrace's engine makes. ``hooks.py`` puts hooks into a real framework's own functions and
takes every one out again; ``attach.py`` finds which frameworks the process has loaded (or loads while the trace
runs) and installs their hooks; one package per framework says what it hooks (``tf_keras/``, ``keras3/``).
Imports ``tracing`` only, and the frameworks only when the process has loaded them: TensorFlow, tf-keras and Keras
stay optional.
"""
