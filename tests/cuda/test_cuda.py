"""numtorch.cuda without CUDA: what PyTorch's CPU build answers, so device checks and memory
bookkeeping in training scripts run unchanged."""

from __future__ import annotations

import pytest

import numtorch

_QUERIES = [
    ("is_available", ()),
    ("is_initialized", ()),
    ("device_count", ()),
    ("empty_cache", ()),
    ("memory_allocated", ()),
    ("max_memory_allocated", ()),
    ("memory_reserved", ()),
    ("max_memory_reserved", ()),
    ("is_bf16_supported", ()),
    ("get_rng_state_all", ()),
    ("seed", ()),
    ("seed_all", ()),
    ("manual_seed", (0,)),
    ("manual_seed_all", (0,)),
]
_REFUSED = [
    "get_device_name",
    "get_device_capability",
    "get_device_properties",
    "get_rng_state",
    "initial_seed",
    "mem_get_info",
]


@pytest.mark.parametrize(("name", "args"), _QUERIES)
def test_queries_answer_as_without_a_gpu(name, args):
    assert getattr(numtorch.cuda, name)(*args) in (False, 0, None, [])


@pytest.mark.parametrize("name", _REFUSED)
def test_device_details_are_refused(name):
    args = (0,) if name.startswith("get_device") else ()
    with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
        getattr(numtorch.cuda, name)(*args)


def test_device_context_and_rng_state_setters_are_accepted():
    with numtorch.cuda.device(0):
        pass
    numtorch.cuda.set_rng_state(numtorch.zeros(5, dtype=numtorch.uint8))
    numtorch.cuda.set_rng_state_all([])


@pytest.mark.parametrize(("name", "args"), _QUERIES)
def test_queries_match_torch(name, args):
    torch = pytest.importorskip("torch")
    assert getattr(numtorch.cuda, name)(*args) == getattr(torch.cuda, name)(*args)


@pytest.mark.parametrize("name", _REFUSED)
def test_refusals_match_torch(name):
    torch = pytest.importorskip("torch")
    args = (0,) if name.startswith("get_device") else ()
    with pytest.raises(AssertionError, match="^Torch not compiled with CUDA enabled$"):
        getattr(torch.cuda, name)(*args)
