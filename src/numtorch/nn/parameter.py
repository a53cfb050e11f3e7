"""``Parameter``: a Tensor that a Module registers as learnable; ``Buffer``: one it keeps."""

from __future__ import annotations

from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "is_lazy"]


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


def is_lazy(param) -> bool:
    return False
