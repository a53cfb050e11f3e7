"""numtorch.amp and numtorch.cuda.amp: autocast state and warnings, GradScaler on the CPU."""

from __future__ import annotations

import doctest
import importlib
import pickle
import warnings

import pytest

import numtorch

CUDA_AUTOCAST = "CUDA is not available or torch_xla is imported. Disabling autocast."
CUDA_SCALER = "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling."


@pytest.mark.parametrize(
    "name",
    ["numtorch.amp", "numtorch.amp.autocast_mode", "numtorch.amp.grad_scaler", "numtorch.cuda.amp"],
)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, globs={"numtorch": numtorch})
    assert result.attempted > 0 and result.failed == 0


def test_autocast_is_one_object():
    assert numtorch.amp.autocast is numtorch.autocast
    assert numtorch.cuda.amp is importlib.import_module("numtorch.cuda.amp")


def test_cpu_autocast_state_nests_and_restores():
    assert not numtorch.is_autocast_enabled("cpu")
    assert numtorch.get_autocast_dtype("cpu") is numtorch.bfloat16
    with numtorch.autocast("cpu") as region:
        assert isinstance(region, numtorch.autocast)
        assert numtorch.is_autocast_enabled("cpu")
        assert not numtorch.is_autocast_enabled()  # no device: CUDA's state, as torch
        with numtorch.autocast("cpu", enabled=False):
            assert not numtorch.is_autocast_enabled("cpu")
        with numtorch.autocast("cpu", dtype=numtorch.float16, cache_enabled=False):
            assert numtorch.get_autocast_dtype("cpu") is numtorch.float16
            assert not numtorch.is_autocast_cache_enabled()
        assert numtorch.get_autocast_dtype("cpu") is numtorch.bfloat16
    assert not numtorch.is_autocast_enabled("cpu")
    assert numtorch.is_autocast_cache_enabled()


def test_autocast_decorates():
    @numtorch.autocast("cpu")
    def inside():
        return numtorch.is_autocast_enabled("cpu")

    assert inside() is True
    assert numtorch.is_autocast_enabled("cpu") is False
    with pytest.raises(TypeError, match="requires a callable"):
        numtorch.autocast("cpu")(3)


def test_autocast_leaves_computation_dtypes_alone():
    x = numtorch.ones(2, 2)
    with numtorch.autocast("cpu", enabled=False):
        assert (x @ x).dtype is numtorch.float32


def test_cuda_autocast_warns_and_disables():
    with pytest.warns(UserWarning, match=CUDA_AUTOCAST):
        region = numtorch.autocast("cuda")
    with region:
        assert not numtorch.is_autocast_enabled("cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numtorch.autocast("cuda", enabled=False)


def test_unsupported_cpu_dtype_warns_and_disables():
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported"):
        region = numtorch.autocast("cpu", dtype=numtorch.float64)
    with region:
        assert not numtorch.is_autocast_enabled("cpu")


def test_autocast_device_errors():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        numtorch.autocast(1)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        numtorch.autocast("xyz")
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'meta'"):
        numtorch.autocast("meta")


def test_deprecated_autocast_getters_warn():
    with pytest.warns(DeprecationWarning, match="is_autocast_cpu_enabled"):
        assert numtorch.is_autocast_cpu_enabled() is False
    with pytest.warns(DeprecationWarning):
        assert numtorch.get_autocast_gpu_dtype() is numtorch.float16


def test_cuda_amp_deprecations_then_disable():
    with pytest.warns(FutureWarning, match=r"`torch.cuda.amp.autocast\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match=CUDA_AUTOCAST):
            numtorch.cuda.amp.autocast()
    with pytest.warns(FutureWarning, match=r"`torch.cuda.amp.GradScaler\(args...\)`"):
        with pytest.warns(UserWarning, match=CUDA_SCALER):
            scaler = numtorch.cuda.amp.GradScaler()
    assert not scaler.is_enabled()
    with pytest.warns(FutureWarning):
        assert not numtorch.cuda.amp.GradScaler(enabled=False).is_enabled()


def _setup(device="cpu", **kwargs):
    numtorch.manual_seed(0)
    model = numtorch.nn.Linear(3, 1)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.1)
    return model, opt, numtorch.amp.GradScaler(device, **kwargs)


def test_disabled_scaler_is_transparent():
    with pytest.warns(UserWarning, match=CUDA_SCALER):
        model, opt, scaler = _setup("cuda")
    loss = model(numtorch.ones(2, 3)).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    before = model.weight.detach().clone()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert not numtorch.equal(before, model.weight.detach())
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {}


def test_cpu_scaler_gives_the_plain_step():
    model, opt, scaler = _setup(init_scale=1024.0)
    ref, ref_opt, _ = _setup()
    x = numtorch.randn(4, 3)
    scaled = scaler.scale(model(x).sum())
    assert scaled.item() == pytest.approx(model(x).sum().item() * 1024.0, rel=1e-6)
    scaled.backward()
    ref(x).sum().backward()
    scaler.step(opt)
    ref_opt.step()
    scaler.update()
    numtorch.testing.assert_close(model.weight, ref.weight)


def test_cpu_scaler_skips_overflowing_steps_and_backs_off():
    model, opt, scaler = _setup(init_scale=8.0, growth_interval=2)
    before = model.weight.detach().clone()
    scaler.scale(model(numtorch.ones(1, 3)).sum()).backward()
    model.weight.grad[0, 0] = float("inf")
    assert scaler.step(opt) is None
    scaler.update()
    assert numtorch.equal(model.weight.detach(), before)
    assert scaler.get_scale() == 4.0
    for expected in (4.0, 8.0):
        opt.zero_grad()
        scaler.scale(model(numtorch.ones(1, 3)).sum()).backward()
        scaler.step(opt)
        scaler.update()
        assert scaler.get_scale() == expected


def test_cpu_scaler_stage_errors():
    model, opt, scaler = _setup()
    with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
        scaler.step(opt)
    scaler.scale(model(numtorch.ones(1, 3)).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
        numtorch.amp.GradScaler("cpu", growth_factor=1.0)


def test_cpu_scaler_state_dict_and_pickle():
    _, _, scaler = _setup(init_scale=16.0)
    state = scaler.state_dict()
    assert state == {
        "scale": 16.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 2000,
        "_growth_tracker": 0,
    }
    other = numtorch.amp.GradScaler("cpu")
    other.load_state_dict(state)
    assert other.get_scale() == 16.0
    with pytest.raises(RuntimeError, match="source state dict is empty"):
        other.load_state_dict({})
    assert pickle.loads(pickle.dumps(scaler)).get_scale() == 16.0


def test_cpu_scaler_matches_torch():
    torch = pytest.importorskip("torch")
    results = []
    for module in (torch, numtorch):
        module.manual_seed(0)
        model = module.nn.Linear(3, 2)
        with module.no_grad():
            model.weight.copy_(module.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            model.bias.zero_()
        opt = module.optim.SGD(model.parameters(), lr=0.1)
        scaler = module.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
        scales = []
        for step in range(5):
            opt.zero_grad()
            x = module.tensor([[1.0, 2.0, 3.0]]) * (step + 1)
            scaler.scale(model(x).pow(2).sum()).backward()
            if step == 1:
                model.weight.grad[0, 0] = float("nan")
            scaler.step(opt)
            scaler.update()
            scales.append(scaler.get_scale())
        results.append((scales, model.weight.detach().tolist(), scaler.state_dict()))
    assert results[0][0] == results[1][0]
    assert results[0][2] == results[1][2]
    numtorch.testing.assert_close(
        numtorch.tensor(results[1][1]), numtorch.tensor(results[0][1]), rtol=1e-6, atol=1e-6
    )


def test_warnings_match_torch():
    torch = pytest.importorskip("torch")

    def messages(make):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            make()
        return [(w.category, str(w.message)) for w in caught]

    for make in (
        lambda m: m.autocast("cuda"),
        lambda m: m.autocast("cpu", dtype=m.float32),
        lambda m: m.amp.GradScaler("cuda"),
        lambda m: m.cuda.amp.GradScaler(),
        lambda m: m.cuda.amp.autocast(),
    ):
        expected = messages(lambda make=make: make(torch))
        got = messages(lambda make=make: make(numtorch))
        assert [c for c, _ in got] == [c for c, _ in expected]
        for (_, g), (_, e) in zip(got, expected, strict=True):
            assert g.replace("numtorch.", "torch.") == e
