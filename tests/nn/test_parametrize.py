"""nn.utils.parametrize: class swap, properties, right_inverse, caching, state dicts, removal,
reprs and messages, against PyTorch when installed."""

from __future__ import annotations

import copy
import pickle

import pytest

import numtorch
import numtorch.nn.utils.parametrize as P


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, Z):
            return Z.triu()

    return Symmetric()


def _scale(lib):
    class Twice(lib.nn.Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, Y):
            return Y / 2

    return Twice()


def _rank_one(lib):
    class RankOne(lib.nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0], Z[0, :]

    return RankOne()


def test_register_swaps_class_and_keeps_original_object():
    m = numtorch.nn.Linear(3, 3)
    w = m.weight
    P.register_parametrization(m, "weight", _symmetric(numtorch))
    assert type(m).__name__ == "ParametrizedLinear"
    assert P.type_before_parametrizations(m) is numtorch.nn.Linear
    assert isinstance(m, numtorch.nn.Linear)
    assert m.parametrizations.weight.original is w
    assert bool((m.weight == m.weight.T).all())
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    assert not hasattr(numtorch.nn.Linear, "weight")


def test_assignment_goes_through_right_inverse():
    m = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", _symmetric(numtorch))
    m.weight = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert m.parametrizations.weight.original.tolist() == [[1.0, 2.0], [0.0, 4.0]]
    assert m.weight.tolist() == [[1.0, 2.0], [2.0, 4.0]]


def test_tuple_right_inverse_registers_original0_original1():
    m = P.register_parametrization(numtorch.nn.Linear(3, 3), "weight", _rank_one(numtorch))
    keys = list(m.state_dict())
    assert keys == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(m, "weight", leave_parametrized=False)
    value = m.weight.detach().clone()
    P.remove_parametrizations(m, "weight")
    assert type(m) is numtorch.nn.Linear
    assert m.weight.tolist() == value.tolist()
    assert isinstance(m.weight, numtorch.nn.Parameter)


def test_gradient_flows_to_original():
    m = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", _symmetric(numtorch))
    m(numtorch.ones(1, 2)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None


def test_cached_and_chained():
    m = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", _symmetric(numtorch))
    P.register_parametrization(m, "weight", _symmetric(numtorch))
    assert len(m.parametrizations.weight) == 2
    with P.cached():
        assert m.weight is m.weight
        with P.cached():
            assert m.weight is m.weight
        assert m.weight is m.weight
    assert m.weight is not m.weight


def test_buffer_parametrization_and_remove_leave_unparametrized():
    m = numtorch.nn.BatchNorm1d(2)
    P.register_parametrization(m, "running_var", _scale(numtorch), unsafe=True)
    assert m.running_var.tolist() == [1.0, 1.0]
    assert m.parametrizations.running_var.original.tolist() == [0.5, 0.5]
    assert "parametrizations.running_var.original" in m.state_dict()
    P.remove_parametrizations(m, "running_var", leave_parametrized=False)
    assert "running_var" in dict(m.named_buffers())
    assert not P.is_parametrized(m)


def test_errors():
    class Bad(numtorch.nn.Module):
        def forward(self, X):
            return X.double()

    with pytest.raises(ValueError, match="may not change the dtype of the tensor"):
        P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", Bad())
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized"):
        P.register_parametrization(numtorch.nn.Linear(2, 2), "nope", Bad())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(numtorch.nn.Linear(2, 2), "weight")

    class NoInverse(numtorch.nn.Module):
        def forward(self, X):
            return X * 2

    m = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", NoInverse())
    with pytest.raises(RuntimeError, match="parametrization NoInverse does not implement"):
        m.weight = numtorch.ones(2, 2)


def test_deepcopy_allowed_pickle_refused():
    m = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", _symmetric(numtorch))
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear"
    assert c.weight.tolist() == m.weight.tolist()
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only"):
        pickle.dumps(m)


def test_state_dict_round_trip_and_optimizer_identity():
    a = P.register_parametrization(numtorch.nn.Linear(3, 3), "weight", _symmetric(numtorch))
    b = P.register_parametrization(numtorch.nn.Linear(3, 3), "weight", _symmetric(numtorch))
    b.load_state_dict(a.state_dict())
    assert b.weight.tolist() == a.weight.tolist()
    opt = numtorch.optim.SGD(b.parameters(), lr=0.1)
    original = b.parametrizations.weight.original
    P.remove_parametrizations(b, "weight")
    assert b.weight is original and any(p is original for p in opt.param_groups[0]["params"])


def test_transfer_parametrizations_and_params():
    a = P.register_parametrization(numtorch.nn.Linear(2, 2), "weight", _rank_one(numtorch))
    b = P.transfer_parametrizations_and_params(a, numtorch.nn.Linear(2, 2))
    assert b.weight.tolist() == a.weight.tolist()


def test_matches_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Linear(3, 3))
        lib.nn.utils.parametrize.register_parametrization(m[0], "weight", _symmetric(lib))
        lib.nn.utils.parametrize.register_parametrization(m[0], "weight", _symmetric(lib))
        lib.nn.utils.parametrize.register_parametrization(m[1], "weight", _rank_one(lib))
        lib.nn.utils.parametrize.register_parametrization(m[1], "bias", _scale(lib), unsafe=True)
        x = lib.randn(2, 3)
        y = m(x)
        y.square().sum().backward()
        grads = [p.grad for p in m.parameters()]
        msgs = []
        for bad in ("foo",):
            try:
                lib.nn.utils.parametrize.register_parametrization(
                    lib.nn.Linear(1, 1), bad, _symmetric(lib)
                )
            except ValueError as e:
                msgs.append(str(e))
        out.append(
            (repr(m), list(m.state_dict()), [n for n, _ in m.named_parameters()], y, grads, msgs)
        )
    (nr, nk, nn_, ny, ng, nm), (tr, tk, tn, ty, tg, tm) = out
    assert nr == tr and nk == tk and nn_ == tn and nm == tm
    assert ny.detach().numpy().ravel().tolist() == pytest.approx(
        ty.detach().numpy().ravel().tolist(), abs=1e-6
    )
    for a, b in zip(ng, tg, strict=True):
        assert a.numpy().ravel().tolist() == pytest.approx(b.numpy().ravel().tolist(), abs=1e-5)
