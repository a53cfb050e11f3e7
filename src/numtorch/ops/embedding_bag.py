"""``embedding_bag``: sums, means or maxes of bags of embedding rows as one autograd node
(``EmbeddingBagBackward0``, as PyTorch), so the per-index rows are never a graph tensor."""

from __future__ import annotations

from .._tensor import legacy_type_name, make
from ..autograd.function import Op
from ._common import xp
from .index import index_select
from .nn_support import EmbeddingDenseBackward
from .scatter import scatter_add

__all__ = ["EmbeddingBag", "embedding_bag_arrays"]

MODES = {"sum": 0, "mean": 1, "max": 2}


def _check_integer(a) -> None:
    if a.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {legacy_type_name(a.dtype)} instead (while checking "
            "arguments for embedding_bag)"
        )


def _bags(indices, offsets, include_last_offset):
    """Bag count, each index position's bag, and the positions that belong to some bag."""
    n = indices.shape[0]
    if offsets.shape[0] and offsets[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(offsets[0])}\n"
            f"[ {legacy_type_name(offsets.dtype)}{{}} ]"
        )
    if offsets.shape[0] and offsets[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
            f"{int(offsets[-1])}"
        )
    if offsets.shape[0] > 1 and (xp.diff(offsets) < 0).any():
        raise RuntimeError(
            "Expected i < index_size to be true, but got false.  (Could this error message be "
            "improved?  If so, please report an enhancement request to PyTorch.)"
        )
    bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    bags = max(bags, 0)
    end = int(offsets[-1]) if include_last_offset and offsets.shape[0] else n
    if bags == 0:
        end = 0
    starts = offsets[:bags].astype(xp.int64)
    # an empty bag shares its start with the next one; 'right' puts the entries in the later
    bag_of = xp.searchsorted(starts, xp.arange(end), side="right") - 1
    return bags, bag_of.astype(xp.int64), end


def _freq_divisors(indices, num_weights):
    """PyTorch's CPU kernel divides the gradient of the i-th distinct index (ascending) by the
    count of ``sorted(indices)[i]``, not by that index's own count; this reproduces it."""
    counts = xp.bincount(indices, minlength=num_weights)
    distinct = xp.unique(indices)
    per_row = xp.ones(num_weights, dtype=xp.float64)
    per_row[distinct] = counts[xp.sort(indices)[: distinct.shape[0]]]
    return per_row[indices]


def embedding_bag_arrays(weight, indices, offsets, mode, psw, include_last_offset, padding_idx):
    """The forward on arrays: (output, bag of each used position, used positions mask,
    per-(bag, column) row of the max or None, non-empty bag mask)."""
    _check_integer(indices)
    _check_integer(offsets)
    num_weights, dim = weight.shape
    indices = indices.astype(xp.int64, copy=False)
    bad = (indices < 0) | (indices >= num_weights)
    if bad.any():
        i = int(xp.flatnonzero(bad)[0])
        raise RuntimeError(
            f"Index {i} of input takes value {int(indices[i])} which is not in the valid range "
            f"[0, {num_weights})"
        )
    bags, bag_of, end = _bags(indices, offsets, include_last_offset)
    used = indices[:end] != padding_idx if padding_idx >= 0 else xp.ones(end, dtype=bool)
    bag_u = bag_of[used]
    idx_u = indices[:end][used]
    rows = weight[idx_u]
    sizes = xp.bincount(bag_u, minlength=bags)
    nonempty = sizes > 0
    out = xp.zeros((bags, dim), dtype=weight.dtype)
    argmax = None
    if mode == 2:
        best = xp.full((bags, dim), -xp.inf, dtype=weight.dtype)
        xp.maximum.at(best, bag_u, rows)
        # ties go to the first position, as in PyTorch's strict '>' scan
        pos = xp.arange(rows.shape[0])[:, None]
        first = xp.full((bags, dim), rows.shape[0], dtype=xp.int64)
        hit = rows == best[bag_u]
        xp.minimum.at(first, bag_u, xp.where(hit, pos, rows.shape[0]))
        argmax = xp.zeros((bags, dim), dtype=xp.int64)
        argmax[nonempty] = idx_u[first[nonempty]] if rows.shape[0] else 0
        out[nonempty] = best[nonempty]
    else:
        if psw is not None:
            rows = rows * psw[:end][used][:, None]
        xp.add.at(out, bag_u, rows)
        if mode == 1:
            out[nonempty] /= sizes[nonempty][:, None].astype(out.dtype)
    return out, bag_of, used, argmax, nonempty, sizes


class EmbeddingBag(Op):
    """``embedding_bag(weight, per_sample_weights, indices, offsets, mode, scale_grad_by_freq,
    include_last_offset, padding_idx)`` with ``padding_idx`` already non-negative or -1."""

    tensor_args = 2

    @staticmethod
    def forward(ctx, weight, psw, indices, offsets, mode, scale, include_last_offset, padding):
        if psw is not None and psw.dtype != weight.dtype:
            raise RuntimeError(
                "Expected tensor for argument #1 'weight' to have the same type as tensor for "
                "argument #1 'per_sample_weights'; but type "
                f"{legacy_type_name(weight.dtype)} does not equal {legacy_type_name(psw.dtype)} "
                "(while checking arguments for embedding_bag)"
            )
        out, bag_of, used, argmax, nonempty, sizes = embedding_bag_arrays(
            weight, indices, offsets, mode, psw, include_last_offset, padding
        )
        indices = indices.astype(xp.int64, copy=False)
        ctx.num_weights = weight.shape[0]
        ctx.mode = mode
        ctx.indices, ctx.bag_of, ctx.used = indices[: bag_of.shape[0]], bag_of, used
        ctx.argmax, ctx.nonempty = argmax, nonempty
        factor = used.astype(weight.dtype)
        if mode == 1:
            factor = factor / xp.maximum(sizes[bag_of], 1).astype(weight.dtype)
        if scale and bag_of.shape[0]:
            factor = factor / _freq_divisors(ctx.indices, weight.shape[0]).astype(weight.dtype)
        ctx.factor = factor
        ctx.has_psw = psw is not None
        if psw is not None:
            ctx.save_for_backward(weight, psw)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == 2:
            keep = make(ctx.nonempty.astype(grad._data.dtype))[:, None]
            base = make(xp.zeros((ctx.num_weights, grad.shape[1]), dtype=grad._data.dtype))
            return scatter_add(base, 0, make(ctx.argmax), grad * keep), None
        per_index = index_select(grad, 0, make(ctx.bag_of))
        scaled = per_index * make(ctx.factor)[:, None]
        grad_psw = None
        if ctx.has_psw:
            weight, psw = ctx.saved_tensors
            n = ctx.bag_of.shape[0]
            scaled = scaled * psw[:n, None]
            if ctx.needs_input_grad[1]:
                rows = index_select(weight, 0, make(ctx.indices))
                grad_psw = (per_index * rows).sum(1) * make(ctx.used.astype(grad._data.dtype))
                if n < psw.shape[0]:
                    from .creation import zeros
                    from .shape import cat

                    grad_psw = cat([grad_psw, zeros(psw.shape[0] - n, dtype=psw.dtype)])
        grad_weight = None
        if ctx.needs_input_grad[0]:
            grad_weight = EmbeddingDenseBackward.apply(
                scaled, ctx.indices, ctx.num_weights, -1, False
            )
        return grad_weight, grad_psw
