"""autograd.graph.draw: DOT text (parsed here), the text tree, rendering with Graphviz's dot."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

import numtorch as torch
import numtorch.autograd.graph as _graph
from numtorch.autograd._draw import DOT_MISSING, Drawing
from numtorch.autograd._draw import draw as _draw
from numtorch.autograd.trace import trace

# the public name once autograd/graph.py exports it; this module's function until then
draw = getattr(_graph, "draw", _draw)

NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"', re.M)
EDGE = re.compile(r'^\s*(\w+) -> (\w+)(?: \[label="((?:[^"\\]|\\.)*)")?', re.M)


def parse(source: str):
    """{id: label} and [(from, to, label or None)] from the DOT text."""
    assert source.startswith("digraph {") and source.rstrip().endswith("}")
    nodes = {i: label.replace("\\n", "\n") for i, label in NODE.findall(source)}
    edges = [(a, b, label or None) for a, b, label in EDGE.findall(source)]
    return nodes, edges


def by_label(nodes, edges):
    """Edges as (from label, to label), first line of each label."""
    first = {i: label.split("\n")[0] for i, label in nodes.items()}
    return sorted((first[a], first[b]) for a, b, _ in edges)


def test_public_name():
    if not hasattr(_graph, "draw"):
        pytest.skip("numtorch.autograd.graph.draw is not exported yet")
    assert _graph.draw is _draw


def test_nodes_and_edges_of_a_small_graph():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    z = (x * y + x).sum()
    nodes, edges = parse(draw(z).source)
    labels = sorted(label.split("\n")[0] for label in nodes.values())
    assert labels == [
        "AddBackward0",
        "MulBackward0",
        "SumBackward0",
        "x (2)",
        "y (2)",
        "z (scalar)",
    ]
    assert by_label(nodes, edges) == [
        ("AddBackward0", "MulBackward0"),
        ("AddBackward0", "x (2)"),
        ("MulBackward0", "x (2)"),
        ("MulBackward0", "y (2)"),
        ("SumBackward0", "AddBackward0"),
        ("z (scalar)", "SumBackward0"),
    ]
    leaf = [label for label in nodes.values() if label.startswith("x ")]
    assert leaf == ["x (2)\nAccumulateGrad"]  # one node per leaf, however often it is used


def test_text_tree():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.ones(3, 2, requires_grad=True)
    h = (w @ x).tanh()
    out = h.sum()
    assert str(draw(out)) == (
        "out (scalar) <- SumBackward0\n"
        "└─ TanhBackward0 (made h)\n"
        "   └─ MvBackward0\n"
        "      ├─ AccumulateGrad: w (3x2)\n"
        "      └─ AccumulateGrad: x (2)"
    )
    assert repr(draw(out)) == str(draw(out))


def test_names_from_params_dict_and_module():
    a = torch.ones(2, requires_grad=True)
    nodes, _ = parse(draw(a * 2, params={"alpha": a}).source)
    assert "alpha (2)\nAccumulateGrad" in nodes.values()

    class Model:
        def __init__(self):
            self.w = torch.ones(2, requires_grad=True)

        def named_parameters(self):
            yield "linear.weight", self.w

    m = Model()
    nodes, _ = parse(draw(m.w * 2, params=m).source)
    assert "linear.weight (2)\nAccumulateGrad" in nodes.values()


def test_saved_tensors_fresh_freed_and_modified():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * x).sum()
    nodes, edges = parse(draw(z, show_saved=True).source)
    saved = sorted(label for label in nodes.values() if label.startswith("saved"))
    assert saved == [
        "saved 0: output 0 y (2), version 0",  # ExpBackward0 keeps its output
        "saved 0: x (2), version 0",  # MulBackward0 keeps both factors
        "saved 1: y (2), version 0",
    ]
    with torch.no_grad():
        y.mul_(2)
    tree = str(draw(z, show_saved=True))
    assert "saved 0: output 0 y (2), version 0, modified in place since (now version 1)" in tree
    w = x.sin()
    s = w.sum()
    s.backward()
    assert "saved tensors: freed" in str(draw(s, show_saved=True))
    assert "freed" not in draw(s).source  # only with show_saved


def test_trace_labels_the_edges_with_gradients():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x**2
    v = torch.tensor([1.0, 0.5])
    with trace() as tr:
        y.backward(v)
    nodes, edges = parse(draw(y, trace=tr).source)
    first = {i: label.split("\n")[0] for i, label in nodes.items()}
    labelled = {(first[a], first[b]): label for a, b, label in edges}
    assert labelled[("y (2)", "PowBackward0")] == "[1.0, 0.5] (2)"  # the seed v
    assert labelled[("PowBackward0", "x (2)")] == "[2.0, 2.0] (2)"  # 2 * x * v
    assert "<- grad [2.0, 2.0]" in str(draw(y, trace=tr))


def test_leaf_and_constant_roots():
    x = torch.ones(2, 2, requires_grad=True)
    assert str(draw(x)) == "x (2x2) (a leaf)"
    nodes, edges = parse(draw(x).source)
    assert len(edges) == 1 and "x (2x2)\nAccumulateGrad" in nodes.values()
    c = torch.ones(3)
    assert str(draw(c)) == "c (3) (no graph: it does not require grad)"
    assert parse(draw(c).source)[1] == []


def test_several_roots_share_nodes():
    x = torch.ones(2, requires_grad=True)
    h = x * 2
    a, b = h.sum(), h.mean()
    nodes, edges = parse(draw([a, b]).source)
    assert sum(label.startswith("MulBackward0") for label in nodes.values()) == 1
    assert "(shown above)" in str(draw([a, b]))


def test_labels_are_escaped():
    x = torch.ones(1, requires_grad=True)
    nodes, _ = parse(draw(x * 2, params={'say "hi"\\': x}).source)
    assert 'say \\"hi\\"\\\\ (1)\nAccumulateGrad' in nodes.values()


def test_long_chain_without_recursion():
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        start = time.perf_counter()
        d = draw(y)
        elapsed = time.perf_counter() - start
    finally:
        sys.setrecursionlimit(limit)
    assert d.source.count("MulBackward0") == 20_000
    assert str(d).endswith("... (the rest is in .source)")
    assert elapsed < 10


def _fake_dot(tmp_path, monkeypatch):
    """A stand-in `dot` on PATH: copies the DOT text to -o's file, or prints an SVG."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "dot"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = "-o" ]; then cat > "$3"; else cat > /dev/null; echo "<svg>$1</svg>"; fi\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))


@pytest.mark.skipif(os.name != "posix", reason="the stand-in dot is a shell script")
def test_render_calls_dot(tmp_path, monkeypatch):
    x = torch.ones(2, requires_grad=True)
    d = draw(x * 3)
    _fake_dot(tmp_path, monkeypatch)
    assert d.render(tmp_path / "g.png") == str(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_text() == d.source
    assert d.render(tmp_path / "h", format="pdf") == str(tmp_path / "h.pdf")
    assert d.render(tmp_path / "k") == str(tmp_path / "k.svg")
    assert d._repr_svg_() == "<svg>-Tsvg</svg>\n"
    assert d._repr_html_() is None  # the SVG is shown instead


def test_without_dot(tmp_path, monkeypatch):
    d = draw(torch.ones(2, requires_grad=True) * 3)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError) as info:
        d.render(tmp_path / "g.svg")
    assert str(info.value) == DOT_MISSING
    assert "apt install graphviz" in DOT_MISSING
    assert d._repr_svg_() is None
    assert d._repr_html_().startswith("<pre>(2) &lt;- MulBackward0")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_with_graphviz(tmp_path):
    x = torch.ones(2, requires_grad=True)
    d = draw((x * x).sum(), show_saved=True)
    path = d.render(tmp_path / "graph.svg")
    assert Path(path).read_text().lstrip().startswith(("<?xml", "<svg"))
    assert "<svg" in d._repr_svg_()


def test_drawing_is_exported_type():
    assert isinstance(draw(torch.ones(1)), Drawing)
