"""Saving and loading, as tf-keras files them (tf_keras/src/saving/): ``saving_api.py`` (``save_model``,
``load_model``, ``save_weights`` and ``load_weights``: the format from the path), ``saving_lib.py`` (Keras's
``.keras`` zip and ``.weights.h5`` file, its HDF5 store and the walk through a model's layers, optimizer and
metrics), ``object_registration.py`` (the registry of custom objects and the custom object scope),
``serialization_lib.py`` (objects to configs and back, the ``.keras`` format), ``keras_export.py`` (the Keras names
of fittrace's own classes, the only classes a config may name besides the user's) and ``legacy/`` (the ``.h5``
formats). May import the engine's layers, the optimizers and metrics (the objects whose state is saved), ``utils``
and ``tracing.recorder``; the model is handed in.
"""
