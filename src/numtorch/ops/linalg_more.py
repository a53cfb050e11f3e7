"""Householder QR in LAPACK's compact form (geqrf, orgqr, ormqr), the Bunch-Kaufman LDL^T
factorization (linalg.ldl_factor/_ex, linalg.ldl_solve), the randomized low-rank methods
(svd_lowrank, pca_lowrank), LOBPCG, and the deprecated nuclear_norm/frobenius_norm.

NumPy has no geqrf or sytrf, so ``_geqrf_array`` and ``_sytf2`` follow LAPACK's unblocked
dgeqr2/zgeqr2 and dsytf2/zsytf2/zhetf2 step by step: the same sign conventions and the same
pivot choices, so results equal PyTorch's (up to the rounding of LAPACK's blocked variants).
ormqr and the low-rank methods are composed from differentiable ops; geqrf and the LDL ops
record nodes whose backward raises, as PyTorch's do.
"""

from __future__ import annotations

import math
import warnings

from .. import return_types
from .._tensor import make
from ..autograd.function import Op
from . import linalg as _la
from . import linalg_extra as _ex
from ._common import shape_str, tensor_method, xp

__all__ = [
    "frobenius_norm",
    "geqrf",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "lobpcg",
    "nuclear_norm",
    "orgqr",
    "ormqr",
    "pca_lowrank",
    "svd_lowrank",
]

# registered in return_types, so that results pickle by reference as PyTorch's do
geqrf_type = return_types.geqrf
linalg_ldl_factor = return_types.linalg_ldl_factor
linalg_ldl_factor_ex = return_types.linalg_ldl_factor_ex


def _not_implemented_dtype(kernel: str, dtype) -> None:
    if dtype.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_la._name(dtype)}'")


# -- geqrf: Householder QR in compact form ----------------------------------------------------


def _geqrf_array(a):
    """(a, tau) of a batch of m x n matrices as LAPACK's geqr2: R on and above the diagonal,
    the Householder vectors (v[0] = 1 implicit) below it."""
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    w = xp.array(a.reshape((-1, m, n)), copy=True)
    tau = xp.zeros((w.shape[0], k), dtype=a.dtype)
    cplx = a.dtype.kind == "c"
    for j in range(k):
        alpha = w[:, j, j].copy()
        xnorm = xp.linalg.norm(w[:, j + 1 :, j], axis=-1)
        alphr = alpha.real
        alphi = alpha.imag if cplx else xp.zeros_like(alphr)
        # larfg: H = I when the part below the diagonal is zero (and alpha is real)
        skip = (xnorm == 0) & (alphi == 0)
        # Fortran's SIGN(x, 0) is +|x|: beta = -norm for alpha_r = 0
        beta = -xp.where(alphr >= 0, 1.0, -1.0) * xp.sqrt(alphr**2 + alphi**2 + xnorm**2)
        beta = xp.where(skip, 1.0, beta)
        if cplx:
            t = (beta - alphr) / beta - 1j * (alphi / beta)
        else:
            t = (beta - alphr) / beta
        t = xp.where(skip, 0, t).astype(a.dtype)
        denom = xp.where(skip, 1, alpha - beta)
        w[:, j + 1 :, j] *= (1 / denom)[:, None].astype(a.dtype)
        w[:, j, j] = xp.where(skip, alpha, beta)
        tau[:, j] = t
        if j + 1 < n:
            v = w[:, j:, j].copy()
            v[:, 0] = 1
            # geqr2 applies H^H = I - conj(tau) v v^H to the trailing columns
            vh_c = xp.einsum("bi,bij->bj", v.conj(), w[:, j:, j + 1 :])
            w[:, j:, j + 1 :] -= (t.conj()[:, None, None] * v[:, :, None]) * vh_c[:, None, :]
    return w.reshape(a.shape), tau.reshape(batch + (k,))


class Geqrf(Op):
    @staticmethod
    def forward(ctx, a):
        return _geqrf_array(a)

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


@tensor_method("geqrf")
def geqrf(input, *, out=None):
    """QR of a (batch of) matrix in LAPACK's compact form: R on and above the diagonal of
    ``a``, the Householder vectors below it and their scalars in ``tau``, as torch.geqrf.

    >>> numtorch.geqrf(numtorch.tensor([[3.0], [4.0]])).a
    tensor([[-5.0000],
            [ 0.5000]])
    """
    a = input._data
    if a.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _not_implemented_dtype("geqrf_cpu", a.dtype)
    res = geqrf_type(Geqrf.apply(input))
    return _ex._out_tuple(res, out)


@tensor_method("orgqr")
def orgqr(input, tau, *, out=None):
    """The first n columns of Q from :func:`geqrf`'s output; an alias of
    linalg.householder_product, as torch.orgqr.

    >>> a, tau = numtorch.geqrf(numtorch.tensor([[3.0], [4.0]]))
    >>> numtorch.orgqr(a, tau)
    tensor([[-0.6000],
            [-0.8000]])
    """
    _not_implemented_dtype("orgqr_cpu", input._data.dtype)
    return _ex.householder_product(input, tau, out=out)


def _check_ormqr(a, t, c, left: bool) -> None:
    if a.ndim < 2:
        raise RuntimeError("torch.ormqr: input must have at least 2 dimensions.")
    if c.ndim < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if c.shape[side] != a.shape[-2]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    if t.ndim < 1 or t.shape[-1] != min(c.shape[side], a.shape[-1]):
        raise RuntimeError(
            f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])"
        )
    if a.ndim - t.ndim != 1:
        raise RuntimeError(
            "torch.ormqr: Expected tau to have one dimension less than input, but got "
            f"tau.ndim equal to {t.ndim} and input.ndim is equal to {a.ndim}"
        )
    if a.ndim != c.ndim:
        raise RuntimeError(
            "torch.ormqr: Expected other to have the same number of dimensions as input, but "
            f"got other.ndim equal to {c.ndim} and input.ndim is equal to {a.ndim}"
        )
    if a.ndim > 2:
        if t.shape[:-1] != a.shape[:-2]:
            raise RuntimeError(
                "torch.ormqr: Expected batch dimensions of tau to be equal to input.shape[:-2], "
                f"but got {shape_str(t.shape[:-1])}"
            )
        if c.shape[:-2] != a.shape[:-2]:
            raise RuntimeError(
                "torch.ormqr: Expected batch dimensions of other to be equal to "
                f"input.shape[:-2], but got {shape_str(c.shape[:-2])}"
            )
    for name, x in (("tau", t), ("other", c)):
        if x.dtype != a.dtype:
            raise RuntimeError(
                f"torch.ormqr: Expected input and {name} to have the same dtype, but input has "
                f"dtype{_la._name(a.dtype)} and {name} has dtype {_la._name(x.dtype)}"
            )
    _not_implemented_dtype("ormqr_cpu", a.dtype)


@tensor_method("ormqr")
def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """``Q @ other`` (``other @ Q`` when ``left=False``; Q^H when ``transpose``) for the Q of
    :func:`geqrf`'s output, without forming Q; differentiable in all three tensors, as
    torch.ormqr.

    >>> a, tau = numtorch.geqrf(numtorch.tensor([[3.0], [4.0]]))
    >>> numtorch.ormqr(a, tau, numtorch.tensor([[1.0], [0.0]]))
    tensor([[-0.6000],
            [-0.8000]])
    """
    from .creation import eye

    a, t, c = input._data, tau._data, other._data
    _check_ormqr(a, t, c, left)
    m, k = a.shape[-2], t.shape[-1]
    # v_i: 1 on the diagonal, zeros above, input's column below
    vs = input.narrow(-1, 0, k).tril(-1) + eye(m, k, dtype=input.dtype)
    taus = tau.conj() if transpose and t.dtype.kind == "c" else tau
    # Q = H_1 ... H_k: Q C applies H_k first, Q^H C applies H_1^H first, and on the right
    # the orders swap
    order = range(k) if transpose == left else range(k - 1, -1, -1)
    res = other
    for i in order:
        v = vs.narrow(-1, i, 1)
        ti = taus.narrow(-1, i, 1).unsqueeze(-1)
        if left:
            res = res - ti * v.matmul(v.mH.matmul(res))
        else:
            res = res - ti * res.matmul(v).matmul(v.mH)
    return _la._out(res, out)


# -- LDL^T: Bunch-Kaufman with LAPACK's sytrf pivots ------------------------------------------

_BK_ALPHA = (1 + math.sqrt(17)) / 8


def _cabs1(v):
    # LAPACK's izamax and the Bunch-Kaufman tests compare |re| + |im| for complex entries
    return xp.abs(v.real) + xp.abs(v.imag) if v.dtype.kind == "c" else xp.abs(v)


def _sytf2(a, hermitian: bool):
    """(LD, 1-based pivots, info) of one n x n matrix, from its lower triangle, as LAPACK's
    dsytf2/zsytf2 (zhetf2 when ``hermitian``) with uplo='L'."""
    n = a.shape[-1]
    herm = hermitian and a.dtype.kind == "c"
    low = xp.tril(a)
    strict = xp.tril(a, -1)
    # a full working copy of the trailing matrix: symmetric pivoting is then plain row and
    # column swaps, and each update is one outer product
    work = low + (strict.conj().T if herm else strict.T)
    if herm:
        work[xp.diag_indices(n)] = work.diagonal().real
    ld = xp.zeros_like(a)
    piv = xp.zeros(n, dtype=xp.int32)
    info = 0

    def diag_abs(i):
        return abs(work[i, i].real) if herm else _cabs1(work[i, i])

    k = 0
    while k < n:
        kstep = 1
        absakk = diag_abs(k)
        if k + 1 < n:
            col = _cabs1(work[k + 1 :, k])
            imax = k + 1 + int(xp.argmax(col))
            colmax = col[imax - k - 1]
        else:
            imax, colmax = k, 0.0
        kp = k
        if max(absakk, colmax) == 0 or math.isnan(absakk):
            info = info or k + 1
            # a zero column: no elimination, D[k, k] = 0
            ld[k:, k] = work[k:, k]
            piv[k] = k + 1
            k += 1
            continue
        if absakk < _BK_ALPHA * colmax:
            # row imax's largest off-diagonal entry, left of and below the diagonal
            row = _cabs1(work[imax, k:imax])
            rowmax = row.max()
            if imax + 1 < n:
                rowmax = max(rowmax, _cabs1(work[imax + 1 :, imax]).max())
            if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                kp = k
            elif diag_abs(imax) >= _BK_ALPHA * rowmax:
                kp = imax
            else:
                kp, kstep = imax, 2
        kk = k + kstep - 1
        if kp != kk:
            work[[kk, kp], k:] = work[[kp, kk], k:]
            work[k:, [kk, kp]] = work[k:, [kp, kk]]
        if kstep == 1:
            d = work[k, k].real if herm else work[k, k]
            x = work[k + 1 :, k]
            xt = x.conj() if herm else x
            work[k + 1 :, k + 1 :] -= xp.outer(x, xt) / d
            ld[k, k] = d
            ld[k + 1 :, k] = x / d
            piv[k] = kp + 1
        else:
            dblk = work[k : k + 2, k : k + 2].copy()
            c = work[k + 2 :, k : k + 2]
            lblk = xp.linalg.solve(dblk.T, c.T).T  # C D^{-1}
            ct = c.conj() if herm else c
            work[k + 2 :, k + 2 :] -= lblk @ ct.T
            ld[k, k], ld[k + 1, k], ld[k + 1, k + 1] = dblk[0, 0], dblk[1, 0], dblk[1, 1]
            ld[k + 2 :, k : k + 2] = lblk
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return ld, piv, info


def _ldl_factor_array(a, hermitian: bool):
    batch, n = a.shape[:-2], a.shape[-1]
    flat = a.reshape((-1, n, n))
    ld = xp.zeros_like(flat)
    piv = xp.zeros((flat.shape[0], n), dtype=xp.int32)
    info = xp.zeros(flat.shape[0], dtype=xp.int32)
    for i in range(flat.shape[0]):
        ld[i], piv[i], info[i] = _sytf2(flat[i], hermitian)
    return ld.reshape(a.shape), piv.reshape(batch + (n,)), info.reshape(batch)


def _sytrs(ld, piv, b, herm: bool):
    """X with ``A X = B`` from one LD and its pivots, as LAPACK's sytrs/hetrs (uplo='L')."""
    n = ld.shape[-1]
    x = b.astype(ld.dtype, copy=True)

    def tr(v):
        return v.conj() if herm else v

    def swap(i, j):
        if i != j:
            x[[i, j]] = x[[j, i]]

    k = 0
    while k < n:  # L D Y = P B, in the order the pivots were taken
        if piv[k] > 0:
            swap(k, int(piv[k]) - 1)
            x[k + 1 :] -= xp.outer(ld[k + 1 :, k], x[k])
            x[k] /= ld[k, k]
            k += 1
        else:
            swap(k + 1, -int(piv[k]) - 1)
            x[k + 2 :] -= ld[k + 2 :, k : k + 2] @ x[k : k + 2]
            d = xp.array([[ld[k, k], tr(ld[k + 1, k])], [ld[k + 1, k], ld[k + 1, k + 1]]])
            x[k : k + 2] = xp.linalg.solve(d, x[k : k + 2])
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y (L^H when hermitian), undoing the pivots backwards
        if piv[k] > 0:
            x[k] -= tr(ld[k + 1 :, k]) @ x[k + 1 :]
            swap(k, int(piv[k]) - 1)
            k -= 1
        else:
            x[k] -= tr(ld[k + 1 :, k]) @ x[k + 1 :]
            x[k - 1] -= tr(ld[k + 1 :, k - 1]) @ x[k + 1 :]
            swap(k, -int(piv[k]) - 1)
            k -= 2
    return x


class _LdlNoDerivative(Op):
    node_name = "NotImplemented"
    derivative = ""

    @classmethod
    def backward(cls, ctx, *grads):
        raise RuntimeError(f"derivative for aten::{cls.derivative} is not implemented")


class LinalgLdlFactorEx(_LdlNoDerivative):
    node_name = "NotImplemented"
    derivative = "linalg_ldl_factor_ex"

    @staticmethod
    def forward(ctx, a, hermitian):
        return _ldl_factor_array(a, hermitian)


class LinalgLdlSolve(_LdlNoDerivative):
    node_name = "NotImplemented"
    derivative = "linalg_ldl_solve"

    @staticmethod
    def forward(ctx, ld, piv, b, hermitian):
        herm = hermitian and ld.dtype.kind == "c"
        batch = xp.broadcast_shapes(ld.shape[:-2], piv.shape[:-1], b.shape[:-2])
        n = ld.shape[-1]
        lds = xp.broadcast_to(ld, batch + ld.shape[-2:]).reshape((-1, n, n))
        pivs = xp.broadcast_to(piv, batch + piv.shape[-1:]).reshape((-1, n))
        bs = xp.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
        out = xp.stack([_sytrs(lds[i], pivs[i], bs[i], herm) for i in range(lds.shape[0])])
        return out.reshape(batch + b.shape[-2:])


def _check_ldl_input(fname: str, a) -> None:
    _la._check_square(fname, a)
    if a.dtype.kind not in "fc":
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got "
            f"{_la._name(a.dtype)}"
        )


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """The Bunch-Kaufman factorization ``A = L D L^T`` (``L D L^H`` when ``hermitian``) of
    a symmetric matrix from its lower triangle, in LAPACK sytrf's compact form and pivots,
    plus ``info`` (the 1-based index of the first zero column, 0 when there is none), as
    torch.linalg.ldl_factor_ex.

    >>> numtorch.linalg.ldl_factor_ex(numtorch.tensor([[0.0, 1.0], [1.0, 0.0]])).pivots
    tensor([-2, -2], dtype=numtorch.int32)
    """
    _check_ldl_input("torch.linalg.ldl_factor_ex", A._data)
    res = LinalgLdlFactorEx.apply(A, bool(hermitian))
    if check_errors:
        _raise_ldl("torch.linalg.ldl_factor_ex", res[2]._data)
    return _ex._out_tuple(linalg_ldl_factor_ex(res), out)


def _raise_ldl(fname: str, info) -> None:
    bad = xp.flatnonzero(info.reshape(-1))
    if bad.size:
        code = int(info.reshape(-1)[bad[0]])
        # PyTorch reports sytrf's positive info through an internal assert
        raise RuntimeError(
            'false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
            'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. '
            f"{fname}: Unknown error code: {code}."
        )


def ldl_factor(A, *, hermitian=False, out=None):
    """``(LD, pivots)`` of :func:`ldl_factor_ex`, raising on a singular factorization, as
    torch.linalg.ldl_factor.

    >>> numtorch.linalg.ldl_factor(numtorch.tensor([[4.0, 2.0], [2.0, 3.0]])).LD
    tensor([[4.0000, 0.0000],
            [0.5000, 2.0000]])
    """
    _check_ldl_input("torch.linalg.ldl_factor_ex", A._data)
    ld, piv, info = LinalgLdlFactorEx.apply(A, bool(hermitian))
    _raise_ldl("torch.linalg.ldl_factor", info._data)
    return _ex._out_tuple(linalg_ldl_factor((ld, piv)), out)


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """The solution of ``A X = B`` from ``LD, pivots = ldl_factor(A)``, as LAPACK's sytrs,
    as torch.linalg.ldl_solve.

    >>> LD, piv = numtorch.linalg.ldl_factor(numtorch.tensor([[4.0, 2.0], [2.0, 3.0]]))
    >>> numtorch.linalg.ldl_solve(LD, piv, numtorch.tensor([[6.0], [5.0]]))
    tensor([[1.],
            [1.]])
    """
    ld, piv, b = LD._data, pivots._data, B._data
    fname = "torch.linalg.ldl_solve"
    _la._check_square(fname, ld, "LD")
    if b.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    if piv.shape != ld.shape[:-1]:
        raise RuntimeError(
            f"{fname}: Expected LD.shape[:-1] and pivots.shape to be the same, but got "
            f"pivots with shape {shape_str(piv.shape)} instead"
        )
    if piv.dtype.kind not in "iu":
        raise RuntimeError(f"{fname}: Expected pivots to be integers. Got {_la._name(piv.dtype)}")
    if b.dtype != ld.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {_la._name(b.dtype)} "
            f"and A of type {_la._name(ld.dtype)} instead."
        )
    n = ld.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for {fname}: each A matrix is {n} by {n} but each b "
            f"matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    return _la._out(LinalgLdlSolve.apply(LD, pivots, B, bool(hermitian)), out)


# -- randomized low-rank SVD and PCA (Halko et al., 2009), as torch._lowrank --------------------


def _floating_dtype(A):
    from .. import _dtype

    d = A.dtype
    return d if d in (_dtype.float16, _dtype.float32, _dtype.float64) else _dtype.float32


def _approximate_basis(A, q, niter, M):
    from .creation import randn

    # the same draw as PyTorch's, so a seed gives the same result; a complex normal is
    # PyTorch's normal on the real view, scaled to unit variance
    if A.is_complex():
        from .. import _dtype
        from .shape import view_as_complex

        real = _dtype.float32 if A.dtype == _dtype.complex64 else _dtype.float64
        R = view_as_complex(randn(A.shape[-1], q, 2, dtype=real) * math.sqrt(0.5))
    else:
        R = randn(A.shape[-1], q, dtype=_floating_dtype(A))
    X = A.matmul(R)
    if M is not None:
        X = X - M.matmul(R)
    Q = _la.qr(X).Q
    for _ in range(niter):
        X = A.mH.matmul(Q)
        if M is not None:
            X = X - M.mH.matmul(Q)
        Q = _la.qr(X).Q
        X = A.matmul(Q)
        if M is not None:
            X = X - M.matmul(Q)
        Q = _la.qr(X).Q
    return Q


def _svd_lowrank(A, q=6, niter=2, M=None):
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    if m < n:  # the algorithm assumes a tall A
        A = A.mH
        if M is not None:
            M = M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mH.matmul(A)
    if M is not None:
        B = B - Q.mH.matmul(M)
    U, S, Vh = _la.svd(B, full_matrices=False)
    V = Vh.mH
    U = Q.matmul(U)
    if m < n:
        U, V = V, U
    return U, S, V


def svd_lowrank(A, q=6, niter=2, M=None):
    """An approximate truncated SVD ``(U, S, V)`` with ``A ~ U diag(S) V^H`` (of ``A - M``
    when M is given) from ``niter`` randomized subspace iterations on q columns, as
    torch.svd_lowrank; a seed gives PyTorch's result.

    >>> U, S, V = numtorch.svd_lowrank(numtorch.eye(8), q=2)
    >>> S
    tensor([1., 1.])
    """
    return _svd_lowrank(A, q=q, niter=niter, M=M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """Linear PCA of a data matrix (rows are samples): :func:`svd_lowrank` of ``A`` minus
    its column means (when ``center``), with ``q = min(6, m, n)`` by default, as
    torch.pca_lowrank.

    >>> U, S, V = numtorch.pca_lowrank(numtorch.eye(4), q=2)
    >>> V.shape
    numtorch.Size([4, 2])
    """
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    if not (niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter=niter, M=None)
    C = A.mean(dim=(-2,), keepdim=True)
    return _svd_lowrank(A - C, q, niter=niter, M=None)


# -- deprecated norms ---------------------------------------------------------------------------


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """The nuclear norm (sum of singular values) over ``dim`` (the last two dims by default);
    deprecated, as torch.nuclear_norm: use ``linalg.matrix_norm(A, 'nuc')``.

    >>> numtorch.nuclear_norm(numtorch.eye(3))  # doctest: +SKIP
    tensor(3.)
    """
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim) is the two-argument overload
        dim, keepdim = None, dim
    warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:3229.)",
        UserWarning,
        stacklevel=2,
    )
    dims = (-2, -1) if dim is None else dim
    return _la.matrix_norm(input, "nuc", dims, keepdim, out=out)


def frobenius_norm(input, dim, keepdim=False, *, out=None):
    """``sqrt(sum(|x|^2))`` over ``dim`` (at most two dims); deprecated, as
    torch.frobenius_norm: use ``linalg.vector_norm(A, 2, dim, keepdim)``.

    >>> numtorch.frobenius_norm(numtorch.ones(2, 2), (0, 1))  # doctest: +SKIP
    tensor(2.)
    """
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(
            f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead."
        )
    warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will "
        "be removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:3175.)",
        UserWarning,
        stacklevel=2,
    )
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_la._name(input._data.dtype)} instead."
        )
    return _la.vector_norm(input, 2, dims, keepdim, out=out)


# -- LOBPCG, ported from torch/_lobpcg.py -------------------------------------------------------


def _qform(A, S):
    """``S^T A S`` (A = None is the identity)."""
    return S.mT.matmul(S if A is None else A.matmul(S))


def _mm(A, X):
    return X if A is None else A.matmul(X)


def _symeig(A, largest=False):
    E, Z = _la.eigh(A, UPLO="U")
    if largest:
        E, Z = E.flip(-1), Z.flip(-1)
    return E, Z


def _fnorm(X) -> float:
    return float(_la.vector_norm(X)._data)


class _Lobpcg:
    """The worker of torch's LOBPCG class: its state and its 'basic' and 'ortho' updates."""

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method):
        from .creation import zeros

        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method = method
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = zeros((n,), dtype=X.dtype)
        self.R = zeros((m, n), dtype=X.dtype)
        self.S = zeros((m, 3 * n), dtype=X.dtype)
        self.ivars: dict = {"istep": 0}
        self.fvars: dict = {}

    def update(self):
        if self.ivars["istep"] == 0:
            inv_norm = _fnorm(self.X) ** -1
            self.fvars["A_norm"] = _fnorm(_mm(self.A, self.X)) * inv_norm
            self.fvars["B_norm"] = _fnorm(_mm(self.B, self.X)) * inv_norm
            self.ivars["iterations_left"] = self.iparams["niter"]
            self.ivars["converged_count"] = 0
            self.ivars["converged_end"] = 0
        if self.method == "ortho":
            self._update_ortho()
        else:
            self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self):
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self):
        # the backward stable criterion of Duersch et al. 2018, sec. 4.3
        E, X, R = self.E, self.X, self.R
        a_norm, b_norm = self.fvars["A_norm"], self.fvars["B_norm"]
        rerr = _la.vector_norm(R, 2, (0,)) / (
            _la.vector_norm(X, 2, (0,)) * (a_norm + E[: X.shape[-1]].abs() * b_norm)
        )
        count = 0
        for ok in (rerr._data < self.fparams["tol"]).tolist():
            if not ok:  # later pairs do not count, to keep the eigenpairs in order
                break
            count += 1
        self.ivars["converged_count"] = count
        return count

    def stop_iteration(self):
        return (
            self.ivars["iterations_left"] == 0 or self.ivars["converged_count"] >= self.iparams["k"]
        )

    def run(self):
        self.update()
        while not self.stop_iteration():
            self.update()

    def _update_basic(self):
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X[:] = self.X.matmul(Ri.matmul(Z))
            self.E[:] = E
            np_ = 0
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            W = _mm(self.iK, self.R)
        else:
            S_ = self.S[:, nc:ns]
            Ri = self._rayleigh_ritz_transform(S_)
            E_, Z = _symeig(_qform(_qform(self.A, S_), Ri), largest)
            self.X[:, nc:] = S_.matmul(Ri.matmul(Z[:, : n - nc]))
            self.E[nc:] = E_[: n - nc]
            P = S_.matmul(Ri.matmul(Z[:, n : 2 * n - nc]))
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            self.S[:, n : n + np_] = P
            W = _mm(self.iK, self.R[:, nc:])
        self.ivars["converged_end"] = ns = n + np_ + W.shape[-1]
        self.S[:, n + np_ : ns] = W

    def _update_ortho(self):
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            _E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X = self.X.matmul(Ri.matmul(Z))
            self.update_residual()
            np_ = 0
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            W = self._get_ortho(self.R, self.X)
        else:
            S_ = self.S[:, nc:ns]
            E_, Z = _symeig(_qform(self.A, S_), largest)
            self.X[:, nc:] = S_.matmul(Z[:, : n - nc])
            self.E[nc:] = E_[: n - nc]
            basis = _la.qr(Z[: n - nc, n - nc :].mT).Q
            P = S_.matmul(Z[:, n - nc :].matmul(basis))
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n : n + np_] = P
            W = self._get_ortho(self.R[:, nc:], self.S[:, : n + np_])
        ns = self.ivars["converged_end"] = n + np_ + W.shape[-1]
        self.S[:, n + np_ : ns] = W

    def _rayleigh_ritz_transform(self, S):
        # Ri with Ri^T (S^T B S) Ri = I: a scaled Cholesky factor's inverse
        SBS = _qform(self.B, S)
        d_row = SBS.diagonal(0, -2, -1) ** -0.5
        d_col = d_row.reshape(d_row.shape[0], 1)
        R = _la.cholesky((SBS * d_row) * d_col, upper=True)
        return _la.solve_triangular(R, d_row.diag_embed(), upper=True, left=False)

    def _get_svqb(self, U, drop, tau):
        # Algorithm 4 of Duersch's PhD thesis (2015): B-orthonormal columns spanning U's
        if U.numel() == 0:
            return U
        UBU = _qform(self.B, U)
        d = UBU.diagonal(0, -2, -1)
        nz = xp.flatnonzero(d._data != 0)
        if len(nz) < d.shape[0]:  # exact zero columns would divide by zero below
            U = U[:, make(nz)]
            if U.numel() == 0:
                return U
            UBU = _qform(self.B, U)
            d = UBU.diagonal(0, -2, -1)
        d_col = (d**-0.5).reshape(d.shape[0], 1)
        E, Z = _symeig((UBU * d_col) * d_col.mT)
        t = tau * float(E.abs().max()._data)
        if drop:
            keep = make(xp.flatnonzero(E._data > t))
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            small = xp.flatnonzero(E._data < t)
            if small.size:
                E[make(small)] = t
        return (U * d_col.mT).matmul(Z * E**-0.5)

    def _get_ortho(self, U, V):
        # Algorithm 3 (6 with ortho_use_drop) of Duersch's thesis: U B-orthonormal and
        # B-orthogonal to V
        from .creation import eye

        m = self.iparams["m"]
        tau_ortho = self.fparams["ortho_tol"]
        tau_drop = self.fparams["ortho_tol_drop"]
        tau_replace = self.fparams["ortho_tol_replace"]
        i_max, j_max = self.iparams["ortho_i_max"], self.iparams["ortho_j_max"]
        use_drop = self.bparams["ortho_use_drop"]
        BV_norm = _fnorm(_mm(self.B, V))
        BU = _mm(self.B, U)
        VBU = V.mT.matmul(BU)
        for _i in range(i_max):
            U = U - V.matmul(VBU)
            drop = False
            tau_svqb = tau_drop
            for _j in range(j_max):
                if use_drop:
                    U = self._get_svqb(U, drop, tau_svqb)
                    drop, tau_svqb = True, tau_replace
                else:
                    U = self._get_svqb(U, False, tau_replace)
                if U.numel() == 0:  # every column of U was B-collinear to V
                    return U
                BU = _mm(self.B, U)
                UBU = U.mT.matmul(BU)
                resid = UBU - eye(UBU.shape[-1], dtype=UBU.dtype)
                if _fnorm(resid) / (_fnorm(BU) * _fnorm(U)) < tau_ortho:
                    break
            VBU = V.mT.matmul(BU)
            if _fnorm(VBU) / (BV_norm * _fnorm(U)) < tau_ortho:
                break
            if m < U.shape[-1] + V.shape[-1]:
                B = self.B
                raise ValueError(
                    "Overdetermined shape of U:"
                    f" #B-cols(={B.shape[-1] if B is not None else m}) >= "
                    f"#U-cols(={U.shape[-1]}) + #V-cols(={V.shape[-1]}) must hold"
                )
        return U


def _lobpcg_forward(A, k, B, X, n, iK, niter, tol, largest, method, oi, of, ob):
    from .. import _dtype
    from .creation import empty, randn

    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"A must be square, got shape {A.shape}")
    if B is not None and A.shape != B.shape:
        raise AssertionError(f"A and B must have same shape, got {A.shape} vs {B.shape}")
    dtype = _floating_dtype(A)
    if tol is None:
        tol = {_dtype.float32: 1.2e-07, _dtype.float64: 2.23e-16}[dtype] ** 0.5
    m = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(
            f"LOBPCG algorithm is not applicable when the number of A rows (={m})"
            f" is smaller than 3 x the number of requested eigenpairs (={n})"
        )
    method = "ortho" if method is None else method
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(oi or {})
        fparams.update(of or {})
        bparams.update(ob or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)

    def solve_one(A_, B_, X_):
        if X_ is None:  # the same draw as PyTorch's, so a seed gives the same iterates
            X_ = randn((m, n), dtype=dtype)
        if not (X_.ndim == 2 and tuple(X_.shape) == (m, n)):
            raise AssertionError(f"X shape mismatch: got {X_.shape}, expected {(m, n)}")
        worker = _Lobpcg(A_, B_, X_, iK, iparams, fparams, bparams, method)
        worker.run()
        return worker.E[:k], worker.X[:, :k]

    if A.ndim == 2:
        return solve_one(A, B, X)
    N = math.prod(A.shape[:-2])
    bA = A.reshape((N,) + tuple(A.shape[-2:]))
    bB = B.reshape((N,) + tuple(A.shape[-2:])) if B is not None else None
    bX = X.reshape((N,) + tuple(X.shape[-2:])) if X is not None else None
    bE = empty((N, k), dtype=dtype)
    bXret = empty((N, m, k), dtype=dtype)
    for i in range(N):
        E, V = solve_one(
            bA[i], bB[i] if bB is not None else None, bX[i] if bX is not None else None
        )
        bE[i], bXret[i] = E, V
    batch = tuple(A.shape[:-2])
    return bE.reshape(batch + (k,)), bXret.reshape(batch + (m, k))


def _symeig_backward_array(gd, gu, a, d, u, largest):
    """PyTorch's lobpcg backward (_symeig_backward) for one real symmetric A with k of its
    eigenpairs (D, U): the complete-eigenspace term plus the correction of the part of A
    orthogonal to U, from D's characteristic polynomial."""
    m, k = u.shape
    f = d[None, :] - d[:, None]
    with xp.errstate(divide="ignore"):
        f = xp.where(xp.eye(k, dtype=bool), 0, 1 / xp.where(f == 0, xp.inf, f))
    res = u @ (xp.diag(gd) + (u.T @ gu) * f) @ u.T
    if k == m:
        return res
    # any basis of U's orthogonal complement gives the same gradient: a fixed draw suffices
    rng = xp.random.default_rng(0)
    u_ortho = (xp.eye(m) - u @ u.T) @ rng.standard_normal((m, m - k)).astype(a.dtype)
    coeffs = xp.poly(d)[::-1].real.astype(a.dtype)  # c_0 .. c_k, c_k = 1
    series = xp.zeros_like(gu)
    proj = gu
    for j in range(1, k + 1):
        q = xp.zeros_like(d)
        for c in coeffs[j:][::-1]:  # Horner: sum_i c_{j+i} d^i
            q = q * d + c
        series = series + proj * q[None, :]
        proj = a @ proj
    p_a = xp.zeros_like(a)
    for c in coeffs[::-1]:
        p_a = a @ p_a + c * xp.eye(m, dtype=a.dtype)
    sign = -1 if (largest and k % 2 == 1) else 1
    inner = sign * (u_ortho.T @ p_a @ u_ortho)
    rhs = u_ortho.T @ series
    return res - u_ortho @ (sign * xp.linalg.solve(inner, rhs)) @ u.T


def _lobpcg_autograd():
    from ..autograd.function import Function

    class LOBPCGAutogradFunction(Function):
        @staticmethod
        def forward(ctx, A, k, B, X, n, iK, niter, tol, largest, method, oi, of, ob):
            D, U = _lobpcg_forward(A, k, B, X, n, iK, niter, tol, largest, method, oi, of, ob)
            ctx.save_for_backward(A, D, U)
            ctx.largest = largest
            return D, U

        @staticmethod
        def backward(ctx, gd, gu):
            A, D, U = ctx.saved_tensors
            if A._data.dtype.kind == "c":
                raise ValueError(
                    "lobpcg.backward does not support complex input yet. Note that "
                    "lobpcg.forward does though."
                )
            largest = True if ctx.largest is None else ctx.largest
            a, d, u = A._data, D._data, U._data
            shape = a.shape
            gd_ = xp.zeros_like(d) if gd is None else gd._data
            gu_ = xp.zeros_like(u) if gu is None else gu._data
            n, k = shape[-1], d.shape[-1]
            parts = [
                _symeig_backward_array(g1, g2, a1, d1, u1, largest)
                for g1, g2, a1, d1, u1 in zip(
                    gd_.reshape((-1, k)),
                    gu_.reshape((-1, n, k)),
                    a.reshape((-1, n, n)),
                    d.reshape((-1, k)),
                    u.reshape((-1, n, k)),
                    strict=True,
                )
            ]
            ga = make(xp.stack(parts).reshape(shape))
            return (ga,) + (None,) * 12

    return LOBPCGAutogradFunction


_LOBPCG_FN: list = []


def lobpcg(
    A,
    k=None,
    B=None,
    X=None,
    n=None,
    iK=None,
    niter=None,
    tol=None,
    largest=None,
    method=None,
    tracker=None,
    ortho_iparams=None,
    ortho_fparams=None,
    ortho_bparams=None,
):
    """The k largest (or smallest, ``largest=False``) eigenpairs of a symmetric positive
    definite (generalized, with B) eigenproblem by LOBPCG, as torch.lobpcg; a seed gives
    PyTorch's random start. Differentiable in A (B = None, real A).

    >>> A = numtorch.diag(numtorch.arange(1.0, 13.0, dtype=numtorch.float64))
    >>> numtorch.lobpcg(A, k=2)[0]  # doctest: +SKIP
    tensor([12., 11.], dtype=numtorch.float64)
    """
    if tracker is not None:
        raise NotImplementedError("numtorch.lobpcg: tracker is not supported")
    args = (k, B, X, n, iK, niter, tol, largest, method, ortho_iparams, ortho_fparams)
    if A.requires_grad or (B is not None and B.requires_grad):
        if B is not None:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        if not _LOBPCG_FN:
            _LOBPCG_FN.append(_lobpcg_autograd())
        # A's gradient is then symmetric, so a step along it keeps A symmetric
        A_sym = (A + A.mT) / 2
        return _LOBPCG_FN[0].apply(A_sym, *args, ortho_bparams)
    return _lobpcg_forward(A, *args, ortho_bparams)
