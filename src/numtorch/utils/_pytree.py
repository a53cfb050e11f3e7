"""``torch.utils._pytree``: flattening nested tuples, lists, dicts and namedtuples to leaves and
back, as libraries built on PyTorch use it.

>>> from numtorch.utils._pytree import tree_flatten, tree_map
>>> tree_flatten({"a": (1, 2), "b": [3]})[0]
[1, 2, 3]
>>> tree_map(lambda x: x * 10, {"a": (1, 2), "b": [3]})
{'a': (10, 20), 'b': [30]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..func._transforms import TreeSpec, tree_flatten, tree_unflatten

__all__ = [
    "TreeSpec",
    "tree_flatten",
    "tree_unflatten",
    "tree_leaves",
    "tree_map",
    "tree_structure",
]


def tree_leaves(tree: Any) -> list:
    """The leaves of ``tree``, in flattening order."""
    return tree_flatten(tree)[0]


def tree_structure(tree: Any) -> TreeSpec:
    """The structure of ``tree`` (its TreeSpec)."""
    return tree_flatten(tree)[1]


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """``tree`` with ``fn`` applied to every leaf (leaf-wise over ``rest`` trees of the same
    structure)."""
    leaves, spec = tree_flatten(tree)
    others = [tree_flatten(r) for r in rest]
    for _, other_spec in others:
        if other_spec != spec:
            raise ValueError("tree_map: the trees do not have the same structure")
    mapped = [fn(leaf, *(o[0][i] for o in others)) for i, leaf in enumerate(leaves)]
    return tree_unflatten(mapped, spec)
