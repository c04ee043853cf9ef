"""The first-run screen: one clear call to action, add a photo folder.

Owns: the empty-library page. Must not: add folders itself (it asks the main window).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomeView(QWidget):
    add_folder = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        title = QLabel("Find duplicate photos and search your library")
        title.setObjectName("welcomeTitle")
        text = QLabel("Lookalike looks through your photo folders, groups copies that were resized, "
                      "cropped, rotated or re-saved, and helps you keep the best one. Nothing is ever "
                      "deleted outright: removed photos go to the trash, and every clean-up can be undone.")
        text.setWordWrap(True)
        button = QPushButton("Add a photo folder…")
        button.setObjectName("primaryButton")
        button.setMinimumHeight(44)
        button.clicked.connect(self.add_folder)
        hint = QLabel("or drop a folder anywhere on this window")
        hint.setObjectName("hintLabel")
        title.setWordWrap(True)
        # A fixed-width panel, centred: word-wrapped text then gets the height it needs. Its
        # width follows the user's text size (about 100 characters of body text).
        self.panel = panel = QWidget()
        self.text, self.button = text, button
        column = QVBoxLayout(panel)
        column.setSpacing(14)
        for widget in (title, text):
            column.addWidget(widget)
        self._fit()
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(button)
        button_row.addStretch(1)
        column.addLayout(button_row)
        column.addWidget(hint)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # Centred by stretches, not an alignment flag, so height-for-width reaches the text.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(panel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def _fit(self) -> None:
        for widget in self.panel.findChildren(QWidget):
            widget.ensurePolished()  # take the style sheet's fonts before sizes are computed
        self.panel.setFixedWidth(max(700, self.text.fontMetrics().averageCharWidth() * 100))
        self.button.setFixedWidth(max(300, self.button.fontMetrics().horizontalAdvance(self.button.text()) + 60))

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange, QEvent.Type.StyleChange):
            self._fit()
        super().changeEvent(event)
