"""Tensor creation: from data, factories (zeros, arange, eye ...) and random sampling.

Random functions draw from PyTorch's own CPU generator algorithm (``_random``), so the same
seed gives the same numbers as PyTorch.
"""

from __future__ import annotations

import builtins
import math
import warnings

from .. import _dtype, _random
from .._backend import array_module
from .._backend import device as _device
from .._tensor import Size, Tensor, make
from ._common import tensor_method, xp

_py_float, _py_int, _py_bool = builtins.float, builtins.int, builtins.bool


def _np_dtype(dtype):
    if dtype is None:
        return None
    dt = _dtype.to_dtype(dtype)
    if dt._np is None:
        raise TypeError(f"{dt} is not supported: NumPy has no such type")
    return dt._np


def _finish(data, requires_grad, device=None) -> Tensor:
    if device is not None:
        array_module(device)  # raises for devices without a backend
    t = make(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_np(data):
    """PyTorch's dtype for nested Python data: bool < int64 < default float < complex."""
    arr = xp.asarray(data)
    kind = arr.dtype.kind
    if kind == "b":
        return arr
    if kind in "iu":
        return arr.astype(xp.int64, copy=False)
    if kind == "f":
        return arr.astype(_dtype.get_default_dtype()._np, copy=False)
    if kind == "c":
        return arr.astype(_dtype.default_complex()._np, copy=False)
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _unwrap(data):
    """Nested sequences with tensors inside become nested Python numbers (no recursion
    limit worries: data nesting is as deep as a tensor's dims)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        if any(isinstance(d, (Tensor, list, tuple)) for d in data):
            items = [_unwrap(d) for d in data]
            if items and all(isinstance(i, xp.ndarray) for i in items):
                shapes = {i.shape for i in items}
                if len(shapes) == 1:
                    return xp.stack(items)
            return items
    return data


def array_from_data(data, dtype=None):
    """A fresh array holding ``data`` (numbers, nested sequences, arrays, tensors)."""
    np_dtype = _np_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(np_dtype) if np_dtype is not None else arr.copy()
    if isinstance(data, xp.ndarray) or hasattr(data, "__array_interface__"):
        arr = xp.array(data)
        if np_dtype is not None:
            return arr.astype(np_dtype, copy=False)
        _dtype.from_numpy_dtype(arr.dtype)
        return arr
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (list, tuple)):
        data = _unwrap(data)
        try:
            arr = xp.array(data)
        except ValueError:
            raise ValueError(_ragged_message(data)) from None
        if arr.dtype == object:
            raise TypeError(_object_message(data))
    elif hasattr(data, "dtype") and hasattr(data, "item"):
        arr = xp.array(data)  # NumPy scalar: keeps its dtype
        if np_dtype is not None:
            return arr.astype(np_dtype)
        return arr
    else:
        if not isinstance(data, (_py_int, _py_float, _py_bool, complex)):
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
        arr = xp.array(data)
    if np_dtype is not None:
        if arr.dtype.kind == "f" and xp.dtype(np_dtype).kind in "iu":
            arr = xp.trunc(arr)
        return arr.astype(np_dtype)
    return _infer_np(arr)


def _ragged_message(data) -> str:
    depth = 0
    level = [data]
    while level and all(isinstance(x, (list, tuple)) for x in level):
        lengths = [len(x) for x in level]
        if len(set(lengths)) > 1:
            return f"expected sequence of length {lengths[0]} at dim {depth} (got {lengths[1]})"
        level = [y for x in level for y in x]
        depth += 1
    return "expected a rectangular nested sequence"


def _object_message(data) -> str:
    return "Could not infer dtype of object"


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``; its dtype is inferred as PyTorch does.

    >>> numtorch.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> numtorch.tensor(2.5).dtype
    numtorch.float32
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(array_from_data(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a NumPy array or tensor when the dtype allows.

    >>> import numpy as np
    >>> a = np.zeros(2, dtype=np.float32); t = numtorch.as_tensor(a); a[0] = 1; t
    tensor([1., 0.])
    """
    np_dtype = _np_dtype(dtype)
    if isinstance(data, Tensor):
        if np_dtype is None or data._data.dtype == np_dtype:
            return data
        return data.to(_dtype.FROM_NP[xp.dtype(np_dtype)])
    if isinstance(data, xp.ndarray) and (np_dtype is None or data.dtype == np_dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return make(data)
    return _finish(array_from_data(data, dtype), False, device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array.

    >>> import numpy as np
    >>> numtorch.from_numpy(np.array([1, 2]))
    tensor([1, 2])
    """
    if not isinstance(ndarray, xp.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return make(ndarray)


def _shape(size) -> tuple:
    if len(size) == 1 and not isinstance(size[0], (_py_int,)) and size[0] is not None:
        if hasattr(size[0], "__index__") and not isinstance(size[0], (tuple, list, Size)):
            return (int(size[0]),)
        size = tuple(size[0])
    for s in size:
        if isinstance(s, _py_float) or not hasattr(s, "__index__"):
            raise TypeError(
                f"zeros(): argument 'size' (position 1) must be tuple of ints, but found element "
                f"of type {type(s).__name__} at pos 0"
            )
        if int(s) < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {int(s)}: {list(size)}"
            )
    return tuple(int(s) for s in size)


def _float_np(dtype):
    return _np_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()._np


def _factory(fill):
    def factory(
        *size,
        out=None,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        pin_memory=False,
        memory_format=None,
    ):
        data = fill(_shape(size), _float_np(dtype))
        if out is not None:
            from ._common import write_out

            return write_out(out, make(data))
        return _finish(data, requires_grad, device)

    return factory


zeros = _factory(xp.zeros)
zeros.__name__ = "zeros"
zeros.__doc__ = "A tensor of zeros.\n\n>>> numtorch.zeros(2)\ntensor([0., 0.])"
ones = _factory(xp.ones)
ones.__name__ = "ones"
ones.__doc__ = "A tensor of ones.\n\n>>> numtorch.ones(2, dtype=numtorch.int64)\ntensor([1, 1])"
empty = _factory(xp.zeros)  # "uninitialised": zeros are a valid choice, and reproducible
empty.__name__ = "empty"
empty.__doc__ = "An uninitialised tensor (numtorch fills it with zeros)."


def full(
    size,
    fill_value,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A tensor filled with ``fill_value``; the dtype follows the value (bool, int64, float).

    >>> numtorch.full((2,), 7)
    tensor([7, 7])
    """
    if dtype is None:
        if isinstance(fill_value, Tensor):
            fill_value = fill_value.item()
        dtype = _dtype._scalar_dtype(fill_value)
    data = xp.full(_shape((size,)), fill_value, dtype=_np_dtype(dtype))
    return _finish(data, requires_grad, device)


def _like(fn_name):
    def like(
        input,
        *,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        memory_format=None,
        pin_memory=False,
    ):
        dt = _np_dtype(dtype) or input._data.dtype
        data = {"zeros_like": xp.zeros, "ones_like": xp.ones, "empty_like": xp.zeros}[fn_name](
            input._data.shape, dt
        )
        return _finish(data, requires_grad, device)

    like.__name__ = fn_name
    like.__doc__ = f"``{fn_name[:-5]}`` with ``input``'s shape and dtype."
    return like


zeros_like = _like("zeros_like")
ones_like = _like("ones_like")
empty_like = _like("empty_like")


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    dt = _np_dtype(dtype) or input._data.dtype
    return _finish(xp.full(input._data.shape, fill_value, dt), requires_grad, device)


@tensor_method()
def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    return _finish(xp.zeros(_shape(size), _np_dtype(dtype) or self._data.dtype), requires_grad)


@tensor_method()
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    return _finish(xp.ones(_shape(size), _np_dtype(dtype) or self._data.dtype), requires_grad)


@tensor_method()
def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
    return new_zeros(self, *size, dtype=dtype, requires_grad=requires_grad)


@tensor_method()
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw):
    dt = _np_dtype(dtype) or self._data.dtype
    return _finish(xp.full(_shape((size,)), fill_value, dt), requires_grad)


@tensor_method()
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    dt = dtype if dtype is not None else self.dtype
    return _finish(array_from_data(data, dt), requires_grad)


def _number(value):
    return value.item() if isinstance(value, Tensor) else value


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """Values from ``start`` to ``end`` (exclusive) by ``step``.

    >>> numtorch.arange(1, 4)
    tensor([1, 2, 3])
    >>> numtorch.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        floating = any(isinstance(v, _py_float) for v in (start, end, step))
        np_dtype = _dtype.get_default_dtype()._np if floating else xp.dtype(xp.int64)
    else:
        np_dtype = xp.dtype(_np_dtype(dtype))
    count = math.ceil((end - start) / step)
    data = (
        (start + xp.arange(count, dtype=xp.float64) * step)
        if np_dtype.kind in "fc" or any(isinstance(v, _py_float) for v in (start, end, step))
        else xp.arange(start, end, step)
    )
    data = data.astype(np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa: A001
    """Deprecated in PyTorch: like arange but ``end`` is included; float by default."""
    if end is None:
        start, end = 0, start
    count = int(math.floor((end - start) / step)) + 1
    np_dtype = _float_np(dtype)
    data = (start + xp.arange(count, dtype=xp.float64) * step).astype(np_dtype)
    return _finish(data, requires_grad, device)


def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    >>> numtorch.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _number(start), _number(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = _float_np(dtype)
    if steps == 1:
        data = xp.array([start], dtype=xp.float64)
    else:
        # PyTorch fills the first half from start and the second half back from end
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        index = xp.arange(steps, dtype=xp.float64)
        half = steps // 2
        data = xp.where(index < half, start + step * index, end - step * (steps - index - 1))
    return _finish(data.astype(np_dtype), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    exponents = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _finish((base**exponents).astype(_float_np(dtype)), requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The identity matrix (``n`` x ``m``).

    >>> numtorch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    data = xp.eye(n, n if m is None else m, dtype=_float_np(dtype))
    return _finish(data, requires_grad, device)


# -- random -------------------------------------------------------------------------------------


class Generator:
    """A random generator with PyTorch's CPU algorithm, as torch.Generator.

    >>> g = numtorch.Generator().manual_seed(0)
    >>> numtorch.rand(2, generator=g)
    tensor([0.4963, 0.7682])
    """

    def __init__(self, device="cpu"):
        self._impl = _random.Generator()
        self.device = _device(device)

    def manual_seed(self, seed) -> Generator:
        self._impl.manual_seed(int(seed))
        return self

    def seed(self) -> int:
        return self._impl.seed()

    def initial_seed(self) -> int:
        return self._impl.initial_seed()

    def get_state(self) -> Tensor:
        return make(self._impl.get_state())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state._data.dtype != xp.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        self._impl.set_state(new_state._data)
        return self

    def __repr__(self) -> str:
        return f"<{__package__.split('.')[0]}._C.Generator object at {hex(id(self))}>"


default_generator = Generator.__new__(Generator)
default_generator._impl = _random.default_generator
default_generator.device = _device("cpu")


def _gen(generator):
    return (generator or default_generator)._impl


def manual_seed(seed) -> Generator:
    """Seeds the default generator (same stream as PyTorch's for the same seed).

    >>> _ = numtorch.manual_seed(0); numtorch.rand(2)
    tensor([0.4963, 0.7682])
    """
    default_generator.manual_seed(seed)
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state, as a uint8 tensor in PyTorch's byte layout."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Uniform samples in [0, 1).

    >>> _ = numtorch.manual_seed(0); numtorch.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    data = _random.uniform(_gen(generator), _shape(size), _float_np(dtype))
    return _finish(data, requires_grad, device)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Standard normal samples.

    >>> _ = numtorch.manual_seed(0); numtorch.randn(3)
    tensor([ 1.5410, -0.2934, -2.1788])
    """
    data = _random.normal(_gen(generator), _shape(size), _float_np(dtype))
    return _finish(data, requires_grad, device)


def randint(
    low=0,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Integers uniform in ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)``."""
    if size is None:
        if isinstance(high, (tuple, list, Size)):
            low, high, size = 0, low, high
        else:
            raise TypeError(
                "randint() received an invalid combination of arguments - got missing 'size'"
            )
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    np_dtype = _np_dtype(dtype) if dtype is not None else xp.int64
    data = _random.randint(_gen(generator), low, high, _shape((size,)), np_dtype)
    return _finish(data, requires_grad, device)


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A random permutation of ``0..n-1``."""
    np_dtype = _np_dtype(dtype) if dtype is not None else xp.int64
    return _finish(_random.randperm(_gen(generator), n, np_dtype), requires_grad, device)


def rand_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(
    input,
    low=0,
    high=None,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


def normal(
    mean,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Normal samples: ``mean``/``std`` numbers (with ``size``) or tensors (elementwise)."""
    gen = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        data = _random.normal_tensor(
            gen,
            mean._data if isinstance(mean, Tensor) else mean,
            std._data if isinstance(std, Tensor) else std,
        )
        return make(data)
    if size is None:
        raise TypeError(
            "normal() received an invalid combination of arguments - got (float, "
            "float), but expected a size"
        )
    data = _random.normal(gen, _shape((size,)), _float_np(dtype), mean, std)
    return _finish(data, requires_grad, device)


def _fill_random(self, values_fn):
    """Fills ``self`` in place with values produced in PyTorch's memory order."""
    data = self._data
    contiguous = data.flags.c_contiguous
    values = values_fn(contiguous)
    if not contiguous:
        strides = tuple(s // data.itemsize for s in data.strides)
        values = _random.scatter_in_memory_order(values, data.shape, strides)
    from ..autograd.grad_mode import no_grad

    with no_grad():
        self._check_inplace()
        xp.copyto(data, values.reshape(data.shape), casting="unsafe")
    self._vc[0] += 1
    return self


@tensor_method()
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fills with uniform samples in ``[a, b)``."""
    self._check_inplace()
    return _fill_random(
        self,
        lambda contiguous: _random.uniform(
            _gen(generator), self._data.size, self._data.dtype, a, b
        ),
    )


@tensor_method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills with normal samples."""
    self._check_inplace()
    return _fill_random(
        self,
        lambda contiguous: _random.normal(
            _gen(generator), self._data.size, self._data.dtype, mean, std, contiguous
        ),
    )


@tensor_method()
def random_(self, from_=0, to=None, *, generator=None):
    """Fills with integers in ``[from, to)`` (the dtype's full range when no bounds)."""
    self._check_inplace()
    if to is None and from_ == 0:
        fn = lambda c: _random.random_(_gen(generator), self._data.size, self._data.dtype)  # noqa: E731
    else:
        if to is None:
            from_, to = 0, from_
        fn = lambda c: _random.randint(  # noqa: E731
            _gen(generator), from_, to, self._data.size, self._data.dtype
        )
    return _fill_random(self, fn)


@tensor_method()
def bernoulli_(self, p=0.5, *, generator=None):
    self._check_inplace()
    if isinstance(p, Tensor):
        values = _random.bernoulli(_gen(generator), xp.broadcast_to(p._data, self._data.shape))
        return _fill_random(self, lambda c: values.reshape(-1))
    return _fill_random(
        self,
        lambda c: _random.bernoulli_scalar(_gen(generator), self._data.size, self._data.dtype, p),
    )


@tensor_method()
def exponential_(self, lambd=1.0, *, generator=None):
    self._check_inplace()
    return _fill_random(
        self,
        lambda c: _random.exponential(_gen(generator), self._data.size, self._data.dtype, lambd),
    )


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 1 with probability ``input`` (elementwise), else 0."""
    if p is not None:
        return zeros_like(input).bernoulli_(p, generator=generator)
    return make(_random.bernoulli(_gen(generator), input._data))


Tensor.bernoulli = bernoulli


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (unnormalised probabilities)."""
    return make(_random.multinomial(_gen(generator), input._data, num_samples, replacement))


Tensor.multinomial = multinomial


def poisson(input, generator=None):
    return make(_random.poisson(_gen(generator), input._data))
