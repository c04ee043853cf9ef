"""exiv2's tag values turned into a photo's metadata fields, and those fields back into tags.

Owns: which EXIF, IPTC and XMP tags hold a capture date, GPS position, camera, rating,
keywords, title and description; parsing the forms pyexiv2 hands back (EXIF rationals such as
'48/1 51/1 3013/100' with N/S/E/W refs, XMP coordinates such as '48,51.5022N', lang-alt dicts
keyed 'lang="x-default"', bags as lists, text padded with NULs); writing them in the forms
photo tools read; the empty XMP packet a new sidecar starts from; loading pyexiv2 on first use,
opening a file's bytes with it, checking new bytes read back, and the readable reason when
exiv2 fails. Must not: open, write or name files (metadata.py does: exiv2 only ever sees
bytes), or decide what is copied where.
"""
from __future__ import annotations

import os
import re
from datetime import datetime
from typing import Any, Callable, Iterable, Optional

from ..errors import LookalikeError

# The smallest packet exiv2 accepts as an XMP sidecar: it opens only bytes it can recognise,
# so a new sidecar starts as this and gets its properties through exiv2 like an existing one.
SKELETON = ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n </rdf:RDF>\n'
            '</x:xmpmeta>\n<?xpacket end="w"?>\n').encode("utf-8")

X_DEFAULT = 'lang="x-default"'
# Where a capture date may be in XMP, the most specific first: the EXIF property, then the
# Photoshop/IPTC one Lightroom shows as "Date Created", then the XMP basic one.
XMP_DATES = ("Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate")
# A capture date, or at least its minutes: 'YYYY:MM:DD HH:MM:SS' (EXIF) or ISO 8601 (XMP),
# whose fractions and time zone are dropped (EXIF's wall-clock time has none either).
_DATE = re.compile(r"\s*(\d{4})[-:](\d{2})[-:](\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")
_XMP_COORD = re.compile(r"^(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?([NSEW])$")
# IPTC-IIM keywords hold at most 64 bytes; readers cut longer ones, so they stay in XMP only.
IPTC_KEYWORD_BYTES = 64
UTF8_MARK = "\x1b%G"   # Iptc.Envelope.CharacterSet: "the IPTC text is UTF-8"

def exiv2():
    """pyexiv2, told to keep its warnings to itself (at its default level exiv2 prints them
    to the terminal; errors still raise). Setting the level is one store: cheap to repeat."""
    import pyexiv2

    pyexiv2.set_log_level(3)
    return pyexiv2


def read_block(reader: Callable[..., dict]) -> dict:
    """One of read_exif / read_iptc / read_xmp, tolerating what old files carry: text that
    is not UTF-8 (IPTC from before UTF-8 was usual) is read as Latin-1, and a damaged block
    counts as empty rather than making the whole photo unreadable."""
    try:
        try:
            return reader()
        except UnicodeDecodeError:
            return reader(encoding="latin-1")
    except Exception:  # noqa: BLE001 - exiv2 raises RuntimeError for any block it cannot parse
        return {}


# ----- exiv2 on a file's bytes ---------------------------------------------------------------

_EXIV2_REASONS = (("unknown image type", "an unknown or damaged format"),
                  ("failed to read", "a damaged or truncated file"),
                  ("xmp toolkit error", "damaged XMP (not valid XML)"))


class MetadataError(LookalikeError):
    """A photo's (or sidecar's) metadata could not be read or written; `reason` is the short
    phrase a merge plan's `skipped` list shows."""

    def __init__(self, path: str, reason: str, message: Optional[str] = None) -> None:
        super().__init__(message or f"The metadata of {os.path.basename(path)} could not be read: {reason}.")
        self.path, self.reason = path, reason


def open_bytes(path: str, data: bytes):
    """A pyexiv2.ImageData over `data` (the file at `path`); the caller closes it."""
    if not data:
        raise MetadataError(path, "an empty file (0 bytes)")
    try:
        return exiv2().ImageData(data)
    except ValueError as exc:   # pyexiv2 refuses 2 GB and more before exiv2 sees it
        raise MetadataError(path, "larger than the 2 GB exiv2 can open") from exc
    except RuntimeError as exc:
        raise MetadataError(path, reason(exc)) from exc


def reason(exc: Exception) -> str:
    """exiv2's message as a phrase: its usual ones said plainly, others as they are."""
    lowered = str(exc.args[0] if exc.args else exc).strip().rstrip(".").lower()
    return next((phrase for key, phrase in _EXIV2_REASONS if key in lowered), lowered or "an exiv2 error")


def blocks(image) -> tuple[dict, dict, dict]:
    return read_block(image.read_exif), read_block(image.read_iptc), read_block(image.read_xmp)


def modified(image, path: str, modify: Callable[[], None]) -> bytes:
    """The file's new bytes after `modify` changed `image`'s metadata in memory."""
    try:
        modify()
        return image.get_bytes()
    except RuntimeError as exc:
        raise MetadataError(path, reason(exc), f"exiv2 could not write the metadata of "
                                               f"{os.path.basename(path)} ({reason(exc)}); it was left as it is.") from exc


def reread(path: str, data: bytes) -> tuple[dict, dict, dict]:
    image = open_bytes(path, data)
    try:
        return blocks(image)
    finally:
        image.close()


def check_written(path: str, written: dict, fields: dict) -> None:
    """The new bytes, read back, hold every planned field; else nothing may be replaced."""
    def kept(name: str) -> bool:
        have, want = written.get(name), fields[name]
        if name == "keywords":
            return have is not None and {k.casefold() for k in want} <= {k.casefold() for k in have}
        if name == "gps":
            return have is not None and all(abs(a - b) < 1e-5 for a, b in zip(have[:2], want[:2]))
        return have == want

    lost = [name for name in fields if not kept(name)]
    if lost:
        raise MetadataError(path, "not kept", f"The metadata written for {os.path.basename(path)} did not "
                                              f"read back ({', '.join(lost)}); it was left as it is.")


# ----- reading -------------------------------------------------------------------------------

def text(value: Any) -> Optional[str]:
    """A plain string from whatever shape pyexiv2 returned: a lang-alt dict gives its
    x-default entry (else its first), a list its first item; NUL padding (EXIF ASCII fields)
    and surrounding blanks are dropped; empty means absent."""
    if isinstance(value, dict):
        value = value.get(X_DEFAULT) or next((v for v in value.values() if text(v)), None)
    elif isinstance(value, (list, tuple)):
        value = next((v for v in value if text(v)), None)
    if value is None:
        return None
    cleaned = str(value).replace("\x00", " ").strip()
    return cleaned or None


def keywords(value: Any) -> tuple[str, ...]:
    """A bag (list) or a lone string as keywords, blanks dropped, each once."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return unique(t for t in (text(v) for v in items) if t)


def unique(words: Iterable[str]) -> tuple[str, ...]:
    """Keywords in their first order, each once: 'Paris' and 'paris' are one keyword (photo
    tools match keywords regardless of case), spelled as first seen."""
    seen, out = set(), []
    for word in words:
        key = word.casefold()
        if key not in seen:
            seen.add(key)
            out.append(word)
    return tuple(out)


def date(value: Any) -> Optional[str]:
    """'YYYY-MM-DDTHH:MM:SS' from an EXIF or XMP date; None for a date without a time (not a
    capture moment) or an impossible one (cameras without a clock write '0000:00:00')."""
    match = _DATE.match(text(value) or "")
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"


def rating(value: Any) -> Optional[int]:
    """0-5 stars; XMP allows a real number, and -1 ('rejected') is no star rating at all."""
    try:
        stars = round(float(text(value) or "x"))
    except ValueError:
        return None
    return stars if 0 <= stars <= 5 else None


def _rationals(value: Any) -> Optional[list[float]]:
    """'48/1 51/1 3013/100' -> [48.0, 51.0, 30.13]; None when a part is not a number or
    divides by zero (receivers without a fix write '0/0')."""
    out = []
    for part in (text(value) or "").split():
        num, _, den = part.partition("/")
        try:
            n, d = float(num), float(den or 1)
        except ValueError:
            return None
        if d == 0:
            return None
        out.append(n / d)
    return out or None


def _position(lat: Optional[float], lon: Optional[float], alt: Optional[float]):
    """(lat, lon, alt) when both coordinates exist and are on the globe; 0,0 is what phones
    write without a fix, not a place anyone photographs, so it counts as no position."""
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    return (lat, lon, alt)


def _exif_coordinate(value: Any, ref: Any, negative: str) -> Optional[float]:
    parts = _rationals(value)
    if not parts or len(parts) > 3:
        return None
    degrees = sum(p / 60 ** i for i, p in enumerate(parts))
    return -degrees if (text(ref) or "").upper().startswith(negative) else degrees


def _altitude(value: Any, ref: Any) -> Optional[float]:
    parts = _rationals(value)
    if not parts:
        return None
    # Ref 1 is "below sea level"; exiv2 shows the byte as '1' (Pillow writes b'\x01').
    return -parts[0] if (text(ref) or "0") in ("1", "\x01") else parts[0]


def exif_gps(exif: dict) -> Optional[tuple]:
    g = "Exif.GPSInfo."
    return _position(_exif_coordinate(exif.get(g + "GPSLatitude"), exif.get(g + "GPSLatitudeRef"), "S"),
                     _exif_coordinate(exif.get(g + "GPSLongitude"), exif.get(g + "GPSLongitudeRef"), "W"),
                     _altitude(exif.get(g + "GPSAltitude"), exif.get(g + "GPSAltitudeRef")))


def _xmp_coordinate(value: Any, directions: str) -> Optional[float]:
    """XMP's 'DD,MM.mmmmN' or 'DD,MM,SSN' (the direction letter last) in signed degrees."""
    match = _XMP_COORD.match((text(value) or "").replace(" ", "").upper())
    if not match or match.group(4) not in directions:
        return None
    parts = [float(g) for g in match.groups()[:3] if g is not None]
    degrees = sum(p / 60 ** i for i, p in enumerate(parts))
    return -degrees if match.group(4) == directions[1] else degrees


def xmp_gps(xmp: dict) -> Optional[tuple]:
    return _position(_xmp_coordinate(xmp.get("Xmp.exif.GPSLatitude"), "NS"),
                     _xmp_coordinate(xmp.get("Xmp.exif.GPSLongitude"), "EW"),
                     _altitude(xmp.get("Xmp.exif.GPSAltitude"), xmp.get("Xmp.exif.GPSAltitudeRef")))


def _present(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, ())}


def from_exif(exif: dict) -> dict:
    return _present({
        "taken_at": date(exif.get("Exif.Photo.DateTimeOriginal")),
        "gps": exif_gps(exif),
        "make": text(exif.get("Exif.Image.Make")),
        "model": text(exif.get("Exif.Image.Model")),
        "rating": rating(exif.get("Exif.Image.Rating")),
    })


def from_iptc(iptc: dict) -> dict:
    a = "Iptc.Application2."
    return _present({"keywords": keywords(iptc.get(a + "Keywords")), "title": text(iptc.get(a + "ObjectName")),
                     "description": text(iptc.get(a + "Caption"))})


def from_xmp(xmp: dict) -> dict:
    return _present({
        "taken_at": next((d for d in (date(xmp.get(k)) for k in XMP_DATES) if d), None),
        "gps": xmp_gps(xmp),
        "make": text(xmp.get("Xmp.tiff.Make")),
        "model": text(xmp.get("Xmp.tiff.Model")),
        "rating": rating(xmp.get("Xmp.xmp.Rating")),
        "keywords": keywords(xmp.get("Xmp.dc.subject")),
        "title": text(xmp.get("Xmp.dc.title")),
        "description": text(xmp.get("Xmp.dc.description")),
    })


# Inside one file, EXIF (what the camera wrote) leads for the camera's own facts, and XMP
# (what photo tools keep in step) leads for what people add; IPTC-IIM is the legacy fallback.
CAMERA_FIELDS = ("taken_at", "gps", "make", "model")


def embedded(exif: dict, iptc: dict, xmp: dict) -> dict:
    """The fields a file carries inside itself, each from the block that leads for it."""
    e, i, x = from_exif(exif), from_iptc(iptc), from_xmp(xmp)
    values = {}
    for name in ("taken_at", "gps", "make", "model", "rating", "keywords", "title", "description"):
        order = (e, x, i) if name in CAMERA_FIELDS else (x, e, i)
        found = next((block[name] for block in order if name in block), None)
        if found is not None:
            values[name] = found
    return values


# ----- writing -------------------------------------------------------------------------------

def xmp_coordinate(degrees: float, directions: str) -> str:
    """Signed degrees as XMP's 'DD,MM.mmmmmmN' (six decimals of a minute: about 2 mm)."""
    micro = round(abs(degrees) * 60 * 1_000_000)
    whole, rest = divmod(micro, 60 * 1_000_000)
    return f"{whole},{rest / 1_000_000:.6f}{directions[1] if degrees < 0 else directions[0]}"


def exif_coordinate(degrees: float) -> str:
    """Signed degrees as EXIF's three rationals, seconds to 1/10000 (the sign goes in the
    ref). Working in whole ten-thousandths avoids a '60 seconds' from rounding."""
    units = round(abs(degrees) * 3600 * 10_000)
    whole, rest = divmod(units, 3600 * 10_000)
    minutes, seconds = divmod(rest, 60 * 10_000)
    return f"{whole}/1 {minutes}/1 {seconds}/10000"


def _altitude_tags(alt: float) -> tuple[str, str]:
    return f"{round(abs(alt) * 100)}/100", "1" if alt < 0 else "0"


def lang_alt(value: str) -> dict:
    """A lang-alt in the form pyexiv2's modify_xmp writes (a plain string would be written as
    simple text, which readers of dc:title and dc:description may skip)."""
    return {X_DEFAULT: value}


def bag(key: str, items: Iterable[str]) -> dict:
    """An unordered array (rdf:Bag, what dc:subject is). pyexiv2 writes every list as an
    rdf:Seq; exiv2 makes a Bag from a 'type=Bag' value, and numbered keys become its items."""
    props = {key: "type=Bag"}
    props.update({f"{key}[{n}]": item for n, item in enumerate(items, 1)})
    return props


def xmp_properties(fields: dict, all_keywords: tuple[str, ...], camera: bool = True) -> dict:
    """The XMP properties for `fields`; dc:subject becomes `all_keywords` (the keeper's own and
    the new ones: it replaces the whole bag). camera=False leaves out what write_in_file puts
    into EXIF instead."""
    props: dict = {}
    if camera and "taken_at" in fields:
        props.update({key: fields["taken_at"] for key in XMP_DATES})
    if camera and "gps" in fields:
        lat, lon, alt = fields["gps"]
        props["Xmp.exif.GPSLatitude"] = xmp_coordinate(lat, "NS")
        props["Xmp.exif.GPSLongitude"] = xmp_coordinate(lon, "EW")
        if alt is not None:
            props["Xmp.exif.GPSAltitude"], props["Xmp.exif.GPSAltitudeRef"] = _altitude_tags(alt)
    if camera and "make" in fields:
        props["Xmp.tiff.Make"] = fields["make"]
    if camera and "model" in fields:
        props["Xmp.tiff.Model"] = fields["model"]
    if "rating" in fields:
        props["Xmp.xmp.Rating"] = str(fields["rating"])
    if "keywords" in fields:
        props.update(bag("Xmp.dc.subject", all_keywords))
    for name in ("title", "description"):
        if name in fields:
            props[f"Xmp.dc.{name}"] = lang_alt(fields[name])
    return props


def exif_properties(fields: dict) -> dict:
    """The EXIF tags for the camera's facts in `fields` (date, GPS IFD, make, model)."""
    tags = {}
    if "taken_at" in fields:
        tags["Exif.Photo.DateTimeOriginal"] = fields["taken_at"].replace("-", ":").replace("T", " ")
    if "gps" in fields:
        lat, lon, alt = fields["gps"]
        g = "Exif.GPSInfo."
        tags.update({g + "GPSVersionID": "2 3 0 0",
                     g + "GPSLatitudeRef": "S" if lat < 0 else "N", g + "GPSLatitude": exif_coordinate(lat),
                     g + "GPSLongitudeRef": "W" if lon < 0 else "E", g + "GPSLongitude": exif_coordinate(lon)})
        if alt is not None:
            tags[g + "GPSAltitude"], tags[g + "GPSAltitudeRef"] = _altitude_tags(alt)
    if "make" in fields:
        tags["Exif.Image.Make"] = fields["make"]
    if "model" in fields:
        tags["Exif.Image.Model"] = fields["model"]
    return tags


def iptc_keywords(iptc: dict, new: tuple[str, ...]) -> dict:
    """IPTC keywords: the file's own plus the new ones that fit IPTC's 64 bytes (none when
    nothing fits), marked UTF-8 where that cannot relabel text already there: only when the
    block holds plain ASCII (other fields in Latin-1 would turn into mojibake)."""
    fitting = [k for k in new if len(k.encode("utf-8")) <= IPTC_KEYWORD_BYTES]
    if not fitting:
        return {}
    own = keywords(iptc.get("Iptc.Application2.Keywords"))
    tags: dict = {"Iptc.Application2.Keywords": list(unique([*own, *fitting]))}
    values = [v for value in iptc.values() for v in (value if isinstance(value, list) else [value])]
    if not iptc.get("Iptc.Envelope.CharacterSet") and all(str(v).isascii() for v in values):
        tags["Iptc.Envelope.CharacterSet"] = UTF8_MARK
    return tags
