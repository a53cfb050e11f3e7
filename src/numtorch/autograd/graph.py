"""The backward graph: nodes, their edges, saved tensors and hooks (torch.autograd.graph)."""

from __future__ import annotations

import itertools
import re
import weakref
from typing import Any

from .._errors import hinted

__all__ = [
    "Node",
    "AccumulateGrad",
    "RemovableHandle",
    "saved_tensors_hooks",
    "save_on_cpu",
    "draw",
    "register_multi_grad_hook",
    "disable_saved_tensors_hooks",
    "allow_mutation_on_saved_tensors",
    "increment_version",
]

# Every node gets a sequence number; the engine runs the newest ready node first, as PyTorch.
sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)
FREED_HINT = (
    "{node} saved tensors for its backward and a previous backward freed them. Pass "
    "retain_graph=True to the first backward() to go through this graph twice, or recompute "
    "the forward pass before each backward."
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

    ``next_functions`` holds one ``(node, output_nr)`` edge per tensor input, ``(None, 0)`` where
    that input needs no gradient. Rarely used fields are class-level defaults, so creating a
    node (once per recorded op) only writes what the op actually has.
    """

    __slots__ = ("next_functions", "_seq", "_input_meta", "__dict__", "__weakref__")
    _saved: Any = None

    _hooks: dict | None = None
    _pre_hooks: dict | None = None
    _tensor_hooks: dict | None = None  # output_nr -> {key: hook} from Tensor.register_hook
    _retained: dict | None = None  # output_nr -> weakref of a tensor that called retain_grad()
    _metadata: dict | None = None
    _num_outputs = 1

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
        if saved is FREED:
            raise hinted(RuntimeError(FREED_MESSAGE), FREED_HINT.format(node=self.name()))
        out: list[Any] = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            if entry[0] is HOOKED:
                out.append(entry[2](entry[1]))
                continue
            if entry[0] is None:
                _, data, counter, version, nr = entry
                if counter[0] != version:
                    raise modified_error(data, counter[0], version, self, nr)
                tensor = wrap_output(data, self, nr, counter)
            else:
                tensor, version = entry
                if tensor._vc[0] != version:
                    raise modified_error(tensor._data, tensor._vc[0], version, tensor, saver=self)
            out.append(tensor)
        return tuple(out)

    def _release(self) -> None:
        saved = self._saved
        # nothing saved (x * 2.0) means nothing to free: a second backward stays allowed
        if saved is not None and saved is not FREED and any(e is not None for e in saved):
            self._saved = FREED


FREED: Any = ("freed",)
HOOKED: Any = object()  # first field of a saved entry packed by saved_tensors_hooks
wrap_output: Any = None  # bound by _tensor (which imports this module first)


def _op_name(node) -> str:
    return re.sub(r"Backward\d*$", "", node.name())


def modified_error(
    data, now: int, expected: int, where, output_nr: int = 0, saver=None
) -> RuntimeError:
    from .._tensor import legacy_type_name

    desc = f"[{legacy_type_name(data.dtype)} [{', '.join(map(str, data.shape))}]]"
    # PyTorch names the op without its "Backward0": the saving node for a saved output, the
    # tensor's current grad_fn (often the in-place op itself) for a saved input
    if isinstance(where, Node):
        desc += f", which is output {output_nr} of {_op_name(where)},"
    elif where._grad_fn is not None:
        desc += f", which is output {where._output_nr} of {_op_name(where._grad_fn)},"
    saver_name = (
        (where if isinstance(where, Node) else saver).name()
        if (isinstance(where, Node) or saver is not None)
        else "the node that saved it"
    )
    return hinted(
        RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {desc} is at version {now}; expected version {expected} "
            "instead. Hint: enable anomaly detection to find the operation that failed to "
            "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
        ),
        f"{saver_name} saved this tensor for backward at version {expected}, and "
        f"{now - expected} "
        "in-place op(s) changed it since. Use the out-of-place form (x = x * 2 instead of "
        "x *= 2, x = x.add(1) instead of x.add_(1)) or .clone() before changing it.",
    )


class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it go through ``pack_hook`` when
    saved and ``unpack_hook`` when backward reads them, as torch.autograd.graph's.

    >>> with numtorch.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
    ...     y = numtorch.ones(2, requires_grad=True).exp()
    """

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        from .grad_mode import STATE

        STATE.saved_hooks = (*STATE.saved_hooks, (self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        from .grad_mode import STATE

        STATE.saved_hooks = STATE.saved_hooks[:-1]


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors already live in host memory with NumPy: packing is the identity."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(lambda t: t, lambda t: t)


class AccumulateGrad(Node):
    """The node that ends every path at a leaf: adds the incoming gradient to ``leaf.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        self.variable = variable
        self.next_functions = ()
        self._saved = None
        self._input_meta = None
        self._seq = 2**62  # UINT64_MAX in PyTorch: leaves accumulate as soon as they are ready

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def grad_accumulator(tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad, shared while any graph holds it (the tensor keeps it weakly)."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node


from ._draw import draw  # noqa: E402  (draw walks Nodes, defined above)
from ._graph_extra import (  # noqa: E402  (builds on the classes above)
    allow_mutation_on_saved_tensors,
    disable_saved_tensors_hooks,
    increment_version,
    register_multi_grad_hook,
)
