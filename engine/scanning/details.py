"""What a photo file carries, for people comparing copies: size, format, capture, camera, place.

Owns: reading the metadata a compare table shows (resolution as viewed, file size, format,
capture time, camera and lens, exposure, GPS position, the editing software and the EXIF
modification time, the file's own modification time) from the file's header, without decoding
its pixels. Must not: touch the catalog, or fail on broken metadata (a field is then left out).
"""
from __future__ import annotations

import os
import time
from typing import Optional

from PIL import Image, UnidentifiedImageError

from ..results import PhotoDetails
from ..sizes import human_size
from .decode import (EXIF_IFD, GPS_IFD, TAG_DATETIME, TAG_ORIENTATION, _clean, _exif_details, _exif_time,
                     register_formats)
from .fingerprint import open_regular

TAG_SOFTWARE, TAG_LENS, TAG_ISO = 0x0131, 0xA434, 0x8827
TAG_EXPOSURE, TAG_FNUMBER, TAG_FOCAL = 0x829A, 0x829D, 0x920A


def details(path: str) -> PhotoDetails:
    """Every field that could be read, in a fixed order; an unreadable file gives its reason."""
    register_formats()
    fields: list[tuple[str, str]] = [("Name", os.path.basename(path)), ("Folder", os.path.dirname(path))]
    try:
        stat = os.stat(path)
    except OSError as exc:
        return PhotoDetails(path, tuple(fields), f"cannot be read ({exc.strerror or exc})")
    size = stat.st_size
    fields.append(("File size", f"{human_size(size)} ({size:,} bytes)" if size >= 1024 else f"{size} bytes"))
    fields.append(("File modified", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stat.st_mtime))))
    try:
        with open_regular(path) as fh, Image.open(fh) as img:
            fields += _picture_fields(img)
    except UnidentifiedImageError:
        return PhotoDetails(path, tuple(fields), "not a readable image (unknown format or corrupt header)")
    except Exception as exc:  # noqa: BLE001 - whatever the header says, the table shows what it has
        return PhotoDetails(path, tuple(fields), f"not a readable image ({str(exc) or exc.__class__.__name__})")
    return PhotoDetails(path, tuple(fields), None)


def _picture_fields(img: Image.Image) -> list[tuple[str, str]]:
    exif = img.getexif()
    width, height = img.size
    if exif.get(TAG_ORIENTATION, 1) in (5, 6, 7, 8):
        width, height = height, width
    fmt = "JPEG" if (img.format or "").upper() == "MPO" else (img.format or "unknown")
    out = [("Resolution", f"{width} × {height} ({width * height / 1e6:.1f} MP)"), ("Format", fmt)]
    taken_at, camera = _exif_details(exif)
    sub = _ifd(exif, EXIF_IFD)
    out.append(("Captured", taken_at.replace("T", " ") if taken_at else "—"))
    out.append(("Camera", camera or "—"))
    lens = _clean(sub.get(TAG_LENS))
    if lens:
        out.append(("Lens", lens))
    exposure = _exposure(sub)
    if exposure:
        out.append(("Exposure", exposure))
    out.append(("GPS", _gps(_ifd(exif, GPS_IFD)) or "—"))
    out.append(("Edited with", _clean(exif.get(TAG_SOFTWARE)) or "—"))
    changed = _exif_time(exif.get(TAG_DATETIME))
    if changed and changed != taken_at:
        out.append(("EXIF modified", changed.replace("T", " ")))
    return out


def _ifd(exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # noqa: BLE001 - a broken sub-IFD is an empty one
        return {}


def _number(value) -> Optional[float]:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _exposure(sub: dict) -> str:
    parts = []
    seconds = _number(sub.get(TAG_EXPOSURE))
    if seconds:
        parts.append(f"1/{round(1 / seconds)} s" if seconds < 1 else f"{seconds:g} s")
    aperture = _number(sub.get(TAG_FNUMBER))
    if aperture:
        parts.append(f"f/{aperture:.1f}")
    iso = sub.get(TAG_ISO)
    if isinstance(iso, (tuple, list)):
        iso = iso[0] if iso else None
    if _number(iso):
        parts.append(f"ISO {int(_number(iso))}")
    focal = _number(sub.get(TAG_FOCAL))
    if focal:
        parts.append(f"{focal:g} mm")
    return " · ".join(parts)


def _gps(gps: dict) -> Optional[str]:
    """"47.37651° N, 8.54123° E" from the degrees/minutes/seconds rationals."""
    def degrees(values, ref) -> Optional[float]:
        try:
            d, m, s = (float(v) for v in values)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        value = d + m / 60 + s / 3600
        return -value if _clean(ref) in ("S", "W") else value

    lat, lon = degrees(gps.get(2), gps.get(1)), degrees(gps.get(4), gps.get(3))
    if lat is None or lon is None:
        return None
    return f"{abs(lat):.5f}° {'S' if lat < 0 else 'N'}, {abs(lon):.5f}° {'W' if lon < 0 else 'E'}"
