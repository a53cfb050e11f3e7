"""numtorch.nn.Module and containers: registration, iteration, state_dict, modes, hooks, repr,
and parity with PyTorch's module behaviour."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.register_buffer("steps", numtorch.zeros(1))
        self.register_buffer("scratch", numtorch.ones(2), persistent=False)
        self.block = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
        self.scale = nn.Parameter(numtorch.ones(1))

    def forward(self, x):
        return self.block(self.act(self.fc1(x))) * self.scale


def test_registration_and_iteration_order():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "scale",
        "fc1.weight",
        "fc1.bias",
        "block.0.weight",
        "block.0.bias",
        "block.2.weight",
        "block.2.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "block"]
    assert [n for n, _ in net.named_modules()] == [
        "",
        "fc1",
        "act",
        "block",
        "block.0",
        "block.1",
        "block.2",
    ]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert list(net.state_dict().keys()) == [
        "scale",
        "steps",
        "fc1.weight",
        "fc1.bias",
        "block.0.weight",
        "block.0.bias",
        "block.2.weight",
        "block.2.bias",
    ]


def test_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 4)
            self.act = torch.nn.ReLU()
            self.register_buffer("steps", torch.zeros(1))
            self.register_buffer("scratch", torch.ones(2), persistent=False)
            self.block = torch.nn.Sequential(
                torch.nn.Linear(4, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)
            )
            self.scale = torch.nn.Parameter(torch.ones(1))

    ours, theirs = Net(), TNet()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs).replace("TNet", "Net")
    assert {"fc1", "block", "scale", "steps"} <= set(dir(ours))


def test_state_dict_is_detached_and_shares_memory():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    w = sd["fc1.weight"]
    assert not w.requires_grad and not isinstance(w, nn.Parameter)
    w.fill_(3.0)
    assert net.fc1.weight[0, 0].item() == 3.0
    kept = net.state_dict(keep_vars=True)
    assert kept["fc1.weight"] is net.fc1.weight


def test_load_state_dict_round_trip():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        assert numtorch.equal(p, q) and p is not q
    assert b.fc1.weight.requires_grad


def test_load_state_dict_errors_and_non_strict():
    lin = nn.Linear(3, 2)
    sd = lin.state_dict()
    del sd["bias"]
    sd["extra"] = numtorch.zeros(1)
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict(sd)
    assert str(err.value) == (
        "Error(s) in loading state_dict for Linear:\n\t"
        'Missing key(s) in state_dict: "bias". \n\t'
        'Unexpected key(s) in state_dict: "extra". '
    )
    result = lin.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"
    bad = {"weight": numtorch.zeros(3, 3), "bias": numtorch.zeros(2)}
    with pytest.raises(RuntimeError) as err:
        lin.load_state_dict(bad)
    assert str(err.value) == (
        "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
        "with shape numtorch.Size([3, 3]) from checkpoint, the shape in current model is "
        "numtorch.Size([2, 3])."
    )
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        lin.load_state_dict([1, 2])


def test_load_state_dict_errors_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (numtorch, torch):
        lin = lib.nn.Linear(3, 2)
        sd = {"weight": lib.zeros(3, 3), "bias": lib.zeros(2), "x.y": lib.zeros(1)}
        with pytest.raises(RuntimeError) as err:
            lin.load_state_dict(sd)
        if lib is numtorch:
            ours = str(err.value).replace("numtorch.", "torch.")
        else:
            assert ours == str(err.value)


def test_load_state_dict_assign():
    lin = nn.Linear(2, 2)
    new = {"weight": numtorch.ones(2, 2), "bias": numtorch.zeros(2)}
    lin.load_state_dict(new, assign=True)
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
    assert lin.weight.sum().item() == 4.0


def test_attribute_semantics():
    m = nn.Module()
    m.w = nn.Parameter(numtorch.ones(2))
    assert "w" in m._parameters and "w" not in m.__dict__
    with pytest.raises(TypeError, match="cannot assign 'numtorch.FloatTensor' as parameter 'w'"):
        m.w = numtorch.ones(2)
    m.w = None
    assert m.w is None and list(m.parameters()) == []
    m.sub = nn.Linear(1, 1)
    with pytest.raises(TypeError, match="as child module 'sub'"):
        m.sub = 3
    m.register_buffer("buf", numtorch.zeros(1))
    m.buf = numtorch.ones(1)
    assert m._buffers["buf"].item() == 1.0
    del m.buf
    assert "buf" not in m._buffers
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope  # noqa: B018
    with pytest.raises(KeyError, match="attribute 'sub' already exists"):
        m.register_buffer("sub", numtorch.zeros(1))
    with pytest.raises(KeyError):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    assert "sub" in dir(m) and "w" in dir(m)


def test_assign_before_init():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(numtorch.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Bad()


def test_shared_parameters_and_remove_duplicate():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert len(list(seq.modules())) == 2


def test_train_eval_requires_grad_zero_grad():
    net = Net()
    net.eval()
    assert not net.training and not net.block[1].training
    net.train()
    assert net.block[1].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net(numtorch.randn(5, 3)).sum().backward()
    assert net.fc1.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert net.fc1.weight.grad.abs().sum().item() == 0.0
    net.zero_grad()
    assert net.fc1.weight.grad is None
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_and_to():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"
    w = net.fc1.weight
    net.double()
    assert net.fc1.weight is w and w.dtype is numtorch.float64
    assert net.steps.dtype is numtorch.float64
    net.to(numtorch.float32)
    assert w.dtype is numtorch.float32
    net.to("cpu")
    net.cpu()
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        net.to(numtorch.int64)
    net.half()
    assert w.dtype is numtorch.float16


def test_forward_hooks_and_pre_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(numtorch.ones(1, 2))
    assert calls == [(1, 2)]
    np.testing.assert_allclose(out.detach().numpy(), (lin.bias + 1).detach().numpy()[None])
    h1.remove()
    h2.remove()
    out = lin(numtorch.ones(1, 2))
    assert len(calls) == 1
    h3 = lin.register_forward_pre_hook(lambda m, args, kwargs: (args, kwargs), with_kwargs=True)
    lin(numtorch.ones(1, 2))
    h3.remove()


def test_full_backward_hook():
    torch = pytest.importorskip("torch")
    results = {}
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        seen = []
        lin.register_full_backward_hook(
            lambda m, gi, go, seen=seen: seen.append((gi[0].clone(), go[0].clone()))
        )
        lin.register_full_backward_pre_hook(lambda m, go, seen=seen: seen.append(("pre",)))
        x = lib.ones(4, 3, requires_grad=True)
        out = lin(x)
        name = type(out.grad_fn).__name__
        out.sum().backward()
        results[lib.__name__] = (seen, x.grad.numpy().copy(), name)
    ours, theirs = results["numtorch"], results["torch"]
    assert ours[2] == theirs[2] == "BackwardHookFunctionBackward"
    assert ours[0][0] == ("pre",) and theirs[0][0] == ("pre",)
    np.testing.assert_allclose(ours[0][1][0].numpy(), theirs[0][1][0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours[0][1][1].numpy(), theirs[0][1][1].numpy(), rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)


def test_backward_hook_replaces_grad_input():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    x = numtorch.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    assert x.grad.abs().sum().item() == 0.0
    assert lin.weight.grad is not None


def test_missing_forward():
    with pytest.raises(NotImplementedError, match=r"Module \[Module\] is missing the required"):
        nn.Module()(1)


def test_deepcopy_and_pickle():
    net = Net()
    clone = copy.deepcopy(net)
    assert clone.fc1.weight is not net.fc1.weight
    assert numtorch.equal(clone.fc1.weight, net.fc1.weight)
    assert isinstance(clone.fc1.weight, nn.Parameter)
    restored = pickle.loads(pickle.dumps(net))
    assert isinstance(restored.scale, nn.Parameter) and restored.scale.requires_grad
    assert list(restored.state_dict()) == list(net.state_dict())


def test_parameter():
    data = numtorch.ones(2)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf and isinstance(p, numtorch.Tensor)
    p.data.fill_(5.0)
    assert data[0].item() == 5.0  # shares memory
    assert repr(nn.Parameter(numtorch.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )
    assert repr(nn.Parameter(numtorch.ones(1), requires_grad=False)) == (
        "Parameter containing:\ntensor([1.])"
    )
    assert nn.Parameter().shape == (0,)
    assert type(p * 2) is numtorch.Tensor
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nn.Parameter(numtorch.tensor([1]))


def test_sequential():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Linear)
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and list(sub._modules) == ["1", "2"]
    assert seq(numtorch.ones(4, 2)).shape == (4, 1)
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    named = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Tanh())]))
    assert [n for n, _ in named.named_children()] == ["a", "b"]
    assert named.a is named[0]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        named[5]
    assert len(named + named) == 4
    seq.insert(0, nn.Identity())
    assert isinstance(seq[0], nn.Identity)
    assert repr(nn.Sequential()) == "Sequential()"


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    assert len(ml) == 4 and len(list(ml.parameters())) == 6
    assert isinstance(ml[1:], nn.ModuleList)
    assert repr(ml).startswith("ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2")
    ml.extend([nn.Tanh()])
    ml.insert(0, nn.Sigmoid())
    assert isinstance(ml[0], nn.Sigmoid) and len(ml) == 6
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    md["c"] = nn.Tanh()
    assert list(md) == ["a", "b", "c"]
    assert md.pop("b").__class__ is nn.ReLU


def test_parameter_list_and_dict():
    pl = nn.ParameterList([numtorch.ones(2), nn.Parameter(numtorch.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl)
    assert len(list(pl.parameters())) == 2
    assert repr(pl) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [numtorch.float32 of size 2]\n"
        "    (1): Parameter containing: [numtorch.float32 of size 3]\n"
        ")"
    )
    pd = nn.ParameterDict({"b": numtorch.ones(1), "a": numtorch.ones(2, 2)})
    assert list(pd.keys()) == ["a", "b"]
    assert repr(pd) == (
        "ParameterDict(\n"
        "    (a): Parameter containing: [numtorch.FloatTensor of size 2x2]\n"
        "    (b): Parameter containing: [numtorch.FloatTensor of size 1]\n"
        ")"
    )
    assert list(pd.state_dict()) == ["a", "b"]  # a plain dict is registered sorted, as PyTorch


def test_container_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (numtorch, torch):
        m = lib.nn.Sequential(
            lib.nn.Linear(2, 3),
            lib.nn.ModuleList([lib.nn.ReLU(), lib.nn.ReLU(), lib.nn.Softmax(dim=1)]),
            lib.nn.ModuleDict({"x": lib.nn.LeakyReLU(0.2, inplace=True)}),
            lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3))]),
            lib.nn.Flatten(),
            lib.nn.Unflatten(1, (2, 3)),
            lib.nn.Bilinear(2, 3, 4, bias=False),
            lib.nn.Identity(),
        )
        if lib is numtorch:
            ours = repr(m)
        else:
            assert ours.replace("numtorch.", "torch.") == repr(m)


def test_flatten_unflatten():
    x = numtorch.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(1, (3, 1))(x).shape == (2, 3, 1, 4)
    with pytest.raises(TypeError):
        nn.Unflatten(1, 3)


def test_get_submodule_parameter_buffer():
    net = Net()
    assert net.get_submodule("block.0") is net.block[0]
    assert net.get_parameter("block.2.bias") is net.block[2].bias
    assert net.get_buffer("steps") is net.steps
    with pytest.raises(AttributeError, match="has no attribute `zzz`"):
        net.get_submodule("zzz")


def test_buffer_class():
    m = nn.Module()
    m.b = nn.Buffer(numtorch.ones(2), persistent=False)
    assert "b" in m._buffers and "b" not in m.state_dict()


def _set_submodule_script(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Sequential(lib.nn.ReLU()))
    net.set_submodule("1.0", lib.nn.Tanh())
    errors = []
    for args in [("1.x", lib.nn.Tanh(), True), ("0.weight", lib.nn.Tanh()), ("", lib.nn.Tanh())]:
        try:
            net.set_submodule(*args)
        except (AttributeError, ValueError) as e:
            errors.append((type(e).__name__, str(e)))
    seen = []
    handle = net[0].register_load_state_dict_pre_hook(
        lambda module, state, prefix, *rest: seen.append((type(module).__name__, prefix))
    )
    net.load_state_dict(net.state_dict())
    handle.remove()
    net.load_state_dict(net.state_dict())
    assert net.to_empty(device="cpu") is net
    return repr(net), errors, seen, type(net[0].weight).__name__


def test_set_submodule_load_pre_hooks_to_empty():
    text, errors, seen, kind = _set_submodule_script(numtorch)
    assert "(0): Tanh()" in text and kind == "Parameter"
    assert errors == [
        ("AttributeError", "Sequential has no attribute `x`"),
        ("AttributeError", "`weight` is not an nn.Module"),
        ("ValueError", "Cannot set the submodule without a target name!"),
    ]
    assert seen == [("Linear", "0.")]
    assert numtorch.nn.Linear(2, 2).compile() is None  # accepted; no compiler to run


def test_set_submodule_load_pre_hooks_match_torch():
    torch = pytest.importorskip("torch")
    assert _set_submodule_script(numtorch) == _set_submodule_script(torch)


def test_load_state_dict_pre_hook_may_rename_keys():
    # the hook sees the module's slice of the state dict and edits it in place
    old = numtorch.nn.Linear(2, 3)
    new = numtorch.nn.Linear(2, 3)
    renamed = {k.replace("weight", "w"): v for k, v in old.state_dict().items()}

    def rename(module, state, prefix, *rest):
        state[prefix + "weight"] = state.pop(prefix + "w")

    new.register_load_state_dict_pre_hook(rename)
    new.load_state_dict(renamed)
    assert (new.weight == old.weight).all()
