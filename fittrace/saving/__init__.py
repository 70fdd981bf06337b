"""Saving and loading, as tf-keras files them (tf_keras/src/saving/): ``saving_api.py`` (weight files),
``object_registration.py`` (the registry of custom objects and the custom object scope), ``serialization_lib.py``
(objects to configs and back, the ``.keras`` format), ``legacy/serialization.py`` (the ``.h5`` format of configs)
and ``keras_export.py`` (the Keras names of fittrace's own classes, the only classes a config may name besides
the user's). May import the autodiff and ``utils`` only; the model is handed in.
"""
