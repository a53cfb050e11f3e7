"""Function transforms as ``torch.func``: ``grad``, ``grad_and_value``, ``vjp``, ``jvp``,
``jacrev``, ``jacfwd``, ``hessian``, ``linearize`` and ``vmap``.

PyTorch builds these on functorch's level-tagged wrapper tensors; numtorch has one autograd
graph and no per-op batching rules, so:

* The differentiating transforms hand ``func`` stand-ins for its inputs (a detached leaf, or an
  alias of an input that already requires grad, so that an outer graph stays connected), run it
  with grad enabled and differentiate with ``autograd.grad``. The graph of a result is kept only
  when it reaches a tensor requiring grad that the transform did not make (an outer transform's
  stand-in, a user's parameter): ``grad(grad(f))``, ``jacrev(jacrev(f))`` and gradients of
  closures over parameters compose, while a top-level call returns plain tensors, as PyTorch's.
* Forward mode (``jvp``, ``jacfwd``, ``linearize``) is the double-vjp trick: ``g(u) = J^T u`` is
  linear in ``u``, so the vjp of ``g`` with cotangent ``t`` is ``J t``.
* ``vmap`` calls ``func`` once per index of the mapped dimension and stacks the results.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from .._tensor import Size, Tensor
from ..autograd import grad as _autograd_grad
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.graph import AccumulateGrad
from ..ops._common import xp
from ..ops.creation import get_rng_state, set_rng_state
from ..ops.shape import stack

__all__ = [
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "jacrev",
    "jacfwd",
    "hessian",
    "linearize",
    "vmap",
]

_JVP = "jvp(f, primals, tangents)"
_VJP = "vjp(f, *primals)"
_RANDOM_ERROR = (
    "vmap: called random operation while in randomness error mode. Please either use the "
    "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
    "of vmap"
)


# -- pytrees ------------------------------------------------------------------------------------
# A small ``torch.utils._pytree``: tuples, lists, dicts (plain and ordered) and namedtuples are
# nodes, anything else (a Tensor, None, a number) is a leaf. Specs print as torch's, because
# the transforms' error messages show them.


def _is_namedtuple(obj: Any) -> bool:
    return isinstance(obj, tuple) and hasattr(type(obj), "_fields")


def _is_node(obj: Any) -> bool:
    return type(obj) in (tuple, list, dict, OrderedDict) or _is_namedtuple(obj)


class TreeSpec:
    """The structure of a pytree; ``*`` marks a leaf.

    >>> tree_flatten((1, [2, 3]))[1]
    TreeSpec(tuple, None, [*,
      TreeSpec(list, None, [*,
        *])])
    """

    __slots__ = ("type", "context", "children", "num_leaves")

    def __init__(self, type_: type | None, context: Any = None, children: list | None = None):
        self.type = type_
        self.context = context
        self.children: list[TreeSpec] = children if children is not None else []
        self.num_leaves: int = 1 if type_ is None else sum(c.num_leaves for c in self.children)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TreeSpec)
            and self.type is other.type
            and self.context == other.context
            and self.children == other.children
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self, indent: int = 0) -> str:
        if self.type is None:
            return "*"
        name = "namedtuple" if hasattr(self.type, "_fields") else self.type.__name__
        inner = ""
        if self.children:
            indent += 2
            inner = self.children[0].__repr__(indent)
            inner += "," if len(self.children) > 1 else ""
            inner += ",".join("\n" + " " * indent + c.__repr__(indent) for c in self.children[1:])
        return f"TreeSpec({name}, {self.context}, [{inner}])"


_LEAF = TreeSpec(None)


def _flatten_into(tree: Any, leaves: list) -> TreeSpec:
    if not _is_node(tree):
        leaves.append(tree)
        return _LEAF
    if isinstance(tree, dict):
        keys = list(tree)
        return TreeSpec(type(tree), keys, [_flatten_into(tree[k], leaves) for k in keys])
    context = type(tree) if _is_namedtuple(tree) else None
    return TreeSpec(type(tree), context, [_flatten_into(c, leaves) for c in tree])


def tree_flatten(tree: Any) -> tuple[list, TreeSpec]:
    """The leaves of a pytree, in order, and its structure.

    >>> tree_flatten({"a": 1, "b": (2, 3)})[0]
    [1, 2, 3]
    """
    leaves: list = []
    return leaves, _flatten_into(tree, leaves)


def _build(spec: TreeSpec, leaves: Iterable) -> Any:
    it = iter(leaves)

    def build(node: TreeSpec) -> Any:
        if node.type is None:
            return next(it)
        children = [build(c) for c in node.children]
        if node.type in (dict, OrderedDict):
            return node.type(zip(node.context, children, strict=True))
        if node.type is list:
            return children
        if node.type is tuple:
            return tuple(children)
        if hasattr(node.type, "_make"):
            return node.type._make(children)  # a namedtuple
        return node.type(children)  # a structseq (numtorch.return_types) takes one sequence

    return build(spec)


def tree_unflatten(leaves: Iterable, spec: TreeSpec) -> Any:
    """The pytree of structure ``spec`` holding ``leaves``.

    >>> leaves, spec = tree_flatten((1, {"a": 2}))
    >>> tree_unflatten([x * 10 for x in leaves], spec)
    (10, {'a': 20})
    """
    return _build(spec, leaves)


def _pprint(spec: TreeSpec) -> str:
    """torch's ``treespec_pprint``: the structure with ``*`` for each leaf."""

    class _Star:
        def __repr__(self) -> str:
            return "*"

    return repr(tree_unflatten([_Star()] * spec.num_leaves, spec))


def _broadcast_to_and_flatten(prefix: Any, spec: TreeSpec) -> list | None:
    """One value per leaf of ``spec``, a leaf of ``prefix`` standing for its whole subtree;
    None when ``prefix`` is not a prefix of ``spec`` (``vmap``'s ``in_dims``/``out_dims``)."""
    out: list = []

    def walk(pre: Any, node: TreeSpec) -> bool:
        if not _is_node(pre):
            out.extend([pre] * node.num_leaves)
            return True
        if node.type is not type(pre):
            return False
        subs: list[Any]
        if isinstance(pre, dict):
            if set(pre) != set(node.context):
                return False
            subs = [pre[k] for k in node.context]
        elif isinstance(pre, (tuple, list)):
            subs = list(pre)
            if len(subs) != len(node.children):
                return False
        else:
            return False
        return all(walk(p, c) for p, c in zip(subs, node.children, strict=True))

    return out if walk(prefix, spec) else None


def _tree_map_tensors(fn: Callable[[Tensor], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) if isinstance(x, Tensor) else x for x in leaves], spec)


# -- argnums ------------------------------------------------------------------------------------


def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _wrap_argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    if isinstance(argnums, tuple):
        wrapped = tuple(_wrap_argnum(a, num_args) for a in argnums)
        if not wrapped:
            raise RuntimeError("argnums must be non-empty")
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"argnums elements must be unique, got {wrapped}")
        return wrapped
    raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")


def _replace_args(args: tuple, new: Any, argnums: int | tuple[int, ...]) -> tuple:
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    by_index = dict(zip(argnums, new, strict=True))
    return tuple(by_index.get(i, a) for i, a in enumerate(args))


# -- the differentiation boundary ---------------------------------------------------------------


class Alias(Function):
    """An identity node. Its backward hands the gradient on untouched, so, unlike ``view_as``,
    it adds no op to the graphs that ``create_graph`` builds (``grad(grad(f))`` of a tensor
    requiring grad ends in f's own ops, as PyTorch's)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor) -> Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tensor:
        return grad_output


class _Boundary:
    """One transform call: the stand-ins it made, and the test of whether a result depends on
    anything else (then an outer graph needs it, so it keeps its history)."""

    def __init__(self) -> None:
        # Read before the transform enables grad: under a user's no_grad, results are plain.
        self.outer_grad = is_grad_enabled()
        self._own: set[int] = set()
        self._clean: set[int] = set()
        # References keep the ids above from being reused while this call is alive.
        self._keep: list = []

    def leaf(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if x.requires_grad:
            # An alias, not a copy: gradients stop here, yet what the result owes to x's own
            # history (an outer transform, a user's graph) stays reachable.
            return Alias.apply(x)
        stand_in = x.detach().requires_grad_()
        self._own.add(id(stand_in))
        self._keep.append(stand_in)
        return stand_in

    def differentiable_args(self, args: tuple, argnums: Any) -> tuple[list, TreeSpec, tuple]:
        wrapped = _wrap_argnums(argnums, len(args))
        diff_args = args[wrapped] if isinstance(wrapped, int) else tuple(args[i] for i in wrapped)
        flat, spec = tree_flatten(diff_args)
        flat = [self.leaf(x) for x in flat]
        return flat, spec, _replace_args(args, tree_unflatten(flat, spec), wrapped)

    def reaches_outside(self, tensors: Iterable[Any]) -> bool:
        """Whether the graph of any of ``tensors`` reaches a tensor requiring grad that this call
        did not make."""
        roots = []
        for t in tensors:
            if not (isinstance(t, Tensor) and t.requires_grad):
                continue
            fn = t.grad_fn
            if fn is None:
                if id(t) not in self._own:
                    return True
            elif id(fn) not in self._clean:
                roots.append(fn)
        seen: set[int] = set()
        visited = []
        while roots:
            node = roots.pop()
            if id(node) in seen or id(node) in self._clean:
                continue
            seen.add(id(node))
            visited.append(node)
            if isinstance(node, AccumulateGrad):
                if id(node.variable) not in self._own:
                    return True
                continue
            roots.extend(child for child, _ in node.next_functions if child is not None)
        # Only fully explored, outside-free subgraphs are remembered, so later walks stop there.
        self._clean.update(id(n) for n in visited)
        self._keep.extend(visited)
        return False

    def needs_graph(self, tensors: Iterable[Any]) -> bool:
        return self.outer_grad and self.reaches_outside(tensors)

    def unwrap(self, tree: Any) -> Any:
        """``tree`` with the tensors that depend on nothing outside this call detached."""

        def one(t: Tensor) -> Tensor:
            if t.requires_grad and not self.needs_graph([t]):
                return t.detach()
            return t

        return _tree_map_tensors(one, tree)

    def vjp(
        self, outputs: list, inputs: list, cotangents: list, create_graph: bool, retain: bool = True
    ) -> list:
        """``sum_i cotangents[i]^T d outputs[i] / d inputs``, zeros where nothing connects."""
        pairs = [(o, c) for o, c in zip(outputs, cotangents, strict=True) if o.requires_grad]
        grads: tuple = (None,) * len(inputs)
        if pairs and inputs:
            grads = _autograd_grad(
                [o for o, _ in pairs],
                inputs,
                [c for _, c in pairs],
                retain_graph=retain,
                create_graph=create_graph,
                allow_unused=True,
            )
        return [
            x.new_zeros(x.shape) if g is None else g for x, g in zip(inputs, grads, strict=True)
        ]

    def linearize(self, outputs: list, inputs: list) -> tuple[list, list, list]:
        """The pieces of the double-vjp trick: the outputs that can carry a tangent (their
        indices), the dummy cotangents ``u`` and the gradients ``g(u) = J^T u``."""
        diff = [
            i
            for i, o in enumerate(outputs)
            if o.requires_grad and (o.is_floating_point() or o.is_complex())
        ]
        us = [self.leaf(outputs[i].new_zeros(outputs[i].shape)) for i in diff]
        gs: tuple = (None,) * len(inputs)
        if diff and inputs:
            gs = _autograd_grad(
                [outputs[i] for i in diff],
                inputs,
                us,
                retain_graph=True,
                create_graph=True,
                allow_unused=True,
            )
        return diff, us, list(gs)

    def push(
        self, n_outputs: int, lin: tuple[list, list, list], tangents: list, create_graph: bool
    ) -> list:
        """``J t`` per output (None where the output does not depend on the inputs)."""
        diff, us, gs = lin
        pairs = [(g, t) for g, t in zip(gs, tangents, strict=True) if g is not None]
        pairs = [(g, t) for g, t in pairs if g.requires_grad]
        result: list = [None] * n_outputs
        if pairs and us:
            res = _autograd_grad(
                [g for g, _ in pairs],
                us,
                [t for _, t in pairs],
                retain_graph=True,
                create_graph=create_graph,
                allow_unused=True,
            )
            for i, r in zip(diff, res, strict=True):
                result[i] = r
        return result


def _split_aux(output: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(
            f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return output[0], output[1]


def _check_tensor_outputs(flat: list, api: str) -> None:
    if len(flat) < 1 or (len(flat) == 1 and flat[0] is None):
        raise RuntimeError(
            f"{api}: Expected f to be a function that has non-empty output (got output = {flat})"
        )
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                f"{type(o)}"
            )


def _check_float_outputs(flat: list) -> None:
    for o in flat:
        if not (o.is_floating_point() or o.is_complex()):
            raise RuntimeError(
                "vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                f"Tensor with dtype {o.dtype}"
            )


def _error_if_complex(api: str, tree: Any, is_input: bool) -> None:
    # jacrev and jacfwd are defined for real functions only, as in PyTorch
    for idx, x in enumerate(tree_flatten(tree)[0]):
        if isinstance(x, Tensor) and x.is_complex():
            what = "inputs" if is_input else "outputs"
            raise RuntimeError(
                f"{api}: Expected all {what} to be real but received complex tensor at flattened "
                f"input idx: {idx}"
            )


def _check_randomness_arg(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )


def _basis(like: Tensor, k: int) -> Tensor:
    e = like.new_zeros(like.numel())
    e[k] = 1
    return e.reshape(like.shape)


# -- grad, vjp ----------------------------------------------------------------------------------


def grad_and_value(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """Like :func:`grad`, but the wrapped function returns ``(gradient, value)`` (with
    ``has_aux``: ``(gradient, (value, aux))``).

    >>> from numtorch.func import grad_and_value
    >>> grad_and_value(lambda x: (x ** 2).sum())(numtorch.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        boundary = _Boundary()
        with enable_grad():
            flat_in, in_spec, new_args = boundary.differentiable_args(args, argnums)
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, "grad_and_value(f)(*args)")
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(output)}"
                )
            if output.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {output.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            grads = boundary.vjp([output], flat_in, [None], boundary.needs_graph([output]))
        grad_tree = tree_unflatten(boundary.unwrap(grads), in_spec)
        value = boundary.unwrap(output)
        if has_aux:
            return grad_tree, (value, boundary.unwrap(aux))
        return grad_tree, value

    return wrapper


def grad(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """The gradient of a function returning a scalar tensor, as a function: with respect to
    argument ``argnums`` (an int, or a tuple of ints for a tuple of gradients), each gradient
    shaped like its argument (a pytree of tensors for a pytree argument). With ``has_aux``,
    ``func`` returns ``(output, aux)`` and the wrapper ``(gradient, aux)``. Composes:
    ``grad(grad(f))``, ``vmap(grad(f))``.

    >>> from numtorch.func import grad
    >>> grad(lambda x: x.sin().sum())(numtorch.tensor([0.0]))
    tensor([1.])
    >>> grad(grad(lambda x: x ** 3))(numtorch.tensor(2.0))
    tensor(12.)
    """
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = inner(*args, **kwargs)
        if has_aux:
            return g, value[1]
        return g

    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` returns a tuple with, for each
    primal, the vector-Jacobian product ``cotangents^T J`` (cotangents shaped like the output,
    a pytree for a pytree output). ``vjp_fn`` may be called many times. With ``has_aux``,
    ``(output, vjp_fn, aux)``.

    >>> from numtorch.func import vjp
    >>> out, vjp_fn = vjp(lambda x: x ** 2, numtorch.tensor([1.0, 3.0]))
    >>> vjp_fn(numtorch.ones(2))
    (tensor([2., 6.]),)
    """
    boundary = _Boundary()
    with enable_grad():
        flat_primals, primals_spec = tree_flatten(primals)
        flat_in = [boundary.leaf(p) for p in flat_primals]
        output, aux = _split_aux(func(*tree_unflatten(flat_in, primals_spec)), has_aux, _VJP)
        flat_out, out_spec = tree_flatten(output)
        _check_tensor_outputs(flat_out, _VJP)
        _check_float_outputs(flat_out)

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None):
        flat_ct, ct_spec = tree_flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {_pprint(ct_spec)}, primal output: "
                f"{_pprint(out_spec)}"
            )
        for i, (o, c) in enumerate(zip(flat_out, flat_ct, strict=True)):
            if isinstance(c, Tensor) and c.shape != o.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {Size(c.shape)} and "
                    f"output[{i}] has a shape of {Size(o.shape)}."
                )
        graph = create_graph
        if graph is None:
            graph = is_grad_enabled() and boundary.reaches_outside(flat_out + flat_ct)
        with enable_grad():
            grads = boundary.vjp(flat_out, flat_in, flat_ct, bool(graph), retain=retain_graph)
        return tree_unflatten(boundary.unwrap(grads), primals_spec)

    out = boundary.unwrap(output)
    if has_aux:
        return out, vjp_fn, boundary.unwrap(aux)
    return out, vjp_fn


# -- forward mode -------------------------------------------------------------------------------


def _check_tangents(flat_primals: list, flat_tangents: list) -> None:
    for p, t in zip(flat_primals, flat_tangents, strict=True):
        if isinstance(p, Tensor) and isinstance(t, Tensor) and p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size {list(t.shape)}."
            )


def jvp(
    func: Callable,
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> tuple:
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product, tangents shaped like the
    primals (a tuple) and the result like the output. With ``has_aux``, ``(output, jvp_out,
    aux)``. Computed with two reverse passes (the double-vjp trick).

    >>> from numtorch.func import jvp
    >>> jvp(lambda x: x ** 2, (numtorch.tensor([1.0, 3.0]),), (numtorch.ones(2),))
    (tensor([1., 9.]), tensor([2., 6.]))
    """
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals)."
        )
    flat_primals, primals_spec = tree_flatten(primals)
    flat_tangents, tangents_spec = tree_flatten(tangents)
    if primals_spec != tangents_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {primals_spec} and tangents with structure {tangents_spec}"
        )
    for name, flat in (("primals", flat_primals), ("tangents", flat_tangents)):
        if not flat:
            raise RuntimeError(f"{_JVP}: Expected {name} to contain at least one Tensor.")
    _check_tangents(flat_primals, flat_tangents)
    boundary = _Boundary()
    with enable_grad():
        flat_in = [boundary.leaf(p) for p in flat_primals]
        output, aux = _split_aux(func(*tree_unflatten(flat_in, primals_spec)), has_aux, _JVP)
        flat_out, out_spec = tree_flatten(output)
        _check_tensor_outputs(flat_out, _JVP)
        lin = boundary.linearize(flat_out, flat_in)
        graph = boundary.needs_graph(flat_out + flat_tangents)
        pushed = boundary.push(len(flat_out), lin, flat_tangents, graph)
    tangents_out = []
    for o, t in zip(flat_out, pushed, strict=True):
        if t is None:
            if strict:
                raise RuntimeError(
                    "jvp(f, primals, tangents, strict=True): The output of f is independent of "
                    "the inputs. This is not allowed with strict=True."
                )
            t = o.new_zeros(o.shape)
        tangents_out.append(t)
    out = boundary.unwrap(output)
    jvp_out = tree_unflatten(boundary.unwrap(tangents_out), out_spec)
    if has_aux:
        return out, jvp_out, boundary.unwrap(aux)
    return out, jvp_out


def linearize(func: Callable, *primals: Any) -> tuple:
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at
    ``primals``, the function evaluated once for any number of tangents.

    >>> from numtorch.func import linearize
    >>> out, jvp_fn = linearize(lambda x: x ** 2, numtorch.tensor([1.0, 3.0]))
    >>> jvp_fn(numtorch.ones(2))
    tensor([2., 6.])
    """
    boundary = _Boundary()
    flat_primals, primals_spec = tree_flatten(primals)
    with enable_grad():
        flat_in = [boundary.leaf(p) for p in flat_primals]
        output = func(*tree_unflatten(flat_in, primals_spec))
        flat_out, out_spec = tree_flatten(output)
        _check_tensor_outputs(flat_out, _JVP)
        lin = boundary.linearize(flat_out, flat_in)

    def jvp_fn(*tangents: Any) -> Any:
        flat_tangents, tangents_spec = tree_flatten(tangents)
        if tangents_spec != primals_spec:
            raise RuntimeError(
                f"Expected the tangents {tangents_spec} to have the same argspec as the primals "
                f"{primals_spec}"
            )
        for idx, (p, t) in enumerate(zip(flat_primals, flat_tangents, strict=True)):
            for what in ("shape", "device", "dtype"):
                if getattr(t, what) != getattr(p, what):
                    raise RuntimeError(
                        f"tangent:{idx} with {what} {getattr(t, what)} in flattened pytree "
                        f"doesn't match the {what} {getattr(p, what)} of the corresponding primal."
                    )
        graph = is_grad_enabled() and boundary.reaches_outside(flat_out + flat_tangents)
        with enable_grad():
            pushed = boundary.push(len(flat_out), lin, flat_tangents, graph)
        result = [
            o.new_zeros(o.shape) if t is None else t for o, t in zip(flat_out, pushed, strict=True)
        ]
        return tree_unflatten(boundary.unwrap(result), out_spec)

    return boundary.unwrap(output), jvp_fn


# -- Jacobians ----------------------------------------------------------------------------------


def jacrev(
    func: Callable,
    argnums: Any = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable:
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, by reverse mode (one
    vjp per output element): for an output of shape ``O`` and an input of shape ``I`` the
    Jacobian has shape ``O + I``. Pytrees of outputs give a pytree of Jacobians, a tuple
    ``argnums`` a tuple per output. ``chunk_size`` is accepted (rows are computed one by one).

    >>> from numtorch.func import jacrev
    >>> jacrev(lambda x: x ** 2)(numtorch.tensor([1.0, 3.0]))
    tensor([[2., 0.],
            [0., 6.]])
    """
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        _error_if_complex("jacrev", args, is_input=True)
        boundary = _Boundary()
        with enable_grad():
            flat_in, in_spec, new_args = boundary.differentiable_args(args, argnums)
            output, aux = _split_aux(func(*new_args), has_aux, _VJP)
            flat_out, out_spec = tree_flatten(output)
            _check_tensor_outputs(flat_out, _VJP)
            _check_float_outputs(flat_out)
            _error_if_complex("jacrev", flat_out, is_input=False)
            graph = boundary.needs_graph(flat_out)
            jacobians = []
            for o in flat_out:
                n = o.numel()
                rows = []
                if o.requires_grad:
                    rows = [boundary.vjp([o], flat_in, [_basis(o, k)], graph) for k in range(n)]
                per_input = []
                for j, x in enumerate(flat_in):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if rows:
                        per_input.append(stack([r[j] for r in rows]).reshape(shape))
                    else:
                        per_input.append(x.new_zeros(shape))
                jacobians.append(tree_unflatten(boundary.unwrap(per_input), in_spec))
        result = tree_unflatten(jacobians, out_spec)
        if has_aux:
            return result, boundary.unwrap(aux)
        return result

    return wrapper


def jacfwd(
    func: Callable, argnums: Any = 0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, by forward mode (one
    Jacobian-vector product per input element, each a double vjp here); the same structure and
    values as :func:`jacrev`. ``randomness='error'`` rejects random ops in ``func``, as PyTorch
    (whose jacfwd vmaps ``func``).

    >>> from numtorch.func import jacfwd
    >>> jacfwd(lambda x: x.prod(0, keepdim=True))(numtorch.tensor([2.0, 3.0]))
    tensor([[3., 2.]])
    """
    _check_randomness_arg(randomness)

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        _error_if_complex("jacfwd", args, is_input=True)
        boundary = _Boundary()
        with enable_grad():
            flat_in, in_spec, new_args = boundary.differentiable_args(args, argnums)
            state = get_rng_state() if randomness == "error" else None
            output = func(*new_args)
            if state is not None and not state.equal(get_rng_state()):
                raise RuntimeError(_RANDOM_ERROR)
            output, aux = _split_aux(output, has_aux, _JVP)
            flat_out, out_spec = tree_flatten(output)
            _check_tensor_outputs(flat_out, _JVP)
            _error_if_complex("jacfwd", flat_out, is_input=False)
            lin = boundary.linearize(flat_out, flat_in)
            graph = boundary.needs_graph(flat_out)
            # columns[i][j]: for output i, the Jacobian columns of input j, one per element
            columns: list[list[list]] = [[[] for _ in flat_in] for _ in flat_out]
            for j, x in enumerate(flat_in):
                for m in range(x.numel()):
                    tangents: list[Any] = [None] * len(flat_in)
                    tangents[j] = _basis(x, m)
                    lin_j = (lin[0], lin[1], [g if k == j else None for k, g in enumerate(lin[2])])
                    pushed = boundary.push(len(flat_out), lin_j, tangents, graph)
                    for i, col in enumerate(pushed):
                        columns[i][j].append(col)
            jacobians = []
            for i, o in enumerate(flat_out):
                per_input = []
                for j, x in enumerate(flat_in):
                    shape = tuple(o.shape) + tuple(x.shape)
                    cols = columns[i][j]
                    if cols and all(c is not None for c in cols):
                        per_input.append(stack(cols, dim=-1).reshape(shape))
                    elif cols and any(c is not None for c in cols):
                        filled = [o.new_zeros(o.shape) if c is None else c for c in cols]
                        per_input.append(stack(filled, dim=-1).reshape(shape))
                    else:
                        per_input.append(o.new_zeros(shape))
                jacobians.append(tree_unflatten(boundary.unwrap(per_input), in_spec))
        result = tree_unflatten(jacobians, out_spec)
        if has_aux:
            return result, boundary.unwrap(aux)
        return result

    return wrapper


def hessian(func: Callable, argnums: Any = 0) -> Callable:
    """The Hessian of a scalar function, ``jacfwd(jacrev(func, argnums), argnums)``: shape
    ``I + I`` for an input of shape ``I``.

    >>> from numtorch.func import hessian
    >>> hessian(lambda x: (x ** 3).sum())(numtorch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap ---------------------------------------------------------------------------------------


def _get_name(func: Any) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _check_out_dims(out_dims: Any, func: Callable) -> None:
    leaves = [out_dims] if isinstance(out_dims, int) else tree_flatten(out_dims)[0]
    for x in leaves:
        if x is not None and not isinstance(x, int):
            raise ValueError(
                f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear."
            )


def _process_inputs(in_dims: Any, args: tuple, func: Callable) -> tuple[int, list, list, Any]:
    name = _get_name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}."
        )
    if len(args) == 0:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
            "trying to vmap over a function with no inputs. The latter is unsupported."
        )
    flat_args, args_spec = tree_flatten(args)
    flat_in_dims = _broadcast_to_and_flatten(in_dims, args_spec)
    if flat_in_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has structure {tree_flatten(in_dims)[1]} but inputs "
            f"has structure {args_spec}."
        )
    prefix = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): "
    for i, (arg, in_dim) in enumerate(zip(flat_args, flat_in_dims, strict=True)):
        if in_dim is not None and not isinstance(in_dim, int):
            raise ValueError(
                f"{prefix}Got in_dim={in_dim} for an input but in_dim must be either an integer "
                "dimension or None."
            )
        if isinstance(in_dim, int) and not isinstance(arg, Tensor):
            raise ValueError(
                f"{prefix}Got in_dim={in_dim} for an input but the input is of type {type(arg)}. "
                "We cannot vmap over non-Tensor arguments, please use None as the respective "
                "in_dim"
            )
        if in_dim is not None:
            ndim = arg.dim()
            if in_dim < -ndim or in_dim >= ndim:
                raise ValueError(
                    f"{prefix}Got in_dim={in_dim} for some input, but that input is a Tensor of "
                    f"dimensionality {ndim} so expected in_dim to satisfy -{ndim} <= in_dim < "
                    f"{ndim}."
                )
            flat_in_dims[i] = in_dim % ndim
    sizes = [a.shape[d] for a, d in zip(flat_args, flat_in_dims, strict=True) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension"
        )
    return sizes[0], flat_in_dims, flat_args, args_spec


def _sample(arg: Any, in_dim: int | None, index: int, batch_size: int) -> Any:
    if in_dim is None:
        return arg
    if batch_size == 0:
        # No sample exists: func still runs once, on zeros, so the outputs' shapes are known.
        shape = tuple(s for d, s in enumerate(arg.shape) if d != in_dim)
        return arg.new_zeros(shape)
    return arg.select(in_dim, index)


def _flat_out_dims(first: Any, spec: TreeSpec, out_dims: Any, func: Callable) -> list:
    def incompatible() -> ValueError:
        return ValueError(
            f"vmap({_get_name(func)}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
            f"compatible with the structure of `outputs`. out_dims has structure "
            f"{tree_flatten(out_dims)[1]} but outputs has structure {spec}."
        )

    if isinstance(first, Tensor):
        # A lone tensor output takes an int, None or a one-element tuple, as PyTorch.
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        raise incompatible()
    flat = _broadcast_to_and_flatten(out_dims, spec)
    if flat is None:
        raise incompatible()
    return flat


def _same_value(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and bool(xp.array_equal(a._data, b._data))
    return False


def _vmap_call(
    func: Callable,
    in_dims: Any,
    out_dims: Any,
    randomness: str,
    args: tuple,
    kwargs: dict,
) -> Any:
    name = _get_name(func)
    _check_out_dims(out_dims, func)
    batch_size, flat_in_dims, flat_args, args_spec = _process_inputs(in_dims, args, func)
    start_state = get_rng_state() if randomness == "same" else None
    results = []
    for index in range(max(batch_size, 1)):
        if start_state is not None and index > 0:
            # 'same': every sample draws what the first one drew
            set_rng_state(start_state)
        before = get_rng_state() if randomness == "error" else None
        sample = [
            _sample(a, d, index, batch_size) for a, d in zip(flat_args, flat_in_dims, strict=True)
        ]
        out = func(*tree_unflatten(sample, args_spec), **kwargs)
        if before is not None and not before.equal(get_rng_state()):
            raise RuntimeError(_RANDOM_ERROR)
        results.append(out)
    flat_first, out_spec = tree_flatten(results[0])
    flat_results = [flat_first]
    for r in results[1:]:
        flat, spec = tree_flatten(r)
        if spec != out_spec:
            raise ValueError(
                f"vmap({name}, ...): `{name}` returned outputs of different structures for "
                f"different samples ({out_spec} and {spec}); vmap needs one structure"
            )
        flat_results.append(flat)
    flat_dims = _flat_out_dims(results[0], out_spec, out_dims, func)
    outputs = []
    for k, out_dim in enumerate(flat_dims):
        leaves = [flat[k] for flat in flat_results]
        if out_dim is None:
            if isinstance(leaves[0], Tensor) and not all(
                _same_value(leaves[0], x) for x in leaves[1:]
            ):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                    "None"
                )
            outputs.append(leaves[0])
            continue
        for x in leaves:
            if not isinstance(x, Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(x)}. "
                    "Did you mean to set out_dims= to None for output?"
                )
        stacked = stack(leaves, dim=out_dim)
        if batch_size == 0:
            stacked = stacked.narrow(out_dim, 0, 0)
        outputs.append(stacked)
    return tree_unflatten(outputs, out_spec)


def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """``func`` mapped over a dimension of its inputs: ``in_dims`` gives, per argument (an int
    for all, None for an unmapped argument, a nested tuple/dict for pytrees), the dimension to
    map over, and ``out_dims`` where the mapped dimension goes in each output. Keyword
    arguments are passed unmapped. Here ``func`` runs once per sample and the results are
    stacked, so results and shapes are PyTorch's; ``chunk_size`` changes nothing.
    ``randomness``: 'error' rejects random ops, 'same' gives every sample the same draws,
    'different' independent ones.

    >>> from numtorch.func import vmap
    >>> vmap(numtorch.dot)(numtorch.ones(2, 3), numtorch.arange(6.0).reshape(2, 3))
    tensor([ 3., 12.])
    >>> vmap(lambda x, b: x + b, in_dims=(1, None))(numtorch.zeros(2, 3), 1.0)
    tensor([[1., 1.],
            [1., 1.],
            [1., 1.]])
    """
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return _vmap_call(func, in_dims, out_dims, randomness, args, kwargs)

    return wrapped
