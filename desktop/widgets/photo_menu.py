"""The context menu every photo has: open, reveal in the file manager, find similar, compare.

Owns: building the menu and opening files with the desktop's own programs (or, where none
does, handing the photo to our viewer). Must not: run
searches or comparisons itself (it emits what the user asked for).
"""
from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu


def open_file(path: str) -> bool:
    """Whether a program of the desktop's took the file."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal(path: str) -> None:
    """Shows the file in the platform's file manager (its folder where selection is not possible)."""
    if sys.platform == "darwin":
        subprocess.Popen(["open", "-R", path])
    elif sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


def photo_menu(parent, photo, on_similar, on_compare, on_view=None) -> QMenu:
    """`on_view(photo)` shows it in our own viewer when no program of the desktop opens it."""
    menu = QMenu(parent)
    menu.addAction("Open", lambda: open_file(photo.path) or (on_view and on_view(photo)))
    menu.addAction("Reveal in file manager", lambda: reveal(photo.path))
    menu.addSeparator()
    menu.addAction("Find similar", lambda: on_similar(photo.path))
    menu.addAction("Compare with…", lambda: on_compare(photo.path))
    return menu
