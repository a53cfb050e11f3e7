"""Optimizer trajectories against PyTorch: same initial parameters, same gradient sequence, 20
steps, compared step by step.

The gradient sequence is integer arithmetic (no RNG, no libm), so the torch-free golden file
``tests/optim/golden.json`` (recorded from torch 2.13 CPU) replays on any machine. Regenerate it
with torch installed: ``python tests/optim/test_optim_trajectories.py --regenerate-golden``.

numtorch reproduces PyTorch's single-tensor arithmetic, fused multiply-adds included, so SGD,
Adamax and most steps agree bit for bit; PyTorch's vectorised float32 ``sqrt`` (MKL VML) is not
correctly rounded, so optimizers that take square roots can differ by an ulp per step, hence
the tolerance.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest

import numtorch
import numtorch.optim

GOLDEN_PATH = pathlib.Path(__file__).with_name("golden.json")
SHAPES = [(3, 4), (5,), ()]
STEPS = 20
RTOL = ATOL = 1e-6

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True, "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.1},
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]
CASE_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]
FULL_GOLDEN = {"SGD-1", "SGD-2", "Adam-4", "Adam-5"}  # every step recorded; others: 1, 5, 20


def _values(shape, salt: int, dtype) -> np.ndarray:
    """Deterministic, machine-independent values in [-1.6, 1.6]: integers over 7."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.int64)
    values = ((i * 37 + salt * 11 + 5) % 23 - 11) / 7.0
    return values.astype(dtype).reshape(shape)


def trajectory(lib, name, kwargs, dtype=np.float32, steps=STEPS):
    """Parameters after each step (lists of arrays), running ``lib.optim.<name>``."""
    params = [
        lib.tensor(_values(s, 1000 + k, dtype), requires_grad=True) for k, s in enumerate(SHAPES)
    ]
    opt = getattr(lib.optim, name)(params, **kwargs)
    out = []
    for step in range(steps):
        for k, (p, s) in enumerate(zip(params, SHAPES, strict=True)):
            p.grad = lib.tensor(_values(s, 7 * step + k, dtype))
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_matches_torch_float32(case):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    expected = trajectory(torch, name, kwargs)
    got = trajectory(numtorch, name, kwargs)
    for step, (e, g) in enumerate(zip(expected, got, strict=True)):
        for k, (a, b) in enumerate(zip(e, g, strict=True)):
            assert b.dtype == a.dtype
            np.testing.assert_allclose(b, a, rtol=RTOL, atol=ATOL, err_msg=f"step {step} p{k}")


@pytest.mark.parametrize("case", [1, 5, 11, 19], ids=[CASE_IDS[i] for i in (1, 5, 11, 19)])
def test_matches_torch_float64(case):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    expected = trajectory(torch, name, kwargs, np.float64)
    got = trajectory(numtorch, name, kwargs, np.float64)
    for e, g in zip(expected, got, strict=True):
        for a, b in zip(e, g, strict=True):
            assert b.dtype == np.float64
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_sgd_is_bit_exact_with_torch():
    # no square roots: every op is correctly rounded (fused where PyTorch fuses)
    torch = pytest.importorskip("torch")
    for case in (1, 2):
        name, kwargs = CASES[case]
        expected, got = trajectory(torch, name, kwargs), trajectory(numtorch, name, kwargs)
        for e, g in zip(expected, got, strict=True):
            for a, b in zip(e, g, strict=True):
                assert np.array_equal(a, b)


def _golden_steps(case_id: str) -> list[int]:
    return list(range(STEPS)) if case_id in FULL_GOLDEN else [0, 4, STEPS - 1]


@pytest.mark.parametrize("case", range(len(CASES)), ids=CASE_IDS)
def test_matches_golden(case):
    golden = json.loads(GOLDEN_PATH.read_text())
    case_id = CASE_IDS[case]
    record = golden[case_id]
    name, kwargs = CASES[case]
    assert record["optimizer"] == name
    got = trajectory(numtorch, name, kwargs)
    for step in _golden_steps(case_id):
        for k, values in enumerate(record["steps"][str(step)]):
            expected = np.array(values, dtype=np.float32).reshape(SHAPES[k])
            np.testing.assert_allclose(got[step][k], expected, rtol=RTOL, atol=ATOL)


def regenerate_golden() -> None:
    import torch

    golden = {"_source": f"torch {torch.__version__} CPU, single-tensor path"}
    for case_id, (name, kwargs) in zip(CASE_IDS, CASES, strict=True):
        traj = trajectory(torch, name, kwargs)
        golden[case_id] = {
            "optimizer": name,
            "kwargs": repr(kwargs),
            "steps": {
                str(s): [a.reshape(-1).tolist() for a in traj[s]] for s in _golden_steps(case_id)
            },
        }
    GOLDEN_PATH.write_text(json.dumps(golden, indent=0) + "\n")


if __name__ == "__main__":
    if "--regenerate-golden" in sys.argv:
        regenerate_golden()
