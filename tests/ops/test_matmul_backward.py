"""mm/addmm/linear backward: the gradient formulas for every input layout, complex included
(PyTorch's rule: grad @ other^H), and the layout of the gradients themselves."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F


def _layouts(array):
    """The same values as a row-major and as a column-major (transposed) leaf expression."""
    row = numtorch.tensor(array, requires_grad=True)
    col_leaf = numtorch.tensor(np.ascontiguousarray(array.T), requires_grad=True)
    return (row, row), (col_leaf, col_leaf.t())


@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
@pytest.mark.parametrize("op", ["mm", "addmm", "linear"])
def test_gradients_for_every_layout(dtype, op):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3)).astype(dtype)
    b = rng.standard_normal((3, 5)).astype(dtype)
    g = rng.standard_normal((4, 5)).astype(dtype)
    if dtype == np.complex128:
        a = a + 1j * rng.standard_normal(a.shape)
        b = b + 1j * rng.standard_normal(b.shape)
        g = g + 1j * rng.standard_normal(g.shape)
    for i in range(2):
        for j in range(2):
            leaf_a, ta = _layouts(a)[i]
            leaf_b, tb = _layouts(b)[j]
            if op == "mm":
                out = ta.mm(tb)
            elif op == "addmm":
                out = numtorch.addmm(numtorch.zeros(4, 5, dtype=ta.dtype), ta, tb)
            else:
                out = F.linear(ta, tb.t(), numtorch.zeros(5, dtype=ta.dtype))
            out.backward(numtorch.tensor(g))
            ga = leaf_a.grad.numpy() if leaf_a is ta else leaf_a.grad.numpy().T
            gb = leaf_b.grad.numpy() if leaf_b is tb else leaf_b.grad.numpy().T
            np.testing.assert_allclose(ga, g @ b.conj().T, rtol=1e-12)
            np.testing.assert_allclose(gb, a.conj().T @ g, rtol=1e-12)


def test_column_major_input_gets_column_major_gradient():
    x = numtorch.randn(4, 3)
    w = numtorch.randn(5, 3, requires_grad=True)
    out = x.mm(w.t())
    (grad_x, grad_wt) = out.grad_fn(numtorch.ones(4, 5))
    assert grad_x is None
    assert grad_wt._data.flags.f_contiguous and not grad_wt._data.flags.c_contiguous


def test_create_graph_through_column_major_gradients():
    x = numtorch.randn(4, 3, dtype=numtorch.float64, requires_grad=True)
    w = numtorch.randn(5, 3, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda x, w: F.linear(x, w), (x, w))
    assert numtorch.autograd.gradgradcheck(lambda x, w: F.linear(x, w), (x, w))
