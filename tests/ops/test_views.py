"""Views: shared memory and version counter, _base, strides, offsets, grad_fn names, autograd."""

import numpy as np
import pytest

import numtorch as nt


def _x(lib=nt):
    return lib.arange(24.0).reshape(2, 3, 4).clone()


VIEW_EXPRS = [
    "x[1, ::2, -1]",
    "x[None, ..., 1:3]",
    "x[:, None]",
    "x[..., None]",
    "x[0]",
    "x[:, 1]",
    "x[1:, 1:3, ::3]",
    "x.view(6, 4)",
    "x.view(2, 1, 12)",
    "x.reshape(24)",
    "x.transpose(0, 2)",
    "x.permute(2, 0, 1)",
    "x.mT",
    "x[0].t()",
    "x[:, :1].squeeze()",
    "x.unsqueeze(0)",
    "x.unsqueeze(-1)",
    "x.permute(2, 0, 1).unsqueeze(1)",
    "x[:, :1].expand(2, 5, 4)",
    "x.expand(3, 2, 3, 4)",
    "x.expand(1, 2, 3, 4)",
    "x.narrow(1, 1, 2)",
    "x.narrow(-1, -2, 2)",
    "x.select(1, -1)",
    "x.diagonal()",
    "x.diagonal(1, 1, 2)",
    "x.diagonal(-1, 2, 1)",
    "x.unbind(2)[3]",
    "x.split([1, 2], 1)[1]",
    "x.chunk(3, -1)[1]",
    "x[:, 1:2].view(2, 1, 1, 4)",
]

# (shape, stride, storage_offset, is_contiguous) as PyTorch 2.13 reports them
EXPECTED = {
    "x[None, ..., 1:3]": ((1, 2, 3, 2), (24, 12, 4, 1), 1, False),
    "x[:, None]": ((2, 1, 3, 4), (12, 12, 4, 1), 0, True),
    "x.expand(1, 2, 3, 4)": ((1, 2, 3, 4), (24, 12, 4, 1), 0, True),
    "x.narrow(1, 1, 2)": ((2, 2, 4), (12, 4, 1), 4, False),
    "x.select(1, -1)": ((2, 4), (12, 1), 8, False),
    "x.diagonal(1, 1, 2)": ((2, 3), (12, 5), 1, False),
    "x.permute(2, 0, 1).unsqueeze(1)": ((4, 1, 2, 3), (1, 24, 12, 4), 0, False),
}


@pytest.mark.parametrize("expr", VIEW_EXPRS)
def test_view_shares_memory_and_version(expr):
    x = _x()
    v = eval(expr)
    assert v._base is x
    assert v._version == x._version == 0
    assert np.shares_memory(v.numpy(), x.numpy())
    x.add_(1)
    assert v._version == 1
    if expr in EXPECTED:
        shape, stride, offset, contiguous = EXPECTED[expr]
        assert tuple(v.shape) == shape
        assert v.stride() == stride
        assert v.storage_offset() == offset
        assert v.is_contiguous() is contiguous


@pytest.mark.parametrize("expr", VIEW_EXPRS)
def test_view_geometry_matches_torch(expr):
    torch = pytest.importorskip("torch")
    a, b = _x(), _x(torch)
    v, w = eval(expr, {"x": a}), eval(expr, {"x": b})
    assert tuple(v.shape) == tuple(w.shape)
    assert v.tolist() == w.tolist()
    assert v.storage_offset() == w.storage_offset()
    assert v.is_contiguous() == w.is_contiguous()
    assert v.data_ptr() - a.data_ptr() == w.data_ptr() - b.data_ptr()
    if v.numel() > 1:
        assert v.stride() == w.stride()
    assert (v._base is a) == (w._base is b)


def test_reshape_copies_when_it_must():
    x = nt.arange(6.0).reshape(2, 3).clone()
    assert x.reshape(3, 2)._base is x
    y = x.t().reshape(6)
    assert y._base is None and y.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(6)


def test_writes_through_views_reach_the_base():
    x = nt.zeros(3, 4)
    x[1].fill_(1)
    x.narrow(1, 2, 2).add_(2)
    x.select(0, 2)[0] = 5
    x.t()[3, 0] = 7
    x.diagonal().mul_(10)
    assert x.tolist() == [
        [0.0, 0.0, 2.0, 7.0],
        [1.0, 10.0, 3.0, 3.0],
        [5.0, 0.0, 20.0, 2.0],
    ]
    assert x._version == 5


def test_narrow_select_errors():
    x = _x()
    with pytest.raises(RuntimeError, match=r"start \(3\) \+ length \(1\) exceeds dimension size"):
        x.narrow(1, 3, 1)
    with pytest.raises(IndexError, match=r"start out of range \(expected to be in range of"):
        x.narrow(1, -4, 1)
    with pytest.raises(RuntimeError, match="length must be non-negative"):
        x.narrow(1, 1, -1)
    with pytest.raises(IndexError, match=r"select\(\): index -3 out of range for tensor of size"):
        x.select(0, -3)
    with pytest.raises(IndexError, match="select\\(\\) cannot be applied to a 0-dim tensor."):
        nt.tensor(1.0).select(0, 0)
    assert nt.narrow(x, 0, 1, 1).shape == (1, 3, 4)
    assert nt.select(x, 2, 0).tolist() == [[0.0, 4.0, 8.0], [12.0, 16.0, 20.0]]


GRAD_FN_EXPRS = [
    "x.view(4)",
    "x.reshape(4)",
    "x.t().reshape(4)",
    "x.transpose(0, 1)",
    "x.t()",
    "x.T",
    "x.mT",
    "x.permute(1, 0)",
    "x.unsqueeze(0)",
    "x.squeeze()",
    "x[None].squeeze(0)",
    "x.expand(2, 2, 2)",
    "x.narrow(0, 0, 1)",
    "x.select(1, 0)",
    "x.diagonal()",
    "x.unbind()[0]",
    "x.split(1)[0]",
    "x.split([1, 1])[0]",
    "x.chunk(2)[0]",
    "nt.cat([x, x])",
    "nt.stack([x, x])",
]
GRAD_FN_NAMES = [
    "ViewBackward0",
    "ViewBackward0",
    "UnsafeViewBackward0",
    "TransposeBackward0",
    "TBackward0",
    "PermuteBackward0",
    "TransposeBackward0",
    "PermuteBackward0",
    "UnsqueezeBackward0",
    "SqueezeBackward0",
    "SqueezeBackward1",
    "ExpandBackward0",
    "SliceBackward0",
    "SelectBackward0",
    "DiagonalBackward0",
    "UnbindBackward0",
    "SplitBackward0",
    "SplitWithSizesBackward0",
    "SplitBackward0",
    "CatBackward0",
    "StackBackward0",
]


@pytest.mark.parametrize(("expr", "name"), list(zip(GRAD_FN_EXPRS, GRAD_FN_NAMES, strict=True)))
def test_grad_fn_names(expr, name):
    x = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert eval(expr, {"x": x, "nt": nt}).grad_fn.name() == name


def test_grad_fn_names_match_torch():
    torch = pytest.importorskip("torch")
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    names = [eval(e, {"x": x, "nt": torch}).grad_fn.name() for e in GRAD_FN_EXPRS]
    assert names == GRAD_FN_NAMES


def test_view_gradients():
    x = nt.arange(12.0).reshape(3, 4).requires_grad_()
    w = nt.arange(4.0)
    y = (x.narrow(0, 1, 2) * 2).sum() + (x.select(1, 3) ** 2).sum() + (x.t()[0] * w[:3]).sum()
    y = y + x.diagonal().sum() + x.unsqueeze(0).expand(2, 3, 4).sum() + x.unbind(1)[1].sum()
    y.backward()
    expected = np.full((3, 4), 2.0)
    expected[1:] += 2
    expected[:, 3] += 2 * np.arange(12.0).reshape(3, 4)[:, 3]
    expected[:, 0] += np.arange(3.0)
    expected[[0, 1, 2], [0, 1, 2]] += 1
    expected[:, 1] += 1
    assert np.allclose(x.grad.numpy(), expected)


def test_T_warns_once_like_torch():
    import numtorch.ops.shape as shape

    shape._T_WARNED.update(nd=False)
    with pytest.warns(UserWarning, match="The use of `x.T` on tensors of dimension other than 2"):
        assert _x().T.shape == (4, 3, 2)
    assert _x().T.ndim == 3  # no second warning: once per process, as TORCH_WARN_ONCE
    assert nt.ones(2, 3).T.stride() == (1, 3)


def test_expand_writes():
    y = nt.ones(3, 1)
    v = y.expand(3, 4)
    v[0, 0] = 5
    assert y.tolist() == [[5.0], [1.0], [1.0]]
    v.zero_()
    assert y.tolist() == [[0.0], [0.0], [0.0]]
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        v.copy_(nt.ones(3, 4))


# -- cat / stack ----------------------------------------------------------------------------

CAT_CASES = [
    "torch.cat([torch.ones(2, dtype=torch.int32), torch.ones(2, dtype=torch.float64)])",
    "torch.cat([torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.bool)])",
    "torch.cat([torch.ones(2, dtype=torch.uint8), torch.ones(2, dtype=torch.int8)])",
    "torch.cat([torch.ones(2, dtype=torch.float16), torch.ones(2, dtype=torch.int64)])",
    "torch.stack([torch.ones(2, dtype=torch.int32), torch.ones(2, dtype=torch.float64)])",
    "torch.stack([torch.tensor(1.0), torch.tensor(2)])",
    "torch.cat([torch.ones(2, 3), torch.ones(0)])",
    "torch.cat([torch.ones(2, 3), torch.ones(2, 3)], 1)",
    "torch.stack([torch.ones(2, 3), torch.ones(2, 3)], dim=-3)",
]
CAT_ERRORS = [
    ("torch.cat([])", ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    ("torch.stack([])", RuntimeError, "stack expects a non-empty TensorList"),
    (
        "torch.cat([torch.ones(2, 3), torch.ones(2, 4)])",
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 "
        "for tensor number 1 in the list.",
    ),
    (
        "torch.cat([torch.ones(2, 3), torch.ones(3)])",
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    (
        "torch.cat([torch.ones(2), torch.tensor(2.0)])",
        RuntimeError,
        "zero-dimensional tensor (at position 1) cannot be concatenated",
    ),
    (
        "torch.cat([torch.ones(2, 3)], dim=2)",
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    (
        "torch.cat(torch.ones(2, 3))",
        TypeError,
        "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor",
    ),
    (
        "torch.cat([torch.ones(2), 1])",
        TypeError,
        "expected Tensor as element 1 in argument 0, but got int",
    ),
    (
        "torch.stack([torch.ones(2, 3), torch.ones(3, 2)])",
        RuntimeError,
        "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at "
        "entry 1",
    ),
    (
        "torch.stack([torch.ones(2, 3), torch.ones(2, 3)], dim=3)",
        IndexError,
        "Dimension out of range (expected to be in range of [-3, 2], but got 3)",
    ),
]


@pytest.mark.parametrize("expr", CAT_CASES)
def test_cat_stack_values(expr):
    out = eval(expr, {"torch": nt})
    assert out.dtype is not None
    torch = pytest.importorskip("torch")
    ref = eval(expr, {"torch": torch})
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    assert out.tolist() == ref.tolist()


@pytest.mark.parametrize(("expr", "exc", "msg"), CAT_ERRORS)
def test_cat_stack_errors(expr, exc, msg):
    with pytest.raises(exc) as info:
        eval(expr, {"torch": nt})
    assert str(info.value) == msg


@pytest.mark.parametrize(("expr", "exc", "msg"), CAT_ERRORS)
def test_cat_stack_errors_match_torch(expr, exc, msg):
    torch = pytest.importorskip("torch")
    with pytest.raises(exc) as info:
        eval(expr, {"torch": torch})
    assert str(info.value).split("\n")[0] == msg


def test_cat_mixed_dtypes_gradients():
    a = nt.ones(2, requires_grad=True)
    b = nt.ones(3, dtype=nt.float64, requires_grad=True)
    c = nt.cat([a, b])
    assert c.dtype == nt.float64
    assert [f[0] is not None for f in c.grad_fn.next_functions] == [True, True]
    (c * nt.arange(5.0, dtype=nt.float64)).sum().backward()
    assert a.grad.dtype == nt.float32 and a.grad.tolist() == [0.0, 1.0]
    assert b.grad.tolist() == [2.0, 3.0, 4.0]
    s = nt.stack([a, nt.ones(2)])
    assert s.grad_fn.next_functions[1] == (None, 0)
