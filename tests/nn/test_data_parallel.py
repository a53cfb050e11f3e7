"""nn.parallel: DataParallel runs its module (as PyTorch without GPUs), DistributedDataParallel
fails without a process group; against PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch import nn
from numtorch.nn.parallel import (
    DataParallel,
    DistributedDataParallel,
    DistributedDataParallelCPU,
    data_parallel,
)

_NO_GROUP = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


def test_data_parallel_runs_the_module():
    numtorch.manual_seed(0)
    inner = nn.Linear(3, 2)
    dp = DataParallel(inner, device_ids=[0, 1], output_device=0, dim=1)
    assert dp.module is inner and dp.device_ids == []
    assert type(dp).__module__ == "numtorch.nn.parallel.data_parallel"
    assert list(dp.state_dict()) == ["module.weight", "module.bias"]
    assert repr(dp) == (
        "DataParallel(\n  (module): Linear(in_features=3, out_features=2, bias=True)\n)"
    )
    x = numtorch.randn(4, 3)
    out = dp(x)
    assert (out == inner(x)).all()
    out.sum().backward()
    assert inner.weight.grad is not None
    with pytest.raises(AttributeError):
        _ = dp.output_device
    with pytest.raises(RuntimeError, match="device type could not be determined"):
        data_parallel(inner, x)


def test_distributed_data_parallel_needs_a_group():
    assert DistributedDataParallel.__module__ == "numtorch.nn.parallel.distributed"
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="need to be set at the same time"):
        DistributedDataParallel(nn.Linear(2, 2), delay_all_reduce_named_params=[])
    with pytest.warns(FutureWarning, match="DistributedDataParallelCPU` is deprecated"):
        with pytest.raises(ValueError):
            DistributedDataParallelCPU(nn.Linear(2, 2))


def test_parallel_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = DataParallel(nn.Linear(3, 2)), torch.nn.DataParallel(torch.nn.Linear(3, 2))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.device_ids == theirs.device_ids
    assert type(ours).__qualname__ == type(theirs).__qualname__
    assert type(ours).__module__.replace("numtorch", "torch") == type(theirs).__module__
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    a, b = ours(numtorch.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError) as err:
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2))
    assert str(err.value) == _NO_GROUP
    assert (
        DistributedDataParallel.__module__.replace("numtorch", "torch")
        == torch.nn.parallel.DistributedDataParallel.__module__
    )
