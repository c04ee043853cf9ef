"""Units: files that belong together and are handled as one photo by grouping, keep rules and
every clean-up action.

Owns: finding a photo's companions on disk: its RAW/JPEG partner (same folder, same name
stem, one RAW and one other photo format, the same capture time), a Live Photo's video
(`IMG_1.HEIC` + `IMG_1.MOV`), and sidecars (`NAME.EXT.xmp`, `NAME.xmp`, `NAME.aae`). A
name-stem sidecar or video belongs to a photo only when no other photo in the folder shares
its stem, so removing one photo never takes another's sidecar. Each folder is listed once per
Units. Must not: touch files, run SQL (the caller hands in a path -> catalog record lookup)
or decide what to keep.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from ..scanning.raw import is_raw
from ..scanning.walk import is_image_name

LIVE_STILLS = frozenset({".heic", ".heif", ".jpg", ".jpeg"})
LIVE_VIDEOS = (".mov", ".mp4")
SIDECARS = (".xmp", ".aae")
# A RAW and the JPEG the camera wrote beside it carry one capture time; allow the second the
# two writes may straddle.
SAME_MOMENT_S = 1.0


@dataclass(frozen=True)
class Companion:
    path: str
    role: str                  # partner (the RAW or JPEG of a pair) | live (video) | sidecar
    bytes: int
    format: Optional[str] = None


def _moment(taken_at: Optional[str]) -> Optional[float]:
    try:
        return datetime.fromisoformat(taken_at).timestamp() if taken_at else None
    except ValueError:
        return None


class Units:
    """`lookup(path)`: the catalog record of a path (with .id, .taken_at, .format, .size) or None.
    `pair_raw_jpeg`: False treats a RAW and its JPEG as two photos (they then group as copies)."""

    def __init__(self, lookup: Callable[[str], object], pair_raw_jpeg: bool = True) -> None:
        self.lookup = lookup
        self.pair_raw_jpeg = pair_raw_jpeg
        self._folders: dict[str, dict[str, list[str]]] = {}
        self._partners: dict[str, Optional[object]] = {}   # grouping and companions both ask

    def _stems(self, folder: str) -> dict[str, list[str]]:
        """lower-case stem -> the names in `folder` whose name (or name before `.xmp`) has it."""
        found = self._folders.get(folder)
        if found is None:
            found = {}
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if not entry.name.startswith("."):
                            stem = entry.name.split(".", 1)[0].lower()
                            found.setdefault(stem, []).append(entry.name)
            except OSError:
                pass   # an unreadable folder: the photo goes alone, as before
            self._folders[folder] = found
        return found

    def _same_stem(self, path: str) -> tuple[str, list[str]]:
        folder, name = os.path.split(path)
        stem = os.path.splitext(name)[0]
        return folder, [n for n in self._stems(folder).get(stem.split(".", 1)[0].lower(), ())
                        if os.path.splitext(n)[0].lower() == stem.lower() or n.lower().startswith(stem.lower() + ".")]

    def partner(self, record) -> Optional[object]:
        """The catalog record of this photo's RAW/JPEG partner, or None (looked up once)."""
        if not self.pair_raw_jpeg:
            return None
        if record.path not in self._partners:
            self._partners[record.path] = self._find_partner(record)
        return self._partners[record.path]

    def _find_partner(self, record) -> Optional[object]:
        folder, names = self._same_stem(record.path)
        own = os.path.basename(record.path)
        photos = [n for n in names if is_image_name(n) and os.path.splitext(n)[0].lower()
                  == os.path.splitext(own)[0].lower()]
        raws = [n for n in photos if is_raw(n)]
        others = [n for n in photos if not is_raw(n)]
        if len(raws) != 1 or len(others) != 1 or own not in photos:
            return None
        other = os.path.join(folder, others[0] if own == raws[0] else raws[0])
        found = self.lookup(other)
        if found is None:
            return None
        mine, theirs = _moment(record.taken_at), _moment(getattr(found, "taken_at", None))
        if mine is None or theirs is None or abs(mine - theirs) > SAME_MOMENT_S:
            return None
        return found

    def companions(self, record) -> tuple[Companion, ...]:
        """Everything that goes with this photo: its partner, videos and sidecars."""
        partner = self.partner(record)
        members = [record.path] + ([partner.path] if partner is not None else [])
        out = []
        if partner is not None:
            out.append(Companion(partner.path, "partner", partner.size, partner.format))
        folder, names = self._same_stem(record.path)
        stem = os.path.splitext(os.path.basename(record.path))[0].lower()
        member_names = {os.path.basename(m).lower() for m in members}
        photos_with_stem = {n.lower() for n in names if is_image_name(n) and os.path.splitext(n)[0].lower() == stem}
        alone = photos_with_stem <= member_names
        for name in sorted(names):
            low = name.lower()
            base, ext = os.path.splitext(low)
            if low in member_names:
                continue
            if ext in SIDECARS and (base in member_names or (alone and base == stem)):
                role = "sidecar"
            elif ext in LIVE_VIDEOS and alone and base == stem and any(
                    os.path.splitext(m)[1] in LIVE_STILLS for m in member_names):
                role = "live"
            else:
                continue
            path = os.path.join(folder, name)
            try:
                size = os.lstat(path).st_size
            except OSError:
                continue
            out.append(Companion(path, role, size))
        return tuple(out)
