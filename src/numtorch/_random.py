"""Bit-exact reproduction of PyTorch's CPU random number streams, vectorised with NumPy.

PyTorch's CPU generator (``CPUGeneratorImpl``) is a 32-bit Mersenne Twister (mt19937) plus a
cached second Box-Muller normal.  Every sampler below consumes the 32-bit outputs in exactly the
order PyTorch's kernels do and applies the same floating-point transformation, so for the same
seed it returns the same bits as ``torch`` and leaves the generator in the same state
(``Generator.get_state()`` is byte-identical to ``torch.get_rng_state()``).

The raw stream comes from NumPy's ``MT19937`` bit generator (the reference algorithm, the same
as PyTorch's); this module translates PyTorch's ``(left, next)`` bookkeeping to NumPy's ``pos``.

Which PyTorch build is reproduced: x86-64 with AVX2 (PyTorch also uses its AVX2 kernels for
these ops on AVX-512 machines), as shipped on PyPI; checked against torch 2.13.0+cpu.

* ``torch.randn``/``normal_`` on a contiguous tensor with >= 16 elements uses PyTorch's blockwise
  Box-Muller built on ``avx_mathfun.h``'s polynomial ``log256_ps``/``sincos256_ps``, with the
  multiply-adds GCC fused into FMA instructions.  :class:`_BoxMuller16` replays that instruction
  sequence; it was compared with the kernel inside libtorch for every one of the 2**24 possible
  uniform inputs (the test suite keeps hashes of those outputs): float32 and float16 normals are
  bit-identical, with no ulp difference anywhere.
* float64 paths call glibc's ``log``/``log1p``/``sin``/``cos``/``tan``/``exp`` through NumPy,
  which gives libm's bits where NumPy defers to libm (checked on first use; where NumPy uses its
  own SIMD code, the ``math`` module is applied element-wise instead: slower, still exact).
* The AVX2 build fuses ``x * std + mean`` and ``x * (to - from) + from`` into FMAs; those are
  emulated exactly (float32 through float64 with round-to-odd; float64 with an error-free product
  and an exact rational fallback for the rare near-tie cases).
* Not reproduced: builds without AVX2 (aarch64, or ``ATEN_CPU_CAPABILITY=default``), which use
  libm's ``logf``/``cosf`` and no FMAs for ``randn``, ``normal_`` with mean/std, and ``uniform_``
  with a range; and MKL's VSL streams that some Intel builds used for ``bernoulli_(p)``.

Speed: large float32 normals are transformed on a small thread pool (NumPy releases the GIL), with
the Mersenne Twister producing the next slice meanwhile; ``NUMTORCH_RANDOM_THREADS=1`` turns that
off.  Samplers whose consumption is data-dependent (``poisson``) loop in Python.

Non-contiguous outputs: PyTorch fills a non-contiguous tensor through ``TensorIterator``, i.e. in
*memory* order (dimensions sorted by increasing stride, the smallest stride varying fastest), not
in logical row-major order; ``normal_`` on a non-contiguous tensor (or one with < 16 elements)
always uses the scalar Box-Muller path with the cached normal.  Generate ``numel`` values (for
``normal`` pass ``contiguous=False``) and place them with :func:`scatter_in_memory_order`.
"""

from __future__ import annotations

import math
import os
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import numpy as np

__all__ = [
    "Generator",
    "default_generator",
    "uniform",
    "normal",
    "normal_tensor",
    "randint",
    "random_",
    "random_full_range",
    "randperm",
    "bernoulli",
    "bernoulli_scalar",
    "exponential",
    "geometric",
    "cauchy",
    "log_normal",
    "multinomial",
    "poisson",
    "iteration_order",
    "scatter_in_memory_order",
]

_MT_N = 624
_DEFAULT_SEED = 67280421310721
_STATE_BYTES = 5056
_LEGACY_STATE_BYTES = 5048
_UINT64_MASK = (1 << 64) - 1

# Byte layout of CPUGeneratorImplState (what torch.get_rng_state() returns): the legacy
# THGeneratorState POD followed by the cached float normal.
_HEADER = struct.Struct("<QiiQ")  # the_initial_seed, left, seeded, next
_STATE_OFFSET = _HEADER.size  # 624 x uint64 mt19937 words
_NORMAL_OFFSET = _STATE_OFFSET + 8 * _MT_N  # normal_x, normal_y, normal_rho (double), valid (int)
_NORMAL = struct.Struct("<dddi")
_FLOAT_NORMAL_OFFSET = 5048  # next_float_normal_sample (float), its valid flag (bool)
_FLOAT_NORMAL = struct.Struct("<f?")

_TWO_POW_M24 = np.float32(2.0**-24)
_TWO_POW_M53 = 2.0**-53
_CHUNK = 1 << 15  # elements per block of vectorised math, small enough to stay in L2 cache


def _temper(words: np.ndarray) -> np.ndarray:
    y = words.astype(np.uint32)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


def _seeded_key(seed: int) -> np.ndarray:
    # PyTorch keys mt19937 with the low 32 bits of the (64-bit) seed only.
    key = [seed & 0xFFFFFFFF]
    for i in range(1, _MT_N):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    return np.array(key, dtype=np.uint32)


class Generator:
    """PyTorch's CPU generator: mt19937 plus the cached second normals of Box-Muller.

    Like a ``torch.Generator`` object it is plain state; unlike torch it takes no lock, so share
    one between threads only with your own locking.
    """

    def __init__(self, seed: int = _DEFAULT_SEED) -> None:
        self._bitgen = np.random.MT19937(0)
        # integers(0, 2**32, uint32) hands out the bit generator's raw 32-bit words one by one
        # (no rejection at full range), faster than random_raw's uint64 output.
        self._words = np.random.Generator(self._bitgen)
        self.manual_seed(seed)

    # -- seeding and state -------------------------------------------------------------------
    def manual_seed(self, seed: int) -> Generator:
        """Seed like ``torch.Generator.manual_seed`` (negative seeds wrap modulo 2**64)."""
        seed = int(seed)
        if not -(1 << 63) <= seed <= _UINT64_MASK:
            raise RuntimeError("Overflow when unpacking long long")
        self._seed = seed & _UINT64_MASK
        # A freshly seeded torch engine reads left=1, next=0: the twist happens on first use.
        self._set_engine(_seeded_key(self._seed), left=1, next_index=0)
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None
        return self

    def seed(self) -> int:
        """Re-seed from a non-deterministic source and return the new seed."""
        new_seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self) -> int:
        """The seed last given to ``manual_seed`` (or found in a restored state)."""
        return self._seed

    def _set_engine(self, key: np.ndarray, left: int, next_index: int) -> None:
        key = np.ascontiguousarray(key, dtype=np.uint32)
        if left + next_index == _MT_N + 1:
            # The steady state: `next` words are used, and the twist happens after `left - 1` more.
            pos, prefix, prefix_next = next_index, None, 0
        else:
            # Torch reads state[next:next + left - 1] and only then twists the *whole* key, which
            # NumPy cannot express; serve those words from a prefix, then NumPy from pos=624.
            if next_index + left - 1 > _MT_N:
                raise ValueError("mt19937 state would read past its 624 words")
            pos = _MT_N
            prefix = _temper(key[next_index : next_index + left - 1])
            prefix_next = next_index
        self._bitgen.state = {
            "bit_generator": "MT19937",
            "state": {"key": key.copy(), "pos": pos},
        }
        self._prefix = prefix
        self._prefix_used = 0
        self._prefix_next = prefix_next

    def get_state(self) -> np.ndarray:
        """The state as ``torch.get_rng_state()``'s 5056 bytes (uint8)."""
        numpy_state = self._bitgen.state["state"]
        key = numpy_state["key"]
        if self._prefix is not None:
            left = len(self._prefix) - self._prefix_used + 1
            next_index = self._prefix_next + self._prefix_used
        else:
            next_index = int(numpy_state["pos"])
            left = _MT_N + 1 - next_index
        out = bytearray(_STATE_BYTES)
        _HEADER.pack_into(out, 0, self._seed, left, 1, next_index)
        out[_STATE_OFFSET:_NORMAL_OFFSET] = key.astype("<u8").tobytes()
        if self.next_double_normal is not None:
            _NORMAL.pack_into(out, _NORMAL_OFFSET, 0.0, self.next_double_normal, 0.0, 1)
        if self.next_float_normal is not None:
            _FLOAT_NORMAL.pack_into(out, _FLOAT_NORMAL_OFFSET, self.next_float_normal, True)
        return np.frombuffer(bytes(out), dtype=np.uint8).copy()

    def set_state(self, state: np.ndarray) -> None:
        """Restore a state from ``get_state`` or ``torch.get_rng_state().numpy()``."""
        raw = np.ascontiguousarray(np.asarray(state, dtype=np.uint8)).tobytes()
        if len(raw) not in (_STATE_BYTES, _LEGACY_STATE_BYTES):
            raise RuntimeError(
                f"Expected either a THGeneratorState of size {_LEGACY_STATE_BYTES} or a "
                f"CPUGeneratorImplState of size {_STATE_BYTES} but found the input RNG state "
                f"size to be {len(raw)}"
            )
        seed, left, _seeded, next_index = _HEADER.unpack_from(raw, 0)
        if left < 1 or left > _MT_N:
            raise RuntimeError("The legacy_pod.left value is out of range")
        if next_index > _MT_N:
            raise RuntimeError("The legacy_pod.next value is out of range")
        words = np.frombuffer(raw, dtype="<u8", count=_MT_N, offset=_STATE_OFFSET)
        self._seed = seed
        self._set_engine(words.astype(np.uint32), left=left, next_index=next_index)
        _x, normal_y, _rho, normal_valid = _NORMAL.unpack_from(raw, _NORMAL_OFFSET)
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = None
        if len(raw) == _STATE_BYTES:
            value, valid = _FLOAT_NORMAL.unpack_from(raw, _FLOAT_NORMAL_OFFSET)
            self.next_float_normal = value if valid else None

    # -- raw streams -------------------------------------------------------------------------
    def random32(self, count: int) -> np.ndarray:
        """The next ``count`` outputs of ``generator->random()`` as uint32."""
        count = int(count)
        parts = []
        if self._prefix is not None:
            take = min(count, len(self._prefix) - self._prefix_used)
            parts.append(self._prefix[self._prefix_used : self._prefix_used + take])
            self._prefix_used += take
            count -= take
            if count > 0:
                self._prefix = None
        if count > 0:
            parts.append(self._words.integers(0, 1 << 32, size=count, dtype=np.uint32))
        if len(parts) == 1:
            return parts[0].copy() if self._prefix is not None else parts[0]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint32)

    def random64(self, count: int) -> np.ndarray:
        """The next ``count`` outputs of ``generator->random64()`` (two words, first is high)."""
        words = self.random32(2 * int(count)).astype(np.uint64).reshape(-1, 2)
        return (words[:, 0] << np.uint64(32)) | words[:, 1]


default_generator = Generator(_DEFAULT_SEED)


# ------------------------------------------------------------------------------------------------
# Exact floating-point helpers
# ------------------------------------------------------------------------------------------------


def _blockwise(kernel, dtype, *operands) -> np.ndarray:
    """Apply an elementwise ``kernel`` block by block (its temporaries then stay in cache)."""
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in operands))
    if arrays[0].ndim == 0:  # the kernels index with nonzero(), which 0-d arrays refuse
        return kernel(*(v.reshape(1) for v in arrays)).reshape(())
    if arrays[0].size <= _CHUNK:
        return kernel(*arrays)
    flat = [np.ascontiguousarray(v).reshape(-1) for v in arrays]
    result = np.empty(arrays[0].size, dtype=dtype)
    for start in range(0, result.size, _CHUNK):
        block = slice(start, start + _CHUNK)
        result[block] = kernel(*(v[block] for v in flat))
    return result.reshape(arrays[0].shape)


def _fma_f32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 ``a * b + c`` (what a vfmadd...ps instruction returns)."""
    return _blockwise(_fma_f32_block, np.float32, a, b, c)


def _fma_f32_block(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    product = a * b  # exact: 24 + 24 significant bits fit in a double
    total = product + c
    # Round-to-odd on the double sum makes the final rounding to float32 correct (53 >= 2*24+2):
    # where the sum was inexact and landed on an even double, step towards the lost part.
    back = total - product
    error = (product - (total - back)) + (c - back)
    inexact = (error != 0) & ((total.view(np.int64) & 1) == 0) & np.isfinite(total)
    if np.any(inexact):
        total = np.array(total, copy=True)
        index = np.nonzero(inexact)
        total[index] = np.nextafter(total[index], np.where(error[index] > 0, np.inf, -np.inf))
    with np.errstate(over="ignore"):
        return total.astype(np.float32)


_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp splitting constant for doubles


def _two_product_error(a: np.ndarray, b: np.ndarray, product: np.ndarray) -> np.ndarray:
    a_big = a * _SPLITTER
    a_hi = a_big - (a_big - a)
    a_lo = a - a_hi
    b_big = b * _SPLITTER
    b_hi = b_big - (b_big - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _fma_f64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 ``a * b + c`` (PyTorch's AVX2 build fuses these)."""
    return _blockwise(_fma_f64_block, np.float64, a, b, c)


def _fma_f64_block(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        product = a * b
        product_error = _two_product_error(a, b, product)
        total = product + c
        back = total - product
        sum_error = (product - (total - back)) + (c - back)
        tail = sum_error + product_error
        result = total + tail
        # `tail` is itself rounded; only when the final addition sits on (or within that rounding
        # of) a tie can the result be wrong, so redo those rare elements exactly.
        tail_back = tail - sum_error
        tail_error = (sum_error - (tail - tail_back)) + (product_error - tail_back)
        result_back = result - total
        residual = (total - (result - result_back)) + (tail - result_back)
        half_ulp = np.spacing(np.abs(result)) * 0.5
        suspicious = (tail_error != 0) & (np.abs(np.abs(residual) - half_ulp) <= np.abs(tail_error))
        suspicious |= ~np.isfinite(result) & np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    if np.any(suspicious):
        result = np.array(result, copy=True)
        for index in zip(*np.nonzero(suspicious), strict=True):
            result[index] = _exact_fma_scalar(float(a[index]), float(b[index]), float(c[index]))
    return result


def _exact_fma_scalar(a: float, b: float, c: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        # IEEE sign rules for an exact zero sum under round-to-nearest.
        return (a * b) + c
    try:
        return float(exact)
    except OverflowError:
        return math.copysign(math.inf, exact)


_LIBM_FUNCTIONS = {
    "log": (np.log, math.log),
    "log1p": (np.log1p, math.log1p),
    "sin": (np.sin, math.sin),
    "cos": (np.cos, math.cos),
    "tan": (np.tan, math.tan),
    "exp": (np.exp, math.exp),
}
_libm_cache: dict[str, object] = {}


def _libm(name: str):
    """A vectorised float64 function that returns exactly what glibc's ``name`` returns.

    NumPy defers to libm for these on most builds; where it uses its own SIMD code instead the
    Python ``math`` module (which always calls libm) is applied element by element.
    """
    found = _libm_cache.get(name)
    if found is None:
        numpy_fn, math_fn = _LIBM_FUNCTIONS[name]
        probe = np.random.Generator(np.random.MT19937(12345)).random(4096)
        if name in ("sin", "cos", "tan"):
            probe = probe * 6.283185307179586
        elif name == "exp":
            probe = probe * 40.0 - 20.0
        elif name == "log1p":
            probe = -probe
        with np.errstate(all="ignore"):
            agrees = np.array_equal(
                numpy_fn(probe), np.array([math_fn(float(v)) for v in probe]), equal_nan=True
            )
        if agrees:
            found = numpy_fn
        else:
            scalar = np.frompyfunc(math_fn, 1, 1)

            def found(values, _scalar=scalar):
                return np.asarray(_scalar(np.asarray(values, dtype=np.float64)), dtype=np.float64)

        _libm_cache[name] = found
    return found


# ------------------------------------------------------------------------------------------------
# dtype helpers
# ------------------------------------------------------------------------------------------------


def _numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _from_double(values: np.ndarray, dtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)``: c10::Half converts through float, so round twice."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        return _truncate_to_int(values, dtype)
    with np.errstate(over="ignore"):  # overflowing to inf is intended
        if dtype == np.float16:
            return values.astype(np.float32).astype(np.float16)
        return values.astype(dtype)


def _truncate_to_int(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    # x86's cvttsd2si: 64-bit for int64, 32-bit (then narrowed) for smaller types; NaN and
    # out-of-range values become the "integer indefinite" INT_MIN.
    wide = dtype == np.int64
    bound = 2.0**63 if wide else 2.0**31
    in_range = (values > -bound - (0.0 if wide else 1.0)) & (values < bound)
    target = np.int64 if wide else np.int32
    with np.errstate(invalid="ignore"):
        truncated = np.where(in_range, values, 0.0).astype(target)
    truncated[~in_range] = np.iinfo(target).min
    return truncated.astype(dtype)


def _uniform_floats32(gen: Generator, count: int) -> np.ndarray:
    """``uniform_real_distribution<float>(0, 1)``: 24 random bits scaled by 2**-24."""
    words = gen.random32(count)
    return (words & np.uint32(0xFFFFFF)).astype(np.float32) * _TWO_POW_M24


def _uniform_floats64(gen: Generator, count: int) -> np.ndarray:
    """``uniform_real_distribution<double>(0, 1)``: 53 random bits of random64() scaled."""
    words = gen.random32(2 * count).reshape(-1, 2)
    # random64() is (first << 32) | second; its low 53 bits keep 21 bits of the first word.
    high = (words[:, 0] & np.uint32(0x1FFFFF)).astype(np.float64) * 4294967296.0
    return (high + words[:, 1]) * _TWO_POW_M53


# ------------------------------------------------------------------------------------------------
# uniform
# ------------------------------------------------------------------------------------------------


def uniform(gen: Generator, shape, dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """``torch.rand`` / ``Tensor.uniform_(low, high)``, values in memory (generation) order."""
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    count = _numel(shape)
    if dtype not in (np.float32, np.float64, np.float16):
        raise TypeError(f"uniform_ is not implemented for {dtype}")
    limit = float(np.finfo(dtype).max)
    if not (-limit <= low <= limit and -limit <= high <= limit):
        raise RuntimeError(f"uniform_ bounds are out of range for {dtype}: from={low}, to={high}")
    if low > high:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}"
        )
    if float(high) - float(low) > limit:
        raise RuntimeError(
            f"uniform_ expects to-from <= the largest {dtype} value, but found to={high} and "
            f"from={low} which result in to-from to exceed the limit"
        )
    if dtype == np.float64:
        unit = _uniform_floats64(gen, count)
        span = float(high) - float(low)
        if span == 1.0 and float(low) == 0.0:
            values = unit
        else:
            values = _fma_f64(unit, span, float(low))
        values[values == float(high)] = float(low)
        return values.reshape(shape)
    # float and half both compute in float ("opmath"); half then rounds and clamps.
    low32, high32 = np.float32(low), np.float32(high)
    unit = _uniform_floats32(gen, count)
    if low32 == 0 and high32 == 1:
        values = unit
    else:
        values = _fma_f32(unit, np.float32(high32 - low32), low32)
    values = values.astype(dtype)
    # PyTorch maps a value that rounded up to the (excluded) upper bound back to the lower one.
    values[values == dtype.type(high)] = dtype.type(low)
    return values.reshape(shape)


# ------------------------------------------------------------------------------------------------
# normal
# ------------------------------------------------------------------------------------------------

# Constants of avx_mathfun.h as float32, in the order the compiled kernel uses them.
_F = np.float32
_LOG_P = [
    _F(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1 = _F(-2.12194440e-4)
_LOG_Q2 = _F(0.693359375)
_FOPI = _F(1.27323954473516)
_DP1 = _F(-0.78515625)
_DP2 = _F(-2.4187564849853515625e-4)
_DP3 = _F(-3.77489497744594108e-8)
_SINCOF = [_F(-1.9515295891e-4), _F(8.3321608736e-3), _F(-1.6666654611e-1)]
_COSCOF = [_F(2.443315711809948e-005), _F(-1.388731625493765e-003), _F(4.166664568298827e-002)]
_TWO_PI_F = _F(2.0 * math.pi)


class _BoxMuller16:
    """PyTorch's AVX2 ``NormalFill16<float>`` replayed with NumPy on rows of 16 uniforms.

    Row ``[u0..u7, v0..v7]`` becomes ``[r*cos(t) for 8 lanes, r*sin(t) for 8 lanes]`` with
    ``r = sqrt(-2 * log256(1 - u))`` and ``t = 2pi * v``, where ``log256``/``sincos256`` are
    avx_mathfun.h's polynomial approximations *as GCC compiled them in libtorch*: most
    multiply-adds there are fused into FMA instructions.  A fused step ``a * b + c`` is evaluated
    here as an exact float64 product plus one float64 addition rounded once to float32; every
    input that can occur (all 2**24 uniforms) was checked to give the FMA's bits.  Steps whose
    product is exact in float32 (by powers of two or short constants) are plain float32 ops.

    The uniforms arrive as raw 32-bit words; a scratch buffer set is reused chunk by chunk so
    that the ~70 NumPy passes run on cache-resident data.
    """

    def __init__(self, lanes: int) -> None:
        self.f32 = [np.empty(lanes, dtype=np.float32) for _ in range(7)]
        self.i32 = [np.empty(lanes, dtype=np.int32) for _ in range(3)]
        self.f64 = [np.empty(lanes, dtype=np.float64) for _ in range(2)]
        self.words = np.empty(lanes, dtype=np.uint32)
        self.results = [np.empty(lanes, dtype=np.float32) for _ in range(3)]

    def radius(self, words: np.ndarray, out: np.ndarray) -> None:
        """``sqrt(-2 * log256(1 - u))`` for the uniforms ``u`` encoded by ``words``."""
        n = len(words)
        x, z, y, e, w = (a[:n] for a in self.f32[:5])
        ix, shifted = self.i32[0][:n], self.i32[1][:n]
        t, x64 = self.f64[0][:n], self.f64[1][:n]
        # 1 - u = (2**24 - k) * 2**-24 exactly, for the 24-bit integer k behind u.
        np.bitwise_and(words, np.uint32(0xFFFFFF), out=ix.view(np.uint32))
        np.subtract(np.int32(1 << 24), ix, out=ix)
        np.multiply(ix, _TWO_POW_M24, out=x)
        # Mantissa/exponent split with the mantissa in [sqrt(.5), sqrt(2)): the same partition
        # as cephes' "if x < SQRTHF: e -= 1; x = x + x - 1", done on the bits (musl's trick).
        np.add(x.view(np.int32), np.int32(0x3F800000 - 0x3F3504F3), out=ix)
        np.right_shift(ix, 23, out=shifted)
        np.subtract(shifted, np.int32(127), out=shifted)
        np.copyto(e, shifted, casting="unsafe")
        np.bitwise_and(ix, np.int32(0x7FFFFF), out=ix)
        np.add(ix, np.int32(0x3F3504F3), out=ix)
        np.subtract(ix.view(np.float32), _F(1.0), out=x)
        np.multiply(x, x, out=z)
        np.copyto(x64, x)
        # Horner chain, every step an FMA.
        np.multiply(x64, _LOG_P[0], out=t)
        np.add(t, _LOG_P[1], out=y, casting="same_kind")
        for coefficient in _LOG_P[2:]:
            np.multiply(y, x64, out=t)
            np.add(t, coefficient, out=y, casting="same_kind")
        np.multiply(y, x, out=y)
        np.multiply(y, z, out=t, dtype=np.float64)
        np.multiply(e, _LOG_Q1, out=w)
        np.add(t, w, out=y, casting="same_kind")
        # z * 0.5 and e * q2 are exact, so these two FMAs are plain float32 operations.
        np.multiply(z, _F(0.5), out=w)
        np.subtract(y, w, out=y)
        np.add(x, y, out=x)
        np.multiply(e, _LOG_Q2, out=w)
        np.add(w, x, out=x)
        np.multiply(x, _F(-2.0), out=x)
        np.sqrt(x, out=out)

    def sincos(self, words: np.ndarray, sin_out: np.ndarray, cos_out: np.ndarray) -> None:
        """``sincos256(2pi * v)`` for the uniforms ``v`` encoded by ``words``."""
        n = len(words)
        theta, y, x, z, cos_poly, sin_poly, w = (a[:n] for a in self.f32[:7])
        octant, mask, bits = self.i32[0][:n], self.i32[1][:n], self.i32[2][:n]
        t, z64 = self.f64[0][:n], self.f64[1][:n]
        np.bitwise_and(words, np.uint32(0xFFFFFF), out=octant.view(np.uint32))
        # (k * 2**-24) * 2pi rounds like k * (2pi * 2**-24): the power of two scales exactly.
        np.multiply(octant, _TWO_PI_F * _TWO_POW_M24, out=theta)
        np.multiply(theta, _FOPI, out=w)
        np.copyto(octant, w, casting="unsafe")
        np.add(octant, np.int32(1), out=octant)
        np.bitwise_and(octant, np.int32(-2), out=octant)
        np.copyto(y, octant, casting="unsafe")
        # y * DP1 and y * DP2 are exact (short constants, y <= 8), so those FMAs are adds.
        np.multiply(y, _DP1, out=w)
        np.add(theta, w, out=x)
        np.multiply(y, _DP2, out=w)
        np.add(x, w, out=x)
        np.multiply(y, np.float64(_DP3), out=t, dtype=np.float64)
        np.add(t, x, out=x, casting="same_kind")
        np.multiply(x, x, out=z)
        np.copyto(z64, z)
        np.multiply(z64, _COSCOF[0], out=t)
        np.add(t, _COSCOF[1], out=cos_poly, casting="same_kind")
        np.multiply(cos_poly, z64, out=t)
        np.add(t, _COSCOF[2], out=cos_poly, casting="same_kind")
        np.multiply(z, cos_poly, out=cos_poly)
        np.multiply(cos_poly, z64, out=t)
        np.multiply(z, _F(0.5), out=w)
        np.subtract(t, w, out=cos_poly, casting="same_kind")
        np.add(cos_poly, _F(1.0), out=cos_poly)
        np.multiply(z64, _SINCOF[0], out=t)
        np.add(t, _SINCOF[1], out=sin_poly, casting="same_kind")
        np.multiply(sin_poly, z64, out=t)
        np.add(t, _SINCOF[2], out=sin_poly, casting="same_kind")
        np.multiply(z, sin_poly, out=sin_poly)
        np.multiply(sin_poly, x, out=t, dtype=np.float64)
        np.add(t, x, out=sin_poly, casting="same_kind")
        # Pick the polynomial per lane with bit masks: mask is all ones where octant & 2 == 0.
        np.bitwise_and(octant, np.int32(2), out=mask)
        np.subtract(mask, np.int32(2), out=mask)
        np.right_shift(mask, 31, out=mask)
        sin_bits, cos_bits = sin_poly.view(np.int32), cos_poly.view(np.int32)
        np.bitwise_xor(sin_bits, cos_bits, out=bits)
        np.bitwise_and(bits, mask, out=bits)
        np.bitwise_xor(cos_bits, bits, out=sin_out.view(np.int32))
        np.bitwise_xor(sin_bits, bits, out=cos_out.view(np.int32))
        # The kernel's blend adds +0.0 (turning -0.0 into +0.0) before it flips signs.
        np.add(sin_out, _F(0.0), out=sin_out)
        np.add(cos_out, _F(0.0), out=cos_out)
        np.bitwise_and(octant, np.int32(4), out=mask)
        np.left_shift(mask, 29, out=mask)
        np.bitwise_xor(sin_out.view(np.int32), mask, out=sin_out.view(np.int32))
        np.subtract(octant, np.int32(2), out=mask)
        np.invert(mask, out=mask)
        np.bitwise_and(mask, np.int32(4), out=mask)
        np.left_shift(mask, 29, out=mask)
        np.bitwise_xor(cos_out.view(np.int32), mask, out=cos_out.view(np.int32))

    def rows(self, words: np.ndarray, out: np.ndarray, mean: np.float32, std: np.float32) -> None:
        """Fill ``out`` (rows of 16 float32) from ``words`` (rows of 16 uint32)."""
        lanes = words.shape[0] * 8
        # 8 lanes of 4 bytes are one 32-byte item: a void view turns the half-row (de)interleave
        # into a single fast item copy.
        first = self.words[:lanes]
        radius, sin, cos = (a[:lanes] for a in self.results)
        word_items = words.view("V32")
        np.copyto(first.view("V32"), word_items[:, 0])
        self.radius(first, radius)
        np.copyto(first.view("V32"), word_items[:, 1])
        self.sincos(first, sin, cos)
        np.multiply(radius, cos, out=cos)
        np.multiply(radius, sin, out=sin)
        for values in (cos, sin):
            if std == 1:
                np.add(values, mean, out=values)  # n * 1 is exact: the FMA is one rounding
            else:
                values[:] = _fma_f32(values, std, mean)
        out_items = out.view("V32")
        np.copyto(out_items[:, 0], cos.view("V32"))
        np.copyto(out_items[:, 1], sin.view("V32"))


_ROWS_PER_CHUNK = 1 << 14  # 131072 lanes per half-row pass: measured sweet spot
_PARALLEL_MIN_ROWS = 1 << 15
_executor: ThreadPoolExecutor | None = None
_thread_state = threading.local()


def _worker_count() -> int:
    """Threads for large normal fills: ``NUMTORCH_RANDOM_THREADS`` if set, else up to 4 CPUs."""
    configured = os.environ.get("NUMTORCH_RANDOM_THREADS")
    if configured:
        return max(1, int(configured))
    return max(1, min(4, os.cpu_count() or 1))


def _forget_threads_after_fork() -> None:
    # A forked child inherits the pool object but not its threads; submitting would hang.
    global _executor, _thread_state
    _executor = None
    _thread_state = threading.local()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads_after_fork)


def _box_muller_chunk(words: np.ndarray, out: np.ndarray, mean: np.float32, std: np.float32):
    # Each thread keeps its scratch buffers: fresh ones would page-fault on every call.
    kernel = getattr(_thread_state, "box_muller", None)
    if kernel is None:
        kernel = _thread_state.box_muller = _BoxMuller16(_ROWS_PER_CHUNK * 8)
    kernel.rows(words, out, mean, std)


def _box_muller_words(words: np.ndarray, out: np.ndarray, mean: float, std: float) -> None:
    """Fill ``out`` (rows of 16 float32) with PyTorch's AVX2 Box-Muller of ``words`` (rows of 16
    uint32), scaled by an FMA with ``std`` and ``mean``."""
    mean32, std32 = np.float32(mean), np.float32(std)
    for start in range(0, words.shape[0], _ROWS_PER_CHUNK):
        stop = start + _ROWS_PER_CHUNK
        _box_muller_chunk(words[start:stop], out[start:stop], mean32, std32)


def _box_muller_pipelined(gen: Generator, out: np.ndarray, mean: float, std: float) -> None:
    """Draw ``16 * len(out)`` words and Box-Muller them into ``out``, overlapping the (serial)
    Mersenne Twister with a thread pool that transforms earlier slices; NumPy releases the GIL
    in both."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(_worker_count(), thread_name_prefix="numtorch-random")
    mean32, std32 = np.float32(mean), np.float32(std)
    futures = []
    for start in range(0, out.shape[0], _ROWS_PER_CHUNK):
        stop = min(start + _ROWS_PER_CHUNK, out.shape[0])
        words = gen.random32((stop - start) * 16).reshape(-1, 16)
        futures.append(_executor.submit(_box_muller_chunk, words, out[start:stop], mean32, std32))
    for future in futures:
        future.result()


def _normal_fill_float(gen: Generator, count: int, mean: float, std: float, dtype) -> np.ndarray:
    full_rows = count // 16
    leftover = count % 16
    out = np.empty(count, dtype=np.float32)
    # Float fills all `count` uniforms first, including `leftover` ones the tail block then
    # overwrites; half/bfloat16 go block by block through a float buffer and skip them.  The
    # tail block is redone with 16 fresh uniforms over the last 16 slots.
    skipped = leftover if dtype == np.float32 else 0
    if full_rows >= _PARALLEL_MIN_ROWS and _worker_count() > 1:
        _box_muller_pipelined(gen, out[: full_rows * 16].reshape(-1, 16), mean, std)
        if leftover:
            gen.random32(skipped)
            tail = np.empty((1, 16), dtype=np.float32)
            _box_muller_words(gen.random32(16).reshape(1, 16), tail, mean, std)
            out[count - 16 :] = tail[0]
    else:
        # One pass over all rows, the tail row included: small calls are dominated by the
        # per-operation overhead of NumPy, not by the arithmetic.
        words = gen.random32(full_rows * 16)
        if leftover:
            gen.random32(skipped)
            words = np.concatenate([words, gen.random32(16)])
        rows = np.empty((len(words) // 16, 16), dtype=np.float32)
        _box_muller_words(words.reshape(-1, 16), rows, mean, std)
        out[: full_rows * 16] = rows[:full_rows].reshape(-1)
        if leftover:
            out[count - 16 :] = rows[-1]
    return out if dtype == np.float32 else out.astype(dtype)


def _normal_fill_double(gen: Generator, count: int, mean: float, std: float) -> np.ndarray:
    """``NormalFill16<double>``: libm log/cos/sin per lane and ``std::fma(r * cos, std, mean)``."""
    full_rows = count // 16
    out = np.empty(count, dtype=np.float64)
    rows = out[: full_rows * 16].reshape(-1, 16)
    row_chunk = _CHUNK // 16
    for start in range(0, full_rows, row_chunk):
        stop = min(start + row_chunk, full_rows)
        _box_muller_double(_uniform_floats64(gen, (stop - start) * 16), rows[start:stop], mean, std)
    if count % 16:
        # As for float: all `count` uniforms are drawn, then the last 16 slots are redone.
        _uniform_floats64(gen, count % 16)
        tail = np.empty((1, 16), dtype=np.float64)
        _box_muller_double(_uniform_floats64(gen, 16), tail, mean, std)
        out[count - 16 :] = tail[0]
    return out


def _box_muller_double(uniforms: np.ndarray, out: np.ndarray, mean: float, std: float) -> None:
    block = uniforms.reshape(-1, 16)
    radius = np.sqrt(-2.0 * _libm("log")(1.0 - block[:, :8]))
    theta = (2.0 * math.pi) * block[:, 8:]
    standard = np.concatenate([radius * _libm("cos")(theta), radius * _libm("sin")(theta)], axis=1)
    if std == 1.0 and mean == 0.0:
        np.add(standard, 0.0, out=out)
    else:
        out[...] = _fma_f64(standard, float(std), float(mean))


def _normal_serial(gen: Generator, count: int, mean: float, std: float) -> np.ndarray:
    """``at::normal_distribution<double>`` drawn ``count`` times, using and refilling the cache."""
    out = np.empty(count, dtype=np.float64)
    filled = 0
    if count and gen.next_double_normal is not None:
        out[0] = gen.next_double_normal
        gen.next_double_normal = None
        filled = 1
    pairs = (count - filled + 1) // 2
    if pairs:
        uniforms = _uniform_floats64(gen, 2 * pairs).reshape(-1, 2)
        radius = np.sqrt(-2.0 * _libm("log1p")(-uniforms[:, 1]))
        theta = (2.0 * math.pi) * uniforms[:, 0]
        cos_values = radius * _libm("cos")(theta)
        sin_values = radius * _libm("sin")(theta)
        interleaved = np.stack([cos_values, sin_values], axis=1).reshape(-1)
        needed = count - filled
        out[filled:] = interleaved[:needed]
        if needed % 2:
            gen.next_double_normal = float(sin_values[-1])
    if std == 1.0 and mean == 0.0:
        return out + 0.0
    return _fma_f64(out, float(std), float(mean))


def normal(
    gen: Generator,
    shape,
    dtype,
    mean: float = 0.0,
    std: float = 1.0,
    contiguous: bool = True,
) -> np.ndarray:
    """``torch.randn`` / ``Tensor.normal_(mean, std)``.

    Contiguous tensors with >= 16 elements use PyTorch's blockwise Box-Muller (16 uniforms at a
    time, the tail block redone with 16 fresh uniforms); everything else, including every
    non-contiguous tensor (``contiguous=False``, values returned in memory order), uses the
    scalar Box-Muller with the generator's cached normal.
    """
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64, np.float16):
        raise TypeError(f"normal_ is not implemented for {dtype}")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    count = _numel(shape)
    if count >= 16 and contiguous:
        if dtype == np.float64:
            values = _normal_fill_double(gen, count, mean, std)
        else:
            values = _normal_fill_float(gen, count, mean, std, dtype)
    else:
        values = _from_double(_normal_serial(gen, count, mean, std), dtype)
    return values.reshape(shape)


def normal_tensor(gen: Generator, mean, std, dtype=None) -> np.ndarray:
    """``torch.normal(mean, std)`` where either or both are tensors (numpy arrays) or floats."""
    mean_is_array = isinstance(mean, np.ndarray)
    std_is_array = isinstance(std, np.ndarray)
    if dtype is None:
        dtype = mean.dtype if mean_is_array else (std.dtype if std_is_array else np.float32)
    dtype = np.dtype(dtype)
    if std_is_array and np.any(std < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if mean_is_array and std_is_array:
        shape = np.broadcast_shapes(mean.shape, std.shape)
    elif mean_is_array:
        shape = mean.shape
    elif std_is_array:
        shape = std.shape
    else:
        return normal(gen, (), dtype, float(mean), float(std))
    if mean_is_array and not std_is_array:
        # normal_(0, std) then add_(mean)
        samples = normal(gen, shape, dtype, 0.0, float(std))
        return (samples + mean.astype(dtype)).astype(dtype)
    samples = normal(gen, shape, dtype, 0.0, 1.0)
    scaled = (samples * std.astype(dtype)).astype(dtype)
    mean_values = mean.astype(dtype) if mean_is_array else dtype.type(mean)
    return np.asarray(scaled + mean_values, dtype=dtype)


# ------------------------------------------------------------------------------------------------
# integers
# ------------------------------------------------------------------------------------------------

_BITS_FOR_64BIT_DRAW = (np.int64, np.float64, np.float32)


def _cast_int64(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype == np.bool_:
        return values != 0
    # static_cast from int64: integer types wrap, floating types round to nearest.
    return values.astype(dtype)


def randint(gen: Generator, low: int, high: int, shape, dtype=np.int64) -> np.ndarray:
    """``torch.randint(low, high, shape)`` / ``Tensor.random_(low, high)``."""
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    low, high = int(low), int(high)
    if high <= low:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    span = high - low
    count = _numel(shape)
    if span >= 1 << 32 and dtype in _BITS_FOR_64BIT_DRAW:
        draws = gen.random64(count)
    else:
        draws = gen.random32(count).astype(np.uint64)
    offsets = draws % np.uint64(span)
    # (val % range) + base in uint64 arithmetic, read back as int64, like the C++ cast.
    values = (offsets + np.uint64(low & _UINT64_MASK)).view(np.int64)
    return _cast_int64(values, dtype).reshape(shape)


def random_full_range(gen: Generator, shape, dtype=np.int64) -> np.ndarray:
    """``Tensor.random_(-2**63, None)``: all 64 bits of ``random64()`` as int64."""
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    values = gen.random64(_numel(shape)).view(np.int64)
    return _cast_int64(values, dtype).reshape(shape)


_RANDOM_MODULUS = {
    np.dtype(np.int64): (True, 1 << 63),
    np.dtype(np.float64): (True, (1 << 53) + 1),
    np.dtype(np.float32): (False, (1 << 24) + 1),
    np.dtype(np.float16): (False, (1 << 11) + 1),
    np.dtype(np.int32): (False, 1 << 31),
    np.dtype(np.int16): (False, 1 << 15),
    np.dtype(np.int8): (False, 1 << 7),
    np.dtype(np.uint8): (False, 1 << 8),
    np.dtype(np.bool_): (False, 2),
}


def random_(gen: Generator, shape, dtype) -> np.ndarray:
    """``Tensor.random_()`` without bounds: [0, 2**mantissa_bits] for floats, [0, max] for ints."""
    shape = _shape(shape)
    dtype = np.dtype(dtype)
    if dtype not in _RANDOM_MODULUS:
        raise TypeError(f"random_ is not implemented for {dtype}")
    wide, modulus = _RANDOM_MODULUS[dtype]
    count = _numel(shape)
    draws = gen.random64(count) if wide else gen.random32(count).astype(np.uint64)
    values = (draws % np.uint64(modulus)).astype(np.int64)
    return _cast_int64(values, dtype).reshape(shape)


def randperm(gen: Generator, n: int, dtype=np.int64) -> np.ndarray:
    """``torch.randperm(n)``: Fisher-Yates with ``random() % (n - i)`` (``random64`` for huge n)."""
    n = int(n)
    dtype = np.dtype(dtype)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    if n >= 0xFFFFFFFF // 20:
        return _randperm_inside_out(gen, n).astype(dtype)
    if n <= 1:
        return np.arange(n, dtype=dtype)
    steps = np.arange(n - 1, dtype=np.int64)
    # Step i swaps positions i and i + (random() % (n - i)).
    targets = steps + (gen.random32(n - 1) % np.arange(n, 1, -1, dtype=np.uint32))
    return _apply_forward_swaps(targets, n).astype(dtype)


def _apply_forward_swaps(targets: np.ndarray, n: int) -> np.ndarray:
    """``perm = arange(n); for i: swap(perm[i], perm[targets[i]])`` without a Python loop.

    Every target is >= its step, so position i is final after step i and receives what position
    ``targets[i]`` held just before: the value carried there by the previous step with the same
    target, or the original value if there was none.  What a step carries is what its own
    position held when it ran, found the same way, so "previous writer" links form a forest whose
    roots are untouched original values; pointer jumping resolves it.  Steps are grouped by target
    with one (SIMD) sort of ``target << 32 | step`` keys.
    """
    count = len(targets)
    keys = targets.astype(np.uint64)
    keys <<= np.uint64(32)
    keys |= np.arange(count, dtype=np.uint64)
    keys.sort()
    # Little-endian halves of the sorted keys: low word = step, high word = target.
    halves = keys.view(np.uint32).reshape(-1, 2)
    group_step = halves[:, 0].view(np.int32)
    group_target = halves[:, 1].view(np.int32)
    same_group = group_target[1:] == group_target[:-1]
    previous = np.full(count, -1, dtype=np.int32)
    previous[group_step[1:][same_group]] = group_step[:-1][same_group]
    # parent[p]: the last step before p that moved a value into position p, else p itself.
    parent = np.arange(n, dtype=np.int32)
    last_in_group = np.ones(count, dtype=bool)
    np.logical_not(same_group, out=last_in_group[:-1])
    last_target, last_step = group_target[last_in_group], group_step[last_in_group]
    from_others = last_step != last_target
    parent[last_target[from_others]] = last_step[from_others]
    # A step that swaps with itself is its group's last; its position's writer is the one before.
    self_swaps = last_target[~from_others]
    earlier = previous[self_swaps]
    parent[self_swaps[earlier >= 0]] = earlier[earlier >= 0]
    carried = parent
    active = np.flatnonzero(carried != np.arange(n, dtype=np.int32))
    while active.size:
        carried[active] = carried[carried[active]]
        active = active[carried[carried[active]] != carried[active]]
    # carried[k]: the original value standing at position k when step k runs.
    perm = np.empty(n, dtype=np.int64)
    has_previous = previous >= 0
    perm[:-1] = targets
    perm[:-1][has_previous] = carried[previous[has_previous]]
    perm[-1] = carried[n - 1]
    return perm


def _randperm_inside_out(gen: Generator, n: int) -> np.ndarray:
    # The "inside-out" shuffle PyTorch switches to once random()'s modulo bias would show.
    draws = gen.random64(n)
    perm = np.empty(n, dtype=np.int64)
    for i in range(n):
        z = int(draws[i]) % (i + 1)
        perm[i] = perm[z]
        perm[z] = i
    return perm


# ------------------------------------------------------------------------------------------------
# other distributions
# ------------------------------------------------------------------------------------------------


def bernoulli(gen: Generator, p, dtype=None) -> np.ndarray:
    """``torch.bernoulli(p_tensor)``: one uniform per element, ``u < p``.

    A float64 ``p`` draws 53-bit uniforms (two words each); any other float ``p`` draws 24-bit
    float uniforms (one word each).
    """
    p = np.asarray(p)
    if dtype is None:
        dtype = p.dtype
    dtype = np.dtype(dtype)
    count = p.size
    if p.dtype == np.float64:
        draws = _uniform_floats64(gen, count)
        values = draws < p.reshape(-1)
    else:
        draws = _uniform_floats32(gen, count)
        values = draws < p.reshape(-1).astype(np.float32)
    return values.astype(dtype).reshape(p.shape)


def bernoulli_scalar(gen: Generator, shape, dtype, p: float = 0.5) -> np.ndarray:
    """``Tensor.bernoulli_(p)`` with a float ``p``: a 53-bit uniform per element, ``u < p``.

    This is PyTorch's generic kernel.  Builds with MKL on Intel CPUs used MKL's own stream for
    this op in some releases, which is not reproduced.
    """
    shape = _shape(shape)
    draws = _uniform_floats64(gen, _numel(shape))
    return (draws < float(p)).astype(np.dtype(dtype)).reshape(shape)


def exponential(gen: Generator, shape, dtype, lambd: float = 1.0) -> np.ndarray:
    """``Tensor.exponential_(lambd)``: ``-1/lambd * log1p(-u)`` in double per element."""
    shape = _shape(shape)
    uniforms = _uniform_floats64(gen, _numel(shape))
    values = (-1.0 / float(lambd)) * _libm("log1p")(-uniforms)
    return _from_double(values, dtype).reshape(shape)


def geometric(gen: Generator, shape, dtype, p: float) -> np.ndarray:
    """``Tensor.geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in double per element."""
    shape = _shape(shape)
    uniforms = _uniform_floats64(gen, _numel(shape))
    with np.errstate(divide="ignore"):
        values = np.ceil(_libm("log")(uniforms) / math.log1p(-float(p)))
    return _from_double(values, dtype).reshape(shape)


def cauchy(gen: Generator, shape, dtype, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    """``Tensor.cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))`` (fused)."""
    shape = _shape(shape)
    uniforms = _uniform_floats64(gen, _numel(shape))
    with np.errstate(over="ignore"):
        tangent = _libm("tan")(math.pi * (uniforms - 0.5))
    values = _fma_f64(float(sigma), tangent, float(median))
    return _from_double(values, dtype).reshape(shape)


def log_normal(gen: Generator, shape, dtype, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    """``Tensor.log_normal_(mean, std)``: ``exp`` of the scalar (cached) double normal."""
    shape = _shape(shape)
    normals = _normal_serial(gen, _numel(shape), mean, std)
    with np.errstate(over="ignore"):
        values = _libm("exp")(normals)
    return _from_double(values, dtype).reshape(shape)


def multinomial(gen: Generator, probs, num_samples: int, replacement: bool = False) -> np.ndarray:
    """``torch.multinomial(probs, num_samples, replacement)`` for 1-D or 2-D ``probs``.

    Without replacement (or for one sample) PyTorch ranks ``p / Exp(1)`` draws; ties (zero
    probabilities only, in practice) are broken by lower index, which torch's topk does not
    promise.  With replacement, each row draws double uniforms and binary-searches the
    normalised cumulative sums.
    """
    probs = np.asarray(probs)
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    rows = probs.reshape(1, -1) if probs.ndim == 1 else probs
    num_samples = int(num_samples)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if not replacement or num_samples == 1:
        # Exponential-race (Gumbel) trick: argmax / topk of p / Exp(1), as PyTorch does.
        keys = exponential(gen, rows.shape, rows.dtype, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (rows / keys).astype(rows.dtype)
        # Stable descending order, like a sort by (-ratio, index).
        order = np.argsort(-ratio, axis=1, kind="stable")[:, :num_samples]
        result = order.astype(np.int64)
    else:
        result = np.empty((rows.shape[0], num_samples), dtype=np.int64)
        accumulate = np.float64 if rows.dtype == np.float64 else np.float32
        for row_index, row in enumerate(rows):
            cumulative = np.cumsum(row.astype(accumulate), dtype=accumulate)
            total = cumulative[-1]
            if not total > 0:
                raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
            cumulative = (cumulative / total).astype(accumulate)
            cumulative[-1] = 1
            draws = _uniform_floats64(gen, num_samples)
            result[row_index] = np.searchsorted(cumulative.astype(np.float64), draws, side="left")
    return result.reshape(-1) if probs.ndim == 1 else result


class _DoubleStream:
    """Hands out ``uniform_real_distribution<double>`` samples one by one from prefetched blocks,
    for samplers that consume a data-dependent number of them (rejection loops).

    On ``close`` the generator is left exactly as if only the consumed samples had been drawn:
    the state is rewound and re-advanced by that many words.
    """

    def __init__(self, gen: Generator, expected: float) -> None:
        self._gen = gen
        self._start = gen.get_state()
        self._block = max(64, int(expected))
        self._values: list[float] = []
        self._position = 0
        self._fetched = 0

    def next(self) -> float:
        if self._position == len(self._values):
            self._values = _uniform_floats64(self._gen, self._block).tolist()
            self._fetched += self._position
            self._position = 0
            self._block *= 2
        value = self._values[self._position]
        self._position += 1
        return value

    def close(self) -> None:
        consumed = self._fetched + self._position
        self._gen.set_state(self._start)
        self._gen.random32(2 * consumed)


def _sample_poisson(rate: float, stream: _DoubleStream) -> int:
    if rate >= 10:
        # Transformed rejection method (Hoermann 1993), as in PyTorch's Distributions.cpp.
        slam = math.sqrt(rate)
        loglam = math.log(rate)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = stream.next() - 0.5
            v = stream.next()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + rate + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)) <= (
                -rate + k * loglam - math.lgamma(k + 1.0)
            ):
                return k
    if rate == 0:
        return 0
    # Multiply uniforms until the product drops to exp(-rate).
    threshold = math.exp(-rate)
    count = 0
    product = 1.0
    while True:
        product *= stream.next()
        if product > threshold:
            count += 1
        else:
            return count


def poisson(gen: Generator, rates) -> np.ndarray:
    """``torch.poisson(rates)``: per-element rejection sampling, sequential by nature (each
    element consumes a data-dependent number of uniforms), so this loops in Python."""
    rates = np.asarray(rates)
    if np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    flat = rates.reshape(-1).astype(np.float64).tolist()
    expected = sum(2.5 if rate >= 10 else rate + 1.0 for rate in flat)
    stream = _DoubleStream(gen, expected * 1.1 + 16)
    try:
        samples = [_sample_poisson(rate, stream) for rate in flat]
    finally:
        stream.close()
    return _from_double(np.array(samples, dtype=np.float64), rates.dtype).reshape(rates.shape)


# ------------------------------------------------------------------------------------------------
# non-contiguous outputs
# ------------------------------------------------------------------------------------------------


def iteration_order(shape, strides) -> tuple[int, ...]:
    """Dimensions from outermost to innermost in the order TensorIterator visits them.

    TensorIterator sorts dimensions by stride (smallest stride innermost); equal strides keep
    the dimension with the smaller size inner, then the later dimension inner.
    """
    shape = _shape(shape)
    strides = tuple(int(s) for s in strides)
    ndim = len(shape)
    # perm[0] is the innermost dimension; start from the reversed (row-major) order.
    perm = list(range(ndim - 1, -1, -1))

    def should_swap(dim0: int, dim1: int) -> int:
        stride0, stride1 = strides[dim0], strides[dim1]
        if stride0 == 0 or stride1 == 0:
            return 0
        if stride0 < stride1:
            return -1
        if stride0 > stride1:
            return 1
        if shape[dim0] > shape[dim1]:
            return 1
        return 0

    # The insertion sort of TensorIteratorBase::reorder_dimensions.
    for i in range(1, ndim):
        dim1 = i
        for dim0 in range(i - 1, -1, -1):
            comparison = should_swap(perm[dim0], perm[dim1])
            if comparison > 0:
                perm[dim0], perm[dim1] = perm[dim1], perm[dim0]
                dim1 = dim0
            elif comparison < 0:
                break
    return tuple(reversed(perm))


def scatter_in_memory_order(values, shape, strides) -> np.ndarray:
    """Place ``values`` (in generation order) into a logical array of ``shape`` the way PyTorch
    fills a tensor with these ``strides`` (element strides)."""
    order = iteration_order(shape, strides)
    permuted_shape = tuple(_shape(shape)[d] for d in order)
    permuted = np.asarray(values).reshape(permuted_shape)
    return np.ascontiguousarray(np.transpose(permuted, np.argsort(order)))
