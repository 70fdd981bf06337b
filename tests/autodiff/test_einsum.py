"""The einsum op against numpy's einsum, its refusals, and its gradient by finite differences:
``fittrace/autodiff/einsum.py``."""

from __future__ import annotations

import numpy as np
import pytest

from fittrace import autodiff as ops

R = np.random.default_rng(0)
CASES = [
    ("abc,cde->abde", (2, 3, 4), (4, 5, 6)),  # MultiHeadAttention's query projection
    ("abcd,cde->abe", (2, 3, 4, 5), (4, 5, 6)),  # its output projection
    ("aecd,abcd->acbe", (2, 5, 3, 4), (2, 6, 3, 4)),  # its dot product
    ("acbe,aecd->abcd", (2, 3, 6, 5), (2, 5, 3, 4)),  # its combination
    ("...b,bc->...c", (2, 3, 4), (4, 5)),
    ("ab...,bc->ac...", (2, 4, 3), (4, 5)),
    ("...td,...sd->...ts", (2, 3, 4), (2, 5, 4)),
    ("abc,d->ad", (2, 3, 4), (5,)),  # indices each operand sums alone
    ("ab,ab->ab", (3, 4), (3, 4)),  # elementwise
    ("ij,jk->ki", (3, 4), (4, 2)),  # a transposed result
]


@pytest.mark.parametrize("equation,sa,sb", CASES, ids=[c[0] for c in CASES])
def test_einsum_matches_numpy(equation, sa, sb):
    a, b = R.normal(size=sa).astype("float32"), R.normal(size=sb).astype("float32")
    np.testing.assert_allclose(
        ops.einsum(equation, a, b).numpy(), np.einsum(equation, a, b), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("equation,sa,sb", CASES, ids=[c[0] for c in CASES])
def test_einsum_gradients(gradcheck, equation, sa, sb):
    a, b = R.normal(size=sa), R.normal(size=sb)
    gradcheck(lambda x, y: ops.einsum(equation, x, y), a, b)


def test_einsum_refuses_what_it_cannot_do():
    a = np.ones((2, 3), "float32")
    with pytest.raises(ValueError, match="explicit output"):
        ops.einsum("ab,bc", a, a.T)
    with pytest.raises(ValueError, match="two operands"):
        ops.einsum("ab->ab", a, a)
    with pytest.raises(NotImplementedError, match="repeated indices"):
        ops.einsum("aa,ab->ab", np.ones((2, 2)), a)
    with pytest.raises(ValueError, match="index 'b' has size 3 in the first operand and 2"):
        ops.einsum("ab,bc->ac", a, a)
    with pytest.raises(ValueError, match="in neither operand"):
        ops.einsum("ab,bc->ad", a, a.T)
    with pytest.raises(ValueError, match="rank 2"):
        ops.einsum("abc,cd->abd", a, a.T)
