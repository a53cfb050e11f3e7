"""torch.backends.cpu: what vector instructions the CPU offers.

>>> numtorch.backends.cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512")
True
"""

from __future__ import annotations

from .._backend import array_module

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """The widest vector instruction set of this CPU, named as torch names it.

    numtorch reads what NumPy detected ("AVX512", "AVX2" or "DEFAULT"); torch answers the same
    for the kernels it would dispatch to.

    >>> isinstance(numtorch.backends.cpu.get_cpu_capability(), str)
    True
    """
    try:
        features = array_module()._core._multiarray_umath.__cpu_features__
    except AttributeError:  # NumPy keeps this table private; without it, claim nothing
        return "DEFAULT"
    if all(features.get(f) for f in ("AVX512F", "AVX512CD", "AVX512BW", "AVX512DQ", "AVX512VL")):
        return "AVX512"
    if features.get("AVX2") and features.get("FMA3"):
        return "AVX2"
    return "DEFAULT"
