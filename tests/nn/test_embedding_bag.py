"""nn.functional.embedding_bag and nn.EmbeddingBag: outputs, gradients (to the weight and to
per_sample_weights), grad_fn, errors and reprs against PyTorch, plus float64 gradchecks."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck, gradgradcheck
from numtorch.nn._functional_extra import embedding_bag

INPUT = [1, 2, 4, 5, 4, 3, 2, 0, 6, 6]
OFFSETS = [0, 3, 3, 5, 9]  # bag 1 is empty
LAST_OFFSETS = [0, 3, 3, 5, 10]  # include_last_offset: the last entry ends the last bag


def _np(t):
    return np.asarray(t.detach().numpy())


def _weight(rng, lib, dtype="float32"):
    return lib.tensor(rng.standard_normal((7, 3)).astype(dtype), requires_grad=True)


def _run(lib, F_bag, w, psw=None, two_d=False, **kw):
    if two_d:
        inp = lib.tensor(np.array(INPUT[:9]).reshape(3, 3))
        out = F_bag(inp, w, per_sample_weights=psw, **kw)
    else:
        offs = LAST_OFFSETS if kw.get("include_last_offset") else OFFSETS
        out = F_bag(lib.tensor(INPUT), w, lib.tensor(offs), per_sample_weights=psw, **kw)
    grad_out = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)), dtype=w.dtype)
    inputs = [w] if psw is None else [w, psw]
    grads = lib.autograd.grad(out, inputs, grad_out)
    return out, grads


CASES = [
    dict(mode=mode, padding_idx=pad, include_last_offset=last, scale_grad_by_freq=freq)
    for mode in ("sum", "mean", "max")
    for pad in (None, 2, -1)
    for last in (False, True)
    for freq in ((False, True) if mode != "max" else (False,))
]


@pytest.mark.parametrize("kw", CASES, ids=lambda kw: "-".join(f"{v}" for v in kw.values()))
def test_matches_torch(kw):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    t_out, t_grads = _run(torch, torch.nn.functional.embedding_bag, _weight(rng, torch), **kw)
    rng = np.random.default_rng(0)
    n_out, n_grads = _run(numtorch, embedding_bag, _weight(rng, numtorch), **kw)
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-6, atol=1e-6)
    assert type(n_out.grad_fn).__name__ == type(t_out.grad_fn).__name__ == "EmbeddingBagBackward0"
    for n_g, t_g in zip(n_grads, t_grads, strict=True):
        np.testing.assert_allclose(_np(n_g), _np(t_g), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_two_d_input_matches_torch(mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    t_out, t_grads = _run(
        torch, torch.nn.functional.embedding_bag, _weight(rng, torch), two_d=True, mode=mode
    )
    rng = np.random.default_rng(1)
    n_out, n_grads = _run(numtorch, embedding_bag, _weight(rng, numtorch), two_d=True, mode=mode)
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(n_grads[0]), _np(t_grads[0]), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("padding_idx", [None, 4])
@pytest.mark.parametrize("two_d", [False, True])
def test_per_sample_weights_match_torch(padding_idx, two_d):
    torch = pytest.importorskip("torch")
    results = []
    for lib, fn in ((torch, torch.nn.functional.embedding_bag), (numtorch, embedding_bag)):
        rng = np.random.default_rng(2)
        w = _weight(rng, lib)
        psw = rng.standard_normal(9 if two_d else 10).astype("float32")
        psw = lib.tensor(psw.reshape(3, 3) if two_d else psw, requires_grad=True)
        results.append(_run(lib, fn, w, psw, two_d=two_d, mode="sum", padding_idx=padding_idx))
    (t_out, t_grads), (n_out, n_grads) = results
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-6, atol=1e-6)
    for n_g, t_g in zip(n_grads, t_grads, strict=True):
        assert tuple(n_g.shape) == tuple(t_g.shape)
        np.testing.assert_allclose(_np(n_g), _np(t_g), rtol=1e-5, atol=1e-6)


def test_max_ties_go_to_the_first_row():
    w = numtorch.tensor([[1.0, 2.0], [1.0, 3.0]], requires_grad=True)
    out = embedding_bag(numtorch.tensor([0, 1]), w, numtorch.tensor([0]), mode="max")
    out.sum().backward()
    assert w.grad.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_empty_and_all_padding_bags_are_zero():
    w = numtorch.ones(3, 2, requires_grad=True)
    for mode in ("sum", "mean", "max"):
        out = embedding_bag(
            numtorch.tensor([2, 2, 0]), w, numtorch.tensor([0, 0, 2]), mode=mode, padding_idx=2
        )
        assert out.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]


def test_int32_indices_and_offsets():
    w = numtorch.arange(6.0).view(3, 2)
    out = embedding_bag(
        numtorch.tensor([0, 2], dtype=numtorch.int32),
        w,
        numtorch.tensor([0], dtype=numtorch.int32),
        mode="sum",
    )
    assert out.tolist() == [[4.0, 6.0]]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck_weight(mode):
    rng = np.random.default_rng(3)
    w = numtorch.tensor(rng.standard_normal((7, 3)), requires_grad=True)
    idx, offs = numtorch.tensor(INPUT), numtorch.tensor(OFFSETS)
    assert gradcheck(lambda w: embedding_bag(idx, w, offs, mode=mode, padding_idx=2), (w,))
    if mode != "max":
        assert gradgradcheck(lambda w: embedding_bag(idx, w, offs, mode=mode), (w,))


def test_gradcheck_per_sample_weights():
    rng = np.random.default_rng(4)
    w = numtorch.tensor(rng.standard_normal((7, 3)), requires_grad=True)
    psw = numtorch.tensor(rng.standard_normal(10), requires_grad=True)
    idx, offs = numtorch.tensor(INPUT), numtorch.tensor(OFFSETS)

    def fn(w, psw):
        return embedding_bag(idx, w, offs, mode="sum", per_sample_weights=psw, padding_idx=3)

    assert gradcheck(fn, (w, psw))
    assert gradgradcheck(fn, (w, psw))


def test_max_norm_renormalises_the_looked_up_rows():
    torch = pytest.importorskip("torch")
    base = np.arange(12, dtype="float32").reshape(4, 3)
    outs = []
    for lib, fn in ((torch, torch.nn.functional.embedding_bag), (numtorch, embedding_bag)):
        w = lib.tensor(base.copy())
        out = fn(lib.tensor([1, 3, 1]), w, lib.tensor([0, 2]), max_norm=2.0, mode="sum")
        outs.append((_np(out), _np(w)))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-6)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-6)


ERRORS = [
    ("[0, 1]", "[1]", {}),
    ("[1, 2, 0]", "[0, 2, 1]", {}),
    ("[1, 2]", "[0, 3]", {}),
    ("[0, 7]", "[0]", {}),
    ("[0, -1]", "[0]", {}),
    ("[0.0, 1.0]", "[0]", {}),
    ("[0, 1]", "[0.0]", {}),
    ("[0, 1]", "[0]", {"mode": "foo"}),
    ("[0, 1]", "[0]", {"mode": "max", "scale_grad_by_freq": True}),
    ("[0, 1]", "[0]", {"mode": "max", "sparse": True}),
    ("[0, 1]", "[0]", {"padding_idx": 7}),
    ("[0, 1]", "[0]", {"mode": "mean", "per_sample_weights": "ones(2)"}),
    ("[0, 1]", "[0]", {"mode": "sum", "per_sample_weights": "ones(3)"}),
    ("[0, 1]", "[0]", {"mode": "sum", "per_sample_weights": "ones(2, dtype=lib.float64)"}),
    ("[[0, 1]]", "[0]", {}),
    ("[[[0, 1]]]", None, {}),
    ("[0, 1]", None, {}),
    ("[0, 1]", "[[0]]", {}),
]


@pytest.mark.parametrize(("inp", "offs", "kw"), ERRORS)
def test_errors_match_torch(inp, offs, kw):
    torch = pytest.importorskip("torch")
    messages = []
    for lib, fn in ((torch, torch.nn.functional.embedding_bag), (numtorch, embedding_bag)):
        args = dict(kw)
        if "per_sample_weights" in args:
            args["per_sample_weights"] = eval("lib." + args["per_sample_weights"])
        w = lib.ones(7, 3)
        offsets = None if offs is None else lib.tensor(eval(offs))
        with pytest.raises(Exception) as info:
            fn(lib.tensor(eval(inp)), w, offsets, **args)
        messages.append((type(info.value), str(info.value)))
    (t_type, t_msg), (n_type, n_msg) = messages
    assert n_type is t_type
    assert n_msg == t_msg.replace("torch.", "numtorch.")


def test_weight_must_be_2d():
    with pytest.raises(ValueError, match="weight has to be a 2D Tensor, but got Tensor of dim"):
        embedding_bag(numtorch.tensor([0]), numtorch.ones(3), numtorch.tensor([0]))


def test_module_repr_and_path_match_torch():
    torch = pytest.importorskip("torch")
    for text in (
        "EmbeddingBag(10, 3)",
        "EmbeddingBag(10, 3, mode='sum', padding_idx=0, max_norm=1.0, include_last_offset=True)",
        "EmbeddingBag(10, 3, mode='max', norm_type=1.0, scale_grad_by_freq=True)",
        "EmbeddingBag(10, 3, padding_idx=-2)",
    ):
        t_mod, n_mod = eval("torch.nn." + text), eval("nn." + text)
        assert repr(n_mod) == repr(t_mod)
        assert n_mod.padding_idx == t_mod.padding_idx
    assert type(nn.EmbeddingBag(2, 2)).__module__ == "numtorch.nn.modules.sparse"
    assert nn.EmbeddingBag.__constants__ == torch.nn.EmbeddingBag.__constants__


def test_module_forward_and_from_pretrained():
    w = numtorch.arange(6.0).view(3, 2)
    bag = nn.EmbeddingBag.from_pretrained(w, mode="sum", padding_idx=1)
    assert repr(bag) == "EmbeddingBag(3, 2, mode='sum', padding_idx=1)"
    assert not bag.weight.requires_grad
    assert bag(numtorch.tensor([[0, 1, 2]])).tolist() == [[4.0, 6.0]]
    assert nn.EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dim"):
        nn.EmbeddingBag.from_pretrained(numtorch.ones(3))
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.EmbeddingBag(3, 2, padding_idx=3)
    bag = nn.EmbeddingBag(5, 4, padding_idx=2)
    assert bag.weight[2].tolist() == [0.0] * 4
    out = bag(numtorch.tensor([1, 2, 3]), numtorch.tensor([0, 1]), None)
    assert type(out.grad_fn).__name__ == "EmbeddingBagBackward0"


def test_swapped_arguments_warn_as_torch():
    w = numtorch.arange(6.0).view(3, 2)
    with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
        out = embedding_bag(w, numtorch.tensor([0, 2]), numtorch.tensor([0]), mode="sum")
    assert out.tolist() == [[4.0, 6.0]]
