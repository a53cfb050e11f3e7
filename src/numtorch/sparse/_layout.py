"""Layout objects: ``numtorch.strided`` and ``numtorch.sparse_coo`` (and the names of the
compressed layouts, so code comparing against them runs), as torch.layout."""

from __future__ import annotations

__all__ = [
    "layout",
    "strided",
    "sparse_coo",
    "sparse_csr",
    "sparse_csc",
    "sparse_bsr",
    "sparse_bsc",
]

_PKG = (__package__ or "numtorch.sparse").split(".")[0]


class layout:
    """How a tensor's elements are stored, as torch.layout; compared by identity.

    >>> numtorch.zeros(2).layout
    numtorch.strided
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"{_PKG}.{self._name}"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return self._name  # pickles as the module-level singleton


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
