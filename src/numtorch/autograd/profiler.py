"""``numtorch.autograd.profiler``: PyTorch's legacy profiler API, on ``numtorch.profiler``.

>>> with numtorch.autograd.profiler.profile() as prof:
...     _ = numtorch.ones(2) * 3
>>> [e.key for e in prof.key_averages()]
['aten::mul']
"""

from __future__ import annotations

import warnings
from typing import Any

from ..profiler import (
    DeviceType,
    EventList,
    FunctionEvent,
    FunctionEventAvg,
    ProfilerActivity,
    _cuda_available,
    _Profile,
    _write_trace,
    kineto_available,
    record_function,
)

__all__ = [
    "profile",
    "record_function",
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "DeviceType",
    "ProfilerActivity",
    "kineto_available",
]

_UNFINISHED = "<unfinished torch.autograd.profile>"


class profile:
    """Records op and ``record_function`` ranges in its block, as torch.autograd.profiler.profile.

    >>> with numtorch.autograd.profiler.profile(use_cuda=False) as prof:
    ...     _ = numtorch.ones(2).exp()
    >>> prof.function_events[0].name
    'aten::exp'
    """

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        with_flops: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_modules: bool = False,
        use_kineto: bool = False,
        use_cpu: bool = True,
        experimental_config: Any = None,
        acc_events: bool = False,
        custom_trace_id_callback: Any = None,
        post_processing_timeout_s: float | None = None,
        activity_filters: Any = None,
    ) -> None:
        self.enabled = enabled
        if not enabled:
            return
        self.use_cuda = use_cuda
        if use_cuda:
            warnings.warn(
                "The attribute `use_cuda` will be deprecated soon, please use ``use_device = "
                "'cuda'`` instead.",
                FutureWarning,
                stacklevel=2,
            )
            use_device = "cuda"
        if use_device is not None:
            if use_device not in ("cuda", "xpu", "mtia", "hpu"):
                warnings.warn(f"The {use_device} is not a valid device option.", stacklevel=2)
                use_device = None
            elif use_device == "cuda" and not _cuda_available():
                warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)
                self.use_cuda = False
                use_device = None
            elif use_device != "cuda":
                warnings.warn(
                    f"{use_device.upper()} is not available, disabling "
                    f"{use_device.upper()} profiling",
                    stacklevel=2,
                )
                use_device = None
        if not use_cpu and not use_kineto:
            raise AssertionError("Device-only events supported only with Kineto (use_kineto=True)")
        self.use_device = use_device
        self.record_shapes = record_shapes or with_flops
        self.with_flops = with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_modules = with_modules
        self.use_cpu = use_cpu
        self.acc_events = acc_events
        self.entered = False
        self._profile = _Profile(
            self.record_shapes, profile_memory, with_stack, with_flops, use_device, acc_events
        )
        self._finished: EventList | None = None

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._profile._prepare()
        self._profile._start()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if not self.enabled:
            return
        self._profile._stop()
        self._finished = self._profile._function_events()

    def __repr__(self) -> str:
        return _UNFINISHED if self._finished is None else repr(self._finished)

    def __str__(self) -> str:
        return _UNFINISHED if self._finished is None else str(self._finished)

    @property
    def function_events(self) -> EventList:
        """The recorded events, in start order."""
        if self._finished is None:
            return self._profile._event_list([])
        return self._finished

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
    ) -> str:
        """PyTorch's summary table of the unaggregated events."""
        return self.function_events.table(
            sort_by=sort_by,
            row_limit=row_limit,
            max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            header=header,
            top_level_events_only=top_level_events_only,
        )

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        """Events averaged per name; ``.table(sort_by=..., row_limit=...)`` prints them."""
        return self.function_events.key_averages(
            group_by_input_shape, group_by_stack_n, group_by_overload_name
        )

    def total_average(self) -> FunctionEventAvg:
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self) -> float:
        """The sum of every event's self CPU time, in microseconds."""
        return self.function_events.self_cpu_time_total

    def export_chrome_trace(
        self, path: str, metadata: dict | None = None, use_python_export: bool = False
    ) -> None:
        """Writes the events as Chrome trace JSON."""
        events = self.function_events
        _write_trace(path, list(events), dict(metadata or {}), events._base_ns)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        if not self.with_stack:
            raise AssertionError("export_stacks() requires with_stack=True")
        self.function_events.export_stacks(path, metric)
