"""numtorch.utils.data: batching, collation, shuffling, drop_last, samplers and random_split,
against PyTorch and against torch-free recorded values (torch 2.13)."""

from __future__ import annotations

import collections
import importlib

import numpy as np
import pytest

import numtorch
import numtorch.utils.data as data
from numtorch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)

Point = collections.namedtuple("Point", "x y")


def _plain(obj):
    """Batches as plain Python (tensors -> (dtype name, nested lists)) for comparing libraries."""
    if hasattr(obj, "tolist") and hasattr(obj, "dtype") and not isinstance(obj, np.ndarray):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, *(_plain(v) for v in obj))
    if isinstance(obj, list | tuple):
        return type(obj)(_plain(v) for v in obj)
    return obj


def _scenarios(lib):
    """The same DataLoader uses, written against ``lib`` (torch or numtorch)."""
    D = importlib.import_module(lib.__name__ + ".utils.data")
    out = {}
    lib.manual_seed(0)
    out["shuffle"] = list(D.DataLoader(range(10), batch_size=3, shuffle=True))
    out["shuffle_epoch2"] = list(D.DataLoader(range(10), batch_size=3, shuffle=True))
    out["drop_last"] = list(D.DataLoader(range(10), batch_size=3, shuffle=True, drop_last=True))
    g = lib.Generator().manual_seed(5)
    loader = D.DataLoader(range(7), batch_size=2, shuffle=True, generator=g)
    out["generator"] = [list(loader), list(loader)]
    x = lib.arange(12.0).reshape(6, 2)
    y = lib.arange(6)
    out["tensor_dataset"] = list(D.DataLoader(D.TensorDataset(x, y), batch_size=4, shuffle=True))
    samples = [
        {
            "a": np.array([i, i + 1.0]),
            "b": (i, float(i), f"s{i}"),
            "p": Point(i, lib.tensor([i, -i])),
            "n": np.int32(i),
            "l": [i, True],
        }
        for i in range(5)
    ]
    out["collate"] = list(D.DataLoader(samples, batch_size=2))
    out["no_batch"] = list(D.DataLoader([np.array([1, 2]), (3, np.float64(4.5))], batch_size=None))
    out["weighted"] = list(D.WeightedRandomSampler([0.1, 0.9, 0.5, 0.0], 12))
    out["weighted_noreplace"] = list(
        D.WeightedRandomSampler([0.1, 0.9, 0.5, 0.2], 3, replacement=False)
    )
    out["replacement"] = list(D.RandomSampler(range(5), replacement=True, num_samples=40))
    out["num_samples"] = list(D.RandomSampler(range(4), num_samples=10))
    out["subset_random"] = list(D.SubsetRandomSampler([10, 20, 30, 40]))
    a, b = D.random_split(range(10), [0.7, 0.3], generator=lib.Generator().manual_seed(42))
    out["split_fraction"] = [list(a), list(b)]
    out["split_default_gen"] = [list(s) for s in D.random_split(range(10), [3, 3, 4])]
    out["split_uneven"] = [list(s) for s in D.random_split(range(11), [0.5, 0.5])]
    out["batch_sampler"] = list(
        D.DataLoader(
            range(10), batch_sampler=D.BatchSampler(D.SequentialSampler(range(10)), 4, True)
        )
    )
    return _plain(out)


def test_dataloader_matches_torch():
    torch = pytest.importorskip("torch")
    expected = _scenarios(torch)
    got = _scenarios(numtorch)
    for key in expected:
        assert got[key] == expected[key], key


def test_shuffle_order_torch_free():
    # recorded from torch 2.13: torch.manual_seed(0); list(DataLoader(range(10), 3, shuffle=True))
    numtorch.manual_seed(0)
    batches = [b.tolist() for b in DataLoader(range(10), batch_size=3, shuffle=True)]
    assert batches == [[6, 7, 1], [4, 2, 0], [9, 8, 3], [5]]
    batches = [
        b.tolist() for b in DataLoader(range(10), batch_size=3, shuffle=True, drop_last=True)
    ]
    assert batches == [[2, 4, 7], [0, 8, 9], [5, 3, 6]]


def test_random_split_torch_free():
    a, b = random_split(range(10), [0.7, 0.3], generator=numtorch.Generator().manual_seed(42))
    assert (list(a), list(b)) == ([2, 6, 1, 8, 4, 5, 0], [9, 3, 7])
    numtorch.manual_seed(0)
    parts = [list(s) for s in random_split(range(10), [3, 3, 4])]
    assert sorted(sum(parts, [])) == list(range(10))
    assert [len(p) for p in parts] == [3, 3, 4]


def test_random_split_errors_and_warning():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(5), [1.5, -0.5])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


def test_default_collate_types():
    batch = default_collate([numtorch.tensor([1.0, 2.0]), numtorch.tensor([3.0, 4.0])])
    assert batch.shape == (2, 2) and batch.dtype is numtorch.float32
    assert default_collate([1.5, 2.0]).dtype is numtorch.float64
    assert default_collate([1, 2]).dtype is numtorch.int64
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([np.float32(1.0), np.float32(2.0)]).dtype is numtorch.float32
    out = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(out, Point) and out.x.tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])


def test_len_and_drop_last():
    assert len(DataLoader(range(10), batch_size=3)) == 4
    assert len(DataLoader(range(10), batch_size=3, drop_last=True)) == 3
    assert len(DataLoader(range(10), batch_size=None)) == 10
    assert [b.tolist() for b in DataLoader(range(5), batch_size=2, drop_last=True)] == [
        [0, 1],
        [2, 3],
    ]
    assert len(BatchSampler(range(10), 4, False)) == 3


def test_argument_errors():
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(range(3), shuffle=True, sampler=SequentialSampler(range(3)))
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(range(3), batch_size=2, batch_sampler=[[0, 1]])
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(range(3), batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(range(3), num_workers=-1)
    loader = DataLoader(range(3))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader"):
        loader.batch_size = 5


def test_pin_memory_warns_without_accelerator():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator"):
        list(DataLoader(range(2), pin_memory=True))


class _Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(_Stream(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(_Stream(7), batch_size=3, drop_last=True)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]
    assert len(DataLoader(_Stream(7), batch_size=3)) == 3
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(_Stream(3), shuffle=True)
    chained = _Stream(2) + _Stream(3)
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


def test_datasets():
    x, y = numtorch.arange(6.0).reshape(3, 2), numtorch.tensor([7, 8, 9])
    ds = TensorDataset(x, y)
    assert len(ds) == 3 and ds[1][0].tolist() == [2.0, 3.0] and ds[1][1].item() == 8
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, numtorch.zeros(2))
    cat = ConcatDataset([range(3), range(10, 12)])
    assert len(cat) == 5 and cat[3] == 10 and cat[-1] == 11
    sub = Subset(range(10, 20), [5, 0, 2])
    assert len(sub) == 3 and list(sub) == [15, 10, 12] and sub.__getitems__([0, 2]) == [15, 12]

    class Squares(Dataset):
        def __getitem__(self, i):
            return i * i

        def __len__(self):
            return 4

    assert list(Squares() + Squares()) == [0, 1, 4, 9, 0, 1, 4, 9]
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]
    stacked = data.StackDataset(range(3), range(3, 6))
    assert stacked[1] == (1, 4)


def test_samplers_with_generators_are_reproducible():
    g1 = numtorch.Generator().manual_seed(3)
    g2 = numtorch.Generator().manual_seed(3)
    assert list(RandomSampler(range(20), generator=g1)) == list(
        RandomSampler(range(20), generator=g2)
    )
    assert sorted(SubsetRandomSampler([1, 5, 9], generator=g1)) == [1, 5, 9]
    assert len(WeightedRandomSampler([1.0, 2.0], 5)) == 5
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 5)


def test_module_docstrings():
    import doctest

    from numtorch.utils.data import _utils, dataloader, dataset, sampler

    for module in (sampler, dataset, dataloader, _utils.collate):
        result = doctest.testmod(module, extraglobs={"numtorch": numtorch})
        assert result.attempted > 0 and result.failed == 0, module.__name__
