"""numtorch.nn.utils.prune against torch.nn.utils.prune: masks (same seed, same ties), values,
state_dict keys, hooks and errors."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest

import numtorch
import numtorch.nn.utils.prune as nprune


def _libs():
    torch = pytest.importorskip("torch")
    return [(numtorch, nprune), (torch, importlib.import_module("torch.nn.utils.prune"))]


def _np(t):
    return t.detach().numpy()


def _both(scenario):
    """Runs ``scenario(lib, prune)`` with numtorch and torch; returns both results."""
    return [scenario(lib, prune) for lib, prune in _libs()]


def _same(a, b):
    assert type(a) is type(b) or isinstance(a, np.ndarray)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    else:
        assert a == b


def _error(scenario):
    out = []
    for lib, prune in _libs():
        with pytest.raises(Exception) as info:
            scenario(lib, prune)
        out.append((info.type.__name__, str(info.value).replace("torch.", "")))
    return out


def test_module_doctests():
    result = doctest.testmod(
        nprune, extraglobs={"numtorch": numtorch}, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 20 and result.failed == 0


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_random_unstructured_and_structured_masks_match_torch_for_a_seed(seed):
    def scenario(lib, prune):
        lib.manual_seed(seed)
        m = lib.nn.Conv2d(4, 6, 3)
        prune.random_unstructured(m, "weight", amount=0.3)
        first = _np(m.weight_mask)
        prune.random_structured(m, "weight", amount=2, dim=1)
        prune.random_unstructured(m, "weight", amount=17)
        prune.random_structured(m, "weight", amount=0.5, dim=0)
        prune.random_unstructured(m, "bias", amount=0.5)
        return [first, _np(m.weight_mask), _np(m.bias_mask), _np(m.weight), _np(lib.rand(3))]

    a, b = _both(scenario)
    _same(a, b)


@pytest.mark.parametrize("largest_first", [True, False])
def test_l1_ties_are_broken_as_torch_topk(largest_first):
    rng = np.random.default_rng(3)
    cases = [np.zeros(20), rng.integers(0, 3, 300), rng.integers(-2, 3, 5000), rng.random(64)]
    cases += [rng.integers(0, 4, n) for n in (1, 2, 3, 4, 5, 16, 17, 33, 65, 130)]

    def scenario(lib, prune):
        masks = []
        for x in cases:
            x = x.astype(np.float32)
            for amount in sorted({1, 2, len(x) // 2, len(x) // 64, len(x) - 1}):
                if 0 < amount < len(x):
                    t = lib.tensor(x if largest_first else -x)
                    m = prune.L1Unstructured(amount).compute_mask(t, lib.ones_like(t))
                    masks.append(_np(m))
        return masks

    a, b = _both(scenario)
    _same(a, b)


def test_topk_helper_matches_torch_on_nan_and_ties():
    torch = pytest.importorskip("torch")
    x = np.array([np.nan, 1, np.nan, 0, 0, 1] * 5, dtype=np.float32)
    for k in range(1, len(x) + 1):
        for largest in (True, False):
            want = set(torch.topk(torch.tensor(x), k, largest=largest).indices.tolist())
            got = set(nprune._topk_indices(numtorch.tensor(x), k, largest).tolist())
            assert got == want, (k, largest)


@pytest.mark.parametrize(
    ("n", "conv"),
    [
        (1, True),
        (2, True),
        (3, True),
        (float("inf"), True),
        (-math.inf, True),
        ("fro", False),
        (0, False),
    ],
)
def test_ln_structured_and_iterative_pruning_match_torch(n, conv):
    def scenario(lib, prune):
        lib.manual_seed(0)
        m = lib.nn.Conv2d(3, 8, 2) if conv else lib.nn.Linear(6, 8)
        prune.l1_unstructured(m, "weight", amount=0.25)
        prune.ln_structured(m, "weight", amount=0.5, n=n, dim=0)
        prune.ln_structured(m, "weight", amount=1, n=n, dim=-1)
        hook = next(h for h in m._forward_pre_hooks.values() if h._tensor_name == "weight")
        kinds = [type(h).__name__ for h in hook]
        return [_np(m.weight_mask), kinds, len(m._forward_pre_hooks)]

    a, b = _both(scenario)
    _same(a, b)


def test_tutorial_flow_names_keys_and_forward_match_torch():
    def scenario(lib, prune):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(6, 5), lib.nn.ReLU(), lib.nn.Linear(5, 3))
        x = lib.randn(4, 6)
        lin = model[0]
        prune.random_unstructured(lin, name="weight", amount=0.3)
        prune.l1_unstructured(lin, name="bias", amount=3)
        names = [n for n, _ in lin.named_parameters()], [n for n, _ in lin.named_buffers()]
        hooks = [type(h).__name__ for h in lin._forward_pre_hooks.values()]
        keys = list(model.state_dict().keys())
        out1 = _np(model(x))
        with lib.no_grad():
            lin.weight_orig.mul_(2.0)
        out2 = _np(model(x))  # the pre-hook recomputes weight from the changed weight_orig
        grad_fn = type(lin.weight.grad_fn).__name__
        prune.remove(lin, "weight")
        after = [n for n, _ in lin.named_parameters()], [n for n, _ in lin.named_buffers()]
        flags = [type(lin.weight).__name__, lin.weight.requires_grad, prune.is_pruned(model)]
        prune.remove(lin, "bias")
        flags.append(prune.is_pruned(model))
        return [names, hooks, keys, out1, out2, grad_fn, after, flags, _np(lin.weight)]

    a, b = _both(scenario)
    _same(a, b)


def test_global_unstructured_and_importance_scores_match_torch():
    def scenario(lib, prune):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(10, 4), lib.nn.Linear(4, 3))
        prune.l1_unstructured(net[0], "weight", amount=5)
        params = ((net[0], "weight"), (net[1], "weight"), (net[1], "bias"))
        scores = {(net[1], "weight"): lib.arange(12.0).view(3, 4)}
        prune.global_unstructured(
            params, pruning_method=prune.L1Unstructured, importance_scores=scores, amount=0.3
        )
        prune.l1_unstructured(net[0], "bias", amount=2, importance_scores=lib.tensor([4, 3, 2, 1]))
        prune.ln_structured(
            net[1], "weight", amount=1, n=1, dim=0, importance_scores=lib.ones(3, 4)
        )
        prune.custom_from_mask(net[1], "bias", mask=lib.tensor([1, 0, 1]))
        return [_np(b) for b in net.buffers()] + [list(net.state_dict())]

    a, b = _both(scenario)
    _same(a, b)


def test_custom_method_and_identity_match_torch():
    def scenario(lib, prune):
        class FooBar(prune.BasePruningMethod):
            PRUNING_TYPE = "unstructured"

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask

        lib.manual_seed(0)
        m = lib.nn.Linear(3, 10)
        FooBar.apply(m, "bias")
        FooBar.apply(m, "bias")
        prune.identity(m, "weight")
        pruned = FooBar().prune(lib.arange(5.0), default_mask=lib.tensor([1.0, 1, 0, 1, 1]))
        return [_np(m.bias_mask), _np(m.weight_mask), _np(pruned), prune.is_pruned(m)]

    a, b = _both(scenario)
    _same(a, b)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, p: p.l1_unstructured(lib.nn.Linear(2, 2), "weight", amount=1.5),
        lambda lib, p: p.l1_unstructured(lib.nn.Linear(2, 2), "weight", amount=-1),
        lambda lib, p: p.l1_unstructured(lib.nn.Linear(2, 2), "weight", amount="a"),
        lambda lib, p: p.l1_unstructured(lib.nn.Linear(2, 2), "weight", amount=5),
        lambda lib, p: p.random_structured(lib.nn.Linear(2, 2), "bias", amount=1, dim=0),
        lambda lib, p: p.ln_structured(lib.nn.Linear(2, 2), "weight", amount=1, n=2, dim=2),
        lambda lib, p: p.remove(lib.nn.Linear(2, 2), "weight"),
        lambda lib, p: p.global_unstructured(
            [(lib.nn.Linear(2, 2), "weight")], pruning_method=p.RandomStructured, amount=1
        ),
        lambda lib, p: p.global_unstructured(5, pruning_method=p.L1Unstructured, amount=1),
        lambda lib, p: p.global_unstructured(
            [], pruning_method=p.L1Unstructured, importance_scores=[], amount=1
        ),
        lambda lib, p: p.PruningContainer(3),
        lambda lib, p: p.ln_structured(lib.nn.Conv2d(2, 2, 2), "weight", 1, n="fro", dim=0),
    ],
)
def test_errors_match_torch(call):
    ours, theirs = _error(call)
    assert ours[0] == theirs[0]
    # messages may name the module or class by its own package; compare their start
    assert ours[1].split(" of ")[0].split(" <")[0] == theirs[1].split(" of ")[0].split(" <")[0]


def test_failed_pruning_restores_the_parameter_as_torch():
    def scenario(lib, prune):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(ValueError):
            prune.l1_unstructured(m, "weight", amount=9)
        return [[n for n, _ in m.named_parameters()], len(m._forward_pre_hooks)]

    a, b = _both(scenario)
    _same(a, b)


def test_pruning_without_torch():
    numtorch.manual_seed(0)
    m = numtorch.nn.Linear(4, 3)
    nprune.l1_unstructured(m, "weight", amount=0.5)
    w = m.weight_orig.detach().numpy()
    kept = np.abs(w) >= np.sort(np.abs(w).ravel())[6]
    np.testing.assert_array_equal(m.weight_mask.numpy(), kept.astype(np.float32))
    np.testing.assert_array_equal(m.weight.detach().numpy(), w * kept)
    assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    hook = next(iter(m._forward_pre_hooks.values()))
    assert isinstance(hook, nprune.L1Unstructured) and hook._tensor_name == "weight"
    # the gradient reaches weight_orig only where the mask keeps entries
    m(numtorch.ones(2, 4)).sum().backward()
    np.testing.assert_array_equal(m.weight_orig.grad.numpy() != 0, kept)
    nprune.remove(m, "weight")
    assert list(m.state_dict()) == ["bias", "weight"] and not nprune.is_pruned(m)
    np.testing.assert_array_equal(m.weight.detach().numpy(), w * kept)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        nprune.remove(m, "weight")
