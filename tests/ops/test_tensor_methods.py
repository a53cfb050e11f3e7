"""Tensor methods outside the op families: in-place view changes, fill_diagonal_, in-place
comparisons, and the memory/device queries of a CPU tensor; against PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch

_VIEW_CASES = [
    ("squeeze_", (), (1, 2, 1), "SqueezeBackward3"),
    ("squeeze_", (0,), (1, 2, 1), "SqueezeBackward4"),
    ("squeeze_", ((0, 2),), (1, 2, 1), "SqueezeBackward5"),
    ("unsqueeze_", (-1,), (2, 3), "UnsqueezeBackward1"),
    ("t_", (), (2, 3), "TBackward1"),
    ("transpose_", (0, 2), (2, 3, 4), "TransposeBackward1"),
    ("swapaxes_", (1, 0), (2, 3), "TransposeBackward1"),
    ("swapdims_", (-1, 0), (2, 3), "TransposeBackward1"),
]


@pytest.mark.parametrize(("name", "args", "shape", "node"), _VIEW_CASES)
def test_inplace_views(name, args, shape, node):
    start = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    leaf = numtorch.tensor(start, requires_grad=True)
    x = leaf * 2
    version = x._version
    out = getattr(x, name)(*args)
    expected = getattr(numtorch.tensor(start * 2), name.rstrip("_"))(*args)
    assert out is x and x.shape == expected.shape
    assert x.grad_fn.name() == node and x._version == version + 1
    np.testing.assert_array_equal(x.detach().numpy(), expected.numpy())
    weights = numtorch.arange(x.numel(), dtype=x.dtype).reshape(x.shape)
    (x * weights).sum().backward()
    twin = numtorch.tensor(start, requires_grad=True)  # the same through the out-of-place op
    (getattr(twin * 2, name.rstrip("_"))(*args) * weights).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), twin.grad.numpy())
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(leaf, name)(*args)
    plain = numtorch.tensor(start)
    assert getattr(plain, name)(*args) is plain and plain.grad_fn is None


def test_inplace_view_of_a_view_writes_through_to_the_base():
    base = numtorch.zeros(4, 6)
    view = base[:, :4]
    view.t_()
    view[0, 1] = 7.0
    assert base[1, 0].item() == 7.0 and view._base is base


def test_inplace_views_match_torch():
    torch = pytest.importorskip("torch")
    for name, args, shape, _ in _VIEW_CASES:
        results = []
        for lib in (numtorch, torch):
            leaf = lib.ones(shape, dtype=lib.float64, requires_grad=True)
            x = leaf * 3
            getattr(x, name)(*args)
            (x * x).sum().backward()
            results.append((tuple(x.shape), x.grad_fn.name(), x._version, leaf.grad.tolist()))
        assert results[0] == results[1], name


@pytest.mark.parametrize(
    ("shape", "wrap"), [((3, 3), False), ((2, 5), False), ((7, 3), True), ((7, 3), False)]
)
def test_fill_diagonal(shape, wrap):
    x = numtorch.zeros(shape).fill_diagonal_(5.0, wrap=wrap)
    expected = np.zeros(shape, np.float32)
    flat = expected.reshape(-1)
    step = shape[1] + 1
    stop = flat.size if wrap else min(shape) * step
    flat[:stop:step] = 5.0
    np.testing.assert_array_equal(x.numpy(), expected)


def test_fill_diagonal_cube_errors_and_gradient():
    cube = numtorch.zeros(2, 2, 2).fill_diagonal_(3)
    assert cube[0, 0, 0].item() == 3 and cube[1, 1, 1].item() == 3 and cube.sum().item() == 6
    with pytest.raises(RuntimeError, match="^dimensions must larger than 1$"):
        numtorch.zeros(3).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="^all dimensions of input must be of equal length$"):
        numtorch.zeros(2, 3, 4).fill_diagonal_(1)
    leaf = numtorch.ones(3, 3, requires_grad=True)
    x = leaf * 1
    x.fill_diagonal_(0)
    assert x.grad_fn.name() == "torch::autograd::CopySlices"  # PyTorch's name
    x.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), 1 - np.eye(3, dtype=np.float32))


def test_fill_diagonal_matches_torch():
    torch = pytest.importorskip("torch")
    for shape, wrap in [((4, 3), True), ((9, 2), True), ((3, 6), True), ((3, 3, 3), False)]:
        ours = numtorch.zeros(shape).fill_diagonal_(2.0, wrap=wrap)
        theirs = torch.zeros(shape).fill_diagonal_(2.0, wrap=wrap)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_inplace_comparisons_and_logical_ops():
    assert numtorch.ones(3).eq_(numtorch.tensor([1.0, 2.0, 1.0])).tolist() == [1.0, 0.0, 1.0]
    x = numtorch.tensor([1, 5, 3])
    assert x.gt_(2) is x and x.tolist() == [0, 1, 1]
    for name, expected in [
        ("ne_", [0.0, 1.0]),
        ("not_equal_", [0.0, 1.0]),
        ("lt_", [0.0, 1.0]),
        ("less_", [0.0, 1.0]),
        ("le_", [1.0, 1.0]),
        ("less_equal_", [1.0, 1.0]),
        ("greater_", [0.0, 0.0]),
        ("ge_", [1.0, 0.0]),
        ("greater_equal_", [1.0, 0.0]),
    ]:
        assert getattr(numtorch.tensor([2.0, 1.0]), name)(2.0).tolist() == expected, name
    flags = numtorch.tensor([True, False, True])
    assert flags.logical_and_(numtorch.tensor([True, True, False])).tolist() == [True, False, False]
    assert flags.logical_or_(numtorch.tensor([False, True, False])).tolist() == [True, True, False]
    assert flags.logical_xor_(numtorch.tensor([True, True, True])).tolist() == [False, False, True]
    assert numtorch.tensor([1, 2]).bitwise_not_().tolist() == [-2, -3]


def test_memory_and_device_queries():
    x = numtorch.ones(3, 4)
    assert (x.nbytes, x.itemsize) == (48, 4)
    assert x[:, ::2].nbytes == 24 and numtorch.ones(2, dtype=numtorch.float16).itemsize == 2
    assert not (x.is_mps or x.is_xla or x.is_nested or x.is_mkldnn or x.is_sparse_csr)
    assert not x.is_pinned() and not x.is_shared()
    assert x.share_memory_() is x and x.is_shared()
    with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
        x.pin_memory()
    assert [p.tolist() for p in numtorch.arange(5).split_with_sizes([2, 3])] == [[0, 1], [2, 3, 4]]
    assert len(numtorch.arange(6).unsafe_chunk(3)) == 3
    assert len(numtorch.arange(6).unsafe_split(4)) == 2
    empty = x.new_empty_strided((2, 5), (5, 1))
    assert empty.shape == (2, 5) and empty.dtype == numtorch.float32


def test_queries_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (numtorch, torch):
        x = lib.ones(3, 4, dtype=lib.float64)[:, 1:]
        assert (x.nbytes, x.itemsize, x.is_mps, x.is_pinned(), x.is_shared()) == (
            72,
            8,
            False,
            False,
            False,
        )


def test_legacy_new_constructor():
    x = numtorch.ones(2, dtype=numtorch.float64)
    assert x.new(3).shape == (3,) and x.new(3).dtype == numtorch.float64
    assert x.new(2, 3).shape == (2, 3) and x.new().shape == (0,)
    assert x.new(numtorch.Size([2, 2])).shape == (2, 2)
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new((1.5, 2)).dtype == numtorch.float64
    assert numtorch.ones(2, dtype=numtorch.int64).new([1.7]).tolist() == [1]
    other = numtorch.zeros(2, dtype=numtorch.float64)
    alias = x.new(other)
    alias[0] = 5.0
    assert other[0].item() == 5.0
    with pytest.raises(TypeError):
        x.new(numtorch.zeros(2))


def test_legacy_new_matches_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (numtorch, torch):
        x = lib.ones(2, dtype=lib.float64)
        made = [x.new(3), x.new(2, 3), x.new([1, 2]), x.new(), x.new(lib.Size([2, 2]))]
        results.append([(tuple(t.shape), str(t.dtype).split(".")[-1]) for t in made])
        results[-1].append(x.new([1, 2]).tolist())
    assert results[0] == results[1]


def _inplace_compare_script(lib):
    results = []
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    y.lt_(2)
    y.sum().backward()
    results.append((y.tolist(), y.grad_fn.name(), x.grad.tolist()))
    x = lib.ones(3, requires_grad=True)
    other = lib.tensor([1.0, 3.0, 2.0], requires_grad=True)
    y = x * 2
    y.ge_(other)
    (y * float("inf")).sum().backward()  # an inf gradient still gives zeros, not NaN
    results.append((y.tolist(), y.grad_fn.name(), x.grad.tolist(), other.grad.tolist()))
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    y.logical_and_(lib.tensor([1.0, 0.0, 1.0]))  # no derivative: the history is left as it was
    results.append((y.tolist(), y.grad_fn.name()))
    return results


def test_inplace_comparison_cuts_the_gradient():
    got = _inplace_compare_script(numtorch)
    assert got[0] == ([0.0, 0.0, 0.0], "LtBackward0", [0.0, 0.0, 0.0])
    assert got[1] == ([1.0, 0.0, 1.0], "GeBackward1", [0.0] * 3, [0.0] * 3)
    assert got[2] == ([1.0, 0.0, 1.0], "MulBackward0")


def test_inplace_comparison_matches_torch():
    torch = pytest.importorskip("torch")
    assert _inplace_compare_script(numtorch) == _inplace_compare_script(torch)
