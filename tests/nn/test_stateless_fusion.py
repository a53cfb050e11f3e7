"""nn.utils.stateless / numtorch.func.functional_call, conv/linear-BN fusion and skip_init,
against PyTorch when installed."""

from __future__ import annotations

import pytest

import numtorch
from numtorch.func import functional_call
from numtorch.nn.utils import stateless


class Tied(numtorch.nn.Module):
    def __init__(self):
        super().__init__()
        self.foo = numtorch.nn.Parameter(numtorch.ones(()))
        self.tied = self.foo
        self.register_buffer("count", numtorch.zeros(()))

    def forward(self, x):
        self.count = self.count + 1
        return x + self.foo + self.tied


def test_functional_call_swaps_and_restores():
    m = numtorch.nn.Linear(2, 1)
    w = m.weight
    out = functional_call(
        m, {"weight": numtorch.ones(1, 2), "bias": numtorch.zeros(1)}, numtorch.tensor([1.0, 2.0])
    )
    assert out.tolist() == [3.0]
    assert m.weight is w


def test_functional_call_tied_weights_and_buffer_updates():
    m = Tied()
    x = numtorch.zeros(())
    assert functional_call(m, {"foo": numtorch.zeros(())}, x).item() == 0.0
    assert functional_call(m, {"foo": numtorch.zeros(())}, x, tie_weights=False).item() == 1.0
    with pytest.raises(ValueError, match="functional_call got multiple values for keys"):
        functional_call(m, {"foo": numtorch.zeros(()), "tied": numtorch.ones(())}, x)
    before = m.count.item()
    given = {"count": numtorch.zeros(())}
    functional_call(m, given, (x,))
    assert given["count"].item() == 1.0 and m.count.item() == before


def test_functional_call_strict_and_dict_sequences():
    m = numtorch.nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match=r"Error\(s\) in reparametrizing for Linear:"):
        functional_call(
            m,
            {"weight": numtorch.ones(1, 1), "extra": numtorch.ones(1)},
            numtorch.ones(1),
            strict=True,
        )
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(
            m, ({"weight": numtorch.ones(1, 1)}, {"weight": numtorch.ones(1, 1)}), numtorch.ones(1)
        )
    with pytest.raises(ValueError, match="Expected parameter_and_buffer_dicts to be a dict"):
        functional_call(m, 3, numtorch.ones(1))


def test_stateless_functional_call_warns():
    m = numtorch.nn.Linear(1, 1)
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        out = stateless.functional_call(
            m, {"weight": numtorch.full((1, 1), 2.0)}, kwargs={"input": numtorch.ones(1)}
        )
    assert out.item() == pytest.approx(2.0 + m.bias.item())


def test_functional_call_gradcheck():
    m = numtorch.nn.Linear(3, 2).double()
    x = numtorch.randn(4, 3, dtype=numtorch.float64)

    def f(w, b):
        return functional_call(m, {"weight": w, "bias": b}, (x,))

    w = numtorch.randn(2, 3, dtype=numtorch.float64, requires_grad=True)
    b = numtorch.randn(2, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(f, (w, b))


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_equals_composition(transpose):
    conv_cls = numtorch.nn.ConvTranspose2d if transpose else numtorch.nn.Conv2d
    conv = conv_cls(2, 3, 3, bias=False)
    bn = numtorch.nn.BatchNorm2d(3)
    bn(numtorch.randn(4, 3, 5, 5) * 3 + 1)
    conv.eval()
    bn.eval()
    fused = numtorch.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    x = numtorch.randn(2, 2, 6, 6)
    assert numtorch.allclose(fused(x), bn(conv(x)), atol=1e-5)
    assert isinstance(fused.bias, numtorch.nn.Parameter) and conv.bias is None
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        numtorch.nn.utils.fuse_conv_bn_eval(conv.train(), bn)


def test_fuse_linear_bn_eval_checks_features():
    with pytest.raises(AssertionError, match="linear.out_features == bn.num_features"):
        numtorch.nn.utils.fuse_linear_bn_eval(
            numtorch.nn.Linear(2, 3).eval(), numtorch.nn.BatchNorm1d(2).eval()
        )


def test_skip_init_keeps_rng_and_checks():
    numtorch.manual_seed(3)
    m = numtorch.nn.utils.skip_init(numtorch.nn.Linear, 5, 1)
    a = numtorch.rand(3)
    numtorch.manual_seed(3)
    assert a.tolist() == numtorch.rand(3).tolist()
    assert m.weight.shape == (1, 5)
    with pytest.raises(RuntimeError, match="Expected a Module; got"):
        numtorch.nn.utils.skip_init(int)
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        numtorch.nn.utils.skip_init(numtorch.nn.ReLU)


def test_fusion_matches_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        conv, bn = lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3)
        lin, bn1 = lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3)
        bn(lib.randn(4, 3, 5, 5) * 2 + 1)
        bn1(lib.randn(6, 3) * 2 - 1)
        for mod in (conv, bn, lin, bn1):
            mod.eval()
        fc = lib.nn.utils.fuse_conv_bn_eval(conv, bn)
        fl = lib.nn.utils.fuse_linear_bn_eval(lin, bn1)
        out.append([fc.weight, fc.bias, fl.weight, fl.bias, fc(lib.randn(1, 2, 4, 4))])
    for a, b in zip(*out, strict=True):
        assert a.detach().numpy().ravel().tolist() == pytest.approx(
            b.detach().numpy().ravel().tolist(), abs=1e-6
        )


def test_skip_init_rng_matches_torch():
    torch = pytest.importorskip("torch")
    draws = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        lib.nn.utils.skip_init(lib.nn.Linear, 4, 2)
        draws.append(lib.randn(3).tolist())
    assert draws[0] == draws[1]


def test_functional_call_matches_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        params = {k: v.detach().clone().requires_grad_() for k, v in m.named_parameters()}
        params["0.weight"] = params["0.weight"] * 2
        x = lib.randn(5, 3)
        y = (
            lib.func.functional_call(m, params, (x,))
            if lib is torch
            else functional_call(m, params, (x,))
        )
        g = lib.autograd.grad(y.sum(), [params["2.weight"], params["0.bias"]])
        out.append([y, *g])
    for a, b in zip(*out, strict=True):
        assert a.detach().numpy().ravel().tolist() == pytest.approx(
            b.detach().numpy().ravel().tolist(), abs=1e-6
        )
