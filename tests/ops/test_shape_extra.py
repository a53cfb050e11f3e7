"""Shape and index behaviour the op table does not cover: error texts, warnings, view semantics,
the non-differentiable helpers (tril_indices, unravel_index, resize_ ...), and hypothesis tests
of advanced indexing (reading and writing) that mix every kind of index, checked against NumPy
and PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numtorch
from numtorch.ops import scatter as _scatter


def _torch():
    return pytest.importorskip("torch")


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _np(t):
    return t.detach().numpy()


def _same(a, b):
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)


def _error(T, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(T)
    message = str(info.value).split("\n")[0].replace("numtorch.", "torch.")
    return type(info.value).__name__, message


def _x(T, *shape, grad=False):
    n = int(np.prod(shape))
    return T.arange(n, dtype=T.float64).reshape(shape).requires_grad_(grad)


def _i(T, *values):
    return T.tensor(values, dtype=T.int64)


ERRORS = [
    lambda T: T.movedim(_x(T, 2, 3), (0, 1), (1,)),
    lambda T: T.movedim(_x(T, 2, 3), (0, 0), (1, 0)),
    lambda T: T.movedim(_x(T, 2, 3), (0, 1), (1, 1)),
    lambda T: T.movedim(_x(T, 2, 3), 2, 0),
    lambda T: _x(T, 2, 3).repeat(2),
    lambda T: _x(T, 2, 3).repeat(2, -1),
    lambda T: T.repeat_interleave(_x(T, 3), -1),
    lambda T: T.repeat_interleave(_x(T, 3), _i(T, 1, -1, 1)),
    lambda T: T.repeat_interleave(_x(T, 3, 4), _i(T, 1, 1), dim=0),
    lambda T: T.repeat_interleave(_x(T, 3), T.tensor([[1, 1, 1]])),
    lambda T: T.repeat_interleave(_x(T, 3), 2, output_size=5),
    lambda T: T.fliplr(_x(T, 3)),
    lambda T: T.flipud(_x(T)),
    lambda T: T.flip(_x(T, 3, 4), (0, 0)),
    lambda T: T.roll(_x(T, 3, 4), (1, 2), 0),
    lambda T: T.roll(_x(T, 3, 4), (1, 2)),
    lambda T: T.roll(_x(T, 3, 4), (), ()),
    lambda T: T.rot90(_x(T, 3, 4), 1, [0]),
    lambda T: T.rot90(_x(T, 3), 1),
    lambda T: T.rot90(_x(T, 3, 4), 1, [1, 1]),
    lambda T: T.rot90(_x(T, 3, 4), 1, [0, 2]),
    lambda T: T.hstack([]),
    lambda T: T.column_stack([]),
    lambda T: T.tensor_split(_x(T, 3, 4), 0),
    lambda T: T.tensor_split(_x(T, 3, 4), T.tensor([[1]])),
    lambda T: T.tensor_split(_x(T, 3, 4), T.tensor([1.0])),
    lambda T: T.tensor_split(_x(T), 1),
    lambda T: T.hsplit(_x(T), 1),
    lambda T: T.hsplit(_x(T, 3, 4), 3),
    lambda T: T.vsplit(_x(T, 4), 1),
    lambda T: T.vsplit(_x(T, 3, 4), 2),
    lambda T: T.dsplit(_x(T, 3, 4), 1),
    lambda T: T.dsplit(_x(T, 2, 2, 3), 2),
    lambda T: T.tril(_x(T, 3)),
    lambda T: T.triu(_x(T, 3)),
    lambda T: _x(T, 3, 3).clone().requires_grad_().tril_(),
    lambda T: T.diag(_x(T, 2, 2, 2)),
    lambda T: T.diag(_x(T)),
    lambda T: T.diag_embed(_x(T, 3, 4), 0, 1, 1),
    lambda T: T.diag_embed(_x(T, 3, 4), 0, 3, 1),
    lambda T: T.meshgrid(_x(T, 2), _x(T, 3), indexing="foo"),
    lambda T: T.meshgrid(_x(T, 2), T.arange(3), indexing="ij"),
    lambda T: T.meshgrid(indexing="ij"),
    lambda T: T.take(_x(T, 3, 4), _i(T, 12)),
    lambda T: T.take(_x(T, 3, 4), _i(T, -13)),
    lambda T: T.take(_x(T, 3, 4), T.tensor([1], dtype=T.int32)),
    lambda T: T.take_along_dim(_x(T, 3, 4), _i(T, 1), 0),
    lambda T: T.take_along_dim(_x(T, 3, 4), T.tensor([[1]], dtype=T.int32), 0),
    lambda T: T.scatter(_x(T, 3, 4), 0, T.tensor([[0, 1]]), _x(T, 1, 2), reduce="mean"),
    lambda T: T.scatter(_x(T, 3, 4), 0, T.tensor([[0.0]]), _x(T, 1, 1)),
    lambda T: T.scatter(_x(T, 3, 4), 0, T.tensor([[0]]), _x(T, 1, 1).float()),
    lambda T: T.scatter(_x(T, 3, 4), 0, _i(T, 0), _x(T, 1, 1)),
    lambda T: T.scatter(_x(T, 3, 4), 0, T.tensor([[5]]), _x(T, 1, 1)),
    lambda T: T.scatter(_x(T, 3, 4), 0, T.zeros(4, 4, dtype=T.int64), _x(T, 1, 4)),
    lambda T: T.scatter_add(_x(T, 3, 4), 0, T.tensor([[0, 1]]), _x(T, 1, 2).float()),
    lambda T: T.scatter_reduce(_x(T, 3, 4), 0, T.tensor([[0]]), _x(T, 1, 1), "foo"),
    lambda T: (
        T.scatter(_x(T, 3, 4, grad=True), 0, T.tensor([[0, 1]]), _x(T, 1, 2)[:, :1])
        .sum()
        .backward()
    ),
    lambda T: T.index_add(_x(T, 3, 4), 0, _i(T, 0), T.ones(1, 4)),
    lambda T: T.index_add(_x(T, 3, 4), 0, _i(T, 0), _x(T, 2, 4)),
    lambda T: T.index_add(_x(T, 3, 4), 0, T.tensor([[0]]), _x(T, 1, 4)),
    lambda T: T.index_add(_x(T, 3, 4), 0, T.tensor([0.0]), _x(T, 1, 4)),
    lambda T: T.index_add(_x(T, 3, 4), 0, _i(T, -1), _x(T, 1, 4)),
    lambda T: T.index_copy(_x(T, 3, 4), 0, _i(T, 0), _x(T, 2, 4)),
    lambda T: T.index_copy(_x(T, 3, 4), 0, _i(T, 7), _x(T, 1, 4)),
    lambda T: T.index_copy(_x(T, 3, 4), 0, _i(T, 0), T.ones(1, 4)),
    lambda T: T.index_fill(_x(T, 3, 4), 0, T.tensor([0.0]), 1.0),
    lambda T: T.index_fill(_x(T, 3, 4), 0, _i(T, 0), T.tensor([1.0])),
    lambda T: T.index_fill(_x(T, 3, 4), 0, _i(T, 9), 1.0),
    lambda T: T.index_reduce(_x(T, 3, 4), 0, _i(T, 0), _x(T, 1, 4), "sum"),
    lambda T: T.index_reduce(_x(T, 3, 4), 0, _i(T, 5), _x(T, 1, 4), "prod"),
    lambda T: T.index_reduce(_x(T, 3, 4), 0, _i(T, 0), T.ones(1, 4), "prod"),
    lambda T: T.masked_scatter(_x(T, 3, 4), T.ones(3, 4), _x(T, 12)),
    lambda T: T.masked_scatter(_x(T, 3, 4), T.ones(3, 4, dtype=T.bool), _x(T, 2)),
    lambda T: T.masked_scatter(_x(T, 3, 4), T.ones(3, 4, dtype=T.bool), T.ones(12)),
    lambda T: T.put(_x(T, 3, 4), _i(T, 12), _x(T, 1)),
    lambda T: T.put(_x(T, 3, 4), _i(T, 1, 2), _x(T, 1)),
    lambda T: T.put(_x(T, 3, 4), _i(T, 1), T.ones(1)),
    lambda T: T.put(_x(T, 3, 4), T.tensor([1.0]), _x(T, 1)),
    lambda T: T.tril_indices(-1, 4),
    lambda T: T.triu_indices(3, -4),
    lambda T: T.unravel_index(T.tensor([1.0]), (2, 3)),
    lambda T: T.unravel_index(_i(T, 1), (2, -3)),
    lambda T: T.narrow_copy(_x(T, 3, 4), 0, 2, 2),
    lambda T: _x(T, 3, 4).unfold(1, 5, 1),
    lambda T: _x(T, 3, 4).unfold(1, 2, 0),
    lambda T: _x(T, 3, 4).unfold(1, -1, 1),
    lambda T: _x(T).unfold(0, 2, 1),
    lambda T: _x(T, 3, 4).as_strided((5, 5), (1, 2)),
    lambda T: _x(T, 3, 4).as_strided((2,), (-1,)),
    lambda T: _x(T, 3, 4).as_strided((2, 2), (1,)),
    lambda T: _x(T, 3, 4, grad=True).resize_(2),
    lambda T: _x(T, 3, 4, grad=True).resize_as_(_x(T, 2)),
    lambda T: T.view_as_real(_x(T, 3)),
    lambda T: T.view_as_complex(T.zeros(2, 2, dtype=T.int64)),
    lambda T: T.view_as_complex(T.zeros(2, 3)),
    lambda T: T.view_as_complex(T.zeros(2, 2).t()),
    lambda T: T.view_as_complex(T.zeros(3, 4)[:, 1:3]),
    lambda T: T.view_as_complex(T.zeros(())),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    torch = _torch()
    assert _error(numtorch, call) == _error(torch, call)


# -- warnings --------------------------------------------------------------------------------


def test_meshgrid_warns_without_indexing():
    x, y = numtorch.arange(2), numtorch.arange(3)
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        a, b = numtorch.meshgrid(x, y)
    assert a.shape == (2, 3) and b.tolist() == [[0, 1, 2], [0, 1, 2]]


def test_scatter_reduce_argument_warns_once_and_has_no_derivative():
    _scatter._REDUCE_WARNED["scatter"] = False
    x = numtorch.ones(2, 3, requires_grad=True)
    src = numtorch.full((1, 3), 2.0)
    index = numtorch.tensor([[0, 1, 0]])
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src"):
        out = x.scatter(0, index, src, reduce="multiply")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per process, as TORCH_WARN_ONCE
        again = x.detach().clone().scatter_(0, index, src, reduce="add")
        by_value = x.detach().clone().scatter_(0, index, 4.0, reduce="add")
    assert out.tolist() == [[2.0, 1.0, 2.0], [1.0, 2.0, 1.0]]
    assert again.tolist() == [[3.0, 1.0, 3.0], [1.0, 3.0, 1.0]]
    assert by_value.tolist() == [[5.0, 1.0, 5.0], [1.0, 5.0, 1.0]]
    assert type(out.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        out.sum().backward()


def test_index_reduce_warns_beta_once():
    _scatter._REDUCE_WARNED["index_reduce"] = False
    x = numtorch.ones(3)
    with pytest.warns(UserWarning, match=r"index_reduce\(\) is in beta"):
        x.index_reduce(0, numtorch.tensor([0]), numtorch.tensor([5.0]), "amax")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = x.index_reduce_(0, numtorch.tensor([0, 0]), numtorch.tensor([5.0, 6.0]), "mean")
    assert out is x and x.tolist() == [4.0, 1.0, 1.0]


# -- view semantics --------------------------------------------------------------------------

VIEWS = [
    ("movedim", lambda T, x: T.movedim(x, 0, 1)),
    ("moveaxis", lambda T, x: x.moveaxis(1, 0)),
    ("swapaxes", lambda T, x: x.swapaxes(0, 1)),
    ("swapdims", lambda T, x: T.swapdims(x, 0, 1)),
    ("unflatten", lambda T, x: x.unflatten(1, (2, 2))),
    ("diagonal", lambda T, x: x.diagonal(1)),
    ("tensor_split", lambda T, x: T.tensor_split(x, 2, 1)[1]),
    ("hsplit", lambda T, x: T.hsplit(x, [1])[1]),
    ("vsplit", lambda T, x: x.vsplit(3)[2]),
    ("unfold", lambda T, x: x.unfold(1, 2, 2)),
    ("as_strided", lambda T, x: x.as_strided((2, 2), (4, 1), 1)),
    ("atleast_3d", lambda T, x: T.atleast_3d(x)),
    ("view_as_complex", lambda T, x: T.view_as_complex(x.view(3, 2, 2))),
    ("view_as_real", lambda T, x: T.view_as_real(T.view_as_complex(x.view(3, 2, 2)))),
    ("meshgrid", lambda T, x: T.meshgrid(x[0], x[1], indexing="ij")[0]),
]


@pytest.mark.parametrize("name, fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_memory(name, fn):
    torch = _torch_or_none()
    for T in (numtorch, torch) if torch is not None else (numtorch,):
        x = T.arange(12.0).view(3, 4).clone()
        v = fn(T, x)
        assert v._base is x
        x.add_(1)
        np.testing.assert_array_equal(_np(fn(T, x)), _np(v))
    if torch is not None:
        vn = fn(numtorch, numtorch.arange(12.0).view(3, 4))
        vt = fn(torch, torch.arange(12.0).view(3, 4))
        assert vn.stride() == vt.stride()
        assert vn.is_contiguous() == vt.is_contiguous()


def test_writes_through_views_reach_the_base_and_its_gradient():
    torch = _torch()
    results = []
    for T in (numtorch, torch):
        leaf = T.arange(12.0, dtype=T.float64).requires_grad_()
        x = leaf * 1
        x.view(3, 4).movedim(0, 1)[1].mul_(10)
        x.as_strided((2,), (3,), 1).mul_(-1)
        x.view(3, 4).unfold(1, 2, 2)[0, 1].zero_()
        (x * T.arange(12.0, dtype=T.float64)).sum().backward()
        results.append((_np(x), leaf.grad.numpy(), type(x.grad_fn).__name__))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][2] == results[1][2]


@pytest.mark.parametrize(
    "fn",
    [
        lambda T, x: T.repeat_interleave(x, 2, dim=0),
        lambda T, x: T.rot90(x),
        lambda T, x: T.rot90(x, 3, (1, 0)),
        lambda T, x: T.flip(x, [0]),
        lambda T, x: x.repeat(1, 2),
        lambda T, x: T.diag(x),
        lambda T, x: T.column_stack([x, x]),
    ],
)
def test_copies_have_torch_strides(fn):
    torch = _torch()
    a = fn(numtorch, numtorch.arange(12.0).view(3, 4))
    b = fn(torch, torch.arange(12.0).view(3, 4))
    _same(a, b)
    assert a.stride() == b.stride()
    assert (a._base is None) == (b._base is None)


# -- non-differentiable helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda T: T.tril_indices(3, 4, 1),
        lambda T: T.tril_indices(4, 3, -1, dtype=T.int32),
        lambda T: T.triu_indices(3, 3),
        lambda T: T.triu_indices(0, 3),
        lambda T: T.unravel_index(_i(T, 5, 0, 6, -1, -7), (2, 3)),
        lambda T: T.unravel_index(T.tensor([[3, 4]], dtype=T.int32), T.Size([2, 2])),
        lambda T: T.unravel_index(T.tensor(5), 6),
        lambda T: T.repeat_interleave(_i(T, 1, 0, 3)),
        lambda T: T.repeat_interleave(T.tensor([[1, 2], [3, 4]]), T.tensor(2)),
        lambda T: T.repeat_interleave(T.tensor(3), 2),
        lambda T: T.atleast_1d(T.tensor(1.0), T.tensor([2.0])),
        lambda T: T.atleast_2d([T.tensor(1.0)]),
        lambda T: T.take_along_dim(T.arange(6).view(2, 3), T.tensor([[1], [2]]), 1),
        lambda T: T.scatter_reduce(_i(T, 1, 2, 3), 0, _i(T, 0, 0), _i(T, 5, 6), "mean"),
        lambda T: T.scatter_reduce(
            _i(T, 1, 2, 3), 0, _i(T, 0, 0), _i(T, 5, 6), "amax", include_self=False
        ),
        lambda T: T.scatter(_i(T, 1, 2, 3), 0, T.tensor([1], dtype=T.int32), 7),
        lambda T: T.index_fill(_i(T, 1, 2, 3), 0, _i(T, 1), 2.7),
        lambda T: T.index_add(_i(T, 1, 2), 0, _i(T, 0, 0), _i(T, 2, 3), alpha=2),
        lambda T: T.put(_x(T, 2, 2), _i(T, 1, 1), T.ones(2, dtype=T.float64), accumulate=True),
        lambda T: T.masked_scatter(_x(T, 4), T.tensor([True, False, True, False]), _x(T, 3, 4)),
        lambda T: T.narrow_copy(_x(T, 3, 4), -1, -2, 2),
        lambda T: T.diag(_x(T, 3), -3),
        lambda T: T.vstack((_x(T, 3), _x(T, 1, 3))),
        lambda T: T.column_stack([T.tensor(1.0), T.arange(1.0), T.ones(1, 2)]),
        lambda T: T.meshgrid([_x(T, 2)], indexing="xy")[0],
        lambda T: T.tile(_x(T, 2), (2, 1, 2)),
        lambda T: T.roll(_x(T, 2, 3), -7),
        lambda T: _x(T, 5).unfold(0, 0, 2),
    ],
)
def test_values_match_torch(call):
    torch = _torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, b = call(numtorch), call(torch)
    if isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            _same(u, v)
    else:
        _same(a, b)


def test_resize_keeps_memory_order_and_identity():
    x = numtorch.arange(6.0)
    y = x.resize_(2, 2)
    assert y is x and x.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    x.resize_(2, 3)
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    x.resize_as_(numtorch.zeros(4))
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0]
    grown = numtorch.arange(2).resize_(2, 2)
    assert grown.shape == (2, 2) and grown.flatten()[:2].tolist() == [0, 1]


def test_tensor_methods_follow_torch():
    torch = _torch()
    names = [
        "movedim", "moveaxis", "swapdims", "repeat", "tile", "repeat_interleave", "flip",
        "fliplr", "flipud", "roll", "rot90", "tril", "triu", "tril_", "triu_", "diag",
        "diag_embed", "diagflat", "tensor_split", "hsplit", "vsplit", "dsplit", "narrow_copy",
        "unfold", "as_strided", "resize_", "resize_as_", "take", "take_along_dim", "put",
        "put_", "index_fill", "index_fill_", "masked_scatter", "masked_scatter_", "scatter",
        "scatter_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_",
        "index_add", "index_add_", "index_copy", "index_copy_", "index_reduce", "index_reduce_",
    ]  # fmt: skip
    for name in names:
        assert hasattr(numtorch.Tensor, name) == hasattr(torch.Tensor, name), name
    for name in ("view_as_real", "view_as_complex", "hstack", "meshgrid", "atleast_1d"):
        assert not hasattr(numtorch.Tensor, name)


# -- hypothesis: advanced indexing that mixes every kind of index ---------------------------------

FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def _mixed_key(draw, unique=False):
    """A shape and a key mixing ints (Python and 0-d tensors), slices with steps, None,
    Ellipsis, int tensors, lists and bool masks, with negative values. With ``unique``, index
    arrays never name one element twice (writes are then order-independent)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    items, d = [], 0
    length = None  # the common length of the 1-D index arrays (they broadcast together)
    while d < len(shape):
        if draw(st.integers(0, 4)) == 0:
            items.append(("none", None))
        n = shape[d]
        kinds = ["int", "int0d", "slice", "array", "list", "mask"]
        if d + 1 < len(shape):
            kinds.append("mask2")
        kind = draw(st.sampled_from(kinds))
        if kind in ("int", "int0d"):
            items.append((kind, draw(st.integers(-n, n - 1))))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            items.append((kind, slice(start, stop, draw(st.none() | st.integers(1, 3)))))
        elif kind in ("array", "list"):
            if length is None:
                length = draw(st.integers(1, 3))
            size = draw(st.sampled_from([1, length]))
            if unique:
                picks = draw(st.permutations(range(n)))[: min(size, n)]
                if len(picks) < size:
                    size = len(picks)
                values = [p - n if draw(st.booleans()) else p for p in picks]
            else:
                values = draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size))
            items.append((kind, np.array(values, dtype=np.int64)))
        elif kind == "mask":
            items.append((kind, np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))))
        else:
            m = draw(st.lists(st.booleans(), min_size=n * shape[d + 1], max_size=n * shape[d + 1]))
            items.append(("mask", np.array(m).reshape(n, shape[d + 1])))
            d += 1
        d += 1
    if draw(st.booleans()):
        items = items[: draw(st.integers(1, len(items)))]  # trailing dims stay implicit
    if draw(st.booleans()):
        a = draw(st.integers(0, len(items)))
        b = draw(st.integers(a, len(items)))
        items = items[:a] + [("ellipsis", Ellipsis)] + items[b:]
    return shape, items, draw(st.integers(0, 2**16))


def _torch_key(T, items):
    out = []
    for kind, k in items:
        if kind in ("array", "mask"):
            out.append(T.tensor(k))
        elif kind == "list":
            out.append(k.tolist())
        elif kind == "int0d":
            out.append(T.tensor(k))
        else:
            out.append(k)
    return tuple(out)


def _numpy_keys(items):
    """PyTorch's meaning of the key in two NumPy steps: the basic part first (ints select,
    slices, None, Ellipsis), then the index arrays on the dims that remain. (NumPy alone would
    treat ints as index arrays when they are mixed with some.)"""
    first, second = [], []
    for kind, k in items:
        if kind in ("int", "int0d"):
            first.append(int(k))
        elif kind in ("array", "list"):
            first.append(slice(None))
            second.append(k)
        elif kind == "mask":
            first.extend([slice(None)] * k.ndim)
            second.append(k)
        elif kind == "none":
            first.append(None)
            second.append(slice(None))
        elif kind == "ellipsis":
            first.append(Ellipsis)
            second.append(Ellipsis)
        else:
            first.append(k)
            second.append(slice(None))
    return tuple(first), tuple(second)


def _np_getitem(x, items):
    first, second = _numpy_keys(items)
    return x[first][second]


def _np_getitem_grad(shape, items, g):
    first, second = _numpy_keys(items)
    inner = np.zeros(np.zeros(shape)[first].shape)
    np.add.at(inner, second, g)  # repeated indices accumulate
    out = np.zeros(shape)
    out[first] = inner
    return out


@FAST
@given(case=_mixed_key())
def test_getitem_mixed(case):
    shape, items, seed = case
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    try:
        expected = _np_getitem(x, items)
    except IndexError:
        assume(False)  # index arrays that do not broadcast together
    xt = numtorch.tensor(x, requires_grad=True)
    out = xt[_torch_key(numtorch, items)]
    np.testing.assert_array_equal(_np(out), expected)
    g = rng.uniform(-1, 1, expected.shape)
    (gx,) = numtorch.autograd.grad(out, xt, numtorch.tensor(g), allow_unused=True)
    want = _np_getitem_grad(shape, items, g)
    np.testing.assert_allclose(gx.numpy(), want, rtol=1e-12, atol=1e-12)
    torch = _torch_or_none()
    if torch is not None:
        xt_t = torch.tensor(x, requires_grad=True)
        ref = xt_t[_torch_key(torch, items)]
        np.testing.assert_array_equal(_np(ref), expected)
        assert type(ref.grad_fn).__name__ == type(out.grad_fn).__name__
        assert out.is_contiguous() == ref.is_contiguous()
        (gt,) = torch.autograd.grad(ref, xt_t, torch.tensor(g))
        np.testing.assert_allclose(gx.numpy(), gt.numpy(), rtol=1e-12, atol=1e-12)


@FAST
@given(case=_mixed_key(unique=True), value_kind=st.sampled_from(["scalar", "full", "row"]))
def test_setitem_mixed(case, value_kind):
    shape, items, seed = case
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    try:
        target = _np_getitem(x, items).shape
    except IndexError:
        assume(False)
    v = {
        "scalar": lambda: np.array(rng.uniform(-1, 1)),
        "full": lambda: rng.uniform(-1, 1, target),
        "row": lambda: rng.uniform(-1, 1, target[-1:]),
    }[value_kind]()
    first, second = _numpy_keys(items)
    expected = x.copy()
    if Ellipsis not in first:
        first = (*first, Ellipsis)  # so that x[first] is a view even when ints select it all
    expected[first][second] = v  # the write lands in expected
    written = np.zeros(shape, bool)
    written[first][second] = True
    results = []
    for T in (numtorch, _torch_or_none()):
        if T is None:
            continue
        leaf = T.tensor(x, requires_grad=True)
        vt = T.tensor(v, requires_grad=True)
        xt = leaf.clone()
        xt[_torch_key(T, items)] = vt
        np.testing.assert_array_equal(_np(xt), expected)
        g = np.random.default_rng(seed + 1).uniform(-1, 1, shape)
        g_leaf, g_v = T.autograd.grad(xt, (leaf, vt), T.tensor(g))
        np.testing.assert_allclose(g_leaf.numpy(), np.where(written, 0, g), atol=1e-12)
        g_sel = _np_getitem(g, items)
        lead = g_sel.ndim - v.ndim
        want_v = g_sel.sum(tuple(range(lead))) if lead else g_sel
        if v.ndim and want_v.shape != v.shape:
            want_v = want_v.sum(tuple(i for i, n in enumerate(v.shape) if n == 1), keepdims=True)
        np.testing.assert_allclose(g_v.numpy(), want_v, rtol=1e-12, atol=1e-12)
        results.append(type(xt.grad_fn).__name__)
    assert len(set(results)) == 1


@FAST
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    data=st.data(),
)
def test_index_put_accumulate_repeated(shape, data):
    """``index_put_(..., accumulate=True)`` with repeated (and negative) indices sums every
    contribution; gradients flow to both the tensor and the values."""
    k = data.draw(st.integers(1, len(shape)))
    n = data.draw(st.integers(1, 5))
    indices = [
        np.array(data.draw(st.lists(st.integers(-s, s - 1), min_size=n, max_size=n)), np.int64)
        for s in shape[:k]
    ]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = rng.uniform(-1, 1, shape)
    v = rng.uniform(-1, 1, (n,) + shape[k:])
    expected = x.copy()
    np.add.at(expected, tuple(indices), v)
    g = rng.uniform(-1, 1, shape)
    for T in (numtorch, _torch_or_none()):
        if T is None:
            continue
        leaf = T.tensor(x, requires_grad=True)
        vt = T.tensor(v, requires_grad=True)
        out = leaf.clone().index_put_(tuple(T.tensor(i) for i in indices), vt, accumulate=True)
        np.testing.assert_allclose(_np(out), expected, rtol=1e-12, atol=1e-12)
        g_leaf, g_v = T.autograd.grad(out, (leaf, vt), T.tensor(g))
        np.testing.assert_allclose(g_leaf.numpy(), g, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g_v.numpy(), g[tuple(indices)], rtol=1e-12, atol=1e-12)
