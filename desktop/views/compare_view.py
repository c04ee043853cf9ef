"""Two photos side by side with their similarity under each model.

Owns: choosing the two photos (button, drop, or "Compare with…" from any photo's menu) and
showing the scores. Must not: compute similarities itself (the Library does, off the GUI thread).
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QFileDialog, QGridLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from .. import operations as ops
from lookalike.engine import IMAGE_EXTENSIONS

from ..dialogs.notice import sentence

SIDE = 360
# The file types the engine scans, from its face (a new type there shows up here).
IMAGE_FILTER = "Images (" + " ".join(f"*{ext}" for ext in sorted(IMAGE_EXTENSIONS)) + ")"


class CompareView(QWidget):
    def __init__(self, library, runner, parent=None) -> None:
        super().__init__(parent)
        self.library, self.runner = library, runner
        self.paths: list[str | None] = [None, None]
        self.pictures, self.names = [], []
        grid = QGridLayout()
        for slot in range(2):
            picture = QLabel("Choose a photo")
            picture.setObjectName("compareSlot")
            picture.setFixedSize(SIDE, SIDE)
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            name = QLabel("")
            name.setWordWrap(True)
            choose = QPushButton(f"Choose photo {'AB'[slot]}…")
            choose.clicked.connect(lambda _=False, s=slot: self._choose(s))
            grid.addWidget(picture, 0, slot)
            grid.addWidget(name, 1, slot)
            grid.addWidget(choose, 2, slot)
            self.pictures.append(picture)
            self.names.append(name)
        self.verdict = QLabel("Pick two photos to see how alike they are.")
        self.verdict.setObjectName("summaryLabel")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Model", "Similarity", "Verdict"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)

    def _choose(self, slot: int) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a photo", "", IMAGE_FILTER)
        if path:
            self.set_photo(slot, path)

    def add(self, path: str) -> None:
        """'Compare with…': fills the first free slot (or replaces B)."""
        self.set_photo(0 if self.paths[0] is None else 1, path)

    def set_photo(self, slot: int, path: str) -> None:
        self.paths[slot] = path
        pixmap = QPixmap(path)
        if pixmap.isNull():
            self.pictures[slot].setText("Preview unavailable")
        else:
            self.pictures[slot].setPixmap(pixmap.scaled(SIDE, SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                                                        Qt.TransformationMode.SmoothTransformation))
        self.names[slot].setText(f"{os.path.basename(path)}\n{os.path.dirname(path)}")
        if all(self.paths):
            self.verdict.setText("Comparing…")
            a, b = self.paths
            self.runner.read(partial(ops.compare, self.library, a, b), self._show,
                             lambda exc: self.verdict.setText(sentence(exc)), key=ops.COMPARISON)

    def _show(self, comparison) -> None:
        self.table.setRowCount(len(comparison.scores))
        for row, score in enumerate(comparison.scores):
            value = "—" if score.similarity is None else f"{score.similarity * 100:.1f}%"
            verdict = "not on this computer (hover for how to add it)" if score.similarity is None else score.verdict
            for col, text in enumerate((score.model, value, verdict)):
                item = QTableWidgetItem(text)
                item.setToolTip(score.verdict)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        best = [s for s in comparison.scores if s.similarity is not None]
        if comparison.identical:
            self.verdict.setText("These two files are byte-for-byte identical.")
        elif best:
            self.verdict.setText(f"{best[0].model}: {best[0].verdict} ({best[0].similarity * 100:.1f}%)")
