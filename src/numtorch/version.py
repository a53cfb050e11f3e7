"""numtorch.version: what ``torch.version`` tells about the build.

numtorch is a CPU build with no CUDA, ROCm (HIP) or XPU toolkit, as ``torch.version.cuda is None``
tells scripts that check it.

>>> numtorch.version.cuda is None, numtorch.version.hip is None, numtorch.version.debug
(True, True, False)
"""

from __future__ import annotations

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

__version__ = "0.1.0"
debug = False
cuda: str | None = None
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
git_version = "Unknown"  # what torch reports for a build made outside a git checkout
