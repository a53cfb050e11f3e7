"""``torch.amp.GradScaler``: loss scaling against float16 gradient underflow.

On "cpu" the scaler works as torch's: ``scale`` multiplies, ``unscale_`` divides the gradients
in place and notes any inf/NaN, ``step`` skips the optimizer step when one was found, and
``update`` backs the scale off or grows it every ``growth_interval`` clean steps. On "cuda"
(not available here) it warns and disables itself, as torch does without a GPU.

>>> scaler = numtorch.amp.GradScaler("cpu", init_scale=4.0)
>>> scaler.scale(numtorch.tensor(1.5))
tensor(6.)
"""

from __future__ import annotations

import warnings
from collections import abc, defaultdict
from enum import Enum
from typing import Any

from .. import _dtype
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.creation import full
from ..ops.elementwise import isfinite

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict[str, Any]:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """Scales the loss, unscales the gradients, and skips steps whose gradients overflowed.

    >>> model = numtorch.nn.Linear(2, 1)
    >>> opt = numtorch.optim.SGD(model.parameters(), lr=0.1)
    >>> scaler = numtorch.amp.GradScaler("cpu")
    >>> scaler.scale(model(numtorch.ones(1, 2)).sum()).backward()
    >>> scaler.step(opt)
    >>> scaler.update()
    >>> scaler.get_scale()
    65536.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale: Tensor | None = None
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker: int | None = None
            self._per_optimizer_states: dict[int, dict[str, Any]] = defaultdict(
                _refresh_per_optimizer_state
            )

    def _check_scale_growth_tracker(self, funcname: str) -> Tensor:
        if self._scale is None:
            raise AssertionError(
                f"Attempted {funcname} but _scale is None.  This may indicate your script did "
                "not use scaler.scale(loss or outputs) earlier in the iteration."
            )
        return self._scale

    def _lazy_init_scale(self) -> Tensor:
        if self._scale is None:
            self._scale = full((), self._init_scale, dtype=_dtype.float32)
            self._growth_tracker = self._init_growth_tracker
        return self._scale

    def scale(self, outputs):
        """Multiplies a tensor (or the tensors of a list, tuple or iterable) by the scale.

        >>> numtorch.amp.GradScaler("cpu", enabled=False).scale(numtorch.tensor(2.0))
        tensor(2.)
        """
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._lazy_init_scale()

        def apply_scale(value):
            if isinstance(value, Tensor):
                return value * self._lazy_init_scale()
            if isinstance(value, abc.Iterable):
                scaled = map(apply_scale, value)
                if isinstance(value, (list, tuple)):
                    return type(value)(scaled)
                return scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    def _unscale_grads_(self, optimizer, inv_scale: Tensor, allow_fp16: bool) -> dict:
        found_inf = full((), 0.0, dtype=_dtype.float32)
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == _dtype.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    grad = param.grad
                    if not bool(isfinite(grad).all()):
                        found_inf.fill_(1.0)
                    # torch multiplies every gradient, finite or not: a skipped step leaves
                    # them unscaled too
                    grad.mul_(inv_scale)
        return {"cpu": found_inf}

    def unscale_(self, optimizer) -> None:
        """Divides ``optimizer``'s gradients by the scale in place (once per step), noting
        any inf or NaN.

        >>> scaler = numtorch.amp.GradScaler("cpu", enabled=False)
        >>> scaler.unscale_(numtorch.optim.SGD([numtorch.zeros(1, requires_grad=True)], lr=1.0))
        """
        if not self._enabled:
            return
        scale = self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        # torch takes the reciprocal in double precision, then rounds it to float32
        inv_scale = scale.double().reciprocal().float()
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args: Any, **kwargs: Any):
        """Unscales (unless :meth:`unscale_` did) and runs ``optimizer.step()`` when the
        gradients are finite; returns what the step returned, or None when skipped.

        >>> p = numtorch.zeros(1, requires_grad=True)
        >>> numtorch.amp.GradScaler("cpu", enabled=False).step(numtorch.optim.SGD([p], lr=1.0))
        """
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if len(state["found_inf_per_device"]) == 0:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None
        if not sum(v.item() for v in state["found_inf_per_device"].values()):
            result = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Backs the scale off after a skipped step, grows it after ``growth_interval`` clean
        steps, or sets ``new_scale``.

        >>> numtorch.amp.GradScaler("cpu", enabled=False).update()
        """
        if not self._enabled:
            return
        scale = self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = (
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                    "torch.FloatTensor with requires_grad=False."
                )
                if new_scale.device.type != self._device:
                    raise AssertionError(reason)
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad is True:
                    raise AssertionError(reason)
                scale.copy_(new_scale)
        else:
            found_infs = [
                found_inf.item()
                for state in self._per_optimizer_states.values()
                for found_inf in state["found_inf_per_device"].values()
            ]
            if len(found_infs) == 0:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._update_scale(scale, sum(found_infs) > 0)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    def _update_scale(self, scale: Tensor, found_inf: bool) -> None:
        """torch's ``_amp_update_scale_``: back off on overflow, else count towards growth."""
        if found_inf:
            scale.mul_(self._backoff_factor)
            self._growth_tracker = 0
            return
        successful = (self._growth_tracker or 0) + 1
        if successful == self._growth_interval:
            grown = scale * self._growth_factor
            # a scale that would overflow float32 stays where it is
            if bool(isfinite(grown)):
                scale.copy_(grown)
            successful = 0
        self._growth_tracker = successful

    def get_scale(self) -> float:
        """The current scale as a Python float (1.0 when disabled).

        >>> numtorch.amp.GradScaler("cpu").get_scale()
        65536.0
        """
        if self._enabled:
            return self._init_scale if self._scale is None else float(self._scale.item())
        return 1.0

    def get_growth_factor(self) -> float:
        """The factor the scale grows by after ``growth_interval`` clean steps."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Sets the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale shrinks by after a step with inf/NaN gradients."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Sets the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """How many clean steps in a row grow the scale."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Sets the growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if self._enabled:
            if self._growth_tracker is None:
                return self._init_growth_tracker
            return self._growth_tracker
        return 0

    def is_enabled(self) -> bool:
        """Whether this scaler scales (False when disabled, or asked for CUDA here).

        >>> numtorch.amp.GradScaler("cpu").is_enabled()
        True
        """
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """scale, growth_factor, backoff_factor, growth_interval and _growth_tracker; empty
        when disabled.

        >>> numtorch.amp.GradScaler("cpu").state_dict()["scale"]
        65536.0
        """
        if self._enabled:
            return {
                "scale": self.get_scale(),
                "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker(),
            }
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores what :meth:`state_dict` returned (a no-op when disabled).

        >>> s = numtorch.amp.GradScaler("cpu", init_scale=8.0)
        >>> t = numtorch.amp.GradScaler("cpu"); t.load_state_dict(s.state_dict()); t.get_scale()
        8.0
        """
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError(
                    "A GradScaler instance may only be pickled at the beginning "
                    "of an iteration, or at the end after scaler.update()."
                )
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
