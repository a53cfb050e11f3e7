"""The event file itself: a TFRecord stream of serialized ``Event`` messages.

PyTorch (through the ``tensorboard`` package) writes from a background thread; here writes are
synchronous but buffered the same way: records are held until ``max_queue`` are pending or
``flush_secs`` have passed since the last flush, then written and flushed together. A finalizer
flushes and closes the file if the writer is garbage-collected or the interpreter exits first.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import weakref
from typing import BinaryIO

from . import _proto as pb
from ._crc32c import encode_record

__all__ = ["EventFileWriter"]

# Process-wide, like tensorboard's _global_uid: two writers created in the same second in the
# same directory still get distinct file names.
_file_counter = itertools.count()
_counter_lock = threading.Lock()


class _RecordFile:
    """Owns the open file and pending records; kept apart from ``EventFileWriter`` so the
    finalizer can reach it without keeping the writer alive."""

    def __init__(self, path: str) -> None:
        self.file: BinaryIO | None = open(path, "wb")  # closed by close() or the finalizer
        self.pending: list[bytes] = []
        self.lock = threading.Lock()

    def write_pending(self) -> None:
        with self.lock:
            if self.file is None:
                return
            if self.pending:
                self.file.write(b"".join(self.pending))
                self.pending.clear()
            self.file.flush()

    def close(self) -> None:
        self.write_pending()
        with self.lock:
            if self.file is not None:
                self.file.close()
                self.file = None


class EventFileWriter:
    """Create ``events.out.tfevents.<time>.<host>.<pid>.<n><suffix>`` in ``logdir`` and append
    ``Event`` records to it; the first record is the ``brain.Event:2`` file-version event.

    Example::

        import tempfile
        from numtorch.utils.tensorboard._event_file import EventFileWriter
        w = EventFileWriter(tempfile.mkdtemp())
        w.close()
    """

    def __init__(
        self,
        logdir: str,
        max_queue_size: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
    ) -> None:
        self._logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        with _counter_lock:
            uid = next(_file_counter)
        stamp = f"{int(time.time()):010d}"
        name = f"events.out.tfevents.{stamp}.{socket.gethostname()}.{os.getpid()}.{uid}"
        self._file_name = os.path.join(logdir, name) + filename_suffix
        self._max_queue = max(1, int(max_queue_size))
        self._flush_secs = float(flush_secs)
        self._records = _RecordFile(self._file_name)
        self._finalizer = weakref.finalize(self, _RecordFile.close, self._records)
        self._closed = False
        self._last_flush = time.monotonic()
        self.add_event(pb.event(time.time(), file_version="brain.Event:2"))
        self.flush()

    def get_logdir(self) -> str:
        """The directory the event file is in."""
        return self._logdir

    @property
    def file_name(self) -> str:
        """Full path of the event file."""
        return self._file_name

    def add_event(self, event: bytes) -> None:
        """Queue one serialized ``Event``; writes it out once the queue or the timer is due."""
        if self._closed:
            raise OSError("Writer is closed")
        records = self._records
        with records.lock:
            records.pending.append(encode_record(event))
            due = len(records.pending) >= self._max_queue
        if due or time.monotonic() - self._last_flush >= self._flush_secs:
            self.flush()

    def flush(self) -> None:
        """Write every queued event and flush the file to the operating system."""
        self._records.write_pending()
        self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush and close the file; later ``add_event`` calls raise ``OSError``."""
        if not self._closed:
            self._closed = True
            self._finalizer()
