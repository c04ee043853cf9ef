"""Metadata merged into a keeper: what only the removed copies carry is written into it first.

Owns: reading what a photo carries (embedded EXIF / IPTC / XMP, overridden field by field by
its XMP sidecars, NAME.xmp then NAME.EXT.xmp, as photo tools read them), which sidecar we
write, the merge plan (a field is copied only when the keeper lacks it, from the first donor
that has it; keywords are the union the keeper lacks) and its one-sentence lines, and writing
a plan into the keeper's sidecar or into the keeper itself: always to a hidden temporary in the
same folder, read back and checked, then renamed over the target, so a crash never leaves a
half-written photo or sidecar. Must not: run SQL or touch the journal (the caller journals),
delete any file of the user's, or choose keepers and donors (dedup/keep.py does).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional, Sequence

from ..paths import os_reason
from . import xmp
from .xmp import MetadataError
from .copying import _discard, _sync_folder, temporary_name

FIELDS = ("taken_at", "gps", "make", "model", "rating", "keywords", "title", "description")
# What write_in_file may touch: formats whose metadata exiv2 rewrites without going near the
# pixels. RAW files are left out on purpose: their maker notes hold offsets a rewrite can break.
WRITABLE = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/tiff": "TIFF"}


@dataclass(frozen=True)
class PhotoMeta:
    taken_at: Optional[str] = None          # 'YYYY-MM-DDTHH:MM:SS', the camera's wall clock
    gps: Optional[tuple] = None             # (lat, lon, altitude in metres or None)
    make: Optional[str] = None
    model: Optional[str] = None
    rating: Optional[int] = None            # 0-5
    keywords: tuple[str, ...] = ()
    title: Optional[str] = None
    description: Optional[str] = None


@dataclass
class MergePlan:
    keeper: str
    fields: dict = field(default_factory=dict)     # name -> value, only what the keeper lacks
    sources: dict = field(default_factory=dict)    # name -> the donor it comes from (keywords: the first)
    lines: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (donor, reason) unreadable
    keyword_sources: dict = field(default_factory=dict)   # keyword -> the donor it comes from

    @property
    def empty(self) -> bool:
        return not self.fields


# ----- reading -------------------------------------------------------------------------------

def read(path) -> PhotoMeta:
    """What the photo at `path` carries. Raises MetadataError when the photo or one of its
    sidecars cannot be read."""
    path = os.fspath(path)
    image = xmp.open_bytes(path, _read_bytes(path))
    try:
        values = xmp.embedded(*xmp.blocks(image))
    finally:
        image.close()
    for sidecar in _sidecars(path):
        values.update(_sidecar_values(path, sidecar))
    return PhotoMeta(**values)


def _read_bytes(path: str) -> bytes:
    # Bytes handed to exiv2 rather than a path: exiv2 cannot open some non-ASCII paths on
    # Windows, and writing needs the bytes in memory anyway.
    from ..scanning.fingerprint import open_regular

    try:
        with open_regular(path) as fh:
            return fh.read()
    except OSError as exc:
        raise MetadataError(path, os_reason(exc)) from exc


def _sidecars(path: str) -> list[str]:
    """The photo's sidecars in the order they apply, the later winning: the Adobe-style
    NAME.xmp, then our own (and darktable's, digiKam's) NAME.EXT.xmp."""
    found = []
    for candidates in (_adobe_names(path), _long_names(path)):
        hit = next((c for c in candidates if os.path.isfile(c)), None)
        if hit and not any(_same_file(hit, f) for f in found):
            found.append(hit)
    return found


def _long_names(path: str) -> tuple[str, str]:
    return path + ".xmp", path + ".XMP"


def _adobe_names(path: str) -> tuple[str, str]:
    stem = os.path.splitext(path)[0]
    return stem + ".xmp", stem + ".XMP"


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _sidecar_values(photo: str, sidecar: str) -> dict:
    data = _read_bytes(sidecar)
    image = _open_sidecar(photo, sidecar, data)
    try:
        # Only the XMP: for a sidecar exiv2 also invents EXIF and IPTC converted from it
        # (shifting times to UTC on the way), which are not what the sidecar says.
        return xmp.from_xmp(xmp.read_block(image.read_xmp))
    finally:
        image.close()


def _open_sidecar(photo: str, sidecar: str, data: bytes):
    # exiv2 recognises a packet only at the very start (after a byte-order mark at most).
    head = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return xmp.open_bytes(sidecar, head.lstrip())
    except MetadataError as exc:
        raise MetadataError(photo, f"its sidecar {os.path.basename(sidecar)} is {exc.reason}") from exc


def sidecar_path(path) -> str:
    """The sidecar a plan for `path` is written to: an existing NAME.EXT.xmp, else an existing
    NAME.xmp (extending the sidecar the user's tool already reads), else a new NAME.EXT.xmp."""
    path = os.fspath(path)
    for candidates in (_long_names(path), _adobe_names(path)):
        hit = next((c for c in candidates if os.path.isfile(c)), None)
        if hit:
            return hit
    return _long_names(path)[0]


# ----- planning ------------------------------------------------------------------------------

def plan_merge(keeper, donors: Sequence) -> MergePlan:
    """What the donors (the copies about to go) carry that `keeper` lacks. A donor that cannot
    be read is left out and listed in `skipped`; an unreadable keeper raises MetadataError."""
    keeper = os.fspath(keeper)
    have = read(keeper)
    plan = MergePlan(keeper=keeper)
    readable, seen = [], {_key(keeper)}
    for donor in map(os.fspath, donors):
        if _key(donor) in seen:
            continue
        seen.add(_key(donor))
        try:
            readable.append((donor, read(donor)))
        except MetadataError as exc:
            plan.skipped.append((donor, exc.reason))
    for name in ("taken_at", "gps", "rating", "title", "description"):
        if not _has(have, name):
            donor = next(((d, m) for d, m in readable if _has(m, name)), None)
            if donor:
                _take(plan, name, getattr(donor[1], name), donor[0])
    _plan_camera(plan, have, readable)
    _plan_keywords(plan, have, readable)
    plan.lines = _lines(plan)
    return plan


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _has(meta: PhotoMeta, name: str) -> bool:
    value = getattr(meta, name)
    # A rating of 0 is XMP's "unrated": a donor's stars are worth more than that.
    return bool(value) if name in ("rating", "keywords") else value is not None


def _take(plan: MergePlan, name: str, value, donor: str) -> None:
    plan.fields[name], plan.sources[name] = value, donor


def _plan_camera(plan: MergePlan, have: PhotoMeta, readable: list) -> None:
    """Make and model go together: a missing model comes only from a copy of the same make
    (or of none), so a keeper never ends up as a 'Canon D750'."""
    def same(a: Optional[str], b: Optional[str]) -> bool:
        return a is None or b is None or a.casefold() == b.casefold()

    if have.make is None and have.model is None:
        donor = next(((d, m) for d, m in readable if m.make or m.model), None)
        if donor:
            for name in ("make", "model"):
                if getattr(donor[1], name):
                    _take(plan, name, getattr(donor[1], name), donor[0])
        return
    for name, other in (("model", "make"), ("make", "model")):
        if getattr(have, name) is None:
            donor = next(((d, m) for d, m in readable
                          if getattr(m, name) and same(getattr(m, other), getattr(have, other))), None)
            if donor:
                _take(plan, name, getattr(donor[1], name), donor[0])


def _plan_keywords(plan: MergePlan, have: PhotoMeta, readable: list) -> None:
    known = {k.casefold() for k in have.keywords}
    added = []
    for donor, meta in readable:
        for word in meta.keywords:
            if word.casefold() not in known:
                known.add(word.casefold())
                added.append(word)
                plan.keyword_sources[word] = donor
    if added:
        _take(plan, "keywords", tuple(added), plan.keyword_sources[added[0]])


def _lines(plan: MergePlan) -> list[str]:
    lines = []
    for name in FIELDS:
        if name not in plan.fields:
            continue
        if name == "keywords":
            lines.extend(_keyword_lines(plan))
            continue
        value, origin = plan.fields[name], os.path.basename(plan.sources[name])
        lines.append(f"{_what(name, value)} from {origin}")
    return lines


def _what(name: str, value) -> str:
    if name == "taken_at":
        return f"capture date {value.replace('T', ' ')}"
    if name == "gps":
        lat, lon, alt = value
        return f"GPS {lat:.5f}, {lon:.5f}" + ("" if alt is None else f" (altitude {alt:g} m)")
    if name == "rating":
        return f"rating {value} of 5"
    if name in ("make", "model"):
        return f"camera {name} {value}"
    shown = value if len(value) <= 60 else value[:59].rstrip() + "…"
    return f'{name} "{shown}"'


def _keyword_lines(plan: MergePlan) -> list[str]:
    by_donor: dict = {}
    for word in plan.fields["keywords"]:
        by_donor.setdefault(plan.keyword_sources[word], []).append(word)
    return [f"{'keywords' if len(words) > 1 else 'keyword'} {', '.join(words)} from {os.path.basename(donor)}"
            for donor, words in by_donor.items()]


def describe(plan: MergePlan) -> str:
    """One paragraph for a dialog: what the keeper receives and which copies gave nothing."""
    name = os.path.basename(plan.keeper)
    if plan.empty:
        text = f"{name} already has all the metadata its copies carry: nothing needs copying."
    else:
        count = len(plan.lines)
        text = (f"Before its copies go, {name} receives what only they carry "
                f"({count} {'item' if count == 1 else 'items'}): " + "; ".join(plan.lines) + ".")
    if plan.skipped:
        listed = ", ".join(f"{os.path.basename(p)} ({why})" for p, why in plan.skipped)
        many = len(plan.skipped) > 1
        text += f" {len(plan.skipped)} {'copies' if many else 'copy'} could not be read and gave nothing: {listed}."
    return text


# ----- writing -------------------------------------------------------------------------------

def write_sidecar(plan: MergePlan) -> str:
    """Writes the plan into the keeper's XMP sidecar (sidecar_path), keeping everything else
    an existing sidecar holds; returns the sidecar's path. A field the keeper gained since the
    plan was made is left as it is; an empty plan writes nothing."""
    target = sidecar_path(plan.keeper)
    now = read(plan.keeper)   # also refuses a keeper whose sidecar is damaged
    fields = _still_missing(plan, now)
    if not fields:
        return target
    _refuse_link(target)
    before = _stat(target)
    data = _read_bytes(target) if before else xmp.SKELETON
    image = _open_sidecar(plan.keeper, target, data) if before else xmp.open_bytes(target, data)
    try:
        props = xmp.xmp_properties(fields, xmp.unique([*now.keywords, *fields.get("keywords", ())]))

        def modify() -> None:
            # exiv2 gives a sidecar EXIF and IPTC converted from its XMP, and converts them
            # back on every write, over what we set (dc:subject then fails as "not an array").
            image.clear_iptc()
            image.clear_exif()
            image.modify_xmp(props)

        result = xmp.modified(image, target, modify)
    finally:
        image.close()
    xmp.check_written(target, xmp.from_xmp(xmp.reread(target, result)[2]), fields)
    mode = before.st_mode if before else _stat(plan.keeper).st_mode & 0o666
    _replace(target, result, before, mode)
    return target


def write_in_file(plan: MergePlan) -> None:
    """Writes the plan into the keeper itself: EXIF for the date, GPS and camera, XMP for the
    rating, keywords, title and description, IPTC keywords too in a JPEG. Refuses, with a
    readable error, a format exiv2 cannot safely rewrite."""
    from ..scanning.raw import is_raw

    keeper, name = plan.keeper, os.path.basename(plan.keeper)
    if is_raw(keeper):
        raise MetadataError(keeper, "a RAW file", f"Lookalike does not write into RAW files such as {name} "
                                                  "(a rewrite can break the camera's own data); write a sidecar instead.")
    _refuse_link(keeper)
    before = _stat(keeper)
    data = _read_bytes(keeper)
    image = xmp.open_bytes(keeper, data)
    try:
        mime = image.get_mime_type()
        if mime not in WRITABLE:
            raise MetadataError(keeper, f"a {mime} file", f"Lookalike cannot write metadata into {name} "
                                                          f"({mime} files are read-only to exiv2); write a sidecar instead.")
        exif, iptc, own = xmp.blocks(image)
        inside = xmp.embedded(exif, iptc, own)
        fields = {k: v for k, v in plan.fields.items() if k == "keywords" or not _has(PhotoMeta(**inside), k)}
        if "keywords" in fields:
            fields["keywords"] = tuple(k for k in fields["keywords"]
                                       if k.casefold() not in {w.casefold() for w in inside.get("keywords", ())})
            fields = {k: v for k, v in fields.items() if v != ()}
        if not fields:
            return
        all_keywords = xmp.unique([*inside.get("keywords", ()), *fields.get("keywords", ())])

        def modify() -> None:
            if xmp.exif_properties(fields):
                image.modify_exif(xmp.exif_properties(fields))
            if xmp.xmp_properties(fields, all_keywords, camera=False):
                image.modify_xmp(xmp.xmp_properties(fields, all_keywords, camera=False))
            if mime == "image/jpeg" and "keywords" in fields and xmp.iptc_keywords(iptc, fields["keywords"]):
                image.modify_iptc(xmp.iptc_keywords(iptc, fields["keywords"]))

        result = xmp.modified(image, keeper, modify)
    finally:
        image.close()
    xmp.check_written(keeper, xmp.embedded(*xmp.reread(keeper, result)), fields)
    _replace(keeper, result, before, before.st_mode)


def _still_missing(plan: MergePlan, now: PhotoMeta) -> dict:
    fields = {k: v for k, v in plan.fields.items() if k != "keywords" and not _has(now, k)}
    known = {w.casefold() for w in now.keywords}
    new = tuple(w for w in plan.fields.get("keywords", ()) if w.casefold() not in known)
    return {**fields, **({"keywords": new} if new else {})}


def _stat(path: str) -> Optional[os.stat_result]:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MetadataError(path, os_reason(exc)) from exc


def _refuse_link(path: str) -> None:
    # Renaming over a symbolic link would replace the link, not the file it points to.
    if os.path.islink(path):
        raise MetadataError(path, "a symbolic link", f"{os.path.basename(path)} is a symbolic link; "
                                                     "write into the file it points to instead.")


def _replace(target: str, data: bytes, before: Optional[os.stat_result], mode: int) -> None:
    """Gives `target` the bytes `data` through a flushed hidden temporary renamed over it;
    refuses when the target changed (or, for a new one, appeared) since it was read."""
    folder = os.path.dirname(os.path.abspath(target))
    tmp = temporary_name(folder, "meta")
    name = os.path.basename(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode & 0o7777)
        now = _stat(target)
        if (now is None) != (before is None) or (now and _changed(now, before)):
            raise MetadataError(target, "changed meanwhile", f"{name} changed while its metadata was being "
                                                             "written; it was left as it is.")
        os.replace(tmp, target)
    except OSError as exc:
        raise MetadataError(target, os_reason(exc), f"The metadata of {name} could not be written: "
                                                    f"{os_reason(exc)}; it was left as it is.") from exc
    finally:
        _discard(tmp)   # ours, and only still there when the rename did not happen
    _sync_folder(folder)


def _changed(now: os.stat_result, before: os.stat_result) -> bool:
    return (now.st_size, now.st_mtime_ns, now.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino)

