"""Op-table entries of the elementwise family beyond the core arithmetic in ``op_table.py``:
unary math, binary math, rounding, tests of values, shifts and complex numbers."""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

import numpy as np
import op_table
from op_table import RNG, S, ints, nc, nonzero, pos, rand


def entry(name, op, ref, samples, grad_fn, **kw):
    """op_table.entry; results that are not differentiable skip the finite differences."""
    if grad_fn is None:
        kw.setdefault("gradcheck", False)
    return op_table.entry(name, op, ref, samples, grad_fn, **kw)


# -- references NumPy lacks ------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_inv_cdf = np.vectorize(NormalDist().inv_cdf, otypes=[np.float64])


def _erfinv(y):
    return _inv_cdf((np.asarray(y) + 1) / 2) / math.sqrt(2)


def _unit(*shape):
    return rand(*shape, low=-0.9, high=0.9)


def _off_grid(*shape):
    """Values whose fractional part stays away from 0 and 0.5: rounding is locally constant."""
    whole = RNG.integers(-3, 3, shape)
    frac = RNG.choice([0.2, 0.3, 0.7, 0.8], shape) + RNG.uniform(-0.05, 0.05, shape)
    return np.asarray(whole + frac, dtype=np.float64)


def _samples(g):
    return [S(g(3, 4)), S(nc(g(2, 3))), S(g())]


def _call(name, T, *args):
    return getattr(T, name)(*args)


# -- unary math: name, reference, generator, grad_fn -------------------------------------------

for _name, _ref, _gen, _node in [
    ("rsqrt", lambda x: 1 / np.sqrt(x), pos, "RsqrtBackward0"),
    ("square", np.square, rand, "PowBackward0"),
    ("exp2", np.exp2, rand, "Exp2Backward0"),
    ("expm1", np.expm1, rand, "Expm1Backward0"),
    ("log2", np.log2, pos, "Log2Backward0"),
    ("log10", np.log10, pos, "Log10Backward0"),
    ("log1p", np.log1p, pos, "Log1PBackward0"),
    ("tan", np.tan, _unit, "TanBackward0"),
    ("asin", np.arcsin, _unit, "AsinBackward0"),
    ("arccos", np.arccos, _unit, "AcosBackward0"),
    ("atan", np.arctan, rand, "AtanBackward0"),
    ("sinh", np.sinh, rand, "SinhBackward0"),
    ("cosh", np.cosh, rand, "CoshBackward0"),
    ("asinh", np.arcsinh, rand, "AsinhBackward0"),
    ("acosh", np.arccosh, lambda *s: rand(*s, low=1.2, high=3.0), "AcoshBackward0"),
    ("arctanh", np.arctanh, _unit, "AtanhBackward0"),
    ("erf", _erf, rand, "ErfBackward0"),
    ("erfc", _erfc, rand, "ErfcBackward0"),
    ("erfinv", _erfinv, _unit, "ErfinvBackward0"),
    ("floor", np.floor, _off_grid, "FloorBackward0"),
    ("ceil", np.ceil, _off_grid, "CeilBackward0"),
    ("round", np.round, _off_grid, "RoundBackward0"),
    ("trunc", np.trunc, _off_grid, "TruncBackward0"),
    ("fix", np.trunc, _off_grid, "TruncBackward0"),
    ("frac", lambda x: x - np.trunc(x), _off_grid, "FracBackward0"),
    ("nan_to_num", np.nan_to_num, rand, "NanToNumBackward0"),
    ("angle", lambda x: np.where(x < 0, np.pi, 0.0), nonzero, "AngleBackward0"),
]:
    entry(_name, functools.partial(_call, _name), _ref, _samples(_gen), _node, rtol=1e-6)

entry(
    "sgn",
    lambda T, x: (T.sgn(x), x * 1),  # x * 1: torch's zero gradient of sgn is a ZeroTensor
    lambda x: (np.sign(x), x),
    _samples(nonzero),
    "SgnBackward0",
)
entry(
    "logit",
    lambda T, x: x.logit(),
    lambda x: np.log(x / (1 - x)),
    _samples(lambda *s: rand(*s, low=0.1, high=0.9)),
    "LogitBackward0",
)
entry(
    "logit_eps",
    lambda T, x: T.logit(x, eps=0.2),
    lambda x: np.log(np.clip(x, 0.2, 0.8) / (1 - np.clip(x, 0.2, 0.8))),
    [S(np.array([0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95]))],
    "LogitBackward0",
)
entry(
    "round_decimals",
    lambda T, x: T.round(x, decimals=2),
    lambda x: np.round(x, 2),
    [S(np.array([0.1234, -1.2389, 2.5551, 7.0])), S(nc(np.array([[0.121, 0.372], [-3.3, 0.0]])))],
    "RoundBackward1",
)
entry(
    "round_half_even",
    lambda T, x: x.round(),
    np.round,
    [S(np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]))],
    "RoundBackward0",
    gradcheck=False,  # every sample sits on a jump
)
entry(
    "nan_to_num_values",
    lambda T, x: T.nan_to_num(x, nan=1.5, neginf=-7.0),
    lambda x: np.nan_to_num(x, nan=1.5, neginf=-7.0),
    [S(np.array([np.nan, np.inf, -np.inf, 0.5])), S(np.array([np.inf, 1.0], np.float32))],
    "NanToNumBackward0",
    gradcheck=False,
)
entry(
    "erfinv_edges",
    lambda T, x: T.erfinv(x),
    lambda x: np.array([np.inf, -np.inf, np.nan, np.nan, 0.0, _erfinv(0.999999)]),
    [S(np.array([1.0, -1.0, 1.5, np.nan, 0.0, 0.999999]))],
    "ErfinvBackward0",
    gradcheck=False,
)
entry(
    "float_ops_int_input",
    lambda T, x: (x.rsqrt(), x.exp2(), x.log1p(), x.erf(), T.atan(x), x.sinh()),
    lambda x: tuple(
        f(x.astype(np.float64)).astype(np.float32)
        for f in (lambda v: 1 / np.sqrt(v), np.exp2, np.log1p, _erf, np.arctan, np.sinh)
    ),
    [S(ints(4, low=1, high=5))],
    None,
    rtol=1e-6,
)
entry(
    "rounding_int_input",
    lambda T, x: (x.floor(), T.ceil(x), x.round(), x.trunc(), T.square(x), x.sgn()),
    lambda x: (x, x, x, x, x * x, np.sign(x)),
    [S(ints(5))],
    None,
)
entry(
    "unary_float32",
    lambda T, x: (x.tan(), x.erf(), x.erfinv(), x.expm1()),
    lambda x: tuple(
        f(x.astype(np.float64)).astype(np.float32) for f in (np.tan, _erf, _erfinv, np.expm1)
    ),
    [S(rand(3, low=-0.9, high=0.9, dtype=np.float32))],
    "TanBackward0",
    gradcheck=False,
)

# -- binary math -----------------------------------------------------------------------------


def _pairs(gx=rand, gy=rand):
    return [S(gx(3, 4), gy(4)), S(nc(gx(2, 3)), gy(2, 1)), S(gx(), gy(3))]


entry("atan2", lambda T, x, y: T.atan2(x, y), np.arctan2, _pairs(rand, nonzero), "Atan2Backward0")
entry(
    "arctan2_method",
    lambda T, x, y: x.arctan2(y),
    np.arctan2,
    _pairs(nonzero, rand)[:1],
    "Atan2Backward0",
)
entry("hypot", lambda T, x, y: T.hypot(x, y), np.hypot, _pairs(nonzero), "HypotBackward0")
entry("fmax", lambda T, x, y: T.fmax(x, y), np.fmax, _pairs(), "FmaxBackward0")
entry("fmin", lambda T, x, y: x.fmin(y), np.fmin, _pairs(), "FminBackward0")
entry(
    "fmax_nan_ties",
    lambda T, x, y: T.fmax(x, y),
    np.fmax,
    [S(np.array([np.nan, 1.0, 2.0, np.nan]), np.array([1.0, np.nan, 2.0, np.nan]))],
    "FmaxBackward0",
    gradcheck=False,
)
entry(
    "fmod",
    lambda T, x, y: T.fmod(x, y),
    np.fmod,
    [S(np.array([5.3, -5.3, 2.2, -0.7]), np.array([2.0, 2.0, -1.5, 0.4]))],
    "FmodBackward1",
)
entry(
    "fmod_scalar",
    lambda T, x: x.fmod(1.5),
    lambda x: np.fmod(x, 1.5),
    [S(np.array([5.3, -5.3, 2.2, -0.7])), S(nc(np.array([[0.4, -2.0], [1.0, 3.1]])))],
    "FmodBackward0",
)
entry(
    "fmod_int",
    lambda T, x, y: T.fmod(x, y),
    np.fmod,
    [S(ints(5), ints(5, low=1, high=4)), S(ints(4), ints(4, low=-3, high=-1))],
    None,
)
entry(
    "lerp_scalar",
    lambda T, x, y: T.lerp(x, y, 0.3),
    lambda x, y: x + 0.3 * (y - x),
    _pairs(),
    "LerpBackward0",
)
entry(
    "lerp_scalar_high",
    lambda T, x, y: x.lerp(y, 0.75),
    lambda x, y: y - (y - x) * 0.25,
    _pairs()[:1],
    "LerpBackward0",
)
entry(
    "lerp_tensor",
    lambda T, x, y, w: T.lerp(x, y, w),
    lambda x, y, w: x + w * (y - x),
    [S(rand(3, 4), rand(4), rand(3, 1, low=0, high=1)), S(nc(rand(2, 3)), rand(2, 3), rand())],
    "LerpBackward1",
)
entry(
    "addcmul",
    lambda T, x, a, b: T.addcmul(x, a, b, value=-0.5),
    lambda x, a, b: x - 0.5 * a * b,
    [S(rand(3, 4), rand(4), rand(3, 1)), S(nc(rand(2, 3)), rand(2, 3), rand())],
    "AddcmulBackward0",
)
entry(
    "addcdiv",
    lambda T, x, a, b: x.addcdiv(a, b, value=2),
    lambda x, a, b: x + 2 * a / b,
    [S(rand(3, 4), rand(4), nonzero(3, 1)), S(nc(rand(2, 3)), rand(2, 3), nonzero())],
    "AddcdivBackward0",
)
entry("xlogy", lambda T, x, y: T.xlogy(x, y), lambda x, y: x * np.log(y), _pairs(rand, pos),
      "XlogyBackward0")  # fmt: skip
entry(
    "xlogy_zero",
    lambda T, x, y: x.xlogy(y),
    lambda x, y: np.where(x == 0, 0.0, x * np.log(np.abs(y))),
    [S(np.array([0.0, 0.0, 1.5, 2.0]), np.array([0.0, 3.0, 2.0, 0.5]))],
    "XlogyBackward0",
    gradcheck=False,
)
entry(
    "xlogy_number_self",
    lambda T, y: T.xlogy(2.0, y),
    lambda y: 2.0 * np.log(y),
    [S(pos(3, 4)), S(pos())],
    "XlogyBackward1",
)
entry(
    "xlogy_number_other",
    lambda T, x: T.xlogy(x, 3),
    lambda x: x * np.log(3.0),
    [S(rand(3, 4)), S(nc(rand(2, 3)))],
    "XlogyBackward2",
)

# -- tests of values, shifts (never differentiable) -------------------------------------------

_specials = np.array([0.0, -1.5, np.nan, np.inf, -np.inf, -0.0])
for _name, _ref in [
    ("isnan", np.isnan),
    ("isinf", np.isinf),
    ("isposinf", np.isposinf),
    ("isneginf", np.isneginf),
    ("isfinite", np.isfinite),
    ("isreal", np.isreal),
    ("signbit", lambda a: np.signbit(a) if a.dtype.kind == "f" else a < 0),
]:
    entry(
        _name,
        functools.partial(_call, _name),
        _ref,
        [S(_specials), S(ints(3)), S(nc(_specials.reshape(2, 3)))],
        None,
    )
    entry(
        f"{_name}_method",
        functools.partial(lambda name, T, x: getattr(x, name)(), _name),
        _ref,
        [S(_specials)],
        None,
    )
entry(
    "bitwise_shifts",
    lambda T, x, y: (T.bitwise_left_shift(x, y), x >> y, x << 2, T.bitwise_right_shift(x, 1)),
    lambda x, y: (x << y, x >> y, x << 2, x >> 1),
    [S(ints(3, 4), ints(4, low=0, high=4)), S(ints(5, low=-20, high=20), ints(5, low=0, high=3))],
    None,
)
entry(
    "rshift_number_first",
    lambda T, x: 64 >> x,
    lambda x: 64 >> x,
    [S(ints(4, low=0, high=5))],
    None,
)

# -- complex numbers ---------------------------------------------------------------------------

entry(
    "complex",
    lambda T, x, y: T.complex(x, y),
    lambda x, y: x + 1j * y,
    [S(rand(3, 4), rand(4)), S(nc(rand(2, 3)), rand())],
    "ComplexBackward0",
    gradcheck=False,
)
entry(
    "polar",
    lambda T, r, t: T.polar(r, t),
    lambda r, t: r * np.exp(1j * t),
    [S(pos(3, 4), rand(3, 4)), S(pos(3), rand())],
    "PolarBackward0",
    gradcheck=False,
)
entry(
    "real_imag",
    lambda T, x, y: (T.complex(x, y).real * 2, T.imag(T.complex(x, y))),
    lambda x, y: (
        2 * np.broadcast_to(x, np.broadcast_shapes(x.shape, y.shape)),
        np.broadcast_to(y, np.broadcast_shapes(x.shape, y.shape)),
    ),  # fmt: skip
    [S(rand(3, 4), rand(3, 4)), S(rand(2), rand(2))],
    "MulBackward0",
    gradcheck=False,
)
entry(
    "conj_angle_abs",
    lambda T, x, y: (T.conj(T.complex(x, y)) * 1, T.complex(x, y).angle(), T.complex(x, y).abs()),
    lambda x, y: (x - 1j * y, np.angle(x + 1j * y), np.abs(x + 1j * y)),
    [S(nonzero(3, 4), nonzero(3, 4))],
    "MulBackward0",
    gradcheck=False,
)
entry(
    "sgn_complex",
    lambda T, x, y: T.sgn(T.complex(x, y)),
    lambda x, y: (x + 1j * y) / np.abs(x + 1j * y),
    [S(nonzero(3, 4), nonzero(3, 4))],
    "SgnBackward0",
    gradcheck=False,
)
entry(
    "real_of_real",
    lambda T, x: T.real(x) * 1,
    lambda x: x * 1,
    [S(rand(3))],
    "MulBackward0",
)
