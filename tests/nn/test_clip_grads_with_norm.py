"""nn.utils.clip_grads_with_norm_: scaling by a precomputed total norm, as PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.nn.utils import clip_grad_norm_, clip_grads_with_norm_, get_total_norm
from numtorch.nn.utils.clip_grad import clip_grads_with_norm_ as from_module


def _params(lib, dtype=np.float32):
    shapes = [(3, 4), (5,), ()]
    params = []
    for k, s in enumerate(shapes):
        n = int(np.prod(s))
        p = lib.nn.Parameter(lib.zeros(s, dtype=getattr(lib, np.dtype(dtype).name)))
        p.grad = lib.tensor(
            ((np.arange(n) * 7 + 3 * k) % 11 - 5).astype(dtype).reshape(s) / dtype(3)
        )
        params.append(p)
    return params


def test_exported():
    assert from_module is clip_grads_with_norm_
    assert "clip_grads_with_norm_" in numtorch.nn.utils.__all__


def test_scales_by_max_norm_over_total_norm():
    p = numtorch.nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.tensor([3.0, 4.0])
    assert clip_grads_with_norm_(p, 1.0, numtorch.tensor(5.0)) is None
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-6)


def test_never_scales_up():
    p = numtorch.nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.tensor([3.0, 4.0])
    version = p.grad._version
    clip_grads_with_norm_([p], 10.0, numtorch.tensor(5.0))
    assert p.grad.tolist() == [3.0, 4.0]
    assert p.grad._version == version + 1  # multiplied by the clamped 1.0 all the same


def test_total_norm_is_taken_as_given():
    # the norm is not recomputed: a stale or foreign norm scales by max_norm / norm
    p = numtorch.nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.tensor([1.0, 1.0])
    clip_grads_with_norm_([p], 1.0, numtorch.tensor(4.0))
    np.testing.assert_allclose(p.grad.numpy(), [0.25, 0.25], rtol=1e-6)


def test_params_without_grads_and_empty_lists():
    a, b = numtorch.nn.Parameter(numtorch.ones(2)), numtorch.nn.Parameter(numtorch.ones(2))
    a.grad = numtorch.tensor([6.0, 8.0])
    clip_grads_with_norm_([a, b], 5.0, get_total_norm([a.grad]))
    assert b.grad is None
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0], rtol=1e-6)
    assert clip_grads_with_norm_([], 1.0, numtorch.tensor(1.0)) is None
    assert clip_grads_with_norm_(iter([b]), 1.0, numtorch.tensor(1.0)) is None


def test_float_total_norm_is_refused():
    p = numtorch.nn.Parameter(numtorch.zeros(2))
    p.grad = numtorch.ones(2)
    with pytest.raises(TypeError, match=r"^clamp\(\) received an invalid combination"):
        clip_grads_with_norm_(p, 1.0, 5.0)


def test_equals_clip_grad_norm_():
    a, b = _params(numtorch), _params(numtorch)
    total = clip_grad_norm_(a, 0.5)
    clip_grads_with_norm_(b, 0.5, get_total_norm([p.grad for p in b]))
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.grad.numpy(), y.grad.numpy())
    assert total.item() == get_total_norm([p.grad for p in _params(numtorch)]).item()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_norm", [0.5, 2, 100.0])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_matches_torch(dtype, max_norm, norm_type):
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (torch, numtorch):
        params = _params(lib, dtype)
        total = lib.nn.utils.get_total_norm([p.grad for p in params], norm_type)
        lib.nn.utils.clip_grads_with_norm_(params, max_norm, total, foreach=None)
        grads.append([p.grad.numpy() for p in params])
    for t, n in zip(*grads, strict=True):
        assert n.dtype == t.dtype
        np.testing.assert_allclose(n, t, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_float32_norm_scales_float64_grads_like_torch():
    # the coefficient is computed in the norm's dtype, then cast to each gradient's
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (torch, numtorch):
        p = lib.nn.Parameter(lib.zeros(3, dtype=lib.float64))
        p.grad = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        lib.nn.utils.clip_grads_with_norm_([p], 1.0, lib.tensor(3.0))
        grads.append(p.grad.numpy())
    assert grads[1].dtype == np.float64
    assert np.array_equal(grads[1], grads[0])


def test_docstring_examples():
    import doctest

    import numtorch.nn.utils.clip_grad as module

    result = doctest.testmod(module, extraglobs={"numtorch": numtorch})
    assert result.attempted > 0 and result.failed == 0
