"""Op-table entries of the shape family: movedim, repeat/tile/repeat_interleave, flip/roll/rot90,
the stack and split helpers, tril/triu, diag/diag_embed/diagflat, meshgrid, and the strided views
(unfold, as_strided, view_as_real/view_as_complex)."""

from __future__ import annotations

import numpy as np
from op_table import In, S, entry, index, nc, rand

_sliding = np.lib.stride_tricks.sliding_window_view


def _diag_embed(x, offset, dim1, dim2):
    n = x.shape[-1] + abs(offset)
    shape = list(x.shape[:-1])
    lo, hi = sorted((dim1, dim2))
    shape.insert(lo, n)
    shape.insert(hi, n)
    out = np.zeros(shape, x.dtype)
    view = np.diagonal(out, offset, dim1, dim2)
    view.flags.writeable = True
    view[...] = x
    return out


# -- movedim, repeat, tile, repeat_interleave --------------------------------------------------

entry(
    "movedim",
    lambda T, x: T.movedim(x, 0, -1),
    lambda x: np.moveaxis(x, 0, -1),
    [S(rand(2, 3, 4)), S(nc(rand(2, 3, 4))), S(rand(3))],
    "PermuteBackward0",
)
entry(
    "moveaxis_tuple",
    lambda T, x: x.moveaxis((0, 1), (2, 0)),
    lambda x: np.moveaxis(x, (0, 1), (2, 0)),
    [S(rand(2, 3, 4)), S(nc(rand(2, 3, 4)))],
    "PermuteBackward0",
)
entry(
    "swapdims",
    lambda T, x: T.swapdims(x, 0, -1),
    lambda x: np.swapaxes(x, 0, -1),
    [S(rand(2, 3, 4)), S(nc(rand(3, 4)))],
    "TransposeBackward0",
)
entry(
    "repeat",
    lambda T, x: x.repeat(2, 1, 3),
    lambda x: np.tile(x, (2, 1, 3)),
    [S(rand(3, 4)), S(nc(rand(3, 2))), S(rand()), S(rand(0, 2))],
    "RepeatBackward0",
)
entry(
    "tile",
    lambda T, x: T.tile(x, (2,)),
    lambda x: np.tile(x, (2,)),
    [S(rand(3, 4)), S(nc(rand(2, 3, 2)))],
    "RepeatBackward0",
)
entry(
    "repeat_interleave",
    lambda T, x: T.repeat_interleave(x, 2, dim=1),
    lambda x: np.repeat(x, 2, axis=1),
    [S(rand(3, 4)), S(nc(rand(2, 3, 2)))],
    "ViewBackward0",
)
entry(
    "repeat_interleave_flat",
    lambda T, x: x.repeat_interleave(3),
    lambda x: np.repeat(x, 3),
    [S(rand(2, 3)), S(rand())],
    "ViewBackward0",
)
entry(
    "repeat_interleave_tensor",
    lambda T, x, r: T.repeat_interleave(x, r, dim=0),
    lambda x, r: np.repeat(x, r, axis=0),
    [S(rand(3, 4), index(1, 0, 3)), S(nc(rand(2, 3)), index(2))],
    "IndexSelectBackward0",
)

# -- flip, roll, rot90 --------------------------------------------------------------------------

entry(
    "flip",
    lambda T, x: T.flip(x, (0, -1)),
    lambda x: np.flip(x, (0, -1)),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4))), S(rand(0, 2))],
    "FlipBackward0",
)
entry(
    "flip_method",
    lambda T, x: x.flip(1),
    lambda x: np.flip(x, 1),
    [S(rand(3, 4))],
    "FlipBackward0",
)
entry(
    "fliplr",
    lambda T, x: T.fliplr(x),
    np.fliplr,
    [S(rand(3, 4)), S(nc(rand(3, 4)))],
    "FlipBackward0",
)
entry(
    "flipud", lambda T, x: x.flipud(), np.flipud, [S(rand(3, 4)), S(nc(rand(5)))], "FlipBackward0"
)
entry(
    "roll",
    lambda T, x: T.roll(x, (1, -2), (0, 1)),
    lambda x: np.roll(x, (1, -2), (0, 1)),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "RollBackward0",
)
entry(
    "roll_flat",
    lambda T, x: x.roll(5),
    lambda x: np.roll(x, 5),
    [S(rand(3, 4)), S(nc(rand(3, 4)))],
    "RollBackward0",
)
for _k in (1, 2, 3, -1):
    entry(
        f"rot90_{_k}",
        lambda T, x, k=_k: T.rot90(x, k, (0, -1)),
        lambda x, k=_k: np.rot90(x, k, (0, -1)),
        [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
        "Rot90Backward0",
    )

# -- stacking and splitting ---------------------------------------------------------------------

for _name, _ref, _samples in [
    ("hstack", np.hstack, [S(rand(3, 4), rand(3, 2)), S(rand(3), nc(rand(2))), S(rand(), rand())]),
    ("vstack", np.vstack, [S(rand(2, 3), rand(1, 3)), S(rand(3), rand(3))]),
    ("row_stack", np.vstack, [S(rand(3), nc(rand(2, 3)))]),
    ("dstack", np.dstack, [S(rand(3), rand(3)), S(rand(2, 3), nc(rand(2, 3)))]),
    ("column_stack", np.column_stack, [S(rand(3), rand(3, 2)), S(rand(), rand(1, 2))]),
]:
    entry(
        _name,
        lambda T, x, y, name=_name: getattr(T, name)([x, y]),
        lambda x, y, ref=_ref: ref([x, y]),
        _samples,
        "CatBackward0",
    )
entry(
    "atleast_1d_0d",
    lambda T, x: T.atleast_1d(x),
    np.atleast_1d,
    [S(rand())],
    "ViewBackward0",
)
entry(
    "atleast_1d_passthrough",
    lambda T, x: T.atleast_1d(x),
    np.atleast_1d,
    [S(rand(3))],
    None,
)
entry(
    "atleast_2d",
    lambda T, x: T.atleast_2d(x),
    np.atleast_2d,
    [S(rand(3)), S(nc(rand(4)))],
    "UnsqueezeBackward0",
)
entry(
    "atleast_3d",
    lambda T, x: T.atleast_3d(x),
    np.atleast_3d,
    [S(rand(3)), S(nc(rand(2, 3)))],
    "UnsqueezeBackward0",
)
entry(
    "atleast_3d_many",
    lambda T, x, y: T.atleast_3d([x, y]),
    lambda x, y: tuple(np.atleast_3d(x, y)),
    [S(rand(), rand(2, 3))],
    "ViewBackward0",
)
entry(
    "tensor_split_sections",
    lambda T, x: T.tensor_split(x, 3, 1),
    lambda x: tuple(np.array_split(x, 3, 1)),
    [S(rand(2, 5)), S(nc(rand(3, 4)))],
    "SliceBackward0",
)
entry(
    "tensor_split_indices",
    lambda T, x: x.tensor_split([1, -1, 6], dim=0),
    lambda x: tuple(np.split(x, [1, -1, 6], 0)),
    [S(rand(5, 2)), S(nc(rand(4, 3)))],
    "SliceBackward0",
)
entry(
    "tensor_split_tensor",
    lambda T, x, i: T.tensor_split(x, i, -1),
    lambda x, i: tuple(np.split(x, list(i), -1)),
    [S(rand(3, 5), index(1, 3))],
    "SliceBackward0",
)
entry(
    "hsplit",
    lambda T, x: T.hsplit(x, 2),
    lambda x: tuple(np.hsplit(x, 2)),
    [S(rand(3, 4)), S(rand(6))],
    "SliceBackward0",
)
entry(
    "vsplit",
    lambda T, x: x.vsplit([1]),
    lambda x: tuple(np.vsplit(x, [1])),
    [S(rand(3, 4)), S(nc(rand(3, 2, 2)))],
    "SliceBackward0",
)
entry(
    "dsplit",
    lambda T, x: T.dsplit(x, 2),
    lambda x: tuple(np.dsplit(x, 2)),
    [S(rand(2, 3, 4)), S(nc(rand(2, 1, 2)))],
    "SliceBackward0",
)

# -- triangles, diagonals, meshgrid ---------------------------------------------------------------

entry(
    "tril",
    lambda T, x: T.tril(x, 1),
    lambda x: np.tril(x, 1),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4))), S(rand(4, 3))],
    "TrilBackward0",
)
entry(
    "triu",
    lambda T, x: x.triu(diagonal=-1),
    lambda x: np.triu(x, -1),
    [S(rand(3, 4)), S(nc(rand(2, 4, 3)))],
    "TriuBackward0",
)
entry("tril_", lambda T, x: (x * 1).tril_(), np.tril, [S(rand(3, 3))], "TrilBackward0")
entry(
    "triu_",
    lambda T, x: (x * 1).triu_(2),
    lambda x: np.triu(x, 2),
    [S(rand(3, 4))],
    "TriuBackward0",
)
entry(
    "diag_vector",
    lambda T, x: T.diag(x, 1),
    lambda x: np.diag(x, 1),
    [S(rand(3)), S(nc(rand(2)))],
    "DiagEmbedBackward0",
)
entry(
    "diag_matrix",
    lambda T, x: x.diag(-1),
    lambda x: np.diag(x, -1),
    [S(rand(3, 4)), S(nc(rand(4, 3)))],
    "DiagonalBackward0_copy",
)
entry(
    "diag_embed",
    lambda T, x: T.diag_embed(x, 1, 0, 2),
    lambda x: _diag_embed(x, 1, 0, 2),
    [S(rand(2, 3)), S(nc(rand(3, 2)))],
    "DiagEmbedBackward0",
)
entry(
    "diag_embed_default",
    lambda T, x: x.diag_embed(),
    lambda x: _diag_embed(x, 0, -2 % (x.ndim + 1), -1 % (x.ndim + 1)),
    [S(rand(2, 3)), S(rand(3))],
    "DiagEmbedBackward0",
)
entry(
    "diagflat",
    lambda T, x: T.diagflat(x, -1),
    lambda x: np.diagflat(x, -1),
    [S(rand(2, 2)), S(rand(3))],
    "DiagEmbedBackward0",
)
for _indexing in ("ij", "xy"):
    entry(
        f"meshgrid_{_indexing}",
        lambda T, x, y, z, i=_indexing: T.meshgrid(x, y, z, indexing=i),
        lambda x, y, z, i=_indexing: tuple(np.meshgrid(x, y, z, indexing=i)),
        [S(rand(2), rand(3), rand(4)), S(rand(), nc(rand(2)), rand(1))],
        "ExpandBackward0",
    )

# -- narrow_copy and strided views ---------------------------------------------------------------

entry(
    "narrow_copy",
    lambda T, x: T.narrow_copy(x, 1, -3, 2),
    lambda x: x[:, -3:-1].copy(),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "NarrowCopyBackward0",
)
entry(
    "unfold",
    lambda T, x: x.unfold(1, 2, 1),
    lambda x: _sliding(x, 2, axis=1).copy(),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4)))],
    "UnfoldBackward0",
)
entry(
    "unfold_step",
    lambda T, x: x.unfold(-1, 2, 3),
    lambda x: _sliding(x, 2, axis=-1)[..., ::3, :].copy(),
    [S(rand(3, 7)), S(rand(5))],
    "UnfoldBackward0",
)
entry(
    "unfold_0d",
    lambda T, x: x.unfold(0, 1, 1),
    lambda x: x.reshape(1),
    [S(rand())],
    "UnfoldBackward0",
)
entry(
    "as_strided",
    lambda T, x: x.as_strided((2, 2), (1, 2), 1),
    lambda x: np.lib.stride_tricks.as_strided(x.ravel()[1:], (2, 2), (8, 16)).copy(),
    [S(rand(3, 4)), S(rand(6))],
    "AsStridedBackward0",
)
entry(
    "as_strided_overlap",
    lambda T, x: T.as_strided(x, (3, 3), (1, 1)),
    lambda x: _sliding(x.ravel(), 3)[:3].copy(),
    [S(rand(2, 3))],
    "AsStridedBackward0",
)
entry(
    "view_as_real_complex",
    lambda T, x: T.view_as_real(T.view_as_complex(x)),
    lambda x: x,
    [S(rand(3, 2)), S(rand(2, 3, 2))],
    "ViewAsRealBackward0",
)
entry(
    "view_as_complex",
    lambda T, x: T.view_as_complex(x),
    lambda x: x[..., 0] + 1j * x[..., 1],
    [S(rand(3, 2)), S(In(rand(2, 2, dtype=np.float32)))],
    "ViewAsComplexBackward0",
    gradcheck=False,
)
entry(
    "view_as_real",
    lambda T, x: T.view_as_real(T.view_as_complex(x) * 2),
    lambda x: 2 * x,
    [S(rand(4, 2))],
    "ViewAsRealBackward0",
    gradcheck=False,
)
