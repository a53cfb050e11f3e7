"""Anomaly detection, saved-tensor hooks and node hooks."""

from __future__ import annotations

import pytest

import numtorch as torch


def test_detect_anomaly_names_the_node_and_shows_forward_stack():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = torch.autograd.detect_anomaly()
    with mode:
        assert torch.autograd.is_anomaly_enabled()
        y = x.sqrt() * 0
        with pytest.warns(UserWarning, match="Error detected in SqrtBackward0") as record:
            with pytest.raises(
                RuntimeError,
                match="Function 'SqrtBackward0' returned nan values in its 0th output.",
            ):
                y.sum().backward()
    assert "y = x.sqrt() * 0" in str(record[0].message)
    assert not torch.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_check_nan_off():
    x = torch.tensor([0.0], requires_grad=True)
    with torch.autograd.set_detect_anomaly(True, check_nan=False):
        (x.sqrt() * 0).sum().backward()
    assert x.grad.item() != x.grad.item()  # NaN, and no error


def test_saved_tensors_hooks_pack_and_unpack():
    packed, unpacked = [], []

    def pack(t):
        packed.append(t.shape)
        return t.detach().clone()

    def unpack(t):
        unpacked.append(t.shape)
        return t

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (x * x).exp()
    y.sum().backward()
    assert len(packed) == 3 and len(unpacked) == 3  # x twice for Mul, the output for Exp
    expected = (2 * x * (x * x).exp()).detach()
    assert torch.allclose(x.grad, expected)


def test_node_hooks():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.grad_fn.register_prehook(lambda grad_outputs: seen.append(("pre", grad_outputs[0].tolist())))
    y.grad_fn.register_hook(
        lambda grad_inputs, grad_outputs: seen.append(("post", grad_inputs[0].tolist()))
    )
    y.sum().backward()
    assert seen == [("pre", [1.0, 1.0]), ("post", [3.0, 3.0])]


def test_node_hook_can_replace_grad_inputs():
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 3
    y.grad_fn.register_hook(lambda gi, go: (gi[0] * 0, None))
    y.sum().backward()
    assert x.grad.tolist() == [0.0]


def test_post_accumulate_grad_hooks():
    x = torch.ones(2, requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    (x * 3).sum().backward(inputs=[x])  # the inputs= path accumulates too
    torch.autograd.grad((x * 3).sum(), x)  # returns gradients: no accumulation, no hook
    assert seen == [[3.0, 3.0], [6.0, 6.0]]
    handle.remove()
    (x * 3).sum().backward()
    assert len(seen) == 2
    # tensor hooks change the gradient before it is accumulated; the post hook sees the sum
    x.grad = None
    x.register_hook(lambda g: g * 10)
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    assert seen[-1] == [30.0, 30.0]
    with pytest.raises(RuntimeError, match="^Tensor post accumulate grad hooks should return"):
        w = torch.ones(1, requires_grad=True)
        w.register_post_accumulate_grad_hook(lambda t: t * 2)
        w.sum().backward()
    with pytest.raises(RuntimeError, match="^post accumulate grad hooks cannot be registered on"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="^cannot register a hook on a tensor that doesn't"):
        torch.ones(2).register_post_accumulate_grad_hook(lambda t: None)


def test_optimizer_step_in_backward_matches_torch():
    # the "optimizer in backward" pattern: one optimizer per parameter, stepped by the hook
    reference = pytest.importorskip("torch")
    results = []
    for lib in (torch, reference):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.Linear(3, 1))
        optimizers = {p: lib.optim.Adam([p], lr=0.1, foreach=False) for p in model.parameters()}

        def step(parameter, optimizers=optimizers):
            optimizers[parameter].step()
            optimizers[parameter].zero_grad()

        for p in model.parameters():
            p.register_post_accumulate_grad_hook(step)
        x = lib.linspace(-1, 1, 20).reshape(5, 4)
        for _ in range(3):
            model(x).square().mean().backward()
        results.append([p.detach().numpy().copy() for p in model.parameters()])
        assert all(p.grad is None for p in model.parameters())
    for ours, theirs in zip(*results, strict=True):
        assert abs(ours - theirs).max() <= 1e-6 * (1 + abs(theirs).max())
