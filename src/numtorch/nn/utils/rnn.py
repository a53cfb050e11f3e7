"""Variable-length sequences: PackedSequence, pack/pad helpers, as torch.nn.utils.rnn.

A packed batch stores time step by time step the rows of the sequences still running
(``batch_sizes[t]`` of them), longest sequences first.
"""

from __future__ import annotations

from collections import namedtuple

from ... import _dtype
from ..._backend import numpy as _np
from ..._tensor import Tensor, make
from ...ops.nn_support import ConstantPadNd

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


class PackedSequence(
    namedtuple("PackedSequence_", "data batch_sizes sorted_indices unsorted_indices")
):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``, as torch's PackedSequence."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            data, batch_sizes = data[0], data[1]
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self):
        return self

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation):
    if permutation is None:
        return None
    p = permutation._data
    out = _np.empty_like(p)
    out[p] = _np.arange(p.size, dtype=p.dtype)
    return make(out)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(_np.int64)
    return _np.asarray(lengths, dtype=_np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded ``T x B x *`` (or ``B x T x *``) batch given each sequence's length."""
    lens = _lengths_array(lengths)
    sorted_indices = None
    if enforce_sorted:
        if lens.size > 1 and (_np.diff(lens) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        order = _np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = make(order.astype(_np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lens.size and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if batch_first:
        input = input.transpose(0, 1)
    steps = int(lens[0]) if lens.size else 0
    if steps > input.shape[0]:
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to the longest sequence "
            f"({steps}), but got {input.shape[0]}"
        )
    batch_sizes = _np.array([(lens > t).sum() for t in range(steps)], dtype=_np.int64)
    from ...ops.shape import cat

    data = cat([input[t, : int(b)] for t, b in enumerate(batch_sizes)])
    return PackedSequence(data, make(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: returns ``(padded, lengths)``."""
    from ...ops.shape import stack

    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    max_batch = int(batch_sizes[0]) if batch_sizes.size else 0
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}"
            )
    rest = ((0, 0),) * (data.dim() - 1)
    rows = []
    offset = 0
    for b in batch_sizes:
        b = int(b)
        rows.append(
            ConstantPadNd.apply(
                data[offset : offset + b], ((0, max_batch - b),) + rest, padding_value
            )
        )
        offset += b
    padded = stack(rows)  # T x B x *
    if total_length is not None and total_length > steps:
        pairs = ((0, total_length - steps),) + ((0, 0),) * (padded.dim() - 1)
        padded = ConstantPadNd.apply(padded, pairs, padding_value)
    lengths = _np.array([(batch_sizes > i).sum() for i in range(max_batch)], dtype=_np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices._data]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, make(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks variable-length tensors (``L_i x *``) into ``T x B x *`` (or ``B x T x *``),
    padding with ``padding_value``."""
    from ...ops.shape import stack

    if padding_side not in ("left", "right"):
        raise ValueError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    max_len = max(s.size(0) for s in sequences)
    padded = []
    for s in sequences:
        extra = max_len - s.size(0)
        first = (0, extra) if padding_side == "right" else (extra, 0)
        pairs = (first,) + ((0, 0),) * (s.dim() - 1)
        padded.append(ConstantPadNd.apply(s, pairs, padding_value))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[: int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths), strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
