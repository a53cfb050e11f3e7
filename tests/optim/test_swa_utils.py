"""optim.swa_utils: AveragedModel (SWA, EMA, buffers), update_bn and SWALR, against PyTorch
when installed."""

from __future__ import annotations

import pytest

import numtorch
from numtorch.optim import swa_utils


def _flat(ts):
    return [v for t in ts for v in t.detach().numpy().ravel().tolist()]


def test_swa_is_the_running_mean():
    model = numtorch.nn.Linear(2, 1)
    swa = swa_utils.AveragedModel(model)
    values = [1.0, 2.0, 6.0]
    for v in values:
        with numtorch.no_grad():
            model.weight.fill_(v)
        swa.update_parameters(model)
    assert swa.module.weight.tolist() == [[3.0, 3.0]]
    assert swa.n_averaged.item() == 3 and swa.n_averaged.dtype == numtorch.long
    assert list(swa.state_dict()) == ["n_averaged", "module.weight", "module.bias"]
    assert swa(numtorch.ones(1, 2)).shape == (1, 1)


def test_ema_and_buffers():
    model = numtorch.nn.BatchNorm1d(1)
    ema = swa_utils.AveragedModel(
        model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.5), use_buffers=True
    )
    ema.update_parameters(model)
    with numtorch.no_grad():
        model.weight.fill_(3.0)
        model.running_mean.fill_(2.0)
    ema.update_parameters(model)
    assert ema.module.weight.tolist() == [2.0]
    assert ema.module.running_mean.tolist() == [1.0]
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(
            model, avg_fn=swa_utils.get_swa_avg_fn(), multi_avg_fn=swa_utils.get_swa_multi_avg_fn()
        )
    with pytest.raises(ValueError, match=r"Invalid decay value 2 provided"):
        swa_utils.get_ema_avg_fn(2)


def test_avg_fn_path_and_buffer_copy():
    model = numtorch.nn.BatchNorm1d(2)
    avg = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.0))
    avg.update_parameters(model)
    with numtorch.no_grad():
        model.bias.fill_(5.0)
        model.running_var.fill_(7.0)
    avg.update_parameters(model)
    assert avg.module.bias.tolist() == [5.0, 5.0]
    assert avg.module.running_var.tolist() == [7.0, 7.0]


def test_update_bn_cumulative_average():
    model = numtorch.nn.Sequential(numtorch.nn.Linear(1, 1), numtorch.nn.BatchNorm1d(1)).eval()
    with numtorch.no_grad():
        model[0].weight.fill_(1.0)
        model[0].bias.fill_(0.0)
    loader = [(numtorch.tensor([[0.0], [2.0]]), 0), [numtorch.tensor([[4.0], [6.0]])]]
    swa_utils.update_bn(loader, model)
    assert model[1].running_mean.tolist() == [3.0]
    assert model[1].momentum == 0.1 and not model.training


def test_swalr_validation():
    opt = numtorch.optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)


def _train_swa(lib, avg_kind):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 1))
    kwargs = {
        "swa": {},
        "ema": {"multi_avg_fn": lib.optim.swa_utils.get_ema_multi_avg_fn(0.9)},
        "ema_fn": {"avg_fn": lib.optim.swa_utils.get_ema_avg_fn(0.8)},
        "swa_multi": {"multi_avg_fn": lib.optim.swa_utils.get_swa_multi_avg_fn()},
        "buffers": {"use_buffers": True},
    }[avg_kind]
    avg = lib.optim.swa_utils.AveragedModel(model, **kwargs)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.05], anneal_epochs=3)
    lrs = []
    data = [lib.randn(8, 3) for _ in range(5)]
    for x in data:
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()
        avg.update_parameters(model)
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    lib.optim.swa_utils.update_bn(data, avg)
    avg.eval()
    y = avg(data[0])
    return repr(avg), list(avg.state_dict()), lrs, [*avg.state_dict().values(), y], sched


@pytest.mark.parametrize("kind", ["swa", "ema", "ema_fn", "swa_multi", "buffers"])
def test_matches_torch(kind):
    torch = pytest.importorskip("torch")
    nr, nk, nl, nv, nsched = _train_swa(numtorch, kind)
    tr, tk, tl, tv, tsched = _train_swa(torch, kind)
    assert nr == tr and nk == tk
    assert nl == pytest.approx(tl, rel=1e-12)
    assert _flat(nv) == pytest.approx(_flat(tv), abs=1e-5)
    nsd, tsd = nsched.state_dict(), tsched.state_dict()
    assert sorted(nsd) == sorted(tsd) and nsd["_anneal_strategy"] == tsd["_anneal_strategy"]


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_matches_torch(strategy, anneal_epochs):
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        p = lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.zeros(1)], "lr": 0.3}], lr=1.0)
        sched = lib.optim.swa_utils.SWALR(
            opt, swa_lr=0.05, anneal_epochs=anneal_epochs, anneal_strategy=strategy
        )
        lrs = [sched.get_last_lr()]
        for _ in range(6):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        state = sched.state_dict()
        sched2 = lib.optim.swa_utils.SWALR(opt, swa_lr=0.1)
        sched2.load_state_dict(state)
        out.append((lrs, sched2.anneal_func(0.5), sorted(state)))
    assert out[0] == out[1]


def test_swa_utils_attribute_of_optim():
    assert numtorch.optim.swa_utils is swa_utils
