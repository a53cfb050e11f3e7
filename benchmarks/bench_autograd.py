"""Autograd overhead and throughput: numtorch vs PyTorch (CPU) vs hand-written NumPy.

Run from the repository root:  python benchmarks/bench_autograd.py [--quick] [--markdown]

Two chains of ops, each run forward only and forward + backward:

* ``y = y * a + b``  -- two ops per step (a multiply and an add);
* ``y = sin(y)``     -- one op per step;

on a 1-element float32 tensor (1000 steps: the cost is the per-op overhead of the framework)
and on a 1000x1000 float32 tensor (20 steps: the cost is the arithmetic).

What is timed, the same in all three:

* only the starting tensor ``y0`` requires grad; ``a`` and ``b`` are constant tensors of the
  same shape as ``y`` (so the backward pass computes the gradient of ``y0`` alone);
* "forward" runs the chain with grad recording on (the graph is built, then dropped);
* "forward + backward" also runs ``y.backward(gradient=ones)``;
* NumPy runs the same forward arithmetic and a hand-written backward:
  ``grad = grad * a`` per ``y * a + b`` step, ``grad = grad * cos(y_prev)`` per ``sin`` step,
  keeping the forward inputs that the backward needs (as an autograd engine saves them).

Times are microseconds per forward op (``y * a + b`` counts as two), the backward's time
included in the "forward + backward" rows; each is the best of several runs after a warm-up,
with ``time.perf_counter`` and the garbage collector left on; the runs of the three libraries
are interleaved, so that load from elsewhere on the machine hits them alike. PyTorch runs at one
thread and at its default thread count, and the faster of the two is reported.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import sys
import time

import numpy as np

try:
    import numtorch
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "src"))
    try:
        import numtorch
    except ImportError as error:
        print(f"numtorch is not importable ({error}); its column will be empty")
        numtorch = None
if numtorch is not None and not hasattr(numtorch, "Tensor"):  # a bare namespace package
    print("numtorch is not importable (no numtorch/__init__.py); its column will be empty")
    numtorch = None

try:
    import torch
except ImportError:
    torch = None


# -- the chains, once for numtorch and PyTorch (the same API) and once for NumPy ------------


def _lib_chain(op, backward):
    def run(y0, a, b, ones, steps):
        y = y0
        if op == "muladd":
            for _ in range(steps):
                y = y * a + b
        else:
            for _ in range(steps):
                y = y.sin()
        if backward:
            y.backward(ones)
        return y

    return run


def _numpy_chain(op, backward):
    def run(y0, a, b, ones, steps):
        y = y0
        if op == "muladd":
            for _ in range(steps):
                y = y * a + b
            if backward:
                grad = ones
                for _ in range(steps):
                    grad = grad * a  # d(y*a + b)/dy; the add passes grad through
                return grad
            return y
        if not backward:
            for _ in range(steps):
                y = np.sin(y)
            return y
        saved = []
        for _ in range(steps):
            saved.append(y)
            y = np.sin(y)
        grad = ones
        for y_prev in reversed(saved):
            grad = grad * np.cos(y_prev)
        return grad

    return run


# -- timing ----------------------------------------------------------------------------------


def _best_interleaved(contenders, repeats):
    """Best wall time of each contender over ``repeats`` rounds, after one warm-up call each.

    ``contenders`` maps a name to ``(run, make_args, setup)``. Each round times every contender
    once, so that a burst of load from elsewhere on the machine hits all of them alike.
    """
    best = dict.fromkeys(contenders, float("inf"))
    for round_ in range(repeats + 1):
        for name, (run, make_args, setup) in contenders.items():
            setup()
            args = make_args()  # fresh leaves (no accumulated .grad), outside the timed region
            start = time.perf_counter()
            run(*args)
            elapsed = time.perf_counter() - start
            if round_:  # round 0 is the warm-up
                best[name] = min(best[name], elapsed)
    return best


def _inputs(shape):
    rng = np.random.default_rng(0)
    y0 = rng.uniform(-1.0, 1.0, shape).astype(np.float32)
    a = np.full(shape, 0.999, np.float32)
    b = np.full(shape, 0.001, np.float32)
    return y0, a, b, np.ones(shape, np.float32)


def _lib_args(lib, arrays, steps):
    y0, a, b, ones = arrays

    def make():
        leaf = lib.from_numpy(y0.copy()).requires_grad_()
        return leaf, lib.from_numpy(a), lib.from_numpy(b), lib.from_numpy(ones), steps

    return make


def _nothing():
    pass


def _threads(n):
    return lambda: torch.set_num_threads(n)


def _time_case(op, backward, shape, steps, repeats):
    arrays = _inputs(shape)
    contenders = {}
    if numtorch is not None:
        contenders["numtorch"] = (
            _lib_chain(op, backward),
            _lib_args(numtorch, arrays, steps),
            _nothing,
        )
    if torch is not None:
        for threads in sorted({1, _TORCH_DEFAULT_THREADS}):
            contenders[f"torch {threads}"] = (
                _lib_chain(op, backward),
                _lib_args(torch, arrays, steps),
                _threads(threads),
            )
    contenders["numpy"] = (_numpy_chain(op, backward), lambda: (*arrays, steps), _nothing)
    best = _best_interleaved(contenders, repeats)
    if torch is not None:
        torch.set_num_threads(_TORCH_DEFAULT_THREADS)

    ops = steps * (2 if op == "muladd" else 1)
    result = {name: t / ops * 1e6 for name, t in best.items() if not name.startswith("torch")}
    torch_times = {int(name.split()[1]): t for name, t in best.items() if name.startswith("torch")}
    if torch_times:
        threads = min(torch_times, key=torch_times.get)
        result["torch"] = torch_times[threads] / ops * 1e6
        result["torch_threads"] = threads
    return result


_TORCH_DEFAULT_THREADS = torch.get_num_threads() if torch is not None else 1


# -- report ----------------------------------------------------------------------------------


def _fmt(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(x, y):
    return "n/a" if x is None or y is None else f"{x / y:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer steps and runs: a smoke test")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument(
        "--repeats", type=int, help="timed runs per case (default 20 for 1 element, 10 for big)"
    )
    args = parser.parse_args()

    if args.quick:
        small_steps, small_repeats, big_steps, big_repeats = 100, 3, 3, 1
    else:
        small_steps, small_repeats, big_steps, big_repeats = 1000, 20, 20, 10
    if args.repeats:
        small_repeats = big_repeats = args.repeats

    versions = [f"numpy {np.__version__}"]
    if numtorch is not None:
        versions.insert(0, f"numtorch {getattr(numtorch, '__version__', '?')}")
    if torch is not None:
        versions.insert(1, f"torch {torch.__version__} (threads: 1 or {_TORCH_DEFAULT_THREADS})")
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}; " + ", ".join(versions)
    )
    print(
        f"1-element: {small_steps} steps, best of {small_repeats}; "
        f"1000x1000 float32: {big_steps} steps, best of {big_repeats}"
    )
    print("microseconds per forward op (y*a+b = 2 ops); only y0 requires grad")
    print()

    header = "chain size pass numtorch PyTorch NumPy numtorch/PyTorch numtorch/NumPy".split()
    rows = []
    checks = []
    for size, shape, steps, repeats in [
        ("1", (1,), small_steps, small_repeats),
        ("1000x1000", (1000, 1000), big_steps, big_repeats),
    ]:
        for op, chain in [("muladd", "y*a+b"), ("sin", "sin(y)")]:
            for backward in (False, True):
                r = _time_case(op, backward, shape, steps, repeats)
                nt, pt, npy = r.get("numtorch"), r.get("torch"), r["numpy"]
                pt_text = _fmt(pt)
                if pt is not None:
                    pt_text += f" ({r['torch_threads']}t)"
                rows.append(
                    [
                        chain,
                        size,
                        "fwd+bwd" if backward else "fwd",
                        _fmt(nt),
                        pt_text,
                        _fmt(npy),
                        _ratio(nt, pt),
                        _ratio(nt, npy),
                    ]
                )
                print("  ".join(rows[-1]), file=sys.stderr, flush=True)  # progress
                if size == "1" and backward and nt is not None and pt is not None:
                    checks.append((f"1-element {chain} fwd+bwd <= 0.5x PyTorch", nt / pt <= 0.5))
                if size != "1" and nt is not None:
                    checks.append(
                        (f"1000x1000 {chain} {rows[-1][2]} <= 1.1x NumPy", nt / npy <= 1.1)
                    )

    print()
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print("(PyTorch column: the faster of 1 thread and the default, marked 1t or Nt)")
    if checks:
        print()
        for label, ok in checks:
            print(f"target {'met   ' if ok else 'MISSED'}  {label}")


if __name__ == "__main__":
    main()
