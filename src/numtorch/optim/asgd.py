# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from .._tensor import Tensor
from ..ops.creation import zeros_like
from . import _math
from .adam import _bump
from .optimizer import (
    Optimizer,
    _check_single_tensor_only,
    _get_value,
    _step_tensor,
    _to_scalar,
    _use_grad_for_differentiable,
)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent, as torch.optim.ASGD."""

    def __init__(
        self,
        params,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")

        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
                if len(p_state) != 0:
                    for key in ("step", "eta", "mu"):
                        if not isinstance(p_state[key], Tensor):
                            p_state[key] = _step_tensor(float(p_state[key]))

    def _init_group(self, group, params, grads, mus, axs, etas, state_steps):
        has_complex = False
        for p in group["params"]:
            if p.grad is None:
                continue
            has_complex |= p.is_complex()
            params.append(p)
            if p.grad.is_sparse:
                raise RuntimeError("ASGD does not support sparse gradients")
            grads.append(p.grad)
            state = self.state[p]
            if len(state) == 0:
                # step, eta and mu are 0-d tensors of the default scalar dtype, as PyTorch's
                state["step"] = _step_tensor()
                state["eta"] = _step_tensor(_get_value(_to_scalar(group["lr"])))
                state["mu"] = _step_tensor(1.0)
                state["ax"] = zeros_like(p)
            mus.append(state["mu"])
            axs.append(state["ax"])
            etas.append(state["eta"])
            state_steps.append(state["step"])
        return has_complex

    @_use_grad_for_differentiable
    def step(self, closure=None):
        """Performs a single optimization step; returns ``closure()``'s loss if given."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if group["capturable"]:
                raise AssertionError(
                    "If capturable=True, params, mus, etas, and state_steps must be on supported "
                    "devices: ['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']."
                )
            _check_single_tensor_only(group, "ASGD")
            params, grads, mus, axs, etas, state_steps = [], [], [], [], [], []
            self._init_group(group, params, grads, mus, axs, etas, state_steps)
            asgd(
                params,
                grads,
                axs,
                mus,
                etas,
                state_steps,
                lambd=group["lambd"],
                lr=group["lr"],
                t0=group["t0"],
                alpha=group["alpha"],
                weight_decay=group["weight_decay"],
                maximize=group["maximize"],
            )
        return loss


def asgd(
    params: list[Tensor],
    grads: list[Tensor],
    axs: list[Tensor],
    mus: list[Tensor],
    etas: list[Tensor],
    state_steps: list[Tensor],
    *,
    lambd: float,
    lr,
    t0: float,
    alpha: float,
    weight_decay: float,
    maximize: bool = False,
    **_ignored,
) -> None:
    """Functional ASGD (torch.optim.asgd.asgd), PyTorch's single-tensor arithmetic."""
    lr = _to_scalar(lr)
    for i, param in enumerate(params):
        x = _math.real(param._data)
        grad = _math.real(grads[i]._data)
        if maximize:
            grad = -grad
        mu, ax, eta, step_t = mus[i], axs[i], etas[i], state_steps[i]

        _bump(step_t)

        if weight_decay != 0:
            grad = _math.add(grad, x, weight_decay)

        eta_value = _get_value(eta)
        x = _math.mul(x, 1 - lambd * eta_value)
        x = _math.add(x, grad, -eta_value)
        _math.write(param, x)

        if _get_value(mu) != 1:
            a = _math.real(ax._data)
            _math.write(ax, a + (x - a) * _math.scalar(mu, x))
        else:
            _math.write(ax, x)

        step = _get_value(step_t)
        _math.write(eta, _new_eta(lr, lambd, alpha, step))
        _math.write(mu, 1 / max(1, step - t0))


def _new_eta(lr, lambd: float, alpha: float, step: float):
    """``lr / (1 + lambd * lr * step) ** alpha``: in Python floats for a number ``lr``, in the
    tensor's dtype (one rounding per operation) for a tensor ``lr``, as PyTorch evaluates it."""
    if not isinstance(lr, Tensor):
        return lr / ((1 + lambd * lr * step) ** alpha)
    v = lr._data
    t = v.dtype.type
    return v / ((t(1) + t(lambd) * v * t(step)) ** t(alpha))
