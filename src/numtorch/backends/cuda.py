"""torch.backends.cuda: numtorch is not built with CUDA; its matmul flags are kept.

``matmul.allow_tf32`` and :func:`numtorch.set_float32_matmul_precision` are one setting, as in
torch: ``allow_tf32 = True`` means precision "high".

>>> numtorch.backends.cuda.is_built()
False
>>> numtorch.backends.cuda.matmul.allow_tf32
False
"""

from __future__ import annotations

from . import _MATMUL_PRECISION

__all__ = [
    "is_built",
    "matmul",
    "cuBLASModule",
    "flash_sdp_enabled",
    "enable_flash_sdp",
    "mem_efficient_sdp_enabled",
    "enable_mem_efficient_sdp",
    "math_sdp_enabled",
    "enable_math_sdp",
    "cudnn_sdp_enabled",
    "enable_cudnn_sdp",
]


def is_built() -> bool:
    """False: numtorch has no CUDA build.

    >>> numtorch.backends.cuda.is_built()
    False
    """
    return False


class cuBLASModule:
    """``torch.backends.cuda.matmul``: cuBLAS flags; unknown names raise AttributeError.

    >>> numtorch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction
    True
    """

    _reduction_flags: dict[str, bool | tuple | list] = {
        "allow_fp16_reduced_precision_reduction": True,
        "allow_bf16_reduced_precision_reduction": True,
    }

    def __getattr__(self, name: str):
        if name == "allow_tf32":
            return _MATMUL_PRECISION["value"] != "highest"
        if name == "fp32_precision":
            return "tf32" if _MATMUL_PRECISION["value"] != "highest" else "none"
        if name in self._reduction_flags:
            return self._reduction_flags[name]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name: str, value) -> None:
        if name == "allow_tf32":
            if not isinstance(value, bool):
                raise RuntimeError(
                    f"set_allow_tf32_cublas expects a bool, but got {type(value).__name__}"
                )
            _MATMUL_PRECISION["value"] = "high" if value else "highest"
        elif name == "fp32_precision":
            if value not in ("ieee", "tf32", "none"):
                raise RuntimeError(
                    f"{value} is not supported in cuda matmul, supported values are "
                    "'ieee', 'tf32' and 'none'"
                )
            _MATMUL_PRECISION["value"] = "high" if value == "tf32" else "highest"
        elif name in self._reduction_flags:
            if not isinstance(value, (bool, tuple, list)):
                raise TypeError(
                    f"{name} expects a bool or a tuple/list of bools, but got {type(value)}"
                )
            self._reduction_flags[name] = value
        else:
            raise AttributeError("Unknown attribute " + name)


matmul = cuBLASModule()

# scaled_dot_product_attention kernels: every one "enabled", as torch reports without CUDA
_SDP = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def flash_sdp_enabled() -> bool:
    """Whether the flash attention kernel may be picked (a flag only, no CUDA here).

    >>> numtorch.backends.cuda.flash_sdp_enabled()
    True
    """
    return _SDP["flash"]


def enable_flash_sdp(enabled: bool) -> None:
    """Sets the flash attention flag.

    >>> numtorch.backends.cuda.enable_flash_sdp(True)
    """
    _SDP["flash"] = enabled


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel may be picked.

    >>> numtorch.backends.cuda.mem_efficient_sdp_enabled()
    True
    """
    return _SDP["mem_efficient"]


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Sets the memory-efficient attention flag.

    >>> numtorch.backends.cuda.enable_mem_efficient_sdp(True)
    """
    _SDP["mem_efficient"] = enabled


def math_sdp_enabled() -> bool:
    """Whether the math attention kernel may be picked (numtorch's only kernel).

    >>> numtorch.backends.cuda.math_sdp_enabled()
    True
    """
    return _SDP["math"]


def enable_math_sdp(enabled: bool) -> None:
    """Sets the math attention flag.

    >>> numtorch.backends.cuda.enable_math_sdp(True)
    """
    _SDP["math"] = enabled


def cudnn_sdp_enabled() -> bool:
    """Whether the cuDNN attention kernel may be picked.

    >>> numtorch.backends.cuda.cudnn_sdp_enabled()
    True
    """
    return _SDP["cudnn"]


def enable_cudnn_sdp(enabled: bool) -> None:
    """Sets the cuDNN attention flag.

    >>> numtorch.backends.cuda.enable_cudnn_sdp(True)
    """
    _SDP["cudnn"] = enabled
