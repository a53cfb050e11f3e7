"""Calling a module with other parameters and buffers, as ``torch.nn.utils.stateless``.

>>> m = numtorch.nn.Linear(2, 1)
>>> params = {"weight": numtorch.ones(1, 2), "bias": numtorch.zeros(1)}
>>> from numtorch.func import functional_call
>>> functional_call(m, params, (numtorch.tensor([1.0, 2.0]),))
tensor([3.])
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from typing import Any

from ..._tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

_MISSING: Any = object()


def _untie_named_tensors_map(module: Module, parameters_and_buffers: dict) -> dict:
    """``parameters_and_buffers`` plus, for each given name of a tied tensor (one tensor under
    several names), the same value under the other names; raises when a tied tensor gets
    different values under different names."""
    all_named_tensors: dict[str, Tensor] = {}
    all_named_tensors.update(module.named_parameters(remove_duplicate=False))
    all_named_tensors.update(module.named_buffers(remove_duplicate=False))

    names_by_tensor: dict[int, set[str]] = {}
    for name, tensor in all_named_tensors.items():
        names_by_tensor.setdefault(id(tensor), set()).add(name)
    tied_names_map: dict[str, set[str]] = {}
    for tied_names in names_by_tensor.values():
        if len(tied_names) > 1:
            for tied_name in tied_names:
                tied_names_map[tied_name] = tied_names

    given_names = set(parameters_and_buffers)
    given_tied = {name for name in given_names if name in tied_names_map}
    for given_name in given_tied:
        tied_names = tied_names_map[given_name]
        values = {id(parameters_and_buffers[n]) for n in tied_names if n in given_names}
        if len(tied_names & given_tied) > 1 and len(values) != 1:
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(tied_names)}, "
                f"which are tied. Consider using tie_weights=False"
            )
    untied = parameters_and_buffers.copy()
    for given_name in given_tied:
        for tied_name in tied_names_map[given_name]:
            untied[tied_name] = parameters_and_buffers[given_name]
    return untied


def _get_submodule(module: Module, path: str) -> Module:
    for attr in path.split(".") if path else []:
        try:
            sub = getattr(module, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(sub, Module):
            raise TypeError(f"submodule `{path}`: {sub} is not an instance of torch.nn.Module")
        module = sub
    return module


def _swap_tensor(module: Module, name: str, tensor) -> Any:
    """Puts ``tensor`` (``_MISSING``: nothing) under ``name`` and returns what was there."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    for store in (module._parameters, module._buffers):
        if name in store:
            orig = store[name]
            if tensor is _MISSING:
                del store[name]
            else:
                store[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    # a plain attribute (or a parametrization's property, whose setter runs right_inverse)
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _swap_all(module: Module, named_tensors: dict) -> dict:
    originals: dict = {}
    try:
        for name, tensor in named_tensors.items():
            prefix, _, attr = name.rpartition(".")
            originals[name] = _swap_tensor(_get_submodule(module, prefix), attr, tensor)
    except Exception:
        for name, orig in originals.items():
            prefix, _, attr = name.rpartition(".")
            _swap_tensor(_get_submodule(module, prefix), attr, orig)
        raise
    return originals


@contextlib.contextmanager
def _reparametrize_module(
    module: Module, parameters_and_buffers: dict, tie_weights=False, strict=False
):
    if tie_weights:
        untied = _untie_named_tensors_map(module, parameters_and_buffers)
    else:
        untied = parameters_and_buffers
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing_keys = sorted(valid - set(untied))
        unexpected_keys = sorted(set(untied) - valid)
        error_msgs = []
        if unexpected_keys:
            error_msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected_keys))}.")
        if missing_keys:
            error_msgs.append(f"Missing key(s): {', '.join(map(repr, missing_keys))}.")
        if error_msgs:
            raise RuntimeError(
                "Error(s) in reparametrizing for {}:\n\t{}".format(
                    module._get_name(), "\n\t".join(error_msgs)
                )
            )
    originals: dict = {}
    try:
        originals = _swap_all(module, untied)
        yield
    finally:
        current = _swap_all(module, originals)
        # in-place updates of the given tensors (a buffer reassigned in forward) reach the caller
        parameters_and_buffers.update(
            {k: current[k] for k in parameters_and_buffers if k in current}
        )


def _functional_call(
    module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False
):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(
        module, parameters_and_buffers, tie_weights=tie_weights, strict=strict
    ):
        return module(*args, **kwargs)


def functional_call(
    module: Module,
    parameters_and_buffers: dict,
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    """Calls ``module(*args, **kwargs)`` with the named parameters and buffers replaced by the
    given tensors for the duration of the call (deprecated in PyTorch, with a FutureWarning, in
    favour of ``numtorch.func.functional_call``). Tied tensors follow each other unless
    ``tie_weights=False``; ``strict=True`` requires exactly the module's names.

    >>> import warnings
    >>> m = numtorch.nn.Linear(1, 1)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.nn.utils.stateless.functional_call(
    ...         m, {"weight": numtorch.full((1, 1), 2.0), "bias": numtorch.ones(1)},
    ...         numtorch.ones(1))
    tensor([3.])
    """
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 "
        "and will be removed in a future version of PyTorch. "
        "Please use `torch.func.functional_call` instead which is a drop-in replacement.",
        FutureWarning,
        stacklevel=2,
    )
    return _functional_call(
        module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict
    )


def _merge_dicts(parameter_and_buffer_dicts) -> dict:
    """One dict from a dict or a sequence of dicts with distinct keys (torch.func's rule)."""
    if isinstance(parameter_and_buffer_dicts, dict):
        return parameter_and_buffer_dicts
    if isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries"
            )
        counts: dict[str, int] = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated_keys = [key for key, n in counts.items() if n > 1]
        if repeated_keys:
            raise ValueError(
                f"{repeated_keys} appeared in multiple dictionaries; behavior of functional "
                "call is ambiguous"
            )
        return {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    raise ValueError(
        "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, "
        f"but got {type(parameter_and_buffer_dicts)}"
    )
