"""The backward engine: walks the graph from the outputs, newest node first, without recursion.

1. Count, for every node reachable from the roots, how many edges lead into it.
2. Run ready nodes (all their incoming gradients summed) from a heap ordered by sequence number,
   newest first, as PyTorch does; AccumulateGrad nodes are the newest of all, so leaves get
   their ``.grad`` as soon as it is complete.
3. Each gradient a node sends is reduced to its input's shape (undoing broadcasting) and cast
   to its input's dtype here, once, so ops never do it themselves.
Saved tensors are released right after their node ran unless ``retain_graph``.
"""

from __future__ import annotations

import heapq

from .grad_mode import STATE
from .graph import FREED, AccumulateGrad

__all__ = [
    "GraphTask",
    "current_graph_task",
    "run_backward",
    "run_post_accumulate_hooks",
    "tracers",
]

# Active backward tracers (autograd.trace): each gets every node's gradients as the walk runs.
# Empty (the normal case), the walk pays one truth test per backward call.
tracers: list = []


class GraphTask:
    """One running backward call (PyTorch's graph task), for hooks that need to know which
    backward they run in and which nodes it will run (``register_multi_grad_hook``)."""

    __slots__ = ("roots", "deps", "needed")

    def __init__(self, roots, deps, needed) -> None:
        self.roots, self.deps, self.needed = roots, deps, needed

    def will_execute(self, node) -> bool:
        """Whether this backward runs ``node``: reachable from its roots and, when ``inputs=``
        restricts the walk, on a path to one of them."""
        reached = node in self.deps or any(node is root for root in self.roots)
        return reached and (self.needed is None or node in self.needed)


_running: list[GraphTask] = []  # innermost last (a hook may start a nested backward)


def current_graph_task() -> GraphTask | None:
    """The innermost backward call running now, or None outside backward."""
    return _running[-1] if _running else None


def _dependencies(roots) -> dict:
    deps: dict = {}
    seen = set()
    stack = list(roots)
    for node in roots:
        seen.add(node)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            child = edge[0]
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _needed(roots, targets, deps) -> set:
    """Nodes from which some target is reachable: only they run in ``autograd.grad``."""
    remaining = dict(deps)
    order = []
    ready = [n for n in roots if remaining.get(n, 0) == 0]
    while ready:  # Kahn's algorithm: parents before children
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is None:
                continue
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    needed = set(targets)
    for node in reversed(order):
        if node not in needed and any(c in needed for c, _ in node.next_functions):
            needed.add(node)
    return needed


def _validate(grad, meta, node, index):
    shape, dtype = meta
    if grad.shape != shape:
        try:
            grad = grad._sum_to(shape)
        except RuntimeError:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {index} - got "
                f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
            ) from None
    if grad._data.dtype != dtype:
        if grad._data.dtype.kind == "c" and dtype.kind != "c":
            grad = grad.real  # a real input's gradient is the real part, as in PyTorch
        if grad._data.dtype != dtype:
            grad = grad._to_np_dtype(dtype)
    return grad


def _call_node(node, grads):
    """Runs one node's backward; returns one gradient (or None) per edge of the node."""
    fwd = node._forward_cls
    if len(grads) > 1 and node._materialize and any(g is None for g in grads):
        grads = _materialized(node, grads)
    if fwd._holomorphic and any(g is not None and g._data.dtype.kind == "c" for g in grads):
        result = _conj_each(fwd.backward(node, *_conj_each(grads)))
    else:
        result = fwd.backward(node, *grads)
    slots = node._arg_slots
    if result.__class__ is not tuple:
        if len(slots) == 1 and slots[0] == 0:
            return [result]
        result = (result,)
    if not fwd._builtin:
        expected = len(node.needs_input_grad)
        if len(result) != expected:
            if len(result) > expected and all(r is None for r in result[expected:]):
                result = result[:expected]
            else:
                raise RuntimeError(
                    f"function {node.name()} returned an incorrect number of gradients "
                    f"(expected {expected}, got {len(result)})"
                )
    return [result[i] if i < len(result) else None for i in slots]


def _conj_each(values):
    """A gradient, or a tuple/list of them, conjugated (real ones and None pass through)."""
    if values.__class__ is tuple or values.__class__ is list:
        return values.__class__(_conj_each(v) for v in values)
    if values is not None and values._data.dtype.kind == "c":
        return values.conj()
    return values


def _call_node_checked(node, grads):
    """``_call_node`` in anomaly mode: NaN gradients raise, naming the node, and any error in
    backward first shows where the node was created in forward."""
    from .anomaly_mode import forward_trace_warning

    try:
        grad_inputs = _call_node(node, grads)
        if STATE.anomaly_check_nan:
            for i, g in enumerate(grad_inputs):
                if g is not None and (g._data != g._data).any():  # only NaN differs from itself
                    raise RuntimeError(
                        f"Function '{node.name()}' returned nan values in its {i}th output."
                    )
    except Exception:
        forward_trace_warning(node)
        raise
    return grad_inputs


def _materialized(node, grads):
    from .._tensor import zeros_for

    metas = getattr(node, "_out_meta", None)
    out = list(grads)
    for i, g in enumerate(out):
        if g is None and metas is not None:
            out[i] = zeros_for(*metas[i])
    return tuple(out)


def _accumulate(node: AccumulateGrad, grad, create_graph: bool, owned: bool = False) -> None:
    variable = node.variable
    old = variable._grad
    if old is None:
        if create_graph:
            variable._grad = grad.clone()
        elif owned and _plain(grad._data):
            variable._grad = grad.detach()  # no one else holds it: keep it, as PyTorch does
        else:
            # a copy: the tensor may also be another leaf's gradient, a view or the user's
            variable._grad = grad.detach().clone()
    elif not create_graph and not STATE.grad_enabled and old.shape == grad.shape:
        old._data += grad._data  # in place, as PyTorch: references to .grad see the sum
        old._vc[0] += 1
    else:
        variable._grad = old + grad


def _plain(data) -> bool:
    """A contiguous, writable array spanning all of its memory (what .grad may hold as it is):
    an owner, or a whole-buffer view such as the transpose of a column-major product."""
    base = data.base
    return (
        data.flags.c_contiguous
        and data.flags.writeable
        and (base is None or getattr(base, "nbytes", -1) == data.nbytes)
    )


def _memory(grad) -> int:
    """Identifies the memory a gradient lives in: views of one buffer share it."""
    data = grad._data
    base = data.base
    return id(data if base is None else base)


def _unplace(placed: dict, grad) -> None:
    key = _memory(grad)
    count = placed.get(key)
    if count is not None:
        if count > 1:
            placed[key] = count - 1
        else:
            del placed[key]


def run_backward(
    roots,
    root_grads,
    retain_graph: bool,
    create_graph: bool,
    inputs=None,
    allow_unused: bool = True,
    accumulate: bool = True,
):
    """Backpropagates ``root_grads`` from ``roots`` (tensors). With ``inputs``, only paths to
    them run; with ``accumulate=False`` their gradients are returned instead of stored."""
    from .._tensor import Tensor

    root_nodes = []
    buffers: dict = {}
    for tensor, grad in zip(roots, root_grads, strict=True):
        node = tensor._grad_fn
        nr = tensor._output_nr
        if node is None:
            from .graph import grad_accumulator

            node, nr = grad_accumulator(tensor), 0
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
            root_nodes.append(node)
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad

    # the memory of gradients sitting in buffer slots, with how many slots hold it; and that of
    # gradients from outside the engine's own ops (seeds, custom Functions, hooks)
    placed: dict = {}
    external = {_memory(g) for g in root_grads}
    captures: dict = {}  # (node, output_nr) -> index into results
    results: list = []
    needed = None
    if inputs is not None:
        from .graph import grad_accumulator

        for i, t in enumerate(inputs):
            if t._grad_fn is not None:
                key = (t._grad_fn, t._output_nr)
            else:
                key = (grad_accumulator(t), 0)
            captures.setdefault(key, []).append(i)
        results = [None] * len(inputs)

    deps = _dependencies(root_nodes)
    if inputs is not None:
        needed = _needed(root_nodes, [k[0] for k in captures], deps)
    heap = [(-n._seq, id(n), n) for n in root_nodes if deps.get(n, 0) == 0]
    heapq.heapify(heap)
    previous = STATE.grad_enabled
    STATE.grad_enabled = create_graph
    tracer = tracers[-1] if tracers else None
    anomaly = STATE.anomaly
    _running.append(GraphTask(root_nodes, deps, needed))
    # the walk runs once per node of every backward: helpers are inlined and names bound
    pop, push = heapq.heappop, heapq.heappush
    take, buffer_of, placed_count = buffers.pop, buffers.get, placed.get
    try:
        while heap:
            node = pop(heap)[2]
            grads = popped = take(node)
            if node._tensor_hooks or node._pre_hooks or node._retained:
                grads = _run_pre_hooks(node, grads)
            if captures:
                for nr, g in enumerate(grads):
                    for i in captures.get((node, nr), ()):
                        results[i] = g
            if node.__class__ is AccumulateGrad:
                first = grads[0]
                arrived = popped[0]
                owned = False
                if arrived is not None:
                    data = arrived._data
                    base = data.base
                    memory = id(data if base is None else base)
                    count = placed_count(memory)
                    # a gradient that a built-in backward made and that sits in this one
                    # buffer slot only can become the leaf's .grad without a copy
                    owned = first is arrived and count == 1 and memory not in external
                    if count is not None:
                        if count > 1:
                            placed[memory] = count - 1
                        else:
                            del placed[memory]
                if accumulate and first is not None and node.variable._requires_grad:
                    if tracer is not None:
                        old = node.variable._grad
                        before = None if old is None else old.detach().clone()
                        _accumulate(node, first, create_graph)
                        tracer.accumulate(node, first, before, node.variable._grad)
                    else:
                        _accumulate(node, first, create_graph, owned)
                    if node.variable._post_accumulate_hooks:
                        run_post_accumulate_hooks(node.variable)
                continue
            for g in popped:
                if g is not None:
                    _unplace(placed, g)
            if needed is not None and node not in needed:
                continue
            if node._saved is FREED:
                node._unpack_saved()  # raises the "backward through the graph a second time"
            if anomaly:
                grad_inputs = _call_node_checked(node, grads)
            else:
                grad_inputs = _call_node(node, grads)
            # gradients from user code (custom Functions, hooks) may be held elsewhere
            foreign = not node._forward_cls._builtin
            if node._hooks:
                foreign = True
                for hook in list(node._hooks.values()):
                    new = hook(tuple(grad_inputs), tuple(grads))
                    if new is not None:
                        grad_inputs = list(new)
            if not retain_graph:
                node._release()
            metas = node._input_meta
            sent: list | None = [] if tracer is not None else None
            index = -1
            for (child, nr), grad in zip(node.next_functions, grad_inputs, strict=True):
                index += 1
                if child is None:
                    continue
                if grad is not None:
                    if grad.__class__ is not Tensor and not isinstance(grad, Tensor):
                        raise TypeError(
                            f"Function {node.name()} returned a gradient of type "
                            f"{type(grad).__name__} at index {index}, expected a Tensor or None"
                        )
                    meta = metas[index]
                    data = grad._data
                    dtype = data.dtype
                    if data.shape != meta[0] or (dtype is not meta[1] and dtype != meta[1]):
                        grad = _validate(grad, meta, node, index)
                        data = grad._data
                    if sent is not None:
                        sent.append((index, grad))
                    base = data.base
                    memory = id(data if base is None else base)
                    if foreign:
                        external.add(memory)
                    buf = buffer_of(child)
                    if buf is None:
                        buf = buffers[child] = [None] * child._num_outputs
                    old = buf[nr]
                    if old is None:
                        buf[nr] = grad
                        placed[memory] = placed_count(memory, 0) + 1
                    else:
                        total = buf[nr] = old + grad
                        _unplace(placed, old)
                        placed[_memory(total)] = 1
                remaining = deps[child] - 1
                deps[child] = remaining
                if remaining == 0:
                    if child in buffers:
                        push(heap, (-child._seq, id(child), child))
                    else:
                        _skip(child, deps, buffers, heap)
            if tracer is not None:
                tracer.node(node, grads, sent)
    finally:
        STATE.grad_enabled = previous
        _running.pop()
    if inputs is not None and not allow_unused:
        for r in results:
            if r is None:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
    return results


def _skip(node, deps, buffers, heap) -> None:
    """A node that receives no gradient at all sends none either: release its children."""
    stack = [node]
    while stack:
        n = stack.pop()
        for child, _ in n.next_functions:
            if child is None:
                continue
            remaining = deps[child] - 1
            deps[child] = remaining
            if remaining == 0:
                if child in buffers:
                    heapq.heappush(heap, (-child._seq, id(child), child))
                else:
                    stack.append(child)


def run_post_accumulate_hooks(leaf) -> None:
    """The leaf's ``register_post_accumulate_grad_hook`` hooks, after its .grad is updated."""
    for hook in list(leaf._post_accumulate_hooks.values()):
        if hook(leaf) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _run_pre_hooks(node, grads):
    grads = list(grads)
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in list(hooks.values()):
                if grads[nr] is None:
                    continue
                new = hook(grads[nr])
                if new is not None:
                    grads[nr] = new
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            new = hook(tuple(grads))
            if new is not None:
                grads = list(new)
    if node._retained:
        for nr, ref in node._retained.items():
            tensor = ref()
            if tensor is None or grads[nr] is None:
                continue
            g = grads[nr]
            if tensor._grad is None:
                tensor._grad = g.detach().clone() if not STATE.grad_enabled else g.clone()
            else:
                tensor._grad = tensor._grad + g
    return grads
