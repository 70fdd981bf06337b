"""tf-keras's legacy serialization (tf_keras/src/saving/legacy/): the error ``get()`` gives for an unknown name."""
