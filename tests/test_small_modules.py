"""Modules third-party code imports for one or two names: nn.modules.utils, nn.common_types,
types, autograd.variable, utils.model_zoo, utils._pytree, _dynamo, _assert and is_storage."""

from __future__ import annotations

import collections

import pytest

import numtorch


def test_nn_modules_utils_tuples():
    from numtorch.nn.modules.utils import (
        _ntuple,
        _pair,
        _quadruple,
        _reverse_repeat_tuple,
        _single,
        _triple,
    )

    assert (_single(2), _pair(3), _triple(1), _quadruple(0)) == ((2,), (3, 3), (1, 1, 1), (0,) * 4)
    assert _pair([1, 2]) == (1, 2) and _ntuple(5, "five")(7) == (7,) * 5
    assert _reverse_repeat_tuple((1, 2, 3), 2) == (3, 3, 2, 2, 1, 1)


def test_type_alias_modules_import():
    from numtorch.nn.common_types import _size_2_t, _size_any_t
    from numtorch.types import Device, Number, _size

    assert _size_2_t is not None and _size_any_t is not None
    assert Number is not None and Device is not None and _size is not None


def test_variable_and_model_zoo_aliases():
    from numtorch.autograd.variable import Variable
    from numtorch.utils.model_zoo import load_url

    x = Variable(numtorch.ones(2), requires_grad=True)
    assert isinstance(x, numtorch.Tensor) and x.requires_grad
    assert load_url is numtorch.hub.load_state_dict_from_url


def test_pytree():
    from numtorch.utils import _pytree

    Point = collections.namedtuple("Point", "x y")
    tree = {"a": (1, [2, 3]), "b": Point(4, 5)}
    leaves, spec = _pytree.tree_flatten(tree)
    assert leaves == [1, 2, 3, 4, 5]
    assert _pytree.tree_unflatten([x * 2 for x in leaves], spec) == {
        "a": (2, [4, 6]),
        "b": Point(8, 10),
    }
    assert _pytree.tree_leaves(tree) == leaves
    assert _pytree.tree_structure(tree) == spec
    assert _pytree.tree_map(lambda a, b: a + b, (1, [2]), (10, [20])) == (11, [22])
    with pytest.raises(ValueError, match="same structure"):
        _pytree.tree_map(lambda a, b: a, (1, 2), [1, 2])


def test_dynamo_switches():
    numtorch._dynamo.config.suppress_errors = True
    numtorch._dynamo.reset()
    numtorch._dynamo.mark_dynamic(numtorch.ones(2), 0)

    @numtorch._dynamo.disable
    def twice(x):
        return x * 2

    assert twice(numtorch.ones(1)).tolist() == [2.0]
    assert numtorch._dynamo.disable()(len)([1]) == 1
    assert numtorch._dynamo.optimize("eager")(len) is len
    with pytest.raises(NotImplementedError, match="runs eagerly"):
        numtorch._dynamo.explain(len)


def test_assert_and_is_storage():
    numtorch._assert(numtorch.tensor(True), "not raised")
    with pytest.raises(AssertionError, match="^boom$"):
        numtorch._assert(False, "boom")
    assert numtorch.is_storage(numtorch.ones(2).untyped_storage())
    assert not numtorch.is_storage(numtorch.ones(2))
