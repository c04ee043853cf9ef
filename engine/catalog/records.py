"""The catalog's row values: a photo folder and a cataloged file, as the store returns them.

Owns: their fields. Must not: query anything (store.py does).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class FolderRecord:
    id: int
    path: str
    added_at: float


@dataclass(frozen=True)
class FileRecord:
    id: int
    folder_id: int
    path: str
    size: int
    mtime_ns: int
    content_hash: Optional[str]
    width: Optional[int] = None
    height: Optional[int] = None
    format: Optional[str] = None
    taken_at: Optional[str] = None
    camera: Optional[str] = None
    error: Optional[str] = None
    exif_fields: Optional[int] = None
    has_gps: Optional[bool] = None
    device: Optional[int] = None   # (device, inode) equal: several names of one file
    inode: Optional[int] = None
