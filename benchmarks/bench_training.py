"""One training step of an MLP and of a LeNet-style CNN: numtorch vs PyTorch CPU, time and
peak memory, side by side in one run.

    python benchmarks/bench_training.py [--repeats N] [--rounds R] [--markdown]

* MLP: 784-1024-1024-10 with ReLU, batch 256, cross-entropy, SGD(lr=0.01).
* CNN: LeNet-5 on 1x28x28 (conv 6@5x5, pool, conv 16@5x5, pool, 120, 84, 10), batch 128.
A step is zero_grad + forward + loss + backward + optimizer step. Time: best of N steps after
two warm-up steps (PyTorch at 1 thread and at its default, the faster reported), best of R
rounds that alternate the libraries; peak memory, the largest of the rounds. Peak memory:
the process's peak resident set size (VmHWM) while it builds the model and the batch and runs
the steps, minus what it held after importing the library, each library in its own subprocess
(Linux only; 0 elsewhere).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

TARGETS = {"mlp": 1.0, "cnn": 1.5}  # numtorch time <= target x PyTorch time
MEMORY_TARGET = 1.3


def _model(torch, kind):
    nn = torch.nn
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 1024),
            nn.ReLU(),
            nn.Linear(1024, 1024),
            nn.ReLU(),
            nn.Linear(1024, 10),
        ), 256
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    ), 128


def _child(lib: str, kind: str, repeats: int, threads: int) -> None:
    """Runs in a subprocess: prints a JSON line with the best step time and peak memory."""
    torch = __import__(lib)
    if lib == "torch" and threads:
        torch.set_num_threads(threads)
    # peak resident memory from here on (model, data, steps) above what the process held
    # after importing: Linux resets the high-water mark (VmHWM) when "5" is written to
    # clear_refs. Counting from before the model is made keeps freed memory that an allocator
    # holds on to for reuse from hiding in the baseline.
    baseline = _reset_peak()
    torch.manual_seed(0)
    model, batch = _model(torch, kind)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    step()
    step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    peak = _status_kb("VmHWM") - baseline if baseline is not None else 0
    print(json.dumps({"ms": best * 1e3, "peak_mb": peak / 1024}))


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _status_kb("VmRSS")
    except OSError:
        return None


def _run(lib, kind, repeats, threads=0):
    out = subprocess.run(
        [sys.executable, __file__, "--child", lib, kind, str(repeats), str(threads)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _combine(runs):
    return {"ms": min(r["ms"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        lib, kind, repeats, threads = args.child
        _child(lib, kind, int(repeats), int(threads))
        return
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
    rows = []
    for kind in ("mlp", "cnn"):
        # rounds alternate the libraries, so that a burst of load from elsewhere on the
        # machine does not land on one of them only; time is the best round, memory the worst
        ours_runs, their_runs = [], []
        for _ in range(args.rounds):
            ours_runs.append(_run("numtorch", kind, args.repeats))
            if have_torch:
                their_runs += [_run("torch", kind, args.repeats, t) for t in (1, 0)]
        ours = _combine(ours_runs)
        theirs = _combine(their_runs) if their_runs else None
        rows.append((kind, ours, theirs))

    head = [
        "model",
        "numtorch ms",
        "PyTorch ms",
        "time ratio",
        "numtorch MB",
        "PyTorch MB",
        "memory ratio",
    ]
    lines = []
    for kind, ours, theirs in rows:
        t_ratio = f"{ours['ms'] / theirs['ms']:.2f}x" if theirs else "-"
        m_ratio = (
            f"{ours['peak_mb'] / theirs['peak_mb']:.2f}x" if theirs and theirs["peak_mb"] else "-"
        )
        lines.append(
            [
                kind,
                f"{ours['ms']:.1f}",
                f"{theirs['ms']:.1f}" if theirs else "-",
                t_ratio,
                f"{ours['peak_mb']:.0f}",
                f"{theirs['peak_mb']:.0f}" if theirs else "-",
                m_ratio,
            ]
        )
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        for line in lines:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))
    for kind, ours, theirs in rows:
        if theirs:
            met = ours["ms"] <= TARGETS[kind] * theirs["ms"]
            print(f"target {'met' if met else 'MISSED'}  {kind} step <= {TARGETS[kind]}x PyTorch")
            if theirs["peak_mb"]:
                met = ours["peak_mb"] <= MEMORY_TARGET * theirs["peak_mb"]
                print(
                    f"target {'met' if met else 'MISSED'}  {kind} peak memory <= "
                    f"{MEMORY_TARGET}x PyTorch"
                )


if __name__ == "__main__":
    main()
