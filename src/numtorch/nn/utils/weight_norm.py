"""Weight normalization (https://arxiv.org/abs/1602.07868) through a forward pre-hook, as
``torch.nn.utils.weight_norm``: the weight becomes ``g * v / ||v||`` with parameters
``weight_g`` and ``weight_v``.

>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", FutureWarning)
...     m = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(20, 40), name="weight")
>>> m.weight_g.size(), m.weight_v.size()
(numtorch.Size([40, 1]), numtorch.Size([40, 20]))
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

from ..modules.module import Module
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]

_DEPRECATION = (
    "`torch.nn.utils.weight_norm` is deprecated "
    "in favor of `torch.nn.utils.parametrizations.weight_norm`."
)


def norm_except_dim(v, pow: float = 2, dim: int = 0):
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, kept broadcastable to ``v``
    (``dim=-1`` means the norm of the whole tensor), as ``torch.norm_except_dim``.

    >>> from numtorch.nn.utils.weight_norm import norm_except_dim
    >>> norm_except_dim(numtorch.tensor([[3.0, 4.0], [0.0, 1.0]]), 2, 0)
    tensor([[5.],
            [1.]])
    """
    if dim == -1:
        return v.norm(pow)
    ndim = v.dim()
    if dim == 0:
        shape = [v.size(0)] + [1] * (ndim - 1)
        return v.contiguous().view(v.size(0), -1).norm(pow, dim=1).view(shape)
    if dim == ndim - 1:
        shape = [1] * (ndim - 1) + [v.size(ndim - 1)]
        return v.contiguous().view(-1, v.size(ndim - 1)).norm(pow, dim=0).view(shape)
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


def _weight_norm(v, g, dim: int = 0):
    """``v * (g / ||v||)`` with the norm taken over every dimension but ``dim``, as
    ``torch._weight_norm``.

    >>> from numtorch.nn.utils.weight_norm import _weight_norm
    >>> _weight_norm(numtorch.tensor([[3.0, 4.0]]), numtorch.tensor([[10.0]]), 0)
    tensor([[6., 8.]])
    """
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     m = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(2, 2))
    >>> [type(h).__name__ for h in m._forward_pre_hooks.values()]
    ['WeightNorm']
    """

    name: str
    dim: int

    def __init__(self, name: str, dim: int | None) -> None:
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Module) -> Any:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name: str, dim: int | None) -> WeightNorm:
        # stacklevel 2 points at the line in weight_norm(), where PyTorch's warning points too
        warnings.warn(_DEPRECATION, FutureWarning, stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}"
                )
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


T_module = TypeVar("T_module", bound=Module)


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Reparametrizes ``module.<name>`` as ``g * v / ||v||`` (norm over every dimension but
    ``dim``; ``dim=None`` takes the norm of the whole tensor), recomputed before every forward.
    Deprecated in PyTorch in favour of ``parametrizations.weight_norm`` (a FutureWarning).

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(3, 2), dim=None)
    >>> m.weight_g.shape, sorted(dict(m.named_parameters()))
    (numtorch.Size([]), ['bias', 'weight_g', 'weight_v'])
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Removes the weight normalization hook, leaving ``module.<name>`` a plain parameter with
    the current normalized value.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(3, 2))
    >>> sorted(dict(numtorch.nn.utils.remove_weight_norm(m).named_parameters()))
    ['bias', 'weight']
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
