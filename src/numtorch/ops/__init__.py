"""The op families (one module each), and ``sigmoid_focal_loss`` at torchvision's
``torchvision.ops`` address, where learners look for it."""

from __future__ import annotations

__all__ = ["sigmoid_focal_loss"]


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2, reduction="none"):
    """Focal loss (Lin et al., 2017) on logits, with torchvision's signature and defaults.

    ``inputs`` are logits and ``targets`` 0/1 labels of the same shape (binary, or one-vs-all
    per class). ``alpha`` weighs positives against negatives (``-1`` turns it off), ``gamma``
    damps easy examples; ``reduction`` is ``'none'``, ``'mean'`` or ``'sum'``.

    >>> logits = numtorch.tensor([2.0, -1.0]); labels = numtorch.tensor([1.0, 0.0])
    >>> numtorch.ops.sigmoid_focal_loss(logits, labels, reduction="sum")
    tensor(0.0174)

    The multi-class form: one-hot targets make it a one-vs-all focal loss per class.

    >>> logits = numtorch.tensor([[2.0, 0.5, -1.0]]); cls = numtorch.tensor([0])
    >>> onehot = numtorch.nn.functional.one_hot(cls, 3).float()
    >>> numtorch.ops.sigmoid_focal_loss(logits, onehot, reduction="mean")
    tensor(0.1002)
    """
    from ..nn import functional as F

    p = inputs.sigmoid()
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(
        f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: "
        "'none', 'mean', 'sum'"
    )
