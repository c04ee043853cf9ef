"""The context menu every photo has: open, reveal in the file manager, find similar, compare.

Owns: building the menu and opening files with the desktop's own programs. Must not: run
searches or comparisons itself (it emits what the user asked for).
"""
from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu


def open_file(path: str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def reveal(path: str) -> None:
    """Shows the file in the platform's file manager (its folder where selection is not possible)."""
    if sys.platform == "darwin":
        subprocess.Popen(["open", "-R", path])
    elif sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path)))


def photo_menu(parent, photo, on_similar, on_compare) -> QMenu:
    menu = QMenu(parent)
    menu.addAction("Open", lambda: open_file(photo.path))
    menu.addAction("Reveal in file manager", lambda: reveal(photo.path))
    menu.addSeparator()
    menu.addAction("Find similar", lambda: on_similar(photo.path))
    menu.addAction("Compare with…", lambda: on_compare(photo.path))
    return menu
