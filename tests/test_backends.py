"""numtorch.backends and numtorch.version: the flags and answers of torch's CPU build."""

from __future__ import annotations

import doctest
import importlib

import pytest

import numtorch

BACKEND_MODULES = [
    "numtorch.backends",
    "numtorch.backends.cudnn",
    "numtorch.backends.cuda",
    "numtorch.backends.cpu",
    "numtorch.backends.mps",
    "numtorch.backends.mkldnn",
    "numtorch.backends.mkl",
    "numtorch.backends.openmp",
    "numtorch.backends.opt_einsum",
    "numtorch.version",
]


@pytest.fixture(autouse=True)
def restore_flags():
    cudnn = numtorch.backends.cudnn
    saved = cudnn.set_flags()
    mkldnn = numtorch.backends.mkldnn.set_flags()
    precision = numtorch.get_float32_matmul_precision()
    yield
    cudnn.set_flags(*saved)
    numtorch.backends.mkldnn.set_flags(*mkldnn)
    numtorch.set_float32_matmul_precision(precision)


@pytest.mark.parametrize("name", BACKEND_MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, globs={"numtorch": numtorch}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_nothing_but_the_cpu_is_available():
    b = numtorch.backends
    assert b.cudnn.is_available() is False and b.cudnn.version() is None
    assert b.mps.is_available() is False and b.mps.is_built() is False
    assert b.cuda.is_built() is False
    assert b.cudnn.is_acceptable(numtorch.zeros(1)) is False


def test_cudnn_flags_assign_and_read_back():
    cudnn = numtorch.backends.cudnn
    assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32) == (
        True,
        False,
        False,
        True,
    )
    cudnn.benchmark = True
    cudnn.deterministic = True
    assert cudnn.benchmark and cudnn.deterministic


@pytest.mark.parametrize(
    "attr, setter",
    [
        ("enabled", "set_enabled_cudnn"),
        ("benchmark", "set_benchmark_cudnn"),
        ("deterministic", "set_deterministic_cudnn"),
        ("allow_tf32", "set_allow_tf32_cublas"),
    ],
)
def test_cudnn_flags_refuse_non_bools_as_torch(attr, setter):
    with pytest.raises(RuntimeError, match=f"^{setter} expects a bool, but got int$"):
        setattr(numtorch.backends.cudnn, attr, 1)


def test_cudnn_flags_context_manager_restores():
    cudnn = numtorch.backends.cudnn
    with cudnn.flags(enabled=False, deterministic=True):
        assert cudnn.enabled is False and cudnn.deterministic is True
        assert cudnn.benchmark is False
    assert cudnn.enabled is True and cudnn.deterministic is False


def test_unknown_cudnn_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        numtorch.backends.cudnn.no_such_flag  # noqa: B018


def test_matmul_allow_tf32_is_the_matmul_precision():
    matmul = numtorch.backends.cuda.matmul
    assert matmul.allow_tf32 is False
    numtorch.set_float32_matmul_precision("high")
    assert matmul.allow_tf32 is True
    matmul.allow_tf32 = False
    assert numtorch.get_float32_matmul_precision() == "highest"
    with pytest.raises(AttributeError, match="^Unknown attribute foo$"):
        matmul.foo  # noqa: B018
    with pytest.raises(RuntimeError, match="set_allow_tf32_cublas expects a bool"):
        matmul.allow_tf32 = 1


def test_version_is_a_cpu_build():
    v = numtorch.version
    assert v.cuda is None and v.hip is None and v.debug is False
    assert v.__version__ == numtorch.__version__
    assert isinstance(v.git_version, str)


def test_matches_torch_on_this_machine():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("torch sees a GPU here")
    tb, nb = torch.backends, numtorch.backends
    assert tb.cudnn.is_available() == nb.cudnn.is_available()
    assert tb.cudnn.version() == nb.cudnn.version()
    assert tb.mps.is_available() == nb.mps.is_available()
    assert tb.cuda.is_built() == nb.cuda.is_built()
    for attr in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(tb.cudnn, attr) == getattr(nb.cudnn, attr), attr
    assert torch.version.cuda == numtorch.version.cuda
    assert tb.cpu.get_cpu_capability() == nb.cpu.get_cpu_capability()
    for attr in (
        "allow_fp16_reduced_precision_reduction",
        "allow_bf16_reduced_precision_reduction",
    ):
        assert getattr(tb.cuda.matmul, attr) == getattr(nb.cuda.matmul, attr)
