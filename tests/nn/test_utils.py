"""numtorch.nn.utils: gradient clipping, parameter vectors, padded and packed sequences."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.nn.utils import rnn


def _np(t):
    return np.asarray(t.detach().numpy())


def _params_with_grads(lib, rng):
    ps = []
    for shape in [(3, 4), (5,), (2, 2, 2)]:
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(shape)))
        p.grad = lib.tensor(rng.standard_normal(shape) * 3)
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf")])
def test_clip_grad_norm_against_torch(norm_type):
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        ps = _params_with_grads(lib, np.random.default_rng(0))
        total = lib.nn.utils.clip_grad_norm_(ps, 1.5, norm_type=norm_type)
        out.append((total.item(), [_np(p.grad) for p in ps], total.dtype.is_floating_point))
    assert out[0][0] == pytest.approx(out[1][0], rel=1e-12)
    for a, b in zip(out[0][1], out[1][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_clip_grad_norm_cases():
    p = nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.tensor([3.0, 4.0])
    total = nn.utils.clip_grad_norm_(p, 10.0)
    assert total.item() == 5.0 and p.grad.tolist() == [3.0, 4.0]  # under max_norm: untouched
    assert nn.utils.clip_grad_norm_([nn.Parameter(numtorch.zeros(1))], 1.0).item() == 0.0
    p.grad = numtorch.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    gen = (q for q in [p])
    nn.utils.clip_grad_norm_(gen, 1.0)  # generators are accepted


def test_clip_grad_value():
    p = nn.Parameter(numtorch.zeros(3))
    p.grad = numtorch.tensor([-3.0, 0.5, 2.0])
    nn.utils.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]


def test_parameters_vector_round_trip():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.shape == (11,)
    nn.utils.vector_to_parameters(numtorch.arange(11.0), net.parameters())
    assert net[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert net[1].bias.tolist() == [10.0]
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], net.parameters())


def _seqs(lib):
    rng = np.random.default_rng(4)
    return [lib.tensor(rng.standard_normal((n, 2)), requires_grad=True) for n in (2, 4, 1)]


def test_pad_sequence_against_torch():
    torch = pytest.importorskip("torch")
    for kwargs in [{}, {"batch_first": True, "padding_value": -1.0}, {"padding_side": "left"}]:
        ours = rnn.pad_sequence(_seqs(numtorch), **kwargs)
        theirs = torch.nn.utils.rnn.pad_sequence(_seqs(torch), **kwargs)
        np.testing.assert_array_equal(_np(ours), _np(theirs))


def test_pack_unpack_against_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (numtorch, torch):
        seqs = _seqs(lib)
        padded = lib.nn.utils.rnn.pad_sequence(seqs, batch_first=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            padded, [2, 4, 1], batch_first=True, enforce_sorted=False
        )
        out, lengths = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first=True, total_length=5
        )
        (out * out).sum().backward()
        results.append(
            (
                _np(packed.data),
                packed.batch_sizes.tolist(),
                packed.sorted_indices.tolist(),
                packed.unsorted_indices.tolist(),
                _np(out),
                lengths.tolist(),
                [_np(s.grad) for s in seqs],
            )
        )
    ours, theirs = results
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for x, y in zip(a, b, strict=True):
                np.testing.assert_allclose(x, y)
        elif isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b)
        else:
            assert a == b


def test_pack_sequence_sorted_and_errors():
    seqs = [numtorch.ones(3), numtorch.ones(2), numtorch.ones(1)]
    packed = rnn.pack_sequence(seqs)
    assert packed.batch_sizes.tolist() == [3, 2, 1] and packed.sorted_indices is None
    assert [s.tolist() for s in rnn.unpack_sequence(packed)] == [s.tolist() for s in seqs]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        rnn.pack_sequence(seqs[::-1])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        rnn.pad_packed_sequence(packed, total_length=2)
