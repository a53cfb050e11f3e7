"""docs/learn-autograd.md: generated from numtorch.tour, and every example in it runs as shown."""

from __future__ import annotations

import doctest
import io
import pathlib
import subprocess
import sys
import warnings

import pytest

import numtorch
import numtorch.autograd.graph as _graph
import numtorch.autograd.trace  # noqa: F401  (the module; the package exports its class)
from numtorch import tour
from numtorch.autograd import _draw

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "learn-autograd.md"
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
if sys.version_info < (3, 11):  # tracebacks show exception notes (the hints) from 3.11 on
    FLAGS |= doctest.IGNORE_EXCEPTION_DETAIL


@pytest.fixture(autouse=True)
def public_names(monkeypatch):
    """The docs use the public names; until autograd exports them, point them at the
    modules that define them."""
    if not isinstance(getattr(numtorch.autograd, "trace", None), type):
        trace_cls = sys.modules["numtorch.autograd.trace"].trace
        monkeypatch.setattr(numtorch.autograd, "trace", trace_cls, raising=False)
    if not hasattr(_graph, "draw"):
        monkeypatch.setattr(_graph, "draw", _draw.draw, raising=False)


def test_doc_is_generated_from_the_tour():
    assert DOC.read_text(encoding="utf-8") == tour.markdown(), (
        "regenerate: python -m numtorch.tour --markdown > docs/learn-autograd.md"
    )


def test_every_example_in_the_doc_runs_as_shown():
    with warnings.catch_warnings():
        # PyTorch also warns when an autograd.Function is instantiated; the doc shows the error
        warnings.simplefilter("ignore", DeprecationWarning)
        result = doctest.testfile(
            str(DOC), module_relative=False, optionflags=FLAGS, encoding="utf-8", verbose=False
        )
    assert result.attempted > 40
    assert result.failed == 0


def test_module_docstrings():
    for module in (sys.modules["numtorch.autograd.trace"], _draw):
        result = doctest.testmod(module, globs={"numtorch": numtorch}, optionflags=FLAGS)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_tour_prints_the_walkthrough(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert tour.main([]) == 0
    text = out.getvalue()
    for question, _, _ in tour.LESSONS:
        assert question in text
    assert "x.grad was None and becomes [2.0, 8.0]" in text
    assert "Hint: ExpBackward0 saved tensors for its backward" in text
    assert "x.grad: None -> [6.0]" in text


def test_tour_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "numtorch.tour", "--markdown"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    assert done.stdout == tour.markdown()
