"""Op-table entries of reductions, scans, sorting and selection beyond sum/mean/max/min/amax."""

from __future__ import annotations

import numpy as np
import op_table
from op_table import In, S, distinct, ints, nc, nonzero, pos, rand


def _with_nan(*shape):
    x = rand(*shape)
    x.reshape(-1)[::3] = np.nan
    return x


def _sorted_pair(x, axis=-1, descending=False):
    idx = np.argsort(-x if descending else x, axis=axis, kind="stable")
    return np.take_along_axis(x, idx, axis), idx


def entry(name, op, ref, samples, grad_fn, **kw):
    """op_table.entry; results that are not differentiable skip the finite differences."""
    if grad_fn is None:
        kw.setdefault("gradcheck", False)
    return op_table.entry(name, op, ref, samples, grad_fn, **kw)


# -- nansum / nanmean / prod -----------------------------------------------------------------

entry("nansum", lambda T, x: T.nansum(x), np.nansum, [S(rand(3, 4)), S(nc(rand(2, 3)))],
      "NansumBackward0")  # fmt: skip
entry(
    "nansum_dim_nan",
    lambda T, x: x.nansum((0, -1), keepdim=True),
    lambda x: np.nansum(x, (0, -1), keepdims=True),
    [S(_with_nan(2, 3, 4)), S(rand(3, 4))],
    "NansumBackward0",
)
entry(
    "nanmean_dim",
    lambda T, x: T.nanmean(x, 1),
    lambda x: np.nanmean(x, 1),
    [S(_with_nan(3, 4)), S(nc(rand(2, 3, 4)))],
    "DivBackward0",
)
entry("prod", lambda T, x: x.prod(), np.prod, [S(rand(3, 4)), S(rand()), S(rand(0, 2))],
      "ProdBackward0")  # fmt: skip
entry(
    "prod_dim",
    lambda T, x: T.prod(x, -1, keepdim=True),
    lambda x: x.prod(-1, keepdims=True),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "ProdBackward1",
)
entry(
    "prod_zeros",
    lambda T, x: (x.prod(), x.prod(1)),
    lambda x: (x.prod(), x.prod(1)),
    [S(np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, 2.0, -1.0]]))],
    "ProdBackward0",
)
entry(
    "prod_int",
    lambda T, x: (x.prod(), x.prod(0), x.prod(dtype=T.float64)),
    lambda x: (x.prod(), x.prod(0), x.prod(dtype=np.float64)),
    [S(ints(3, 4, low=-3, high=4))],
    None,
)

# -- aminmax / count_nonzero -----------------------------------------------------------------

entry(
    "aminmax",
    lambda T, x: tuple(T.aminmax(x)),
    lambda x: (x.min(), x.max()),
    [S(distinct(3, 4)), S(distinct())],
    "AminmaxBackward0",
)
entry(
    "aminmax_dim",
    lambda T, x: tuple(x.aminmax(dim=-1, keepdim=True)),
    lambda x: (x.min(-1, keepdims=True), x.max(-1, keepdims=True)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
    "AminmaxBackward0",
)
entry(
    "count_nonzero",
    lambda T, x: (T.count_nonzero(x), x.count_nonzero(0), T.count_nonzero(x, (0, 1))),
    lambda x: tuple(np.asarray(np.count_nonzero(x, a), np.int64) for a in (None, 0, (0, 1))),
    [S(ints(3, 4, low=-1, high=2)), S(In(np.array([[0.0, 1.5], [np.nan, 0.0]])))],
    None,
)

# -- var / std -----------------------------------------------------------------------------------

entry("var", lambda T, x: x.var(), lambda x: x.var(ddof=1), [S(rand(3, 4)), S(nc(rand(2, 3)))],
      "VarBackward0")  # fmt: skip
entry(
    "var_dim_correction",
    lambda T, x: T.var(x, 1, correction=0, keepdim=True),
    lambda x: x.var(1, keepdims=True),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "VarBackward0",
)
entry(
    "std",
    lambda T, x: T.std(x, (0, -1)),
    lambda x: x.std((0, -1), ddof=1),
    [S(rand(2, 3, 4)), S(nc(rand(3, 4)))],
    "StdBackward0",
)
entry(
    "std_unbiased_false",
    lambda T, x: (x.std(False), T.std(x, 0, False)),
    lambda x: (x.std(), x.std(0)),
    [S(rand(3, 4))],
    "StdBackward0",
)
entry(
    "std_correction_2",
    lambda T, x: x.std(dim=-1, correction=2),
    lambda x: x.std(-1, ddof=2),
    [S(rand(3, 5))],
    "StdBackward0",
)
entry(
    "std_mean",
    lambda T, x: T.std_mean(x, 1),
    lambda x: (x.std(1, ddof=1), x.mean(1)),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "StdMeanBackward0",
)
entry(
    "var_mean",
    lambda T, x: T.var_mean(x, correction=0, keepdim=True),
    lambda x: (x.var(keepdims=True), x.mean(keepdims=True)),
    [S(rand(3, 4)), S(rand(5))],
    "VarMeanBackward0",
)

# -- norms / logsumexp ---------------------------------------------------------------------------


def _pnorm(p, axis=None, keepdims=False):
    def ref(x):
        a = np.abs(x)
        if p == np.inf:
            return a.max(axis, keepdims=keepdims)
        return (a**p).sum(axis, keepdims=keepdims) ** (1 / p)

    return ref


entry("norm", lambda T, x: x.norm(), _pnorm(2), [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
      "LinalgVectorNormBackward0")  # fmt: skip
entry(
    "norm_p1_dim",
    lambda T, x: T.norm(x, 1, dim=1),
    _pnorm(1, 1),
    [S(nonzero(3, 4)), S(nc(nonzero(2, 3)))],
    "LinalgVectorNormBackward0",
)
entry(
    "norm_inf",
    lambda T, x: x.norm(float("inf"), dim=-1, keepdim=True),
    _pnorm(np.inf, -1, True),
    [S(distinct(3, 4))],
    "LinalgVectorNormBackward0",
)
entry(
    "norm_p3_dims",
    lambda T, x: T.norm(x, 3, (0, 2)),
    _pnorm(3, (0, 2)),
    [S(nonzero(2, 3, 4))],
    "LinalgVectorNormBackward0",
)
entry(
    "norm_fro_dim",
    lambda T, x: x.norm("fro", dim=0),
    _pnorm(2, 0),
    [S(rand(3, 4))],
    "LinalgVectorNormBackward0",
)
entry(
    "norm_p_half",
    lambda T, x: x.norm(0.5),
    _pnorm(0.5),
    [S(nonzero(3, 4))],
    "LinalgVectorNormBackward0",
)


def _logsumexp(x, axis, keepdims=False):
    m = x.max(axis, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


entry(
    "logsumexp",
    lambda T, x: T.logsumexp(x, 1),
    lambda x: _logsumexp(x, 1),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4))), S(rand(2, 3) * 500)],
    "LogsumexpBackward0",
)
entry(
    "logsumexp_dims_keepdim",
    lambda T, x: x.logsumexp((0, -1), keepdim=True),
    lambda x: _logsumexp(x, (0, -1), True),
    [S(rand(2, 3, 4))],
    "LogsumexpBackward0",
)
entry(
    "logsumexp_int",
    lambda T, x: x.logsumexp(0),
    lambda x: _logsumexp(x.astype(np.float64), 0).astype(np.float32),
    [S(ints(3, 2))],
    None,
    rtol=1e-6,
)

# -- scans -----------------------------------------------------------------------------------------

entry(
    "cumsum",
    lambda T, x: T.cumsum(x, -1),
    lambda x: np.cumsum(x, -1).reshape(x.shape),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4))), S(rand())],
    "CumsumBackward0",
)
entry(
    "cumsum_int",
    lambda T, x: (x.cumsum(0), x.cumsum(0, dtype=T.float32)),
    lambda x: (np.cumsum(x, 0), np.cumsum(x, 0, dtype=np.float32)),
    [S(ints(3, 2)), S(In(np.array([True, False, True])))],
    None,
)
entry(
    "cumprod",
    lambda T, x: x.cumprod(1),
    lambda x: np.cumprod(x, 1),
    [S(nonzero(3, 4)), S(nc(nonzero(2, 3, 4)))],
    "CumprodBackward0",
)
entry(
    "cumprod_zeros",
    lambda T, x: T.cumprod(x, 0),
    lambda x: np.cumprod(x, 0),
    [S(np.array([1.5, 0.0, 2.0, 0.0, -1.0])), S(np.array([[0.0, 2.0], [3.0, 0.5], [0.0, 1.0]]))],
    "CumprodBackward0",
)


def _cum_extreme(fn):
    def ref(x, axis):
        values = fn.accumulate(x, axis=axis)
        pos_ = np.arange(x.shape[axis]).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        idx = np.maximum.accumulate(np.where(x == values, pos_, 0), axis=axis)
        return values, idx

    return ref


entry(
    "cummax",
    lambda T, x: tuple(T.cummax(x, 1)),
    lambda x: _cum_extreme(np.maximum)(x, 1),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
    "CummaxBackward0",
)
entry(
    "cummin",
    lambda T, x: tuple(x.cummin(-1)),
    lambda x: _cum_extreme(np.minimum)(x, x.ndim - 1),
    [S(distinct(3, 4)), S(np.array([1.0, 0.0, 0.0, 2.0, -1.0]))],
    "CumminBackward0",
    gradcheck=False,
)

# -- sorting and selection -------------------------------------------------------------------

entry(
    "sort",
    lambda T, x: tuple(T.sort(x)),
    lambda x: _sorted_pair(x) if x.ndim else (x, np.array(0)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4))), S(distinct())],
    "SortBackward0",
)
entry(
    "sort_descending_dim0",
    lambda T, x: tuple(x.sort(0, descending=True)),
    lambda x: _sorted_pair(x, 0, True),
    [S(distinct(3, 4))],
    "SortBackward0",
)
entry(
    "sort_stable_ties",
    lambda T, x: tuple(T.sort(x, stable=True, descending=True)),
    lambda x: _sorted_pair(x, -1, True),
    [S(np.array([1.0, 2.0, 1.0, 3.0, 2.0, 1.0])), S(np.array([[0.5, 0.5], [0.1, 0.5]]))],
    "SortBackward1",
    gradcheck=False,
)
entry(
    "sort_nan",
    lambda T, x: (T.sort(x).values, x.sort(descending=True).values),
    lambda x: (np.sort(x), np.sort(x)[::-1]),
    [S(np.array([1.0, np.nan, -2.0, 3.0]))],
    "SortBackward0",
    gradcheck=False,
)
entry(
    "argsort",
    lambda T, x: (T.argsort(x), x.argsort(dim=0, descending=True)),
    lambda x: (np.argsort(x, -1), np.argsort(-x, 0)),
    [S(distinct(3, 4)), S(ints(2, 3, low=0, high=100) * 0 + np.arange(6).reshape(2, 3))],
    None,
)
entry(
    "msort",
    lambda T, x: T.msort(x),
    lambda x: np.sort(x, 0),
    [S(distinct(3, 4)), S(nc(distinct(3, 2)))],
    "SortBackward0",
)
entry(
    "topk",
    lambda T, x: tuple(T.topk(x, 2)),
    lambda x: tuple(a[..., :2] for a in _sorted_pair(x, -1, True)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
    "TopkBackward0",
)
entry(
    "topk_smallest_dim0",
    lambda T, x: tuple(x.topk(3, dim=0, largest=False)),
    lambda x: tuple(a[:3] for a in _sorted_pair(x, 0)),
    [S(distinct(4, 3))],
    "TopkBackward0",
)
entry(
    "kthvalue",
    lambda T, x: tuple(T.kthvalue(x, 2)),
    lambda x: tuple(a[..., 1] for a in _sorted_pair(x)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
    "KthvalueBackward0",
)
entry(
    "kthvalue_keepdim",
    lambda T, x: tuple(x.kthvalue(3, 0, keepdim=True)),
    lambda x: tuple(a[2:3] for a in _sorted_pair(x, 0)),
    [S(distinct(4, 3))],
    "KthvalueBackward0",
)
entry(
    "median",
    lambda T, x: x.median(),
    lambda x: np.sort(x.reshape(-1))[(x.size - 1) // 2],
    [S(distinct(3, 4)), S(nc(distinct(2, 3)))],
    "MedianBackward0",
)
entry(
    "median_dim",
    lambda T, x: tuple(T.median(x, 1)),
    lambda x: tuple(a[:, (x.shape[1] - 1) // 2] for a in _sorted_pair(x, 1)),
    [S(distinct(3, 4)), S(nc(distinct(2, 5)))],
    "MedianBackward1",
)
entry(
    "median_nan",
    lambda T, x: (x.median(), T.nanmedian(x), x.median(0).values, x.nanmedian(0).values),
    lambda x: (
        np.float64(np.nan),
        np.float64(0.5),
        np.array([np.nan, 1.0]),
        np.array([0.0, 1.0]),
    ),
    [S(np.array([[0.0, 2.0], [np.nan, 1.0], [np.nan, 0.5]]))],
    "MedianBackward0",
    gradcheck=False,
)
entry(
    "nanmedian_dim",
    lambda T, x: tuple(T.nanmedian(x, -1, keepdim=True)),
    lambda x: tuple(a[:, 1:2] for a in _sorted_pair(x, 1)),
    [S(distinct(3, 4))],
    "NanmedianBackward1",
)
entry(
    "mode",
    lambda T, x: tuple(T.mode(x)),
    lambda x: (np.array([3.0, 0.0, -1.0]), np.array([2, 4, 4])),
    [S(np.array([[1.0, 3.0, 3.0, 2.0, 5.0], [2.0, 2.0, 0.0, 0.0, 0.0], [4, 5, 6, 7, -1.0]]))],
    "ModeBackward0",
    gradcheck=False,  # a mode is a tie by definition: finite differences break it
)


def _quantile_entry(name, q, kw, ref_kw, samples, **extra):
    def op(T, x):
        qq = T.tensor(q, dtype=T.float64) if isinstance(q, list) else q
        return T.quantile(x, qq, **kw)

    def ref(x):
        return np.quantile(x, q, **ref_kw)

    entry(f"quantile_{name}", op, ref, samples, "SqueezeBackward4", **extra)


_quantile_entry("all", 0.3, {}, {}, [S(distinct(3, 4)), S(nc(distinct(2, 3)))])
_quantile_entry(
    "dim_tensor_q",
    [0.2, 0.5, 1.0],
    {"dim": 1, "keepdim": True},
    {"axis": 1, "keepdims": True},
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
)
for _method in ("lower", "higher", "midpoint", "nearest"):
    _quantile_entry(
        _method,
        [0.25, 0.5, 0.7],
        {"dim": 0, "interpolation": _method},
        {"axis": 0, "method": _method},
        [S(distinct(5, 3))],
    )
entry(
    "nanquantile",
    lambda T, x: (T.nanquantile(x, 0.4, dim=1), T.quantile(x, 0.4, dim=1)),
    lambda x: (np.nanquantile(x, 0.4, axis=1), np.quantile(x, 0.4, axis=1)),
    [S(np.array([[0.5, np.nan, 2.0, 1.0], [0.1, 0.2, 0.4, 0.3]]))],
    "SqueezeBackward4",
    gradcheck=False,
)

# -- unique / bincount / histc (not differentiable) ---------------------------------------------

entry(
    "unique",
    lambda T, x: T.unique(x, return_inverse=True, return_counts=True),
    lambda x: tuple(
        a.reshape(x.shape) if i == 1 else a
        for i, a in enumerate(np.unique(x, return_inverse=True, return_counts=True))
    ),
    [S(ints(3, 4, low=0, high=4)), S(In(np.array([2.5, -1.0, 2.5, 0.0]), requires_grad=False))],
    None,
)
entry(
    "unique_dim",
    lambda T, x: T.unique(x, dim=0, return_counts=True),
    lambda x: np.unique(x, axis=0, return_counts=True),
    [S(np.array([[1, 2], [0, 1], [1, 2]], dtype=np.int64))],
    None,
)
entry(
    "unique_consecutive",
    lambda T, x: x.unique_consecutive(return_inverse=True, return_counts=True),
    lambda x: (np.array([1, 2, 1, 3]), np.array([0, 0, 1, 2, 2, 3]), np.array([2, 1, 2, 1])),
    [S(np.array([1, 1, 2, 1, 1, 3], dtype=np.int64))],
    None,
)
entry(
    "bincount",
    lambda T, x, w: (T.bincount(x), x.bincount(w, minlength=7)),
    lambda x, w: (np.bincount(x), np.bincount(x, w, minlength=7)),
    [S(ints(8, low=0, high=5), In(pos(8), requires_grad=False))],
    None,
)
entry(
    "histc",
    lambda T, x: (T.histc(x, bins=4), x.histc(5, min=-1, max=1)),
    lambda x: (
        np.histogram(x, 4, (x.min(), x.max()))[0].astype(np.float64),
        np.histogram(x, 5, (-1, 1))[0].astype(np.float64),
    ),
    [S(In(rand(20), requires_grad=False))],
    None,
)
