"""``skip_init``: building a module without spending random draws on its initialisation, as
``torch.nn.utils.init``.

>>> m = numtorch.nn.utils.skip_init(numtorch.nn.Linear, 5, 1)
>>> m.weight.shape
numtorch.Size([1, 5])
"""

from __future__ import annotations

import inspect

from ... import random as _random
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiates ``module_cls(*args, **kwargs)`` (which must take a ``device`` argument)
    whose parameters and buffers are to be initialised by the caller. PyTorch builds it on the
    meta device and allocates uninitialised memory; here the module is built normally and the
    random generator is restored afterwards, so that it draws exactly as after PyTorch's
    ``skip_init`` (the values are whatever the default initialisation gave: overwrite them).

    >>> numtorch.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> m = numtorch.nn.utils.skip_init(numtorch.nn.Linear, in_features=6, out_features=1)
    >>> a = numtorch.rand(1)
    >>> numtorch.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> bool(a == numtorch.rand(1))
    True
    """
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    kwargs.setdefault("device", "cpu")
    state = _random.get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        _random.set_rng_state(state)
