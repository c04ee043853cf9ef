"""The line a view shows while the library has not been scanned for what it needs.

Owns: turning "no vectors yet" (engine NotScanned) into app words, "Not scanned yet: …",
with a Scan now button, and hiding both once results arrive. Must not: scan itself (the
window does, when `scan` fires) or word any other failure (notice.sentence does).
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from lookalike.engine.errors import NotScanned

from ..dialogs.notice import sentence

NOT_SCANNED = "Not scanned yet: the photos have not been compared for duplicates."


class ScanPrompt(QWidget):
    scan = Signal()   # the user asked for a scan of every folder

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("scanPrompt")
        self.button = QPushButton("Scan now")
        self.button.setObjectName("primaryButton")
        self.button.setToolTip("Reads every library folder and compares the photos")
        self.button.clicked.connect(self.scan)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addStretch(1)
        self.hide()

    def explain(self, exc: BaseException) -> str:
        """The sentence for a failure; a missing scan also shows the Scan now button."""
        self.setVisible(isinstance(exc, NotScanned))
        return NOT_SCANNED if isinstance(exc, NotScanned) else sentence(exc)
