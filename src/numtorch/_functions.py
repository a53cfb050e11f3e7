"""Top-level torch functions gathered from the op families: the ``torch.conv2d`` / ``torch.dropout``
forms of ``nn.functional`` (with ATen's positional signatures and integer reductions), the special
functions of ``ops/special.py``, and composite math (diff, trapezoid, cov, histogram ...)."""

from __future__ import annotations

import builtins
import itertools

from . import _dtype
from ._tensor import Tensor
from .ops import special as _special
from .ops._common import tensor_method, to_tensor, wrap_dim, xp
from .ops.special import (
    copysign,
    deg2rad,
    digamma,
    dist,
    i0,
    igamma,
    igammac,
    ldexp,
    lgamma,
    logaddexp,
    logaddexp2,
    logcumsumexp,
    matrix_exp,
    mvlgamma,
    polygamma,
    rad2deg,
    sinc,
)
from .return_types import _structseq

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _F():
    from .nn import functional

    return functional


def _nt():
    import numtorch

    return numtorch


# The schemas say ``int reduction=Mean``, but torch's Python binding reads that default as 0:
# ``torch.kl_div(a, b)`` is unreduced. The defaults below follow what torch does.
def _reduction(reduction) -> str:
    if isinstance(reduction, str):
        return reduction
    try:
        return _REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


# -- nn.functional at the top level, with ATen's signatures ---------------------------------------


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (``nn.functional.conv1d``).

    >>> numtorch.conv1d(numtorch.ones(1, 1, 4), numtorch.ones(1, 1, 2))
    tensor([[[2., 2., 2.]]])
    """
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (``nn.functional.conv2d``).

    >>> numtorch.conv2d(numtorch.ones(1, 1, 2, 2), numtorch.ones(1, 1, 2, 2))
    tensor([[[[4.]]]])
    """
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (``nn.functional.conv3d``).

    >>> numtorch.conv3d(numtorch.ones(1, 1, 1, 2, 2), numtorch.ones(1, 1, 1, 2, 2)).shape
    numtorch.Size([1, 1, 1, 1, 1])
    """
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution (``nn.functional.conv_transpose1d``).

    >>> numtorch.conv_transpose1d(numtorch.ones(1, 1, 2), numtorch.ones(1, 1, 2))
    tensor([[[1., 2., 1.]]])
    """
    return _F().conv_transpose1d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution (``nn.functional.conv_transpose2d``).

    >>> numtorch.conv_transpose2d(numtorch.ones(1, 1, 1, 1), numtorch.ones(1, 1, 2, 2)).shape
    numtorch.Size([1, 1, 2, 2])
    """
    return _F().conv_transpose2d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """3-D transposed convolution (``nn.functional.conv_transpose3d``).

    >>> numtorch.conv_transpose3d(numtorch.ones(1, 1, 1, 1, 1), numtorch.ones(1, 1, 1, 2, 2)).shape
    numtorch.Size([1, 1, 1, 2, 2])
    """
    return _F().conv_transpose3d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def _stride(stride):
    # ATen's default stride=[] means "the kernel size", which is F's stride=None
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        return None
    return stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """1-D max pooling; the values only (``max_pool1d_with_indices`` adds the indices).

    >>> numtorch.max_pool1d(numtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
    tensor([[3., 2.]])
    """
    return _F().max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """1-D max pooling: ``(values, indices)``.

    >>> numtorch.max_pool1d_with_indices(numtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[1]
    tensor([[1, 2]])
    """
    return _F().max_pool1d(
        input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True
    )


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling (values only).

    >>> numtorch.max_pool2d(numtorch.arange(16.0).view(1, 4, 4), 2)
    tensor([[[ 5.,  7.],
             [13., 15.]]])
    """
    return _F().max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """3-D max pooling (values only).

    >>> numtorch.max_pool3d(numtorch.arange(8.0).view(1, 2, 2, 2), 2)
    tensor([[[[7.]]]])
    """
    return _F().max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling.

    >>> numtorch.avg_pool1d(numtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
    tensor([[2., 1.]])
    """
    return _F().avg_pool1d(
        input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad
    )


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling.

    >>> numtorch.adaptive_avg_pool1d(numtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 1)
    tensor([[1.5000]])
    """
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """1-D adaptive max pooling: always ``(values, indices)``, as ``torch.adaptive_max_pool1d``.

    >>> numtorch.adaptive_max_pool1d(numtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 1)[0]
    tensor([[3.]])
    """
    return _F().adaptive_max_pool1d(input, output_size, return_indices=True)


def dropout(input, p, train):
    """Dropout with ATen's positional ``(input, p, train)``.

    >>> numtorch.dropout(numtorch.ones(3), 0.5, False)
    tensor([1., 1., 1.])
    """
    return _F().dropout(input, p, train)


def dropout_(input, p, train):
    """In-place ``dropout``."""
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    """Alpha dropout (keeps SELU's mean and variance).

    >>> numtorch.alpha_dropout(numtorch.ones(2), 0.5, False)
    tensor([1., 1.])
    """
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input, p, train):
    """In-place ``alpha_dropout``."""
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout(input, p, train):
    """Alpha dropout of whole channels.

    >>> numtorch.feature_alpha_dropout(numtorch.ones(1, 2, 2), 0.5, False)
    tensor([[[1., 1.],
             [1., 1.]]])
    """
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p, train):
    """In-place ``feature_alpha_dropout``."""
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


def batch_norm(
    input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled
):
    """Batch normalization with ATen's argument order (weight and bias first).

    >>> numtorch.batch_norm(numtorch.tensor([[1.0], [3.0]]), None, None, None, None,
    ...                     True, 0.1, 1e-5, False)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled
):
    """Instance normalization with ATen's argument order.

    >>> numtorch.instance_norm(numtorch.tensor([[[1.0, 3.0]]]), None, None, None, None,
    ...                        True, 0.1, 1e-5, False)
    tensor([[[-1.0000,  1.0000]]])
    """
    return _F().instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """Layer normalization over the trailing ``normalized_shape``.

    >>> numtorch.layer_norm(numtorch.tensor([[1.0, 3.0]]), [2])
    tensor([[-1.0000,  1.0000]])
    """
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """Group normalization.

    >>> numtorch.group_norm(numtorch.tensor([[1.0, 3.0]]), 1)
    tensor([[-1.0000,  1.0000]])
    """
    return _F().group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """RMS normalization over the trailing ``normalized_shape``.

    >>> numtorch.rms_norm(numtorch.tensor([[3.0, 4.0]]), [2])
    tensor([[0.8485, 1.1314]])
    """
    return _F().rms_norm(input, normalized_shape, weight, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (note ATen's order: weight first); a negative ``padding_idx`` is none.

    >>> numtorch.embedding(numtorch.eye(3), numtorch.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    pad = padding_idx if padding_idx >= 0 else None
    return _F().embedding(
        indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )


def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r).

    >>> numtorch.pixel_shuffle(numtorch.arange(4.0).view(1, 4, 1, 1), 2).shape
    numtorch.Size([1, 1, 2, 2])
    """
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    """The inverse of ``pixel_shuffle``.

    >>> numtorch.pixel_unshuffle(numtorch.arange(4.0).view(1, 1, 2, 2), 2).shape
    numtorch.Size([1, 4, 1, 1])
    """
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input, groups):
    """Interleaves the channels of ``groups`` groups (ShuffleNet).

    >>> numtorch.channel_shuffle(numtorch.arange(4.0).view(1, 4, 1), 2).flatten()
    tensor([0., 2., 1., 3.])
    """
    if input.dim() <= 2:
        raise RuntimeError(
            "channel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"sizes {list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")  # fmt: skip
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = tuple(input.shape[2:])
    out = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return out.reshape(n, c, *rest)


def bilinear(input1, input2, weight, bias=None):
    """``x1^T W x2 + b`` per output feature.

    >>> numtorch.bilinear(numtorch.ones(1, 2), numtorch.ones(1, 2), numtorch.ones(1, 2, 2))
    tensor([[4.]])
    """
    return _F().bilinear(input1, input2, weight, bias)


def prelu(input, weight):
    """``max(0, x) + weight * min(0, x)``.

    >>> numtorch.prelu(numtorch.tensor([-2.0, 1.0]), numtorch.tensor([0.25]))
    tensor([-0.5000,  1.0000])
    """
    return _F().prelu(input, weight)


def selu(input):
    """SELU activation.

    >>> numtorch.selu(numtorch.tensor([0.0]))
    tensor([0.])
    """
    return _F().selu(input)


def celu(input, alpha=1.0):
    """CELU activation.

    >>> numtorch.celu(numtorch.tensor([1.0]))
    tensor([1.])
    """
    return _F().celu(input, alpha)


def rrelu(input, lower=0.125, upper=1.0 / 3.0, training=False, generator=None):
    """Randomized leaky ReLU (the mean slope when not training).

    >>> numtorch.rrelu(numtorch.tensor([1.0]))
    tensor([1.])
    """
    return _F().rrelu(input, lower, upper, training)


def threshold(input, threshold, value):
    """``value`` where ``input <= threshold``, ``input`` elsewhere.

    >>> numtorch.threshold(numtorch.tensor([0.5, 2.0]), 1.0, 0.0)
    tensor([0., 2.])
    """
    return _F().threshold(input, threshold, value)


def hardshrink(input, lambd=0.5):
    """0 where ``|input| <= lambd``.

    >>> numtorch.hardshrink(numtorch.tensor([0.3, 1.0]))
    tensor([0., 1.])
    """
    return _F().hardshrink(input, lambd)


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    >>> numtorch.cosine_similarity(numtorch.tensor([[1.0, 0.0]]), numtorch.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    """``||x1 - x2 + eps||_p`` along the last dimension.

    >>> numtorch.pairwise_distance(numtorch.tensor([[0.0, 0.0]]), numtorch.tensor([[3.0, 4.0]]))
    tensor([5.0000])
    """
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input, p=2.0):
    """The ``p``-norm distances between the rows of a 2-D input, upper triangle, row by row.

    >>> numtorch.pdist(numtorch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
    tensor([5.0000, 1.0000, 4.2426])
    """
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    nt = _nt()
    n = input.shape[0]
    rows, cols = nt.triu_indices(n, n, 1)
    diff = input[rows] - input[cols]
    return nt.linalg.vector_norm(diff, p, dim=-1)


def kl_div(input, target, reduction=0, *, log_target=False):
    """KL divergence with ATen's integer ``reduction`` (0 none, 1 mean, 2 sum).

    >>> numtorch.kl_div(numtorch.tensor([0.0]), numtorch.tensor([1.0]))
    tensor([0.])
    """
    return _F().kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """Binary cross entropy on logits (``reduction``: 0 none, 1 mean, 2 sum).

    >>> numtorch.binary_cross_entropy_with_logits(numtorch.tensor([0.0]), numtorch.tensor([1.0]))
    tensor([0.6931])
    """
    return _F().binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight
    )


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """Cosine embedding loss (``reduction``: 0 none, 1 mean, 2 sum).

    >>> numtorch.cosine_embedding_loss(numtorch.tensor([[1.0, 0.0]]),
    ...                                numtorch.tensor([[1.0, 0.0]]), numtorch.tensor([1]))
    tensor([0.])
    """
    return _F().cosine_embedding_loss(
        input1, input2, target, margin, reduction=_reduction(reduction)
    )


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """``max(0, -target * (input1 - input2) + margin)``, reduced.

    >>> numtorch.margin_ranking_loss(numtorch.tensor([1.0]), numtorch.tensor([2.0]),
    ...                              numtorch.tensor([1.0]))
    tensor([1.])
    """
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def triplet_margin_loss(
    anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0
):
    """Triplet margin loss (``reduction``: 0 none, 1 mean, 2 sum).

    >>> a = numtorch.tensor([[0.0, 0.0]])
    >>> numtorch.triplet_margin_loss(a, a, a + 3.0)
    tensor([0.])
    """
    return _F().triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction)
    )


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """Hinge embedding loss (``reduction``: 0 none, 1 mean, 2 sum).

    >>> numtorch.hinge_embedding_loss(numtorch.tensor([0.3]), numtorch.tensor([-1.0]))
    tensor([0.7000])
    """
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """Poisson negative log likelihood; every argument positional, as ATen's.

    >>> numtorch.poisson_nll_loss(numtorch.tensor([0.0]), numtorch.tensor([1.0]),
    ...                           True, False, 1e-8, 1)
    tensor(1.)
    """
    return _F().poisson_nll_loss(
        input, target, log_input, full, eps=eps, reduction=_reduction(reduction)
    )


def ctc_loss(
    log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False
):
    """Connectionist temporal classification loss (``reduction``: 0 none, 1 mean, 2 sum).

    >>> lp = numtorch.zeros(2, 1, 2).log_softmax(2)
    >>> numtorch.ctc_loss(lp, numtorch.tensor([[1]]), [2], [1], 0, 1)
    tensor(0.2877)
    """
    return _F().ctc_loss(
        log_probs,
        targets,
        input_lengths,
        target_lengths,
        blank,
        reduction=_reduction(reduction),
        zero_infinity=zero_infinity,
    )


# -- elementwise math that composes existing ops --------------------------------------------------


def _short(t) -> str:
    return _special._short(t._data.dtype)


def heaviside(input, values, *, out=None):
    """The Heaviside step: 0 below 0, ``values`` at 0, 1 above.

    >>> numtorch.heaviside(numtorch.tensor([-1.0, 0.0, 2.0]), numtorch.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input._data.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.requires_grad or values.requires_grad:
        from .autograd.grad_mode import STATE

        if STATE.grad_enabled:
            raise RuntimeError("derivative for aten::heaviside is not implemented")
    x, v = input._data, values._data
    data = xp.where(x == 0, v, (x > 0).astype(x.dtype))
    data = xp.where(xp.isnan(x), x, data).astype(x.dtype, copy=False)
    return _out(to_tensor(xp.ascontiguousarray(data)), out)


def _out(result, out):
    if out is None:
        return result
    from .ops._common import write_out

    return write_out(out, result)


frexp_type = _structseq("frexp", ("mantissa", "exponent"))
histogram_type = _structseq("histogram", ("hist", "bin_edges"))


def frexp(input, *, out=None):
    """Mantissa in [0.5, 1) and int32 exponent, ``input = mantissa * 2 ** exponent``.

    >>> numtorch.frexp(numtorch.tensor([3.0])).exponent
    tensor([2], dtype=numtorch.int32)
    """
    if not input.is_floating_point():
        raise RuntimeError(
            "torch.frexp() only supports floating-point dtypes, but got " + _type_name(input)
        )
    m, e = xp.frexp(input._data)
    result = frexp_type((to_tensor(m), to_tensor(e.astype(xp.int32))))
    if out is not None:
        from .ops._common import write_out

        write_out(out[0], result[0])
        write_out(out[1], result[1])
        return frexp_type(tuple(out))
    return result


def _type_name(t) -> str:
    return {
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }.get(str(t.dtype).split(".")[-1], str(t.dtype))


def float_power(input, exponent, *, out=None):
    """``input ** exponent`` in double precision (complex128 for complex operands).

    >>> numtorch.float_power(numtorch.tensor([2]), 3)
    tensor([8.], dtype=numtorch.float64)
    """
    nt = _nt()
    complex_ = (isinstance(input, Tensor) and input.is_complex()) or (
        isinstance(exponent, Tensor) and exponent.is_complex()
    )
    complex_ = complex_ or isinstance(input, complex) or isinstance(exponent, complex)
    dt = nt.complex128 if complex_ else nt.float64
    base = input.to(dt) if isinstance(input, Tensor) else input
    exp_ = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    if not isinstance(base, Tensor):
        result = nt.pow(base, exp_)
    else:
        result = base.pow(exp_)
    return _out(result, out)


def nextafter(input, other, *, out=None):
    """The next float after ``input`` toward ``other``.

    >>> numtorch.nextafter(numtorch.tensor([1.0]), numtorch.tensor([2.0])) - 1
    tensor([1.1921e-07])
    """
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_type_word(input)} but found {_type_word(other)}"
        )
    return _out(to_tensor(xp.ascontiguousarray(xp.nextafter(input._data, other._data))), out)


def _type_word(t) -> str:
    return {"float32": "Float", "float64": "Double"}.get(str(t.dtype).split(".")[-1], _type_name(t))


def _int_binary(name, ufunc):
    def fn(input, other, *, out=None):
        a = input._data
        b = other._data if isinstance(other, Tensor) else xp.asarray(other)
        from ._dtype import binary_result_np

        result = binary_result_np(a, b)
        if result.kind not in "iu":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_special._short(result)}'"
            )
        data = ufunc(a, b).astype(result, copy=False)
        return _out(to_tensor(xp.ascontiguousarray(data)), out)

    fn.__name__ = fn.__qualname__ = name
    return fn


gcd = _int_binary("gcd", xp.gcd)
gcd.__doc__ = """The greatest common divisor, elementwise (integer tensors).

>>> numtorch.gcd(numtorch.tensor([12, -18]), numtorch.tensor([8, 12]))
tensor([4, 6])
"""
lcm = _int_binary("lcm", xp.lcm)
lcm.__doc__ = """The least common multiple, elementwise (integer tensors).

>>> numtorch.lcm(numtorch.tensor([4, 6]), numtorch.tensor([6, 4]))
tensor([12, 12])
"""


# -- differences, integrals, statistics ---------------------------------------------------------


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (bool tensors: ``!=``).

    >>> numtorch.diff(numtorch.tensor([1, 3, 6]))
    tensor([2, 3])
    """
    nt = _nt()
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, input.dim())
    parts = [t for t in (prepend, input, append) if t is not None]
    if len(parts) > 1:
        input = nt.cat(parts, dim)
    for _ in range(n):
        length = input.shape[dim]
        if length == 0:
            break
        hi = input.narrow(dim, 1, length - 1)
        lo = input.narrow(dim, 0, length - 1)
        input = hi.logical_xor(lo) if input.dtype == nt.bool else hi - lo
    return input


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule along ``dim``, with sample points ``x`` or spacing ``dx``.

    >>> numtorch.trapezoid(numtorch.tensor([1.0, 2.0, 3.0]))
    tensor(4.)
    """
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments")
    dim = wrap_dim(dim, y.dim())
    n = y.shape[dim]
    if n == 0:
        return y.sum(dim) * 0
    lo, hi = y.narrow(dim, 0, n - 1), y.narrow(dim, 1, n - 1)
    if isinstance(x, Tensor):
        if x.dim() == 1:
            dxs = x[1:] - x[:-1]
            shape = [1] * y.dim()
            shape[dim] = dxs.shape[0]
            dxs = dxs.view(shape)
        else:
            xd = dim if x.dim() == y.dim() else dim - (y.dim() - x.dim())
            m = x.shape[xd]
            dxs = x.narrow(xd, 1, m - 1) - x.narrow(xd, 0, m - 1)
        return ((lo + hi) * dxs).sum(dim) / 2
    step = 1 if dx is None and x is None else (x if dx is None else dx)
    return (lo + hi).sum(dim) * (step / 2)


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid`.

    >>> numtorch.trapz(numtorch.tensor([1.0, 2.0, 3.0]))
    tensor(4.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid integral along ``dim`` (one element shorter).

    >>> numtorch.cumulative_trapezoid(numtorch.tensor([1.0, 2.0, 3.0]))
    tensor([1.5000, 4.0000])
    """
    dim = wrap_dim(dim, y.dim())
    n = y.shape[dim]
    if n == 0:
        return y.narrow(dim, 0, 0) * 1.0
    lo, hi = y.narrow(dim, 0, n - 1), y.narrow(dim, 1, n - 1)
    if isinstance(x, Tensor):
        if x.dim() == 1:
            dxs = x[1:] - x[:-1]
            shape = [1] * y.dim()
            shape[dim] = dxs.shape[0]
            dxs = dxs.view(shape)
        else:
            xd = dim if x.dim() == y.dim() else dim - (y.dim() - x.dim())
            m = x.shape[xd]
            dxs = x.narrow(xd, 1, m - 1) - x.narrow(xd, 0, m - 1)
        return ((lo + hi) * dxs / 2).cumsum(dim)
    step = 1 if dx is None and x is None else (x if dx is None else dx)
    return ((lo + hi) * (step / 2)).cumsum(dim)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input``.

    >>> numtorch.cov(numtorch.tensor([[1.0, 2.0, 4.0], [0.0, 3.0, 1.0]]))
    tensor([[2.3333, 0.3333],
            [0.3333, 2.3333]])
    """
    nt = _nt()
    if input.dim() > 2:
        raise RuntimeError(
            f"cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.dim()} dimensions"
        )
    x = input if input.dim() == 2 else input.view(1, -1)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(_dtype.get_default_dtype())
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        w_sum = nt.tensor(float(n_obs), dtype=x.dtype if x.is_floating_point() else None)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is None or correction == 0:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    norm = norm.clamp(min=0)
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw.mm(xm.t().conj()) / norm
    return c.squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1].

    >>> numtorch.corrcoef(numtorch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    if input.dim() > 2:
        raise RuntimeError(
            f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
            f"{input.dim()} dimensions"
        )
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    stddev = d.real.sqrt() if c.is_complex() else d.sqrt()
    c = c / stddev.unsqueeze(1)
    c = c / stddev.unsqueeze(0)
    if c.is_complex():
        return c
    return c.clip(-1, 1)


@tensor_method()
def renorm(input, p, dim, maxnorm):
    """Rescales each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` down to it.

    >>> numtorch.renorm(numtorch.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    nt = _nt()
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = wrap_dim(dim, input.dim())
    others = tuple(d for d in range(input.dim()) if d != dim)
    norms = nt.linalg.vector_norm(input, p, dim=others, keepdim=True) if others else input.abs()
    # ATen's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, 1 elsewhere;
    # computed without a gradient through the comparison
    factor = nt.where(norms > maxnorm, maxnorm / (norms + 1e-7), nt.ones_like(norms))
    return input * factor


def _renorm_(self, p, dim, maxnorm):
    return self._inplace(renorm, p, dim, maxnorm)


setattr(Tensor, "renorm_", _renorm_)  # noqa: B010


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number).

    >>> numtorch.isin(numtorch.tensor([1, 2, 3]), numtorch.tensor([2, 5]))
    tensor([False,  True, False])
    """
    a = elements._data if isinstance(elements, Tensor) else xp.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    data = xp.isin(a, b, assume_unique=assume_unique, invert=invert)
    return to_tensor(xp.asarray(data))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):  # fmt: skip
    """Indices where ``input`` would be inserted into the (last dimension of) sorted sequence.

    >>> numtorch.searchsorted(numtorch.tensor([1, 3, 5, 7]), numtorch.tensor([3, 6]))
    tensor([1, 3])
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    how = "right" if right else "left"
    if seq.ndim <= 1:
        data = xp.searchsorted(seq, vals, side=how)
    else:
        if vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
            )
        flat_s = seq.reshape(-1, seq.shape[-1])
        flat_v = vals.reshape(-1, vals.shape[-1])
        data = xp.stack(
            [xp.searchsorted(s, v, side=how) for s, v in zip(flat_s, flat_v, strict=True)]
        ).reshape(vals.shape)
    data = xp.asarray(data, dtype=xp.int32 if out_int32 else xp.int64)
    return _out(to_tensor(data), out)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket index of each element of ``input`` among 1-D ``boundaries``.

    >>> numtorch.bucketize(numtorch.tensor([1, 5, 9]), numtorch.tensor([1, 3, 5, 7, 9]))
    tensor([0, 2, 4])
    """
    if boundaries.dim() != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """A histogram of ``input``: ``(hist, bin_edges)``; ``bins`` a count or the edges.

    >>> numtorch.histogram(numtorch.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0)).hist
    tensor([0., 2., 1., 0.])
    """
    data = input._data.ravel()
    w = None if weight is None else weight._data.ravel()
    if isinstance(bins, Tensor):
        edges = bins._data
    else:
        lo, hi = (float(data.min()), float(data.max())) if range is None and data.size else (
            range if range is not None else (0.0, 0.0)
        )  # fmt: skip
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = xp.linspace(lo, hi, bins + 1).astype(data.dtype)
    hist, _ = xp.histogram(data, bins=edges.astype(xp.float64), weights=w, density=density)
    return histogram_type(
        (to_tensor(hist.astype(input._data.dtype)), to_tensor(edges.astype(input._data.dtype)))
    )


def cartesian_prod(*tensors):
    """The Cartesian product of 1-D tensors, one row per combination.

    >>> numtorch.cartesian_prod(numtorch.tensor([1, 2]), numtorch.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    nt = _nt()
    if len(tensors) == 1:
        return tensors[0]
    grids = nt.meshgrid(*tensors, indexing="ij")
    return nt.stack([g.flatten() for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-D tensor's elements, one row each.

    >>> numtorch.combinations(numtorch.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    nt = _nt()
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return nt.empty(0, dtype=input.dtype)
    n = input.shape[0]
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(builtins.range(n), r))
    if not rows:
        return nt.empty(0, r, dtype=input.dtype) if r > 1 else nt.empty(0, dtype=input.dtype)
    idx = nt.tensor(rows, dtype=nt.int64)
    return nt.stack([input[idx[:, k]] for k in builtins.range(r)], 1)


def block_diag(*tensors):
    """A block-diagonal matrix of the given 0-, 1- or 2-D tensors.

    >>> numtorch.block_diag(numtorch.tensor([[1, 2]]), numtorch.tensor([[3]]))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    nt = _nt()
    mats = []
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                f"{t.dim()} dimensions"
            )
        mats.append(t.view(1, -1) if t.dim() < 2 else t)
    if not mats:
        return nt.empty(1, 0)
    dt = mats[0].dtype
    for m in mats[1:]:
        dt = nt.promote_types(dt, m.dtype)
    rows = builtins.sum(m.shape[0] for m in mats)
    cols = builtins.sum(m.shape[1] for m in mats)
    pieces = []
    c0 = 0
    for m in mats:
        m = m.to(dt)
        left = nt.zeros(m.shape[0], c0, dtype=dt)
        right = nt.zeros(m.shape[0], cols - c0 - m.shape[1], dtype=dt)
        pieces.append(nt.cat([left, m, right], 1))
        c0 += m.shape[1]
    if not pieces:
        return nt.zeros(rows, cols, dtype=dt)
    return nt.cat(pieces, 0)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix: columns ``x ** (N-1) ... x ** 0`` (reversed if ``increasing``).

    >>> numtorch.vander(numtorch.tensor([1, 2, 3]), N=3)
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    nt = _nt()
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = x.dtype if (x.is_floating_point() or x.is_complex()) else nt.int64
    if n == 0:
        return nt.empty(x.shape[0], 0, dtype=dt)
    cols = [nt.ones_like(x, dtype=dt)]
    for _ in builtins.range(n - 1):
        cols.append(cols[-1] * x.to(dt))
    out = nt.stack(cols, 1)
    return out if increasing else out.flip(1)


# -- small tensor utilities ----------------------------------------------------------------------


@tensor_method()
def ravel(input):
    """``input`` flattened to 1-D (a view when it can be).

    >>> numtorch.ravel(numtorch.tensor([[1, 2], [3, 4]]))
    tensor([1, 2, 3, 4])
    """
    return input.reshape(-1)


def detach(input):
    """``input.detach()``.

    >>> numtorch.detach(numtorch.ones(1, requires_grad=True)).requires_grad
    False
    """
    return input.detach()


def fill(input, value):
    """A new tensor like ``input`` filled with ``value`` (differentiable in ``value``).

    >>> numtorch.fill(numtorch.tensor([1, 2]), 5)
    tensor([5, 5])
    """
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value.dim()} dimensions."
            )
        return value.to(input.dtype).expand(input.shape).clone()
    return input.clone().detach().fill_(value).requires_grad_(False)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, pin_memory=None,
                  requires_grad=False):  # fmt: skip
    """A 0-d tensor of the number ``s``, in the default float dtype unless ``dtype`` says.

    >>> numtorch.scalar_tensor(3)
    tensor(3.)
    """
    nt = _nt()
    dt = dtype if dtype is not None else _dtype.get_default_dtype()
    if isinstance(s, complex) and dtype is None:
        dt = nt.complex64 if dt == nt.float32 else nt.complex128
    return nt.tensor(s, dtype=dt, requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):  # fmt: skip
    """An uninitialized tensor with the given size and strides.

    >>> numtorch.empty_strided((2, 3), (1, 2)).stride()
    (1, 2)
    """
    nt = _nt()
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    extent = 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if any(n == 0 for n in size):
        extent = 0
    base = nt.zeros(extent, dtype=dtype)
    out = base.as_strided(size, stride)
    return out.requires_grad_(requires_grad) if requires_grad else out


def is_nonzero(input) -> bool:
    """The truth value of a one-element tensor.

    >>> numtorch.is_nonzero(numtorch.tensor([1.5]))
    True
    """
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0] != 0)


def is_signed(input) -> bool:
    """Whether the dtype is signed.

    >>> numtorch.is_signed(numtorch.tensor([1], dtype=numtorch.uint8))
    False
    """
    return input.is_signed()


def is_same_size(input, other) -> bool:
    """Whether the shapes are equal.

    >>> numtorch.is_same_size(numtorch.ones(2), numtorch.ones(2))
    True
    """
    return tuple(input.shape) == tuple(other.shape)


def is_neg(input) -> bool:
    """Whether the tensor is a lazy negation view (never, in numtorch).

    >>> numtorch.is_neg(numtorch.ones(1))
    False
    """
    return False


def is_inference(input) -> bool:
    """Whether the tensor was made in inference mode (numtorch has no inference tensors).

    >>> numtorch.is_inference(numtorch.ones(1))
    False
    """
    return False


for _name, _fn in [("is_nonzero", is_nonzero), ("is_same_size", is_same_size),
                   ("is_neg", is_neg), ("is_inference", is_inference)]:  # fmt: skip
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)


def chain_matmul(*matrices, out=None):
    """The product of 2-D matrices (deprecated in torch for ``linalg.multi_dot``).

    >>> numtorch.chain_matmul(numtorch.eye(2), numtorch.ones(2, 1))
    tensor([[1.],
            [1.]])
    """
    import warnings

    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather "
        "than multiple parameters. (Triggered internally at /__w/pytorch/pytorch/aten/src/"
        "ATen/native/LinearAlgebra.cpp:1102.)",
        UserWarning,
        stacklevel=2,
    )
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return _out(matrices[0].clone(), out)
    result = matrices[0]
    for m in matrices[1:]:
        result = result.mm(m)
    return _out(result, out)


@tensor_method()
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``.

    >>> v = numtorch.tensor([1.0, 2.0]); w = numtorch.tensor([1.0, 3.0])
    >>> numtorch.addr(numtorch.zeros(2, 2), v, w)
    tensor([[1., 3.],
            [2., 6.]])
    """
    outer = vec1.outer(vec2)
    if alpha != 1:
        outer = outer * alpha
    if beta == 0:
        # beta = 0 ignores input (its NaNs included), keeping only its shape and dtype
        nt = _nt()
        shape = nt.broadcast_shapes(tuple(input.shape), tuple(outer.shape))
        dt = nt.promote_types(input.dtype, outer.dtype)
        return _out(outer.to(dt).expand(shape).clone(), out)
    result = (input if beta == 1 else input * beta) + outer
    return _out(result, out)


def _addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return self._inplace(addr, vec1, vec2, beta=beta, alpha=alpha)


setattr(Tensor, "addr_", _addr_)  # noqa: B010


def _inplace(fn, name):
    def method(self, *args, **kwargs):
        return self._inplace(fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: writes the result into ``self``."
    return method


for _fn in (heaviside, float_power, nextafter, gcd, lcm, diff, frexp, cov, corrcoef, isin):
    if _fn.__name__ not in ("isin", "frexp") or not hasattr(Tensor, _fn.__name__):
        setattr(Tensor, _fn.__name__, _fn)
for _fn in (heaviside, float_power, nextafter, gcd, lcm):
    setattr(Tensor, _fn.__name__ + "_", _inplace(_fn, _fn.__name__ + "_"))


def _top_inplace(name):
    def inplace(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"``input.{name}(...)`` as a function, as ``torch.{name}``."
    return inplace


gcd_ = _top_inplace("gcd_")
lcm_ = _top_inplace("lcm_")
ldexp_ = _top_inplace("ldexp_")
deg2rad_ = _top_inplace("deg2rad_")
rad2deg_ = _top_inplace("rad2deg_")
i0_ = _top_inplace("i0_")
sinc_ = _top_inplace("sinc_")


def _assert(condition, message):
    """``torch._assert``: ``assert`` as a function (what traced code calls).

    >>> numtorch._assert(True, "never shown")
    """
    if not condition:
        raise AssertionError(message)


def is_storage(obj) -> bool:
    """Whether ``obj`` is a storage (what ``untyped_storage()`` returns).

    >>> numtorch.is_storage(numtorch.ones(2).untyped_storage()), numtorch.is_storage(1)
    (True, False)
    """
    from ._tensor_extras import TypedStorage, UntypedStorage

    return isinstance(obj, (UntypedStorage, TypedStorage))


__all__ = [
    "_assert",
    "is_storage",
    # nn.functional at the top level
    "adaptive_avg_pool1d",
    "adaptive_max_pool1d",
    "alpha_dropout",
    "alpha_dropout_",
    "avg_pool1d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy_with_logits",
    "celu",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "ctc_loss",
    "dropout",
    "dropout_",
    "embedding",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "group_norm",
    "hardshrink",
    "hinge_embedding_loss",
    "instance_norm",
    "kl_div",
    "layer_norm",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool3d",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "rms_norm",
    "rrelu",
    "selu",
    "threshold",
    "triplet_margin_loss",
    # special functions and elementwise math
    "copysign",
    "deg2rad",
    "deg2rad_",
    "digamma",
    "dist",
    "float_power",
    "frexp",
    "gcd",
    "gcd_",
    "heaviside",
    "i0",
    "i0_",
    "igamma",
    "igammac",
    "lcm",
    "lcm_",
    "ldexp",
    "ldexp_",
    "lgamma",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "matrix_exp",
    "mvlgamma",
    "nextafter",
    "polygamma",
    "rad2deg",
    "rad2deg_",
    "sinc",
    "sinc_",
    # composites
    "addr",
    "block_diag",
    "bucketize",
    "cartesian_prod",
    "chain_matmul",
    "combinations",
    "corrcoef",
    "cov",
    "cumulative_trapezoid",
    "detach",
    "diff",
    "empty_strided",
    "fill",
    "histogram",
    "is_neg",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "isin",
    "ravel",
    "renorm",
    "scalar_tensor",
    "searchsorted",
    "trapezoid",
    "trapz",
    "vander",
]
