"""register_multi_grad_hook, disable_saved_tensors_hooks, allow_mutation_on_saved_tensors and
increment_version (numtorch.autograd._graph_extra), checked against PyTorch where it is there."""

from __future__ import annotations

import pytest

import numtorch
from numtorch.autograd._graph_extra import (
    allow_mutation_on_saved_tensors,
    disable_saved_tensors_hooks,
    increment_version,
    register_multi_grad_hook,
)


def _multi_hook_log(lib, register, mode="all"):
    """Runs the same script with numtorch or torch; returns what the hook saw."""
    log: list = []
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = lib.tensor([4.0, 5.0, 6.0], requires_grad=True)
    c = a * b
    d = a * b
    if mode == "all":

        def fn(grads):
            log.append([None if g is None else g.tolist() for g in grads])

    else:

        def fn(grad):
            log.append(grad.tolist())

    handle = register((a, b, c, d), fn, mode=mode)
    c.sum().backward(retain_graph=True)
    log.append("inputs=a")
    c.sum().backward(inputs=(a,), retain_graph=True)
    log.append("both")
    (c.sum() + d.sum()).backward(retain_graph=True)
    log.append("grad c")
    lib.autograd.grad(c.sum() * 2, (c,), retain_graph=True)
    handle.remove()
    log.append("removed")
    c.sum().backward()
    return log


@pytest.mark.parametrize("mode", ["all", "any"])
def test_multi_grad_hook_matches_torch(mode):
    torch = pytest.importorskip("torch")
    ours = _multi_hook_log(numtorch, register_multi_grad_hook, mode)
    theirs = _multi_hook_log(torch, torch.autograd.graph.register_multi_grad_hook, mode)
    assert ours == theirs


def test_multi_grad_hook_all_runs_after_every_grad():
    order: list = []
    a = numtorch.ones(2, requires_grad=True)
    b = numtorch.ones(2, requires_grad=True)
    c = a * 2
    d = c * b
    a.register_hook(lambda g: order.append("a"))
    b.register_hook(lambda g: order.append("b"))
    c.register_hook(lambda g: order.append("c"))
    register_multi_grad_hook((a, b, c), lambda gs: order.append(("multi", len(gs))))
    d.sum().backward()
    assert order[-1] == ("multi", 3)
    assert sorted(order[:-1]) == ["a", "b", "c"]


def test_multi_grad_hook_once_per_backward_and_nested():
    calls: list = []
    a = numtorch.ones(2, requires_grad=True)
    b = numtorch.ones(2, requires_grad=True)
    register_multi_grad_hook((a, b), lambda gs: calls.append([g.tolist() for g in gs]))
    for _ in range(2):
        (a * 3 + b * 4).sum().backward()
    assert calls == [[[3.0, 3.0], [4.0, 4.0]]] * 2


def test_multi_grad_hook_errors():
    a = numtorch.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="Expects mode to be one of"):
        register_multi_grad_hook((a,), print, mode="some")
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        register_multi_grad_hook((numtorch.ones(2),), print)
    # "any" skips tensors that need no gradient
    handle = register_multi_grad_hook((a, numtorch.ones(2)), print, mode="any")
    handle.remove()


def test_disable_saved_tensors_hooks():
    x = numtorch.ones(2, requires_grad=True)
    with disable_saved_tensors_hooks("outer"):
        with disable_saved_tensors_hooks("inner"):
            with pytest.raises(RuntimeError, match="^inner$"):
                with numtorch.autograd.graph.save_on_cpu():
                    pass
        with pytest.raises(RuntimeError, match="^outer$"):
            with numtorch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
        y = (x.exp() * x).sum()  # saving still works, without hooks
    y.backward()
    assert numtorch.allclose(x.grad, (x.exp() * (x + 1)).detach())
    with numtorch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with pytest.raises(RuntimeError, match="busy"):
            with disable_saved_tensors_hooks("busy"):
                pass
    with numtorch.autograd.graph.save_on_cpu():  # enabled again
        pass


def test_disable_saved_tensors_hooks_matches_torch():
    torch = pytest.importorskip("torch")
    for lib, disable in (
        (numtorch, disable_saved_tensors_hooks),
        (torch, torch.autograd.graph.disable_saved_tensors_hooks),
    ):
        with disable("m"):
            with pytest.raises(RuntimeError, match="^m$"):
                with lib.autograd.graph.save_on_cpu():
                    pass
        with lib.autograd.graph.save_on_cpu():
            with pytest.raises(RuntimeError, match="^m$"):
                with disable("m"):
                    pass


def _mutation_script(lib, allow):
    with allow() as ctx:
        a = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
        b = a.clone()
        out = (b**2).sum() + b.exp().sum()
        e = b.exp()
        b.sin_()
        e.mul_(3)  # a saved output changed too
        (out + e.sum()).backward()
        assert ctx is not None
    return a.grad.tolist()


def test_allow_mutation_on_saved_tensors_matches_torch():
    torch = pytest.importorskip("torch")
    ours = _mutation_script(numtorch, allow_mutation_on_saved_tensors)
    theirs = _mutation_script(torch, torch.autograd.graph.allow_mutation_on_saved_tensors)
    assert ours == pytest.approx(theirs)


def test_allow_mutation_on_saved_tensors():
    with allow_mutation_on_saved_tensors():
        a = numtorch.ones(2, 3, requires_grad=True)
        b = a.clone()
        out = (b**2).sum()
        b.sin_()
        out.backward()
        with pytest.raises(RuntimeError, match="cannot be nested"):
            with allow_mutation_on_saved_tensors():
                pass
    assert a.grad.tolist() == [[2.0] * 3] * 2
    with allow_mutation_on_saved_tensors():
        b = a.clone()
        out = (b**2).sum()
    with pytest.raises(AssertionError, match="Trying to backward outside"):
        out.backward()
    # without the context, the same mutation breaks backward
    b = a.clone()
    out = (b**2).sum()
    b.sin_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_increment_version():
    x = numtorch.ones(3)
    increment_version(x)
    assert x._version == 1
    increment_version([x, x[1:]])  # a view shares the counter
    assert x._version == 3
    a = numtorch.ones(2, requires_grad=True)
    b = a.clone()
    y = (b * b).sum()
    increment_version(b)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_increment_version_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = numtorch.ones(3), torch.ones(3)
    for lib_inc, t in ((increment_version, ours), (torch.autograd.graph.increment_version, theirs)):
        lib_inc(t)
        lib_inc((t, t))
    assert ours._version == theirs._version


def test_docstrings():
    import doctest

    from numtorch.autograd import _graph_extra

    result = doctest.testmod(_graph_extra, extraglobs={"numtorch": numtorch})
    assert result.failed == 0 and result.attempted > 0
