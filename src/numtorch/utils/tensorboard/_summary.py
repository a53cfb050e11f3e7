"""Builders for serialized ``Summary`` messages, mirroring ``torch.utils.tensorboard.summary``.

Each function returns the bytes of one ``Summary`` (PyTorch returns a protobuf object; we have no
protobuf runtime, and bytes are all the event writer needs).
"""

from __future__ import annotations

import io
import numbers
import wave
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import _proto as pb
from ._png import encode_png

__all__ = [
    "make_np",
    "default_bins",
    "scalar",
    "histogram",
    "histogram_raw",
    "make_histogram",
    "image",
    "convert_to_HWC",
    "make_grid",
    "figure_to_image",
    "text",
    "audio",
    "tensor_summary",
    "pr_curve",
    "pr_curve_raw",
    "compute_curve",
    "hparams",
]


def make_np(x: Any) -> np.ndarray:
    """Convert a tensor (numtorch, or anything with ``detach``/``numpy``), a NumPy array, a NumPy or
    Python scalar, or a nested sequence of numbers into a NumPy array.

    Example::

        >>> make_np(3.0)
        array([3.])
    """
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, (str, bytes)):
        # PyTorch turns scalars into shape (1,); scalar() squeezes it back
        return np.array([x])
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        # duck-typed so numtorch tensors work without importing numtorch here (and real
        # torch tensors happen to work too); detach first so tensors requiring grad convert
        return np.asarray(x.detach().cpu().numpy())
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise NotImplementedError(f"Got {type(x)}, but numpy array or tensor are expected.")


def default_bins() -> list[float]:
    """PyTorch's ``'tensorflow'`` histogram bin edges: ±1e-12·1.1^k up to 1e20, and 0.

    Built by repeated multiplication exactly as PyTorch does, so the float edges match bit for bit.

    Example::

        >>> bins = default_bins()
        >>> len(bins), bins[len(bins) // 2]
        (1549, 0)
    """
    v = 1e-12
    buckets: list[float] = []
    neg_buckets: list[float] = []
    while v < 1e20:
        buckets.append(v)
        neg_buckets.append(-v)
        v *= 1.1
    return neg_buckets[::-1] + [0] + buckets


# --- scalars -----------------------------------------------------------------------------------


def scalar(name: str, value: Any, new_style: bool = False, double_precision: bool = False) -> bytes:
    """A scalar summary: ``simple_value`` (float32), or with ``new_style`` a rank-0 tensor under
    the ``scalars`` plugin (``DT_DOUBLE`` when ``double_precision``).

    Example::

        >>> scalar("loss", 0.5).hex()
        '0a0b0a046c6f7373150000003f'
    """
    arr = make_np(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {arr.size} and "
            f"{arr.ndim} dimensions."
        )
    val = float(arr)
    if not new_style:
        return pb.summary([pb.summary_value(name, simple_value=val)])
    if double_precision:
        tensor = pb.tensor_proto(pb.DT_DOUBLE, None, pb.packed_doubles(6, [val]))
    else:
        tensor = pb.tensor_proto(pb.DT_FLOAT, None, pb.packed_floats(5, [val]))
    metadata = pb.summary_metadata("scalars")
    return pb.summary([pb.summary_value(name, tensor=tensor, metadata=metadata)])


# --- histograms --------------------------------------------------------------------------------


def histogram_raw(
    name: str,
    min: float,
    max: float,
    num: float,
    sum: float,
    sum_squares: float,
    bucket_limits: Sequence[float] | np.ndarray,
    bucket_counts: Sequence[float] | np.ndarray,
) -> bytes:
    """A histogram summary from precomputed statistics and buckets.

    Example::

        >>> len(histogram_raw("h", 0, 1, 2, 1, 1, [0.5, 1.0], [1, 1])) > 0
        True
    """
    hist = pb.histogram_proto(
        float(min),
        float(max),
        float(num),
        float(sum),
        float(sum_squares),
        make_np(bucket_limits).reshape(-1).tolist(),
        make_np(bucket_counts).reshape(-1).tolist(),
    )
    return pb.summary([pb.summary_value(name, histo=hist)])


def make_histogram(values: np.ndarray, bins: Any, max_bins: int | None = None) -> bytes:
    """Serialized ``HistogramProto`` for ``values``, trimmed to the occupied buckets like PyTorch.

    Example::

        >>> import numpy as np
        >>> len(make_histogram(np.array([1.0, 2.0]), bins=2)) > 0
        True
    """
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        remainder = num_bins % subsampling
        if remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - remainder]], mode="constant")
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits

    # Keep only the support [first non-empty bin, last non-empty bin]. TensorBoard stores right
    # edges only, so one empty bin is kept on the left to carry the leftmost edge.
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    counts = counts[start - 1 : end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start : end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")

    return pb.histogram_proto(
        float(values.min()),
        float(values.max()),
        float(len(values)),
        float(values.sum()),
        float(values.dot(values)),
        limits.tolist(),
        counts.tolist(),
    )


def histogram(name: str, values: Any, bins: Any, max_bins: int | None = None) -> bytes:
    """A histogram summary of ``values`` (any shape) with NumPy ``bins``.

    Example::

        >>> len(histogram("w", [0.1, 0.2, 0.3], bins=default_bins())) > 0
        True
    """
    arr = make_np(values).astype(float)
    return pb.summary([pb.summary_value(name, histo=make_histogram(arr, bins, max_bins))])


# --- images ------------------------------------------------------------------------------------


def make_grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile an ``(N, C, H, W)`` batch (C is 1 or 3) into one ``(3, H*rows, W*cols)`` image.

    Example::

        >>> import numpy as np
        >>> make_grid(np.zeros((3, 1, 2, 2))).shape
        (3, 2, 6)
    """
    if not isinstance(images, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if images.shape[1] == 1:
        images = np.concatenate([images, images, images], 1)
    if images.ndim != 4 or images.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    nimg, _, h, w = images.shape
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=images.dtype)
    for i in range(nimg):
        y, x = divmod(i, ncols)
        canvas[:, y * h : (y + 1) * h, x * w : (x + 1) * w] = images[i]
    return canvas


def convert_to_HWC(tensor: np.ndarray, input_format: str) -> np.ndarray:
    """Rearrange an image array described by ``input_format`` (``NCHW``, ``CHW``, ``HWC``, ``HW``,
    ...) into ``HWC``; batches become a grid, grey images become three channels.

    Example::

        >>> import numpy as np
        >>> convert_to_HWC(np.zeros((3, 4, 5)), "CHW").shape
        (4, 5, 3)
    """
    if len(set(input_format)) != len(input_format):
        raise AssertionError(
            f"You can not use the same dimension shorthand twice. input_format: {input_format}"
        )
    if len(tensor.shape) != len(input_format):
        raise AssertionError(
            "size of input tensor and input format are different. "
            f"tensor shape: {tensor.shape}, input_format: {input_format}"
        )
    input_format = input_format.upper()
    if len(input_format) == 4:
        index = [input_format.find(c) for c in "NCHW"]
        return make_grid(tensor.transpose(index)).transpose(1, 2, 0)
    if len(input_format) == 3:
        index = [input_format.find(c) for c in "HWC"]
        hwc = tensor.transpose(index)
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    if len(input_format) == 2:
        index = [input_format.find(c) for c in "HW"]
        hw = tensor.transpose(index)
        return np.stack([hw, hw, hw], 2)
    raise ValueError(f"unsupported dataformats {input_format!r}")


def image(tag: str, tensor: Any, dataformats: str = "NCHW") -> bytes:
    """An image summary: a PNG of ``tensor``. ``uint8`` pixels are taken as 0..255, anything else
    as 0..1 and scaled by 255; values are clipped like PyTorch.

    Example::

        >>> import numpy as np
        >>> len(image("img", np.zeros((3, 2, 2)), dataformats="CHW")) > 0
        True
    """
    arr = convert_to_HWC(make_np(tensor), dataformats)
    scale = 1 if arr.dtype == np.uint8 else 255
    pixels = (arr.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    height, width, channels = pixels.shape
    img = pb.image_proto(height, width, channels, encode_png(pixels))
    return pb.summary([pb.summary_value(tag, image=img)])


def figure_to_image(figures: Any, close: bool = True) -> np.ndarray:
    """Render a matplotlib figure (or a list of them) to a ``uint8`` ``CHW`` (``NCHW``) array.

    Example::

        >>> import matplotlib.pyplot as plt
        >>> fig = plt.figure(figsize=(1, 1), dpi=10)
        >>> figure_to_image(fig).shape
        (3, 10, 10)
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("add_figure needs matplotlib: pip install matplotlib") from exc

    def render(figure: Any) -> np.ndarray:
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        data = np.asarray(canvas.buffer_rgba(), dtype=np.uint8)
        chw = np.moveaxis(data[:, :, :3], 2, 0).copy()
        if close:
            plt.close(figure)
        return chw

    if isinstance(figures, list):
        return np.stack([render(f) for f in figures])
    return render(figures)


# --- text, audio, tensors ----------------------------------------------------------------------


def text(tag: str, text_string: str) -> bytes:
    """A text-plugin summary under the tag ``<tag>/text_summary``.

    Example::

        >>> b"text_summary" in text("note", "hello")
        True
    """
    # TextPluginData{version=0} serializes to no bytes at all
    metadata = pb.summary_metadata("text", b"")
    tensor = pb.tensor_proto(
        pb.DT_STRING, [1], pb.field_bytes(8, text_string.encode("utf-8"), always=True)
    )
    return pb.summary([pb.summary_value(tag + "/text_summary", tensor=tensor, metadata=metadata)])


def audio(tag: str, tensor: Any, sample_rate: int = 44100) -> bytes:
    """An audio summary: mono 16-bit WAV of samples in [-1, 1] (clipped otherwise).

    Example::

        >>> b"audio/wav" in audio("a", [0.0, 0.5, -0.5], sample_rate=8000)
        True
    """
    arr = make_np(tensor).astype(np.float64).squeeze()
    if arr.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    arr = arr.clip(-1, 1)
    pcm = (arr * np.iinfo(np.int16).max).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    aud = pb.audio_proto(sample_rate, 1, pcm.shape[-1], buf.getvalue(), "audio/wav")
    return pb.summary([pb.summary_value(tag, audio=aud)])


# dtypes TensorProto stores in int_val
_INT_VAL_DTYPES = {
    np.dtype(np.int32): pb.DT_INT32,
    np.dtype(np.int16): pb.DT_INT16,
    np.dtype(np.int8): pb.DT_INT8,
    np.dtype(np.uint8): pb.DT_UINT8,
}


def _tensor_values(arr: np.ndarray) -> tuple[int, bytes]:
    flat = arr.reshape(-1)
    kind = arr.dtype
    if kind == np.float32 or kind == np.float16:
        return pb.DT_FLOAT, pb.packed_floats(5, flat.tolist())
    if kind == np.float64:
        return pb.DT_DOUBLE, pb.packed_doubles(6, flat.tolist())
    if kind == np.bool_:
        return pb.DT_BOOL, pb.packed_varints(11, flat.astype(np.int64).tolist())
    if kind == np.int64:
        return pb.DT_INT64, pb.packed_varints(10, flat.tolist())
    if kind in _INT_VAL_DTYPES:
        return _INT_VAL_DTYPES[kind], pb.packed_varints(7, flat.tolist())
    raise ValueError(f"unsupported tensor dtype {kind}")


def tensor_summary(tag: str, tensor: Any) -> bytes:
    """A full-tensor summary under the ``tensor`` plugin (float, int and bool dtypes).

    Example::

        >>> len(tensor_summary("t", [1.0, 2.0])) > 0
        True
    """
    arr = np.asarray(make_np(tensor))
    if arr.nbytes >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    try:
        dtype, values = _tensor_values(arr)
    except ValueError as exc:
        raise ValueError(f"{tag} has unsupported tensor dtype {arr.dtype}") from exc
    tensor_pb = pb.tensor_proto(dtype, arr.shape, values)
    metadata = pb.summary_metadata("tensor")
    return pb.summary([pb.summary_value(tag, tensor=tensor_pb, metadata=metadata)])


# --- precision-recall curves -------------------------------------------------------------------


def compute_curve(
    labels: np.ndarray, predictions: np.ndarray, num_thresholds: int, weights: Any = None
) -> np.ndarray:
    """TP, FP, TN, FN, precision and recall at ``num_thresholds`` thresholds, shape ``(6, T)``.

    Example::

        >>> import numpy as np
        >>> compute_curve(np.array([1, 0]), np.array([0.9, 0.1]), 3).shape
        (6, 3)
    """
    minimum_count = 1e-7
    if weights is None:
        weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(
        bucket_indices, bins=num_thresholds, range=histogram_range, weights=float_labels * weights
    )
    fp_buckets, _ = np.histogram(
        bucket_indices,
        bins=num_thresholds,
        range=histogram_range,
        weights=(1.0 - float_labels) * weights,
    )
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(minimum_count, tp + fp)
    recall = tp / np.maximum(minimum_count, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def _pr_summary(tag: str, data: np.ndarray, num_thresholds: int) -> bytes:
    # PrCurvePluginData{version=1: 0, num_thresholds=2}
    content = pb.field_varint(2, num_thresholds)
    metadata = pb.summary_metadata("pr_curves", content)
    tensor = pb.tensor_proto(
        pb.DT_FLOAT, list(data.shape), pb.packed_floats(5, data.reshape(-1).tolist())
    )
    return pb.summary([pb.summary_value(tag, tensor=tensor, metadata=metadata)])


def pr_curve(
    tag: str, labels: Any, predictions: Any, num_thresholds: int = 127, weights: Any = None
) -> bytes:
    """A precision-recall-curve summary for binary ``labels`` and ``predictions`` in [0, 1].

    Example::

        >>> len(pr_curve("pr", [1, 0, 1], [0.8, 0.3, 0.6])) > 0
        True
    """
    # PyTorch caps this at 127 ("value > 127 breaks protobuf"); keep the same cap
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(make_np(labels), make_np(predictions), num_thresholds, weights)
    return _pr_summary(tag, data, num_thresholds)


def pr_curve_raw(
    tag: str,
    tp: Any,
    fp: Any,
    tn: Any,
    fn: Any,
    precision: Any,
    recall: Any,
    num_thresholds: int = 127,
) -> bytes:
    """A precision-recall-curve summary from precomputed counts and rates.

    Example::

        >>> len(pr_curve_raw("pr", [2, 1], [1, 0], [0, 1], [0, 1], [0.6, 1.0], [1.0, 0.5], 2)) > 0
        True
    """
    num_thresholds = min(num_thresholds, 127)
    data = np.stack([make_np(x).reshape(-1) for x in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


# --- hparams plugin ----------------------------------------------------------------------------

_HPARAMS_PLUGIN = "hparams"
_EXPERIMENT_TAG = "_hparams_/experiment"
_SESSION_START_INFO_TAG = "_hparams_/session_start_info"
_SESSION_END_INFO_TAG = "_hparams_/session_end_info"
# tensorboard/plugins/hparams/api.proto enums
_DATA_TYPE_STRING, _DATA_TYPE_BOOL, _DATA_TYPE_FLOAT64 = 1, 2, 3
_STATUS_SUCCESS = 1


def _struct_value(v: Any) -> bytes:
    # google.protobuf.Value{number_value=2, string_value=3, bool_value=4}; oneof, so always written
    if isinstance(v, bool):
        return pb.field_varint(4, int(v), always=True)
    if isinstance(v, str):
        return pb.field_string(3, v, always=True)
    return pb.field_double(2, float(v), always=True)


def _hparams_summary(tag: str, data_field: bytes) -> bytes:
    # HParamsPluginData{version=1: 0, <experiment=2 | session_start_info=3 | session_end_info=4>}
    metadata = pb.summary_metadata(_HPARAMS_PLUGIN, data_field)
    return pb.summary([pb.summary_value(tag, metadata=metadata)])


def hparams(
    hparam_dict: Mapping[str, Any],
    metric_dict: Mapping[str, Any],
    hparam_domain_discrete: Mapping[str, list[Any]] | None = None,
) -> tuple[bytes, bytes, bytes]:
    """The three hparams-plugin summaries: experiment, session start info, session end info.

    Hyperparameter values may be numbers (Python, NumPy, or one-element tensors), strings or
    bools (recorded as ``DATA_TYPE_BOOL``; PyTorch records them as numbers); ``None`` is skipped.

    Example::

        >>> exp, ssi, sei = hparams({"lr": 0.1, "opt": "sgd"}, {"hparam/acc": 0.9})
        >>> b"_hparams_/experiment" in exp
        True
    """
    if not isinstance(hparam_dict, dict):
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if (
            k not in hparam_dict
            or not isinstance(v, list)
            or not all(isinstance(d, type(hparam_dict[k])) for d in v)
        ):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                f"hparam_dict[{k}]."
            )

    hparam_infos: list[bytes] = []
    start_entries: list[bytes] = []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, bool) or isinstance(v, np.bool_):
            value: Any = bool(v)
            dtype = _DATA_TYPE_BOOL
        elif isinstance(v, str):
            value, dtype = v, _DATA_TYPE_STRING
        elif isinstance(v, (numbers.Number, np.generic)):
            value, dtype = float(v), _DATA_TYPE_FLOAT64  # type: ignore[arg-type]
        elif hasattr(v, "detach") and hasattr(v, "numpy"):
            value, dtype = float(make_np(v).reshape(-1)[0]), _DATA_TYPE_FLOAT64
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        # SessionStartInfo.hparams is map<string, Value>: entries {key=1, value=2}
        entry = pb.field_string(1, k) + pb.field_bytes(2, _struct_value(value), always=True)
        start_entries.append(pb.field_bytes(1, entry, always=True))
        # HParamInfo{name=1, type=4, domain_discrete=5: ListValue{repeated Value values=1}}
        info = pb.field_string(1, k) + pb.field_varint(4, dtype)
        if k in domains:
            values = b"".join(pb.field_bytes(1, _struct_value(d), always=True) for d in domains[k])
            info += pb.field_bytes(5, values, always=True)
        hparam_infos.append(pb.field_bytes(4, info, always=True))

    # MetricInfo{name=1: MetricName{tag=2}}
    metric_infos = [
        pb.field_bytes(5, pb.field_bytes(1, pb.field_string(2, k), always=True), always=True)
        for k in metric_dict
    ]
    experiment = b"".join(hparam_infos) + b"".join(metric_infos)
    exp = _hparams_summary(_EXPERIMENT_TAG, pb.field_bytes(2, experiment, always=True))
    ssi = _hparams_summary(
        _SESSION_START_INFO_TAG, pb.field_bytes(3, b"".join(start_entries), always=True)
    )
    sei = _hparams_summary(
        _SESSION_END_INFO_TAG,
        pb.field_bytes(4, pb.field_varint(1, _STATUS_SUCCESS), always=True),
    )
    return exp, ssi, sei
