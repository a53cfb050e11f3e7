"""The orthogonal (unitary) parametrization of ``torch.nn.utils.parametrizations``.

>>> m = orthogonal(numtorch.nn.Linear(3, 3))
>>> bool(numtorch.allclose(m.weight.T @ m.weight, numtorch.eye(3), atol=1e-5))
True
"""

from __future__ import annotations

from enum import Enum, auto

import numtorch

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from . import parametrize

__all__ = ["orthogonal"]


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.size(-2), Q.size(-1)
    Id = numtorch.eye(k, dtype=Q.dtype, device=Q.device)
    # tight enough to keep a nearly orthogonal initial value from drifting, loose enough to
    # accept rounding
    eps = 10.0 * n * numtorch.finfo(Q.dtype).eps
    return numtorch.allclose(Q.mH @ Q, Id, atol=eps)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q factor of a tall ``A = QR`` with ``diag(R)`` real and non-negative, so that the
    factorization (and hence the initial weight) is unique."""
    X, tau = numtorch.geqrf(A)
    Q = numtorch.linalg.householder_product(X, tau)
    # the diagonal of X is that of R (real): its signs flip the columns of Q
    Q *= X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)
    return Q


def _randn_like_shape(shape: tuple[int, ...], dtype) -> Tensor:
    if not dtype.is_complex:
        return numtorch.randn(*shape, dtype=dtype)
    # numtorch has no complex randn; PyTorch's draws the real and imaginary parts in turn
    # (normal_ on view_as_real) with variance 1/2 each, which this reproduces draw for draw
    real = dtype.to_real()
    return numtorch.view_as_complex(numtorch.randn(*shape, 2, dtype=real) * (0.5**0.5))


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    base: Tensor

    def __init__(
        self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True
    ) -> None:
        super().__init__()
        # Householder reflectors of a complex (or rectangular unitary) matrix have too few real
        # parameters to reach every unitary matrix, and tau cannot be optimised independently
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        # X is tall from here on
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            # only n*k - k(k-1)/2 parameters are used: the lower triangle
            X = X.tril()
            if n != k:
                X = numtorch.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH  # skew-symmetric (skew-hermitian)
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = numtorch.matrix_exp(A)
            else:
                # the Cayley retraction (I + A/2)(I - A/2)^{-1}
                Id = numtorch.eye(n, dtype=A.dtype, device=A.device)
                Q = numtorch.linalg.solve(
                    numtorch.add(Id, A, alpha=-0.5), numtorch.add(Id, A, alpha=0.5)
                )
            if n != k:
                Q = Q[..., :k]
        else:
            # real here: householder refuses complex tensors
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = numtorch.linalg.householder_product(A, tau)
            # the diagonal of X holds +-1 signs; cast so it is neither differentiated nor updated
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)

        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(
                f"Expected a matrix or batch of matrices of shape {self.shape}. "
                f"Got a tensor of shape {Q.shape}."
            )
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n

        # every path copies Q: the caller's tensor must not end up aliased by the buffers
        if not hasattr(self, "base"):
            # without trivialization only householder can be inverted: finding X with
            # cayley(X - X^H)[:, :k] == Q has no known closed form
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential "
                    "or the Cayley parametrizations when use_trivialization=False."
                )
            A, tau = numtorch.geqrf(Q)
            # diag(R) > 0 makes the decomposition unique (else Q = (-Q)(-Id) is another one); the
            # diagonal of A stores the signs the forward multiplies by
            A.diagonal(dim1=-2, dim2=-1).sign_()
            # LAPACK returns exactly zero where it skips a reflection
            A.diagonal(dim1=-2, dim2=-1)[tau == 0.0] *= -1
            return A.mT if transpose else A

        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # complete Q into a full n x n orthogonal matrix
            N = _randn_like_shape((*Q.size()[:-2], n, n - k), Q.dtype)
            Q = _make_orthogonal(numtorch.cat([Q, N], dim=-1))
        self.base = Q
        # -Id, so that the householder forward of it gives the identity too
        neg_Id = numtorch.zeros_like(Q_init)
        neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_Id


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Parametrizes ``module.<name>`` (a matrix or batch of matrices ``(..., m, n)``) as an
    orthogonal (unitary, when complex) matrix: orthonormal columns when ``m >= n``, rows
    otherwise, as ``torch.nn.utils.parametrizations.orthogonal``.

    ``orthogonal_map`` is ``"matrix_exp"`` or ``"cayley"`` (of a skew-symmetric matrix built from
    the lower triangle of the original) or ``"householder"`` (a product of reflectors); the
    default is ``"matrix_exp"`` for square or complex matrices, ``"householder"`` otherwise.
    With ``use_trivialization=True`` (the default) an extra ``n x n`` buffer ``base``
    multiplies the map's result (the dynamic trivialization framework); the initial weight is
    the current one if orthogonal, else the Q of its QR decomposition.

    >>> m = orthogonal(numtorch.nn.Linear(20, 40))
    >>> m
    ParametrizedLinear(
      in_features=20, out_features=40, bias=True
      (parametrizations): ModuleDict(
        (weight): ParametrizationList(
          (0): _Orthogonal()
        )
      )
    )
    >>> Q = m.weight
    >>> bool(numtorch.dist(Q.T @ Q, numtorch.eye(20)) < 1e-5)
    True
    >>> list(m.state_dict())
    ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0.base']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    # vectors could use maps onto the sphere, but that surprises more than it helps
    if weight.ndim < 2:
        raise ValueError(
            f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions."
        )
    if orthogonal_map is None:
        orthogonal_map = (
            "matrix_exp"
            if weight.size(-2) == weight.size(-1) or weight.is_complex()
            else "householder"
        )
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError(
            'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
            f"Got: {orthogonal_map}"
        )
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
