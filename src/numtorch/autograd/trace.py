"""``autograd.trace``: records what the backward engine does, node by node, and narrates it.

>>> x = numtorch.tensor([1., 2.], requires_grad=True)
>>> y = x ** 2
>>> with numtorch.autograd.trace() as tr:
...     y.backward(numtorch.tensor([1., 1.]))
>>> print(tr)
step  node            grad in           grads out
   1  PowBackward0    [1.0, 1.0] (2)    -> x: [2.0, 4.0] (2)
   2  AccumulateGrad  [2.0, 4.0] (2)    x.grad: None -> [2.0, 4.0]

The engine calls ``node`` after each node it runs and ``accumulate`` after each leaf's ``.grad``
update (engine.tracers); nothing here runs unless a trace is active. Leaves and seeds are named
after ``params`` or, failing that, the variables of the code that opened the trace.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from . import engine

__all__ = ["trace", "Step"]

_ACC = "AccumulateGrad"


@dataclass(eq=False)
class Step:
    """One node the engine ran. ``grads_out`` holds ``(input_index, target_node, grad)`` for
    each gradient sent; an AccumulateGrad step has ``leaf``, ``grad_before`` and ``grad_after``
    instead. Gradients are detached copies taken when the step ran."""

    index: int
    call: int  # which backward call within this trace (1, 2, ...)
    node: Any
    name: str
    grads_in: tuple
    grads_out: tuple = ()
    leaf: Any = None
    grad_before: Any = None
    grad_after: Any = None
    parts: tuple = ()  # the gradients that were summed into grads_in[0], when more than one
    _sources: tuple = field(default=(), repr=False)  # the incoming grad objects, for naming


class trace:  # noqa: N801 - a context manager named like no_grad
    """Context manager that records every node the backward engine runs inside it.

    ``params`` (a dict name -> tensor, or a module with ``named_parameters()``) names the
    leaves; without it, tensors are named after the variables of the code that opened it.
    ``print(tr)`` shows a table, ``tr.explain()`` returns the chain rule in sentences,
    ``draw(out, trace=tr)`` labels the graph's edges with the gradients, and ``tr.steps``
    (also ``len(tr)``, ``tr[i]``, iteration) gives the recorded :class:`Step` objects.
    """

    def __init__(self, params=None) -> None:
        self.steps: list[Step] = []
        self._params = params
        self._names: dict = {}  # id(tensor) -> (tensor, name)
        self._outputs: dict = {}  # (node, output_nr) -> name of a tensor it made
        self._last_seq: int | None = None
        self._calls = 0
        # (node, output_nr) -> gradients sent to it so far in the current backward call
        self._arrived: dict = {}
        self._frame: Any = None

    # -- context manager ------------------------------------------------------------------
    def __enter__(self) -> trace:
        self._frame = sys._getframe(1)
        engine.tracers.append(self)
        return self

    def __exit__(self, *exc) -> None:
        for i in range(len(engine.tracers) - 1, -1, -1):  # this one, even if not the last
            if engine.tracers[i] is self:
                del engine.tracers[i]
                break
        frame, self._frame = self._frame, None
        self._learn_names(frame)

    # -- called by the engine ---------------------------------------------------------------
    def node(self, node, grads_in, sent) -> None:
        seq = node._seq
        if self._last_seq is None or seq >= self._last_seq:
            # within one backward call nodes run newest first, so sequence numbers only fall
            self._calls += 1
            self._arrived = {}
        self._last_seq = seq
        out = tuple((i, node.next_functions[i][0], _copy(g)) for i, g in sent)
        parts = self._arrived.pop((node, 0), ()) if node._num_outputs == 1 else ()
        for i, target, g in out:
            self._arrived.setdefault((target, node.next_functions[i][1]), []).append(g)
        step = Step(
            len(self.steps) + 1,
            self._calls,
            node,
            node.name(),
            tuple(_copy(g) for g in grads_in),
            out,
            parts=tuple(parts),
            _sources=tuple(grads_in),
        )
        self.steps.append(step)

    def accumulate(self, acc_node, incoming, before, after) -> None:
        parts = self._arrived.pop((acc_node, 0), None)
        if parts is None:  # a backward called on a leaf itself: a call of its own, no other node
            self._calls += 1
            self._last_seq = None
            self._arrived = {}
        step = Step(
            len(self.steps) + 1,
            self._calls,
            acc_node,
            _ACC,
            (_copy(incoming),),
            leaf=acc_node.variable,
            grad_before=_copy(before),
            grad_after=_copy(after),
            parts=tuple(parts or ()),
            _sources=(incoming,),
        )
        self.steps.append(step)

    # -- reading it -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def __repr__(self) -> str:
        return self.table()

    def __str__(self) -> str:
        return self.table()

    def table(self) -> str:
        """The steps as a table: node, incoming gradient, gradients sent (or .grad update)."""
        rows = []
        for s in self.steps:
            grad_in = " + ".join(_short(g) for g in s.grads_in) or "-"
            if s.name == _ACC:
                name = self.leaf_name(s.leaf)
                outs = [f"{name}.grad: {_values(s.grad_before)} -> {_values(s.grad_after)}"]
            else:
                outs = [f"-> {self._target(s, i, t)}: {_short(g)}" for i, t, g in s.grads_out]
            rows.append((str(s.index), s.name, grad_in, outs or ["(nothing sent)"]))
        head = ("step", "node", "grad in", "grads out")
        widths = [max([len(head[c])] + [len(r[c]) for r in rows]) for c in range(3)]
        lines = [f"{head[0]:<{widths[0]}}  {head[1]:<{widths[1]}}  {head[2]:<{widths[2]}}  "]
        lines[0] += head[3]
        for step, name, grad_in, outs in rows:
            first = f"{step:>{widths[0]}}  {name:<{widths[1]}}  {grad_in:<{widths[2]}}  "
            lines.append(first + outs[0])
            pad = " " * len(first)
            lines.extend(pad + o for o in outs[1:])
        return "\n".join(line.rstrip() for line in lines)

    def explain(self) -> str:
        """The recorded backward pass as plain sentences, one paragraph per step."""
        if not self.steps:
            return "Nothing was recorded: no backward() ran inside this trace."
        out = []
        several = self.steps[-1].call > 1
        call = 0
        for s in self.steps:
            first = s.call != call
            if first:
                call = s.call
                if several:
                    out.append(f"Backward call {call}:")
            out.append(f"Step {s.index}: " + self._sentence(s, first))
        return "\n".join(out)

    # -- names ----------------------------------------------------------------------------
    def leaf_name(self, tensor) -> str:
        """The name this trace gives a leaf tensor ("x", or "leaf of shape 2x3")."""
        hit = self._names.get(id(tensor))
        if hit is not None and hit[0] is tensor:
            return hit[1]
        return f"(leaf of shape {_shape(tensor)})"

    def _learn_names(self, frame) -> None:
        named = names_of(self._params, frame)
        self._names = {id(t): (t, n) for n, t in named}
        for n, t in named:
            fn = t._grad_fn
            if fn is not None:
                self._outputs.setdefault((fn, t._output_nr), n)
        for s in self.steps:  # names of the seed gradients, before dropping the references
            names = []
            for g in s._sources:
                hit = self._names.get(id(g)) if g is not None else None
                names.append(hit[1] if hit is not None and hit[0] is g else None)
            s._sources = tuple(names)

    def _made(self, node) -> str:
        names = [n for (fn, _), n in self._outputs.items() if fn is node]
        return f" (which made {', '.join(names)})" if names else ""

    def _target(self, step, index, target) -> str:
        if target.__class__.__name__ == _ACC:
            return self.leaf_name(target.variable)
        made = self._outputs.get((target, step.node.next_functions[index][1]))
        return made if made is not None else target.name()

    # -- sentences ------------------------------------------------------------------------
    def _sentence(self, s: Step, first: bool) -> str:
        if s.name == _ACC:
            name = self.leaf_name(s.leaf)
            where = f"{name}.grad was {_values(s.grad_before)} and becomes {_values(s.grad_after)}"
            paths = _paths(s, name)
            if s.grad_before is None:
                return f"AccumulateGrad stores the gradient that reached {name}{paths}: {where}."
            return (
                f"AccumulateGrad adds the gradient that reached {name}{paths} to what is already "
                f"there: {where}: gradients accumulate across backward calls until you zero them "
                f"({name}.grad = None, or {name}.grad.zero_())."
            )
        grad = s.grads_in[0] if len(s.grads_in) == 1 else None
        if first:
            seed = s._sources[0] if s._sources and isinstance(s._sources[0], str) else None
            what = f"{seed} = " if seed else ""
            text = f"the seed gradient {what}{_values(grad) if grad is not None else '-'}"
            if seed is None and grad is not None and grad._data.size == 1:
                text += " (the output is a scalar: its derivative with respect to itself is 1)"
            text += f" enters {s.name}{self._made(s.node)}"
        else:
            text = f"{s.name}{self._made(s.node)} receives {self._in(s)}"
            if len(s.parts) > 1:
                text += f" ({' + '.join(_values(p) for p in s.parts)}: its output was used "
                text += f"{len(s.parts)} times, and the chain rule sums the paths)"
        rule = _rule(s)
        if rule:
            text += ". " + rule
        sends = [
            f"{_values(g)} to {self._target(s, i, t)}{_reduced(s, i, g)}" for i, t, g in s.grads_out
        ]
        if sends:
            text += "; it sends " + _join(sends) + "."
        else:
            text += "; it sends nothing further."
        return text[0].upper() + text[1:]

    def _in(self, s: Step) -> str:
        if len(s.grads_in) == 1:
            return _values(s.grads_in[0])
        return ", ".join(f"{_values(g)} for output {i}" for i, g in enumerate(s.grads_in))


# -- local derivative rules, in words -------------------------------------------------------
# Each rule names d(out)/d(input) for the node; where the node is elementwise and the incoming
# gradient has no zeros, the numbers are the ratio sent / received, so they come from what the
# engine actually computed rather than from a second implementation of the op.

_UNARY = {
    "ExpBackward0": "d exp(x)/dx = exp(x)",
    "LogBackward0": "d log(x)/dx = 1/x",
    "SinBackward0": "d sin(x)/dx = cos(x)",
    "CosBackward0": "d cos(x)/dx = -sin(x)",
    "TanhBackward0": "d tanh(x)/dx = 1 - tanh(x)**2",
    "SigmoidBackward0": "d sigmoid(x)/dx = sigmoid(x) * (1 - sigmoid(x))",
    "NegBackward0": "d(-x)/dx = -1",
    "SqrtBackward0": "d sqrt(x)/dx = 1 / (2 * sqrt(x))",
    "AbsBackward0": "d|x|/dx = sign(x)",
}
_VIEWS = (
    "ViewBackward0",
    "ReshapeAliasBackward0",
    "UnsafeViewBackward0",
    "UnsqueezeBackward0",
    "SqueezeBackward0",
    "SqueezeBackward1",
    "FlattenBackward0",
)
_MATMUL = ("MmBackward0", "MvBackward0", "DotBackward0", "BmmBackward0", "MatmulBackward0")


def _rule(s: Step) -> str:
    name = s.name
    g = s.grads_in[0] if len(s.grads_in) == 1 else None
    outs = {i: grad for i, _, grad in s.grads_out}
    if name in _UNARY:
        return f"Its local derivative is {_UNARY[name]}{_ratio(g, outs.get(0))}, {_TIMES}"
    if name == "PowBackward0":
        n = getattr(s.node, "exponent", None)
        if isinstance(n, (int, float)) and not isinstance(n, bool):
            m = n - 1
            formula = _num(n) if m == 0 else f"{_num(n)} * x" + ("" if m == 1 else f"**{_num(m)}")
            rule = f"For x**{_num(n)} the local derivative is n * x**(n-1) = {formula}"
        else:
            rule = "For x**n the local derivative is n * x**(n-1)"
        return f"{rule}{_ratio(g, outs.get(0))}, {_TIMES}"
    if name == "PowBackward1":
        return "For a**b, a gets grad * b * a**(b-1) and b gets grad * a**b * log(a)"
    if name == "PowBackward2":
        return "For base**x the local derivative is base**x * log(base)" + _ratio(g, outs.get(0))
    if name == "ReluBackward0":
        return (
            "The local derivative of relu is 1 where its input was positive and 0 elsewhere, "
            "so the gradient passes where the input was positive and is blocked (0) elsewhere"
        )
    if name == "AddBackward0":
        return "Addition passes the gradient on unchanged: d(a + b)/da = d(a + b)/db = 1"
    if name == "SubBackward0":
        return "Subtraction passes the gradient to a unchanged and to b negated: d(a - b)/db = -1"
    if name.startswith("RsubBackward"):
        return "For other - x the local derivative is -1, so the gradient is negated"
    if name == "MulBackward0":
        return (
            "For a * b each input gets the gradient times the other factor "
            "(d(a*b)/da = b, d(a*b)/db = a)" + _factors(g, outs)
        )
    if name.startswith("DivBackward"):
        return "For a / b, a gets grad / b and b gets -grad * a / b**2"
    if name.startswith("SumBackward"):
        return (
            "A sum's derivative with respect to each summed element is 1, so the gradient is "
            f"copied to every element, from {_as_shape(g)} to {_as_shape(outs.get(0))}"
        )
    if name.startswith("MeanBackward"):
        inp = outs.get(0)
        if inp is not None and g is not None and g._data.size:
            n = inp._data.size // max(g._data.size, 1)
            return (
                f"A mean divides by the number of averaged elements (N = {n}), so every "
                f"element gets grad / {n}"
            )
        return "A mean divides by the number of averaged elements N, so every element gets grad/N"
    if name in _MATMUL:
        return (
            "For out = A @ B the local derivatives are matrices: A gets grad @ B.T and "
            "B gets A.T @ grad"
        )
    if name in _VIEWS:
        return (
            "A view or reshape moves no numbers, so the gradient is only reshaped back to the "
            f"input's {_as_shape(outs.get(0))}"
        )
    if name in ("TBackward0", "TransposeBackward0", "PermuteBackward0"):
        return "A transpose moves numbers around, so the gradient is transposed back"
    if name == "ExpandBackward0":
        return (
            "An expand repeats its input without copying it, so the gradients of all repeats "
            f"are summed back to the input's {_as_shape(outs.get(0))}"
        )
    if name in ("SelectBackward0", "SliceBackward0", "IndexBackward0"):
        return (
            "Indexing picked some elements, so the gradient goes back to those positions of "
            "a zero tensor of the input's shape: elements not picked get 0"
        )
    if name in ("CloneBackward0", "AliasBackward0"):
        return "A copy passes the gradient on unchanged"
    fwd = getattr(s.node, "_forward_cls", None)
    if fwd is not None and not getattr(fwd, "_builtin", True):
        return f"This is your Function {fwd.__name__}: its backward() computed what it sends"
    return ""


_TIMES = "and the chain rule multiplies the incoming gradient by it elementwise"


def _paths(s: Step, name: str) -> str:
    if len(s.parts) < 2:
        return ""
    summed = " + ".join(_values(p) for p in s.parts)
    total = _values(s.grads_in[0])
    return f" ({name} was used {len(s.parts)} times; the chain rule sums its paths: " + (
        f"{summed} = {total})"
    )


def _ratio(g, out) -> str:
    """`` = [values]`` of the local derivative out / g when both are the same shape and g has
    no zeros (elementwise nodes only), else nothing."""
    if g is None or out is None or g._data.shape != out._data.shape or not g._data.all():
        return ""
    return " = " + _values_np(out._data / g._data)


def _factors(g, outs) -> str:
    parts = []
    for i in sorted(outs):
        r = _ratio(g, outs[i])
        if r:
            parts.append(f"the factor for input {i} is{r[2:]}")
    return ": " + ", ".join(parts) if parts else ""


def _reduced(s: Step, index: int, grad) -> str:
    g = s.grads_in[0] if len(s.grads_in) == 1 else None
    if g is None or grad is None or s.name not in _BROADCASTING:
        return ""
    if g._data.shape != grad._data.shape:
        return f" (summed over the broadcast dimensions, from {_as_shape(g)} to {_as_shape(grad)})"
    return ""


_BROADCASTING = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "PowBackward1"}


def _join(items: list) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- names and numbers, shared with draw ----------------------------------------------------


def names_of(params, frame) -> list:
    """(name, tensor) pairs: from ``params`` (a dict or a module's ``named_parameters()``) first,
    then from the variables of ``frame`` (modules there as ``var.param``)."""
    from .._tensor import Tensor

    out: list = []
    if params is not None:
        items = params.named_parameters() if hasattr(params, "named_parameters") else params
        items = items.items() if hasattr(items, "items") else items
        out.extend((str(n), t) for n, t in items if isinstance(t, Tensor))
    if frame is not None:
        for var, value in list(frame.f_locals.items()):
            if var.startswith("_"):
                continue
            if isinstance(value, Tensor):
                out.append((var, value))
            elif isinstance(value, type):
                continue
            elif callable(getattr(value, "named_parameters", None)):
                try:
                    pairs = list(value.named_parameters())
                except Exception:  # not a module after all: naming is best effort
                    continue
                out.extend((f"{var}.{n}", t) for n, t in pairs if isinstance(t, Tensor))
    seen: set = set()
    unique = []
    for n, t in out:  # the first name given to a tensor wins
        if id(t) not in seen:
            seen.add(id(t))
            unique.append((n, t))
    return unique


def _copy(t):
    return None if t is None else t.detach().clone()


def _shape(t) -> str:
    """``2x3`` as PyTorch's matmul errors write shapes; ``scalar`` for 0-d."""
    if t is None:
        return "-"
    shape = tuple(t.shape)
    return "x".join(map(str, shape)) if shape else "scalar"


def _as_shape(t) -> str:
    s = _shape(t)
    return "a scalar" if s == "scalar" else f"shape {s}"


def _num(v) -> str:
    if isinstance(v, (bool,)):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, complex):
        return f"({_num(v.real)}{'+' if v.imag >= 0 else '-'}{_num(abs(v.imag))}j)"
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    r = float(f"{v:.4g}") + 0.0  # + 0.0 turns -0.0 into 0.0
    return repr(r) if abs(r) < 1e16 else f"{r:.4g}"


def _values_np(a, limit: int = 6, edge: int = 3) -> str:
    """Nested lists of rounded values (4 significant digits), long dims cut to their ends."""
    if a.ndim == 0:
        return _num(a.item())
    n = a.shape[0]
    idx: list = list(range(n)) if n <= limit else [*range(edge), None, *range(n - edge, n)]
    return "[" + ", ".join("..." if i is None else _values_np(a[i], limit, edge) for i in idx) + "]"


def _values(t) -> str:
    return "None" if t is None else _values_np(t._data)


def _short(t) -> str:
    return "None" if t is None else f"{_values(t)} ({_shape(t)})"
