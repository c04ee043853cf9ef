"""Proof that the metadata and RAW libraries work in this installation (the frozen app's
self-test uses it: a package that builds without exiv2's shared library only fails when a
user first merges metadata or opens a RAW).

Owns: writing an XMP rating into a small JPEG in memory with exiv2 and reading it back, and
asking LibRaw (rawpy) for its version. Must not: touch a file on disk or run at import time.
"""
from __future__ import annotations

import io


def check_photo_tools() -> str:
    """One line naming exiv2's and LibRaw's versions, or raises with what is broken."""
    from PIL import Image

    from .xmp import exiv2

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (90, 120, 150)).save(buffer, "JPEG")
    pyexiv2 = exiv2()
    with pyexiv2.ImageData(buffer.getvalue()) as image:
        image.modify_xmp({"Xmp.xmp.Rating": "4"})
        written = image.get_bytes()
    with pyexiv2.ImageData(written) as image:
        rating = image.read_xmp().get("Xmp.xmp.Rating")
    if rating != "4":
        raise RuntimeError(f"exiv2 wrote a rating of 4 and read back {rating!r}")
    import rawpy

    libraw = ".".join(str(part) for part in rawpy.libraw_version)
    return f"exiv2 {pyexiv2.__exiv2_version__} wrote and read XMP; LibRaw {libraw} loaded"
