"""multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss and
triplet_margin_with_distance_loss (functional and modules), ChannelShuffle and the
channel_shuffle / pdist functional names: against PyTorch, plus float64 gradchecks."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck, gradgradcheck
from numtorch.nn import _functional_extra as FX
from numtorch.nn.modules.channelshuffle import ChannelShuffle

X = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
Y = [1, 0, 3, 2, 2]
LABELS = [[3, 0, -1, 1], [1, 2, 3, -1], [-1, 1, 2, 3], [0, 0, -1, 2], [0, 1, 2, 3]]
SOFT = (np.random.default_rng(1).random((5, 4)) > 0.5).astype("float32")
CLASS_W = [1.0, 2.0, 0.5, 3.0]


def _np(t):
    return np.asarray(t.detach().numpy())


def _compare(call):
    """Runs ``call(lib, F, x)`` with torch and numtorch; compares value, grad and grad_fn."""
    torch = pytest.importorskip("torch")
    results = []
    for lib, F in ((torch, torch.nn.functional), (numtorch, FX)):
        x = lib.tensor(X, requires_grad=True)
        out = call(lib, F, x)
        grad_out = lib.tensor(
            np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)), dtype=out.dtype
        )
        (grad,) = lib.autograd.grad(out, [x], grad_out)
        results.append((out, grad))
    (t_out, t_grad), (n_out, n_grad) = results
    assert tuple(n_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(n_grad), _np(t_grad), rtol=1e-5, atol=1e-6)
    assert type(n_out.grad_fn).__name__ == type(t_out.grad_fn).__name__


REDUCTIONS = ["none", "mean", "sum"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_matches_torch(reduction, p, weighted):
    def call(lib, F, x):
        w = lib.tensor(CLASS_W) if weighted else None
        return F.multi_margin_loss(x, lib.tensor(Y), p=p, margin=0.7, weight=w, reduction=reduction)

    _compare(call)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_one_sample_matches_torch(reduction):
    _compare(lambda lib, F, x: F.multi_margin_loss(x[0], lib.tensor(Y[0]), reduction=reduction))
    _compare(lambda lib, F, x: F.multi_margin_loss(x[1], lib.tensor(Y[1:2]), reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_matches_torch(reduction):
    _compare(lambda lib, F, x: F.multilabel_margin_loss(x, lib.tensor(LABELS), reduction=reduction))
    _compare(
        lambda lib, F, x: F.multilabel_margin_loss(x[0], lib.tensor(LABELS[0]), reduction=reduction)
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_matches_torch(reduction, weighted):
    def call(lib, F, x):
        w = lib.tensor(CLASS_W) if weighted else None
        return F.multilabel_soft_margin_loss(x, lib.tensor(SOFT), weight=w, reduction=reduction)

    _compare(call)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("cosine", [False, True])
def test_triplet_with_distance_matches_torch(reduction, swap, cosine):
    def call(lib, F, x):
        dist = (lambda a, b: 1 - lib.nn.functional.cosine_similarity(a, b)) if cosine else None
        return F.triplet_margin_with_distance_loss(
            x,
            x.flip(0) * 0.5,
            x.roll(1, 0),
            distance_function=dist,
            margin=0.8,
            swap=swap,
            reduction=reduction,
        )

    _compare(call)


def test_legacy_reduction_arguments():
    y = numtorch.tensor(Y)
    x = numtorch.tensor(X)
    expected = FX.multi_margin_loss(x, y, reduction="sum")
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        assert FX.multi_margin_loss(x, y, size_average=False).item() == expected.item()
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        out = FX.multilabel_margin_loss(x, numtorch.tensor(LABELS), reduce=False)
    assert out.shape == (5,)
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        out = FX.multilabel_soft_margin_loss(x, numtorch.tensor(SOFT), reduce=False)
    assert out.shape == (5,)
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        module = nn.MultiMarginLoss(size_average=False)
    assert module.reduction == "sum"


ERRORS = [
    "F.multi_margin_loss(x, lib.tensor([1, 0, 3, 2, 4]))",
    "F.multi_margin_loss(x, lib.tensor([1, 0, 3, 2, -1]))",
    "F.multi_margin_loss(x, lib.tensor([1, 0]))",
    "F.multi_margin_loss(x[0], lib.tensor([1, 0]))",
    "F.multi_margin_loss(x, lib.tensor([1.0, 0, 3, 2, 2]))",
    "F.multi_margin_loss(x, lib.tensor([1, 0, 3, 2, 2], dtype=lib.int32))",
    "F.multi_margin_loss(x, lib.tensor(Y), p=3)",
    "F.multi_margin_loss(x, lib.tensor(Y), weight=lib.ones(2, 2))",
    "F.multi_margin_loss(x, lib.tensor(Y), weight=lib.ones(3))",
    "F.multi_margin_loss(x.double(), lib.tensor(Y), weight=lib.ones(4))",
    "F.multi_margin_loss(x, lib.tensor(Y), weight=lib.ones(4, requires_grad=True))",
    "F.multi_margin_loss(x.unsqueeze(0), lib.tensor(Y))",
    "F.multi_margin_loss(x, lib.tensor(Y), reduction='foo')",
    "F.multilabel_margin_loss(x, lib.tensor(LABELS[:2]))",
    "F.multilabel_margin_loss(x[0], lib.tensor([1, 2]))",
    "F.multilabel_margin_loss(x, lib.tensor(LABELS).float())",
    "F.multilabel_margin_loss(x, lib.tensor([[4, -1, 0, 0]] * 5))",
    "F.multilabel_margin_loss(x, lib.tensor([[-2, 1, -1, 0]] * 5))",
    "F.multilabel_margin_loss(x.unsqueeze(0), lib.tensor(LABELS).unsqueeze(0))",
    "F.multilabel_soft_margin_loss(x, lib.tensor(SOFT), reduction='foo')",
    "F.triplet_margin_with_distance_loss(x, x, x, margin=0)",
    "F.triplet_margin_with_distance_loss(x, x, x, reduction='x')",
    "F.triplet_margin_with_distance_loss(x, x, x[0])",
    "lib.nn.MultiMarginLoss(p=3)",
    "lib.nn.MultiMarginLoss(weight=lib.ones(2, 2))",
    "lib.nn.TripletMarginWithDistanceLoss(margin=-1)",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    torch = pytest.importorskip("torch")
    messages = []
    for lib, F in ((torch, torch.nn.functional), (numtorch, FX)):
        x = lib.tensor(X, requires_grad=True)
        with pytest.raises(Exception) as info:
            eval(expr, {"lib": lib, "F": F, "x": x, "Y": Y, "LABELS": LABELS, "SOFT": SOFT})
        messages.append((type(info.value), str(info.value)))
    assert messages[1] == messages[0]


def test_empty_batch():
    empty = numtorch.zeros(0, 4)
    assert FX.multi_margin_loss(empty, numtorch.zeros(0, dtype=numtorch.long)).item() == 0.0
    assert FX.multilabel_margin_loss(empty, numtorch.zeros(0, 4, dtype=numtorch.long)).item() == 0
    assert FX.multi_margin_loss(numtorch.randn(()), numtorch.tensor(0)).item() == 0.0


MODULES = [
    "MultiMarginLoss()",
    "MultiMarginLoss(p=2, margin=0.5, weight=lib.tensor(CLASS_W), reduction='sum')",
    "MultiLabelMarginLoss()",
    "MultiLabelMarginLoss(reduction='none')",
    "MultiLabelSoftMarginLoss(weight=lib.tensor(CLASS_W))",
    "TripletMarginWithDistanceLoss(margin=2.0)",
    "TripletMarginWithDistanceLoss(distance_function=lib.nn.functional.pairwise_distance)",
    "TripletMarginWithDistanceLoss(distance_function=lib.nn.CosineSimilarity(), swap=True)",
]


@pytest.mark.parametrize("text", MODULES)
def test_modules_match_torch(text):
    torch = pytest.importorskip("torch")
    mods = [eval("lib.nn." + text, {"lib": lib, "CLASS_W": CLASS_W}) for lib in (torch, numtorch)]
    t_mod, n_mod = mods
    assert repr(n_mod) == repr(t_mod)
    assert type(n_mod).__module__ == "numtorch.nn.modules.loss"
    assert n_mod.reduction == t_mod.reduction
    assert list(n_mod._buffers) == list(t_mod._buffers)
    assert type(n_mod).__constants__ == type(t_mod).__constants__
    outs = []
    for lib, mod in ((torch, t_mod), (numtorch, n_mod)):
        x = lib.tensor(X)
        if "Triplet" in text:
            outs.append(mod(x, x * 0.5, x.flip(0)))
        elif "MultiMargin" in text:
            outs.append(mod(x, lib.tensor(Y)))
        elif "SoftMargin" in text:
            outs.append(mod(x, lib.tensor(SOFT)))
        else:
            outs.append(mod(x, lib.tensor(LABELS)))
    np.testing.assert_allclose(_np(outs[1]), _np(outs[0]), rtol=1e-5, atol=1e-6)


def _x64(seed, shape=(4, 5)):
    rng = np.random.default_rng(seed)
    return numtorch.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("p", [1, 2])
def test_gradcheck_multi_margin(p):
    y = numtorch.tensor([1, 0, 4, 2])
    w = numtorch.tensor([1.0, 2.0, 0.5, 3.0, 1.5], dtype=numtorch.float64)
    for reduction in REDUCTIONS:

        def fn(x, reduction=reduction):
            return FX.multi_margin_loss(x, y, p=p, weight=w, reduction=reduction)

        assert gradcheck(fn, (_x64(p),))
        assert gradgradcheck(fn, (_x64(p),))


def test_gradcheck_multilabel_losses():
    labels = numtorch.tensor(
        [[3, 0, -1, 1, 2], [1, 2, 3, -1, 0], [4, -1, 1, 2, 3], [0, 0, 1, -1, 2]]
    )
    soft = numtorch.tensor((np.random.default_rng(5).random((4, 5)) > 0.5).astype("float64"))
    for reduction in REDUCTIONS:

        def hinge(x, reduction=reduction):
            return FX.multilabel_margin_loss(x, labels, reduction=reduction)

        def logistic(x, reduction=reduction):
            return FX.multilabel_soft_margin_loss(x, soft, reduction=reduction)

        assert gradcheck(hinge, (_x64(6),))
        assert gradcheck(logistic, (_x64(7),))


def test_gradcheck_triplet_with_distance():
    a, p, n = _x64(8), _x64(9), _x64(10)
    for swap in (False, True):

        def fn(a, p, n, swap=swap):
            return FX.triplet_margin_with_distance_loss(a, p, n, swap=swap, margin=3.0)

        assert gradcheck(fn, (a, p, n))


def test_values_without_torch():
    x = numtorch.tensor([[0.1, 0.2, 0.4, 0.8]])
    assert round(FX.multi_margin_loss(x, numtorch.tensor([3])).item(), 6) == 0.325
    labels = numtorch.tensor([[3, 0, -1, 1]])
    assert round(FX.multilabel_margin_loss(x, labels).item(), 6) == 0.85
    out = FX.multi_margin_loss(x.requires_grad_(), numtorch.tensor([3]))
    assert type(out.grad_fn).__name__ == "MultiMarginLossBackward0"


def test_channel_shuffle_and_pdist():
    torch = pytest.importorskip("torch")
    data = np.arange(2 * 6 * 3, dtype="float32").reshape(2, 6, 3)
    t_mod, n_mod = torch.nn.ChannelShuffle(3), ChannelShuffle(3)
    assert repr(n_mod) == repr(t_mod) == "ChannelShuffle(groups=3)"
    assert type(n_mod).__module__ == "numtorch.nn.modules.channelshuffle"
    assert ChannelShuffle.__constants__ == ["groups"]
    np.testing.assert_array_equal(_np(n_mod(numtorch.tensor(data))), _np(t_mod(torch.tensor(data))))
    np.testing.assert_array_equal(
        _np(FX.channel_shuffle(numtorch.tensor(data), 2)),
        _np(torch.nn.functional.channel_shuffle(torch.tensor(data), 2)),
    )
    pts = data[0]
    np.testing.assert_allclose(
        _np(FX.pdist(numtorch.tensor(pts), 1.5)),
        _np(torch.nn.functional.pdist(torch.tensor(pts), 1.5)),
        rtol=1e-6,
    )
    assert FX.channel_shuffle is numtorch.channel_shuffle and FX.pdist is numtorch.pdist


def test_init_deprecated_aliases():
    with pytest.warns(FutureWarning, match=r"`nn.init.eye` is now deprecated"):
        out = nn.init.eye(numtorch.empty(2, 3))
    assert out.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    with pytest.warns(FutureWarning, match=r"`nn.init.dirac` is now deprecated"):
        out = nn.init.dirac(numtorch.empty(2, 2, 3))
    assert out[:, :, 1].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert "eye" in nn.init.__all__ and "dirac" in nn.init.__all__
