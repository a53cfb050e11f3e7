"""``numtorch.profiler``: torch.profiler's API timing numtorch ops and ``record_function`` ranges.

What is recorded: every ``record_function`` range, and every built-in op call. Built-in ops all
run through ``Op.apply``; while at least one profiler is recording, ``_wrap_ops`` replaces that
classmethod (and the few subclass overrides of it) with a timing wrapper, and ``_unwrap_ops``
puts the original descriptors back when the last one stops, so profiling costs nothing when no
profiler is active.

Op names approximate PyTorch's: ``aten::`` plus the op class name in snake case, with the digit
suffix that numbers an overload dropped (``Mul`` -> ``aten::mul``, ``Sum1`` -> ``aten::sum``,
``MaxPool2DWithIndices`` -> ``aten::max_pool2d_with_indices``). numtorch's ops are coarser than
ATen's, so the composite ops PyTorch also lists (``aten::linear`` around ``aten::addmm``,
``aten::empty``) do not appear. Times are host wall-clock times (there is no device trace).

>>> with numtorch.profiler.profile() as prof:
...     y = numtorch.ones(2) * 2
>>> "aten::mul" in [e.key for e in prof.key_averages()]
True
"""

from __future__ import annotations

import enum
import gzip
import json
import os
import re
import socket
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "profile",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
    "ProfilerAction",
    "ProfilerActivity",
    "kineto_available",
    "DeviceType",
    "record_function",
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
]

_clock = time.perf_counter_ns


class ProfilerActivity(enum.Enum):
    """Activity groups a profiler collects, as torch.profiler.ProfilerActivity (same values).

    >>> numtorch.profiler.ProfilerActivity.CPU
    <ProfilerActivity.CPU: 0>
    """

    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5


class DeviceType(enum.Enum):
    """Where an event ran, as torch.autograd.DeviceType (only CPU events are recorded here)."""

    CPU = 0
    CUDA = 1


class ProfilerAction(enum.Enum):
    """What a schedule asks the profiler to do at a step, as torch.profiler.ProfilerAction.

    >>> numtorch.profiler.schedule(wait=0, warmup=1, active=1)(1)
    <ProfilerAction.RECORD_AND_SAVE: 3>
    """

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


def kineto_available() -> bool:
    """Whether Kineto (PyTorch's tracing backend) is there: numtorch traces itself, so no."""
    return False


def supported_activities() -> set[ProfilerActivity]:
    """The activities this build can profile: CPU, plus CUDA when a GPU backend is available.

    >>> numtorch.profiler.supported_activities()
    {<ProfilerActivity.CPU: 0>}
    """
    out = {ProfilerActivity.CPU}
    if _cuda_available():
        out.add(ProfilerActivity.CUDA)
    return out


def _cuda_available() -> bool:
    try:
        from .. import cuda

        return bool(cuda.is_available())
    except Exception:  # a broken optional backend must not break profiling
        return False


# -- formatting, as torch.autograd.profiler_util ---------------------------------------------------


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _format_time_share(time_us: float, total_us: float) -> str:
    if total_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_us:.2f}%"


def _format_memory(nbytes: int) -> str:
    kb = 1024
    for unit, size in (("GB", kb**3), ("MB", kb**2), ("KB", kb)):
        if abs(nbytes) >= size:
            return f"{nbytes * 1.0 / size:.2f} {unit}"
    return f"{nbytes} B"


def _override_time_unit(time_us: float, time_unit: str | None) -> str:
    if time_unit == "s":
        return f"{time_us / 1e6:.3f}s"
    if time_unit == "ms":
        return f"{time_us / 1e3:.3f}ms"
    if time_unit == "us":
        return f"{time_us:.3f}us"
    return _format_time(time_us)


class _TimesMixin:
    """The ``*_str`` and device-time attributes PyTorch's events carry (no device time here)."""

    cpu_time_total: float
    self_cpu_time_total: float
    count: int
    device_time_total = 0.0
    self_device_time_total = 0.0
    device_memory_usage = 0
    self_device_memory_usage = 0

    @property
    def cpu_time(self) -> float:
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def device_time(self) -> float:
        return 0.0

    # the cuda_* names are PyTorch's older spellings of device_*
    cuda_time = device_time
    cuda_time_total = device_time_total
    self_cuda_time_total = self_device_time_total
    cuda_memory_usage = device_memory_usage
    self_cuda_memory_usage = self_device_memory_usage

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)

    @property
    def device_time_str(self) -> str:
        return _format_time(0.0)

    device_time_total_str = device_time_str
    self_device_time_total_str = device_time_str


class FunctionEvent(_TimesMixin):
    """One recorded range (an op call or a ``record_function`` block), as PyTorch's FunctionEvent.

    Times are in microseconds.

    >>> with numtorch.profiler.profile() as prof:
    ...     _ = numtorch.ones(2).neg()
    >>> prof.events()[0].name
    'aten::neg'
    """

    def __init__(
        self,
        id: int,
        name: str,
        thread: int,
        start_us: float,
        end_us: float,
        input_shapes: list | None = None,
        stack: list[str] | None = None,
        is_user_annotation: bool = False,
        cpu_memory_usage: int = 0,
        flops: int = 0,
        sequence_nr: int = -1,
    ) -> None:
        self.id = id
        self.name = name
        self.thread = thread
        self.start_us = start_us
        self.end_us = end_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.stack = stack if stack is not None else []
        self.is_user_annotation = is_user_annotation
        self.self_cpu_memory_usage = cpu_memory_usage
        self.flops = flops
        self.sequence_nr = sequence_nr
        self.cpu_parent: FunctionEvent | None = None
        self.cpu_children: list[FunctionEvent] = []
        self.count = 1
        self.node_id = -1
        self.overload_name = ""
        self.device_type = DeviceType.CPU
        self.device_index = 0
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.use_device: str | None = None
        self.scope = 0
        self.trace_name = name
        self.kernels: list = []
        self.self_cpu_percent = -1
        self.total_cpu_percent = -1
        self.total_device_percent = -1

    @property
    def key(self) -> str:
        return self.name

    @property
    def time_range(self) -> tuple[float, float]:
        return (self.start_us, self.end_us)

    @property
    def cpu_time_total(self) -> float:  # type: ignore[override]
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:  # type: ignore[override]
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def cpu_memory_usage(self) -> int:
        # a range's allocations include those of the ranges inside it
        return self.self_cpu_memory_usage + sum(c.cpu_memory_usage for c in self.cpu_children)

    def append_cpu_child(self, child: FunctionEvent) -> None:
        self.cpu_children.append(child)

    def set_cpu_parent(self, parent: FunctionEvent) -> None:
        self.cpu_parent = parent

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent id={self.id} name={self.name} overload_name= "
            f"device_type={self.device_type} node_id={self.node_id} "
            f"cpu_time={self.cpu_time_str} start_us={round(self.start_us, 3)} "
            f"end_us={round(self.end_us, 3)} "
            f"cpu_children={[c.id for c in self.cpu_children]} None_time=0.000us "
            f"name={self.name} thread={self.thread} input_shapes={self.input_shapes} "
            f"cpu_memory_usage={self.cpu_memory_usage} None_memory_usage=0 is_async=False "
            f"is_remote=False seq_nr={self.sequence_nr} is_legacy=False>"
        )


class FunctionEventAvg(_TimesMixin):
    """Events of one key summed (``key_averages()`` rows), as PyTorch's FunctionEventAvg."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.count = 0
        self.node_id = 0
        self.is_async = False
        self.is_remote = False
        self.is_legacy = False
        self.use_device: str | None = None
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes: list | None = None
        self.overload_name: str | None = None
        self.stack: list[str] | None = None
        self.scope: int | None = None
        self.cpu_memory_usage = 0
        self.self_cpu_memory_usage = 0
        self.cpu_children: list | None = None
        self.cpu_parent: FunctionEvent | None = None
        self.device_type = DeviceType.CPU
        self.is_user_annotation = False
        self.flops = 0

    def add(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        if self.key is None:
            self.key = other.key
            self.node_id = other.node_id
            self.is_async = other.is_async
            self.is_remote = other.is_remote
            self.cpu_parent = other.cpu_parent
            self.cpu_children = other.cpu_children
            self.input_shapes = other.input_shapes
            self.overload_name = other.overload_name
            self.stack = other.stack
            self.scope = other.scope
            self.device_type = other.device_type
            self.is_user_annotation = other.is_user_annotation
            self.use_device = other.use_device
        elif other.key != self.key:
            raise AssertionError(f"Expected keys to match, but got {self.key} vs {other.key}")
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.count += other.count
        self.flops += other.flops
        return self

    def __iadd__(self, other: FunctionEvent | FunctionEventAvg) -> FunctionEventAvg:
        return self.add(other)

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str}  self_cuda_time=0.000us cuda_time=0.000us "
            f"input_shapes={self.input_shapes or ''} cpu_memory_usage={self.cpu_memory_usage} "
            "cuda_memory_usage=0>"
        )


class EventList(list):
    """A list of events with PyTorch's summaries: ``table``, ``key_averages``, chrome export.

    >>> with numtorch.profiler.profile() as prof:
    ...     _ = numtorch.ones(2).neg()
    >>> print(prof.key_averages().table().splitlines()[1].split()[:3])
    ['Name', 'Self', 'CPU']
    """

    def __init__(
        self,
        *args: Any,
        use_device: str | None = None,
        profile_memory: bool = False,
        with_flops: bool = False,
    ) -> None:
        super().__init__(*args)
        self._use_device = use_device
        self._profile_memory = profile_memory
        self._with_flops = with_flops
        self._base_ns = 0

    def _like(self, events: Iterable) -> EventList:
        return EventList(
            events,
            use_device=self._use_device,
            profile_memory=self._profile_memory,
            with_flops=self._with_flops,
        )

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        time_unit: str | None = None,
    ) -> str:
        """The summary table PyTorch prints; ``sort_by`` names an event attribute (descending)."""
        return _build_table(
            self,
            sort_by=sort_by,
            row_limit=row_limit,
            max_src_column_width=max_src_column_width,
            max_name_column_width=max_name_column_width,
            max_shapes_column_width=max_shapes_column_width,
            header=header,
            profile_memory=self._profile_memory,
            with_flops=self._with_flops,
            top_level_events_only=top_level_events_only,
            time_unit=time_unit,
        )

    def __str__(self) -> str:
        return self.table()

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        """Events summed per name (and, if asked, per input shapes or stack prefix)."""
        stats: dict[tuple, FunctionEventAvg] = {}
        for evt in self:
            name = evt.key
            # PyTorch folds the per-step ranges into one row
            if name.startswith("ProfilerStep#"):
                name = "ProfilerStep*"
            key: tuple = (name, evt.node_id)
            if group_by_input_shape:
                key += (str(evt.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple(evt.stack[:group_by_stack_n])
            if group_by_overload_name:
                key += (evt.overload_name,)
            avg = stats.get(key)
            if avg is None:
                avg = stats[key] = FunctionEventAvg()
                avg.key = name
                avg.node_id = evt.node_id
                avg.cpu_parent = evt.cpu_parent
                avg.cpu_children = evt.cpu_children
                avg.input_shapes = evt.input_shapes if group_by_input_shape else None
                avg.overload_name = evt.overload_name
                avg.stack = evt.stack if group_by_stack_n > 0 else None
                avg.is_user_annotation = evt.is_user_annotation
                avg.use_device = self._use_device
            avg.cpu_time_total += evt.cpu_time_total
            avg.self_cpu_time_total += evt.self_cpu_time_total
            avg.cpu_memory_usage += evt.cpu_memory_usage
            avg.self_cpu_memory_usage += evt.self_cpu_memory_usage
            avg.count += evt.count
            avg.flops += evt.flops
        return self._like(stats.values())

    def total_average(self) -> FunctionEventAvg:
        """All events summed into one ``Total`` row."""
        total = FunctionEventAvg()
        for evt in self:
            total.cpu_time_total += evt.cpu_time_total
            total.self_cpu_time_total += evt.self_cpu_time_total
            total.cpu_memory_usage += evt.cpu_memory_usage
            total.self_cpu_memory_usage += evt.self_cpu_memory_usage
            total.count += evt.count
        total.key = "Total"
        return total

    def export_chrome_trace(self, path: str) -> None:
        """Writes the events as Chrome trace JSON (chrome://tracing, Perfetto)."""
        _write_trace(path, [e for e in self if isinstance(e, FunctionEvent)], {}, self._base_ns)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        """Writes one ``frame;frame;... value`` line per event stack (flame graph input)."""
        with open(path, "w") as f:
            for evt in self:
                if evt.stack:
                    frames = ";".join(reversed(evt.stack))
                    f.write(f"{frames} {int(getattr(evt, metric))}\n")


def _build_table(
    events,
    sort_by=None,
    header=None,
    row_limit=100,
    max_src_column_width=75,
    max_name_column_width=55,
    max_shapes_column_width=80,
    with_flops=False,
    profile_memory=False,
    top_level_events_only=False,
    time_unit=None,
) -> str:
    # the layout (column widths, two-space gaps, right alignment) is PyTorch's, cell for cell
    if len(events) == 0:
        return ""
    if sort_by is not None:
        attr = sort_by.replace("cuda", "device").replace("xpu", "device")
        events = sorted(events, key=lambda e: getattr(e, attr), reverse=True)
    has_shapes = any(e.input_shapes for e in events)
    stacks = [e.stack for e in events if e.stack]
    name_w = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_w = min(name_w, max_name_column_width)
    shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_w = min(shapes_w, max_shapes_column_width)
    src_w = 0
    if stacks:
        src_w = max(len(entry) for stack in stacks for entry in stack) + 4
        if max_src_column_width is not None:
            src_w = min(src_w, max_src_column_width)

    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
    headers.append("# of Calls")
    widths = [name_w] + [12] * (len(headers) - 1)
    aligns = [">"] * len(headers)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append(shapes_w)
        aligns.append(">")
    if stacks:
        headers.append("Source Location")
        widths.append(src_w)
        aligns.append("<")
    flops_scale = 1.0
    raw_flops = [e.flops for e in events if e.flops > 0]
    with_flops = with_flops and bool(raw_flops)
    if with_flops:
        units = ["FLOPs", "KFLOPs", "MFLOPs", "GFLOPs", "TFLOPs", "PFLOPs"]
        import math

        level = int(max(0.0, min(math.log10(min(raw_flops)) / 3, float(len(units) - 1))))
        flops_scale = 10.0 ** (-3 * level)
        headers.append(f"Total {units[level]}")
        widths.append(12)
        aligns.append(">")

    row_format = "".join("{: " + a + str(w) + "}  " for a, w in zip(aligns, widths, strict=True))
    sep = "".join("-" * w + "  " for w in widths)
    line_length = sum(w + 2 for w in widths) - 2
    lines: list[str] = []
    total = sum(e.self_cpu_time_total for e in events)
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [sep, row_format.format(*headers), sep]

    def trim(path: str) -> str:
        if len(path) > src_w:
            path = path[len(path) - src_w :]
            if len(path) > 3:
                path = "..." + path[3:]
        return path

    shown = 0
    for evt in events:
        if shown == row_limit:
            break
        if top_level_events_only and evt.cpu_parent is not None:
            continue
        shown += 1
        name = evt.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[: max_name_column_width - 3] + "..."
        row = [
            name,
            _format_time_share(evt.self_cpu_time_total, total),
            _override_time_unit(evt.self_cpu_time_total, time_unit),
            _format_time_share(evt.cpu_time_total, total) if not evt.is_async else 0,
            _override_time_unit(evt.cpu_time_total, time_unit),
            _override_time_unit(evt.cpu_time, time_unit),
        ]
        if profile_memory:
            row += [_format_memory(evt.cpu_memory_usage), _format_memory(evt.self_cpu_memory_usage)]
        row.append(evt.count)
        if has_shapes:
            row.append(str(evt.input_shapes)[:shapes_w])
        if stacks:
            row.append(trim(evt.stack[0]) if evt.stack else "")
        if with_flops:
            row.append("--" if evt.flops <= 0 else f"{evt.flops * flops_scale:8.3f}")
        lines.append(row_format.format(*row))
        if stacks and evt.stack:
            blank = [""] * (len(headers) - 1)
            for entry in evt.stack[1:]:
                lines.append(row_format.format(*(blank + [trim(entry)])))
            lines.append(row_format.format(*(blank + [""])))
    lines.append(sep)
    lines.append(f"Self CPU time total: {_override_time_unit(total, time_unit)}")
    return "".join(line + "\n" for line in lines)


def _write_trace(path: str, events: list[FunctionEvent], metadata: dict, base_ns: int) -> None:
    # event times are microseconds since the recording started, at base_ns since the epoch
    pid = os.getpid()
    trace_events: list[dict] = [
        {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": "python"}},
        {"ph": "M", "name": "process_labels", "pid": pid, "tid": 0, "args": {"labels": "CPU"}},
    ]
    for tid in sorted({e.thread for e in events}):
        trace_events.append(
            {
                "ph": "M",
                "name": "thread_name",
                "pid": pid,
                "tid": tid,
                "args": {"name": f"thread {tid} (python)"},
            }
        )
    for idx, evt in enumerate(events):
        args: dict[str, Any] = {"External id": evt.id, "Ev Idx": idx}
        if evt.input_shapes:
            args["Input Dims"] = evt.input_shapes
        if evt.stack:
            args["Call stack"] = ";".join(evt.stack)
        trace_events.append(
            {
                "ph": "X",
                "cat": "user_annotation" if evt.is_user_annotation else "cpu_op",
                "name": evt.name,
                "pid": pid,
                "tid": evt.thread,
                "ts": evt.start_us,
                "dur": evt.cpu_time_total,
                "args": args,
            }
        )
    doc = {
        "schemaVersion": 1,
        "deviceProperties": [],
        **{k: v for k, v in metadata.items()},
        "displayTimeUnit": "ms",
        "baseTimeNanoseconds": base_ns,
        "traceEvents": trace_events,
    }
    text = json.dumps(doc, indent=1)
    if path.endswith(".gz"):
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)


# -- recording ---------------------------------------------------------------------------------


class _Open:
    """A range being timed: where it started and what it is."""

    __slots__ = ("name", "start", "shapes", "stack", "annotation", "parent", "id", "args", "tid")

    def __init__(self, name, start, shapes, stack, annotation, parent, id, args=None):
        self.tid = threading.get_native_id()
        self.name = name
        self.start = start
        self.shapes = shapes
        self.stack = stack
        self.annotation = annotation
        self.parent = parent
        self.id = id
        self.args = args


class _Session:
    """One recording window of a profiler: the ranges closed while it was active."""

    def __init__(self, record_shapes: bool, with_stack: bool, profile_memory: bool, flops: bool):
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.profile_memory = profile_memory
        self.with_flops = flops
        # (open range, end ns, bytes produced, flops) per closed range
        self.closed: list[tuple[_Open, int, int, int]] = []
        self.t0 = _clock()
        self.t0_epoch = time.time_ns()

    def events(self, use_device: str | None = None) -> list[FunctionEvent]:
        t0 = self.t0
        made: dict[int, FunctionEvent] = {}
        out = []
        for rng, end, nbytes, flops in sorted(self.closed, key=lambda c: (c[0].start, -c[1])):
            evt = FunctionEvent(
                id=rng.id,
                name=rng.name,
                thread=rng.tid,
                start_us=(rng.start - t0) / 1000.0,
                end_us=(end - t0) / 1000.0,
                input_shapes=rng.shapes,
                stack=rng.stack,
                is_user_annotation=rng.annotation,
                cpu_memory_usage=nbytes,
                flops=flops,
            )
            evt.use_device = use_device
            parent = rng.parent
            # a parent opened before this session started is not in it: the range is top-level
            while parent is not None and parent.id not in made:
                parent = parent.parent
            if parent is not None:
                evt.cpu_parent = made[parent.id]
                made[parent.id].cpu_children.append(evt)
            made[rng.id] = evt
            out.append(evt)
        return out


_active: list[_Session] = []  # the recording sessions; Op.apply is wrapped while non-empty
_tls = threading.local()
_next_id = [0]
_lock = threading.Lock()
_saved_apply: list[tuple[type, Any]] = []


def _stack_top():
    return getattr(_tls, "top", None)


def _open(name: str, annotation: bool, shapes_of=None, args=None) -> _Open:
    with _lock:
        _next_id[0] += 1
        rid = _next_id[0]
    shapes = None
    stack = None
    for s in _active:
        if s.record_shapes and shapes_of is not None and shapes is None:
            shapes = [_shape_of(a) for a in shapes_of]
        if s.with_stack and stack is None:
            stack = _user_stack()
    rng = _Open(name, 0, shapes, stack, annotation, _stack_top(), rid, args)
    _tls.top = rng
    rng.start = _clock()  # last, so the bookkeeping above is not timed
    return rng


def _close(rng: _Open, result: Any = None, flops: int = 0) -> None:
    end = _clock()
    _tls.top = rng.parent
    nbytes = 0
    if result is not None and any(s.profile_memory for s in _active):
        nbytes = _nbytes(result)
    for s in _active:
        s.closed.append((rng, end, nbytes, flops if s.with_flops else 0))


def _shape_of(value: Any) -> list:
    data = getattr(value, "_data", None)
    if data is not None and hasattr(data, "shape"):
        return list(data.shape)
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (int, float, complex, bool)):
        return list(shape)
    return []


def _nbytes(result: Any) -> int:
    items = result if isinstance(result, tuple) else (result,)
    total = 0
    for item in items:
        data = getattr(item, "_data", None)
        # a view allocates nothing
        if data is not None and getattr(data, "base", None) is None:
            total += int(data.nbytes)
    return total


_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stack() -> list[str]:
    frames = traceback.extract_stack()[:-3]
    out = [f"{f.filename}({f.lineno}): {f.name}" for f in reversed(frames)]
    return [s for s in out if not s.startswith(_PKG_DIR)]


_NAME_CACHE: dict[type, str] = {}
# class names whose trailing digits are part of the op's name, not an overload number
_DIGIT_NAMES = {"Exp2", "Log2", "Log10", "Logaddexp2", "Atan2", "Expm1", "Log1P", "I0"}


def _op_name(cls: type) -> str:
    name = _NAME_CACHE.get(cls)
    if name is None:
        raw = cls.__name__.lstrip("_")
        if raw not in _DIGIT_NAMES:
            raw = raw.rstrip("0123456789") or raw
        raw = re.sub(r"(\d)([A-Z])(?=[A-Z]|$)", lambda m: m[1] + m[2].lower(), raw)
        raw = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", raw)
        name = _NAME_CACHE[cls] = "aten::" + raw.lower()
    return name


def _matmul_flops(name: str, shapes: list) -> int:
    # PyTorch counts 2*M*N*K for its matmul family; other ops report none
    try:
        if name in ("aten::mm", "aten::addmm"):
            a, b = shapes[-2], shapes[-1]
            return 2 * a[0] * a[1] * b[1]
        if name in ("aten::bmm", "aten::baddbmm"):
            a, b = shapes[-2], shapes[-1]
            return 2 * a[0] * a[1] * a[2] * b[2]
    except (IndexError, TypeError):
        pass
    return 0


def _wrapper(func: Callable) -> Callable:
    def apply(cls, *args):
        if not _active:  # another thread stopped the last profiler mid-call
            return func(cls, *args)
        name = _op_name(cls)
        rng = _open(name, False, args)
        result = None
        try:
            result = func(cls, *args)
            return result
        finally:
            flops = 0
            if rng.shapes is not None and any(s.with_flops for s in _active):
                flops = _matmul_flops(name, [s for s in rng.shapes if s])
            _close(rng, result, flops)

    apply.__wrapped__ = func  # type: ignore[attr-defined]
    return apply


def _op_classes() -> list[type]:
    from ..autograd.function import Op

    out: list[type] = [Op]
    todo = list(Op.__subclasses__())
    while todo:
        cls = todo.pop()
        if "apply" in cls.__dict__:
            out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def _wrap_ops() -> None:
    """Times every built-in op: wraps ``Op.apply`` (and subclass overrides of it)."""
    if _saved_apply:
        return
    # setattr: the type checker sees the classes only as `type`
    for cls in _op_classes():
        original = cls.__dict__["apply"]
        _saved_apply.append((cls, original))
        setattr(cls, "apply", classmethod(_wrapper(original.__func__)))  # noqa: B010


def _unwrap_ops() -> None:
    """Puts the original ``apply`` descriptors back, the very objects ``_wrap_ops`` replaced."""
    while _saved_apply:
        cls, original = _saved_apply.pop()
        setattr(cls, "apply", original)  # noqa: B010


def _start(session: _Session) -> None:
    _active.append(session)
    _wrap_ops()


def _stop(session: _Session) -> None:
    for i, s in enumerate(_active):
        if s is session:
            del _active[i]
            break
    if not _active:
        _unwrap_ops()


class record_function:
    """Labels a block or a function in the profile, as torch.profiler.record_function.

    Works as a context manager and as a decorator; outside a profiler it costs a list check.

    >>> with numtorch.profiler.profile() as prof:
    ...     with numtorch.profiler.record_function("block"):
    ...         pass
    >>> prof.events()[0].name
    'block'
    """

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self.run_callbacks_on_exit = True
        self._ranges: list[_Open | None] = []

    def __enter__(self) -> record_function:
        self._ranges.append(_open(self.name, True, None, self.args) if _active else None)
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, tb: Any) -> None:
        rng = self._ranges.pop() if self._ranges else None
        if rng is not None and self.run_callbacks_on_exit:
            _close(rng)

    def __call__(self, fn: Callable) -> Callable:
        import functools

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapped


# -- schedules and the profiler ----------------------------------------------------------------


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """A step -> ProfilerAction function: skip ``skip_first`` steps, then cycles of ``wait``
    idle, ``warmup`` and ``active`` recorded steps (``repeat`` cycles, 0 for no limit).

    >>> s = numtorch.profiler.schedule(wait=1, warmup=1, active=2, repeat=1)
    >>> [s(i).name for i in range(5)]
    ['NONE', 'WARMUP', 'RECORD', 'RECORD_AND_SAVE', 'NONE']
    """

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod_step = step % num_steps
        if mod_step < wait:
            return ProfilerAction.NONE
        if mod_step < wait + warmup:
            return ProfilerAction.WARMUP
        if mod_step < num_steps - 1:
            return ProfilerAction.RECORD
        return ProfilerAction.RECORD_AND_SAVE

    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), warmup={warmup} "
            f"(need >= 0), active={active} (need > 0), repeat={repeat} (need >= 0), "
            f"skip_first={skip_first} (need >= 0)."
        )
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )
    return schedule_fn


def _default_schedule_fn(_: int) -> ProfilerAction:
    return ProfilerAction.RECORD


def tensorboard_trace_handler(
    dir_name: str,
    worker_name: str | None = None,
    use_gzip: bool = False,
    use_python_export: bool = False,
) -> Callable[[Any], None]:
    """An ``on_trace_ready`` callback writing each trace to
    ``dir_name/<worker>.<ns>.pt.trace.json`` (TensorBoard's profiler plugin reads them).

    >>> handler = numtorch.profiler.tensorboard_trace_handler("./log")
    """

    def handler_fn(prof) -> None:
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        file_name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        if use_gzip:
            file_name += ".gz"
        prof.export_chrome_trace(os.path.join(dir_name, file_name))

    return handler_fn


_warned: set[str] = set()


def _warn_once(msg: str, stacklevel: int = 3) -> None:
    if msg not in _warned:
        _warned.add(msg)
        warnings.warn(msg, UserWarning, stacklevel=stacklevel)


_CYCLE_WARNING = (
    "Warning: Profiler clears events at the end of each cycle. Only events from the current "
    "cycle will be reported. To keep events across cycles, set acc_events=True."
)


class _Profile:
    """The recording machinery shared by ``profile`` and the legacy autograd profiler."""

    def __init__(
        self,
        record_shapes: bool,
        profile_memory: bool,
        with_stack: bool,
        with_flops: bool,
        use_device: str | None,
        acc_events: bool,
    ) -> None:
        self.record_shapes = record_shapes or with_flops
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.use_device = use_device
        self.acc_events = acc_events
        self._session: _Session | None = None
        self._events: EventList | None = None
        self._prepared = False

    def _prepare(self) -> None:
        if self._prepared and not self.acc_events:
            _warn_once(_CYCLE_WARNING, stacklevel=4)
        self._prepared = True
        self._session = _Session(
            self.record_shapes, self.with_stack, self.profile_memory, self.with_flops
        )
        if not self.acc_events:
            self._events = None

    def _start(self) -> None:
        if self._session is None:
            self._prepare()
        assert self._session is not None
        _start(self._session)

    def _stop(self) -> None:
        session = self._session
        if session is None:
            raise AssertionError("Profiler must be initialized before stopping trace")
        _stop(session)
        new = session.events(self.use_device)
        if self.acc_events and self._events is not None:
            new = list(self._events) + new
        self._events = self._event_list(new)
        self._events._base_ns = session.t0_epoch
        self._session = None

    def _event_list(self, events: Iterable) -> EventList:
        return EventList(
            events,
            use_device=self.use_device,
            profile_memory=self.profile_memory,
            with_flops=self.with_flops,
        )

    def _function_events(self) -> EventList:
        if self._events is not None:
            return self._events
        if self._session is not None:  # still recording: what has finished so far
            out = self._event_list(self._session.events(self.use_device))
            out._base_ns = self._session.t0_epoch
            return out
        return self._event_list([])


class profile:
    """Profiles the code in its ``with`` block, as torch.profiler.profile.

    ``schedule``/``step()``/``on_trace_ready`` drive periodic recording as in PyTorch;
    ``key_averages().table(...)`` prints PyTorch's summary table and ``export_chrome_trace``
    writes a trace for chrome://tracing or Perfetto. Only host (CPU) time is measured.

    >>> with numtorch.profiler.profile(record_shapes=True) as prof:
    ...     _ = numtorch.ones(2, 3).sum()
    >>> prof.key_averages()[0].key
    'aten::sum'
    """

    def __init__(
        self,
        *,
        activities: Iterable[Any] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[..., Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Callable[[], str] | None = None,
        post_processing_timeout_s: float | None = None,
    ) -> None:
        if activities is not None:
            acts: set[ProfilerActivity] = set()
            for item in activities:
                if isinstance(item, dict):
                    acts.update(item.keys())
                else:
                    acts.add(item)
        else:
            acts = supported_activities()
        if use_cuda is not None:
            warnings.warn(
                "`use_cuda` is deprecated, use `activities` argument instead",
                FutureWarning,
                stacklevel=2,
            )
            if use_cuda:
                acts.add(ProfilerActivity.CUDA)
            else:
                acts.discard(ProfilerActivity.CUDA)
        if len(acts) == 0:
            raise AssertionError("No valid profiler activities found")
        self.activities = acts
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.experimental_config = experimental_config
        self.execution_trace_observer = execution_trace_observer
        self.acc_events = acc_events
        self.custom_trace_id_callback = custom_trace_id_callback
        self.post_processing_timeout_s = post_processing_timeout_s
        self.use_device: str | None = None
        if ProfilerActivity.CUDA in acts:
            self.use_device = "cuda"
        elif ProfilerActivity.XPU in acts:
            self.use_device = "xpu"
        self.preset_metadata: dict[str, str] = {}
        self._trace_metadata: dict[str, Any] = {}
        self.profiler: _Profile | None = None
        if schedule:
            self.schedule = schedule
            self.record_steps = True
        else:
            self.schedule = _default_schedule_fn
            self.record_steps = False
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.step_rec_fn: record_function | None = None
        self.current_action = self._checked(self.schedule(self.step_num))
        self._prev_schedule_action = self.current_action

    @staticmethod
    def _checked(action: ProfilerAction) -> ProfilerAction:
        if action == ProfilerAction.DEVICE_STOPPED:
            raise ValueError(
                "ProfilerAction.DEVICE_STOPPED is set internally by the profiler and must not "
                "be returned by a user-provided schedule"
            )
        return action

    # -- the trace lifecycle PyTorch's schedule drives ----------------------------------------
    def prepare_trace(self) -> None:
        if self.profiler is None:
            use_device = self.use_device
            if use_device == "cuda" and not _cuda_available():
                warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=4)
                use_device = None
            self.profiler = _Profile(
                self.record_shapes,
                self.profile_memory,
                self.with_stack,
                self.with_flops,
                use_device,
                self.acc_events,
            )
        self.profiler._prepare()

    def start_trace(self) -> None:
        assert self.profiler is not None
        self.profiler._start()
        self._trace_metadata = dict(self.preset_metadata)

    def stop_trace(self) -> None:
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before stopping trace")
        self.profiler._stop()

    def _trace_ready(self) -> None:
        if self.on_trace_ready:
            self.on_trace_ready(self)

    def _transit_action(self, prev: ProfilerAction, current: ProfilerAction | None) -> None:
        A = ProfilerAction
        prep, start, stop, ready = (
            self.prepare_trace,
            self.start_trace,
            self.stop_trace,
            self._trace_ready,
        )

        def warn(msg: str) -> Callable[[], None]:
            return lambda: warnings.warn(msg, stacklevel=4)

        recording = (A.RECORD, A.RECORD_AND_SAVE)
        actions: list[Callable[[], None]] = []
        if prev == A.NONE:
            if current == A.WARMUP:
                actions = [prep]
            elif current in recording:
                actions = [prep, start]
        elif prev == A.WARMUP:
            if current == A.NONE:
                actions = [warn("Incorrect schedule: WARMUP followed by NONE"), start, stop]
            elif current in recording:
                actions = [start]
            elif current is None:
                actions = [start, stop]
        elif prev == A.RECORD:
            if current == A.NONE:
                actions = [warn("Incorrect schedule: RECORD followed by NONE"), stop]
            elif current == A.WARMUP:
                actions = [warn("Incorrect schedule: RECORD followed by WARMUP"), stop]
            elif current is None:
                actions = [stop, ready]
        elif prev == A.RECORD_AND_SAVE:
            if current in (A.NONE, None):
                actions = [stop, ready]
            elif current == A.WARMUP:
                actions = [stop, ready, prep]
            elif current in recording:
                actions = [stop, ready, prep, start]
        for action in actions:
            action()

    def start(self) -> None:
        self._transit_action(ProfilerAction.NONE, self.current_action)
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def stop(self) -> None:
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        self._transit_action(self.current_action, None)
        self.current_action = self._prev_schedule_action

    def step(self) -> None:
        """Marks the start of the next step; the schedule decides what this step records."""
        if self.record_steps and self.step_rec_fn:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None
        prev = self.current_action
        action = self._checked(self.schedule(self.step_num + 1))
        self.step_num += 1
        self.current_action = self._prev_schedule_action = action
        self._transit_action(prev, action)
        if self.record_steps:
            self.step_rec_fn = record_function("ProfilerStep#" + str(self.step_num))
            self.step_rec_fn.__enter__()

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.stop()

    # -- results ------------------------------------------------------------------------------
    def _require(self, what: str) -> _Profile:
        if self.profiler is None:
            raise AssertionError(f"Profiler must be initialized before {what}")
        return self.profiler

    def events(self) -> EventList:
        """The unaggregated events of the last recorded cycle (or of this one, so far)."""
        return self._require("accessing events")._function_events()

    def key_averages(
        self,
        group_by_input_shape: bool = False,
        group_by_stack_n: int = 0,
        group_by_overload_name: bool = False,
    ) -> EventList:
        """Events averaged per name (optionally per input shapes/stack); ``.table()`` prints."""
        events = self._require("getting key averages")._function_events()
        return events.key_averages(group_by_input_shape, group_by_stack_n, group_by_overload_name)

    def export_chrome_trace(self, path: str, use_python_export: bool = False) -> None:
        """Writes the last cycle's events as Chrome trace JSON (gzipped if ``path`` ends .gz)."""
        events = self._require("exporting chrome trace")._function_events()
        meta = {k: v for k, v in self._trace_metadata.items()}
        _write_trace(path, list(events), meta, events._base_ns)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total") -> None:
        self._require("exporting stacks")._function_events().export_stacks(path, metric)

    def add_metadata(self, key: str, value: str) -> None:
        self._trace_metadata[key] = value

    def add_metadata_json(self, key: str, value: str) -> None:
        self._trace_metadata[key] = json.loads(value)

    def preset_metadata_json(self, key: str, value: str) -> None:
        self.preset_metadata[key] = json.loads(value)

    def toggle_collection_dynamic(self, enable: bool, activities: Iterable[Any]) -> None:
        # host ops are the only activity recorded; PyTorch's toggle affects device activity too
        return None

    def set_custom_trace_id_callback(self, callback: Callable[[], str]) -> None:
        self.custom_trace_id_callback = callback

    def get_trace_id(self) -> str | None:
        return None if self.profiler is None else ""
