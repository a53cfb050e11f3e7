"""The Tensor: an array, its autograd state and its dunders. The math lives in ``ops/``.

A tensor's state is a handful of slots: ``_data`` (the array), ``_grad_fn``/``_output_nr`` (its
place in the backward graph), ``_requires_grad``, ``_grad``, ``_vc`` (a one-element list: the
version counter, shared by a tensor and all its views), ``_base``/``_view_fn`` (for a view: the
tensor it views and the ops that rebuild it from there, replayed when an in-place op on the
view rewrites the base's history), and ``_accumulator`` (a leaf's AccumulateGrad, held weakly).
"""

from __future__ import annotations

import warnings
import weakref
from typing import TYPE_CHECKING, Any, cast

from . import _backend, _dtype
from ._backend import CPU, ndarray
from ._errors import hinted
from ._printing import tensor_repr
from .autograd import function as _function
from .autograd import graph as _graph
from .autograd.grad_mode import STATE
from .autograd.graph import RemovableHandle, grad_accumulator

__all__ = ["Tensor", "Size", "make", "make_view", "wrap_output", "alias", "legacy_type_name"]

_np = _backend.numpy
_FROM_NP = _dtype.FROM_NP
_PKG = __package__ or "numtorch"


class Size(tuple):
    """A tensor's shape: a tuple whose repr reads ``numtorch.Size([2, 3])``.

    >>> numtorch.zeros(2, 3).shape
    numtorch.Size([2, 3])
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{_PKG}.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))


_LEGACY_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}


def legacy_type_name(np_dtype) -> str:
    """``torch.FloatTensor`` style name of a dtype, as PyTorch's error messages use."""
    return f"{_PKG}.{_LEGACY_NAMES[_np.dtype(np_dtype).name]}"


_NO_COPY = (
    "Unable to avoid copy while creating an array as requested.\nIf using `np.array(obj, "
    "copy=False)` replace it with `np.asarray(obj)` to allow a copy when needed (no behavior "
    "change in NumPy 1.x).\nFor more details, see "
    "https://numpy.org/devdocs/numpy_2_0_migration_guide.html#adapting-to-changes-in-the-copy-"
    "keyword."
)
_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If "
    "you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. "
    "See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered internally at "
    "/__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)"
)


class _Strong:
    """Holds a leaf's AccumulateGrad strongly once hooks live on it (a weakref would drop them)."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def __call__(self):
        return self.node


class Tensor:
    """A multi-dimensional array with autograd, as torch.Tensor.

    The legacy constructor works as in PyTorch: ``Tensor([1, 2])`` copies data into the default
    float dtype and ``Tensor(2, 3)`` makes an uninitialised (here: zero) 2x3 tensor.

    >>> numtorch.Tensor([2])
    tensor([2.])
    """

    __slots__ = ("_data", "_vc", "__dict__", "__weakref__")
    if TYPE_CHECKING:
        # Seen only by the type checker. The slots' types, and the methods and operators that the
        # op modules attach to the class at runtime (ops/*.py, nn/functional.py).
        _data: Any
        _vc: list[int]

        def __getattr__(self, name: str) -> Any: ...
        def __getitem__(self, key: Any) -> Tensor: ...
        def __setitem__(self, key: Any, value: Any) -> None: ...
        def __eq__(self, other: object) -> Any: ...
        def __ne__(self, other: object) -> Any: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __iadd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __isub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __imul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __itruediv__(self, other: Any) -> Tensor: ...
        def __floordiv__(self, other: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __ifloordiv__(self, other: Any) -> Tensor: ...
        def __mod__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __imod__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __ipow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __rand__(self, other: Any) -> Tensor: ...
        def __iand__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __ror__(self, other: Any) -> Tensor: ...
        def __ior__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __rxor__(self, other: Any) -> Tensor: ...
        def __ixor__(self, other: Any) -> Tensor: ...
        def __lshift__(self, other: Any) -> Tensor: ...
        def __rlshift__(self, other: Any) -> Tensor: ...
        def __ilshift__(self, other: Any) -> Tensor: ...
        def __rshift__(self, other: Any) -> Tensor: ...
        def __rrshift__(self, other: Any) -> Tensor: ...
        def __irshift__(self, other: Any) -> Tensor: ...

    # Autograd state lives in the instance dict with these class-level defaults, so creating a
    # tensor that needs no grad (the common case) writes two fields, not nine.
    _grad_fn = None
    _requires_grad = False
    _output_nr = 0
    _base: Tensor | None = None
    _view_fn: tuple | None = None
    _grad: Tensor | None = None
    _accumulator = None
    # NumPy defers ``ndarray + tensor`` to Tensor.__radd__ (a tensor results, as in PyTorch)
    __array_priority__ = 1000
    _legacy_dtype = None  # set on FloatTensor & co.

    def __new__(cls, *args, device=None):
        dtype = cls._legacy_dtype or _dtype.get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], int):
            arg = args[0]
            if isinstance(arg, Tensor):
                if cls._legacy_dtype is not None and arg.dtype is not dtype:
                    raise TypeError(
                        f"expected {legacy_type_name(dtype._np)} (got "
                        f"{legacy_type_name(arg._data.dtype)})"
                    )
                data = arg._data
            elif isinstance(arg, Size):
                data = _np.zeros(tuple(arg), dtype._np)
            elif isinstance(arg, (float, complex, bool)) or not hasattr(arg, "__len__"):
                raise TypeError(f"new(): data must be a sequence (got {type(arg).__name__})")
            else:
                from .ops.creation import array_from_data

                data = array_from_data(arg, dtype)
        else:
            for a in args:
                if not isinstance(a, int) or isinstance(a, bool):
                    raise TypeError(
                        f"new(): argument 'size' must be tuple of ints, but found element of type "
                        f"{type(a).__name__} at pos 0"
                    )
            data = _np.zeros(args if args else (0,), dtype._np)
        out = make(data)
        if cls is not Tensor and cls._legacy_dtype is None:
            out = cls._make_subclass(cls, out)
        return out

    def __init__(self, *args, **kwargs) -> None:
        pass

    @staticmethod
    def _make_subclass(cls, data: Tensor, require_grad: bool = False):
        """A ``cls`` instance sharing ``data``'s memory (how Parameter is made)."""
        t = object.__new__(cls)
        t._data = data._data
        t._vc = data._vc
        if require_grad:
            t.requires_grad_(True)
        return t

    # -- metadata -------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the size of one dimension.

        >>> numtorch.zeros(2, 3).size(-1)
        3
        """
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self) -> _dtype.dtype:
        return _FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def layout(self):
        return "torch.strided"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def get_device(self) -> int:
        return -1

    def data_ptr(self) -> int:
        # .ctypes.data, not __array_interface__: the latter leaks a little memory per call
        return self._data.ctypes.data

    def storage_offset(self) -> int:
        root = self._data
        while isinstance(root.base, ndarray):
            root = root.base
        return (self.data_ptr() - root.ctypes.data) // self._data.itemsize

    def stride(self, dim=None):
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        if 0 in self._data.shape:
            strides = _contiguous_strides(self._data.shape)
        if dim is None:
            return strides
        return strides[self._wrap_dim(dim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def _wrap_dim(self, dim: int, ndim: int | None = None) -> int:
        n = self._data.ndim if ndim is None else ndim
        low, high = (-1, 0) if n == 0 else (-n, n - 1)
        if not isinstance(dim, int):
            dim = int(dim)
        if dim < low or dim > high:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{low}, {high}], but got "
                f"{dim})"
            )
        return dim % n if n else 0

    # -- autograd state -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Sets ``requires_grad`` in place on a leaf; returns the tensor.

        >>> numtorch.ones(2).requires_grad_()
        tensor([1., 1.], requires_grad=True)
        """
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise hinted(
                RuntimeError("only Tensors of floating point dtype can require gradients"),
                f"this tensor is {self.dtype}; gradients are only defined for floating point "
                "values. Make it float first: x.float().requires_grad_(), or create it with "
                "float data (torch.tensor([1., 2.])) or dtype=torch.float32.",
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def grad(self):
        if self._grad_fn is not None and not self.retains_grad and self._grad is None:
            warning = hinted(
                UserWarning(_NONLEAF_GRAD_WARNING),
                f"this tensor was made by {self._grad_fn.name()}, so it is not a leaf, and "
                "backward() only fills .grad of leaves. Call .retain_grad() on it before "
                "backward() to keep its gradient, or read .grad of the leaf it came from.",
            )
            warnings.warn(warning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        fn = self._grad_fn
        if fn is None or not fn._retained:
            return False
        ref = fn._retained.get(self._output_nr)
        return ref is not None and ref() is self

    def retain_grad(self) -> None:
        """Makes a non-leaf tensor keep its ``.grad`` after backward (leaves always do)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        fn = self._grad_fn
        if fn is None:
            return
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook) -> RemovableHandle:
        """Runs ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. ``handle.remove()`` takes the hook out.

        >>> x = numtorch.ones(2, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 2)
        >>> (x * 3).sum().backward(); x.grad
        tensor([6., 6.])
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(self._output_nr, hook)
        node = grad_accumulator(self)
        self._accumulator = _Strong(node)
        return node._register_tensor_hook(0, hook)

    # leaf only: hook(tensor) after backward has accumulated into .grad (None: no hooks)
    _post_accumulate_hooks: dict | None = None

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """Runs ``hook(self)`` each time backward has accumulated a gradient into this leaf's
        ``.grad`` (e.g. to step an optimizer per parameter during backward); the hook must
        return None. ``handle.remove()`` takes it out.

        >>> w = numtorch.ones(2, requires_grad=True)
        >>> h = w.register_post_accumulate_grad_hook(lambda t: t.grad.mul_(0.5))
        >>> (w * 4).sum().backward(); w.grad
        tensor([2., 2.])
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        handle = RemovableHandle(self._post_accumulate_hooks)
        self._post_accumulate_hooks[handle._key] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulates d(self)/d(leaf) into every leaf's ``.grad`` (times ``gradient``: the
        vector-Jacobian product; required unless self has one element).

        >>> x = numtorch.tensor([1., 2.], requires_grad=True)
        >>> (x ** 2).sum().backward(); x.grad
        tensor([2., 4.])
        """
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing memory (and version counter) with no history."""
        t = make(self._data)
        t._vc = self._vc
        return t

    def detach_(self) -> Tensor:
        if self._base is not None and self._grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedD"
                "ataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
                "gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        # shares memory but not the version counter: changes through .data go unnoticed
        return make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    # -- conversion to Python and NumPy ----------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False):
        """The NumPy array behind the tensor (shared memory, as PyTorch's numpy())."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        # NumPy 2's protocol: copy=False must not copy, so a dtype change then raises
        if self._requires_grad:
            self.numpy()  # raises PyTorch's error
        data = self._data
        if dtype is not None and data.dtype != dtype:
            if copy is False:
                raise ValueError(_NO_COPY)
            return data.astype(dtype)
        return data.copy() if copy else data

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # ufuncs on tensors (np.sin(t), np.add(a, t)) give tensors back, as PyTorch's do
        return make(_np.asarray(array))

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {'no' if self._data.size == 0 else 'more than one'}"
                " values is ambiguous"
            )
        return bool(self._data.item())

    def __float__(self) -> float:
        if self._requires_grad:
            _warn_scalar_once()
        return float(self.item())

    def __int__(self) -> int:
        if self._requires_grad:
            _warn_scalar_once()
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None) -> str:
        return tensor_repr(self, tensor_contents=tensor_contents)

    def __format__(self, spec: str) -> str:
        # PyTorch formats a plain 0-d tensor as its number (f"{loss}" prints 0.6931...), and
        # anything else only with an empty spec, as its repr
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self._data.item(), spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = type(self)._make_subclass(type(self), make(self._data.copy()), self._requires_grad)
        if type(self) is Tensor:
            new = make(self._data.copy())
            new._requires_grad = self._requires_grad
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        new.__dict__.update((k, v) for k, v in self.__dict__.items() if k not in _AUTOGRAD_FIELDS)
        memo[id(self)] = new
        return new

    # -- in-place machinery ------------------------------------------------------------------
    def _check_inplace(self) -> None:
        if not STATE.grad_enabled:
            return
        if self._requires_grad and self._grad_fn is None:
            raise hinted(
                # a leaf that is itself a view (x = t.view(3, 3).requires_grad_()) is named so
                RuntimeError(_VIEW_INPLACE if self._base is not None else _LEAF_INPLACE),
                f"this leaf of shape {list(self._data.shape)} requires grad, and changing it in "
                "place would lose the value its gradient is taken at. Update parameters inside "
                "`with torch.no_grad():`, or use an out-of-place op (x = x + 1).",
            )
        if self.__dict__.get("_no_grad_view"):
            raise RuntimeError(
                "A view was created in no_grad mode and is being modified inplace with grad mode "
                "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
                "You can clarify your code by moving both the view and the inplace either both "
                "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked)."
            )
        base = self._base
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise hinted(
                RuntimeError(_VIEW_INPLACE),
                "this tensor is a view (an index, slice or reshape) of a leaf that requires "
                "grad. Change a .clone() of the leaf instead, or do it inside torch.no_grad().",
            )

    def _inplace(self, fn, *args, **kwargs) -> Tensor:
        """Runs ``fn(self, *args)`` out of place, writes the result into self and makes the
        result's node self's history (through CopySlices when self is a view)."""
        record = STATE.grad_enabled and (
            self._requires_grad
            or any(getattr(a, "_requires_grad", False) for a in args)
            or any(getattr(a, "_requires_grad", False) for a in kwargs.values())
        )
        if record or (STATE.grad_enabled and "_no_grad_view" in self.__dict__):
            self._check_inplace()
        result = fn(self, *args, **kwargs)
        out = result._data
        data = self._data
        if out.shape != data.shape:
            wanted = _np.broadcast_shapes(out.shape, data.shape)
            if wanted != data.shape:
                raise RuntimeError(
                    f"output with shape {list(data.shape)} doesn't match the broadcast shape "
                    f"{list(wanted)}"
                )
        if out.dtype != data.dtype and not _dtype.can_cast(_FROM_NP[out.dtype], self.dtype):
            raise RuntimeError(
                f"result type {_short_name(out.dtype)} can't be cast to the desired output type "
                f"{_short_name(data.dtype)}"
            )
        node = result._grad_fn if record else None
        if node is not None and node._saved:
            shadow = None
            entries = []
            for entry in node._saved:
                if entry is not None and entry[0] is self:
                    if shadow is None:
                        shadow = make(data.copy(), self._grad_fn, self._output_nr)
                        shadow._requires_grad = self._requires_grad
                    entry = (shadow, 0)
                entries.append(entry)
            node._saved = tuple(entries)
        if out is not data:
            try:
                _np.copyto(data, out, casting="unsafe")
            except ValueError:  # NumPy marks expanded (stride-0) views read-only
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation."
                ) from None
        self._vc[0] += 1
        if node is not None:
            if node._saved:
                node._saved = tuple(
                    (None, data, self._vc, self._vc[0], e[4])
                    if e is not None and e[0] is None and e[1] is out
                    else e
                    for e in node._saved
                )
            if not (node.next_functions and _same_edge(node.next_functions[0], self)):
                from .ops.shape import copy_node

                node = copy_node(self, result)
            self._set_history(node)
        return self

    def _set_history(self, node) -> None:
        base = self._base
        if base is None:
            self._grad_fn, self._output_nr, self._requires_grad = node, 0, True
            return
        from .ops.shape import AsStrided, copy_slices

        base_node = copy_slices(base, self._view_fn, node)
        base._grad_fn, base._output_nr, base._requires_grad = base_node, 0, True
        # PyTorch regenerates the view's history as one as_strided view of the new base
        fresh = AsStrided.apply(base, self._data.shape, self._view_fn)
        self._grad_fn, self._output_nr, self._requires_grad = fresh._grad_fn, 0, True

    def _sum_to(self, shape) -> Tensor:
        from .ops.reduce import sum_to_size

        return sum_to_size(self, shape)

    def _to_np_dtype(self, np_dtype) -> Tensor:
        from .ops.elementwise import ToCopy

        return ToCopy.apply(self, np_dtype)


_AUTOGRAD_FIELDS = frozenset(
    ("_grad_fn", "_requires_grad", "_output_nr", "_base", "_view_fn", "_grad", "_accumulator")
)


_warned: set[str] = set()


def _warn_scalar_once() -> None:
    # PyTorch raises this with TORCH_WARN_ONCE: once per process
    if "scalar" in _warned:
        return
    _warned.add("scalar")
    warnings.warn(
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first. (Triggered internally at "
        "/__w/pytorch/pytorch/torch/csrc/autograd/generated/python_variable_methods.cpp:822.)",
        UserWarning,
        stacklevel=3,
    )


def _same_edge(edge, tensor) -> bool:
    fn = tensor._grad_fn
    if fn is not None:
        return edge[0] is fn and edge[1] == tensor._output_nr
    if not tensor._requires_grad:
        return edge[0] is None
    ref = tensor._accumulator
    return ref is not None and edge[0] is ref()


def _short_name(np_dtype) -> str:
    return _LEGACY_NAMES[_np.dtype(np_dtype).name][: -len("Tensor")]


def _contiguous_strides(shape) -> tuple:
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _rebuild(data, requires_grad):
    t = make(data)
    t._requires_grad = requires_grad
    return t


_new = object.__new__


def make(data, grad_fn=None, output_nr: int = 0) -> Tensor:
    """Wraps an array in a new Tensor (the fast internal constructor)."""
    if data.__class__ is not ndarray:
        data = _np.asarray(data)
    t = _new(Tensor)
    t._data = data
    t._vc = [0]
    if grad_fn is not None:
        t._grad_fn = grad_fn
        t._requires_grad = True
        if output_nr:
            t._output_nr = output_nr
    return t


def make_view(data, source: Tensor, op, args, grad_fn, output_nr: int = 0) -> Tensor:
    """Wraps an array that views ``source``'s memory: same version counter, same base."""
    if data.__class__ is not ndarray:
        data = _np.asarray(data)
    t = _new(Tensor)
    t._data = data
    t._vc = source._vc
    if grad_fn is not None:
        t._grad_fn = grad_fn
        t._requires_grad = True
        if output_nr:
            t._output_nr = output_nr
    base = source._base
    if base is None:
        t._base = source
        t._view_fn = ((op, args),)
    else:
        t._base = base
        t._view_fn = cast(tuple, source._view_fn) + ((op, args),)
    return t


def wrap_output(data, grad_fn, output_nr: int, counter) -> Tensor:
    """Rebuilds a saved output tensor from its data and version counter."""
    t = make(data, grad_fn, output_nr)
    t._vc = counter
    return t


def alias(tensor: Tensor) -> Tensor:
    """A new tensor object viewing the same memory (a custom Function's pass-through output)."""
    t = make(tensor._data)
    t._vc = tensor._vc
    return t


def zeros_for(shape, np_dtype) -> Tensor:
    return make(_np.zeros(shape, np_dtype))


def _legacy_class(name: str, dt) -> type:
    return type(name, (Tensor,), {"__slots__": (), "_legacy_dtype": dt})


legacy_constructors = {
    f"{short}Tensor": _legacy_class(f"{short}Tensor", getattr(_dtype, dt))
    for short, dt in [
        ("Float", "float32"),
        ("Double", "float64"),
        ("Half", "float16"),
        ("Long", "int64"),
        ("Int", "int32"),
        ("Short", "int16"),
        ("Char", "int8"),
        ("Byte", "uint8"),
        ("Bool", "bool"),
    ]
}


_function.make, _function.make_view = make, make_view
_graph.wrap_output = wrap_output
