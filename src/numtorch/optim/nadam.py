# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""NAdam: Adam with Nesterov momentum."""

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

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """Implements NAdam, as torch.optim.NAdam."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0:
                    if not isinstance(p_state["step"], Tensor):
                        p_state["step"] = _step_tensor(float(p_state["step"]))
                    if not isinstance(p_state["mu_product"], Tensor):
                        p_state["mu_product"] = _step_tensor(float(p_state["mu_product"]))

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            _check_single_tensor_only(group, "NAdam")
            params, grads, exp_avgs, exp_avg_sqs, mu_products, steps = [], [], [], [], [], []
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                exp_avgs.append(state["exp_avg"])
                exp_avg_sqs.append(state["exp_avg_sq"])
                mu_products.append(state["mu_product"])
                steps.append(state["step"])
            nadam(
                params,
                grads,
                exp_avgs,
                exp_avg_sqs,
                mu_products,
                steps,
                beta1=beta1,
                beta2=beta2,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                momentum_decay=group["momentum_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                decoupled_weight_decay=group["decoupled_weight_decay"],
            )
        return loss


def nadam(
    params,
    grads,
    exp_avgs,
    exp_avg_sqs,
    mu_products,
    state_steps,
    *,
    beta1,
    beta2,
    lr,
    weight_decay,
    momentum_decay,
    eps,
    maximize,
    decoupled_weight_decay=False,
    **_ignored,
) -> None:
    """Functional NAdam (torch.optim.nadam.nadam)."""
    lr = _get_value(lr)
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        mu_product = mu_products[i]
        _bump(state_steps[i])
        step = _get_value(state_steps[i])
        bias_correction2 = 1 - beta2**step

        if weight_decay != 0:
            if decoupled_weight_decay:
                x = _math.mul(x, 1 - lr * weight_decay)
                _math.write(param, x)
            else:
                grad = _math.add(grad, x, weight_decay)

        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        _math.write(mu_product, _math.mul(mu_product._data, mu))

        exp_avg = _math.lerp(_math.real(exp_avgs[i]._data), grad, 1 - beta1)
        _math.write(exp_avgs[i], exp_avg)
        exp_avg_sq = _math.addcmul(
            _math.mul(_math.real(exp_avg_sqs[i]._data), beta2), grad, grad, 1 - beta2
        )
        _math.write(exp_avg_sqs[i], exp_avg_sq)
        denom = np.sqrt(exp_avg_sq / _math.scalar(bias_correction2, exp_avg_sq))

        mu_product_value = _get_value(mu_product)
        mu_product_next = mu_product_value * mu_next
        denom = denom + _math.scalar(eps, denom)
        x = _math.addcdiv(x, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product_value))
        x = _math.addcdiv(x, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
        _math.write(param, x)
