"""numtorch.special: PyTorch's special functions (SciPy-free kernels in ``ops/special.py``).

>>> numtorch.special.gammaln(numtorch.tensor([4.0]))
tensor([1.7918])
"""

from __future__ import annotations

from ..ops import special as _s
from ..ops.elementwise import erf, erfc, erfinv, exp2, expm1, log1p, sigmoid, xlogy
from ..ops.special import digamma, i0, lgamma, mvlgamma, polygamma, sinc

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc",
    "softmax", "xlog1py", "xlogy", "zeta",
]  # fmt: skip

expit = sigmoid
gammaln = lgamma
psi = digamma
i0e = _s.special_i0e
i1 = _s.special_i1
i1e = _s.special_i1e
erfcx = _s.special_erfcx
ndtri = _s.special_ndtri
log_ndtr = _s.special_log_ndtr
entr = _s.special_entr
gammainc = _s.igamma
gammaincc = _s.igammac
_ = (erf, erfc, erfinv, exp2, expm1, log1p, xlogy, i0, sinc, polygamma)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function (``torch.mvlgamma``).

    >>> numtorch.special.multigammaln(numtorch.tensor([2.5]), 2)
    tensor([0.8570])
    """
    return mvlgamma(input, p, out=out)


def ndtr(input, *, out=None):
    """The standard normal CDF, ``(1 + erf(x / sqrt(2))) / 2``.

    >>> numtorch.special.ndtr(numtorch.tensor([0.0]))
    tensor([0.5000])
    """
    result = (1 + erf(input * 0.7071067811865476)) * 0.5
    return _finish(result, out)


def _finish(result, out):
    if out is None:
        return result
    from ..ops._common import write_out

    return write_out(out, result)


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where ``input`` is 0.

    >>> numtorch.special.xlog1py(numtorch.tensor([0.0, 2.0]), numtorch.tensor([-1.0, 0.0]))
    tensor([0., 0.])
    """
    return _s.special_xlog1py(input, other, out=out)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ``sum_k (k + other) ** -input``.

    >>> numtorch.special.zeta(numtorch.tensor([2.0]), numtorch.tensor([1.0]))
    tensor([1.6449])
    """
    return _s.special_zeta(input, other, out=out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))`` without overflow.

    >>> numtorch.special.logsumexp(numtorch.tensor([0.0, 0.0]), 0)
    tensor(0.6931)
    """
    import numtorch

    return numtorch.logsumexp(input, dim, keepdim, out=out)


def softmax(input, dim, *, dtype=None):
    """Softmax along ``dim``.

    >>> numtorch.special.softmax(numtorch.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    import numtorch

    return numtorch.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """Log-softmax along ``dim``.

    >>> numtorch.special.log_softmax(numtorch.tensor([0.0, 0.0]), 0)
    tensor([-0.6931, -0.6931])
    """
    import numtorch

    return numtorch.log_softmax(input, dim, dtype=dtype)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``, ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given.

    >>> numtorch.special.logit(numtorch.tensor([0.5]))
    tensor([0.])
    """
    import numtorch

    return numtorch.logit(input, eps, out=out)


def round(input, *, decimals=0, out=None):
    """Rounds half to even (``decimals`` places).

    >>> numtorch.special.round(numtorch.tensor([2.5]))
    tensor([2.])
    """
    import numtorch

    return numtorch.round(input, decimals=decimals, out=out)
