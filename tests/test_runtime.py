"""Top-level runtime switches: compile, determinism, matmul precision, default device and
tensor type, anomaly mode, typename."""

from __future__ import annotations

import doctest
import warnings

import pytest

import numtorch
from numtorch import _runtime


@pytest.fixture(autouse=True)
def restore_state():
    precision = numtorch.get_float32_matmul_precision()
    debug_mode = numtorch.get_deterministic_debug_mode()
    dtype = numtorch.get_default_dtype()
    anomaly = (numtorch.is_anomaly_enabled(), numtorch.is_anomaly_check_nan_enabled())
    yield
    numtorch.set_float32_matmul_precision(precision)
    numtorch.set_deterministic_debug_mode(debug_mode)
    numtorch.set_default_dtype(dtype)
    numtorch.set_anomaly_enabled(*anomaly)
    numtorch.set_default_device(None)
    numtorch.set_warn_always(False)


def test_docstring_examples_run():
    result = doctest.testmod(
        _runtime, globs={"numtorch": numtorch}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0 and result.failed == 0


def test_runtime_names_do_not_shadow_other_numtorch_names():
    import numtorch._functions as functions

    assert not set(_runtime.__all__) & set(functions.__all__)
    assert numtorch.is_grad_enabled is numtorch.autograd.grad_mode.is_grad_enabled


def test_compile_returns_functions_and_wraps_modules():
    def f(x):
        return x + 1

    assert numtorch.compile(f) is f
    assert numtorch.compile(mode="max-autotune")(f) is f

    @numtorch.compile
    def g(x):
        return x * 2

    assert g(numtorch.tensor(2)).item() == 4
    lin = numtorch.nn.Linear(2, 1)
    compiled = numtorch.compile(lin)
    assert list(compiled.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert compiled.weight is lin.weight and compiled.in_features == 2
    compiled.eval()
    assert lin.training is False and compiled.training is False
    compiled.extra = 3
    assert lin.extra == 3
    assert len(list(compiled.parameters())) == 2
    x = numtorch.ones(3, 2)
    assert numtorch.equal(compiled(x), lin(x))
    assert numtorch.compile(lin, disable=True) is lin


def test_compile_errors_as_torch():
    with pytest.raises(AssertionError, match="A callable function is expected"):
        numtorch.compile(3)
    with pytest.raises(RuntimeError, match="Either mode or options can be specified"):
        numtorch.compile(lambda x: x, mode="default", options={})


def test_float32_matmul_precision_values():
    assert numtorch.get_float32_matmul_precision() == "highest"
    for value in ("high", "medium", "highest"):
        numtorch.set_float32_matmul_precision(value)
        assert numtorch.get_float32_matmul_precision() == value
    with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
        numtorch.set_float32_matmul_precision("foo")
    assert numtorch.get_float32_matmul_precision() == "highest"
    with pytest.raises(RuntimeError, match="expects a str, but got int"):
        numtorch.set_float32_matmul_precision(3)


def test_deterministic_algorithms_switches():
    assert not numtorch.are_deterministic_algorithms_enabled()
    numtorch.use_deterministic_algorithms(True)
    assert numtorch.are_deterministic_algorithms_enabled()
    assert numtorch.get_deterministic_debug_mode() == 2
    numtorch.use_deterministic_algorithms(True, warn_only=True)
    assert numtorch.is_deterministic_algorithms_warn_only_enabled()
    assert numtorch.get_deterministic_debug_mode() == 1
    numtorch.set_deterministic_debug_mode("default")
    assert not numtorch.are_deterministic_algorithms_enabled()
    with pytest.raises(TypeError, match="must be bool, not int"):
        numtorch.use_deterministic_algorithms(1)
    with pytest.raises(RuntimeError, match="expected one of `default`, `warn`, `error`"):
        numtorch.set_deterministic_debug_mode("foo")
    with pytest.raises(RuntimeError, match="expected 0, 1, or 2, but got 3"):
        numtorch.set_deterministic_debug_mode(3)
    with pytest.raises(TypeError, match="debug_mode must be str or int"):
        numtorch.set_deterministic_debug_mode(1.0)


def test_warn_always_and_flush_denormal():
    numtorch.set_warn_always(True)
    assert numtorch.is_warn_always_enabled()
    with pytest.raises(RuntimeError, match="setWarnOnlyOnce expects a bool"):
        numtorch.set_warn_always(1)
    assert numtorch.set_flush_denormal(True) is False


def test_default_device_is_the_cpu_only():
    assert numtorch.get_default_device() == numtorch.device("cpu")
    numtorch.set_default_device("cpu")
    assert numtorch.get_default_device().type == "cpu"
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        numtorch.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="no backend for device type 'mps'"):
        numtorch.set_default_device("mps")
    with pytest.raises(RuntimeError, match="Expected one of cpu"):
        numtorch.set_default_device("tpu")
    assert numtorch.get_default_device().type == "cpu"


def test_set_default_tensor_type_sets_the_dtype_and_warns():
    message = r"torch.set_default_tensor_type\(\) is deprecated as of PyTorch 2.1"
    with pytest.warns(UserWarning, match=message):
        numtorch.set_default_tensor_type(numtorch.DoubleTensor)
    assert numtorch.get_default_dtype() is numtorch.float64
    with pytest.warns(UserWarning, match=message):
        numtorch.set_default_tensor_type("torch.FloatTensor")
    assert numtorch.get_default_dtype() is numtorch.float32
    with pytest.warns(UserWarning), pytest.raises(TypeError, match="only floating-point"):
        numtorch.set_default_tensor_type(numtorch.LongTensor)
    with pytest.raises(TypeError, match="invalid type object"):
        numtorch.set_default_tensor_type(numtorch.float64)
    with pytest.raises(ModuleNotFoundError):
        numtorch.set_default_tensor_type("foo")


def test_anomaly_switches_drive_autograd_anomaly_mode():
    numtorch.set_anomaly_enabled(True)
    assert numtorch.is_anomaly_enabled() and numtorch.autograd.is_anomaly_enabled()
    assert numtorch.is_anomaly_check_nan_enabled()
    numtorch.set_anomaly_enabled(False, False)
    assert not numtorch.is_anomaly_enabled() and not numtorch.is_anomaly_check_nan_enabled()


def test_typename_and_is_inference():
    assert numtorch.typename(numtorch.zeros(1)) == "numtorch.FloatTensor"
    assert numtorch.typename(numtorch.nn.Linear(1, 1)) == "numtorch.nn.modules.linear.Linear"
    assert numtorch.typename(3) == "int"
    assert numtorch.is_inference(numtorch.zeros(1)) is False
    with pytest.raises(TypeError, match="must be Tensor, not int"):
        numtorch.is_inference(3)


def test_same_answers_and_messages_as_torch():
    torch = pytest.importorskip("torch")
    for name in (
        "get_float32_matmul_precision",
        "are_deterministic_algorithms_enabled",
        "is_deterministic_algorithms_warn_only_enabled",
        "get_deterministic_debug_mode",
        "is_warn_always_enabled",
        "is_anomaly_enabled",
        "is_anomaly_check_nan_enabled",
    ):
        assert getattr(torch, name)() == getattr(numtorch, name)(), name
    assert str(torch.get_default_device()) == str(numtorch.get_default_device())
    for module in (torch, numtorch):
        assert module.typename(3) == "int"
    for bad, exc in (("foo", RuntimeError), (3, RuntimeError), (1.0, TypeError)):
        with pytest.raises(exc) as expected:
            torch.set_deterministic_debug_mode(bad)
        with pytest.raises(exc) as got:
            numtorch.set_deterministic_debug_mode(bad)
        assert str(got.value) == str(expected.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.set_float32_matmul_precision("foo")
        numtorch.set_float32_matmul_precision("foo")
    texts = [str(w.message) for w in caught]
    assert texts[1] in texts[0]  # torch appends where in C++ it warned
    with warnings.catch_warnings(), pytest.raises(AssertionError) as expected:
        warnings.simplefilter("ignore", DeprecationWarning)  # torch's dynamo imports warn
        torch.compile(3)
    with pytest.raises(AssertionError) as got:
        numtorch.compile(3)
    assert str(got.value) == str(expected.value)
