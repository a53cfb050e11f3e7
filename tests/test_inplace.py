"""In-place ops: identity, version counters, out=, leaf checks, CopySlices, saved-tensor checks."""

import numpy as np
import pytest

import numtorch as nt


def test_augmented_assignment_keeps_identity():
    y = nt.ones(3)
    i = id(y)
    y += nt.ones(3)
    y *= 2
    y -= 1
    y /= 2
    y **= 2
    assert id(y) == i
    assert y.tolist() == [2.25, 2.25, 2.25]
    assert y._version == 5


INPLACE = [
    ("y.add_(torch.ones(3), alpha=2); y.sub_(1, alpha=0.5)", [[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]], 2),
    ("y.mul_(2); y.div_(4); y.pow_(2)", [[0.0, 0.25, 1.0], [2.25, 4.0, 6.25]], 3),
    ("y.zero_(); y.fill_(2); y.neg_(); y.exp_()", [[np.exp(-2)] * 3] * 2, 4),
    ("y.clamp_(1, 4)", [[1, 1, 2], [3, 4, 4]], 1),
    ("y.clamp_(min=2)", [[2, 2, 2], [3, 4, 5]], 1),
    ("y.copy_(torch.tensor([1, 2, 3]))", [[1, 2, 3], [1, 2, 3]], 1),
    ("y.masked_fill_(y > 2, -1)", [[0, 1, 2], [-1, -1, -1]], 1),
    ("y.masked_fill_(torch.tensor([True, False, True]), 9.)", [[9, 1, 9], [9, 4, 9]], 1),
    ("y.index_put_((torch.tensor([0, 1]),), torch.tensor([7., 8., 9.]))", [[7, 8, 9]] * 2, 1),
    ("v = y[0]; v.mul_(10)", [[0, 10, 20], [3, 4, 5]], 1),
    ("v = y.view(3, 2); v[0, 1] = 100", [[0, 100, 2], [3, 4, 5]], 1),
    ("v = y.t(); v[2] += 1", [[0, 1, 3], [3, 4, 6]], 2),
]


@pytest.mark.parametrize(("code", "expected", "version"), INPLACE)
def test_inplace_values_and_versions(code, expected, version):
    ns = {"torch": nt, "y": nt.arange(6.0).reshape(2, 3).clone()}
    exec(code, ns)
    assert np.allclose(ns["y"].tolist(), expected)
    assert ns["y"]._version == version


@pytest.mark.parametrize(("code", "expected", "version"), INPLACE)
def test_inplace_matches_torch(code, expected, version):
    torch = pytest.importorskip("torch")
    ns = {"torch": torch, "y": torch.arange(6.0).reshape(2, 3).clone()}
    exec(code, ns)
    assert np.allclose(ns["y"].tolist(), expected)
    assert ns["y"]._version == version


def test_out_arguments():
    a = nt.ones(3)
    out = nt.empty(3)
    assert nt.add(a, 2, out=out) is out and out.tolist() == [3.0] * 3 and out._version == 1
    c = nt.empty(4, 3)
    assert nt.cat([nt.ones(2, 3), nt.zeros(2, 3)], out=c) is c and c._version == 1
    s = nt.empty(2, 2, 3)
    assert nt.stack([nt.ones(2, 3), nt.ones(2, 3)], out=s) is s and s.sum().item() == 12
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        nt.mul(nt.ones(3, requires_grad=True), 2, out=nt.empty(3))


def test_inplace_dtype_errors():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output"):
        nt.ones(3, dtype=nt.int32).add_(nt.ones(3))
    with pytest.raises(RuntimeError, match="output with shape \\[3\\] doesn't match the broadcast"):
        nt.ones(3).add_(nt.ones(2, 3))


def test_leaf_errors():
    a = nt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        a.add_(1)
    assert (
        str(info.value)
        == "a leaf Variable that requires grad is being used in an in-place operation."
    )
    with pytest.raises(RuntimeError) as info:
        a[1:].add_(1)
    assert str(info.value) == (
        "a view of a leaf Variable that requires grad is being used in an in-place operation."
    )
    with pytest.raises(RuntimeError, match="^a view of a leaf Variable"):
        a.view(3).zero_()
    with nt.no_grad():
        a.add_(1)
    assert a._version == 1 and a.grad_fn is None


def test_inplace_on_view_of_nonleaf_rewrites_base_history():
    a = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    v = b[1:]
    v.mul_(a[1:])
    assert b.grad_fn.name() == "torch::autograd::CopySlices"
    assert b._version == v._version == 1
    b.sum().backward()
    assert a.grad.tolist() == [2.0, 8.0, 12.0]


MULTI = [
    (
        "u = b.unbind(0); u[1].mul_(3)",
        "Output 1 of Unbind is a view and is being modified inplace.",
    ),
    ("u = b.split(1); u[1].mul_(3)", "Output 1 of Split is a view and is being modified inplace."),
    ("u = b.split([1, 1]); u[0].mul_(3)", "Output 0 of SplitWithSizes is a view"),
    ("u = b.chunk(2, 1); u[1].mul_(3)", "Output 1 of Split is a view"),
    ("u = b.unbind(0); u[1][0].mul_(3)", "Output 0 of Select is a view"),
    ("u = torch.ones(2, 2).split([1, 1]); u[0].mul_(a[0])", "A view was created in no_grad mode"),
]


@pytest.mark.parametrize(("code", "msg"), MULTI)
def test_multi_output_views_refuse_inplace(code, msg):
    ns = {"torch": nt, "a": nt.ones(2, 2, requires_grad=True)}
    ns["b"] = ns["a"].clone()
    with pytest.raises(RuntimeError) as info:
        exec(code, ns)
    assert str(info.value).startswith(msg)
    assert "This view is the output of a function that returns multiple views." in str(info.value)


@pytest.mark.parametrize(("code", "msg"), MULTI)
def test_multi_output_views_match_torch(code, msg):
    torch = pytest.importorskip("torch")
    ns = {"torch": torch, "a": torch.ones(2, 2, requires_grad=True)}
    ns["b"] = ns["a"].clone()
    with pytest.raises(RuntimeError) as info:
        exec(code, ns)
    assert str(info.value).startswith(msg)


def test_multi_output_views_without_grad_are_writable():
    b = nt.ones(2, 2)
    u = b.unbind()
    u[0].mul_(2)
    assert b.tolist() == [[2.0, 2.0], [1.0, 1.0]]


GRAD_CASES = [
    "b = a.clone(); d = b.diagonal(); d.pow_(2); out = b",
    "b = a.clone(); t = b.t(); t[0].mul_(3); out = b",
    "b = a * 2; v = b.view(4, 1); v.exp_(); out = b",
    "b = a.clone(); b[0, 0] = a[1, 1] ** 2; b[:, 1] *= a[:, 0]; out = b",
    "b = a.clone(); b.narrow(1, 0, 1).clamp_(0.5, 2.0); b.select(0, 1).neg_(); out = b",
    "b = a.clone(); b.masked_fill_(a > 2, 0.); b.add_(a); out = b * b",
    "b = a.clone(); b[torch.tensor([1, 1])] += a[0]; out = b",
    "b = torch.zeros(2, 2); b.copy_(a); b.sub_(a ** 2); out = b",
]


@pytest.mark.parametrize("code", GRAD_CASES)
def test_inplace_gradients_match_torch(code):
    torch = pytest.importorskip("torch")
    vals = [[1.0, 2.0], [3.0, 4.0]]
    res = []
    for lib in (nt, torch):
        ns = {"torch": lib, "a": lib.tensor(vals, requires_grad=True)}
        exec(code, ns)
        out = ns["out"]
        out.backward(lib.tensor([[1.0, -2.0], [0.5, 3.0]]))
        res.append((out.tolist(), ns["a"].grad.tolist(), out.grad_fn.name()))
    assert np.allclose(res[0][0], res[1][0])
    assert np.allclose(res[0][1], res[1][1])
    assert res[0][2] == res[1][2]


def test_inplace_gradients_hardcoded():
    a = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = a.clone()
    b.diagonal().pow_(2)
    b.sum().backward()
    assert a.grad.tolist() == [[2.0, 1.0], [1.0, 8.0]]


MODIFIED = [
    "b = a.exp(); b.add_(1); b.sum().backward()",
    "b = a * 1; c = b * b; b.add_(1); c.sum().backward()",
    "b = a * 1; c = b.sin(); b.mul_(2); b.mul_(2); c.sum().backward()",
    "b = a.sigmoid(); b[0] = 2; b.sum().backward()",
    "b = a.tanh(); v = b[:2]; v.mul_(2); b.sum().backward()",
]
MODIFIED_PREFIX = (
    "one of the variables needed for gradient computation has been modified by an inplace "
    "operation: [torch.FloatTensor [3]], which is output 0 of "
)


def _modified_message(lib, code):
    ns = {"a": lib.ones(3, requires_grad=True)}
    with pytest.raises(RuntimeError) as info:
        exec(code, ns)
    return str(info.value).replace("numtorch.", "torch.")


@pytest.mark.parametrize("code", MODIFIED)
def test_modified_saved_tensor(code):
    msg = _modified_message(nt, code)
    assert msg.startswith(MODIFIED_PREFIX)
    assert "is at version" in msg and "expected version 0 instead" in msg


@pytest.mark.parametrize("code", MODIFIED)
def test_modified_saved_tensor_message_matches_torch(code):
    torch = pytest.importorskip("torch")
    assert _modified_message(nt, code) == _modified_message(torch, code)


def test_modified_saved_tensor_versions():
    a = nt.ones(3, requires_grad=True)
    b = a * 1
    c = b.sin()
    b.mul_(2)
    b.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 2; expected version 0 instead"):
        c.sum().backward()


def test_inplace_on_expanded_tensor_error():
    v = nt.arange(6.0).reshape(2, 3).expand(2, 2, 3)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        v.add_(1)


def test_view_made_under_no_grad_cannot_be_modified_with_grad():
    a = nt.ones(2, 2, requires_grad=True)
    b = a.clone()
    with nt.no_grad():
        v = b[0]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode and is being"):
        v.mul_(2)


def test_view_history_after_inplace_is_as_strided():
    a = nt.ones(3, requires_grad=True)
    b = a * 1
    v = b[1:]
    v.mul_(3)
    assert type(v.grad_fn).__name__ == "AsStridedBackward0"
    (v * nt.tensor([1.0, 2.0])).sum().backward()
    assert a.grad.tolist() == [0.0, 3.0, 6.0]


def test_out_argument_checks():
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        nt.mul(nt.ones(3), 2, out=nt.empty(2))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output"):
        nt.mul(nt.ones(3), 2, out=nt.empty(3, dtype=nt.int64))
