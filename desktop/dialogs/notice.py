"""Error notices: one readable sentence, with the technical details only on demand.

Owns: turning an exception into a message box the user can read. Never a traceback dialog:
the traceback sits behind "Show Details...". Must not: decide what failed or retry.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from lookalike.engine.errors import LookalikeError


def sentence(exc: BaseException) -> str:
    if isinstance(exc, LookalikeError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Lookalike ran out of memory; close other programs or use a smaller model."
    if isinstance(exc, OSError):
        return f"A file could not be read or written ({exc.strerror or exc})."
    return f"Something went wrong ({exc.__class__.__name__}). Your photos and library are unchanged."


def show_error(parent: QWidget, title: str, exc: BaseException) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, sentence(exc), QMessageBox.StandardButton.Ok, parent)
    # A LookalikeError is a plain answer ("There is nothing to undo."), not a bug: no traceback.
    details = None if isinstance(exc, LookalikeError) else getattr(exc, "details", None)
    if details:
        box.setDetailedText(details)
    box.setObjectName("errorNotice")
    box.open()
    return box
