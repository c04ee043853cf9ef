"""The decode pool: files decoded and preprocessed in worker threads, handed back in order.

Owns: overlapping decoding (Pillow releases the GIL) with batched inference on the caller's
thread, with a bounded look-ahead so memory stays flat on huge libraries. Must not: embed,
or touch the catalog.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_threads() -> int:
    return max(2, min(8, os.cpu_count() or 2))


def ordered_map(work: Callable[[T], R], items: Iterable[T], threads: int,
                lookahead: int = 64) -> Iterator[tuple[T, R]]:
    """Yields (item, work(item)) in input order. `work` must not raise: it returns its
    failure as a value. Closing the iterator early cancels what has not started."""
    source = iter(items)
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="lookalike-decode")
    pending: deque = deque()
    try:
        for item in source:
            pending.append((item, pool.submit(work, item)))
            if len(pending) >= lookahead:
                break
        while pending:
            item, future = pending.popleft()
            following = next(source, _END)
            if following is not _END:
                pending.append((following, pool.submit(work, following)))
            yield item, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_END = object()
