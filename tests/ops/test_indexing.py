"""Indexing: views vs copies, grad_fn chains, PyTorch's errors, gradients and __setitem__."""

import numpy as np
import pytest

import numtorch as nt


def _x(lib):
    return lib.arange(24.0).reshape(2, 3, 4).clone().requires_grad_()


# expression -> (shape, grad_fn name, next function name or None for a leaf)
GETITEM = {
    "x[0]": ((3, 4), "SelectBackward0", None),
    "x[:]": ((2, 3, 4), "SliceBackward0", None),
    "x[:, :]": ((2, 3, 4), "AliasBackward0", None),
    "x[...]": ((2, 3, 4), "AliasBackward0", None),
    "x[:, 1:]": ((2, 2, 4), "SliceBackward0", None),
    "x[None, :]": ((1, 2, 3, 4), "UnsqueezeBackward0", None),
    "x[True]": ((1, 2, 3, 4), "IndexBackward0", "UnsqueezeBackward0"),
    "x[False]": ((0, 2, 3, 4), "IndexBackward0", "UnsqueezeBackward0"),
    "x[nt.tensor(1), 0]": ((4,), "SelectBackward0", "SelectBackward0"),
    "x[0, nt.tensor([1])]": ((1, 4), "IndexBackward0", "SelectBackward0"),
    "x[:, nt.tensor([1, 0]), 0]": ((2, 2), "IndexBackward0", "SelectBackward0"),
    "x[1:, nt.tensor([0, 1]), nt.tensor([[1], [2]])]": ((1, 2, 2), "IndexBackward0", "Slice"),
    "x[..., 0, ...]": ((2, 3), "SelectBackward0", None),
    "x[None, None, 0, None]": ((1, 1, 1, 3, 4), "UnsqueezeBackward0", "SelectBackward0"),
    "x[[0, 1], [1, 2]]": ((2, 4), "IndexBackward0", None),
    "x[x > 5]": ((18,), "IndexBackward0", None),
    "x[:, x[0, :, 0] > 5]": ((2, 1, 4), "IndexBackward0", None),
    "x[[]]": ((0, 3, 4), "IndexBackward0", None),
    "x[::2, None]": ((1, 1, 3, 4), "UnsqueezeBackward0", "SliceBackward0"),
}


def _next_name(y):
    fn = y.grad_fn.next_functions[0][0]
    name = fn.name()
    return None if "AccumulateGrad" in name else name


@pytest.mark.parametrize("expr", list(GETITEM))
def test_getitem(expr):
    x = _x(nt)
    y = eval(expr, {"x": x, "nt": nt})
    shape, name, nxt = GETITEM[expr]
    assert tuple(y.shape) == shape
    assert y.grad_fn.name() == name
    got = _next_name(y)
    assert got == nxt or (nxt == "Slice" and got == "SliceBackward0")


@pytest.mark.parametrize("expr", list(GETITEM))
def test_getitem_matches_torch(expr):
    torch = pytest.importorskip("torch")
    a, b = _x(nt), _x(torch)
    y, z = eval(expr, {"x": a, "nt": nt}), eval(expr, {"x": b, "nt": torch})
    assert y.tolist() == z.tolist()
    assert y.grad_fn.name() == z.grad_fn.name()
    assert _next_name(y) == _next_name(z)
    assert (y._base is a) == (z._base is b)
    assert y.storage_offset() == z.storage_offset()
    if y.numel() > 1:
        assert y.stride() == z.stride()


ERRORS = [
    ("x[5]", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ("x[1, -4]", IndexError, "index -4 is out of bounds for dimension 1 with size 3"),
    ("x[nt.tensor([0, 5])]", IndexError, "index 5 is out of bounds for dimension 0 with size 2"),
    ("x[:, :, nt.tensor([5])]", IndexError, "index 5 is out of bounds for dimension 0 with size 4"),
    (
        "x[nt.tensor([0]), nt.tensor([9])]",
        IndexError,
        "index 9 is out of bounds for dimension 1 with size 3",
    ),
    ("x[[0, -3]]", IndexError, "index -3 is out of bounds for dimension 0 with size 2"),
    ("x[:, ::-1]", ValueError, "step must be greater than zero"),
    ("x[::0]", ValueError, "slice step cannot be zero"),
    ("x[0, 0, 0, 0]", IndexError, "too many indices for tensor of dimension 3"),
    ("x[..., 1, 2, 3, 0]", IndexError, "too many indices for tensor of dimension 3"),
    (
        "x[nt.tensor([[True, False]])]",
        IndexError,
        "The shape of the mask [1, 2] at index 0 does not match the shape of the indexed tensor "
        "[2, 3, 4] at index 0",
    ),
    (
        "x[:, nt.tensor([True, False])]",
        IndexError,
        "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor "
        "[2, 3, 4] at index 1",
    ),
    (
        "x[nt.tensor([0, 1]), nt.tensor([0, 1, 2])]",
        IndexError,
        "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]",
    ),
    (
        "x[nt.tensor([0.5])]",
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    (
        "x[1.5]",
        IndexError,
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
        "indices (got float)",
    ),
    ("nt.tensor(3.0)[0]", IndexError, "invalid index of a 0-dim tensor. Use `tensor.item()`"),
]


@pytest.mark.parametrize(("expr", "exc", "msg"), ERRORS)
def test_index_errors(expr, exc, msg):
    with pytest.raises(exc) as info:
        eval(expr, {"x": _x(nt), "nt": nt})
    assert str(info.value).startswith(msg)


@pytest.mark.parametrize(("expr", "exc", "msg"), ERRORS)
def test_index_errors_match_torch(expr, exc, msg):
    torch = pytest.importorskip("torch")
    with pytest.raises(exc) as info:
        eval(expr, {"x": _x(torch), "nt": torch})
    assert str(info.value).startswith(msg)


def test_sequence_index_warnings():
    x = _x(nt)
    with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional"):
        assert x[[0, slice(None)]].shape == (3, 4)
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8 is now deprecated"):
        assert x[nt.tensor([1, 0], dtype=nt.uint8)].shape == (1, 3, 4)


def test_repeated_index_gradients_accumulate():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[nt.tensor([0, 0, 2, 0])]
    (y * nt.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    assert y.grad_fn.name() == "IndexBackward0"
    assert x.grad.tolist() == [7.0, 0.0, 3.0]
    m = nt.arange(6.0).reshape(2, 3).requires_grad_()
    m[m > 2].sum().backward()
    assert m.grad.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]


# -- __setitem__ -----------------------------------------------------------------------------

SETITEM = [
    ("y[0] = 5; y[:, 1] = torch.tensor([1., 2.]); y[1, 2] = 10", [[5, 1, 5], [3, 2, 10]], 3),
    ("y[y > 2] = 0", [[0, 1, 2], [0, 0, 0]], 1),
    ("y[torch.tensor([0, 0, 1])] = torch.tensor([1., 2., 3.])", [[1, 2, 3], [1, 2, 3]], 1),
    ("y[[1, 0]] = torch.tensor([[1., 2., 3.]])", [[1, 2, 3], [1, 2, 3]], 1),
    ("y[...] = 1", [[1, 1, 1], [1, 1, 1]], 1),
    ("y[:] = torch.tensor([[1.], [2.]])", [[1, 1, 1], [2, 2, 2]], 1),
    ("y[True] = 1", [[1, 1, 1], [1, 1, 1]], 1),
    ("y[False] = 1", [[0, 1, 2], [3, 4, 5]], 0),
    ("y[:, torch.tensor([True, False, True])] = 3.", [[3, 1, 3], [3, 4, 3]], 1),
    ("y[0] = torch.ones(1, 1, 3)", [[1, 1, 1], [3, 4, 5]], 1),
    ("y[1, torch.tensor([0, 2])] = torch.tensor([7., 8.])", [[0, 1, 2], [7, 4, 8]], 1),
    (
        "y.index_put_((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor(5.), True)",
        [[0, 11, 2], [3, 4, 5]],
        1,
    ),
]


@pytest.mark.parametrize(("code", "expected", "version"), SETITEM)
def test_setitem(code, expected, version):
    ns = {"torch": nt, "y": nt.arange(6.0).reshape(2, 3).clone()}
    exec(code, ns)
    assert ns["y"].tolist() == expected
    assert ns["y"]._version == version


@pytest.mark.parametrize(("code", "expected", "version"), SETITEM)
def test_setitem_matches_torch(code, expected, version):
    torch = pytest.importorskip("torch")
    ns = {"torch": torch, "y": torch.arange(6.0).reshape(2, 3).clone()}
    exec(code, ns)
    assert ns["y"].tolist() == expected
    assert ns["y"]._version == version


SETITEM_ERRORS = [
    (
        "y[0] = torch.tensor([1., 2.])",
        RuntimeError,
        "The expanded size of the tensor (3) must match the existing size (2) at non-singleton "
        "dimension 0.  Target sizes: [3].  Tensor sizes: [2]",
    ),
    ("y[1] = [7, 8, 9]", TypeError, "can't assign a list to a torch.FloatTensor"),
    ("y[0, 5] = 1", IndexError, "index 5 is out of bounds for dimension 1 with size 3"),
    ("y[torch.tensor([0, 3])] = 3.", IndexError, "index 3 is out of bounds for dimension 0"),
    (
        "y[torch.tensor([0])] = torch.ones(2)",
        RuntimeError,
        "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of "
        "shape [1, 3]",
    ),
    (
        "y[torch.tensor([0])] = torch.tensor([1, 2, 3])",
        RuntimeError,
        "Index put requires the source and destination dtypes match, got Float for the "
        "destination and Long for the source.",
    ),
]


@pytest.mark.parametrize(("code", "exc", "msg"), SETITEM_ERRORS)
def test_setitem_errors(code, exc, msg):
    ns = {"torch": nt, "y": nt.arange(6.0).reshape(2, 3).clone()}
    with pytest.raises(exc) as info:
        exec(code, ns)
    assert str(info.value).replace("numtorch.", "torch.").startswith(msg)


@pytest.mark.parametrize(("code", "exc", "msg"), SETITEM_ERRORS)
def test_setitem_errors_match_torch(code, exc, msg):
    torch = pytest.importorskip("torch")
    ns = {"torch": torch, "y": torch.arange(6.0).reshape(2, 3).clone()}
    with pytest.raises(exc) as info:
        exec(code, ns)
    assert str(info.value).startswith(msg)


def test_setitem_graph_and_gradients():
    m = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    n = nt.zeros(2, 2)
    n[0, 0] = m[0, 0] ** 2
    assert n.grad_fn.name() == "torch::autograd::CopySlices"
    assert "CopySlices" in repr(n)
    n.sum().backward()
    assert n.tolist() == [[1.0, 0.0], [0.0, 0.0]]
    assert m.grad.tolist() == [[2.0, 0.0], [0.0, 0.0]]

    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = nt.tensor(2.0, requires_grad=True)
    z = x * 1
    z[nt.tensor([0, 0])] = v
    assert z.grad_fn.name() == "IndexPutBackward0"
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0] and v.grad.item() == 2.0

    y = x.clone()
    y[0] = 5.0
    assert [f[0] is None for f in y.grad_fn.next_functions] == [False, True]
    y2 = x.clone()
    y2[1:, None] = 3.0
    y3 = x.clone()
    y3[...] = 1.0
    assert y3.grad_fn.name() == "FillBackward3"
    y4 = x.clone()
    y4[:] = nt.ones(3)
    assert y4.grad_fn.name() == "torch::autograd::CopyBackwards"


def test_setitem_on_leaf_errors():
    a = nt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable that requires grad"):
        a[0] = 2
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used"):
        a[nt.tensor([0])] = 2.0
    with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used"):
        a[...] = 2.0
    with nt.no_grad():
        a[0] = 5
    assert a.tolist() == [5.0, 1.0, 1.0] and a._version == 1


def test_setitem_gradient_matches_torch_numerically():
    torch = pytest.importorskip("torch")
    vals = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    grads = []
    for lib in (nt, torch):
        a = lib.tensor(vals, requires_grad=True)
        b = a * 2
        b[1:, ::2] = a[:2, 1::2] ** 2
        b[lib.tensor([0, 0, 2]), lib.tensor([1, 1, 3])] = a[0, 0] * 3
        b.diagonal().mul_(a[2, :3])
        (b * b).sum().backward()
        grads.append(a.grad.numpy())
    assert np.allclose(grads[0], grads[1], atol=1e-5)
