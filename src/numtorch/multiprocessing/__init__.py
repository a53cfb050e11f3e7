"""numtorch.multiprocessing: Python's ``multiprocessing``, as ``torch.multiprocessing`` wraps it.

numtorch tensors pickle like any Python object, so the standard module works as is; the names
torch adds (sharing strategies, ``spawn``) are here too.

>>> numtorch.multiprocessing.cpu_count() > 0
True
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import (
    Array,
    AuthenticationError,
    Barrier,
    BoundedSemaphore,
    BufferTooShort,
    Condition,
    Event,
    JoinableQueue,
    Lock,
    Manager,
    Pipe,
    Pool,
    Process,
    ProcessError,
    Queue,
    RawArray,
    RawValue,
    RLock,
    Semaphore,
    SimpleQueue,
    TimeoutError,
    Value,
    active_children,
    allow_connection_pickling,
    cpu_count,
    current_process,
    freeze_support,
    get_all_start_methods,
    get_context,
    get_logger,
    get_start_method,
    log_to_stderr,
    parent_process,
    set_executable,
    set_forkserver_preload,
    set_start_method,
)
from typing import Any

__all__ = [
    "set_sharing_strategy",
    "get_sharing_strategy",
    "get_all_sharing_strategies",
    "spawn",
    "start_processes",
    "ProcessContext",
    "ProcessRaisedException",
    "ProcessExitedException",
    "Array",
    "AuthenticationError",
    "Barrier",
    "BoundedSemaphore",
    "BufferTooShort",
    "Condition",
    "Event",
    "JoinableQueue",
    "Lock",
    "Manager",
    "Pipe",
    "Pool",
    "Process",
    "ProcessError",
    "Queue",
    "RLock",
    "RawArray",
    "RawValue",
    "Semaphore",
    "SimpleQueue",
    "TimeoutError",
    "Value",
    "active_children",
    "allow_connection_pickling",
    "cpu_count",
    "current_process",
    "freeze_support",
    "get_all_start_methods",
    "get_context",
    "get_logger",
    "get_start_method",
    "log_to_stderr",
    "parent_process",
    "set_executable",
    "set_forkserver_preload",
    "set_start_method",
]

_SHARING_STRATEGIES = {"file_descriptor", "file_system"}
_SHARING = {"strategy": "file_descriptor"}


def set_sharing_strategy(new_strategy: str) -> None:
    """Records how tensors would be shared between processes (numtorch pickles them).

    >>> numtorch.multiprocessing.set_sharing_strategy("file_system")
    >>> numtorch.multiprocessing.set_sharing_strategy("file_descriptor")
    """
    if new_strategy not in _SHARING_STRATEGIES:
        raise AssertionError(f"Invalid sharing strategy {new_strategy}")
    _SHARING["strategy"] = new_strategy


def get_sharing_strategy() -> str:
    """The sharing strategy set last ("file_descriptor" by default, as torch on Linux).

    >>> numtorch.multiprocessing.get_sharing_strategy()
    'file_descriptor'
    """
    return _SHARING["strategy"]


def get_all_sharing_strategies() -> set[str]:
    """The sharing strategies torch offers on Linux.

    >>> sorted(numtorch.multiprocessing.get_all_sharing_strategies())
    ['file_descriptor', 'file_system']
    """
    return set(_SHARING_STRATEGIES)


class ProcessRaisedException(Exception):
    """A spawned process raised: its traceback is the message."""

    def __init__(self, msg: str, error_index: int, error_pid: int | None) -> None:
        super().__init__(msg)
        self.error_index, self.pid = error_index, error_pid


class ProcessExitedException(Exception):
    """A spawned process exited with a non-zero code."""

    def __init__(
        self, msg: str, error_index: int, error_pid: int | None, exit_code: int | None
    ) -> None:
        super().__init__(msg)
        self.error_index, self.pid, self.exit_code = error_index, error_pid, exit_code


def _wrap(fn: Any, index: int, args: tuple, error_queue: Any) -> None:
    import traceback

    try:
        fn(index, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        raise SystemExit(1) from None


class ProcessContext:
    """The processes :func:`start_processes` started; ``join()`` waits for them all."""

    def __init__(self, processes: list, error_queues: list) -> None:
        self.processes, self.error_queues = processes, error_queues

    def pids(self) -> list:
        return [p.pid for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """Waits for every process; raises if one failed. True when all are done."""
        for index, process in enumerate(self.processes):
            process.join(timeout)
            if process.exitcode is None:
                return False
            if process.exitcode != 0:
                for other in self.processes:
                    if other.is_alive():
                        other.terminate()
                queue = self.error_queues[index]
                if not queue.empty():
                    msg = f"\n\n-- Process {index} terminated with the following error:\n"
                    raise ProcessRaisedException(msg + queue.get(), index, process.pid)
                raise ProcessExitedException(
                    f"process {index} terminated with exit code {process.exitcode}",
                    index,
                    process.pid,
                    process.exitcode,
                )
        return True


def start_processes(
    fn: Any,
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """Runs ``fn(i, *args)`` for ``i`` in ``range(nprocs)``, each in its own process."""
    context: Any = multiprocessing.get_context(start_method)
    processes, queues = [], []
    for index in range(nprocs):
        queue = context.SimpleQueue()
        process = context.Process(target=_wrap, args=(fn, index, args, queue), daemon=daemon)
        process.start()
        processes.append(process)
        queues.append(queue)
    processes_context = ProcessContext(processes, queues)
    if not join:
        return processes_context
    while not processes_context.join():
        pass
    return None


def spawn(
    fn: Any,
    args: tuple = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """``torch.multiprocessing.spawn``: :func:`start_processes` with the "spawn" method."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
