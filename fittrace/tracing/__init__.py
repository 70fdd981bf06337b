"""Trace events (fittrace's own): ``events.py`` the versioned schema, ``recorder.py`` and ``spans.py`` what the
engine calls while it runs, ``payloads.py`` the lazy payloads, ``document.py`` the ``Trace`` a run becomes,
``jsonl.py`` the file written as the run goes (readable after a crash), ``chrome.py`` the Perfetto export,
``snapshots.py`` tensors kept as small pictures' worth of values,
``atomic.py`` files written whole or not at all. May import numpy only; the engine imports it, never the reverse.
"""
