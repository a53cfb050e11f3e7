"""``torch._dynamo.config``: settings scripts assign; numtorch's eager compile reads none."""

from __future__ import annotations

suppress_errors = False
verbose = False
cache_size_limit = 8
accumulated_cache_size_limit = 256
automatic_dynamic_shapes = True
assume_static_by_default = True
capture_scalar_outputs = False
capture_dynamic_output_shape_ops = False
optimize_ddp = True
inline_inbuilt_nn_modules = True
