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
    try:
        return ufunc(x, y, dtype=result)
    except ValueError:
        raise broadcast_error(x.shape, getattr(y, "shape", ())) from None


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
        if x.dtype.kind == "b" and getattr(y, "dtype", None) is not None and y.dtype.kind == "b":
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
            )
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
        if x.dtype.kind == "b" and y.dtype.kind == "b":
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
            )
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
            return grad * ctx.other, None
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
            return grad / ctx.other, None
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

    @staticmethod
    def forward(ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "iu" and y == 0:
            raise RuntimeError("ZeroDivisionError")
        return _binary(ctx.xp.remainder, x, y, result)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Remainder1(Op):
    """``tensor % tensor`` (remainder.Tensor): x - floor(x / y) * y."""

    @staticmethod
    def forward(ctx, x, y):
        result = binary_result_np(x, y)
        if result.kind in "iu" and (ctx.xp.asarray(y) == 0).any():
            raise RuntimeError("ZeroDivisionError")
        if ctx.needs_input_grad[1]:
            ctx.save_for_backward(x, y)
        return _binary(ctx.xp.remainder, x, y, result)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.needs_input_grad[1]:
            return grad, None
        x, y = ctx.saved_tensors
        return grad, -grad * div(x, y, rounding_mode="floor")


class Pow(Op):
    """``tensor ** number``."""

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
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.log(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Op):
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
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.sin(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.cos(float_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * -x.sin()


class Tanh(Op):
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
    @staticmethod
    def forward(ctx, x):
        x = float_array(x)
        # exp of a large positive argument overflows; written this way it never does
        e = ctx.xp.exp(-ctx.xp.abs(x))
        out = ctx.xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.maximum(x, 0).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # PyTorch's relu'(0) is 0, hence strictly greater


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
    """``torch.add(2, t)``: a number as first argument becomes a 0-d tensor."""
    if not isinstance(input, Tensor):
        input = to_tensor(input)
    return input


@tensor_method("add", "__add__")
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion.

    >>> numtorch.add(numtorch.tensor([1, 2]), 2.5)
    tensor([3.5000, 4.5000])
    """
    if not isinstance(input, Tensor):
        input = to_tensor(input)
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
        input = to_tensor(input)
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
Tensor.negative = Tensor.__neg__ = neg
abs = absolute = _unary(Abs, "abs", "Absolute value (gradient 0 at 0, as PyTorch).")
Tensor.absolute = Tensor.__abs__ = abs
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


Tensor.__pos__ = positive


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


Tensor.where = _tensor_where


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
Tensor.not_equal, Tensor.less, Tensor.less_equal = ne, lt, le
Tensor.greater, Tensor.greater_equal = gt, ge


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
