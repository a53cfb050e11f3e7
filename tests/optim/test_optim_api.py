"""The Optimizer API: param groups and defaults, add_param_group errors, zero_grad, closures,
state dicts (PyTorch's format, round trips, pickling), hooks and repr."""

from __future__ import annotations

import copy
import pickle
import re

import numpy as np
import pytest

import numtorch
import numtorch.optim
from numtorch.optim.optimizer import Optimizer

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"]
KWARGS = {"SGD": {"lr": 0.1, "momentum": 0.9}, "RMSprop": {"momentum": 0.5, "centered": True}}


def _params(lib, dtype=None):
    return [
        lib.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True),
        lib.tensor([0.25, -1.5, 2.0], requires_grad=True),
    ]


def _set_grads(lib, params, step):
    for k, p in enumerate(params):
        g = np.cos(np.arange(p.numel()) + 3 * step + k).astype(np.float32).reshape(p.shape)
        p.grad = lib.tensor(g)


def _run(lib, opt, params, steps, start=0):
    for step in range(start, start + steps):
        _set_grads(lib, params, step)
        opt.step()


@pytest.mark.parametrize("name", ALL)
def test_repr_and_param_groups_match_torch(name):
    torch = pytest.importorskip("torch")
    t = getattr(torch.optim, name)(_params(torch), **KWARGS.get(name, {}))
    n = getattr(numtorch.optim, name)(_params(numtorch), **KWARGS.get(name, {}))
    assert repr(n) == repr(t)
    assert n.defaults == t.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in n.param_groups] == [
        {k: v for k, v in g.items() if k != "params"} for g in t.param_groups
    ]


def test_sgd_repr_text():
    w = numtorch.zeros(2, requires_grad=True)
    assert repr(numtorch.optim.SGD([w], lr=0.1)) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
        "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
        "    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)"
    )


@pytest.mark.parametrize("name", ALL)
def test_state_dict_matches_torch_format(name):
    torch = pytest.importorskip("torch")
    tp, npar = _params(torch), _params(numtorch)
    t = getattr(torch.optim, name)(tp, **KWARGS.get(name, {}))
    n = getattr(numtorch.optim, name)(npar, **KWARGS.get(name, {}))
    _run(torch, t, tp, 3)
    _run(numtorch, n, npar, 3)
    ts, ns = t.state_dict(), n.state_dict()
    assert ns["param_groups"] == ts["param_groups"]
    assert list(ns["state"]) == list(ts["state"]) == [0, 1]
    for idx in ts["state"]:
        assert list(ns["state"][idx]) == list(ts["state"][idx])
        for key, tv in ts["state"][idx].items():
            nv = ns["state"][idx][key]
            assert isinstance(nv, numtorch.Tensor)
            assert str(nv.dtype).split(".")[1] == str(tv.dtype).split(".")[1]
            assert nv.shape == tuple(tv.shape)
            np.testing.assert_allclose(nv.numpy(), tv.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_state_dict_round_trip_continues_identically(name):
    params = _params(numtorch)
    opt = getattr(numtorch.optim, name)(params, **KWARGS.get(name, {}))
    _run(numtorch, opt, params, 4)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))

    clones = [p.detach().clone().requires_grad_() for p in params]
    fresh = getattr(numtorch.optim, name)(clones, lr=123.0)  # lr comes back from the state dict
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert fresh.param_groups[0]["params"][0] is clones[0]
    _run(numtorch, opt, params, 4, start=4)
    _run(numtorch, fresh, clones, 4, start=4)
    for a, b in zip(params, clones, strict=True):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_load_state_dict_errors():
    a, b = _params(numtorch)
    opt = numtorch.optim.SGD([a, b], lr=0.1)
    other = numtorch.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(other.state_dict())
    third = numtorch.optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(third.state_dict())


def test_param_groups_and_defaults():
    a, b = _params(numtorch)
    opt = numtorch.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["momentum"] == 0.9
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]


def test_named_parameters_give_param_names():
    a, b = _params(numtorch)
    opt = numtorch.optim.Adam([("w", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_add_param_group_errors():
    a, b = _params(numtorch)
    opt = numtorch.optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {b}})
    with pytest.raises(
        TypeError, match="^optimizer can only optimize Tensors, but one of the params is int$"
    ):
        opt.add_param_group({"params": [3]})
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        opt.add_param_group({"params": [b * 2]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([b])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        numtorch.optim.SGD([], lr=0.1)
    with pytest.raises(
        TypeError,
        match=re.escape("should be an iterable of Tensors or dicts, but got numtorch.FloatTensor"),
    ):
        numtorch.optim.SGD(a, lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        numtorch.optim.SGD([b, b], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0


def test_required_default():
    class Custom(Optimizer):
        def __init__(self, params, lr=numtorch.optim.optimizer.required):
            super().__init__(params, {"lr": lr})

    a, _ = _params(numtorch)
    with pytest.raises(
        ValueError, match="didn't specify a value of required optimization parameter lr"
    ):
        Custom([a])
    assert Custom([a], lr=1.0).param_groups[0]["lr"] == 1.0


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("SGD", {"lr": -1}, "Invalid learning rate: -1"),
        ("SGD", {"momentum": -0.5}, "Invalid momentum value: -0.5"),
        ("SGD", {"nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        ("Adam", {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0: 1.0"),
        ("Adam", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        ("RMSprop", {"alpha": -1}, "Invalid alpha value: -1"),
        ("Adadelta", {"rho": 2}, "Invalid rho value: 2"),
    ],
)
def test_hyperparameter_errors(name, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(numtorch.optim, name)(_params(numtorch), **kwargs)


def test_zero_grad():
    a, b = _params(numtorch)
    opt = numtorch.optim.SGD([a, b], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and not a.grad.any()
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_step_skips_params_without_grad_and_returns_closure_loss():
    a, b = _params(numtorch)
    before = b.detach().clone()
    opt = numtorch.optim.Adam([a, b], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(14.25)
    assert b not in opt.state and a in opt.state
    assert numtorch.equal(b, before)
    assert not a.requires_grad or a.is_leaf  # the step did not record a graph
    assert a.grad_fn is None


def test_step_hooks():
    a, _ = _params(numtorch)
    opt = numtorch.optim.SGD([a], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    g = numtorch.optim.optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: calls.append("global")
    )
    a.grad = numtorch.ones_like(a)
    opt.step()
    assert calls == ["global", "pre", "post"]
    for h in (h1, h2, g):
        h.remove()
    opt.step()
    assert calls == ["global", "pre", "post"]


def test_state_dict_hooks():
    a, _ = _params(numtorch)
    opt = numtorch.optim.SGD([a], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict(opt.state_dict())
    assert seen == [opt]


def test_deepcopy_optimizer_state():
    params = _params(numtorch)
    opt = numtorch.optim.Adam(params)
    _run(numtorch, opt, params, 2)
    sd = copy.deepcopy(opt.state_dict())
    assert sd["state"][0]["step"].item() == 2.0
    assert sd["state"][0]["exp_avg"] is not opt.state[params[0]]["exp_avg"]


def test_complex_params_match_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (torch, numtorch):
        p = lib.tensor([1 + 2j, -0.5 + 0.25j], dtype=lib.complex64, requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.1)
        for step in range(5):
            p.grad = lib.tensor([0.3 - 0.1j * step, -0.2 + 0.4j], dtype=lib.complex64)
            opt.step()
        out.append(p.detach().numpy().copy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)


def test_lbfgs_matches_torch():
    torch = pytest.importorskip("torch")
    for line_search in (None, "strong_wolfe"):
        results = []
        for lib in (torch, numtorch):
            x = lib.tensor([-1.2, 1.0], requires_grad=True)
            opt = lib.optim.LBFGS(
                [x], lr=0.5, max_iter=15, history_size=5, line_search_fn=line_search
            )

            def closure(x=x, opt=opt):
                opt.zero_grad()
                loss = (1 - x[0]) ** 2 + 10 * (x[1] - x[0] ** 2) ** 2
                loss.backward()
                return loss

            losses = [opt.step(closure).item() for _ in range(3)]
            results.append((losses, x.detach().numpy().copy(), opt.state[x]["func_evals"]))
        (tl, tx, tf), (nl, nx, nf) = results
        np.testing.assert_allclose(nl, tl, rtol=1e-5)
        np.testing.assert_allclose(nx, tx, rtol=1e-5, atol=1e-6)
        assert nf == tf


def test_lbfgs_rejects_groups():
    a, b = _params(numtorch)
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        numtorch.optim.LBFGS([{"params": [a]}, {"params": [b]}])


def test_module_docstrings():
    import doctest

    result = doctest.testmod(numtorch.optim, extraglobs={"numtorch": numtorch})
    assert result.attempted > 0 and result.failed == 0


def test_training_an_nn_module_matches_torch():
    torch = pytest.importorskip("torch")
    nn = pytest.importorskip("numtorch.nn")
    if not hasattr(nn, "Linear") or not hasattr(nn, "Parameter"):
        pytest.skip("numtorch.nn has no Linear/Parameter yet")
    results = []
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        opt = lib.optim.Adam(model.parameters(), lr=0.01)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3, 0.5)
        x = lib.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
        y = lib.tensor(np.arange(5, dtype=np.float32).reshape(5, 1))
        for _ in range(10):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            sched.step()
        results.append([p.detach().numpy().copy() for p in model.parameters()])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6)


def test_large_float32_step_is_one_fused_rounding():
    # large parameters take the blocked float64 path of optim._math.fma: the same single
    # rounding as the whole-array formula (and as PyTorch's vfmadd)
    from numtorch.optim import _math

    rng = np.random.default_rng(0)
    n = 3 * _math._CHUNK + 123  # several blocks and a partial one
    start = rng.standard_normal(n).astype(np.float32)
    grad = rng.standard_normal(n).astype(np.float32)
    p = numtorch.nn.Parameter(numtorch.tensor(start))
    p.grad = numtorch.tensor(grad)
    version = p._version
    numtorch.optim.SGD([p], lr=0.01).step()
    expected = (grad.astype(np.float64) * np.float64(np.float32(-0.01)) + start).astype(np.float32)
    np.testing.assert_array_equal(p.detach().numpy(), expected)
    assert p._version == version + 1
    two_roundings = start + np.float32(-0.01) * grad
    assert (two_roundings != expected).any()  # the test can tell the two apart

    out = np.empty_like(start)
    assert _math.fma(grad, np.float32(-0.01), start, out=out) is out
    np.testing.assert_array_equal(out, expected)
    strided = _math.fma(grad[::2], np.float32(-0.01), start[::2])  # the whole-array path
    np.testing.assert_array_equal(strided, expected[::2])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.05}),
        ("Adam", {"lr": 0.05, "weight_decay": 0.01}),
    ],
)
def test_large_sgd_and_adam_match_torch(dtype, name, kwargs):
    # large enough for the BLAS axpy path (whole chunks) and its NumPy tail alike
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    start = rng.standard_normal((300, 401)).astype(dtype)
    grads = [rng.standard_normal((300, 401)).astype(dtype) for _ in range(3)]
    results = []
    for lib in (numtorch, torch):
        p = lib.nn.Parameter(lib.tensor(start))
        opt = getattr(lib.optim, name)([p], **kwargs)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        results.append(p.detach().numpy())
    if name == "SGD":
        np.testing.assert_array_equal(results[0], results[1])
    else:  # PyTorch's vectorised sqrt is not correctly rounded (see test_optim_trajectories)
        tolerance = 1e-6 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(results[0], results[1], rtol=tolerance, atol=tolerance)
