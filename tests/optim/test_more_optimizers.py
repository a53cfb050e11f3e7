"""Rprop, ASGD, Adafactor and SparseAdam against PyTorch: constructor defaults, reprs,
argument errors, state dict layouts, 25-step trajectories in float32 and float64, and
``load_state_dict`` round trips (numtorch to numtorch and PyTorch to numtorch).

Rprop and ASGD only multiply, add and compare (fused where PyTorch fuses), so they agree bit
for bit. Adafactor takes 2-norms: PyTorch's float32 reductions are vectorised sums whose order
depends on the CPU's SIMD width, while numtorch's are accumulated in float64 and rounded once,
so the two differ by an ulp or so of a norm, hence a tolerance in float32.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import numtorch
import numtorch.optim
from numtorch.optim._adafactor import Adafactor
from numtorch.optim.asgd import ASGD
from numtorch.optim.rprop import Rprop
from numtorch.optim.sparse_adam import SparseAdam

NAMES = ["Rprop", "ASGD", "Adafactor", "SparseAdam"]
SHAPES = [(3, 4), (5,), (), (2, 3, 4)]
STEPS = 25

CASES = [
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 3, "maximize": True}),
    ("Adafactor", {}),
    ("Adafactor", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("Adafactor", {"lr": 0.02, "beta2_decay": -0.5, "d": 1.5, "eps": (1e-5, 1e-2)}),
]
CASE_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
EXACT = {"Rprop", "ASGD"}


def _values(shape, salt: int, dtype) -> np.ndarray:
    """Deterministic values in [-1.6, 1.6] (integers over 7), no RNG involved."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    return (((i * 37 + salt * 11 + 5) % 23 - 11) / 7.0).astype(dtype).reshape(shape)


def _grad(shape, step: int, k: int, dtype) -> np.ndarray:
    g = _values(shape, 7 * step + k, dtype)
    # flip signs every third step so Rprop both grows and shrinks its step sizes
    return -g if step % 3 == 1 and k % 2 else g


def _make(lib, name, kwargs, dtype):
    params = [
        lib.tensor(_values(s, 1000 + k, dtype), requires_grad=True) for k, s in enumerate(SHAPES)
    ]
    return params, getattr(lib.optim, name)(params, **kwargs)


def _run(lib, opt, params, start: int, stop: int, dtype) -> list[list[np.ndarray]]:
    out = []
    for step in range(start, stop):
        for k, (p, s) in enumerate(zip(params, SHAPES, strict=True)):
            p.grad = lib.tensor(_grad(s, step, k, dtype))
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


def trajectory(lib, name, kwargs, dtype=np.float32, steps=STEPS):
    """The parameters after each of ``steps`` steps of ``lib.optim.<name>``."""
    params, opt = _make(lib, name, kwargs, dtype)
    return _run(lib, opt, params, 0, steps, dtype)


def _assert_same(expected, got, name, dtype):
    for step, (e, g) in enumerate(zip(expected, got, strict=True)):
        for k, (a, b) in enumerate(zip(e, g, strict=True)):
            assert b.dtype == a.dtype
            msg = f"step {step} p{k}"
            if name in EXACT:
                np.testing.assert_array_equal(b, a, err_msg=msg)
            elif dtype == np.float32:
                np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=msg)
            else:
                np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-13, err_msg=msg)


# -- torch-free checks -------------------------------------------------------------------------


def test_module_paths_and_exports():
    assert numtorch.optim.Rprop is Rprop
    assert numtorch.optim.ASGD is ASGD
    assert numtorch.optim.Adafactor is Adafactor
    assert numtorch.optim.SparseAdam is SparseAdam
    for name in NAMES:
        assert name in numtorch.optim.__all__
    assert Adafactor.__module__ == "numtorch.optim"  # PyTorch's says torch.optim


def test_rprop_repr_text():
    w = numtorch.zeros(2, requires_grad=True)
    assert repr(Rprop([w])) == (
        "Rprop (\nParameter Group 0\n    capturable: False\n    differentiable: False\n"
        "    etas: (0.5, 1.2)\n    foreach: None\n    lr: 0.01\n    maximize: False\n"
        "    step_sizes: (1e-06, 50)\n)"
    )


def test_rprop_first_steps_by_hand():
    w = numtorch.tensor([1.0, 1.0, 1.0], requires_grad=True)
    opt = Rprop([w], lr=0.5)
    w.grad = numtorch.tensor([2.0, -3.0, 0.0])
    opt.step()  # prev is 0: the step size stays lr, the step is -lr * sign(grad)
    assert w.detach().tolist() == [0.5, 1.5, 1.0]
    w.grad = numtorch.tensor([1.0, 4.0, 1.0])  # same sign, flipped sign, first nonzero
    opt.step()
    state = opt.state[w]
    assert state["step_size"].tolist() == [0.6000000238418579, 0.25, 0.5]
    assert state["prev"].tolist() == [1.0, 0.0, 1.0]  # the flipped element's grad is zeroed
    assert w.detach().tolist() == [pytest.approx(-0.1), 1.5, 0.5]
    assert list(state) == ["step", "prev", "step_size"]
    assert state["step"].item() == 2.0 and state["step"].dtype == numtorch.float32


def test_asgd_state_and_averaging():
    w = numtorch.tensor([1.0, -2.0], requires_grad=True)
    opt = ASGD([w], lr=0.1, t0=1)
    for _ in range(3):
        w.grad = numtorch.ones(2)
        opt.step()
    state = opt.state[w]
    assert list(state) == ["step", "eta", "mu", "ax"]
    assert state["step"].item() == 3.0 and state["eta"].dtype == numtorch.float32
    assert state["mu"].item() == 0.5  # 1 / max(1, step - t0)
    assert state["ax"].shape == w.shape


def test_adafactor_state_shapes():
    a = numtorch.ones(2, 3, 4, requires_grad=True)
    b = numtorch.ones(5, requires_grad=True)
    opt = Adafactor([a, b])
    a.grad, b.grad = numtorch.ones(2, 3, 4), numtorch.ones(5)
    opt.step()
    assert list(opt.state[a]) == ["step", "row_var", "col_var"]
    assert opt.state[a]["row_var"].shape == (2, 3, 1)
    assert opt.state[a]["col_var"].shape == (2, 1, 4)
    assert list(opt.state[b]) == ["step", "variance"]


def test_adafactor_rejects_complex():
    w = numtorch.zeros(2, dtype=numtorch.complex64, requires_grad=True)
    w.grad = numtorch.ones(2, dtype=numtorch.complex64)
    with pytest.raises(RuntimeError, match="^Adafactor does not support complex parameters$"):
        Adafactor([w]).step()


def test_sparse_adam_refuses_dense_gradients():
    w = numtorch.zeros(2, requires_grad=True)
    opt = SparseAdam([w])
    assert opt.step(lambda: 1.5) == 1.5  # no gradient yet: nothing to refuse
    w.grad = numtorch.ones(2)
    with pytest.raises(RuntimeError) as info:
        opt.step()
    assert str(info.value) == (
        "SparseAdam does not support dense gradients, please consider Adam instead"
    )
    assert len(opt.state) == 0


def test_sparse_adam_rejects_complex_params():
    a = numtorch.zeros(2, requires_grad=True)
    b = numtorch.zeros(2, dtype=numtorch.complex64, requires_grad=True)
    with pytest.raises(ValueError) as info:
        SparseAdam([{"params": [a]}, {"params": [a.detach().requires_grad_(), b]}])
    assert str(info.value) == (
        "Complex params at indices [[1, 1]]: SparseAdam does not support complex parameters"
    )


@pytest.mark.parametrize("name", ["Rprop", "ASGD"])
def test_differentiable_and_capturable_are_refused(name):
    w = numtorch.zeros(2, requires_grad=True)
    w.grad = numtorch.ones(2)
    with pytest.raises(NotImplementedError):
        getattr(numtorch.optim, name)([w], differentiable=True).step()
    with pytest.raises(AssertionError) as info:
        getattr(numtorch.optim, name)([w], capturable=True).step()
    tensors = "params, mus, etas, and state_steps" if name == "ASGD" else "params and state_steps"
    assert str(info.value) == (
        f"If capturable=True, {tensors} must be on supported devices: "
        "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']."
    )  # PyTorch's text on CPU


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_state_dict_round_trip_continues_identically(case):
    name, kwargs = CASES[case]
    params, opt = _make(numtorch, name, kwargs, np.float32)
    _run(numtorch, opt, params, 0, 5, np.float32)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))

    clones = [p.detach().clone().requires_grad_() for p in params]
    fresh = getattr(numtorch.optim, name)(clones, lr=123.0)  # lr comes back from the state dict
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    a = _run(numtorch, opt, params, 5, 12, np.float32)
    b = _run(numtorch, fresh, clones, 5, 12, np.float32)
    for x, y in zip(a, b, strict=True):
        for u, v in zip(x, y, strict=True):
            np.testing.assert_array_equal(u, v)


# -- against PyTorch ---------------------------------------------------------------------------


REPR_KWARGS = [
    ("Rprop", {}),
    ("Rprop", {"lr": 0.1, "etas": (0.4, 1.1), "step_sizes": (1e-4, 1.0), "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.1, "lambd": 1e-3, "alpha": 0.5, "t0": 10, "weight_decay": 0.1}),
    ("Adafactor", {}),
    ("Adafactor", {"lr": 0.1, "eps": (1e-30, 1e-2), "d": 2.0, "weight_decay": 0.01}),
    ("SparseAdam", {}),
    ("SparseAdam", {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-6, "maximize": True}),
]


@pytest.mark.parametrize("name,kwargs", REPR_KWARGS)
def test_repr_defaults_and_groups_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    n = getattr(numtorch.optim, name)([numtorch.zeros(2, requires_grad=True)], **kwargs)
    assert repr(n) == repr(t)
    assert n.defaults == t.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in n.param_groups] == [
        {k: v for k, v in g.items() if k != "params"} for g in t.param_groups
    ]


BAD_ARGS = [
    ("Rprop", {"lr": -0.1}),
    ("Rprop", {"etas": (1.5, 1.2)}),
    ("Rprop", {"etas": (0.0, 1.2)}),
    ("Rprop", {"etas": (0.5, 1.0)}),
    ("ASGD", {"lr": -1.0}),
    ("ASGD", {"weight_decay": -0.1}),
    ("Adafactor", {"lr": -1.0}),
    ("Adafactor", {"beta2_decay": 0.5}),
    ("Adafactor", {"eps": (-1e-3, 1e-3)}),
    ("Adafactor", {"eps": (None, -1e-3)}),
    ("Adafactor", {"d": 0.5}),
    ("Adafactor", {"weight_decay": -0.5}),
    ("SparseAdam", {"lr": 0.0}),
    ("SparseAdam", {"eps": 0.0}),
    ("SparseAdam", {"betas": (1.0, 0.999)}),
    ("SparseAdam", {"betas": (0.9, -0.1)}),
]


@pytest.mark.parametrize("name,kwargs", BAD_ARGS)
def test_argument_errors_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as t_info:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(Exception) as n_info:
        getattr(numtorch.optim, name)([numtorch.zeros(2, requires_grad=True)], **kwargs)
    assert type(n_info.value) is type(t_info.value)
    assert str(n_info.value) == str(t_info.value)


@pytest.mark.parametrize("name", ["Rprop", "ASGD", "Adafactor", "SparseAdam"])
def test_tensor_lr_must_be_one_element(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=torch.ones(2))
    with pytest.raises(ValueError, match="^Tensor lr must be 1-element$"):
        getattr(numtorch.optim, name)([numtorch.zeros(2, requires_grad=True)], lr=numtorch.ones(2))


def test_sparse_adam_dense_gradient_error_matches_torch():
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (torch, numtorch):
        w = lib.zeros(3, requires_grad=True)
        w.grad = lib.ones(3)
        with pytest.raises(RuntimeError) as info:
            lib.optim.SparseAdam([w]).step()
        errors.append(str(info.value))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_torch_float32(case):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    expected = trajectory(torch, name, kwargs)
    got = trajectory(numtorch, name, kwargs)
    _assert_same(expected, got, name, np.float32)


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_trajectory_matches_torch_float64(case):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    expected = trajectory(torch, name, kwargs, np.float64)
    got = trajectory(numtorch, name, kwargs, np.float64)
    _assert_same(expected, got, name, np.float64)


@pytest.mark.parametrize("name", ["Rprop", "ASGD"])
def test_complex_params_match_torch(name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, numtorch):
        z = lib.tensor(
            (_values((6,), 3, np.float32) + 1j * _values((6,), 4, np.float32)).astype(np.complex64),
            requires_grad=True,
        )
        opt = getattr(lib.optim, name)([z], lr=0.05, t0=2) if name == "ASGD" else None
        opt = opt or getattr(lib.optim, name)([z], lr=0.05)
        for step in range(STEPS):
            g = _grad((6,), step, 1, np.float32) + 1j * _grad((6,), step + 5, 0, np.float32)
            z.grad = lib.tensor(g.astype(np.complex64))
            opt.step()
        results.append(
            [z.detach().numpy()] + [v.numpy() for v in opt.state_dict()["state"][0].values()]
        )
    for a, b in zip(*results, strict=True):
        assert b.dtype == a.dtype
        np.testing.assert_array_equal(b, a)


def test_asgd_tensor_lr_matches_torch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (torch, numtorch):
        params, _ = _make(lib, "ASGD", {}, np.float32)
        opt = lib.optim.ASGD(params, lr=lib.tensor(0.05), lambd=0.01, t0=4)
        results.append(_run(lib, opt, params, 0, STEPS, np.float32))
    _assert_same(results[0], results[1], "ASGD", np.float32)


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_state_dict_matches_torch(case):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    tp, t = _make(torch, name, kwargs, np.float32)
    npar, n = _make(numtorch, name, kwargs, np.float32)
    _run(torch, t, tp, 0, 4, np.float32)
    _run(numtorch, n, npar, 0, 4, np.float32)
    ts, ns = t.state_dict(), n.state_dict()
    assert ns["param_groups"] == ts["param_groups"]
    assert list(ns["state"]) == list(ts["state"]) == list(range(len(SHAPES)))
    for idx, t_state in ts["state"].items():
        assert list(ns["state"][idx]) == list(t_state)
        for key, tv in t_state.items():
            nv = ns["state"][idx][key]
            assert isinstance(nv, numtorch.Tensor)
            assert str(nv.dtype).split(".")[1] == str(tv.dtype).split(".")[1]
            assert nv.shape == tuple(tv.shape)
            np.testing.assert_allclose(nv.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_load_torch_state_dict_then_continue(case):
    # a state dict written by PyTorch, its tensors converted, resumes where PyTorch would
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    tp, t = _make(torch, name, kwargs, np.float32)
    _run(torch, t, tp, 0, 6, np.float32)
    ts = t.state_dict()
    converted = {
        "state": {
            i: {k: numtorch.tensor(v.numpy()) for k, v in s.items()} for i, s in ts["state"].items()
        },
        "param_groups": ts["param_groups"],
    }
    npar = [numtorch.tensor(p.detach().numpy(), requires_grad=True) for p in tp]
    n = getattr(numtorch.optim, name)(npar)
    n.load_state_dict(converted)
    assert repr(n) == repr(t)
    expected = _run(torch, t, tp, 6, 16, np.float32)
    got = _run(numtorch, n, npar, 6, 16, np.float32)
    _assert_same(expected, got, name, np.float32)
