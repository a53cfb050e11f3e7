# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""RAdam: Adam with a rectified adaptive learning rate."""

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

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    """Implements RAdam, as torch.optim.RAdam."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
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
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
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
            _check_single_tensor_only(group, "RAdam")
            params, grads, exp_avgs, exp_avg_sqs, steps = [], [], [], [], []
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
                    state["exp_avg_sq"] = zeros_like(p)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                steps.append(state["step"])
            radam(
                params,
                grads,
                exp_avgs,
                exp_avg_sqs,
                steps,
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss


def radam(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    state_steps,
    *,
    beta1,
    beta2,
    lr,
    weight_decay,
    eps,
    maximize,
    decoupled_weight_decay=False,
    **_ignored,
) -> None:
    """Functional RAdam (torch.optim.radam.radam)."""
    lr = _get_value(lr)
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        _bump(state_steps[i])
        step = _get_value(state_steps[i])

        if weight_decay != 0:
            if decoupled_weight_decay:
                x = _math.mul(x, 1 - lr * weight_decay)
                _math.write(param, x)
            else:
                grad = _math.add(grad, x, weight_decay)

        exp_avg = _math.lerp(_math.real(exp_avgs[i]._data), grad, 1 - beta1)
        _math.write(exp_avgs[i], exp_avg)
        exp_avg_sq = _math.addcmul(
            _math.mul(_math.real(exp_avg_sqs[i]._data), beta2), grad, grad, 1 - beta2
        )
        _math.write(exp_avg_sqs[i], exp_avg_sq)

        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        bias_corrected_exp_avg = exp_avg / _math.scalar(bias_correction1, exp_avg)

        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2

        update = _math.mul(bias_corrected_exp_avg, lr)
        if rho_t > 5.0:
            rect = (
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            ) ** 0.5
            exp_avg_sq_sqrt = np.sqrt(exp_avg_sq)
            exp_avg_sq_sqrt = exp_avg_sq_sqrt + _math.scalar(eps, exp_avg_sq_sqrt)
            adaptive_lr = _math.scalar(bias_correction2**0.5, exp_avg_sq) / exp_avg_sq_sqrt
            update = _math.mul(update * adaptive_lr, rect)
        _math.write(param, x - update)
