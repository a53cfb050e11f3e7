"""The autograd engine and the Tensor's autograd state, as PyTorch defines them."""

from __future__ import annotations

import gc
import sys
import threading
import warnings
import weakref

import numpy as np
import pytest

import numtorch as torch
from numtorch.autograd.graph import FREED


def test_leaf_state_and_accumulation():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert x.is_leaf and x.requires_grad and x.grad is None and x.grad_fn is None
    y = (x * 3).sum()
    assert not y.is_leaf
    y.backward()
    assert x.grad.tolist() == [3.0, 3.0]
    (x * 3).sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]  # accumulated
    g = x.grad
    x.grad.zero_()
    assert g is x.grad and x.grad.tolist() == [0.0, 0.0]


def test_grad_fn_names_and_next_functions():
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert type((y * y).grad_fn).__name__ == "MulBackward0"
    assert type((y**2).grad_fn).__name__ == "PowBackward0"
    assert type((y**y).grad_fn).__name__ == "PowBackward1"
    assert type(y.mean().grad_fn).__name__ == "MeanBackward0"
    assert type(y.sum().grad_fn).__name__ == "SumBackward0"
    assert type(y.sum(0).grad_fn).__name__ == "SumBackward1"
    assert type(y.view(4).grad_fn).__name__ == "ViewBackward0"
    assert type(y[0, 0].grad_fn).__name__ == "SelectBackward0"
    (fn, nr), (other, _) = y.grad_fn.next_functions
    assert type(fn).__name__ == "AccumulateGrad" and fn.variable is x and nr == 0
    assert other is None  # the number 2, as PyTorch: (None, 0)
    assert repr(y.grad_fn).startswith("<AddBackward0 object at 0x")
    assert "grad_fn=<AddBackward0>" in repr(y)


def test_backward_gradient_is_vector_jacobian_product():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**3
    v = torch.tensor([0.1, 1.0, 10.0])
    y.backward(v)
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([1.0, 4.0, 9.0]) * [0.1, 1.0, 10.0])


def test_implicit_gradient_only_for_scalars():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward()
    assert str(info.value) == "grad can be implicitly created only for scalar outputs"
    assert any("shape [2]" in n for n in info.value.__notes__)
    (x * 2).sum().backward()  # one element: fine
    torch.tensor([5.0], requires_grad=True).backward()


def test_backward_of_tensor_without_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        torch.tensor([1.0, 2.0]).sum().backward()


def test_gradient_shape_mismatch():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\]"):
        (x * 2).backward(torch.ones(4))


def test_retain_graph_and_freed_saved_tensors():
    x = torch.tensor([3.0], requires_grad=True)
    y = x * 2 + x**2 + 3
    y.backward(retain_graph=True)
    assert x.grad.item() == 8.0
    y.backward()
    assert x.grad.item() == 16.0
    with pytest.raises(RuntimeError) as info:
        y.backward()
    assert str(info.value).startswith("Trying to backward through the graph a second time")
    assert "retain_graph=True" in info.value.__notes__[0]


def test_saved_tensors_are_released_after_backward():
    x = torch.randn(1000, requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    saved = weakref.ref(node._saved[0][1])  # the saved output's array
    z = y.sum()
    del y
    z.backward()
    assert node._saved is FREED
    gc.collect()
    assert saved() is None


def test_multiplying_by_a_python_number_saves_nothing():
    x = torch.ones(3, requires_grad=True)
    node = (x * 2.0).grad_fn
    assert all(entry is None for entry in node._saved)
    # so a second backward through it is allowed, as in PyTorch
    y = (x * 2.0).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]


def test_no_cycles_keep_arrays_alive():
    gc.collect()
    gc.disable()
    try:
        x = torch.ones(100, requires_grad=True)
        y = (x.exp() * x).sin()
        ref = weakref.ref(y._data)
        node_ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None and node_ref() is None  # freed by refcounting alone
    finally:
        gc.enable()


def test_create_graph_gives_higher_derivatives():
    x = torch.tensor(2.0, requires_grad=True)
    y = x**3
    (dx,) = torch.autograd.grad(y, x, create_graph=True)
    assert dx.item() == 12.0 and dx.requires_grad
    (ddx,) = torch.autograd.grad(dx, x, create_graph=True)
    assert ddx.item() == 12.0
    (dddx,) = torch.autograd.grad(ddx, x)
    assert dddx.item() == 6.0


def test_backward_create_graph_accumulates_differentiable_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x**2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    x.grad.sum().backward()  # d/dx sum(2x) = 2, accumulated onto the existing 2x
    assert x.grad.tolist() == [4.0, 6.0]


def test_autograd_grad_options():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    unused = torch.tensor([1.0], requires_grad=True)
    y = x * w
    gx, gw = torch.autograd.grad(y, (x, w), grad_outputs=torch.ones(2), retain_graph=True)
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None  # autograd.grad does not accumulate
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        torch.autograd.grad(y.sum(), (x, unused), retain_graph=True)
    gx, gu = torch.autograd.grad(y.sum(), (x, unused), allow_unused=True, retain_graph=True)
    assert gu is None
    gx, gu = torch.autograd.grad(y.sum(), (x, unused), materialize_grads=True)
    assert gu.tolist() == [0.0]


def test_autograd_grad_of_intermediate():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = (h * h).sum()
    (gh,) = torch.autograd.grad(y, h)
    assert gh.tolist() == [4.0, 8.0]


def test_backward_inputs_restricts_accumulation():
    x = torch.tensor(1.0, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    (x * w).backward(inputs=[w])
    assert w.grad.item() == 1.0 and x.grad is None


def test_retain_grad_and_non_leaf_warning():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    assert h.grad.tolist() == [4.0, 8.0]
    g = x * 3
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert g.grad is None


def test_detach_data_and_grad_modes():
    x = torch.ones(2, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 5.0  # shares memory
    assert x[0].item() == 5.0
    assert not x.data.requires_grad
    with torch.no_grad():
        w = x * 2
    assert not w.requires_grad and w.grad_fn is None
    with torch.no_grad(), torch.enable_grad():
        assert (x * 2).requires_grad
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    with torch.inference_mode():
        assert not (x * 2).requires_grad

    @torch.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    y = x * 2
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    with torch.no_grad():
        thread = threading.Thread(target=lambda: seen.append(torch.is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]


def test_data_modification_is_invisible_to_autograd():
    x = torch.ones(1, requires_grad=True)
    y = 2 * x
    x.data *= 100
    y.backward()
    assert x.tolist() == [100.0] and x.grad.tolist() == [2.0]


def test_register_hook_replaces_gradient_and_can_be_removed():
    x = torch.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    h = x * 1
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()))
    (h * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't"):
        torch.ones(1).register_hook(lambda g: g)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="^Only Tensors of floating point and complex dtype"):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^only Tensors of floating point dtype can require"
    ) as e:
        torch.tensor([1, 2]).requires_grad_()
    assert "x.float()" in e.value.__notes__[0]


def test_requires_grad_of_non_leaf_cannot_be_turned_off():
    y = torch.ones(1, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        y.requires_grad = False


def test_variable_returns_a_tensor():
    t = torch.autograd.Variable(torch.Tensor([2]), requires_grad=True)
    assert type(t) is torch.Tensor and t.requires_grad


def test_long_chain_needs_no_recursion():
    limit = sys.getrecursionlimit()
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    assert sys.getrecursionlimit() == limit
    del y
    gc.collect()


def test_engine_runs_newest_node_first():
    x = torch.tensor(1.0, requires_grad=True)
    order = []
    a = x * 2
    b = x * 3
    a.register_hook(lambda g: order.append("a"))
    b.register_hook(lambda g: order.append("b"))
    (a + b).backward()
    assert order == ["b", "a"]  # b was created later, so its node runs first


def test_diamond_accumulates_before_running():
    x = torch.tensor(2.0, requires_grad=True)
    h = x * x
    calls = []
    h.register_hook(lambda g: calls.append(g.item()))
    (h + h * 3).backward()
    assert calls == [4.0]  # one call with the summed gradient
    assert x.grad.item() == 16.0


def test_broadcast_gradients_reduce_to_input_shape():
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(4, requires_grad=True)
    c = torch.tensor(2.0, requires_grad=True)
    ((a + b) * c).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[8.0]] * 3
    assert b.grad.tolist() == [6.0] * 4
    assert c.grad.item() == 24.0


def test_mixed_dtype_gradients_are_cast_back():
    x = torch.ones(2, requires_grad=True)
    s = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    y = x * s  # float32 result: 0-d float64 does not promote
    assert y.dtype == torch.float32
    y.sum().backward()
    assert s.grad.dtype == torch.float64 and x.grad.dtype == torch.float32


def test_custom_function():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            ctx.save_for_backward(inp)
            return inp**2

        @staticmethod
        def backward(ctx, grad_output):
            (inp,) = ctx.saved_tensors
            return 2 * inp * grad_output

    x = torch.tensor([3.0, 4.0], requires_grad=True)
    out = Square.apply(x)
    assert repr(out) == "tensor([ 9., 16.], grad_fn=<SquareBackward>)"
    out.sum().backward()
    assert x.grad.tolist() == [6.0, 8.0]
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        legacy = Square()
    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward"):
        legacy(x)


def test_custom_function_ctx_features():
    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            assert ctx.needs_input_grad == (True, False)
            ctx.scale = scale
            idx = torch.tensor([0])
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            return x * scale, idx

        @staticmethod
        def backward(ctx, grad, grad_idx):
            assert grad_idx is None
            return grad * ctx.scale, None

    x = torch.ones(2, requires_grad=True)
    y, idx = Split.apply(x, 5.0)
    assert not idx.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_custom_function_mark_dirty_and_once_differentiable():
    class AddOneInPlace(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx, grad):
            return grad

    a = torch.ones(2, requires_grad=True)
    b = a * 1
    c = AddOneInPlace.apply(b)
    assert c is b and type(b.grad_fn).__name__ == "AddOneInPlaceBackward"
    c.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]


def test_custom_function_wrong_number_of_gradients():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an incorrect number of gradients \(expected"):
        Bad.apply(x, x).backward()


def test_inplace_on_leaf_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x.add_(1)
    with torch.no_grad():
        x.add_(1)
    assert x.tolist() == [2.0, 2.0]


def test_modified_saved_tensor_is_detected():
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    z = y.exp()  # saves its output
    z.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    message = str(info.value)
    assert message.startswith(
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [numtorch.FloatTensor [3]], which is output 0 of Exp, is at version "
        "1; expected version 0 instead."
    )


def test_setitem_records_copyslices():
    m = torch.tensor([[2.0, 3.0]], requires_grad=True)
    n = torch.zeros(1, 2)
    n[0, 0] = m[0, 0] ** 2
    n[0, 1] = m[0, 1] ** 3
    assert type(n.grad_fn).__name__ == "CopySlices"
    n.backward(torch.ones_like(n))
    assert m.grad.tolist() == [[4.0, 27.0]]


def test_inplace_on_view_rewrites_base_history():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x * 1
    view = base[1:]
    view.mul_(10)
    assert type(base.grad_fn).__name__ == "CopySlices"
    assert base.tolist() == [1.0, 20.0, 30.0]
    base.sum().backward()
    assert x.grad.tolist() == [1.0, 10.0, 10.0]


def test_tensor_shape_errors_are_pytorchs():
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "):
        torch.ones(2, 3) + torch.ones(4)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and "):
        torch.ones(2, 3) @ torch.ones(4, 5)
    with pytest.raises(TypeError):
        torch.ones(2, 2, requries_grad=True)


def test_item_and_conversions_errors():
    with pytest.raises(
        RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"
    ):
        torch.ones(2).item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(torch.ones(2))
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        torch.ones(1, requires_grad=True).numpy()


def test_no_warnings_for_inf_and_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = torch.log(torch.tensor([0.0, -1.0]))
    assert out.tolist()[0] == float("-inf")


def test_grad_never_aliases_a_tensor_held_elsewhere():
    # .grad may take over a gradient the engine made, but never the user's seed, a gradient
    # shared between two leaves, or one a custom Function returned
    v = torch.ones(2)
    leaf = torch.ones(2, requires_grad=True)
    leaf.clone().backward(v)
    leaf.grad.add_(1)
    assert v.tolist() == [1.0, 1.0]

    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.add_(5)
    assert b.grad.tolist() == [1.0, 1.0]

    keep = torch.full((2,), 3.0)

    class Passthrough(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return keep

    c = torch.ones(2, requires_grad=True)
    Passthrough.apply(c).sum().backward()
    c.grad.add_(1)
    assert keep.tolist() == [3.0, 3.0]


def test_fresh_gradient_becomes_grad_without_a_copy():
    x = torch.ones(1000, requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad._data.base is None and x.grad._data.flags.c_contiguous
    (x * 2).sum().backward()  # then accumulates in place
    assert x.grad.tolist()[:2] == [4.0, 4.0]


def test_transposed_weight_gradient_becomes_grad_without_a_copy():
    # F.linear multiplies by weight.t(); mm's backward gives that column-major input a
    # column-major gradient, so TBackward0 hands .grad a row-major whole-buffer view
    w = torch.randn(5, 3, requires_grad=True)
    x = torch.randn(4, 3)
    torch.nn.functional.linear(x, w).sum().backward()
    data = w.grad._data
    assert data.flags.c_contiguous and data.base is not None and data.base.nbytes == data.nbytes
    np.testing.assert_allclose(w.grad.numpy(), np.ones((4, 5)).T @ x.numpy(), rtol=1e-6)
    before = w.grad
    torch.nn.functional.linear(x, w).sum().backward()  # accumulates in place into that buffer
    assert w.grad is before
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.ones((4, 5)).T @ x.numpy(), rtol=1e-6)


def test_views_of_one_gradient_never_become_two_grads():
    # AddBackward0 sends one gradient to both inputs; one of them reaches its leaf through a
    # transpose (a view of the same memory): at most one leaf may keep that memory
    a = torch.zeros(3, 3, requires_grad=True)
    b = torch.zeros(3, 3, requires_grad=True)
    (a + b.t()).mul(2).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad.add_(1)
    assert b.grad.tolist() == [[2.0] * 3] * 3


def test_seed_gradient_views_are_copied():
    w = torch.zeros(2, 3, requires_grad=True)
    seed = torch.ones(3, 2)
    w.t().backward(seed)  # TBackward0 passes a view of the caller's tensor
    assert not np.shares_memory(w.grad._data, seed._data)
    w.grad.add_(1)
    assert seed.tolist() == [[1.0, 1.0]] * 3
