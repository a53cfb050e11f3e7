"""numtorch.jit: TorchScript's API running everything eagerly."""

from __future__ import annotations

import doctest
import typing

import pytest

import numtorch
import numtorch.jit as jit

SCRIPT_DEPRECATED = "`torch.jit.script` is deprecated"


def test_docstring_examples_run():
    result = doctest.testmod(jit, globs={"numtorch": numtorch}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_script_and_trace_return_what_they_get():
    def f(x):
        return x * 2

    with pytest.warns(DeprecationWarning, match=SCRIPT_DEPRECATED):
        assert jit.script(f) is f
    model = numtorch.nn.Linear(2, 2)
    with pytest.warns(DeprecationWarning, match=SCRIPT_DEPRECATED):
        assert jit.script(model) is model
    with pytest.warns(DeprecationWarning, match="`torch.jit.trace` is deprecated"):
        assert jit.trace(model, numtorch.ones(1, 2)) is model


def test_decorators_are_identity():
    def f(x):
        return x

    for decorator in (jit.ignore, jit.unused, jit.export, jit.interface, jit.script_if_tracing):
        assert decorator(f) is f
    assert jit.ignore()(f) is f
    with pytest.warns(FutureWarning, match=r"ignore\(True\) has been deprecated"):
        assert jit.ignore(drop=True)(f) is f


def test_scripting_questions_and_helpers():
    assert jit.is_scripting() is False and jit.is_tracing() is False
    assert jit.annotate(typing.List[int], []) == []  # noqa: UP006
    assert jit.Final is typing.Final
    assert jit.wait(jit.fork(lambda a, b: a + b, 1, 2)) == 3
    assert issubclass(jit.ScriptModule, numtorch.nn.Module)
    with jit.optimized_execution(False), jit.fuser("fuser1"):
        pass


def test_save_and_load_explain(tmp_path):
    with pytest.raises(NotImplementedError, match="torch.save\\(model.state_dict\\(\\), f\\)"):
        jit.save(numtorch.nn.Identity(), tmp_path / "m.pt")
    missing = tmp_path / "missing.pt"
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="does not exist"):
        jit.load(str(missing))
    present = tmp_path / "present.pt"
    present.write_bytes(b"PK")
    with pytest.warns(DeprecationWarning), pytest.raises(NotImplementedError):
        jit.load(str(present))


def test_script_module_subclass_runs():
    class Doubler(jit.ScriptModule):
        def forward(self, x):
            return x * 2

    with pytest.warns(DeprecationWarning):
        model = jit.script(Doubler())
    assert model(numtorch.tensor(3)).item() == 6


def test_same_names_as_torch_jit():
    torch = pytest.importorskip("torch")
    for name in ("is_scripting", "is_tracing"):
        assert getattr(torch.jit, name)() == getattr(jit, name)()
    assert torch.jit.Final is jit.Final
    assert torch.jit.annotate(int, 3) == jit.annotate(int, 3)
