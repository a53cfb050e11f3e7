"""Op-table entries of the special functions and the elementwise math beside them
(``numtorch/ops/special.py``). References come from the float64 math module (vectorised) or
NumPy; samples stay away from poles so that finite differences are meaningful."""

from __future__ import annotations

import functools
import math

import numpy as np
import op_table
from op_table import RNG, S, binary_samples, nc, nonzero, pos, rand


def entry(name, op, ref, samples, grad_fn, **kw):
    if grad_fn is None:
        kw.setdefault("gradcheck", False)
    return op_table.entry(name, op, ref, samples, grad_fn, **kw)


_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def _digamma_ref(x):
    # the derivative of math.lgamma by a wide central difference is too coarse: use the
    # series psi(x) = -gamma + sum_k (1/(k+1) - 1/(k+x)), shifted up for convergence
    x = np.asarray(x, dtype=np.float64)
    shift = np.zeros_like(x)
    y = x.copy()
    for _ in range(20):
        shift -= 1 / y
        y = y + 1
    # asymptotic expansion at y >= 20
    z = 1 / (y * y)
    tail = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z / 132))))
    return shift + np.log(y) - 0.5 / y - tail


def _i0_ref(x):
    x = np.asarray(x, dtype=np.float64)
    q = x * x / 4
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, 60):
        term = term * q / (k * k)
        total = total + term
    return total


def _i1_ref(x):
    x = np.asarray(x, dtype=np.float64)
    q = x * x / 4
    term = x / 2
    total = term.copy()
    for k in range(1, 60):
        term = term * q / (k * (k + 1))
        total = total + term
    return total


_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _samples(g):
    return [S(g(3, 4)), S(g()), S(g(0, 2)), S(nc(g(2, 3))), S(nc(g(2, 3, 4)))]


def _call(name, T, *args):
    return getattr(T, name)(*args)


def _special(name, T, *args):
    return getattr(T.special, name)(*args)


def _shifted(*shape):
    return rand(*shape, low=0.3, high=4.0)


for _name, _ref, _gen, _node in [
    ("lgamma", _lgamma, _shifted, "LgammaBackward0"),
    ("digamma", _digamma_ref, _shifted, "DigammaBackward0"),
    ("i0", _i0_ref, rand, "I0Backward0"),
    ("sinc", np.sinc, rand, "SincBackward0"),
    ("deg2rad", np.deg2rad, rand, "Deg2RadBackward0"),
    ("rad2deg", np.rad2deg, rand, "Rad2DegBackward0"),
]:
    entry(_name, functools.partial(_call, _name), _ref, _samples(_gen), _node, rtol=1e-10)

for _name, _ref, _gen, _node in [
    ("i0e", lambda x: _i0_ref(x) * np.exp(-np.abs(x)), rand, "SpecialI0EBackward0"),
    ("i1", _i1_ref, rand, "SpecialI1Backward0"),
    ("i1e", lambda x: _i1_ref(x) * np.exp(-np.abs(x)), rand, "SpecialI1EBackward0"),
    ("erfcx", lambda x: np.exp(x * x) * _erfc(x), rand, "SpecialErfcxBackward0"),
    ("log_ndtr", lambda x: np.log(0.5 * _erfc(-x / math.sqrt(2))), rand, "SpecialLogNdtrBackward0"),
    ("entr", lambda x: -x * np.log(x), pos, "SpecialEntrBackward0"),
    ("ndtri", lambda p: math.sqrt(2) * _erfinv(2 * p - 1),
     lambda *s: rand(*s, low=0.05, high=0.95), "SpecialNdtriBackward0"),
]:  # fmt: skip
    entry("special_" + _name, functools.partial(_special, _name), _ref, _samples(_gen), _node,
          rtol=1e-9)  # fmt: skip


def _erfinv(y):
    from statistics import NormalDist

    inv = np.vectorize(NormalDist().inv_cdf, otypes=[np.float64])
    return inv((np.asarray(y) + 1) / 2) / math.sqrt(2)


entry("sinc_zero", lambda T, x: T.sinc(x), np.sinc, [S(np.array([0.0, 0.5, -1.5]))],
      "SincBackward0", gradcheck=False)  # fmt: skip
entry(
    "polygamma",
    lambda T, x: T.polygamma(2, x),
    lambda x: -2 * sum((x + k) ** -3.0 for k in range(200000)) if np.size(x) else x * 0,
    [S(_shifted(2, 3)), S(_shifted()), S(nc(_shifted(2, 3)))],
    "PolygammaBackward0",
    rtol=1e-8,
)
entry(
    "mvlgamma",
    lambda T, x: T.mvlgamma(x, 3),
    lambda x: 3 / 2 * math.log(math.pi) + sum(_lgamma(x - j / 2) for j in range(3)),
    [S(rand(2, 3, low=1.2, high=4.0)), S(rand(low=1.5, high=3.0))],
    "MvlgammaBackward0",
    rtol=1e-10,
)
entry("logaddexp", lambda T, x, y: T.logaddexp(x, y), np.logaddexp, binary_samples(),
      "LogaddexpBackward0")  # fmt: skip
entry("logaddexp2", lambda T, x, y: T.logaddexp2(x, y), np.logaddexp2, binary_samples(),
      "Logaddexp2Backward0")  # fmt: skip
entry("copysign", lambda T, x, y: T.copysign(x, y), np.copysign,
      binary_samples(nonzero, nonzero), "CopysignBackward0")  # fmt: skip
entry("copysign_scalar", lambda T, x: x.copysign(-1.0), lambda x: np.copysign(x, -1.0),
      [S(nonzero(3, 4)), S(nonzero()), S(nc(nonzero(2, 3)))], "CopysignBackward1")  # fmt: skip
entry(
    "ldexp",
    lambda T, x, y: T.ldexp(x, y),
    lambda x, y: x * 2.0**y,
    [
        S(rand(3, 4), rand(3, 4)),
        S(rand(3, 4), rand(4)),
        S(rand(), rand()),
        S(nc(rand(2, 3)), rand(3)),
    ],
    "LdexpBackward0",
)
entry(
    "special_xlog1py",
    lambda T, x, y: T.special.xlog1py(x, y),
    lambda x, y: x * np.log1p(y),
    [S(rand(3, 4), pos(3, 4)), S(rand(3, 4), pos(4)), S(rand(), pos()), S(nc(rand(2, 3)), pos(3))],
    "SpecialXlog1PyBackward0",
)
entry(
    "special_zeta",
    lambda T, x, q: T.special.zeta(x, q),
    lambda x, q: sum((k + q) ** -x for k in range(200000)) + (200000 + q) ** (1 - x) / (x - 1),
    [S(op_table.In(rand(3, low=2.0, high=4.0), requires_grad=False), pos(3))],
    "SpecialZetaBackward0",
    rtol=1e-6,
)
entry(
    "igamma",
    lambda T, a, x: T.igamma(a, x),
    lambda a, x: _igamma_ref(a, x),
    [S(op_table.In(pos(3, 2), requires_grad=False), pos(3, 2))],
    "IgammaBackward0",
    rtol=1e-9,
)
entry(
    "igammac",
    lambda T, a, x: T.igammac(a, x),
    lambda a, x: 1 - _igamma_ref(a, x),
    [S(op_table.In(pos(3, 2), requires_grad=False), rand(3, 2, low=2.0, high=5.0))],
    "IgammacBackward0",
    rtol=1e-9,
)


def _igamma_ref(a, x):
    # P(a, x) = x^a e^-x / Gamma(a + 1) * sum_k x^k / ((a + 1) ... (a + k))
    term = np.ones_like(x)
    total = term.copy()
    for k in range(1, 300):
        term = term * x / (a + k)
        total = total + term
    return np.exp(a * np.log(x) - x - _lgamma(a + 1)) * total


def _lcse(x, dim):
    return np.logaddexp.accumulate(x, axis=dim) if np.size(x) else x


entry(
    "logcumsumexp",
    lambda T, x: T.logcumsumexp(x, 1),
    lambda x: _lcse(x, 1),
    [S(rand(3, 4)), S(rand(0, 3)), S(nc(rand(3, 4))), S(nc(rand(2, 3, 4)))],
    "LogcumsumexpBackward0",
    gradgrad=False,  # the sign split of the gradient has kinks where it crosses 0
)
entry(
    "dist",
    lambda T, x, y: T.dist(x, y),
    lambda x, y: np.sqrt(np.sum((x - y) ** 2)),
    [S(rand(3, 4), rand(3, 4)), S(rand(3, 4), rand(4)), S(nc(rand(2, 3)), rand(3))],
    "DistBackward0",
)
entry(
    "dist_p3",
    lambda T, x, y: T.dist(x, y, 3),
    lambda x, y: np.sum(np.abs(x - y) ** 3) ** (1 / 3),
    [S(rand(3, 4), rand(3, 4)), S(rand(2, 3), rand(3))],
    "DistBackward0",
)
_ = RNG


def _expm_ref(a):
    # the Taylor series: exact enough for these small-norm samples
    out = np.broadcast_to(np.eye(a.shape[-1]), a.shape).copy()
    term = out.copy()
    for k in range(1, 60):
        term = term @ a / k
        out = out + term
    return out


entry(
    "matrix_exp",
    lambda T, a: T.matrix_exp(a),
    _expm_ref,
    [S(rand(3, 3)), S(rand(2, 3, 3)), S(nc(rand(4, 4))), S(rand(0, 2, 2))],
    "LinalgMatrixExpBackward0",
    rtol=1e-10,
)
