"""Spectral normalization (https://arxiv.org/abs/1802.05957) through a forward pre-hook, as
``torch.nn.utils.spectral_norm``: ``module.weight`` becomes ``weight_orig / sigma`` where
``sigma`` is estimated by power iteration on the buffers ``weight_u`` and ``weight_v``.

>>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(20, 40))
>>> m.weight_u.size(), m.weight_v.size()
(numtorch.Size([40]), numtorch.Size([20]))
"""

from __future__ import annotations

from typing import Any, TypeVar

from ...autograd.grad_mode import no_grad
from .. import functional as F
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module, RemovableHandle
from ..parameter import Parameter

__all__ = [
    "SpectralNorm",
    "SpectralNormLoadStateDictPreHook",
    "SpectralNormStateDictHook",
    "spectral_norm",
    "remove_spectral_norm",
]


def _normalize_into(out, vec, eps: float):
    """``F.normalize(vec, dim=0, eps=eps, out=out)``: the new value lands in ``out``'s memory
    so that every holder of the buffer sees it."""
    out.copy_(F.normalize(vec, dim=0, eps=eps))
    return out


def _register_load_state_dict_pre_hook(module: Module, hook) -> RemovableHandle:
    """Registers ``hook(state_dict, prefix, local_metadata, strict, missing_keys,
    unexpected_keys, error_msgs)`` to run before ``module`` loads its state."""
    register = getattr(module, "_register_load_state_dict_pre_hook", None)
    if register is not None:
        return register(hook)
    handle = RemovableHandle(module._load_state_dict_pre_hooks)
    module._load_state_dict_pre_hooks[handle.id] = hook
    return handle


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name>`` to ``<name>_orig / sigma``.

    >>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(2, 2), n_power_iterations=3)
    >>> [(type(h).__name__, h.n_power_iterations) for h in m._forward_pre_hooks.values()]
    [('SpectralNorm', 3)]
    """

    # Version 1 made the weight a plain attribute, added the `v` buffer and made eval mode
    # use u @ W_orig @ v rather than a stored weight.
    _version: int = 1
    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but "
                f"got n_power_iterations={n_power_iterations}"
            )
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        weight_mat = weight
        if self.dim != 0:
            weight_mat = weight_mat.permute(
                self.dim, *[d for d in range(weight_mat.dim()) if d != self.dim]
            )
        height = weight_mat.size(0)
        return weight_mat.reshape(height, -1)

    def compute_weight(self, module: Module, do_power_iteration: bool):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    # u and v are updated in place: replicas sharing the buffers see the update
                    v = _normalize_into(v, weight_mat.t().mv(u), self.eps)
                    u = _normalize_into(u, weight_mat.mv(v), self.eps)
                # clones, so that a backward through an earlier forward (D(real) - D(fake) in
                # a GAN) does not see the buffers modified by a later power iteration
                u = u.clone()
                v = v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat, u, target_sigma):
        # a v with u = normalize(W @ v) and u @ W @ v = sigma; pinverse in case W^T W is singular
        from ...linalg import multi_dot

        v = multi_dot(
            [weight_mat.t().mm(weight_mat).pinverse(), weight_mat.t(), u.unsqueeze(1)]
        ).squeeze(1)
        return v.mul_(target_sigma / u.dot(weight_mat.mv(v)))

    @staticmethod
    def apply(
        module: Module, name: str, n_power_iterations: int, dim: int, eps: float
    ) -> SpectralNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two spectral_norm hooks on the same parameter {name}"
                )
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        with no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # code that initialises weights expects module.weight to exist: a plain attribute, so
        # that it is neither a parameter nor in the state dict
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        module._register_state_dict_hook(SpectralNormStateDictHook(fn))
        _register_load_state_dict_pre_hook(module, SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Converts a state dict saved before version 1 (``weight`` stored, no ``weight_v``).

    >>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(2, 2))
    >>> [type(h).__name__ for h in m._load_state_dict_pre_hooks.values()]
    ['SpectralNormLoadStateDictPreHook']
    """

    def __init__(self, fn) -> None:
        self.fn = fn

    # For a version-None state dict (after at least one training forward) u = normalize(W_orig
    # @ v) and W = W_orig / sigma: v solves W_orig @ x = u, rescaled so that u @ W_orig @ v
    # gives sigma back.
    def __call__(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ) -> None:
        fn = self.fn
        version = local_metadata.get("spectral_norm", {}).get(fn.name + ".version", None)
        if version is None or version < 1:
            weight_key = prefix + fn.name
            if (
                version is None
                and all(weight_key + s in state_dict for s in ("_orig", "_u", "_v"))
                and weight_key not in state_dict
            ):
                # a hand-made state dict in the current layout without the metadata
                return
            has_missing_keys = False
            for suffix in ("_orig", "", "_u"):
                key = weight_key + suffix
                if key not in state_dict:
                    has_missing_keys = True
                    if strict:
                        missing_keys.append(key)
            if has_missing_keys:
                return
            with no_grad():
                weight_orig = state_dict[weight_key + "_orig"]
                weight = state_dict.pop(weight_key)
                sigma = (weight_orig / weight).mean()
                weight_mat = fn.reshape_weight_to_matrix(weight_orig)
                u = state_dict[weight_key + "_u"]
                v = fn._solve_v_and_rescale(weight_mat, u, sigma)
                state_dict[weight_key + "_v"] = v


class SpectralNormStateDictHook:
    """Records the layout version under ``metadata['spectral_norm']`` when saving.

    >>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(2, 2))
    >>> m.state_dict()._metadata[""]["spectral_norm"]
    {'weight.version': 1}
    """

    def __init__(self, fn) -> None:
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata) -> None:
        if "spectral_norm" not in local_metadata:
            local_metadata["spectral_norm"] = {}
        key = self.fn.name + ".version"
        if key in local_metadata["spectral_norm"]:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        local_metadata["spectral_norm"][key] = self.fn._version


T_module = TypeVar("T_module", bound=Module)


def spectral_norm(
    module: T_module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T_module:
    """Rescales ``module.<name>`` by its spectral norm, estimated by ``n_power_iterations``
    steps of power iteration before every forward in training mode (``dim`` defaults to 1 for
    ConvTranspose modules, else 0).

    >>> numtorch.manual_seed(0)  # doctest: +ELLIPSIS
    <...>
    >>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(20, 40))
    >>> sorted(dict(m.named_parameters())), sorted(dict(m.named_buffers()))
    (['bias', 'weight_orig'], ['weight_u', 'weight_v'])
    """
    if dim is None:
        if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)):
            dim = 1
        else:
            dim = 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Removes the spectral normalization hook, leaving ``module.<name>`` a parameter holding
    the current normalized weight.

    >>> m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(40, 10))
    >>> sorted(dict(numtorch.nn.utils.remove_spectral_norm(m).state_dict()))
    ['bias', 'weight']
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")

    for k, hook in module._state_dict_hooks.items():
        if isinstance(hook, SpectralNormStateDictHook) and hook.fn.name == name:
            del module._state_dict_hooks[k]
            break

    for k, hook in module._load_state_dict_pre_hooks.items():
        # a module that wraps its load hooks keeps the hook on the wrapper
        inner = getattr(hook, "hook", hook)
        if isinstance(inner, SpectralNormLoadStateDictPreHook) and inner.fn.name == name:
            del module._load_state_dict_pre_hooks[k]
            break

    return module
