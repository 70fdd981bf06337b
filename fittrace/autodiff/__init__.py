"""fittrace's autodiff core: a small reverse-mode autodiff over numpy, standing where TensorFlow stands under
tf-keras. ``ops.py`` holds ``Tensor``, ``Variable`` and the op table (each op's gradient beside its forward
computation), ``nn.py`` the neural-network ops (activations, softmax, fused cross-entropy), ``conv.py`` the
convolution and pooling ops, ``einsum.py`` two-operand einsum, ``attention.py`` fused dot-product attention,
``normalization.py`` fused layer normalization, ``tape.py`` the ``GradientTape``. This package re-exports all of
them, as ``tf`` does: ``from fittrace import autodiff as ops; ops.relu(ops.matmul(x, w))``.
convolution and pooling ops, ``embedding.py`` the embedding lookup, ``tape.py`` the ``GradientTape``. This
package re-exports all of them, as ``tf`` does: ``from fittrace import autodiff as ops; ops.relu(ops.matmul(x, w))``.
convolution and pooling ops, ``recurrent.py`` the whole-sequence recurrences (SimpleRNN, LSTM, GRU),
``tape.py`` the ``GradientTape``. This package re-exports all of them, as ``tf``
does: ``from fittrace import autodiff as ops; ops.relu(ops.matmul(x, w))``.

Mirrors nothing in tf-keras (fittrace's own); may import numpy and ``tracing.recorder`` (the tape records its
backward pass), nothing else of fittrace.
"""

from __future__ import annotations

from fittrace.autodiff.attention import dot_product_attention
from fittrace.autodiff.conv import avg_pool2d, conv2d, global_max_pool2d, max_pool2d, output_length
from fittrace.autodiff.einsum import einsum
from fittrace.autodiff.embedding import embedding_lookup
from fittrace.autodiff.nn import (
    gelu,
    l2_normalize,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    sparse_softmax_cross_entropy,
    tanh,
)
from fittrace.autodiff.normalization import layer_norm
from fittrace.autodiff.ops import (
    FLOATX,
    Tensor,
    Variable,
    abs,
    add,
    batch_dot,
    clip,
    concat,
    convert_to_tensor,
    divide,
    exp,
    expand_dims,
    getitem,
    log,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    reduce_mean,
    reduce_sum,
    reshape,
    sqrt,
    square,
    squared_norm,
    stop_gradient,
    subtract,
    to_numpy,
    transpose,
    where,
)
from fittrace.autodiff.recurrent import recurrence
from fittrace.autodiff.reductions import cast, reduce_max, reduce_min
from fittrace.autodiff.tape import GradientTape

__all__ = [
    "FLOATX",
    "Tensor",
    "Variable",
    "GradientTape",
    "abs",
    "add",
    "batch_dot",
    "cast",
    "clip",
    "concat",
    "convert_to_tensor",
    "divide",
    "exp",
    "expand_dims",
    "getitem",
    "log",
    "matmul",
    "maximum",
    "minimum",
    "multiply",
    "negative",
    "power",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_sum",
    "reshape",
    "sqrt",
    "square",
    "squared_norm",
    "stop_gradient",
    "subtract",
    "to_numpy",
    "transpose",
    "where",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "gelu",
    "l2_normalize",
    "log_softmax",
    "sparse_softmax_cross_entropy",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "global_max_pool2d",
    "output_length",
    "dot_product_attention",
    "einsum",
    "layer_norm",
    "embedding_lookup",
    "recurrence",
]
