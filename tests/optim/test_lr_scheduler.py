"""Learning-rate schedulers: LR sequences against PyTorch (exact: the same float recurrences),
torch-free spot values, the step-order warning and state dicts."""

from __future__ import annotations

import math

import pytest

import numtorch
import numtorch.optim
from numtorch.optim import lr_scheduler

STEPS = 30

SCHEDULERS = [
    ("StepLR", lambda L, o: L.StepLR(o, step_size=7, gamma=0.5)),
    ("MultiStepLR", lambda L, o: L.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3)),
    ("ExponentialLR", lambda L, o: L.ExponentialLR(o, gamma=0.93)),
    ("CosineAnnealingLR", lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    (
        "CosineAnnealingWarmRestarts",
        lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01),
    ),
    ("OneCycleLR", lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS + 1)),
    (
        "OneCycleLR-linear-3phase",
        lambda L, o: L.OneCycleLR(
            o, max_lr=0.8, epochs=4, steps_per_epoch=8, anneal_strategy="linear", three_phase=True
        ),
    ),
    ("LinearLR", lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=6)),
    ("LambdaLR", lambda L, o: L.LambdaLR(o, lr_lambda=[lambda e: 0.95**e, lambda e: 1 / (1 + e)])),
    ("ConstantLR", lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=4)),
    ("PolynomialLR", lambda L, o: L.PolynomialLR(o, total_iters=12, power=2.0)),
    ("MultiplicativeLR", lambda L, o: L.MultiplicativeLR(o, lr_lambda=lambda e: 0.9)),
    (
        "CyclicLR",
        lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4, mode="triangular2"),
    ),
    (
        "SequentialLR",
        lambda L, o: L.SequentialLR(
            o,
            [L.LinearLR(o, start_factor=0.1, total_iters=5), L.CosineAnnealingLR(o, T_max=12)],
            milestones=[5],
        ),
    ),
]
IDS = [name for name, _ in SCHEDULERS]


def _optimizer(lib):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    return lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1, momentum=0.9)


def _lr_sequence(lib, make):
    opt = _optimizer(lib)
    sched = make(lib.optim.lr_scheduler, opt)
    seq = [
        (sched.get_last_lr(), [g["lr"] for g in opt.param_groups], opt.param_groups[0]["momentum"])
    ]
    for _ in range(STEPS):
        opt.step()
        sched.step()
        seq.append(
            (
                sched.get_last_lr(),
                [g["lr"] for g in opt.param_groups],
                opt.param_groups[0]["momentum"],
            )
        )
    return seq


@pytest.mark.parametrize("index", range(len(SCHEDULERS)), ids=IDS)
def test_lr_sequence_matches_torch_exactly(index):
    torch = pytest.importorskip("torch")
    make = SCHEDULERS[index][1]
    assert _lr_sequence(numtorch, make) == _lr_sequence(torch, make)


def test_reduce_lr_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.89, 0.9, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6]
    out = []
    for lib in (torch, numtorch):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode="min", factor=0.5, patience=2, cooldown=1, min_lr=[0.01, 0.02]
        )
        lrs = []
        for m in metrics:
            opt.step()
            sched.step(m)
            lrs.append((sched.get_last_lr(), sched.num_bad_epochs, sched.best))
        out.append(lrs)
    assert out[0] == out[1]


def test_torch_free_values():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    lrs = []
    for _ in range(4):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    expected = [0.1 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(1, 5)]
    assert lrs == pytest.approx(expected, abs=1e-15)

    opt = _optimizer(numtorch)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    lrs = []
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    assert lrs[1] == pytest.approx([0.01, 0.005]) and lrs[3] == pytest.approx([0.001, 0.0005])


def test_warns_when_scheduler_steps_before_optimizer():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(
        UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"
    ):
        sched.step()


def test_no_warning_in_the_right_order():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()  # pytest turns any warning into an error
    assert sched.last_epoch == 1
    assert sched.get_last_lr() == [0.05, 0.025]
    assert opt.param_groups[0]["initial_lr"] == 0.1


def test_overridden_step_warns():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.StepLR(opt, step_size=1)
    opt.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        sched.step()


def test_get_lr_outside_step_warns():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_epoch_argument_uses_closed_form_and_warns():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(5)
    assert sched.get_last_lr() == [0.1 * 0.25, 0.05 * 0.25]


def test_state_dict_round_trip():
    opt = _optimizer(numtorch)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 3
    opt2 = _optimizer(numtorch)
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.MultiStepLR(opt2, milestones=[9], gamma=0.1, last_epoch=-1)
    sched2.load_state_dict(sd)
    for _ in range(3):
        opt.step()
        sched.step()
        opt2.step()
        sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_resuming_needs_initial_lr():
    opt = _optimizer(numtorch)
    with pytest.raises(
        KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"
    ):
        lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)


def test_not_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=1)
