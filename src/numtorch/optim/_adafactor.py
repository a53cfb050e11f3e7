# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""Adafactor: Adam-like steps with a factored (row x column) second moment for matrices."""

from __future__ import annotations

import numpy as np

from .._finfo import finfo
from .._tensor import Tensor, make
from ..autograd.grad_mode import no_grad
from ..ops.creation import zeros_like
from . import _math
from .adam import _bump
from .optimizer import Optimizer, _get_value, _step_tensor, _to_scalar

__all__ = ["Adafactor", "adafactor"]


class Adafactor(Optimizer):
    """Implements the Adafactor algorithm, as torch.optim.Adafactor."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")

        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(float(p_state["step"]))

    def _init_group(self, group, params, grads, row_vars, col_vars, variances, state_steps):
        for p in group["params"]:
            if p.grad is None:
                continue
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
            if p.grad.is_sparse:
                raise RuntimeError("Adafactor does not support sparse gradients")
            params.append(p)
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                shape = tuple(p.grad.shape)
                if p.grad.dim() > 1:
                    # the row factor is reduced over the last dim, the column one over the
                    # second to last: O(m + n) memory for an m x n gradient
                    dtype = p.grad._data.dtype
                    state["row_var"] = make(np.zeros(shape[:-1] + (1,), dtype=dtype))
                    state["col_var"] = make(np.zeros(shape[:-2] + (1,) + shape[-1:], dtype=dtype))
                else:
                    state["variance"] = zeros_like(p.grad)
            row_vars.append(state.get("row_var", None))
            col_vars.append(state.get("col_var", None))
            variances.append(state.get("variance", None))
            state_steps.append(state["step"])
        return False

    @no_grad()
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            params, grads, row_vars, col_vars, variances, state_steps = [], [], [], [], [], []
            eps1, eps2 = group["eps"]
            self._init_group(group, params, grads, row_vars, col_vars, variances, state_steps)
            adafactor(
                params,
                grads,
                row_vars,
                col_vars,
                variances,
                state_steps,
                d=group["d"],
                lr=group["lr"],
                beta2_decay=group["beta2_decay"],
                weight_decay=group["weight_decay"],
                eps1=eps1,
                eps2=eps2,
                maximize=group["maximize"],
                grad_scale=getattr(self, "grad_scale", None),
                found_inf=getattr(self, "found_inf", None),
            )
        return loss


def _norm(a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
    """The 2-norm in ``a``'s dtype, accumulated in float64 so it is within an ulp of
    PyTorch's cascaded sum."""
    acc = np.sum(np.square(a, dtype=np.float64), axis=axis, keepdims=keepdims)
    return np.sqrt(acc).astype(a.dtype)


def adafactor(
    params: list[Tensor],
    grads: list[Tensor],
    row_vars: list[Tensor | None],
    col_vars: list[Tensor | None],
    variances: list[Tensor | None],
    state_steps: list[Tensor],
    *,
    d: float,
    lr,
    beta2_decay: float,
    weight_decay: float,
    eps1: float | None,
    eps2: float,
    maximize: bool,
    grad_scale=None,
    found_inf=None,
    **_ignored,
) -> None:
    """Functional Adafactor (torch.optim._adafactor.adafactor), PyTorch's single-tensor
    arithmetic."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError("`state_steps` argument must contain a list of singleton tensors")
    if grad_scale is not None or found_inf is not None:
        raise AssertionError("Grad scaling should occur outside of optimizer.step()")
    lr = _get_value(_to_scalar(lr))
    for i, param in enumerate(params):
        x = param._data
        grad = grads[i]._data
        if maximize:
            grad = -grad
        row_var, col_var, variance = row_vars[i], col_vars[i], variances[i]
        if eps1 is None:
            # PyTorch fills the shared eps1 from the first parameter and keeps it for the rest
            eps1 = finfo(param.dtype).eps

        _bump(state_steps[i])
        step_float = _get_value(state_steps[i])

        one_minus_beta2_t = step_float**beta2_decay
        rho_t = min(lr, 1 / (step_float**0.5))
        alpha = max(eps2, float(_norm(x)) / (x.size**0.5)) * rho_t

        if weight_decay != 0:
            x = _math.mul(x, 1 - lr * weight_decay)
            _math.write(param, x)

        one = grad.dtype.type(1)
        if grad.ndim > 1:
            if row_var is None or col_var is None:
                raise AssertionError(
                    "row_var and col_var should be defined when grad is multidimensional"
                )
            # (g * g).mean(dim) as PyTorch writes it: norm, squared, divided by the dim size
            row_mean = np.square(_norm(grad, -1, True)) / grad.dtype.type(grad.shape[-1])
            r = _math.lerp(row_var._data, row_mean, one_minus_beta2_t)
            _math.write(row_var, r)
            col_mean = np.square(_norm(grad, -2, True)) / grad.dtype.type(grad.shape[-2])
            c = _math.lerp(col_var._data, col_mean, one_minus_beta2_t)
            _math.write(col_var, c)
            var_estimate = np.matmul(r, c)
            row_scale = np.mean(r, axis=-2, keepdims=True, dtype=np.float64).astype(r.dtype)
            var_estimate = var_estimate / np.maximum(row_scale, _math.scalar(eps1, r))
        else:
            if variance is None:
                raise AssertionError("variance should be defined when grad is a vector")
            var_estimate = _math.lerp(variance._data, grad * grad, one_minus_beta2_t)
            _math.write(variance, var_estimate)

        # eps1 is squared because the square root comes after the clamp
        var_estimate = np.maximum(var_estimate, _math.scalar(eps1 * eps1, var_estimate))
        update = (one / np.sqrt(var_estimate)) * grad
        denom = max(1.0, float(_norm(update)) / ((update.size**0.5) * d))
        _math.write(param, _math.add(x, update, -alpha / denom))
