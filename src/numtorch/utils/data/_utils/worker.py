"""DataLoader workers, emulated in the main process (torch.utils.data._utils.worker).

PyTorch runs each worker in its own process: it seeds the process's RNGs from the iterator's base
seed, sets ``get_worker_info()``, calls ``worker_init_fn`` and then fetches the batches it is
sent. numtorch keeps that state in an ``_InProcessWorker`` and runs the worker's code in the main
process, switching the global RNGs and the worker info to the worker's while its code runs, so
the same code sees the same numbers and yields the same batches as under PyTorch.

>>> from numtorch.utils.data import DataLoader, get_worker_info
>>> get_worker_info() is None  # the main process
True
>>> def ids(batch):
...     return get_worker_info().id
>>> list(DataLoader(range(6), batch_size=2, num_workers=2, collate_fn=ids))
[0, 1, 0]
"""

from __future__ import annotations

import contextlib
import copy
import gc
import random
import types
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .... import _random
from ...._tensor import Tensor
from ....ops import creation

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info: WorkerInfo | None = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a DataLoader worker (as torch's WorkerInfo).

    Attributes: ``id`` (0 to ``num_workers - 1``), ``num_workers``, ``seed`` (the seed the
    worker's RNGs were seeded with: the iterator's base seed plus ``id``) and ``dataset`` (the
    worker's own copy of the dataset). ``rng`` and ``worker_method`` are as in PyTorch's
    process workers.

    >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=None).num_workers
    2
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


def get_worker_info() -> WorkerInfo | None:
    """The current DataLoader worker's WorkerInfo while its code runs, else None.

    Worker code is the dataset's ``__iter__``/``__getitem__``, ``collate_fn`` and
    ``worker_init_fn`` when ``num_workers > 0``; use it to shard an IterableDataset.

    >>> get_worker_info() is None
    True
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's answer when its copy of an IterableDataset is exhausted."""

    worker_id: int


class _WorkerError:
    """An exception raised by worker code, re-raised when the main process reaches its batch."""

    def __init__(self, exc: BaseException, worker_id: int) -> None:
        self.exc = exc
        self.where = f"in DataLoader worker process {worker_id}"

    def reraise(self) -> None:
        # Re-raising the original keeps its type, message and traceback; PyTorch's message
        # contains the original one, so `match=` on it behaves the same.
        raise self.exc


def _generate_state(base_seed: int, worker_id: int) -> list[int]:
    """The four uint32 words PyTorch seeds a worker's ``numpy.random`` with: NumPy's own
    ``SeedSequence`` hash of ``[worker_id, low and high words of base_seed, 0]`` (PyTorch
    spells the same hash out in Python), so that ``numpy.random`` and ``random`` (seeded with
    ``base_seed + worker_id``) do not start from colliding states.

    >>> len(_generate_state(0, 1))
    4
    """
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return [int(w) for w in np.random.SeedSequence(entropy).generate_state(4)]


# Objects the dataset walk does not descend into: deepcopy treats them as atomic (or they lead
# into the interpreter's globals), so arrays behind them are never copied anyway.
_ATOMIC = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.CodeType,
    types.FrameType,
    str,
    bytes,
    int,
    float,
    complex,
)


def _shared_buffers(root: object) -> list[object]:
    """The arrays and tensors reachable from ``root`` through ordinary containers and attributes."""
    found: list[object] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (np.ndarray, Tensor)):
            found.append(obj)
        elif not isinstance(obj, _ATOMIC):
            stack.extend(gc.get_referents(obj))
    return found


def _copy_dataset(dataset: object) -> object:
    """The worker's own copy of ``dataset``, as a forked worker process holds.

    Attributes a worker sets (in ``worker_init_fn`` or ``__iter__``) and random generators the
    dataset holds stay per worker, as in PyTorch. Arrays and tensors are shared rather than
    copied, so memory does not grow with the number of workers (a forked process shares them
    copy-on-write); a dataset that cannot be deep-copied is copied shallowly, or shared.
    """
    buffers = _shared_buffers(dataset)
    memo: dict[int, Any] = {id(buffer): buffer for buffer in buffers}
    try:
        return copy.deepcopy(dataset, memo)
    except Exception:
        pass
    try:
        return copy.copy(dataset)
    except Exception:
        return dataset


class _InProcessWorker:
    """One DataLoader worker's state: its RNGs, dataset copy, fetcher and task queue.

    It does what ``torch.utils.data._utils.worker._worker_loop`` does in a worker process: seed
    ``random``, numtorch's default generator (``base_seed + worker_id``) and NumPy's legacy
    global state (``_generate_state``), then run ``worker_init_fn`` and make the fetcher. Its
    tasks run in the order they were sent, each with the worker's RNG states switched in.
    """

    def __init__(
        self,
        dataset_kind: int,
        dataset: object,
        make_fetcher: Callable[[object], Any],
        base_seed: int,
        init_fn: Callable[[int], None] | None,
        worker_id: int,
        num_workers: int,
    ) -> None:
        seed = base_seed + worker_id
        self.worker_id = worker_id
        self._is_iterable = dataset_kind == 1
        self._make_fetcher = make_fetcher
        self._torch_rng = _random.Generator(seed)
        self._python_rng_state = random.Random(seed).getstate()
        self._numpy_rng_state = np.random.RandomState(
            _generate_state(base_seed, worker_id)
        ).get_state()
        self.dataset = _copy_dataset(dataset)
        self.info = WorkerInfo(
            id=worker_id, num_workers=num_workers, seed=seed, dataset=self.dataset
        )
        self.queue: deque[tuple[int, Any]] = deque()
        self.iteration_end = False
        self._fetcher: Any = None
        self._init_exception: _WorkerError | None = None
        with self.running():
            try:
                if init_fn is not None:
                    init_fn(worker_id)
                self._fetcher = make_fetcher(self.dataset)
            except Exception as exc:
                # PyTorch reports it as the answer to the worker's first task.
                self._init_exception = _WorkerError(exc, worker_id)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Run the enclosed code as this worker: its RNG states and worker info switched in."""
        global _worker_info
        generator = creation.default_generator
        saved = (generator._impl, random.getstate(), np.random.get_state(), _worker_info)
        generator._impl = self._torch_rng
        random.setstate(self._python_rng_state)
        np.random.set_state(self._numpy_rng_state)
        _worker_info = self.info
        try:
            yield
        finally:
            self._torch_rng = generator._impl
            self._python_rng_state = random.getstate()
            self._numpy_rng_state = np.random.get_state()
            generator._impl, python_state, numpy_state, _worker_info = saved
            random.setstate(python_state)
            np.random.set_state(numpy_state)

    def process(self) -> tuple[int, Any] | None:
        """Handle the oldest task in the queue; None when the worker skips it (iteration ended)."""
        idx, index = self.queue.popleft()
        if self.iteration_end:
            return None
        if self._init_exception is not None:
            data: Any = self._init_exception
            self._init_exception = None
            return idx, data
        with self.running():
            try:
                data = self._fetcher.fetch(index)
            except Exception as exc:
                if isinstance(exc, StopIteration) and self._is_iterable:
                    data = _IterableDatasetStopIteration(self.worker_id)
                    self.iteration_end = True
                else:
                    data = _WorkerError(exc, self.worker_id)
        return idx, data

    def resume(self) -> None:
        """Start a new epoch of a persistent worker, as its ``_ResumeIteration`` handling does."""
        # A worker process still works through the tasks sent before the resume (their results
        # are dropped), so their draws advance its RNGs.
        while self.queue:
            self.process()
        self.iteration_end = False
        with self.running():
            self._fetcher = self._make_fetcher(self.dataset)

    def shutdown(self) -> None:
        self.queue.clear()
        self._fetcher = None
