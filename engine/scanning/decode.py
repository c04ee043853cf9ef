"""Decoding image files into upright RGB pictures plus the metadata the catalog keeps.

Owns: format registration (HEIC/HEIF/AVIF via pillow-heif), handing RAW files to raw.py,
JPEG draft decoding, EXIF orientation, capture time and camera, the decompression-bomb guard,
and turning every way a file can be bad into one readable reason. Must not: touch the catalog
or any model.
"""
from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from typing import Optional

from PIL import Image, ImageOps, UnidentifiedImageError

from .fingerprint import NotRegularFile, open_regular

_registered = False
_register_lock = threading.Lock()

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
TAG_ORIENTATION = 0x0112
TAG_MAKE, TAG_MODEL = 0x010F, 0x0110
TAG_DATETIME, TAG_DATETIME_ORIGINAL = 0x0132, 0x9003


class DecodeError(Exception):
    """The file is not a usable image; the message is the reason shown to the user."""


@dataclass
class Decoded:
    image: Image.Image          # RGB, upright, possibly reduced by draft decoding
    width: int                  # full-resolution size as the photo is viewed (after EXIF rotation)
    height: int
    format: str
    taken_at: Optional[str]
    camera: Optional[str]
    exif_fields: int = 0        # how much metadata the file carries (a keep-best rule)
    has_gps: bool = False


def register_formats() -> None:
    """Teaches Pillow HEIC/HEIF (and AVIF where Pillow lacks it) and quiets its bomb warning.
    Called on first decode, never at import time."""
    global _registered
    if _registered:
        return
    with _register_lock:
        if _registered:
            return
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
            if "AVIF" not in Image.registered_extensions().values() and hasattr(pillow_heif, "register_avif_opener"):
                pillow_heif.register_avif_opener()
        except ImportError:
            pass
        # Pillow warns between MAX_IMAGE_PIXELS and twice that, and refuses beyond. A 121 MP
        # panorama is a photo, decoded like any other (drafted or resized right after); the
        # raw warning on stderr only alarmed people. The refusal stays (a DecodeError reason).
        # A filter, not catch_warnings: decoding runs in worker threads.
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        _registered = True


def decode(path: str, min_side: Optional[int] = None) -> Decoded:
    """Opens `path`; with `min_side`, JPEGs are draft-decoded to the smallest DCT scale whose
    sides stay at or above it (4-8x less work for thumbnails and model inputs). RAW files go
    to LibRaw by extension, never to Pillow (which reads some TIFF-based RAWs as their small
    TIFF preview)."""
    register_formats()
    from .raw import decode_raw, is_raw  # raw.py builds on this module's Decoded and DecodeError

    if is_raw(path):
        return decode_raw(path, min_side)
    try:
        with open_regular(path) as fh:
            head = fh.read(1)
            if not head:
                raise DecodeError("empty file (0 bytes)")
            fh.seek(0)
            with Image.open(fh) as img:
                return _decode_open(img, min_side)
    except DecodeError:
        raise
    except NotRegularFile as exc:
        raise DecodeError(str(exc)) from exc
    except Image.DecompressionBombError as exc:
        raise DecodeError(f"refused as a possible decompression bomb ({_megapixels(exc)})") from exc
    except UnidentifiedImageError as exc:
        raise DecodeError("not a readable image (unknown format or corrupt header)") from exc
    except FileNotFoundError as exc:
        raise DecodeError("vanished during the scan") from exc
    except PermissionError as exc:
        raise DecodeError("permission denied") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError) as exc:
        message = str(exc).lower()
        if "truncated" in message or isinstance(exc, EOFError):
            raise DecodeError("truncated image data") from exc
        raise DecodeError(f"corrupt image data ({str(exc) or exc.__class__.__name__})") from exc
    except MemoryError as exc:
        raise DecodeError("too large to decode in the available memory") from exc


def _decode_open(img: Image.Image, min_side: Optional[int]) -> Decoded:
    fmt = (img.format or "unknown").upper()
    if fmt == "MPO":
        fmt = "JPEG"  # multi-picture JPEGs from phones; the first picture is the photo
    exif = img.getexif()
    orientation = exif.get(TAG_ORIENTATION, 1)
    width, height = img.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    taken_at, camera = _exif_details(exif)
    fields, has_gps = _exif_richness(exif)
    if min_side and fmt == "JPEG":
        img.draft("RGB", (min_side, min_side))
    img.load()
    upright = ImageOps.exif_transpose(img) if orientation not in (None, 1) else img
    return Decoded(_to_rgb(upright), width, height, fmt, taken_at, camera, fields, has_gps)


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img.copy() if img.readonly else img
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and img.info.get("transparency") is not None):
        img = img.convert("RGBA")
        # Transparent areas show as white in viewers; embed what people see.
        background = Image.new("RGB", img.size, (255, 255, 255))
        background.paste(img, mask=img.getchannel("A"))
        return background
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        img = img.point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _exif_details(exif) -> tuple[Optional[str], Optional[str]]:
    try:
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not make the photo unreadable
        details = {}
    raw = details.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    taken_at = _exif_time(raw)
    make = _clean(exif.get(TAG_MAKE))
    model = _clean(exif.get(TAG_MODEL))
    if make and model and model.lower().startswith(make.lower()):
        camera = model
    else:
        camera = " ".join(p for p in (make, model) if p) or None
    return taken_at, camera


def _exif_richness(exif) -> tuple[int, bool]:
    count = len(exif)
    gps = {}
    for ifd in (EXIF_IFD, GPS_IFD):
        try:
            part = exif.get_ifd(ifd)
        except Exception:  # noqa: BLE001 - broken sub-IFDs just count as empty
            part = {}
        count += len(part)
        if ifd == GPS_IFD:
            gps = part
    return count, bool(gps)


def _exif_time(raw) -> Optional[str]:
    text = _clean(raw)
    if not text or len(text) < 19:
        return None
    date, _, clock = text[:19].partition(" ")
    parts = date.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] == "0000":
        return None
    return f"{parts[0]}-{parts[1]}-{parts[2]}T{clock}"


def _clean(value) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None


def _megapixels(exc: Exception) -> str:
    digits = [int(tok) for tok in str(exc).replace("(", " ").replace(")", " ").split() if tok.isdigit()]
    return f"{digits[0] / 1e6:.0f} megapixels" if digits else "too many pixels"
