"""NumPy kernels on COO parts: ``indices`` (int64, sparse_dim x nnz) and ``values`` (nnz, ...).

Nothing here densifies a sparse operand: products gather rows of the dense operand per stored
entry and sum them per output row with ``reduceat`` over a sorted order.
"""

from __future__ import annotations

from typing import Any

from ..ops._common import xp

__all__ = [
    "linear_index",
    "coalesce",
    "lookup",
    "spmm",
    "sampled_dot",
    "merge_add",
    "is_sorted_unique",
    "segment_sum",
]


def linear_index(indices: Any, sizes: tuple) -> Any:
    """Row-major positions of the entries in the sparse dimensions (what coalesce sorts by)."""
    lin = xp.zeros(indices.shape[1], xp.int64)
    for d, size in enumerate(sizes):
        lin = lin * int(size) + indices[d]
    return lin


def segment_sum(x: Any, starts: Any) -> Any:
    """Sums of the runs of ``x`` (along axis 0) that begin at ``starts``, each added left to
    right as PyTorch's CPU kernels do (``reduceat`` may sum pairwise, which rounds otherwise).

    Runs are visited longest first, so step ``j`` touches only the runs longer than ``j``:
    the whole sum costs O(len(x)) element additions, even with one very long run."""
    lengths = xp.diff(xp.append(starts, x.shape[0]))
    by_length = xp.argsort(-lengths, kind="stable")
    sorted_len = lengths[by_length]
    run_starts = starts[by_length]
    acc = x[run_starts].copy()
    longest = int(sorted_len[0]) if sorted_len.size else 0
    # live[j]: how many runs are longer than j (a prefix of the longest-first order)
    live = xp.searchsorted(-sorted_len, -xp.arange(longest), side="left")
    for j in range(1, longest):
        k = int(live[j])
        acc[:k] += x[run_starts[:k] + j]
    out = xp.empty_like(acc)
    out[by_length] = acc
    return out


def is_sorted_unique(lin: Any) -> bool:
    return bool(lin.size < 2 or (lin[1:] > lin[:-1]).all())


def coalesce(indices: Any, values: Any, sizes: tuple) -> tuple[Any, Any]:
    """Sorted unique indices, duplicates summed in their original order (as PyTorch does)."""
    nnz = indices.shape[1]
    if nnz == 0:
        return indices.copy(), values.copy()
    lin = linear_index(indices, sizes)
    # stable: duplicates stay in insertion order, so their float sum matches PyTorch's
    order = xp.argsort(lin, kind="stable")
    lin = lin[order]
    first = xp.ones(nnz, bool)
    first[1:] = lin[1:] != lin[:-1]
    starts = xp.flatnonzero(first)
    ordered = values[order]
    summed = ordered[starts] if starts.size == nnz else segment_sum(ordered, starts)
    return indices[:, order[starts]], summed


def lookup(indices: Any, sizes: tuple, query: Any, values: Any) -> Any:
    """``values`` of a coalesced tensor at the positions ``query`` (sparse_dim x n); zero where
    it stores nothing. The gradient of a tensor's values is its output gradient looked up."""
    lin = linear_index(indices, sizes)
    want = linear_index(query, sizes)
    out = xp.zeros((query.shape[1],) + values.shape[1:], values.dtype)
    if lin.size == 0 or want.size == 0:
        return out
    pos = xp.searchsorted(lin, want)
    pos_clipped = xp.minimum(pos, lin.size - 1)
    found = lin[pos_clipped] == want
    out[found] = values[pos_clipped[found]]
    return out


def spmm(rows: Any, cols: Any, values: Any, dense: Any, n_rows: int) -> Any:
    """``S @ dense`` for a 2-D COO ``S``: each entry scales one dense row; rows are summed per
    output row in entry order (PyTorch's CPU kernel walks the entries in the same order)."""
    out = xp.zeros((n_rows, dense.shape[1]), xp.result_type(values, dense))
    if rows.size == 0:
        return out
    if not (rows.size < 2 or (rows[1:] >= rows[:-1]).all()):
        order = xp.argsort(rows, kind="stable")
        rows, cols, values = rows[order], cols[order], values[order]
    contrib = values[:, None] * dense[cols]
    first = xp.ones(rows.size, bool)
    first[1:] = rows[1:] != rows[:-1]
    starts = xp.flatnonzero(first)
    out[rows[starts]] = segment_sum(contrib, starts)
    return out


def sampled_dot(rows: Any, cols: Any, left: Any, right: Any) -> Any:
    """``(left @ right.T)[rows, cols]`` without forming the product: one dot per entry."""
    return xp.einsum("ij,ij->i", left[rows], right[cols])


def merge_add(
    a_idx: Any, a_val: Any, b_idx: Any, b_val: Any, sizes: tuple, both_coalesced: bool
) -> tuple[Any, Any]:
    """PyTorch's sparse + sparse: a two-pointer merge by linear position that adds entries
    whose heads meet. On coalesced inputs that is a sorted union; on others the result keeps
    the merge's interleaving, which PyTorch's output shows."""
    la, lb = linear_index(a_idx, sizes), linear_index(b_idx, sizes)
    dtype = xp.result_type(a_val, b_val)
    if both_coalesced:
        lin = xp.union1d(la, lb)
        out = xp.zeros((lin.size,) + a_val.shape[1:], dtype)
        out[xp.searchsorted(lin, la)] += a_val
        out[xp.searchsorted(lin, lb)] += b_val
        return xp.stack(xp.unravel_index(lin, sizes)).astype(xp.int64), out
    # uncoalesced inputs are rare (a freshly built tensor): a plain loop is clear and exact
    i = j = 0
    picks: list[tuple[int, int]] = []  # (index into a or -1, index into b or -1)
    na, nb = la.size, lb.size
    al, bl = la.tolist(), lb.tolist()
    while i < na and j < nb:
        if al[i] < bl[j]:
            picks.append((i, -1))
            i += 1
        elif al[i] > bl[j]:
            picks.append((-1, j))
            j += 1
        else:
            picks.append((i, j))
            i += 1
            j += 1
    picks += [(k, -1) for k in range(i, na)] + [(-1, k) for k in range(j, nb)]
    pa = xp.array([p[0] for p in picks], xp.int64)
    pb = xp.array([p[1] for p in picks], xp.int64)
    out = xp.zeros((len(picks),) + a_val.shape[1:], dtype)
    idx = xp.zeros((a_idx.shape[0], len(picks)), xp.int64)
    ha, hb = pa >= 0, pb >= 0
    out[ha] += a_val[pa[ha]]
    out[hb] += b_val[pb[hb]]
    idx[:, ha] = a_idx[:, pa[ha]]
    idx[:, hb & ~ha] = b_idx[:, pb[hb & ~ha]]
    return idx, out
