"""Tests for numtorch.func's transforms: grad, grad_and_value, vjp, jvp, linearize, jacrev,
jacfwd, hessian and vmap.

Closed-form results, composition and structure first (no torch needed), then error messages,
then the same scenarios run through torch.func and compared (skipped without torch).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    vjp,
    vmap,
)

RNG = np.random.default_rng(7)


def _t(*shape):
    return numtorch.tensor(RNG.standard_normal(shape))


def _np(t):
    return t.detach().numpy()


def _close(a, b, atol=1e-10):
    np.testing.assert_allclose(_np(a), np.asarray(b), rtol=1e-7, atol=atol)


def _quiet(fn, *args):
    """Runs a torch call with torch's own warnings silenced (its first forward-AD use warns about
    torch.jit.script on import), since this suite turns warnings into errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


# -- grad and grad_and_value ---------------------------------------------------------------------


def test_grad_of_sin_is_cos_and_composes():
    x = _t(5)
    _close(grad(lambda t: t.sin().sum())(x), np.cos(_np(x)))
    x0 = numtorch.tensor(0.7, dtype=numtorch.float64)
    _close(grad(numtorch.sin)(x0), math.cos(0.7))
    _close(grad(grad(numtorch.sin))(x0), -math.sin(0.7))
    _close(grad(grad(grad(numtorch.sin)))(x0), -math.cos(0.7))


def test_grad_results_are_plain_tensors_at_top_level():
    x = _t(3)
    g = grad(lambda t: (t**3).sum())(x)
    assert not g.requires_grad and g.grad_fn is None
    assert not x.requires_grad and x.grad is None


def test_grad_argnums_and_pytrees():
    x, y = _t(3), _t(3)

    def f(a, b):
        return (a * a * b).sum()

    _close(grad(f)(x, y), 2 * _np(x) * _np(y))
    _close(grad(f, argnums=1)(x, y), _np(x) ** 2)
    _close(grad(f, argnums=-1)(x, y), _np(x) ** 2)
    gx, gy = grad(f, argnums=(0, 1))(x, y)
    _close(gx, 2 * _np(x) * _np(y))
    _close(gy, _np(x) ** 2)

    def g(params, scale):
        return scale * (params["w"] * params["b"][0]).sum()

    params = {"w": x, "b": [y]}
    out = grad(g)(params, 2.0)
    assert list(out) == ["w", "b"] and isinstance(out["b"], list)
    _close(out["w"], 2 * _np(y))
    _close(out["b"][0], 2 * _np(x))


def test_grad_unused_input_and_constant_output_give_zeros():
    x = _t(2)
    gx, gy = grad(lambda a, b: a.sum(), argnums=(0, 1))(x, x)
    _close(gx, np.ones(2))
    _close(gy, np.zeros(2))
    _close(grad(lambda a: numtorch.tensor(1.0))(x), np.zeros(2))


def test_grad_has_aux_and_grad_and_value():
    x = _t(3)

    def f(t):
        return (t**2).sum(), {"double": t * 2}

    g, aux = grad(f, has_aux=True)(x)
    _close(g, 2 * _np(x))
    _close(aux["double"], 2 * _np(x))
    assert not aux["double"].requires_grad

    g, value = grad_and_value(lambda t: (t**2).sum())(x)
    _close(g, 2 * _np(x))
    _close(value, (_np(x) ** 2).sum())
    g, (value, aux) = grad_and_value(f, has_aux=True)(x)
    _close(value, (_np(x) ** 2).sum())
    _close(aux["double"], 2 * _np(x))


def test_grad_keeps_the_graph_of_inputs_and_closures_that_require_grad():
    x = _t(3).requires_grad_()
    g = grad(lambda t: (t**3).sum())(x)  # 3 x^2, still a function of x
    assert g.requires_grad
    (h,) = numtorch.autograd.grad(g.sum(), x)
    _close(h, 6 * _np(x))

    w = _t(3).requires_grad_()
    g = grad(lambda t: (t * w).sum())(_t(3))
    assert g.requires_grad
    (dw,) = numtorch.autograd.grad(g.sum(), w)
    _close(dw, np.ones(3))
    # depends on w only through a term that does not reach the gradient: plain again
    g = grad(lambda t: (t**2).sum() + w.sum())(x.detach())
    assert not g.requires_grad


def test_grad_ignores_an_outer_no_grad():
    x = _t(3)
    with numtorch.no_grad():
        g = grad(lambda t: (t**2).sum())(x)
    _close(g, 2 * _np(x))
    assert not g.requires_grad


def test_grad_passes_keyword_arguments_through():
    x = _t(3)
    _close(grad(lambda t, *, k: (k * t).sum())(x, k=3.0), np.full(3, 3.0))


# -- vjp, jvp, linearize ------------------------------------------------------------------------


def test_vjp_single_and_multiple_outputs():
    x = _t(3)
    out, vjp_fn = vjp(lambda t: t**2, x)
    _close(out, _np(x) ** 2)
    assert not out.requires_grad
    v = _t(3)
    (g,) = vjp_fn(v)
    _close(g, 2 * _np(x) * _np(v))
    (g2,) = vjp_fn(v)  # vjp_fn may be called again
    _close(g2, _np(g))

    y = _t(3)
    (a, b), vjp_fn = vjp(lambda p, q: (p * q, p.sum()), x, y)
    gx, gy = vjp_fn((numtorch.ones(3), numtorch.tensor(2.0)))
    _close(gx, _np(y) + 2)
    _close(gy, _np(x))


def test_vjp_has_aux():
    x = _t(2)
    out, vjp_fn, aux = vjp(lambda t: (t.exp(), t + 1), x, has_aux=True)
    _close(aux, _np(x) + 1)
    _close(vjp_fn(numtorch.ones(2))[0], np.exp(_np(x)))


def test_jvp_and_linearize():
    x, y = _t(3), _t(3)
    tx, ty = _t(3), _t(3)
    out, tangent = jvp(lambda a, b: a * b.sin(), (x, y), (tx, ty))
    _close(out, _np(x) * np.sin(_np(y)))
    expected = _np(tx) * np.sin(_np(y)) + _np(x) * np.cos(_np(y)) * _np(ty)
    _close(tangent, expected)
    assert not tangent.requires_grad

    out, (t1, t2) = jvp(lambda a: (a**2, a.sum()), (x,), (tx,))
    _close(t1, 2 * _np(x) * _np(tx))
    _close(t2, _np(tx).sum())

    out, jvp_fn = linearize(lambda a: a.exp() * 2, x)
    _close(out, 2 * np.exp(_np(x)))
    _close(jvp_fn(tx), 2 * np.exp(_np(x)) * _np(tx))
    _close(jvp_fn(ty), 2 * np.exp(_np(x)) * _np(ty))


def test_jvp_of_constant_output_and_strict():
    x = _t(2)
    _, tangent = jvp(lambda a: numtorch.ones(3), (x,), (x,))
    _close(tangent, np.zeros(3))
    with pytest.raises(RuntimeError, match="independent of the inputs"):
        jvp(lambda a: numtorch.ones(3), (x,), (x,), strict=True)


def test_jvp_has_aux():
    x = _t(2)
    out, tangent, aux = jvp(lambda a: (a * 3, a.sum()), (x,), (numtorch.ones(2),), has_aux=True)
    _close(tangent, np.full(2, 3.0))
    _close(aux, _np(x).sum())


# -- Jacobians and Hessians ----------------------------------------------------------------------


@pytest.mark.parametrize("jac", [jacrev, jacfwd], ids=["jacrev", "jacfwd"])
def test_jacobian_of_linear_map_is_its_matrix(jac):
    a = _t(4, 3)
    x = _t(3)
    _close(jac(lambda t: a @ t)(x), _np(a))
    # a matrix input: shape out + in
    m = _t(2, 3)
    j = jac(lambda t: t.sum(0))(m)
    assert tuple(j.shape) == (3, 2, 3)
    _close(j, np.broadcast_to(np.eye(3)[:, None, :], (3, 2, 3)))


@pytest.mark.parametrize("jac", [jacrev, jacfwd], ids=["jacrev", "jacfwd"])
def test_jacobian_structure(jac):
    x, y = _t(3), _t(2)

    def f(a, b):
        return {"prod": a * 2, "dot": [a.sum() * b]}

    res = jac(f, argnums=(0, 1))(x, y)
    assert list(res) == ["prod", "dot"]
    jx, jy = res["prod"]
    _close(jx, 2 * np.eye(3))
    _close(jy, np.zeros((3, 2)))
    jx, jy = res["dot"][0]
    _close(jx, np.broadcast_to(_np(y)[:, None], (2, 3)))
    _close(jy, _np(x).sum() * np.eye(2))

    res = jac(lambda d: d["p"] * d["q"])({"p": x, "q": x})
    _close(res["p"], np.diag(_np(x)))

    j, aux = jac(lambda a: (a.exp(), a * 0 + 1), has_aux=True)(x)
    _close(j, np.diag(np.exp(_np(x))))
    _close(aux, np.ones(3))


def test_jacrev_and_jacfwd_agree_and_compose():
    x = _t(4)

    def f(t):
        return numtorch.stack([t[0] * t[1], t[2].sin() + t[3] ** 2, (t[0] * t[3]).exp()])

    _close(jacfwd(f)(x), _np(jacrev(f)(x)))
    # the Hessian of a quadratic form is A + A^T, whichever way it is taken
    a = _t(4, 4)

    def quad(t):
        return t @ a @ t

    expected = _np(a) + _np(a).T
    _close(hessian(quad)(x), expected)
    _close(jacrev(jacrev(quad))(x), expected)
    _close(jacfwd(jacfwd(quad))(x), expected)
    _close(jacrev(jacfwd(quad))(x), expected)


def test_hessian_argnums_tuple():
    x, y = _t(2), _t(2)
    ((hxx, hxy), (hyx, hyy)) = hessian(lambda a, b: (a * a * b).sum(), argnums=(0, 1))(x, y)
    _close(hxx, np.diag(2 * _np(y)))
    _close(hxy, np.diag(2 * _np(x)))
    _close(hyx, np.diag(2 * _np(x)))
    _close(hyy, np.zeros((2, 2)))


# -- vmap -----------------------------------------------------------------------------------------


def test_vmap_in_dims_and_out_dims():
    x, y = _t(5, 3), _t(3, 5)
    _close(vmap(numtorch.dot)(x, x), (_np(x) ** 2).sum(1))
    _close(vmap(numtorch.dot, in_dims=(0, 1))(x, y), np.einsum("bi,ib->b", _np(x), _np(y)))
    _close(vmap(numtorch.dot, in_dims=(0, -1))(x, y), np.einsum("bi,ib->b", _np(x), _np(y)))
    b = _t(3)
    _close(vmap(lambda r, c: r + c, in_dims=(0, None))(x, b), _np(x) + _np(b))
    out = vmap(lambda r: r * 2, out_dims=1)(x)
    assert tuple(out.shape) == (3, 5)
    _close(out, 2 * _np(x).T)
    # non-tensor arguments and keyword arguments are passed unmapped
    _close(vmap(lambda r, s, *, k: r * s + k, in_dims=(0, None))(x, 2.0, k=1.0), 2 * _np(x) + 1)


def test_vmap_pytrees_in_and_out():
    x, y = _t(4, 2), _t(2)
    out = vmap(lambda d: d["a"] * d["b"], in_dims=({"a": 0, "b": None},))({"a": x, "b": y})
    _close(out, _np(x) * _np(y))
    out = vmap(lambda t: t[0] - t[1], in_dims=((0, None),))((x, y))
    _close(out, _np(x) - _np(y))
    s, (p, q) = vmap(lambda r: (r.sum(), (r * 2, r[0])), out_dims=(0, (1, 0)))(x)
    _close(s, _np(x).sum(1))
    _close(p, 2 * _np(x).T)
    _close(q, _np(x)[:, 0])
    res = vmap(lambda r: {"s": r.sum(), "l": [r]})(x)
    _close(res["s"], _np(x).sum(1))
    _close(res["l"][0], _np(x))


def test_vmap_nested_outer_product_and_unbatched_outputs():
    x, y = _t(3), _t(4)
    outer = vmap(vmap(numtorch.mul, in_dims=(None, 0)), in_dims=(0, None))(x, y)
    _close(outer, np.outer(_np(x), _np(y)))
    # an output that does not depend on the mapped input is still stacked ...
    _close(vmap(lambda r: numtorch.ones(2))(x), np.ones((3, 2)))
    # ... unless its out_dim is None
    _close(vmap(lambda r: numtorch.ones(2), out_dims=None)(x), np.ones(2))
    assert vmap(lambda r: (r, 1.5), out_dims=(0, None))(x)[1] == 1.5


def test_vmap_keeps_namedtuples_and_return_types():
    import collections

    Pair = collections.namedtuple("Pair", "a b")
    m = _t(2, 3)
    out = vmap(lambda r: Pair(r.sum(), r * 2))(m)
    assert isinstance(out, Pair)
    _close(out.a, _np(m).sum(1))
    res = vmap(lambda r: r.max(0))(m)
    assert type(res).__name__ == "max"
    _close(res.values, _np(m).max(1))
    assert res.indices.tolist() == _np(m).argmax(1).tolist()
    _close(grad(lambda p: (p.a * p.b).sum())(Pair(m[0], m[1])).a, _np(m[1]))


def test_vmap_batch_of_size_zero():
    out = vmap(lambda r: r.sum(0))(numtorch.ones(0, 3, 2))
    assert tuple(out.shape) == (0, 2)


def test_vmap_randomness():
    x = numtorch.zeros(3)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        vmap(lambda r: r + numtorch.randn(()))(x)
    numtorch.manual_seed(0)
    same = vmap(lambda r: r + numtorch.randn(()), randomness="same")(x)
    assert np.unique(_np(same)).size == 1
    numtorch.manual_seed(0)
    first = numtorch.randn(())
    assert float(same[0]) == float(first)
    numtorch.manual_seed(0)
    different = vmap(lambda r: r + numtorch.randn(()), randomness="different")(x)
    assert np.unique(_np(different)).size == 3


def test_vmap_and_grad_compose():
    x = _t(6, 3)
    w = _t(3)

    def loss(r):
        return ((r * w).sum() ** 2).sin()

    per_sample = vmap(grad(loss))(x)
    loop = numtorch.stack([grad(loss)(r) for r in x])
    _close(per_sample, _np(loop))
    # the other way round: a gradient through a vmapped function
    g = grad(lambda t: vmap(loss)(t).sum())(x)
    _close(g, _np(loop))
    # batched Jacobians
    jac = vmap(jacrev(lambda r: r.sin() * w))(x)
    assert tuple(jac.shape) == (6, 3, 3)
    _close(jac[2], np.diag(np.cos(_np(x)[2]) * _np(w)))


def _mlp_and_data():
    numtorch.manual_seed(0)
    model = numtorch.nn.Sequential(
        numtorch.nn.Linear(4, 8), numtorch.nn.Tanh(), numtorch.nn.Linear(8, 3)
    )
    x = numtorch.tensor(RNG.standard_normal((5, 4)), dtype=numtorch.float32)
    y = numtorch.tensor([0, 2, 1, 1, 0])
    return model, x, y


def test_per_sample_gradients_of_an_mlp_match_a_loop():
    model, x, y = _mlp_and_data()
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi, yi):
        out = functional_call(model, p, (xi.unsqueeze(0),))
        return numtorch.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)
    assert list(per_sample) == list(params)
    for i in range(len(x)):
        model.zero_grad()
        numtorch.nn.functional.cross_entropy(model(x[i : i + 1]), y[i : i + 1]).backward()
        for name, p in model.named_parameters():
            assert tuple(per_sample[name].shape) == (len(x), *p.shape)
            np.testing.assert_allclose(_np(per_sample[name][i]), _np(p.grad), atol=1e-6)


def test_vmap_is_exported_at_top_level():
    if not hasattr(numtorch, "vmap"):
        pytest.skip("numtorch/__init__.py does not export vmap yet")
    assert numtorch.vmap is vmap


# -- errors -------------------------------------------------------------------------------------

_X = numtorch.tensor([1.0, 2.0])

# (id, call with (lib, func module, x), exception type, PyTorch 2.13's message)
ERRORS = [
    (
        "grad-non-scalar",
        lambda T, F, x: F.grad(T.sin)(x),
        RuntimeError,
        "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor with "
        "1 dims. Maybe you wanted to use the vjp or jacrev APIs instead?",
    ),
    (
        "grad-non-tensor-output",
        lambda T, F, x: F.grad(lambda a: 3.0)(x),
        RuntimeError,
        "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got <class 'float'>",
    ),
    (
        "grad-aux-not-pair",
        lambda T, F, x: F.grad(lambda a: a.sum(), has_aux=True)(x),
        RuntimeError,
        "grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) if "
        "has_aux is True",
    ),
    (
        "grad-argnum-out-of-range",
        lambda T, F, x: F.grad(lambda a: a.sum(), argnums=1)(x),
        RuntimeError,
        "Got argnum=1, but only 1 positional inputs",
    ),
    (
        "grad-argnums-empty",
        lambda T, F, x: F.grad(lambda a: a.sum(), argnums=())(x),
        RuntimeError,
        "argnums must be non-empty",
    ),
    (
        "grad-argnums-duplicate",
        lambda T, F, x: F.grad(lambda a, b: a.sum(), argnums=(0, -2))(x, x),
        RuntimeError,
        "argnums elements must be unique, got (0, 0)",
    ),
    (
        "grad-argnums-float",
        lambda T, F, x: F.grad(lambda a: a.sum(), argnums=0.5)(x),
        RuntimeError,
        "argnums must be int or Tuple[int, ...], got: <class 'float'>",
    ),
    (
        "grad-non-tensor-input",
        lambda T, F, x: F.grad(lambda a: a)(2.0),
        ValueError,
        "Thing passed to transform API must be Tensor, got <class 'float'>",
    ),
    (
        "vjp-aux-not-pair",
        lambda T, F, x: F.vjp(T.sin, x, has_aux=True),
        RuntimeError,
        "vjp(f, *primals): output of function f should be a tuple: (output, aux) if has_aux is "
        "True",
    ),
    (
        "vjp-integer-output",
        lambda T, F, x: F.vjp(lambda a: a.long(), x),
        RuntimeError,
        "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
        "with dtype torch.int64",
    ),
    (
        "vjp-cotangent-structure",
        lambda T, F, x: F.vjp(lambda a: (a, a * 2), x)[1](T.ones(2)),
        RuntimeError,
        "Expected pytree structure of cotangents to be the same as pytree structure of outputs "
        "to the function. cotangents: *, primal output: (*, *)",
    ),
    (
        "jvp-primals-not-tuple",
        lambda T, F, x: F.jvp(T.sin, x, (x,)),
        RuntimeError,
        "jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid to "
        "call f(*primals).",
    ),
    (
        "jvp-structure",
        lambda T, F, x: F.jvp(T.sin, (x,), (x, x)),
        RuntimeError,
        "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
        "structure. For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
        "primals with structure TreeSpec(tuple, None, [*]) and tangents with structure "
        "TreeSpec(tuple, None, [*,\n  *])",
    ),
    (
        "jvp-tangent-size",
        lambda T, F, x: F.jvp(T.sin, (x,), (T.ones(3),)),
        RuntimeError,
        "Trying to set a forward gradient that has a different size than that of the original "
        "Tensor, this is not supported. Tensor is of size [2] while the given forward gradient "
        "is of size [3].",
    ),
    (
        "jacrev-empty-output",
        lambda T, F, x: F.jacrev(lambda a: ())(x),
        RuntimeError,
        "vjp(f, *primals): Expected f to be a function that has non-empty output (got output = [])",
    ),
    (
        "jacfwd-non-tensor-output",
        lambda T, F, x: F.jacfwd(lambda a: 3.0)(x),
        RuntimeError,
        "jvp(f, primals, tangents): expected f(*primals) to return only tensors, got "
        "unsupported type <class 'float'>",
    ),
    (
        "jacfwd-random",
        lambda T, F, x: F.jacfwd(lambda a: a * T.rand(()))(x),
        RuntimeError,
        "vmap: called random operation while in randomness error mode. Please either use the "
        "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
        "of vmap",
    ),
    (
        "jacrev-complex-input",
        lambda T, F, x: F.jacrev(lambda a: a.abs())(x.to(T.complex64)),
        RuntimeError,
        "jacrev: Expected all inputs to be real but received complex tensor at flattened input "
        "idx: 0",
    ),
    (
        "jacfwd-complex-output",
        lambda T, F, x: F.jacfwd(lambda a: a.to(T.complex64))(x),
        RuntimeError,
        "jacfwd: Expected all outputs to be real but received complex tensor at flattened input "
        "idx: 0",
    ),
    (
        "vmap-in-dims-type",
        lambda T, F, x: F.vmap(lambda a: a, in_dims=[0])(x),
        ValueError,
        "vmap(<lambda>, in_dims=[0], ...)(<inputs>): expected `in_dims` to be int or a "
        "(potentially nested) tuple matching the structure of inputs, got: <class 'list'>.",
    ),
    (
        "vmap-in-dims-structure",
        lambda T, F, x: F.vmap(lambda a, b: a, in_dims=(0,))(x, x),
        ValueError,
        "vmap(<lambda>, in_dims=(0,), ...)(<inputs>): in_dims is not compatible with the "
        "structure of `inputs`. in_dims has structure TreeSpec(tuple, None, [*]) but inputs has "
        "structure TreeSpec(tuple, None, [*,\n  *]).",
    ),
    (
        "vmap-no-inputs",
        lambda T, F, x: F.vmap(lambda: x)(),
        ValueError,
        "vmap(<lambda>)(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
        "trying to vmap over a function with no inputs. The latter is unsupported.",
    ),
    (
        "vmap-nothing-mapped",
        lambda T, F, x: F.vmap(lambda a: a, in_dims=(None,))(x),
        ValueError,
        "vmap: Expected at least one Tensor to vmap over",
    ),
    (
        "vmap-sizes",
        lambda T, F, x: F.vmap(T.mul)(x, T.ones(3)),
        ValueError,
        "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
        "[2, 3] for the mapped dimension",
    ),
    (
        "vmap-in-dim-range",
        lambda T, F, x: F.vmap(T.sum, in_dims=1)(x),
        ValueError,
        "vmap(sum, in_dims=1, ...)(<inputs>): Got in_dim=1 for some input, but that input is a "
        "Tensor of dimensionality 1 so expected in_dim to satisfy -1 <= in_dim < 1.",
    ),
    (
        "vmap-non-tensor-mapped",
        lambda T, F, x: F.vmap(T.mul)(x, 2.0),
        ValueError,
        "vmap(mul, in_dims=0, ...)(<inputs>): Got in_dim=0 for an input but the input is of type "
        "<class 'float'>. We cannot vmap over non-Tensor arguments, please use None as the "
        "respective in_dim",
    ),
    (
        "vmap-non-tensor-output",
        lambda T, F, x: F.vmap(lambda a: 1.0)(x),
        ValueError,
        "vmap(<lambda>, ...): `<lambda>` must only return Tensors, got type <class 'float'>. Did "
        "you mean to set out_dims= to None for output?",
    ),
    (
        "vmap-batched-output-with-out-dim-none",
        lambda T, F, x: F.vmap(lambda a: a, out_dims=None)(x),
        ValueError,
        "vmap(<lambda>, ...): `<lambda>` can not return a BatchedTensor when out_dim is None",
    ),
    (
        "vmap-out-dims-structure",
        lambda T, F, x: F.vmap(lambda a: (a, a), out_dims=(0, 1, 0))(x),
        ValueError,
        "vmap(<lambda>, ..., out_dims=(0, 1, 0))(<inputs>): out_dims is not compatible with the "
        "structure of `outputs`. out_dims has structure TreeSpec(tuple, None, [*,\n  *,\n  *]) "
        "but outputs has structure TreeSpec(tuple, None, [*,\n  *]).",
    ),
    (
        "vmap-randomness-arg",
        lambda T, F, x: F.vmap(lambda a: a, randomness="sometimes"),
        RuntimeError,
        "Only allowed values for randomness are 'error', 'different', or 'same'. Got sometimes",
    ),
    (
        "vmap-chunk-size",
        lambda T, F, x: F.vmap(lambda a: a, chunk_size=0),
        ValueError,
        "vmap: chunk_size should be None or greater than 0. (got 0)",
    ),
]


def _message(call, T, F, x, exc):
    with pytest.raises(exc) as info:
        call(T, F, x)
    return str(info.value).split("\nHint:")[0]


@pytest.mark.parametrize(
    ("call", "exc", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_messages(call, exc, message):
    got = _message(call, numtorch, numtorch.func, _X, exc)
    assert got == message.replace("torch.int64", "numtorch.int64") or got == message


@pytest.mark.parametrize(
    ("call", "exc", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_error_messages_are_torchs(call, exc, message):
    torch = pytest.importorskip("torch")
    assert _quiet(_message, call, torch, torch.func, torch.tensor([1.0, 2.0]), exc) == message


# -- against torch.func --------------------------------------------------------------------------


def _tensor(T, array):
    return T.tensor(np.asarray(array))


def _mlp(T, F):
    model = T.nn.Sequential(T.nn.Linear(4, 8), T.nn.Tanh(), T.nn.Linear(8, 3))
    weights = np.random.default_rng(3)
    with T.no_grad():
        for p in model.parameters():
            p.copy_(_tensor(T, weights.standard_normal(tuple(p.shape)).astype(np.float32)))
    return model


def _scenario_sin(T, F, d):
    return F.grad(lambda t: t.sin().sum())(d["v"]), F.grad(F.grad(T.sin))(d["s"])


def _scenario_polynomial(T, F, d):
    def poly(x, y):
        return (3 * x**3 - 2 * x * y + y**2).sum()

    return (
        F.grad(poly, argnums=(0, 1))(d["v"], d["w"]),
        F.grad_and_value(poly)(d["v"], d["w"]),
        F.hessian(poly, argnums=(0, 1))(d["v"], d["w"]),
    )


def _vector_fn(T):
    def f(x, y):
        return T.stack([x[0] * y[1], x[1].sin() + y[0] ** 2, (x[2] * y[2]).exp(), x.sum()])

    return f


def _scenario_jacobians(T, F, d):
    f = _vector_fn(T)
    return (
        F.jacrev(f)(d["v"], d["w"]),
        F.jacfwd(f)(d["v"], d["w"]),
        F.jacrev(f, argnums=(0, 1))(d["v"], d["w"]),
        F.jacfwd(f, argnums=(0, 1))(d["v"], d["w"]),
        F.jacrev(lambda m: (m.tanh(), m.sum(0)))(d["m"]),
        F.jacfwd(lambda m: {"t": m.tanh(), "s": m.sum(1)})(d["m"]),
        F.jacrev(F.jacrev(lambda x: (x**3).prod()))(d["v"]),
    )


def _scenario_hessian(T, F, d):
    return (
        F.hessian(lambda x: (x.sin() * x**2).sum())(d["v"]),
        F.hessian(lambda m: (m @ m.T).trace())(d["m"]),
    )


def _scenario_vjp_jvp(T, F, d):
    f = _vector_fn(T)
    out, vjp_fn = F.vjp(f, d["v"], d["w"])
    tangent = F.jvp(f, (d["v"], d["w"]), (d["w"], d["v"]))
    out2, jvp_fn = F.linearize(f, d["v"], d["w"])
    return out, vjp_fn(_tensor(T, [1.0, -1.0, 0.5, 2.0])), tangent, out2, jvp_fn(d["w"], d["v"])


def _scenario_vmap(T, F, d):
    m, v = d["m"], d["v"]
    return (
        F.vmap(T.dot, in_dims=(0, None))(m, v),
        F.vmap(lambda r: r.softmax(0), in_dims=1, out_dims=1)(m),
        F.vmap(lambda r: (r.sum(), r * 2), out_dims=(0, 1))(m),
        F.vmap(F.vmap(T.mul, in_dims=(0, None)), in_dims=(None, 0))(v, v),
        F.vmap(lambda dct: dct["a"] @ dct["b"], in_dims=({"a": 0, "b": None},))({"a": m, "b": v}),
        F.vmap(F.jacrev(lambda r: r.sin() * r.sum()))(m),
        F.vmap(F.hessian(lambda r: (r**3).sum()))(m),
    )


def _scenario_per_sample_mlp(T, F, d):
    model = _mlp(T, F)
    params = {k: p.detach() for k, p in model.named_parameters()}

    def loss(p, xi, yi):
        out = F.functional_call(model, p, (xi.unsqueeze(0),))
        return T.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    per_sample = F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, d["x32"], d["y"])
    input_grads = F.vmap(F.grad(loss, argnums=1), in_dims=(None, 0, 0))(params, d["x32"], d["y"])
    jac = F.jacrev(lambda xi: model(xi))(d["x32"][0])
    return per_sample, input_grads, jac


SCENARIOS = {
    "sin": _scenario_sin,
    "polynomial": _scenario_polynomial,
    "jacobians": _scenario_jacobians,
    "hessian": _scenario_hessian,
    "vjp_jvp": _scenario_vjp_jvp,
    "vmap": _scenario_vmap,
    "per_sample_mlp": _scenario_per_sample_mlp,
}


def _data(T):
    rng = np.random.default_rng(11)
    return {
        "v": _tensor(T, rng.standard_normal(3)),
        "w": _tensor(T, rng.standard_normal(3)),
        "s": _tensor(T, 0.3),
        "m": _tensor(T, rng.standard_normal((4, 3))),
        "x32": _tensor(T, rng.standard_normal((6, 4)).astype(np.float32)),
        "y": _tensor(T, rng.integers(0, 3, 6)),
    }


def _assert_same_tree(ours, theirs, torch, path="out"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, numtorch.Tensor), path
        assert tuple(ours.shape) == tuple(theirs.shape), path
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], path
        assert ours.requires_grad == theirs.requires_grad, path
        atol = 1e-5 if theirs.dtype == torch.float32 else 1e-10
        np.testing.assert_allclose(
            _np(ours), theirs.detach().numpy(), rtol=1e-5, atol=atol, err_msg=path
        )
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs), path
        for k in theirs:
            _assert_same_tree(ours[k], theirs[k], torch, f"{path}[{k!r}]")
    elif isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _assert_same_tree(a, b, torch, f"{path}[{i}]")
    else:
        assert ours == theirs, path


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_matches_torch_func(name):
    torch = pytest.importorskip("torch")
    ours = SCENARIOS[name](numtorch, numtorch.func, _data(numtorch))
    theirs = _quiet(SCENARIOS[name], torch, torch.func, _data(torch))
    _assert_same_tree(ours, theirs, torch)


def test_prints_what_torch_prints():
    torch = pytest.importorskip("torch")

    def show(T, F):
        x = T.tensor([1.0, 2.0])
        return "\n".join(
            repr(r)
            for r in (
                F.jacrev(T.sin)(x),
                F.jacfwd(T.sin)(x),
                F.hessian(lambda t: (t**3).sum())(x),
                F.grad_and_value(lambda t: (t**2).sum())(x),
                F.vmap(lambda t: t * 2, out_dims=1)(T.arange(6.0).reshape(2, 3)),
            )
        )

    assert show(numtorch, numtorch.func) == _quiet(show, torch, torch.func)


def test_graph_kept_like_torch_for_inputs_requiring_grad():
    torch = pytest.importorskip("torch")

    def run(T, F):
        x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        g = F.grad(lambda t: (t.sin() * t).sum())(x)
        (h,) = T.autograd.grad(g.sum(), x)
        return g, h

    ours, theirs = run(numtorch, numtorch.func), _quiet(run, torch, torch.func)
    assert ours[0].requires_grad and theirs[0].requires_grad
    _assert_same_tree(ours[1], theirs[1], torch)
    np.testing.assert_allclose(_np(ours[0]), theirs[0].detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("module", ["numtorch.func", "numtorch.func._transforms"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    result = doctest.testmod(mod, extraglobs={"numtorch": numtorch}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
