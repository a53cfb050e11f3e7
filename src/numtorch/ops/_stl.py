"""The order in which PyTorch's CPU ``topk`` leaves tied elements: libstdc++'s algorithms.

ATen's topk kernel puts ``(value, index)`` pairs in a vector and, for a row of ``n`` elements,
runs ``std::partial_sort`` over the first ``k`` when ``k * 64 <= n``, else
``std::nth_element`` at ``k - 1`` followed (when ``sorted``) by ``std::sort`` of the first
``k - 1``. Its comparator looks at values only, so which of several equal values are chosen,
and in what order, is whatever these algorithms leave; for ``sorted=False`` even distinct
values come in their order. The functions below are libstdc++'s (``bits/stl_heap.h``,
``bits/stl_algo.h``), step for step, on a Python list, so that ``numtorch.topk`` returns
PyTorch's indices. They run only on rows where the order is not already fixed (see
``numtorch.ops.sort.topk``).
"""

from __future__ import annotations

from collections.abc import Callable

Compare = Callable[[tuple, tuple], bool]

__all__ = ["aten_topk"]


def aten_topk(values: list, k: int, largest: bool, sorted: bool) -> list[int]:
    """The indices ATen's CPU topk returns for one row.

    >>> aten_topk([0.0, 0.0, 0.0, 0.0, 0.0], 3, True, True)
    [2, 4, 3]
    """
    n = len(values)
    if k == 0:
        return []
    # NaN counts as the largest value, as in ATen's TopKComparator
    if largest:

        def comp(x: tuple, y: tuple) -> bool:
            a, b = x[0], y[0]
            return (a != a and b == b) or a > b
    else:

        def comp(x: tuple, y: tuple) -> bool:
            a, b = x[0], y[0]
            return (a == a and b != b) or a < b

    q = [(v, j) for j, v in enumerate(values)]
    if k * 64 <= n:
        _heap_select(q, 0, k, n, comp)  # std::partial_sort: sorted whatever ``sorted`` says
        _sort_heap(q, 0, k, comp)
    else:
        _nth_element(q, 0, k - 1, n, comp)
        if sorted:
            _sort(q, 0, k - 1, comp)
    return [j for _, j in q[:k]]


def _lg(n: int) -> int:
    return n.bit_length() - 1


def _push_heap(q: list, first: int, hole: int, top: int, value: tuple, comp: Compare) -> None:
    parent = (hole - 1) // 2
    while hole > top and comp(q[first + parent], value):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = value


def _adjust_heap(q: list, first: int, hole: int, length: int, value: tuple, comp: Compare) -> None:
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(q[first + child], q[first + child - 1]):
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    _push_heap(q, first, hole, top, value, comp)


def _make_heap(q: list, first: int, last: int, comp: Compare) -> None:
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(q, first, parent, length, q[first + parent], comp)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(q: list, first: int, last: int, result: int, comp: Compare) -> None:
    value = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, value, comp)


def _heap_select(q: list, first: int, middle: int, last: int, comp: Compare) -> None:
    _make_heap(q, first, middle, comp)
    for i in range(middle, last):
        if comp(q[i], q[first]):
            _pop_heap(q, first, middle, i, comp)


def _sort_heap(q: list, first: int, last: int, comp: Compare) -> None:
    while last - first > 1:
        last -= 1
        _pop_heap(q, first, last, last, comp)


def _linear_insert(q: list, last: int, comp: Compare) -> None:
    value = q[last]
    j = last
    while comp(value, q[j - 1]):
        q[j] = q[j - 1]
        j -= 1
    q[j] = value


def _insertion_sort(q: list, first: int, last: int, comp: Compare) -> None:
    if first == last:
        return
    for i in range(first + 1, last):
        value = q[i]
        if comp(value, q[first]):
            q[first + 1 : i + 1] = q[first:i]
            q[first] = value
        else:
            _linear_insert(q, i, comp)


def _move_median_to_first(q: list, result: int, a: int, b: int, c: int, comp: Compare) -> None:
    if comp(q[a], q[b]):
        if comp(q[b], q[c]):
            pick = b
        elif comp(q[a], q[c]):
            pick = c
        else:
            pick = a
    elif comp(q[a], q[c]):
        pick = a
    elif comp(q[b], q[c]):
        pick = c
    else:
        pick = b
    q[result], q[pick] = q[pick], q[result]


def _partition_pivot(q: list, first: int, last: int, comp: Compare) -> int:
    _move_median_to_first(q, first, first + 1, first + (last - first) // 2, last - 1, comp)
    pivot, lo, hi = first, first + 1, last
    while True:
        while comp(q[lo], q[pivot]):
            lo += 1
        hi -= 1
        while comp(q[pivot], q[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        q[lo], q[hi] = q[hi], q[lo]
        lo += 1


def _nth_element(q: list, first: int, nth: int, last: int, comp: Compare) -> None:
    if first == last or nth == last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last, comp)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last, comp)


def _sort(q: list, first: int, last: int, comp: Compare) -> None:
    """std::sort: introsort down to runs of 16, then one insertion sort pass."""
    if last - first < 2:
        return
    stack = [(first, last, 2 * _lg(last - first))]
    while stack:  # the introsort loop; its recursion on the right part made a stack
        lo, hi, depth = stack.pop()
        while hi - lo > 16:
            if depth == 0:
                _heap_select(q, lo, hi, hi, comp)
                _sort_heap(q, lo, hi, comp)
                break
            depth -= 1
            cut = _partition_pivot(q, lo, hi, comp)
            stack.append((cut, hi, depth))
            hi = cut
    if last - first > 16:
        _insertion_sort(q, first, first + 16, comp)
        for i in range(first + 16, last):
            _linear_insert(q, i, comp)
    else:
        _insertion_sort(q, first, last, comp)
