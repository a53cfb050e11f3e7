"""Named-tuple results (``numtorch.return_types.max(values=..., indices=...)``), as PyTorch's."""

from __future__ import annotations

__all__ = [
    "max",
    "min",
    "sort",
    "topk",
    "kthvalue",
    "median",
    "nanmedian",
    "mode",
    "cummax",
    "cummin",
    "aminmax",
    "geqrf",
    "histogramdd",
    "linalg_ldl_factor",
    "linalg_ldl_factor_ex",
]


def _structseq(name: str, fields: tuple[str, ...]):
    class ReturnType(tuple):
        __slots__ = ()
        _fields = fields

        def __new__(cls, values):
            return tuple.__new__(cls, values)

        def __repr__(self) -> str:
            body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
            return f"{__package__ or 'numtorch'}.return_types.{name}(\n{body})"

        def __reduce__(self):
            return (type(self), (tuple(self),))

    for i, f in enumerate(fields):
        setattr(ReturnType, f, property(lambda self, i=i: self[i]))  # type: ignore[misc]
    ReturnType.__name__ = ReturnType.__qualname__ = name
    return ReturnType


max = _structseq("max", ("values", "indices"))  # noqa: A001
min = _structseq("min", ("values", "indices"))  # noqa: A001
sort = _structseq("sort", ("values", "indices"))
topk = _structseq("topk", ("values", "indices"))
kthvalue = _structseq("kthvalue", ("values", "indices"))
median = _structseq("median", ("values", "indices"))
nanmedian = _structseq("nanmedian", ("values", "indices"))
mode = _structseq("mode", ("values", "indices"))
cummax = _structseq("cummax", ("values", "indices"))
cummin = _structseq("cummin", ("values", "indices"))
aminmax = _structseq("aminmax", ("min", "max"))
std_mean = _structseq("std_mean", ("std", "mean"))
var_mean = _structseq("var_mean", ("var", "mean"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
geqrf = _structseq("geqrf", ("a", "tau"))
histogramdd = _structseq("histogramdd", ("hist", "bin_edges"))
linalg_ldl_factor = _structseq("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _structseq("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
