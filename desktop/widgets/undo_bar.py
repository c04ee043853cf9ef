"""The bar a view shows after a batch changed files: what was done, and an Undo button.

Owns: the sentence, the button (hidden once nothing is left to undo) and showing both.
Must not: undo anything itself (the view's `on_undo` does, on the writer thread).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton


class UndoBar(QFrame):
    def __init__(self, on_undo: Callable[[], None], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton("Undo")
        self.button.clicked.connect(on_undo)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.hide()

    def offer(self, text: str) -> None:
        """Says what a batch did and offers Undo for it."""
        self.text.setText(text)
        self.button.show()
        self.show()

    def settle(self, text: str, more_to_undo: bool) -> None:
        """Says what an undo put back; the button stays only if something could not be."""
        self.text.setText(text)
        self.button.setVisible(more_to_undo)
