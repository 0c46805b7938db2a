"""Turn the arguments of Forge / A1111 scripts into JSON that the A1111 API accepts.

Other extensions keep their state in objects the browser never sees: ControlNet units
(dataclasses holding numpy arrays and enums), PIL images, numpy scalars, tuples. The
A1111 HTTP API takes the same arguments as JSON, with images as base64 strings. This
module converts one into the other without dropping anything that matters: images
become base64 PNG (no ``data:`` prefix), enums their value, dataclasses and plain
objects dicts of their fields, tuples lists. Whatever cannot be converted is turned
into its ``str()`` and reported in ``SerializeReport.warnings`` so the user is told.

It imports neither Forge nor numpy nor PIL: objects are recognised by what they can do,
so it runs (and is tested) anywhere.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import enum
import io
import math
import os
import struct
import zlib
from typing import Any

__all__ = [
    "SerializeReport",
    "to_jsonable",
    "is_image_like",
    "image_to_base64_png",
    "encode_png",
    "object_fields",
]

_MAX_DEPTH = 64


class SerializeReport:
    """What happened while converting: images converted, values that were not JSON."""

    def __init__(self) -> None:
        self.images = 0
        self.warnings: list[str] = []

    def warn(self, path: str, message: str) -> None:
        if len(self.warnings) < 50:
            self.warnings.append(f"{path or '<root>'}: {message}")


# --------------------------------------------------------------------------- PNG


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)


def encode_png(width: int, height: int, channels: int, pixels: bytes) -> bytes:
    """8-bit PNG from raw row-major pixels (``height * width * channels`` bytes)."""
    if channels not in _COLOR_TYPES:
        raise ValueError(f"cannot encode {channels} channels as PNG")
    if width <= 0 or height <= 0:
        raise ValueError("image has no pixels")
    stride = width * channels
    if len(pixels) != stride * height:
        raise ValueError("pixel buffer does not match the image size")
    raw = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPES[channels], 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- images


def _is_pil_image(value: Any) -> bool:
    # PIL.Image.Image: has save(fp, format=...), a (w, h) size and a mode string.
    return (
        callable(getattr(value, "save", None))
        and isinstance(getattr(value, "mode", None), str)
        and isinstance(getattr(value, "size", None), tuple)
        and not isinstance(value, (dict, list, tuple))
    )


def _is_tensor(value: Any) -> bool:
    return all(callable(getattr(value, name, None)) for name in ("detach", "cpu", "numpy"))


def _is_array(value: Any) -> bool:
    # numpy.ndarray (or anything shaped like it): shape tuple, dtype, tobytes().
    return (
        isinstance(getattr(value, "shape", None), tuple)
        and hasattr(value, "dtype")
        and callable(getattr(value, "tobytes", None))
    )


def _dtype_name(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    return str(getattr(dtype, "name", dtype))


def _array_image_layout(value: Any) -> tuple[int, int, int] | None:
    """(height, width, channels) when an array looks like a picture, else None."""
    shape = value.shape
    if len(shape) == 2:
        h, w, c = shape[0], shape[1], 1
    elif len(shape) == 3 and shape[2] in (1, 2, 3, 4):
        h, w, c = shape
    else:
        return None
    if h < 1 or w < 1:
        return None
    return int(h), int(w), int(c)


def is_image_like(value: Any) -> bool:
    if _is_pil_image(value):
        return True
    if _is_tensor(value):
        return True
    return _is_array(value) and _array_image_layout(value) is not None


def _array_to_uint8_bytes(value: Any) -> bytes:
    name = _dtype_name(value)
    if name == "uint8":
        return value.tobytes()
    if name == "bool":
        return bytes(255 if b else 0 for b in value.tobytes())
    # Other dtypes need numpy, which is there whenever such an array exists.
    import numpy as np  # noqa: PLC0415

    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and float(finite.max()) <= 1.0 and float(finite.min()) >= 0.0:
            arr = arr * 255.0
        arr = np.nan_to_num(arr, nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(arr) if arr.dtype.kind == "f" else arr, 0, 255).astype(np.uint8).tobytes()


def image_to_base64_png(value: Any) -> str:
    """base64 PNG (no data: prefix) from a PIL image, a numpy-like array or a torch tensor."""
    if _is_pil_image(value):
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue()).decode("ascii")
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if not _is_array(value):
        raise TypeError(f"not an image: {type(value).__name__}")
    layout = _array_image_layout(value)
    if layout is None:
        raise ValueError(f"array of shape {value.shape} is not an image")
    height, width, channels = layout
    pixels = _array_to_uint8_bytes(value)
    return base64.b64encode(encode_png(width, height, channels, pixels)).decode("ascii")


# --------------------------------------------------------------------------- generic


def object_fields(value: Any) -> dict[str, Any] | None:
    """The fields of a dataclass or plain object (None for anything else)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
    if isinstance(getattr(value, "__dict__", None), dict):
        return {
            k: v
            for k, v in vars(value).items()
            if not k.startswith("_") and not callable(v)
        }
    slots = getattr(type(value), "__slots__", None)
    if slots:
        names = [slots] if isinstance(slots, str) else list(slots)
        return {n: getattr(value, n) for n in names if not n.startswith("_") and hasattr(value, n)}
    return None


def to_jsonable(value: Any, report: SerializeReport | None = None, path: str = "") -> Any:
    """A JSON-compatible copy of ``value`` (see the module docstring)."""
    report = report if report is not None else SerializeReport()
    return _convert(value, report, path, 0, set())


def _convert(value: Any, report: SerializeReport, path: str, depth: int, active: set[int]) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return _convert(value.value, report, path, depth + 1, active)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        report.warn(path, f"non-finite number {value!r} sent as null")
        return None
    if depth > _MAX_DEPTH:
        report.warn(path, "nested too deeply; sent as null")
        return None

    # Images first: PIL images and arrays have __dict__ / attributes too.
    if is_image_like(value):
        try:
            encoded = image_to_base64_png(value)
        except Exception as exc:  # noqa: BLE001 - report and carry on
            report.warn(path, f"image could not be encoded ({exc}); sent as null")
            return None
        report.images += 1
        return encoded

    # numpy scalars and 0-d / non-image arrays.
    if _is_array(value) or callable(getattr(value, "item", None)) and hasattr(value, "dtype"):
        try:
            if getattr(value, "shape", ()) == ():
                return _convert(value.item(), report, path, depth + 1, active)
            return _convert(value.tolist(), report, path, depth + 1, active)
        except Exception as exc:  # noqa: BLE001
            report.warn(path, f"array could not be converted ({exc}); sent as null")
            return None

    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)

    marker = id(value)
    if marker in active:
        report.warn(path, "refers to itself; sent as null")
        return None
    active.add(marker)
    try:
        if isinstance(value, dict):
            return {
                str(k): _convert(v, report, f"{path}.{k}" if path else str(k), depth + 1, active)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            return [
                _convert(v, report, f"{path}[{i}]", depth + 1, active) for i, v in enumerate(items)
            ]
        fields = object_fields(value)
        if fields is not None:
            return {
                k: _convert(v, report, f"{path}.{k}" if path else k, depth + 1, active)
                for k, v in fields.items()
            }
    finally:
        active.discard(marker)

    report.warn(path, f"{type(value).__name__} is not JSON; sent as its text")
    return str(value)
