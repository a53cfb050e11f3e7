"""Forward-mode AD with dual tensors, as ``torch.autograd.forward_ad``.

>>> import numtorch.autograd.forward_ad as fwAD
>>> x = numtorch.tensor([1.0, 2.0])
>>> with fwAD.dual_level():
...     out = fwAD.make_dual(x, numtorch.ones(2)) ** 2
...     fwAD.unpack_dual(out)
UnpackedDualTensor(primal=tensor([1., 4.]), tangent=tensor([2., 4.]))

How it works. numtorch has no per-op forward-mode formulas, so nothing propagates tangents
while the ops run. Instead ``make_dual`` returns a tensor that the reverse-mode graph records
from (through a hidden ``requires_grad`` alias of the primal when the primal itself does not
require grad), and the level remembers ``(graph node, tangent)`` for it. ``unpack_dual(y)``
then computes the Jacobian-vector product ``J t`` of ``y`` with respect to every dual of the
level that ``y`` depends on, lazily, by the double-vjp trick: ``u = J^T g`` for a dummy
cotangent ``g`` that requires grad (one backward pass with ``create_graph=True``), then
``J t = d<u, t>/dg`` (a second backward pass through the graph of the first).

What differs from PyTorch:

* Cost: every ``unpack_dual`` of a computed tensor runs two backward passes over the graph
  from the duals to it (the dual itself and non-dual tensors cost nothing). Tangents are
  therefore never stored on intermediate tensors, and the graph (with its saved tensors)
  stays alive while the tensors do.
* Ops must be twice differentiable: a custom ``Function`` whose backward is not differentiable
  (``once_differentiable``, NumPy inside backward) makes ``unpack_dual`` raise or give zeros.
* Only recorded ops carry tangents: ops run under ``no_grad``/``inference_mode`` (PyTorch still
  propagates tangents there) give results with ``tangent=None``, and the graph must not have
  been freed by a ``backward()`` without ``retain_graph=True`` before ``unpack_dual``.
* Visible autograd state: dual tensors and results computed from them report
  ``requires_grad=True`` and a ``grad_fn`` (a dual of a primal that does not require grad shows
  ``grad_fn=<MakeDualBackward>``), and their repr has no ``tangent=...`` part. ``.backward()``
  on such a result therefore does not raise where PyTorch says the result does not require
  grad; the gradients it gives the user's leaves are exactly PyTorch's (the extra gradient goes
  to the hidden alias only). Tensor hooks, node hooks and ``retain_grad`` on the path run during
  ``unpack_dual``'s backward passes.
* Tangents of results are new tensors (PyTorch returns views of the tangent for view ops), in
  the promoted dtype of the result and the tangents (computed in the result's dtype); the
  tangent of a dual itself is the tangent passed to ``make_dual``, as in PyTorch.
* In-place ops: on a dual or with a dual operand they are recorded like any op, so tangents
  follow; but ``make_dual`` tangents are never modified in place (PyTorch updates the stored
  tangent of a dual modified in place). The dual of a non-leaf tensor that requires grad is a
  view of it, as in PyTorch, and an in-place op on that view loses the tangent (numtorch
  records it as a rewrite of the base, whose history does not pass through the dual).
* Complex duals: tangents are only as right as the ops' complex backward formulas, as for
  ``numtorch.func.jvp``.
* Exiting the level makes the duals themselves plain again, but tensors computed from them keep
  their recorded history (``requires_grad=True``), while ``unpack_dual`` gives
  ``tangent=None`` for all of them, as PyTorch.
* ``unpack_dual`` with a ``level`` other than the current one gives ``tangent=None`` instead of
  PyTorch's "Invalid level given to _fw_primal" for some levels.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any, NamedTuple

from .. import _tensor
from .function import Function
from .grad_mode import STATE, _DecoratorContextManager, enable_grad
from .graph import AccumulateGrad

__all__ = [
    "UnpackedDualTensor",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
    "dual_level",
]

# A module global, as PyTorch's: one level at most, numbered 0, entered and left from Python.
_current_level = -1


class _Dual:
    """What the level remembers of one ``make_dual`` call."""

    __slots__ = ("primal", "tangent", "handle", "dual", "hidden")

    def __init__(self, primal: Any, tangent: Any, handle: Any, dual: Any, hidden: Any) -> None:
        self.primal = primal  # the user's tensor, for unpack_dual's view of it
        self.tangent = tangent
        # A tensor on the dual's node: the input of the backward passes. The dual itself cannot
        # serve, as an in-place op on it moves it to a newer node.
        self.handle = handle
        self.dual = dual  # weak: the level must not keep the user's tensors alive
        self.hidden = hidden  # the hidden requires_grad alias of the primal, or None


# The current level's duals by graph node, in creation order, and the ids of the hidden aliases
# (kept alive by the entries, so the ids stay unique while they are looked up).
_duals: dict[Any, _Dual] = {}
_hidden: set[int] = set()


class _MakeDual(Function):
    """The dual of a primal that does not require grad: an alias of it, recorded from the
    hidden leaf. Not a view, so in-place ops on the dual stay allowed (as in PyTorch), where a
    view of a leaf that requires grad refuses them."""

    node_name = "MakeDualBackward"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.detach()

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        return grad


class UnpackedDualTensor(NamedTuple):
    """Namedtuple returned by :func:`unpack_dual` containing the primal and tangent components
    of the dual tensor.

    >>> from numtorch.autograd.forward_ad import UnpackedDualTensor
    >>> UnpackedDualTensor(numtorch.ones(1), None)
    UnpackedDualTensor(primal=tensor([1.]), tangent=None)
    """

    primal: _tensor.Tensor
    tangent: _tensor.Tensor | None


def enter_dual_level() -> int:
    """Enters a new forward grad level (returns it: 0) and makes it the current one.

    Only one level can exist at a time, as in PyTorch.

    >>> import numtorch.autograd.forward_ad as fwAD
    >>> level = fwAD.enter_dual_level()
    >>> level
    0
    >>> fwAD.exit_dual_level(level=level)
    """
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Exits the forward grad level ``level`` (default: the current one), deleting its tangents:
    the duals become plain tensors and ``unpack_dual`` gives ``tangent=None``.

    >>> import numtorch.autograd.forward_ad as fwAD
    >>> x = numtorch.ones(2)
    >>> level = fwAD.enter_dual_level()
    >>> dual = fwAD.make_dual(x, numtorch.ones(2))
    >>> fwAD.exit_dual_level()
    >>> fwAD.unpack_dual(dual).tangent is None
    True
    """
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    for entry in _duals.values():
        dual = entry.dual()
        # A dual of a primal that does not require grad is plain in PyTorch once the level is
        # gone, also after in-place ops, unless these brought in the user's tensors requiring
        # grad. (Not a view, so its history can simply be dropped.)
        if dual is not None and entry.hidden is not None and not _walk(dual)[1]:
            dual._grad_fn = None
            dual._requires_grad = False
    _duals.clear()
    _hidden.clear()
    _current_level = level - 1


def make_dual(tensor: Any, tangent: Any, *, level: int | None = None) -> Any:
    """A dual tensor: ``tensor``'s value (sharing its memory) carrying ``tangent`` as its
    forward gradient at ``level`` (default: the current one).

    Ops on the dual give tensors whose tangent :func:`unpack_dual` returns: the Jacobian-vector
    product ``J @ tangent``. A dual of a tensor that requires grad still backpropagates to it.

    >>> import numtorch.autograd.forward_ad as fwAD
    >>> x, v = numtorch.tensor([0.0, 1.0]), numtorch.tensor([1.0, 2.0])
    >>> with fwAD.dual_level():
    ...     dual = fwAD.make_dual(x, v)
    ...     fwAD.unpack_dual(dual.exp().sum()).tangent
    tensor(6.4366)
    """
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if level != _current_level:
        if _current_level < 0:
            raise RuntimeError(
                "Trying to access a forward AD level with an invalid index. This index was "
                "either not created or is already deleted."
            )
        raise RuntimeError("Invalid level given to _make_dual")
    if _duals and _walk(tensor)[0]:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {level} is not supported."
        )
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            "original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor.shape)} while the given forward gradient is of size "
            f"{list(tangent.shape)}."
        )
    return _record(tensor, tangent)


def _record(tensor: Any, tangent: Any) -> Any:
    outer = STATE.grad_enabled
    hidden = None
    with enable_grad():
        if tensor._requires_grad and outer:
            # a view, as PyTorch's dual of a tensor requiring grad: backward reaches the tensor
            dual = tensor.view_as(tensor)
        else:
            # Under no_grad too: there the dual must not backpropagate to the tensor, and the
            # ops on it have to be recorded all the same.
            hidden = tensor.detach().requires_grad_()
            dual = _MakeDual.apply(hidden)
            _hidden.add(id(hidden))
    node = dual._grad_fn
    handle = _tensor.make(dual._data, node, 0)
    _duals[node] = _Dual(tensor, tangent, handle, weakref.ref(dual), hidden)
    return dual


def unpack_dual(tensor: Any, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of a dual tensor, or of any tensor computed from duals at ``level``
    (default: the current one). ``tangent`` is ``J @ t`` over the duals ``tensor`` depends on,
    and ``None`` when it depends on none (or outside any level). ``primal`` is a view of the
    value, differentiable only where the user's tensors that require grad make it so.

    >>> import numtorch.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     a = fwAD.make_dual(numtorch.tensor(2.0), numtorch.tensor(1.0))
    ...     b = fwAD.make_dual(numtorch.tensor(3.0), numtorch.tensor(10.0))
    ...     fwAD.unpack_dual(a * b)
    UnpackedDualTensor(primal=tensor(6.), tangent=tensor(23.))
    """
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    if not isinstance(tensor, _tensor.Tensor):
        raise TypeError(
            "_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
            f"{type(tensor).__name__}"
        )
    if level != _current_level or not _duals:
        return UnpackedDualTensor(tensor.view_as(tensor), None)
    entry = _duals.get(tensor._grad_fn)
    if entry is not None:
        # the dual itself: its own primal and tangent, no backward needed
        return UnpackedDualTensor(entry.primal.view_as(entry.primal), entry.tangent)
    reached, outside = _walk(tensor)
    primal = tensor if outside else tensor.detach()
    primal = primal.view_as(primal)
    if not reached or not (tensor.is_floating_point() or tensor.is_complex()):
        return UnpackedDualTensor(primal, None)
    return UnpackedDualTensor(primal, _jvp(tensor, reached, outside))


def _walk(tensor: Any) -> tuple[list[_Dual], bool]:
    """The current level's duals that ``tensor``'s graph reaches (in creation order), and
    whether it reaches a tensor requiring grad other than the hidden aliases (the user's
    leaves: then results keep their graph)."""
    if not tensor._requires_grad:
        return [], False
    root = tensor._grad_fn
    if root is None:
        return [], id(tensor) not in _hidden
    seen = {root}
    stack = [root]
    outside = False
    while stack:
        node = stack.pop()
        if node.__class__ is AccumulateGrad:
            outside = outside or id(node.variable) not in _hidden
            continue
        for child, _ in node.next_functions:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return [entry for node, entry in _duals.items() if node in seen], outside


def _jvp(tensor: Any, reached: list[_Dual], outside: bool) -> Any:
    """``J t`` of ``tensor`` with respect to the ``reached`` duals, by the double-vjp trick."""
    from . import grad

    tangents = [entry.tangent for entry in reached]
    # The result is differentiable (as PyTorch's) only where the user's graph is involved: the
    # tensor reaches the user's leaves or a tangent requires grad.
    create_graph = STATE.grad_enabled and (outside or any(t._requires_grad for t in tangents))
    if any(e.tangent.is_complex() and not e.primal.is_complex() for e in reached):
        # PyTorch's warning from copying the tangent into the real formulas
        warnings.warn("Casting complex values to real discards the imaginary part", stacklevel=3)
    pairs = []
    with enable_grad(), warnings.catch_warnings():
        # The engine casts a complex gradient that flows into a real tensor with NumPy, which
        # warns; its real part, which the cast keeps, is the gradient (PyTorch's, silently).
        warnings.simplefilter("ignore", _tensor._np.exceptions.ComplexWarning)
        dummy = _tensor.make(_tensor._np.zeros(tensor._data.shape, tensor._data.dtype))
        dummy.requires_grad_()
        us = grad(
            [tensor],
            [entry.handle for entry in reached],
            [dummy],
            retain_graph=True,
            create_graph=True,
            allow_unused=True,
        )
        for u, t in zip(us, tangents, strict=True):
            # a dual whose gradient does not depend on the dummy adds nothing (a detached path)
            if u is not None and u._requires_grad:
                pairs.append((u, t))
        result = None
        if pairs:
            (result,) = grad(
                [u for u, _ in pairs],
                [dummy],
                [_real_for(u, t) for u, t in pairs],
                retain_graph=True,
                create_graph=create_graph,
                allow_unused=True,
            )
    if result is None:
        result = _tensor.make(_tensor._np.zeros(tensor._data.shape, tensor._data.dtype))
    # PyTorch computes in the promoted dtype of the primal and the tangents (a float64 tangent
    # of a float32 dual gives float64 tangents); a real result keeps a real tangent.
    np = _tensor._np
    wanted = np.result_type(tensor._data.dtype, *(t._data.dtype for t in tangents))
    if wanted.kind == "c" and tensor._data.dtype.kind != "c":
        wanted = np.empty(0, wanted).real.dtype
    if result._data.dtype != wanted:
        result = result._to_np_dtype(wanted)
    return result


def _real_for(u: Any, tangent: Any) -> Any:
    # the ops' formulas of a real primal see only the real part of a complex tangent
    return tangent.real if tangent.is_complex() and not u.is_complex() else tangent


class dual_level(_DecoratorContextManager):  # noqa: N801  (PyTorch's name)
    """Context manager (and decorator) for forward AD: enters a dual level on entry and exits
    it, deleting its tangents, on exit. Levels do not nest, as in PyTorch; use
    ``numtorch.func.jvp`` for higher-order forward gradients.

    >>> import numtorch.autograd.forward_ad as fwAD
    >>> x = numtorch.tensor([1.0, 2.0])
    >>> with fwAD.dual_level():
    ...     out = fwAD.make_dual(x, numtorch.tensor([1.0, 0.0])) * 3
    ...     grad = fwAD.unpack_dual(out).tangent
    >>> grad
    tensor([3., 0.])
    >>> fwAD.unpack_dual(out).tangent is None
    True
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        exit_dual_level()
