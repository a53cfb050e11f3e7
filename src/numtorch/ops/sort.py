"""Sorting and selection: sort, topk, kthvalue, median, mode, quantile, cummax, unique, bincount.

Every differentiable op here picks elements along a dim: forward returns the values and their
indices, and backward scatters the incoming gradient back to those indices (a scatter-add,
itself differentiable: its backward is a gather).
"""

from __future__ import annotations

from .. import return_types
from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import tensor_method, wrap_dim, write_out, xp
from ._stl import aten_topk

# -- the scatter/gather pair that carries gradients back to picked elements -------------------


def _grid(xp_, index, dim):
    """The full index tuple that places ``index`` (positions along ``dim``) in an array."""
    key = []
    for axis, n in enumerate(index.shape):
        if axis == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[axis] = n
            key.append(xp_.arange(n).reshape(shape))
    return tuple(key)


class _ScatterAdd(Op):
    """``zeros(shape).scatter_add(dim, index, grad)``: repeated indices accumulate."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, grad, index, dim, shape):
        ctx.index, ctx.dim = index, dim
        out = ctx.xp.zeros(shape, grad.dtype)
        if index.ndim == 0:
            out[...] += grad
        else:
            ctx.xp.add.at(out, _grid(ctx.xp, index, dim), grad)
        return out

    @staticmethod
    def backward(ctx, grad):
        return _Gather.apply(grad, ctx.index, ctx.dim)


class _Gather(Op):
    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.index, ctx.dim, ctx.shape = index, dim, x.shape
        if index.ndim == 0:
            return x.copy()
        return ctx.xp.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return _ScatterAdd.apply(grad, ctx.index, ctx.dim, ctx.shape)


class _Selection(Op):
    """Base of the ops returning ``(values, indices)`` along ``ctx.dim``: ``select`` gives
    keepdim-shaped indices (or full-size ones for sort/cummax)."""

    @classmethod
    def forward(cls, ctx, x, dim, keepdim, *args):
        if x.ndim == 0:
            ctx.index, ctx.dim, ctx.shape, ctx.keepdim = None, 0, x.shape, True
            return x.copy(), ctx.xp.zeros((), ctx.xp.int64)
        index = cls.select(ctx.xp, x, dim, *args)
        values = ctx.xp.take_along_axis(x, index, axis=dim)
        ctx.index, ctx.dim, ctx.shape, ctx.keepdim = index, dim, x.shape, keepdim
        if not keepdim:
            values, index = values.squeeze(dim), index.squeeze(dim)
        return values, index

    @staticmethod
    def select(xp_, x, dim, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        if ctx.index is None:
            return grad
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        return _ScatterAdd.apply(grad, ctx.index, ctx.dim, ctx.shape)


def _argsort(xp_, x, dim, descending=False):
    """A stable argsort along ``dim``; NaN sorts as the largest value (first when descending),
    and equal elements keep their order either way."""
    if not descending:
        return xp_.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    flipped = xp_.flip(x, axis=dim)
    order = xp_.flip(xp_.argsort(flipped, axis=dim, kind="stable"), axis=dim)
    return n - 1 - order


def _pack(values, indices, out, kind):
    if out is not None:
        write_out(out[0], values)
        write_out(out[1], indices)
        return kind(out)
    return kind((values, indices))


# -- sort / argsort / msort / topk / kthvalue ---------------------------------------------------


class Sort(_Selection):
    @staticmethod
    def select(xp_, x, dim, descending):
        return _argsort(xp_, x, dim, descending)


class Sort1(Sort):
    """``sort(stable=...)``: PyTorch's sort.stable overload, hence SortBackward1."""


@tensor_method()
def sort(input, dim=-1, descending=False, stable=None, *, out=None):
    """Values sorted along ``dim`` and the indices they came from (a stable sort).

    >>> numtorch.sort(numtorch.tensor([3., 1., 2.]))
    numtorch.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    dim = wrap_dim(dim, input._data.ndim)
    op = Sort if stable is None else Sort1
    values, indices = op.apply(input, dim, True, descending)
    return _pack(values, indices, out, return_types.sort)


@tensor_method()
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return make(xp.zeros((), xp.int64))
    return make(_argsort(xp, input._data, dim, descending).astype(xp.int64, copy=False))


@tensor_method()
def msort(input, *, out=None):
    """``input`` sorted along its first dim."""
    values = Sort.apply(input, 0, True, False)[0]
    return write_out(out, values) if out is not None else values


# rows up to this many elements in all get ATen's order for tied values (a Python emulation)
_TOPK_EMULATION_LIMIT = 1 << 20


class Topk(_Selection):
    @staticmethod
    def select(xp_, x, dim, k, largest, sorted=True):
        order = _argsort(xp_, x, dim, descending=largest)
        n = x.shape[dim]
        index = xp_.take(order, xp_.arange(k), axis=dim)
        if k == 0 or x.dtype.kind not in "biuf" or x.size > _TOPK_EMULATION_LIMIT:
            return index
        rows = xp_.moveaxis(x, dim, -1).reshape(-1, n)
        picked = xp_.moveaxis(index, dim, -1).reshape(-1, k).copy()
        if sorted:
            # a stable sort is ATen's answer unless equal values meet among the chosen k or
            # at the cut: only those rows take ATen's own algorithm
            first = xp_.moveaxis(order, dim, -1).reshape(-1, n)[:, : k + 1]
            ranked = xp_.take_along_axis(rows, first, 1)
            tied = ranked[:, 1:] == ranked[:, :-1]
            if ranked.dtype.kind == "f":
                tied |= (ranked[:, 1:] != ranked[:, 1:]) & (ranked[:, :-1] != ranked[:, :-1])
            redo = xp_.nonzero(tied.any(axis=1))[0].tolist()
        else:  # unsorted: the order is the selection algorithm's, ties or not
            redo = range(rows.shape[0])
        for r in redo:
            picked[r] = aten_topk(rows[r].tolist(), k, largest, sorted)
        shape = index.shape[:dim] + index.shape[dim + 1 :] + (k,)
        return xp_.moveaxis(picked.reshape(shape), -1, dim)


@tensor_method()
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    ndim = input._data.ndim
    dim = wrap_dim(dim, ndim)
    size = input._data.shape[dim] if ndim else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    values, indices = Topk.apply(input, dim, True, k, largest, sorted)
    return _pack(values, indices, out, return_types.topk)


class Kthvalue(_Selection):
    @staticmethod
    def select(xp_, x, dim, k):
        order = _argsort(xp_, x, dim)
        return xp_.take(order, xp_.arange(k - 1, k), axis=dim)


@tensor_method()
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (k counts from 1) and its index."""
    ndim = input._data.ndim
    dim = wrap_dim(dim, ndim)
    size = input._data.shape[dim] if ndim else 1
    if k < 1 or k > size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    values, indices = Kthvalue.apply(input, dim, keepdim, k)
    return _pack(values, indices, out, return_types.kthvalue)


# -- median / nanmedian / mode ---------------------------------------------------------------


def _median_index(xp_, x, dim, ignore_nan):
    """Position (along ``dim``, keepdim-shaped) of the lower median; a slice holding NaN gives
    its first NaN unless ``ignore_nan`` (then the median of the other elements)."""
    order = _argsort(xp_, x, dim)
    nan = xp_.isnan(x) if x.dtype.kind in "fc" else xp_.zeros(x.shape, bool)
    count = x.shape[dim] - nan.sum(axis=dim, keepdims=True)
    if ignore_nan:
        rank = xp_.maximum(count - 1, 0) // 2
    else:
        # NaN sorts last: the first NaN sits at position `count`
        rank = xp_.where(count < x.shape[dim], count, (x.shape[dim] - 1) // 2)
    return xp_.take_along_axis(order, rank, axis=dim)


class Median1(_Selection):
    @staticmethod
    def select(xp_, x, dim):
        return _median_index(xp_, x, dim, ignore_nan=False)


class Nanmedian1(_Selection):
    @staticmethod
    def select(xp_, x, dim):
        return _median_index(xp_, x, dim, ignore_nan=True)


class Median(Op):
    """The median of all elements; the gradient is shared by the elements equal to it."""

    ignore_nan = False

    @classmethod
    def forward(cls, ctx, x):
        if x.size == 0:
            out = ctx.xp.asarray(ctx.xp.nan, x.dtype)
        else:
            flat = x.reshape(-1)
            out = flat[_median_index(ctx.xp, flat, 0, cls.ignore_nan)[0]]
        ctx.save_for_backward(x, out)
        return ctx.xp.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        mask = (x == out) | (x.isnan() & out.isnan())
        return grad * mask / mask.sum()


class Nanmedian(Median):
    ignore_nan = True


def _median(input, dim, keepdim, out, all_op, dim_op, kind, name):
    if dim is None:
        result = all_op.apply(input)
        return write_out(out, result) if out is not None else result
    ndim = input._data.ndim
    dim = wrap_dim(dim, ndim)
    if ndim and input._data.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    values, indices = dim_op.apply(input, dim, keepdim)
    return _pack(values, indices, out, kind)


@tensor_method()
def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median (of all elements, or ``(values, indices)`` along ``dim``)."""
    return _median(input, dim, keepdim, out, Median, Median1, return_types.median, "median")


@tensor_method()
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaN."""
    return _median(
        input, dim, keepdim, out, Nanmedian, Nanmedian1, return_types.nanmedian, "nanmedian"
    )


class Mode(_Selection):
    @staticmethod
    def select(xp_, x, dim):
        # runs of equal values in sorted order: the longest (the smallest value among equally
        # long ones) wins, and its last element is the value's last occurrence, as PyTorch's
        order = _argsort(xp_, x, dim)
        s = xp_.moveaxis(xp_.take_along_axis(x, order, axis=dim), dim, -1)
        n = s.shape[-1]
        pos = xp_.broadcast_to(xp_.arange(n), s.shape)
        starts = xp_.ones(s.shape, bool)
        starts[..., 1:] = s[..., 1:] != s[..., :-1]
        first = xp_.maximum.accumulate(xp_.where(starts, pos, 0), axis=-1)
        best = xp_.argmax(pos - first, axis=-1)[..., None]
        best = xp_.moveaxis(best, -1, dim)
        return xp_.take_along_axis(order, best, axis=dim)


@tensor_method()
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest on ties) and its last index."""
    ndim = input._data.ndim
    dim = wrap_dim(dim, ndim)
    if ndim and input._data.shape[dim] == 0:
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    values, indices = Mode.apply(input, dim, keepdim)
    return _pack(values, indices, out, return_types.mode)


# -- quantile -----------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class Quantile(Op):
    """quantile/nanquantile in one node: the two neighbouring order statistics, mixed.
    PyTorch's last step is a squeeze of the q dim, hence its grad_fn SqueezeBackward4."""

    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx, x, q, dim, keepdim, interpolation, ignore_nan, scalar_q):
        xp_ = ctx.xp
        ndim = x.ndim
        if dim is None:
            work, axis = x.reshape(-1), 0
        else:
            work, axis = (x.reshape(1) if ndim == 0 else x), dim
        order = _argsort(xp_, work, axis)
        ordered = xp_.take_along_axis(work, order, axis=axis)
        nan = xp_.isnan(work).sum(axis=axis, keepdims=True)
        n = work.shape[axis]
        qs = xp_.asarray(q, dtype=x.dtype).reshape((-1,) + (1,) * work.ndim)
        if ignore_nan:  # ranks among the non-NaN values (0 when there are none: NaN results)
            rank = xp_.maximum(qs * (n - nan - 1), 0)
        else:  # a slice holding NaN points at its last (NaN) element, as PyTorch's
            rank = xp_.where(nan > 0, n - 1, qs * (n - 1)).astype(x.dtype)
        if interpolation == "lower":
            rank = xp_.floor(rank)
        elif interpolation == "higher":
            rank = xp_.ceil(rank)
        elif interpolation == "nearest":
            rank = xp_.rint(rank)  # half to even, as PyTorch's round()
        low = xp_.floor(rank).astype(xp_.int64)
        high = xp_.ceil(rank).astype(xp_.int64)
        weight = rank - low if interpolation != "midpoint" else xp_.where(high > low, 0.5, 0.0)
        weight = weight.astype(x.dtype, copy=False)
        empty = n == 0
        if empty:
            low = high = xp_.zeros(low.shape, xp_.int64)
        lows, highs = [], []
        for i in range(qs.shape[0]):
            lows.append(xp_.take_along_axis(order, low[i], axis=axis) if not empty else low[i])
            highs.append(xp_.take_along_axis(order, high[i], axis=axis) if not empty else high[i])
        if empty:
            out = xp_.full(low.shape, xp_.nan, x.dtype)
        else:
            below = xp_.stack([xp_.take_along_axis(ordered, i, axis=axis) for i in low])
            above = xp_.stack([xp_.take_along_axis(ordered, i, axis=axis) for i in high])
            diff = above - below
            out = xp_.where(weight < 0.5, below + weight * diff, above - diff * (1 - weight))
            out = out.astype(x.dtype, copy=False)
        kept = list(work.shape)
        kept[axis] = 1
        ctx.args = (x.shape, work.shape, tuple(kept), axis, lows, highs, weight, scalar_q)
        return Quantile._shape(xp_, out, ndim, dim, keepdim, axis, scalar_q)

    @staticmethod
    def _shape(xp_, out, ndim, dim, keepdim, axis, scalar_q):
        # out: (nq, ...work shape with axis of size 1)
        if dim is None:
            out = out.reshape((out.shape[0],) + ((1,) * ndim if keepdim else ()))
        elif not keepdim or ndim == 0:
            out = out.squeeze(axis + 1)
        return out[0] if scalar_q else out

    @staticmethod
    def backward(ctx, grad):
        shape, work_shape, kept, axis, lows, highs, weight, scalar_q = ctx.args
        if scalar_q:
            grad = grad.unsqueeze(0)
        grad = grad.reshape((grad.shape[0], *kept))
        w = make(weight)
        total = None
        for i in range(len(lows)):
            g = grad[i]
            part = _ScatterAdd.apply(g * (1 - w[i]), lows[i], axis, work_shape)
            part = part + _ScatterAdd.apply(g * w[i], highs[i], axis, work_shape)
            total = part if total is None else total + part
        return total.reshape(shape)


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, out):
    name = "nanquantile" if ignore_nan else "quantile"
    data = input._data
    if data.dtype.kind != "f" or data.dtype.itemsize < 4:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != data.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        scalar_q = q._data.ndim == 0
        values = q._data.reshape(-1)
    else:
        values = xp.asarray([q], dtype=data.dtype)
    for v in values.tolist():
        if not 0 <= v <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {v}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    if dim is not None:
        dim = wrap_dim(dim, data.ndim)
    result = Quantile.apply(input, values, dim, keepdim, interpolation, ignore_nan, scalar_q)
    return write_out(out, result) if out is not None else result


@tensor_method()
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (q a number or a 1-D tensor) along ``dim``, as torch.quantile.

    >>> numtorch.quantile(numtorch.tensor([1., 2., 3., 4.]), 0.5)
    tensor(2.5000)
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, out)


@tensor_method()
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, True, out)


# -- cummax / cummin ----------------------------------------------------------------------------


class Cummax(_Selection):
    @staticmethod
    def select(xp_, x, dim, largest=True):
        # running extreme; ties and NaN take the latest index, as PyTorch's
        acc = xp_.maximum if largest else xp_.minimum
        values = acc.accumulate(x, axis=dim)
        hit = x == values
        if x.dtype.kind in "fc":
            hit = hit | xp_.isnan(x)
        shape = [1] * x.ndim
        shape[dim] = x.shape[dim]
        pos = xp_.arange(x.shape[dim]).reshape(shape)
        return xp_.maximum.accumulate(xp_.where(hit, pos, 0), axis=dim)


class Cummin(Cummax):
    @staticmethod
    def select(xp_, x, dim, largest=False):
        return Cummax.select(xp_, x, dim, False)


def _cumextreme(op, kind, input, dim, out):
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.size == 0:
        values = make(input._data.copy())
        return _pack(values, make(xp.zeros(input._data.shape, xp.int64)), out, kind)
    values, indices = op.apply(input, dim, True)
    return _pack(values, indices, out, kind)


@tensor_method()
def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index where each was reached."""
    return _cumextreme(Cummax, return_types.cummax, input, dim, out)


@tensor_method()
def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index where each was reached."""
    return _cumextreme(Cummin, return_types.cummin, input, dim, out)


# -- unique / bincount / histc (not differentiable) ----------------------------------------


class _NoDerivative(Op):
    """Outputs that record a node whose backward raises, as PyTorch's do."""

    derivative = ""

    @classmethod
    def forward(cls, ctx, x, fn):
        return fn(x)

    @classmethod
    def backward(cls, ctx, *grads):
        raise NotImplementedError(f"the derivative for '{cls.derivative}' is not implemented.")


class Unique2(_NoDerivative):
    node_name = "Unique2Backward0"
    derivative = "_unique2"


class UniqueDim(_NoDerivative):
    derivative = "unique_dim"


class UniqueConsecutive(_NoDerivative):
    derivative = "unique_consecutive"


class _Bincount(_NoDerivative):
    node_name = "NotImplemented"
    derivative = "bincount"


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    out = [values]
    if return_inverse:
        out.append(make(xp.asarray(inverse, dtype=xp.int64)))
    if return_counts:
        out.append(make(xp.asarray(counts, dtype=xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


@tensor_method()
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (sorted), optionally with inverse indices and counts; with
    ``dim``, the distinct slices along it.

    >>> numtorch.unique(numtorch.tensor([3, 1, 3, 2]))
    tensor([1, 2, 3])
    """
    found = {}

    def run(a):
        if dim is None:
            values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True)
            found["inverse"] = inverse.reshape(a.shape)
        else:
            d = wrap_dim(dim, a.ndim)
            values, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=d)
            found["inverse"] = inverse.reshape(-1)
        found["counts"] = counts
        return values

    values = (Unique2 if dim is None else UniqueDim).apply(input, run)
    return _unique_result(values, found["inverse"], found["counts"], return_inverse, return_counts)


@tensor_method()
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses runs of equal consecutive elements (or slices along ``dim``)."""
    found = {}

    def run(a):
        if dim is None:
            flat, axis = a.reshape(-1), 0
        else:
            flat, axis = a, wrap_dim(dim, a.ndim)
        n = flat.shape[axis]
        moved = xp.moveaxis(flat, axis, 0).reshape(n, -1)
        change = xp.ones(n, bool)
        if n > 1:
            change[1:] = (moved[1:] != moved[:-1]).any(axis=1)
        starts = xp.flatnonzero(change)
        found["inverse"] = (xp.cumsum(change) - 1).reshape(a.shape if dim is None else (n,))
        found["counts"] = xp.diff(xp.append(starts, n))
        return xp.take(flat, starts, axis=axis)

    values = UniqueConsecutive.apply(input, run)
    return _unique_result(values, found["inverse"], found["counts"], return_inverse, return_counts)


@tensor_method()
def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D tensor (or sums of ``weights``)."""
    data = input._data
    if data.ndim != 1 or data.dtype.kind not in "biu" or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return make(xp.bincount(data, minlength=minlength).astype(xp.int64))
    w = weights._data
    dtype = w.dtype if w.dtype.kind == "f" else xp.float64

    def run(a):
        return xp.bincount(data, weights=a, minlength=minlength).astype(dtype)

    return _Bincount.apply(weights, run)


@tensor_method()
def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of ``bins`` equal bins over ``[min, max]`` (the data's range when both are
    0); elements outside are ignored."""
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_short(data.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for bins")
    low, high = float(min), float(max)
    if low > high:
        raise RuntimeError("torch.histc: max must be larger than min")
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if not (xp.isfinite(low) and xp.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{low}, {high}] is not finite")
    if low == high:
        low, high = low - 1, high + 1
    keep = data[(data >= low) & (data <= high)]
    index = ((keep - low) * bins / (high - low)).astype(xp.int64)
    index = xp.minimum(index, bins - 1)  # the top edge belongs to the last bin
    result = make(xp.bincount(index, minlength=bins).astype(data.dtype))
    return write_out(out, result) if out is not None else result


def _short(np_dtype) -> str:
    from .._tensor import _short_name

    return _short_name(np_dtype)


__all__ = [
    "argsort",
    "bincount",
    "cummax",
    "cummin",
    "histc",
    "kthvalue",
    "median",
    "mode",
    "msort",
    "nanmedian",
    "nanquantile",
    "quantile",
    "sort",
    "topk",
    "unique",
    "unique_consecutive",
]
