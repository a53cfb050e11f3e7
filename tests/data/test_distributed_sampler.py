"""utils.data.DistributedSampler: PyTorch's indices for every (replicas, rank, shuffle, seed,
epoch, drop_last), its errors without a process group, and its use as a DataLoader sampler."""

from __future__ import annotations

import itertools

import pytest

import numtorch
from numtorch.utils.data import DataLoader, DistributedSampler, TensorDataset
from numtorch.utils.data.distributed import DistributedSampler as FromModule

NO_GROUP = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


def test_exported_at_torch_paths():
    assert FromModule is DistributedSampler
    assert numtorch.utils.data.DistributedSampler is DistributedSampler
    assert "DistributedSampler" in numtorch.utils.data.__all__
    assert issubclass(DistributedSampler, numtorch.utils.data.Sampler)


@pytest.mark.parametrize("kwargs", [{}, {"num_replicas": 2}, {"rank": 0}])
def test_without_process_group_raises_like_torch(kwargs):
    with pytest.raises(ValueError) as info:
        DistributedSampler(range(10), **kwargs)
    assert str(info.value) == NO_GROUP


@pytest.mark.parametrize("rank", [-1, 3, 4])
def test_invalid_rank(rank):
    with pytest.raises(ValueError) as info:
        DistributedSampler(range(10), num_replicas=3, rank=rank)
    assert str(info.value) == f"Invalid rank {rank}, rank should be in the interval [0, 2]"


def test_sequential_padding_and_drop_last():
    shards = [list(DistributedSampler(range(10), 4, r, shuffle=False)) for r in range(4)]
    # padded to 12 by repeating the head, then dealt round-robin
    assert shards == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]
    dropped = [DistributedSampler(range(10), 4, r, shuffle=False, drop_last=True) for r in range(4)]
    assert [list(s) for s in dropped] == [[0, 4], [1, 5], [2, 6], [3, 7]]
    assert [len(s) for s in dropped] == [2, 2, 2, 2]
    assert len(DistributedSampler(range(10), 4, 0)) == 3
    assert dropped[0].total_size == 8 and dropped[0].num_samples == 2


def test_padding_longer_than_the_dataset():
    shards = [list(DistributedSampler(range(2), 5, r, shuffle=False)) for r in range(5)]
    assert shards == [[0], [1], [0], [1], [0]]


def test_shuffle_is_torchs_permutation():
    # recorded from torch 2.13: randperm(10) under Generator().manual_seed(seed + epoch)
    expected = {
        0: [[4, 5, 0, 2], [1, 3, 8, 4], [7, 9, 6, 1]],
        1: [[5, 2, 9, 4], [6, 0, 3, 5], [1, 8, 7, 6]],
    }
    for epoch, shards in expected.items():
        got = []
        for rank in range(3):
            s = DistributedSampler(range(10), num_replicas=3, rank=rank, seed=0)
            s.set_epoch(epoch)
            got.append(list(s))
        assert got == shards
    assert list(DistributedSampler(range(11), 4, 3, seed=7, drop_last=True)) == [2, 10]


def test_same_epoch_same_order_and_global_state_untouched():
    s = DistributedSampler(range(20), num_replicas=2, rank=1, seed=5)
    numtorch.manual_seed(0)
    before = numtorch.rand(3)
    numtorch.manual_seed(0)
    first, second = list(s), list(s)
    assert first == second  # without set_epoch the shuffle repeats
    assert numtorch.equal(numtorch.rand(3), before)  # its own generator, not the global one
    s.set_epoch(1)
    assert list(s) != first
    assert s.epoch == 1


def test_shards_partition_the_dataset():
    for n, replicas in [(10, 3), (16, 4), (7, 7), (5, 2)]:
        shards = [list(DistributedSampler(range(n), replicas, r, seed=3)) for r in range(replicas)]
        flat = list(itertools.chain.from_iterable(shards))
        assert len(flat) == -(-n // replicas) * replicas
        assert set(flat) == set(range(n))


def test_as_dataloader_sampler():
    data = TensorDataset(numtorch.arange(12.0))
    sampler = DistributedSampler(data, num_replicas=3, rank=2, shuffle=False)
    loader = DataLoader(data, batch_size=2, sampler=sampler)
    batches = [b[0].tolist() for b in loader]
    assert batches == [[2.0, 5.0], [8.0, 11.0]]


def test_indices_match_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    for n, replicas, shuffle, drop_last, seed in itertools.product(
        [0, 1, 5, 10, 17, 64], [1, 3, 4], [True, False], [True, False], [0, 11]
    ):
        for rank in range(replicas):
            ours = DistributedSampler(range(n), replicas, rank, shuffle, seed, drop_last)
            theirs = TorchSampler(range(n), replicas, rank, shuffle, seed, drop_last)
            assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)
            for epoch in (0, 1, 7):
                ours.set_epoch(epoch)
                theirs.set_epoch(epoch)
                assert list(ours) == list(theirs), (n, replicas, rank, shuffle, drop_last, epoch)
                assert len(ours) == len(theirs)
    del torch


def test_errors_match_torch():
    pytest.importorskip("torch")
    import torch.distributed as dist
    from torch.utils.data import DistributedSampler as TorchSampler

    if dist.is_initialized():
        pytest.skip("a torch process group is initialized")
    for kwargs in ({}, {"num_replicas": 2}, {"rank": 1}, {"num_replicas": 2, "rank": 2}):
        with pytest.raises(Exception) as t_info:
            TorchSampler(range(4), **kwargs)
        with pytest.raises(Exception) as n_info:
            DistributedSampler(range(4), **kwargs)
        assert type(n_info.value) is type(t_info.value)
        assert str(n_info.value) == str(t_info.value)


def test_docstring_examples():
    import doctest

    import numtorch.utils.data.distributed as module

    result = doctest.testmod(module, extraglobs={"numtorch": numtorch})
    assert result.attempted > 0 and result.failed == 0
