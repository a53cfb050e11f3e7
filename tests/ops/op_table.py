"""The declarative table of numtorch's differentiable ops, read by ``test_op_table.py``.

Each :class:`OpEntry` names one op (or one calling form of it), how to call it on a tensor
library (``op(T, *inputs)`` where ``T`` is ``numtorch`` or ``torch``), a NumPy reference
(``ref(*arrays)``), sample inputs, the grad_fn PyTorch gives its output and which checks apply.

Sample inputs are NumPy arrays wrapped in :class:`In`, which also says the memory layout the
tensor is built with: ``"c"`` contiguous, ``"t"`` a ``.t()`` of a contiguous 2-D tensor,
``"perm"`` a reversed ``.permute``, ``"step"`` a ``[..., ::2]`` slice. Values are drawn away
from the points where an op is not differentiable (0 for abs/relu, bounds for clamp, ties for
max/min, integers of the quotient for remainder/floor division), so that central finite
differences are meaningful.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import numtorch

RNG = np.random.default_rng(20240601)


# -- sample inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class In:
    """One tensor input: its value, the layout it is built with, whether it requires grad
    (None: when its dtype is floating)."""

    value: np.ndarray
    layout: str = "c"
    requires_grad: bool | None = None

    @property
    def differentiable(self) -> bool:
        if self.requires_grad is not None:
            return self.requires_grad
        return self.value.dtype.kind == "f"

    def build(self, T):
        """The tensor in library ``T`` (numtorch or torch), a leaf with this layout."""
        a = self.value
        if self.layout == "c":
            t = T.tensor(a)
        elif self.layout == "t":
            t = T.tensor(np.ascontiguousarray(a.T)).t()
        elif self.layout == "perm":
            p = tuple(range(a.ndim - 1, -1, -1))
            t = T.tensor(np.ascontiguousarray(a.transpose(p))).permute(p)
        elif self.layout == "step":
            base = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
            base[..., ::2] = a
            t = T.tensor(base)[..., ::2]
        else:
            raise ValueError(self.layout)
        return t.detach().requires_grad_(self.differentiable)


@dataclass
class Sample:
    inputs: tuple
    desc: str = ""
    out_dtype: object = None  # expected dtype where NumPy's promotion differs from PyTorch's
    xfail: dict = field(default_factory=dict)  # check name -> reason

    @property
    def gradcheckable(self) -> bool:
        diff = [i for i in self.inputs if isinstance(i, In) and i.differentiable]
        return bool(diff) and all(i.value.dtype == np.float64 for i in diff)


def S(*inputs, desc="", out_dtype=None, xfail=None) -> Sample:
    wrapped = tuple(In(i) if isinstance(i, np.ndarray) else i for i in inputs)
    if not desc:
        desc = "_".join(_describe(i) for i in wrapped)
    return Sample(wrapped, desc, out_dtype, dict(xfail or {}))


def _describe(i) -> str:
    if isinstance(i, In):
        shape = "x".join(map(str, i.value.shape)) or "0d"
        tag = "" if i.layout == "c" else f"({i.layout})"
        kind = "" if i.value.dtype == np.float64 else f"[{i.value.dtype}]"
        return shape + tag + kind
    return repr(i)


def rand(*shape, low=-2.0, high=2.0, dtype=np.float64) -> np.ndarray:
    return np.asarray(RNG.uniform(low, high, shape), dtype=dtype)


def pos(*shape, dtype=np.float64) -> np.ndarray:
    """Positive values (log, sqrt, pow bases)."""
    return rand(*shape, low=0.5, high=2.0, dtype=dtype)


def nonzero(*shape, dtype=np.float64) -> np.ndarray:
    """Values with |x| in [0.3, 2]: away from the kinks of abs/relu and from poles."""
    sign = np.where(RNG.random(shape) < 0.5, -1.0, 1.0)
    return np.asarray(sign * RNG.uniform(0.3, 2.0, shape), dtype=dtype)


def distinct(*shape) -> np.ndarray:
    """A random permutation of well-separated values: no ties for max/min."""
    n = int(np.prod(shape, dtype=np.int64))
    return (RNG.permutation(n) * 0.25 - n * 0.1 + 0.05).reshape(shape).astype(np.float64)


def ints(*shape, low=-5, high=6) -> np.ndarray:
    return np.asarray(RNG.integers(low, high, shape), dtype=np.int64)


def mask(*shape) -> In:
    return In(np.asarray(RNG.random(shape) < 0.5))


def index(*values) -> In:
    return In(np.array(values, dtype=np.int64))


def nc(a: np.ndarray) -> In:
    """The array as a non-contiguous tensor (a layout that fits its number of dims)."""
    if a.ndim == 2:
        return In(a, "t")
    if a.ndim >= 3:
        return In(a, "perm")
    return In(a, "step")


# -- entries ---------------------------------------------------------------------------------


@dataclass
class OpEntry:
    name: str
    op: Callable  # op(T, *inputs): T is the library module (numtorch or torch)
    ref: Callable  # the NumPy reference: ref(*arrays)
    samples: list
    grad_fn: str | None  # PyTorch's name of the (first differentiable) output's node
    gradcheck: bool = True
    gradgrad: bool = True
    rtol: float = 1e-7  # forward tolerances (float64; float32 results use 1e-5)
    atol: float = 1e-10
    grad_rtol: float = 1e-3
    grad_atol: float = 1e-5
    xfail: dict = field(default_factory=dict)  # check name -> reason, for every sample

    @property
    def fn(self) -> Callable:
        """The numtorch callable."""
        return functools.partial(self.op, numtorch)


OPS: list[OpEntry] = []


def entry(name, op, ref, samples, grad_fn, **kw) -> OpEntry:
    e = OpEntry(name, op, ref, list(samples), grad_fn, **kw)
    OPS.append(e)
    return e


# -- shared sample sets --------------------------------------------------------------------


def binary_samples(gx=rand, gy=rand) -> list:
    """Broadcasting pairs, 0-d, empty and non-contiguous operands."""
    return [
        S(gx(3, 4), gy(3, 4)),
        S(gx(3, 4), gy(4)),
        S(gx(2, 1, 3), gy(4, 1)),
        S(gx(3), gy()),
        S(gx(), gy(2, 3)),
        S(gx(), gy()),
        S(nc(gx(3, 4)), gy(3, 1)),
        S(nc(gx(2, 3, 4)), nc(gy(3, 4))),
        S(nc(gx(5)), gy(5)),
        S(gx(0, 3), gy(3)),
    ]


def unary_samples(g=rand) -> list:
    return [
        S(g(3, 4)),
        S(g()),
        S(g(0, 2)),
        S(nc(g(3, 4))),
        S(nc(g(2, 3, 4))),
        S(nc(g(6))),
    ]


def scalar_samples(g=rand) -> list:
    return [
        S(g(3, 4)),
        S(g()),
        S(nc(g(2, 3))),
        S(
            g(
                0,
            )
        ),
    ]


def away_from_integers(q: np.ndarray) -> np.ndarray:
    """Nudges values whose fractional part is within 0.1 of an integer."""
    frac = q - np.floor(q)
    return np.where(frac < 0.1, q + 0.2, np.where(frac > 0.9, q - 0.2, q))


def quotient_samples() -> list:
    """(x, y) pairs where x / y stays away from integers (remainder, floor/trunc division)."""
    out = []
    for sx, sy in [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((2, 3), ()), ((0, 3), (3,))]:
        y = nonzero(*sy)
        x = np.asarray(
            away_from_integers(rand(*sx, low=-4, high=4)) * y
        )  # x has the broadcast shape
        out.append(S(x, y))
    out.append(S(nc(out[0].inputs[0].value), nc(out[0].inputs[1].value)))
    return out


# -- arithmetic ------------------------------------------------------------------------------

entry("add", lambda T, x, y: T.add(x, y), np.add, binary_samples(), "AddBackward0")
entry(
    "add_alpha",
    lambda T, x, y: T.add(x, y, alpha=2.5),
    lambda x, y: x + 2.5 * y,
    binary_samples(),
    "AddBackward0",
)
entry(
    "add_promotion",
    lambda T, x, y: x + y,
    np.add,
    [
        S(ints(3, 4), rand(3, 4, dtype=np.float32), out_dtype=np.float32),
        S(rand(3, dtype=np.float32), rand(2, 3)),
        S(ints(3), ints()),
        S(rand(3, dtype=np.float32), rand(dtype=np.float64), out_dtype=np.float32),
    ],
    "AddBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry("add_scalar", lambda T, x: x + 2.5, lambda x: x + 2.5, scalar_samples(), "AddBackward0")
entry("radd_scalar", lambda T, x: 2.5 + x, lambda x: 2.5 + x, scalar_samples(), "AddBackward0")
entry(
    "add_int_scalar_float",
    lambda T, x: x + 1.5,
    lambda x: x + 1.5,
    [S(ints(3, 4), out_dtype=np.float32), S(rand(3, dtype=np.float32))],
    None,
    gradcheck=False,
    gradgrad=False,
)
entry("sub", lambda T, x, y: T.sub(x, y), np.subtract, binary_samples(), "SubBackward0")
entry(
    "sub_alpha",
    lambda T, x, y: T.sub(x, y, alpha=-1.5),
    lambda x, y: x + 1.5 * y,
    binary_samples(),
    "SubBackward0",
)
entry("sub_scalar", lambda T, x: x - 2, lambda x: x - 2.0, scalar_samples(), "SubBackward0")
entry("rsub_scalar", lambda T, x: 2 - x, lambda x: 2.0 - x, scalar_samples(), "RsubBackward1")
entry(
    "rsub",
    lambda T, x, y: T.rsub(x, y, alpha=2),
    lambda x, y: y - 2 * x,
    binary_samples()[:4],
    "RsubBackward0",
)
entry("mul", lambda T, x, y: T.mul(x, y), np.multiply, binary_samples(), "MulBackward0")
entry("mul_scalar", lambda T, x: x * 3, lambda x: x * 3.0, scalar_samples(), "MulBackward0")
entry("rmul_scalar", lambda T, x: -0.5 * x, lambda x: -0.5 * x, scalar_samples(), "MulBackward0")
entry("mul_self", lambda T, x: x * x, lambda x: x * x, scalar_samples(), "MulBackward0")
entry("div", lambda T, x, y: T.div(x, y), np.divide, binary_samples(rand, nonzero), "DivBackward0")
entry("div_scalar", lambda T, x: x / 4, lambda x: x / 4.0, scalar_samples(), "DivBackward0")
entry(
    "rdiv_scalar",
    lambda T, x: 2 / x,
    lambda x: 2.0 * (1.0 / x),
    scalar_samples(nonzero),
    "MulBackward0",
)
entry(
    "div_int",
    lambda T, x, y: x / y,
    np.divide,
    [S(ints(3, 4), ints(4, low=1, high=4), out_dtype=np.float32)],
    None,
    gradcheck=False,
    gradgrad=False,
)
entry(
    "div_floor",
    lambda T, x, y: T.div(x, y, rounding_mode="floor"),
    lambda x, y: np.floor(x / y),
    quotient_samples(),
    "DivBackward2",
)
entry(
    "div_trunc",
    lambda T, x, y: T.div(x, y, rounding_mode="trunc"),
    lambda x, y: np.trunc(x / y),
    quotient_samples(),
    "DivBackward2",
)
entry(
    "div_trunc_scalar",
    lambda T, x: T.div(x, 0.7, rounding_mode="trunc"),
    lambda x: np.trunc(x / 0.7),
    [S(away_from_integers(rand(3, 4, low=-3, high=3)) * 0.7)],
    "DivBackward2",
)
entry(
    "div_floor_int",
    lambda T, x, y: T.div(x, y, rounding_mode="floor"),
    np.floor_divide,
    [S(ints(3, 4), ints(4, low=1, high=4)), S(ints(5), ints(5, low=-4, high=-1))],
    None,
    gradcheck=False,
    gradgrad=False,
)
entry(
    "remainder",
    lambda T, x, y: T.remainder(x, y),
    np.remainder,
    quotient_samples(),
    "RemainderBackward1",
)
entry(
    "remainder_scalar",
    lambda T, x: x % 0.75,
    lambda x: np.remainder(x, 0.75),
    [S(away_from_integers(rand(3, 4, low=-4, high=4)) * 0.75), S(np.array(1.1))],
    "RemainderBackward0",
)
entry(
    "pow_square",
    lambda T, x: x**2,
    lambda x: x**2,
    unary_samples(),
    "PowBackward0",
)
entry("pow_cube", lambda T, x: T.pow(x, 3), lambda x: x**3, unary_samples(), "PowBackward0")
entry("pow_half", lambda T, x: x**0.5, np.sqrt, unary_samples(pos), "PowBackward0")
entry("pow_neg", lambda T, x: x**-1.5, lambda x: x**-1.5, unary_samples(pos), "PowBackward0")
entry("pow_zero", lambda T, x: x**0, lambda x: x**0.0, unary_samples(), "PowBackward0")
entry(
    "pow_tensor",
    lambda T, x, y: T.pow(x, y),
    np.power,
    binary_samples(pos, rand),
    "PowBackward1",
)
entry("rpow", lambda T, x: 2.5**x, lambda x: 2.5**x, unary_samples(), "PowBackward2")
entry("rpow_fn", lambda T, x: T.pow(3, x), lambda x: 3.0**x, unary_samples(), "PowBackward2")

# -- unary math ------------------------------------------------------------------------------

for _name, _ref, _gen, _node in [
    ("neg", np.negative, rand, "NegBackward0"),
    ("abs", np.abs, nonzero, "AbsBackward0"),
    ("reciprocal", np.reciprocal, nonzero, "ReciprocalBackward0"),
    ("exp", np.exp, rand, "ExpBackward0"),
    ("log", np.log, pos, "LogBackward0"),
    ("sqrt", np.sqrt, pos, "SqrtBackward0"),
    ("sin", np.sin, rand, "SinBackward0"),
    ("cos", np.cos, rand, "CosBackward0"),
    ("tanh", np.tanh, rand, "TanhBackward0"),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), rand, "SigmoidBackward0"),
    ("relu", lambda x: np.maximum(x, 0), nonzero, "ReluBackward0"),
]:
    entry(
        _name,
        functools.partial(lambda name, T, x: getattr(T, name)(x), _name),
        _ref,
        unary_samples(_gen),
        _node,
        rtol=1e-6 if _name == "sigmoid" else 1e-7,
    )
entry("neg_op", lambda T, x: -x, np.negative, scalar_samples(), "NegBackward0")
entry("abs_op", lambda T, x: abs(x), np.abs, scalar_samples(nonzero), "AbsBackward0")
entry(
    "unary_int_to_float",
    lambda T, x: T.exp(x),
    lambda x: np.exp(x).astype(np.float32),
    [S(ints(3, 4, low=-3, high=3))],
    None,
    gradcheck=False,
    gradgrad=False,
    rtol=1e-6,
)
entry(
    "exp_float32",
    lambda T, x: x.exp(),
    np.exp,
    [S(rand(3, 4, dtype=np.float32)), S(nc(rand(2, 3, dtype=np.float32)))],
    "ExpBackward0",
    gradcheck=False,
    gradgrad=False,
)


def _bounded(*shape, low=-0.5, high=0.5):
    """Values at least 0.1 away from the clamp bounds ``low`` and ``high``."""
    x = rand(*shape, low=-1.5, high=1.5)
    for b in (low, high):
        x = np.where(np.abs(x - b) < 0.1, x + 0.25, x)
    return x


entry(
    "clamp",
    lambda T, x: T.clamp(x, -0.5, 0.5),
    lambda x: np.clip(x, -0.5, 0.5),
    [S(_bounded(3, 4)), S(_bounded()), S(nc(_bounded(2, 3))), S(_bounded(0, 3))],
    "ClampBackward1",
)
entry(
    "clamp_min_kw",
    lambda T, x: x.clamp(min=-0.5),
    lambda x: np.maximum(x, -0.5),
    [S(_bounded(3, 4)), S(nc(_bounded(4)))],
    "ClampBackward1",
)
entry(
    "clamp_max_kw",
    lambda T, x: T.clamp(x, max=0.5),
    lambda x: np.minimum(x, 0.5),
    [S(_bounded(3, 4)), S(_bounded())],
    "ClampBackward1",
)
entry(
    "clamp_min",
    lambda T, x: x.clamp_min(-0.5),
    lambda x: np.maximum(x, -0.5),
    [S(_bounded(3, 4)), S(_bounded())],
    "ClampMinBackward0",
)
entry(
    "clamp_max",
    lambda T, x: x.clamp_max(0.5),
    lambda x: np.minimum(x, 0.5),
    [S(_bounded(3, 4)), S(_bounded())],
    "ClampMaxBackward0",
)
entry(
    "clamp_int",
    lambda T, x: x.clamp(-2, 3),
    lambda x: np.clip(x, -2, 3),
    [S(ints(3, 4))],
    None,
    gradcheck=False,
    gradgrad=False,
)


def _clamp_tensor_samples() -> list:
    out = []
    for shape, lshape in [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3), ())]:
        low = rand(*lshape, low=-1.0, high=-0.2)
        high = np.asarray(low + rand(*lshape, low=0.5, high=1.5))
        x = rand(*shape)
        # keep x 0.1 away from both bounds
        for b in (np.broadcast_to(low, shape), np.broadcast_to(high, shape)):
            x = np.where(np.abs(x - b) < 0.1, b + 0.15, x)
        out.append(S(x, low, high))
    out.append(S(nc(rand(3, 4)), nc(rand(3, 4, low=-1.0, high=-0.9)), rand(4, low=0.9, high=1.0)))
    return out


entry(
    "clamp_tensor",
    lambda T, x, lo, hi: T.clamp(x, lo, hi),
    np.clip,
    _clamp_tensor_samples(),
    "ClampBackward0",
)
entry(
    "clamp_tensor_min",
    lambda T, x, lo, hi: x.clamp(min=lo),
    lambda x, lo, hi: np.maximum(x, lo),
    _clamp_tensor_samples(),
    "ClampBackward0",
)
entry(
    "clamp_min_tensor",
    lambda T, x, lo, hi: x.clamp_min(lo),
    lambda x, lo, hi: np.maximum(x, lo),
    _clamp_tensor_samples()[:2],
    "ClampMinBackward1",
)
entry(
    "clamp_max_tensor",
    lambda T, x, lo, hi: T.clamp_max(x, hi),
    lambda x, lo, hi: np.minimum(x, hi),
    _clamp_tensor_samples()[:2],
    "ClampMaxBackward1",
)
entry(
    "where",
    lambda T, c, x, y: T.where(c, x, y),
    np.where,
    [
        S(mask(3, 4), rand(3, 4), rand(3, 4)),
        S(mask(3, 4), rand(4), rand(3, 1)),
        S(mask(4), rand(3, 4), rand()),
        S(mask(), rand(2), rand(2)),
        S(mask(2, 3), nc(rand(2, 3)), nc(rand(2, 3))),
        S(mask(0, 2), rand(0, 2), rand(2)),
    ],
    "WhereBackward0",
)
entry(
    "where_scalar",
    lambda T, c, x: T.where(c, x, 0.0),
    lambda c, x: np.where(c, x, 0.0),
    [S(mask(3, 4), rand(3, 4)), S(mask(3, 4), rand(4))],
    "WhereBackward0",
)
entry(
    "where_method",
    lambda T, c, x, y: x.where(c, y),
    np.where,
    [S(mask(3, 4), rand(3, 4), rand(3, 4))],
    "WhereBackward0",
)

# -- reductions ------------------------------------------------------------------------------


def reduce_samples(g=rand) -> list:
    return [S(g(3, 4)), S(g(2, 3, 4)), S(nc(g(2, 3, 4))), S(nc(g(3, 4)))]


entry("sum", lambda T, x: x.sum(), np.sum, unary_samples(), "SumBackward0")
entry(
    "sum_dim",
    lambda T, x: T.sum(x, 1),
    lambda x: x.sum(1),
    reduce_samples(),
    "SumBackward1",
)
entry(
    "sum_neg_dim_keepdim",
    lambda T, x: x.sum(-1, keepdim=True),
    lambda x: x.sum(-1, keepdims=True),
    [*reduce_samples(), S(rand(5)), S(rand(3, 0))],
    "SumBackward1",
)
entry(
    "sum_dims",
    lambda T, x: x.sum((0, -1)),
    lambda x: x.sum((0, -1)),
    reduce_samples(),
    "SumBackward1",
)
entry(
    "sum_dims_keepdim",
    lambda T, x: x.sum(dim=(-2, 0), keepdim=True),
    lambda x: x.sum((-2, 0), keepdims=True),
    [S(rand(2, 3, 4)), S(nc(rand(2, 3, 4))), S(rand(2, 3, 1))],
    "SumBackward1",
)
entry(
    "sum_0d_dim",
    lambda T, x: x.sum(0),
    lambda x: x.sum(),
    [S(rand())],
    "SumBackward1",
)
entry(
    "sum_dtype",
    lambda T, x: x.sum(dtype=T.float64),
    lambda x: x.sum(dtype=np.float64),
    [S(rand(3, 4, dtype=np.float32)), S(rand(3, 4))],
    "SumBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "sum_dim_dtype",
    lambda T, x: x.sum(1, dtype=T.float32),
    lambda x: x.sum(1, dtype=np.float32),
    [S(rand(3, 4, dtype=np.float32)), S(rand(3, 4))],
    "SumBackward1",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "sum_int",
    lambda T, x: x.sum(0),
    lambda x: x.sum(0, dtype=np.int64),
    [S(ints(3, 4)), S(In(RNG.random((3, 4)) < 0.5))],
    None,
    gradcheck=False,
    gradgrad=False,
)
entry("mean", lambda T, x: x.mean(), np.mean, unary_samples()[:2], "MeanBackward0")
entry("mean_dim", lambda T, x: T.mean(x, 0), lambda x: x.mean(0), reduce_samples(), "MeanBackward1")
entry(
    "mean_dims_keepdim",
    lambda T, x: x.mean((-1, 0), keepdim=True),
    lambda x: x.mean((-1, 0), keepdims=True),
    reduce_samples(),
    "MeanBackward1",
)
entry(
    "mean_dtype",
    lambda T, x: x.mean(dtype=T.float64),
    lambda x: x.mean(dtype=np.float64),
    [S(rand(3, 4, dtype=np.float32))],
    "MeanBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "max_all",
    lambda T, x: x.max(),
    np.max,
    [S(distinct(3, 4)), S(distinct()), S(nc(distinct(2, 3, 4)))],
    "MaxBackward1",
)
entry(
    "min_all",
    lambda T, x: T.min(x),
    np.min,
    [S(distinct(3, 4)), S(distinct()), S(nc(distinct(3, 4)))],
    "MinBackward1",
)
entry(
    "max_all_ties",
    lambda T, x: x.max(),
    np.max,
    [S(np.array([[1.0, 3.0], [3.0, -1.0]]))],
    "MaxBackward1",
    gradcheck=False,  # not differentiable at a tie: compared with PyTorch's convention only
    gradgrad=False,
)
entry(
    "max_dim",
    lambda T, x: tuple(x.max(1)),
    lambda x: (x.max(1), x.argmax(1)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4))), S(distinct(0, 3))],
    "MaxBackward0",
)
entry(
    "min_dim_keepdim",
    lambda T, x: tuple(T.min(x, -1, keepdim=True)),
    lambda x: (x.min(-1, keepdims=True), x.argmin(-1, keepdims=True)),
    [S(distinct(3, 4)), S(nc(distinct(2, 3, 4)))],
    "MinBackward0",
)
entry(
    "max_dim_0d",
    lambda T, x: tuple(x.max(0)),
    lambda x: (x, np.array(0)),
    [S(rand())],
    "MaxBackward0",
)
entry(
    "max_binary",
    lambda T, x, y: T.max(x, y),
    np.maximum,
    binary_samples()[:4],
    "MaximumBackward0",
)
entry(
    "min_binary",
    lambda T, x, y: x.min(y),
    np.minimum,
    binary_samples()[:4],
    "MinimumBackward0",
)
entry(
    "maximum",
    lambda T, x, y: T.maximum(x, y),
    np.maximum,
    binary_samples(),
    "MaximumBackward0",
)
entry(
    "minimum",
    lambda T, x, y: T.minimum(x, y),
    np.minimum,
    binary_samples(),
    "MinimumBackward0",
)
entry(
    "maximum_ties",
    lambda T, x, y: T.maximum(x, y),
    np.maximum,
    [S(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0]))],
    "MaximumBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "amax",
    lambda T, x: x.amax(1),
    lambda x: x.max(1),
    [*reduce_samples(distinct), S(distinct(0, 3))],
    "AmaxBackward0",
)
entry(
    "amax_all",
    lambda T, x: T.amax(x),
    np.max,
    [S(distinct(3, 4)), S(distinct())],
    "AmaxBackward0",
)
entry(
    "amin_dims_keepdim",
    lambda T, x: T.amin(x, (0, -1), keepdim=True),
    lambda x: x.min((0, -1), keepdims=True),
    reduce_samples(distinct),
    "AminBackward0",
)
entry(
    "amax_ties",
    lambda T, x: x.amax(0),
    lambda x: x.max(0),
    [S(np.array([[1.0, 3.0], [1.0, -1.0], [0.0, 3.0]]))],
    "AmaxBackward0",
    gradcheck=False,
    gradgrad=False,
)

# -- matrix products ---------------------------------------------------------------------------


def _matmul(name, sx, sy, node, layouts=("c", "c")):
    x, y = rand(*sx), rand(*sy)
    lx, ly = (In(v, lay) if lay != "nc" else nc(v) for v, lay in zip((x, y), layouts, strict=True))
    entry(
        f"matmul_{name}",
        lambda T, a, b: a @ b,
        np.matmul,
        [S(lx, ly)],
        node,
        rtol=1e-6,
    )


_matmul("1d_1d", (4,), (4,), "DotBackward0")
_matmul("2d_2d", (3, 4), (4, 5), "MmBackward0")
_matmul("2d_2d_nc", (3, 4), (4, 5), "MmBackward0", ("nc", "nc"))
_matmul("2d_1d", (3, 4), (4,), "MvBackward0")
_matmul("1d_2d", (4,), (4, 5), "SqueezeBackward4")
_matmul("3d_3d", (2, 3, 4), (2, 4, 5), "UnsafeViewBackward0")
_matmul("3d_2d", (2, 3, 4), (4, 5), "UnsafeViewBackward0")
_matmul("3d_2d_nc", (2, 3, 4), (4, 5), "UnsafeViewBackward0", ("nc", "c"))
_matmul("3d_1d", (2, 3, 4), (4,), "UnsafeViewBackward0")
_matmul("1d_3d", (4,), (2, 4, 5), "UnsafeViewBackward0")
_matmul("2d_3d", (3, 4), (2, 4, 5), "CloneBackward0")
_matmul("2d_4d_col", (3, 4), (5, 2, 4, 1), "TransposeBackward0")
_matmul("3d_3d_batch1", (1, 3, 4), (2, 4, 5), "CloneBackward0")
_matmul("4d_3d_bcast", (2, 1, 3, 4), (5, 4, 2), "UnsafeViewBackward0")
_matmul("3d_3d_bcast1", (2, 3, 4), (1, 4, 5), "UnsafeViewBackward0")
_matmul("empty_k", (3, 0), (0, 2), "MmBackward0")
_matmul("empty_batch", (0, 3, 4), (4, 2), "UnsafeViewBackward0")
entry(
    "mm",
    lambda T, x, y: T.mm(x, y),
    np.matmul,
    [S(rand(3, 4), rand(4, 2)), S(nc(rand(3, 4)), nc(rand(4, 2))), S(rand(2, 0), rand(0, 3))],
    "MmBackward0",
    rtol=1e-6,
)
entry(
    "bmm",
    lambda T, x, y: x.bmm(y),
    np.matmul,
    [S(rand(2, 3, 4), rand(2, 4, 2)), S(nc(rand(2, 3, 4)), rand(2, 4, 3))],
    "BmmBackward0",
    rtol=1e-6,
)
entry(
    "mv",
    lambda T, x, y: T.mv(x, y),
    np.matmul,
    [S(rand(3, 4), rand(4)), S(nc(rand(3, 4)), nc(rand(4)))],
    "MvBackward0",
    rtol=1e-6,
)
entry(
    "dot",
    lambda T, x, y: x.dot(y),
    np.dot,
    [S(rand(5), rand(5)), S(nc(rand(4)), rand(4)), S(rand(0), rand(0))],
    "DotBackward0",
    rtol=1e-6,
)

# -- indexing ops ----------------------------------------------------------------------------

entry(
    "index_select",
    lambda T, x, i: T.index_select(x, 1, i),
    lambda x, i: np.take(x, i, axis=1),
    [
        S(rand(3, 4), index(0, 2, 2)),
        S(nc(rand(2, 3, 4)), index(1)),
        S(rand(3, 4), In(np.zeros(0, np.int64))),
    ],
    "IndexSelectBackward0",
)
entry(
    "index_select_neg_dim",
    lambda T, x, i: x.index_select(-1, i),
    lambda x, i: np.take(x, i, axis=-1),
    [S(rand(3, 4), index(3, 0, 3))],
    "IndexSelectBackward0",
)
entry(
    "masked_select",
    lambda T, x, m: T.masked_select(x, m),
    lambda x, m: np.broadcast_to(x, np.broadcast_shapes(x.shape, m.shape))[
        np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape))
    ],
    [
        S(rand(3, 4), mask(3, 4)),
        S(rand(4), mask(3, 4)),
        S(nc(rand(3, 4)), mask(4)),
        S(rand(2, 3), In(np.zeros((2, 3), bool))),
    ],
    "MaskedSelectBackward0",
)
entry(
    "gather",
    lambda T, x, i: T.gather(x, 1, i),
    lambda x, i: np.take_along_axis(x[: i.shape[0]], i, 1),
    [
        S(rand(3, 4), In(RNG.integers(0, 4, (3, 5)))),
        S(nc(rand(3, 4)), In(RNG.integers(0, 4, (2, 2)))),
        S(rand(2, 3, 4), In(RNG.integers(0, 3, (2, 3, 4)))),
    ],
    "GatherBackward0",
)
entry(
    "masked_fill",
    lambda T, x, m: x.masked_fill(m, -1.5),
    lambda x, m: np.where(m, -1.5, x),
    [S(rand(3, 4), mask(3, 4)), S(nc(rand(3, 4)), mask(4)), S(rand(), mask())],
    "MaskedFillBackward0",
)

# -- joining and shape ops ---------------------------------------------------------------------

entry(
    "cat",
    lambda T, x, y: T.cat([x, y], 1),
    lambda x, y: np.concatenate([x, y], 1),
    [
        S(rand(2, 3), rand(2, 4)),
        S(nc(rand(2, 3)), rand(2, 0)),
        S(rand(2, 3, 2), nc(rand(2, 1, 2))),
    ],
    "CatBackward0",
)
entry(
    "cat_neg_dim_three",
    lambda T, x, y, z: T.cat((x, y, z), dim=-1),
    lambda x, y, z: np.concatenate([x, y, z], -1),
    [S(rand(3), rand(2), rand(1)), S(rand(2, 2), nc(rand(2, 2)), rand(2, 1))],
    "CatBackward0",
)
entry(
    "stack",
    lambda T, x, y: T.stack([x, y], 1),
    lambda x, y: np.stack([x, y], 1),
    [S(rand(2, 3), rand(2, 3)), S(nc(rand(2, 3)), rand(2, 3)), S(rand(3), rand(3))],
    "StackBackward0",
)
entry(
    "stack_neg_dim",
    lambda T, x, y: T.stack([x, y], -1),
    lambda x, y: np.stack([x, y], -1),
    [S(rand(2, 3), rand(2, 3)), S(rand(), rand())],
    "StackBackward0",
)
entry(
    "reshape",
    lambda T, x: x.reshape(-1, 2),
    lambda x: x.reshape(-1, 2),
    [S(rand(3, 4)), S(rand(2, 3, 2))],
    "ViewBackward0",
)
entry(
    "reshape_nc",
    lambda T, x: x.reshape(-1),
    lambda x: x.reshape(-1),
    [S(nc(rand(3, 4))), S(nc(rand(2, 3, 2)))],
    "UnsafeViewBackward0",
)
entry(
    "reshape_0d",
    lambda T, x: x.reshape(1, 1),
    lambda x: x.reshape(1, 1),
    [S(rand())],
    "ViewBackward0",
)
entry(
    "view",
    lambda T, x: x.view(2, -1),
    lambda x: x.reshape(2, -1),
    [S(rand(3, 4)), S(rand(2, 0))],
    "ViewBackward0",
)
entry(
    "view_nc_compatible",
    lambda T, x: x.view(3, 2, 2),
    lambda x: x.reshape(3, 2, 2),
    [S(In(rand(3, 4), "t"))],
    "ViewBackward0",
)
entry(
    "transpose",
    lambda T, x: x.transpose(0, -1),
    lambda x: np.swapaxes(x, 0, -1),
    [S(rand(3, 4)), S(nc(rand(2, 3, 4))), S(rand(5))],
    "TransposeBackward0",
)
entry(
    "permute",
    lambda T, x: x.permute(1, -1, 0),
    lambda x: x.transpose(1, 2, 0),
    [S(rand(2, 3, 4)), S(nc(rand(2, 3, 4)))],
    "PermuteBackward0",
)
entry(
    "t",
    lambda T, x: x.t(),
    lambda x: x.T,
    [S(rand(3, 4)), S(nc(rand(3, 4))), S(rand(4)), S(rand())],
    "TBackward0",
)
entry(
    "squeeze",
    lambda T, x: x.squeeze(),
    np.squeeze,
    [S(rand(3, 1, 4, 1)), S(rand(1)), S(nc(rand(1, 3)))],
    "SqueezeBackward0",
)
entry(
    "squeeze_dim",
    lambda T, x: x.squeeze(1),
    lambda x: np.squeeze(x, 1) if x.shape[1] == 1 else x,
    [S(rand(3, 1, 4)), S(rand(3, 2))],
    "SqueezeBackward1",
)
entry(
    "squeeze_dims",
    lambda T, x: T.squeeze(x, (0, -1)),
    lambda x: x.reshape(
        [n for i, n in enumerate(x.shape) if not (i in (0, x.ndim - 1) and n == 1)]
    ),
    [S(rand(1, 3, 1)), S(rand(2, 3, 1))],
    "SqueezeBackward2",
)
entry(
    "unsqueeze",
    lambda T, x: x.unsqueeze(-1),
    lambda x: np.expand_dims(x, -1),
    [S(rand(3, 4)), S(rand()), S(nc(rand(3, 4)))],
    "UnsqueezeBackward0",
)
entry(
    "unsqueeze_0",
    lambda T, x: T.unsqueeze(x, 0),
    lambda x: x[None],
    [S(rand(3)), S(rand(0, 2))],
    "UnsqueezeBackward0",
)
entry(
    "expand",
    lambda T, x: x.expand(2, 3, 4),
    lambda x: np.broadcast_to(x, (2, 3, 4)),
    [S(rand(3, 1)), S(rand(4)), S(rand()), S(nc(rand(1, 3, 1)))],
    "ExpandBackward0",
)
entry(
    "expand_keep",
    lambda T, x: x.expand(-1, 3),
    lambda x: np.broadcast_to(x, (x.shape[0], 3)),
    [S(rand(2, 1))],
    "ExpandBackward0",
)
entry(
    "diagonal",
    lambda T, x: x.diagonal(),
    lambda x: np.diagonal(x).copy(),
    [S(rand(3, 4)), S(nc(rand(4, 3))), S(rand(2, 3, 4))],
    "DiagonalBackward0",
)
entry(
    "diagonal_offset",
    lambda T, x: T.diagonal(x, 1, -1, 0),
    lambda x: np.diagonal(x, 1, -1, 0).copy(),
    [S(rand(3, 4)), S(rand(2, 3, 4))],
    "DiagonalBackward0",
)
entry(
    "split",
    lambda T, x: x.split(2, 1),
    lambda x: tuple(np.split(x, range(2, x.shape[1], 2), 1)),
    [S(rand(3, 5)), S(nc(rand(3, 4)))],
    "SplitBackward0",
)
entry(
    "split_sizes",
    lambda T, x: T.split(x, [1, 3], -1),
    lambda x: tuple(np.split(x, [1], -1)),
    [S(rand(2, 4)), S(nc(rand(2, 3, 4)))],
    "SplitWithSizesBackward0",
)
entry(
    "chunk",
    lambda T, x: x.chunk(3),
    lambda x: tuple(np.array_split(x, range(2, x.shape[0], 2))),
    [S(rand(5, 2)), S(nc(rand(6, 2)))],
    "SplitBackward0",
)
entry(
    "unbind",
    lambda T, x: x.unbind(1),
    lambda x: tuple(np.moveaxis(x, 1, 0)),
    [S(rand(2, 3)), S(nc(rand(2, 3, 4)))],
    "UnbindBackward0",
)

# -- x[key] ----------------------------------------------------------------------------------


def _getitem(name, key, node, samples, *, with_index=None, **kw):
    """An entry for ``x[key]``; ``with_index`` adds an index input used as ``key(i)``."""
    if with_index is None:
        entry(f"getitem_{name}", lambda T, x: x[key], lambda x: x[key], samples, node, **kw)
    else:
        entry(
            f"getitem_{name}",
            lambda T, x, i: x[key(i)],
            lambda x, i: x[key(i)],
            samples,
            node,
            **kw,
        )


_getitem("int", 1, "SelectBackward0", [S(rand(3, 4)), S(nc(rand(3, 4))), S(rand(3))])
_getitem("neg_int", (slice(None), -1), "SelectBackward0", [S(rand(3, 4)), S(nc(rand(2, 3, 4)))])
_getitem("slice", slice(1, None), "SliceBackward0", [S(rand(3, 4)), S(nc(rand(3, 4)))])
_getitem(
    "slice_step",
    (slice(None), slice(None, None, 2)),
    "SliceBackward0",
    [S(rand(3, 5)), S(nc(rand(2, 3, 4)))],
)
_getitem("empty_slice", slice(2, 1), "SliceBackward0", [S(rand(3, 4))])
_getitem("none", None, "UnsqueezeBackward0", [S(rand(3, 4)), S(rand())])
_getitem("ellipsis", Ellipsis, "AliasBackward0", [S(rand(3, 4)), S(rand())])
_getitem("ellipsis_int", (Ellipsis, 0), "SelectBackward0", [S(rand(2, 3, 4)), S(nc(rand(3, 4)))])
_getitem(
    "mixed_basic",
    (0, None, slice(1, 3), Ellipsis, None),
    "UnsqueezeBackward0",
    [S(rand(2, 3, 4))],
)
_getitem(
    "int_tensor",
    lambda i: i,
    "IndexBackward0",
    [S(rand(4, 3), index(0, 2)), S(nc(rand(4, 3)), index(-1, 0, 3))],
    with_index=True,
)
_getitem(
    "repeated_index",
    lambda i: i,
    "IndexBackward0",
    [S(rand(4, 3), index(1, 1, 1, 0)), S(rand(3), In(np.array([[0, 2], [2, 2]], np.int64)))],
    with_index=True,
)
_getitem(
    "index_second_dim",
    lambda i: (slice(None), i),
    "IndexBackward0",
    [S(rand(3, 4), index(3, 0, 3)), S(nc(rand(2, 4, 3)), In(np.array([[0], [2]], np.int64)))],
    with_index=True,
)
_getitem(
    "two_index_tensors",
    lambda i: (i, i),
    "IndexBackward0",
    [S(rand(3, 4), index(0, 2, 2))],
    with_index=True,
)
_getitem(
    "index_split_by_slice",
    lambda i: (i, slice(None), i),
    "IndexBackward0",
    [S(rand(3, 2, 4), index(1, 0))],
    with_index=True,
)
entry(
    "getitem_int_and_index",
    lambda T, x, i: x[0, :, i],
    lambda x, i: x[0][:, i],  # PyTorch: the int selects first, the index dim stays in place
    [S(rand(2, 3, 4), index(1, 2))],
    "IndexBackward0",
)
_getitem(
    "bool_mask",
    lambda m: m,
    "IndexBackward0",
    [S(rand(3, 4), mask(3, 4)), S(nc(rand(3, 4)), mask(3)), S(rand(2), In(np.zeros(2, bool)))],
    with_index=True,
)
_getitem(
    "bool_mask_dim1",
    lambda m: (slice(None), m),
    "IndexBackward0",
    [S(rand(3, 4), mask(4))],
    with_index=True,
)
_getitem(
    "full_slice_in_tuple",
    (slice(None), slice(0, 4)),
    "AliasBackward0",
    [S(rand(3, 4))],
)
_getitem(
    "full_slice_alone",
    slice(None),
    "SliceBackward0",
    [S(rand(3, 4))],
)
_getitem(
    "list_index",
    [0, 2, 0],
    "IndexBackward0",
    [S(rand(3, 4))],
)

# -- x[key] = value (on a clone, so that the leaf stays untouched) -----------------------------


def _setitem(name, key, value, node, samples, **kw):
    """``y = x.clone(); y[key(...)] = value(T, ...)``; inputs are x, then the value/index
    inputs that ``key`` and ``value`` take."""

    def op(T, x, *rest):
        y = x.clone()
        y[key(*rest)] = value(T, *rest)
        return y

    def ref(x, *rest):
        y = x.copy()
        y[key(*rest)] = value(np, *rest)
        return y

    entry(f"setitem_{name}", op, ref, samples, node, **kw)


_setitem(
    "slice_scalar",
    lambda: (slice(1, None),),
    lambda T: 0.5,
    "CopySlices",
    [S(rand(3, 4)), S(nc(rand(3, 4)))],
)
_setitem(
    "int_tensor_value",
    lambda v: 1,
    lambda T, v: v,
    "CopySlices",
    [S(rand(3, 4), rand(4)), S(rand(3, 4), rand())],
)
_setitem(
    "slice_broadcast_value",
    lambda v: (slice(None), slice(1, 3)),
    lambda T, v: v,
    "CopySlices",
    [S(rand(3, 4), rand(3, 1)), S(nc(rand(3, 4)), rand(2))],
)
_setitem(
    "index_tensor",
    lambda i, v: i,
    lambda T, i, v: v,
    "IndexPutBackward0",
    [S(rand(4, 3), index(0, 2), rand(3)), S(rand(4, 3), index(3, 1), rand(2, 3))],
)
_setitem(
    "index_second_dim",
    lambda i, v: (slice(None), i),
    lambda T, i, v: v,
    "IndexPutBackward0",
    [S(rand(3, 4), index(0, 3), rand(3, 1))],
)
_setitem(
    "bool_mask",
    lambda m: m,
    lambda T, m: 0.0,
    "IndexPutBackward0",
    [S(rand(3, 4), mask(3, 4)), S(nc(rand(3, 4)), mask(3))],
)
_setitem(
    "full_slice_scalar",
    lambda: slice(None),
    lambda T: 0.5,
    "FillBackward3",
    [S(rand(3, 4))],
)
_setitem(
    "full_slice_tensor",
    lambda v: slice(0, 3),
    lambda T, v: v,
    "CopyBackwards",
    [S(rand(3, 4), rand(4))],
)

# -- copies and conversions ------------------------------------------------------------------

entry("clone", lambda T, x: x.clone(), np.copy, unary_samples(), "CloneBackward0")
entry(
    "to_float32",
    lambda T, x: x.to(T.float32),
    lambda x: x.astype(np.float32),
    [S(rand(3, 4)), S(nc(rand(3, 4)))],
    "ToCopyBackward0",
    gradcheck=False,  # float32 results are too coarse for finite differences
    gradgrad=False,
    rtol=1e-6,
)
entry(
    "to_float64",
    lambda T, x: x.to(dtype=T.float64),
    lambda x: x.astype(np.float64),
    [S(rand(3, 4, dtype=np.float32))],
    "ToCopyBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "double",
    lambda T, x: x.float().double(),
    lambda x: x.astype(np.float32).astype(np.float64),
    [S(rand(3))],
    "ToCopyBackward0",
    gradcheck=False,
    gradgrad=False,
)
entry(
    "sum_to_size",
    lambda T, x: x.sum_to_size(1, 4),
    lambda x: x.sum(0, keepdims=True),
    [S(rand(3, 4)), S(nc(rand(3, 4)))],
    "SumBackward1",
)
entry(
    "sum_to_size_lead",
    lambda T, x: x.sum_to_size((3, 1)),
    lambda x: x.sum((0, 2), keepdims=True)[0],
    [S(rand(2, 3, 4))],
    "ViewBackward0",
)

# -- a composite expression, to exercise the graph rather than one node ------------------------

entry(
    "composite",
    lambda T, x, y: ((x * y).sin() + (x / (y * y + 1)).exp()).sum(-1),
    lambda x, y: (np.sin(x * y) + np.exp(x / (y * y + 1))).sum(-1),
    [S(rand(3, 4), rand(4)), S(nc(rand(3, 4)), rand(3, 1))],
    "SumBackward1",
    rtol=1e-6,
)


def by_name(name: str) -> OpEntry:
    return next(e for e in OPS if e.name == name)


# Each op family adds its entries from a module of its own (table_<family>.py beside this one),
# which imports entry(), S(), rand() ... from here; a module not written yet is skipped.
for _family in ("elementwise", "reduce", "shape", "index", "linalg", "nn", "special"):
    try:
        __import__(f"table_{_family}")
    except ModuleNotFoundError as error:
        if error.name != f"table_{_family}":
            raise
