"""``gradcheck`` and ``gradgradcheck``: autograd's gradients against finite differences.

Both follow torch.autograd.gradcheck in signature, defaults, checks and messages, computing the
full Jacobians (PyTorch's "slow mode"):

* numerical: each element of each input that requires grad is perturbed by ``-eps`` and
  ``+eps`` in place (through ``.data``, so the input keeps its identity and autograd history)
  and the central difference of every output becomes one row of the Jacobian;
* analytical: one ``autograd.grad`` call per output element, with a one-hot ``grad_output``,
  gives one column; it runs twice to catch non-reentrant (nondeterministic) backwards.

numtorch has no forward-mode AD (``numtorch.func.jvp`` and ``vmap`` are built on reverse
mode and loops, so they would check nothing new), so ``check_forward_ad``,
``check_batched_grad`` and ``check_batched_forward_grad`` are accepted for compatibility but
add no check of their own, and ``fast_mode=True`` runs the full (slower, stricter) check.
"""

from __future__ import annotations

import itertools
import warnings

import numtorch

from .grad_mode import no_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _is_tensor(x) -> bool:
    return isinstance(x, numtorch.Tensor)


def _differentiable_outputs(x) -> tuple:
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _check_inputs(inputs: tuple) -> None:
    any_requiring_grad = False
    for idx, inp in enumerate(inputs):
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        if inp.dtype not in (numtorch.float64, numtorch.complex128):
            warnings.warn(
                f"Input #{idx} requires gradient and "
                "is not a double precision floating point or complex. "
                "This check will likely fail if all the inputs are "
                "not of double precision floating point or complex. ",
                stacklevel=4,
            )
        # perturbing one element of an expanded tensor would move all elements sharing it
        if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.size(), strict=True)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only "
                "supports inputs that are non-overlapping to be able to "
                "compute the numerical gradients correctly. You should call "
                ".contiguous on the input before passing it to gradcheck."
            )
        any_requiring_grad = True
    if not any_requiring_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of them have requires_grad=True."
        )


# -- numerical Jacobians ---------------------------------------------------------------------


def _evaluate(func, inputs: tuple) -> tuple:
    # clone: an output may alias the input that is being perturbed in place
    return tuple(o.detach().clone() for o in _as_tuple(func(*inputs)))


def _check_same_dtype_and_shape(a, b, idx, eps) -> None:
    if a.shape != b.shape:
        raise AssertionError(
            "Expected `func` to return outputs with the same shape when inputs are perturbed "
            f"on index {idx} by {eps}, but got: shapes {a.shape} and {b.shape}."
        )
    if a.dtype != b.dtype:
        raise AssertionError(
            "Expected `func` to return outputs with the same dtype when inputs are perturbed "
            f"on index {idx} by {eps}, but got: dtypes {a.dtype} and {b.dtype}."
        )


def _central_difference(func, inputs, data, idx, delta, eps) -> list:
    """(f(x + delta e_idx) - f(x - delta e_idx)) / 2 eps, flattened, for every output."""
    with no_grad():
        orig = data[idx].clone()
        data[idx] = orig - delta
    try:
        before = _evaluate(func, inputs)
        with no_grad():
            data[idx] = orig + delta
        after = _evaluate(func, inputs)
    finally:
        with no_grad():
            data[idx] = orig
    columns = []
    for a, b in zip(before, after, strict=True):
        _check_same_dtype_and_shape(a, b, idx, eps)
        columns.append(((b - a) / (2 * eps)).reshape(-1))
    return columns


def _numerical_jacobians(func, inputs: tuple, outputs: tuple, eps: float) -> list:
    """``result[i][k]``: d outputs[k] / d inputs[i] for each input that requires grad, as a
    (input.numel(), output.numel()) matrix (PyTorch's layout)."""
    result = []
    for inp in inputs:
        if not (_is_tensor(inp) and inp.requires_grad):
            continue
        data = inp.data  # same memory as inp, no autograd history to trip over
        rows = []
        for idx in itertools.product(*(range(n) for n in inp.shape)):
            row = _central_difference(func, inputs, data, idx, eps, eps)
            if inp.is_complex():
                # conjugate Wirtinger derivative ds/dx + i ds/dy, as PyTorch's convention
                imag = _central_difference(func, inputs, data, idx, eps * 1j, eps)
                row = [dx + dy * 1j for dx, dy in zip(row, imag, strict=True)]
            rows.append(row)
        jacobians = []
        for k, out in enumerate(outputs):
            dtype = inp.dtype if inp.is_complex() else out.dtype
            jac = numtorch.zeros(inp.numel(), out.numel(), dtype=dtype)
            with no_grad():
                for r, row in enumerate(rows):
                    jac[r] = row[k]
            jacobians.append(jac)
        result.append(jacobians)
    return result


# -- analytical Jacobians --------------------------------------------------------------------


def _analytical_rows(output, diff_inputs: tuple) -> list:
    """``rows[i][j]``: gradient of output element j with respect to diff_inputs[i] (or None)."""
    rows: list = [[] for _ in diff_inputs]
    for j in range(output.numel()):
        one_hot = numtorch.zeros(output.numel(), dtype=output.dtype)
        one_hot[j] = 1
        grads = numtorch.autograd.grad(
            output,
            diff_inputs,
            one_hot.reshape(output.shape),
            retain_graph=True,
            allow_unused=True,
        )
        for i, g in enumerate(grads):
            rows[i].append(None if g is None else g.clone())
    return rows


def _stack_rows(rows: list, diff_inputs: tuple, numel_output: int):
    """Stacks the rows into (input.numel(), output.numel()) matrices; also says whether every
    gradient had its input's size and dtype."""
    sizes_ok = dtypes_ok = True
    jacobians = []
    for inp, grads in zip(diff_inputs, rows, strict=True):
        jac = numtorch.zeros(inp.numel(), numel_output, dtype=inp.dtype)
        for j, g in enumerate(grads):
            if g is None:
                continue
            if g.shape != inp.shape:
                sizes_ok = False
                continue
            dtypes_ok = dtypes_ok and g.dtype == inp.dtype
            with no_grad():
                jac[:, j] = g.reshape(-1)
        jacobians.append(jac)
    return jacobians, sizes_ok, dtypes_ok


def _max_abs_diff(a, b) -> float:
    return 0.0 if a.numel() == 0 else (a - b).abs().max().item()


def _analytical_jacobians(inputs, output, nondet_tol, check_grad_dtypes) -> list:
    diff_inputs = tuple(x for x in inputs if _is_tensor(x) and x.requires_grad)
    first, sizes_ok, dtypes_ok = _stack_rows(
        _analytical_rows(output, diff_inputs), diff_inputs, output.numel()
    )
    second, _, _ = _stack_rows(_analytical_rows(output, diff_inputs), diff_inputs, output.numel())
    reentrant = all(_max_abs_diff(a, b) <= nondet_tol for a, b in zip(first, second, strict=True))
    if not dtypes_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    if not reentrant:
        raise GradcheckError(
            "Backward is not reentrant, i.e., running backward with "
            "same input and grad_output multiple times gives different values, "
            "although analytical gradient matches numerical gradient."
            f"The tolerance for nondeterminism was {nondet_tol}."
        )
    return first


# -- the checks ------------------------------------------------------------------------------


def _allclose(a, b, rtol, atol) -> bool:
    dtype = numtorch.promote_types(a.dtype, b.dtype)
    return numtorch.allclose(a.to(dtype), b.to(dtype), rtol, atol)


def _mismatch_message(analytical, numerical, output_idx, input_idx, complex_part) -> str:
    prefix = ""
    if complex_part is not None:
        prefix = f"While considering the {complex_part} part of complex outputs only, "
    return (
        prefix + f"Jacobian mismatch for output {output_idx:d} with respect to input "
        f"{input_idx:d},\nnumerical:{numerical}\nanalytical:{analytical}\n"
    )


def _check_jacobians(func, inputs, eps, rtol, atol, check_grad_dtypes, nondet_tol, complex_idx):
    """Compares the numerical and analytical Jacobians of ``func``; ``complex_idx`` holds the
    indices of outputs that ``func`` took the real or imaginary part of."""
    func_out = _as_tuple(func(*inputs))
    outputs = _differentiable_outputs(func_out)
    numerical = _numerical_jacobians(func, inputs, func_out, eps)
    if not outputs:
        for per_input in numerical:
            for jac in per_input:
                if jac.ne(0).sum().item() > 0:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    keep = [k for k, o in enumerate(func_out) if o.requires_grad]
    for i, out in enumerate(outputs):
        analytical = _analytical_jacobians(inputs, out, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][keep[i]]
            if not _allclose(a, n, rtol, atol):
                part = complex_idx[1] if i in complex_idx[0] else None
                raise GradcheckError(_mismatch_message(a, n, i, j, part))


def _part_of_outputs(func, part: str):
    def wrapped(*inputs):
        return tuple(getattr(o, part) if o.is_complex() else o for o in _as_tuple(func(*inputs)))

    return wrapped


def _check_backward_mul_by_grad_output(outputs, inputs, masked) -> None:
    diff_inputs = tuple(x for x in inputs if _is_tensor(x) and x.requires_grad)
    grads = numtorch.autograd.grad(
        outputs, diff_inputs, [numtorch.zeros_like(o) for o in outputs], allow_unused=True
    )
    for gi, di in zip(grads, diff_inputs, strict=True):
        if gi is None:
            continue
        zero = numtorch.zeros_like(gi)
        if not (numtorch.allclose(gi, zero) if masked else gi.eq(0).all().item()):
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype != di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.device != di.device:
            raise GradcheckError("grad is incorrect device")
        if gi.size() != di.size():
            raise GradcheckError("grad is incorrect size")


def _check_undefined_grad(func, inputs) -> None:
    """Backward must cope with outputs that receive no gradient at all. Without PyTorch's
    UndefinedGrad node, such outputs are simply left out of the ``autograd.grad`` roots."""
    diff_inputs = tuple(x for x in inputs if _is_tensor(x) and x.requires_grad)
    num_outputs = len(_differentiable_outputs(func(*inputs)))
    if num_outputs < 2:
        return
    for skipped in range(num_outputs):
        outputs = _differentiable_outputs(func(*inputs))
        kept = [o for k, o in enumerate(outputs) if k != skipped]
        try:
            grads = numtorch.autograd.grad(
                kept, diff_inputs, [numtorch.zeros_like(o) for o in kept], allow_unused=True
            )
        except RuntimeError as e:
            _warn_bc_breaking()
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. "
                'Please look at "Notes about undefined output gradients" in '
                '"tools/autograd/derivatives.yaml"'
            ) from e
        if any(g is not None and not g.eq(0).all().item() for g in grads):
            _warn_bc_breaking()
            raise GradcheckError(
                "Expected all input grads to be undefined or zero when all output grads are "
                'undefined or zero. Please look at "Notes about undefined output gradients" in '
                '"tools/autograd/derivatives.yaml"'
            )


def _warn_bc_breaking() -> None:
    warnings.warn(
        "Backwards compatibility: New undefined gradient support checking "
        "feature is enabled by default, but it may break existing callers "
        "of this function. If this is true for you, you can call this "
        'function with "check_undefined_grad=False" to disable the feature',
        stacklevel=4,
    )


def _gradcheck(
    func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad, check_dtypes, masked
):
    _check_inputs(inputs)
    outputs = _differentiable_outputs(func(*inputs))
    complex_idx = [k for k, o in enumerate(outputs) if o.is_complex()]
    checks = (eps, rtol, atol, check_dtypes, nondet_tol)
    if complex_idx:
        # a complex output is checked as two real functions: its imaginary and its real part
        for part, name in (("imag", "imaginary"), ("real", "real")):
            _check_jacobians(_part_of_outputs(func, part), inputs, *checks, (complex_idx, name))
    else:
        _check_jacobians(func, inputs, *checks, ([], None))
    if outputs:
        _check_backward_mul_by_grad_output(outputs, inputs, masked)
        if check_undefined_grad:
            _check_undefined_grad(func, inputs)
    return True


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Checks the gradients of ``func`` at ``inputs`` (a Tensor or a tuple) against finite
    differences, for every input with ``requires_grad=True``, as torch.autograd.gradcheck.

    Returns True, or raises :class:`GradcheckError` (returns False when
    ``raise_exception=False``) naming the first output/input pair whose Jacobians differ.

    >>> x = numtorch.randn(3, dtype=numtorch.float64, requires_grad=True)
    >>> numtorch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True"
        )
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError(
            "Setting check_batched_forward_grad=True requires check_forward_ad to be True"
        )
    try:
        return _gradcheck(
            func,
            _as_tuple(inputs),
            eps,
            atol,
            rtol,
            nondet_tol,
            check_undefined_grad and check_backward_ad,
            check_grad_dtypes,
            masked,
        )
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _random_grad_output(like, noncontiguous: bool):
    """Uniform in [-1, 1), as ``torch.testing.make_tensor(low=-1, high=1)``."""
    dtype = like.dtype if (like.is_floating_point() or like.is_complex()) else numtorch.float64
    real = dtype.to_real() if dtype.is_complex else dtype
    shape = tuple(like.shape)
    if noncontiguous and len(shape) > 0:
        shape = shape[:-1] + (2 * shape[-1],)

    def uniform():
        t = numtorch.rand(shape, dtype=real) * 2 - 1
        return t[..., ::2] if shape != tuple(like.shape) else t

    value = uniform() if not dtype.is_complex else uniform() + uniform() * 1j
    return value.detach().requires_grad_()


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Checks second derivatives: runs :func:`gradcheck` on the function that maps
    ``(*inputs, *grad_outputs)`` to the gradients of ``func`` (taken with ``create_graph=True``),
    as torch.autograd.gradgradcheck. Missing ``grad_outputs`` are drawn uniformly from [-1, 1).

    >>> x = numtorch.randn(3, dtype=numtorch.float64, requires_grad=True)
    >>> numtorch.autograd.gradgradcheck(lambda t: t ** 3, (x,))
    True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True"
        )
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True"
        )
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple(_random_grad_output(o, gen_non_contig_grad_outputs) for o in outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(grad_outputs)
    diff_input_indices = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]

    def first_derivatives(*args):
        input_args = args[: len(args) - num_outputs]
        outputs = _differentiable_outputs(func(*input_args))
        grads = numtorch.autograd.grad(
            outputs,
            tuple(input_args[i] for i in diff_input_indices),
            args[len(args) - num_outputs :],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        fast_mode=fast_mode,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        masked=masked,
    )
