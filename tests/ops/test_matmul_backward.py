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


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_plain_backward_equals_the_differentiable_one(dtype):
    # without create_graph, mm/addmm backward and the bias reduction run on the arrays; with
    # it, in Tensor ops: the gradients are the same bits, and the layouts the same
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4)).astype(dtype)
    w = rng.standard_normal((5, 4)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    g = rng.standard_normal((6, 5)).astype(dtype)
    results = []
    for create_graph in (False, True):
        leaves = [numtorch.tensor(a, requires_grad=True) for a in (x, w, b)]
        out = F.linear(*leaves)
        grads = numtorch.autograd.grad(out, leaves, numtorch.tensor(g), create_graph=create_graph)
        assert grads[0].requires_grad == grads[1].requires_grad == create_graph
        results.append(grads)
    for plain, graph in zip(*results, strict=True):
        assert plain._data.strides == graph._data.strides
        assert np.array_equal(plain.numpy(), graph.detach().numpy())


def test_sum_to_size_without_graph_and_its_error():
    x = numtorch.arange(24.0).reshape(2, 3, 4)
    assert x.sum_to_size(3, 1).tolist() == [[60.0], [92.0], [124.0]]
    assert x.sum_to_size(1, 3, 4).shape == (1, 3, 4)
    assert x.sum_to_size(2, 3, 4) is x
    with pytest.raises(RuntimeError, match=r"size \{\[3, 2\]\} is not expandable to size"):
        x.sum_to_size(3, 2)
    with pytest.raises(RuntimeError, match=r"size \{\[1, 2, 3, 4\]\} is not expandable"):
        x.sum_to_size(1, 2, 3, 4)
    y = numtorch.ones(2, 3, requires_grad=True)
    assert y.sum_to_size(3).grad_fn.name() == "ViewBackward0"
    assert y.sum_to_size(1, 3).grad_fn.name() == "SumBackward1"


_COMPLEX_PRODUCTS = {
    "dot": ((3,), (3,), lambda L, a, b: L.dot(a, b)),
    "mv": ((2, 3), (3,), lambda L, a, b: L.mv(a, b)),
    "bmm": ((2, 3, 4), (2, 4, 5), lambda L, a, b: L.bmm(a, b)),
    "matmul_broadcast": ((2, 3, 4), (4, 5), lambda L, a, b: L.matmul(a, b)),
    "matmul_1d_3d": ((4,), (2, 4, 5), lambda L, a, b: L.matmul(a, b)),
    "matmul_3d_1d": ((2, 3, 4), (4,), lambda L, a, b: L.matmul(a, b)),
    "vector_matrix": ((4,), (4, 5), lambda L, a, b: L.matmul(a, b)),
}


@pytest.mark.parametrize("name", sorted(_COMPLEX_PRODUCTS))
def test_complex_products_conjugate_the_partner(name):
    # grad_a = grad @ b^H and grad_b = a^H @ grad for every product form, as PyTorch
    shape_a, shape_b, fn = _COMPLEX_PRODUCTS[name]
    rng = np.random.default_rng(11)
    a = rng.standard_normal(shape_a) + 1j * rng.standard_normal(shape_a)
    b = rng.standard_normal(shape_b) + 1j * rng.standard_normal(shape_b)
    ta = numtorch.tensor(a, requires_grad=True)
    tb = numtorch.tensor(b, requires_grad=True)
    out = fn(numtorch, ta, tb)
    g = np.full(tuple(out.shape), 0.3 + 0.7j)
    out.backward(numtorch.tensor(g))
    assert numtorch.autograd.gradcheck(lambda x, y: fn(numtorch, x, y), (ta, tb))
    torch = pytest.importorskip("torch")
    ra = torch.tensor(a, requires_grad=True)
    rb = torch.tensor(b, requires_grad=True)
    fn(torch, ra, rb).backward(torch.tensor(g))
    np.testing.assert_allclose(ta.grad.numpy(), ra.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), rb.grad.numpy(), rtol=1e-12, atol=1e-12)
