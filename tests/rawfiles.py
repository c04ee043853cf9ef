"""Small, real DNG files for the RAW tests: a Bayer mosaic that LibRaw demosaics back into
roughly the picture it was made from, plus the metadata cameras write (capture time, camera,
orientation, GPS) and optionally an embedded JPEG preview. Made on the spot in tests, never
shipped.

The sensor is pretended to see linear sRGB: ColorMatrix1 is the XYZ (D65) to linear sRGB
matrix and the mosaic holds linearised values, so LibRaw's camera-to-sRGB conversion lands
back near the original colours.
"""
from __future__ import annotations

import io
import os
from fractions import Fraction
from typing import Optional, Union

import numpy as np
from PIL import Image

WHITE_LEVEL = 4095  # 12-bit sensor values in 16-bit samples
XYZ_TO_LINEAR_SRGB = [[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]]
PHOTOMETRIC_CFA = 32803
ILLUMINANT_D65 = 21


def write_dng(path: Union[str, os.PathLike], rgb: Union[Image.Image, np.ndarray], *,
              preview: Optional[Image.Image] = None, taken_at: Optional[str] = None,
              orientation: int = 1, make: Optional[str] = None, model: Optional[str] = None,
              gps: Optional[tuple[float, float]] = None) -> str:
    """Writes `rgb` (even width and height) as an uncompressed RGGB DNG at `path` and returns
    the path. `preview`: a picture embedded as the JPEG thumbnail (what extract_thumb returns);
    `taken_at`: EXIF DateTimeOriginal ("2024:05:01 10:00:00"); `orientation`: EXIF 1-8;
    `gps`: (latitude, longitude) in degrees."""
    from pidng.core import RAW2DNG, DNGTags
    from pidng.dng import Tag

    path = os.fspath(path)
    mosaic = _bayer(rgb)
    height, width = mosaic.shape
    tags = DNGTags()
    tags.set(Tag.ImageWidth, width)
    tags.set(Tag.ImageLength, height)
    tags.set(Tag.TileWidth, width)
    tags.set(Tag.TileLength, height)
    tags.set(Tag.BitsPerSample, 16)
    tags.set(Tag.SamplesPerPixel, 1)
    tags.set(Tag.PhotometricInterpretation, PHOTOMETRIC_CFA)
    tags.set(Tag.CFARepeatPatternDim, [2, 2])
    tags.set(Tag.CFAPattern, [0, 1, 1, 2])  # R G / G B
    tags.set(Tag.BlackLevel, 0)
    tags.set(Tag.WhiteLevel, WHITE_LEVEL)
    tags.set(Tag.ColorMatrix1, [_rational(v) for row in XYZ_TO_LINEAR_SRGB for v in row])
    tags.set(Tag.CalibrationIlluminant1, ILLUMINANT_D65)
    tags.set(Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])
    named = model if make and model and model.startswith(make) else " ".join(p for p in (make, model) if p)
    tags.set(Tag.UniqueCameraModel, named or "Lookalike test sensor")
    if make:
        tags.set(Tag.Make, make)
    if model:
        tags.set(Tag.Model, model)
    # pidng itself writes DNGVersion 1.4 and DNGBackwardVersion 1.0; setting them here as well
    # would put each tag in the IFD twice.
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    data = writer.convert(mosaic)
    with open(path, "wb") as fh:
        fh.write(data)
    _write_metadata(path, preview, taken_at, orientation, gps)
    return path


def _bayer(rgb: Union[Image.Image, np.ndarray]) -> np.ndarray:
    """The RGGB mosaic a sensor seeing linear sRGB would record, as 12-bit values."""
    if isinstance(rgb, Image.Image):
        rgb = np.asarray(rgb.convert("RGB"))
    values = np.asarray(rgb, dtype=np.float64)[..., :3] / 255.0
    height, width = values.shape[:2]
    if height % 2 or width % 2:
        raise ValueError(f"a Bayer mosaic needs an even width and height, not {width}x{height}")
    linear = np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)
    sensor = np.round(linear * WHITE_LEVEL).astype(np.uint16)
    mosaic = np.empty((height, width), np.uint16)
    mosaic[0::2, 0::2] = sensor[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = sensor[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = sensor[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = sensor[1::2, 1::2, 2]
    return mosaic


def _write_metadata(path: str, preview: Optional[Image.Image], taken_at: Optional[str],
                    orientation: int, gps: Optional[tuple[float, float]]) -> None:
    import pyexiv2

    exif = {"Exif.Image.Orientation": str(orientation)}
    if taken_at:
        exif["Exif.Photo.DateTimeOriginal"] = taken_at
    if gps:
        lat, lon = gps
        exif.update({
            "Exif.GPSInfo.GPSVersionID": "2 3 0 0",
            "Exif.GPSInfo.GPSLatitudeRef": "N" if lat >= 0 else "S",
            "Exif.GPSInfo.GPSLatitude": _dms(lat),
            "Exif.GPSInfo.GPSLongitudeRef": "E" if lon >= 0 else "W",
            "Exif.GPSInfo.GPSLongitude": _dms(lon),
        })
    image = pyexiv2.Image(path)
    try:
        if preview is not None:
            buffer = io.BytesIO()
            preview.convert("RGB").save(buffer, "JPEG", quality=90)
            image.modify_thumbnail(buffer.getvalue())
        image.modify_exif(exif)
    finally:
        image.close()


def _rational(value: float) -> list[int]:
    fraction = Fraction(value).limit_denominator(10000)
    return [fraction.numerator, fraction.denominator]


def _dms(degrees: float) -> str:
    """Degrees as EXIF's three rationals (degrees, minutes, hundredths of seconds)."""
    degrees = abs(degrees)
    whole = int(degrees)
    minutes = int((degrees - whole) * 60)
    seconds = round(((degrees - whole) * 60 - minutes) * 60 * 100)
    return f"{whole}/1 {minutes}/1 {seconds}/100"
