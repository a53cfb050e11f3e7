"""Pruning, as ``torch.nn.utils.prune``: a parameter ``name`` becomes ``name_orig`` (the
Parameter) times a ``name_mask`` buffer, recomputed by a forward pre-hook before each call.

>>> from numtorch.nn.utils import prune
>>> m = prune.l1_unstructured(numtorch.nn.Linear(2, 2), "weight", amount=2)
>>> sorted(n for n, _ in m.named_parameters()), [n for n, _ in m.named_buffers()]
(['bias', 'weight_orig'], ['weight_mask'])
>>> int(m.weight_mask.sum()), prune.is_pruned(m)
(2, True)
>>> prune.remove(m, "weight").weight.requires_grad
True
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

import numtorch

__all__ = [
    "BasePruningMethod",
    "PruningContainer",
    "Identity",
    "RandomUnstructured",
    "L1Unstructured",
    "RandomStructured",
    "LnStructured",
    "CustomFromMask",
    "identity",
    "random_unstructured",
    "l1_unstructured",
    "random_structured",
    "ln_structured",
    "global_unstructured",
    "custom_from_mask",
    "remove",
    "is_pruned",
]


class BasePruningMethod(ABC):
    """Base of every pruning technique: subclasses define ``PRUNING_TYPE`` and
    :meth:`compute_mask`; an instance is also the module's forward pre-hook.

    >>> class EveryOther(BasePruningMethod):
    ...     PRUNING_TYPE = "unstructured"
    ...     def compute_mask(self, t, default_mask):
    ...         mask = default_mask.clone()
    ...         mask.view(-1)[::2] = 0
    ...         return mask
    >>> EveryOther().prune(numtorch.ones(4))
    tensor([0., 1., 0., 1.])
    """

    _tensor_name: str
    PRUNING_TYPE: str

    def __call__(self, module, inputs):
        """Stores ``orig * mask`` in ``module.<name>`` (the pre-hook body)."""
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for importance scores ``t``, respecting ``default_mask``'s zeros."""

    def apply_mask(self, module):
        """``module.<name>_mask * module.<name>_orig``, the pruned tensor.

        >>> m = custom_from_mask(numtorch.nn.Linear(2, 2), "bias", numtorch.tensor([0, 1]))
        >>> with numtorch.no_grad():
        ...     _ = m.bias_orig.fill_(3.0)
        >>> next(iter(m._forward_pre_hooks.values())).apply_mask(m)
        tensor([0., 3.], grad_fn=<MulBackward0>)
        """
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prunes ``module.<name>`` with ``cls(*args, **kwargs)``, combining it with earlier
        pruning of the same tensor through a :class:`PruningContainer`.

        >>> m = numtorch.nn.Linear(4, 1)
        >>> type(L1Unstructured.apply(m, "weight", amount=1)).__name__
        'L1Unstructured'
        >>> type(L1Unstructured.apply(m, "weight", amount=1)).__name__
        'PruningContainer'
        """
        method = _get_composite_method(cls, module, name, *args, **kwargs)
        orig = getattr(module, name)
        if importance_scores is not None:
            if importance_scores.shape != orig.shape:
                raise AssertionError(
                    f"importance_scores should have the same shape as parameter "
                    f"{name} of {module}, got {importance_scores.shape} vs {orig.shape}"
                )
        else:
            importance_scores = orig

        if not isinstance(method, PruningContainer):
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = numtorch.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()

        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            # as torch: restore the parameter, but a container stays removed from the hooks
            if not isinstance(method, PruningContainer):
                orig = getattr(module, name + "_orig")
                module.register_parameter(name, orig)
                del module._parameters[name + "_orig"]
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask computed from ``importance_scores`` (``t`` by default).

        >>> L1Unstructured(amount=1).prune(numtorch.tensor([3.0, -1.0, 2.0]))
        tensor([3., -0., 2.])
        """
        if importance_scores is not None:
            if importance_scores.shape != t.shape:
                raise AssertionError(
                    f"importance_scores should have the same shape as tensor t, "
                    f"got {importance_scores.shape} vs {t.shape}"
                )
        else:
            importance_scores = t
        default_mask = default_mask if default_mask is not None else numtorch.ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module) -> None:
        """Makes the pruning permanent: ``<name>`` becomes a Parameter holding the pruned
        values; ``<name>_orig`` and ``<name>_mask`` go away (the hook is left to the caller).

        >>> m = identity(numtorch.nn.Linear(1, 1), "bias")
        >>> next(iter(m._forward_pre_hooks.values())).remove(m)
        >>> [n for n, _ in m.named_parameters()]
        ['weight', 'bias']
        """
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        weight = self.apply_mask(module)
        if hasattr(module, self._tensor_name):
            delattr(module, self._tensor_name)
        orig = module._parameters[self._tensor_name + "_orig"]
        orig.data = weight.data
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        setattr(module, self._tensor_name, orig)


def _get_composite_method(cls, module, name, *args, **kwargs):
    old_method = None
    found = 0
    hooks_to_remove = []
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            old_method = hook
            hooks_to_remove.append(k)
            found += 1
    if found > 1:
        raise AssertionError(
            f"Avoid adding multiple pruning hooks to the "
            f"same tensor {name} of module {module}. Use a PruningContainer."
        )
    for k in hooks_to_remove:
        del module._forward_pre_hooks[k]

    method = cls(*args, **kwargs)
    method._tensor_name = name
    if isinstance(old_method, PruningContainer):
        old_method.add_pruning_method(method)
        method = old_method
    elif isinstance(old_method, BasePruningMethod):
        container = PruningContainer(old_method)
        container.add_pruning_method(method)
        method = container
    return method


class PruningContainer(BasePruningMethod):
    """The sequence of pruning methods applied to one tensor (iterative pruning): each new
    mask is computed only on what the previous ones left.

    >>> m = numtorch.nn.Linear(4, 2)
    >>> _ = l1_unstructured(m, "weight", amount=2)
    >>> c = L1Unstructured.apply(m, "weight", amount=3)
    >>> len(c), int((m.weight_mask == 0).sum())
    (2, 5)
    """

    def __init__(self, *args) -> None:
        self._pruning_methods: tuple[BasePruningMethod | None, ...] = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
            self.add_pruning_method(args[0])
        else:
            for method in args:
                self.add_pruning_method(method)

    def add_pruning_method(self, method) -> None:
        """Appends ``method`` (which must act on the same tensor name).

        >>> c = PruningContainer()
        >>> c._tensor_name = "weight"
        >>> m = Identity(); m._tensor_name = "weight"
        >>> c.add_pruning_method(m); len(c)
        1
        """
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        elif method is not None and self._tensor_name != method._tensor_name:
            raise ValueError(
                "Can only add pruning methods acting on "
                f"the parameter named '{self._tensor_name}' to PruningContainer {self}."
                + f" Found '{method._tensor_name}'"
            )
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """The latest method's mask, computed on the entries (``unstructured``), channels
        (``structured``) or everything (``global``) ``default_mask`` still keeps.

        >>> c = PruningContainer(); c._tensor_name = "w"
        >>> m = L1Unstructured(amount=1); m._tensor_name = "w"
        >>> c.add_pruning_method(m)
        >>> c.compute_mask(numtorch.tensor([1.0, 2.0, 3.0]), numtorch.tensor([0.0, 1.0, 1.0]))
        tensor([0., 0., 1.])
        """
        method = self._pruning_methods[-1]
        new_mask = default_mask.to(dtype=t.dtype)
        if method.PRUNING_TYPE == "unstructured":
            slc = default_mask == 1
        elif method.PRUNING_TYPE == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError(
                    "Pruning methods of PRUNING_TYPE "
                    '"structured" need to have the attribute `dim` defined.'
                )
            n_dims = t.dim()
            dim = method.dim
            if dim < 0:
                dim = n_dims + dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            keep_channel = default_mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            parts = [slice(None)] * n_dims
            parts[dim] = keep_channel
            slc = tuple(parts)
        elif method.PRUNING_TYPE == "global":
            slc = tuple([slice(None)] * len(t.shape))
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {method.PRUNING_TYPE}")
        partial_mask = method.compute_mask(t[slc], default_mask=default_mask[slc])
        new_mask[slc] = partial_mask.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: a mask of ones, but the ``_orig``/``_mask`` reparametrization.

    >>> Identity().compute_mask(None, numtorch.ones(2))
    tensor([1., 1.])
    """

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):  # type: ignore[override]
        """Adds the identity reparametrization to ``module.<name>``.

        >>> type(Identity.apply(numtorch.nn.Linear(1, 1), "bias")).__name__
        'Identity'
        """
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` (int count or float fraction) entries at random, drawing
    ``rand_like(t)`` from the default generator as torch does.

    >>> _ = numtorch.manual_seed(0)
    >>> RandomUnstructured(amount=0.5).compute_mask(numtorch.ones(4), numtorch.ones(4))
    tensor([0., 0., 1., 1.])
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = default_mask.clone()
        if nparams_toprune != 0:
            prob = numtorch.rand_like(t)
            mask.view(-1)[_topk_indices(prob.view(-1), nparams_toprune, largest=True)] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount):  # type: ignore[override]
        """Randomly prunes ``amount`` entries of ``module.<name>``.

        >>> m = numtorch.nn.Linear(4, 1)
        >>> _ = RandomUnstructured.apply(m, "weight", amount=3)
        >>> int(m.weight_mask.sum())
        1
        """
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value (ties as torch's ``topk``).

    >>> L1Unstructured(amount=2).compute_mask(numtorch.tensor([-3.0, 1.0, 0.5]),
    ...                                       numtorch.ones(3))
    tensor([1., 0., 0.])
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        tensor_size = t.nelement()
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        mask = default_mask.clone()
        if nparams_toprune != 0:
            scores = numtorch.abs(t).view(-1)
            mask.view(-1)[_topk_indices(scores, nparams_toprune, largest=False)] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):  # type: ignore[override]
        """Prunes the ``amount`` smallest-magnitude entries of ``module.<name>`` (or of
        ``importance_scores``).

        >>> m = numtorch.nn.Linear(4, 1)
        >>> _ = L1Unstructured.apply(m, "weight", amount=0.5)
        >>> int(m.weight_mask.sum())
        2
        """
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim`` at random (``rand(nchannels)`` as
    torch draws it).

    >>> _ = numtorch.manual_seed(0)
    >>> RandomStructured(amount=1, dim=0).compute_mask(numtorch.ones(2, 2), numtorch.ones(2, 2))
    tensor([[0., 0.],
            [1., 1.]])
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask
        prob = numtorch.rand(tensor_size)
        threshold = numtorch.kthvalue(prob, k=nparams_toprune).values
        mask = _channel_mask(t, self.dim, prob > threshold)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):  # type: ignore[override]
        """Randomly prunes ``amount`` channels of ``module.<name>`` along ``dim``.

        >>> m = numtorch.nn.Linear(2, 4)
        >>> _ = RandomStructured.apply(m, "weight", amount=2, dim=0)
        >>> int(m.weight_mask.sum())
        4
        """
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest L``n`` norm (``n`` as
    ``p`` of :func:`numtorch.norm`).

    >>> LnStructured(amount=1, n=1, dim=0).compute_mask(
    ...     numtorch.tensor([[1.0, 1.0], [0.0, 3.0]]), numtorch.ones(2, 2))
    tensor([[0., 0.],
            [1., 1.]])
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        nparams_tokeep = tensor_size - nparams_toprune
        _validate_pruning_amount(nparams_toprune, tensor_size)
        norm = _compute_norm(t, self.n, self.dim)
        if nparams_toprune == 0:
            return default_mask
        keep = _topk_indices(norm, nparams_tokeep, largest=True)
        mask = _channel_mask(t, self.dim, keep)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):  # type: ignore[override]
        """Prunes the ``amount`` lowest-norm channels of ``module.<name>`` along ``dim``.

        >>> m = numtorch.nn.Linear(2, 4)
        >>> _ = LnStructured.apply(m, "weight", amount=0.5, n=2, dim=0)
        >>> int(m.weight_mask.sum())
        4
        """
        return super().apply(
            module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores
        )


class CustomFromMask(BasePruningMethod):
    """Prunes with a given ``mask`` (combined with earlier pruning).

    >>> CustomFromMask(numtorch.tensor([0, 1])).compute_mask(None, numtorch.ones(2))
    tensor([0., 1.])
    """

    PRUNING_TYPE = "global"

    def __init__(self, mask) -> None:
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(
                f"default_mask shape {default_mask.shape} must match "
                f"self.mask shape {self.mask.shape}"
            )
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):  # type: ignore[override]
        """Prunes ``module.<name>`` with ``mask``.

        >>> m = numtorch.nn.Linear(1, 2)
        >>> _ = CustomFromMask.apply(m, "bias", numtorch.tensor([1, 0]))
        >>> m.bias_mask
        tensor([1., 0.])
        """
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Adds the pruning reparametrization to ``module.<name>`` without pruning anything.

    >>> identity(numtorch.nn.Linear(2, 3), "bias").bias_mask
    tensor([1., 1., 1.])
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prunes ``amount`` random (unpruned) entries of ``module.<name>``; returns ``module``.

    >>> m = random_unstructured(numtorch.nn.Linear(5, 2), "weight", amount=0.3)
    >>> int((m.weight == 0).sum())
    3
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prunes the ``amount`` (unpruned) entries of ``module.<name>`` with the smallest
    absolute value (or importance score); returns ``module``.

    >>> m = l1_unstructured(numtorch.nn.Linear(5, 2), "weight", amount=4)
    >>> int(m.weight_mask.sum())
    6
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prunes ``amount`` random (unpruned) channels of ``module.<name>`` along ``dim``.

    >>> m = random_structured(numtorch.nn.Linear(5, 2), "weight", amount=1, dim=0)
    >>> sorted(m.weight_mask.sum(dim=1).tolist())
    [0.0, 5.0]
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prunes the ``amount`` (unpruned) channels of ``module.<name>`` along ``dim`` with the
    smallest L``n`` norm.

    >>> m = ln_structured(numtorch.nn.Conv2d(5, 3, 2), "weight", amount=0.3, dim=1,
    ...                   n=float("-inf"))
    >>> int((m.weight_mask.sum(dim=(0, 2, 3)) == 0).sum())
    2
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs) -> None:
    """Prunes the ``(module, name)`` tensors together: the mask is chosen over all their
    entries at once by an ``unstructured`` ``pruning_method`` (e.g. L1Unstructured).

    >>> net = numtorch.nn.Sequential(numtorch.nn.Linear(10, 4), numtorch.nn.Linear(4, 1))
    >>> global_unstructured([(net[0], "weight"), (net[1], "weight")],
    ...                     pruning_method=L1Unstructured, amount=10)
    >>> int(sum(int((b == 0).sum()) for b in net.buffers()))
    10
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    from .convert_parameters import parameters_to_vector

    relevant_importance_scores = parameters_to_vector(
        [
            importance_scores.get((module, name), getattr(module, name))
            for (module, name) in parameters
        ]
    )
    default_mask = parameters_to_vector(
        [
            getattr(module, name + "_mask", numtorch.ones_like(getattr(module, name)))
            for (module, name) in parameters
        ]
    )
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(
            'Only "unstructured" PRUNING_TYPE supported for '
            f"the `pruning_method`. Found method {pruning_method} of type {method.PRUNING_TYPE}"
        )
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        param_mask = final_mask[pointer : pointer + num_param].view_as(param)
        custom_from_mask(module, name, mask=param_mask)
        pointer += num_param


def custom_from_mask(module, name, mask):
    """Prunes ``module.<name>`` with the precomputed ``mask``; returns ``module``.

    >>> custom_from_mask(numtorch.nn.Linear(5, 3), name="bias",
    ...                  mask=numtorch.tensor([0, 1, 0])).bias_mask
    tensor([0., 1., 0.])
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Makes the pruning of ``module.<name>`` permanent and drops its hook.

    >>> m = remove(random_unstructured(numtorch.nn.Linear(5, 7), "weight", 0.2), "weight")
    >>> [n for n, _ in m.named_parameters()], dict(m._forward_pre_hooks)
    (['bias', 'weight'], {})
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(
        f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed"
    )


def is_pruned(module) -> bool:
    """Whether ``module`` or a submodule has a pruning forward pre-hook.

    >>> m = numtorch.nn.Linear(5, 7)
    >>> is_pruned(m), is_pruned(identity(m, "bias"))
    (False, True)
    """
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False


def _validate_pruning_amount_init(amount) -> None:
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or (
        not isinstance(amount, numbers.Integral) and (float(amount) > 1.0 or float(amount) < 0.0)
    ):
        raise ValueError(
            f"amount={amount} should either be a float in the range [0, 1] or a "
            "non-negative integer"
        )


def _validate_pruning_amount(amount, tensor_size) -> None:
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(
            f"amount={amount} should be smaller than the number of parameters to "
            f"prune={tensor_size}"
        )


def _validate_structured_pruning(t) -> None:
    shape = t.shape
    if len(shape) <= 1:
        raise ValueError(
            "Structured pruning can only be applied to "
            "multidimensional tensors. Found tensor of shape "
            f"{shape} with {len(shape)} dims"
        )


def _compute_nparams_toprune(amount, tensor_size):
    if isinstance(amount, numbers.Integral):
        return amount
    return round(amount * tensor_size)


def _validate_pruning_dim(t, dim) -> None:
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")


def _compute_norm(t, n, dim):
    dims = list(range(t.dim()))
    if dim < 0:
        dim = dims[dim]
    dims.remove(dim)
    return numtorch.norm(t, p=n, dim=dims)


def _channel_mask(t, dim, channels):
    mask = numtorch.zeros_like(t)
    slc = [slice(None)] * len(t.shape)
    slc[dim] = channels
    mask[tuple(slc)] = 1
    return mask


# -- torch.topk's choice among tied values --------------------------------------------------
# Only the *set* of indices matters for a mask.  It is unique unless values tie across the
# k-th position; then torch's CPU topk picks by what libstdc++'s std::nth_element (or
# std::partial_sort when k * 64 <= n) leaves in front, which is replayed below.


def _topk_indices(values, k: int, largest: bool):
    """Indices (as an int64 tensor) of the ``k`` entries torch.topk would return, ties broken
    as its CPU kernel breaks them (``numtorch.topk`` reproduces that)."""
    flat = values.detach().reshape(-1)
    if k >= flat.numel():
        return numtorch.arange(flat.numel())
    return numtorch.topk(flat, k, largest=largest).indices
