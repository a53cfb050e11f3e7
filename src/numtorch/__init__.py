"""numtorch: PyTorch's tensor and autograd API, in Python on NumPy.

``import numtorch as torch`` runs PyTorch code unchanged and prints what PyTorch prints.
"""

from __future__ import annotations

import builtins as _builtins
import math as _math

from . import _backend, _dtype, autograd, cuda, optim, random, return_types, utils
from ._backend import device
from ._dtype import (
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._parallel import (
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import Size, Tensor
from ._tensor import legacy_constructors as _legacy  # noqa: E402
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import creation as _creation
from .ops import elementwise as _elementwise
from .ops import index as _index
from .ops import linalg as _linalg
from .ops import reduce as _reduce
from .ops import shape as _shape
from .ops import tensor_methods as _tensor_methods
from .ops.creation import (
    Generator,
    arange,
    as_tensor,
    asarray,
    bernoulli,
    default_generator,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    poisson,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    range,
    seed,
    set_rng_state,
    tensor,
    zeros,
    zeros_like,
)
from .ops.elementwise import (
    abs,
    absolute,
    add,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    cos,
    div,
    divide,
    eq,
    equal,
    exp,
    floor_divide,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    le,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    mul,
    multiply,
    ne,
    neg,
    negative,
    not_equal,
    positive,
    pow,
    reciprocal,
    relu,
    remainder,
    rsub,
    sigmoid,
    sign,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from .ops.elementwise import div as true_divide
from .ops.elementwise import sub as subtract
from .ops.index import (
    argwhere,
    gather,
    index_put,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
)
from .ops.linalg import bmm, dot, matmul, mm, mv
from .ops.reduce import all, amax, amin, any, argmax, argmin, max, maximum, mean, min, minimum, sum
from .ops.shape import (
    broadcast_shapes,
    broadcast_tensors,
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    diagonal,
    flatten,
    narrow,
    permute,
    reshape,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
)

FloatTensor = _legacy["FloatTensor"]
DoubleTensor = _legacy["DoubleTensor"]
HalfTensor = _legacy["HalfTensor"]
LongTensor = _legacy["LongTensor"]
IntTensor = _legacy["IntTensor"]
ShortTensor = _legacy["ShortTensor"]
CharTensor = _legacy["CharTensor"]
ByteTensor = _legacy["ByteTensor"]
BoolTensor = _legacy["BoolTensor"]

# isort: split
from . import hub, linalg, serialization
from ._dlpack import from_dlpack  # also attaches Tensor.__dlpack__ / __dlpack_device__
from .ops import scatter as _scatter
from .ops.elementwise import (
    acos,
    acosh,
    addcdiv,
    addcmul,
    angle,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_left_shift,
    bitwise_right_shift,
    ceil,
    complex,
    conj,
    conj_physical,
    cosh,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    fix,
    floor,
    fmax,
    fmin,
    fmod,
    frac,
    hypot,
    imag,
    is_conj,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    isreal,
    lerp,
    log1p,
    log2,
    log10,
    logit,
    nan_to_num,
    polar,
    real,
    resolve_conj,
    resolve_neg,
    round,
    rsqrt,
    sgn,
    signbit,
    sinh,
    square,
    tan,
    trunc,
    xlogy,
)
from .ops.index import (
    index_fill,
    masked_scatter,
    put,
    take,
    take_along_dim,
    tril_indices,
    triu_indices,
    unravel_index,
)
from .ops.linalg import _det_top as det
from .ops.linalg import _slogdet_top as slogdet
from .ops.linalg import _svd_top as svd
from .ops.linalg import (
    addbmm,
    addmm,
    addmv,
    baddbmm,
    cdist,
    cross,
    einsum,
    ger,
    inner,
    inverse,
    kron,
    logdet,
    matrix_power,
    outer,
    pinverse,
    tensordot,
    trace,
    vdot,
)
from .ops.linalg import norm_legacy as norm  # full torch.norm, incl. 'nuc' and matrix dims
from .ops.reduce import (
    aminmax,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    nanmean,
    nansum,
    prod,
    std,
    std_mean,
    var,
    var_mean,
)
from .ops.scatter import index_add, index_copy, index_reduce, scatter, scatter_add, scatter_reduce
from .ops.shape import (
    as_strided,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    column_stack,
    diag,
    diag_embed,
    diagflat,
    dsplit,
    dstack,
    flip,
    fliplr,
    flipud,
    hsplit,
    hstack,
    meshgrid,
    moveaxis,
    movedim,
    narrow_copy,
    repeat_interleave,
    roll,
    rot90,
    row_stack,
    tensor_split,
    tile,
    tril,
    triu,
    view_as_complex,
    view_as_real,
    vsplit,
    vstack,
)
from .ops.sort import (
    argsort,
    bincount,
    cummax,
    cummin,
    histc,
    kthvalue,
    median,
    mode,
    msort,
    nanmedian,
    nanquantile,
    quantile,
    sort,
    topk,
    unique,
    unique_consecutive,
)
from .serialization import load, save

# one torch.norm: the legacy one handles every p and matrix dims (setattr, as for every method
# attached at runtime: the type checker sees Tensor.__getattr__ for those)
setattr(Tensor, "norm", norm)  # noqa: B010

# isort: split
# nn registers Tensor methods (softmax, log_softmax ...) on import, after the op families
from . import nn
from .ops.activation import log_softmax, softmax

__version__ = "0.1.0"

# torch.nan, torch.inf, torch.pi, torch.e, torch.newaxis
nan, inf, pi, e, newaxis = _math.nan, _math.inf, _math.pi, _math.e, None


def is_tensor(obj) -> _builtins.bool:
    """Whether ``obj`` is a numtorch Tensor."""
    return isinstance(obj, Tensor)


def numel(input) -> _builtins.int:
    return input.numel()


def is_floating_point(input) -> _builtins.bool:
    return input.is_floating_point()


def is_complex(input) -> _builtins.bool:
    return input.is_complex()


def result_type(tensor1, tensor2):
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to):
    return _dtype.can_cast(from_, to)


def _inplace_function(name: str):
    def inplace(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)

    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f"``input.{name}(...)`` as a function, as ``torch.{name}``."
    return inplace


# torch.relu_(x), torch.exp_(x) ...: the in-place Tensor methods, also at the top level
for _name in (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ "
    "atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ detach_ erf_ erfc_ exp2_ exp_ "
    "expm1_ fill_ fix_ floor_ frac_ index_put_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ "
    "negative_ reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_ tan_ "
    "tanh_ trunc_ xlogy_ zero_"
).split():
    globals()[_name] = _inplace_function(_name)
for _name in ("selu_", "celu_", "rrelu_", "threshold_"):
    globals()[_name] = getattr(nn.functional, _name)

# isort: split
# torch's other namespaces and top-level helpers
from . import (
    _dynamo,
    _tensor_extras,
    amp,
    backends,
    distributed,
    distributions,
    fft,
    func,
    jit,
    multiprocessing,
    profiler,
    sparse,
    special,
    testing,
    version,
)
from ._finfo import finfo, iinfo
from ._functions import *  # noqa: F403
from ._linalg_legacy import *  # noqa: F403
from ._runtime import *  # noqa: F403
from .func import vmap
from .ops.linalg_more import (
    frobenius_norm,
    geqrf,
    lobpcg,
    nuclear_norm,
    orgqr,
    ormqr,
    pca_lowrank,
    svd_lowrank,
)
from .ops.scatter_views import (  # importing it also attaches their Tensor methods
    adjoint,
    alias_copy,
    as_strided_copy,
    as_strided_scatter,
    constant_pad_nd,
    convolution,
    detach_copy,
    diagonal_copy,
    diagonal_scatter,
    eig,
    empty_permuted,
    expand_copy,
    get_device,
    indices_copy,
    lstsq,
    native_batch_norm,
    native_dropout,
    native_group_norm,
    native_layer_norm,
    nonzero_static,
    permute_copy,
    select_copy,
    select_scatter,
    slice_copy,
    slice_scatter,
    solve,
    split_copy,
    split_with_sizes,
    split_with_sizes_copy,
    squeeze_copy,
    symeig,
    t_copy,
    transpose_copy,
    unbind_copy,
    unfold_copy,
    unsafe_chunk,
    unsafe_split,
    unsafe_split_with_sizes,
    unsqueeze_copy,
    values_copy,
    view_as_complex_copy,
    view_as_real_copy,
    view_copy,
)
from .ops.signal import (
    bartlett_window,
    blackman_window,
    frombuffer,
    gradient,
    hamming_window,
    hann_window,
    histogramdd,
    istft,
    kaiser_window,
    stft,
)
from .sparse import sparse_coo_tensor, spmm
from .sparse._layout import (
    layout,
    sparse_bsc,
    sparse_bsr,
    sparse_coo,
    sparse_csc,
    sparse_csr,
    strided,
)

# storage views and the CPU-only Python-callable methods (apply_, map_, set_ ...)
for _name in ("apply_", "map_", "untyped_storage", "storage", "set_"):
    setattr(Tensor, _name, getattr(_tensor_extras, _name))
