"""Where a file dialog opens: the folder last used for the same purpose, else the library's
first folder, else the user's Pictures (never the bare home folder while there is a library).

Owns: that choice and the per-purpose memory of the last folder used in this run.
Must not: open dialogs itself or read the disk beyond checking that a folder still exists.
"""
from __future__ import annotations

import os
from typing import Optional

from PySide6.QtCore import QStandardPaths

_last: dict[str, str] = {}   # purpose -> the folder last chosen in, for this run


def start_folder(library, purpose: str) -> str:
    last = _last.get(purpose)
    if last and os.path.isdir(last):
        return last
    for folder in library.folders():
        if os.path.isdir(folder.path):
            return folder.path
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return pictures if pictures and os.path.isdir(pictures) else os.path.expanduser("~")


def remember(purpose: str, chosen: Optional[str]) -> None:
    """Notes where the user went: a chosen file's folder, or a chosen folder's parent."""
    if chosen:
        _last[purpose] = os.path.dirname(chosen.rstrip(os.sep)) or chosen
