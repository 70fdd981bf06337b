"""tf-keras's legacy saving (tf_keras/src/saving/legacy/): ``save.py`` (``save_weights``/``load_weights`` for
every path that is not a ``.weights.h5`` file, and whole ``.h5`` models), ``hdf5_format.py`` (the legacy HDF5
layout of models, weights and optimizer weights), ``serialization.py`` (the ``{"class_name", "config"}`` format of
``.h5`` model files, and the error ``get()`` gives for an unknown name).
"""
