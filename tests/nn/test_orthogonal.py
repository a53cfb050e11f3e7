"""nn.utils.parametrizations.orthogonal (numtorch.nn.utils._orthogonal): against PyTorch, with
the same initial weights, and on its own (orthogonality, gradcheck)."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.nn.utils import parametrize
from numtorch.nn.utils._orthogonal import orthogonal

SHAPES = [(4, 4), (5, 3), (3, 5), (2, 4, 3)]
MAPS = [None, "matrix_exp", "cayley", "householder"]


def _weight(shape, complex_=False, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    if complex_:
        w = w + 1j * rng.standard_normal(shape)
    return w


def _module(lib, w):
    m = lib.nn.Module()
    m.weight = lib.nn.Parameter(lib.tensor(w))
    return m


def _check_orthogonal(Q, atol=1e-6):
    Q = Q.detach()
    if Q.size(-2) < Q.size(-1):
        Q = Q.mT
    k = Q.size(-1)
    eye = numtorch.eye(k, dtype=Q.dtype)
    assert numtorch.allclose(Q.mH @ Q, eye.expand(*Q.shape[:-2], k, k), atol=atol)


@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("use_trivialization", [True, False])
@pytest.mark.parametrize("orthogonal_map", MAPS)
@pytest.mark.parametrize("shape", SHAPES)
def test_matches_torch(shape, orthogonal_map, use_trivialization, complex_):
    torch = pytest.importorskip("torch")
    if complex_ and orthogonal_map == "householder":
        pytest.skip("refused, see test_errors")
    w = _weight(shape, complex_)
    tm, nm = _module(torch, w), _module(numtorch, w)
    # a rectangular base is completed with random columns: same seed, same draws
    torch.manual_seed(1)
    numtorch.manual_seed(1)
    try:
        torch.nn.utils.parametrizations.orthogonal(
            tm, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization
        )
    except NotImplementedError as e:
        with pytest.raises(NotImplementedError, match=str(e)):
            orthogonal(nm, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
        return
    orthogonal(nm, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
    np.testing.assert_allclose(nm.weight.detach().numpy(), tm.weight.detach().numpy(), atol=1e-10)
    _check_orthogonal(nm.weight)
    assert list(nm.state_dict()) == list(tm.state_dict())
    assert repr(nm) == repr(tm)
    for key, value in tm.state_dict().items():
        np.testing.assert_allclose(nm.state_dict()[key].numpy(), value.numpy(), atol=1e-10)

    weights = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    (tm.weight.abs() ** 2 * torch.tensor(weights)).sum().backward()
    (nm.weight.abs() ** 2 * numtorch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(
        nm.parametrizations.weight.original.grad.numpy(),
        tm.parametrizations.weight.original.grad.numpy(),
        atol=1e-8,
    )


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
def test_assignment_matches_torch(orthogonal_map):
    torch = pytest.importorskip("torch")
    w, new = _weight((4, 4)), _weight((4, 4), seed=3)
    tm, nm = _module(torch, w), _module(numtorch, w)
    torch.nn.utils.parametrizations.orthogonal(tm, orthogonal_map=orthogonal_map)
    orthogonal(nm, orthogonal_map=orthogonal_map)
    tm.weight = torch.tensor(new)
    nm.weight = numtorch.tensor(new)
    np.testing.assert_allclose(nm.weight.detach().numpy(), tm.weight.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(
        nm.parametrizations.weight.original.detach().numpy(),
        tm.parametrizations.weight.original.detach().numpy(),
    )


def test_linear_float32_matches_torch():
    torch = pytest.importorskip("torch")
    tl = torch.nn.Linear(20, 40)
    nl = numtorch.nn.Linear(20, 40)
    nl.load_state_dict({k: numtorch.tensor(v.numpy()) for k, v in tl.state_dict().items()})
    torch.nn.utils.parametrizations.orthogonal(tl)
    orthogonal(nl)
    assert repr(nl) == repr(tl)
    assert nl.weight.dtype == numtorch.float32
    np.testing.assert_allclose(nl.weight.detach().numpy(), tl.weight.detach().numpy(), atol=1e-5)
    x = np.random.default_rng(0).standard_normal((3, 20)).astype(np.float32)
    tl(torch.tensor(x)).square().sum().backward()
    nl(numtorch.tensor(x)).square().sum().backward()
    np.testing.assert_allclose(
        nl.parametrizations.weight.original.grad.numpy(),
        tl.parametrizations.weight.original.grad.numpy(),
        atol=1e-4,
    )


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", SHAPES)
def test_orthogonal_and_training_keeps_it(shape, orthogonal_map):
    numtorch.manual_seed(0)
    m = _module(numtorch, _weight(shape))
    orthogonal(m, orthogonal_map=orthogonal_map)
    _check_orthogonal(m.weight)
    opt = numtorch.optim.SGD(m.parameters(), lr=0.1)
    target = numtorch.tensor(_weight(shape, seed=5))
    for _ in range(3):
        opt.zero_grad()
        (m.weight - target).square().sum().backward()
        opt.step()
    _check_orthogonal(m.weight)


def test_default_map_and_buffers():
    m = orthogonal(numtorch.nn.Linear(3, 3))
    assert m.parametrizations.weight[0].orthogonal_map.name == "matrix_exp"
    m = orthogonal(numtorch.nn.Linear(3, 5))
    assert m.parametrizations.weight[0].orthogonal_map.name == "householder"
    lin = numtorch.nn.Linear(3, 5)
    lin.weight = numtorch.nn.Parameter(lin.weight.detach().to(numtorch.complex128))
    assert orthogonal(lin).parametrizations.weight[0].orthogonal_map.name == "matrix_exp"
    m = orthogonal(numtorch.nn.Linear(3, 5), use_trivialization=False)
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    m = orthogonal(numtorch.nn.Linear(3, 5))
    assert list(m.state_dict()) == [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0.base",
    ]
    assert m.parametrizations.weight[0].base.shape == (5, 5)
    assert parametrize.is_parametrized(m, "weight")


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
def test_gradcheck(orthogonal_map):
    numtorch.manual_seed(0)
    orth = orthogonal(
        _module(numtorch, _weight((4, 3))), orthogonal_map=orthogonal_map
    ).parametrizations.weight[0]
    X = numtorch.tensor(_weight((4, 3), seed=2), requires_grad=True)
    if orthogonal_map == "householder":
        # the diagonal carries signs, cast to int: differentiate through the rest only
        diag = numtorch.ones(3, dtype=numtorch.float64).diag_embed()
        sub = numtorch.tensor(_weight((4, 3), seed=2)).tril(-1)
        X = sub.clone().requires_grad_(True)

        def fn(X):
            return orth(X.tril(-1) + numtorch.cat([diag, numtorch.zeros(1, 3)], 0))
    else:

        def fn(X):
            return orth(X)

    assert numtorch.autograd.gradcheck(fn, (X,))


def test_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor"):
        orthogonal(numtorch.nn.Linear(3, 4), "bias")
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        orthogonal(numtorch.nn.Linear(3, 4), "nope")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp"'):
        orthogonal(numtorch.nn.Linear(3, 4), orthogonal_map="qr")
    lin = numtorch.nn.Linear(3, 3)
    lin.weight = numtorch.nn.Parameter(lin.weight.detach().to(numtorch.complex64))
    with pytest.raises(ValueError, match="householder parametrization does not support complex"):
        orthogonal(lin, orthogonal_map="householder")
    m = orthogonal(numtorch.nn.Linear(3, 3))
    with pytest.raises(ValueError, match=r"Expected a matrix or batch of matrices of shape"):
        m.weight = numtorch.ones(2, 2)
    m = orthogonal(numtorch.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="not possible to assign"):
        m.weight = numtorch.eye(3)


def test_docstrings():
    import doctest

    from numtorch.nn.utils import _orthogonal

    result = doctest.testmod(_orthogonal, extraglobs={"numtorch": numtorch})
    assert result.failed == 0 and result.attempted > 0
