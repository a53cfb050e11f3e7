"""Elementwise ops: arithmetic with PyTorch's type promotion, unary math, comparisons."""

from __future__ import annotations

import builtins

from .. import _dtype
from .._dtype import binary_result_np
from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import (
    broadcast_error,
    check_out,
    float_array,
    tensor_method,
    to_tensor,
    write_out,
    xp,
)

_py_float, _py_int, _py_bool = builtins.float, builtins.int, builtins.bool


def _binary(ufunc, x, y, result):
    # "unsafe" casting: integer results wrap like PyTorch's (uint8 tensor + 0-d int8 is uint8)
    try:
        return ufunc(x, y, dtype=result, casting="unsafe")
    except ValueError:
        raise broadcast_error(x.shape, getattr(y, "shape", ())) from None
    except OverflowError:
        # a Python int beyond the dtype's range wraps as in PyTorch (uint8 + 1000 adds 232)
        if y.__class__ is _py_int:
            y = xp.asarray(y).astype(result)
        else:
            x = xp.asarray(x).astype(result)
        return ufunc(x, y, dtype=result, casting="unsafe")


_NUMBERS = (_py_int, _py_float, _py_bool, complex)


def _check_bool_sub(x, y) -> None:
    x_bool = x.dtype.kind == "b"
    y_bool = y.__class__ is _py_bool or (
        getattr(y, "dtype", None) is not None and y.dtype.kind == "b"
    )
    if x_bool and y_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if x_bool or y_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _scalar_operand(other):
    """Python numbers pass through; anything else array-like becomes a tensor."""
    if other.__class__ in (_py_float, _py_int, _py_bool, complex):
        return other
    if isinstance(other, Tensor):
        return other
    if hasattr(other, "dtype") and getattr(other, "ndim", 1) == 0:  # NumPy scalars
        return other.item()
    return to_tensor(other)


# -- arithmetic ---------------------------------------------------------------------------------


class Add(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        result = binary_result_np(x, y)
        if alpha != 1:
            y = y * alpha
        ctx.alpha = alpha
        return _binary(ctx.xp.add, x, y, result)

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha)


class Sub(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        _check_bool_sub(x, y)
        result = binary_result_np(x, y)
        if alpha != 1:
            y = y * alpha
        ctx.alpha = alpha
        return _binary(ctx.xp.subtract, x, y, result)

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.alpha == 1 else grad * -ctx.alpha


class Rsub(Op):
    """``torch.rsub(input, other, alpha)``: ``other - alpha * input``, both tensors."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        _check_bool_sub(x, y)
        result = binary_result_np(x, y)
        ctx.alpha = alpha
        return _binary(ctx.xp.subtract, y, x * alpha if alpha != 1 else x, result)

    @staticmethod
    def backward(ctx, grad):
        return (-grad if ctx.alpha == 1 else grad * -ctx.alpha), grad


class Rsub1(Op):
    """``number - tensor`` (PyTorch's rsub.Scalar, hence RsubBackward1)."""

    @staticmethod
    def forward(ctx, x, y):
        _check_bool_sub(x, y)
        return _binary(ctx.xp.subtract, y, x, binary_result_np(x, y))

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        out = _binary(ctx.xp.multiply, x, y, binary_result_np(x, y))
        needs = ctx.needs_input_grad
        if needs:
            if y.__class__ is ctx.xp.ndarray:
                # save only what backward reads: x's gradient needs y and y's needs x
                ctx.save_for_backward(y if needs[0] else None, x if needs[1] else None)
            else:
                ctx.save_for_backward(None, None)
                ctx.other = y  # a Python scalar costs no saved tensor
        return out

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        if y is None and x is None:
            other = ctx.other
            return grad * (other.conjugate() if other.__class__ is complex else other), None
        if grad._data.dtype.kind == "c":  # PyTorch's complex rule: grad * conj(other)
            y = y.conj() if y is not None else None
            x = x.conj() if x is not None else None
        return (grad * y if y is not None else None), (grad * x if x is not None else None)


def _true_div_dtype(x, y):
    result = binary_result_np(x, y)
    if result.kind in "biu":
        return _dtype.get_default_dtype()._np
    return result


class Div(Op):
    @staticmethod
    def forward(ctx, x, y):
        out = _binary(ctx.xp.true_divide, x, y, _true_div_dtype(x, y))
        needs = ctx.needs_input_grad
        if needs:
            if y.__class__ is ctx.xp.ndarray:
                ctx.save_for_backward(y, x if needs[1] else None)
            else:
                ctx.save_for_backward(None, None)
                ctx.other = y
        return out

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        if y is None:
            other = ctx.other
            return grad / (other.conjugate() if other.__class__ is complex else other), None
        if grad._data.dtype.kind == "c":  # PyTorch's complex rule: conjugated partials
            y = y.conj()
            x = x.conj() if x is not None else None
        gx = grad / y
        return gx, (-gx * x / y if x is not None else None)


class Div2(Op):
    """Division with ``rounding_mode`` 'trunc' or 'floor' (PyTorch's div.Tensor_mode): a step
    function, so its gradient is zero everywhere it exists."""

    @staticmethod
    def forward(ctx, x, y, rounding_mode):
        result = binary_result_np(x, y)
        if result.kind in "iu":
            if (ctx.xp.asarray(y) == 0).any():
                raise RuntimeError("ZeroDivisionError")
            if rounding_mode == "floor":
                return _binary(ctx.xp.floor_divide, x, y, result)
            quotient = _binary(ctx.xp.floor_divide, x, y, result)
            fix = (quotient < 0) & (quotient * y != x)
            return quotient + fix
        if rounding_mode == "floor":
            return _binary(ctx.xp.floor_divide, x, y, result)
        if rounding_mode == "trunc":
            return ctx.xp.trunc(_binary(ctx.xp.true_divide, x, y, result))
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, (grad * 0 if ctx.needs_input_grad[1] else None)


class Remainder(Op):
    """``tensor % number`` (PyTorch's remainder.Scalar): the gradient passes through."""

    ufunc = "remainder"

    @classmethod
    def forward(cls, ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "iu" and y == 0:
            raise RuntimeError("ZeroDivisionError")
        return _binary(getattr(ctx.xp, cls.ufunc), x, y, result)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Remainder1(Op):
    """``tensor % tensor`` (remainder.Tensor): x - floor(x / y) * y."""

    ufunc, rounding = "remainder", "floor"

    @classmethod
    def forward(cls, ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "iu" and (ctx.xp.asarray(y) == 0).any():
            raise RuntimeError("ZeroDivisionError")
        needs = ctx.needs_input_grad
        if needs and needs[1]:
            ctx.save_for_backward(x, y)
        return _binary(getattr(ctx.xp, cls.ufunc), x, y, result)

    @classmethod
    def backward(cls, ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        x, y = ctx.saved_tensors
        return grad, -grad * div(x, y, rounding_mode=cls.rounding)


class Pow(Op):
    """``tensor ** number``."""

    _holomorphic = True

    @staticmethod
    def forward(ctx, x, exponent):
        result = binary_result_np(x, exponent)
        if result.kind in "iu" and isinstance(exponent, _py_int) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        if exponent == 2:
            return ctx.xp.multiply(x, x, dtype=result)
        return _binary(ctx.xp.power, x, exponent, result)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return grad * 0
        if p == 2:
            return grad * (x * 2)
        return grad * (p * x ** (p - 1))


class Pow1(Op):
    """``tensor ** tensor``."""

    _holomorphic = True

    @staticmethod
    def forward(ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "iu" and (ctx.xp.asarray(y) < 0).any():
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _binary(ctx.xp.power, x, y, result)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = grad * y * x ** (y - 1) if needs[0] else None
        gy = None
        if needs[1]:
            # PyTorch's convention: d/dy x**y is 0 where x == 0 and y >= 0 (not nan)
            gy = grad * where((x == 0) & (y >= 0), 0.0, out * x.log())
        return gx, gy


class Pow2(Op):
    """``number ** tensor``."""

    _holomorphic = True

    @staticmethod
    def forward(ctx, x, base):
        out = _binary(ctx.xp.power, base, x, binary_result_np(x, base))
        ctx.save_for_backward(out)
        ctx.base = base
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        import math

        if ctx.base == 0:
            return grad * 0
        return grad * out * math.log(ctx.base)


# -- unary math ---------------------------------------------------------------------------------


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return ctx.xp.negative(x)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sign()  # abs'(0) is 0, as PyTorch


class Reciprocal(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.reciprocal(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -grad * out * out


class Exp(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.exp(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.sqrt(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (out * 2)


class Sin(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cos(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tanh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.tanh(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        x = float_array(x)
        if x.dtype.kind == "c":
            out = 1 / (1 + ctx.xp.exp(-x))
            ctx.save_for_backward(out)
            return out
        # exp of a large positive argument overflows; written this way it never does
        e = ctx.xp.exp(-ctx.xp.abs(x))
        out = ctx.xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


def _zero_where(values, mask):
    """``values`` with +0 where ``mask``, bit for bit elsewhere: ATen's select, where a
    multiply by the mask would turn an inf into NaN (floats: by an AND on the bits)."""
    if values.dtype.kind == "f":
        bits = values.view(f"i{values.dtype.itemsize}")
        keep = xp.subtract(mask.view(xp.int8), xp.int8(1))  # all ones where not masked
        return xp.bitwise_and(bits, keep, dtype=bits.dtype).view(values.dtype)
    return xp.where(mask, values.dtype.type(0), values)


_CHUNK = 1 << 18  # elements per maximum() call: the zeros it reads stay in cache
_chunk_zeros: dict = {}


def _zeros_chunk(dtype):
    """Zeros with which ``maximum(zeros, x)`` is ATen's ``clamp_min(x, 0)`` bit for bit, -0
    and NaN payloads of ``x`` kept (NumPy's SIMD max returns the second operand on ties and
    NaNs); None where this build's maximum differs for ``dtype``. Probed once per dtype, at
    every lane offset and tail length."""
    zeros = _chunk_zeros.get(dtype, False)
    if zeros is not False:
        return zeros
    special = xp.array([-0.0, xp.nan, -1.5, 0.0, xp.inf, 2.0, -xp.inf, 1e-30, -xp.nan], dtype)
    probe = xp.resize(special, 400)
    zeros = xp.zeros(_CHUNK, dtype)
    exact = all(
        xp.array_equal(
            xp.maximum(zeros[:n], probe[start : start + n]).view(f"u{dtype.itemsize}"),
            _zero_where(probe[start : start + n], probe[start : start + n] < 0).view(
                f"u{dtype.itemsize}"
            ),
        )
        for start in range(9)
        for n in (*range(1, 70), 257, 390)
    )
    zeros.flags.writeable = False
    _chunk_zeros[dtype] = zeros = zeros if exact else None
    return zeros


def _clamp_min_zero(x):
    """ATen's ``clamp_min(x, 0)`` for floats: -0 and NaN pass through. One SIMD pass where the
    probe allows, else a select on the bits (two passes more)."""
    zeros = _zeros_chunk(x.dtype) if x.flags.c_contiguous else None
    if zeros is None:
        return _zero_where(x, xp.less(x, 0))
    out = xp.empty_like(x)
    flat_x, flat_out = x.reshape(-1), out.reshape(-1)
    n = flat_x.size
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        xp.maximum(zeros[: stop - start], flat_x[start:stop], out=flat_out[start:stop])
    return out


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "f":
            out = _clamp_min_zero(x)
        else:
            out = ctx.xp.maximum(x, 0).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        # threshold_backward: 0 where out <= 0 (relu'(0) is 0), grad elsewhere, NaN included
        masked = out._data <= 0
        if grad.requires_grad:  # create_graph: stay differentiable in grad
            return grad * make(~masked)
        return make(_zero_where(grad._data, masked))


class Sign(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        return ctx.xp.sign(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Clamp(Op):
    """``clamp`` with number (or None) bounds: PyTorch's clamp (Scalar overload), hence
    ClampBackward1."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        out = x
        if low is not None:
            out = ctx.xp.maximum(out, low)
        if high is not None:
            out = ctx.xp.minimum(out, high)
        result = out.dtype if x.dtype.kind in "fc" else binary_result_np(x, low or high or 0)
        return out.astype(result, copy=out is x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        mask = None
        if ctx.low is not None:
            mask = x >= ctx.low
        if ctx.high is not None:
            upper = x <= ctx.high
            mask = upper if mask is None else mask & upper
        return grad * mask


class Clamp1(Op):
    """``clamp`` with tensor bounds: PyTorch's clamp.Tensor, hence ClampBackward0."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x, low, high)
        out = x
        if low is not None:
            out = ctx.xp.maximum(out, low)
        if high is not None:
            out = ctx.xp.minimum(out, high)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, low, high = ctx.saved_tensors
        keep = make(ctx.xp.ones(x.shape, bool))
        g_low = g_high = None
        if low is not None:
            below = x < low
            keep = keep & ~below
            # where low > high the output is high: the gradient goes to max, as PyTorch's
            g_low = grad * (below & (low < high) if high is not None else below)
        if high is not None:
            above = x > high
            keep = keep & ~above
            g_high = grad * (above | (high < low) if low is not None else above)
        return grad * keep, g_low, g_high


class ClampMin(Clamp):
    """``clamp_min(number)``: its own node in PyTorch, as are the three below."""

    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampMin1(Clamp1):
    node_name = "ClampMinBackward1"


class ClampMax1(Clamp1):
    node_name = "ClampMaxBackward1"


class Where(Op):
    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        result = binary_result_np(x, y) if hasattr(x, "dtype") else None
        if result is None:
            result = binary_result_np(y, x) if hasattr(y, "dtype") else _dtype.result_type(x, y)._np
        try:
            return ctx.xp.where(cond, x, y).astype(result, copy=False)
        except ValueError:
            raise broadcast_error(cond.shape, ctx.xp.broadcast(x, y).shape) from None

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        zero = grad * 0
        return None, where(cond, grad, zero), where(cond, zero, grad)


class ToCopy(Op):
    @staticmethod
    def forward(ctx, x, np_dtype):
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine casts it back to the input's dtype


class Clone(Op):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


# -- public functions and methods ------------------------------------------------------------


def _number_first(input, other):
    """``torch.add(2, t)``: a number as first argument becomes a 0-d tensor, of the dtype the
    result will have, so it keeps a number's low promotion priority (as PyTorch's wrapped
    numbers do)."""
    if not isinstance(input, Tensor):
        if isinstance(other, Tensor) and input.__class__ in _NUMBERS:
            return make(xp.asarray(input, dtype=_dtype.result_type(other, input)._np))
        input = to_tensor(input)
    return input


@tensor_method("add", "__add__")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> numtorch.add(numtorch.tensor([1, 2]), 2.5)
    tensor([3.5000, 4.5000])
    """
    if not isinstance(input, Tensor):
        input = _number_first(input, other)
    if other.__class__ is not Tensor and other.__class__ not in (_py_float, _py_int):
        other = _scalar_operand(other)
    if out is not None:
        check_out(out, "add", input, other)
        return write_out(out, Add.apply(input, other, alpha))
    return Add.apply(input, other, alpha)


@tensor_method("__radd__")
def _radd(self, other):
    return Add.apply(self, _scalar_operand(other))


@tensor_method("sub", "subtract", "__sub__")
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    input = _number_first(input, other)
    result = Sub.apply(input, _scalar_operand(other), alpha)
    return write_out(out, result) if out is not None else result


subtract = sub


@tensor_method("__rsub__")
def _rsub(self, other):
    other = _scalar_operand(other)
    if isinstance(other, Tensor):
        return Sub.apply(other, self)
    return Rsub1.apply(self, other)


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    other = _scalar_operand(other)
    if isinstance(other, Tensor):
        return Rsub.apply(input, other, alpha)
    return Rsub1.apply(input * alpha if alpha != 1 else input, other)


@tensor_method("mul", "multiply", "__mul__")
def mul(input, other, *, out=None):
    """Elementwise product with broadcasting.

    >>> numtorch.mul(numtorch.tensor([1., 2.]), 3)
    tensor([3., 6.])
    """
    if not isinstance(input, Tensor):
        input = _number_first(input, other)
    if other.__class__ is not Tensor and other.__class__ not in (_py_float, _py_int):
        other = _scalar_operand(other)
    if out is not None:
        check_out(out, "mul", input, other)
        return write_out(out, Mul.apply(input, other))
    return Mul.apply(input, other)


multiply = mul


@tensor_method("__rmul__")
def _rmul(self, other):
    return Mul.apply(self, _scalar_operand(other))


@tensor_method("div", "divide", "true_divide", "__truediv__")
def div(input, other, *, rounding_mode=None, out=None):
    """Division; ``rounding_mode`` None (true division), ``'trunc'`` or ``'floor'``.

    >>> numtorch.div(numtorch.tensor([7, -7]), 2)
    tensor([ 3.5000, -3.5000])
    """
    input = _number_first(input, other)
    if rounding_mode is None:
        result = Div.apply(input, _scalar_operand(other))
    else:
        result = Div2.apply(input, _scalar_operand(other), rounding_mode)
    return write_out(out, result) if out is not None else result


divide = true_divide = div


@tensor_method("__rtruediv__")
def _rtruediv(self, other):
    other = _scalar_operand(other)
    if isinstance(other, Tensor):
        return Div.apply(other, self)
    # PyTorch's __rtruediv__ is ``self.reciprocal() * other``: same rounding, same nodes
    return Mul.apply(Reciprocal.apply(self), other)


@tensor_method("floor_divide", "__floordiv__")
def floor_divide(input, other, *, out=None):
    """Division rounded down (not differentiable, as in PyTorch)."""
    input = _number_first(input, other)
    other = _scalar_operand(other)
    data = Div2.forward(Div2._node_cls(), input._data, getattr(other, "_data", other), "floor")
    result = make(xp.asarray(data))
    return write_out(out, result) if out is not None else result


@tensor_method("__rfloordiv__")
def _rfloordiv(self, other):
    return floor_divide(to_tensor(other), self)


@tensor_method("remainder", "__mod__")
def remainder(input, other, *, out=None):
    """Python-style modulus (the result has the divisor's sign)."""
    input = _number_first(input, other)
    other = _scalar_operand(other)
    result = (Remainder1 if isinstance(other, Tensor) else Remainder).apply(input, other)
    return write_out(out, result) if out is not None else result


@tensor_method("__rmod__")
def _rmod(self, other):
    return remainder(to_tensor(other), self)


@tensor_method("pow", "__pow__")
def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a number.

    >>> numtorch.pow(numtorch.tensor([1., 2., 3.]), 2)
    tensor([1., 4., 9.])
    """
    if not isinstance(input, Tensor):
        result = Pow2.apply(to_tensor(exponent), input)
    else:
        exponent = _scalar_operand(exponent)
        result = (Pow1 if isinstance(exponent, Tensor) else Pow).apply(input, exponent)
    return write_out(out, result) if out is not None else result


@tensor_method("__rpow__")
def _rpow(self, other):
    other = _scalar_operand(other)
    if isinstance(other, Tensor):
        return Pow1.apply(other, self)
    return Pow2.apply(self, other)


def _unary(op, name, doc):
    def fn(input, *, out=None):
        result = op.apply(input)
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    setattr(Tensor, name, fn)
    return fn


neg = negative = _unary(Neg, "neg", "``-input``.")
setattr(Tensor, "negative", neg)  # noqa: B010
setattr(Tensor, "__neg__", neg)  # noqa: B010
abs = absolute = _unary(Abs, "abs", "Absolute value (gradient 0 at 0, as PyTorch).")
setattr(Tensor, "absolute", abs)  # noqa: B010
setattr(Tensor, "__abs__", abs)  # noqa: B010
reciprocal = _unary(Reciprocal, "reciprocal", "``1 / input`` (integers give floats).")
exp = _unary(Exp, "exp", "``e ** input``.\n\n>>> numtorch.exp(numtorch.tensor([0.]))\ntensor([1.])")
log = _unary(Log, "log", "Natural logarithm.")
sqrt = _unary(Sqrt, "sqrt", "Square root.")
sin = _unary(Sin, "sin", "Sine.\n\n>>> numtorch.sin(numtorch.tensor([0.]))\ntensor([0.])")
cos = _unary(Cos, "cos", "Cosine.")
tanh = _unary(Tanh, "tanh", "Hyperbolic tangent.")
sigmoid = _unary(Sigmoid, "sigmoid", "``1 / (1 + exp(-input))``, computed without overflow.")
relu = _unary(Relu, "relu", "``max(input, 0)``; its gradient at 0 is 0, as PyTorch's.")
sign = _unary(Sign, "sign", "-1, 0 or 1 by the sign of each element.")


@tensor_method()
def positive(input):
    return input


setattr(Tensor, "__pos__", positive)  # noqa: B010


@tensor_method("clamp", "clip")
def clamp(input, min=None, max=None, *, out=None):
    """Limits values to ``[min, max]``; bounds are numbers or tensors.

    >>> numtorch.clamp(numtorch.tensor([-2., 0.5, 3.]), min=0, max=1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = Clamp1.apply(input, min, max)
    else:
        result = Clamp.apply(input, min, max)
    return write_out(out, result) if out is not None else result


clip = clamp


@tensor_method()
def clamp_min(input, min, *, out=None):
    """``max(input, min)`` elementwise."""
    op = ClampMin1 if isinstance(min, Tensor) else ClampMin
    result = op.apply(input, min, None)
    return write_out(out, result) if out is not None else result


@tensor_method()
def clamp_max(input, max, *, out=None):
    """``min(input, max)`` elementwise."""
    op = ClampMax1 if isinstance(max, Tensor) else ClampMax
    result = op.apply(input, None, max)
    return write_out(out, result) if out is not None else result


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``.
    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.

    >>> numtorch.where(numtorch.tensor([True, False]), 1.0, 0.0)
    tensor([1., 0.])
    """
    if input is None and other is None:
        from .index import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = to_tensor(condition)
    if condition._data.dtype.kind != "b":
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype.__repr__().split('.')[-1].capitalize()}"
        )
    input, other = _scalar_operand(input), _scalar_operand(other)
    result = Where.apply(condition, input, other)
    return write_out(out, result) if out is not None else result


def _tensor_where(self, condition, y):
    return where(condition, self, y)


setattr(Tensor, "where", _tensor_where)  # noqa: B010


@tensor_method()
def clone(input, *, memory_format=None):
    """A copy with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


# -- comparisons and logic (results are bool tensors and never require grad) ----------------


def _compare(ufunc, name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = to_tensor(input)
        if other is None:
            return name == "ne"  # t == None is False, as in PyTorch
        other = _scalar_operand(other)
        y = getattr(other, "_data", other)
        try:
            data = ufunc(input._data, y)
        except ValueError:
            raise broadcast_error(input._data.shape, getattr(y, "shape", ())) from None
        result = make(xp.asarray(data))
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` comparison, a bool tensor."
    return fn


eq = _compare(xp.equal, "eq")
ne = not_equal = _compare(xp.not_equal, "ne")
lt = less = _compare(xp.less, "lt")
le = less_equal = _compare(xp.less_equal, "le")
gt = greater = _compare(xp.greater, "gt")
ge = greater_equal = _compare(xp.greater_equal, "ge")
for _name, _fn in [("eq", eq), ("ne", ne), ("lt", lt), ("le", le), ("gt", gt), ("ge", ge)]:
    setattr(Tensor, _name, _fn)
    setattr(Tensor, f"__{_name}__", _fn)
setattr(Tensor, "not_equal", ne)  # noqa: B010
setattr(Tensor, "less", lt)  # noqa: B010
setattr(Tensor, "less_equal", le)  # noqa: B010
setattr(Tensor, "greater", gt)  # noqa: B010
setattr(Tensor, "greater_equal", ge)  # noqa: B010


def _logical(ufunc, name):
    def fn(input, other=None, *, out=None):
        if other is None:
            result = make(xp.asarray(ufunc(input._data)))
        else:
            other = _scalar_operand(other)
            y = getattr(other, "_data", other)
            try:
                result = make(xp.asarray(ufunc(input._data, y)))
            except ValueError:
                raise broadcast_error(input._data.shape, getattr(y, "shape", ())) from None
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)
    return fn


logical_and = _logical(xp.logical_and, "logical_and")
logical_or = _logical(xp.logical_or, "logical_or")
logical_xor = _logical(xp.logical_xor, "logical_xor")
logical_not = _logical(xp.logical_not, "logical_not")


def _bitwise(ufunc, name, dunder):
    def fn(input, other=None, *, out=None):
        data = input._data
        if data.dtype.kind not in "biu":
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{_short(data.dtype)}'")
        if other is None:
            result = make(xp.asarray(ufunc(data)))
        else:
            other = _scalar_operand(other)
            y = getattr(other, "_data", other)
            if getattr(y, "dtype", None) is not None and y.dtype.kind not in "biu":
                raise RuntimeError(f"\"{name}_cpu\" not implemented for '{_short(y.dtype)}'")
            result = make(xp.asarray(ufunc(data, y)))
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)
    for d in dunder:
        setattr(Tensor, d, fn)
    return fn


def _short(np_dtype) -> str:
    from .._tensor import _short_name

    return _short_name(np_dtype)


bitwise_and = _bitwise(xp.bitwise_and, "bitwise_and", ("__and__", "__rand__"))
bitwise_or = _bitwise(xp.bitwise_or, "bitwise_or", ("__or__", "__ror__"))
bitwise_xor = _bitwise(xp.bitwise_xor, "bitwise_xor", ("__xor__", "__rxor__"))
bitwise_not = _bitwise(xp.invert, "bitwise_not", ("__invert__",))


# -- dtype conversions -----------------------------------------------------------------------


def _parse_to(args, kwargs):
    dtype = kwargs.pop("dtype", None)
    device = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(
            f"to() received an invalid combination of arguments - got unexpected keyword "
            f"'{next(iter(kwargs))}'"
        )
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, _py_bool):
            pass  # non_blocking / copy positional flags
        elif a is not None:
            device = a
    return dtype, device, copy


@tensor_method()
def to(self, *args, **kwargs):
    """Converts dtype and/or device: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
    ``to(other)``; returns ``self`` when nothing changes (unless ``copy=True``).

    >>> numtorch.tensor([1., 2.]).to(numtorch.float64)
    tensor([1., 2.], dtype=numtorch.float64)
    """
    dtype, device, copy = _parse_to(args, kwargs)
    if device is not None:
        from .._backend import array_module

        array_module(device)  # raises for devices without a backend
    if dtype is None or dtype._np == self._data.dtype:
        return Clone.apply(self) if copy else self
    if dtype._np is None:
        raise TypeError(f"{dtype} is not supported: NumPy has no such type")
    return ToCopy.apply(self, dtype._np)


def _caster(dtype_name):
    def fn(self, memory_format=None):
        return to(self, getattr(_dtype, dtype_name))

    fn.__name__ = dtype_name
    return fn


for _method, _dt in [
    ("float", "float32"),
    ("double", "float64"),
    ("half", "float16"),
    ("bfloat16", "bfloat16"),  # raises to()'s TypeError: NumPy has no bfloat16
    ("int", "int32"),
    ("long", "int64"),
    ("short", "int16"),
    ("char", "int8"),
    ("byte", "uint8"),
    ("bool", "bool"),
    ("cfloat", "complex64"),
    ("cdouble", "complex128"),
]:
    setattr(Tensor, _method, _caster(_dt))

_TYPE_NAMES = {
    f"{p}.{name}": dt
    for p in ("torch", __package__.split(".")[0])
    for name, dt in [
        ("FloatTensor", _dtype.float32),
        ("DoubleTensor", _dtype.float64),
        ("HalfTensor", _dtype.float16),
        ("LongTensor", _dtype.int64),
        ("IntTensor", _dtype.int32),
        ("ShortTensor", _dtype.int16),
        ("CharTensor", _dtype.int8),
        ("ByteTensor", _dtype.uint8),
        ("BoolTensor", _dtype.bool),
    ]
}


@tensor_method("type")
def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the legacy type name (``'numtorch.FloatTensor'``); else a cast."""
    if dtype is None:
        from .._tensor import legacy_type_name

        return legacy_type_name(self._data.dtype)
    if isinstance(dtype, str):
        if dtype not in _TYPE_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _TYPE_NAMES[dtype]
    elif isinstance(dtype, type) and getattr(dtype, "_legacy_dtype", None) is not None:
        dtype = dtype._legacy_dtype
    return to(self, dtype)


@tensor_method()
def type_as(self, other):
    return to(self, other.dtype)


@tensor_method()
def cpu(self, memory_format=None):
    return self


@tensor_method()
def cuda(self, device=None, non_blocking=False, memory_format=None):
    from .._backend import array_module

    array_module("cuda")
    return self


# -- in-place variants --------------------------------------------------------------------------


def _inplace_method(fn, name):
    def method(self, *args, **kwargs):
        return self._inplace(fn, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: writes the result into ``self``."
    setattr(Tensor, name, method)
    return method


for _fn, _names in [
    (add, ("add_", "__iadd__")),
    (sub, ("sub_", "subtract_", "__isub__")),
    (mul, ("mul_", "multiply_", "__imul__")),
    (div, ("div_", "divide_", "true_divide_", "__itruediv__")),
    (floor_divide, ("floor_divide_", "__ifloordiv__")),
    (remainder, ("remainder_", "__imod__")),
    (pow, ("pow_", "__ipow__")),
    (neg, ("neg_", "negative_")),
    (abs, ("abs_", "absolute_")),
    (reciprocal, ("reciprocal_",)),
    (exp, ("exp_",)),
    (log, ("log_",)),
    (sqrt, ("sqrt_",)),
    (sin, ("sin_",)),
    (cos, ("cos_",)),
    (tanh, ("tanh_",)),
    (sigmoid, ("sigmoid_",)),
    (relu, ("relu_",)),
    (sign, ("sign_",)),
    (clamp, ("clamp_", "clip_")),
    (clamp_min, ("clamp_min_",)),
    (clamp_max, ("clamp_max_",)),
    (bitwise_and, ("bitwise_and_", "__iand__")),
    (bitwise_or, ("bitwise_or_", "__ior__")),
    (bitwise_xor, ("bitwise_xor_", "__ixor__")),
    (logical_not, ("logical_not_",)),
    (logical_and, ("logical_and_",)),
    (logical_or, ("logical_or_",)),
    (logical_xor, ("logical_xor_",)),
    (bitwise_not, ("bitwise_not_",)),
]:
    for _n in _names:
        _inplace_method(_fn, _n)


@tensor_method()
def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements.

    >>> numtorch.equal(numtorch.tensor([1, 2]), numtorch.tensor([1, 2]))
    True
    """
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


@tensor_method()
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|``."""
    other = _scalar_operand(other)
    y = getattr(other, "_data", other)
    return make(xp.asarray(xp.isclose(input._data, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


@tensor_method()
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is close (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


# -- more unary math (integer inputs give the default float dtype) ----------------------------

_LN2, _LN10 = 0.6931471805599453, 2.302585092994046
_TWO_OVER_SQRT_PI, _SQRT_PI_OVER_TWO = 1.1283791670955126, 0.886226925452758


class Rsqrt(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = 1 / ctx.xp.sqrt(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * -0.5 * out**3


class Exp2(Op):
    node_name = "Exp2Backward0"

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.exp2(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * _LN2


class Expm1(Op):
    _holomorphic = True

    node_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.expm1(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log2(Op):
    _holomorphic = True

    node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log2(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


class Log10(Op):
    _holomorphic = True

    node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log10(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


class Log1P(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log1p(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


class Tan(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.tan(float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out * out + 1)


class Asin(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arcsin(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (1 - x * x).rsqrt()


class Acos(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arccos(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -(1 - x * x).rsqrt()


class Atan(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arctan(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)


class Sinh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sinh(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cosh()


class Cosh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cosh(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sinh()


class Asinh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arcsinh(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x * x + 1).rsqrt()


class Acosh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arccosh(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # 1 / (sqrt(x - 1) sqrt(x + 1)): the same as 1 / sqrt(x^2 - 1) for real x > 1, and the
        # right branch for complex x (as PyTorch's formula)
        return grad * ((x - 1).rsqrt() * (x + 1).rsqrt())


class Atanh(Op):
    _holomorphic = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.arctanh(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Logit(Op):
    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        x = float_array(x)
        if eps is not None:
            x = ctx.xp.clip(x, eps, 1 - eps)
        return ctx.xp.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        out = grad / (x * (1 - x))
        if ctx.eps is None:
            return out
        # outside [eps, 1 - eps] the clamp made the output constant, as PyTorch's rule says
        return where((x < ctx.eps) | (x > 1 - ctx.eps), 0.0, out)


def _erf_array(xp_, x):
    """erf to double precision (NumPy has none): math.erf on each element, in float64."""
    import math

    wide = xp_.asarray(x, dtype=xp_.float64)
    out = xp_.frompyfunc(math.erf, 1, 1)(wide)
    return xp_.asarray(out, dtype=xp_.float64).astype(x.dtype, copy=False)


def _erfinv_array(xp_, y):
    """erf's inverse: Giles' single-precision approximation, then Newton steps on erf."""
    wide = xp_.asarray(y, dtype=xp_.float64)
    w = -xp_.log((1.0 - wide) * (1.0 + wide))
    small = w < 5.0
    ws = w - 2.5
    p_small = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
        p_small = c + p_small * ws
    wl = xp_.sqrt(xp_.maximum(w, 5.0)) - 3.0
    p_large = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
        p_large = c + p_large * wl
    x = xp_.where(small, p_small, p_large) * wide
    finite = xp_.abs(wide) < 1
    x = xp_.where(finite, x, 0.0)
    for _ in range(2):  # each Newton step doubles the correct digits
        err = _erf_array(xp_, x) - wide
        x = x - xp_.where(finite, err / (_TWO_OVER_SQRT_PI * xp_.exp(-x * x)), 0.0)
    x = xp_.where(wide == 1, xp_.inf, xp_.where(wide == -1, -xp_.inf, x))
    x = xp_.where((xp_.abs(wide) > 1) | xp_.isnan(wide), xp_.nan, x)
    return x.astype(y.dtype, copy=False)


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf_array(ctx.xp, float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _TWO_OVER_SQRT_PI * (-x * x).exp()


class Erfc(Op):
    @staticmethod
    def forward(ctx, x):
        import math

        ctx.save_for_backward(x)
        x = float_array(x)
        wide = ctx.xp.asarray(x, dtype=ctx.xp.float64)
        out = ctx.xp.frompyfunc(math.erfc, 1, 1)(wide)  # 1 - erf(x) loses digits for large x
        return ctx.xp.asarray(out, dtype=ctx.xp.float64).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -_TWO_OVER_SQRT_PI * (-x * x).exp()


class Erfinv(Op):
    @staticmethod
    def forward(ctx, x):
        out = _erfinv_array(ctx.xp, float_array(x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * _SQRT_PI_OVER_TWO * (out * out).exp()


class _Step(Op):
    """floor/ceil/round/trunc: integer inputs come back unchanged; the gradient is zero."""

    ufunc = staticmethod(xp.floor)

    @classmethod
    def forward(cls, ctx, x):
        if x.dtype.kind in "biu":
            return x.copy()
        return cls.ufunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Floor(_Step):
    ufunc = staticmethod(xp.floor)


class Ceil(_Step):
    ufunc = staticmethod(xp.ceil)


class Round(_Step):
    ufunc = staticmethod(xp.rint)  # half to even, as PyTorch


class Trunc(_Step):
    ufunc = staticmethod(xp.trunc)


class Round1(Op):
    """``round(decimals=)``: PyTorch's round.decimals, hence RoundBackward1."""

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind in "biu":
            raise NotImplementedError(f"\"round_cpu\" not implemented for '{_short(x.dtype)}'")
        if decimals >= 0:
            scale = 10.0**decimals
            return (ctx.xp.rint(x * scale) / scale).astype(x.dtype, copy=False)
        scale = 10.0**-decimals
        return (ctx.xp.rint(x / scale) * scale).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Frac(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind in "biu":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_short(x.dtype)}'")
        return x - ctx.xp.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Sgn(Op):
    """sign for real tensors, ``x / |x|`` for complex ones."""

    @staticmethod
    def forward(ctx, x):
        ctx.is_complex = x.dtype.kind == "c"
        if not ctx.is_complex:
            return x.copy() if x.dtype.kind == "b" else ctx.xp.sign(x)
        mag = ctx.xp.abs(x)
        out = ctx.xp.where(mag == 0, 0, x / ctx.xp.where(mag == 0, 1, mag)).astype(x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if not ctx.is_complex:
            return grad * 0
        x, out = ctx.saved_tensors
        mag = x.abs()
        # PyTorch's sgn_backward: the part of grad tangent to the unit circle, over |x|
        g = (grad - out * real(grad * out.conj())) / mag
        return where(mag == 0, 0.0, g)


class NanToNum(Op):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        if x.dtype.kind not in "fc":
            return x.copy()
        ctx.save_for_backward(x)
        nan = 0.0 if nan is None else nan
        return ctx.xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * isfinite(x)


class Angle(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        if x.dtype.kind == "c":
            return ctx.xp.angle(x)
        x = float_array(x)
        out = ctx.xp.where(x < 0, ctx.xp.pi, 0.0).astype(x.dtype)
        return ctx.xp.where(ctx.xp.isnan(x), x, out)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if not x.is_complex():
            return grad * 0
        g = grad * x / (x.abs() ** 2) * 1j
        return where(x == 0, 0.0, g)


# -- binary math ------------------------------------------------------------------------------


def _float_result(x, y):
    """The promoted dtype of a float op: integer results become the default float dtype."""
    result = binary_result_np(x, y)
    if result.kind in "biu":
        return _dtype.get_default_dtype()._np
    return result


class Atan2(Op):
    node_name = "Atan2Backward0"
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _binary(ctx.xp.arctan2, x, y, _float_result(x, y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        scale = grad / (x * x + y * y)
        return scale * y, scale * -x


class Hypot(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "biu":
            raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_short(result)}'")
        out = _binary(ctx.xp.hypot, x, y, result)
        ctx.save_for_backward(x, y, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y, out = ctx.saved_tensors
        return grad * x / out, grad * y / out


class Fmax(Op):
    """Elementwise maximum that ignores NaN; a tie gives the whole gradient to ``input``."""

    tensor_args = 2
    ufunc = staticmethod(xp.fmax)

    @classmethod
    def forward(cls, ctx, x, y):
        ctx.save_for_backward(x, y)
        return _binary(cls.ufunc, x, y, binary_result_np(x, y))

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        wins = (x >= y) if cls.ufunc is xp.fmax else (x <= y)
        wins = wins | y.isnan()
        return grad * wins, grad * ~wins


class Fmin(Fmax):
    ufunc = staticmethod(xp.fmin)


class Fmod(Remainder):
    """``fmod(tensor, number)``: C's remainder (sign of the dividend); gradient passes."""

    ufunc = "fmod"


class Fmod1(Remainder1):
    """``fmod(tensor, tensor)``: x - trunc(x / y) * y."""

    ufunc, rounding = "fmod", "trunc"


def _lerp_array(xp_, start, end, weight):
    # PyTorch's formula: exact at weight 0 and at weight 1
    diff = end - start
    return xp_.where(xp_.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))


class Lerp(Op):
    """``lerp`` with a number weight."""

    tensor_args = 2

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.weight = weight
        out = _lerp_array(ctx.xp, start, end, weight)
        return out.astype(binary_result_np(start, end), copy=False)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weight
        return grad * (1 - w), grad * w


class Lerp1(Op):
    """``lerp`` with a tensor weight."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        out = _lerp_array(ctx.xp, start, end, weight)
        return out.astype(binary_result_np(start, end), copy=False)

    @staticmethod
    def backward(ctx, grad):
        start, end, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        return (
            grad * (1 - weight) if needs[0] else None,
            grad * weight if needs[1] else None,
            grad * (end - start) if needs[2] else None,
        )


class Addcmul(Op):
    tensor_args = 3

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        result = binary_result_np(x, ctx.xp.empty((), binary_result_np(t1, t2)))
        prod = t1 * t2
        return _binary(ctx.xp.add, x, prod * value if value != 1 else prod, result)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        g = grad * ctx.value if ctx.value != 1 else grad
        return grad, g * t2, g * t1


class Addcdiv(Op):
    tensor_args = 3

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes."
            )
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        result = binary_result_np(x, ctx.xp.empty((), binary_result_np(t1, t2)))
        quot = t1 / t2
        return _binary(ctx.xp.add, x, quot * value if value != 1 else quot, result)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        g = grad * ctx.value if ctx.value != 1 else grad
        return grad, g / t2, -g * t1 / (t2 * t2)


def _xlogy_array(xp_, x, y, result):
    with_log = _binary(xp_.multiply, x, xp_.log(xp_.asarray(y, dtype=result)), result)
    return xp_.where((xp_.asarray(x) == 0) & ~xp_.isnan(y), 0, with_log).astype(result)


class Xlogy(Op):
    """``x * log(y)``, 0 where ``x == 0`` (unless y is NaN): tensor-tensor."""

    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return _xlogy_array(ctx.xp, x, y, _float_result(x, y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # PyTorch's rule: grad * log(y), except 0 where x == 0 and y <= 0
        gx = where((x == 0) & (y <= 0), 0.0, xlogy(grad, y)) if needs[0] else None
        gy = grad * x / y if needs[1] else None
        return gx, gy


class Xlogy1(Op):
    """``xlogy(number, tensor)``."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y)
        ctx.x = x
        result = _float_result(y, x)
        return _xlogy_array(ctx.xp, ctx.xp.asarray(x, dtype=result), y, result)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * ctx.x / y


class Xlogy2(Op):
    """``xlogy(tensor, number)``."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x)
        ctx.y = y
        return _xlogy_array(ctx.xp, x, y, _float_result(x, y))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        g = xlogy(grad, ctx.y)
        return g if ctx.y > 0 else where(x == 0, 0.0, g)


# -- complex numbers --------------------------------------------------------------------------


class Complex(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, re, im):
        if re.dtype != im.dtype:
            raise RuntimeError(
                f"Expected object of scalar type {_short(re.dtype)} but got scalar type "
                f"{_short(im.dtype)} for second argument"
            )
        if re.dtype.kind != "f" or re.dtype.itemsize < 4:
            raise RuntimeError(
                "Expected both inputs to be Half, Float or Double tensors but got "
                f"{_short(re.dtype)} and {_short(im.dtype)}"
            )
        target = ctx.xp.complex64 if re.dtype == ctx.xp.float32 else ctx.xp.complex128
        out = ctx.xp.empty(ctx.xp.broadcast_shapes(re.shape, im.shape), target)
        out.real, out.imag = re, im
        return out

    @staticmethod
    def backward(ctx, grad):
        return real(grad), imag(grad)


class Polar(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, r, theta):
        out = Complex.forward(ctx, r * ctx.xp.cos(theta), r * ctx.xp.sin(theta))
        ctx.save_for_backward(r, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        r, out = ctx.saved_tensors
        # d out/d r = out / r and d out/d theta = i * out; a real input takes Re(grad * conj(d))
        unit = out / r
        return real(grad * unit.conj()), real(grad * (out * 1j).conj())


class _Part(Op):
    """``.real``/``.imag`` of a complex tensor: a view; PyTorch records it as a select of
    view_as_real, hence SelectBackward0."""

    node_name = "SelectBackward0"
    is_view = True
    part = "real"

    @classmethod
    def forward(cls, ctx, x):
        return getattr(x, cls.part)

    @classmethod
    def backward(cls, ctx, grad):
        zero = grad * 0
        return complex(grad, zero) if cls.part == "real" else complex(zero, grad)


class _Real(_Part):
    node_name = "SelectBackward0"
    part = "real"


class _Imag(_Part):
    node_name = "SelectBackward0"
    part = "imag"


class Conj(Op):
    @staticmethod
    def forward(ctx, x):
        return ctx.xp.conj(x)

    @staticmethod
    def backward(ctx, grad):
        return grad.conj()


def real(input):
    """The real part: a view for complex tensors, ``input`` itself otherwise."""
    if input._data.dtype.kind != "c":
        return input
    return _Real.apply(input)


def imag(input):
    """The imaginary part of a complex tensor (a view)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _Imag.apply(input)


def _set_part(part):
    def setter(self, value):
        view = real(self) if part == "real" else imag(self)
        view.copy_(value if isinstance(value, Tensor) else to_tensor(value))

    return setter


for _part, _get in (("real", real), ("imag", imag)):
    setattr(Tensor, _part, property(_get, _set_part(_part)))


@tensor_method("conj", "conj_physical")
def conj(input):
    """The complex conjugate (``input`` itself for real tensors)."""
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


conj_physical = conj


@tensor_method()
def resolve_conj(input):
    return input


@tensor_method()
def resolve_neg(input):
    return input


@tensor_method()
def is_conj(input) -> bool:
    return False


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts (float tensors of one dtype)."""
    result = Complex.apply(real, imag)
    return write_out(out, result) if out is not None else result


def polar(abs, angle, *, out=None):
    """``abs * (cos(angle) + i sin(angle))``."""
    result = Polar.apply(abs, angle)
    return write_out(out, result) if out is not None else result


# -- public functions ---------------------------------------------------------------------------

rsqrt = _unary(Rsqrt, "rsqrt", "``1 / sqrt(input)``.")
exp2 = _unary(Exp2, "exp2", "``2 ** input``.")
expm1 = _unary(Expm1, "expm1", "``exp(input) - 1``, exact near 0.")
log2 = _unary(Log2, "log2", "Base-2 logarithm.")
log10 = _unary(Log10, "log10", "Base-10 logarithm.")
log1p = _unary(Log1P, "log1p", "``log(1 + input)``, exact near 0.")
tan = _unary(Tan, "tan", "Tangent.")
asin = arcsin = _unary(Asin, "asin", "Inverse sine.")
acos = arccos = _unary(Acos, "acos", "Inverse cosine.")
atan = arctan = _unary(Atan, "atan", "Inverse tangent.")
sinh = _unary(Sinh, "sinh", "Hyperbolic sine.")
cosh = _unary(Cosh, "cosh", "Hyperbolic cosine.")
asinh = arcsinh = _unary(Asinh, "asinh", "Inverse hyperbolic sine.")
acosh = arccosh = _unary(Acosh, "acosh", "Inverse hyperbolic cosine.")
atanh = arctanh = _unary(Atanh, "atanh", "Inverse hyperbolic tangent.")
erf = _unary(
    Erf, "erf", "The error function.\n\n>>> numtorch.erf(numtorch.tensor([0.]))\ntensor([0.])"
)
erfc = _unary(Erfc, "erfc", "``1 - erf(input)``, exact for large inputs.")
erfinv = _unary(Erfinv, "erfinv", "The inverse error function.")
floor = _unary(Floor, "floor", "Rounds down (integer tensors come back unchanged).")
ceil = _unary(Ceil, "ceil", "Rounds up.")
trunc = fix = _unary(Trunc, "trunc", "Rounds toward zero.")
frac = _unary(Frac, "frac", "``input - trunc(input)``.")
sgn = _unary(Sgn, "sgn", "sign for real tensors, ``input / |input|`` for complex ones.")
angle = _unary(Angle, "angle", "The argument of each element (0 or pi for real tensors).")
for _alias, _fn in [("arcsin", asin), ("arccos", acos), ("arctan", atan), ("arcsinh", asinh),
                    ("arccosh", acosh), ("arctanh", atanh), ("fix", trunc)]:  # fmt: skip
    setattr(Tensor, _alias, _fn)


@tensor_method()
def round(input, *, decimals=0, out=None):
    """Rounds half to even, as PyTorch; ``decimals`` rounds to that many decimal places.

    >>> numtorch.round(numtorch.tensor([0.5, 1.5, 2.5]))
    tensor([0., 2., 2.])
    """
    result = Round.apply(input) if decimals == 0 else Round1.apply(input, decimals)
    return write_out(out, result) if out is not None else result


@tensor_method()
def square(input, *, out=None):
    """``input ** 2`` (a PowBackward0 node, as PyTorch's square)."""
    if input._data.dtype.kind == "b":
        input = input.long()
    return pow(input, 2, out=out)


@tensor_method()
def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    result = Logit.apply(input, eps)
    return write_out(out, result) if out is not None else result


@tensor_method()
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replaces NaN, +inf and -inf (by default with 0 and the dtype's largest/lowest values)."""
    result = NanToNum.apply(input, nan, posinf, neginf)
    return write_out(out, result) if out is not None else result


def _binary_fn(op, name, doc, aliases=()):
    def fn(input, other, *, out=None):
        input = _number_first(input, other)
        other = other if isinstance(other, Tensor) else to_tensor(other)
        result = op.apply(input, other)
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    for n in (name, *aliases):
        setattr(Tensor, n, fn)
    return fn


atan2 = arctan2 = _binary_fn(
    Atan2, "atan2", "``atan(input / other)`` in the right quadrant.", ("arctan2",)
)
hypot = _binary_fn(Hypot, "hypot", "``sqrt(input ** 2 + other ** 2)`` without overflow.")
fmax = _binary_fn(Fmax, "fmax", "Elementwise maximum; a NaN loses to a number.")
fmin = _binary_fn(Fmin, "fmin", "Elementwise minimum; a NaN loses to a number.")


@tensor_method()
def fmod(input, other, *, out=None):
    """C-style remainder: the result has the dividend's sign."""
    other = _scalar_operand(other)
    result = (Fmod1 if isinstance(other, Tensor) else Fmod).apply(input, other)
    return write_out(out, result) if out is not None else result


@tensor_method()
def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``; ``weight`` is a number or a tensor."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"expected dtype {_type_word(input._data.dtype)} for `{name}` but got dtype "
                f"{_type_word(t._data.dtype)}"
            )
    if isinstance(weight, Tensor):
        result = Lerp1.apply(input, end, weight)
    else:
        result = Lerp.apply(input, end, _scalar_operand(weight))
    return write_out(out, result) if out is not None else result


def _type_word(np_dtype) -> str:
    """c10's name of a scalar type in messages: 'float', 'double', 'long int' ..."""
    return _dtype.cpp_name(np_dtype)


@tensor_method()
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    result = Addcmul.apply(input, tensor1, tensor2, value)
    return write_out(out, result) if out is not None else result


@tensor_method()
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``."""
    result = Addcdiv.apply(input, tensor1, tensor2, value)
    return write_out(out, result) if out is not None else result


@tensor_method()
def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where ``input`` is 0; either may be a number."""
    if not isinstance(input, Tensor):
        result = Xlogy1.apply(other if isinstance(other, Tensor) else to_tensor(other), input)
    else:
        other = _scalar_operand(other)
        result = (Xlogy if isinstance(other, Tensor) else Xlogy2).apply(input, other)
    return write_out(out, result) if out is not None else result


# -- tests of values (bool results, never differentiable) ---------------------------------------


def _test(name, fn, doc):
    def test(input):
        return make(xp.asarray(fn(input._data)))

    test.__name__ = test.__qualname__ = name
    test.__doc__ = doc
    setattr(Tensor, name, test)
    return test


isnan = _test("isnan", xp.isnan, "Whether each element is NaN.")
isinf = _test("isinf", xp.isinf, "Whether each element is +inf or -inf.")
isposinf = _test("isposinf", lambda a: a == xp.inf, "Whether each element is +inf.")
isneginf = _test("isneginf", lambda a: a == -xp.inf, "Whether each element is -inf.")
isfinite = _test("isfinite", xp.isfinite, "Whether each element is finite.")


def _signbit(a):
    if a.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    if a.dtype.kind == "f":
        return xp.signbit(a)
    return a < 0 if a.dtype.kind == "i" else xp.zeros(a.shape, bool)


signbit = _test("signbit", _signbit, "Whether each element's sign bit is set (-0.0 included).")
isreal = _test(
    "isreal",
    lambda a: a.imag == 0 if a.dtype.kind == "c" else xp.ones(a.shape, bool),
    "Whether each element has a zero imaginary part.",
)


# -- shifts -----------------------------------------------------------------------------------


def _shift(ufunc, name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = to_tensor(input)
        other = _scalar_operand(other)
        y = getattr(other, "_data", other)
        short = "lshift" if ufunc is xp.left_shift else "rshift"
        for a in (input._data, y):
            if getattr(a, "dtype", None) is not None and a.dtype.kind not in "biu":
                raise NotImplementedError(
                    f"\"{short}_cpu\" not implemented for '{_short(a.dtype)}'"
                )
        result_dtype = binary_result_np(input._data, y)
        data = _binary(ufunc, input._data.astype(result_dtype), y, None)
        result = make(xp.asarray(data).astype(result_dtype, copy=False))
        return write_out(out, result) if out is not None else result

    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)
    return fn


bitwise_left_shift = _shift(xp.left_shift, "bitwise_left_shift")
bitwise_right_shift = _shift(xp.right_shift, "bitwise_right_shift")
for _dunder, _fn in [
    ("__lshift__", bitwise_left_shift),
    ("__rshift__", bitwise_right_shift),
    ("__rlshift__", lambda self, other: bitwise_left_shift(to_tensor(other), self)),
    ("__rrshift__", lambda self, other: bitwise_right_shift(to_tensor(other), self)),
]:
    setattr(Tensor, _dunder, _fn)


for _fn, _names in [
    (rsqrt, ("rsqrt_",)),
    (square, ("square_",)),
    (exp2, ("exp2_",)),
    (expm1, ("expm1_",)),
    (log2, ("log2_",)),
    (log10, ("log10_",)),
    (log1p, ("log1p_",)),
    (tan, ("tan_",)),
    (asin, ("asin_", "arcsin_")),
    (acos, ("acos_", "arccos_")),
    (atan, ("atan_", "arctan_")),
    (atan2, ("atan2_", "arctan2_")),
    (sinh, ("sinh_",)),
    (cosh, ("cosh_",)),
    (asinh, ("asinh_", "arcsinh_")),
    (acosh, ("acosh_", "arccosh_")),
    (atanh, ("atanh_", "arctanh_")),
    (logit, ("logit_",)),
    (erf, ("erf_",)),
    (erfc, ("erfc_",)),
    (erfinv, ("erfinv_",)),
    (floor, ("floor_",)),
    (ceil, ("ceil_",)),
    (round, ("round_",)),
    (trunc, ("trunc_", "fix_")),
    (frac, ("frac_",)),
    (sgn, ("sgn_",)),
    (nan_to_num, ("nan_to_num_",)),
    (hypot, ("hypot_",)),
    (fmod, ("fmod_",)),
    (lerp, ("lerp_",)),
    (addcmul, ("addcmul_",)),
    (addcdiv, ("addcdiv_",)),
    (xlogy, ("xlogy_",)),
    (bitwise_left_shift, ("bitwise_left_shift_", "__ilshift__")),
    (bitwise_right_shift, ("bitwise_right_shift_", "__irshift__")),
]:
    for _n in _names:
        _inplace_method(_fn, _n)
