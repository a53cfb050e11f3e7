"""``Parameter``: a Tensor that a Module registers as learnable; ``Buffer``: one it keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._tensor import Tensor

if TYPE_CHECKING:  # a mixin for Tensor subclasses: type-check it as one
    _MixinBase = Tensor
else:
    _MixinBase = object

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter, as torch.nn.Parameter: it shares ``data``'s memory
    and requires grad unless told otherwise.

    >>> numtorch.nn.Parameter(numtorch.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        if type(data) is not Tensor and not isinstance(data, Tensor):
            raise TypeError(
                f"Creating a Parameter from an instance of type {type(data).__name__} requires "
                "that detach() returns an instance of the same type, but return type "
                f"{type(data).__name__} was found instead. To use the type as a Parameter, "
                "please correct the detach() semantics defined by its __torch_dispatch__() "
                "implementation."
            )
        return Tensor._make_subclass(cls, data, requires_grad)

    def __repr__(self, *, tensor_contents=None):
        return "Parameter containing:\n" + super().__repr__(tensor_contents=tensor_contents)

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        if self._grad is not None:
            result._grad = self._grad.clone()
        memo[id(self)] = result
        return result


def _rebuild_parameter(data, requires_grad):
    from .._tensor import make

    return Parameter(make(data), requires_grad)


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as a buffer when assigned to a Module attribute, as torch.nn.Buffer:
    ``self.running = nn.Buffer(numtorch.zeros(3), persistent=False)``."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..ops.creation import empty

            data = empty(0)
        t = data.detach()
        t._is_buffer = True
        t.persistent = persistent
        return t


_UNINITIALIZED_SHAPE = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes."
)


class _UninitializedMixin(_MixinBase):
    """A placeholder whose shape is not known yet (a lazy module's, until its first call);
    ``materialize`` gives it memory and turns it into a ``cls_to_become``."""

    __slots__ = ()
    cls_to_become: type

    def materialize(self, shape, device=None, dtype=None) -> None:
        from ..ops.creation import empty

        data = empty(tuple(shape), dtype=dtype if dtype is not None else self.dtype)
        self._data = data._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINITIALIZED_SHAPE)

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`."
        )

    def __repr__(self, *, tensor_contents=None) -> str:  # type: ignore[override]
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self.requires_grad,))


class UninitializedParameter(_UninitializedMixin, Parameter):  # type: ignore[misc]
    """A parameter of unknown shape (lazy modules), as torch.nn.UninitializedParameter.

    >>> numtorch.nn.UninitializedParameter()
    <UninitializedParameter>
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..ops.creation import empty

        return Tensor._make_subclass(cls, empty(0, dtype=dtype), requires_grad)


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer of unknown shape (lazy modules), as torch.nn.UninitializedBuffer."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from ..ops.creation import empty

        return Tensor._make_subclass(cls, empty(0, dtype=dtype), requires_grad)


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialised (lazy) parameter or buffer."""
    return isinstance(param, _UninitializedMixin)
