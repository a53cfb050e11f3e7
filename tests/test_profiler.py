"""numtorch.profiler and numtorch.autograd.profiler: recording, tables, traces, schedules."""

from __future__ import annotations

import json
import warnings

import pytest

import numtorch
from numtorch import profiler as P
from numtorch.autograd import profiler as legacy
from numtorch.autograd.function import Op

HEADER = [
    "Name",
    "Self CPU %",
    "Self CPU",
    "CPU total %",
    "CPU total",
    "CPU time avg",
    "# of Calls",
]


def _header_cells(table: str) -> list[str]:
    line = table.splitlines()[1]
    return [c.strip() for c in line.split("  ") if c.strip()]


def test_records_ops_and_ranges_and_restores_apply():
    original = Op.__dict__["apply"]
    with P.profile(activities=[P.ProfilerActivity.CPU]) as prof:
        assert Op.__dict__["apply"] is not original
        with P.record_function("block"):
            y = (numtorch.ones(2, 3) * 2).sum()
    assert Op.__dict__["apply"] is original
    assert not P._active
    names = [e.name for e in prof.events()]
    assert names[0] == "block" and "aten::mul" in names and "aten::sum" in names
    block = prof.events()[0]
    assert all(c.cpu_parent is block for c in block.cpu_children)
    assert block.cpu_time_total >= sum(c.cpu_time_total for c in block.cpu_children)
    assert y.item() == 12.0


def test_table_layout():
    with P.profile() as prof:
        numtorch.ones(3).neg().neg()
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=10)
    lines = table.splitlines()
    assert lines[0] == lines[2] == lines[-2] and set(lines[0]) == {"-", " "}
    assert _header_cells(table) == HEADER
    assert lines[-1].startswith("Self CPU time total: ")
    (row,) = [r for r in lines if "aten::neg" in r]
    assert row.split()[-1] == "2"
    assert table.endswith("\n")
    assert prof.key_averages().table(row_limit=0).count("aten::") == 0


def test_shapes_memory_flops_columns():
    a, b = numtorch.ones(2, 3), numtorch.ones(3, 4)
    with P.profile(record_shapes=True, profile_memory=True, with_flops=True) as prof:
        a.mm(b)
    avg = prof.key_averages(group_by_input_shape=True)
    cells = _header_cells(avg.table())
    assert cells[6:9] == ["CPU Mem", "Self CPU Mem", "# of Calls"]
    assert "Input Shapes" in cells and cells[-1] == "Total FLOPs"
    (mm,) = [e for e in avg if e.key == "aten::mm"]
    assert mm.input_shapes == [[2, 3], [3, 4]]
    assert mm.flops == 2 * 2 * 3 * 4
    assert mm.cpu_memory_usage == 2 * 4 * 4


def test_nested_profilers_and_zero_overhead_when_idle():
    original = Op.__dict__["apply"]
    with P.profile() as outer:
        numtorch.ones(1).exp()
        with P.profile() as inner:
            numtorch.ones(1).sin()
        assert Op.__dict__["apply"] is not original
        numtorch.ones(1).cos()
    assert Op.__dict__["apply"] is original
    assert [e.name for e in inner.events()] == ["aten::sin"]
    assert [e.name for e in outer.events()] == ["aten::exp", "aten::sin", "aten::cos"]
    with P.record_function("idle") as rf:  # no profiler: nothing recorded, nothing wrapped
        numtorch.ones(1).exp()
    assert rf._ranges == [] and Op.__dict__["apply"] is original


def test_restores_on_exception():
    original = Op.__dict__["apply"]
    with pytest.raises(ValueError), P.profile():
        numtorch.ones(1).exp()
        raise ValueError
    assert Op.__dict__["apply"] is original


def test_record_function_decorator():
    @P.record_function("deco")
    def f(x):
        return x * 2

    with P.profile() as prof:
        f(numtorch.ones(2))
        f(numtorch.ones(2))
    (deco,) = [e for e in prof.key_averages() if e.key == "deco"]
    assert deco.count == 2


def test_chrome_trace(tmp_path):
    with P.profile(record_shapes=True) as prof:
        with P.record_function("outer"):
            numtorch.ones(2).exp()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    doc = json.loads(path.read_text())
    spans = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert {e["name"] for e in spans} == {"outer", "aten::exp"}
    assert {e["cat"] for e in spans} == {"user_annotation", "cpu_op"}
    assert all(e["dur"] >= 0 for e in spans)


def test_schedule_actions():
    A = P.ProfilerAction
    s = P.schedule(wait=1, warmup=1, active=2, repeat=1)
    assert [s(i) for i in range(6)] == [A.NONE, A.WARMUP, A.RECORD, A.RECORD_AND_SAVE] + [
        A.NONE
    ] * 2
    s = P.schedule(skip_first=2, wait=0, warmup=1, active=1)
    assert [s(i) for i in range(6)] == [A.NONE, A.NONE, A.WARMUP, A.RECORD_AND_SAVE] * 1 + [
        A.WARMUP,
        A.RECORD_AND_SAVE,
    ]
    with pytest.warns(UserWarning, match="won't be using warmup"):
        P.schedule(wait=0, warmup=0, active=1)
    with pytest.raises(AssertionError):
        P.schedule(wait=0, warmup=1, active=0)


def test_schedule_drives_recording(tmp_path):
    P._warned.add(P._CYCLE_WARNING)  # once per process, as PyTorch
    ready = []

    def on_ready(prof):
        ready.append((prof.step_num, [e.key for e in prof.key_averages()]))

    sched = P.schedule(wait=1, warmup=1, active=2, repeat=2)
    with P.profile(schedule=sched, on_trace_ready=on_ready) as prof:
        for i in range(10):
            with P.record_function(f"it{i}"):
                numtorch.ones(1).exp()
            prof.step()
    assert [r[0] for r in ready] == [4, 8]
    assert ready[0][1] == ["ProfilerStep*", "it2", "aten::exp", "it3"]
    handler = P.tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w")
    with P.profile(
        schedule=P.schedule(wait=0, warmup=1, active=1, repeat=1), on_trace_ready=handler
    ) as p:
        for _ in range(3):
            numtorch.ones(1).exp()
            p.step()
    files = list((tmp_path / "tb").iterdir())
    assert len(files) == 1 and files[0].name.endswith(".pt.trace.json")
    json.loads(files[0].read_text())


def test_legacy_autograd_profiler():
    x = numtorch.ones(3, requires_grad=True)
    prof = legacy.profile(use_cuda=False)
    assert str(prof) == "<unfinished torch.autograd.profile>"
    with prof:
        with legacy.record_function("label-z"):
            (x * 2).sum()
    keys = [e.key for e in prof.key_averages()]
    assert keys[:2] == ["label-z", "aten::mul"]
    assert _header_cells(prof.key_averages().table(sort_by="self_cpu_time_total")) == HEADER
    assert prof.self_cpu_time_total == pytest.approx(prof.function_events.self_cpu_time_total)
    with pytest.warns(FutureWarning, match="use_cuda"), pytest.warns(UserWarning, match="CUDA"):
        legacy.profile(use_cuda=True)


def test_matches_torch_headers_and_activities():
    torch = pytest.importorskip("torch")
    assert [a.name for a in P.ProfilerActivity] == [
        a for a in ("CPU", "XPU", "CUDA", "HPU", "MTIA", "PrivateUse1")
    ]
    for name, member in torch.profiler.ProfilerActivity.__members__.items():
        assert P.ProfilerActivity[name].value == int(member)
    assert [a.value for a in P.ProfilerAction] == [a.value for a in torch.profiler.ProfilerAction]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.profiler.profile() as tp:
            torch.ones(2) * 2
    with P.profile() as np_:
        numtorch.ones(2) * 2
    assert _header_cells(np_.key_averages().table()) == _header_cells(tp.key_averages().table())
    ts = torch.profiler.schedule(wait=2, warmup=1, active=3, repeat=2, skip_first=1)
    ns = P.schedule(wait=2, warmup=1, active=3, repeat=2, skip_first=1)
    assert [ns(i).value for i in range(20)] == [ts(i).value for i in range(20)]
