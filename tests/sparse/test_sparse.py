"""Sparse COO tensors: construction, coalescing, printing, products and their gradients, a
2-layer GCN step, and the errors of dense ops on sparse inputs; against PyTorch where it is
installed, on known values otherwise."""

from __future__ import annotations

import copy
import doctest
import warnings

import numpy as np
import pytest

import numtorch as nt
import numtorch.sparse as nsp
from numtorch.sparse import _coo

I = [[0, 1, 1, 0], [2, 0, 2, 2]]
V = [3.0, 4.0, 5.0, 6.0]


@pytest.fixture(autouse=True)
def _quiet_invariants():
    # explicit opt-out: silences the one-time "checks are implicitly disabled" warning
    saved = dict(_coo._INVARIANTS)
    nsp.check_sparse_tensor_invariants.disable()
    yield
    _coo._INVARIANTS.update(saved)


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch")
    torch.sparse.check_sparse_tensor_invariants.disable()
    return torch


def _both(torch, indices=I, values=V, size=(2, 3), **kw):
    return (
        nsp.sparse_coo_tensor(nt.tensor(indices), nt.tensor(values), size, **kw),
        torch.sparse_coo_tensor(torch.tensor(indices), torch.tensor(values), size, **kw),
    )


def _legacy(make):
    # the deprecated constructors warn once per process, whichever test calls them first
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return make()


def _same_repr(a, b) -> None:
    assert repr(a) == repr(b).replace("torch.", "numtorch.")


def _same(a, b) -> None:
    if a.is_sparse:
        assert b.is_sparse and tuple(a.shape) == tuple(b.shape)
        assert a.is_coalesced() == b.is_coalesced()
        np.testing.assert_array_equal(a._indices()._data, b._indices().numpy())
        np.testing.assert_allclose(a._values()._data, b._values().detach().numpy(), rtol=1e-6)
    else:
        np.testing.assert_allclose(a.detach()._data, b.detach().numpy(), rtol=1e-5, atol=1e-6)


# -- torch-free ---------------------------------------------------------------------------------


def test_basics_without_torch() -> None:
    s = nsp.sparse_coo_tensor(I, V, (2, 3))
    assert isinstance(s, nt.Tensor) and s.is_sparse and s.layout is nsp.sparse_coo
    assert nt.zeros(2).layout is nsp.strided and not nt.zeros(2).is_sparse
    assert (s.shape, s.size(1), s.dim(), s.dtype) == (nt.Size([2, 3]), 3, 2, nt.float32)
    assert (s.sparse_dim(), s.dense_dim(), s._nnz(), s.is_coalesced()) == (2, 0, 4, False)
    c = s.coalesce()
    assert c.indices().tolist() == [[0, 1, 1], [2, 0, 2]] and c.values().tolist() == [9, 4, 5]
    assert c.coalesce() is c
    assert s.to_dense().tolist() == [[0, 0, 9], [4, 0, 5]]
    assert (s * 2).to_dense().tolist() == [[0, 0, 18], [8, 0, 10]]
    assert (s + s).to_dense().tolist() == [[0, 0, 18], [8, 0, 10]]
    assert s.t().to_dense().tolist() == [[0, 4], [0, 0], [9, 5]]
    assert nsp.sum(s).item() == 18.0
    assert nsp.spmm(s, nt.ones(3, 1)).tolist() == [[9.0], [9.0]]
    d = nt.tensor([[0.0, 1.5], [2.0, 0.0]])
    assert nt.equal(d.to_sparse().to_dense(), d) and d.to_dense() is d
    assert nsp.sparse_coo_tensor(I, V).shape == (2, 3)  # size inferred from the indices
    assert copy.deepcopy(s).to_dense().tolist() == s.to_dense().tolist()


def test_spmm_gradients_without_torch() -> None:
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    v = nt.tensor(V, requires_grad=True)
    s = nsp.sparse_coo_tensor(nt.tensor(I), v, (2, 3))
    nsp.mm(s, x).sum().backward()
    dense = s.detach().to_dense()._data
    np.testing.assert_allclose(x.grad._data, dense.T @ np.ones((2, 2)), rtol=1e-6)
    rowsum = x._data.sum(1)
    np.testing.assert_allclose(v.grad._data, rowsum[np.array(I[1])], rtol=1e-6)


def test_accumulate_sparse_grad_twice() -> None:
    s = nsp.sparse_coo_tensor(I, V, (2, 3), requires_grad=True)
    for _ in range(2):
        nsp.mm(s, nt.ones(3, 2)).sum().backward()
    assert s.grad.is_sparse and s.grad.to_dense().tolist() == [[0, 0, 4], [4, 0, 4]]


def test_warnings_once() -> None:
    _coo._warned.clear()
    _coo._INVARIANTS.update(explicit=False)
    with pytest.warns(UserWarning, match="Sparse invariant checks are implicitly disabled"):
        nsp.sparse_coo_tensor(I, V, (2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nsp.sparse_coo_tensor(I, V, (2, 3))  # once per process, as TORCH_WARN_ONCE
    with pytest.warns(UserWarning, match=r"SparseTensor\(indices, values, shape"):
        s = nsp.FloatTensor(nt.tensor(I), nt.tensor(V), nt.Size([2, 3]))
    assert isinstance(s, nsp.FloatTensor) and not isinstance(s, nsp.DoubleTensor)
    with pytest.warns(UserWarning, match=r"SparseTensor\(shape"):
        assert nsp.DoubleTensor(2, 3)._nnz() == 0


def test_invariant_checks() -> None:
    with pytest.raises(RuntimeError, match="size is inconsistent with indices"):
        nsp.sparse_coo_tensor([[0, 5]], [1.0, 1.0], (3,), check_invariants=True)
    with nsp.check_sparse_tensor_invariants():
        with pytest.raises(RuntimeError, match="found negative index -1 for dim 0"):
            nsp.sparse_coo_tensor([[0, -1]], [1.0, 1.0], (3,))


def test_dense_ops_raise_instead_of_computing_on_zeros() -> None:
    s = nsp.sparse_coo_tensor(I, V, (2, 3))
    for fn in (nt.exp, nt.sigmoid, lambda t: t.view(6), lambda t: t.max(), lambda t: t == t):
        with pytest.raises(NotImplementedError, match="with arguments from the 'SparseCPU'"):
            fn(s)


# -- against PyTorch ------------------------------------------------------------------------


def test_construction_and_coalesce_match(torch) -> None:
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 4, (2, 30)).tolist()  # many duplicates
    vals = rng.standard_normal(30).astype(np.float32).tolist()
    a, b = _both(torch, idx, vals, (4, 4))
    _same(a, b)
    _same(a.coalesce(), b.coalesce())
    _same(a.to_dense(), b.to_dense())
    a3, b3 = (
        nsp.sparse_coo_tensor(nt.tensor(I), nt.ones(4, 2), (2, 3, 2)),
        torch.sparse_coo_tensor(torch.tensor(I), torch.ones(4, 2), (2, 3, 2)),
    )
    _same(a3.coalesce(), b3.coalesce())
    _same(a3.to_dense(), b3.to_dense())


def test_printing_matches(torch) -> None:
    a, b = _both(torch)
    for x, y in [
        (a, b),
        (a.coalesce(), b.coalesce()),
        (a.t(), b.t()),
        (a.double(), b.double()),
        (a * 2.5, b * 2.5),
        (nsp.sum(a, 0), torch.sparse.sum(b, 0)),
        (
            nt.tensor([[0.0, 1.5], [2.0, 0.0]]).to_sparse(),
            torch.tensor([[0, 1.5], [2, 0]]).to_sparse(),
        ),
        _legacy(lambda: (nsp.DoubleTensor(2, 3), torch.sparse.DoubleTensor(2, 3))),
        (
            nsp.sparse_coo_tensor(I, [1, 2, 3, 4], (2, 3)),
            torch.sparse_coo_tensor(I, [1, 2, 3, 4], (2, 3)),
        ),
    ]:
        _same_repr(x, y)
    # last: a sparse view (t()) follows its base's requires_grad in PyTorch
    _same_repr(a.requires_grad_(), b.requires_grad_())
    _same_repr(a * 2, b * 2)
    assert (
        str(nsp.sparse_coo) == "numtorch.sparse_coo" and str(torch.sparse_coo) == "torch.sparse_coo"
    )


def test_arithmetic_matches(torch) -> None:
    a, b = _both(torch)
    o = nsp.sparse_coo_tensor([[1, 0], [1, 2]], [1.0, 2.0], (2, 3))
    p = torch.sparse_coo_tensor([[1, 0], [1, 2]], [1.0, 2.0], (2, 3))
    for x, y in [
        (a + o, b + p),
        (o + a, p + b),
        (a.coalesce() + o.coalesce(), b.coalesce() + p.coalesce()),
        (a - a, b - b),
        (-a, -b),
        (a / 2, b / 2),
        (a * nt.ones(2, 3) * 3, b * torch.ones(2, 3) * 3),
        (o * a, p * b),
        (a.coalesce() * o.coalesce(), b.coalesce() * p.coalesce()),
        (nt.ones(2, 3) + a, torch.ones(2, 3) + b),
        (nt.ones(2, 3) - a, torch.ones(2, 3) - b),
        (nsp.sum(a), torch.sparse.sum(b)),
        (nsp.sum(a, 1), torch.sparse.sum(b, 1)),
        (nsp.sum(a, (0, 1)), torch.sparse.sum(b, (0, 1))),
        (a @ nt.ones(3), b @ torch.ones(3)),
        (nt.ones(2, 2) @ a, torch.ones(2, 2) @ b),
    ]:
        _same(x, y)


@pytest.mark.parametrize("kind", ["sparse.mm", "spmm", "matmul"])
def test_spmm_values_and_gradients(torch, kind) -> None:
    rng = np.random.default_rng(2)
    n, f, nnz = 6, 3, 15
    idx = rng.integers(0, n, (2, nnz))
    vals = rng.standard_normal(nnz).astype(np.float32)
    dense = rng.standard_normal((n, f)).astype(np.float32)
    up = rng.standard_normal((n, f)).astype(np.float32)
    fns = {
        "sparse.mm": (nsp.mm, torch.sparse.mm),
        "spmm": (nsp.spmm, torch.spmm),
        "matmul": (lambda s, d: s @ d, lambda s, d: s @ d),
    }[kind]
    results = []
    for lib, fn, sp in ((nt, fns[0], nsp), (torch, fns[1], torch)):
        for leaf in ("values", "sparse"):
            v = lib.tensor(vals, requires_grad=leaf == "values")
            s = sp.sparse_coo_tensor(lib.tensor(idx), v, (n, n), requires_grad=leaf == "sparse")
            d = lib.tensor(dense, requires_grad=True)
            y = fn(s, d)
            (y * lib.tensor(up)).sum().backward()
            results.append((y, d.grad, v.grad if leaf == "values" else s.grad, y.grad_fn.name()))
    for mine, ref in zip(results[:2], results[2:], strict=True):
        _same(mine[0], ref[0])
        _same(mine[1], ref[1])
        _same(mine[2], ref[2])
        assert mine[3] == ref[3]


def test_values_and_to_dense_gradients(torch) -> None:
    for lib, sp in ((nt, nsp), (torch, torch)):
        v = lib.tensor(V, requires_grad=True)
        s = sp.sparse_coo_tensor(lib.tensor(I), v, (2, 3))
        w = lib.arange(6.0).reshape(2, 3)
        ((s.to_dense() * w).sum() + (s.coalesce().values() * lib.arange(3.0)).sum()).backward()
        leaf = sp.sparse_coo_tensor(lib.tensor(I), lib.tensor(V), (2, 3), requires_grad=True)
        (leaf * 2).to_dense().sum().backward()
        if lib is nt:
            mine = (v.grad, leaf.grad)
        else:
            ref = (v.grad, leaf.grad)
    _same(mine[0], ref[0])
    _same(mine[1], ref[1])


def test_gcn_step_matches(torch) -> None:
    """Kipf's pygcn: two GraphConvolution layers on a normalised sparse adjacency, NLL loss,
    one SGD step; losses and updated weights equal PyTorch's with copied weights."""
    rng = np.random.default_rng(3)
    n, f, h, c = 12, 5, 4, 3
    edges = rng.integers(0, n, (2, 30))
    edges = np.concatenate([edges, edges[::-1], np.stack([np.arange(n)] * 2)], axis=1)
    deg = np.bincount(edges[0], minlength=n).astype(np.float32)
    vals = (1.0 / deg[edges[0]]).astype(np.float32)  # row-normalised, duplicates kept
    feats = rng.standard_normal((n, f)).astype(np.float32)
    labels = rng.integers(0, c, n)
    w1 = rng.uniform(-0.5, 0.5, (f, h)).astype(np.float32)
    w2 = rng.uniform(-0.5, 0.5, (h, c)).astype(np.float32)
    out = {}
    for lib in (nt, torch):
        sp = nsp if lib is nt else torch.sparse
        edge_t, vals_t, size = lib.tensor(edges), lib.tensor(vals), lib.Size([n, n])
        adj = _legacy(lambda sp=sp, e=edge_t, v=vals_t, z=size: sp.FloatTensor(e, v, z))
        ws = [lib.nn.Parameter(lib.tensor(w)) for w in (w1, w2)]
        opt = lib.optim.SGD(ws, lr=0.1)
        x = lib.tensor(feats)
        losses = []
        for _ in range(2):
            opt.zero_grad()
            hidden = lib.relu(
                lib.spmm(adj, lib.mm(x, ws[0])) if lib is torch else nsp.spmm(adj, x @ ws[0])
            )
            logits = (
                nsp.mm(adj, hidden @ ws[1]) if lib is nt else torch.sparse.mm(adj, hidden @ ws[1])
            )
            loss = lib.nn.functional.nll_loss(
                lib.nn.functional.log_softmax(logits, dim=1), lib.tensor(labels)
            )
            loss.backward()
            opt.step()
            losses.append(loss.item())
        out[lib] = (losses, [w.detach() for w in ws])
    np.testing.assert_allclose(out[nt][0], out[torch][0], rtol=1e-5)
    for a, b in zip(out[nt][1], out[torch][1], strict=True):
        _same(a, b)


def test_errors_match(torch) -> None:
    a, b = _both(torch)
    cases = [
        lambda s, L: L.exp(s),
        lambda s, L: s.view(6),
        lambda s, L: s.reshape(6),
        lambda s, L: s.numpy(),
        lambda s, L: s.tolist(),
        lambda s, L: s.contiguous(),
        lambda s, L: s.values(),
        lambda s, L: s.indices(),
        lambda s, L: s + L.ones(2, 3),
        lambda s, L: s + 1,
        lambda s, L: s / L.ones(2, 3),
        lambda s, L: L.ones(2, 3).coalesce(),
        lambda s, L: L.ones(2, 3).indices(),
        lambda s, L: L.ones(2, 3).is_coalesced(),
        lambda s, L: L.ones(2, 3).to_sparse(3),
        lambda s, L: (L.sparse if L is torch else nsp).mm(s, L.ones(2, 2)),
        lambda s, L: (L.sparse if L is torch else nsp).mm(s, L.ones(3, 2, dtype=L.float64)),
        lambda s, L: (L.sparse if L is torch else nsp).sum(s, 2),
        lambda s, L: (
            s + (L.sparse_coo_tensor if L is torch else nsp.sparse_coo_tensor)(I, V, (3, 3))
        ),
        lambda s, L: (L.sparse_coo_tensor if L is torch else nsp.sparse_coo_tensor)(
            [[0, 1]], [1.0, 2.0, 3.0], (3,)
        ),
        lambda s, L: nsp.sparse_coo_tensor(I, V, (2, 3, 2)) if L is nt else None,
    ]
    for case in cases[:-1]:
        with pytest.raises(Exception) as mine:
            case(a, nt)
        with pytest.raises(Exception) as ref:
            case(b, torch)
        assert type(mine.value) is type(ref.value)
        first = str(ref.value).split("\n")[0].split(" If you are a Facebook")[0]
        assert str(mine.value).split("\n")[0].startswith(first.replace("torch.", "numtorch."))
    with pytest.raises(RuntimeError, match="number of dimensions must be sparse_dim"):
        cases[-1](a, nt)


class _Namespace:
    """``numtorch`` for the docstrings, with the top-level sparse names even before
    ``numtorch/__init__`` exports them."""

    def __getattr__(self, name):
        if hasattr(nt, name):
            return getattr(nt, name)
        return getattr(nsp, {"spmm": "spmm", "sparse_coo_tensor": "sparse_coo_tensor"}[name])


def test_docstring_examples() -> None:
    from numtorch.sparse import _kernels, _layout

    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    for module in (nsp, _coo, _kernels, _layout):
        result = doctest.testmod(module, globs={"numtorch": _Namespace()}, optionflags=flags)
        assert result.failed == 0, module.__name__
