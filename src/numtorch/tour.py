"""``python -m numtorch.tour``: the questions people ask when learning autograd, answered by
running small examples (``--markdown`` prints docs/learn-autograd.md, which is generated from
this file and whose examples the test suite runs).
"""

from __future__ import annotations

import doctest
import sys
import textwrap
import traceback

__all__ = ["LESSONS", "markdown", "main"]

INTRO = """\
numtorch runs PyTorch code unchanged (`import numtorch as torch`), and adds three things for
learning: `torch.autograd.graph.draw(t)` shows the graph that `t.backward()` walks,
`with torch.autograd.trace() as tr:` records every step of a backward pass (`print(tr)`,
`print(tr.explain())`), and errors carry a `Hint:` line that says what happened in your graph.
Every example below is run by the test suite, so its output is exactly what you will see."""

# (question, answer, example): the example is a doctest session, run as written
LESSONS = [
    (
        "What are grad_fn and leaves?",
        """\
A tensor you create with `requires_grad=True` is a *leaf*: autograd stores gradients in its
`.grad`. Every result computed from it records how it was made in `grad_fn`, a node of the
backward graph; the node's `next_functions` point to the nodes of its inputs, down to one
`AccumulateGrad` node per leaf, which is where gradients end up. `draw` shows that graph.""",
        """\
>>> import numtorch as torch
>>> x = torch.tensor([1., 2., 3.], requires_grad=True)
>>> y = x * x
>>> loss = y.sum()
>>> x.is_leaf, y.is_leaf
(True, False)
>>> loss.grad_fn
<SumBackward0 object at 0x...>
>>> print(torch.autograd.graph.draw(loss))
loss (scalar) <- SumBackward0
└─ MulBackward0 (made y)
   ├─ AccumulateGrad: x (3)
   └─ AccumulateGrad: x (3)  (shown above)
""",
    ),
    (
        "Why does backward() on a non-scalar need a `gradient`, and what does it do?",
        """\
`backward()` computes the derivative of *one number* with respect to every leaf. For a
vector `y` there is no single such number, so you pass `v`, the gradient of some scalar
`L` with respect to `y`; backward then computes dL/dx = v^T (dy/dx), the vector-Jacobian
product, without ever building the Jacobian. `y.backward(torch.ones_like(y))` is the
gradient of `y.sum()`.""",
        """\
>>> x = torch.tensor([1., 2.], requires_grad=True)
>>> y = x ** 2
>>> y.backward()
Traceback (most recent call last):
  ...
RuntimeError: grad can be implicitly created only for scalar outputs
Hint: the output has shape [2], so it has no single derivative. ...
>>> v = torch.tensor([1., 2.])
>>> with torch.autograd.trace() as tr:
...     y.backward(v)
>>> print(tr.explain())
Step 1: The seed gradient v = [1.0, 2.0] enters PowBackward0 (which made y). For x**2 the
local derivative is n * x**(n-1) = 2 * x = [2.0, 4.0], and the chain rule multiplies the
incoming gradient by it elementwise; it sends [2.0, 8.0] to x.
Step 2: AccumulateGrad stores the gradient that reached x: x.grad was None and becomes
[2.0, 8.0].
>>> x.grad
tensor([2., 8.])
""",
    ),
    (
        "Why does .grad accumulate, and when should I zero it?",
        """\
backward() *adds* to `.grad` instead of overwriting it, so that a leaf used in several
places, or several losses, or several mini-batches, get their gradients summed. In a
training loop that means you must reset it before each backward. `x.grad = None` drops the
tensor (the next backward stores a fresh one; optimizers do this by default);
`x.grad.zero_()` fills the same tensor with zeros (anyone holding it sees the zeros).
`x.grad.data.zero_()` is the old spelling of the same thing: `.data` bypasses autograd's
checks, which `.grad` does not need.""",
        """\
>>> x = torch.tensor([1., 2.], requires_grad=True)
>>> (3 * x).sum().backward()
>>> x.grad
tensor([3., 3.])
>>> with torch.autograd.trace() as tr:
...     (x * x).sum().backward()
>>> print(tr.explain())
Step 1: The seed gradient 1.0 (the output is a scalar: its derivative with respect to itself
is 1) enters SumBackward0. ...
Step 3: AccumulateGrad adds the gradient that reached x (x was used 2 times; the chain rule
sums its paths: [1.0, 2.0] + [1.0, 2.0] = [2.0, 4.0]) to what is already there: x.grad was
[3.0, 3.0] and becomes [5.0, 7.0]: gradients accumulate across backward calls until you
zero them (x.grad = None, or x.grad.zero_()).
>>> g = x.grad
>>> x.grad.zero_()
tensor([0., 0.])
>>> g is x.grad
True
>>> x.grad = None
>>> print(x.grad)
None
""",
    ),
    (
        "Why does a second backward() fail without retain_graph?",
        """\
To compute gradients, nodes save tensors from the forward pass (ExpBackward0 keeps exp(x),
MulBackward0 keeps both factors). backward() frees them as soon as each node has run, since
the usual next step is a new forward pass; going through the same graph again then finds
nothing to work with. Pass `retain_graph=True` to the first backward() if you really need
two passes, or, usually better, recompute the forward pass. `show_saved=True` shows what
each node keeps.""",
        """\
>>> x = torch.tensor([0., 1.], requires_grad=True)
>>> loss = x.exp().sum()
>>> print(torch.autograd.graph.draw(loss, show_saved=True))
loss (scalar) <- SumBackward0
└─ ExpBackward0
   · saved 0: output 0 (2), version 0
   └─ AccumulateGrad: x (2)
>>> loss.backward()
>>> print(torch.autograd.graph.draw(loss, show_saved=True))
loss (scalar) <- SumBackward0
└─ ExpBackward0
   · saved tensors: freed (by a backward without retain_graph=True)
   └─ AccumulateGrad: x (2)
>>> loss.backward()
Traceback (most recent call last):
  ...
RuntimeError: Trying to backward through the graph a second time (or directly access saved
tensors after they have already been freed). Saved intermediate values of the graph are
freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to
backward through the graph a second time or if you need to access saved tensors after
calling backward.
Hint: ExpBackward0 saved tensors for its backward and a previous backward freed them. ...
>>> x.grad = None
>>> loss = x.exp().sum()
>>> loss.backward(retain_graph=True)
>>> loss.backward()
>>> x.grad
tensor([2.0000, 5.4366])
""",
    ),
    (
        "Why do no_grad() and detach() stop gradients?",
        """\
Inside `with torch.no_grad():` nothing is recorded: results have no grad_fn, so there is
no path back to the leaves (use it for evaluation and for updating parameters).
`t.detach()` returns the same numbers as a new leaf that does not require grad: the graph
is cut there, and whatever was computed before it gets no gradient through it.""",
        """\
>>> w = torch.tensor([1., 2.], requires_grad=True)
>>> with torch.no_grad():
...     z = w * 2
>>> z.requires_grad, z.grad_fn
(False, None)
>>> z.sum().backward()
Traceback (most recent call last):
  ...
RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn
Hint: nothing this tensor was computed from requires grad. ...
>>> d = (w * 2).detach()
>>> out = (d * w).sum()
>>> print(torch.autograd.graph.draw(out))
out (scalar) <- SumBackward0
└─ MulBackward0
   └─ AccumulateGrad: w (2)
>>> out.backward()
>>> w.grad
tensor([2., 4.])
""",
    ),
    (
        "Function.apply(x) or Function()(x)?",
        """\
A custom `torch.autograd.Function` has `@staticmethod`s `forward(ctx, ...)` and
`backward(ctx, grad)`, and is used through the class: `Square.apply(x)`. Calling an
instance, `Square()(x)`, was the API before PyTorch 0.4 and is an error now. The trace
shows your backward running like any built-in node.""",
        """\
>>> class Square(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 2
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return 2 * x * grad
>>> x = torch.tensor([3.], requires_grad=True)
>>> Square()(x)
Traceback (most recent call last):
  ...
RuntimeError: Legacy autograd function with non-static forward method is deprecated.
Please use new-style autograd function with static forward method. (Example:
https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)
Hint: call Square.apply(x) instead of Square()(x); ...
>>> y = Square.apply(x)
>>> with torch.autograd.trace() as tr:
...     y.backward()
>>> print(tr)
step  node            grad in        grads out
   1  SquareBackward  [1.0] (1)      -> x: [6.0] (1)
   2  AccumulateGrad  [6.0] (1)      x.grad: None -> [6.0]
""",
    ),
]


def markdown() -> str:
    """docs/learn-autograd.md: the lessons, with their examples as doctest sessions."""
    parts = ["# Learning autograd with numtorch", "", INTRO, ""]
    parts += ["Run `python -m numtorch.tour` to see the same walkthrough in a terminal.", ""]
    for question, answer, example in LESSONS:
        # a blank line before the closing fence ends the doctest's expected output
        parts += [f"## {question}", "", answer, "", "```pycon", example, "```", ""]
    return "\n".join(parts)


def _run(example_text: str, globs: dict, out) -> None:
    """Runs a doctest session for real, printing it the way an interpreter would."""
    for ex in doctest.DocTestParser().get_examples(example_text):
        lines = ex.source.rstrip("\n").split("\n")
        out.write(">>> " + lines[0] + "\n")
        out.writelines("... " + line + "\n" for line in lines[1:])
        if len(lines) > 1:
            out.write("...\n")
        out.flush()
        try:
            exec(compile(ex.source, "<tour>", "single"), globs)
        except Exception as exc:
            out.write("Traceback (most recent call last):\n  ...\n")
            text = "".join(traceback.format_exception_only(type(exc), exc))
            out.write(text)
            notes = getattr(exc, "__notes__", [])
            if notes and not all(n in text for n in notes):  # Python 3.10 prints no notes
                out.write("\n".join(notes) + "\n")
        sys.stdout.flush()


def _public_names() -> None:
    """The lessons use torch.autograd.trace and torch.autograd.graph.draw; binds them if this
    numtorch does not export them yet (a no-op once it does)."""
    from .autograd import _draw, graph
    from .autograd import trace as trace_module

    autograd = sys.modules["numtorch.autograd"]
    if not isinstance(getattr(autograd, "trace", None), type):
        autograd.trace = trace_module.trace  # type: ignore[attr-defined]
    if not hasattr(graph, "draw"):
        graph.draw = _draw.draw  # type: ignore[attr-defined]


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--markdown" in args:
        sys.stdout.write(markdown())
        return 0
    out = sys.stdout
    width = 88
    out.write("Learning autograd with numtorch\n\n")
    out.write(textwrap.fill(" ".join(INTRO.split()), width) + "\n")
    _public_names()
    globs: dict = {"__name__": "__tour__"}
    for n, (question, answer, example) in enumerate(LESSONS, 1):
        out.write(f"\n{'=' * width}\n{n}. {question}\n{'=' * width}\n\n")
        out.write(textwrap.fill(" ".join(answer.split()), width) + "\n\n")
        _run(example, globs, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
