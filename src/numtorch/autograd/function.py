"""``autograd.Function`` (user functions on Tensors) and ``Op`` (built-in ops on raw arrays).

Calling ``apply`` runs ``forward`` and, when some input requires grad and grad mode is on,
records a node: an instance of a class generated per Function and named as PyTorch names it
(``SquareBackward`` for a user Function ``Square``, ``MulBackward0`` for the built-in op
``Mul``, ``SumBackward1`` for ``Sum1``). That node is also the ``ctx`` that forward and
backward receive, as in PyTorch.

Built-in ops are Chainer-style: ``forward`` sees arrays (``ctx.xp`` is their module) and
``backward`` is written with Tensor ops, so ``create_graph=True`` differentiates it again.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

from .._backend import ndarray, numpy
from .._errors import hinted
from . import graph as _graph
from .anomaly_mode import record_stack
from .grad_mode import STATE, no_grad
from .graph import HOOKED, Node, grad_accumulator, sequence

__all__ = ["Function", "FunctionCtx", "once_differentiable", "Op", "BackwardNode"]

_NO_EDGE = (None, 0)

# bound by _tensor once the Tensor class exists (it imports this module first)
make: Any = None
make_view: Any = None


class BackwardNode(Node):
    """The ``ctx`` of one call and, once recorded, its node in the backward graph."""

    __slots__ = ()

    _forward_cls: type
    xp = numpy  # the array module of this call's inputs (CuPy's on a GPU)
    _arg_slots: tuple = ()
    _dirty: tuple = ()
    _nondiff: tuple = ()
    _materialize = True
    needs_input_grad: tuple = ()

    # -- the ctx API ------------------------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        self._saved = tensors  # resolved into (tensor, version) entries once outputs exist

    @property
    def saved_tensors(self) -> tuple:
        return self._unpack_saved()

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._nondiff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    # -- the node API -----------------------------------------------------------------
    def apply(self, *grads):
        """Runs this node's backward on output gradients (``grad_fn(grad)`` in PyTorch)."""
        return self._forward_cls.backward(self, *grads)

    def __call__(self, *grads):
        return self.apply(*grads)


def _node_name(cls_name: str, builtin: bool) -> str:
    if not builtin:
        return cls_name + "Backward"
    stem = cls_name.rstrip("0123456789")
    return f"{stem}Backward{cls_name[len(stem) :] or '0'}"


class FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        builtin = attrs.get("_builtin", any(getattr(b, "_builtin", False) for b in bases))
        node_name = attrs.get("node_name") or _node_name(name, builtin)
        cls._node_cls = type(node_name, (BackwardNode,), {"__slots__": (), "_forward_cls": cls})


class Function(metaclass=FunctionMeta):
    """Base class for custom autograd operations, as torch.autograd.Function.

    >>> class Square(numtorch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 2
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> Square.apply(numtorch.tensor([3.0], requires_grad=True))
    tensor([9.], grad_fn=<SquareBackward>)
    """

    _builtin = False
    # set on ops whose backward is ``grad * f'(inputs)`` for a holomorphic f: for complex
    # inputs PyTorch's gradient is ``grad * conj(f')``, which the engine gets by running the
    # backward on conj(grad) and conjugating the result (so the ops write f' once)
    _holomorphic = False
    _node_cls: type

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise hinted(
            RuntimeError(
                "Legacy autograd function with non-static forward method is deprecated. Please "
                "use new-style autograd function with static forward method. (Example: "
                "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
            ),
            f"call {type(self).__name__}.apply(x) instead of {type(self).__name__}()(x); "
            "forward and backward are @staticmethods that take ctx first.",
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, alias

        ctx = cls._node_cls()
        ctx._saved = None
        is_tensor = [isinstance(a, Tensor) for a in args]
        ctx.needs_input_grad = tuple(
            t and a._requires_grad for t, a in zip(is_tensor, args, strict=True)
        )
        record = STATE.grad_enabled and any(ctx.needs_input_grad)
        if record:
            # edges are taken before forward: a dirty input's history is rebased below
            edges = tuple(_edge(a) for t, a in zip(is_tensor, args, strict=True) if t)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        inputs = [a for t, a in zip(is_tensor, args, strict=True) if t]
        if not record:
            if ctx._saved is not None:
                ctx._saved = tuple(_entry(t, None, ()) for t in ctx._saved)
            return outputs

        ctx._arg_slots = tuple(i for i, t in enumerate(is_tensor) if t)
        ctx.next_functions = edges
        ctx._input_meta = tuple((a._data.shape, a._data.dtype) for a in inputs)
        ctx._seq = next(sequence)
        ctx._num_outputs = len(outs)
        wrapped = []
        for nr, out in enumerate(outs):
            if not isinstance(out, Tensor):
                wrapped.append(out)
                continue
            if any(out is d for d in ctx._dirty):
                out._check_inplace()
            elif any(out is a for a in inputs):
                out = alias(out)  # an input passed through gets a new node, not a rewritten one
            if any(out is n for n in ctx._nondiff) or not out.dtype.is_floating_point:
                if not out.dtype.is_complex:
                    wrapped.append(out)
                    continue
            out._grad_fn, out._output_nr, out._requires_grad = ctx, nr, True
            wrapped.append(out)
        if ctx._saved is not None:
            ctx._saved = tuple(_entry(t, ctx, wrapped) for t in ctx._saved)
            if STATE.saved_hooks:
                ctx._saved = _pack(ctx._saved, ctx)
        if STATE.anomaly:
            record_stack(ctx)
        return wrapped[0] if single else tuple(wrapped)


FunctionCtx = BackwardNode


def _edge(tensor):
    if not tensor._requires_grad:
        return _NO_EDGE
    fn = tensor._grad_fn
    if fn is not None:
        return (fn, tensor._output_nr)
    return (grad_accumulator(tensor), 0)


def _entry(tensor, node, outputs):
    """A saved-tensor entry; outputs are kept as data + version, never as the Tensor itself."""
    if tensor is None:
        return None
    for nr, out in enumerate(outputs):
        if tensor is out:
            return (None, out._data, out._vc, out._vc[0], nr)
    return (tensor, tensor._vc[0])


def _pack(entries, node):
    """Runs the innermost saved_tensors_hooks' pack hook on each saved tensor."""
    pack, unpack = STATE.saved_hooks[-1]
    out = []
    for entry in entries:
        if entry is None:
            out.append(None)
            continue
        tensor = entry[0]
        if tensor is None:
            tensor = _graph.wrap_output(entry[1], node, entry[4], entry[2])
        out.append((HOOKED, pack(tensor), unpack))
    return tuple(out)


def once_differentiable(backward):
    """Marks a custom backward as not itself differentiable (runs it under no_grad)."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)

    return wrapper


class Op(Function):
    """A built-in op: ``forward(ctx, *arrays_and_args)`` on raw arrays, backward in Tensor ops.

    Subclasses set ``is_view = True`` when forward returns a view of its first input: the
    output then shares the input's memory, version counter and base.
    """

    _builtin = True
    is_view = False
    tensor_args = 1  # leading args that are tensors in PyTorch's signature, numbers or not

    @classmethod
    def apply(cls, *args):
        ctx = cls._node_cls()
        raw = list(args)
        tensors = []
        record = False
        for i, a in enumerate(args):
            data = getattr(a, "_data", None)
            if data is not None:
                raw[i] = data
                tensors.append(i)
                if a._requires_grad:
                    record = True
        if not (record and STATE.grad_enabled):
            out = cls.forward(ctx, *raw)
            if cls.is_view:
                view = make_view(out, args[0], cls, args[1:], None, 0)
                if record:  # a view of a tensor that requires grad, made under no_grad
                    view._no_grad_view = True
                return view
            if out.__class__ is tuple:
                return tuple(make(o) for o in out)
            return make(out)

        needs = [False] * len(args)
        edges = []
        meta = []
        slots = tensors
        if len(tensors) < cls.tensor_args:
            # numbers where PyTorch's signature takes tensors get a (None, 0) edge, as there
            slots = sorted({*tensors, *range(min(cls.tensor_args, len(args)))})
        for i in slots:
            a = args[i]
            data = raw[i]
            if data is a:
                edges.append(_NO_EDGE)
                meta.append(None)
                continue
            if a._requires_grad:
                needs[i] = True
                fn = a._grad_fn
                edges.append((fn, a._output_nr) if fn is not None else (grad_accumulator(a), 0))
            else:
                edges.append(_NO_EDGE)
            meta.append((data.shape, data.dtype))
        ctx.needs_input_grad = needs
        out = cls.forward(ctx, *raw)
        ctx._arg_slots = slots
        ctx.next_functions = tuple(edges)
        ctx._input_meta = meta
        ctx._seq = next(sequence)
        if cls.is_view:
            result = make_view(out, args[0], cls, args[1:], ctx, 0)
            outs: tuple = (result,)
            returned: tuple = (out,)
        elif out.__class__ is tuple:
            ctx._num_outputs = len(out)
            ctx._out_meta = tuple((o.shape, o.dtype) for o in out)
            returned = out
            result = outs = tuple(
                make(o, ctx, nr) if o.dtype.kind in "fc" else make(o) for nr, o in enumerate(out)
            )
        else:
            result = make(out, ctx, 0) if out.dtype.kind in "fc" else make(out)
            outs = (result,)
            returned = (out,)
        saved = ctx._saved
        if saved is not None:
            ctx._saved = tuple(_array_entry(s, raw, args, outs, returned) for s in saved)
            if STATE.saved_hooks:
                ctx._saved = _pack(ctx._saved, ctx)
        if STATE.anomaly:
            record_stack(ctx)
        return result


def _array_entry(value, raw, args, outs, returned):
    """Turns an array saved by a built-in forward into a saved-tensor entry: the input tensor
    it came from, the output it is, or a constant."""
    if value is None:
        return None
    for nr, out in enumerate(outs):
        # a 0-d result comes back from NumPy as a scalar, which make() wrapped in a new array
        if value is out._data or value is returned[nr]:
            return (None, out._data, out._vc, out._vc[0], nr)
    if value.__class__ is not ndarray and hasattr(value, "_vc"):
        return (value, value._vc[0])  # already a Tensor
    for data, arg in zip(raw, args, strict=True):
        if value is data:
            return (arg, arg._vc[0])
    return (make(value), 0)
