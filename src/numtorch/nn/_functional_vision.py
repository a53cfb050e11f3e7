"""``F.affine_grid`` and ``F.grid_sample``: the sampling half of a Spatial Transformer."""

from __future__ import annotations

import warnings

from .._tensor import legacy_type_name
from ..ops import grid_sample as _gs

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _type_name(t) -> str:
    return legacy_type_name(t._data.dtype).split(".")[-1][: -len("Tensor")]


def _sizes(t) -> str:
    return "[" + ", ".join(map(str, t.shape)) + "]"


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples ``input`` (N, C, H, W) or (N, C, D, H, W) at the normalized ``grid`` points
    ((N, H_out, W_out, 2) or (N, D_out, H_out, W_out, 3), values in [-1, 1]), as
    torch.nn.functional.grid_sample.

    >>> x = numtorch.arange(4.0).view(1, 1, 2, 2)
    >>> grid = numtorch.tensor([[[[0.0, 0.0]]]])
    >>> F.grid_sample(x, grid, align_corners=True)
    tensor([[[[1.5000]]]])
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    nd = input.ndim - 2
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}"
        )
    if grid.shape[-1] != nd:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid "
            f"with sizes {_sizes(grid)}"
        )
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                f"has sizes {_sizes(input)} with dimension {i} being empty"
            )
    want = 4 if input.ndim == 4 else 5
    if input.ndim != want or grid.ndim != want:
        raise RuntimeError(
            f"grid_sampler(): expected {want}D input and grid with same number of dimensions, "
            f"but got input with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}"
        )
    if want == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.is_floating_point():
        raise NotImplementedError(
            f'"grid_sampler_{nd}d_cpu{"_kernel_impl" if nd == 2 else ""}" not implemented for '
            f"'{_type_name(input)}'"
        )
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found {_type_name(grid)}")
    mode_enum = ("bilinear", "nearest", "bicubic").index(mode)
    padding_enum = ("zeros", "border", "reflection").index(padding_mode)
    return _gs.grid_sampler(input, grid, mode_enum, padding_enum, bool(align_corners))


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine maps ``theta`` ((N, 2, 3) for an output
    ``size`` (N, C, H, W), (N, 3, 4) for (N, C, D, H, W)), for grid_sample; as
    torch.nn.functional.affine_grid.

    >>> theta = numtorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> F.affine_grid(theta, (1, 1, 1, 2), align_corners=False)
    tensor([[[[-0.5000,  0.0000],
              [ 0.5000,  0.0000]]]])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.ndim != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                f"{theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                f"{theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    for s in size:
        if not isinstance(s, int):
            raise TypeError(
                "affine_grid_generator(): argument 'size' failed to unpack the object at pos "
                f'{list(size).index(s) + 1} with error "type must be tuple of ints,but got '
                f'{type(s).__name__}"'
            )
    return _gs.affine_grid_generator(theta, size, align_corners)
