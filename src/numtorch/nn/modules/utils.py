"""``torch.nn.modules.utils``: the tuple helpers custom layers import (``_pair`` ...).

>>> from numtorch.nn.modules.utils import _pair
>>> _pair(3), _pair((1, 2))
((3, 3), (1, 2))
"""

from __future__ import annotations

from itertools import repeat

from .._functional_layers import _ntuple, _pair, _single, _triple

__all__ = ["_ntuple", "_single", "_pair", "_triple", "_quadruple", "_reverse_repeat_tuple"]

_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """Each element of ``t`` repeated ``n`` times, in reverse order (conv padding layout).

    >>> _reverse_repeat_tuple((1, 2), 2)
    (2, 2, 1, 1)
    """
    return tuple(x for x in reversed(t) for _ in repeat(None, n))
