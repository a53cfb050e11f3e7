"""``autograd.graph.draw``: the backward graph of a tensor as Graphviz DOT text and a text tree.

>>> x = numtorch.tensor([1., 2.], requires_grad=True)
>>> y = (x * x).sum()
>>> print(numtorch.autograd.graph.draw(y))
y (scalar) <- SumBackward0
└─ MulBackward0
   ├─ AccumulateGrad: x (2)
   └─ AccumulateGrad: x (2)  (shown above)

Arrows point the way backward walks: from the output to the leaves, along ``next_functions``.
No Graphviz is needed to build the DOT text; ``render`` and the notebook SVG use its ``dot``.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys

__all__ = ["draw", "Drawing"]

DOT_MISSING = (
    "Graphviz's `dot` program was not found; install it (apt install graphviz / "
    "brew install graphviz / conda install graphviz)"
)
MAX_TREE_LINES = 400  # the text tree is for reading; `source` always holds the whole graph


class Drawing:
    """A drawn backward graph: ``source`` (DOT text), ``render(path)``, and a text tree as
    ``str()`` (also what a notebook shows when Graphviz is not installed)."""

    def __init__(self, source: str, tree: str) -> None:
        self.source = source
        self.tree = tree

    def __str__(self) -> str:
        return self.tree

    def __repr__(self) -> str:
        return self.tree

    def render(self, path, format: str | None = None) -> str:
        """Writes the graph to ``path`` with Graphviz's ``dot``; the format comes from
        ``format`` or the path's suffix (``svg`` when it has none, and the suffix is added).
        Returns the path written."""
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1][1:]
        if format is None:
            format = suffix or "svg"
        if not suffix:
            path = f"{path}.{format}"
        self._dot(f"-T{format}", "-o", path)
        return path

    def _dot(self, *args: str) -> bytes:
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(DOT_MISSING)
        done = subprocess.run(
            [exe, *args], input=self.source.encode(), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def _repr_svg_(self):
        if shutil.which("dot") is None:
            return None  # the notebook falls back to _repr_html_
        return self._dot("-Tsvg").decode()

    def _repr_html_(self):
        if shutil.which("dot") is not None:
            return None  # the SVG says it better
        return f"<pre>{html.escape(self.tree)}</pre>"


def draw(t, params=None, show_saved: bool = False, trace=None) -> Drawing:
    """The backward graph that ``t.backward()`` would walk (``t`` a tensor or a list of them).

    Leaves are named from ``params`` (a dict name -> tensor, or a module with
    ``named_parameters()``), else after the caller's variables, and shown with their shapes.
    ``show_saved`` adds the tensors each node saved for backward ("freed" once a backward
    released them, "modified" when an in-place op changed one since). ``trace`` (an
    ``autograd.trace`` that recorded a backward of this graph) labels each edge with the
    gradient that flowed along it.
    """
    from .trace import names_of

    roots = list(t) if isinstance(t, (list, tuple)) else [t]
    named = names_of(params, sys._getframe(1))
    if trace is not None:
        named += [(n, tensor) for tensor, n in trace._names.values()]
    names: dict = {}
    for n, tensor in named:
        names.setdefault(id(tensor), (tensor, n))
    made: dict = {}  # (node, output_nr) -> name of the tensor it made
    for tensor, n in names.values():
        if tensor._grad_fn is not None:
            made.setdefault((tensor._grad_fn, tensor._output_nr), n)
    for root in roots:  # the root's own box already carries its name
        made.pop((root._grad_fn, root._output_nr), None)
    flows = _flows(trace)
    g = _Walk(names, made, flows, show_saved)
    return Drawing(g.dot(roots), g.tree(roots))


def _flows(trace) -> dict:
    """(node, input_index) -> gradient sent along that edge, and (node, "in", nr) -> gradient
    received, from the last time the trace saw each node run."""
    flows: dict = {}
    if trace is None:
        return flows
    for step in trace.steps:
        for i, grad in enumerate(step.grads_in):
            flows[(step.node, "in", i)] = grad
        for i, _, grad in step.grads_out:
            flows[(step.node, i)] = grad
    return flows


class _Walk:
    def __init__(self, names, made, flows, show_saved) -> None:
        self.names, self.made, self.flows, self.show_saved = names, made, flows, show_saved
        self.made_by: dict = {}  # node -> names of the tensors it made
        for (node, _), name in made.items():
            self.made_by.setdefault(node, []).append(name)

    # -- labels -----------------------------------------------------------------------------
    def name(self, tensor):
        hit = self.names.get(id(tensor))
        return hit[1] if hit is not None and hit[0] is tensor else None

    def tensor_label(self, tensor) -> str:
        from .trace import _shape

        name = self.name(tensor)
        return f"{name} ({_shape(tensor)})" if name else f"({_shape(tensor)})"

    def node_label(self, node) -> str:
        if node.__class__.__name__ == "AccumulateGrad":
            return f"AccumulateGrad: {self.tensor_label(node.variable)}"
        outs = self.made_by.get(node)
        return node.name() + (f" (made {', '.join(outs)})" if outs else "")

    def saved(self, node) -> list:
        """One label per tensor ``node`` saved for backward."""
        from .graph import FREED, HOOKED
        from .trace import _shape

        saved = node._saved
        if saved is None:
            return []
        if saved is FREED:
            return ["saved tensors: freed (by a backward without retain_graph=True)"]
        out = []
        for i, entry in enumerate(saved):
            if entry is None:
                continue
            if entry[0] is HOOKED:
                out.append(f"saved {i}: packed by saved_tensors_hooks")
                continue
            if entry[0] is None:  # an output of this node: (None, data, counter, version, nr)
                _, data, counter, version, nr = entry
                name = self.made.get((node, nr))
                what = f"output {nr}" + (f" {name}" if name else "")
                shape = "x".join(map(str, data.shape)) or "scalar"
                now = counter[0]
            else:
                tensor, version = entry
                what = self.name(tensor) or "tensor"
                shape = _shape(tensor)
                now = tensor._vc[0]
            label = f"saved {i}: {what} ({shape}), version {version}"
            if now != version:
                label += f", modified in place since (now version {now})"
            out.append(label)
        return out

    # -- the walk ---------------------------------------------------------------------------
    def nodes(self, roots) -> tuple:
        """Every node reachable from the roots, in depth-first order, and the edges."""
        from .graph import grad_accumulator

        order: list = []
        ids: dict = {}
        stack = []
        starts = []
        for r in roots:
            fn = r._grad_fn
            if fn is None and r._requires_grad:
                fn = grad_accumulator(r)
            starts.append(fn)
            if fn is not None:
                stack.append(fn)
        stack.reverse()
        while stack:
            node = stack.pop()
            if node in ids:
                continue
            ids[node] = len(order)
            order.append(node)
            for child, _ in reversed(node.next_functions):
                if child is not None and child not in ids:
                    stack.append(child)
        return order, ids, starts

    def dot(self, roots) -> str:
        from .trace import _short

        order, ids, starts = self.nodes(roots)
        lines = [
            "digraph {",
            '  graph [rankdir=TB, fontname="Helvetica"];',
            '  node [shape=box, style="rounded,filled", fillcolor=lightgray, fontsize=11, '
            'fontname="Helvetica"];',
            '  edge [fontsize=9, fontname="Helvetica"];',
        ]
        for k, (root, fn) in enumerate(zip(roots, starts, strict=True)):
            label = self.tensor_label(root)
            lines.append(f'  r{k} [label="{_esc(label)}", fillcolor=darkolivegreen1];')
            if fn is not None:
                seed = self.flows.get((fn, "in", root._output_nr if root._grad_fn else 0))
                attr = f' [label="{_esc(_short(seed))}"]' if seed is not None else ""
                lines.append(f"  r{k} -> n{ids[fn]}{attr};")
        for node in order:
            i = ids[node]
            if node.__class__.__name__ == "AccumulateGrad":
                label = f"{self.tensor_label(node.variable)}\nAccumulateGrad"
                lines.append(f'  n{i} [label="{_esc(label)}", fillcolor=lightblue];')
            else:
                lines.append(f'  n{i} [label="{_esc(self.node_label(node))}"];')
            if self.show_saved:
                for j, text in enumerate(self.saved(node)):
                    lines.append(f'  s{i}_{j} [label="{_esc(text)}", fillcolor=orange];')
                    lines.append(f"  n{i} -> s{i}_{j} [style=dashed, arrowhead=none];")
            for index, (child, _) in enumerate(node.next_functions):
                if child is None:
                    continue
                grad = self.flows.get((node, index))
                attr = f' [label="{_esc(_short(grad))}"]' if grad is not None else ""
                lines.append(f"  n{i} -> n{ids[child]}{attr};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def tree(self, roots) -> str:
        lines: list = []
        shown: set = set()
        for root in roots:
            fn = root._grad_fn
            if fn is None:
                kind = "a leaf" if root._requires_grad else "no graph: it does not require grad"
                lines.append(f"{self.tensor_label(root)} ({kind})")
                continue
            lines.append(f"{self.tensor_label(root)} <- {self.node_label(fn)}")
            if fn in shown:
                continue
            shown.add(fn)
            self._details(fn, "", lines)
            self._walk(self._children(fn, ""), shown, lines)
        if len(lines) > MAX_TREE_LINES:
            lines = lines[:MAX_TREE_LINES] + ["... (the rest is in .source)"]
        return "\n".join(lines)

    def _children(self, node, prefix: str) -> list:
        """Stack entries for ``node``'s children, last child at the bottom."""
        kids = [(i, c) for i, (c, _) in enumerate(node.next_functions) if c is not None]
        out = []
        for k, (index, child) in enumerate(kids):
            last = k == len(kids) - 1
            out.append((child, prefix, last, self.flows.get((node, index))))
        out.reverse()
        return out

    def _walk(self, stack: list, shown: set, lines: list) -> None:
        from .trace import _values

        while stack and len(lines) <= MAX_TREE_LINES:
            node, prefix, last, grad = stack.pop()
            branch = "└─ " if last else "├─ "
            text = prefix + branch + self.node_label(node)
            if node in shown:
                text += "  (shown above)"
            if grad is not None:
                text += f"  <- grad {_values(grad)}"
            lines.append(text)
            if node in shown:
                continue
            shown.add(node)
            inner = prefix + ("   " if last else "│  ")
            self._details(node, inner, lines)
            stack.extend(self._children(node, inner))

    def _details(self, node, prefix: str, lines: list) -> None:
        if self.show_saved:
            for text in self.saved(node):
                lines.append(f"{prefix}· {text}")


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
