# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops.creation import zeros_like
from . import _math
from .adam import _bump
from .optimizer import (
    Optimizer,
    _check_single_tensor_only,
    _get_value,
    _step_tensor,
    _use_grad_for_differentiable,
)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Implements Adamax, as torch.optim.Adamax."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _step_tensor(float(p_state["step"]))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            _check_single_tensor_only(group, "Adamax")
            params, grads, exp_avgs, exp_infs, steps = [], [], [], [], []
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = zeros_like(p)
                    state["exp_inf"] = zeros_like(p)
                exp_avgs.append(state["exp_avg"])
                exp_infs.append(state["exp_inf"])
                steps.append(state["step"])
            adamax(
                params,
                grads,
                exp_avgs,
                exp_infs,
                steps,
                eps=group["eps"],
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def adamax(
    params,
    grads,
    exp_avgs,
    exp_infs,
    state_steps,
    *,
    eps,
    beta1,
    beta2,
    lr,
    weight_decay,
    maximize,
    **_ignored,
) -> None:
    """Functional Adamax (torch.optim.adamax.adamax)."""
    lr = _get_value(lr)
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        _bump(state_steps[i])
        if weight_decay != 0:
            grad = _math.add(grad, x, weight_decay)
        exp_avg = _math.lerp(_math.real(exp_avgs[i]._data), grad, 1 - beta1)
        _math.write(exp_avgs[i], exp_avg)
        exp_inf = np.maximum(
            _math.mul(_math.real(exp_infs[i]._data), beta2),
            np.abs(grad) + _math.scalar(eps, grad),
        )
        _math.write(exp_infs[i], exp_inf)
        bias_correction = 1 - beta1 ** _get_value(state_steps[i])
        clr = lr / bias_correction
        _math.write(param, _math.addcdiv(x, exp_avg, exp_inf, -clr))
