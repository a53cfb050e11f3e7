"""``SummaryWriter`` and ``FileWriter``: the module path ``torch.utils.tensorboard.writer``.

Writes TensorBoard event files with nothing beyond NumPy and the standard library (PyTorch's needs
the ``tensorboard`` and ``protobuf`` packages, and Pillow for images).
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from datetime import datetime
from typing import Any

import numpy as np

from . import _proto as pb
from . import _summary as S
from ._event_file import EventFileWriter

__all__ = ["FileWriter", "SummaryWriter"]

_SESSION_LOG_START = 1
_graph_warned = False


def _step(global_step: Any) -> int:
    if isinstance(global_step, (int, np.integer)):
        return int(global_step)
    if isinstance(global_step, float):
        return int(global_step)
    return int(S.make_np(global_step).reshape(-1)[0])


class FileWriter:
    """Write serialized ``Event``/``Summary`` messages to an event file in ``log_dir``.

    The lower-level half of :class:`SummaryWriter`; most code never needs it directly.

    Example::

        from numtorch.utils.tensorboard.writer import FileWriter
        from numtorch.utils.tensorboard import _summary
        fw = FileWriter("runs/low_level")
        fw.add_summary(_summary.scalar("loss", 0.25), global_step=1)
        fw.close()
    """

    def __init__(
        self, log_dir: Any, max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = ""
    ) -> None:
        log_dir = str(log_dir)
        self._args = (log_dir, max_queue, flush_secs, filename_suffix)
        self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def get_logdir(self) -> str:
        """The directory event files are written to."""
        return self.event_writer.get_logdir()

    def add_event(
        self,
        event: bytes | None = None,
        step: Any = None,
        walltime: float | None = None,
        *,
        summary: bytes | None = None,
        file_version: str | None = None,
        session_log_status: int | None = None,
    ) -> None:
        """Write one event: either already-serialized ``event`` bytes, or one built here from
        ``summary``/``file_version``/``session_log_status`` with ``step`` and ``walltime``."""
        if event is None:
            event = pb.event(
                time.time() if walltime is None else float(walltime),
                0 if step is None else _step(step),
                file_version=file_version,
                summary=summary,
                session_log_status=session_log_status,
            )
        self.event_writer.add_event(event)

    def add_summary(
        self, summary: bytes, global_step: Any = None, walltime: float | None = None
    ) -> None:
        """Write a serialized ``Summary`` as an event at ``global_step`` and ``walltime``."""
        self.add_event(None, global_step, walltime, summary=summary)

    def add_graph(self, *args: Any, **kwargs: Any) -> None:
        """Graphs are not recorded (see :meth:`SummaryWriter.add_graph`)."""

    def flush(self) -> None:
        """Write pending events to disk."""
        self.event_writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.event_writer.flush()
        self.event_writer.close()

    def reopen(self) -> None:
        """After :meth:`close`, continue in a new event file in the same directory."""
        if self.event_writer._closed:
            self.event_writer = EventFileWriter(*self._args)


class SummaryWriter:
    """Write entries to TensorBoard event files in ``log_dir``, as
    ``torch.utils.tensorboard.SummaryWriter`` does, with no dependency beyond NumPy.

    Args:
        log_dir: output directory; default ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``.
        comment: suffix of the default ``log_dir``; ignored when ``log_dir`` is given.
        purge_step: on resuming after a crash, hide events with step >= ``purge_step``.
        max_queue: events held in memory before they are written.
        flush_secs: seconds after which held events are written on the next ``add_*`` call.
        filename_suffix: appended to every event file name.

    Example::

        import numtorch as torch
        from numtorch.utils.tensorboard import SummaryWriter

        with SummaryWriter("runs/exp1") as writer:
            for step in range(100):
                loss = torch.tensor(1.0 / (step + 1))
                writer.add_scalar("train/loss", loss, step)
            writer.add_histogram("weights", torch.randn(1000), 99)
    """

    def __init__(
        self,
        log_dir: Any = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
    ) -> None:
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: FileWriter | None = None
        self.all_writers: dict[str, FileWriter] | None = None
        self._get_file_writer()
        self.default_bins = S.default_bins()

    def _get_file_writer(self) -> FileWriter:
        """The default ``FileWriter``, recreated (new event file) if the writer was closed."""
        if self.all_writers is None or self.file_writer is None:
            fw = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.file_writer = fw
            self.all_writers = {fw.get_logdir(): fw}
            if self.purge_step is not None:
                step = self.purge_step
                # TensorBoard drops earlier events with step >= this one when it sees a
                # SessionLog START at that step
                fw.add_event(None, step, file_version="brain.Event:2")
                fw.add_event(None, step, session_log_status=_SESSION_LOG_START)
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> Any:
        """The directory where event files are written."""
        return self.log_dir

    # --- scalars -------------------------------------------------------------------------------

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: Any = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """Add a scalar: a Python number, NumPy scalar or one-element tensor.

        ``new_style`` stores it as a tensor under the scalars plugin (``double_precision`` keeps
        float64), otherwise as ``simple_value`` (float32).

        Example::

            writer.add_scalar("loss", 0.25, global_step=10)
        """
        summary = S.scalar(
            tag, scalar_value, new_style=new_style, double_precision=double_precision
        )
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict[str, Any],
        global_step: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Add several scalars shown in one chart: each goes to its own run directory
        ``<log_dir>/<main_tag>_<tag>`` (slashes in ``main_tag`` become ``_``), under ``main_tag``.

        Example::

            writer.add_scalars("loss", {"train": 0.3, "val": 0.4}, global_step=10)
        """
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        assert self.all_writers is not None
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            fw = self.all_writers.get(fw_tag)
            if fw is None:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(S.scalar(main_tag, scalar_value), global_step, walltime)

    def add_tensor(
        self, tag: str, tensor: Any, global_step: Any = None, walltime: float | None = None
    ) -> None:
        """Add a whole tensor (float, int or bool) under the ``tensor`` plugin.

        Example::

            writer.add_tensor("x", torch.tensor([1.0, 2.0, 3.0]))
        """
        self._get_file_writer().add_summary(S.tensor_summary(tag, tensor), global_step, walltime)

    # --- histograms ----------------------------------------------------------------------------

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: Any = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """Add a histogram of ``values``. ``bins='tensorflow'`` uses TensorFlow's exponential
        buckets as PyTorch does; any other value is passed to ``numpy.histogram``.

        Example::

            writer.add_histogram("fc1.weight", model.fc1.weight, epoch)
        """
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(
            S.histogram(tag, values, bins, max_bins=max_bins), global_step, walltime
        )

    def add_histogram_raw(
        self,
        tag: str,
        min: float,
        max: float,
        num: int,
        sum: float,
        sum_squares: float,
        bucket_limits: Any,
        bucket_counts: Any,
        global_step: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Add a histogram from precomputed statistics; ``bucket_limits`` are right edges.

        Example::

            writer.add_histogram_raw("h", 0, 2, 3, 3, 5, [1.0, 2.0], [1, 2], global_step=0)
        """
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        summary = S.histogram_raw(
            tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts
        )
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # --- images --------------------------------------------------------------------------------

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: Any = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """Add an image (PNG). Float pixels are taken in [0, 1], ``uint8`` in [0, 255];
        ``dataformats`` is ``CHW`` (default), ``HWC``, ``HW``, ...

        Example::

            writer.add_image("sample", torch.rand(3, 32, 32), global_step=0)
        """
        self._get_file_writer().add_summary(
            S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime
        )

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: Any = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """Add a batch of images, tiled into one grid of up to 8 columns.

        Example::

            writer.add_images("batch", torch.rand(16, 3, 8, 8), global_step=0)
        """
        self._get_file_writer().add_summary(
            S.image(tag, img_tensor, dataformats=dataformats), global_step, walltime
        )

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: Any = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """Render a matplotlib figure (or a list of them) and add it as an image; needs
        matplotlib. ``close`` closes the figure afterwards.

        Example::

            import matplotlib.pyplot as plt
            fig = plt.figure()
            plt.plot([1, 2, 3])
            writer.add_figure("curve", fig, global_step=0)
        """
        if isinstance(figure, list):
            self.add_image(
                tag, S.figure_to_image(figure, close), global_step, walltime, dataformats="NCHW"
            )
        else:
            self.add_image(
                tag, S.figure_to_image(figure, close), global_step, walltime, dataformats="CHW"
            )

    def add_image_with_boxes(self, *args: Any, **kwargs: Any) -> None:
        """Not implemented: drawing boxes and labels needs a font rasterizer (PyTorch uses
        Pillow). Draw the boxes into the image yourself and call :meth:`add_image`."""
        raise NotImplementedError(
            "numtorch's SummaryWriter does not implement add_image_with_boxes; draw the boxes "
            "into the image and use add_image"
        )

    def add_video(self, *args: Any, **kwargs: Any) -> None:
        """Not implemented: PyTorch encodes videos as GIF through moviepy."""
        raise NotImplementedError("numtorch's SummaryWriter does not implement add_video")

    # --- audio, text ---------------------------------------------------------------------------

    def add_audio(
        self,
        tag: str,
        snd_tensor: Any,
        global_step: Any = None,
        sample_rate: int = 44100,
        walltime: float | None = None,
    ) -> None:
        """Add mono audio, samples in [-1, 1], encoded as 16-bit WAV.

        Example::

            writer.add_audio("tone", torch.sin(torch.arange(8000) * 0.1), 0, sample_rate=8000)
        """
        self._get_file_writer().add_summary(
            S.audio(tag, snd_tensor, sample_rate=sample_rate), global_step, walltime
        )

    def add_text(
        self, tag: str, text_string: str, global_step: Any = None, walltime: float | None = None
    ) -> None:
        """Add text (markdown is rendered by TensorBoard) under ``<tag>/text_summary``.

        Example::

            writer.add_text("notes", "lr **0.1**", global_step=0)
        """
        self._get_file_writer().add_summary(S.text(tag, text_string), global_step, walltime)

    # --- hparams, graphs, pr curves ------------------------------------------------------------

    def add_hparams(
        self,
        hparam_dict: dict[str, Any],
        metric_dict: dict[str, Any],
        hparam_domain_discrete: dict[str, list[Any]] | None = None,
        run_name: str | None = None,
        global_step: Any = None,
    ) -> None:
        """Record one hyperparameter setting and its metrics for TensorBoard's HParams tab.

        Writes the hparams plugin's experiment / session-start / session-end summaries and each
        metric as a scalar into the sub-run ``<log_dir>/<run_name>`` (default: the current time).

        Example::

            writer.add_hparams({"lr": 0.1, "bsize": 32}, {"hparam/accuracy": 0.9})
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            fw = w_hp._get_file_writer()
            fw.add_summary(exp, global_step)
            fw.add_summary(ssi, global_step)
            fw.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_graph(
        self,
        model: Any,
        input_to_model: Any = None,
        verbose: bool = False,
        use_strict_trace: bool = True,
    ) -> None:
        """Accepted and ignored: numtorch cannot record model graphs (PyTorch traces the model
        with TorchScript). Warns once per process.

        Example::

            writer.add_graph(model, example_input)  # no-op, one UserWarning
        """
        global _graph_warned
        if not _graph_warned:
            _graph_warned = True
            warnings.warn(
                "numtorch's SummaryWriter.add_graph does not record model graphs; the call is "
                "ignored",
                UserWarning,
                stacklevel=2,
            )

    def add_onnx_graph(self, prototxt: Any) -> None:
        """Not implemented: needs the onnx package."""
        raise NotImplementedError("numtorch's SummaryWriter does not implement add_onnx_graph")

    def add_embedding(self, *args: Any, **kwargs: Any) -> None:
        """Not implemented: the projector config is a text protobuf PyTorch writes with
        ``google.protobuf``."""
        raise NotImplementedError("numtorch's SummaryWriter does not implement add_embedding")

    def add_mesh(self, *args: Any, **kwargs: Any) -> None:
        """Not implemented."""
        raise NotImplementedError("numtorch's SummaryWriter does not implement add_mesh")

    def add_custom_scalars(self, *args: Any, **kwargs: Any) -> None:
        """Not implemented."""
        raise NotImplementedError("numtorch's SummaryWriter does not implement add_custom_scalars")

    def add_pr_curve(
        self,
        tag: str,
        labels: Any,
        predictions: Any,
        global_step: Any = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Add a precision-recall curve for binary ``labels`` and ``predictions`` in [0, 1].

        Example::

            writer.add_pr_curve("pr", labels, probabilities, global_step=0)
        """
        self._get_file_writer().add_summary(
            S.pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime
        )

    def add_pr_curve_raw(
        self,
        tag: str,
        true_positive_counts: Any,
        false_positive_counts: Any,
        true_negative_counts: Any,
        false_negative_counts: Any,
        precision: Any,
        recall: Any,
        global_step: Any = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Add a precision-recall curve from precomputed counts, precision and recall.

        Example::

            writer.add_pr_curve_raw("pr", tp, fp, tn, fn, precision, recall, 0, len(tp))
        """
        summary = S.pr_curve_raw(
            tag,
            true_positive_counts,
            false_positive_counts,
            true_negative_counts,
            false_negative_counts,
            precision,
            recall,
            num_thresholds,
        )
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # --- lifecycle -----------------------------------------------------------------------------

    def flush(self) -> None:
        """Write all pending events of this writer (and its ``add_scalars`` sub-writers) to disk.

        Example::

            writer.flush()
        """
        if self.all_writers is None:
            return
        for fw in self.all_writers.values():
            fw.flush()

    def close(self) -> None:
        """Flush and close every event file; a later ``add_*`` call opens a new one.

        Example::

            writer.close()
        """
        if self.all_writers is None:
            return
        for fw in self.all_writers.values():
            fw.flush()
            fw.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        self.close()
