"""Decoding camera RAW files (CR2, NEF, ARW, DNG and the rest LibRaw reads).

Owns: the RAW extension list, choosing between the embedded JPEG preview (fast, and what the
camera itself shows) and a real demosaic, turning LibRaw's orientation into an upright
picture, reading a RAW's EXIF (capture time, camera, GPS) through exiv2, and the readable
reason for every way a RAW file can be bad. rawpy and pyexiv2 are imported on first use:
nothing happens at import time (the walk imports this module for its extension list).
Must not: touch the catalog or any model, or decode other formats (decode.py does).
"""
from __future__ import annotations

import io
import os
import threading
from typing import Optional

from PIL import Image

from .decode import Decoded, DecodeError, _clean, _exif_time
from .fingerprint import NotRegularFile, open_regular

RAW_EXTENSIONS = frozenset({
    ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".dng", ".orf", ".raf",
    ".rw2", ".pef", ".srw", ".x3f", ".3fr", ".iiq", ".rwl", ".erf", ".kdc", ".dcr", ".mrw", ".mos",
})
# Without a size asked for, a preview this close to the sensor's size stands in for it (the
# full-size JPEG most cameras embed is a few pixels smaller than the active area).
FULL_SIZE_SHARE = 0.9
# A preview whose shape differs more than this from the sensor's is letterboxed or cropped.
ASPECT_TOLERANCE = 0.05

_exiv2_ready = False
_exiv2_lock = threading.Lock()


def is_raw(path: str) -> bool:
    """Whether `path` names a RAW file (by extension, any case)."""
    return os.path.splitext(os.fspath(path))[1].lower() in RAW_EXTENSIONS


def decode_raw(path: str, min_side: Optional[int] = None) -> Decoded:
    """Opens the RAW file at `path` as an upright RGB picture. With `min_side`, the embedded
    preview is used when its shorter side reaches it, else a half-size demosaic when that
    still does; without, the preview only when it is (nearly) full size. `width`/`height` are
    always the RAW's own size as viewed. Raises DecodeError with a readable reason."""
    try:
        import rawpy
    except ImportError as exc:
        raise DecodeError("RAW support is not installed (the rawpy package is missing)") from exc
    try:
        with open_regular(path) as fh:
            data = fh.read()
        if not data:
            raise DecodeError("empty file (0 bytes)")
        with rawpy.imread(io.BytesIO(data)) as raw:
            width, height, flip = _viewed_size(raw)
            picture = _from_preview(raw, width, height, flip, min_side)
            if picture is None:
                picture = _demosaic(raw, min_side)
        taken_at, camera, fields, has_gps = _metadata(data)
        fmt = "DNG" if os.path.splitext(path)[1].lower() == ".dng" else "RAW"
        return Decoded(picture, width, height, fmt, taken_at, camera, fields, has_gps)
    except DecodeError:
        raise
    except NotRegularFile as exc:
        raise DecodeError(str(exc)) from exc
    except FileNotFoundError as exc:
        raise DecodeError("vanished during the scan") from exc
    except PermissionError as exc:
        raise DecodeError("permission denied") from exc
    except Image.DecompressionBombError as exc:
        raise DecodeError("refused as a possible decompression bomb (its preview has too many pixels)") from exc
    except (MemoryError, rawpy.LibRawUnsufficientMemoryError, rawpy.LibRawMemPoolOverflowError,
            rawpy.LibRawTooBigError) as exc:
        raise DecodeError("too large to decode in the available memory") from exc
    except rawpy.LibRawFileUnsupportedError as exc:
        raise DecodeError("not a RAW format LibRaw can read") from exc
    except (rawpy.LibRawIOError, rawpy.LibRawDataError, EOFError) as exc:
        raise DecodeError("truncated or corrupt RAW data") from exc
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise DecodeError(f"corrupt RAW data ({_message(exc)})") from exc


def _viewed_size(raw) -> tuple[int, int, int]:
    """(width, height) of the picture as it is viewed, and LibRaw's flip code. Refuses sizes
    beyond what Pillow would decode (its decompression-bomb limit, twice MAX_IMAGE_PIXELS)."""
    sizes = raw.sizes
    width, height, flip = int(sizes.width), int(sizes.height), int(sizes.flip)
    if width <= 0 or height <= 0:
        raise DecodeError("truncated or corrupt RAW data")
    limit = Image.MAX_IMAGE_PIXELS
    if limit and width * height > 2 * limit:
        raise DecodeError(f"refused as a possible decompression bomb ({width * height / 1e6:.0f} megapixels)")
    if flip & 4:
        width, height = height, width
    return width, height, flip


def _from_preview(raw, width: int, height: int, flip: int, min_side: Optional[int]) -> Optional[Image.Image]:
    """The embedded preview, upright, when it is large enough for the request; None when there
    is none, it is too small, or it cannot be read (the demosaic then stands in)."""
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except rawpy.LibRawError:
        return None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            preview = Image.open(io.BytesIO(thumb.data))
        elif thumb.format == rawpy.ThumbFormat.BITMAP:
            preview = Image.fromarray(thumb.data)
        else:
            return None
    except (OSError, ValueError, TypeError):
        return None
    # Previews are stored as the sensor sees: compare with the sensor's own (unflipped) size.
    sensor = (height, width) if flip & 4 else (width, height)
    if not _large_enough(preview.size, sensor, min_side):
        return None
    try:
        if min_side and preview.format == "JPEG":
            preview.draft("RGB", (min_side, min_side))
        preview.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        return None  # a damaged preview does not make the RAW data unreadable
    if preview.mode != "RGB":
        preview = preview.convert("RGB")
    return _apply_flip(preview, flip)


def _large_enough(preview: tuple[int, int], sensor: tuple[int, int], min_side: Optional[int]) -> bool:
    pw, ph = preview
    sw, sh = sensor
    if pw <= 0 or ph <= 0:
        return False
    if abs((pw / ph) / (sw / sh) - 1) > ASPECT_TOLERANCE:
        return False
    if min_side:
        return min(pw, ph) >= min_side
    return pw >= FULL_SIZE_SHARE * sw and ph >= FULL_SIZE_SHARE * sh


def _apply_flip(picture: Image.Image, flip: int) -> Image.Image:
    """Turns a sensor-oriented picture upright the way LibRaw's postprocess does: flip bit 2
    mirrors top to bottom, bit 1 left to right, then bit 4 swaps the axes (so 3 is 180
    degrees, 5 is 90 counter-clockwise and 6 is 90 clockwise)."""
    if flip & 2:
        picture = picture.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if flip & 1:
        picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if flip & 4:
        picture = picture.transpose(Image.Transpose.TRANSPOSE)
    return picture


def _demosaic(raw, min_side: Optional[int]) -> Image.Image:
    """A real demosaic with the camera's white balance, at half size when that still covers
    `min_side` (four times less work); LibRaw applies the orientation itself."""
    sizes = raw.sizes
    half = bool(min_side) and min(int(sizes.width), int(sizes.height)) // 2 >= min_side
    rgb = raw.postprocess(use_camera_wb=True, half_size=half, output_bps=8)
    return Image.fromarray(rgb).convert("RGB")


def _metadata(data: bytes) -> tuple[Optional[str], Optional[str], int, bool]:
    """(capture time, camera, how many EXIF tags, has GPS) from the RAW's EXIF. A broken or
    unreadable EXIF block leaves them empty: it never makes the photo unreadable."""
    exif = _read_exif(data)
    taken_at = _exif_time(exif.get("Exif.Photo.DateTimeOriginal") or exif.get("Exif.Image.DateTime"))
    make = _clean(exif.get("Exif.Image.Make"))
    model = _clean(exif.get("Exif.Image.Model"))
    if make and model and model.lower().startswith(make.lower()):
        camera = model
    else:
        camera = " ".join(p for p in (make, model) if p) or None
    # The preview's own tags (Exif.Thumbnail) describe the preview, not the photo.
    fields = sum(1 for key in exif if not key.startswith("Exif.Thumbnail."))
    has_gps = any(key.startswith("Exif.GPSInfo.") for key in exif)
    return taken_at, camera, fields, has_gps


def _read_exif(data: bytes) -> dict:
    pyexiv2 = _exiv2()
    try:
        metadata = pyexiv2.ImageData(data)
    except Exception:  # noqa: BLE001 - exiv2 raises RuntimeError for anything it cannot parse
        return {}
    try:
        try:
            return metadata.read_exif()
        except UnicodeDecodeError:
            return metadata.read_exif(encoding="latin-1")
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make the photo unreadable
        return {}
    finally:
        metadata.close()


def _exiv2():
    """pyexiv2, told once to keep its warnings to itself (at its default level exiv2 writes
    them to the terminal; errors still raise)."""
    global _exiv2_ready
    import pyexiv2

    if not _exiv2_ready:
        with _exiv2_lock:
            if not _exiv2_ready:
                pyexiv2.set_log_level(3)
                _exiv2_ready = True
    return pyexiv2


def _message(exc: Exception) -> str:
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text) or exc.__class__.__name__
