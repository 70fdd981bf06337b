"""tf-keras's legacy serialization (tf_keras/src/saving/legacy/): the ``{"class_name", "config"}`` format of
``.h5`` model files, and the error ``get()`` gives for an unknown name."""
