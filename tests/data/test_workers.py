"""DataLoader with num_workers > 0: workers emulated in the main process, as PyTorch's workers."""

from __future__ import annotations

import multiprocessing
import random
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info
from numtorch.utils.data._utils.worker import WorkerInfo, _generate_state


def _plain(value):
    """Batches as plain Python values, so numtorch's and torch's compare with ==."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _both(scenario):
    """The scenario's result under numtorch and under torch (skipped without torch)."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        # torch warns when there are more workers than CPUs; numtorch starts no processes.
        warnings.filterwarnings("ignore", "This DataLoader will create")
        theirs = scenario(torch)
    return scenario(numtorch), theirs


# -- datasets, written against whichever module (numtorch or torch) is passed in ----------------


class RandomItems:
    """A map-style dataset whose items draw from torch's, random's and NumPy's global RNGs."""

    def __init__(self, T, n):
        self.T = T
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = self.T.utils.data.get_worker_info()
        return {
            "i": i,
            "worker": -1 if info is None else info.id,
            "torch": self.T.rand(2),
            "random": random.random(),
            "numpy": float(np.random.rand()),
        }


def _ranges(T, n, shard):
    class Ranges(T.utils.data.IterableDataset):
        def __init__(self):
            self.epochs = 0

        def __iter__(self):
            self.epochs += 1
            info = T.utils.data.get_worker_info()
            if not shard or info is None:
                start, stop, step = 0, n, 1
            else:
                start, stop, step = info.id, n, info.num_workers
            tag = -1 if info is None else info.id
            return iter([(i, tag, self.epochs) for i in range(start, stop, step)])

    return Ranges()


# -- comparisons with torch ---------------------------------------------------------------------


@pytest.mark.parametrize("num_workers", [1, 2, 3])
@pytest.mark.parametrize("in_order", [True, False])
def test_map_style_batches_order_and_randomness_match_torch(num_workers, in_order):
    def scenario(T):
        T.manual_seed(0)
        random.seed(1)
        np.random.seed(2)
        g = T.Generator().manual_seed(5)
        loader = T.utils.data.DataLoader(
            RandomItems(T, 11),
            batch_size=3,
            shuffle=True,
            generator=g,
            num_workers=num_workers,
            in_order=in_order,
        )
        epochs = [_plain(list(loader)) for _ in range(2)]
        if not in_order:
            # PyTorch then yields batches as workers finish them, an order that depends on
            # timing; which worker computes which batch (and so its random numbers) does not.
            epochs = [sorted(epoch, key=lambda batch: batch["i"]) for epoch in epochs]
        # The main process's streams: only the base-seed draws touched torch's.
        after = (T.rand(3).tolist(), random.random(), float(np.random.rand()))
        return epochs, after

    ours, theirs = _both(scenario)
    assert ours == theirs


@pytest.mark.parametrize("batch_size", [None, 1, 4])
def test_worker_info_seeds_and_main_rng_match_torch(batch_size):
    def scenario(T):
        def collate(batch):
            info = T.utils.data.get_worker_info()
            return [info.id, info.num_workers, info.seed, T.initial_seed(), batch]

        T.manual_seed(123)
        loader = T.utils.data.DataLoader(
            list(range(10)), batch_size=batch_size, num_workers=3, collate_fn=collate
        )
        batches = _plain(list(loader))
        return batches, T.rand(4).tolist(), T.utils.data.get_worker_info()

    ours, theirs = _both(scenario)
    assert ours == theirs
    assert ours[2] is None


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("shard", [False, True])
@pytest.mark.parametrize("num_workers", [2, 3])
def test_iterable_dataset_interleaving_matches_torch(drop_last, shard, num_workers):
    def scenario(T):
        T.manual_seed(0)
        loader = T.utils.data.DataLoader(
            _ranges(T, 11, shard), batch_size=2, num_workers=num_workers, drop_last=drop_last
        )
        return _plain(list(loader)), T.rand(2).tolist()

    ours, theirs = _both(scenario)
    assert ours == theirs
    if not shard:  # every worker's copy yields everything
        assert sum(len(batch[0]) for batch in ours[0]) == num_workers * (10 if drop_last else 11)


def test_iterable_dataset_uneven_workers_match_torch():
    def scenario(T):
        class Uneven(T.utils.data.IterableDataset):
            def __iter__(self):
                info = T.utils.data.get_worker_info()
                return iter([(info.id, k) for k in range([7, 1, 0, 3][info.id])])

        return [
            _plain(list(T.utils.data.DataLoader(Uneven(), batch_size=None, num_workers=4, **kw)))
            for kw in ({}, {"prefetch_factor": 1}, {"prefetch_factor": 3})
        ]

    ours, theirs = _both(scenario)
    assert ours == theirs


def test_iterable_dataset_length_warning_matches_torch():
    def scenario(T):
        class Sized(T.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(4))

            def __len__(self):
                return 2  # each worker's copy yields all 4 items: 4 batches, not 1

            def __repr__(self):
                return "Sized()"

        loader = T.utils.data.DataLoader(Sized(), batch_size=2, num_workers=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert len(loader) == 1
            batches = _plain(list(loader))
        return batches, [str(w.message) for w in caught]

    ours, theirs = _both(scenario)
    assert ours == theirs
    assert len(ours[1]) == 2 and "replica at each worker" in ours[1][0]


@pytest.mark.parametrize("persistent", [False, True])
def test_persistent_workers_across_epochs_match_torch(persistent):
    def scenario(T):
        def init_fn(worker_id):
            dataset = T.utils.data.get_worker_info().dataset
            dataset.inits = getattr(dataset, "inits", 0) + 1

        class Counting(T.utils.data.IterableDataset):
            def __iter__(self):
                info = T.utils.data.get_worker_info()
                self.epochs = getattr(self, "epochs", 0) + 1
                for k in range(info.id, 6, info.num_workers):
                    yield [k, info.id, self.inits, self.epochs, T.rand(1).item(), random.random()]

        T.manual_seed(7)
        loader = T.utils.data.DataLoader(
            Counting(),
            batch_size=2,
            num_workers=2,
            persistent_workers=persistent,
            worker_init_fn=init_fn,
        )
        epochs = [_plain(list(loader)) for _ in range(3)]
        return epochs, T.rand(2).tolist()

    ours, theirs = _both(scenario)
    assert ours == theirs


def test_persistent_workers_after_early_break_match_torch():
    def scenario(T):
        T.manual_seed(3)
        loader = T.utils.data.DataLoader(
            RandomItems(T, 12), batch_size=2, shuffle=True, num_workers=2, persistent_workers=True
        )
        out = []
        for epoch in range(3):
            for k, batch in enumerate(loader):
                out.append(_plain(batch))
                if epoch == 0 and k == 1:
                    break  # workers still hold prefetched tasks; they run them before resuming
        return out, T.rand(2).tolist()

    ours, theirs = _both(scenario)
    assert ours == theirs


def test_dataset_generator_is_copied_per_worker_as_in_torch():
    def scenario(T):
        class OwnGenerator(T.utils.data.Dataset):
            def __init__(self):
                self.g = T.Generator().manual_seed(0)

            def __len__(self):
                return 4

            def __getitem__(self, i):
                return T.rand(1, generator=self.g).item()

        dataset = OwnGenerator()
        batches = list(T.utils.data.DataLoader(dataset, batch_size=None, num_workers=2))
        return batches, T.rand(1, generator=dataset.g).item()  # the main copy is untouched

    ours, theirs = _both(scenario)
    assert ours == theirs
    assert ours[0][0] == ours[0][1]  # both workers' copies start from the same state


def test_worker_exception_matches_torch():
    def scenario(T):
        class Failing(T.utils.data.Dataset):
            def __len__(self):
                return 6

            def __getitem__(self, i):
                if i == 3:
                    raise ValueError("bad item 3")
                return i

        it = iter(T.utils.data.DataLoader(Failing(), batch_size=2, num_workers=2))
        first = _plain(next(it))
        with pytest.raises(ValueError, match="bad item 3"):
            next(it)
        return first, _plain(list(it))

    ours, theirs = _both(scenario)
    assert ours == theirs


def test_pin_memory_and_timeout_match_torch():
    def scenario(T):
        loader = T.utils.data.DataLoader(range(4), num_workers=2, pin_memory=True, timeout=5.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            batches = _plain(list(loader))
        return batches, [str(w.message) for w in caught]

    ours, theirs = _both(scenario)
    assert ours == theirs


def test_generate_state_matches_torch():
    pytest.importorskip("torch")
    from torch.utils.data._utils.worker import _generate_state as torch_generate_state

    for base_seed, worker_id in [(0, 0), (2**63 - 1, 7), (123456789012345, 3)]:
        assert _generate_state(base_seed, worker_id) == torch_generate_state(base_seed, worker_id)


# -- without torch ------------------------------------------------------------------------------


def test_generate_state_known_values():
    assert _generate_state(0, 0) == [2968811710, 3677149159, 745650761, 2884920346]
    assert _generate_state(123456789012345, 3) == [3999280408, 2418223825, 1775828080, 3641838301]


def test_get_worker_info_inside_and_outside_workers():
    seen = []

    class Recording(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            seen.append(get_worker_info())
            return i

    dataset = Recording()
    numtorch.manual_seed(0)
    base = numtorch.empty((), dtype=numtorch.int64).random_().item()
    numtorch.manual_seed(0)
    assert _plain(list(DataLoader(dataset, batch_size=2, num_workers=2))) == [[0, 1], [2, 3]]
    assert get_worker_info() is None
    assert [info.id for info in seen] == [0, 0, 1, 1]
    assert {info.seed for info in seen} == {base, base + 1}
    assert all(isinstance(info, WorkerInfo) and info.num_workers == 2 for info in seen)
    assert all(info.dataset is not dataset for info in seen)  # each worker has its own copy
    assert all(info.worker_method == "multiprocessing" and info.rng is None for info in seen)


def test_worker_init_fn_runs_once_per_worker_per_iterator():
    calls = []

    def init_fn(worker_id):
        calls.append((worker_id, get_worker_info().id))

    loader = DataLoader(range(6), batch_size=2, num_workers=3, worker_init_fn=init_fn)
    for _ in range(2):
        list(loader)
    assert calls == [(0, 0), (1, 1), (2, 2)] * 2

    calls.clear()
    loader = DataLoader(
        range(6), batch_size=2, num_workers=3, worker_init_fn=init_fn, persistent_workers=True
    )
    for _ in range(3):
        assert _plain(list(loader)) == [[0, 1], [2, 3], [4, 5]]
    assert calls == [(0, 0), (1, 1), (2, 2)]


def test_worker_init_fn_error_is_raised_for_the_workers_first_batch():
    def init_fn(worker_id):
        if worker_id == 1:
            raise RuntimeError("worker 1 cannot start")

    it = iter(DataLoader(range(6), batch_size=2, num_workers=2, worker_init_fn=init_fn))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(RuntimeError, match="worker 1 cannot start"):
        next(it)
    assert next(it).tolist() == [4, 5]


def test_main_process_rng_untouched_except_the_base_seed():
    def draws():
        return numtorch.rand(3).tolist(), random.random(), float(np.random.rand())

    def run(num_workers):
        numtorch.manual_seed(11)
        random.seed(12)
        np.random.seed(13)
        loader = DataLoader(
            RandomItems(numtorch, 5), batch_size=2, shuffle=True, num_workers=num_workers
        )
        batches = _plain(list(loader))
        return batches, draws()

    _, with_workers = run(2)
    numtorch.manual_seed(11)
    random.seed(12)
    np.random.seed(13)
    # Workers draw from their own states; the main process drew only the base seed and the
    # sampler's permutation, as an iterator without workers whose items draw nothing.
    list(DataLoader(range(5), batch_size=2, shuffle=True))
    assert with_workers == draws()


def test_workers_reseed_from_their_seed():
    class Items(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = get_worker_info()
            return info.seed, numtorch.rand(1).item(), random.random(), float(np.random.rand())

    results = list(DataLoader(Items(), batch_size=None, num_workers=2))
    base = min(seed for seed, *_ in results)
    for k, (seed, value, py_value, np_value) in enumerate(results[:2]):
        # Each worker's first draws come from states freshly seeded as PyTorch seeds them.
        assert seed == base + k
        generator = numtorch.Generator().manual_seed(seed)
        assert value == numtorch.rand(1, generator=generator).item()
        assert py_value == random.Random(seed).random()
        assert np_value == np.random.RandomState(_generate_state(base, k)).rand()


def test_worker_dataset_copies_share_arrays():
    class Holder(Dataset):
        def __init__(self):
            self.array = np.arange(4)
            self.tensor = numtorch.arange(4)
            self.names = ["a", "b", "c", "d"]

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return i

    dataset = Holder()
    copies = []

    def init_fn(worker_id):
        copy = get_worker_info().dataset
        copy.names.append(worker_id)  # a worker's own list, as in a worker process
        copies.append(copy)

    list(DataLoader(dataset, num_workers=2, worker_init_fn=init_fn))
    assert dataset.names == ["a", "b", "c", "d"]
    assert [c.names[-1] for c in copies] == [0, 1]
    assert all(c.array is dataset.array and c.tensor is dataset.tensor for c in copies)


def test_iterable_dataset_without_sharding_duplicates():
    class Three(IterableDataset):
        def __iter__(self):
            return iter([10, 20, 30])

    assert _plain(list(DataLoader(Three(), batch_size=2, num_workers=2))) == [
        [10, 20],
        [10, 20],
        [30],
        [30],
    ]
    assert _plain(list(DataLoader(Three(), batch_size=2, num_workers=2, drop_last=True))) == [
        [10, 20],
        [10, 20],
    ]


def test_argument_validation():
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(range(3), num_workers=-1)
    with pytest.raises(ValueError, match="timeout option should be non-negative"):
        DataLoader(range(3), num_workers=2, timeout=-1)
    with pytest.raises(ValueError, match="prefetch_factor option should be non-negative"):
        DataLoader(range(3), num_workers=2, prefetch_factor=-1)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(range(3), prefetch_factor=2)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(range(3), persistent_workers=True)
    with pytest.raises(AssertionError, match="prefetch_factor must be greater than 0"):
        iter(DataLoader(range(3), num_workers=2, prefetch_factor=0))
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(DataLoader(range(3), timeout=1))
    with pytest.raises(ValueError, match="can only be used with multi-process loading"):
        DataLoader(range(3), multiprocessing_context="spawn")
    with pytest.raises(ValueError, match="should specify a valid start method"):
        DataLoader(range(3), num_workers=2, multiprocessing_context="bogus")
    with pytest.raises(TypeError, match="should be a valid context object"):
        DataLoader(range(3), num_workers=2, multiprocessing_context=5)
    loader = DataLoader(range(3), num_workers=2, multiprocessing_context="spawn")
    assert isinstance(loader.multiprocessing_context, multiprocessing.context.BaseContext)
    assert loader.prefetch_factor == 2
    context = multiprocessing.get_context("fork")
    loader = DataLoader(range(3), num_workers=1, multiprocessing_context=context)
    assert loader.multiprocessing_context is context


def test_pin_memory_warnings():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        list(DataLoader(range(2), num_workers=2, pin_memory=True))
    with pytest.warns(UserWarning) as record:
        list(DataLoader(range(2), num_workers=2, pin_memory=True, pin_memory_device="cpu"))
    assert "pin_memory_device is deprecated" in str(record[0].message)


def test_early_break_and_reiteration():
    loader = DataLoader(range(10), batch_size=2, num_workers=3)
    for k, _ in enumerate(loader):
        if k == 1:
            break
    assert _plain(list(loader)) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    it = iter(loader)
    assert len(it) == 5
    list(it)
    with pytest.raises(StopIteration):
        next(it)
