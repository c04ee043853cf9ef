"""This library's window settings file: window size, splitter positions, the Cards/Table choice.

Owns: its name and place (`window.ini` in the library folder, not `desktop.ini`, which Windows
Explorer reads as folder settings) and moving a `desktop.ini` from an earlier version over once.
Must not: hold app settings (those are the engine's Settings, in settings.json).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

WINDOW_SETTINGS = "window.ini"


def window_settings(library_path: Path) -> QSettings:
    path = Path(library_path) / WINDOW_SETTINGS
    old = Path(library_path) / "desktop.ini"
    if not path.exists() and old.is_file():   # kept by an earlier version: moved over once
        try:
            old.replace(path)
        except OSError:
            return QSettings(str(old), QSettings.Format.IniFormat)
    return QSettings(str(path), QSettings.Format.IniFormat)
