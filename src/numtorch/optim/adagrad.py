# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""Adagrad."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops.creation import full_like
from . import _math
from .adam import _bump
from .optimizer import (
    Optimizer,
    _check_single_tensor_only,
    _get_value,
    _step_tensor,
    _use_grad_for_differentiable,
)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Implements Adagrad, as torch.optim.Adagrad (state is created eagerly, as there)."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")

        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
            self._need_device_dtype_check_for_fused = True
            self._step_supports_amp_scaling = True

        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                init_value = (
                    complex(initial_accumulator_value, initial_accumulator_value)
                    if p.is_complex()
                    else initial_accumulator_value
                )
                state["sum"] = full_like(p, init_value)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        for s in self.state.values():
            if "step" in s and not isinstance(s["step"], Tensor):
                s["step"] = _step_tensor(float(s["step"]))

    def share_memory(self) -> None:
        """A no-op here (PyTorch moves the sums to shared memory for multiprocessing)."""

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            _check_single_tensor_only(group, "Adagrad")
            params, grads, sums, steps = [], [], [], []
            for p in group["params"]:
                if p.grad is not None:
                    params.append(p)
                    grads.append(p.grad)
                    state = self.state[p]
                    sums.append(state["sum"])
                    steps.append(state["step"])
            adagrad(
                params,
                grads,
                sums,
                steps,
                lr=group["lr"],
                weight_decay=group["weight_decay"],
                lr_decay=group["lr_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
            )
        return loss


def adagrad(
    params,
    grads,
    state_sums,
    state_steps,
    *,
    lr,
    weight_decay,
    lr_decay,
    eps,
    maximize,
    **_ignored,
) -> None:
    """Functional Adagrad (torch.optim.adagrad.adagrad)."""
    lr = _get_value(lr)
    for param, g, state_sum, step_t in zip(params, grads, state_sums, state_steps, strict=True):
        _bump(step_t)
        step = _get_value(step_t)
        x = _math.real(param._data)
        grad = _math.real(g._data)
        if maximize:
            grad = -grad
        if weight_decay != 0:
            grad = _math.add(grad, x, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        total = _math.addcmul(_math.real(state_sum._data), grad, grad, 1)
        _math.write(state_sum, total)
        std = np.sqrt(total)
        std = std + _math.scalar(eps, std)
        _math.write(param, _math.addcdiv(x, grad, std, -clr))
