"""Generic tests over every entry of ``op_table.OPS``, plus hypothesis tests of broadcasting,
reductions and indexing (reading and writing).

1. forward values and dtypes against the NumPy reference;
2. the grad_fn name against PyTorch's (as written in the table);
3. gradients against central finite differences (``numtorch.autograd.gradcheck``);
4. second derivatives (``gradgradcheck``) where the entry says they apply;
5. with torch installed: values, dtypes, grad_fn names and gradients equal to torch's.
"""

from __future__ import annotations

import os
import sys
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numtorch

sys.path.insert(0, os.path.dirname(__file__))
from op_table import OPS, In  # noqa: E402

try:
    from numtorch.autograd.gradcheck import gradcheck, gradgradcheck
except ImportError:  # pragma: no cover - the local fallback below keeps the checks running
    gradcheck = gradgradcheck = None


# -- helpers -----------------------------------------------------------------------------------


def _params(check: str, keep=lambda e, s: True) -> list:
    out = []
    for e in OPS:
        for i, s in enumerate(e.samples):
            if not keep(e, s):
                continue
            reason = s.xfail.get(check) or e.xfail.get(check)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(e, s, id=f"{e.name}-{i}-{s.desc}", marks=marks))
    return out


def _build(T, sample) -> list:
    return [i.build(T) if isinstance(i, In) else i for i in sample.inputs]


def _arrays(sample) -> list:
    return [i.value if isinstance(i, In) else i for i in sample.inputs]


def _outputs(out) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _np_dtype(t) -> np.dtype:
    return np.dtype(str(t.dtype).split(".")[-1])


def _tolerances(entry, dtype) -> tuple:
    if dtype == np.float64:
        return entry.rtol, entry.atol
    return max(entry.rtol, 1e-5), max(entry.atol, 1e-6)


def _seed(*parts) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _grad_outputs(T, outs, seed):
    rng = np.random.default_rng(seed)
    return [T.tensor(rng.uniform(-1, 1, tuple(o.shape)).astype(_np_dtype(o))) for o in outs]


def _diff_inputs(tensors) -> list:
    return [t for t in tensors if getattr(t, "requires_grad", False)]


def _float_outputs(outs) -> list:
    return [o for o in outs if o.requires_grad]


def _node_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


# local finite differences, used only when numtorch.autograd.gradcheck cannot be imported
def _local_gradcheck(fn, inputs, atol=1e-5, rtol=1e-3, eps=1e-6):
    diff = [t for t in inputs if getattr(t, "requires_grad", False)]
    outs = _float_outputs(_outputs(fn(*inputs)))
    for k, out in enumerate(outs):
        for j in range(out.numel()):
            onehot = np.zeros(out.numel())
            onehot[j] = 1
            grads = numtorch.autograd.grad(
                out, diff, numtorch.tensor(onehot.reshape(tuple(out.shape))), allow_unused=True
            )
            for t, g in zip(diff, grads, strict=True):
                num = np.zeros(t.numel())
                data = t.data
                for n, idx in enumerate(np.ndindex(*t.shape)):
                    orig = float(data[idx])
                    data[idx] = orig + eps
                    plus = _float_outputs(_outputs(fn(*inputs)))[k].detach().numpy().ravel()[j]
                    data[idx] = orig - eps
                    minus = _float_outputs(_outputs(fn(*inputs)))[k].detach().numpy().ravel()[j]
                    data[idx] = orig
                    num[n] = (plus - minus) / (2 * eps)
                ana = np.zeros(t.numel()) if g is None else g.numpy().ravel()
                np.testing.assert_allclose(ana, num, rtol=rtol, atol=atol)
    return True


# -- 1. forward against NumPy ----------------------------------------------------------------


@pytest.mark.parametrize("entry, sample", _params("forward"))
def test_forward_matches_numpy(entry, sample):
    outs = _outputs(entry.op(numtorch, *_build(numtorch, sample)))
    refs = _outputs(entry.ref(*_arrays(sample)))
    assert len(outs) == len(refs)
    for k, (o, r) in enumerate(zip(outs, refs, strict=True)):
        r = np.asarray(r)
        expected = np.dtype(sample.out_dtype) if (sample.out_dtype and k == 0) else r.dtype
        assert tuple(o.shape) == r.shape
        assert _np_dtype(o) == expected, (o.dtype, expected)
        rtol, atol = _tolerances(entry, _np_dtype(o))
        np.testing.assert_allclose(o.detach().numpy(), r, rtol=rtol, atol=atol)


def test_table_covers_layouts_and_empty_inputs():
    """Every op family has samples of several kinds; catches a table that silently shrank."""
    inputs = [i for e in OPS for s in e.samples for i in s.inputs if isinstance(i, In)]
    assert len(OPS) >= 150
    assert {i.layout for i in inputs} == {"c", "t", "perm", "step"}
    assert any(i.value.ndim == 0 for i in inputs)
    assert any(i.value.size == 0 for i in inputs)
    for i in inputs:
        if i.layout != "c" and min(i.value.shape) > 1:
            assert not i.build(numtorch).is_contiguous()


# -- 2. grad_fn names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, sample",
    _params(
        "grad_fn",
        lambda e, s: (
            e.grad_fn is not None and any(isinstance(i, In) and i.differentiable for i in s.inputs)
        ),
    ),
)
def test_grad_fn_name(entry, sample):
    outs = _float_outputs(_outputs(entry.op(numtorch, *_build(numtorch, sample))))
    assert outs, "no output requires grad"
    assert _node_name(outs[0]) == entry.grad_fn


# -- 3./4. finite differences ----------------------------------------------------------------


@pytest.mark.parametrize(
    "entry, sample", _params("grad", lambda e, s: e.gradcheck and s.gradcheckable)
)
def test_gradcheck(entry, sample):
    inputs = _build(numtorch, sample)

    def fn(*args):
        return entry.op(numtorch, *args)

    check = gradcheck or _local_gradcheck
    assert check(fn, tuple(inputs), atol=entry.grad_atol, rtol=entry.grad_rtol)


@pytest.mark.parametrize(
    "entry, sample",
    _params("gradgrad", lambda e, s: e.gradcheck and e.gradgrad and s.gradcheckable),
)
def test_gradgradcheck(entry, sample):
    inputs = _build(numtorch, sample)

    def fn(*args):
        return entry.op(numtorch, *args)

    outs = _float_outputs(_outputs(fn(*inputs)))
    grad_outputs = [
        g.requires_grad_() for g in _grad_outputs(numtorch, outs, _seed(entry.name, sample.desc))
    ]
    if gradgradcheck is not None:
        assert gradgradcheck(
            fn, tuple(inputs), tuple(grad_outputs), atol=entry.grad_atol, rtol=entry.grad_rtol
        )
        return
    n = len(inputs)
    diff_idx = [k for k, t in enumerate(inputs) if getattr(t, "requires_grad", False)]

    def first(*args):
        o = _float_outputs(_outputs(fn(*args[:n])))
        grads = numtorch.autograd.grad(
            o, [args[k] for k in diff_idx], args[n:], create_graph=True, allow_unused=True
        )
        return tuple(g for g in grads if g is not None)

    assert _local_gradcheck(first, (*inputs, *grad_outputs))


# -- 5. parity with PyTorch ------------------------------------------------------------------


@pytest.mark.parametrize("entry, sample", _params("torch"))
def test_matches_torch(entry, sample):
    torch = pytest.importorskip("torch")
    ins_n, ins_t = _build(numtorch, sample), _build(torch, sample)
    outs_n = _outputs(entry.op(numtorch, *ins_n))
    outs_t = _outputs(entry.op(torch, *ins_t))
    assert len(outs_n) == len(outs_t)
    for o_n, o_t in zip(outs_n, outs_t, strict=True):
        assert tuple(o_n.shape) == tuple(o_t.shape)
        assert str(o_n.dtype).split(".")[-1] == str(o_t.dtype).split(".")[-1]
        rtol, atol = _tolerances(entry, _np_dtype(o_n))
        np.testing.assert_allclose(o_n.detach().numpy(), o_t.detach().numpy(), rtol=rtol, atol=atol)
        assert o_n.requires_grad == o_t.requires_grad
        assert _node_name(o_n) == _node_name(o_t)
    diff_n, diff_t = _diff_inputs(ins_n), _diff_inputs(ins_t)
    fo_n, fo_t = _float_outputs(outs_n), _float_outputs(outs_t)
    if not (diff_n and fo_t):
        return
    seed = _seed(entry.name, sample.desc)
    g_n = numtorch.autograd.grad(
        fo_n, diff_n, _grad_outputs(numtorch, fo_n, seed), allow_unused=True
    )
    g_t = torch.autograd.grad(fo_t, diff_t, _grad_outputs(torch, fo_t, seed), allow_unused=True)
    for a, b, x in zip(g_n, g_t, diff_n, strict=True):
        if b is None:
            assert a is None or not a.numpy().any()
            continue
        assert a is not None
        assert tuple(a.shape) == tuple(x.shape)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        rtol, atol = _tolerances(entry, _np_dtype(a))
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol * 10, atol=atol * 10)


# -- hypothesis: broadcasting binary ops ---------------------------------------------------------


def _sum_to(g, shape):
    """The gradient of a broadcast: ``g`` summed back to ``shape``."""
    lead = g.ndim - len(shape)
    g = g.sum(tuple(range(lead))) if lead else g
    dims = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(dims, keepdims=True) if dims else g


# name -> (call, forward, d/dx, d/dy, allows integer operands)
BINARY = {
    "add": (lambda T, x, y: x + y, np.add, lambda x, y, g: g, lambda x, y, g: g, True),
    "sub": (lambda T, x, y: x - y, np.subtract, lambda x, y, g: g, lambda x, y, g: -g, True),
    "mul": (lambda T, x, y: x * y, np.multiply, lambda x, y, g: g * y, lambda x, y, g: g * x, True),
    "div": (
        lambda T, x, y: x / y,
        np.divide,
        lambda x, y, g: g / y,
        lambda x, y, g: -g * x / (y * y),
        False,
    ),
    "maximum": (
        lambda T, x, y: T.maximum(x, y),
        np.maximum,
        lambda x, y, g: g * (x > y),
        lambda x, y, g: g * (x < y),
        True,
    ),
    "minimum": (
        lambda T, x, y: T.minimum(x, y),
        np.minimum,
        lambda x, y, g: g * (x < y),
        lambda x, y, g: g * (x > y),
        True,
    ),
    "pow": (
        lambda T, x, y: x**y,
        np.power,
        lambda x, y, g: g * y * x ** (y - 1),
        lambda x, y, g: g * x**y * np.log(x),
        False,
    ),
}

FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _values(rng, shape, dtype, positive=False):
    if dtype == np.int64:
        return rng.integers(1 if positive else -4, 5, shape).astype(np.int64)
    # magnitudes in [0.5, 2] with distinct values: no ties for maximum/minimum, no 0 divisors
    mag = rng.uniform(0.5, 2.0, shape)
    sign = 1.0 if positive else np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return (mag * sign).astype(dtype)


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


@FAST
@given(
    name=st.sampled_from(sorted(BINARY)),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    dtypes=st.tuples(*[st.sampled_from([np.float64, np.float32, np.int64])] * 2),
    seed=st.integers(0, 2**16),
)
def test_binary_broadcasting(name, shapes, dtypes, seed):
    call, forward, dx, dy, allows_int = BINARY[name]
    if not allows_int:
        dtypes = tuple(np.float64 if d == np.int64 else d for d in dtypes)
    rng = np.random.default_rng(seed)
    sx, sy = shapes.input_shapes
    x = _values(rng, sx, dtypes[0], positive=name == "pow")
    y = _values(rng, sy, dtypes[1])
    if name == "pow":
        y = y.astype(dtypes[1])
    xt, yt = numtorch.tensor(x), numtorch.tensor(y)
    out = call(numtorch, xt, yt)
    with np.errstate(all="ignore"):
        expected = forward(x.astype(np.float64), y.astype(np.float64))
    assert tuple(out.shape) == shapes.result_shape
    loose = np.float32 in dtypes
    np.testing.assert_allclose(
        out.numpy().astype(np.float64), expected, rtol=1e-5 if loose else 1e-12, atol=1e-6
    )
    torch = _torch_or_none()
    if torch is not None:
        ref = call(torch, torch.tensor(x), torch.tensor(y))
        assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    if dtypes != (np.float64, np.float64):
        return
    xt.requires_grad_()
    yt.requires_grad_()
    out = call(numtorch, xt, yt)
    g = rng.uniform(-1, 1, shapes.result_shape)
    gx, gy = numtorch.autograd.grad(out, (xt, yt), numtorch.tensor(g))
    np.testing.assert_allclose(gx.numpy(), _sum_to(dx(x, y, g), sx), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gy.numpy(), _sum_to(dy(x, y, g), sy), rtol=1e-10, atol=1e-12)


# -- hypothesis: reductions ----------------------------------------------------------------------


@st.composite
def _reduction_case(draw):
    name = draw(st.sampled_from(["sum", "mean", "amax", "amin"]))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    dims = draw(st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=max(ndim, 1)))
    dims = [d - ndim if draw(st.booleans()) and ndim else d for d in dims]
    return name, shape, tuple(dims), draw(st.booleans()), draw(st.integers(0, 2**16))


@FAST
@given(case=_reduction_case())
def test_reductions(case):
    name, shape, dims, keepdim, seed = case
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    x = (rng.permutation(n) * 0.5 - n * 0.2 + 0.1).reshape(shape)  # distinct: no ties
    xt = numtorch.tensor(x, requires_grad=True)
    axes = tuple(d % len(shape) for d in dims) if shape else ()
    np_axes = axes if dims else None
    if name in ("sum", "mean"):
        out = getattr(xt, name)(dims if dims else None, keepdim=keepdim)
    else:
        out = getattr(xt, name)(dims, keepdim=keepdim)
    fn = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min}[name]
    expected = fn(x, axis=np_axes, keepdims=keepdim)
    if not keepdim and dims == () and name in ("sum", "mean"):
        expected = fn(x)  # dim=None with keepdim=False reduces everything
    assert tuple(out.shape) == np.shape(expected)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    g = rng.uniform(-1, 1, np.shape(expected))
    (gx,) = numtorch.autograd.grad(out, xt, numtorch.tensor(g))
    full = fn(x, axis=np_axes, keepdims=True)
    g_kept = g.reshape(np.shape(full))
    if name == "sum":
        want = np.broadcast_to(g_kept, shape)
    elif name == "mean":
        want = np.broadcast_to(g_kept, shape) * (np.size(full) / max(n, 1))
    else:
        want = np.where(x == full, g_kept, 0.0)
    np.testing.assert_allclose(gx.numpy(), want, rtol=1e-12, atol=1e-12)
    torch = _torch_or_none()
    if torch is not None:
        xt_t = torch.tensor(x, requires_grad=True)
        if name in ("sum", "mean"):
            ref = getattr(xt_t, name)(dims if dims else None, keepdim=keepdim)
        else:
            ref = getattr(xt_t, name)(dims, keepdim=keepdim)
        assert tuple(ref.shape) == tuple(out.shape)
        assert type(ref.grad_fn).__name__ == _node_name(out)
        (gt,) = torch.autograd.grad(ref, xt_t, torch.tensor(g))
        np.testing.assert_allclose(gx.numpy(), gt.numpy(), rtol=1e-12, atol=1e-12)


# -- hypothesis: indexing ------------------------------------------------------------------------


@st.composite
def _index_case(draw, unique=False):
    """A shape and a key of ints, slices, None, Ellipsis, int index arrays and bool masks.
    Ints are not mixed with index arrays (see the xfail of ``getitem_int_and_index``)."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    key, dim = [], 0
    advanced = draw(st.booleans())
    used_ellipsis = False
    while dim < len(shape) and draw(st.booleans()) or not key:
        if dim >= len(shape):
            key.append(None)
            break
        n = shape[dim]
        kinds = ["slice", "none"] + (["array", "mask"] if advanced else ["int"])
        if not used_ellipsis:
            kinds.append("ellipsis")
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            key.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
        elif kind == "none":
            key.append(None)
            continue
        elif kind == "ellipsis":
            used_ellipsis = True
            key.append(Ellipsis)
            dim = len(shape) - sum(1 for k in key[:-1] if k is not None and k is not Ellipsis)
            dim = max(dim, len(key) - 1)
            break
        elif kind == "array":
            if unique:
                values = draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
            else:
                values = draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=4))
            key.append(np.array(values, dtype=np.int64))
        else:
            key.append(np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        dim += 1
    return shape, tuple(key), draw(st.integers(0, 2**16))


def _key_for(T, key):
    return tuple(T.tensor(k) if isinstance(k, np.ndarray) else k for k in key)


@FAST
@given(case=_index_case())
def test_getitem(case):
    shape, key, seed = case
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    try:
        expected = x[key]
    except IndexError:
        return  # NumPy refuses it (e.g. masks that do not fit after an Ellipsis)
    xt = numtorch.tensor(x, requires_grad=True)
    out = xt[_key_for(numtorch, key)]
    assert tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    g = rng.uniform(-1, 1, expected.shape)
    (gx,) = numtorch.autograd.grad(out, xt, numtorch.tensor(g))
    want = np.zeros(shape)
    np.add.at(want, key, g)
    np.testing.assert_allclose(gx.numpy(), want, rtol=1e-12, atol=1e-12)
    torch = _torch_or_none()
    if torch is not None:
        xt_t = torch.tensor(x, requires_grad=True)
        ref = xt_t[_key_for(torch, key)]
        assert tuple(ref.shape) == tuple(out.shape)
        np.testing.assert_array_equal(ref.detach().numpy(), expected)
        assert type(ref.grad_fn).__name__ == _node_name(out)


@FAST
@given(case=_index_case(unique=True), value_kind=st.sampled_from(["scalar", "full", "row"]))
def test_setitem(case, value_kind):
    shape, key, seed = case
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape)
    try:
        target = x[key].shape
    except IndexError:
        return
    if value_kind == "scalar":
        v = np.array(rng.uniform(-1, 1))
    elif value_kind == "full":
        v = rng.uniform(-1, 1, target)
    else:
        v = rng.uniform(-1, 1, target[-1:])
    expected = x.copy()
    expected[key] = v
    leaf = numtorch.tensor(x, requires_grad=True)
    vt = numtorch.tensor(v, requires_grad=True)
    xt = leaf.clone()
    xt[_key_for(numtorch, key)] = vt
    np.testing.assert_array_equal(xt.detach().numpy(), expected)
    g = rng.uniform(-1, 1, shape)
    g_leaf, g_v = numtorch.autograd.grad(xt, (leaf, vt), numtorch.tensor(g))
    want_leaf = g.copy()
    want_leaf[key] = 0
    np.testing.assert_allclose(g_leaf.numpy(), want_leaf, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_v.numpy(), _sum_to(g[key], v.shape), rtol=1e-12, atol=1e-12)
    torch = _torch_or_none()
    if torch is not None:
        leaf_t = torch.tensor(x, requires_grad=True)
        v_t = torch.tensor(v, requires_grad=True)
        xt_t = leaf_t.clone()
        xt_t[_key_for(torch, key)] = v_t
        np.testing.assert_array_equal(xt_t.detach().numpy(), expected)
        assert type(xt_t.grad_fn).__name__ == _node_name(xt)
        gl_t, gv_t = torch.autograd.grad(xt_t, (leaf_t, v_t), torch.tensor(g))
        np.testing.assert_allclose(g_leaf.numpy(), gl_t.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g_v.numpy(), gv_t.numpy(), rtol=1e-12, atol=1e-12)
