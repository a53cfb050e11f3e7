"""More of ``torch.autograd.graph``: ``register_multi_grad_hook``,
``disable_saved_tensors_hooks``, ``allow_mutation_on_saved_tensors`` and ``increment_version``,
built on tensor hooks and saved-tensor hooks.

>>> a = numtorch.ones(2, requires_grad=True)
>>> b = numtorch.ones(2, requires_grad=True)
>>> h = register_multi_grad_hook((a, b), lambda gs: print([g is not None for g in gs]))
>>> (a * 2).sum().backward()
[True, False]
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

from .engine import current_graph_task
from .grad_mode import STATE
from .graph import RemovableHandle, grad_accumulator, saved_tensors_hooks

__all__ = [
    "register_multi_grad_hook",
    "disable_saved_tensors_hooks",
    "allow_mutation_on_saved_tensors",
    "increment_version",
]


# -- the running backward (PyTorch's "graph task") -------------------------------------------


class _Tasks:
    """Per-backward state of one hook, keyed by the running backward call (its GraphTask,
    held here so its id is not reused while the entry lives). Entries of calls that never
    finished (some gradients were never computed) are dropped oldest first past a bound."""

    _LIMIT = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[int, tuple[Any, dict]] = OrderedDict()

    def get(self, task: Any) -> dict:
        entry = self._entries.get(id(task))
        if entry is None:
            entry = self._entries[id(task)] = (task, {})
            while len(self._entries) > self._LIMIT:
                self._entries.popitem(last=False)
        return entry[1]

    def drop(self, task: Any) -> None:
        self._entries.pop(id(task), None)


def _grad_fn_or_grad_acc(tensor: Any) -> Any:
    if tensor._grad_fn is not None:
        return tensor._grad_fn
    if tensor._requires_grad:
        return grad_accumulator(tensor)
    return None


class _MultiHandle(RemovableHandle):
    """Removes every per-tensor hook of one ``register_multi_grad_hook`` call."""

    __slots__ = ("handles",)

    def __init__(self, handles: tuple[RemovableHandle, ...]) -> None:
        self.handles = handles

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def __getstate__(self) -> tuple[RemovableHandle, ...]:
        return self.handles

    def __setstate__(self, state: tuple[RemovableHandle, ...]) -> None:
        self.handles = state


def register_multi_grad_hook(
    tensors: Sequence[Any], fn: Callable[..., None], *, mode: str = "all"
) -> RemovableHandle:
    """Registers a hook over several tensors, as ``torch.autograd.graph``'s.

    ``mode="all"``: once per backward, after the gradient of every tensor that this backward
    computes is ready, ``fn(grads)`` gets one entry per tensor, ``None`` for those the backward
    does not reach (or, with ``inputs=``, does not need). ``mode="any"``: ``fn(grad)`` gets the
    first gradient computed among the tensors, once per backward. ``handle.remove()`` takes
    the hook out.

    >>> a = numtorch.rand(2, 3, requires_grad=True)
    >>> b = numtorch.rand(2, 3, requires_grad=True)
    >>> c = a * b
    >>> d = a * b
    >>> def fn(grads):
    ...     print([g is not None for g in grads])
    >>> h = register_multi_grad_hook((a, b, c, d), fn)
    >>> c.sum().backward(retain_graph=True)
    [True, True, True, False]
    >>> c.sum().backward(inputs=(a,), retain_graph=True)
    [True, False, True, False]
    """
    supported_modes = ("all", "any")
    if mode not in supported_modes:
        raise ValueError(f"Expects mode to be one of {supported_modes} but got {mode}")
    lock = threading.Lock()

    if mode == "all":
        tasks = _Tasks()
        grad_fns = [_grad_fn_or_grad_acc(t) for t in tensors]
        len_tensors = len(tensors)

        def get_inner_hook(idx: int) -> Callable[[Any], None]:
            def inner_hook(grad: Any) -> None:
                task = current_graph_task()
                if task is None:
                    raise AssertionError("expected this hook to be called inside a backward call")
                # numtorch's engine also runs the hooks of nodes that an inputs= restricted walk
                # then skips; PyTorch never calls those, so they must not count here
                if not task.will_execute(grad_fns[idx]):
                    return
                with lock:
                    state = tasks.get(task)
                    if not state:
                        # on the first call, count the tensors this backward reaches
                        state["nb_calls"] = sum(
                            1 for n in grad_fns if n is not None and task.will_execute(n)
                        )
                        state["count"] = 0
                        state["buffer"] = [None] * len_tensors
                    state["count"] += 1
                    state["buffer"][idx] = grad
                    done = state["count"] == state["nb_calls"]
                    if done:
                        tasks.drop(task)
                if done:
                    fn(state["buffer"])

            return inner_hook

        handles = tuple(t.register_hook(get_inner_hook(i)) for i, t in enumerate(tensors))
    else:
        ran = _Tasks()

        def wrapped_fn(grad: Any) -> None:
            task = current_graph_task()
            if task is None:
                raise AssertionError("expected this hook to be called inside a backward call")
            with lock:
                state = ran.get(task)
                prev = state.get("ran", False)
                state["ran"] = True
            if prev:
                return
            fn(grad)

        handles = tuple(t.register_hook(wrapped_fn) for t in tensors if t.requires_grad)
    return _MultiHandle(handles)


# -- saved-tensor hooks ------------------------------------------------------------------------


class _Disabled(tuple):
    """The saved-hooks stack while hooks are disabled: empty, so no hook packs anything, and
    ``saved_tensors_hooks.__enter__`` (which unpacks the stack to push onto it) raises the
    user's message, as PyTorch does on entering any saved_tensors_hooks."""

    message: str

    def __new__(cls, message: str) -> _Disabled:
        self = super().__new__(cls)
        self.message = message
        return self

    def __iter__(self):  # type: ignore[override]
        raise RuntimeError(self.message)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str) -> Generator[None, None, None]:
    """Context manager under which entering ``saved_tensors_hooks`` (or ``save_on_cpu``)
    raises ``RuntimeError(error_message)``, as ``torch.autograd.graph``'s. Disabling while
    such hooks are active raises the same error.

    >>> with disable_saved_tensors_hooks("no hooks here"):
    ...     with numtorch.autograd.graph.save_on_cpu():
    ...         pass
    Traceback (most recent call last):
    RuntimeError: no hooks here
    """
    previous = STATE.saved_hooks
    if previous and not isinstance(previous, _Disabled):
        raise RuntimeError(error_message)
    STATE.saved_hooks = _Disabled(error_message)
    try:
        yield
    finally:
        STATE.saved_hooks = previous


def increment_version(tensor: Any | Iterable[Any]) -> None:
    """Bumps the version counter of ``tensor`` (or of each tensor of an iterable), as after
    an in-place op: for data changed behind autograd's back (e.g. through ``.numpy()``), so
    that a backward needing the old value raises instead of silently using the new one.

    >>> x = numtorch.ones(2)
    >>> increment_version(x)
    >>> x._version
    1
    """
    from .._tensor import Tensor

    tensors = (tensor,) if isinstance(tensor, Tensor) else tensor
    for t in tensors:
        # not a no-op under inference_mode as in PyTorch: numtorch tensors always have a counter
        t._vc[0] += 1


class _Handle:
    """What a saved tensor is packed into; the context's tables are keyed weakly by it, so
    their entries live exactly as long as the graph that saved them."""

    __slots__ = ("__weakref__",)


class _AllowMutationOnSavedContext:
    """The state of one ``allow_mutation_on_saved_tensors`` block: for each saved tensor, the
    tensor itself (``original``) and a copy of its value when saved (``cloned``)."""

    def __init__(self) -> None:
        self.cloned: weakref.WeakKeyDictionary[_Handle, Any] = weakref.WeakKeyDictionary()
        self.original: weakref.WeakKeyDictionary[_Handle, Any] = weakref.WeakKeyDictionary()
        self._version: weakref.WeakKeyDictionary[_Handle, int] = weakref.WeakKeyDictionary()

    def clear(self) -> None:
        self.cloned.clear()
        self.original.clear()
        self._version.clear()


_allow_mutation_enabled = False
_ERROR_OUTSIDE = (
    # PyTorch's text, missing space included
    "Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
    "in which the graph was originally recorded."
)


class _SwapWithCloned(saved_tensors_hooks):
    def __init__(self, ctx: _AllowMutationOnSavedContext) -> None:
        from .._tensor import make

        def pack_hook(tensor: Any) -> _Handle:
            handle = _Handle()
            ctx.original[handle] = tensor
            ctx._version[handle] = tensor._vc[0]
            # PyTorch clones when an in-place op is about to write to a saved tensor; numtorch
            # has no dispatch layer to intercept those writes, so the value is copied here
            ctx.cloned[handle] = make(tensor._data.copy())
            return handle

        def unpack_hook(handle: _Handle) -> Any:
            if not _allow_mutation_enabled or handle not in ctx.original:
                raise AssertionError(_ERROR_OUTSIDE)
            tensor = ctx.original[handle]
            if tensor._vc[0] == ctx._version[handle]:
                return tensor  # unchanged: the tensor itself keeps its graph (double backward)
            return ctx.cloned[handle]

        super().__init__(pack_hook, unpack_hook)


@contextlib.contextmanager
def allow_mutation_on_saved_tensors() -> Generator[_AllowMutationOnSavedContext, None, None]:
    """Context manager under which tensors saved for backward may be modified in place: the
    backward uses their values from when they were saved, as ``torch.autograd.graph``'s. Run
    both forward and backward inside it; a backward after it ended raises.

    Unlike PyTorch, which clones a saved tensor only when an in-place op writes to it, numtorch
    copies every tensor saved inside the block when it is saved (it cannot intercept the
    writes): the same results, at the cost of one copy of each saved tensor while its graph
    lives. Blocks cannot be nested.

    >>> with allow_mutation_on_saved_tensors():
    ...     a = numtorch.ones(2, 3, requires_grad=True)
    ...     b = a.clone()
    ...     out = (b**2).sum()
    ...     _ = b.sin_()
    ...     out.backward()
    >>> a.grad
    tensor([[2., 2., 2.],
            [2., 2., 2.]])
    """
    global _allow_mutation_enabled

    ctx = _AllowMutationOnSavedContext()
    with _SwapWithCloned(ctx):
        try:
            if _allow_mutation_enabled:
                raise RuntimeError("allow_mutation_on_saved_tensors contexts cannot be nested")
            _allow_mutation_enabled = True
            yield ctx
        finally:
            ctx.clear()
            _allow_mutation_enabled = False
