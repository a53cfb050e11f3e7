"""DistributedSampler: each replica's share of a dataset (torch.utils.data.distributed).

numtorch runs in one process and has no process groups, so ``num_replicas`` and ``rank`` must
be given explicitly (left out, they raise as PyTorch does before ``init_process_group``). With
them, the indices equal PyTorch's: the shuffle is ``randperm`` on a generator seeded with
``seed + epoch``, which numtorch reproduces bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, TypeVar

from ... import distributed as dist
from ...ops.creation import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]

_T_co = TypeVar("_T_co", covariant=True)


class DistributedSampler(Sampler[_T_co]):
    """Restricts loading to the ``rank``-th of ``num_replicas`` disjoint slices of a dataset.

    Unless ``drop_last``, indices wrap around so every replica gets ``ceil(len / replicas)``;
    call ``set_epoch`` before each epoch for a fresh shuffle.

    >>> s = numtorch.utils.data.DistributedSampler(range(5), num_replicas=2, rank=1,
    ...                                            shuffle=False)
    >>> list(s), len(s)
    ([1, 3, 0], 3)
    """

    def __init__(
        self,
        dataset: Any,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        # PyTorch checks is_available() first; numtorch's is False, but the error a script
        # meets under PyTorch without a process group is get_world_size's, so raise that one
        if num_replicas is None:
            num_replicas = dist.get_world_size()
        if rank is None:
            rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            # drop the tail so every replica gets the same number of real (not repeated) items
            self.num_samples = math.ceil(
                (len(self.dataset) - self.num_replicas) / self.num_replicas
            )
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[_T_co]:
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))

        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[: self.total_size]
        if len(indices) != self.total_size:
            raise AssertionError(
                f"Number of indices ({len(indices)}) does not match total_size ({self.total_size})"
            )

        indices = indices[self.rank : self.total_size : self.num_replicas]
        if len(indices) != self.num_samples:
            raise AssertionError(
                f"Number of subsampled indices ({len(indices)}) does not match num_samples "
                f"({self.num_samples})"
            )
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which is added to ``seed`` for the next pass's shuffle."""
        self.epoch = epoch
