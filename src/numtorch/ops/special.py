"""Special functions (gamma family, Bessel, normal distribution, zeta) and the elementwise math
torch adds beside them (logaddexp, sinc, copysign ...): SciPy-free array kernels and their ops.

The kernels follow ATen's own algorithms (Cephes for digamma, trigamma and zeta) where that is
what makes the values agree with PyTorch's at poles and near roots; lgamma and the Bessel
functions use series accurate to float64 rounding instead of a per-element ``math`` call.
"""

from __future__ import annotations

import math

from .. import _dtype
from .._dtype import binary_result_np
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import check_out, tensor_method, to_tensor, wrap_dim, write_out, xp

_EULER = 0.57721566490153286061
_HALF_LOG_2PI = 0.91893853320467274178
_SQRT_2PI = 2.50662827463100050242
_TWO_OVER_SQRT_PI = 1.12837916709551257390
_LN2 = 0.69314718055994530942


# -- helpers -------------------------------------------------------------------------------------


def _float_dtype(a):
    """The result dtype of a float op on ``a``: integers and bools give the default float."""
    if a.dtype.kind in "biu":
        return _dtype.get_default_dtype()._np
    return a.dtype


def _wide(a):
    """``a`` as float64 for a kernel (complex inputs are refused by the callers)."""
    return xp.asarray(a, dtype=xp.float64)


def _done(out, like_dtype):
    return xp.asarray(out).astype(like_dtype, copy=False)


def _check_real(a, name: str) -> None:
    if a.dtype.kind == "c":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_short(a.dtype)}'")


def _short(np_dtype) -> str:
    return _dtype.scalar_name(np_dtype)


# -- Hurwitz zeta (Cephes, as ATen's zeta; computed in double for every dtype) ---------------------

_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17,
           -7.1661652561756670113e18)  # fmt: skip
_MACHEP = 1.11022302462515654042e-16


def _zeta(x, q):
    """Hurwitz zeta ``sum_k (k + q) ** -x`` for float64 arrays, with ATen's special values."""
    x, q = xp.broadcast_arrays(_wide(x), _wide(q))
    with xp.errstate(all="ignore"):
        s = q**-x
        s = xp.array(s, dtype=xp.float64)
        a = xp.array(q, dtype=xp.float64)
        b = xp.zeros_like(s)
        # ATen's loop runs about -q times: far-negative (and infinite) q are left out
        far = ~(q > -1e4)
        done = far.copy()
        # Euler-Maclaurin needs q shifted past 9; the direct sum often converges on the way.
        # Each step works on the elements still summing, so a few far-negative q stay cheap.
        idx = xp.flatnonzero(~done)
        flat_a, flat_b, flat_s, flat_x = a.ravel(), b.ravel(), s.ravel(), x.ravel()
        flat_done = done.ravel()
        i = 0
        while idx.size:
            i += 1
            av = flat_a[idx] + 1.0
            bv = av ** -flat_x[idx]
            sv = flat_s[idx] + bv
            flat_a[idx], flat_b[idx], flat_s[idx] = av, bv, sv
            hit = (-_MACHEP * sv < bv) & (bv < _MACHEP * sv)
            flat_done[idx[hit]] = True
            keep = ~hit & ((i < 9) | (av <= 9.0))
            idx = idx[keep]
        s = flat_s.reshape(s.shape)
        a = flat_a.reshape(s.shape)
        b = flat_b.reshape(s.shape)
        done = flat_done.reshape(s.shape)
        w = a
        s = xp.where(done, s, s + b * w / (x - 1.0) - 0.5 * b)
        a = xp.ones_like(s)
        k = xp.zeros_like(s)
        for coef in _ZETA_A:
            live = ~done
            a = a * (x + k)
            b = b / w
            t = a * b / coef
            s = xp.where(live, s + t, s)
            done |= live & (xp.abs(t / s) < _MACHEP)
            a = a * (x + k + 1.0)
            b = b / w
            k = k + 2.0
        out = xp.where(far, xp.nan, s)
        q_int = q == xp.floor(q)
        out = xp.where((q <= 0) & ~q_int & (x != xp.floor(x)), xp.nan, out)
        out = xp.where((q <= 0) & q_int, xp.inf, out)
        out = xp.where(x < 1.0, xp.nan, out)
        out = xp.where(x == 1.0, xp.inf, out)
    return out


# -- lgamma ----------------------------------------------------------------------------------------

# lgamma(1 + z) = -gamma z + sum_{k>=2} (-1)^k zeta(k) z^k / k, for |z| <= 1/2
_LG_SERIES = [(-1.0) ** k * float(_zeta(float(k), 1.0)) / k for k in range(2, 56)]
# Stirling: B_2k / (2k (2k - 1)) for k = 1..8
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156,
             -3617 / 122400)  # fmt: skip


def _lgamma1p(z):
    """lgamma(1 + z) for |z| <= 1/2, to full precision around the roots at z = 0 and 1."""
    acc = xp.zeros_like(z)
    for c in reversed(_LG_SERIES):
        acc = acc * z + c
    return z * (acc * z - _EULER)


def _lgamma_pos(x):
    """lgamma on x > 0 (float64)."""
    out = xp.empty_like(x)
    low = x < 0.5
    mid1 = (x >= 0.5) & (x < 1.5)
    mid2 = (x >= 1.5) & (x < 2.5)
    high = x >= 2.5
    if low.any():
        v = x[low]
        out[low] = _lgamma1p(v) - xp.log(v)
    if mid1.any():
        out[mid1] = _lgamma1p(x[mid1] - 1.0)
    if mid2.any():
        z = x[mid2] - 2.0
        out[mid2] = _lgamma1p(z) + xp.log1p(z)
    if high.any():
        y = x[high]
        prod = xp.ones_like(y)
        for _ in range(8):  # shift past 10, where eight Stirling terms reach 1e-17
            small = y < 10.0
            prod = xp.where(small, prod * y, prod)
            y = xp.where(small, y + 1.0, y)
        with xp.errstate(over="ignore", invalid="ignore"):
            z = 1.0 / y
            z2 = z * z
            series = xp.zeros_like(y)
            for c in reversed(_STIRLING):
                series = series * z2 + c
            value = (y - 0.5) * xp.log(y) - y + _HALF_LOG_2PI + series * z
        out[high] = xp.where(xp.isinf(y), xp.inf, value - xp.log(prod))
    return out


def _lgamma(a):
    x = _wide(a)
    out = xp.full(x.shape, xp.inf)
    pos = x > 0
    if pos.any():
        out[pos] = _lgamma_pos(x[pos])
    neg = (x < 0) & (x != xp.floor(x)) & xp.isfinite(x)
    if neg.any():
        v = x[neg]
        r = v - xp.round(v)  # |sin(pi v)| = |sin(pi r)|, without pi * v's rounding error
        out[neg] = xp.log(math.pi / xp.abs(xp.sin(math.pi * r))) - _lgamma_pos(1.0 - v)
    out[xp.isnan(x)] = xp.nan
    return out


# -- digamma and trigamma (ATen's algorithms, in the input's precision as ATen computes them) ----

_PSI_A = (8.33333333333333333333e-2, -2.10927960927960927961e-2, 7.57575757575757575758e-3,
          -4.16666666666666666667e-3, 3.96825396825396825397e-3, -8.33333333333333333333e-3,
          8.33333333333333333333e-2)  # fmt: skip


def _digamma(a):
    x = xp.asarray(a)
    dt = x.dtype.type
    with xp.errstate(all="ignore"):
        neg = x < 0
        frac = x - xp.trunc(x)
        # ATen takes pi / tan(pi r) in double for every dtype
        reflect = xp.where(neg, math.pi / xp.tan(math.pi * frac.astype(xp.float64)), 0.0)
        reflect = reflect.astype(x.dtype)
        y = xp.where(neg, dt(1) - x, x)
        result = xp.zeros_like(y)
        for _ in range(11):
            small = y < 10
            result = xp.where(small, result - dt(1) / y, result)
            y = xp.where(small, y + dt(1), y)
        z = dt(1) / (y * y)
        poly = xp.zeros_like(y)
        for c in _PSI_A:
            poly = poly * z + dt(c)
        tail = xp.where(y < 1.0e17, z * poly, dt(0))
        out = result + xp.log(y) - dt(0.5) / y - tail
        out = xp.where(y == 10, result + dt(2.25175258906672110764), out)
        out = out - reflect
        out = xp.where(neg & (frac == 0), xp.nan, out)
        out = xp.where(x == 0, xp.copysign(dt(xp.inf), -x), out)
    return out.astype(x.dtype, copy=False)


def _trigamma(a):
    x = xp.asarray(a)
    dt = x.dtype.type
    with xp.errstate(all="ignore"):
        flip = x < 0.5
        s = xp.sin(dt(math.pi) * x)
        result = xp.where(flip, -(dt(math.pi) * dt(math.pi)) / (s * s), dt(0))
        y = xp.where(flip, dt(1) - x, x)
        for _ in range(6):
            result = result + dt(1) / (y * y)
            y = y + dt(1)
        ixx = dt(1) / (y * y)
        inner = dt(1 / 6) - ixx * (dt(1 / 30) - ixx * dt(1 / 42))
        tail = dt(1) + dt(1) / (dt(2) * y) + ixx * inner
        result = result + tail / y
        out = xp.where(flip, -result, result)
    return out.astype(x.dtype, copy=False)


def _polygamma(n: int, a):
    if n == 0:
        return _digamma(a)
    if n == 1:
        return _trigamma(a)
    scale = (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0))
    with xp.errstate(all="ignore"):
        return _done(scale * _zeta(float(n + 1), a), a.dtype)


# -- modified Bessel functions of order 0 and 1 --------------------------------------------------


def _bessel_i(order: int, a, scaled: bool):
    """I0/I1 (``scaled``: times exp(-|x|)): power series up to |x| = 30, the asymptotic
    expansion beyond (both to float64 rounding; every term of the series is positive)."""
    x = _wide(a)
    ax = xp.abs(x)
    out = xp.empty_like(x)
    small = ax <= 30.0
    with xp.errstate(all="ignore"):
        if small.any():
            v = ax[small]
            q = v * v / 4.0
            term = xp.ones_like(v) if order == 0 else v / 2.0
            total = term.copy()
            for k in range(1, 75):
                term = term * q / (k * (k + order))
                total = total + term
            out[small] = total * xp.exp(-v) if scaled else total
        big = ~small
        if big.any():
            v = ax[big]
            mu = 4.0 * order * order
            term = xp.ones_like(v)
            total = term.copy()
            for k in range(1, 30):
                term = term * -(mu - (2 * k - 1) ** 2) / (k * 8.0 * v)
                total = total + term
            base = total / xp.sqrt(2.0 * math.pi * v)
            if not scaled:
                # exp(v / 2) twice: the product stays finite where exp(v) alone overflows
                half = xp.exp(v / 2.0)
                base = base * half * half
            out[big] = base
        if order == 1:
            out = xp.where(x < 0, -out, out)
        out = xp.where(xp.isnan(x), xp.nan, out)
        if not scaled:
            out = xp.where(xp.isinf(x), xp.nan, out)  # Cephes' value at +-inf, kept by ATen
    return out


# -- the normal distribution and erfcx -------------------------------------------------------------

_erfc_py = xp.frompyfunc(math.erfc, 1, 1)


def _erfc(x):
    return xp.asarray(_erfc_py(x), dtype=xp.float64)


def _erfcx(a):
    """exp(x^2) erfc(x): erfc directly below 10, its asymptotic series above, reflection for
    negative x (where the result grows like 2 exp(x^2))."""
    x = _wide(a)
    ax = xp.abs(x)
    out = xp.empty_like(x)
    with xp.errstate(all="ignore"):
        mid = ax < 10.0
        if mid.any():
            v = ax[mid]
            out[mid] = xp.exp(v * v) * _erfc(v)
        big = ~mid
        if big.any():
            v = ax[big]
            inv = 1.0 / (2.0 * v * v)
            term = xp.ones_like(v)
            total = term.copy()
            for k in range(1, 16):
                term = term * -(2 * k - 1) * inv
                total = total + term
            out[big] = xp.where(xp.isinf(v), 0.0, total / (v * math.sqrt(math.pi)))
        out = xp.where(x < 0, 2.0 * xp.exp(x * x) - out, out)
        out = xp.where(xp.isnan(x), xp.nan, out)
    return out


def _ndtr(a):
    x = _wide(a)
    with xp.errstate(all="ignore"):
        return 0.5 * _erfc(-x / math.sqrt(2.0))


def _log_ndtr(a):
    x = _wide(a)
    with xp.errstate(all="ignore"):
        # for x < -1, log(erfc) would underflow: use erfcx, whose log is exact
        t = -x / math.sqrt(2.0)
        lower = xp.log(_erfcx(xp.maximum(t, 0.0)) / 2.0) - t * t
        upper = xp.log1p(-0.5 * _erfc(-t))
        return xp.where(x < -1.0, lower, upper)


def _ndtri(a):
    """Inverse of the normal CDF: Acklam's rational guess, then Halley steps on erfc (which
    keeps its relative precision in the lower tail)."""
    p = _wide(a)
    out = xp.empty_like(p)
    with xp.errstate(all="ignore"):
        q = xp.where(p > 0.5, 1.0 - p, p)  # the lower tail; the upper one by symmetry
        a_ = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
              1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)  # fmt: skip
        b_ = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
              6.680131188771972e01, -1.328068155288572e01)  # fmt: skip
        c_ = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
              -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)  # fmt: skip
        d_ = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
              3.754408661907416e00)  # fmt: skip
        r = xp.sqrt(-2.0 * xp.log(xp.where(q > 0, q, 1.0)))
        num = xp.zeros_like(q)
        for c in c_:
            num = num * r + c
        den = xp.zeros_like(q)
        for d in d_:
            den = den * r + d
        tail = num / (den * r + 1.0)
        u = q - 0.5
        s = u * u
        num = xp.zeros_like(q)
        for c in a_:
            num = num * s + c
        den = xp.zeros_like(q)
        for b in b_:
            den = den * s + b
        central = num * u / (den * s + 1.0)
        z = xp.where(q < 0.02425, tail, central)
        for _ in range(3):
            e = 0.5 * _erfc(-z / math.sqrt(2.0)) - q
            g = e * _SQRT_2PI * xp.exp(z * z / 2.0)
            z = z - g / (1.0 + z * g / 2.0)
        out = xp.where(p > 0.5, -z, z)
        out = xp.where(p == 0, -xp.inf, xp.where(p == 1, xp.inf, out))
        out = xp.where((p < 0) | (p > 1) | xp.isnan(p), xp.nan, out)
    return out


# -- the regularized incomplete gamma functions ---------------------------------------------------


def _igamma_pair(a_, x_):
    """(P(a, x), Q(a, x)): the series for x < a + 1, Legendre's continued fraction above."""
    a, x = xp.broadcast_arrays(_wide(a_), _wide(x_))
    a = a.copy()
    x = x.copy()
    p = xp.full(a.shape, xp.nan)
    with xp.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & xp.isfinite(a) & xp.isfinite(x)
        lead = xp.exp(a * xp.log(xp.where(ok, x, 1.0)) - xp.where(ok, x, 0.0) - _lgamma(a))
        ser = ok & (x < a + 1.0)
        cf = ok & ~ser
        term = 1.0 / a
        total = term.copy()
        ap = a.copy()
        for _ in range(400):
            ap = ap + 1.0
            term = term * x / ap
            total = total + term
        p_series = lead * total
        # modified Lentz on Q's continued fraction
        tiny = 1e-300
        b = x + 1.0 - a
        c = xp.full(a.shape, 1.0 / tiny)
        d = 1.0 / xp.where(b == 0, tiny, b)
        h = d.copy()
        for i in range(1, 300):
            an = -i * (i - a)
            b = b + 2.0
            d = an * d + b
            d = xp.where(xp.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = xp.where(xp.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            h = h * d * c
        q_cf = lead * h
        p = xp.where(ser, p_series, p)
        q = xp.where(ser, 1.0 - p_series, xp.nan)
        p = xp.where(cf, 1.0 - q_cf, p)
        q = xp.where(cf, q_cf, q)
        # edges, as ATen: x == 0 gives P = 0; a == 0 gives P = 1 (x > 0); x = inf gives 1
        zero_x = (x == 0) & (a > 0)
        p = xp.where(zero_x, 0.0, p)
        q = xp.where(zero_x, 1.0, q)
        zero_a = (a == 0) & (x > 0)
        p = xp.where(zero_a, 1.0, p)
        q = xp.where(zero_a, 0.0, q)
        inf_x = xp.isposinf(x) & (a > 0) & xp.isfinite(a)
        p = xp.where(inf_x, 1.0, p)
        q = xp.where(inf_x, 0.0, q)
        inf_a = xp.isposinf(a) & (x >= 0) & xp.isfinite(x)
        p = xp.where(inf_a, 0.0, p)
        q = xp.where(inf_a, 1.0, q)
    return p, q


# -- unary ops -----------------------------------------------------------------------------------


class _UnaryKernel(Op):
    """A float kernel on one input; subclasses give ``kernel`` and the derivative."""

    kernel_name = ""
    save_out = False

    @classmethod
    def forward(cls, ctx, x):
        _check_real(x, cls.kernel_name)
        dt = _float_dtype(x)
        out = _done(cls.kernel(x.astype(dt, copy=False)), dt)
        ctx.save_for_backward(x, out if cls.save_out else None)
        return out

    @staticmethod
    def kernel(a):  # pragma: no cover - every subclass sets its own
        raise NotImplementedError


class Lgamma(_UnaryKernel):
    kernel_name = "lgamma_vml_cpu"
    kernel = staticmethod(_lgamma)

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return grad * digamma(x)


class Digamma(_UnaryKernel):
    kernel_name = "digamma"
    kernel = staticmethod(_digamma)

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return grad * polygamma(1, x)


class Polygamma(Op):
    @staticmethod
    def forward(ctx, x, n):
        _check_real(x, "polygamma")
        dt = _float_dtype(x)
        ctx.n = n
        ctx.save_for_backward(x)
        return _done(_polygamma(n, x.astype(dt, copy=False)), dt)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * polygamma(ctx.n + 1, x)


class Mvlgamma(Op):
    @staticmethod
    def forward(ctx, x, p):
        dt = _float_dtype(x)
        x = x.astype(dt, copy=False)
        ctx.p = p
        ctx.save_for_backward(x)
        if not (x > 0.5 * (p - 1)).all():
            raise RuntimeError(
                "All elements must be greater than (p-1)/2\n"
                "  Expected (self > (p - 1) / 2).all() to be true, but got false.  (Could this "
                "error message be improved?  If so, please report an enhancement request to "
                "PyTorch.)"
            )
        wide = _wide(x)
        total = xp.full(x.shape, p * (p - 1) / 4.0 * math.log(math.pi))
        for j in range(p):
            total = total + _lgamma(wide - j / 2.0)
        return _done(total, dt)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        total = digamma(x)
        for j in range(1, ctx.p):
            total = total + digamma(x - j / 2.0)
        return grad * total


class I0(_UnaryKernel):
    node_name = "I0Backward0"
    kernel_name = "i0"
    kernel = staticmethod(lambda a: _bessel_i(0, a, False))

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return grad * special_i1(x)


class SpecialI0E(_UnaryKernel):
    kernel_name = "i0e"
    save_out = True
    kernel = staticmethod(lambda a: _bessel_i(0, a, True))

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (special_i1e(x) - x.sgn() * out)


class SpecialI1(_UnaryKernel):
    node_name = "SpecialI1Backward0"
    kernel_name = "i1"
    save_out = True
    kernel = staticmethod(lambda a: _bessel_i(1, a, False))

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, out = ctx.saved_tensors
        safe = where(x == 0, 1.0, x)
        return grad * where(x == 0, 0.5, i0(x) - out / safe)


class SpecialI1E(_UnaryKernel):
    kernel_name = "i1e"
    save_out = True
    kernel = staticmethod(lambda a: _bessel_i(1, a, True))

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, out = ctx.saved_tensors
        safe = where(x == 0, 1.0, x)
        return grad * where(x == 0, 0.5, special_i0e(x) - out * (x.sgn() + 1 / safe))


class SpecialErfcx(_UnaryKernel):
    kernel_name = "erfcx"
    save_out = True
    kernel = staticmethod(_erfcx)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad * (2 * x * out - _TWO_OVER_SQRT_PI)


class SpecialNdtri(_UnaryKernel):
    kernel_name = "ndtri"
    save_out = True
    kernel = staticmethod(_ndtri)

    @staticmethod
    def backward(ctx, grad):
        _, out = ctx.saved_tensors
        return grad * _SQRT_2PI * (out * out / 2).exp()


class SpecialLogNdtr(_UnaryKernel):
    kernel_name = "log_ndtr"
    save_out = True
    kernel = staticmethod(_log_ndtr)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return grad / _SQRT_2PI * (-(out + x * x / 2)).exp()


class SpecialEntr(_UnaryKernel):
    kernel_name = "entr"

    @staticmethod
    def kernel(a):
        with xp.errstate(all="ignore"):
            out = -a * xp.log(a)
        out = xp.where(a == 0, 0.0, out)
        return xp.where(a < 0, -xp.inf, out)

    @staticmethod
    def backward(ctx, grad):
        x, _ = ctx.saved_tensors
        return grad * -(1 + x.log())


class Sinc(_UnaryKernel):
    kernel_name = "sinc"

    @staticmethod
    def kernel(a):
        with xp.errstate(all="ignore"):
            t = a * a.dtype.type(math.pi)
            out = xp.sin(t) / t
        return xp.where(a == 0, a.dtype.type(1), out)

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, _ = ctx.saved_tensors
        t = x * math.pi
        d = (t * t.cos() - t.sin()) / (t * x)
        return grad * where(x == 0, 0.0, d)


class _Scale(Op):
    """deg2rad / rad2deg: a multiplication by a constant, in the input's float dtype."""

    factor = 1.0

    @classmethod
    def forward(cls, ctx, x):
        _check_real(x, cls.__name__.lower())
        if x.dtype.kind == "b":
            raise RuntimeError(f"{cls.__name__.lower()} is not supported for bool tensors.")
        dt = _float_dtype(x)
        return (x.astype(dt, copy=False) * dt.type(cls.factor)).astype(dt, copy=False)

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.factor


class Deg2Rad(_Scale):
    factor = math.pi / 180.0


class Rad2Deg(_Scale):
    factor = 180.0 / math.pi


# -- binary ops ----------------------------------------------------------------------------------


def _float_pair(x, y, name):
    result = binary_result_np(x, y)
    if result.kind == "c":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_short(result)}'")
    if result.kind in "biu":
        result = _dtype.get_default_dtype()._np
    return result


class Logaddexp(Op):
    tensor_args = 2
    base2 = False

    @classmethod
    def forward(cls, ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "biu":
            name = "logaddexp2_cpu" if cls.base2 else "logaddexp_cpu"
            raise NotImplementedError(f"\"{name}\" not implemented for '{_short(result)}'")
        ctx.save_for_backward(x, y)
        ufunc = xp.logaddexp2 if cls.base2 else xp.logaddexp
        return ufunc(x, y, dtype=result)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        if cls.base2:
            return grad / (1 + (y - x).exp2()), grad / (1 + (x - y).exp2())
        return grad / (1 + (y - x).exp()), grad / (1 + (x - y).exp())


class Logaddexp2(Logaddexp):
    node_name = "Logaddexp2Backward0"
    base2 = True


class Copysign(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        result = _float_pair(x, y, "copysign_cpu")
        out = xp.copysign(x, y, dtype=result)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, out = ctx.saved_tensors
        ratio = where(x == 0, 0.0, out / where(x == 0, 1.0, x))
        return grad * ratio, (grad * 0 if ctx.needs_input_grad[1] else None)


class Copysign1(Copysign):
    """copysign with a number as ``other`` (PyTorch's copysign.Scalar)."""

    @staticmethod
    def forward(ctx, x, y):
        result = _float_pair(x, xp.asarray(float(y)).astype(_float_dtype(x)), "copysign_cpu")
        out = xp.copysign(x, float(y), dtype=result)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Copysign.backward(ctx, grad)[0]


class Ldexp(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, e):
        result = _float_pair(x, xp.empty(0, _float_dtype(e)), "ldexp")
        with xp.errstate(over="ignore"):
            factor = xp.exp2(e.astype(result, copy=False))
        ctx.save_for_backward(x, e)
        return xp.multiply(x, factor, dtype=result)

    @staticmethod
    def backward(ctx, grad):
        x, e = ctx.saved_tensors
        factor = e.to(grad.dtype).exp2()
        gx = grad * factor if ctx.needs_input_grad[0] else None
        ge = grad * x * _LN2 * factor if ctx.needs_input_grad[1] else None
        return gx, ge


class Xlog1py(Op):
    node_name = "SpecialXlog1PyBackward0"
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        result = _float_pair(x, y, "xlog1py")
        ctx.save_for_backward(x, y)
        with xp.errstate(all="ignore"):
            out = xp.multiply(x, xp.log1p(y.astype(result, copy=False)), dtype=result)
        return xp.where((x == 0) & ~xp.isnan(y), result.type(0), out).astype(result, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = grad * where((x == 0) & ~y.isnan(), 0.0, y.log1p())
        if ctx.needs_input_grad[1]:
            gy = grad * x / (y + 1)
        return gx, gy


class SpecialZeta(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, q):
        result = _float_pair(x, q, "zeta")
        ctx.save_for_backward(x, q)
        return _done(_zeta(x, q), result)

    @staticmethod
    def backward(ctx, grad):
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError('the derivative for "x" is not implemented.')
        return None, grad * -x * special_zeta(x + 1, q)


class _Igamma(Op):
    tensor_args = 2
    upper = False

    @classmethod
    def forward(cls, ctx, a, x):
        result = _float_pair(a, x, "igammac_cpu" if cls.upper else "igamma_cpu")
        ctx.save_for_backward(a, x)
        p, q = _igamma_pair(a, x)
        return _done(q if cls.upper else p, result)

    @classmethod
    def backward(cls, ctx, grad):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            name = "igammac" if cls.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        d = grad * (-x + (a - 1) * x.log() - lgamma(a)).exp()
        return None, (-d if cls.upper else d)


class Igamma(_Igamma):
    pass


class Igammac(_Igamma):
    upper = True


class Logcumsumexp(Op):
    @staticmethod
    def forward(ctx, x, dim):
        dt = _float_dtype(x)
        x = x.astype(dt, copy=False)
        ctx.dim = dim
        if x.ndim == 0:
            out = x.copy()
        elif x.dtype.kind == "c":
            raise NotImplementedError("logcumsumexp is not implemented for complex tensors here")
        else:
            out = xp.logaddexp.accumulate(x, axis=dim) if x.size else x.copy()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        dim = ctx.dim

        def rev(t):
            return logcumsumexp(t.flip(dim), dim).flip(dim)

        # sum_{j >= i} grad_j exp(x_i - out_j), split by the sign of grad so the logs exist
        # (log of a masked 1, not of 0: the double backward would meet 0 * inf)
        ninf = float("-inf")
        log_pos = where(grad > 0, where(grad > 0, grad, 1.0).log(), ninf)
        log_neg = where(grad < 0, where(grad < 0, -grad, 1.0).log(), ninf)
        pos_part = (x + rev(log_pos - out)).exp()
        neg_part = (x + rev(log_neg - out)).exp()
        return pos_part - neg_part


class Dist(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y, p):
        result = binary_result_np(x, y)
        if result.kind not in "fc":
            raise RuntimeError(
                f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                f"Got {_short(result)}"
            )
        try:
            d = xp.subtract(x, y, dtype=result)
        except ValueError:
            from ._common import broadcast_error

            raise broadcast_error(x.shape, y.shape) from None
        a = xp.abs(d).astype(xp.float64)
        if p == 0:
            out = xp.count_nonzero(a).astype(xp.float64)
        elif p == math.inf:
            out = a.max() if a.size else xp.float64(0)
        elif p == -math.inf:
            out = a.min() if a.size else xp.float64(xp.inf)
        elif p == 2:
            out = xp.sqrt((a * a).sum())
        else:
            with xp.errstate(all="ignore"):
                out = (a**p).sum() ** (1.0 / p)
        out = xp.asarray(out).astype(xp.dtype(result).type(0).real.dtype)
        ctx.p = p
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .elementwise import where

        x, y, out = ctx.saved_tensors
        d = x - y
        p = ctx.p
        if p == 0:
            g = d * 0
        elif p in (math.inf, -math.inf):
            hit = (d.abs() == out).to(d.dtype)
            g = d.sgn() * hit / hit.sum() * grad
        elif p == 2:
            g = d * (grad / where(out == 0, 1.0, out)) * (out != 0)
        else:
            g = d.sgn() * d.abs() ** (p - 1) * (grad / where(out == 0, 1.0, out) ** (p - 1))
            g = g * (out != 0)
        gx = _sum_to(g, x.shape) if ctx.needs_input_grad[0] else None
        gy = -_sum_to(g, y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy


def _sum_to(g, shape):
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    return g.sum_to_size(*shape) if shape else g.sum()


# -- public functions ----------------------------------------------------------------------------


def _unary_fn(op, name, doc, example=None):
    def fn(input, *, out=None):
        check_out(out, name, input)
        result = op.apply(input)
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc + (f"\n\n{example}" if example else "")
    return fn


def _attach(fn, name, inplace=True):
    setattr(Tensor, name, fn)
    if inplace:

        def method(self, *args, **kwargs):
            return self._inplace(fn, *args, **kwargs)

        method.__name__ = method.__qualname__ = name + "_"
        method.__doc__ = f"In-place ``{name}``: writes the result into ``self``."
        setattr(Tensor, name + "_", method)


lgamma = _unary_fn(
    Lgamma,
    "lgamma",
    "``log(|Gamma(input)|)``; ``inf`` at the poles 0, -1, -2 ...",
    ">>> numtorch.lgamma(numtorch.tensor([0.5, 3.0]))\ntensor([0.5724, 0.6931])",
)
digamma = _unary_fn(
    Digamma,
    "digamma",
    "The logarithmic derivative of Gamma; ``-inf`` at +0, NaN at negative integers.",
    ">>> numtorch.digamma(numtorch.tensor([1.0, 2.0]))\ntensor([-0.5772,  0.4228])",
)
i0 = _unary_fn(
    I0,
    "i0",
    "The modified Bessel function of the first kind, order 0.",
    ">>> numtorch.i0(numtorch.tensor([0.0, 1.0]))\ntensor([1.0000, 1.2661])",
)
sinc = _unary_fn(
    Sinc,
    "sinc",
    "The normalized sinc, ``sin(pi x) / (pi x)`` (1 at 0).",
    ">>> numtorch.sinc(numtorch.tensor([0.0, 0.5]))\ntensor([1.0000, 0.6366])",
)
deg2rad = _unary_fn(
    Deg2Rad,
    "deg2rad",
    "Degrees to radians.",
    ">>> numtorch.deg2rad(numtorch.tensor([180.0]))\ntensor([3.1416])",
)
rad2deg = _unary_fn(
    Rad2Deg,
    "rad2deg",
    "Radians to degrees.",
    ">>> numtorch.rad2deg(numtorch.tensor([3.1415927]))\ntensor([180.])",
)
special_i0e = _unary_fn(SpecialI0E, "special_i0e", "``exp(-|x|) * i0(x)``.")
special_i1 = _unary_fn(SpecialI1, "special_i1", "Modified Bessel function of order 1.")
special_i1e = _unary_fn(SpecialI1E, "special_i1e", "``exp(-|x|) * i1(x)``.")
special_erfcx = _unary_fn(SpecialErfcx, "special_erfcx", "``exp(x ** 2) * erfc(x)``.")
special_ndtri = _unary_fn(SpecialNdtri, "special_ndtri", "The inverse of the normal CDF.")
special_log_ndtr = _unary_fn(SpecialLogNdtr, "special_log_ndtr", "``log(ndtr(x))``.")
special_entr = _unary_fn(SpecialEntr, "special_entr", "``-x * log(x)``, 0 at 0.")

for _fn, _name in [(lgamma, "lgamma"), (digamma, "digamma"), (i0, "i0"), (sinc, "sinc"),
                   (deg2rad, "deg2rad"), (rad2deg, "rad2deg")]:  # fmt: skip
    _attach(_fn, _name)


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of digamma.

    >>> numtorch.polygamma(1, numtorch.tensor([1.0]))
    tensor([1.6449])
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    check_out(out, "polygamma", input)
    result = Polygamma.apply(input, n)
    return write_out(out, result) if out is not None else result


def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_inplace(self, n):
    return self._inplace(_polygamma_method, n)


setattr(Tensor, "polygamma", _polygamma_method)  # noqa: B010
setattr(Tensor, "polygamma_", _polygamma_inplace)  # noqa: B010


@tensor_method()
def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``.

    >>> numtorch.mvlgamma(numtorch.tensor([2.5]), 2)
    tensor([0.8570])
    """
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.is_floating_point():
        raise RuntimeError(
            "mvlgamma is not implemented for "
            + {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(
                str(input.dtype).split(".")[-1], str(input.dtype)
            )
        )
    check_out(out, "mvlgamma", input)
    result = Mvlgamma.apply(input, p)
    return write_out(out, result) if out is not None else result


def _mvlgamma_inplace(self, p):
    return self._inplace(mvlgamma, p)


setattr(Tensor, "mvlgamma_", _mvlgamma_inplace)  # noqa: B010


def _tensor_pair(input, other):
    if not isinstance(input, Tensor):
        input = to_tensor(input)
    if not isinstance(other, Tensor):
        other = to_tensor(other)
    return input, other


def _binary_fn(op, name, doc):
    def fn(input, other, *, out=None):
        input, other = _tensor_pair(input, other)
        check_out(out, name, input, other)
        result = op.apply(input, other)
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


logaddexp = _binary_fn(
    Logaddexp,
    "logaddexp",
    "``log(exp(input) + exp(other))`` without overflow.\n\n"
    ">>> numtorch.logaddexp(numtorch.tensor([1000.0]), numtorch.tensor([1000.0]))\n"
    "tensor([1000.6932])",
)
logaddexp2 = _binary_fn(
    Logaddexp2,
    "logaddexp2",
    "``log2(2 ** input + 2 ** other)`` without overflow.\n\n"
    ">>> numtorch.logaddexp2(numtorch.tensor([3.0]), numtorch.tensor([3.0]))\ntensor([4.])",
)
special_xlog1py = _binary_fn(Xlog1py, "special_xlog1py", "``x * log1p(y)``, 0 where x is 0.")
special_zeta = _binary_fn(SpecialZeta, "special_zeta", "The Hurwitz zeta function.")
igamma = _binary_fn(
    Igamma,
    "igamma",
    "The regularized lower incomplete gamma function P(input, other).\n\n"
    ">>> numtorch.igamma(numtorch.tensor([1.0]), numtorch.tensor([1.0]))\ntensor([0.6321])",
)
igammac = _binary_fn(
    Igammac,
    "igammac",
    "The regularized upper incomplete gamma function Q(input, other).\n\n"
    ">>> numtorch.igammac(numtorch.tensor([1.0]), numtorch.tensor([1.0]))\ntensor([0.3679])",
)
for _fn, _name in [(logaddexp, "logaddexp"), (logaddexp2, "logaddexp2"), (igamma, "igamma"),
                   (igammac, "igammac")]:  # fmt: skip
    _attach(_fn, _name, inplace=_name.startswith("igamma"))


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (integers give floats).

    >>> numtorch.copysign(numtorch.tensor([1.0, 2.0]), -1)
    tensor([-1., -2.])
    """
    check_out(out, "copysign", input, other)
    if isinstance(other, Tensor):
        result = Copysign.apply(input, other)
    elif isinstance(other, (int, float)):
        result = Copysign1.apply(input, other)
    else:
        result = Copysign.apply(input, to_tensor(other))
    return write_out(out, result) if out is not None else result


def ldexp(input, other, *, out=None):
    """``input * 2 ** other``.

    >>> numtorch.ldexp(numtorch.tensor([1.0]), numtorch.tensor([3]))
    tensor([8.])
    """
    input, other = _tensor_pair(input, other)
    check_out(out, "ldexp", input, other)
    result = Ldexp.apply(input, other)
    return write_out(out, result) if out is not None else result


_attach(copysign, "copysign")
_attach(ldexp, "ldexp")


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))`` without overflow.

    >>> numtorch.logcumsumexp(numtorch.tensor([0.0, 0.0]), 0)
    tensor([0.0000, 0.6931])
    """
    check_out(out, "logcumsumexp", input)
    dim = wrap_dim(dim, input.dim())
    result = Logcumsumexp.apply(input, dim)
    return write_out(out, result) if out is not None else result


setattr(Tensor, "logcumsumexp", logcumsumexp)  # noqa: B010


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast).

    >>> numtorch.dist(numtorch.tensor([0.0, 0.0]), numtorch.tensor([3.0, 4.0]))
    tensor(5.)
    """
    if not isinstance(other, Tensor):
        raise TypeError(
            f"dist(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    return Dist.apply(input, other, float(p))


setattr(Tensor, "dist", dist)  # noqa: B010


__all__ = [
    "copysign",
    "deg2rad",
    "digamma",
    "dist",
    "i0",
    "igamma",
    "igammac",
    "ldexp",
    "lgamma",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "mvlgamma",
    "polygamma",
    "rad2deg",
    "sinc",
]


# -- matrix exponential --------------------------------------------------------------------------

_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)  # fmt: skip
_THETA13 = 5.371920351148152


def _expm(a):
    """exp of a batch of square matrices: Higham's scaling and squaring with the [13/13] Pade
    approximant, each matrix scaled by its own power of two."""
    wide = a.astype(xp.complex128 if a.dtype.kind == "c" else xp.float64)
    n = wide.shape[-1]
    if wide.size == 0:
        return wide
    norm = xp.abs(wide).sum(-2).max(-1)
    with xp.errstate(divide="ignore"):
        s = xp.maximum(0, xp.ceil(xp.log2(norm / _THETA13))).astype(xp.int64)
    s = xp.where(xp.isfinite(norm), s, 0)
    a_ = wide / (2.0**s)[..., None, None]
    b = _PADE13
    eye = xp.broadcast_to(xp.eye(n, dtype=wide.dtype), wide.shape)
    a2 = a_ @ a_
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a_ @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2
              + b[1] * eye)  # fmt: skip
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = xp.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        r = xp.where((k < s)[..., None, None], r @ r, r)
    return r


class LinalgMatrixExp(Op):
    @staticmethod
    def forward(ctx, a):
        if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
            raise RuntimeError(
                "linalg.matrix_exp: A must be batches of square matrices, but they are "
                f"{a.shape[-2] if a.ndim >= 2 else 1} by {a.shape[-1] if a.ndim else 1} matrices"
            )
        if a.dtype.kind not in "fc":
            raise RuntimeError(
                f"linalg.matrix_exp: Expected a floating point or complex tensor as input. "
                f"Got {_short(a.dtype)}"
            )
        ctx.save_for_backward(a)
        return _expm(a).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        from .shape import cat

        (a,) = ctx.saved_tensors
        # the Frechet derivative's adjoint: the upper-right block of exp([[A^H, G], [0, A^H]])
        n = a.shape[-1]
        ah = a.mH if hasattr(a, "mH") else a.transpose(-2, -1).conj()
        zero = ah * 0
        top = cat([ah, grad], -1)
        bottom = cat([zero, ah], -1)
        big = LinalgMatrixExp.apply(cat([top, bottom], -2))
        return big[..., :n, n:]


def matrix_exp(input):
    """The matrix exponential of each square matrix in the batch.

    >>> numtorch.matrix_exp(numtorch.zeros(2, 2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    return LinalgMatrixExp.apply(input)


setattr(Tensor, "matrix_exp", matrix_exp)  # noqa: B010
__all__.append("matrix_exp")
