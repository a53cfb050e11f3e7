"""Tensor methods outside the op families: in-place view changes (``unsqueeze_``, ``t_`` ...),
in-place comparisons (``lt_`` ...), ``fill_diagonal_``, the legacy ``new``, aliases, and what a
CPU tensor answers about memory and devices.

In-place view ops change only ``self``'s shape and strides: ``self`` takes over the view that
the out-of-place op returns (its data, its backward node, its place among the views of a base),
so autograd sees exactly what ``x = x.unsqueeze(0)`` would give, under the same tensor object.
"""

from __future__ import annotations

from typing import Any

from .._tensor import _LEAF_INPLACE, Tensor
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ._common import tensor_method, wrap_dim, xp
from .shape import (
    Squeeze,
    Squeeze1,
    Squeeze2,
    T,
    Transpose,
    Unsqueeze,
    split,
    squeeze_with,
    t,
)


# PyTorch names the in-place variants' backward nodes with their own overload numbers
class Squeeze3(Squeeze):
    pass


class Squeeze4(Squeeze1):
    pass


class Squeeze5(Squeeze2):
    pass


class Unsqueeze1(Unsqueeze):
    pass


class T1(T):
    pass


class Transpose1(Transpose):
    pass


def _squeeze(input, dim=None):
    return squeeze_with(input, dim, (Squeeze3, Squeeze4, Squeeze5))


def _unsqueeze(input, dim):
    return Unsqueeze1.apply(input, wrap_dim(dim, input._data.ndim + 1))


def _t(input):
    if input._data.ndim > 2:
        t(input)  # raises PyTorch's error
    return T1.apply(input)


def _transpose(input, dim0, dim1):
    ndim = input._data.ndim
    return Transpose1.apply(input, wrap_dim(dim0, ndim), wrap_dim(dim1, ndim))


def _inplace_view(name: str, view_fn):
    def method(self, *args, **kwargs):
        if STATE.grad_enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(_LEAF_INPLACE)
        result = view_fn(self, *args, **kwargs)
        self._data = result._data
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
            self._output_nr = result._output_nr
        if self._base is not None:  # still a view of the same base, one view step further
            self._view_fn = result._view_fn
        self._vc[0] += 1
        return self

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In place ``{name[:-1]}``: ``self`` becomes that view of itself."
    setattr(Tensor, name, method)
    return method


squeeze_ = _inplace_view("squeeze_", _squeeze)
unsqueeze_ = _inplace_view("unsqueeze_", _unsqueeze)
t_ = _inplace_view("t_", _t)
transpose_ = _inplace_view("transpose_", _transpose)
swapaxes_ = _inplace_view("swapaxes_", _transpose)
swapdims_ = _inplace_view("swapdims_", _transpose)


class _CompareInplace(Op):
    """``self.lt_(other)`` and friends: the comparison written as 1/0 in ``self``'s dtype. Its
    gradient is zero, to ``self``'s history and to a tensor ``other`` alike, so the old history
    stops there, as in PyTorch (where ``logical_and_`` and the like leave it untouched)."""

    ufunc: Any = None

    @classmethod
    def forward(cls, ctx, x, other):
        return cls.ufunc(x, other).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        from .creation import zeros_like

        zero = zeros_like(grad)  # not grad * 0, which an inf gradient would turn into NaN
        return zero, (zero if len(ctx.needs_input_grad) > 1 else None)


def _compare_inplace(name: str, ufunc, aliases=()):
    stem = name.capitalize()
    # LtBackward0 against a number, LtBackward1 against a tensor, as PyTorch names them
    by_number = type(stem, (_CompareInplace,), {"ufunc": staticmethod(ufunc)})
    by_tensor = type(
        stem + "1", (_CompareInplace,), {"ufunc": staticmethod(ufunc), "tensor_args": 2}
    )

    def method(self, other):
        op = by_tensor if isinstance(other, Tensor) else by_number
        return self._inplace(op.apply, other)

    for method_name in (name + "_", *aliases):
        setattr(Tensor, method_name, method)
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In place ``{name}``: 1 where it holds, 0 elsewhere, in ``self``'s dtype."
    return method


eq_ = _compare_inplace("eq", xp.equal)
ne_ = _compare_inplace("ne", xp.not_equal, ("not_equal_",))
lt_ = _compare_inplace("lt", xp.less, ("less_",))
le_ = _compare_inplace("le", xp.less_equal, ("less_equal_",))
gt_ = _compare_inplace("gt", xp.greater, ("greater_",))
ge_ = _compare_inplace("ge", xp.greater_equal, ("greater_equal_",))


@tensor_method()
def fill_diagonal_(self, fill_value, wrap=False):
    """Fills the main diagonal (all dims equal beyond 2-d); with ``wrap``, a tall matrix's
    diagonal restarts every ``width + 1`` rows, as torch.Tensor.fill_diagonal_.

    >>> numtorch.zeros(2, 3).fill_diagonal_(5.0)
    tensor([[5., 0., 0.],
            [0., 5., 0.]])
    """
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    height, width = self.shape[:2]
    if self.dim() > 2 and any(size != height for size in self.shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    stride = sum(self.stride())
    offset = self.storage_offset()
    size = min(height, width)
    self.as_strided((size,), (stride,), offset).fill_(fill_value)
    if wrap and self.dim() == 2 and height > width + 1:
        step = width + 1
        wrap_size = (self.numel() + step - 1) // step - size
        start = offset + self.stride(0) * step
        self.as_strided((wrap_size,), (stride,), start).fill_(fill_value)
    return self


@tensor_method()
def split_with_sizes(self, split_sizes, dim=0):
    """``split`` with a list of sizes, as torch.Tensor.split_with_sizes."""
    return split(self, list(split_sizes), dim)


@tensor_method()
def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, **_):
    """An uninitialised tensor of ``size`` (numtorch lays it out contiguously whatever
    ``stride`` asks), with ``self``'s dtype unless given."""
    return self.new_empty(tuple(size), dtype=dtype, requires_grad=requires_grad)


def new(self, *args, device=None):
    """The legacy constructor in ``self``'s dtype: ``x.new(2, 3)`` (uninitialised),
    ``x.new([1, 2])`` (from data), ``x.new()`` (empty), as torch.Tensor.new.

    >>> numtorch.ones(2, dtype=numtorch.float64).new([1, 2])
    tensor([1., 2.], dtype=numtorch.float64)
    """
    from .creation import empty, tensor

    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if other.dtype != self.dtype:
            raise TypeError(
                f"expected {self.dtype} (got {other.dtype}) for the legacy constructor's tensor"
            )
        return other.detach()
    if len(args) == 1 and isinstance(args[0], (list, tuple)) and not _is_size(args[0]):
        return tensor(args[0], dtype=self.dtype)
    size = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else args
    return empty(size if args else (0,), dtype=self.dtype)


def _is_size(value) -> bool:
    from .._tensor import Size

    return isinstance(value, Size)


Tensor.new = new  # type: ignore[attr-defined]


def pin_memory(self, device=None):
    """Page-locked memory needs an accelerator: without one PyTorch raises, and so does this."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def is_pinned(self, device=None) -> bool:
    return False


def share_memory_(self):
    """Marks the tensor shared (a no-op for NumPy memory), as torch.Tensor.share_memory_."""
    self.__dict__["_shared"] = True
    return self


def is_shared(self) -> bool:
    return self.__dict__.get("_shared", False)


for _fn in (pin_memory, is_pinned, share_memory_, is_shared):
    setattr(Tensor, _fn.__name__, _fn)

# the devices and layouts a NumPy tensor is not on
for _name in (
    "is_mps",
    "is_xla",
    "is_xpu",
    "is_ipu",
    "is_mtia",
    "is_maia",
    "is_vulkan",
    "is_mkldnn",
    "is_nested",
    "is_sparse_csr",
):
    setattr(Tensor, _name, property(lambda self: False))

Tensor.itemsize = property(lambda self: self._data.itemsize)  # type: ignore[attr-defined]
Tensor.nbytes = property(lambda self: self._data.size * self._data.itemsize)  # type: ignore[attr-defined]

__all__ = ["fill_diagonal_"]
