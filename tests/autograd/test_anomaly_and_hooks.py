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
