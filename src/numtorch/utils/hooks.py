"""``torch.utils.hooks``: the handle that removes a registered hook."""

from __future__ import annotations

from ..autograd.graph import RemovableHandle as _Handle

__all__ = ["RemovableHandle"]


class RemovableHandle(_Handle):
    """Returned by ``register_*_hook``; ``handle.remove()`` takes the hook out, and ``handle.id``
    is its key in the hooks dict, as in PyTorch."""

    __slots__ = ()

    @property
    def id(self) -> int:
        return self._key
