"""nn.AdaptiveLogSoftmaxWithLoss and nn.SyncBatchNorm, against PyTorch where it is installed.

The classes are imported from their module files (numtorch.nn exports them once wired).
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.nn.modules._sync_batchnorm import SyncBatchNorm
from numtorch.nn.modules.adaptive import AdaptiveLogSoftmaxWithLoss


def test_adaptive_shapes_and_errors():
    asm = AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4, 7], div_value=2.0)
    assert [tuple(p.shape) for p in asm.parameters()] == [(6, 8), (4, 8), (3, 4), (2, 8), (3, 2)]
    x = numtorch.randn(5, 8)
    out = asm(x, numtorch.tensor([0, 3, 4, 7, 9]))
    assert out.output.shape == (5,) and out.loss.shape == ()
    lp = asm.log_prob(x)
    assert lp.shape == (5, 10)
    np.testing.assert_allclose(lp.exp().sum(1).detach().numpy(), 1.0, rtol=1e-5)
    assert asm.predict(x).tolist() == lp.argmax(1).tolist()
    single = asm(x[0], numtorch.tensor(3))
    assert single.output.shape == ()
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique"):
        AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4, 4])
    with pytest.raises(RuntimeError, match="Target values should be in"):
        asm(x, numtorch.tensor([0, 1, 2, 3, 10]))


def test_adaptive_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    numtorch.manual_seed(0)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10, 15], div_value=2.0, head_bias=True)
    ours = AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10, 15], div_value=2.0, head_bias=True)
    t_sd, n_sd = theirs.state_dict(), ours.state_dict()
    assert list(t_sd) == list(n_sd)
    for k in t_sd:  # same seed, same initialisation
        np.testing.assert_allclose(n_sd[k].numpy(), t_sd[k].numpy(), rtol=1e-6)
    x = np.random.default_rng(0).standard_normal((7, 16)).astype(np.float32)
    y = np.array([0, 4, 5, 9, 10, 19, 12])
    tx, nx = torch.tensor(x, requires_grad=True), numtorch.tensor(x, requires_grad=True)
    to, no = theirs(tx, torch.tensor(y)), ours(nx, numtorch.tensor(y))
    np.testing.assert_allclose(no.output.detach().numpy(), to.output.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(no.loss.item(), to.loss.item(), rtol=1e-5)
    to.loss.backward()
    no.loss.backward()
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), atol=1e-5)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-5, err_msg=name)
    np.testing.assert_allclose(
        ours.log_prob(nx).detach().numpy(), theirs.log_prob(tx).detach().numpy(), atol=1e-5
    )
    assert ours.predict(nx).tolist() == theirs.predict(tx).tolist()


def test_sync_batchnorm_forward():
    bn = SyncBatchNorm(3)
    x = numtorch.randn(4, 3, 5)
    ref = numtorch.nn.BatchNorm1d(3)
    np.testing.assert_allclose(bn(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), ref.running_var.numpy(), rtol=1e-6)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    ref.eval()
    np.testing.assert_allclose(bn(x).detach().numpy(), ref(x).detach().numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        bn(numtorch.ones(3))
    with pytest.raises(ValueError, match="input channels should be non-zero"):
        SyncBatchNorm(0)(numtorch.ones(2, 0))


def test_convert_sync_batchnorm():
    nn = numtorch.nn
    inner = nn.BatchNorm1d(4, affine=False)
    net = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3), nn.Sequential(inner))
    net[1].eval()
    bn2 = net[1]
    out = SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net
    assert type(net[1]) is SyncBatchNorm and type(net[2][0]) is SyncBatchNorm
    assert net[1].weight is bn2.weight and net[1].running_mean is bn2.running_mean
    assert net[1].training is False and net[2][0].weight is None
    assert net[2][0].running_var is inner.running_var
    assert type(SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm3d(2))) is SyncBatchNorm


def test_sync_batchnorm_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((4, 3, 2, 2)).astype(np.float32)
    theirs, ours = torch.nn.SyncBatchNorm(3, momentum=None), SyncBatchNorm(3, momentum=None)
    for _ in range(2):
        t_out, n_out = theirs(torch.tensor(x)), ours(numtorch.tensor(x))
        np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)
    assert repr(ours) == repr(theirs)
    t_net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.BatchNorm2d(3), torch.nn.BatchNorm1d(2, affine=False))
    )
    n_net = SyncBatchNorm.convert_sync_batchnorm(
        numtorch.nn.Sequential(numtorch.nn.BatchNorm2d(3), numtorch.nn.BatchNorm1d(2, affine=False))
    )
    assert repr(n_net) == repr(t_net)
    assert list(n_net.state_dict()) == list(t_net.state_dict())
