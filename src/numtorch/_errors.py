"""Hints for errors: PyTorch's exception and message, plus one line on what to do about it.

The hint is an exception note (PEP 678): tracebacks show it under the message, while
``str(exc)`` stays PyTorch's text word for word, so code that prints or matches it still works.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["hinted"]

_E = TypeVar("_E", bound=BaseException)


def hinted(exc: _E, hint: str) -> _E:
    """``exc`` with ``Hint: ...`` attached as a note; returns it for ``raise hinted(...)``."""
    note = "Hint: " + hint
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # Python 3.10: same attribute, not printed by its traceback module
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
    return exc
