"""Op-table entries of the index family: take, take_along_dim, put, index_fill, masked_scatter,
scatter/scatter_add/scatter_reduce, index_add/index_copy/index_reduce (and their in-place
forms)."""

from __future__ import annotations

import warnings

import numpy as np
from op_table import RNG, In, S, distinct, entry, index, mask, nc, rand


def _idx(*shape, high):
    return In(np.asarray(RNG.integers(0, high, shape), dtype=np.int64))


def _unique_rows(rows, cols, high):
    """An index of shape (rows, cols) whose columns hold distinct values below ``high`` (scatter
    writes are then order-independent)."""
    return In(np.stack([RNG.permutation(high)[:rows] for _ in range(cols)], 1).astype(np.int64))


def _key(i, dim):
    grids = np.indices(i.shape, sparse=True)
    return tuple(i if d == dim else grids[d] for d in range(i.ndim))


def _np_scatter(x, dim, i, src, ufunc=None):
    out = x.copy()
    key = _key(i, dim)
    src = src[tuple(slice(0, n) for n in i.shape)] if np.ndim(src) else src
    if ufunc is None:
        out[key] = src
    else:
        ufunc.at(out, key, src)
    return out


def _np_scatter_reduce(x, dim, i, src, reduce, include_self=True):
    out = x.copy()
    key = _key(i, dim)
    ident = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
    if not include_self:
        out[key] = ident
    ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum}
    ufunc.get(reduce, np.minimum).at(out, key, src)
    if reduce == "mean":
        count = np.full(x.shape, 1 if include_self else 0)
        np.add.at(count, key, 1)
        out = out / np.maximum(count, 1)
    return out


def _along(x, dim):
    return np.moveaxis(x.reshape(1) if x.ndim == 0 else x, dim, 0)


def _np_index_add(x, dim, i, src, alpha=1):
    out = x.copy()
    np.add.at(_along(out, dim), i, _along(src, dim) * alpha)
    return out


def _np_index_copy(x, dim, i, src):
    out = x.copy()
    _along(out, dim)[i] = _along(src, dim)
    return out


def _np_index_fill(x, dim, i, value):
    out = x.copy()
    _along(out, dim)[i] = value
    return out


def _np_masked_scatter(x, m, src):
    shape = np.broadcast_shapes(x.shape, m.shape)
    out = np.broadcast_to(x, shape).copy()
    full = np.broadcast_to(m, shape)
    out[full] = src.ravel()[: full.sum()]
    return out


def _np_put(x, i, src, accumulate=False):
    out = x.copy()
    flat = out.reshape(-1)
    if accumulate:
        np.add.at(flat, i.ravel(), src.ravel())
    else:
        flat[i.ravel()] = src.ravel()
    return out


def _quiet(fn):
    """index_reduce warns once per process that it is in beta (both libraries)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn()


# -- take, take_along_dim, put --------------------------------------------------------------------

entry(
    "take",
    lambda T, x, i: T.take(x, i),
    lambda x, i: np.take(x, i),
    [
        S(rand(3, 4), index(0, 5, 11, -1)),
        S(nc(rand(3, 4)), In(np.array([[1, 1], [2, -12]], np.int64))),
        S(rand(), index(0, 0)),
    ],
    "TakeBackward0",
)
entry(
    "take_along_dim",
    lambda T, x, i: T.take_along_dim(x, i, 1),
    lambda x, i: np.take_along_axis(x, i, 1),
    [
        S(rand(3, 4), In(np.array([[0, 3], [1, 1], [2, 0]], np.int64))),
        S(nc(rand(3, 4)), In(np.array([[1], [0], [3]], np.int64))),
        S(rand(3, 4), In(np.array([[1, 2, 2]], np.int64))),
    ],
    "GatherBackward0",
)
entry(
    "take_along_dim_flat",
    lambda T, x, i: x.take_along_dim(i),
    lambda x, i: x.ravel()[i.ravel()],
    [S(rand(3, 4), index(0, 5, 5, 11))],
    "GatherBackward0",
)
entry(
    "put",
    lambda T, x, i, s: T.put(x, i, s),
    _np_put,
    [S(rand(3, 4), index(0, 5, -1), rand(3)), S(nc(rand(3, 4)), index(7, 2), rand(2, 1))],
    "PutBackward0",
)
entry(
    "put_accumulate",
    lambda T, x, i, s: x.put(i, s, accumulate=True),
    lambda x, i, s: _np_put(x, i, s, True),
    [
        S(rand(3, 4), index(1, 1, 5, 1), rand(4)),
        S(rand(5), In(np.array([[0, 0]], np.int64)), rand(2)),
    ],
    "PutBackward0",
)
entry(
    "put_",
    lambda T, x, i, s: (x * 1).put_(i, s),
    _np_put,
    [S(rand(3, 4), index(3, 8), rand(2))],
    "PutBackward0",
)

# -- index_fill, masked_scatter ---------------------------------------------------------------

entry(
    "index_fill",
    lambda T, x, i: T.index_fill(x, 1, i, -2.5),
    lambda x, i: _np_index_fill(x, 1, i, -2.5),
    [S(rand(3, 4), index(0, 3, 3)), S(nc(rand(2, 3, 4)), index(-1))],
    "IndexFillBackward0",
)
entry(
    "index_fill_tensor",
    lambda T, x, i, v: x.index_fill(0, i, v),
    lambda x, i, v: _np_index_fill(x, 0, i, v),
    [S(rand(3, 4), index(2, 0), rand()), S(rand(4), index(1, 1), rand())],
    "IndexFillBackward1",
)
entry(
    "index_fill_",
    lambda T, x, i, v: (x * 1).index_fill_(1, i, v),
    lambda x, i, v: _np_index_fill(x, 1, i, v),
    [S(rand(3, 4), index(1), rand())],
    "IndexFillBackward1",
)
entry(
    "masked_scatter",
    lambda T, x, m, s: T.masked_scatter(x, m, s),
    _np_masked_scatter,
    [
        S(rand(3, 4), mask(3, 4), rand(12)),
        S(nc(rand(3, 4)), mask(4), rand(3, 5)),
        S(rand(4), mask(2, 4), rand(8)),
    ],
    "MaskedScatterBackward0",
)
entry(
    "masked_scatter_",
    lambda T, x, m, s: (x * 1).masked_scatter_(m, s),
    _np_masked_scatter,
    [S(rand(3, 4), mask(3, 4), rand(13))],
    "MaskedScatterBackward0",
)

# -- scatter, scatter_add, scatter_reduce ----------------------------------------------------------

entry(
    "scatter",
    lambda T, x, i, s: T.scatter(x, 0, i, s),
    lambda x, i, s: _np_scatter(x, 0, i, s),
    [
        S(rand(4, 3), _unique_rows(2, 3, 4), rand(2, 3)),
        S(nc(rand(4, 3)), _unique_rows(3, 2, 4), rand(3, 2)),
    ],
    "ScatterBackward0",
)
entry(
    "scatter_value",
    lambda T, x, i: x.scatter(1, i, 1.5),
    lambda x, i: _np_scatter(x.T, 0, i.T, 1.5).T,
    [S(rand(3, 4), _idx(3, 2, high=4)), S(nc(rand(3, 4)), _idx(2, 5, high=4))],
    "ScatterBackward1",
)
entry(
    "scatter_",
    lambda T, x, i, s: (x * 1).scatter_(0, i, s),
    lambda x, i, s: _np_scatter(x, 0, i, s),
    [S(rand(4, 3), _unique_rows(2, 3, 4), rand(2, 3))],
    "ScatterBackward0",
)
entry(
    "scatter_add",
    lambda T, x, i, s: T.scatter_add(x, 1, i, s),
    lambda x, i, s: _np_scatter(x.T, 0, i.T, s.T, np.add).T,
    [
        S(rand(3, 4), _idx(3, 5, high=4), rand(3, 5)),
        S(nc(rand(3, 4)), _idx(2, 3, high=4), rand(2, 3)),
    ],
    "ScatterAddBackward0",
)
entry(
    "scatter_add_",
    lambda T, x, i, s: (x * 1).scatter_add_(0, i, s),
    lambda x, i, s: _np_scatter(x, 0, i, s, np.add),
    [S(rand(3, 4), _idx(4, 4, high=3), rand(4, 4))],
    "ScatterAddBackward0",
)
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _include in (True, False):
        entry(
            f"scatter_reduce_{_reduce}" + ("" if _include else "_exclude_self"),
            lambda T, x, i, s, r=_reduce, inc=_include: T.scatter_reduce(
                x, 0, i, s, r, include_self=inc
            ),
            lambda x, i, s, r=_reduce, inc=_include: _np_scatter_reduce(x, 0, i, s, r, inc),
            [
                S(distinct(3, 4), _idx(5, 4, high=3), distinct(5, 4)),
                S(nc(distinct(4, 2)), _idx(3, 2, high=4), distinct(3, 2)),
            ],
            "ScatterReduceBackward0",
        )
entry(
    "scatter_reduce_",
    lambda T, x, i, s: (x * 1).scatter_reduce_(1, i, s, "amax"),
    lambda x, i, s: _np_scatter_reduce(x.T, 0, i.T, s.T, "amax").T,
    [S(distinct(3, 4), _idx(3, 6, high=4), distinct(3, 6))],
    "ScatterReduceBackward0",
)

# -- index_add, index_copy, index_reduce -----------------------------------------------------------

entry(
    "index_add",
    lambda T, x, i, s: T.index_add(x, 1, i, s, alpha=-2.0),
    lambda x, i, s: _np_index_add(x, 1, i, s, -2.0),
    [
        S(rand(3, 4), index(0, 3, 0), rand(3, 3)),
        S(nc(rand(2, 3, 4)), index(2, 1), rand(2, 2, 4)),
    ],
    "IndexAddBackward0",
)
entry(
    "index_add_",
    lambda T, x, i, s: (x * 1).index_add_(0, i, s),
    lambda x, i, s: _np_index_add(x, 0, i, s),
    [S(rand(3, 4), index(2, 2), rand(2, 4)), S(rand(), index(0), rand())],
    "IndexAddBackward0",
)
entry(
    "index_copy",
    lambda T, x, i, s: T.index_copy(x, 0, i, s),
    lambda x, i, s: _np_index_copy(x, 0, i, s),
    [S(rand(4, 3), index(3, 0), rand(2, 3)), S(nc(rand(3, 2)), index(1), rand(1, 2))],
    "IndexCopyBackward0",
)
entry(
    "index_copy_",
    lambda T, x, i, s: (x * 1).index_copy_(1, i, s),
    lambda x, i, s: _np_index_copy(x, 1, i, s),
    [S(rand(2, 4), index(0, 2, 3), rand(2, 3))],
    "IndexCopyBackward0",
)
for _reduce in ("prod", "mean", "amax", "amin"):
    for _include in (True, False):
        entry(
            f"index_reduce_{_reduce}" + ("" if _include else "_exclude_self"),
            lambda T, x, i, s, r=_reduce, inc=_include: _quiet(
                lambda: T.index_reduce(x, 0, i, s, r, include_self=inc)
            ),
            lambda x, i, s, r=_reduce, inc=_include: _np_scatter_reduce(
                x, 0, np.broadcast_to(i[:, None], s.shape), s, r, inc
            ),
            [
                S(distinct(3, 4), index(0, 2, 0, 0), distinct(4, 4)),
                S(nc(distinct(4, 2)), index(3, 1), distinct(2, 2)),
            ],
            "IndexReduceBackward0",
        )
