# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""Rprop: resilient backpropagation, a per-element step size driven by gradient signs only."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, make
from ..ops.creation import zeros_like
from . import _math
from .adam import _bump
from .optimizer import (
    Optimizer,
    _check_single_tensor_only,
    _step_tensor,
    _use_grad_for_differentiable,
)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm, as torch.optim.Rprop."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")

        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
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

    def _init_group(self, group, params, grads, prevs, step_sizes, state_steps):
        has_complex = False
        for p in group["params"]:
            if p.grad is None:
                continue
            has_complex |= p.is_complex()
            params.append(p)
            grad = p.grad
            if grad.is_sparse:
                raise RuntimeError("Rprop does not support sparse gradients")
            grads.append(grad)
            state = self.state[p]
            if len(state) == 0:
                state["step"] = _step_tensor()
                state["prev"] = zeros_like(p)
                # the real and imaginary parts step as two independent reals, each from lr
                state["step_size"] = make(
                    np.full(grad._data.shape, _math.value(group["lr"]), dtype=grad._data.dtype)
                    if not grad.is_complex()
                    else np.full(
                        grad._data.shape,
                        complex(_math.value(group["lr"]), _math.value(group["lr"])),
                        dtype=grad._data.dtype,
                    )
                )
            prevs.append(state["prev"])
            step_sizes.append(state["step_size"])
            state_steps.append(state["step"])
        return has_complex

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            _check_single_tensor_only(group, "Rprop")
            params, grads, prevs, step_sizes, state_steps = [], [], [], [], []
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            self._init_group(group, params, grads, prevs, step_sizes, state_steps)
            rprop(
                params,
                grads,
                prevs,
                step_sizes,
                state_steps,
                step_size_min=step_size_min,
                step_size_max=step_size_max,
                etaminus=etaminus,
                etaplus=etaplus,
                maximize=group["maximize"],
            )
        return loss


def rprop(
    params: list[Tensor],
    grads: list[Tensor],
    prevs: list[Tensor],
    step_sizes: list[Tensor],
    state_steps: list[Tensor],
    *,
    step_size_min: float,
    step_size_max: float,
    etaminus: float,
    etaplus: float,
    maximize: bool = False,
    **_ignored,
) -> None:
    """Functional Rprop (torch.optim.rprop.rprop), PyTorch's single-tensor arithmetic."""
    if not all(isinstance(t, Tensor) for t in state_steps):
        raise RuntimeError(
            "API has changed, `state_steps` argument must contain a list of singleton tensors"
        )
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        prev = _math.real(prevs[i]._data)
        step_size = _math.real(step_sizes[i]._data)
        _bump(state_steps[i])

        # PyTorch overwrites the sign tensor in place, so every factor is rounded to its dtype
        # and the later `eq(etaminus)` test compares against the rounded etaminus
        sign = np.sign(grad * prev)
        plus, minus = _math.scalar(etaplus, sign), _math.scalar(etaminus, sign)
        factor = np.where(sign > 0, plus, np.where(sign < 0, minus, np.where(sign == 0, 1, sign)))
        factor = factor.astype(sign.dtype, copy=False)

        step_size = step_size * factor
        step_size = np.minimum(
            np.maximum(step_size, _math.scalar(step_size_min, step_size)),
            _math.scalar(step_size_max, step_size),
        )
        _math.write(step_sizes[i], step_size)

        # a sign flip means the last step overshot: skip this element's update and forget the
        # gradient, so the next step neither grows nor shrinks its step size
        grad = np.where(factor == minus, grad.dtype.type(0), grad)
        _math.write(param, _math.addcmul(x, np.sign(grad), step_size, -1))
        _math.write(prevs[i], grad)
