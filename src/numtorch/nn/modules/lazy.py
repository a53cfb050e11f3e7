"""LazyModuleMixin: modules whose parameter shapes come from their first input, as
torch.nn.modules.lazy. A lazy module holds ``UninitializedParameter``s; its first call infers
the shapes (``initialize_parameters``), materialises and initialises the parameters (drawing
from the generator then, as PyTorch does) and turns the module into ``cls_to_become``."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from ...autograd.grad_mode import no_grad
from ..parameter import is_lazy

if TYPE_CHECKING:  # a mixin for Module subclasses: type-check it as one
    from .module import Module as _MixinBase
else:
    _MixinBase = object

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin(_MixinBase):
    cls_to_become: type | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._register_lazy_hooks()

    def _register_lazy_hooks(self) -> None:
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(
            self._infer_parameters, with_kwargs=True
        )

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # an uninitialised entry is saved as itself (it has nothing to detach)
        for name, param in self._parameters.items():
            if param is not None:
                lazy_or_kept = is_lazy(param) or keep_vars
                destination[prefix + name] = param if lazy_or_kept else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def _lazy_load_hook(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, errors
    ):
        # loading real values into a lazy entry gives it their shape first
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param):
                value = state_dict[key]
                if not is_lazy(value):
                    with no_grad():
                        param.materialize(value.shape)

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}"
        )

    def has_uninitialized_params(self) -> bool:
        values = itertools.chain(self._parameters.values(), self._buffers.values())
        return any(is_lazy(value) for value in values)

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become
