"""Public random API (numtorch.rand & co, Generator, numtorch.random) bit-identical to torch.

Live-torch tests use ``pytest.importorskip("torch")``; the golden tests replay hashes recorded
from torch 2.13 (``tests/data/random_api_golden.json``). Regenerate with torch installed:
``python tests/test_random_api.py --regenerate-golden``.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys

import numpy as np
import pytest

import numtorch
import numtorch.random

GOLDEN_PATH = pathlib.Path(__file__).resolve().parent / "data" / "random_api_golden.json"
SEEDS = [0, 1, 7, 2024, 2**40 + 5]
GOLDEN_SEEDS = [0, 7]


def _cases():
    """name -> fn(module) drawing from the default generator (or a seeded Generator)."""

    def gen(m):
        return m.Generator().manual_seed(11)

    cases = {}
    for dt in ("float32", "float64"):
        for n in (5, 16, 37):
            cases[f"rand_{dt}_{n}"] = lambda m, dt=dt, n=n: m.rand(n, dtype=getattr(m, dt))
            cases[f"randn_{dt}_{n}"] = lambda m, dt=dt, n=n: m.randn(n, dtype=getattr(m, dt))
            cases[f"uniform_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).uniform_(-2, 3)
            cases[f"normal__{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).normal_(1.5, 2.0)
            cases[f"exponential_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).exponential_(2.0)
            cases[f"bernoulli__{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).bernoulli_(0.3)
            cases[f"geometric_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).geometric_(0.3)
            cases[f"cauchy_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).cauchy_(1.0, 0.5)
            cases[f"log_normal_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).log_normal_(0.5, 0.7)
            cases[f"random__{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).random_()
            cases[f"random_10_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).random_(10)
            cases[f"rand_like_{dt}_{n}"] = lambda m, dt=dt, n=n: m.rand_like(
                m.zeros(n, dtype=getattr(m, dt))
            )
            cases[f"randn_like_{dt}_{n}"] = lambda m, dt=dt, n=n: m.randn_like(
                m.zeros(n, dtype=getattr(m, dt))
            )
        # non-contiguous fills: memory order, scalar Box-Muller
        cases[f"t_normal__{dt}"] = lambda m, dt=dt: (
            m.zeros(4, 5, dtype=getattr(m, dt)).t().normal_()
        )
        cases[f"t_uniform__{dt}"] = lambda m, dt=dt: (
            m.zeros(6, 5, dtype=getattr(m, dt)).t().uniform_()
        )
        cases[f"slice_normal__{dt}"] = lambda m, dt=dt: m.zeros(40, dtype=getattr(m, dt))[
            ::2
        ].normal_()
        cases[f"t_exponential__{dt}"] = lambda m, dt=dt: (
            m.zeros(3, 7, dtype=getattr(m, dt)).t().exponential_()
        )
        cases[f"normal_tt_{dt}"] = lambda m, dt=dt: m.normal(
            m.arange(20, dtype=getattr(m, dt)), m.ones(20, dtype=getattr(m, dt))
        )
        cases[f"bernoulli_{dt}"] = lambda m, dt=dt: m.bernoulli(
            m.full((20,), 0.4, dtype=getattr(m, dt))
        )
        cases[f"poisson_{dt}"] = lambda m, dt=dt: m.poisson(
            m.tensor([0.5, 3.0, 12.0, 40.0, 0.0], dtype=getattr(m, dt))
        )
        cases[f"multinomial_r_{dt}"] = lambda m, dt=dt: m.multinomial(
            m.tensor([0.1, 0.2, 0.7], dtype=getattr(m, dt)), 8, replacement=True
        )
        cases[f"multinomial_{dt}"] = lambda m, dt=dt: m.multinomial(
            m.tensor([[0.1, 0.2, 0.7, 0.5], [1.0, 2.0, 3.0, 4.0]], dtype=getattr(m, dt)), 3
        )
    for dt in ("int64", "int32", "int16", "int8", "uint8", "bool"):
        for n in (5, 20):
            cases[f"random__{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                n, dtype=getattr(m, dt)
            ).random_()
            if dt != "bool":
                cases[f"random_3_9_{dt}_{n}"] = lambda m, dt=dt, n=n: m.zeros(
                    n, dtype=getattr(m, dt)
                ).random_(3, 9)
                cases[f"randint_{dt}_{n}"] = lambda m, dt=dt, n=n: m.randint(
                    0, 100, (n,), dtype=getattr(m, dt)
                )
                cases[f"randint_like_{dt}_{n}"] = lambda m, dt=dt, n=n: m.randint_like(
                    m.zeros(n, dtype=getattr(m, dt)), 2, 50
                )
        cases[f"t_random__{dt}"] = lambda m, dt=dt: (
            m.zeros(4, 5, dtype=getattr(m, dt)).t().random_()
        )
    cases.update(
        {
            "randint_high": lambda m: m.randint(10, (3, 4)),
            "randint_size_kw": lambda m: m.randint(10, size=(6,)),
            "randint_all_kw": lambda m: m.randint(low=-5, high=5, size=(6,)),
            "randint_big": lambda m: m.randint(0, 2**40, (6,)),
            "randperm_10": lambda m: m.randperm(10),
            "randperm_100_f": lambda m: m.randperm(100, dtype=m.float32),
            "normal_ff": lambda m: m.normal(2.0, 3.0, (20,)),
            "normal_ff_small": lambda m: m.normal(2.0, 3.0, size=(3,)),
            "normal_tf": lambda m: m.normal(m.zeros(20), 2.0),
            "normal_ft": lambda m: m.normal(1.0, m.ones(3, 7)),
            "normal_t": lambda m: m.normal(m.zeros(17)),
            "bernoulli_p": lambda m: m.bernoulli(m.zeros(20), 0.3),
            "bernoulli__tensor_p": lambda m: m.zeros(20).bernoulli_(m.full((20,), 0.3)),
            "rand_f16": lambda m: m.rand(20, dtype=m.float16),
            "randn_f16": lambda m: m.randn(20, dtype=m.float16),
            "rand_2d": lambda m: m.rand(3, 7),
            "randn_size_tuple": lambda m: m.randn((4, 5)),
            "rand_out": lambda m: m.rand(3, out=m.empty(3)),
            "interleaved": lambda m: m.stack(
                [m.randn(3), m.rand(3), m.randn(3, dtype=m.float64).float()]
            ),
            "gen_rand": lambda m: m.rand(5, generator=gen(m)),
            "gen_randn": lambda m: m.randn(20, generator=gen(m)),
            "gen_normal_": lambda m: m.zeros(20).normal_(generator=gen(m)),
            "gen_uniform_": lambda m: m.zeros(5).uniform_(1, 2, generator=gen(m)),
            "gen_randint": lambda m: m.randint(0, 5, (20,), generator=gen(m)),
            "gen_randperm": lambda m: m.randperm(20, generator=gen(m)),
            "gen_bernoulli": lambda m: m.bernoulli(m.full((20,), 0.3), generator=gen(m)),
            "gen_multinomial": lambda m: m.multinomial(m.ones(20), 3, generator=gen(m)),
            "gen_poisson": lambda m: m.poisson(m.ones(20), generator=gen(m)),
            "gen_normal": lambda m: m.normal(0.0, 1.0, (20,), generator=gen(m)),
            "gen_exponential_": lambda m: m.zeros(7).exponential_(generator=gen(m)),
            "gen_random_": lambda m: m.zeros(7, dtype=m.int64).random_(generator=gen(m)),
            "gen_state": lambda m: gen(m).get_state(),
        }
    )
    return cases


CASES = _cases()


def _run(m, name, seed):
    m.manual_seed(seed)
    out = CASES[name](m)
    values = np.ascontiguousarray(out.numpy())
    state = m.get_rng_state().numpy()
    return values, state


def _digest(values, state) -> str:
    h = hashlib.sha256()
    h.update(str(values.dtype).encode())
    h.update(str(values.shape).encode())
    h.update(values.tobytes())
    h.update(state.tobytes())
    return h.hexdigest()[:20]


@pytest.mark.parametrize("seed", SEEDS)
def test_all_cases_match_torch(seed):
    torch = pytest.importorskip("torch")
    for name in CASES:
        ref_values, ref_state = _run(torch, name, seed)
        values, state = _run(numtorch, name, seed)
        assert values.dtype == ref_values.dtype, name
        assert values.shape == ref_values.shape, name
        assert torch.equal(torch.from_numpy(values), torch.from_numpy(ref_values)), name
        assert values.tobytes() == ref_values.tobytes(), name
        assert state.tobytes() == ref_state.tobytes(), name


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN_PATH.read_text())


def test_golden_digests(golden):
    digests = golden["digests"]
    assert set(digests) == {f"{name}@{seed}" for name in CASES for seed in GOLDEN_SEEDS}
    for key, expected in digests.items():
        name, seed = key.rsplit("@", 1)
        assert _digest(*_run(numtorch, name, int(seed))) == expected, key


def test_golden_literals(golden):
    for key, expected in golden["literals"].items():
        name, seed = key.rsplit("@", 1)
        values, _ = _run(numtorch, name, int(seed))
        assert values.reshape(-1).tolist() == expected, key


def test_known_values_without_golden_file():
    numtorch.manual_seed(0)
    assert numtorch.rand(2).tolist() == [0.49625658988952637, 0.7682217955589294]
    numtorch.manual_seed(0)
    assert numtorch.randint(10, (3,)).tolist() == [4, 9, 3]
    g = numtorch.Generator().manual_seed(0)
    assert numtorch.randperm(5, generator=g).tolist() == [4, 0, 1, 3, 2]


# -- generator objects and state ------------------------------------------------------------------


def test_generator_object_api():
    g = numtorch.Generator()
    assert g.manual_seed(5) is g
    assert g.initial_seed() == 5
    assert g.device == numtorch.device("cpu")
    state = g.get_state()
    assert state.dtype == numtorch.uint8 and state.shape == (5056,)
    a = numtorch.randn(20, generator=g)
    g.set_state(state)
    assert numtorch.equal(numtorch.randn(20, generator=g), a)
    # a separate generator does not touch the default one
    numtorch.manual_seed(3)
    before = numtorch.get_rng_state()
    numtorch.rand(4, generator=numtorch.Generator().manual_seed(1))
    assert numtorch.equal(numtorch.get_rng_state(), before)
    with pytest.raises(TypeError):
        g.set_state(numtorch.zeros(5056))
    with pytest.raises(RuntimeError, match="CPUGeneratorImplState of size 5056"):
        g.set_state(numtorch.zeros(10, dtype=numtorch.uint8))
    new = g.seed()
    assert g.initial_seed() == new


def test_state_round_trip_with_torch():
    torch = pytest.importorskip("torch")
    for seed in SEEDS:
        torch.manual_seed(seed)
        torch.randn(7)  # leaves a cached normal in the state
        numtorch.set_rng_state(numtorch.from_numpy(torch.get_rng_state().numpy().copy()))
        assert numtorch.equal(numtorch.randn(33), numtorch.from_numpy(torch.randn(33).numpy()))
        assert numtorch.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()
        g, tg = numtorch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
        numtorch.rand(5, generator=g)
        torch.rand(5, generator=tg)
        assert g.get_state().numpy().tobytes() == tg.get_state().numpy().tobytes()
        tg.set_state(torch.from_numpy(g.get_state().numpy().copy()))
        assert torch.equal(
            torch.randint(0, 9, (9,), generator=tg),
            torch.from_numpy(numtorch.randint(0, 9, (9,), generator=g).numpy()),
        )


def test_random_module_api():
    r = numtorch.random
    assert r.default_generator is numtorch.default_generator
    assert r.manual_seed(17) is r.default_generator
    assert r.initial_seed() == 17
    state = r.get_rng_state()
    a = numtorch.rand(5)
    r.set_rng_state(state)
    assert numtorch.equal(numtorch.rand(5), a)
    s = r.seed()
    assert isinstance(s, int) and r.initial_seed() == s


def test_fork_rng_restores_state():
    numtorch.manual_seed(0)
    with numtorch.random.fork_rng():
        numtorch.randn(5)
        numtorch.manual_seed(99)
    assert numtorch.rand(2).tolist() == [0.49625658988952637, 0.7682217955589294]
    numtorch.manual_seed(0)
    with numtorch.random.fork_rng(devices=[], enabled=False):
        numtorch.rand(2)
    assert numtorch.rand(2).tolist() != [0.49625658988952637, 0.7682217955589294]
    numtorch.manual_seed(0)
    with pytest.raises(KeyError), numtorch.random.fork_rng():
        numtorch.rand(3)
        raise KeyError("restored even on error")
    assert numtorch.rand(2).tolist() == [0.49625658988952637, 0.7682217955589294]


def test_fork_rng_matches_torch():
    torch = pytest.importorskip("torch")
    for m in (torch, numtorch):
        m.manual_seed(4)
        with m.random.fork_rng():
            m.randn(30)
    assert numtorch.rand(9).numpy().tobytes() == torch.rand(9).numpy().tobytes()


def test_errors_match_torch_text():
    with pytest.raises(
        NotImplementedError, match="\"check_uniform_bounds\" not implemented for 'Long'"
    ):
        numtorch.rand(3, dtype=numtorch.int64)
    with pytest.raises(
        NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Long'"
    ):
        numtorch.zeros(3, dtype=numtorch.int64).normal_()
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1$"):
        numtorch.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="from=5 >= to=3"):
        numtorch.randint(5, 3, (2,))
    with pytest.raises(RuntimeError, match="negative dimension"):
        numtorch.rand(-3)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        numtorch.randint(0, 3, (2,), requires_grad=True)
    assert numtorch.randn(3, requires_grad=True).requires_grad


def _regenerate_golden() -> None:
    import torch

    digests = {}
    for name in CASES:
        for seed in GOLDEN_SEEDS:
            digests[f"{name}@{seed}"] = _digest(*_run(torch, name, seed))
    literals = {}
    for name in (
        "randn_float32_16",
        "rand_float64_5",
        "randint_int64_5",
        "t_normal__float32",
        "randperm_10",
        "gen_randn",
    ):
        values, _ = _run(torch, name, 0)
        literals[f"{name}@0"] = values.reshape(-1).tolist()
    GOLDEN_PATH.write_text(
        json.dumps(
            {"torch": torch.__version__, "digests": digests, "literals": literals},
            indent=0,
            sort_keys=True,
        )
        + "\n"
    )


if __name__ == "__main__" and "--regenerate-golden" in sys.argv:
    _regenerate_golden()
