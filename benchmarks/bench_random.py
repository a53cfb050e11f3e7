"""Time 10 million float32 normals and uniforms: numtorch._random vs torch vs NumPy's generator.

Run from the repository root:  python benchmarks/bench_random.py [--size N] [--repeats R]
Prints the best of R runs for each, and ratios to torch (when torch is importable).
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import time

import numpy as np

_MODULE_PATH = pathlib.Path(__file__).resolve().parents[1] / "src" / "numtorch" / "_random.py"


def _load_random_module():
    spec = importlib.util.spec_from_file_location("numtorch_random_bench", _MODULE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _best_time(function, repeats: int) -> float:
    function()  # warm-up: thread pool, scratch buffers, page faults
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    size, repeats = args.size, args.repeats

    random_module = _load_random_module()
    generator = random_module.Generator(0)
    numpy_generator = np.random.default_rng(0)
    try:
        import torch
    except ImportError:
        torch = None

    cases = {
        "normal float32": {
            "numtorch": lambda: random_module.normal(generator, (size,), np.float32),
            "numpy": lambda: numpy_generator.standard_normal(size, dtype=np.float32),
        },
        "uniform float32": {
            "numtorch": lambda: random_module.uniform(generator, (size,), np.float32),
            "numpy": lambda: numpy_generator.random(size, dtype=np.float32),
        },
    }
    if torch is not None:
        torch.manual_seed(0)
        cases["normal float32"]["torch"] = lambda: torch.randn(size)
        cases["uniform float32"]["torch"] = lambda: torch.rand(size)

    print(f"{size:,} elements, best of {repeats}")
    for case, implementations in cases.items():
        timings = {name: _best_time(fn, repeats) for name, fn in implementations.items()}
        reference = timings.get("torch")
        for name, seconds in timings.items():
            ratio = f"  {seconds / reference:5.2f}x torch" if reference else ""
            print(f"  {case:16s} {name:9s} {seconds * 1e3:8.1f} ms{ratio}")


if __name__ == "__main__":
    main()
