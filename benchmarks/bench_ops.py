"""Reductions, indexing (read and write) and matmul on 1000x1000 float32, forward + backward:
numtorch vs PyTorch CPU (at its faster thread setting), side by side, as ratios.

    python benchmarks/bench_ops.py [--repeats N] [--markdown]

Each row builds a fresh leaf that requires grad, runs the op, reduces to a scalar with ``sum``
(or backward with a ones gradient) and calls backward; the time is the best of N rounds, the
libraries interleaved round by round so that background load hits them alike.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import numtorch

try:
    import torch
except ImportError:
    torch = None

N = 1000
TARGET = 1.2  # numtorch time <= TARGET x PyTorch's


def _cases():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, N)).astype(np.float32)
    w = rng.standard_normal((N, N)).astype(np.float32)
    rows = rng.integers(0, N, N // 2)
    mask = x > 0.5

    def idx(T):
        return T.from_numpy(rows)

    def msk(T):
        return T.from_numpy(mask)

    return (
        x,
        w,
        [
            ("sum", lambda T, a, b: a.sum()),
            ("mean(dim=1)", lambda T, a, b: a.mean(dim=1).sum()),
            ("max(dim=1)", lambda T, a, b: a.max(dim=1).values.sum()),
            ("std(dim=0)", lambda T, a, b: a.std(dim=0).sum()),
            ("logsumexp(dim=1)", lambda T, a, b: T.logsumexp(a, dim=1).sum()),
            ("x[rows] read", lambda T, a, b: a[idx(T)].sum()),
            ("x[mask] read", lambda T, a, b: a[msk(T)].sum()),
            ("x[:, ::2] read", lambda T, a, b: a[:, ::2].sum()),
            ("y[rows] = v write", lambda T, a, b: _write(a, idx(T), b[: N // 2]).sum()),
            ("y[mask] = 0 write", lambda T, a, b: _mask_write(a, msk(T)).sum()),
            ("matmul", lambda T, a, b: (a @ b).sum()),
        ],
    )


def _write(a, rows, values):
    y = a.clone()
    y[rows] = values
    return y


def _mask_write(a, mask):
    y = a * 1
    y[mask] = 0.0
    return y


def _time(fn, T, x, w, repeats, setup=None):
    best = float("inf")
    for round_ in range(repeats + 1):
        if setup:
            setup()
        a = T.from_numpy(x.copy()).requires_grad_()
        b = T.from_numpy(w.copy()).requires_grad_()
        start = time.perf_counter()
        fn(T, a, b).backward()
        elapsed = time.perf_counter() - start
        if round_:
            best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    x, w, cases = _cases()
    default_threads = torch.get_num_threads() if torch is not None else 0
    results = []
    for name, fn in cases:
        ours = _time(fn, numtorch, x, w, args.repeats)
        theirs = None
        if torch is not None:
            theirs = min(
                _time(fn, torch, x, w, args.repeats, setup=lambda n=n: torch.set_num_threads(n))
                for n in sorted({1, default_threads})
            )
            torch.set_num_threads(default_threads)
        results.append((name, ours, theirs))
    head = ("op (1000x1000 float32, forward + backward)", "numtorch ms", "PyTorch ms", "ratio")
    lines = [
        (
            name,
            f"{ours * 1e3:.2f}",
            f"{theirs * 1e3:.2f}" if theirs else "-",
            f"{ours / theirs:.2f}x" if theirs else "-",
        )
        for name, ours, theirs in results
    ]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(wd) for h, wd in zip(head, widths, strict=True)))
        for line in lines:
            print("  ".join(c.ljust(wd) for c, wd in zip(line, widths, strict=True)))
    if torch is not None:
        met = sum(1 for _, ours, theirs in results if ours <= TARGET * theirs)
        print(f"within {TARGET}x PyTorch: {met} of {len(results)} rows")


if __name__ == "__main__":
    main()
