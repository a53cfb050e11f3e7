"""The backward graph: nodes, their edges, saved tensors and hooks (torch.autograd.graph)."""

from __future__ import annotations

import itertools
import weakref
from typing import Any

__all__ = ["Node", "AccumulateGrad", "RemovableHandle"]

# Every node gets a sequence number; the engine runs the newest ready node first, as PyTorch.
_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_key")
    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self._key = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Node:
    """A node of the backward graph (``tensor.grad_fn``), as torch.autograd.graph.Node.

    ``next_functions`` holds one ``(node, output_nr)`` edge per differentiable input, ``None``
    where that input needs no gradient. Subclasses define ``backward(ctx, *grads)``.
    """

    __slots__ = (
        "next_functions",
        "_seq",
        "_saved",
        "_input_meta",
        "_arg_slots",
        "_num_outputs",
        "needs_input_grad",
        "xp",
        "_hooks",
        "_pre_hooks",
        "_tensor_hooks",
        "_metadata",
        "_nondiff",
        "_materialize",
        "_out_meta",
        "__weakref__",
    )

    def __init__(self) -> None:
        self._saved: Any = None
        self._hooks = self._pre_hooks = self._tensor_hooks = self._metadata = None
        self._nondiff = None
        self._num_outputs = 1
        self._arg_slots = None
        self._materialize = True

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle._key] = fn
        return handle

    def register_prehook(self, fn) -> RemovableHandle:
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle._key] = fn
        return handle

    def _register_tensor_hook(self, output_nr: int, fn) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, {})
        handle = RemovableHandle(hooks)
        hooks[handle._key] = fn
        return handle

    # saved tensors ---------------------------------------------------------------------
    # Each entry is (tensor, version) for a saved input or constant, or
    # (None, data, version_counter, version, output_nr) for a saved output: storing the
    # output Tensor itself would make a cycle output -> grad_fn -> output.

    def _unpack_saved(self) -> tuple:
        saved = self._saved
        if saved is None:
            return ()
        if saved is _FREED:
            raise RuntimeError(FREED_MESSAGE)
        from .._tensor import _wrap_output

        out = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            if entry[0] is None:
                _, data, counter, version, nr = entry
                if counter[0] != version:
                    raise RuntimeError(_modified_message(data, counter[0], version, self, nr))
                tensor = _wrap_output(data, self, nr, counter)
            else:
                tensor, version = entry
                if tensor._vc[0] != version:
                    raise RuntimeError(
                        _modified_message(tensor._data, tensor._vc[0], version, tensor)
                    )
            out.append(tensor)
        return tuple(out)

    def _release(self) -> None:
        if self._saved is not None:
            self._saved = _FREED


_FREED = ("freed",)


def _modified_message(data, now: int, expected: int, where, output_nr: int = 0) -> str:
    from .._tensor import legacy_type_name

    desc = f"[{legacy_type_name(data.dtype)} [{', '.join(map(str, data.shape))}]]"
    if isinstance(where, Node):
        desc += f", which is output {output_nr} of {where.name()},"
    elif where._grad_fn is not None:
        desc += f", which is output {where._output_nr} of {where._grad_fn.name()},"
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {desc} is at version {now}; expected version {expected} instead. Hint: "
        "enable anomaly detection to find the operation that failed to compute its gradient, "
        f"with {__package__.split('.')[0]}.autograd.set_detect_anomaly(True)."
    )


class AccumulateGrad(Node):
    """The node that ends every path at a leaf: adds the incoming gradient to ``leaf.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        Node.__init__(self)
        self.variable = variable
        self.next_functions = ()
        self._seq = 2**62  # UINT64_MAX in PyTorch: leaves accumulate as soon as they are ready

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


def grad_accumulator(tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad, shared while any graph holds it (the tensor keeps it weakly)."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node
