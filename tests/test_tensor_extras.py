"""Tensor.apply_/map_/untyped_storage/storage/set_ (numtorch._tensor_extras).

The functions are called directly: they are attached to Tensor by wiring lines elsewhere.
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch import _tensor_extras as X


def test_apply_map():
    t = numtorch.tensor([1.0, 2.0, 3.0])
    assert X.apply_(t, lambda v: v * 2) is t
    assert t.tolist() == [2.0, 4.0, 6.0]
    i = numtorch.tensor([1, 2, 3])
    assert X.apply_(i, lambda v: v * 2.7).tolist() == [2, 5, 8]
    u = numtorch.tensor([1, 2], dtype=numtorch.uint8)
    assert X.apply_(u, lambda v: -1).tolist() == [255, 255]
    seen = []
    X.apply_(numtorch.tensor([True]), lambda v: seen.append(type(v)) or v)
    assert seen == [bool]
    x = numtorch.arange(6.0).view(2, 3).t()
    assert X.apply_(x, lambda v: v * 10).tolist() == [[0, 30], [10, 40], [20, 50]]
    base = numtorch.ones(1)
    X.apply_(base.expand(3), lambda v: v + 1)  # one memory slot updated three times
    assert base.item() == 4.0
    m = X.map_(numtorch.ones(2, 3), numtorch.tensor([1.0, 2.0, 3.0]), lambda a, b: a + b)
    assert m.tolist() == [[2, 3, 4], [2, 3, 4]]


def test_apply_map_errors():
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        X.apply_(numtorch.tensor([1]), lambda v: "a")
    with pytest.raises(TypeError, match="must be real number, not complex"):
        X.apply_(numtorch.tensor([1.0]), lambda v: 1j)
    with pytest.raises(ValueError, match="Overflow"):
        X.apply_(numtorch.tensor([1]), lambda v: 2**70)
    r = numtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call apply_\(\) on Variable that requires"):
        X.apply_(r, lambda v: v)
    with pytest.raises(RuntimeError, match=r"Can't call map_\(\)"):
        X.map_(numtorch.ones(2), r, lambda a, b: a)
    with pytest.raises(TypeError, match="expected numtorch.FloatTensor for 'other'"):
        X.map_(numtorch.ones(3), numtorch.tensor([1, 2, 3]), lambda a, b: a)
    with pytest.raises(TypeError, match="must be Tensor, not int"):
        X.map_(numtorch.ones(3), 3, lambda a, b: a)
    with pytest.raises(RuntimeError, match="expanded size"):
        X.map_(numtorch.ones(3), numtorch.ones(2), lambda a, b: a)


def test_storages():
    t = numtorch.arange(6, dtype=numtorch.float32).view(2, 3)
    s = X.untyped_storage(t)
    assert (s.nbytes(), s.size(), len(s), s.element_size()) == (24, 24, 24, 1)
    assert s.data_ptr() == t.data_ptr() == X.untyped_storage(t[1:]).data_ptr()
    assert s.tolist()[4:8] == list(np.float32(1).tobytes())
    assert str(s).endswith("[numtorch.storage.UntypedStorage(device=cpu) of size 24]")
    X._reset_warn_typed_storage_removal()
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        ts = X.storage(t[1:])
    X.storage(t)  # warns once per process, as PyTorch
    assert (ts.size(), len(ts), ts.nbytes(), ts.element_size()) == (6, 6, 24, 4)
    assert ts.dtype is numtorch.float32 and ts.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert repr(X.storage(numtorch.tensor([1, 2]))) == (
        " 1\n 2\n[numtorch.storage.TypedStorage(dtype=numtorch.int64, device=cpu) of size 2]"
    )


def test_set_():
    a, b = numtorch.arange(6.0), numtorch.zeros(2)
    assert X.set_(b, a) is b
    assert b.shape == (6,) and b.data_ptr() == a.data_ptr() and b._version == 1
    b[0] = 100.0
    assert a[0].item() == 100.0 and a._version == 0
    assert X.set_(numtorch.ones(3)).shape == (0,)
    s = numtorch.arange(6.0)
    e = X.set_(numtorch.empty(0), X.untyped_storage(s), 2, (2, 2), (2, 1))
    assert e.tolist() == [[2, 3], [4, 5]]
    with pytest.raises(RuntimeError, match="long int to a tensor of type float"):
        X.set_(numtorch.ones(3), numtorch.ones(2, dtype=numtorch.int64))
    leaf = numtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        X.set_(leaf, numtorch.zeros(2))
    with numtorch.no_grad():
        X.set_(leaf, numtorch.zeros(2))
    assert leaf.requires_grad and leaf.grad_fn is None
    y = X.set_(numtorch.ones(3, requires_grad=True) * 2, numtorch.zeros(2))
    assert repr(y) == "tensor([0., 0.], grad_fn=<NotImplemented>)"
    view = numtorch.arange(4.0)[1:]
    X.set_(view, numtorch.zeros(2))
    assert view._base is None


def test_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    ours, theirs = numtorch.tensor(data).t(), torch.tensor(data).t()
    fn = lambda v: v * v - 1  # noqa: E731
    assert X.apply_(ours, fn).tolist() == theirs.apply_(fn).tolist()
    assert X.untyped_storage(ours).nbytes() == theirs.untyped_storage().nbytes()
    assert X.untyped_storage(ours).tolist() == theirs.untyped_storage().tolist()
