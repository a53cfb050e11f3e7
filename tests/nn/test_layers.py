"""Layers, activation and loss modules against PyTorch (weights copied across), their
default initialisation bit for bit under the same seed, and nn.init's distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck


def _np(t):
    return np.asarray(t.detach().numpy())


def _torch():
    return pytest.importorskip("torch")


# (constructor call as text, input shapes): the text is evaluated with nn = numtorch.nn / torch.nn
MODULES = [
    ("nn.Linear(4, 3)", [(2, 4)]),
    ("nn.Linear(4, 3, bias=False)", [(2, 5, 4)]),
    ("nn.Bilinear(2, 3, 4)", [(5, 2), (5, 3)]),
    ("nn.ReLU()", [(3, 4)]),
    ("nn.ReLU6()", [(3, 4)]),
    ("nn.LeakyReLU(0.1)", [(3, 4)]),
    ("nn.PReLU(3)", [(2, 3, 4)]),
    ("nn.PReLU()", [(2, 3)]),
    ("nn.ELU(alpha=0.5)", [(3, 4)]),
    ("nn.SELU()", [(3, 4)]),
    ("nn.CELU(2.0)", [(3, 4)]),
    ("nn.GELU()", [(3, 4)]),
    ("nn.GELU(approximate='tanh')", [(3, 4)]),
    ("nn.SiLU()", [(3, 4)]),
    ("nn.Mish()", [(3, 4)]),
    ("nn.Sigmoid()", [(3, 4)]),
    ("nn.Tanh()", [(3, 4)]),
    ("nn.Hardtanh(-0.5, 0.5)", [(3, 4)]),
    ("nn.Hardsigmoid()", [(3, 4)]),
    ("nn.Hardswish()", [(3, 4)]),
    ("nn.Softplus(beta=2)", [(3, 4)]),
    ("nn.Softsign()", [(3, 4)]),
    ("nn.Softmax(dim=1)", [(3, 4)]),
    ("nn.LogSoftmax(dim=-1)", [(3, 4)]),
    ("nn.Softmin(dim=0)", [(3, 4)]),
    ("nn.Threshold(0.1, 20.0)", [(3, 4)]),
    ("nn.GLU()", [(3, 4)]),
    ("nn.LogSigmoid()", [(3, 4)]),
    ("nn.Softshrink(0.3)", [(3, 4)]),
    ("nn.Hardshrink()", [(3, 4)]),
    ("nn.Tanhshrink()", [(3, 4)]),
    ("nn.Flatten()", [(2, 3, 4)]),
    ("nn.Unflatten(1, (2, 2))", [(3, 4)]),
    ("nn.Identity(3, unused=True)", [(3, 4)]),
    ("nn.CosineSimilarity(dim=0)", [(3, 4), (3, 4)]),
    ("nn.PairwiseDistance()", [(3, 4), (3, 4)]),
    ("nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2), nn.LogSoftmax(1))", [(6, 4)]),
]


def _copy_params(ours, theirs):
    torch = _torch()
    with torch.no_grad():
        for (n1, p), (n2, q) in zip(
            ours.state_dict().items(), theirs.state_dict().items(), strict=True
        ):
            assert n1 == n2
            q.copy_(torch.from_numpy(np.array(p.numpy())))


@pytest.mark.parametrize("spec", [m[0] for m in MODULES])
def test_module_against_torch(spec):
    torch = _torch()
    shapes = dict(MODULES)[spec]
    rng = np.random.default_rng(1)
    ours = eval(spec, {"nn": nn}).double()
    theirs = eval(spec, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    arrays = [rng.uniform(-3, 3, s) for s in shapes]
    xs = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-7, atol=1e-10)
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    w = rng.standard_normal(tuple(ref.shape))
    (out * numtorch.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-7, atol=1e-10)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize(
    "spec", ["nn.Linear(3, 2)", "nn.Bilinear(2, 2, 3)", "nn.PReLU(2)", "nn.GELU()", "nn.Mish()"]
)
def test_module_gradcheck(spec):
    m = eval(spec, {"nn": nn}).double()
    n_in = 2 if "Bilinear" in spec else 1
    xs = [numtorch.randn(3, 2, dtype=numtorch.float64, requires_grad=True) for _ in range(n_in)]
    if "Linear(3" in spec:
        xs = [numtorch.randn(4, 3, dtype=numtorch.float64, requires_grad=True)]
    params = list(m.parameters())
    assert gradcheck(lambda *a: m(*a[: len(xs)]), (*xs, *params), atol=1e-5)


LOSSES = [
    ("nn.MSELoss()", "float"),
    ("nn.L1Loss(reduction='sum')", "float"),
    ("nn.SmoothL1Loss(beta=0.5)", "float"),
    ("nn.HuberLoss(delta=0.5, reduction='none')", "float"),
    ("nn.CrossEntropyLoss()", "class"),
    (
        "nn.CrossEntropyLoss(weight=T.tensor([1.0, 2.0, 0.5, 1.5], dtype=T.float64), "
        "label_smoothing=0.1)",
        "class",
    ),
    ("nn.CrossEntropyLoss(ignore_index=1, reduction='sum')", "class"),
    ("nn.CrossEntropyLoss()", "probs"),
    ("nn.NLLLoss(weight=T.tensor([1.0, 2.0, 0.5, 1.5], dtype=T.float64))", "class"),
    ("nn.BCELoss()", "prob"),
    ("nn.BCEWithLogitsLoss(pos_weight=T.tensor([1.0, 2.0, 0.5, 1.5], dtype=T.float64))", "unit"),
    ("nn.KLDivLoss(reduction='batchmean')", "probs"),
    ("nn.KLDivLoss(reduction='sum', log_target=True)", "float"),
    ("nn.SoftMarginLoss()", "sign"),
    ("nn.HingeEmbeddingLoss()", "sign"),
]


def _loss_inputs(kind, lib, rng):
    x = rng.uniform(-2, 2, (5, 4))
    if kind == "prob":
        x = rng.uniform(0.05, 0.95, (5, 4))
    if kind == "class":
        target = lib.tensor(rng.integers(0, 4, 5))
    elif kind == "probs":
        p = rng.uniform(0.1, 1, (5, 4))
        target = lib.tensor(p / p.sum(1, keepdims=True))
    elif kind in ("prob", "unit"):
        target = lib.tensor(rng.uniform(0, 1, (5, 4)))
    elif kind == "sign":
        target = lib.tensor(rng.choice([-1.0, 1.0], (5, 4)))
    else:
        target = lib.tensor(rng.uniform(-2, 2, (5, 4)))
    return lib.tensor(
        x, requires_grad=True
    ), target.double() if target.is_floating_point() else target


@pytest.mark.parametrize("spec,kind", LOSSES)
def test_loss_against_torch(spec, kind):
    torch = _torch()
    results = []
    for lib in (numtorch, torch):
        rng = np.random.default_rng(2)
        loss_fn = eval(spec, {"nn": lib.nn, "T": lib})
        x, target = _loss_inputs(kind, lib, rng)
        out = loss_fn(x, target)
        out.backward(lib.ones_like(out))
        results.append(
            (
                repr(loss_fn),
                _np(out),
                _np(x.grad),
                type(out.grad_fn).__name__,
                list(loss_fn.state_dict()),
            )
        )
    ours, theirs = results
    assert ours[0] == theirs[0]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-7, atol=1e-10)
    if "label_smoothing" not in spec and kind != "probs":
        assert ours[3] == theirs[3]
    assert ours[4] == theirs[4]


def test_weight_dtype_mismatch_matches_torch():
    torch = _torch()
    messages = []
    for lib in (numtorch, torch):
        loss = lib.nn.NLLLoss(weight=lib.ones(4))
        with pytest.raises(RuntimeError) as err:
            loss(lib.zeros(2, 4, dtype=lib.float64), lib.tensor([0, 1]))
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_three_input_losses_against_torch():
    torch = _torch()
    specs = [
        ("nn.CosineEmbeddingLoss(margin=0.2)", "sign"),
        ("nn.MarginRankingLoss(margin=0.3)", "sign"),
        ("nn.TripletMarginLoss(margin=2.0, p=1.5)", "triplet"),
    ]
    for spec, kind in specs:
        results = []
        for lib in (numtorch, torch):
            rng = np.random.default_rng(3)
            a = lib.tensor(rng.uniform(-2, 2, (6, 3)), requires_grad=True)
            b = lib.tensor(rng.uniform(-2, 2, (6, 3)), requires_grad=True)
            third = rng.choice([-1.0, 1.0], 6)
            if "MarginRanking" in spec:
                a0, b0 = a[:, 0], b[:, 0]
                out = eval(spec, {"nn": lib.nn})(a0, b0, lib.tensor(third))
            elif kind == "triplet":
                c = lib.tensor(rng.uniform(-2, 2, (6, 3)))
                out = eval(spec, {"nn": lib.nn})(a, b, c)
            else:
                out = eval(spec, {"nn": lib.nn})(a, b, lib.tensor(third))
            out.backward()
            results.append((_np(out), _np(a.grad), _np(b.grad), type(out.grad_fn).__name__))
        for x, y in zip(results[0][:3], results[1][:3], strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-7, atol=1e-10)
        assert results[0][3] == results[1][3]


# -- default initialisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        "nn.Linear(3, 2)",
        "nn.Linear(17, 9)",
        "nn.Bilinear(3, 4, 5)",
        "nn.PReLU(4)",
        "nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 1, bias=False))",
    ],
)
def test_default_init_matches_torch_bit_for_bit(spec):
    torch = _torch()
    numtorch.manual_seed(0)
    ours = eval(spec, {"nn": nn})
    torch.manual_seed(0)
    theirs = eval(spec, {"nn": torch.nn})
    for (n1, p), (n2, q) in zip(
        ours.state_dict().items(), theirs.state_dict().items(), strict=True
    ):
        assert n1 == n2 and p.dtype.itemsize == q.dtype.itemsize
        np.testing.assert_array_equal(_np(p), _np(q))


def test_linear_famous_values():
    numtorch.manual_seed(0)
    w = nn.Linear(3, 2).weight
    assert [round(v, 4) for v in w[0].tolist()] == [-0.0043, 0.3097, -0.4752]


INITS = [
    ("init.uniform_(t, -0.3, 0.7)", (50, 40)),
    ("init.normal_(t, 0.5, 2.0)", (50, 40)),
    ("init.xavier_uniform_(t, gain=2.0)", (30, 20)),
    ("init.xavier_normal_(t)", (30, 20)),
    ("init.kaiming_uniform_(t, a=0.1, mode='fan_out')", (30, 20, 3)),
    ("init.kaiming_normal_(t, nonlinearity='relu')", (30, 20)),
    ("init.trunc_normal_(t, std=0.5)", (40, 30)),
    ("init.trunc_normal_(t, mean=1.0, std=3.0, a=0.0, b=0.5)", (40, 30)),
    ("init.constant_(t, 0.3)", (3, 4)),
    ("init.ones_(t)", (3, 4)),
    ("init.zeros_(t)", (3, 4)),
    ("init.eye_(t)", (3, 4)),
    ("init.dirac_(t)", (4, 2, 3, 3)),
    ("init.dirac_(t, groups=2)", (4, 2, 3)),
    ("init.orthogonal_(t)", (6, 4)),
    ("init.orthogonal_(t, gain=2)", (3, 8)),
    ("init.sparse_(t, 0.3)", (10, 4)),
]


@pytest.mark.parametrize("spec,shape", INITS)
def test_init_matches_torch(spec, shape):
    torch = _torch()
    numtorch.manual_seed(1)
    ours = eval(spec, {"init": nn.init, "t": numtorch.empty(shape)})
    torch.manual_seed(1)
    theirs = eval(spec, {"init": torch.nn.init, "t": torch.empty(shape)})
    if "orthogonal" in spec:  # a different LAPACK path: same matrix up to rounding
        np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-4, atol=1e-5)
    else:
        np.testing.assert_array_equal(_np(ours), _np(theirs))


def test_init_distributions_without_torch():
    numtorch.manual_seed(0)
    t = nn.init.kaiming_uniform_(numtorch.empty(200, 100), a=math.sqrt(5))
    bound = 1 / math.sqrt(100)
    assert t.abs().max().item() <= bound and t.abs().max().item() > 0.95 * bound
    t = nn.init.trunc_normal_(numtorch.empty(100, 100), std=1.0, a=-1.0, b=1.5)
    assert t.min().item() >= -1.0 and t.max().item() <= 1.5
    q = nn.init.orthogonal_(numtorch.empty(5, 3))
    np.testing.assert_allclose(_np(q.t() @ q), np.eye(3), atol=1e-5)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(numtorch.empty(3))
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(numtorch.empty(0, 3))
    w = nn.Parameter(numtorch.empty(2, 2))
    nn.init.ones_(w)
    assert w.requires_grad and w.is_leaf and w.sum().item() == 4.0


def _ctc_case(lib, reduction, zero_infinity=False):
    rng = np.random.default_rng(5)
    logits = lib.tensor(rng.standard_normal((6, 3, 4)), requires_grad=True)
    targets = lib.tensor([[1, 1, 2], [3, 2, 0], [2, 3, 1]])
    loss = lib.nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)
    return logits, lambda x: loss(
        x.log_softmax(2), targets, lib.tensor([6, 5, 2]), lib.tensor([3, 2, 3])
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss_against_torch(reduction):
    torch = _torch()
    res = []
    for lib in (numtorch, torch):
        x, fn = _ctc_case(lib, reduction, zero_infinity=True)
        out = fn(x)
        out.sum().backward()
        res.append((_np(out), _np(x.grad), type(out.grad_fn).__name__))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-12)
    assert res[0][2] == res[1][2]


def test_ctc_loss_gradcheck_through_log_softmax():
    # the third sample cannot be aligned (3 labels in 2 steps): an infinite loss, zeroed here
    x, fn = _ctc_case(numtorch, "mean", zero_infinity=True)
    assert gradcheck(fn, (x,), atol=1e-5)
    assert repr(nn.CTCLoss()) == "CTCLoss()"
