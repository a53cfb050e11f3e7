"""numtorch.utils.tensorboard: ``SummaryWriter`` writing TensorBoard event files with only NumPy
and the standard library (no ``tensorboard``, ``protobuf`` or Pillow needed).

Example::

    from numtorch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter()  # runs/<date>_<hostname>
    for step in range(100):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
    writer.close()
"""

from __future__ import annotations

from . import writer
from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter", "writer"]
