# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""RMSprop."""

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

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """Implements RMSprop, as torch.optim.RMSprop."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")

        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
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
            _check_single_tensor_only(group, "RMSprop")
            params, grads, square_avgs, grad_avgs, bufs, steps = [], [], [], [], [], []
            for p in group["params"]:
                if p.grad is None:
                    continue
                params.append(p)
                grads.append(p.grad)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = zeros_like(p)
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = zeros_like(p)
                square_avgs.append(state["square_avg"])
                steps.append(state["step"])
                if group["momentum"] > 0:
                    bufs.append(state["momentum_buffer"])
                if group["centered"]:
                    grad_avgs.append(state["grad_avg"])
            rmsprop(
                params,
                grads,
                square_avgs,
                grad_avgs,
                bufs,
                steps,
                lr=group["lr"],
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
                momentum=group["momentum"],
                centered=group["centered"],
                maximize=group["maximize"],
            )
        return loss


def rmsprop(
    params,
    grads,
    square_avgs,
    grad_avgs,
    momentum_buffer_list,
    state_steps,
    *,
    lr,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    centered: bool,
    maximize: bool,
    **_ignored,
) -> None:
    """Functional RMSprop (torch.optim.rmsprop.rmsprop)."""
    lr = _get_value(lr)
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        _bump(state_steps[i])
        if weight_decay != 0:
            grad = _math.add(grad, x, weight_decay)

        square_avg = _math.real(square_avgs[i]._data)
        square_avg = _math.addcmul(_math.mul(square_avg, alpha), grad, grad, 1 - alpha)
        _math.write(square_avgs[i], square_avg)

        if centered:
            grad_avg = _math.lerp(_math.real(grad_avgs[i]._data), grad, 1 - alpha)
            _math.write(grad_avgs[i], grad_avg)
            avg = np.sqrt(_math.addcmul(square_avg, grad_avg, grad_avg, -1))
        else:
            avg = np.sqrt(square_avg)
        avg = avg + _math.scalar(eps, avg)

        if momentum > 0:
            buf = _math.addcdiv(
                _math.mul(_math.real(momentum_buffer_list[i]._data), momentum), grad, avg
            )
            _math.write(momentum_buffer_list[i], buf)
            _math.write(param, _math.add(x, buf, -lr))
        else:
            _math.write(param, _math.addcdiv(x, grad, avg, -lr))
